"""A record of every registry import: who, when, which file, what it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models.places import Commune


def import_upload_path(instance: ImportBatch, filename: str) -> str:
    # The checksum keeps names unique without trusting the uploaded name.
    return f"imports/{instance.commune.code}/{instance.checksum[:16]}.xlsx"


class ImportBatch(models.Model):
    """One uploaded workbook and its journey: validated, then written or refused.

    The issues found are kept (``issues``) so the result page and the error
    file can be produced again without re-reading the workbook.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ kiểm tra")
        VALIDATING = "validating", _("Đang kiểm tra")
        INVALID = "invalid", _("Có lỗi, chưa ghi gì")
        VALIDATED = "validated", _("Đã kiểm tra, chờ xác nhận")
        WRITING = "writing", _("Đang ghi")
        COMMITTED = "committed", _("Đã ghi vào sổ")
        FAILED = "failed", _("Lỗi hệ thống, chưa ghi gì")
        CANCELLED = "cancelled", _("Đã hủy")

    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lúc tải lên"), auto_now_add=True)
    file = models.FileField(_("tệp"), upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    checksum = models.CharField(
        _("mã kiểm tra tệp"),
        max_length=64,
        db_index=True,
        help_text=_("Dãy ký tự tính từ nội dung tệp: hai tệp có cùng mã là cùng một tệp."),
    )
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sheet = models.CharField(_("trang tính"), max_length=100, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    created_count = models.PositiveIntegerField(_("mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không đổi"), default=0)
    error_count = models.PositiveIntegerField(_("lỗi"), default=0)
    warning_count = models.PositiveIntegerField(_("cảnh báo"), default=0)
    issues = models.JSONField(_("lỗi và cảnh báo"), default=list, blank=True)
    summary = models.JSONField(_("tóm tắt"), default=dict, blank=True)
    failure = models.TextField(_("lý do lỗi hệ thống"), blank=True)
    committed_at = models.DateTimeField(_("lúc ghi"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập danh sách")
        verbose_name_plural = _("các lần nhập danh sách")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status="committed") | Q(committed_at__isnull=False),
                name="import_committed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({timezone.localtime(self.created_at):%d/%m/%Y %H:%M})"

    @property
    def change_reason(self) -> str:
        """Written on every history row the import creates."""
        return (
            f"Nhập từ tệp {self.original_name} (lần nhập #{self.pk}, SHA-256 {self.checksum[:12]}…)"
        )
