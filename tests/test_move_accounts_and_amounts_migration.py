"""The move of banks and accounts to ``accounts``, base levels and entitlements to ``amounts``.

A database migrated from before the move keeps its rows and their history,
the registrations' and account requests' links to them, the content types
(now labelled ``accounts`` and ``amounts``) and the roles' grants of their
permissions; new rows still get new ids.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Bank, PaymentAccount
from amounts.models import AllowanceRate, Entitlement
from registration.models import AccountOpeningRequest, PaymentMethodRegistration
from tests.factories import BeneficiaryFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

BEFORE = [("payments", "0005_fill_months"), ("registration", "0003_account_requests_outreach")]
MOVED = {
    "accounts": ["bank", "historicalbank", "paymentaccount", "historicalpaymentaccount"],
    "amounts": [
        "allowancerate",
        "historicalallowancerate",
        "entitlement",
        "historicalentitlement",
    ],
}
AT = datetime.datetime(2027, 1, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def executor():
    executor = MigrationExecutor(connection)
    yield executor
    # Whatever happened, the database ends on the latest state for the next tests.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _grant(group_name: str, codenames: list[str]) -> list[int]:
    """Give a group the old ``payments`` permissions; return their primary keys.

    The auth and content type tables do not move: today's models read them.
    """
    group, _created = Group.objects.get_or_create(name=group_name)
    permissions = list(
        Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    assert len(permissions) == len(codenames)
    group.permissions.add(*permissions)
    return sorted(permission.pk for permission in permissions)


@pytest.mark.slow
def test_a_database_from_before_the_move_keeps_rows_history_links_and_grants(executor):
    beneficiary = BeneficiaryFactory(person__full_name="Nguyễn Thị Hằng")
    officer = UserFactory(username="canbo")

    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps

    def model(name):
        return old.get_model("payments", name)

    bank = model("Bank").objects.create(
        bin="979999", code="THU", short_name="Ngân hàng Thử", name="Ngân hàng Thử Nghiệm"
    )
    model("HistoricalBank").objects.create(
        id=bank.pk,
        bin=bank.bin,
        code=bank.code,
        short_name=bank.short_name,
        name=bank.name,
        kind="bank",
        synonyms="",
        active=True,
        history_date=AT,
        history_type="+",
        history_user_id=officer.pk,
    )
    account = model("PaymentAccount").objects.create(
        holder_id=beneficiary.person_id,
        bank=bank,
        number="3500205123456",
        holder_name="NGUYEN THI HANG",
        opened_on=datetime.date(2023, 7, 10),
    )
    model("HistoricalPaymentAccount").objects.create(
        id=account.pk,
        holder_id=beneficiary.person_id,
        bank_id=bank.pk,
        number=account.number,
        holder_name=account.holder_name,
        opened_on=account.opened_on,
        active=True,
        created_at=AT,
        history_date=AT,
        history_type="+",
        history_user_id=officer.pk,
    )
    rate = model("AllowanceRate").objects.create(
        programme_id=beneficiary.programme_id,
        amount=2_055_000,
        applies_from=datetime.date(2024, 7, 1),
        legal_basis="Nghị định 77/2024/NĐ-CP",
        verified=True,
    )
    model("HistoricalAllowanceRate").objects.create(
        id=rate.pk,
        programme_id=beneficiary.programme_id,
        amount=rate.amount,
        applies_from=rate.applies_from,
        legal_basis=rate.legal_basis,
        verified=True,
        history_date=AT,
        history_type="+",
        history_user_id=officer.pk,
    )
    entitlement = model("Entitlement").objects.create(
        beneficiary_id=beneficiary.pk,
        from_month=datetime.date(2023, 7, 1),
        basis="fixed",
        amount=2_055_000,
        decision_number="12/QĐ-UBND",
    )
    model("HistoricalEntitlement").objects.create(
        id=entitlement.pk,
        beneficiary_id=beneficiary.pk,
        from_month=entitlement.from_month,
        basis="fixed",
        amount=entitlement.amount,
        decision_number=entitlement.decision_number,
        created_at=AT,
        history_date=AT,
        history_type="+",
        history_user_id=officer.pk,
    )
    registration = old.get_model("registration", "PaymentMethodRegistration").objects.create(
        beneficiary_id=beneficiary.pk,
        from_month=datetime.date(2023, 9, 1),
        method="account",
        account_id=account.pk,
        requested_on=datetime.date(2023, 7, 5),
    )
    request = old.get_model("registration", "AccountOpeningRequest").objects.create(
        person_id=beneficiary.person_id,
        beneficiary_id=beneficiary.pk,
        bank_id=bank.pk,
        state="opened",
        requested_on=datetime.date(2023, 7, 5),
        referred_on=datetime.date(2023, 7, 6),
        opened_on=datetime.date(2023, 7, 10),
        account_id=account.pk,
    )
    accounts_grants = _grant("Kiểm tra tài khoản", ["view_bank", "view_paymentaccount"])
    amounts_grants = _grant("Kiểm tra mức hưởng", ["view_allowancerate", "change_entitlement"])
    ContentType.objects.clear_cache()
    old_types = {
        model_name: ContentType.objects.get(app_label="payments", model=model_name).pk
        for models in MOVED.values()
        for model_name in models
    }

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved_account = PaymentAccount.objects.select_related("bank").get(pk=account.pk)
    assert (moved_account.number, moved_account.holder_name, moved_account.bank.bin) == (
        "3500205123456",
        "NGUYEN THI HANG",
        "979999",
    )
    assert moved_account.holder == beneficiary.person
    assert AllowanceRate.objects.get(pk=rate.pk).amount == 2_055_000
    assert Entitlement.objects.get(pk=entitlement.pk).beneficiary == beneficiary
    assert PaymentMethodRegistration.objects.get(pk=registration.pk).account == moved_account
    opened = AccountOpeningRequest.objects.get(pk=request.pk)
    assert (opened.account, opened.bank) == (moved_account, moved_account.bank)

    history = moved_account.history.get()
    assert (history.history_type, history.history_user, history.number) == (
        "+",
        officer,
        "3500205123456",
    )
    assert Bank.objects.get(pk=bank.pk).history.get().history_user == officer
    assert AllowanceRate.objects.get(pk=rate.pk).history.get().legal_basis == (
        "Nghị định 77/2024/NĐ-CP"
    )
    assert Entitlement.objects.get(pk=entitlement.pk).history.get().amount == 2_055_000

    for app_label, models in MOVED.items():
        for model_name in models:
            content_type = ContentType.objects.get(app_label=app_label, model=model_name)
            assert content_type.pk == old_types[model_name]
    assert not ContentType.objects.filter(
        app_label="payments", model__in=[m for models in MOVED.values() for m in models]
    )
    assert (
        sorted(
            Group.objects.get(name="Kiểm tra tài khoản")
            .permissions.filter(content_type__app_label="accounts")
            .values_list("pk", flat=True)
        )
        == accounts_grants
    )
    granted = Group.objects.get(name="Kiểm tra mức hưởng").permissions.filter(
        content_type__app_label="amounts"
    )
    assert sorted(granted.values_list("pk", flat=True)) == amounts_grants
    assert set(
        Permission.objects.filter(pk__in=amounts_grants).values_list("codename", flat=True)
    ) == {
        "view_allowancerate",
        "change_entitlement",
    }

    # The renamed tables still number new rows after the old ones.
    newer = Bank.objects.create(
        bin="979998", code="MOI", short_name="Ngân hàng Mới", name="Ngân hàng Mới"
    )
    assert newer.pk > bank.pk
    again = PaymentAccount.objects.create(
        holder=beneficiary.person, bank=newer, number="3500205123457", holder_name="NGUYEN THI HANG"
    )
    assert again.pk > account.pk
