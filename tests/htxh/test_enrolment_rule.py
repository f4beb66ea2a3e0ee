"""The one enrolment rule for hưu trí xã hội: its first month, the age at the start
month (year-only births too), the declared conditions with their documents, and
BTXH_K5C never in the same month."""

from __future__ import annotations

import datetime

import pytest

from beneficiaries.models import Beneficiary, EnrolmentCondition
from beneficiaries.services import (
    RegistryError,
    enrolment_problem,
    record_condition,
    save_beneficiary,
)
from core.rules.ages import age_in_month
from tests.factories import BeneficiaryFactory
from tests.htxh.conftest import JUL, JUN, declare, elder

pytestmark = pytest.mark.django_db
D = datetime.date


def enrolment(person, category, start=JUL, end=None):
    return Beneficiary(
        person=person,
        commune=person.commune,
        programme=category.programme,
        category=category,
        start_month=start,
        end_month=end,
    )


@pytest.mark.parametrize(
    ("birth", "month", "age"),
    [
        (D(1950, 7, 31), D(2025, 7, 1), 75),  # the birthday in the month counts
        (D(1950, 8, 1), D(2025, 7, 1), 74),
        (D(1950, 1, 1), D(2025, 1, 1), 75),
        (D(1952, 2, 29), D(2024, 2, 1), 72),
    ],
)
def test_the_age_in_a_month_is_the_one_reached_by_its_last_day(birth, month, age):
    assert age_in_month(birth, birth.year, month) == age


def test_a_year_only_birth_counts_as_the_first_of_january():
    assert age_in_month(None, 1950, D(2025, 1, 1)) == 75
    assert age_in_month(None, 1950, D(2024, 12, 1)) == 74


def test_a_person_of_75_without_a_pension_may_enrol_from_july_2025(commune, htxh):
    person = elder(commune, born=D(1950, 7, 20))
    declare(person)

    assert enrolment_problem(enrolment(person, htxh)) is None


def test_a_person_turning_75_after_the_start_month_is_refused(commune, htxh):
    person = elder(commune, born=D(1950, 8, 2))
    declare(person)

    problem = enrolment_problem(enrolment(person, htxh))

    assert "sinh ngày 02/08/1950" in problem
    assert "đến tháng 07/2025 mới 74 tuổi" in problem
    assert "từ đủ 75 tuổi" in problem


def test_a_year_only_birth_is_75_in_january_of_the_year(commune, htxh):
    person = elder(commune, born=D(1950, 12, 31), year_only=True)
    declare(person, valid_from=D(2025, 1, 1))
    person_too_young = elder(commune, born=D(1951, 1, 1), year_only=True)
    declare(person_too_young, valid_from=D(2025, 1, 1))

    assert enrolment_problem(enrolment(person, htxh)) is None
    problem = enrolment_problem(enrolment(person_too_young, htxh))
    assert "sinh năm 1951" in problem and "mới 74 tuổi" in problem


def test_70_to_75_needs_to_be_under_75_and_a_poor_household(commune, htxh_poor):
    young_enough = elder(commune, born=D(1953, 5, 1))
    declare(young_enough)
    assert "hộ nghèo hoặc hộ cận nghèo" in enrolment_problem(enrolment(young_enough, htxh_poor))

    declare(young_enough, EnrolmentCondition.Kind.POOR_HOUSEHOLD)
    assert enrolment_problem(enrolment(young_enough, htxh_poor)) is None

    too_old = elder(commune, born=D(1950, 7, 1))
    declare(too_old)
    declare(too_old, EnrolmentCondition.Kind.POOR_HOUSEHOLD)
    assert "dưới 75 tuổi" in enrolment_problem(enrolment(too_old, htxh_poor))


def test_without_the_declared_no_pension_fact_it_is_refused(commune, htxh):
    person = elder(commune)

    problem = enrolment_problem(enrolment(person, htxh))

    assert problem == (
        "Diện “Từ đủ 75 tuổi” cần giấy tờ xác nhận “Không hưởng lương hưu hoặc trợ cấp BHXH "
        "hằng tháng” còn hiệu lực trong tháng 07/2025: ghi giấy tờ và ngày của giấy tờ."
    )


def test_a_declaration_that_expired_before_the_start_month_does_not_count(commune, htxh):
    person = elder(commune)
    declare(person, valid_from=D(2024, 1, 1), valid_until=D(2025, 6, 30))

    assert "còn hiệu lực trong tháng 07/2025" in enrolment_problem(enrolment(person, htxh))


