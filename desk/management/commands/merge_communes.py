"""``merge_communes --into CODE --name NAME --from CODE [CODE …] --on YYYY-MM-DD [--dry-run]``."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from desk.merger import MergeError, merge_communes, preview_lines, preview_merger


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"Ngày sáp nhập không hợp lệ: «{value}». Hãy ghi dạng YYYY-MM-DD, ví dụ 2025-07-01."
        ) from None


class Command(BaseCommand):
    help = "Sáp nhập các xã cũ vào một xã mới (hoặc đã có) từ ngày đầu một tháng."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--into", required=True, help="Mã xã mới (5 chữ số)")
        parser.add_argument("--name", default="", help="Tên xã mới, ví dụ Hà Trung")
        parser.add_argument(
            "--from", dest="from_codes", nargs="+", required=True, help="Mã các xã cũ"
        )
        parser.add_argument("--on", required=True, help="Ngày sáp nhập, dạng YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không ghi")

    def handle(self, *args, into: str, name: str, from_codes, on: str, dry_run: bool, **options):
        day = _day(on)
        preview = preview_merger(into_code=into, name=name, from_codes=from_codes, on=day)
        for line in preview_lines(preview):
            self.stdout.write(line)
        if not preview.ok:
            raise CommandError("Không sáp nhập: xem các lý do ở trên.")
        if dry_run:
            self.stdout.write("Chạy thử: chưa ghi gì.")
            return
        try:
            result = merge_communes(into_code=into, name=name, from_codes=from_codes, on=day)
        except MergeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Đã sáp nhập {len(result.merged)} xã vào xã {result.commune.name} "
            f"({result.commune.code}) từ {day:%d/%m/%Y}."
        )
