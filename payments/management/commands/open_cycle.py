"""``open_cycle --commune CODE --period YYYY-MM``: open (or rebuild) a month's draft cycle."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import commune_by_code, month_option
from core.rules.money import format_amount
from payments.services.cycles import CycleError, open_cycle


class Command(BaseCommand):
    help = "Lập (hoặc lập lại) dự thảo kỳ chi trả của một xã cho một tháng."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã (5 chữ số)")
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM")

    def handle(self, *args, commune: str, period: str, **options) -> None:
        month = month_option(period)
        place = commune_by_code(commune, month)
        try:
            result = open_cycle(place, month, actor=None)
        except CycleError as exc:
            raise CommandError(str(exc)) from None
        cycle = result.cycle
        # int(): on PostgreSQL the build leaves its raw SUM (a Decimal) on the object.
        state = "đã lập lại" if result.rebuilt else "lập mới"
        self.stdout.write(
            f"Kỳ chi trả {cycle.period:%m/%Y} — xã {place.name} ({place.code}): "
            f"{cycle.payment_count} người, {format_amount(int(cycle.total_amount))} ({state})."
        )
