"""After a failed transfer or uncollected cash: cash at the post office from the next month.

A failed or returned payment has already freed its months (see
:mod:`payments.services.results`): the next cycle built owes them again, by
whatever method is registered then. Nothing else is needed to re-issue. When
the account cannot be used (closed, wrong holder) the officer switches the
person to cash here: one new registration through the registration service,
from the first month whose cycle can still change, keeping the current
receiver (a proxy or guardian) when the registration rules still allow them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import roles
from core.access import require_actor
from core.rules.months import next_month
from payments.models import Payment, PaymentCycle
from registration.models import PaymentMethodRegistration
from registration.services import RegistrationError, register_payment_method

SWITCHABLE = (Payment.Status.FAILED, Payment.Status.RETURNED)


class SwitchError(Exception):
    """The switch refused, with a message for the officer."""


@dataclass(frozen=True)
class SwitchResult:
    registration: PaymentMethodRegistration
    from_month: datetime.date
    receiver_kept: bool  # False: the proxy/guardian could not be kept, the beneficiary receives
    draft: PaymentCycle | None  # a draft from that month on, to rebuild so it pays in cash


def first_open_month(payment: Payment) -> datetime.date:
    """The month after the payment's, and after every cycle that can no longer change."""
    month = next_month(payment.cycle.period)
    fixed = (
        PaymentCycle.objects.filter(commune_id=payment.cycle.commune_id)
        .exclude(status=PaymentCycle.Status.DRAFT)
        .aggregate(latest=Max("period"))["latest"]
    )
    if fixed is not None and fixed >= month:
        month = next_month(fixed)
    return month


@transaction.atomic
def switch_to_cash(payment: Payment, *, actor, today: datetime.date) -> SwitchResult:
    """Register cash at the post office for the failed/returned payment's enrolment."""
    require_actor(actor, roles.CAN_PREPARE_CYCLES)
    payment = Payment.objects.select_related("cycle", "beneficiary").get(pk=payment.pk)
    if payment.status not in SWITCHABLE:
        raise SwitchError(
            _(
                "Chỉ chuyển sang tiền mặt khoản chuyển khoản lỗi hoặc tiền mặt không nhận "
                "(khoản này: “%(status)s”)."
            )
            % {"status": payment.get_status_display()}
        )
    from_month = first_open_month(payment)
    current = (
        PaymentMethodRegistration.objects.filter(beneficiary=payment.beneficiary, is_current=True)
        .select_related("representative__person")
        .first()
    )
    if current is None:
        raise SwitchError(
            _(
                "Chưa đăng ký hình thức nhận: kỳ sau chi lại bằng tiền mặt tại điểm chi trả, "
                "không cần chuyển."
            )
        )
    if current.method == PaymentMethodRegistration.Method.CASH:
        raise SwitchError(
            _(
                "Đã đăng ký nhận tiền mặt tại điểm chi trả từ tháng %(month)s: kỳ sau chi lại "
                "bằng tiền mặt, không cần chuyển."
            )
            % {"month": f"{current.from_month:%m/%Y}"}
        )
    if current.from_month > from_month:
        raise SwitchError(
            _(
                "Đã có đăng ký hình thức nhận từ tháng %(month)s: sửa đăng ký đó trên hồ sơ "
                "của người hưởng."
            )
            % {"month": f"{current.from_month:%m/%Y}"}
        )
    representative = current.representative
    reference = _("Chuyển tiền mặt: khoản kỳ %(month)s %(status)s") % {
        "month": f"{payment.cycle.period:%m/%Y}",
        "status": payment.get_status_display().lower(),
    }

    def register(receiver):
        return register_payment_method(
            payment.beneficiary,
            method=PaymentMethodRegistration.Method.CASH,
            from_month=from_month,
            representative=receiver,
            requested_on=today,
            form_reference=reference[:100],
            actor=actor,
        )

    receiver_kept = True
    try:
        try:
            registration = register(representative)
        except RegistrationError as exc:
            if representative is None or exc.field != "representative":
                raise
            # The proxy's authorisation no longer holds: the beneficiary receives in person.
            registration = register(None)
            receiver_kept = False
    except RegistrationError as exc:
        raise SwitchError(exc.message) from None
    draft = (
        PaymentCycle.objects.filter(
            commune_id=payment.cycle.commune_id,
            period__gte=from_month,
            status=PaymentCycle.Status.DRAFT,
        )
        .order_by("period")
        .first()
    )
    return SwitchResult(
        registration=registration, from_month=from_month, receiver_kept=receiver_kept, draft=draft
    )
