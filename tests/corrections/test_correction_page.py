"""The “Sửa kết quả” page: reached from the payments and the post office's rows, roles,
bad input kept with a Vietnamese error, confirmation once, the corrections listed."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.confirm import VERSION_FIELD
from payments.models import PaymentCycle, ResultCorrection
from payments.services.corrections import correct_result
from tests.confirming import confirm_post
from tests.corrections.conftest import PAID_ON

pytestmark = pytest.mark.django_db

GOOD = {
    "ket_qua": "failed",
    "ngay_chi_tra": "",
    "ma_giao_dich": "FT1",
    "ly_do_khong_chi_tra": "Giao dịch bị hoàn",
    "ly_do": "Ngân hàng báo lại ngày 20/09/2023",
}


def _url(payment) -> str:
    return reverse("result_correction", args=[payment.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_payments_list_links_each_recorded_result_to_its_correction(client, sent, officer):
    client.force_login(officer)
    page = client.get(reverse("cycle_payments", args=[sent.cycle.pk])).content.decode()
    assert page.count('data-testid="correct-result"') == 2
    assert _url(sent.account_payment) in page and _url(sent.cash_payment) in page


def test_the_leader_sees_no_link_and_is_refused_the_page(client, sent, leader):
    client.force_login(leader)
    page = client.get(reverse("cycle_payments", args=[sent.cycle.pk])).content.decode()
    assert "correct-result" not in page
    assert client.get(_url(sent.account_payment)).status_code == 403


def test_another_commune_gets_404_and_the_post_office_403_on_the_cycle_s_page(
    client, sent, other_officer, post_office
):
    client.force_login(other_officer)
    assert client.get(_url(sent.account_payment)).status_code == 404
    client.force_login(post_office)
    assert client.get(_url(sent.cash_payment)).status_code == 403


def test_the_page_shows_the_result_recorded_and_the_form(client, sent, officer):
    client.force_login(officer)
    response = client.get(_url(sent.account_payment))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sửa kết quả chi trả — Nguyễn Văn An, tháng 09/2023" in page
    assert "Đã chi trả ngày 12/09/2023 (mã FT1)" in page
    assert "2.055.000 đ" in page
    assert 'name="ngay_chi_tra"' in page and 'type="date"' not in page
    # The transfer's choices: paid or failed, never "not collected" (cash).
    assert [c[0] for c in response.context["confirmation"].form.fields["ket_qua"].choices] == [
        "paid",
        "failed",
    ]
    assert "<script>" not in page


def test_a_correction_is_confirmed_once_and_listed_with_who_when_why(client, sent, officer):
    client.force_login(officer)
    url = _url(sent.account_payment)
    token = client.get(url).context["confirmation"].token
    response = client.post(url, {VERSION_FIELD: token, **GOOD})
    assert response.status_code == 302
    assert response.url == reverse("cycle_payments", args=[sent.cycle.pk])
    assert any("Đã sửa kết quả của Nguyễn Văn An" in m for m in _messages(response))
    correction = ResultCorrection.objects.get()
    assert (correction.new_status, correction.new_failure_reason, correction.reason) == (
        "failed",
        "Giao dịch bị hoàn",
        "Ngân hàng báo lại ngày 20/09/2023",
    )
    # The same page sent again (a double click): nothing more happens, and it says so.
    again = client.post(url, {VERSION_FIELD: token, **GOOD})
    assert ResultCorrection.objects.count() == 1
    assert again.status_code == 400
    assert "không sửa lần nữa" in again.content.decode()
    page = client.get(url).content.decode()
    assert "Các lần sửa kết quả của khoản này" in page
    assert "Ngân hàng báo lại ngày 20/09/2023" in page
    assert "Chuyển khoản lỗi — Giao dịch bị hoàn (mã FT1)" in page


def test_a_stale_page_changes_nothing(client, sent, officer, accountant):
    client.force_login(officer)
    url = _url(sent.account_payment)
    token = client.get(url).context["confirmation"].token
    correct_result(
        sent.account_payment,
        status="failed",
        paid_on=None,
        reference="",
        reason="Người khác vừa sửa",
        actor=accountant,
    )
    response = client.post(url, {VERSION_FIELD: token, **{**GOOD, "ket_qua": "paid",
                                                          "ngay_chi_tra": "13/09/2023"}})  # fmt: skip
    assert response.status_code == 302
    assert any("đã cũ" in m and "Không có gì được thực hiện thêm" in m for m in _messages(response))
    assert ResultCorrection.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"ly_do": "  "}, "ly_do", "Hãy ghi lý do."),
        ({"ket_qua": "paid", "ngay_chi_tra": ""}, "ngay_chi_tra", "Cần ngày chi trả."),
        ({"ket_qua": "paid", "ngay_chi_tra": "31/02/2023"}, "ngay_chi_tra", "dd/mm/yyyy"),
        ({"ket_qua": "paid", "ngay_chi_tra": "20/08/2023"}, "ngay_chi_tra", "trước tháng"),
        ({"ket_qua": "returned"}, "ket_qua", "không phải một trong các lựa chọn|hợp lệ"),
        (
            {"ket_qua": "paid", "ngay_chi_tra": "12/09/2023", "ma_giao_dich": "FT1"},
            "__all__",
            "giống kết quả đang ghi",
        ),
    ],
)
def test_bad_input_comes_back_with_its_error_and_everything_typed(
    client, sent, officer, data, field, error
):
    import re

    client.force_login(officer)
    typed = {**GOOD, **data}
    response = confirm_post(client, _url(sent.account_payment), typed)
    assert response.status_code == 400
    form = response.context["confirmation"].form
    assert re.search(error, " ".join(form.errors[field]))
    page = response.content.decode()
    assert typed["ly_do_khong_chi_tra"] in page  # nothing typed is lost
    assert not ResultCorrection.objects.exists()


def test_a_refusal_of_the_service_comes_back_as_a_message(client, commune, sent, officer, leader):
    from tests.corrections.conftest import OCT, submit

    correct_result(
        sent.account_payment, status="failed", paid_on=None, reference="", reason="Hoàn",
        actor=officer,
    )  # fmt: skip
    submit(commune, OCT, officer, leader)  # pays September again
    client.force_login(officer)
    response = confirm_post(
        client,
        _url(sent.account_payment),
        {**GOOD, "ket_qua": "paid", "ngay_chi_tra": "12/09/2023", "ma_giao_dich": ""},
    )
    assert response.status_code == 302
    assert any("chi lại ở kỳ sau (kỳ tháng 10/2023)" in m for m in _messages(response))
    assert ResultCorrection.objects.count() == 1


def test_a_closed_cycle_is_corrected_by_the_accountant_not_the_officer(
    client, sent, officer, accountant
):
    PaymentCycle.objects.filter(pk=sent.cycle.pk).update(status="closed")
    client.force_login(officer)
    listing = client.get(reverse("cycle_payments", args=[sent.cycle.pk])).content.decode()
    assert "correct-result" not in listing
    assert client.get(_url(sent.cash_payment)).status_code == 403
    client.force_login(accountant)
    listing = client.get(reverse("cycle_payments", args=[sent.cycle.pk])).content.decode()
    assert "correct-result" in listing
    page = client.get(_url(sent.cash_payment)).content.decode()
    assert "đã khóa sổ" in page
    response = confirm_post(
        client,
        _url(sent.cash_payment),
        {**GOOD, "ket_qua": "paid", "ngay_chi_tra": "12/09/2023", "ma_giao_dich": ""},
    )
    assert response.status_code == 302
    assert ResultCorrection.objects.get().corrected_by == accountant


def test_the_post_office_corrects_its_cash_rows_from_its_page(client, sent, post_office):
    client.force_login(post_office)
    page = client.get(reverse("post_office"), {"ky": sent.cycle.pk}).content.decode()
    url = reverse("post_office_correction", args=[sent.cash_payment.pk])
    assert url in page
    # An account payment is not on its page at all.
    account_url = reverse("post_office_correction", args=[sent.account_payment.pk])
    assert client.get(account_url).status_code == 404
    response = confirm_post(
        client,
        url,
        {"ket_qua": "paid", "ngay_chi_tra": "12/09/2023", "ly_do": "Người nhận đã ký sổ"},
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('post_office')}?ky={sent.cycle.pk}"
    sent.cash_payment.refresh_from_db()
    payment = sent.cash_payment
    assert (payment.status, payment.paid_on) == ("paid", PAID_ON)


def test_the_post_office_s_recorded_row_refuses_a_new_result_and_points_at_the_form(
    client, sent, post_office
):
    client.force_login(post_office)
    response = client.post(
        reverse("post_office_record", args=[sent.cash_payment.pk]),
        {"ket_qua": "paid", "ngay": "12/09/2023"},
    )
    assert response.status_code == 302
    assert any("Sửa kết quả" in m for m in _messages(response))
    sent.cash_payment.refresh_from_db()
    assert sent.cash_payment.status == "returned"


def test_the_trail_leads_back_to_the_cycle_s_payments(client, sent, officer):
    client.force_login(officer)
    page = client.get(_url(sent.account_payment)).content.decode()
    assert reverse("cycle_payments", args=[sent.cycle.pk]) in page
    assert reverse("cycle_detail", args=[sent.cycle.pk]) in page
