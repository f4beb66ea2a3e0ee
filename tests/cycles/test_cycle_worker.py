"""A real worker, through Redis, opens a commune's cycle (the job the monthly beat queues)."""

from __future__ import annotations

import pytest

from payments.models import PaymentCycle
from payments.tasks import open_commune_cycle_task
from tests.broker.test_celery_worker import (  # noqa: F401 - fixtures
    _wait_until,
    not_eager,
    queue,
    start_worker,
)
from tests.cycles.conftest import SEP, enrol

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_real_worker_opens_a_communes_cycle(start_worker, queue, commune, reference_data):  # noqa: F811
    enrol(commune, full_name="Nguyễn Văn An")
    enrol(commune, full_name="Hoàng Văn Giang", amount=1_000_000)
    worker = start_worker("worker")

    result = open_commune_cycle_task.apply_async((commune.pk, SEP.isoformat()), queue=queue)

    cycle = _wait_until(
        lambda: PaymentCycle.objects.filter(commune=commune, period=SEP).first(), "the cycle"
    )
    assert (cycle.status, cycle.payment_count, cycle.total_amount) == ("draft", 2, 3_055_000)
    assert cycle.prepared_by is None
    worker.wait_for_log(f"Task payments.open_commune_cycle[{result.id}] succeeded")
