"""Who is on which list: the rule of registration/lists.py."""

from __future__ import annotations

import datetime

import pytest

from beneficiaries.models import Programme
from registration.lists import REPRESENTATIVE, SELF, list_enrolments
from registration.models import PaymentMethodRegistration
from tests.factories import PaymentAccountFactory, RegistrationFactory
from tests.lists.data import PERIOD

pytestmark = pytest.mark.django_db


def _names(commune, programme: str, kind: str, period=PERIOD) -> list[str]:
    qs = list_enrolments(commune, Programme.objects.get(code=programme), kind, period)
    return sorted(qs.values_list("person__full_name", flat=True))


def test_own_account_and_representative_lists_are_told_apart(registered, signed_commune):
    assert _names(signed_commune, "NCC", SELF) == ["Hoàng Văn Giang", "Nguyễn Văn An"]
    assert _names(signed_commune, "NCC", REPRESENTATIVE) == ["Lê Thị Bình"]


def test_cash_and_home_registrations_are_on_no_list(registered, signed_commune):
    on_lists = _names(signed_commune, "NCC", SELF) + _names(signed_commune, "NCC", REPRESENTATIVE)
    assert "Trần Thị Cúc" not in on_lists
    assert "Phạm Văn Dũng" not in on_lists


def test_the_dead_and_ended_enrolments_are_on_no_list(registered, signed_commune):
    on_lists = _names(signed_commune, "NCC", SELF) + _names(signed_commune, "NCC", REPRESENTATIVE)
    assert "Đỗ Văn Đào" not in on_lists
    assert "Vũ Văn Em" not in on_lists


def test_a_person_in_two_programmes_is_on_both_programmes_lists(registered, signed_commune):
    assert "Hoàng Văn Giang" in _names(signed_commune, "NCC", SELF)
    assert _names(signed_commune, "BTXH", SELF) == ["Hoàng Văn Giang", "Ngô Thị Hà"]
    assert _names(signed_commune, "HTXH", SELF) == []


def test_an_enrolment_not_yet_started_in_the_period_is_not_listed(registered, signed_commune):
    an = registered["an"].beneficiary
    an.start_month = datetime.date(2027, 2, 1)
    an.save()
    assert "Nguyễn Văn An" not in _names(signed_commune, "NCC", SELF)
    assert "Nguyễn Văn An" in _names(signed_commune, "NCC", SELF, datetime.date(2027, 2, 1))


def test_switching_back_to_cash_takes_a_person_off_the_list(registered, signed_commune):
    an = registered["an"]
    an.registration.is_current = False
    an.registration.save()
    RegistrationFactory(
        beneficiary=an.beneficiary,
        from_month=datetime.date(2026, 12, 1),
        method=PaymentMethodRegistration.Method.CASH,
    )
    assert "Nguyễn Văn An" not in _names(signed_commune, "NCC", SELF)


def test_switching_from_own_account_to_a_representative_moves_the_row(registered, signed_commune):
    from tests.factories import RepresentativeFactory

    an = registered["an"]
    an.registration.is_current = False
    an.registration.save()
    rep = RepresentativeFactory(represented=an.person)
    RegistrationFactory(
        beneficiary=an.beneficiary,
        from_month=datetime.date(2026, 12, 1),
        method=PaymentMethodRegistration.Method.ACCOUNT,
        representative=rep,
        account=PaymentAccountFactory(holder=rep.person),
    )
    assert "Nguyễn Văn An" not in _names(signed_commune, "NCC", SELF)
    assert "Nguyễn Văn An" in _names(signed_commune, "NCC", REPRESENTATIVE)


def test_another_communes_people_are_not_on_the_list(registered, other_commune):
    assert _names(other_commune, "NCC", SELF) == []
