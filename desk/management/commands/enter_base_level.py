"""``enter_base_level --programme BTXH --amount 540000 --from 2026-07 --basis "Nghị định …" [--yes]``

Prints the preview of the base-levels page (who is re-rated, arrears and
recoveries on months already paid, cycles to rebuild) and enters the level
only with ``--yes``, as the system, through the same service
(:func:`desk.levels.apply_base_level`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.management import month_option
from beneficiaries.models import Programme
from core.rules.money import AmountError, format_amount, parse_amount
from desk import levels


class Command(BaseCommand):
    help = "Xem trước và nhập mức chuẩn của một chương trình (chỉ ghi khi có --yes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--programme", required=True, help="Mã chương trình: BTXH, HTXH, NCC")
        parser.add_argument("--amount", required=True, help="Mức chuẩn, đồng (540000 hoặc 540.000)")
        parser.add_argument(
            "--from", dest="applies_from", required=True, help="Áp dụng từ tháng, dạng YYYY-MM"
        )
        parser.add_argument("--basis", required=True, help="Văn bản: số nghị định, điều khoản")
        parser.add_argument("--yes", action="store_true", help="Ghi mức chuẩn (không có: chỉ xem)")

    def handle(self, *args, programme, amount, applies_from, basis, yes, **options) -> None:
        try:
            chosen = Programme.objects.get(code=programme.strip().upper())
        except Programme.DoesNotExist:
            raise CommandError(f"Không có chương trình mã {programme}.") from None
        try:
            value = parse_amount(amount)
        except AmountError as exc:
            raise CommandError(exc.message) from None
        if value <= 0:
            raise CommandError("Mức chuẩn phải lớn hơn 0 đồng.")
        basis = " ".join(basis.split())
        if not basis:
            raise CommandError("Hãy ghi văn bản (--basis).")
        entry = levels.LevelEntry(
            programme=chosen,
            amount=value,
            applies_from=month_option(applies_from, word="Tháng áp dụng"),
            legal_basis=basis,
        )
        preview = levels.preview_base_level(entry, commune_ids=[])
        rate = levels.current_rate(entry)
        out = self.stdout.write
        out(
            f"Mức chuẩn {chosen.short_name} {format_amount(value)} từ "
            f"{entry.applies_from:%m/%Y} ({basis})."
        )
        if rate is not None:
            state = "đã kiểm chứng" if rate.verified else "chưa kiểm chứng"
            out(f"Mức đã có cho tháng này: {format_amount(rate.amount)} ({state}).")
        if chosen.amount_mode != Programme.AmountMode.COEFFICIENT:
            out("Chương trình trả số tiền cố định: mức chuẩn không tự tính lại ai.")
        out(f"Số đối tượng được tính lại: {preview.enrolments}.")
        out(f"Chênh lệch mỗi tháng: {format_amount(preview.monthly_difference)}.")
        out(
            f"Truy lĩnh các tháng đã chi: {preview.arrears_people} người, "
            f"{format_amount(preview.arrears_total)}."
        )
        out(
            f"Thu hồi các tháng đã chi cao hơn mức mới: {preview.recovery_people} người, "
            f"{format_amount(preview.recovery_total)}."
        )
        for cycle in preview.unsent:
            out(f"Cần lập lại kỳ chi trả: {cycle.commune} {cycle.period:%m/%Y} ({cycle.status}).")
        if not yes:
            out("Chưa ghi gì. Chạy lại với --yes để ghi mức chuẩn.")
            return
        try:
            result = levels.apply_base_level(entry, actor=None)
        except levels.RateError as exc:
            raise CommandError(str(exc)) from None
        if not result.changed:
            out("Mức chuẩn đã có và đã được xác nhận: không có gì thay đổi.")
            return
        out(
            f"Đã ghi mức chuẩn: {result.added} mức hưởng mới, "
            f"{result.updated} mức hưởng sửa số tiền."
        )
