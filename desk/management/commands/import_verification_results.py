from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import commune_by_code
from desk.verification import FileExchange


class Command(BaseCommand):
    help = (
        "Nhập kết quả xác thực (cùng tệp đã xuất, thêm cột kết quả). Kiểm tra mọi dòng "
        "trước; có lỗi thì không ghi gì và thoát với mã khác 0."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--commune", default="", help="Mã xã (mặc định: xã của những người trong tệp)"
        )

    def handle(self, *args, file: Path, commune: str, **options) -> None:
        target = None
        if commune:
            target = commune_by_code(commune)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        result = FileExchange().import_results(file, commune=target, actor=None)
        for error in result.errors:
            self.stderr.write(f"LỖI {error}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} lỗi: không ghi lần kiểm tra nào.")
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.by_result.items()))
        self.stdout.write(
            f"Đã ghi {result.checks} lần kiểm tra ({counts}); {result.skipped} dòng chưa có kết quả."
        )
