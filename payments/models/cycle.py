"""A commune's monthly payment cycle, its payments, and the months each pays.

The invariant "each beneficiary is paid for each owed month exactly once" is a
database constraint on :class:`PaymentMonth`: one live regular line per
beneficiary and month. A later top-up for the same month (a base level signed
after the month it applies from) is a separate ``top_up`` line; a failed or
uncollected payment turns its lines not live, so the months are owed again.

``Month`` is a calendar table (one row per month): the set-based queries that
open a cycle join it instead of generating series, so the same SQL runs on
PostgreSQL and SQLite.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registration.models import PaymentMethodRegistration


class Month(models.Model):
    """The first day of every month from 2000 to 2100 (filled by a migration)."""

    month = models.DateField(_("tháng"), primary_key=True)

    class Meta:
        verbose_name = _("tháng")
        verbose_name_plural = _("tháng")
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class PaymentCycle(models.Model):
    """One commune, one month: draft → approved → submitted → paid → closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPROVED = "approved", _("Đã phê duyệt")
        SUBMITTED = "submitted", _("Đã gửi")
        PAID = "paid", _("Đã chi trả")
        CLOSED = "closed", _("Đã khóa sổ")

    # Reached the paying office: from then on it (and the post office) sees the cycle.
    SENT_STATUSES = (Status.SUBMITTED, Status.PAID, Status.CLOSED)

    commune = models.ForeignKey(
        "beneficiaries.Commune",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="payment_cycles",
    )
    period = models.DateField(_("kỳ (tháng)"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("hạn gửi"))
    # Figures of the last build: the cycle's total equals its files to the đồng.
    payment_count = models.PositiveIntegerField(_("số người"), default=0)
    total_amount = models.PositiveBigIntegerField(_("tổng tiền (đồng)"), default=0)
    # Taken from the payments for recoveries: the months' total less this is sent.
    deducted_amount = models.PositiveBigIntegerField(_("khấu trừ thu hồi (đồng)"), default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("lập lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_late = models.BooleanField(_("gửi muộn"), default=False)
    paid_at = models.DateTimeField(_("chi trả xong lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người khóa sổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("khóa sổ lúc"), null=True, blank=True)
    # The reason of a step taken back (a withdrawn approval) is the leader's own text.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("kỳ chi trả")
        verbose_name_plural = _("kỳ chi trả")
        ordering = ["commune", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "period"], name="payment_cycle_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="payment_cycle_period_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "approved", "submitted", "paid", "closed"]),
                name="payment_cycle_status_valid",
            ),
            # The leader who approves is not the officer who prepared.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(prepared_by__isnull=True)
                | ~Q(approved_by=F("prepared_by")),
                name="payment_cycle_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_by__isnull=False),
                name="payment_cycle_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} — {self.period:%m/%Y}"


class PaymentQuerySet(models.QuerySet):
    def to_send(self) -> PaymentQuerySet:
        """The payments that send money: every one but those a recovery took whole
        (settled, amount 0). The bank files, the cash lists, the post office's
        page and the files' reconciliation read only these."""
        return self.exclude(status=Payment.Status.SETTLED)


class Payment(models.Model):
    """One beneficiary (enrolment) in one cycle: how much, how, to whom.

    Method, receiver and account are a snapshot of the current registration
    when the cycle was built, so a later change does not rewrite a list that
    was approved.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ chi trả")
        PAID = "paid", _("Đã chi trả")
        FAILED = "failed", _("Chuyển khoản lỗi")
        RETURNED = "returned", _("Không nhận (tiền mặt)")
        # Every đồng owed this month went to a recovery: nothing is sent.
        SETTLED = "settled", _("Cấn trừ thu hồi hết")

    # A payment is made the way its registration in force says: the same methods.
    Method = PaymentMethodRegistration.Method

    cycle = models.ForeignKey(
        PaymentCycle,
        verbose_name=_("kỳ chi trả"),
        on_delete=models.CASCADE,
        related_name="payments",
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    # What is sent: the month lines less the deductions for recoveries.
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    deducted = models.PositiveBigIntegerField(_("khấu trừ thu hồi (đồng)"), default=0)
    method = models.CharField(_("hình thức"), max_length=20, choices=Method.choices)
    representative = models.ForeignKey(
        "beneficiaries.Representative",
        verbose_name=_("người nhận thay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    receiver_name = models.CharField(_("người nhận"), max_length=150)
    account = models.ForeignKey(
        "accounts.PaymentAccount",
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    # A snapshot of the account's bank: the account's own key guards it.
    bank = models.ForeignKey(
        "accounts.Bank",
        verbose_name=_("ngân hàng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
        db_constraint=False,
    )
    account_number = models.CharField(_("số tài khoản"), max_length=19, blank=True)
    account_holder_name = models.CharField(_("tên chủ tài khoản"), max_length=150, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    reference = models.CharField(_("mã giao dịch/chứng từ"), max_length=100, blank=True)
    failure_reason = models.CharField(_("lý do không chi trả được"), max_length=300, blank=True)
    paid_on = models.DateField(_("ngày chi trả"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # A cycle writes one history row per payment: only the lookup by payment is indexed.
    history = HistoricalRecords(
        no_db_index=["cycle", "beneficiary", "representative", "account", "bank", "recorded_by"]
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoản chi trả")
        verbose_name_plural = _("khoản chi trả")
        ordering = ["cycle", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "beneficiary"], name="payment_once_per_cycle"),
            # Nothing to send only when a recovery took it all (settled).
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & ~Q(status="settled"))
                | (Q(amount=0) & Q(status="settled") & Q(deducted__gt=0)),
                name="payment_amount_positive_or_settled",
            ),
            models.CheckConstraint(
                condition=Q(method__in=["account", "cash", "home"]),
                name="payment_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "failed", "returned", "settled"]),
                name="payment_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(method="account")
                    & Q(account__isnull=False)
                    & Q(bank__isnull=False)
                    & ~Q(account_number="")
                )
                | (~Q(method="account") & Q(account__isnull=True) & Q(account_number="")),
                name="payment_account_iff_account_method",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="payment_paid_has_date",
            ),
        ]
        indexes = [
            # Reconciliation and the files: a cycle's payments by method and status.
            models.Index(fields=["cycle", "method", "status"], name="payment_cycle_method_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.amount} ({self.cycle})"

    @property
    def owed(self) -> int:
        """The months' total: what is sent plus what recoveries took."""
        return self.amount + self.deducted


class PaymentMonth(models.Model):
    """One month a payment covers: the month itself, or arrears."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Tháng hưởng")
        TOP_UP = "top_up", _("Truy lĩnh chênh lệch")

    # Served by "payment_month_once_per_payment" (payment, month, kind).
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("khoản chi trả"),
        on_delete=models.CASCADE,
        related_name="months",
        db_index=False,
    )
    # Repeated from the payment so that the constraint can see it; the payment's
    # own key guards it, and "payment_month_beneficiary_idx" serves lookups.
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.PROTECT,
        related_name="paid_months",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField(_("tháng"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # False once the payment failed or was not collected: the month is owed again.
    live = models.BooleanField(_("còn hiệu lực"), default=True)

    class Meta:
        verbose_name = _("tháng được chi trả")
        verbose_name_plural = _("tháng được chi trả")
        ordering = ["payment", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "month"],
                condition=Q(live=True, kind="regular"),
                name="payment_month_paid_once",
            ),
            models.UniqueConstraint(
                fields=["payment", "month", "kind"], name="payment_month_once_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_month_amount_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="payment_month_first_of_month"),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "top_up"]), name="payment_month_kind_valid"
            ),
        ]
        indexes = [
            # "What has been paid for this beneficiary and month" when a cycle is built.
            models.Index(fields=["beneficiary", "month"], name="payment_month_beneficiary_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.month:%m/%Y}: {self.amount}"
