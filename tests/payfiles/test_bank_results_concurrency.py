"""PostgreSQL, two sessions at once: the same checked results file confirmed twice (a
double click that reached the server twice) is recorded once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments import bankuploads
from payments.models import BankResultsUpload, Payment
from tests.cycles.test_cycle_concurrency import _at_once
from tests.payfiles.test_bank_results_import import _csv, _row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_confirmations_at_once_record_the_file_once(paying, officer):
    an, binh = paying.payment("an"), paying.payment("binh")
    data = _csv([_row(an), _row(binh, "Không thành công", ref="", day="", reason="Sai tên")])
    upload = bankuploads.upload_results(
        paying.cycle, SimpleUploadedFile("ket-qua.csv", data).file, name="ket-qua.csv",
        actor=officer,
    )  # fmt: skip
    assert upload.status == "checked"
    history = Payment.history.count()

    results, errors = _at_once(
        lambda: bankuploads.apply_results(upload, actor=officer),
        lambda: bankuploads.apply_results(upload, actor=officer),
    )

    assert len(results) == 1 and results[0].status == "applied"
    assert [type(e) for e in errors] == [bankuploads.UploadError]
    assert "không ghi lần nữa" in str(errors[0])
    assert Payment.history.count() == history + 2  # one history row per payment recorded
    assert BankResultsUpload.objects.get().status == "applied"
    assert {p.status for p in (paying.payment("an"), paying.payment("binh"))} == {"paid", "failed"}
