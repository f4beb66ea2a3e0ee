"""Forms of the payment cycle pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Programme
from core.rules.money import AmountError, parse_amount
from core.rules.reasons import REASON_MAX_LENGTH, ReasonError, clean_reason
from core.widgets import DateField
from payments.models import Payment, RecoverySettlement
from payments.services.cashaccount import VOUCHER_MAX_LENGTH
from payments.services.corrections import FAILURE_REASON_MAX, unchanged_error
from payments.services.results import CASH_METHODS, is_same_result, paid_date_problem


class PaymentFilterForm(forms.Form):
    """The filters of a cycle's payments list."""

    q = forms.CharField(label=_("Họ tên hoặc CCCD"), required=False, max_length=100)
    method = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        choices=[("", _("Tất cả"))] + list(Payment.Method.choices),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + list(Payment.Status.choices),
    )
    programme = forms.ModelChoiceField(
        label=_("Chương trình"),
        required=False,
        queryset=Programme.objects.order_by("order", "code"),
        empty_label=_("Tất cả"),
    )


class ResultsUploadForm(forms.Form):
    """A bank's results file: the bank's copy of the bank file with its four result columns."""

    file = forms.FileField(label=_("Tệp kết quả của ngân hàng (.xlsx hoặc .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "Tệp lớn hơn giới hạn %(limit)s MB: không nhận. Tệp kết quả của một kỳ "
                    "chi trả nhỏ hơn nhiều; hãy kiểm tra lại tệp ngân hàng gửi."
                )
                % {"limit": limit}
            )
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(
                _(
                    "Chỉ nhận tệp Excel .xlsx (hoặc .csv ngân hàng xuất). Tệp .xls cũ: mở bằng "
                    "Excel và «Lưu thành» Excel Workbook (.xlsx)."
                )
            )
        return upload


class AmountField(forms.CharField):
    """Whole đồng typed as people write it (``1.080.000``, ``1080000 đ``), read by
    :func:`core.rules.money.parse_amount`; its message for anything else."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "maxlength": "30"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class HandoverForm(forms.Form):
    """The accountant's handover of a cycle's cash to the post office."""

    so_tien = AmountField(
        label=_("Số tiền giao (đồng)"),
        help_text=_("Bằng tổng danh sách chi tiền mặt và chi tại nhà, ví dụ 1.080.000."),
    )
    ngay = DateField(label=_("Ngày giao"))
    so_phieu = forms.CharField(label=_("Số phiếu chi/biên nhận"), max_length=VOUCHER_MAX_LENGTH)


class ReturnedCashForm(forms.Form):
    """The cash the post office brings back: the payments nobody collected."""

    so_tien = AmountField(
        label=_("Tiền mặt nộp lại (đồng)"),
        help_text=_("Tổng các khoản “Không nhận”; ghi 0 khi mọi người đã nhận."),
    )
    ngay = DateField(label=_("Ngày nộp lại"))


class CorrectionForm(forms.Form):
    """A recorded result corrected: the new result and the person's reason.

    What can be checked before the service runs is checked here, so that a
    mistake comes back with everything typed: a paid result needs its day (not
    after today, not before the cycle's month), a failed or uncollected one its
    reason, and the new result must differ from the one recorded.
    """

    ket_qua = forms.ChoiceField(label=_("Kết quả mới"))
    ngay_chi_tra = DateField(label=_("Ngày chi trả (khi đã chi trả)"), required=False)
    ma_giao_dich = forms.CharField(label=_("Mã giao dịch/chứng từ"), required=False, max_length=100)
    ly_do_khong_chi_tra = forms.CharField(
        label=_("Lý do không chi trả được (khi lỗi hoặc không nhận)"),
        required=False,
        max_length=FAILURE_REASON_MAX,
        help_text=_("Để trống: dùng lý do sửa."),
    )
    ly_do = forms.CharField(
        label=_("Lý do sửa (bắt buộc)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Hãy ghi lý do.")},
    )

    def __init__(self, *args, payment: Payment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.payment = payment
        not_paid = (
            Payment.Status.RETURNED if payment.method in CASH_METHODS else Payment.Status.FAILED
        )
        self.fields["ket_qua"].choices = [
            (status, Payment.Status(status).label) for status in (Payment.Status.PAID, not_paid)
        ]

    def clean_ly_do(self) -> str:
        try:
            return clean_reason(self.cleaned_data["ly_do"])
        except ReasonError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        status, day = data.get("ket_qua"), data.get("ngay_chi_tra")
        if status is None or "ly_do" not in data or self.errors:
            return data
        period = self.payment.cycle.period
        if status == Payment.Status.PAID:
            if day is None:
                self.add_error("ngay_chi_tra", _("Cần ngày chi trả."))
                return data
            problem = paid_date_problem(day, period)
            if problem:
                self.add_error("ngay_chi_tra", problem)
                return data
        reference = " ".join(data.get("ma_giao_dich", "").split())
        if is_same_result(
            self.payment,
            status=status,
            paid_on=day if status == Payment.Status.PAID else None,
            reference=reference,
        ):
            raise forms.ValidationError(str(unchanged_error(self.payment)))
        return data


class RecoveryDecisionForm(forms.Form):
    """The number and date of the decision to recover."""

    number = forms.CharField(label=_("Số quyết định thu hồi"), max_length=100)
    day = DateField(label=_("Ngày quyết định"))


class RecoverySettlementForm(forms.Form):
    """Cash repaid (with its receipt) or an amount waived (with its decision)."""

    kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=RecoverySettlement.Kind.choices,
        widget=forms.RadioSelect,
        initial=RecoverySettlement.Kind.REPAID,
    )
    amount = AmountField(label=_("Số tiền (đồng)"), help_text=_("Ví dụ 1.000.000."))
    on = DateField(label=_("Ngày nộp/ngày quyết định miễn"))
    document = forms.CharField(
        label=_("Số biên lai (nộp lại) hoặc số quyết định (miễn)"), max_length=100
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Số tiền phải lớn hơn 0 đồng."))
        return amount
