"""The registry: communes, programmes, people, enrolments and representatives.

Everything that names an office, a deadline or a programme is data with
history (the 2025 reforms moved all of them); nothing here is a constant.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.rules.names import fold_name, normalize_name


def person_sort_name(name_folded: str) -> str:
    """Given name first, then the full name: "HANG NGUYEN THI HANG"."""
    words = name_folded.split()
    return f"{words[-1]} {name_folded}" if words else ""


class Province(models.Model):
    """A province code that opens a CCCD number (where the birth was registered)."""

    code = models.CharField(_("mã"), max_length=3, unique=True)
    name = models.CharField(_("tên"), max_length=100)

    class Meta:
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{3}$"), name="province_code_3_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Commune(models.Model):
    """A commune (xã/phường) with the lines its documents carry.

    Communes merge: ``merged_into`` and ``merged_on`` keep the old one, so a list
    printed in 2023 still reproduces with the names of 2023.
    """

    code = models.CharField(_("mã xã"), max_length=5, unique=True)
    name = models.CharField(_("tên xã"), max_length=100)
    district_name = models.CharField(_("huyện (trước 01/07/2025)"), max_length=100, blank=True)
    province_name = models.CharField(_("tỉnh"), max_length=100)
    issuing_body = models.CharField(
        _("cơ quan ban hành"), max_length=200, help_text=_("Ví dụ: ỦY BAN NHÂN DÂN XÃ YẾN SƠN")
    )
    place_name = models.CharField(
        _("địa danh ghi ngày tháng"), max_length=100, help_text=_("Ví dụ: Yến Sơn, ngày …")
    )
    preparer_name = models.CharField(_("người lập biểu"), max_length=100, blank=True)
    accountant_name = models.CharField(_("kế toán"), max_length=100, blank=True)
    leader_title = models.CharField(
        _("chức danh ký"), max_length=100, default="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    )
    leader_name = models.CharField(_("người ký"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        blank=True,
        related_name="communes",
    )
    history = HistoricalRecords(excluded_fields=["members"])

    class Meta:
        verbose_name = _("xã")
        verbose_name_plural = _("xã")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{5}$"), name="commune_code_5_digits"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                name="commune_merge_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="commune_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Village(models.Model):
    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="villages"
    )
    name = models.CharField(_("tên thôn"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thôn")
        verbose_name_plural = _("thôn")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name"], name="village_unique_name_in_commune"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.short_name

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

    @property
    def age_bounds(self) -> tuple[int, ...]:
        return tuple(b for b in (self.age_from, self.age_below) if b is not None)


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
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
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
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise ValidationError(
                {"birth_year": _("Năm sinh không khớp với ngày sinh.")}, code="birth_year"
            )
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
        village = self.village.name if self.village_id or self.village else ""
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
                condition=Q(end_reason__in=["", "death", "ineligible", "moved", "other"]),
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
