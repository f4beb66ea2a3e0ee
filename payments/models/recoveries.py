"""Money paid that was not owed, and how it comes back (thu hồi).

A change recorded after months were paid — a death, an end back-dated, a lower
amount — leaves those months paid above what is owed. The difference becomes a
:class:`Recovery` owed by the person (after a death: by whoever received the
money), one :class:`RecoveryMonth` line per month. It is settled by
:class:`RecoveryDeduction` rows (taken from the same enrolment's next
payments), or by :class:`RecoverySettlement` rows (repaid in cash, or waived by
a decision). The rules are in :mod:`payments.services.recoveries`.

For every enrolment and month: the live lines paid − the recovery lines = what
is owed, to the đồng.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Recovery(models.Model):
    """An amount an enrolment was paid and is not owed, to be recovered."""

    class Cause(models.TextChoices):
        DEATH = "death", _("Chết sau các tháng đã chi trả")
        ENDED = "ended", _("Thôi hưởng từ tháng đã chi trả")
        AMOUNT = "amount", _("Mức hưởng giảm cho các tháng đã chi trả")

    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.PROTECT,
        related_name="recoveries",
    )
    cause = models.CharField(_("lý do thu hồi"), max_length=20, choices=Cause.choices)
    # The sum of its month lines; 0 once a later change made every month owed again.
    amount = models.PositiveBigIntegerField(_("số tiền phải thu hồi (đồng)"))
    # Who holds the money: the person, or after a death whoever received it.
    recover_from = models.CharField(_("thu hồi từ"), max_length=150)
    decision_number = models.CharField(_("số quyết định thu hồi"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    created_at = models.DateTimeField(_("phát hiện lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("khoản thu hồi")
        verbose_name_plural = _("khoản thu hồi")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cause__in=["death", "ended", "amount"]), name="recovery_cause_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.amount}"


class RecoveryMonth(models.Model):
    """One month of a recovery: how much of that month was paid and is not owed."""

    recovery = models.ForeignKey(
        Recovery, verbose_name=_("khoản thu hồi"), on_delete=models.CASCADE, related_name="months"
    )
    # Repeated from the recovery: "what is recognised for this enrolment and month".
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField(_("tháng"))
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("tháng thu hồi")
        verbose_name_plural = _("tháng thu hồi")
        ordering = ["recovery", "month"]
        constraints = [
            models.UniqueConstraint(fields=["recovery", "month"], name="recovery_month_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_month_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="recovery_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["beneficiary", "month"], name="recovery_month_benef_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.amount}"


class RecoveryDeduction(models.Model):
    """Part of a recovery taken from one of the enrolment's later payments.

    It counts while its payment does (pending, paid or settled): a failed or
    uncollected payment gives the amount back to the recovery, as it frees its
    months.
    """

    recovery = models.ForeignKey(
        Recovery,
        verbose_name=_("khoản thu hồi"),
        on_delete=models.PROTECT,
        related_name="deductions",
    )
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("khoản chi trả"),
        on_delete=models.CASCADE,
        related_name="deductions",
    )
    amount = models.PositiveBigIntegerField(_("số tiền khấu trừ (đồng)"))

    class Meta:
        verbose_name = _("khấu trừ thu hồi")
        verbose_name_plural = _("khấu trừ thu hồi")
        ordering = ["payment", "recovery"]
        constraints = [
            models.UniqueConstraint(
                fields=["recovery", "payment"], name="recovery_deduction_once_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_deduction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id} ← {self.payment_id}: {self.amount}"


class RecoverySettlement(models.Model):
    """Part of a recovery repaid in cash, or waived by a decision."""

    class Kind(models.TextChoices):
        REPAID = "repaid", _("Đã nộp lại")
        WAIVED = "waived", _("Miễn thu hồi theo quyết định")

    recovery = models.ForeignKey(
        Recovery,
        verbose_name=_("khoản thu hồi"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=Kind.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    on = models.DateField(_("ngày"))
    # The receipt of the cash repaid, or the decision that waives.
    document = models.CharField(_("số biên lai/quyết định"), max_length=100)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thu hồi bằng nộp lại/miễn")
        verbose_name_plural = _("thu hồi bằng nộp lại/miễn")
        ordering = ["recovery", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["repaid", "waived"]), name="recovery_settlement_kind_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_settlement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"
