"""What is paid: programmes, their settings by period (offices, deadline day), categories."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models.places import Commune


class ProgrammeQuerySet(models.QuerySet):
    def running_in(self, month: datetime.date) -> ProgrammeQuerySet:
        """The programmes that exist in ``month`` (no first month, or it is not later)."""
        return self.filter(Q(starts_from__isnull=True) | Q(starts_from__lte=month))


class Programme(models.Model):
    """A monthly allowance programme (NCC, BTXH, trợ cấp hưu trí xã hội, …)."""

    class AmountMode(models.TextChoices):
        FIXED = "fixed", _("Số tiền cố định theo quyết định")
        COEFFICIENT = "coefficient", _("Mức chuẩn × hệ số")

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=50)
    amount_mode = models.CharField(_("cách tính mức"), max_length=20, choices=AmountMode.choices)
    synonyms = models.CharField(
        _("tên gọi khác"),
        max_length=500,
        blank=True,
        help_text=_("Cách các danh sách cũ ghi tên chương trình, cách nhau bằng dấu ;"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # Cash not collected this many months in a row suspends the allowance
    # (BTXH: Nghị định 20/2021/NĐ-CP); empty: never suspended for that.
    suspend_after_uncollected = models.PositiveSmallIntegerField(
        _("tạm dừng sau số tháng không nhận"), null=True, blank=True
    )
    # The first month the programme pays (hưu trí xã hội: 07/2025). Before it the
    # programme has no list, report line, reminder, cycle line nor enrolment.
    starts_from = models.DateField(
        _("có từ tháng"),
        null=True,
        blank=True,
        help_text=_("Để trống khi chương trình đã có từ trước khi dùng phần mềm."),
    )
    history = HistoricalRecords()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_from__isnull=True) | Q(starts_from__day=1),
                name="programme_starts_on_first_of_month",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def runs_in(self, month: datetime.date) -> bool:
        """Whether the programme exists in ``month`` (see :attr:`starts_from`)."""
        return self.starts_from is None or self.starts_from <= month

    def setting_on(
        self, day: datetime.date, commune: Commune | None = None
    ) -> ProgrammeSetting | None:
        """The office, authority, agency and deadline in force on ``day``.

        A commune-specific row wins over the province-wide default of the same
        period; among rows of one kind the latest ``valid_from`` not after
        ``day`` applies.
        """
        rows = self.settings.filter(valid_from__lte=day).filter(
            Q(commune=commune) | Q(commune__isnull=True) if commune else Q(commune__isnull=True)
        )
        return choose_setting(
            rows, programme_id=self.pk, commune_id=commune.pk if commune else None, day=day
        )


def choose_setting(rows, *, programme_id: int, commune_id: int | None, day: datetime.date):
    """Among setting rows (any objects with programme_id, commune_id, valid_from,
    valid_until), the one in force on ``day`` for the commune: its own row wins
    over the province-wide default; among rows of one kind the latest
    ``valid_from``. Pure, so that pages answering many deadlines can load the
    rows once (``beneficiaries.deadlines.DeadlineBook``)."""
    own = default = None
    for row in rows:
        if row.programme_id != programme_id or row.valid_from > day:
            continue
        if row.valid_until is not None and row.valid_until < day:
            continue
        if commune_id is not None and row.commune_id == commune_id:
            if own is None or row.valid_from > own.valid_from:
                own = row
        elif row.commune_id is None and (default is None or row.valid_from > default.valid_from):
            default = row
    return own or default


class ProgrammeSetting(models.Model):
    """Who receives a programme's lists, decides and pays, and by which day, from a date on."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("chương trình"), on_delete=models.CASCADE, related_name="settings"
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã (để trống: áp dụng chung)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="programme_settings",
    )
    valid_from = models.DateField(_("áp dụng từ"))
    valid_until = models.DateField(_("áp dụng đến"), null=True, blank=True)
    receiving_office = models.CharField(_("cơ quan nhận danh sách"), max_length=200)
    deciding_authority = models.CharField(_("cơ quan quyết định"), max_length=200)
    payment_agency = models.CharField(_("tổ chức chi trả"), max_length=200)
    deadline_day = models.PositiveSmallIntegerField(_("hạn gửi (ngày trong tháng)"), default=5)
    source = models.CharField(
        _("căn cứ/nguồn"),
        max_length=500,
        blank=True,
        help_text=_("Văn bản hoặc nguồn công bố cho biết cơ quan nào nhận, quyết định và chi trả."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cấu hình chương trình theo thời kỳ")
        verbose_name_plural = _("cấu hình chương trình theo thời kỳ")
        ordering = ["programme", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_day__gte=1, deadline_day__lte=28),
                name="programme_setting_deadline_day_1_28",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="programme_setting_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["programme", "commune", "valid_from"],
                name="programme_setting_once_per_start",
            ),
            # NULL commune rows are not unique to the database: this covers the default.
            models.UniqueConstraint(
                fields=["programme", "valid_from"],
                condition=Q(commune__isnull=True),
                name="programme_setting_default_once_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} từ {self.valid_from:%d/%m/%Y}"


class ProgrammeAccess(models.Model):
    """A programme a user of the paying office is limited to.

    A user with no row sees every programme (a commune's own staff, and the
    offices that pay everything); a user with rows sees only those programmes'
    enrolments, payments and files: the provincial Sở Nội vụ pays NCC, the
    Sở Y tế BTXH and HTXH. Applied by ``beneficiaries.access.programme_ids_for``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="programme_access",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.CASCADE,
        related_name="user_access",
    )

    class Meta:
        verbose_name = _("chương trình được xem")
        verbose_name_plural = _("chương trình được xem (để trống: mọi chương trình)")
        ordering = ["programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"], name="programme_access_once_per_user"
            ),
        ]

    def __str__(self) -> str:
        return str(self.programme)


#: What ``Category.requires`` may list: the age bounds, and the kinds of
#: ``EnrolmentCondition`` (declared with a document).
REQUIREMENTS = ("age", "no_pension", "poor_household")


class Category(models.Model):
    """A beneficiary category (diện đối tượng) of a programme."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="categories",
    )
    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên diện"), max_length=300)
    short_name = models.CharField(_("tên ngắn"), max_length=150)
    coefficient = models.DecimalField(
        _("hệ số"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    # Age bounds of the category, in whole years (from the legal text: "từ đủ
    # 60 đến dưới 80 tuổi" is 60 and 80). A year-only birth date near a bound
    # leaves the category, and so the amount, undecided: data quality says so.
    age_from = models.PositiveSmallIntegerField(_("từ đủ (tuổi)"), null=True, blank=True)
    age_below = models.PositiveSmallIntegerField(_("dưới (tuổi)"), null=True, blank=True)
    # What an enrolment in the category must show at its start month, checked by
    # beneficiaries.services.enrolment_problem: "age" (the bounds above, refused
    # when not met) and the declared conditions (EnrolmentCondition.Kind), ";"-separated.
    requires = models.CharField(
        _("điều kiện phải có khi xét hưởng"),
        max_length=200,
        blank=True,
        help_text=_(
            "Cách nhau bằng dấu ;  age: đúng độ tuổi; no_pension: không hưởng lương hưu "
            "hoặc trợ cấp BHXH hằng tháng; poor_household: thuộc hộ nghèo/cận nghèo."
        ),
    )
    # Categories a person may not hold in the same month (BTXH_K5C and the
    # hưu trí xã hội categories); symmetrical.
    excludes = models.ManyToManyField(
        "self",
        verbose_name=_("không được hưởng cùng tháng với"),
        symmetrical=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diện đối tượng")
        verbose_name_plural = _("diện đối tượng")
        ordering = ["programme", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coefficient__isnull=True) | Q(coefficient__gt=0),
                name="category_coefficient_positive",
            ),
            models.CheckConstraint(
                condition=Q(age_from__isnull=True)
                | Q(age_below__isnull=True)
                | Q(age_below__gt=models.F("age_from")),
                name="category_age_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        unknown = [kind for kind in self.required if kind not in REQUIREMENTS]
        if unknown:
            raise ValidationError(
                {
                    "requires": _(
                        "Điều kiện không có trong danh mục: %(kinds)s (chỉ dùng %(known)s)."
                    )
                    % {"kinds": ", ".join(unknown), "known": "; ".join(REQUIREMENTS)}
                }
            )

    @property
    def required(self) -> tuple[str, ...]:
        """The kinds in :attr:`requires`, in order."""
        return tuple(part.strip() for part in self.requires.split(";") if part.strip())

    @property
    def age_bounds(self) -> tuple[int, ...]:
        return tuple(b for b in (self.age_from, self.age_below) if b is not None)
