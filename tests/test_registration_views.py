"""The officer's payment-method form: receiver, account, inline new account, errors kept."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PaymentAccount
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BankFactory,
    BeneficiaryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db

METHOD = PaymentMethodRegistration.Method


@pytest.fixture
def beneficiary(commune):
    return BeneficiaryFactory(person=PersonFactory(commune=commune, full_name="Nguyễn Thị Hằng"))


@pytest.fixture
def proxy(beneficiary):
    return RepresentativeFactory(represented=beneficiary.person, relationship="Con gái")


def _history_badges(page: str) -> dict[str, str]:
    """The registration history's state column, by from-month."""
    table = page.split('class="list registrations"', 1)[1].split("</table>", 1)[0]
    badges = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        month = re.search(r"<td>(\d\d/\d{4})</td>", row).group(1)
        badges[month] = re.search(r"Đang áp dụng|Sắp áp dụng|Trước đây", row).group(0)
    return badges


def _url(beneficiary) -> str:
    return reverse("register_method", args=[beneficiary.pk])


def _post(client, beneficiary, **fields):
    data = {
        "method": METHOD.CASH,
        "representative": "",
        "account": "",
        "from_month": "09/2023",
        "requested_on": "20/08/2023",
        "form_reference": "PĐK 07",
        "tk-bank": "",
        "tk-number": "",
        "tk-holder_name": "",
        "tk-opened_on": "",
    }
    data.update({k.replace("tk_", "tk-"): v for k, v in fields.items()})
    return client.post(_url(beneficiary), data)


def test_the_form_offers_only_this_persons_representatives_and_their_accounts(
    client, officer, beneficiary, proxy
):
    own = PaymentAccountFactory(holder=beneficiary.person)
    proxies = PaymentAccountFactory(holder=proxy.person)
    stranger = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune))
    other_rep = RepresentativeFactory(represented=PersonFactory(commune=beneficiary.commune))
    client.force_login(officer)

    form = client.get(_url(beneficiary)).context["form"]

    assert list(form.fields["representative"].queryset) == [proxy]
    assert set(form.fields["account"].queryset) == {own, proxies}
    assert stranger not in form.fields["account"].queryset
    assert other_rep not in form.fields["representative"].queryset


def test_registering_cash_at_the_post_office_through_a_proxy(client, officer, beneficiary, proxy):
    client.force_login(officer)

    response = _post(client, beneficiary, representative=str(proxy.pk))

    assert response.status_code == 302
    registration = PaymentMethodRegistration.objects.get(beneficiary=beneficiary)
    assert registration.method == METHOD.CASH
    assert registration.representative == proxy
    assert registration.from_month == datetime.date(2023, 9, 1)
    assert registration.requested_on == datetime.date(2023, 8, 20)
    assert registration.form_reference == "PĐK 07"
    assert registration.history.get().history_user == officer


def test_registering_an_existing_account_of_the_beneficiary(client, officer, beneficiary):
    account = PaymentAccountFactory(holder=beneficiary.person)
    client.force_login(officer)

    _post(client, beneficiary, method=METHOD.ACCOUNT, account=str(account.pk))

    assert PaymentMethodRegistration.objects.get(beneficiary=beneficiary).account == account


def test_a_third_persons_account_posted_by_hand_is_refused(client, officer, beneficiary):
    stranger = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune))
    client.force_login(officer)

    response = _post(client, beneficiary, method=METHOD.ACCOUNT, account=str(stranger.pk))

    assert response.status_code == 200
    assert response.context["form"].errors["account"]
    assert not PaymentMethodRegistration.objects.exists()


def test_the_proxys_account_with_the_beneficiary_receiving_alone_is_refused_on_the_form(
    client, officer, beneficiary, proxy
):
    proxies = PaymentAccountFactory(holder=proxy.person)
    client.force_login(officer)

    response = _post(client, beneficiary, method=METHOD.ACCOUNT, account=str(proxies.pk))

    assert response.status_code == 200
    assert "không đứng tên người nhận tiền" in response.context["form"].errors["account"][0]
    assert not PaymentMethodRegistration.objects.exists()


def test_an_expired_authorisation_is_refused_on_the_form_and_the_data_is_kept(
    client, officer, beneficiary
):
    expired = RepresentativeFactory(
        represented=beneficiary.person, valid_until=datetime.date(2023, 8, 31)
    )
    client.force_login(officer)

    response = _post(client, beneficiary, representative=str(expired.pk))

    assert response.status_code == 200
    assert "đã hết hiệu lực từ 31/08/2023" in response.context["form"].errors["representative"][0]
    page = response.content.decode()
    assert 'value="09/2023"' in page and 'value="PĐK 07"' in page
    assert not PaymentMethodRegistration.objects.exists()


def test_a_new_account_typed_inline_is_saved_for_the_chosen_representative(
    client, officer, beneficiary, proxy
):
    bank = BankFactory()
    client.force_login(officer)

    response = _post(
        client,
        beneficiary,
        method=METHOD.ACCOUNT,
        representative=str(proxy.pk),
        tk_bank=str(bank.pk),
        tk_number="3500 205 000 123",
    )

    assert response.status_code == 302
    registration = PaymentMethodRegistration.objects.get(beneficiary=beneficiary)
    assert registration.account.holder == proxy.person
    assert registration.account.number == "3500205000123"
    assert registration.account.holder_name == proxy.person.name_folded


