"""Files the system produces, and the append-only log of business events.

A :class:`GeneratedFile` is made by a background job (status and progress
visible while it runs) and, once done, never changes: its bytes are checked
by their SHA-256. A list that was sent keeps its file; building the same
period again makes a new record. Every app that makes files records them
here (the registration lists, a payment cycle's files, the monthly report):
one table, one job runner (:mod:`documents.jobs`), one download log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def generated_path(instance: GeneratedFile, filename: str) -> str:
    """``generated/15307/2027-01/<name>``: one folder per commune and month."""
    return f"generated/{instance.commune.code}/{instance.period:%Y-%m}/{filename}"


class GeneratedFile(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_SELF = (
            "registration_self",
            _("Danh sách đối tượng đăng ký nhận qua tài khoản của mình"),
        )
        REGISTRATION_REPRESENTATIVE = (
            "registration_representative",
            _("Danh sách người được ủy quyền/giám hộ đăng ký nhận thay qua tài khoản"),
        )
        # A payment cycle's files (payments/cyclefiles.py): no programme, one cycle.
        BANK_FILES = "bank_files", _("Tệp chi trả qua ngân hàng (mỗi ngân hàng một tệp)")
        POST_OFFICE_LISTS = "post_office_lists", _("Danh sách chi trả tiền mặt và tại nhà")
        MONTHLY_REPORT = "monthly_report", _("Báo cáo tháng")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang lập")
        DONE = "done", _("Đã lập xong")
        FAILED = "failed", _("Lỗi")

    REGISTRATION_KINDS = (Kind.REGISTRATION_SELF, Kind.REGISTRATION_REPRESENTATIVE)
    # What is "sent" to the paying office (and may be marked late).
    SENDABLE_KINDS = (*REGISTRATION_KINDS, Kind.MONTHLY_REPORT)
    CYCLE_KINDS = (Kind.BANK_FILES, Kind.POST_OFFICE_LISTS)
    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("loại"), max_length=40, choices=Kind.choices)
    commune = models.ForeignKey(
        "beneficiaries.Commune",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="generated_files",
    )
    programme = models.ForeignKey(
        "beneficiaries.Programme",
        verbose_name=_("chương trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="generated_files",
    )
    period = models.DateField(_("kỳ (tháng)"))
    parameters = models.JSONField(_("tham số"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    # Bumped each time a job claims the record: a rerun after a dead worker wins,
    # and a late write from the dead attempt is ignored.
    attempt = models.PositiveIntegerField(_("lần chạy"), default=0)
    # Written by the running job with its progress and at least every
    # GENERATED_FILE_HEARTBEAT_SECONDS: a running job silent for longer than
    # GENERATED_FILE_STALE_SECONDS died with its worker (documents.jobs.fail_stale_jobs).
    heartbeat_at = models.DateTimeField(_("tín hiệu cuối lúc"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    file = models.FileField(_("tệp"), upload_to=generated_path, blank=True)
    # What the changes sheet of a later list compares with (see registration/listchanges.py).
    snapshot = models.FileField(_("ảnh chụp so sánh"), upload_to=generated_path, blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    total_amount = models.PositiveBigIntegerField(_("tổng tiền (đồng)"), null=True, blank=True)
    checksum = models.CharField(
        _("mã kiểm tra tệp"),
        max_length=64,
        blank=True,
        help_text=_("Dãy ký tự tính từ nội dung tệp: hai tệp có cùng mã là cùng một tệp."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    # A registration list is approved by the leader before it may be sent
    # (registration.listfiles); a new build of the list needs a new approval.
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tệp đã lập")
        verbose_name_plural = _("tệp đã lập")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "registration_self",
                        "registration_representative",
                        "bank_files",
                        "post_office_lists",
                        "monthly_report",
                    ]
                ),
                name="generated_file_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="generated_file_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="generated_file_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="generated_file_period_first_of_month"
            ),
            # The registration lists are per programme.
            models.CheckConstraint(
                condition=~Q(kind__in=["registration_self", "registration_representative"])
                | Q(programme__isnull=False),
                name="generated_file_registration_list_has_programme",
            ),
            # The monthly report covers the whole commune.
            models.CheckConstraint(
                condition=~Q(kind="monthly_report") | Q(programme__isnull=True),
                name="generated_file_monthly_report_no_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | (
                    ~Q(file="")
                    & Q(rows__isnull=False)
                    & Q(total_amount__isnull=False)
                    & Q(checksum__regex=r"^[0-9a-f]{64}$")
                    & Q(finished_at__isnull=False)
                ),
                name="generated_file_done_has_file_and_figures",
            ),
            # Only a finished file can be sent (and then it never changes).
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(status="done"),
                name="generated_file_sent_only_when_done",
            ),
            # Only a finished file is approved, and always by somebody.
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True)
                | (Q(status="done") & Q(approved_by__isnull=False)),
                name="generated_file_approved_when_done_by_someone",
            ),
            # Serves the double-click check of documents.services.request_files: one
            # job per commune, period, kind and programme in flight at a time.
            models.UniqueConstraint(
                fields=["commune", "period", "kind", "programme"],
                condition=Q(status__in=["queued", "running"]),
                name="generated_file_one_active_job",
            ),
            # NULL programmes are distinct to the database: this covers kinds without one.
            models.UniqueConstraint(
                fields=["commune", "period", "kind"],
                condition=Q(status__in=["queued", "running"]) & Q(programme__isnull=True),
                name="generated_file_one_active_job_no_programme",
            ),
        ]
        indexes = [
            # The lists page: a commune's files of one month.
            models.Index(fields=["commune", "period"], name="generated_file_scope_idx"),
            # "The last sent list of this kind" for the changes sheet.
            models.Index(
                fields=["commune", "kind", "programme", "-sent_at"],
                condition=Q(sent_at__isnull=False),
                name="generated_file_sent_idx",
            ),
            # The stale-job check: running jobs by their last heartbeat.
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status="running"),
                name="generated_file_running_idx",
            ),
        ]

    def __str__(self) -> str:
        programme = f" {self.programme}" if self.programme_id else ""
        return f"{self.get_kind_display()}{programme} {self.period:%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class EventQuerySet(models.QuerySet):
    """Events are appended, never changed or removed."""

    def update(self, **kwargs):
        raise TypeError("Events are append-only")

    def delete(self):
        raise TypeError("Events are append-only")


class Event(models.Model):
    """A business event that is not a row change: a file downloaded, a list sent,
    communes merged.

    Written by the service that does the thing, in its transaction.
    """

    class Kind(models.TextChoices):
        FILE_DOWNLOADED = "file_downloaded", _("Tải tệp")
        LIST_SENT = "list_sent", _("Gửi danh sách")
        LIST_SENT_WITHDRAWN = "list_sent_withdrawn", _("Rút đánh dấu đã gửi")
        LIST_APPROVED = "list_approved", _("Phê duyệt danh sách")
        LIST_APPROVAL_WITHDRAWN = "list_approval_withdrawn", _("Rút phê duyệt danh sách")
        COMMUNES_MERGED = "communes_merged", _("Sáp nhập xã")

    kind = models.CharField(_("loại"), max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "beneficiaries.Commune",
        verbose_name=_("xã"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    generated_file = models.ForeignKey(
        GeneratedFile,
        verbose_name=_("tệp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("sự kiện")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "file_downloaded",
                        "list_sent",
                        "list_sent_withdrawn",
                        "list_approved",
                        "list_approval_withdrawn",
                        "communes_merged",
                    ]
                ),
                name="event_kind_valid",
            ),
        ]
        indexes = [
            # A file's audit trail (who downloaded it, when it was sent).
            models.Index(fields=["generated_file", "at"], name="event_file_idx"),
            models.Index(fields=["commune", "at"], name="event_commune_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Events are append-only")
