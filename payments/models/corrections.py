"""A recorded result corrected: what it was, what it became, who, when and why.

A payment's result (paid, failed, not collected) changes once recorded only
through a correction (:func:`payments.services.corrections.correct_result`, or
a bank's results file that says otherwise, whose rows carry the file's name as
their reason). Each correction keeps the result it replaced, so the payment's
whole story reads from its corrections.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.rules.reasons import REASON_MAX_LENGTH

# The results a correction goes from and to: never back to pending, never settled.
_RECORDED = ["paid", "failed", "returned"]


class ResultCorrection(models.Model):
    """One recorded result of a payment replaced by another."""

    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("khoản chi trả"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    old_status = models.CharField(_("kết quả cũ"), max_length=20)
    old_paid_on = models.DateField(_("ngày chi trả cũ"), null=True, blank=True)
    old_reference = models.CharField(_("mã giao dịch cũ"), max_length=100, blank=True)
    old_failure_reason = models.CharField(
        _("lý do không chi trả được (cũ)"), max_length=300, blank=True
    )
    new_status = models.CharField(_("kết quả mới"), max_length=20)
    new_paid_on = models.DateField(_("ngày chi trả mới"), null=True, blank=True)
    new_reference = models.CharField(_("mã giao dịch mới"), max_length=100, blank=True)
    new_failure_reason = models.CharField(
        _("lý do không chi trả được (mới)"), max_length=300, blank=True
    )
    # The person's own words (or "Tệp kết quả <file>" for a bank's results file).
    reason = models.TextField(_("lý do sửa"), max_length=REASON_MAX_LENGTH)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người sửa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("sửa lúc"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sửa kết quả chi trả")
        verbose_name_plural = _("sửa kết quả chi trả")
        ordering = ["payment", "corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(old_status__in=_RECORDED) & Q(new_status__in=_RECORDED),
                name="result_correction_statuses_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(new_status="paid") | Q(new_paid_on__isnull=False),
                name="result_correction_paid_has_date",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="result_correction_has_reason"),
            # A correction changes something: the state, or a paid one's day, or the reference.
            models.CheckConstraint(
                condition=~Q(old_status=F("new_status"))
                | ~Q(old_reference=F("new_reference"))
                | (Q(new_status="paid") & ~Q(old_paid_on=F("new_paid_on"))),
                name="result_correction_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.old_status} → {self.new_status}"
