"""PostgreSQL, two sessions at once: the same correction sent twice (a double click that
reached the server twice, two people on the same row) is made once; the other is told."""

from __future__ import annotations

import pytest

from payments.models import Payment, ResultCorrection
from payments.services.corrections import CorrectionError, correct_result
from tests.cycles.test_cycle_concurrency import _at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_identical_corrections_at_once_are_made_once(sent, officer, accountant):
    payment = sent.account_payment
    history = Payment.history.filter(id=payment.pk).count()

    def correct(actor):
        return lambda: correct_result(
            payment, status="failed", paid_on=None, reference="FT1", reason="Hoàn tiền",
            actor=actor,
        )  # fmt: skip

    results, errors = _at_once(correct(officer), correct(accountant))

    assert len(results) == 1 and [type(e) for e in errors] == [CorrectionError]
    assert "không sửa lần nữa" in str(errors[0])
    assert ResultCorrection.objects.count() == 1
    assert Payment.history.filter(id=payment.pk).count() == history + 1
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == ("failed", "Hoàn tiền")
