"""Moving BTXH_K5C enrolments to hưu trí xã hội: the proposal, the leader's approval,
and the months paid by each programme in the cycles and on the lists."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Programme
from payments.models import PaymentMonth
from payments.services.cycles import approve_cycle, open_cycle
from registration import lists
from registration.models import PaymentMethodRegistration, ProgrammeTransfer
from registration.transfers import (
    TransferError,
    approve_transfer,
    cancel_transfer,
    propose_transfer,
)
from tests.factories import (
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    RegistrationFactory,
)
from tests.htxh.conftest import JUL, JUN, declare, elder

pytestmark = pytest.mark.django_db
D = datetime.date
SINCE = D(2024, 7, 1)


BORN = D(1944, 3, 10)


def k5c_enrolment(commune, k5c, *, born=BORN, account=True, **person):
    person = elder(commune, born=born, **person)
    enrolment = BeneficiaryFactory(person=person, category=k5c, start_month=SINCE)
    EntitlementFactory(
        beneficiary=enrolment,
        from_month=SINCE,
        basis=Entitlement.Basis.COEFFICIENT,
        coefficient=k5c.coefficient,
        amount=500_000,
    )
    RegistrationFactory(
        beneficiary=enrolment,
        from_month=SINCE,
        method=(
            PaymentMethodRegistration.Method.ACCOUNT
            if account
            else PaymentMethodRegistration.Method.CASH
        ),
        account=PaymentAccountFactory(holder=person) if account else None,
    )
    return enrolment


def propose(commune, officer, month=JUL):
    return propose_transfer(
        commune,
        from_category_code="BTXH_K5C",
        to_category_code="HTXH_75",
        month=month,
        actor=officer,
    )


@pytest.fixture
def moving(commune, k5c, htxh):
    """An 81-year-old on K5C with a declared "no pension" fact, paid into her account."""
    enrolment = k5c_enrolment(commune, k5c, full_name="Lê Thị Lan")
    declare(enrolment.person)
    return enrolment


def test_the_proposal_lists_who_moves_with_the_amounts_and_who_is_left_out_and_why(
    commune, officer, k5c, moving
):
    undeclared = k5c_enrolment(commune, k5c, full_name="Trần Văn Bảo")

    transfer = propose(commune, officer)

    assert transfer.status == ProgrammeTransfer.Status.PENDING
    lines = {line.enrolment_id: line for line in transfer.lines.all()}
    assert (lines[moving.pk].moves, lines[moving.pk].amount_before) == (True, 500_000)
    assert lines[moving.pk].amount_after == 500_000
    assert lines[undeclared.pk].moves is False
    assert "Không hưởng lương hưu hoặc trợ cấp BHXH hằng tháng" in lines[undeclared.pk].reason
    assert lines[undeclared.pk].new_enrolment is None
    # Nothing changes before the approval.
    moving.refresh_from_db()
    assert (moving.status, moving.end_month) == (Beneficiary.Status.ACTIVE, None)


def test_approval_ends_the_old_enrolment_and_starts_the_new_one_with_amount_and_registration(
    commune, officer, leader, moving, htxh
):
    transfer = approve_transfer(propose(commune, officer), actor=leader)

    moving.refresh_from_db()
    assert moving.status == Beneficiary.Status.ENDED
    assert moving.end_month == JUL
    assert moving.get_end_reason_display() == "Chuyển sang chương trình khác"
    new = transfer.lines.get().new_enrolment
    assert (new.category, new.start_month, new.person) == (htxh, JUL, moving.person)
    assert list(new.entitlements.values_list("from_month", "amount")) == [(JUL, 500_000)]
    old_registration = moving.registrations.get()
    registration = new.registrations.get()
    assert registration.from_month == JUL and registration.is_current
    assert (registration.method, registration.account_id, registration.representative_id) == (
        old_registration.method,
        old_registration.account_id,
        old_registration.representative_id,
    )
    assert (transfer.status, transfer.approved_by) == (ProgrammeTransfer.Status.APPROVED, leader)
    # The history keeps who did it.
    assert moving.history.first().history_user == leader
    assert new.history.first().history_user == leader


def test_no_month_unpaid_none_paid_twice_in_the_cycles_and_on_the_lists(
    commune, officer, leader, moving, verify_all
):
    verify_all()
    june = open_cycle(commune, JUN, actor=officer).cycle
    approve_cycle(june, actor=leader, today=D(2025, 6, 2))

    transfer = approve_transfer(propose(commune, officer), actor=leader)
    new = transfer.lines.get().new_enrolment
    july = open_cycle(commune, JUL, actor=officer).cycle

    paid = sorted(
        PaymentMonth.objects.filter(live=True).values_list(
            "beneficiary__programme__code", "month", "amount"
        )
    )
    assert paid == [("BTXH", JUN, 500_000), ("HTXH", JUL, 500_000)]
    assert july.payments.get().beneficiary == new
    assert july.payments.get().method == PaymentMethodRegistration.Method.ACCOUNT

    btxh, htxh = Programme.objects.get(code="BTXH"), Programme.objects.get(code="HTXH")
    assert list(lists.list_enrolments(commune, btxh, lists.SELF, JUN)) == [moving]
    assert not lists.list_enrolments(commune, htxh, lists.SELF, JUN).exists()
    assert not lists.list_enrolments(commune, btxh, lists.SELF, JUL).exists()
    assert list(lists.list_enrolments(commune, htxh, lists.SELF, JUL)) == [new]


def test_a_month_before_the_programme_starts_is_refused(commune, officer, moving):
    with pytest.raises(
        TransferError, match="chỉ có từ tháng 07/2025: không chuyển từ tháng 06/2025"
    ):
        propose(commune, officer, month=JUN)
    assert not ProgrammeTransfer.objects.exists()


def test_proposing_twice_while_one_is_pending_is_refused(commune, officer, leader, moving):
    first = propose(commune, officer)

    with pytest.raises(TransferError, match=f"Đã có đề xuất số {first.pk} .* đang chờ duyệt"):
        propose(commune, officer)

    cancel_transfer(first, actor=leader)
    assert propose(commune, officer).pk != first.pk


def test_only_the_leader_approves(commune, officer, accountant, moving):
    transfer = propose(commune, officer)

    for user in (officer, accountant):
        with pytest.raises(PermissionDenied):
            approve_transfer(transfer, actor=user)
    moving.refresh_from_db()
    assert moving.status == Beneficiary.Status.ACTIVE


def test_only_the_officer_proposes(commune, leader, moving):
    with pytest.raises(PermissionDenied):
        propose(commune, leader)


def test_approving_twice_is_refused_and_changes_nothing(commune, officer, leader, moving):
    transfer = propose(commune, officer)
    approve_transfer(transfer, actor=leader)

    with pytest.raises(TransferError, match="đã được duyệt lúc"):
        approve_transfer(transfer, actor=leader)
    assert Beneficiary.objects.filter(category__code="HTXH_75").count() == 1


def test_a_cancelled_proposal_cannot_be_approved(commune, officer, leader, moving):
    transfer = cancel_transfer(propose(commune, officer), actor=officer)

    with pytest.raises(TransferError, match="đã bị hủy"):
        approve_transfer(transfer, actor=leader)


def test_a_person_whose_file_changed_since_the_proposal_stops_the_approval(
    commune, officer, leader, moving
):
    transfer = propose(commune, officer)
    moving.person.conditions.all().delete()

    with pytest.raises(TransferError, match="Lê Thị Lan .* lập đề xuất mới"):
        approve_transfer(transfer, actor=leader)
    moving.refresh_from_db()
    assert moving.status == Beneficiary.Status.ACTIVE


def test_a_category_of_the_same_programme_or_nobody_to_move_is_refused(
    commune, officer, reference_data
):
    with pytest.raises(TransferError, match="cùng thuộc chương trình"):
        propose_transfer(
            commune,
            from_category_code="BTXH_K5C",
            to_category_code="BTXH_K5A_80P",
            month=JUL,
            actor=officer,
        )
    with pytest.raises(TransferError, match="Không có ai hưởng diện"):
        propose(commune, officer)
    with pytest.raises(TransferError, match="Không có diện đối tượng mã XYZ"):
        propose_transfer(
            commune, from_category_code="XYZ", to_category_code="HTXH_75", month=JUL, actor=officer
        )