def test_a_new_account_already_registered_to_someone_else_is_refused_on_the_number(
    client, officer, beneficiary
):
    taken = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune))
    client.force_login(officer)

    response = _post(
        client,
        beneficiary,
        method=METHOD.ACCOUNT,
        tk_bank=str(taken.bank_id),
        tk_number=taken.number,
    )

    assert response.status_code == 200
    # The account form asks the service's rule, on the number's field.
    assert response.context["account_form"].errors["number"] == [
        f"Tài khoản {taken.number} tại Agribank đã được đăng ký cho một người khác."
    ]
    assert PaymentAccount.objects.filter(number=taken.number).count() == 1
    assert not PaymentMethodRegistration.objects.exists()


def test_choosing_an_account_and_typing_a_new_one_is_refused(client, officer, beneficiary):
    account = PaymentAccountFactory(holder=beneficiary.person)
    client.force_login(officer)

    response = _post(
        client,
        beneficiary,
        method=METHOD.ACCOUNT,
        account=str(account.pk),
        tk_bank=str(account.bank_id),
        tk_number="3500205000999",
    )

    assert "không cả hai" in response.context["form"].errors["account"][0]
    assert not PaymentAccount.objects.filter(number="3500205000999").exists()


def test_a_badly_typed_month_is_refused_in_vietnamese(client, officer, beneficiary):
    client.force_login(officer)

    response = _post(client, beneficiary, from_month="13/2023")

    assert response.context["form"].errors["from_month"] == [
        "Nhập tháng dạng mm/yyyy, ví dụ 12/2026."
    ]


@pytest.mark.parametrize("typed", ["9/2023", "09/2023", "20/09/2023"])
def test_the_first_month_of_a_registration_is_typed_as_mm_yyyy(client, officer, beneficiary, typed):
    client.force_login(officer)

    _post(client, beneficiary, from_month=typed)

    assert beneficiary.registrations.get().from_month == datetime.date(2023, 9, 1)


def test_switching_back_to_cash_from_the_form(client, officer, beneficiary):
    account = PaymentAccountFactory(holder=beneficiary.person)
    RegistrationFactory(beneficiary=beneficiary, method=METHOD.ACCOUNT, account=account)
    client.force_login(officer)

    response = _post(client, beneficiary, method=METHOD.CASH, from_month="01/2024")

    assert response.status_code == 302
    current = PaymentMethodRegistration.objects.get(beneficiary=beneficiary, is_current=True)
    assert (current.method, current.account) == (METHOD.CASH, None)
    assert PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).count() == 2


def test_a_double_submission_leaves_one_current_registration(client, officer, beneficiary):
    client.force_login(officer)

    _post(client, beneficiary)
    _post(client, beneficiary)

    assert PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).count() == 1


def test_the_person_page_shows_the_registration_history_and_the_action(
    client, officer, beneficiary
):
    account = PaymentAccountFactory(holder=beneficiary.person, number="3500205444555")
    RegistrationFactory(beneficiary=beneficiary, method=METHOD.ACCOUNT, account=account)
    RegistrationFactory(
        beneficiary=beneficiary,
        method=METHOD.CASH,
        from_month=datetime.date(2024, 1, 1),
        is_current=False,
    )
    client.force_login(officer)

    page = client.get(reverse("person_detail", args=[beneficiary.person_id])).content.decode()

    assert "Lịch sử đăng ký hình thức nhận" in page
    assert "3500205444555" in page and "01/2024" in page
    assert _url(beneficiary) in page


def test_the_history_marks_the_registration_in_force_and_the_one_to_come(
    client, officer, beneficiary
):
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    RegistrationFactory(
        beneficiary=beneficiary, from_month=datetime.date(2023, 9, 1), is_current=False
    )
    RegistrationFactory(
        beneficiary=beneficiary, from_month=this_month, method=METHOD.HOME, is_current=False
    )
    RegistrationFactory(beneficiary=beneficiary, from_month=next_month, method=METHOD.CASH)
    client.force_login(officer)

    page = client.get(reverse("person_detail", args=[beneficiary.person_id])).content.decode()

    badges = _history_badges(page)
    assert badges == {
        f"{next_month:%m/%Y}": "Sắp áp dụng",
        f"{this_month:%m/%Y}": "Đang áp dụng",
        "09/2023": "Trước đây",
    }


def test_the_police_see_neither_registrations_nor_the_action_on_the_person_page(
    client, police, beneficiary
):
    account = PaymentAccountFactory(holder=beneficiary.person, number="3500205444666")
    RegistrationFactory(beneficiary=beneficiary, method=METHOD.ACCOUNT, account=account)
    client.force_login(police)

    page = client.get(reverse("person_detail", args=[beneficiary.person_id])).content.decode()

    assert "3500205444666" not in page
    assert "Lịch sử đăng ký hình thức nhận" not in page
    assert _url(beneficiary) not in page
