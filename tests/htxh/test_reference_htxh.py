"""The shipped HTXH rows: categories with age bounds and conditions, the unverified
500.000 đ base level with its source, the first month; an existing database gets them."""

from __future__ import annotations

import datetime

import pytest

from amounts.models import AllowanceRate
from beneficiaries.models import Category, Programme
from desk.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_the_htxh_categories_carry_their_age_bounds_conditions_and_exclusion(reference_data):
    htxh_75 = Category.objects.get(code="HTXH_75")
    poor = Category.objects.get(code="HTXH_70_NGHEO")
    k5c = Category.objects.get(code="BTXH_K5C")

    assert (htxh_75.age_from, htxh_75.age_below, str(htxh_75.coefficient)) == (75, None, "1.00")
    assert (poor.age_from, poor.age_below) == (70, 75)
    assert htxh_75.required == ("age", "no_pension")
    assert poor.required == ("age", "no_pension", "poor_household")
    assert set(k5c.excludes.values_list("code", flat=True)) == {"HTXH_75", "HTXH_70_NGHEO"}
    assert set(htxh_75.excludes.values_list("code", flat=True)) == {"BTXH_K5C"}


def test_the_500_000_đ_base_level_is_not_verified_and_says_where_it_comes_from(reference_data):
    rate = AllowanceRate.objects.get(programme__code="HTXH")

    assert (rate.amount, rate.applies_from) == (500_000, datetime.date(2025, 7, 1))
    assert rate.verified is False
    assert rate.source_note.startswith("reported by national press")
    assert rate.legal_basis == "Nghị định 176/2025/NĐ-CP"


def test_loading_again_brings_an_older_database_up_to_date(reference_data):
    # A database loaded before HTXH was data: no first month, no categories, no rate.
    Programme.objects.filter(code="HTXH").update(starts_from=None)
    Category.objects.get(code="BTXH_K5C").excludes.clear()
    Category.objects.filter(programme__code="HTXH").delete()
    AllowanceRate.objects.filter(programme__code="HTXH").delete()

    summary = load_reference_data()

    assert summary.created == {"category": 2, "rate": 1}
    assert Programme.objects.get(code="HTXH").starts_from == datetime.date(2025, 7, 1)
    assert Category.objects.get(code="BTXH_K5C").excludes.count() == 2
    assert load_reference_data().created == {}


def test_a_requirement_the_rule_does_not_know_is_refused_in_the_admin(reference_data):
    from django.core.exceptions import ValidationError

    from beneficiaries.models import EnrolmentCondition
    from beneficiaries.models.programmes import REQUIREMENTS

    category = Category.objects.get(code="HTXH_75")
    category.requires = "age;no_pensoin"
    with pytest.raises(ValidationError, match="no_pensoin"):
        category.full_clean()
    assert set(REQUIREMENTS) == {"age", *EnrolmentCondition.Kind.values}
