"""Base levels and the amounts people are owed from a month on.

Money is whole đồng in integer fields, never a float.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models import Beneficiary, Programme


class AllowanceRate(models.Model):
    """A programme's base level (mức chuẩn) from the month it applies."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="rates"
    )
    amount = models.PositiveBigIntegerField(_("mức chuẩn (đồng)"))
    applies_from = models.DateField(_("áp dụng từ tháng"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    verified = models.BooleanField(
        _("đã kiểm chứng"),
        default=False,
        help_text=_("Mức chưa kiểm chứng phải được đối chiếu văn bản trước khi dùng."),
    )
    # Where an unverified figure comes from ("reported by national press …").
    source_note = models.CharField(_("nguồn của mức chuẩn"), max_length=300, blank=True)
    # Who confirmed the level through the base-level page or command (None with
    # a moment: the command, run as the system); the shipped data no longer
    # overwrites a level a person confirmed.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức chuẩn")
        verbose_name_plural = _("mức chuẩn")
        ordering = ["programme", "-applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "applies_from"], name="rate_once_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="rate_amount_positive"),
            models.CheckConstraint(
                condition=Q(applies_from__day=1), name="rate_from_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.amount} từ {self.applies_from:%m/%Y}"


class Entitlement(models.Model):
    """A beneficiary's monthly amount from a month on.

    NCC amounts are fixed figures from the decision; coefficient-based ones
    keep the coefficient so that a new base level re-rates them.
    """

    class Basis(models.TextChoices):
        FIXED = "fixed", _("Số tiền theo quyết định")
        COEFFICIENT = "coefficient", _("Mức chuẩn × hệ số")

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.CASCADE,
        related_name="entitlements",
    )
    from_month = models.DateField(_("từ tháng"))
    basis = models.CharField(_("cách tính"), max_length=20, choices=Basis.choices)
    coefficient = models.DecimalField(
        _("hệ số"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(_("số tiền hằng tháng (đồng)"))
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức hưởng")
        verbose_name_plural = _("mức hưởng")
        ordering = ["beneficiary", "-from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "from_month"], name="entitlement_once_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="entitlement_amount_positive"),
            models.CheckConstraint(
                condition=Q(from_month__day=1), name="entitlement_from_first_of_month"
            ),
            models.CheckConstraint(
                condition=(Q(basis="fixed") & Q(coefficient__isnull=True))
                # isnull=False spelled out: a CHECK lets NULL > 0 (unknown) pass.
                | (Q(basis="coefficient") & Q(coefficient__isnull=False) & Q(coefficient__gt=0)),
                name="entitlement_coefficient_matches_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary}: {self.amount} từ {self.from_month:%m/%Y}"
