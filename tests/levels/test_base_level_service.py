"""Entering a base level: the preview to the đồng, the change, twice, verification."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from amounts.changes import base_level_segments
from amounts.models import AllowanceRate, Entitlement
from desk.levels import LevelEntry, apply_base_level, preview_base_level
from desk.reference import load_reference_data
from payments.models import PaymentMonth
from payments.services.cycles import open_cycle
from tests.levels.conftest import AUG, JUL, OCT, SEP

pytestmark = pytest.mark.django_db


def _entry(world, amount: int, basis: str = "Nghị định 335/2026/NĐ-CP") -> LevelEntry:
    return LevelEntry(world.btxh, amount=amount, applies_from=JUL, legal_basis=basis)


def _amount_in_force(enrolment, month) -> int:
    return (
        Entitlement.objects.filter(beneficiary=enrolment, from_month__lte=month)
        .order_by("-from_month")
        .values_list("amount", flat=True)
        .first()
    )


def test_a_higher_level_previews_the_arrears_of_months_sent_to_the_dong(world, commune):
    preview = preview_base_level(_entry(world, 540_000), commune_ids=[commune.pk])
    # Hà 750.000 → 810.000, Cúc 1.000.000 → 1.080.000, Xa (another commune) too;
    # the enrolment ended in July is not re-rated.
    assert preview.enrolments == 3
    assert preview.monthly_difference == 60_000 + 80_000 + 60_000
    # August (paid) and September (submitted) were sent; July is before the first cycle.
    assert (preview.arrears_people, preview.arrears_total) == (2, 2 * 60_000 + 2 * 80_000)
    assert (preview.recovery_people, preview.recovery_total) == (0, 0)
    rows = {c.name: (c.old, c.new, c.paid_months, c.arrears, c.recovery) for c in preview.changes}
    # Only the user's commune is listed; the figures count every commune.
    assert rows == {
        "Ngô Thị Hà": (750_000, 810_000, 2, 120_000, 0),
        "Vũ Văn Cúc": (1_000_000, 1_080_000, 2, 160_000, 0),
    }
    assert [(c.commune, c.period) for c in preview.unsent] == [("Yến Sơn", OCT)]


def test_a_lower_level_previews_the_recoveries_of_months_sent_to_the_dong(world):
    preview = preview_base_level(_entry(world, 480_000))
    # 1,5 × 480.000 = 720.000 (30.000 less); 2 × 480.000 = 960.000 (40.000 less).
    assert preview.monthly_difference == -30_000 - 40_000 - 30_000
    assert (preview.arrears_people, preview.arrears_total) == (0, 0)
    assert (preview.recovery_people, preview.recovery_total) == (2, 2 * 30_000 + 2 * 40_000)
    rows = {c.name: (c.new, c.recovery) for c in preview.changes}
    assert rows == {
        "Ngô Thị Hà": (720_000, 60_000),
        "Vũ Văn Cúc": (960_000, 80_000),
        "Đỗ Xa": (720_000, 0),
    }


def test_the_preview_reads_the_months_the_change_writes(world, leader):
    segments = base_level_segments(world.btxh, amount=540_000, applies_from=JUL)
    result = apply_base_level(_entry(world, 540_000), actor=leader)
    assert result.added == sum(1 for s in segments if s.adds) == 3
    assert result.updated == sum(1 for s in segments if not s.adds) == 0
    for seg in segments:
        for month in (JUL, AUG, SEP, OCT):
            assert _amount_in_force(seg.beneficiary_id, month) == seg.new
    assert _amount_in_force(world.ended, JUL) == 750_000
    assert base_level_segments(world.btxh, amount=540_000, applies_from=JUL) == []


def test_the_next_build_pays_the_previewed_arrears_as_top_ups(world, leader, officer, commune):
    preview = preview_base_level(_entry(world, 540_000))
    apply_base_level(_entry(world, 540_000), actor=leader)
    draft = open_cycle(commune, OCT, actor=officer).cycle
    top_ups = PaymentMonth.objects.filter(payment__cycle=draft, kind="top_up")
    assert sum(top_ups.values_list("amount", flat=True)) == preview.arrears_total == 280_000


def test_a_second_apply_changes_nothing_and_says_so(world, leader):
    first = apply_base_level(_entry(world, 540_000), actor=leader)
    rows = Entitlement.objects.count()
    history = Entitlement.history.count() + AllowanceRate.history.count()
    second = apply_base_level(_entry(world, 540_000), actor=leader)
    assert first.changed and not second.changed
    assert (second.added, second.updated, second.rate_changed) == (0, 0, False)
    assert Entitlement.objects.count() == rows
    assert Entitlement.history.count() + AllowanceRate.history.count() == history


def test_confirming_the_shipped_unverified_level_marks_it_verified_with_who_and_when(world, leader):
    rate = AllowanceRate.objects.get(programme=world.btxh, applies_from=JUL)
    assert (rate.amount, rate.verified, rate.verified_by) == (540_000, False, None)
    apply_base_level(_entry(world, 540_000, rate.legal_basis), actor=leader)
    rate.refresh_from_db()
    assert (rate.amount, rate.verified, rate.verified_by, rate.source_note) == (
        540_000,
        True,
        leader,
        "",
    )
    assert abs((timezone.now() - rate.verified_at).total_seconds()) < 60
    last = rate.history.order_by("-history_date").first()
    assert (last.history_user, last.verified, last.history_type) == (leader, True, "~")
    assert rate.history.filter(verified=False).exists()  # the shipped state is kept


def test_reloading_the_reference_data_keeps_a_confirmed_level(world, leader):
    apply_base_level(_entry(world, 545_000), actor=leader)
    load_reference_data()
    rate = AllowanceRate.objects.get(programme=world.btxh, applies_from=JUL)
    assert (rate.amount, rate.verified, rate.verified_by) == (545_000, True, leader)


def test_only_the_leader_enters_a_level(world, officer, accountant):
    for user in (officer, accountant):
        with pytest.raises(PermissionDenied):
            apply_base_level(_entry(world, 540_000), actor=user)
    assert not AllowanceRate.objects.get(programme=world.btxh, applies_from=JUL).verified


def test_a_level_of_a_programme_of_fixed_amounts_re_rates_nobody(world):
    entry = LevelEntry(world.ncc, amount=3_012_000, applies_from=JUL, legal_basis="NĐ 321")
    preview = preview_base_level(entry)
    assert (preview.enrolments, preview.arrears_total, preview.changes) == (0, 0, [])


def test_a_lower_level_applied_makes_the_previewed_recoveries(world, leader, officer, commune):
    from payments.models import Recovery
    from payments.services.recoveries import with_remaining

    preview = preview_base_level(_entry(world, 480_000))
    apply_base_level(_entry(world, 480_000), actor=leader)
    recoveries = with_remaining(Recovery.objects.all())
    assert sum(r.amount for r in recoveries) == preview.recovery_total == 140_000
    assert {r.beneficiary.person.full_name: r.amount for r in recoveries} == {
        "Ngô Thị Hà": 60_000,
        "Vũ Văn Cúc": 80_000,
    }
    assert {r.cause for r in recoveries} == {Recovery.Cause.AMOUNT}
    # The next cycle deducts them: October owes 720.000 and 960.000 đ.
    draft = open_cycle(commune, OCT, actor=officer).cycle
    assert draft.deducted_amount == 140_000
    assert all(r.left == 0 for r in with_remaining(Recovery.objects.all()))
