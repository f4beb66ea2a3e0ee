"""Forms of the registration pages: they parse; the rules are in ``registration.services``."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import PaymentAccountForm
from accounts.models import Bank, PaymentAccount
from beneficiaries.models import Beneficiary, Category, Person, Representative, Village
from core.rules.accounts import AccountNumberError, normalize_account_number
from core.rules.names import fold_name
from core.widgets import DateField, MonthField
from registration.models import AccountOpeningRequest, OutreachActivity, PaymentMethodRegistration


class RepresentativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Representative) -> str:
        until = f" – {obj.valid_until:%d/%m/%Y}" if obj.valid_until else ""
        return (
            f"{obj.person.full_name} ({obj.get_kind_display()}"
            f"{', ' + obj.relationship if obj.relationship else ''}; "
            f"{obj.valid_from:%d/%m/%Y}{until})"
        )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PaymentAccount) -> str:
        return f"{obj.holder.full_name}: {obj.bank.short_name} {obj.number}"


class RegistrationForm(forms.Form):
    """One enrolment's method, receiver and account; a new account goes in ``NewAccountForm``."""

    method = forms.ChoiceField(
        label=_("Hình thức nhận"),
        choices=PaymentMethodRegistration.Method.choices,
        widget=forms.RadioSelect,
    )
    representative = RepresentativeChoiceField(
        label=_("Người nhận"),
        queryset=Representative.objects.none(),
        required=False,
        empty_label=_("Đối tượng tự nhận"),
    )
    account = AccountChoiceField(
        label=_("Tài khoản có sẵn"),
        queryset=PaymentAccount.objects.none(),
        required=False,
        empty_label=_("— Không chọn (hoặc thêm tài khoản mới bên dưới) —"),
        help_text=_("Chỉ tài khoản đứng tên đối tượng hoặc người nhận thay đã chọn."),
    )
    from_month = MonthField(label=_("Áp dụng từ tháng"))
    requested_on = DateField(label=_("Ngày đăng ký"))
    form_reference = forms.CharField(
        label=_("Số phiếu đăng ký đã ký"), max_length=100, required=False
    )

    def __init__(self, *args, beneficiary: Beneficiary, **kwargs):
        super().__init__(*args, **kwargs)
        person = beneficiary.person
        representatives = person.representatives.select_related("person").order_by("-valid_from")
        self.fields["representative"].queryset = representatives
        # The person's accounts and those of anyone who may receive for them, nobody else's.
        self.fields["account"].queryset = (
            PaymentAccount.objects.filter(
                Q(holder=person) | Q(holder__represents__represented=person), active=True
            )
            .select_related("holder", "bank")
            .distinct()
            .order_by("holder__sort_name", "bank__short_name", "number")
        )


class NewAccountForm(PaymentAccountForm):
    """The inline "add an account": the account form's checks, without its "active" box."""

    class Meta(PaymentAccountForm.Meta):
        fields = ["bank", "number", "holder_name", "opened_on"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "tk")
        super().__init__(*args, **kwargs)
        self.fields["bank"].required = False
        self.fields["number"].required = False

    def is_filled(self) -> bool:
        """Whether the officer typed a new account at all."""
        return bool(
            (self.data.get(self.add_prefix("bank")) or "").strip()
            or (self.data.get(self.add_prefix("number")) or "").strip()
        )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("bank") and not self.has_error("bank"):
            self.add_error("bank", _("Chọn ngân hàng của tài khoản mới."))
        if not data.get("number") and not self.has_error("number"):
            self.add_error("number", _("Nhập số tài khoản mới."))
        return data


