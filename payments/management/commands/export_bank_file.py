"""``export_bank_file --commune CODE --period YYYY-MM --out DIR``: a cycle's payment files.

Writes each bank's .xlsx and .csv, the changes since last month, and the post
office's workbook (cash list, home-delivery list); prints each file with its
rows and total, then the reconciliation with the cycle's total.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from beneficiaries.management import commune_by_code, month_option
from core.rules.money import format_amount
from payments.bankexport import ExportError
from payments.cyclefiles import Unbalanced, export_cycle_files
from payments.models import PaymentCycle


class Command(BaseCommand):
    help = "Xuất tệp chi trả của một kỳ: tệp ngân hàng (.xlsx, .csv) và danh sách bưu điện."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã (5 chữ số)")
        parser.add_argument("--period", required=True, help="Kỳ chi trả, dạng YYYY-MM")
        parser.add_argument("--out", required=True, help="Thư mục ghi các tệp")

    def handle(self, *args, commune: str, period: str, out: str, **options) -> None:
        month = month_option(period, word="Kỳ")
        place = commune_by_code(commune, month)
        try:
            cycle = PaymentCycle.objects.select_related("commune").get(commune=place, period=month)
        except PaymentCycle.DoesNotExist:
            raise CommandError(f"Xã {place.name} chưa có kỳ chi trả tháng {month:%m/%Y}.") from None
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            lines, bank, cash = export_cycle_files(cycle, folder, dated=timezone.localdate())
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        except Unbalanced as exc:
            raise CommandError(f"Các tệp không khớp tổng của kỳ: {exc}") from None
        for name, part in lines:
            if part is None:
                self.stdout.write(f"{name}\t{bank.changes} thay đổi so với kỳ trước")
            else:
                self.stdout.write(f"{name}\t{part.rows} dòng\t{format_amount(part.total)}")
        self.stdout.write(
            f"Tổng kỳ {month:%m/%Y}: {cycle.payment_count} khoản, "
            f"{format_amount(cycle.total_amount)} = ngân hàng {format_amount(bank.total)}"
            f" + tiền mặt {format_amount(cash.parts[0].total)}"
            f" + tại nhà {format_amount(cash.parts[1].total)}"
        )
