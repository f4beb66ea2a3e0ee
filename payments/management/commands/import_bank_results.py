"""``import_bank_results FILE [--commune CODE] [--user USERNAME]``: the banks' results.

Every row is validated first; any error and nothing is recorded (each error is
printed, the exit status is not zero). Importing the same file again changes
nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import commune_by_code
from payments.bankfiles import BankFileExchange


class Command(BaseCommand):
    help = "Nhập tệp kết quả chuyển khoản của ngân hàng (.xlsx hoặc .csv)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Tệp kết quả (.xlsx hoặc .csv)")
        parser.add_argument("--commune", help="Mã xã: chỉ nhận các khoản của xã này")
        parser.add_argument("--user", help="Tên đăng nhập của người nhập (ghi vào lịch sử)")

    def handle(self, *args, file: str, commune: str | None, user: str | None, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không thấy tệp {file}.")
        place = commune_by_code(commune) if commune else None
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Không có người dùng «{user}».") from None
        with path.open("rb") as handle:
            summary = BankFileExchange().import_results(
                handle, filename=path.name, commune=place, actor=actor
            )
        if summary.errors:
            for error in summary.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(summary.errors)} lỗi: không ghi kết quả nào. Hãy sửa tệp rồi nhập lại."
            )
        for line in summary.lines():
            self.stdout.write(line)
