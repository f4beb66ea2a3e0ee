"""The monthly report is built by a real worker through Redis."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest

from desk.reference import load_reference_data
from documents.models import GeneratedFile
from documents.tasks import build_generated_file_task
from registration.models import PaymentMethodRegistration
from reports.reportfiles import request_monthly_report
from tests import workbooks as xl
from tests.broker.test_celery_worker import _wait_until
from tests.lists.data import PERIOD, enrol

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_real_worker_builds_the_monthly_report(start_worker, queue, commune):
    load_reference_data()
    enrol(commune, "NCC", "Nguyễn Văn An", amount=2_055_000)
    enrol(commune, "NCC", "Trần Thị Cúc", method=PaymentMethodRegistration.Method.CASH)
    generated = request_monthly_report(commune, PERIOD, actor=None, queue=False)
    worker = start_worker("worker")
    build_generated_file_task.apply_async((generated.pk,), queue=queue)
    _wait_until(
        lambda: GeneratedFile.objects.get(pk=generated.pk).status == GeneratedFile.Status.DONE,
        "the report",
    )
    built = GeneratedFile.objects.get(pk=generated.pk)
    assert (built.rows, built.total_amount) == (2, 4_110_000)
    assert built.parameters["account_people"] == 1
    with built.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == built.checksum
        handle.seek(0)
        share = openpyxl.load_workbook(handle)["Tỷ lệ KDTM"]
        assert xl.table_cell(share, 0, "D", first="Chương trình").value == 50
    worker.wait_for_log("reports.build_generated_file")
