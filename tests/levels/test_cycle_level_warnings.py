"""The cycle page warns of months paid at an unverified level and of a draft built
before a level was entered; in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.amounttable import decode_table
from desk.levels import LevelEntry, apply_base_level, apply_fixed_amounts
from payments.levelwarnings import cycle_level_warnings
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from tests.levels.conftest import JUL, OCT, SEP, enrol

pytestmark = pytest.mark.django_db


def _level(world):
    return LevelEntry(
        world.btxh, amount=540_000, applies_from=JUL, legal_basis="Nghị định 335/2026/NĐ-CP"
    )


def test_a_draft_paid_at_an_unverified_level_says_so_on_its_page(client, world, officer):
    warnings = cycle_level_warnings(world.october)
    [level] = warnings.unverified
    assert (level.programme, level.applies_from, level.amount, level.months) == (
        "Bảo trợ xã hội",
        JUL,
        540_000,
        (OCT,),
    )
    assert warnings.stale_months == 0
    client.force_login(officer)
    text = client.get(reverse("cycle_detail", args=[world.october.pk])).content.decode()
    assert "Mức chuẩn Bảo trợ xã hội 540.000 đ từ tháng 07/2026 chưa được kiểm chứng" in text
    assert reverse("base_levels") in text


def test_a_sent_cycle_keeps_the_unverified_warning_but_never_asks_to_rebuild(world, leader):
    assert [lv.months for lv in cycle_level_warnings(world.september).unverified] == [(SEP,)]
    apply_base_level(_level(world), actor=leader)
    warnings = cycle_level_warnings(world.september)
    assert not warnings.unverified and warnings.stale_months == 0


def test_a_draft_built_before_a_level_was_entered_needs_rebuilding(
    client, world, leader, officer, commune
):
    apply_base_level(_level(world), actor=leader)
    warnings = cycle_level_warnings(world.october)
    assert warnings.unverified == []
    assert (warnings.stale_people, warnings.stale_months) == (2, 2)
    assert [(s.name, s.month, s.paid, s.owed) for s in warnings.stale_examples] == [
        ("Ngô Thị Hà", OCT, 750_000, 810_000),
        ("Vũ Văn Cúc", OCT, 1_000_000, 1_080_000),
    ]
    client.force_login(officer)
    text = client.get(reverse("cycle_detail", args=[world.october.pk])).content.decode()
    assert "Cần lập lại dự thảo." in text
    open_cycle(commune, OCT, actor=officer)
    assert not cycle_level_warnings(PaymentCycle.objects.get(pk=world.october.pk))


def test_an_approved_cycle_is_told_to_withdraw_the_approval_first(world, leader):
    PaymentCycle.objects.filter(pk=world.october.pk).update(status="approved", approved_by=leader)
    apply_fixed_amounts(
        decode_table("NCC_A:3012000:2026-07").rows, decision_number="NĐ", actor=leader
    )
    warnings = cycle_level_warnings(PaymentCycle.objects.get(pk=world.october.pk))
    assert warnings.rebuild_needs_withdrawal
    assert [(s.name, s.paid, s.owed) for s in warnings.stale_examples] == [
        ("Trần Thị Lan", 2_789_000, 3_012_000)
    ]


def test_a_programme_of_fixed_amounts_is_not_warned_of_its_base_level(world):
    # NCC's level from 07/2026 is shipped unverified too; its amounts come from decisions.
    assert {lv.programme for lv in cycle_level_warnings(world.october).unverified} == {
        "Bảo trợ xã hội"
    }


def test_a_user_limited_to_a_programme_sees_only_its_warnings(world):
    assert cycle_level_warnings(world.october, programme_ids=[world.ncc.pk]).unverified == []


def _queries(cycle) -> int:
    with CaptureQueriesContext(connection) as captured:
        cycle_level_warnings(cycle)
    return len(captured.captured_queries)


def test_the_warnings_take_the_same_queries_for_two_people_and_for_twenty(
    world, leader, officer, commune
):
    apply_base_level(_level(world), actor=leader)
    few = _queries(world.october)
    for n in range(18):
        enrol(
            commune, "BTXH_K6_N", amount=750_000, coefficient=1.5, start=OCT, full_name=f"Thêm {n}"
        )
    apply_base_level(
        LevelEntry(world.btxh, amount=545_000, applies_from=JUL, legal_basis="NĐ sửa"), actor=leader
    )
    cycle = open_cycle(commune, OCT, actor=officer).cycle
    apply_base_level(_level(world), actor=leader)
    warnings = cycle_level_warnings(cycle)
    # Hà and Cúc: October and the top-ups of August and September; 18 others: October.
    assert (warnings.stale_people, warnings.stale_months) == (20, 24)
    assert _queries(cycle) == few == 4
