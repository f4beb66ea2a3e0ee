"""The monthly report as a generated file: requested, built by the task, the nightly
beat entry that prepares it ahead of the deadline, and the management command."""

from __future__ import annotations

import datetime
import hashlib

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from documents.builders import file_name
from documents.models import GeneratedFile
from documents.services import FileError
from reports.reportfiles import communes_due_for_report, mark_sent, request_monthly_report
from reports.tasks import request_due_monthly_reports_task
from tests import workbooks as xl
from tests.conftest import local_moment
from tests.lists.data import PERIOD
from yenson.celery import app

pytestmark = pytest.mark.django_db
MONTHLY = GeneratedFile.Kind.MONTHLY_REPORT


def test_a_requested_report_is_built_by_the_task_after_commit(
    report_data, signed_commune, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        generated = request_monthly_report(signed_commune, PERIOD, actor=officer)
        again = request_monthly_report(signed_commune, PERIOD, actor=officer)
    assert again.pk == generated.pk  # a double click queues nothing twice
    assert len(callbacks) == 1
    done = GeneratedFile.objects.get(pk=generated.pk)
    assert (done.kind, done.status, done.progress) == (MONTHLY, "done", 100)
    assert (done.rows, done.total_amount, done.programme_id) == (8, 11_970_000, None)
    assert done.requested_by == officer
    assert done.parameters == {
        "cycle": None,
        "account_people": 5,
        "account_amount": 5_805_000,
        "deducted": 0,
        "not_cashless": {
            "Chưa có tài khoản (đang đề nghị mở)": 1,
            "Nhận tại nhà": 1,
            "Chưa đăng ký hình thức nhận": 1,
        },
    }
    assert file_name(done) == "bao-cao-thang-15307-2027-01.xlsx"
    with done.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == done.checksum
    assert done.file.name.startswith("generated/15307/2027-01/bao-cao-thang-15307-2027-01-")


def test_a_report_period_must_be_a_first_of_month(signed_commune):
    with pytest.raises(FileError):
        request_monthly_report(signed_commune, datetime.date(2027, 1, 5), actor=None)


def test_the_report_is_sent_once_without_the_lists_gate(report_data, signed_commune, officer):
    from documents.models import Event
    from reports.reportfiles import build_monthly_report_now

    done = build_monthly_report_now(signed_commune, PERIOD)
    sent = mark_sent(done, actor=officer)
    assert (sent.sent_by, Event.objects.filter(generated_file=done).count()) == (officer, 1)
    with pytest.raises(FileError, match="đã được ghi nhận là đã gửi"):
        mark_sent(done, actor=officer)


def test_the_beat_prepares_reports_every_night_at_three():
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-report-ahead-of-deadline"]
    assert entry["task"] == "reports.request_due_monthly_reports"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert schedule.hour == {3} and schedule.minute == {0}
    assert schedule.day_of_month == set(range(1, 32))


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (datetime.date(2027, 1, 1), False),  # four days before the 5th
        (datetime.date(2027, 1, 2), True),  # three days before
        (datetime.date(2027, 1, 5), True),  # the deadline itself
        (datetime.date(2027, 1, 6), False),  # too late to prepare ahead
    ],
)
def test_a_commune_is_due_from_three_days_before_its_deadline(
    report_data, signed_commune, today, due
):
    assert (signed_commune in communes_due_for_report(today)) is due


def test_a_commune_with_a_report_of_the_month_is_not_due_again(report_data, signed_commune):
    today = datetime.date(2027, 1, 3)
    generated = request_monthly_report(signed_commune, PERIOD, actor=None, queue=False)
    assert signed_commune not in communes_due_for_report(today)
    GeneratedFile.objects.filter(pk=generated.pk).update(status=GeneratedFile.Status.FAILED)
    assert signed_commune in communes_due_for_report(today)  # a failed one is tried again


def test_the_nightly_task_builds_the_reports_of_the_communes_due(
    report_data, signed_commune, other_commune, clock, django_capture_on_commit_callbacks
):
    clock.move_to(local_moment(datetime.date(2027, 1, 3)))
    with django_capture_on_commit_callbacks(execute=True):
        assert request_due_monthly_reports_task.delay().get() == 2
    files = GeneratedFile.objects.filter(kind=MONTHLY)
    assert {(f.commune_id, f.period, f.status) for f in files} == {
        (signed_commune.pk, PERIOD, "done"),
        (other_commune.pk, PERIOD, "done"),
    }
    assert files.filter(requested_by__isnull=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert request_due_monthly_reports_task.delay().get() == 0  # nothing twice


def test_the_command_writes_the_report_and_prints_its_figures(
    report_data, signed_commune, tmp_path, capsys
):
    out = tmp_path / "bao-cao.xlsx"
    call_command("monthly_report", commune="15307", period="2027-01", out=str(out))
    assert capsys.readouterr().out.strip() == f"{out}\t8 người\t11.970.000 đ"
    wb = openpyxl.load_workbook(out)
    summary = wb["Tổng hợp"]
    assert summary[f"D{xl.totals_row(summary)}"].value == 8
    assert GeneratedFile.objects.get(kind=MONTHLY).status == "done"


def test_the_command_refuses_an_unknown_commune(reference_data, tmp_path):
    with pytest.raises(CommandError, match="Không có xã mã 99999"):
        call_command("monthly_report", commune="99999", period="2027-01", out=str(tmp_path / "x"))


def test_the_command_refuses_a_bad_month(signed_commune, tmp_path):
    with pytest.raises(CommandError, match="Tháng không hợp lệ: «2027-13»"):
        call_command("monthly_report", commune="15307", period="2027-13", out=str(tmp_path / "x"))


def test_a_failed_report_is_recorded_and_built_again_on_retry(
    report_data, signed_commune, officer, monkeypatch, django_capture_on_commit_callbacks
):
    from documents.jobs import build_generated_file
    from documents.services import retry_generated_file
    from reports import reportfiles

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    generated = request_monthly_report(signed_commune, PERIOD, actor=officer, queue=False)
    monkeypatch.setattr(reportfiles, "write_monthly_report", broken)
    with pytest.raises(RuntimeError):
        build_generated_file(generated.pk)
    failed = GeneratedFile.objects.get(pk=generated.pk)
    assert (failed.status, failed.progress) == ("failed", 100)
    assert "RuntimeError" in failed.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retry_generated_file(failed, actor=officer)
    done = GeneratedFile.objects.get(pk=generated.pk)
    assert (done.status, done.rows, done.total_amount, done.attempt) == ("done", 8, 11_970_000, 2)
