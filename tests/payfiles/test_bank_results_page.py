"""The cycle's bank results page: upload → check and preview → confirm, once; any bad row
and the whole file is refused, with the rows and reasons on the page and in a workbook."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from beneficiaries.models import Beneficiary, Programme, ProgrammeAccess
from payments import bankuploads
from payments.bankfiles import BankFileExchange
from payments.models import BankResultsUpload, Payment, PaymentCycle
from payments.services.cycles import open_cycle
from tests.factories import CategoryFactory, ProgrammeFactory, UserFactory
from tests.payfiles.conftest import submit
from tests.payfiles.test_bank_results_import import HEADER, _csv, _row, _set, _state

pytestmark = pytest.mark.django_db
OCT = datetime.date(2023, 10, 1)


def _upload(client, cycle, data: bytes, name="ket-qua.csv"):
    return client.post(
        reverse("results_upload", args=[cycle.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def _good(paying) -> bytes:
    return _csv(
        [
            _row(paying.payment("an")),
            _row(paying.payment("binh"), "Không thành công", ref="", day="", reason="Tài khoản đã đóng"),
            _row(paying.payment("em"), result=""),  # the bank has not answered yet
        ]
    )  # fmt: skip


def _confirm(client, upload):
    return client.post(reverse("results_upload_confirm", args=[upload.pk]), follow=True)


def test_a_good_file_is_previewed_then_recorded_on_confirmation(client, paying, officer):
    client.force_login(officer)
    before = _state(paying)
    answer = _upload(client, paying.cycle, _good(paying))
    upload = BankResultsUpload.objects.get()
    assert answer["Location"] == reverse("results_upload_detail", args=[upload.pk])
    assert (upload.status, upload.uploaded_by, upload.original_name) == (
        "checked",
        officer,
        "ket-qua.csv",
    )
    assert _state(paying) == before  # the preview records nothing
    assert upload.summary | {"reasons": None} == {
        "rows": 3, "paid": 1, "paid_amount": 2_055_000, "failed": 1, "failed_amount": 1_500_000,
        "total_amount": 3_555_000, "changed": 2, "unchanged": 0, "corrected": 0, "skipped": 1,
        "errors": 0, "reasons": None,
    }  # fmt: skip
    assert upload.summary["reasons"] == [
        {"reason": "Tài khoản đã đóng", "count": 1, "amount": 1_500_000}
    ]
    page = client.get(answer["Location"]).content.decode()
    assert "2.055.000 đ" in page and "1.500.000 đ" in page and "3.555.000 đ" in page
    assert "Tài khoản đã đóng" in page
    assert "Xác nhận ghi kết quả 2 khoản" in page

    done = _confirm(client, upload).content.decode()
    assert "Đã ghi kết quả: 2 khoản thay đổi, 0 khoản đã ghi trước." in done
    upload.refresh_from_db()
    assert (upload.status, upload.applied_by) == ("applied", officer)
    an, binh, em = (paying.payment(k) for k in ("an", "binh", "em"))
    assert (an.status, an.reference, an.recorded_by) == ("paid", "FT230915001", officer)
    assert (binh.status, binh.failure_reason) == ("failed", "Tài khoản đã đóng")
    assert em.status == "pending"


def test_confirming_twice_records_once(client, paying, officer):
    client.force_login(officer)
    _upload(client, paying.cycle, _good(paying))
    upload = BankResultsUpload.objects.get()
    _confirm(client, upload)
    state, history = _state(paying), Payment.history.count()
    again = _confirm(client, upload).content.decode()
    assert "Tệp này đã được ghi lúc" in again and "không ghi lần nữa" in again
    assert _state(paying) == state and Payment.history.count() == history
    upload.refresh_from_db()
    assert upload.status == "applied"
    # The service refuses the second time too, whoever calls it.
    with pytest.raises(bankuploads.UploadError):
        bankuploads.apply_results(upload, actor=officer)


def test_the_same_results_uploaded_again_change_nothing(client, paying, officer):
    client.force_login(officer)
    _upload(client, paying.cycle, _good(paying))
    _confirm(client, BankResultsUpload.objects.get())
    state = _state(paying)
    _upload(client, paying.cycle, _good(paying))
    second = BankResultsUpload.objects.latest("pk")
    assert (second.summary["changed"], second.summary["unchanged"]) == (0, 2)
    page = _confirm(client, second).content.decode()
    assert "0 khoản thay đổi, 2 khoản đã ghi trước" in page
    assert _state(paying) == state


def test_an_xlsx_results_file_is_read_like_the_command_reads_it(client, paying, officer):
    an = paying.payment("an")
    workbook = Workbook()
    ws = workbook.active
    ws.append(["ỦY BAN NHÂN DÂN"])
    ws.append(HEADER)
    row = _row(an)
    row[0], row[6] = 1, an.amount
    ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(officer)
    _upload(client, paying.cycle, out.getvalue(), name="ket-qua-agribank.xlsx")
    upload = BankResultsUpload.objects.get()
    assert (upload.status, upload.summary["paid"]) == ("checked", 1)
    assert upload.file.name.endswith(".xlsx")
    _confirm(client, upload)
    assert paying.payment("an").status == "paid"


def _other_cycle_row(paying):
    """A payment of August's cycle, in September's file."""
    august = paying.previous.payments.get(beneficiary=paying.people["binh"])
    return _set(_row(paying.payment("binh")), ref=f"ASXH{august.pk:08d}")


BAD = {
    "unknown account": (
        lambda p: _set(_row(p.payment("binh")), account="9999999999"),
        "Số tài khoản", "Số tài khoản khác tài khoản của khoản chi trả (0011000123456).",
    ),
    "amount not matching": (
        lambda p: _set(_row(p.payment("binh")), amount="1.400.000"),
        "Số tiền (đồng)", "Số tiền khác khoản chi trả (1.500.000 đ).",
    ),
    "payment of another cycle": (
        _other_cycle_row, "Mã thanh toán",
        "Khoản này thuộc kỳ chi trả tháng 08/2023, không thuộc kỳ đang nhập (tháng 09/2023).",
    ),
    "duplicate row": (
        lambda p: _row(p.payment("an")), "Mã thanh toán",
        "Mã thanh toán trùng với dòng 2: mỗi khoản chỉ một dòng.",
    ),
    "unknown payment": (
        lambda p: _set(_row(p.payment("binh")), ref="ASXH99999999"), "Mã thanh toán",
        "Không có khoản chi trả mang mã này ở xã Yến Sơn.",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_a_file_with_one_bad_row_is_refused_whole(client, paying, officer, case):
    build, column, message = BAD[case]
    bad_row = build(paying)
    before = _state(paying)
    client.force_login(officer)
    answer = _upload(client, paying.cycle, _csv([_row(paying.payment("an")), bad_row]))
    upload = BankResultsUpload.objects.get()
    assert upload.status == "refused"
    assert [(i["row"], i["column"], i["message"]) for i in upload.issues] == [(3, column, message)]
    page = client.get(answer["Location"]).content.decode()
    assert "cả tệp bị từ chối" in page and message in page
    assert "Xác nhận ghi" not in page
    assert _state(paying) == before  # the good row (An) is not recorded either

    refused = _confirm(client, upload).content.decode()
    assert "Tệp có lỗi nên không ghi kết quả nào" in refused
    assert _state(paying) == before

    errors = client.get(reverse("results_upload_errors", args=[upload.pk]))
    assert errors["Content-Disposition"].endswith('ket-qua-loi-kiem-tra.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert any("KẾT QUẢ KIỂM TRA TỆP KẾT QUẢ NGÂN HÀNG" in str(r[0]) for r in rows)
    assert any("Kỳ chi trả tháng 09/2023 — xã Yến Sơn" in str(r[0]) for r in rows)
    header = rows.index(["Trang tính", "Dòng", "Cột", "Giá trị", "Lỗi"])
    assert rows[header + 1][1:] == [3, column, rows[header + 1][3], message]


def test_wrong_columns_are_refused_whole(client, paying, officer):
    before = _state(paying)
    data = _csv([_row(paying.payment("an"))]).replace("Lý do không thành công".encode(), b"Ghi chu")
    client.force_login(officer)
    answer = _upload(client, paying.cycle, data)
    upload = BankResultsUpload.objects.get()
    assert upload.status == "refused"
    assert upload.issues[0]["column"] == "Lý do không thành công"
    assert upload.issues[0]["message"] == "Thiếu cột này."
    assert "Thiếu cột này." in client.get(answer["Location"]).content.decode()
    assert _state(paying) == before


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, paying, officer):
    client.force_login(officer)
    answer = _upload(client, paying.cycle, b"%PDF-1.4 not a workbook", name="ket-qua.xlsx")
    upload = BankResultsUpload.objects.get()
    assert upload.status == "refused"
    page = client.get(answer["Location"]).content.decode()
    assert "Tệp không phải bảng tính Excel .xlsx (tệp PDF)" in page
    errors = client.get(reverse("results_upload_errors", args=[upload.pk]))
    assert errors.status_code == 200


def test_a_file_of_another_kind_or_too_large_is_refused_before_anything_is_kept(
    client, paying, officer, settings
):
    client.force_login(officer)
    page = _upload(client, paying.cycle, b"%PDF-1.4", name="ket-qua.pdf")
    assert page.status_code == 200
    assert "Chỉ nhận tệp Excel .xlsx (hoặc .csv ngân hàng xuất)" in page.content.decode()
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = _good(paying) + b"," * (1024 * 1024)
    page = _upload(client, paying.cycle, big)
    assert "Tệp lớn hơn giới hạn 1 MB" in page.content.decode()
    assert not BankResultsUpload.objects.exists()


def test_a_file_checked_then_made_wrong_by_a_later_cycle_is_refused_on_confirmation(
    client, paying, officer
):
    client.force_login(officer)
    _upload(client, paying.cycle, _good(paying))
    upload = BankResultsUpload.objects.get()
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="closed")
    before = _state(paying)
    page = _confirm(client, upload).content.decode()
    assert "chỉ nhận kết quả ngân hàng cho kỳ đã gửi hoặc đã chi trả" in page
    assert _state(paying) == before
    upload.refresh_from_db()
    assert upload.status == "checked"


def test_a_result_the_service_refuses_on_confirmation_refuses_the_file(
    client, paying, officer, leader
):
    """Checked, then the transfer failed and its months were paid again by a later cycle:
    refused on confirmation as the service refuses it today, nothing written."""
    an = paying.payment("an")
    client.force_login(officer)
    _upload(client, paying.cycle, _csv([_row(an)]))
    upload = BankResultsUpload.objects.get()
    failed = _csv([_row(an, "Không thành công", ref="", day="", reason="Sai tên")])
    assert BankFileExchange().import_results(io.BytesIO(failed), filename="x.csv").ok
    submit(open_cycle(paying.cycle.commune, OCT, actor=officer).cycle, leader)
    before = _state(paying)
    page = _confirm(client, upload).content.decode()
    assert "Khi ghi, tệp không còn hợp lệ" in page and "kỳ sau" in page
    upload.refresh_from_db()
    assert upload.status == "refused"
    assert _state(paying) == before


def test_a_cycle_not_sent_takes_no_results(client, paying, officer):
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="approved")
    client.force_login(officer)
    page = client.get(reverse("results_upload", args=[paying.cycle.pk]))
    assert 'data-testid="results-closed"' in page.content.decode()
    page = _upload(client, paying.cycle, _good(paying))
    assert "chỉ nhận kết quả ngân hàng cho kỳ đã gửi" in page.content.decode()
    assert not BankResultsUpload.objects.exists()


@pytest.mark.parametrize("role_user", ["leader", "district"])
def test_roles_that_may_not_record_bank_results_are_refused(client, paying, request, role_user):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(reverse("results_upload", args=[paying.cycle.pk])).status_code == 403
    assert _upload(client, paying.cycle, _good(paying)).status_code == 403
    assert not BankResultsUpload.objects.exists()
    detail = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    assert "results-upload-link" not in detail


def test_another_commune_s_officer_finds_nothing(client, paying, officer, other_officer):
    client.force_login(officer)
    _upload(client, paying.cycle, _good(paying))
    upload = BankResultsUpload.objects.get()
    client.force_login(other_officer)
    assert client.get(reverse("results_upload", args=[paying.cycle.pk])).status_code == 404
    for name in ("results_upload_detail", "results_upload_errors"):
        assert client.get(reverse(name, args=[upload.pk])).status_code == 404
    assert client.post(reverse("results_upload_confirm", args=[upload.pk])).status_code == 404
    upload.refresh_from_db()
    assert upload.status == "checked"


def test_the_accountant_records_the_bank_s_results_too(client, paying, accountant):
    client.force_login(accountant)
    assert client.get(reverse("results_upload", args=[paying.cycle.pk])).status_code == 200
    _upload(client, paying.cycle, _good(paying))
    upload = BankResultsUpload.objects.get()
    assert upload.status == "checked"
    client.post(reverse("results_upload_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "applied"


def test_the_post_office_is_refused(client, paying, post_office):
    client.force_login(post_office)
    assert client.get(reverse("results_upload", args=[paying.cycle.pk])).status_code == 403


def test_a_user_limited_to_a_programme_records_only_its_payments(client, paying, officer):
    ncc = paying.payment("an").beneficiary.programme
    other = ProgrammeFactory(code="BTXH_T", name="Bảo trợ thử")
    em = Beneficiary.objects.get(pk=paying.people["em"].pk)
    Beneficiary.objects.filter(pk=em.pk).update(
        programme=other, category=CategoryFactory(code="BTXH_T1", programme=other)
    )
    limited = UserFactory(
        username="canbo_ncc", role="labour_officer", communes=[paying.cycle.commune]
    )
    ProgrammeAccess.objects.create(user=limited, programme=ncc)
    client.force_login(limited)
    _upload(client, paying.cycle, _csv([_row(paying.payment("an")), _row(paying.payment("em"))]))
    upload = BankResultsUpload.objects.get()
    assert upload.status == "refused"
    assert [(i["row"], i["message"]) for i in upload.issues] == [
        (3, "Khoản này thuộc chương trình bạn không được giao: không ghi kết quả được.")
    ]
    assert Programme.objects.filter(pk=other.pk).exists()


def test_the_cycle_page_leads_the_officer_to_the_upload(client, paying, officer):
    client.force_login(officer)
    detail = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    assert reverse("results_upload", args=[paying.cycle.pk]) in detail
    upload_page = client.get(reverse("results_upload", args=[paying.cycle.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in upload_page and "<script>" not in upload_page
