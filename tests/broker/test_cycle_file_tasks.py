"""A cycle's files are built by a real worker through Redis (the lists' job, new kinds)."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from desk.reference import load_reference_data
from documents.models import GeneratedFile
from documents.tasks import build_generated_file_task
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from tests.broker.test_celery_worker import _wait_until
from tests.cycles.conftest import enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_real_worker_builds_the_bank_files_and_the_post_office_lists(
    start_worker, queue, commune, officer, leader
):
    from payments.cyclefiles import request_cycle_files

    load_reference_data()
    by_account = enrol(commune, 2_055_000)
    RegistrationFactory(
        beneficiary=by_account,
        method="account",
        account=PaymentAccountFactory(holder=by_account.person),
    )
    enrol(commune, 1_000_000)  # cash
    cycle = open_cycle(commune, datetime.date(2023, 9, 1), actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    files = request_cycle_files(cycle, actor=officer, queue=False)
    start_worker("worker")
    for generated in files:
        build_generated_file_task.apply_async((generated.pk,), queue=queue)
    for generated in files:
        _wait_until(
            lambda pk=generated.pk: (
                GeneratedFile.objects.get(pk=pk).status == GeneratedFile.Status.DONE
            ),
            f"the build of {generated.kind}",
        )
    built = {f.kind: GeneratedFile.objects.get(pk=f.pk) for f in files}
    bank = built[GeneratedFile.Kind.BANK_FILES]
    cash = built[GeneratedFile.Kind.POST_OFFICE_LISTS]
    assert (bank.rows, bank.total_amount) == (1, 2_055_000)
    assert (cash.rows, cash.total_amount) == (1, 1_000_000)
    for generated in (bank, cash):
        with generated.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == generated.checksum
