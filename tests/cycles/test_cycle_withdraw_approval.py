"""The leader withdraws a cycle's approval until it is sent: a reason, the history, again."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from payments.models import PaymentCycle
from payments.services.cycles import (
    CycleError,
    approve_cycle,
    open_cycle,
    submit_cycle,
    withdraw_cycle_approval,
)
from tests.cycles.conftest import SEP, enrol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BEFORE_DUE = datetime.date(2023, 9, 3)
REASON = "Số tiền truy lĩnh của ông Một cần kiểm tra lại"


@pytest.fixture
def approved(commune, officer, leader, verify_all):
    enrol(commune, full_name="Phan Văn Một")
    enrol(commune, full_name="Phan Văn Hai", amount=1_624_000)
    verify_all()
    draft = open_cycle(commune, SEP, actor=officer).cycle
    return approve_cycle(draft, actor=leader, today=BEFORE_DUE)


def test_the_leader_withdraws_with_a_reason_and_the_history_says_who_and_why(approved, leader):
    cycle = withdraw_cycle_approval(approved, actor=leader, reason=f"  {REASON}\n ")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.approved_by, cycle.approved_at) == ("draft", None, None)
    latest = cycle.history.order_by("-history_date", "-history_id").first()
    assert latest.status == "draft"
    assert latest.history_user == leader
    assert latest.history_change_reason == f"Rút phê duyệt: {REASON}"


def test_a_withdrawn_cycle_is_approved_again(approved, leader, officer):
    withdraw_cycle_approval(approved, actor=leader, reason=REASON)
    rebuilt = open_cycle(approved.commune, SEP, actor=officer).cycle
    cycle = approve_cycle(rebuilt, actor=leader, today=BEFORE_DUE)
    assert (cycle.status, cycle.approved_by) == ("approved", leader)
    statuses = list(cycle.history.order_by("history_date", "history_id").values_list("status"))
    assert [s for (s,) in statuses][-4:] == ["approved", "draft", "draft", "approved"]


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_reason_is_required(approved, leader, reason):
    with pytest.raises(CycleError, match="Hãy ghi lý do"):
        withdraw_cycle_approval(approved, actor=leader, reason=reason)
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_a_reason_too_long_is_refused_and_nothing_changes(approved, leader):
    with pytest.raises(CycleError, match="Lý do dài quá 500 ký tự"):
        withdraw_cycle_approval(approved, actor=leader, reason="x" * 501)
    approved.refresh_from_db()
    assert approved.status == "approved"


@pytest.mark.parametrize("who", ["officer", "accountant", "police", "post_office", "district"])
def test_only_the_leader_withdraws(approved, request, who):
    with pytest.raises(PermissionDenied):
        withdraw_cycle_approval(approved, actor=request.getfixturevalue(who), reason=REASON)
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_a_leader_of_any_role_set_is_enough_but_not_a_user_without_it(approved, commune):
    stranger = UserFactory(username="khach", communes=[commune])
    with pytest.raises(PermissionDenied):
        withdraw_cycle_approval(approved, actor=stranger, reason=REASON)


def test_a_sent_cycle_keeps_its_approval(approved, leader, officer):
    submit_cycle(approved, actor=officer, today=BEFORE_DUE)
    with pytest.raises(CycleError, match="đã gửi cho cơ quan chi trả: không rút phê duyệt"):
        withdraw_cycle_approval(approved, actor=leader, reason=REASON)
    approved.refresh_from_db()
    assert (approved.status, approved.approved_by) == ("submitted", leader)


def test_a_second_withdrawal_is_refused_and_writes_no_second_history_row(approved, leader):
    withdraw_cycle_approval(approved, actor=leader, reason=REASON)
    rows = approved.history.count()
    with pytest.raises(CycleError, match="cần “Đã phê duyệt”"):
        withdraw_cycle_approval(approved, actor=leader, reason=REASON)
    assert approved.history.count() == rows
    assert PaymentCycle.objects.get(pk=approved.pk).status == "draft"


def test_a_draft_has_no_approval_to_withdraw(commune, officer, leader, verify_all):
    enrol(commune, full_name="Phan Văn Ba")
    verify_all()
    draft = open_cycle(commune, SEP, actor=officer).cycle
    with pytest.raises(CycleError, match="cần “Đã phê duyệt”"):
        withdraw_cycle_approval(draft, actor=leader, reason=REASON)
