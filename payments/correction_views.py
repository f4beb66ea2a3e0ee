"""“Sửa kết quả”: a payment's recorded result corrected, from the cycle's payments or
the post office's page.

One page per payment, through :mod:`core.confirm`: what is recorded now, the
form of the new result with the reason, the payment's earlier corrections (who,
when, why); its button calls :func:`payments.services.corrections.correct_result`
once (a second click finds another fingerprint and changes nothing). Thin:
the payment through the scoped look-ups (404 outside the user's communes, 403
for a role that may not correct it), the rules in the service.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.confirm import Confirmation, Table, confirm, fingerprint
from core.rules.money import format_amount
from core.users import full_name
from payments import access, postoffice
from payments.forms import CorrectionForm
from payments.models import Payment, PaymentCycle
from payments.services.corrections import correct_result, corrections_of, result_label
from payments.services.results import RECORDED, ResultError, recorded_result_label


@login_required
def result_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """From the cycle's payments (the officer, the accountant)."""
    payment = access.get_payment_to_correct(request.user, pk)
    back = reverse("cycle_payments", args=[payment.cycle_id])
    return _correction_page(request, payment, back=back)


@login_required
def post_office_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """From the post office's page: its cash and home payments, the cycle not closed."""
    payment = postoffice.get_cash_payment_to_correct(request.user, pk)
    back = f"{reverse('post_office')}?ky={payment.cycle_id}"
    return _correction_page(request, payment, back=back)


def _token(payment: Payment) -> str:
    """What the page showed: the result recorded, the cycle's state, the corrections."""
    return fingerprint(
        payment.status,
        payment.paid_on,
        payment.reference,
        payment.failure_reason,
        payment.cycle.status,
        payment.corrections.count(),
    )


def _result_text(status: str, paid_on, failure_reason: str, reference: str) -> str:
    text = result_label(status, paid_on, failure_reason)
    if reference:
        text += _(" (mã %(reference)s)") % {"reference": reference}
    return text


def _correction_page(request: HttpRequest, payment: Payment, *, back: str) -> HttpResponse:
    cycle = payment.cycle
    person = payment.beneficiary.person
    form = CorrectionForm(request.POST if request.method == "POST" else None, payment=payment)
    warnings = []
    if payment.status not in RECORDED:
        warnings.append(
            _("Khoản này chưa có kết quả (“%(status)s”): không có gì để sửa.")
            % {"status": payment.get_status_display()}
        )
    if cycle.status == PaymentCycle.Status.CLOSED:
        warnings.append(
            _(
                "Kỳ chi trả tháng %(month)s đã khóa sổ: kết quả sửa làm thay đổi đối soát "
                "của kỳ đã khóa."
            )
            % {"month": f"{cycle.period:%m/%Y}"}
        )
    corrections = [
        [
            f"{timezone.localtime(c.corrected_at):%d/%m/%Y %H:%M}",
            full_name(c.corrected_by) if c.corrected_by else _("Hệ thống"),
            _result_text(c.old_status, c.old_paid_on, c.old_failure_reason, c.old_reference),
            _result_text(c.new_status, c.new_paid_on, c.new_failure_reason, c.new_reference),
            c.reason,
        ]
        for c in corrections_of(payment)
    ]
    confirmation = Confirmation(
        title=_("Sửa kết quả chi trả — %(name)s, tháng %(month)s")
        % {"name": person.full_name, "month": f"{cycle.period:%m/%Y}"},
        intro=_(
            "Kết quả mới thay kết quả đang ghi; lần sửa được lưu lại (ai, lúc nào, lý do). "
            "Sửa thành lỗi hoặc không nhận: các tháng của khoản được chi lại ở kỳ sau. "
            "Sửa thành đã chi trả: các tháng không chi lại nữa. Tiền đã chi vượt mức được "
            "hưởng thành khoản thu hồi."
        ),
        facts=[
            (_("Người hưởng"), f"{person.full_name} ({person.personal_id or '—'})"),
            (
                _("Kỳ chi trả"),
                _("Tháng %(month)s — xã %(commune)s (%(status)s)")
                % {
                    "month": f"{cycle.period:%m/%Y}",
                    "commune": cycle.commune.name,
                    "status": cycle.get_status_display(),
                },
            ),
            (_("Số tiền"), format_amount(payment.amount)),
            (_("Hình thức"), payment.get_method_display()),
            (_("Người nhận"), payment.receiver_name),
            (
                _("Kết quả đang ghi"),
                _result_text(
                    payment.status, payment.paid_on, payment.failure_reason, payment.reference
                ),
            ),
            (
                _("Người ghi"),
                full_name(payment.recorded_by) if payment.recorded_by_id else "—",
            ),
        ],
        button=_("Sửa kết quả"),
        back=back,
        token=_token(payment),
        tables=[
            Table(
                caption=_("Các lần sửa kết quả của khoản này"),
                header=[_("Lúc"), _("Người sửa"), _("Kết quả cũ"), _("Kết quả mới"), _("Lý do")],
                rows=corrections,
            )
        ],
        warnings=warnings,
        form=form,
        context={"cycle": cycle, "payment": payment},
    )

    def act(data: dict) -> str:
        before = recorded_result_label(payment)
        correction = correct_result(
            payment,
            status=data["ket_qua"],
            paid_on=data["ngay_chi_tra"],
            reference=data["ma_giao_dich"],
            reason=data["ly_do"],
            failure_reason=data["ly_do_khong_chi_tra"],
            actor=request.user,
        )
        done = _("Đã sửa kết quả của %(name)s (tháng %(month)s): %(old)s → %(new)s.") % {
            "name": person.full_name,
            "month": f"{cycle.period:%m/%Y}",
            "old": before,
            "new": result_label(
                correction.new_status, correction.new_paid_on, correction.new_failure_reason
            ),
        }
        if correction.new_status != Payment.Status.PAID:
            done += " " + _("Các tháng của khoản này được chi lại ở kỳ chi trả sau.")
        return done

    return confirm(
        request,
        confirmation,
        current=lambda: _token(
            Payment.objects.select_for_update().select_related("cycle").get(pk=payment.pk)
        ),
        act=act,
        stale=_(
            "Trang sửa kết quả đã cũ: kết quả của %(name)s đã thay đổi từ khi mở trang "
            "(bấm hai lần, hoặc người khác vừa sửa)."
        )
        % {"name": person.full_name},
        errors=(ResultError,),
    )
