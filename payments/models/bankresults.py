"""A bank's results file brought in on a cycle's page: checked, then recorded once on confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models.cycle import PaymentCycle


def results_upload_path(instance: BankResultsUpload, filename: str) -> str:
    # The checksum keeps names unique without trusting the uploaded name.
    suffix = ".csv" if instance.original_name.lower().endswith(".csv") else ".xlsx"
    return (
        f"bank-results/{instance.cycle.commune.code}/{instance.cycle.period:%Y-%m}/"
        f"{instance.checksum[:16]}{suffix}"
    )


class BankResultsUpload(models.Model):
    """One results file uploaded for a cycle: what the check found, and whether it was recorded.

    The counts of the check (``summary``) and every problem of the file
    (``issues``) are kept, so the page and the error workbook can be shown
    again without reading the file. Confirming records the results once:
    the row is locked and a recorded upload is never recorded again.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("Đã kiểm tra, chờ xác nhận")
        REFUSED = "refused", _("Có lỗi, không ghi kết quả nào")
        APPLIED = "applied", _("Đã ghi kết quả")

    cycle = models.ForeignKey(
        PaymentCycle,
        verbose_name=_("kỳ chi trả"),
        on_delete=models.PROTECT,
        related_name="results_uploads",
    )
    file = models.FileField(_("tệp"), upload_to=results_upload_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    checksum = models.CharField(_("mã kiểm tra tệp"), max_length=64)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    summary = models.JSONField(_("kết quả kiểm tra"), default=dict, blank=True)
    issues = models.JSONField(_("lỗi"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận ghi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp kết quả ngân hàng")
        verbose_name_plural = _("tệp kết quả ngân hàng")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["checked", "refused", "applied"]),
                name="bank_results_upload_status_valid",
            ),
            # Recorded means recorded by someone, at a moment; nothing else is.
            models.CheckConstraint(
                condition=Q(status="applied", applied_at__isnull=False, applied_by__isnull=False)
                | Q(~Q(status="applied"), applied_at__isnull=True),
                name="bank_results_upload_applied_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.cycle})"
