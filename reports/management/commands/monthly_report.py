"""``monthly_report --commune CODE --period YYYY-MM --out FILE``: the month's report as a file."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import commune_by_code, month_option
from core.rules.money import format_amount
from documents.models import GeneratedFile
from reports.reportfiles import build_monthly_report_now


class Command(BaseCommand):
    help = "Lập báo cáo tháng của một xã (tổng hợp chi trả, tỷ lệ không dùng tiền mặt, danh sách)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã (5 chữ số)")
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM")
        parser.add_argument("--out", required=True, help="Tệp .xlsx ghi ra")

    def handle(self, *args, commune: str, period: str, out: str, **options) -> None:
        month = month_option(period)
        place = commune_by_code(commune, month)
        generated = build_monthly_report_now(place, month)
        if generated.status != GeneratedFile.Status.DONE:
            raise CommandError(f"Không lập được báo cáo: {generated.error or generated.status}")
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        with generated.file.open("rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        self.stdout.write(
            f"{target}\t{generated.rows} người\t{format_amount(generated.total_amount)}"
        )
