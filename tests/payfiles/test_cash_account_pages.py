"""The cash account's pages: the cycle page (accountant, officer, leader), the
post office's page, the two forms and the two confirmations."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core import roles
from payments.models import CashAccount
from payments.services.cashaccount import (
    account_state,
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)
from payments.services.cycles import mark_cycle_paid
from payments.services.results import record_result
from tests.confirming import confirm_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 9, 10)
TOTAL = 2_750_000


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _results(paying, officer):
    record_result(paying.payment("cuc"), status="paid", paid_on=DAY, actor=officer)
    record_result(paying.payment("dung"), status="returned", reason="Vắng nhà", actor=officer)


def _balanced(paying, officer, accountant, post_office):
    cycle = paying.cycle
    record_handover(cycle, amount=TOTAL, handed_over_on=DAY, voucher="PC-15", actor=accountant)
    _results(paying, officer)
    record_returned_cash(cycle, amount=750_000, returned_on=DAY, actor=post_office)
    return cycle


@pytest.mark.parametrize("who", ["accountant", "officer", "leader"])
def test_the_cycle_page_shows_the_account_to_the_commune(client, request, paying, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("cycle_detail", args=[paying.cycle.pk]))
    html = page.content.decode()
    assert page.context["cash"].figures.total == TOTAL
    assert "Tài khoản tiền mặt của bưu điện" in html
    assert "2.750.000 đ" in html and "Chưa cân" in html
    assert "Kế toán chưa ghi số tiền giao cho bưu điện." in html
    handover = reverse("cash_handover", args=[paying.cycle.pk])
    assert (handover in html) == (who == "accountant")


def test_the_cycle_page_of_a_cycle_without_cash_has_no_account(client, accountant, paying):
    paying.cycle.payments.filter(method__in=["cash", "home"]).delete()
    client.force_login(accountant)
    page = client.get(reverse("cycle_detail", args=[paying.cycle.pk]))
    assert "cash" not in page.context
    assert "Tài khoản tiền mặt của bưu điện" not in page.content.decode()


def test_the_accountant_records_the_handover_through_its_form(client, accountant, paying):
    url = reverse("cash_handover", args=[paying.cycle.pk])
    client.force_login(accountant)
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["so_tien"] == "2.750.000"
    data = {"so_tien": "2.750.000", "ngay": "10/09/2023", "so_phieu": "PC-15"}
    done = client.post(url, data, follow=True)
    assert _messages(done) == ["Đã ghi bàn giao 2.750.000 đ cho bưu điện."]
    account = CashAccount.objects.get()
    assert (account.handed_over_amount, account.handed_over_on, account.handover_voucher) == (
        TOTAL,
        DAY,
        "PC-15",
    )
    assert account.handed_over_by == accountant
    html = done.content.decode()
    assert "Ngày 10/09/2023, phiếu PC-15" in html
    again = client.post(url, data, follow=True)
    assert _messages(again) == ["Bàn giao này đã được ghi trước đó: không có gì thay đổi."]
    assert account.history.count() == 1


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {"so_tien": "2.700.000", "ngay": "10/09/2023", "so_phieu": "PC-15"},
            "chênh lệch −50.000 đ. Không ghi gì.",
        ),
        (
            {"so_tien": "hai triệu", "ngay": "10/09/2023", "so_phieu": "PC-15"},
            "Không đọc được số tiền “hai triệu”",
        ),
        (
            {"so_tien": "2.750.000", "ngay": "31/09/2023", "so_phieu": "PC-15"},
            "Nhập ngày dạng dd/mm/yyyy",
        ),
        ({"so_tien": "2.750.000", "ngay": "10/09/2023", "so_phieu": ""}, "This field is required"),
    ],
)
def test_a_bad_handover_is_drawn_again_with_what_was_typed(client, accountant, paying, data, said):
    client.force_login(accountant)
    response = client.post(reverse("cash_handover", args=[paying.cycle.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    if said == "This field is required":
        said = response.context["form"].errors["so_phieu"][0]
        assert said and "required" not in said  # the message is Vietnamese
    assert said in html
    assert f'value="{data["so_tien"]}"' in html  # nothing typed is lost
    assert not CashAccount.objects.exists()


def test_the_post_office_page_shows_the_account_and_its_forms(
    client, paying, officer, accountant, post_office
):
    cycle = _balanced(paying, officer, accountant, post_office)
    client.force_login(post_office)
    page = client.get(reverse("post_office"), {"ky": cycle.pk})
    html = page.content.decode()
    assert "Đã cân, chờ bưu điện xác nhận" in html
    assert reverse("post_office_cash_returned", args=[cycle.pk]) in html
    assert reverse("post_office_cash_confirm", args=[cycle.pk]) in html
    assert "Đã giao 2.750.000 đ = đã chi trả 2.000.000 đ + không nhận 750.000 đ" in html
    # The officer reaches the post office's page and reads the account, without its forms.
    client.force_login(officer)
    html = client.get(reverse("post_office"), {"ky": cycle.pk}).content.decode()
    assert "Tài khoản tiền mặt của bưu điện" in html
    assert reverse("post_office_cash_confirm", args=[cycle.pk]) not in html


def test_the_post_office_records_the_cash_it_returns(client, paying, officer, post_office):
    _results(paying, officer)
    url = reverse("post_office_cash_returned", args=[paying.cycle.pk])
    client.force_login(post_office)
    assert client.get(url).context["form"].initial["so_tien"] == "750.000"
    done = client.post(url, {"so_tien": "700.000", "ngay": "19/09/2023"}, follow=True)
    assert _messages(done) == ["Đã ghi tiền mặt nộp lại 700.000 đ."]
    html = done.content.decode()
    assert "Chênh lệch tiền nộp lại so với các khoản không nhận: −50.000 đ" in html
    bad = client.post(url, {"so_tien": "-5", "ngay": "19/09/2023"})
    assert bad.status_code == 400 and "Số tiền không được là số âm." in bad.content.decode()
    assert CashAccount.objects.get().returned_amount == 700_000


def test_both_confirm_through_their_pages_once(client, paying, officer, accountant, post_office):
    cycle = _balanced(paying, officer, accountant, post_office)
    client.force_login(post_office)
    url = reverse("post_office_cash_confirm", args=[cycle.pk])
    page = client.get(url)
    facts = dict(page.context["confirmation"].facts)
    assert facts["Đã giao cho bưu điện"] == "2.750.000 đ"
    assert facts["Không nhận"] == "1 khoản, 750.000 đ"
    token = page.context["confirmation"].token
    done = client.post(url, {"phien_ban": token}, follow=True)
    assert _messages(done) == ["Bưu điện đã xác nhận tài khoản tiền mặt kỳ 09/2023."]
    twice = client.post(url, {"phien_ban": token}, follow=True)
    assert "Trang xác nhận đã cũ" in _messages(twice)[0]
    assert "Không có gì được thực hiện thêm." in _messages(twice)[0]
    assert CashAccount.objects.get().history.count() == 3

    client.force_login(accountant)
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    accountant_url = reverse("cash_confirm_accountant", args=[cycle.pk])
    assert accountant_url in html
    done = confirm_post(client, accountant_url, follow=True)
    assert _messages(done) == ["Kế toán đã xác nhận tài khoản tiền mặt kỳ 09/2023."]
    assert account_state(cycle).confirmed
    assert "Đã cân, bưu điện và kế toán đã xác nhận" in done.content.decode()


def test_an_unbalanced_confirmation_is_refused_with_the_reasons(client, paying, post_office):
    client.force_login(post_office)
    url = reverse("post_office_cash_confirm", args=[paying.cycle.pk])
    page = client.get(url)
    assert (
        "Còn 2 khoản tiền mặt chưa có kết quả (2.750.000 đ)."
        in page.context["confirmation"].warnings
    )
    refused = confirm_post(client, url, follow=True)
    assert "Tài khoản tiền mặt chưa cân, chưa xác nhận được" in _messages(refused)[0]
    assert not CashAccount.objects.exists()


def test_the_same_person_is_told_before_and_refused_on_the_accountant_s_page(
    client, paying, officer, commune
):
    both = UserFactory(username="kiemnhiem", role=roles.POST_OFFICE, communes=[commune])
    both.groups.add(*UserFactory(username="ketoan2", role=roles.ACCOUNTANT).groups.all())
    cycle = _balanced(paying, officer, both, both)
    confirm_for_post_office(cycle, actor=both)
    client.force_login(both)
    url = reverse("cash_confirm_accountant", args=[cycle.pk])
    assert "Bạn đã xác nhận cho bưu điện" in " ".join(
        client.get(url).context["confirmation"].warnings
    )
    refused = confirm_post(client, url, follow=True)
    assert "không xác nhận lần thứ hai" in _messages(refused)[0]
    assert not account_state(cycle).accountant_confirmed


def test_the_close_confirmation_says_what_the_cash_account_lacks(client, paying, officer):
    cycle = mark_cycle_paid(paying.cycle, actor=officer)
    cycle.payments.filter(method="account").update(status="paid", paid_on=DAY)
    _results(paying, officer)
    client.force_login(officer)
    url = reverse("cycle_action", args=[cycle.pk, "khoa-so"])
    warnings = client.get(url).context["confirmation"].warnings
    assert warnings == [
        "Tài khoản tiền mặt của bưu điện chưa cân: Kế toán chưa ghi số tiền giao cho bưu điện. "
        "Bưu điện chưa ghi số tiền mặt nộp lại. Chưa khóa sổ được."
    ]
    refused = confirm_post(client, url, follow=True)
    assert "Tài khoản tiền mặt của bưu điện chưa cân" in _messages(refused)[0]
    cycle.refresh_from_db()
    assert cycle.status == "paid"


# Who may not: the right role is tested above; every other one gets a 403, another
# commune's user a 404, and nothing is written.
REFUSED = [
    ("officer", "cash_handover", 403),
    ("leader", "cash_handover", 403),
    ("post_office", "cash_handover", 403),
    ("police", "cash_handover", 403),
    ("post_office", "cash_confirm_accountant", 403),
    ("leader", "cash_confirm_accountant", 403),
    ("accountant", "post_office_cash_returned", 403),
    ("officer", "post_office_cash_returned", 403),
    ("leader", "post_office_cash_confirm", 403),
    ("officer", "post_office_cash_confirm", 403),
    ("other_officer", "cash_handover", 404),
]


def test_who_may_not_open_the_forms(client, request, paying):
    for who, name, status in REFUSED:
        client.force_login(request.getfixturevalue(who))
        url = reverse(name, args=[paying.cycle.pk])
        assert client.get(url).status_code == status, (who, name)
        assert client.post(url, {"so_tien": "0", "ngay": "10/09/2023"}).status_code == status
    assert not CashAccount.objects.exists()


def test_another_commune_s_staff_get_a_404(client, paying, other_commune):
    for role, name in (
        (roles.ACCOUNTANT, "cash_handover"),
        (roles.POST_OFFICE, "post_office_cash_returned"),
        (roles.POST_OFFICE, "post_office_cash_confirm"),
    ):
        user = UserFactory(username=f"khac-{role}-{name}", role=role, communes=[other_commune])
        client.force_login(user)
        assert client.get(reverse(name, args=[paying.cycle.pk])).status_code == 404
