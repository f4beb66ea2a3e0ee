"""The registry's people: persons, their enrolments and the representatives who receive for them.

Everything that names an office, a deadline or a programme is data with
history (the 2025 reforms moved all of them); nothing here is a constant.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models.places import Commune, Village
from beneficiaries.models.programmes import Category, Programme
from core.rules.names import fold_name, normalize_name


def person_sort_name(name_folded: str) -> str:
    """Given name first, then the full name: "HANG NGUYEN THI HANG"."""
    words = name_folded.split()
    return f"{words[-1]} {name_folded}" if words else ""


def birth_year_of(birth_date: datetime.date | None, birth_year: int | None) -> int:
    """The birth year a person's record holds: a full birth date's year (a typed
    year must agree with it), else the year typed alone. Every form that edits a
    person (the desk's, the admin's) goes through ``Person.clean``, which calls this."""
    if birth_date:
        if birth_date > timezone.localdate():
            raise ValidationError(
                {"birth_date": _("Ngày sinh không thể ở tương lai.")}, code="birth_date"
            )
        if birth_year and birth_year != birth_date.year:
            raise ValidationError(
                {"birth_year": _("Năm sinh không khớp với ngày sinh.")}, code="birth_year"
            )
        return birth_date.year
    if not birth_year:
        raise ValidationError(
            {"birth_date": _("Nhập ngày sinh hoặc ít nhất năm sinh.")}, code="no_birth"
        )
    if not 1880 <= birth_year <= timezone.localdate().year:
        raise ValidationError({"birth_year": _("Năm sinh không hợp lệ.")}, code="birth_year")
    return birth_year


class Person(models.Model):
    """A person: a beneficiary, a representative, or both."""

    class Gender(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(
        _("tên không dấu"), max_length=150, editable=False, db_index=True
    )
    # Digest of the checked fields (see identity_key); checks compare against it.
    identity_fingerprint = models.CharField(
        _("dấu vân tay định danh"), max_length=40, editable=False, default=""
    )
    # Lists are sorted by given name (last word), then full name: folded, stored for ORDER BY.
    sort_name = models.CharField(_("khóa sắp xếp"), max_length=200, editable=False)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    # Filled from birth_date when the full date is known (Person.clean, save).
    birth_year = models.PositiveSmallIntegerField(
        _("năm sinh"), blank=True, help_text=_("Chỉ điền năm khi không rõ ngày sinh.")
    )
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    personal_id = models.CharField(
        _("số CCCD/định danh"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        # Says nothing of whom: the other person may be in another commune.
        error_messages={"unique": _("Số CCCD này đã được dùng cho một người khác trong hệ thống.")},
    )
    legacy_id_number = models.CharField(
        _("số CMND cũ"),
        max_length=9,
        blank=True,
        help_text=_("CMND 9 số hết hiệu lực từ 31/12/2024; chỉ lưu để tra cứu."),
    )
    phone = models.CharField(_("số điện thoại"), max_length=10, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="people"
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    date_of_death = models.DateField(_("ngày mất"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("người")
        verbose_name_plural = _("người")
        ordering = ["sort_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_id__isnull=True) | Q(personal_id__regex=r"^[0-9]{12}$"),
                name="person_personal_id_12_digits",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1880, birth_year__lte=2200),
                name="person_birth_year_plausible",
            ),
            # Choices are enforced by the database too: bulk writes skip validation.
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="person_gender_valid"),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(birth_date__isnull=True)
                | Q(date_of_death__gte=F("birth_date")),
                name="person_dies_after_birth",
            ),
        ]
        indexes = [
            # The registry list filters by commune and sorts by given name.
            models.Index(fields=["commune", "sort_name"], name="person_commune_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.normalize_fields()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.birth_year = birth_year_of(self.birth_date, self.birth_year)
        if self.village_id and self.commune_id and self.village.commune_id != self.commune_id:
            raise ValidationError({"village": _("Thôn không thuộc xã của người này.")})

    def normalize_fields(self) -> None:
        """Derived fields; called by save() and by every bulk write before it."""
        self.full_name = normalize_name(self.full_name)
        self.name_folded = fold_name(self.full_name)
        self.sort_name = person_sort_name(self.name_folded)
        if self.birth_date:
            self.birth_year = self.birth_date.year
        if self.personal_id == "":
            self.personal_id = None
        self.identity_fingerprint = self.identity_key()

    def identity_key(self) -> str:
        """A digest of the fields the police check: name, birth, gender, ID, village.

        A check records the digest it saw; when the person's differs, whoever
        edited them (form, admin, import), the check is stale.
        """
        village = ""
        if self.village_id or self.village:
            # The name before a merger renamed it: the same place, the same check.
            village = self.village.former_name or self.village.name
        parts = (
            self.full_name,
            self.birth_date.isoformat() if self.birth_date else "",
            str(self.birth_year),
            self.gender,
            self.personal_id or "",
            fold_name(village),
        )
        return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()

    @property
    def birth_display(self) -> str:
        """dd/mm/yyyy, or the year alone when only the year is known."""
        if self.birth_date:
            return self.birth_date.strftime("%d/%m/%Y")
        return str(self.birth_year)

    @property
    def is_dead(self) -> bool:
        return self.date_of_death is not None


class BeneficiaryQuerySet(models.QuerySet):
    def of_commune_in(self, commune: Commune, month: datetime.date) -> BeneficiaryQuerySet:
        """The enrolments that belonged to ``commune`` in ``month`` (the rule, in one place).

        An enrolment belongs to its current commune from its latest move on; before
        that, to the commune its :class:`EnrolmentCommunePeriod` row names for the
        month. Every month-scoped query (lists, cycles, the monthly report) reads
        this, so a month before a merger holds exactly the old commune's people,
        and the merger month on the new one's. No query of its own: the filter is
        lazy (the old commune's branch only for a commune that merged: pass the
        commune as it is in the database).
        """
        month = month.replace(day=1)
        # Moved here after the month: still another commune's then.
        later = EnrolmentCommunePeriod.objects.filter(
            beneficiary=OuterRef("pk"), until_month__gt=month
        )
        held = Q(commune_id=commune.pk) & ~Exists(later)
        if commune.merged_into_id is None:
            return self.filter(held)
        # A merged commune's month before its merger: the enrolments it held then.
        earlier = EnrolmentCommunePeriod.objects.filter(
            Q(from_month__isnull=True) | Q(from_month__lte=month),
            commune_id=commune.pk,
            until_month__gt=month,
        )
        return self.filter(held | Q(pk__in=earlier.values("beneficiary_id")))


class Beneficiary(models.Model):
    """One enrolment of a person in a programme, from a decision."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hưởng")
        SUSPENDED = "suspended", _("Tạm dừng")
        ENDED = "ended", _("Đã thôi hưởng")

    class EndReason(models.TextChoices):
        DEATH = "death", _("Chết")
        INELIGIBLE = "ineligible", _("Không còn đủ điều kiện")
        MOVED = "moved", _("Chuyển đi nơi khác")
        TRANSFERRED = "transferred", _("Chuyển sang chương trình khác")
        OTHER = "other", _("Lý do khác")

    person = models.ForeignKey(
        Person, verbose_name=_("người hưởng"), on_delete=models.PROTECT, related_name="enrolments"
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã chi trả"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("diện đối tượng"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    start_month = models.DateField(_("hưởng từ tháng"))
    end_month = models.DateField(_("thôi hưởng từ tháng"), null=True, blank=True)
    end_reason = models.CharField(
        _("lý do thôi hưởng"), max_length=20, choices=EndReason.choices, blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("đối tượng hưởng")
        verbose_name_plural = _("đối tượng hưởng")
        ordering = ["programme", "person__sort_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "suspended", "ended"]),
                name="beneficiary_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    end_reason__in=["", "death", "ineligible", "moved", "transferred", "other"]
                ),
                name="beneficiary_end_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(start_month__day=1), name="beneficiary_start_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__day=1),
                name="beneficiary_end_first_of_month",
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gt=F("start_month")),
                name="beneficiary_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(end_month__isnull=False) & ~Q(end_reason="")),
                name="beneficiary_ended_has_month_and_reason",
            ),
            # One live enrolment per person and category; ended ones stay as history.
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=~Q(status="ended"),
                name="beneficiary_one_live_enrolment_per_category",
            ),
        ]
        indexes = [
            # The registry list: a commune's enrolments by programme and status.
            models.Index(fields=["commune", "programme", "status"], name="beneficiary_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.programme}"

    def clean(self) -> None:
        if (
            self.category_id
            and self.programme_id
            and self.category.programme_id != self.programme_id
        ):
            raise ValidationError(
                {"category": _("Diện đối tượng không thuộc chương trình đã chọn.")}
            )


class EnrolmentCommunePeriod(models.Model):
    """An enrolment belonged to ``commune`` for the months before ``until_month``
    (and from ``from_month`` on; empty: since it began).

    Written at a merger, set-based, for every enrolment that moved; the months
    after its latest row belong to the enrolment's current commune.
    """

    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("đối tượng hưởng"),
        on_delete=models.CASCADE,
        related_name="commune_periods",
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="enrolment_periods"
    )
    from_month = models.DateField(_("từ tháng"), null=True, blank=True)
    until_month = models.DateField(_("đến trước tháng"))

    class Meta:
        verbose_name = _("xã chi trả theo thời kỳ")
        verbose_name_plural = _("xã chi trả theo thời kỳ")
        ordering = ["beneficiary", "until_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until_month__day=1), name="enrolment_period_until_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(from_month__isnull=True) | Q(from_month__lt=F("until_month")),
                name="enrolment_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "until_month"], name="enrolment_period_once_per_end"
            ),
        ]
        indexes = [
            # An old commune's month (of_commune_in) and the cycle's commune_at join.
            models.Index(fields=["commune", "until_month"], name="enrolment_period_commune_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.commune_id} →{self.until_month:%m/%Y}"


def commune_at(beneficiary: Beneficiary, month: datetime.date) -> Commune:
    """The commune ``beneficiary`` belonged to in ``month`` (the other side of
    :meth:`BeneficiaryQuerySet.of_commune_in`)."""
    month = month.replace(day=1)
    row = (
        EnrolmentCommunePeriod.objects.filter(beneficiary=beneficiary, until_month__gt=month)
        .filter(Q(from_month__isnull=True) | Q(from_month__lte=month))
        .select_related("commune")
        .order_by("until_month")
        .first()
    )
    if row is not None:
        return row.commune
    return beneficiary.commune


class Representative(models.Model):
    """A person who receives for a beneficiary: a proxy or a guardian.

    Linked person to person (not per enrolment): an authorisation covers the
    person represented; the registration picks which representative receives
    for which enrolment.
    """

    class Kind(models.TextChoices):
        PROXY = "proxy", _("Người được ủy quyền")
        GUARDIAN = "guardian", _("Người giám hộ")

    represented = models.ForeignKey(
        Person,
        verbose_name=_("người được nhận thay"),
        on_delete=models.PROTECT,
        related_name="representatives",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("người nhận thay"),
        on_delete=models.PROTECT,
        related_name="represents",
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    relationship = models.CharField(_("quan hệ"), max_length=100, blank=True)
    document = models.CharField(_("giấy ủy quyền/quyết định giám hộ"), max_length=200, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("người nhận thay")
        verbose_name_plural = _("người nhận thay")
        ordering = ["represented", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("represented")), name="representative_is_not_the_beneficiary"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["proxy", "guardian"]), name="representative_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="representative_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["represented", "person", "valid_from"],
                name="representative_once_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()} của {self.represented})"

    def clean(self) -> None:
        if self.person_id and self.person_id == self.represented_id:
            raise ValidationError(_("Người nhận thay không thể là chính đối tượng."))

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
