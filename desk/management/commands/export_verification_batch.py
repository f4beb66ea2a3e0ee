from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from beneficiaries.management import commune_by_code
from core.rules.months import first_of_month
from desk.verification import FileExchange


class Command(BaseCommand):
    help = "Xuất danh sách người cần xác thực với CSDL quốc gia về dân cư (.xlsx)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã")
        parser.add_argument("--out", required=True, type=Path, help="Tệp .xlsx sẽ ghi")

    def handle(self, *args, commune: str, out: Path, **options) -> None:
        # Today's registry: a commune merged by now holds nobody; say which to use.
        target = commune_by_code(commune, first_of_month(timezone.localdate()))
        with out.open("wb") as handle:
            count = FileExchange().export_batch(target, handle)
        self.stdout.write(f"{out}: {count} người cần xác thực.")
