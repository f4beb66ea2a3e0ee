"""How each beneficiary wants to be paid, the accounts being opened, and outreach."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Bank, PaymentAccount
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Representative,
    Village,
)


class RegistrationQuerySet(models.QuerySet):
    """Registrations, and the one rule for which of them is in force in a month.

    The registration in force for an enrolment in a month is the latest one
    starting on or before that month. It is what the month's payment cycle pays
    by (its SQL says the same; a test holds the two to agree), what the
    registration lists and the monthly report show, and what the registry
    pages and export show for this month. The *current* registration
    (``is_current``) is the latest choice, which may start later: the one a new
    choice replaces.
    """

    def in_force_for(self, enrolment, month: datetime.date) -> RegistrationQuerySet:
        """The registration of ``enrolment`` in force in ``month``: no row or one.

        ``enrolment`` is an enrolment, its primary key or an expression such as
        ``OuterRef("pk")``: as ``Subquery(in_force_for(OuterRef("pk"), month)
        .values("method"))`` it annotates each enrolment of a query with what it
        is paid by in the month.
        """
        return self.filter(beneficiary=enrolment, from_month__lte=month).order_by("-from_month")[:1]

    def in_force(self, month: datetime.date) -> RegistrationQuerySet:
        """The registrations in force in ``month``: at most one per enrolment."""
        latest = self.model.objects.in_force_for(OuterRef("beneficiary_id"), month)
        return self.filter(pk=Subquery(latest.values("pk")))

    def with_in_force(self, month: datetime.date) -> RegistrationQuerySet:
        """Each registration with ``in_force``: whether it is its enrolment's one in ``month``."""
        latest = self.model.objects.in_force_for(OuterRef("beneficiary_id"), month)
        return self.annotate(
            in_force=ExpressionWrapper(
                Q(pk=Subquery(latest.values("pk"))), output_field=models.BooleanField()
            )
        )


class PaymentMethodRegistration(models.Model):
    """A beneficiary's choice of payment method from a month on.

    Earlier choices are kept; exactly one per beneficiary is current
    (a partial unique constraint, not only a Python check): the latest. Which
    one is *in force* in a month is :meth:`RegistrationQuerySet.in_force`.
    """

    class Method(models.TextChoices):
        ACCOUNT = "account", _("Qua tài khoản")
        CASH = "cash", _("Tiền mặt tại điểm chi trả")
        HOME = "home", _("Tiền mặt tại nhà")

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    from_month = models.DateField(_("từ tháng"))
    method = models.CharField(_("hình thức nhận"), max_length=20, choices=Method.choices)
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("người nhận thay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        help_text=_("Để trống khi đối tượng tự nhận."),
    )
    account = models.ForeignKey(
        PaymentAccount,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    requested_on = models.DateField(_("ngày đăng ký"))
    form_reference = models.CharField(_("số phiếu đăng ký"), max_length=100, blank=True)
    is_current = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký hình thức nhận")
        verbose_name_plural = _("đăng ký hình thức nhận")
        ordering = ["beneficiary", "-from_month"]
        constraints = [
            # Serves "the current registration of each beneficiary" on every list.
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(is_current=True),
                name="registration_one_current_per_beneficiary",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "from_month"], name="registration_once_per_month"
            ),
            models.CheckConstraint(
                condition=(Q(method="account") & Q(account__isnull=False))
                | (~Q(method="account") & Q(account__isnull=True)),
                name="registration_account_iff_account_method",
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1), name="registration_from_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["account", "cash", "home"]),
                name="registration_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary}: {self.get_method_display()} từ {self.from_month:%m/%Y}"

    @property
    def receiver(self):
        """The person who receives the money: the representative, or the beneficiary."""
        return self.representative.person if self.representative_id else self.beneficiary.person