def test_hưu_trí_xã_hội_cannot_start_before_july_2025(commune, htxh):
    person = elder(commune)
    declare(person, valid_from=D(2025, 1, 1))

    problem = enrolment_problem(enrolment(person, htxh, start=JUN))

    assert problem == (
        "Chương trình Hưu trí xã hội chỉ có từ tháng 07/2025: không hưởng từ tháng 06/2025."
    )


def test_k5c_and_hưu_trí_xã_hội_never_in_the_same_month(commune, htxh, k5c):
    person = elder(commune, born=D(1940, 1, 5))
    declare(person)
    BeneficiaryFactory(person=person, category=k5c, start_month=D(2024, 7, 1))

    problem = enrolment_problem(enrolment(person, htxh))

    assert problem == (
        "Người này đang hưởng diện “Người cao tuổi từ 80 không lương hưu” (Bảo trợ xã hội, "
        "từ tháng 07/2024): không được cùng hưởng diện “Từ đủ 75 tuổi” từ tháng 07/2025."
    )


def test_the_exclusion_names_the_months_that_overlap_either_way(commune, htxh, k5c):
    person = elder(commune, born=D(1940, 1, 5))
    declare(person)
    BeneficiaryFactory(person=person, category=htxh, start_month=JUL)

    problem = enrolment_problem(enrolment(person, k5c, start=D(2025, 5, 1), end=D(2025, 9, 1)))

    assert "diện “Từ đủ 75 tuổi” (Hưu trí xã hội, từ tháng 07/2025)" in problem
    assert "trong các tháng 07/2025 – 08/2025" in problem


def test_k5c_ending_when_hưu_trí_xã_hội_starts_is_accepted(commune, htxh, k5c):
    person = elder(commune, born=D(1940, 1, 5))
    declare(person)
    BeneficiaryFactory(
        person=person,
        category=k5c,
        start_month=D(2024, 7, 1),
        end_month=JUL,
        status=Beneficiary.Status.ENDED,
        end_reason=Beneficiary.EndReason.TRANSFERRED,
    )

    assert enrolment_problem(enrolment(person, htxh)) is None


def test_save_beneficiary_saves_the_declared_conditions_with_the_enrolment(commune, htxh, officer):
    person = elder(commune)
    condition = EnrolmentCondition(
        kind=EnrolmentCondition.Kind.NO_PENSION,
        document="Tờ khai số 15",
        document_date=D(2025, 7, 2),
        valid_from=D(2025, 7, 2),
    )

    saved = save_beneficiary(enrolment(person, htxh), actor=officer, conditions=[condition])

    assert saved.pk and condition.pk
    assert condition.person == person and condition.recorded_by == officer
    assert condition.history.first().history_user == officer


def test_a_refused_enrolment_saves_none_of_its_conditions(commune, htxh, officer):
    person = elder(commune, born=D(1952, 1, 1))
    condition = EnrolmentCondition(
        kind="no_pension", document="Tờ khai", document_date=JUL, valid_from=JUL
    )

    with pytest.raises(RegistryError, match="mới 73 tuổi"):
        save_beneficiary(enrolment(person, htxh), actor=officer, conditions=[condition])

    assert not EnrolmentCondition.objects.exists()
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(
    ("document", "day", "until", "message"),
    [
        ("", D(2025, 7, 1), None, "Ghi tên/số giấy tờ chứng minh"),
        ("Tờ khai", None, None, "Ghi ngày của giấy tờ"),
        ("Tờ khai", D(2025, 7, 1), D(2025, 6, 1), "Ngày hết hiệu lực phải sau"),
    ],
)
def test_a_declared_condition_needs_its_document_and_dates(
    commune, officer, document, day, until, message
):
    person = elder(commune)

    with pytest.raises(RegistryError, match=message):
        record_condition(
            person,
            kind="no_pension",
            document=document,
            document_date=day,
            valid_from=D(2025, 7, 1),
            valid_until=until,
            actor=officer,
        )
    assert not EnrolmentCondition.objects.exists()


def test_a_new_document_is_a_new_row_and_history_is_kept(commune, officer):
    person = elder(commune)
    first = record_condition(
        person,
        kind="poor_household",
        document="GCN hộ nghèo 2025",
        document_date=D(2025, 1, 5),
        valid_from=D(2025, 1, 1),
        valid_until=D(2025, 12, 31),
        actor=officer,
    )
    record_condition(
        person,
        kind="poor_household",
        document="GCN hộ nghèo 2026",
        document_date=D(2026, 1, 6),
        valid_from=D(2026, 1, 1),
        actor=officer,
    )

    assert person.conditions.count() == 2
    assert first.history.first().history_user == officer
