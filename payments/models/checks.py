"""Proving the money arrived: a sample of paid people asked, their answers, and cases.

A paid cycle gets one :class:`PaymentCheckSample` (drawn from a recorded seed,
so the same seed and cycle give the same people); each sampled payment gets a
:class:`PaymentCheck`. A person's own statement is a check without a sample.
"Not received" or "amount differs" opens a :class:`PaymentCase`, open until
the officer resolves it with a note. The rules are in :mod:`payments.checks`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PaymentCheckSample(models.Model):
    """The people of a paid cycle chosen to be asked whether the money arrived."""

    cycle = models.OneToOneField(
        "payments.PaymentCycle",
        verbose_name=_("kỳ chi trả"),
        on_delete=models.PROTECT,
        related_name="check_sample",
    )
    seed = models.PositiveBigIntegerField(_("hạt giống ngẫu nhiên"))
    share = models.PositiveSmallIntegerField(_("tỷ lệ chọn (%)"))
    minimum = models.PositiveIntegerField(_("số người tối thiểu"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người chọn mẫu"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("chọn lúc"))

    class Meta:
        verbose_name = _("mẫu kiểm tra chi trả")
        verbose_name_plural = _("mẫu kiểm tra chi trả")
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gte=1, share__lte=100), name="payment_check_sample_share_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.cycle)


class PaymentCheck(models.Model):
    """One question to one paid person: did the payment arrive, and how much."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Chưa hỏi")
        CONFIRMED = "confirmed", _("Đã nhận đủ")
        NOT_RECEIVED = "not_received", _("Chưa nhận được")
        AMOUNT_DIFFERS = "amount_differs", _("Số tiền khác")
        UNREACHABLE = "unreachable", _("Không liên lạc được")

    # The outcomes that open a case.
    CASE_OUTCOMES = (Outcome.NOT_RECEIVED, Outcome.AMOUNT_DIFFERS)

    sample = models.ForeignKey(
        PaymentCheckSample,
        verbose_name=_("mẫu kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
    )
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("khoản chi trả"),
        on_delete=models.PROTECT,
        related_name="checks",
    )
    person = models.ForeignKey(
        "beneficiaries.Person",
        verbose_name=_("người được hỏi"),
        on_delete=models.PROTECT,
        related_name="payment_checks",
    )
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    amount_stated = models.PositiveBigIntegerField(
        _("số tiền người đó nói đã nhận (đồng)"), null=True, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kiểm tra chi trả")
        verbose_name_plural = _("kiểm tra chi trả")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "payment"],
                condition=Q(sample__isnull=False),
                name="payment_check_once_per_sample",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=[
                        "pending",
                        "confirmed",
                        "not_received",
                        "amount_differs",
                        "unreachable",
                    ]
                ),
                name="payment_check_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="amount_differs") | Q(amount_stated__isnull=False),
                name="payment_check_amount_differs_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(recorded_at__isnull=False),
                name="payment_check_recorded_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_outcome_display()}"


class PaymentCase(models.Model):
    """A payment a person says did not arrive (or not in full): open until resolved."""

    class State(models.TextChoices):
        OPEN = "open", _("Đang xử lý")
        RESOLVED = "resolved", _("Đã giải quyết")

    class Source(models.TextChoices):
        CHECK = "check", _("Kiểm tra theo mẫu")
        STATEMENT = "statement", _("Người hưởng phản ánh")

    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("khoản chi trả"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    person = models.ForeignKey(
        "beneficiaries.Person",
        verbose_name=_("người phản ánh"),
        on_delete=models.PROTECT,
        related_name="payment_cases",
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    opened_from = models.OneToOneField(
        PaymentCheck,
        verbose_name=_("mở từ"),
        on_delete=models.PROTECT,
        related_name="case",
    )
    state = models.CharField(
        _("tình trạng"), max_length=20, choices=State.choices, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("mở lúc"))
    resolution = models.TextField(_("cách giải quyết"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("khiếu nại chưa nhận tiền")
        verbose_name_plural = _("khiếu nại chưa nhận tiền")
        ordering = ["opened_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "resolved"]), name="payment_case_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="open")
                | (Q(resolved_at__isnull=False) & Q(resolved_by__isnull=False) & ~Q(resolution="")),
                name="payment_case_resolved_has_note",
            ),
        ]
        indexes = [
            # The dashboard's and the report's "open cases of a commune".
            models.Index(
                fields=["payment"], condition=Q(state="open"), name="payment_case_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_state_display()}"