class AccountOpeningRequest(models.Model):
    """Helping someone without an account to open one, from the request to the bank.

    requested → referred (to a bank, with the date) → opened (the account is
    recorded and the enrolments that asked are registered on it) or abandoned
    (with a reason). States change only through ``registration.services``.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Đã đề nghị")
        REFERRED = "referred", _("Đã giới thiệu đến ngân hàng")
        OPENED = "opened", _("Đã mở tài khoản")
        ABANDONED = "abandoned", _("Dừng, không mở")

    OPEN_STATES = (State.REQUESTED, State.REFERRED)

    person = models.ForeignKey(
        Person,
        verbose_name=_("người mở tài khoản"),
        on_delete=models.PROTECT,
        related_name="account_requests",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("diện hưởng nhận vào tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_requests",
        help_text=_("Để trống: mọi diện hưởng còn hiệu lực của chính người mở tài khoản."),
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("nhận thay với tư cách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_requests",
    )
    bank = models.ForeignKey(
        Bank,
        verbose_name=_("ngân hàng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_requests",
    )
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    requested_on = models.DateField(_("ngày đề nghị"))
    form_reference = models.CharField(_("số phiếu đăng ký"), max_length=100, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi đề nghị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referred_on = models.DateField(_("ngày giới thiệu"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giới thiệu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_on = models.DateField(_("ngày mở"), null=True, blank=True)
    account = models.ForeignKey(
        PaymentAccount,
        verbose_name=_("tài khoản đã mở"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opening_requests",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi đã mở"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    abandoned_on = models.DateField(_("ngày dừng"), null=True, blank=True)
    abandon_reason = models.CharField(_("lý do dừng"), max_length=300, blank=True)
    abandoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi dừng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đề nghị mở tài khoản")
        verbose_name_plural = _("đề nghị mở tài khoản")
        ordering = ["requested_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["requested", "referred", "opened", "abandoned"]),
                name="account_request_state_valid",
            ),
            # Serves the pipeline's "open requests" and refuses a second open one.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=["requested", "referred"]),
                name="account_request_one_open_per_person",
            ),
            # Referred and opened requests name their bank and the referral date.
            models.CheckConstraint(
                condition=Q(state__in=["requested", "abandoned"])
                | (Q(bank__isnull=False) & Q(referred_on__isnull=False)),
                name="account_request_referred_has_bank_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="requested") | Q(referred_on__isnull=True),
                name="account_request_requested_not_referred",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="opened") & Q(account__isnull=False) & Q(opened_on__isnull=False)
                )
                | (~Q(state="opened") & Q(account__isnull=True) & Q(opened_on__isnull=True)),
                name="account_request_opened_iff_account",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="abandoned") & Q(abandoned_on__isnull=False) & ~Q(abandon_reason="")
                )
                | (~Q(state="abandoned") & Q(abandoned_on__isnull=True)),
                name="account_request_abandoned_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(referred_on__isnull=True) | Q(referred_on__gte=F("requested_on")),
                name="account_request_referred_after_request",
            ),
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True) | Q(opened_on__gte=F("referred_on")),
                name="account_request_opened_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(abandoned_on__isnull=True) | Q(abandoned_on__gte=F("requested_on")),
                name="account_request_abandoned_after_request",
            ),
            # A representative opens an account to receive for one named enrolment.
            models.CheckConstraint(
                condition=Q(representative__isnull=True) | Q(beneficiary__isnull=False),
                name="account_request_representative_names_enrolment",
            ),
        ]
        indexes = [
            # The pipeline page: a state's requests by bank.
            models.Index(fields=["state", "bank"], name="account_request_state_bank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def age_days(self, today: datetime.date) -> int | None:
        """Days waiting in the current step: since referred, or since requested."""
        if self.state == self.State.REFERRED:
            return (today - self.referred_on).days
        if self.state == self.State.REQUESTED:
            return (today - self.requested_on).days
        return None


class OutreachActivity(models.Model):
    """One communication activity of the commune's plan (loudspeaker, meeting, …)."""

    class Channel(models.TextChoices):
        LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh")
        WEBSITE = "website", _("Trang thông tin điện tử")
        MEETING = "meeting", _("Họp thôn/hội nghị")
        HOME_VISIT = "home_visit", _("Đến tận nhà")

    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="outreach"
    )
    date = models.DateField(_("ngày"))
    channel = models.CharField(_("hình thức"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("đối tượng tuyên truyền"), max_length=200)
    people_reached = models.PositiveIntegerField(_("số người được tiếp cận"))
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach",
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hoạt động truyền thông")
        verbose_name_plural = _("hoạt động truyền thông")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["loudspeaker", "website", "meeting", "home_visit"]),
                name="outreach_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(people_reached__gt=0), name="outreach_people_reached_positive"
            ),
        ]
        indexes = [
            # The outreach page: a commune's activities, newest first.
            models.Index(fields=["commune", "-date"], name="outreach_commune_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.date:%d/%m/%Y}"


# The word the registry's spreadsheet uses for each method (the import reads it back).
METHOD_WORDS = {
    PaymentMethodRegistration.Method.ACCOUNT: "Tài khoản",
    PaymentMethodRegistration.Method.CASH: "Tiền mặt",
    PaymentMethodRegistration.Method.HOME: "Tại nhà",
}


class ProgrammeTransfer(models.Model):
    """A proposal to move, from a month on, the enrolments of one category of a
    commune into a category of another programme (BTXH_K5C → HTXH_75), approved
    by the leader (``registration.transfers``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        CANCELLED = "cancelled", _("Đã hủy")

    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_category = models.ForeignKey(
        Category, verbose_name=_("từ diện"), on_delete=models.PROTECT, related_name="+"
    )
    to_category = models.ForeignKey(
        Category, verbose_name=_("sang diện"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("từ tháng"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề xuất"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("đề xuất lúc"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đề xuất chuyển chương trình")
        verbose_name_plural = _("đề xuất chuyển chương trình")
        ordering = ["-month", "-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "cancelled"]),
                name="transfer_status_valid",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="transfer_month_first_of_month"),
            models.CheckConstraint(
                condition=~Q(from_category=F("to_category")), name="transfer_changes_category"
            ),
            # One proposal waiting per commune, category and month (a double click).
            models.UniqueConstraint(
                fields=["commune", "from_category", "month"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_category_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_category} → {self.to_category} từ {self.month:%m/%Y}"


class ProgrammeTransferLine(models.Model):
    """One enrolment of a proposal: moving (with its amounts) or left out (with why)."""

    transfer = models.ForeignKey(
        ProgrammeTransfer,
        verbose_name=_("đề xuất"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    enrolment = models.ForeignKey(
        Beneficiary,
        verbose_name=_("diện đang hưởng"),
        on_delete=models.PROTECT,
        related_name="transfer_lines",
    )
    moves = models.BooleanField(_("được chuyển"))
    reason = models.CharField(_("lý do không chuyển"), max_length=300, blank=True)
    amount_before = models.PositiveBigIntegerField(_("mức cũ (đồng)"), null=True, blank=True)
    amount_after = models.PositiveBigIntegerField(_("mức mới (đồng)"), null=True, blank=True)
    new_enrolment = models.OneToOneField(
        Beneficiary,
        verbose_name=_("diện mới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_from",
    )

    class Meta:
        verbose_name = _("dòng đề xuất chuyển chương trình")
        verbose_name_plural = _("dòng đề xuất chuyển chương trình")
        ordering = ["transfer", "-moves", "enrolment__person__sort_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "enrolment"], name="transfer_line_once_per_enrolment"
            ),
            models.CheckConstraint(
                condition=Q(moves=True) | Q(new_enrolment__isnull=True),
                name="transfer_line_left_out_has_no_new_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer}: {self.enrolment}"
