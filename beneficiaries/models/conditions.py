"""Conditions a person declares for an enrolment, with the document that shows them.

Hưu trí xã hội is paid to people who receive no pension nor monthly social
insurance allowance (and, from 70 to under 75, who belong to a poor or
near-poor household). These are facts the person declares with a paper (a
written declaration, a certificate of the household's status), not fields the
registry can compute: each is a row with its document, the document's date
and the period it holds. Rows are never overwritten: a new paper is a new row,
and the history table keeps every edit.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from beneficiaries.models.registry import Person
from core.rules.months import next_month


class EnrolmentCondition(models.Model):
    """One declared condition of a person, shown by a document, from a date on."""

    class Kind(models.TextChoices):
        NO_PENSION = "no_pension", _("Không hưởng lương hưu hoặc trợ cấp BHXH hằng tháng")
        POOR_HOUSEHOLD = "poor_household", _("Thuộc hộ nghèo hoặc hộ cận nghèo")

    person = models.ForeignKey(
        Person,
        verbose_name=_("người"),
        on_delete=models.PROTECT,
        related_name="conditions",
    )
    kind = models.CharField(_("điều kiện"), max_length=30, choices=Kind.choices)
    document = models.CharField(
        _("giấy tờ chứng minh"),
        max_length=200,
        help_text=_("Ví dụ: Tờ khai không hưởng lương hưu; Giấy chứng nhận hộ nghèo số …"),
    )
    document_date = models.DateField(_("ngày của giấy tờ"))
    valid_from = models.DateField(_("có hiệu lực từ"))
    valid_until = models.DateField(_("có hiệu lực đến"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điều kiện đã kê khai")
        verbose_name_plural = _("điều kiện đã kê khai")
        ordering = ["person", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["no_pension", "poor_household"]),
                name="enrolment_condition_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="enrolment_condition_period_ordered",
            ),
        ]
        indexes = [
            # enrolment_problem: a person's conditions of one kind.
            models.Index(fields=["person", "kind"], name="enrolment_condition_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()} ({self.document})"

    def holds_in(self, month: datetime.date) -> bool:
        """Whether the condition holds for some day of ``month`` (its first day given)."""
        return self.valid_from < next_month(month) and (
            self.valid_until is None or self.valid_until >= month
        )
