"""python manage.py import_registry FILE --commune CODE [--sheet NAME] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from beneficiaries.management import commune_by_code
from beneficiaries.models import ImportBatch
from desk.importer.service import create_batch, run_import


class Command(BaseCommand):
    help = (
        "Nhập danh sách đối tượng từ tệp Excel (.xlsx) của xã. Kiểm tra toàn bộ trước; "
        "có lỗi thì không ghi gì và thoát với mã khác 0."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", required=True, help="Mã xã, ví dụ 15307")
        parser.add_argument(
            "--sheet", default="", help="Tên trang tính (mặc định: mọi trang có tiêu đề cột)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")

    def handle(self, *args, file: Path, commune: str, sheet: str, dry_run: bool, **options) -> None:
        target = commune_by_code(commune, timezone.localdate())
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        with file.open("rb") as handle:
            batch = create_batch(handle, name=file.name, commune=target, actor=None, sheet=sheet)
        batch = run_import(batch, actor=None, commit=not dry_run)
        self._print(batch, dry_run=dry_run)
        if batch.status == ImportBatch.Status.INVALID:
            raise CommandError(f"{batch.error_count} lỗi: không ghi gì vào sổ.")

    def _print(self, batch: ImportBatch, *, dry_run: bool) -> None:
        out = self.stdout
        out.write(f"Tệp: {batch.original_name} (SHA-256 {batch.checksum}), lần nhập #{batch.pk}")
        out.write(
            f"Dòng: {batch.rows_total}; mới: {batch.created_count}; cập nhật: {batch.updated_count}; "
            f"không đổi: {batch.unchanged_count}; cảnh báo: {batch.warning_count}; lỗi: {batch.error_count}"
        )
        villages = batch.summary.get("new_villages") or []
        if villages:
            out.write("Thôn mới: " + ", ".join(villages))
        for row in batch.summary.get("rows", []):
            if row[4] == "changed":
                out.write(f"  [{row[0]} dòng {row[1]}] {row[2]}: {row[5]}")
        for issue in batch.issues:
            where = (
                f"{issue['sheet']} dòng {issue['row']}" if issue["row"] else issue["sheet"] or "tệp"
            )
            column = f", cột {issue['column']}" if issue["column"] else ""
            value = f" «{issue['value']}»" if issue["value"] else ""
            label = "LỖI" if issue["level"] == "error" else "Cảnh báo"
            line = f"{label} [{where}{column}]{value}: {issue['message']}"
            (self.stderr if issue["level"] == "error" else out).write(line)
        if batch.status == ImportBatch.Status.COMMITTED:
            out.write(self.style.SUCCESS("Đã ghi vào sổ."))
        elif dry_run and batch.status == ImportBatch.Status.VALIDATED:
            out.write("Chạy thử (--dry-run): tệp hợp lệ, chưa ghi gì.")
