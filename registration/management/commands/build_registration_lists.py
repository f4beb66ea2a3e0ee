"""``build_registration_lists --commune CODE --month YYYY-MM --out DIR``: the lists as files."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import commune_by_code, month_option
from core.rules.money import format_amount
from documents.builders import file_name
from documents.models import GeneratedFile
from registration.listfiles import build_registration_lists_now, empty_lists, empty_message


class Command(BaseCommand):
    help = "Lập các danh sách đăng ký nhận qua tài khoản (mỗi chương trình hai danh sách)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã (5 chữ số)")
        parser.add_argument("--month", required=True, help="Tháng, dạng YYYY-MM")
        parser.add_argument("--out", required=True, help="Thư mục ghi các tệp")

    def handle(self, *args, commune: str, month: str, out: str, **options) -> None:
        period = month_option(month)
        place = commune_by_code(commune, period)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        failed = 0
        for generated in build_registration_lists_now(place, period):
            if generated.status != GeneratedFile.Status.DONE:
                failed += 1
                self.stderr.write(f"{generated}: {generated.error or generated.status}")
                continue
            target = folder / file_name(generated)
            with generated.file.open("rb") as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            self.stdout.write(
                f"{target.name}\t{generated.rows} dòng\t{format_amount(generated.total_amount)}"
            )
        for programme, kind in empty_lists(place, period):
            who = GeneratedFile.Kind(kind).label
            self.stdout.write(f"{programme.short_name} — {who}: {empty_message(period)}")
        if failed:
            raise CommandError(f"{failed} danh sách không lập được.")
