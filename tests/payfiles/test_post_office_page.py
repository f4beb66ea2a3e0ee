"""The post office's page: its cash and home payments, recording results, who may see it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, PaymentCycle
from tests.cycles.conftest import enrol
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("post_office")


def _record(pk):
    return reverse("post_office_record", args=[pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("post_office", 200), ("officer", 200), ("accountant", 403), ("police", 403),
     ("district", 403)],
)  # fmt: skip
def test_the_page_is_for_the_post_office_and_the_officer(client, paying, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(PAGE).status_code == status


def test_the_page_lists_cash_and_home_payments_and_never_an_account(client, paying, post_office):
    client.force_login(post_office)
    response = client.get(PAGE)
    html = response.content.decode()
    assert [p.beneficiary.person.full_name for p in response.context["page"]] == [
        "Phạm Văn Dũng",  # Thôn Yến Cư
        "Trần Thị Cúc",  # Thôn Yến Trung
    ]
    assert "08/2023-09/2023" in html and "2.000.000 đ" in html and "(Vợ)" in html
    for hidden in ("Nguyễn Văn An", "Lê Thị Bình", "3500205000123", "0011000123456",
                   "Số tài khoản"):  # fmt: skip
        assert hidden not in html


def test_another_communes_cycle_and_payments_are_not_found(client, paying, other_officer):
    client.force_login(other_officer)
    assert client.get(PAGE, {"ky": paying.cycle.pk}).status_code == 404
    cuc = paying.payment("cuc")
    response = client.post(_record(cuc.pk), {"ket_qua": "paid"})
    assert response.status_code == 404
    cuc.refresh_from_db()
    assert cuc.status == "pending"


def test_recording_trio(client, paying, post_office, accountant, other_officer):
    cuc = paying.payment("cuc")
    client.force_login(accountant)
    assert client.post(_record(cuc.pk), {"ket_qua": "paid"}).status_code == 403
    client.force_login(other_officer)
    assert client.post(_record(cuc.pk), {"ket_qua": "paid"}).status_code == 404
    client.force_login(post_office)
    assert client.post(_record(cuc.pk), {"ket_qua": "paid"}).status_code == 302
    cuc.refresh_from_db()
    assert (cuc.status, cuc.paid_on, cuc.recorded_by) == ("paid", timezone.localdate(), post_office)


def test_an_account_payment_is_not_found_for_the_post_office(client, paying, post_office):
    client.force_login(post_office)
    an = paying.payment("an")
    assert client.post(_record(an.pk), {"ket_qua": "paid"}).status_code == 404


def test_filters_by_method_status_village_and_search(client, paying, post_office):
    client.force_login(post_office)

    def names(**query):
        page = client.get(PAGE, query).context["page"]
        return [p.beneficiary.person.full_name for p in page]

    assert names(hinh_thuc="home") == ["Phạm Văn Dũng"]
    assert names(thon="Thôn Yến Trung") == ["Trần Thị Cúc"]
    assert names(q="cuc") == ["Trần Thị Cúc"]
    assert names(q=paying.people["dung"].person.personal_id) == ["Phạm Văn Dũng"]
    assert names(trang_thai="paid") == []


def test_paid_on_a_date_and_a_double_submission_records_once(client, paying, post_office):
    client.force_login(post_office)
    cuc = paying.payment("cuc")
    data = {"ket_qua": "paid", "ngay": "2023-09-18", "next": PAGE}
    client.post(_record(cuc.pk), data)
    history = cuc.history.count()
    response = client.post(_record(cuc.pk), data, follow=True)
    assert "đã được ghi trước đó" in response.content.decode()
    cuc.refresh_from_db()
    assert cuc.paid_on == datetime.date(2023, 9, 18)
    assert cuc.history.count() == history


def test_not_collected_needs_a_reason(client, paying, post_office):
    client.force_login(post_office)
    dung = paying.payment("dung")
    response = client.post(_record(dung.pk), {"ket_qua": "returned", "ly_do": " "}, follow=True)
    assert "Cần ghi lý do không chi trả được." in response.content.decode()
    dung.refresh_from_db()
    assert dung.status == "pending"
    client.post(_record(dung.pk), {"ket_qua": "returned", "ly_do": "Đi viện"})
    dung.refresh_from_db()
    assert (dung.status, dung.failure_reason) == ("returned", "Đi viện")


def test_a_wrong_or_future_date_is_refused_in_vietnamese(client, paying, post_office):
    client.force_login(post_office)
    cuc = paying.payment("cuc")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day, message in (("31/02/2023", "không hợp lệ"), (f"{tomorrow:%Y-%m-%d}", "sau hôm nay")):
        response = client.post(_record(cuc.pk), {"ket_qua": "paid", "ngay": day}, follow=True)
        assert message in response.content.decode()
    cuc.refresh_from_db()
    assert cuc.status == "pending"


def test_bulk_paid_records_the_selected_rows(client, paying, post_office):
    client.force_login(post_office)
    cuc, dung, an = (paying.payment(k) for k in ("cuc", "dung", "an"))
    data = {"chon": [cuc.pk, dung.pk, an.pk], "ngay": "2023-09-19"}
    response = client.post(reverse("post_office_bulk_paid"), data, follow=True)
    html = response.content.decode()
    assert "cho 2 khoản." in html and "đã ghi trước đó" not in html
    statuses = dict(Payment.objects.filter(cycle=paying.cycle).values_list("pk", "status"))
    assert (statuses[cuc.pk], statuses[dung.pk], statuses[an.pk]) == ("paid", "paid", "pending")
    response = client.post(reverse("post_office_bulk_paid"), data, follow=True)
    assert "cho 0 khoản. 2 khoản đã ghi trước đó, không đổi: " in response.content.decode()


def test_bulk_paid_is_for_the_post_office_and_the_officer_only(client, paying, accountant):
    client.force_login(accountant)
    cuc = paying.payment("cuc")
    response = client.post(reverse("post_office_bulk_paid"), {"chon": [cuc.pk]})
    assert response.status_code == 403


def test_a_cycle_not_submitted_is_not_on_the_page(client, paying, post_office):
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="approved")
    client.force_login(post_office)
    response = client.get(PAGE)
    assert response.context["cycle"] == paying.previous  # August, still submitted
    assert client.get(PAGE, {"ky": paying.cycle.pk}).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(
    client, paying, post_office, officer, leader, django_assert_max_num_queries
):
    client.force_login(post_office)
    client.get(PAGE)
    with django_assert_max_num_queries(14) as few:
        client.get(PAGE)
    commune = paying.cycle.commune
    for _ in range(20):
        enrolment = enrol(commune, 1_000_000)
        RegistrationFactory(beneficiary=enrolment, method="home")
    from payments.services.cycles import open_cycle
    from tests.payfiles.conftest import submit

    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="draft", approved_by=None)
    cycle = submit(open_cycle(commune, paying.cycle.period, actor=officer).cycle, leader)
    assert cycle.payments.filter(method="home").count() == 21
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)
    assert len(response.context["page"]) == 22


def test_bulk_paid_leaves_a_not_collected_row_as_it_is_and_names_it(client, paying, post_office):
    client.force_login(post_office)
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    client.post(_record(dung.pk), {"ket_qua": "returned", "ly_do": "Vắng nhà"})
    history = dung.history.count()
    data = {"chon": [cuc.pk, dung.pk], "ngay": "2023-09-19", "next": PAGE}
    response = client.post(reverse("post_office_bulk_paid"), data, follow=True)
    assert (
        "Đã ghi “đã chi trả” cho 1 khoản. 1 khoản đã ghi trước đó, không đổi: Phạm Văn Dũng."
        in response.content.decode()
    )
    cuc.refresh_from_db()
    dung.refresh_from_db()
    assert (cuc.status, cuc.paid_on) == ("paid", datetime.date(2023, 9, 19))
    assert (dung.status, dung.paid_on, dung.failure_reason) == ("returned", None, "Vắng nhà")
    assert dung.history.count() == history


def test_bulk_paid_never_moves_an_earlier_paid_date(client, paying, post_office):
    client.force_login(post_office)
    cuc = paying.payment("cuc")
    client.post(_record(cuc.pk), {"ket_qua": "paid", "ngay": "2023-09-18"})
    data = {"chon": [cuc.pk], "ngay": "2023-09-20"}
    response = client.post(reverse("post_office_bulk_paid"), data, follow=True)
    assert "1 khoản đã ghi trước đó, không đổi: Trần Thị Cúc." in response.content.decode()
    cuc.refresh_from_db()
    assert (cuc.status, cuc.paid_on) == ("paid", datetime.date(2023, 9, 18))


def test_a_recorded_payment_shows_its_result_and_no_buttons(client, paying, post_office):
    client.force_login(post_office)
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    client.post(_record(cuc.pk), {"ket_qua": "paid", "ngay": "2023-09-18"})
    client.post(_record(dung.pk), {"ket_qua": "returned", "ly_do": "Vắng nhà"})
    html = client.get(PAGE).content.decode()
    assert "Đã ghi: Đã chi trả ngày 18/09/2023" in html
    assert "Đã ghi: Không nhận (tiền mặt) — Vắng nhà" in html
    for pk in (cuc.pk, dung.pk):
        assert _record(pk) not in html
        assert f'name="chon" value="{pk}"' not in html


def test_a_pending_payment_keeps_its_buttons(client, paying, post_office):
    client.force_login(post_office)
    html = client.get(PAGE).content.decode()
    cuc = paying.payment("cuc")
    assert _record(cuc.pk) in html and f'name="chon" value="{cuc.pk}"' in html
    assert "Đã ghi:" not in html


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"ket_qua": "returned", "ly_do": "Vắng nhà"}, {"ket_qua": "paid", "ngay": "2023-09-18"}),
        ({"ket_qua": "paid", "ngay": "2023-09-18"}, {"ket_qua": "returned", "ly_do": "Đi viện"}),
        ({"ket_qua": "paid", "ngay": "2023-09-18"}, {"ket_qua": "paid", "ngay": "2023-09-20"}),
    ],
)
def test_a_second_post_over_a_recorded_result_is_refused(
    client, paying, post_office, first, second
):
    client.force_login(post_office)
    dung = paying.payment("dung")
    client.post(_record(dung.pk), first)
    dung.refresh_from_db()
    before = (dung.status, dung.paid_on, dung.failure_reason, dung.history.count())
    response = client.post(_record(dung.pk), {**second, "next": PAGE}, follow=True)
    html = response.content.decode()
    assert f"{dung.receiver_name}: Khoản này đã được ghi “" in html
    assert "không ghi đè kết quả đã ghi. Nếu kết quả đó sai, hãy dùng “Sửa kết quả”" in html
    assert "Không có gì thay đổi." in html
    dung.refresh_from_db()
    assert (dung.status, dung.paid_on, dung.failure_reason, dung.history.count()) == before


def test_the_paid_date_is_typed_and_shown_as_dd_mm_yyyy(client, paying, post_office):
    client.force_login(post_office)
    html = client.get(PAGE).content.decode()
    today = timezone.localdate()
    assert 'type="date"' not in html
    boxes = re.findall(r'<input [^>]*name="ngay"[^>]*>', html)
    assert boxes
    for box in boxes:
        assert 'type="text"' in box and 'placeholder="dd/mm/yyyy"' in box
        assert f'value="{today:%d/%m/%Y}"' in box

    cuc = paying.payment("cuc")
    client.post(_record(cuc.pk), {"ket_qua": "paid", "ngay": "18/9/2023"})

    cuc.refresh_from_db()
    assert (cuc.status, cuc.paid_on) == ("paid", datetime.date(2023, 9, 18))
