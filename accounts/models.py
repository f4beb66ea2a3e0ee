"""Banks and payment accounts.

Money is whole đồng in integer fields, never a float.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models import Person
from core.rules.names import fold_name


class Bank(models.Model):
    """A bank or e-wallet with its NAPAS/VietQR BIN (reference data, editable)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Ngân hàng")
        EWALLET = "e-wallet", _("Ví điện tử")
        FINANCE = "finance-company", _("Công ty tài chính")

    bin = models.CharField(_("mã BIN"), max_length=6, unique=True)
    code = models.CharField(_("mã VietQR"), max_length=20)
    short_name = models.CharField(_("tên viết tắt"), max_length=50)
    name = models.CharField(_("tên đầy đủ"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.BANK)
    synonyms = models.CharField(
        _("tên gọi khác"),
        max_length=500,
        blank=True,
        help_text=_("Cách các danh sách cũ ghi tên ngân hàng, cách nhau bằng dấu ;"),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngân hàng/ví điện tử")
        verbose_name_plural = _("ngân hàng/ví điện tử")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(condition=Q(bin__regex=r"^[0-9]{6}$"), name="bank_bin_6_digits"),
            models.CheckConstraint(
                condition=Q(kind__in=["bank", "e-wallet", "finance-company"]),
                name="bank_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class PaymentAccount(models.Model):
    """A bank account or e-wallet held by a person."""

    holder = models.ForeignKey(
        Person, verbose_name=_("chủ tài khoản"), on_delete=models.PROTECT, related_name="accounts"
    )
    bank = models.ForeignKey(
        Bank, verbose_name=_("ngân hàng"), on_delete=models.PROTECT, related_name="accounts"
    )
    number = models.CharField(_("số tài khoản"), max_length=19)
    holder_name = models.CharField(
        _("tên chủ tài khoản (theo ngân hàng)"),
        max_length=150,
        help_text=_("Như ngân hàng in: chữ in hoa, không dấu."),
    )
    opened_on = models.DateField(_("ngày mở"), null=True, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài khoản thanh toán")
        verbose_name_plural = _("tài khoản thanh toán")
        ordering = ["bank", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="account_unique_per_bank"),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{6,19}$"), name="account_number_digits"
            ),
        ]
        indexes = [
            # Registry search by account number, whatever the bank.
            models.Index(fields=["number"], name="account_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.number}"

    @property
    def holder_name_matches(self) -> bool:
        """Whether the bank's holder name is the holder's, after folding."""
        return fold_name(self.holder_name) == fold_name(self.holder.full_name)
