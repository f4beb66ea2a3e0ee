"""The deadline reminders and the in-app notices of the dashboard.

The files the system makes and the event log are the ``documents`` app's
(:mod:`documents.models`): every app records files there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeadlineReminder(models.Model):
    """That a commune was reminded of a programme's deadline for a month.

    One row per commune, programme and month (a database constraint): the daily
    job writes it with the notices and the e-mail, so a second run, or a second
    worker, reminds nobody twice.
    """

    commune = models.ForeignKey(
        "beneficiaries.Commune",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="deadline_reminders",
    )
    programme = models.ForeignKey(
        "beneficiaries.Programme",
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="deadline_reminders",
    )
    period = models.DateField(_("kỳ (tháng)"))
    deadline = models.DateField(_("hạn gửi"))
    sent_at = models.DateTimeField(_("nhắc lúc"), default=timezone.now)
    emailed_to = models.JSONField(_("đã gửi thư đến"), default=list, blank=True)

    class Meta:
        verbose_name = _("lần nhắc hạn gửi")
        verbose_name_plural = _("lần nhắc hạn gửi")
        ordering = ["-period", "commune", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "programme", "period"], name="deadline_reminder_once"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="deadline_reminder_period_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.programme} {self.period:%m/%Y}"


class Notice(models.Model):
    """An in-app notice for one user, shown on the dashboard until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    commune = models.ForeignKey(
        "beneficiaries.Commune",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    reminder = models.ForeignKey(
        DeadlineReminder,
        verbose_name=_("lần nhắc"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    message = models.CharField(_("nội dung"), max_length=300)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reminder"], name="notice_once_per_reminder"
            ),
        ]
        indexes = [
            # The dashboard: a user's unread notices.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notice_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message
