"""draft → approved → submitted → paid → closed: who may, when, and the gate."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from beneficiaries.models import Person
from core import roles
from payments.models import Payment, PaymentCycle
from payments.services.cycles import (
    WORKFLOW,
    CycleBlocked,
    CycleError,
    approve_cycle,
    close_cycle,
    mark_cycle_paid,
    open_cycle,
    steps_for,
    submit_cycle,
    take_step,
)
from payments.services.results import record_result
from tests.cash import settle_cash_account
from tests.cycles.conftest import SEP, enrol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BEFORE_DUE = datetime.date(2023, 9, 3)


@pytest.fixture
def draft(commune, officer, verify_all):
    enrol(commune, full_name="Phan Văn Một")
    enrol(commune, full_name="Phan Văn Hai", amount=1_624_000)
    verify_all()
    return open_cycle(commune, SEP, actor=officer).cycle


def test_the_leader_approves_and_the_officer_submits_on_time(draft, leader, officer):
    cycle = approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    assert (cycle.status, cycle.approved_by) == ("approved", leader)
    cycle = submit_cycle(cycle, actor=officer, today=BEFORE_DUE)
    assert (cycle.status, cycle.submitted_by, cycle.submitted_late) == ("submitted", officer, False)
    assert list(cycle.history.values_list("status", flat=True))[:3] == [
        "submitted",
        "approved",
        "draft",
    ]


def test_a_submission_after_the_due_day_is_marked_late(draft, leader, officer):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    cycle = submit_cycle(draft, actor=officer, today=datetime.date(2023, 9, 6))
    assert cycle.submitted_late


@pytest.mark.parametrize("who", ["officer", "accountant", "police", "post_office"])
def test_only_a_leader_approves(draft, request, who):
    with pytest.raises(PermissionDenied):
        approve_cycle(draft, actor=request.getfixturevalue(who), today=BEFORE_DUE)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_person_who_prepared_cannot_approve(commune, verify_all):
    both = UserFactory(username="kiemnhiem", role=roles.LABOUR_OFFICER, communes=[commune])
    both.groups.add(*UserFactory(username="lanhdao2", role=roles.LEADER).groups.all())
    enrol(commune)
    verify_all()
    cycle = open_cycle(commune, SEP, actor=both).cycle
    with pytest.raises(CycleError, match="không tự phê duyệt"):
        approve_cycle(cycle, actor=both, today=BEFORE_DUE)


def test_an_approved_cycle_cannot_be_approved_again(draft, leader):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    with pytest.raises(CycleError, match="Đã phê duyệt"):
        approve_cycle(draft, actor=leader, today=BEFORE_DUE)


def test_the_gate_names_who_blocks_approval(commune, officer, leader, verify_all):
    enrol(commune, full_name="Trương Văn Đủ")
    verify_all()
    enrol(commune, full_name="Trương Văn Chưa")
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    with pytest.raises(CycleBlocked) as blocked:
        approve_cycle(cycle, actor=leader, today=BEFORE_DUE)
    assert [b.person_name for b in blocked.value.blockers] == ["Trương Văn Chưa"]
    assert "Chưa được công an xã xác thực" in blocked.value.blockers[0].reasons[0]
    cycle.refresh_from_db()
    assert cycle.status == "draft"


def test_an_edit_after_approval_blocks_the_submission(draft, leader, officer):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    person = Person.objects.get(full_name="Phan Văn Hai")
    person.full_name = "Phan Văn Hài"
    person.save()
    with pytest.raises(CycleBlocked, match="1 người"):
        submit_cycle(draft, actor=officer, today=BEFORE_DUE)


def test_a_blocking_finding_blocks_approval(commune, officer, leader, verify_all):
    enrol(commune, date_of_death=datetime.date(2023, 9, 2))
    verify_all()
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    with pytest.raises(CycleBlocked) as blocked:
        approve_cycle(cycle, actor=leader, today=BEFORE_DUE)
    assert "Người đã chết" in blocked.value.blockers[0].reasons[0]


def test_books_close_only_when_every_payment_has_a_result(
    draft, leader, officer, accountant, post_office
):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    submit_cycle(draft, actor=officer, today=BEFORE_DUE)
    with pytest.raises(CycleError, match="Đã chi trả"):
        close_cycle(draft, actor=officer)
    mark_cycle_paid(draft, actor=officer)
    first, second = draft.payments.order_by("pk")
    record_result(first, status="paid", paid_on=datetime.date(2023, 9, 10), actor=officer)
    with pytest.raises(CycleError, match="Còn 1 khoản"):
        close_cycle(draft, actor=officer)
    record_result(second, status="returned", reason="Đi vắng", actor=officer)
    # Cash: the post office's account must balance, confirmed by both, first.
    with pytest.raises(CycleError, match="Kế toán chưa ghi số tiền giao cho bưu điện"):
        close_cycle(draft, actor=officer)
    settle_cash_account(draft, accountant=accountant, post_office=post_office)
    cycle = close_cycle(draft, actor=officer)
    assert cycle.status == PaymentCycle.Status.CLOSED
    totals = {
        status: sum(p.amount for p in cycle.payments.filter(status=status))
        for status in Payment.Status.values
    }
    assert sum(totals.values()) == cycle.total_amount == 3_679_000


def test_the_gate_checks_who_the_cycle_pays_not_a_later_registration(
    commune, officer, leader, police, verify_all
):
    from beneficiaries.services import record_matches
    from registration.models import PaymentMethodRegistration
    from tests.factories import PaymentAccountFactory, RegistrationFactory, RepresentativeFactory

    enrolment = enrol(commune)
    verify_all()
    proxy = RepresentativeFactory(represented=enrolment.person)  # never checked
    RegistrationFactory(
        beneficiary=enrolment,
        method="account",
        representative=proxy,
        account=PaymentAccountFactory(holder=proxy.person),
        from_month=datetime.date(2023, 7, 1),
        is_current=False,
    )
    # A later registration (self, cash from December) is the current one.
    RegistrationFactory(beneficiary=enrolment, method="cash", from_month=datetime.date(2023, 12, 1))
    assert PaymentMethodRegistration.objects.get(is_current=True).method == "cash"
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    assert cycle.payments.get().representative == proxy
    with pytest.raises(CycleBlocked) as blocked:
        approve_cycle(cycle, actor=leader, today=BEFORE_DUE)
    assert [b.person_id for b in blocked.value.blockers] == [proxy.person_id]
    record_matches(Person.objects.filter(pk=proxy.person_id), actor=police)
    assert approve_cycle(cycle, actor=leader, today=BEFORE_DUE).status == "approved"


# The reason a step taken back needs (the other steps take none).
REASON = "Số tiền truy lĩnh cần kiểm tra lại"
ROLE_FIXTURES = ["officer", "leader", "accountant", "police", "post_office", "district"]


@pytest.mark.parametrize("state", [s for s in PaymentCycle.Status if s != "closed"])
def test_the_steps_offered_are_exactly_the_steps_the_services_accept(draft, request, state, clock):
    """The cycle page offers ``steps_for``; every other step is refused by the service
    itself (role or state), so the page cannot drift from the rules."""
    from tests.conftest import local_moment

    clock.move_to(local_moment(BEFORE_DUE))
    leader = request.getfixturevalue("leader")

    def put(state):
        approver = None if state == PaymentCycle.Status.DRAFT else leader
        PaymentCycle.objects.filter(pk=draft.pk).update(status=state, approved_by=approver)

    put(state)
    Payment.objects.filter(cycle=draft).update(status=Payment.Status.PAID, paid_on=BEFORE_DUE)
    if state == PaymentCycle.Status.PAID:  # the cash account as closing needs it
        settle_cash_account(
            draft,
            accountant=request.getfixturevalue("accountant"),
            post_office=request.getfixturevalue("post_office"),
            day=BEFORE_DUE,
        )
    for who in ROLE_FIXTURES:
        user = request.getfixturevalue(who)
        cycle = PaymentCycle.objects.get(pk=draft.pk)
        offered = steps_for(user, cycle)
        for step in WORKFLOW:
            if step in offered:
                continue
            with pytest.raises((PermissionDenied, CycleError)):
                take_step(cycle, step, actor=user, reason=REASON)
        for step in offered:
            cycle = PaymentCycle.objects.get(pk=draft.pk)
            take_step(cycle, step, actor=user, reason=REASON)  # accepted: nothing raised
            put(state)
    assert steps_for(leader, draft) == ["approve"]
    assert steps_for(request.getfixturevalue("officer"), draft) == ["rebuild"]
