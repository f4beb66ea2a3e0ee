"""A known data set for the dashboard, and a frozen clock.

Yến Sơn on 3/9/2023, two villages, five active enrolments:

| who   | programme | village | registration in force in 09/2023     |
| ----- | --------- | ------- | ------------------------------------ |
| NCC 1 | NCC       | Thôn A  | account                              |
| NCC 2 | NCC       | Thôn A  | account                              |
| NCC 3 | NCC       | Thôn B  | cash                                 |
| BT 1  | BTXH      | Thôn A  | account                              |
| BT 2  | BTXH      | Thôn B  | none yet (account only from 10/2023) |

plus one ended BTXH enrolment with an account (not counted). Cashless now:
3 of 5 (60.0%); NCC 2/3 (66.7%), BTXH 1/2 (50.0%); Thôn A 3/3, Thôn B 0/2.

Cycles: 08/2023 (all five in cash, 1 of them at home) and 09/2023 (three into
an account at 2.055.000 đ, two in cash at 1.000.000 đ).
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from beneficiaries.models import Beneficiary, Category
from payments.models import Payment, PaymentCycle
from registration.models import PaymentMethodRegistration
from tests.conftest import local_moment
from tests.factories import (
    BeneficiaryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    VillageFactory,
)

TODAY = datetime.date(2023, 9, 3)
AUG = datetime.date(2023, 8, 1)
SEP = datetime.date(2023, 9, 1)
OCT = datetime.date(2023, 10, 1)


@pytest.fixture
def frozen(clock):
    """The clock at 08:00 on :data:`TODAY`; ``frozen(day)`` moves it to another day."""

    def freeze(day: datetime.date) -> None:
        clock.move_to(local_moment(day, hour=8))

    freeze(TODAY)
    return freeze


@dataclasses.dataclass
class DataSet:
    villages: dict
    enrolments: dict
    cycles: dict


def _enrol(commune, village, category, name, method=None, from_month=SEP, ended=False):
    person = PersonFactory(commune=commune, village=village, full_name=name)
    enrolment = BeneficiaryFactory(
        person=person,
        category=category,
        status=Beneficiary.Status.ENDED if ended else Beneficiary.Status.ACTIVE,
        **({"end_month": SEP, "end_reason": Beneficiary.EndReason.MOVED} if ended else {}),
    )
    if method == "account":
        account = PaymentAccountFactory(holder=person)
        RegistrationFactory(
            beneficiary=enrolment,
            method=PaymentMethodRegistration.Method.ACCOUNT,
            account=account,
            from_month=from_month,
        )
    elif method:
        RegistrationFactory(beneficiary=enrolment, method=method, from_month=from_month)
    return enrolment


def _pay(cycle, enrolment, method, amount):
    extra = {}
    if method == Payment.Method.ACCOUNT:
        account = enrolment.person.accounts.get()
        extra = {"account": account, "bank": account.bank, "account_number": account.number}
    return Payment.objects.create(
        cycle=cycle,
        beneficiary=enrolment,
        amount=amount,
        method=method,
        receiver_name=enrolment.person.full_name,
        **extra,
    )


@pytest.fixture
def dataset(reference_data, commune, officer) -> DataSet:
    ncc = Category.objects.get(code="NCC_TN")
    btxh = Category.objects.get(code="BTXH_K5A_60_80")
    a = VillageFactory(commune=commune, name="Thôn A")
    b = VillageFactory(commune=commune, name="Thôn B")
    e = {
        "ncc1": _enrol(commune, a, ncc, "NCC Một", "account"),
        "ncc2": _enrol(commune, a, ncc, "NCC Hai", "account"),
        "ncc3": _enrol(commune, b, ncc, "NCC Ba", "cash"),
        "bt1": _enrol(commune, a, btxh, "Bảo Trợ Một", "account"),
        "bt2": _enrol(commune, b, btxh, "Bảo Trợ Hai", "account", from_month=OCT),
        "ended": _enrol(commune, a, btxh, "Đã Thôi", "account", ended=True),
    }
    aug = PaymentCycle.objects.create(commune=commune, period=AUG, due_on=AUG.replace(day=5))
    for key in ("ncc1", "ncc2", "ncc3", "bt1"):
        _pay(aug, e[key], Payment.Method.CASH, 1_000_000)
    _pay(aug, e["bt2"], Payment.Method.HOME, 1_000_000)
    sep = PaymentCycle.objects.create(
        commune=commune,
        period=SEP,
        due_on=SEP.replace(day=5),
        payment_count=5,
        total_amount=3 * 2_055_000 + 2 * 1_000_000,
    )
    for key in ("ncc1", "ncc2", "bt1"):
        _pay(sep, e[key], Payment.Method.ACCOUNT, 2_055_000)
    for key in ("ncc3", "bt2"):
        _pay(sep, e[key], Payment.Method.CASH, 1_000_000)
    return DataSet(villages={"A": a, "B": b}, enrolments=e, cycles={"aug": aug, "sep": sep})
