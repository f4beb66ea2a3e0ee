"""Where people live: provinces (the CCCD codes), communes with their mergers, villages."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    drafting_unit = models.CharField(
        _("ký hiệu bộ phận soạn thảo"),
        max_length=20,
        default="VHXH",
        blank=True,
        help_text=_("Trong số công văn (Số: …/UBND-VHXH) và dòng “Lưu: VT, VHXH.”"),
    )
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
    # A merger renames a village whose name another commune's shares ("Thôn Đông
    # (Yến Sơn)"); its people's identity checks keep reading the name they were made on.
    former_name = models.CharField(
        _("tên trước sáp nhập"),
        max_length=100,
        blank=True,
        help_text=_("Tên thôn trước khi sáp nhập xã (để trống nếu không đổi tên)."),
    )
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


def village_name_in(commune: Commune, month: datetime.date, village: str = "person__village"):
    """The village's name as a document of ``commune`` for ``month`` prints it (an
    expression on the lookup ``village``): for a merged commune's month before
    its merger, the name it had then (a merger renames a village whose name
    another commune shares), else its name."""
    name = F(f"{village}__name")
    if commune.merged_on is None or month.replace(day=1) >= commune.merged_on.replace(day=1):
        return name
    return Coalesce(NullIf(F(f"{village}__former_name"), Value("")), name)


def commune_title(commune: Commune) -> str:
    """``Xã Yến Sơn``: the name with its kind, as people write it in a sentence."""
    lowered = commune.name.lower()
    if lowered.startswith(("xã ", "phường ", "thị trấn ", "đặc khu ")):
        return commune.name
    return f"Xã {commune.name}"


def merged_commune_problem(commune: Commune, month: datetime.date) -> str | None:
    """Why nothing may be written for ``commune`` in ``month`` (the month of a list,
    a cycle, a registration; today's for a registry edit), or ``None``.

    The one rule of a merged commune: from the month of its merger it is read-only
    (its people are the new commune's); the months before stay its own.
    """
    if commune.merged_into_id is None or commune.merged_on is None:
        return None
    if month.replace(day=1) < commune.merged_on.replace(day=1):
        return None
    into = commune.merged_into
    return _("%(old)s đã sáp nhập vào %(new)s từ %(day)s; dùng %(new)s.") % {
        "old": commune_title(commune),
        "new": commune_title(into),
        "day": f"{commune.merged_on:%d/%m/%Y}",
    }


class CommuneMerged(Exception):
    """A write for a merged commune's month on or after its merger."""


def commune_open_for(commune: Commune, month: datetime.date) -> None:
    """Raise :class:`CommuneMerged` (with the message) when :func:`merged_commune_problem` says so."""
    problem = merged_commune_problem(commune, month)
    if problem:
        raise CommuneMerged(problem)
