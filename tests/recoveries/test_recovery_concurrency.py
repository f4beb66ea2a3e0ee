"""PostgreSQL, two sessions at once: "Rà soát ngay" clicked twice, the same repayment sent twice."""

from __future__ import annotations

import datetime

import pytest

from payments.models import Recovery, RecoverySettlement
from payments.services.recoveries import RecoveryError, record_settlement
from payments.services.recovery_review import review_commune
from tests.cycles.test_cycle_concurrency import _at_once
from tests.recoveries.conftest import change_after_paying

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reviews_at_once_find_the_recoveries_once(paid, commune, officer):
    change_after_paying(paid, officer)
    results, errors = _at_once(
        lambda: review_commune(commune, actor=officer),
        lambda: review_commune(commune, actor=officer),
    )
    assert errors == []
    assert sorted(len(found.created) for found in results) == [0, 2]
    assert sorted(Recovery.objects.values_list("amount", flat=True)) == [600_000, 2_000_000]


def test_the_same_repayment_twice_at_once_is_recorded_once(found, officer):
    def repay():
        return record_settlement(
            found.death,
            kind="repaid",
            amount=700_000,
            on=datetime.date(2026, 12, 14),
            document="BL-9",
            actor=officer,
        )

    results, errors = _at_once(repay, repay)
    assert len(results) == 1 and [type(e) for e in errors] == [RecoveryError]
    assert RecoverySettlement.objects.count() == 1
