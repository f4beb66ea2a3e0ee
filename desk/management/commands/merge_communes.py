"""``merge_communes --into CODE --name NAME --from CODE [CODE …] --on YYYY-MM-DD [--dry-run]``,
with the new commune's document settings (``--issuing-body``, ``--place-name``,
``--preparer``, ``--accountant``, ``--leader-title``, ``--leader``)."""

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


# The new commune's document settings: field -> (option, help). Empty: the default
# (issuing body and place from the name) or, for a commune that exists, left as is.
SETTING_OPTIONS = {
    "issuing_body": ("--issuing-body", "Cơ quan ban hành, mặc định ỦY BAN NHÂN DÂN XÃ + tên"),
    "place_name": ("--place-name", "Địa danh ghi ngày tháng, mặc định tên xã"),
    "district_name": ("--district-name", "Huyện (trước 01/07/2025)"),
    "province_name": ("--province-name", "Tỉnh, mặc định tỉnh của các xã cũ"),
    "preparer_name": ("--preparer", "Người lập biểu"),
    "accountant_name": ("--accountant", "Kế toán"),
    "leader_title": ("--leader-title", "Chức danh ký, ví dụ «TM. ỦY BAN NHÂN DÂN\\nCHỦ TỊCH»"),
    "leader_name": ("--leader", "Người ký"),
}


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
        for option, help_text in SETTING_OPTIONS.values():
            parser.add_argument(option, default="", help=help_text)

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
            fields = {
                field: options[option.lstrip("-").replace("-", "_")].replace("\\n", "\n")
                for field, (option, _help) in SETTING_OPTIONS.items()
                if options[option.lstrip("-").replace("-", "_")]
            }
            result = merge_communes(
                into_code=into, name=name, from_codes=from_codes, on=day, fields=fields or None
            )
        except MergeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Đã sáp nhập {len(result.merged)} xã vào xã {result.commune.name} "
            f"({result.commune.code}) từ {day:%d/%m/%Y}."
        )
