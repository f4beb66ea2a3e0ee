"""A warning before a surprising cycle: the rule, its figures, and the cycle page."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from amounts.models import Entitlement
from amounts.services import record_base_level
from beneficiaries.models import Programme
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from payments.surprise import (
    SURPRISE_ARREARS_MONTHS,
    SURPRISE_RATIO,
    cycle_surprise,
    is_surprising,
)
from tests.cycles.conftest import enrol
from tests.factories import BeneficiaryFactory, CategoryFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _paid(cycle: PaymentCycle) -> PaymentCycle:
    # Set-up only: the workflow to "paid" has its own tests.
    now = timezone.now()
    approver = UserFactory(username="chutich_duyet", role="leader")
    PaymentCycle.objects.filter(pk=cycle.pk).update(
        status=PaymentCycle.Status.PAID,
        approved_by=approver,
        approved_at=now,
        submitted_by=cycle.prepared_by,
        submitted_at=now,
        paid_at=now,
    )
    cycle.refresh_from_db()
    return cycle


# --- the rule on figures -------------------------------------------------------------


def test_the_thresholds_are_one_and_a_half_times_and_two_months():
    assert SURPRISE_RATIO == Fraction(3, 2)
    assert SURPRISE_ARREARS_MONTHS == 2


@pytest.mark.parametrize(
    ("total", "compared", "longest", "surprising"),
    [
        (3_000_000, 2_000_000, 0, False),  # exactly 1.5 times: as expected
        (3_000_001, 2_000_000, 0, True),
        (2_800_000, 2_000_000, 12, False),  # arrears do not matter with a paid cycle
        (1, 0, 0, True),  # the paid cycle paid nothing
        (0, 0, 0, False),
        (9_000_000, None, 2, False),  # no paid cycle: arrears of 2 months are usual
        (1_000, None, 3, True),
    ],
)
def test_a_cycle_is_surprising_above_the_ratio_or_with_long_first_arrears(
    total, compared, longest, surprising
):
    assert is_surprising(total, compared, longest) is surprising


# --- the figures that explain it ---------------------------------------------------------


@pytest.fixture
def arrears_and_new(commune, officer, reference_data):
    """August (the commune's first cycle) paid for An alone; Bình, decided from
    June, joins in September: owed from August (months before a commune's first
    cycle are not owed) and paid August as arrears."""
    enrol(commune, full_name="Phan Văn An", start=D(2023, 8, 1))
    august = _paid(open_cycle(commune, D(2023, 8, 1), actor=officer).cycle)
    enrol(commune, full_name="Lê Thị Bình", amount=1_000_000, start=D(2023, 6, 1))
    september = open_cycle(commune, D(2023, 9, 1), actor=officer).cycle
    return august, september


def test_arrears_and_new_people_explain_a_cycle_far_above_the_last_paid(arrears_and_new):
    august, september = arrears_and_new
    assert september.total_amount == 2_055_000 + 2 * 1_000_000
    surprise = cycle_surprise(september)
    assert surprise.compared == august
    assert (surprise.total, surprise.compared_total) == (4_055_000, 2_055_000)
    assert surprise.ratio_label == "2,0"
    # Bình's August: a month before the cycle's month.
    assert (surprise.arrears_people, surprise.arrears_months, surprise.arrears_amount) == (
        1,
        1,
        1_000_000,
    )
    assert surprise.longest_arrears == 1
    assert (surprise.top_up_people, surprise.top_up_amount) == (0, 0)
    assert (surprise.new_people, surprise.new_amount) == (1, 2_000_000)


def test_an_unpaid_earlier_cycle_is_not_the_comparison(commune, officer, reference_data):
    enrol(commune, full_name="Phan Văn An", start=D(2023, 8, 1))
    open_cycle(commune, D(2023, 8, 1), actor=officer)  # a draft, never paid
    enrol(commune, full_name="Lê Thị Bình", amount=1_000_000, start=D(2023, 8, 1))
    september = open_cycle(commune, D(2023, 9, 1), actor=officer).cycle
    # Nothing paid to compare with, and one month of arrears (Bình's August): as expected.
    assert cycle_surprise(september) is None


def test_a_cycle_near_the_last_paid_one_says_nothing(commune, officer, reference_data):
    enrol(commune, full_name="Phan Văn An", start=D(2023, 8, 1))
    _paid(open_cycle(commune, D(2023, 8, 1), actor=officer).cycle)
    enrol(commune, full_name="Lê Thị Bình", amount=1_000_000, start=D(2023, 9, 1))
    september = open_cycle(commune, D(2023, 9, 1), actor=officer).cycle
    assert september.total_amount == 3_055_000  # 1.49 times
    assert cycle_surprise(september) is None


def _unpaid_cycles_then_bình(commune, officer, since: datetime.date) -> PaymentCycle:
    """Cycles from ``since`` to August 2023 built but never paid (months before a
    commune's first cycle are not owed); Bình, owed since ``since``, joins in September."""
    enrol(commune, full_name="Phan Văn An", start=since)
    month = since
    while month < D(2023, 9, 1):
        open_cycle(commune, month, actor=officer)
        month = D(month.year, month.month + 1, 1)
    enrol(commune, full_name="Lê Thị Bình", amount=1_000_000, start=since)
    return open_cycle(commune, D(2023, 9, 1), actor=officer).cycle


def test_without_a_paid_cycle_long_arrears_are_explained(commune, officer, reference_data):
    september = _unpaid_cycles_then_bình(commune, officer, D(2023, 6, 1))
    surprise = cycle_surprise(september)
    assert surprise.compared is None and surprise.ratio is None
    assert (surprise.arrears_people, surprise.arrears_months, surprise.longest_arrears) == (
        1,
        3,
        3,
    )
    assert surprise.arrears_amount == 3_000_000
    assert surprise.new_people == 0  # nothing paid to be new against


def test_without_a_paid_cycle_two_months_of_arrears_say_nothing(commune, officer, reference_data):
    september = _unpaid_cycles_then_bình(commune, officer, D(2023, 7, 1))
    assert cycle_surprise(september) is None


@pytest.fixture
def re_rated(commune, officer, reference_data):
    """Hà (BTXH) paid in August and September 2026; the base level of July 2026 is
    recorded in October (top-ups for August and September), and Cúc, decided
    from July, joins in October (owed from August, the commune's first cycle)."""
    btxh = Programme.objects.get(code="BTXH")
    category = CategoryFactory(programme=btxh, code="BTXH_K6_N", coefficient=1.5)
    ha = BeneficiaryFactory(
        person=PersonFactory(commune=commune, full_name="Ngô Thị Hà"),
        category=category,
        start_month=D(2024, 7, 1),
    )
    Entitlement.objects.create(
        beneficiary=ha, from_month=D(2024, 7, 1), basis="coefficient",
        coefficient=1.5, amount=750_000,
    )  # fmt: skip
    open_cycle(commune, D(2026, 8, 1), actor=officer)
    september = _paid(open_cycle(commune, D(2026, 9, 1), actor=officer).cycle)
    record_base_level(
        btxh, amount=540_000, applies_from=D(2026, 7, 1),
        legal_basis="Nghị định 335/2026/NĐ-CP", actor=officer,
    )  # fmt: skip
    enrol(commune, full_name="Vũ Văn Cúc", amount=500_000, start=D(2026, 7, 1))
    october = open_cycle(commune, D(2026, 10, 1), actor=officer).cycle
    return september, october


def test_re_rated_people_are_counted_apart_from_arrears(re_rated):
    september, october = re_rated
    surprise = cycle_surprise(october)
    assert surprise.compared == september
    # Hà: 810.000 + 2 × 60.000 of top-ups; Cúc: August to October, 3 × 500.000.
    assert (surprise.total, surprise.compared_total) == (2_430_000, 750_000)
    assert (surprise.top_up_people, surprise.top_up_amount) == (1, 120_000)
    # Top-up lines are not arrears: only Cúc's August and September.
    assert (surprise.arrears_people, surprise.arrears_months, surprise.arrears_amount) == (
        1,
        2,
        1_000_000,
    )
    assert (surprise.new_people, surprise.new_amount) == (1, 1_500_000)


def test_a_programme_limited_user_gets_the_rule_over_their_programmes(re_rated):
    _september, october = re_rated
    btxh = Programme.objects.get(code="BTXH")
    # Hà alone (BTXH): 930.000 against 750.000, as expected.
    assert cycle_surprise(october, [btxh.pk]) is None
    ncc = Programme.objects.get(code="NCC")
    # Cúc alone (NCC): nothing of NCC was paid in September.
    surprise = cycle_surprise(october, [ncc.pk])
    assert (surprise.total, surprise.compared_total, surprise.ratio) == (1_500_000, 0, None)


# --- the cycle page ---------------------------------------------------------------------


def test_the_cycle_page_says_why_before_approval(client, leader, arrears_and_new):
    _august, september = arrears_and_new
    client.force_login(leader)
    page = client.get(reverse("cycle_detail", args=[september.pk])).content.decode()
    assert 'data-testid="surprise"' in page
    assert "Tổng kỳ này 4.055.000 đ, gấp 2,0 lần kỳ đã chi trả gần nhất" in page
    assert "(tháng 08/2023: 2.055.000 đ)" in page
    assert "Hãy xem lý do trước khi phê duyệt" in page
    assert "Truy lĩnh các tháng trước 09/2023: 1 người, tổng 1 tháng, 1.000.000 đ." in page
    assert "Không có ai được truy lĩnh chênh lệch do điều chỉnh mức." in page
    assert "Tăng mới so với kỳ tháng 08/2023: 1 người, 2.000.000 đ." in page


def test_the_cycle_page_names_re_rated_people(client, leader, re_rated):
    _september, october = re_rated
    client.force_login(leader)
    page = client.get(reverse("cycle_detail", args=[october.pk])).content.decode()
    assert "gấp 3,2 lần" in page
    assert "Điều chỉnh mức hưởng (truy lĩnh chênh lệch): 1 người, 120.000 đ." in page


def test_the_page_explains_long_arrears_without_a_paid_cycle(
    client, officer, commune, reference_data
):
    september = _unpaid_cycles_then_bình(commune, officer, D(2023, 6, 1))
    client.force_login(officer)
    page = client.get(reverse("cycle_detail", args=[september.pk])).content.decode()
    assert (
        "Chưa có kỳ đã chi trả nào để so sánh, và kỳ này truy lĩnh đến 3 tháng cho một người "
        "(quá 2 tháng)." in page
    )
    assert "Truy lĩnh các tháng trước 09/2023: 1 người, tổng 3 tháng, 3.000.000 đ." in page
    assert "Tăng mới so với" not in page


def test_an_expected_cycle_page_has_no_warning(client, officer, commune, reference_data):
    enrol(commune, full_name="Phan Văn An", start=D(2023, 9, 1))
    cycle = open_cycle(commune, D(2023, 9, 1), actor=officer).cycle
    client.force_login(officer)
    page = client.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    assert 'data-testid="surprise"' not in page
