"""Identity checks by the commune police against the national population database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models.registry import Person

#: The fields a check covers; an edit to any of them makes the check stale.
CHECKED_FIELDS = ("full_name", "birth_date", "gender", "personal_id", "village")


class IdentityCheck(models.Model):
    """One check of one person. Append-only: a new check supersedes, never edits.

    ``fingerprint`` is the person's :meth:`Person.identity_key` when checked:
    the person is verified only while the latest check matched and the
    fingerprint is still theirs.
    """

    class Result(models.TextChoices):
        MATCH = "match", _("Khớp")
        MISMATCH = "mismatch", _("Không khớp")
        NOT_FOUND = "not_found", _("Không tìm thấy")
        DEAD = "dead", _("Đã chết")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Nhập tay")
        BATCH = "batch", _("Tệp kết quả")

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.CASCADE, related_name="identity_checks"
    )
    result = models.CharField(_("kết quả"), max_length=20, choices=Result.choices)
    differing_fields = models.JSONField(_("trường khác nhau"), default=list, blank=True)
    population_values = models.JSONField(_("giá trị trong CSDL dân cư"), default=dict, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    fingerprint = models.CharField(_("dấu vân tay khi kiểm tra"), max_length=40)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người kiểm tra"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("lúc kiểm tra"), default=timezone.now)

    class Meta:
        verbose_name = _("lần kiểm tra định danh")
        verbose_name_plural = _("các lần kiểm tra định danh")
        ordering = ["-checked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["match", "mismatch", "not_found", "dead"]),
                name="identity_check_result_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["manual", "batch"]), name="identity_check_source_valid"
            ),
        ]
        indexes = [
            # "The latest check of each person" on the police desk and the gates.
            models.Index(fields=["person", "-checked_at", "-id"], name="identity_check_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_result_display()} ({timezone.localdate(self.checked_at):%d/%m/%Y})"


def check_problem(
    result: str, differing_fields: list[str], *, personal_id: str | None
) -> str | None:
    """Why a check cannot be recorded as given, or None (the forms, the batch file
    and the service ask): a mismatch names what differs, and a person without a
    CCCD (``personal_id``, the record's) can never match the population database."""
    if result == IdentityCheck.Result.MISMATCH and not differing_fields:
        return str(_("Kết quả «không khớp» cần nêu trường nào khác."))
    if result == IdentityCheck.Result.MATCH and not personal_id:
        return str(
            _(
                "Người chưa có số CCCD trong hồ sơ không thể ghi «khớp» với CSDL dân cư: "
                "ghi số CCCD vào hồ sơ trước, hoặc chọn kết quả khác."
            )
        )
    return None


class Verification(models.TextChoices):
    """A person's state, derived from the latest check and edits since."""

    NEVER = "never", _("Chưa kiểm tra")
    STALE = "stale", _("Đã sửa sau lần kiểm tra")
    VERIFIED = "verified", _("Đã xác thực")
    MISMATCH = "mismatch", _("Không khớp")
    NOT_FOUND = "not_found", _("Không tìm thấy")
    DEAD = "dead", _("Đã chết theo CSDL dân cư")


# The state of a fresh check (its digest still the record's), by its result.
_STATE_OF_RESULT = {
    IdentityCheck.Result.MATCH: Verification.VERIFIED,
    IdentityCheck.Result.MISMATCH: Verification.MISMATCH,
    IdentityCheck.Result.NOT_FOUND: Verification.NOT_FOUND,
    IdentityCheck.Result.DEAD: Verification.DEAD,
}


def with_verification(people: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate ``last_check_result`` and ``last_check_fingerprint`` (one join each)."""
    latest = IdentityCheck.objects.filter(person=OuterRef("pk")).order_by("-checked_at", "-pk")
    return people.annotate(
        last_check_result=Subquery(latest.values("result")[:1]),
        last_check_fingerprint=Subquery(latest.values("fingerprint")[:1]),
    )


def verification_filter(state: str) -> Q:
    """The people of a state, on a queryset annotated by :func:`with_verification`."""
    fresh = Q(last_check_fingerprint=models.F("identity_fingerprint"))
    if state == Verification.NEVER:
        return Q(last_check_result__isnull=True)
    if state == Verification.STALE:
        return Q(last_check_result__isnull=False) & ~fresh
    result = {verified: result for result, verified in _STATE_OF_RESULT.items()}[state]
    return Q(last_check_result=result) & fresh


def verification_state(
    last_result: str | None, checked_fingerprint: str | None, current_fingerprint: str
) -> Verification:
    """The state from the latest check's result and digest and the record's digest now."""
    if last_result is None:
        return Verification.NEVER
    if checked_fingerprint != current_fingerprint:
        return Verification.STALE
    return _STATE_OF_RESULT[last_result]


def verification_of(person: Person, latest: IdentityCheck | None) -> Verification:
    if latest is None:
        return Verification.NEVER
    return verification_state(latest.result, latest.fingerprint, person.identity_fingerprint)
