"""register_payment_method: who may receive, into which account, from which month."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from accounts.models import PaymentAccount
from beneficiaries.models import Beneficiary
from registration.models import AccountOpeningRequest, PaymentMethodRegistration
from registration.services import (
    RegistrationError,
    record_account_opened,
    refer_to_bank,
    register_payment_method,
    request_account_opening,
)
from tests.factories import (
    BankFactory,
    BeneficiaryFactory,
    CategoryFactory,
    PaymentAccountFactory,
    PersonFactory,
    ProgrammeFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db

METHOD = PaymentMethodRegistration.Method
SEPT = datetime.date(2023, 9, 1)
ASKED = datetime.date(2023, 8, 20)


@pytest.fixture
def beneficiary(commune):
    return BeneficiaryFactory(person=PersonFactory(commune=commune, full_name="Nguyễn Thị Hằng"))


@pytest.fixture
def own_account(beneficiary):
    return PaymentAccountFactory(holder=beneficiary.person)


def _register(beneficiary, actor, **kwargs):
    kwargs.setdefault("from_month", SEPT)
    kwargs.setdefault("requested_on", ASKED)
    return register_payment_method(beneficiary, actor=actor, **kwargs)


def _refused(message_part: str, beneficiary, actor, **kwargs) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        _register(beneficiary, actor, **kwargs)
    assert message_part in caught.value.message
    assert not PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).exists()
    return caught.value


def test_an_own_account_registration_becomes_current_with_its_history(
    beneficiary, own_account, officer
):
    registration = _register(
        beneficiary, officer, method=METHOD.ACCOUNT, account=own_account, form_reference="PĐK 12"
    )

    assert registration.is_current
    assert registration.receiver == beneficiary.person
    assert registration.form_reference == "PĐK 12"
    assert registration.requested_on == ASKED
    assert registration.history.get().history_user == officer


def test_an_account_of_a_third_person_is_refused(beneficiary, officer):
    stranger_account = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune))

    error = _refused(
        "không đứng tên người nhận tiền",
        beneficiary,
        officer,
        method=METHOD.ACCOUNT,
        account=stranger_account,
    )

    assert error.field == "account"


def test_the_beneficiarys_own_account_is_refused_when_a_representative_receives(
    beneficiary, own_account, officer
):
    proxy = RepresentativeFactory(represented=beneficiary.person)

    error = _refused(
        "không đứng tên người nhận tiền",
        beneficiary,
        officer,
        method=METHOD.ACCOUNT,
        representative=proxy,
        account=own_account,
    )

    assert error.field == "account"


def test_the_representatives_account_is_accepted_with_that_representative(beneficiary, officer):
    proxy = RepresentativeFactory(represented=beneficiary.person)
    account = PaymentAccountFactory(holder=proxy.person)

    registration = _register(
        beneficiary, officer, method=METHOD.ACCOUNT, representative=proxy, account=account
    )

    assert registration.receiver == proxy.person


def test_the_representatives_account_is_refused_when_the_beneficiary_receives_alone(
    beneficiary, officer
):
    proxy = RepresentativeFactory(represented=beneficiary.person)
    account = PaymentAccountFactory(holder=proxy.person)

    _refused("không đứng tên", beneficiary, officer, method=METHOD.ACCOUNT, account=account)


def test_a_representative_of_another_person_is_refused(beneficiary, officer):
    someone_elses = RepresentativeFactory(represented=PersonFactory(commune=beneficiary.commune))

    error = _refused(
        "không phải người nhận thay của Nguyễn Thị Hằng",
        beneficiary,
        officer,
        method=METHOD.CASH,
        representative=someone_elses,
    )

    assert error.field == "representative"


def test_an_expired_authorisation_is_refused(beneficiary, officer):
    expired = RepresentativeFactory(
        represented=beneficiary.person, valid_until=datetime.date(2023, 8, 31)
    )

    _refused(
        "đã hết hiệu lực từ 31/08/2023",
        beneficiary,
        officer,
        method=METHOD.CASH,
        representative=expired,
    )


def test_an_authorisation_not_yet_valid_is_refused(beneficiary, officer):
    later = RepresentativeFactory(
        represented=beneficiary.person, valid_from=datetime.date(2023, 10, 1)
    )

    _refused(
        "chỉ có hiệu lực từ 01/10/2023",
        beneficiary,
        officer,
        method=METHOD.CASH,
        representative=later,
    )


def test_an_authorisation_valid_on_the_first_month_is_accepted(beneficiary, officer):
    until_end = RepresentativeFactory(
        represented=beneficiary.person,
        valid_from=datetime.date(2023, 9, 1),
        valid_until=datetime.date(2023, 9, 1),
    )

    assert _register(beneficiary, officer, method=METHOD.CASH, representative=until_end).pk


def test_the_account_method_without_an_account_is_refused(beneficiary, officer):
    _refused("cần chọn một tài khoản", beneficiary, officer, method=METHOD.ACCOUNT)


def test_an_account_with_the_cash_method_is_refused(beneficiary, own_account, officer):
    _refused(
        "Chỉ chọn tài khoản khi nhận qua tài khoản",
        beneficiary,
        officer,
        method=METHOD.CASH,
        account=own_account,
    )


def test_an_inactive_account_is_refused(beneficiary, officer):
    closed = PaymentAccountFactory(holder=beneficiary.person, active=False)

    _refused("đã ngừng sử dụng", beneficiary, officer, method=METHOD.ACCOUNT, account=closed)


def test_a_dead_person_is_not_registered(beneficiary, officer):
    beneficiary.person.date_of_death = datetime.date(2023, 8, 2)
    beneficiary.person.save()

    _refused("đã mất ngày 02/08/2023", beneficiary, officer, method=METHOD.CASH)


def test_an_ended_enrolment_is_not_registered(beneficiary, officer):
    Beneficiary.objects.filter(pk=beneficiary.pk).update(
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2023, 9, 1),
        end_reason=Beneficiary.EndReason.MOVED,
    )

    _refused("đã thôi hưởng", beneficiary, officer, method=METHOD.CASH)


def test_a_month_on_or_after_the_planned_end_is_refused(beneficiary, officer):
    Beneficiary.objects.filter(pk=beneficiary.pk).update(end_month=datetime.date(2023, 9, 1))

    _refused("đã thôi hưởng", beneficiary, officer, method=METHOD.CASH)


def test_a_month_before_the_enrolment_starts_is_refused(beneficiary, officer):
    error = _refused(
        "trước tháng bắt đầu hưởng (07/2023)",
        beneficiary,
        officer,
        method=METHOD.CASH,
        from_month=datetime.date(2023, 6, 1),
    )

    assert error.field == "from_month"


def test_a_month_not_on_the_first_is_refused(beneficiary, officer):
    _refused(
        "ngày đầu tháng",
        beneficiary,
        officer,
        method=METHOD.CASH,
        from_month=datetime.date(2023, 9, 15),
    )


def test_home_payment_through_a_representative_is_refused(beneficiary, officer):
    proxy = RepresentativeFactory(represented=beneficiary.person)

    _refused(
        "Chi trả tại nhà dành cho người",
        beneficiary,
        officer,
        method=METHOD.HOME,
        representative=proxy,
    )


def test_switching_from_account_back_to_cash_keeps_the_account_registration_as_history(
    beneficiary, own_account, officer
):
    first = _register(beneficiary, officer, method=METHOD.ACCOUNT, account=own_account)

    second = _register(
        beneficiary, officer, method=METHOD.CASH, from_month=datetime.date(2024, 1, 1)
    )

    first.refresh_from_db()
    assert not first.is_current and first.account == own_account
    assert second.is_current and second.account is None and second.method == METHOD.CASH
    assert first.history.count() == 2  # created, then no longer current


def test_the_same_month_again_replaces_the_current_one_and_keeps_the_old_values_in_history(
    beneficiary, own_account, officer
):
    first = _register(beneficiary, officer, method=METHOD.CASH)

    second = _register(beneficiary, officer, method=METHOD.ACCOUNT, account=own_account)

    assert second.pk == first.pk
    assert PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).count() == 1
    old, new = second.history.order_by("history_date")
    assert (old.method, new.method) == (METHOD.CASH, METHOD.ACCOUNT)


def test_a_month_before_the_current_registration_is_refused(beneficiary, officer):
    _register(beneficiary, officer, method=METHOD.CASH)

    with pytest.raises(RegistrationError, match="từ tháng 09/2023"):
        _register(beneficiary, officer, method=METHOD.HOME, from_month=datetime.date(2023, 8, 1))


def test_the_same_registration_twice_changes_nothing(beneficiary, own_account, officer):
    first = _register(beneficiary, officer, method=METHOD.ACCOUNT, account=own_account)

    second = _register(beneficiary, officer, method=METHOD.ACCOUNT, account=own_account)

    assert second.pk == first.pk
    assert first.history.count() == 1


def test_a_person_on_two_programmes_has_two_independent_registrations(commune, officer):
    person = PersonFactory(commune=commune)
    ncc = BeneficiaryFactory(person=person)
    btxh_category = CategoryFactory(
        programme=ProgrammeFactory(code="BTXH", short_name="Bảo trợ xã hội"), code="BTXH_5"
    )
    btxh = BeneficiaryFactory(person=person, category=btxh_category)
    account = PaymentAccountFactory(holder=person)

    _register(ncc, officer, method=METHOD.ACCOUNT, account=account)
    _register(btxh, officer, method=METHOD.CASH)
    _register(ncc, officer, method=METHOD.HOME, from_month=datetime.date(2024, 1, 1))

    current = PaymentMethodRegistration.objects.filter(is_current=True)
    assert dict(current.values_list("beneficiary__programme__code", "method")) == {
        "NCC": METHOD.HOME,
        "BTXH": METHOD.CASH,
    }


def test_a_new_account_typed_in_the_form_is_saved_with_the_registration(beneficiary, officer):
    bank = BankFactory()
    typed = PaymentAccount(
        holder=beneficiary.person, bank=bank, number="3500205000777", holder_name="NGUYEN THI HANG"
    )

    registration = _register(beneficiary, officer, method=METHOD.ACCOUNT, new_account=typed)

    assert registration.account.number == "3500205000777"
    assert registration.account.history.get().history_user == officer


def test_a_refused_registration_does_not_save_the_new_account(beneficiary, officer):
    stranger = PersonFactory(commune=beneficiary.commune)
    typed = PaymentAccount(holder=stranger, bank=BankFactory(), number="3500205000778")

    _refused("không đứng tên", beneficiary, officer, method=METHOD.ACCOUNT, new_account=typed)

    assert not PaymentAccount.objects.filter(number="3500205000778").exists()


def test_a_new_account_already_held_by_someone_is_refused_on_the_new_account(beneficiary, officer):
    taken = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune))
    typed = PaymentAccount(holder=beneficiary.person, bank=taken.bank, number=taken.number)

    error = _refused(
        "đã được đăng ký cho một người khác",
        beneficiary,
        officer,
        method=METHOD.ACCOUNT,
        new_account=typed,
    )

    assert error.field == "new_account"


def test_an_account_registration_while_an_opening_request_is_open_leaves_the_request_open(
    beneficiary, officer
):
    request = request_account_opening(beneficiary.person, requested_on=ASKED, actor=officer)
    proxy = RepresentativeFactory(represented=beneficiary.person)
    proxy_account = PaymentAccountFactory(holder=proxy.person)

    _register(
        beneficiary, officer, method=METHOD.ACCOUNT, representative=proxy, account=proxy_account
    )
    refer_to_bank(
        request, bank=BankFactory(), referred_on=datetime.date(2023, 8, 25), actor=officer
    )
    request, registrations = record_account_opened(
        request,
        number="3500205000999",
        holder_name="",
        opened_on=datetime.date(2023, 9, 10),
        from_month=datetime.date(2023, 10, 1),
        actor=officer,
    )

    assert request.state == AccountOpeningRequest.State.OPENED
    current = PaymentMethodRegistration.objects.get(beneficiary=beneficiary, is_current=True)
    assert registrations == [current]
    assert current.account == request.account and current.representative is None
    assert PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_leave_one_current_registration(commune):
    from tests.factories import UserFactory

    officer = UserFactory(username="canbo_dongthoi", role="labour_officer", communes=[commune])
    beneficiary = BeneficiaryFactory(person=PersonFactory(commune=commune))
    account = PaymentAccountFactory(holder=beneficiary.person)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def submit() -> None:
        try:
            barrier.wait()
            _register(beneficiary, officer, method=METHOD.ACCOUNT, account=account)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).count() == 1
    assert PaymentMethodRegistration.objects.get(beneficiary=beneficiary).is_current
