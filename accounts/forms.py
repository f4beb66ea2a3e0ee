"""The form an officer records a payment account with.

The number is typed as the bank or the passbook prints it and stored as digits;
a holder name that differs from the person's is a warning, not a refusal (banks
print names their own way).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Bank, PaymentAccount
from accounts.services import account_taken
from core.rules.accounts import AccountNumberError, normalize_account_number
from core.rules.names import fold_name
from core.widgets import DateField


class PaymentAccountForm(forms.ModelForm):
    # Wider than the stored digits: officers type "3500 205 123 456".
    number = forms.CharField(label=_("Số tài khoản / số ví"), max_length=40)

    class Meta:
        model = PaymentAccount
        fields = ["bank", "number", "holder_name", "opened_on", "active"]
        field_classes = {"opened_on": DateField}

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder
        self.warnings: list[str] = []
        # An account being edited keeps its bank even if the bank is no longer offered.
        self.fields["bank"].queryset = Bank.objects.filter(
            Q(active=True) | Q(pk=self.instance.bank_id)
        )
        self.fields["holder_name"].required = False
        self.fields["holder_name"].help_text = _(
            "Như ngân hàng in (chữ in hoa, không dấu). Để trống: lấy tên người giữ tài khoản."
        )

    def clean(self) -> dict:
        data = super().clean()
        bank = data.get("bank")
        raw = data.get("number")
        if bank and raw:
            try:
                data["number"] = normalize_account_number(
                    raw, ewallet=bank.kind == Bank.Kind.EWALLET
                )
            except AccountNumberError as exc:
                self.add_error("number", exc.message)
            else:
                # The service's rule, on the number's field (an error there also keeps
                # the model's bare "already exists" off the form).
                taken = account_taken(bank, data["number"], exclude_pk=self.instance.pk)
                if taken:
                    self.add_error("number", taken)
        holder_name = fold_name(data.get("holder_name") or "") or self.holder.name_folded
        data["holder_name"] = holder_name
        if holder_name != self.holder.name_folded:
            self.warnings.append(
                str(
                    _(
                        "Tên chủ tài khoản theo ngân hàng (%(bank_name)s) khác họ tên của "
                        "người này (%(name)s) sau khi bỏ dấu: hãy đối chiếu lại với ngân hàng."
                    )
                    % {"bank_name": holder_name, "name": self.holder.full_name}
                )
            )
        return data

    def save(self, commit: bool = True) -> PaymentAccount:
        account = super().save(commit=False)
        account.holder = self.holder
        account.number = self.cleaned_data["number"]
        account.holder_name = self.cleaned_data["holder_name"]
        if commit:
            account.save()
        return account
