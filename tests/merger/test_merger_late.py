"""Money across a merger recorded late and a move between programmes approved late:
no month dropped, none paid twice."""

from __future__ import annotations

import datetime

import pytest

from amounts.services import opening_entitlements
from beneficiaries.models import Beneficiary, Category
from beneficiaries.services import save_beneficiary
from desk.merger import merge_communes
from payments.models import PaymentMonth
from payments.services.cycles import open_cycle
from registration.transfers import approve_transfer, propose_transfer
from tests.htxh.conftest import declare
from tests.htxh.test_programme_transfer import k5c_enrolment
from tests.merger.conftest import JUNE, ON, close, enrol

pytestmark = pytest.mark.django_db
D = datetime.date


def paid(enrolment) -> dict[datetime.date, int]:
    months: dict[datetime.date, int] = {}
    for month, amount in PaymentMonth.objects.filter(beneficiary=enrolment, live=True).values_list(
        "month", "amount"
    ):
        months[month] = months.get(month, 0) + amount
    return months


def test_a_month_after_the_merger_before_the_new_communes_first_cycle_is_still_owed(
    commune, ha_dong
):
    enrolment = enrol(commune, amount=1_000_000)
    close(open_cycle(commune, D(2025, 5, 1)).cycle)
    close(open_cycle(commune, JUNE).cycle)
    new = merge_communes(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON).commune

    # Nobody opened 07/2025: the first cycle of the new commune is August's.
    close(open_cycle(new, D(2025, 8, 1)).cycle)

    assert paid(enrolment) == {
        D(2025, 5, 1): 1_000_000,
        D(2025, 6, 1): 1_000_000,
        D(2025, 7, 1): 1_000_000,
        D(2025, 8, 1): 1_000_000,
    }


def test_a_commune_without_cycles_before_the_merger_gets_no_arrears_before_it(commune, ha_dong):
    # Hà Đông paid outside the system: its people's months before the merger are
    # not owed by it. From the merger month they are the new commune's, which
    # continues Yến Sơn's cycles: owed like everyone's, from July.
    theirs = enrol(ha_dong, amount=700_000)
    close(open_cycle(commune, JUNE).cycle)
    new = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", ha_dong.code], on=ON
    ).commune

    close(open_cycle(new, D(2025, 8, 1)).cycle)

    assert paid(theirs) == {D(2025, 7, 1): 700_000, D(2025, 8, 1): 700_000}


def test_a_move_approved_after_its_months_were_paid_pays_none_of_them_twice(
    commune, officer, leader, reference_data
):
    k5c = Category.objects.get(code="BTXH_K5C")
    old = k5c_enrolment(commune, k5c, full_name="Lê Thị Lan")
    for month in (D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)):
        close(open_cycle(commune, month).cycle)
    declare(old.person)
    transfer = propose_transfer(
        commune,
        from_category_code="BTXH_K5C",
        to_category_code="HTXH_75",
        month=D(2025, 7, 1),
        actor=officer,
    )
    approve_transfer(transfer, actor=leader)

    open_cycle(commune, D(2025, 10, 1))

    new = Beneficiary.objects.get(person=old.person, category__code="HTXH_75")
    assert set(paid(old)) == {D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)}
    assert set(paid(new)) == {D(2025, 10, 1)}


def test_an_end_recorded_late_and_a_new_enrolment_of_an_excluded_category_pay_no_month_twice(
    commune, officer, reference_data
):
    htxh = Category.objects.select_related("programme").get(code="HTXH_75")
    k5c = Category.objects.get(code="BTXH_K5C")
    old = k5c_enrolment(commune, k5c, full_name="Lê Thị Mai")
    for month in (D(2025, 7, 1), D(2025, 8, 1)):
        close(open_cycle(commune, month).cycle)
    old.refresh_from_db()
    old.end_month, old.status, old.end_reason = D(2025, 7, 1), "ended", "transferred"
    save_beneficiary(old, actor=officer)
    declare(old.person)
    new = save_beneficiary(
        Beneficiary(
            person=old.person,
            commune=commune,
            programme=htxh.programme,
            category=htxh,
            start_month=D(2025, 7, 1),
        ),
        actor=officer,
    )
    for entitlement in opening_entitlements(new):
        entitlement.save()

    open_cycle(commune, D(2025, 9, 1))

    assert set(paid(old)) == {D(2025, 7, 1), D(2025, 8, 1)}
    assert set(paid(new)) == {D(2025, 9, 1)}


def test_the_first_cycle_after_a_merger_is_compared_with_the_old_communes_paid_cycles(
    commune, ha_dong
):
    from payments.surprise import cycle_surprise, last_paid_cycles

    enrol(commune, amount=1_000_000)
    enrol(ha_dong, amount=1_000_000)
    june_yen = open_cycle(commune, JUNE).cycle
    close(june_yen)
    june_dong = open_cycle(ha_dong, JUNE).cycle
    close(june_dong)
    new = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", ha_dong.code], on=ON
    ).commune

    # Recorded late: the first cycle of the new commune is September's, with arrears.
    september = open_cycle(new, D(2025, 9, 1)).cycle

    assert {c.pk for c in last_paid_cycles(september)} == {june_yen.pk, june_dong.pk}
    surprise = cycle_surprise(september)
    # 6.000.000 đ (07–09 for two people) against the 2.000.000 đ the old communes
    # paid in June: compared with them, and nobody counted as new.
    assert surprise is not None
    assert (surprise.total, surprise.compared_total) == (6_000_000, 2_000_000)
    assert surprise.compared.period == JUNE
    assert (surprise.arrears_people, surprise.arrears_months) == (2, 4)
    assert surprise.new_people == 0
