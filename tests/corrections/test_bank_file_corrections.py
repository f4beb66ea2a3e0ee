"""A bank's results file that says otherwise than a result recorded before: each such row
is a correction whose reason is the file, counted on the preview and in the summary."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from payments.bankresults import import_bank_results
from payments.models import BankResultsUpload, ResultCorrection
from payments.services.results import record_result
from tests.payfiles.conftest import TODAY
from tests.payfiles.test_bank_results_import import _csv, _import, _row
from tests.payfiles.test_bank_results_page import _confirm, _upload

pytestmark = pytest.mark.django_db


def test_the_results_page_previews_then_records_the_corrections(client, paying, officer):
    an = paying.payment("an")
    record_result(an, status="failed", reason="Sai tên", actor=officer)
    client.force_login(officer)
    data = _csv([_row(an), _row(paying.payment("em"))])
    _upload(client, paying.cycle, data, name="ket-qua-lan-2.csv")
    upload = BankResultsUpload.objects.get()
    assert upload.summary["corrected"] == 1 and upload.summary["changed"] == 2
    page = client.get(reverse("results_upload_detail", args=[upload.pk])).content.decode()
    assert "Tệp kết quả ket-qua-lan-2.csv" in page
    assert not ResultCorrection.objects.exists()  # the preview records nothing
    _confirm(client, upload)
    correction = ResultCorrection.objects.get()
    assert (correction.payment_id, correction.old_status, correction.new_status) == (
        an.pk,
        "failed",
        "paid",
    )
    assert (correction.reason, correction.corrected_by) == (
        "Tệp kết quả ket-qua-lan-2.csv",
        officer,
    )


@pytest.mark.parametrize("one_by_one", [False, True])
def test_the_command_s_summary_names_the_corrections(paying, officer, one_by_one):
    an = paying.payment("an")
    _import(_csv([_row(an)]), actor=officer)
    summary = import_bank_results(
        io.BytesIO(_csv([_row(an, "Không thành công", ref="", day="", reason="Hoàn tiền")])),
        filename="sua.csv",
        actor=officer,
        today=TODAY,
        one_by_one=one_by_one,
    )
    assert summary.ok and (summary.changed, summary.corrected) == (1, 1)
    assert any("1 khoản sửa kết quả đã ghi trước (lý do: Tệp kết quả sua.csv)" in line
               for line in summary.lines())  # fmt: skip
    assert ResultCorrection.objects.get().reason == "Tệp kết quả sua.csv"


def test_the_post_office_may_not_correct_a_transfer_through_a_file(paying, officer, post_office):
    an = paying.payment("an")
    _import(_csv([_row(an)]), actor=officer)
    summary = _import(
        _csv([_row(an, "Không thành công", ref="", day="", reason="Hoàn tiền")]),
        actor=post_office,
    )
    assert not summary.ok
    assert "không được" in summary.errors[0].message
    an.refresh_from_db()
    assert an.status == "paid" and not ResultCorrection.objects.exists()