class AccountRequestForm(forms.Form):
    """Who asks for an account and for which enrolment."""

    purpose = forms.ChoiceField(label=_("Nhận tiền vào tài khoản cho"))
    bank = forms.ModelChoiceField(
        label=_("Ngân hàng muốn mở (nếu đã chọn)"),
        queryset=Bank.objects.filter(active=True),
        required=False,
    )
    requested_on = DateField(label=_("Ngày đề nghị"))
    form_reference = forms.CharField(label=_("Số phiếu đăng ký"), max_length=100, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        live = ~Q(status=Beneficiary.Status.ENDED)
        own = person.enrolments.filter(live).select_related("programme")
        choices: list[tuple[str, str]] = [("", _("Mọi diện hưởng của chính người này"))]
        self._targets: dict[str, tuple[Beneficiary | None, Representative | None]] = {
            "": (None, None)
        }
        for enrolment in own:
            key = f"own-{enrolment.pk}"
            choices.append((key, _("Chính người này – %(p)s") % {"p": enrolment.programme}))
            self._targets[key] = (enrolment, None)
        for rep in person.represents.select_related("represented"):
            for enrolment in rep.represented.enrolments.filter(live).select_related("programme"):
                key = f"rep-{rep.pk}-{enrolment.pk}"
                choices.append(
                    (
                        key,
                        _("Nhận thay cho %(name)s – %(p)s")
                        % {"name": rep.represented.full_name, "p": enrolment.programme},
                    )
                )
                self._targets[key] = (enrolment, rep)
        self.fields["purpose"].choices = choices
        self.fields["purpose"].required = False

    def target(self) -> tuple[Beneficiary | None, Representative | None]:
        return self._targets[self.cleaned_data.get("purpose") or ""]


BANK_EMPTY_LABEL = _("— chọn ngân hàng —")
BANK_REQUIRED = _("Chọn ngân hàng giới thiệu người này đến.")


class ReferForm(forms.Form):
    bank = forms.ModelChoiceField(
        label=_("Ngân hàng"),
        queryset=Bank.objects.filter(active=True),
        empty_label=BANK_EMPTY_LABEL,
        error_messages={
            "required": BANK_REQUIRED,
            "invalid_choice": _("Ngân hàng đã chọn không có trong danh sách đang dùng."),
        },
    )
    referred_on = DateField(label=_("Ngày giới thiệu"))


class OpenedForm(forms.Form):
    number = forms.CharField(label=_("Số tài khoản / số ví"), max_length=40)
    holder_name = forms.CharField(
        label=_("Tên chủ tài khoản (theo ngân hàng)"),
        max_length=150,
        required=False,
        help_text=_("Để trống: lấy tên người mở tài khoản, chữ in hoa không dấu."),
    )
    opened_on = DateField(label=_("Ngày mở"))
    from_month = MonthField(
        label=_("Nhận vào tài khoản từ tháng"),
        help_text=_("Các diện hưởng đã đề nghị được đăng ký nhận qua tài khoản này từ tháng này."),
    )

    def __init__(self, *args, bank: Bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank = bank

    def clean_number(self) -> str:
        try:
            return normalize_account_number(
                self.cleaned_data["number"], ewallet=self.bank.kind == Bank.Kind.EWALLET
            )
        except AccountNumberError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_holder_name(self) -> str:
        return fold_name(self.cleaned_data.get("holder_name") or "")


class AbandonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do dừng"), max_length=300)
    abandoned_on = DateField(label=_("Ngày dừng"))


class PipelineFilterForm(forms.Form):
    """The pipeline's filters. Without a ``state`` in the query the page lists
    the open requests, and the form is bound with that default so the select
    shows what is listed; ``state=""`` ("Tất cả") lists every request."""

    STATE_OPEN = "open"
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("open", _("Đang mở (đã đề nghị, đã giới thiệu)")), ("", _("Tất cả"))]
        + list(AccountOpeningRequest.State.choices),
    )
    bank = forms.ModelChoiceField(
        label=_("Ngân hàng"), queryset=Bank.objects.all(), required=False, empty_label=_("Tất cả")
    )
    village = forms.ModelChoiceField(
        label=_("Thôn"), queryset=Village.objects.none(), required=False, empty_label=_("Tất cả")
    )

    def __init__(self, data, *args, communes, **kwargs):
        data = data.copy()
        if "state" not in data:
            data["state"] = self.STATE_OPEN
        super().__init__(data, *args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(commune__in=communes)


class OutreachForm(forms.ModelForm):
    class Meta:
        model = OutreachActivity
        fields = ["commune", "date", "channel", "audience", "people_reached", "village", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"date": DateField}

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = None
        self.fields["village"].queryset = Village.objects.filter(commune__in=communes)
        self.fields["people_reached"].widget.attrs["min"] = 1
        self.fields["people_reached"].validators.append(
            MinValueValidator(1, message=_("Số người được tiếp cận phải lớn hơn 0."))
        )
        # An activity stays in its commune; a one-commune officer never chooses one.
        if self.instance.pk or communes.count() == 1:
            if not self.instance.pk:
                self.initial["commune"] = communes.first().pk
            self.fields["commune"].disabled = True
            self.fields["commune"].widget = forms.HiddenInput()


class TransferForm(forms.Form):
    """A proposal to move a category's enrolments to another programme from a month."""

    commune = forms.ModelChoiceField(label=_("Xã"), queryset=None, empty_label=None)
    from_category = forms.ModelChoiceField(
        label=_("Từ diện"),
        queryset=Category.objects.select_related("programme"),
        to_field_name="code",
    )
    to_category = forms.ModelChoiceField(
        label=_("Sang diện"),
        queryset=Category.objects.select_related("programme"),
        to_field_name="code",
    )
    month = MonthField(label=_("Từ tháng"))

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        for name in ("from_category", "to_category"):
            self.fields[name].label_from_instance = lambda c: (
                f"{c.programme.short_name}: {c.short_name} ({c.code})"
            )
