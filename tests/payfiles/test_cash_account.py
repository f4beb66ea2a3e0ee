"""The post office's cash account: handed over = paid + returned, two confirmations,
and closing a cycle that pays cash.

September (``paying``): Cúc in cash (2.000.000 đ: August's uncollected month and
September's) and Dũng at home (750.000 đ): the lists' total is 2.750.000 đ.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import roles
from payments.models import CashAccount, PaymentCycle
from payments.services.cashaccount import (
    CashAccountError,
    account_state,
    cash_account_close_problem,
    confirm_for_accountant,
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)
from payments.services.corrections import correct_result
from payments.services.cycles import CycleError, close_cycle, mark_cycle_paid, open_cycle
from payments.services.results import record_result
from tests.cash import settle_cash_account
from tests.cycles.conftest import enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory, UserFactory
from tests.payfiles.conftest import SEP, submit

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 9, 10)
LATER = datetime.date(2023, 9, 19)
TOTAL = 2_750_000


def _hand_over(cycle, accountant, amount=TOTAL, voucher="PC-09/2023"):
    return record_handover(
        cycle, amount=amount, handed_over_on=DAY, voucher=voucher, actor=accountant
    )


def _results(paying, officer, *, dung="returned"):
    record_result(paying.payment("cuc"), status="paid", paid_on=DAY, actor=officer)
    if dung == "returned":
        record_result(paying.payment("dung"), status="returned", reason="Vắng nhà", actor=officer)
    else:
        record_result(paying.payment("dung"), status="paid", paid_on=DAY, actor=officer)


def test_the_lists_total_counts_the_cash_and_home_payments_only(paying):
    figures = account_state(paying.cycle).figures
    assert (figures.count, figures.total, figures.pending_count) == (2, TOTAL, 2)
    assert paying.cycle.total_amount > TOTAL  # the account payments are not the post office's


def test_a_balanced_account_is_confirmed_by_the_post_office_then_the_accountant(
    paying, officer, accountant, post_office
):
    cycle = paying.cycle
    _hand_over(cycle, accountant)
    _results(paying, officer)
    record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=post_office)
    state = account_state(cycle)
    assert state.balanced and state.problems == []
    assert (state.handed_over, state.accounted, state.returned_cash) == (TOTAL, TOTAL, 750_000)
    assert state.handover_difference == 0 and state.returned_difference == 0
    assert state.state_label == "Đã cân, chờ bưu điện xác nhận"
    with pytest.raises(CashAccountError, match="Bưu điện chưa xác nhận"):
        confirm_for_accountant(cycle, actor=accountant)

    account, changed = confirm_for_post_office(cycle, actor=post_office)
    assert changed and account.post_office_confirmed_by == post_office
    assert account_state(cycle).state_label == "Đã cân, bưu điện đã xác nhận, chờ kế toán xác nhận"
    account, changed = confirm_for_accountant(cycle, actor=accountant)
    assert changed and account.accountant_confirmed_by == accountant
    state = account_state(cycle)
    assert state.confirmed and cash_account_close_problem(cycle) is None
    # Every step is in the account's history, with who.
    assert list(account.history.order_by("history_id").values_list("history_user", flat=True)) == [
        accountant.pk,
        post_office.pk,
        post_office.pk,
        accountant.pk,
    ]


def test_pending_rows_mean_it_cannot_balance_yet(paying, officer, accountant, post_office):
    cycle = paying.cycle
    _hand_over(cycle, accountant)
    record_returned_cash(cycle, amount=0, returned_on=LATER, actor=post_office)
    state = account_state(cycle)
    assert not state.balanced
    assert state.problems == ["Còn 2 khoản tiền mặt chưa có kết quả (2.750.000 đ)."]
    assert state.handover_difference is None  # nothing to compare while rows are pending
    with pytest.raises(CashAccountError, match="chưa cân.*Còn 2 khoản tiền mặt"):
        confirm_for_post_office(cycle, actor=post_office)
    record_result(paying.payment("cuc"), status="paid", paid_on=DAY, actor=officer)
    assert account_state(cycle).problems == ["Còn 1 khoản tiền mặt chưa có kết quả (750.000 đ)."]


def test_nothing_recorded_says_who_has_to_record_what(paying):
    assert account_state(paying.cycle).problems == [
        "Kế toán chưa ghi số tiền giao cho bưu điện.",
        "Còn 2 khoản tiền mặt chưa có kết quả (2.750.000 đ).",
        "Bưu điện chưa ghi số tiền mặt nộp lại.",
    ]


@pytest.mark.parametrize(
    ("amount", "difference"), [(2_700_000, "−50.000 đ"), (2_750_001, "+1 đ"), (0, "−2.750.000 đ")]
)
def test_a_handover_other_than_the_lists_total_is_refused_and_records_nothing(
    paying, accountant, amount, difference
):
    with pytest.raises(CashAccountError) as refused:
        _hand_over(paying.cycle, accountant, amount=amount)
    assert "khác tổng danh sách chi tiền mặt và chi tại nhà 2.750.000 đ (2 khoản)" in str(
        refused.value
    )
    assert f"chênh lệch {difference}. Không ghi gì." in str(refused.value)
    assert not CashAccount.objects.exists()


def test_a_handover_needs_a_voucher_and_a_plausible_day(paying, accountant):
    with pytest.raises(CashAccountError, match="số phiếu chi"):
        _hand_over(paying.cycle, accountant, voucher="   ")
    with pytest.raises(CashAccountError, match="Ngày giao tiền không được sau hôm nay"):
        record_handover(
            paying.cycle,
            amount=TOTAL,
            handed_over_on=datetime.date(2030, 1, 1),
            voucher="PC1",
            actor=accountant,
        )
    with pytest.raises(CashAccountError, match="trước tháng 08/2023"):
        record_handover(
            paying.cycle,
            amount=TOTAL,
            handed_over_on=datetime.date(2023, 7, 31),
            voucher="PC1",
            actor=accountant,
        )
    assert not CashAccount.objects.exists()


def test_returned_cash_other_than_the_returned_rows_shows_the_difference(
    paying, officer, accountant, post_office
):
    cycle = paying.cycle
    _hand_over(cycle, accountant)
    _results(paying, officer)
    record_returned_cash(cycle, amount=700_000, returned_on=LATER, actor=post_office)
    state = account_state(cycle)
    assert not state.balanced
    assert state.returned_difference == -50_000
    assert state.returned_difference_text == "−50.000 đ"
    assert state.problems == [
        "Tiền mặt bưu điện nộp lại 700.000 đ khác tổng các khoản không nhận 750.000 đ: "
        "chênh lệch −50.000 đ."
    ]
    with pytest.raises(CashAccountError, match="chưa cân"):
        confirm_for_post_office(cycle, actor=post_office)
    # More than the lists hold is a typing mistake: refused, the earlier record kept.
    with pytest.raises(CashAccountError, match="lớn hơn cả tổng danh sách"):
        record_returned_cash(cycle, amount=27_500_000, returned_on=LATER, actor=post_office)
    assert CashAccount.objects.get().returned_amount == 700_000


def test_handed_over_differs_from_paid_and_returned_when_the_lists_changed(
    paying, officer, accountant, post_office
):
    """The handover is a snapshot: a list that changed afterwards shows as a difference."""
    cycle = paying.cycle
    _hand_over(cycle, accountant)
    _results(paying, officer)
    record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=post_office)
    # A payment leaves the counted statuses (as a settled deduction would).
    paying.cycle.payments.filter(pk=paying.payment("cuc").pk).update(status="failed")
    state = account_state(cycle)
    assert state.handover_difference == 2_000_000
    assert state.problems == [
        "Tiền đã giao 2.750.000 đ khác đã chi trả + không nhận 750.000 đ: chênh lệch +2.000.000 đ."
    ]


def test_a_second_click_changes_nothing_and_says_so(paying, officer, accountant, post_office):
    cycle = paying.cycle
    assert _hand_over(cycle, accountant)[1] is True
    assert _hand_over(cycle, accountant)[1] is False
    _results(paying, officer)
    assert record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=post_office)[1]
    assert not record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=post_office)[1]
    assert confirm_for_post_office(cycle, actor=post_office)[1] is True
    assert confirm_for_post_office(cycle, actor=post_office)[1] is False
    assert confirm_for_accountant(cycle, actor=accountant)[1] is True
    assert confirm_for_accountant(cycle, actor=accountant)[1] is False
    assert CashAccount.objects.get().history.count() == 4


def test_the_same_person_cannot_confirm_for_both(paying, officer, accountant, commune):
    both = UserFactory(username="kiemnhiem", role=roles.POST_OFFICE, communes=[commune])
    both.groups.add(*UserFactory(username="ketoan2", role=roles.ACCOUNTANT).groups.all())
    cycle = paying.cycle
    _hand_over(cycle, both)
    _results(paying, officer)
    record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=both)
    confirm_for_post_office(cycle, actor=both)
    with pytest.raises(CashAccountError, match="không xác nhận lần thứ hai"):
        confirm_for_accountant(cycle, actor=both)
    assert not account_state(cycle).accountant_confirmed
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CashAccount.objects.filter(cycle=cycle).update(
            accountant_confirmed_by=both,
            accountant_confirmed_at=timezone.now(),
            accountant_figures="x",
        )
    confirm_for_accountant(cycle, actor=accountant)
    assert account_state(cycle).confirmed


def test_a_result_corrected_after_the_confirmations_voids_them(
    paying, officer, accountant, post_office
):
    cycle = paying.cycle
    settle = {"accountant": accountant, "post_office": post_office, "day": LATER}
    _results(paying, officer)
    settle_cash_account(cycle, **settle)
    assert account_state(cycle).confirmed
    # Dũng came after all: the officer corrects his result to paid.
    correct_result(
        paying.payment("dung"),
        status="paid",
        paid_on=LATER,
        reference="",
        reason="Ông Dũng đã nhận tiền sau",
        actor=officer,
    )
    state = account_state(cycle)
    assert not state.post_office_confirmed and not state.accountant_confirmed
    assert state.post_office_void and state.accountant_void
    assert state.problems == [
        "Tiền mặt bưu điện nộp lại 750.000 đ khác tổng các khoản không nhận 0 đ: "
        "chênh lệch +750.000 đ."
    ]
    # The post office records what it really returned and both confirm again.
    record_returned_cash(cycle, amount=0, returned_on=LATER, actor=post_office)
    assert cash_account_close_problem(cycle) == (
        "Bưu điện chưa xác nhận tài khoản tiền mặt của kỳ."
    )
    assert confirm_for_post_office(cycle, actor=post_office)[1]
    assert cash_account_close_problem(cycle) == "Kế toán chưa xác nhận tài khoản tiền mặt của kỳ."
    assert confirm_for_accountant(cycle, actor=accountant)[1]
    assert account_state(cycle).confirmed


def test_a_changed_paid_day_voids_the_confirmations_though_the_sums_stay(
    paying, officer, accountant, post_office
):
    cycle = paying.cycle
    _results(paying, officer)
    settle_cash_account(cycle, accountant=accountant, post_office=post_office, day=LATER)
    correct_result(
        paying.payment("cuc"),
        status="paid",
        paid_on=LATER,
        reference="",
        reason="Ngày chi trả ghi nhầm",
        actor=officer,
    )
    state = account_state(cycle)
    assert state.balanced and not state.post_office_confirmed
    assert cash_account_close_problem(cycle) == "Bưu điện chưa xác nhận tài khoản tiền mặt của kỳ."


def test_the_same_result_recorded_again_keeps_the_confirmations(
    paying, officer, accountant, post_office
):
    cycle = paying.cycle
    _results(paying, officer)
    settle_cash_account(cycle, accountant=accountant, post_office=post_office, day=LATER)
    record_result(paying.payment("cuc"), status="paid", paid_on=DAY, actor=officer)
    assert account_state(cycle).confirmed


def test_close_is_refused_until_the_account_is_balanced_and_confirmed_by_both(
    paying, officer, accountant, post_office
):
    cycle = mark_cycle_paid(paying.cycle, actor=officer)
    record_result(paying.payment("an"), status="paid", paid_on=DAY, actor=officer)
    record_result(paying.payment("binh"), status="paid", paid_on=DAY, actor=officer)
    record_result(paying.payment("em"), status="failed", reason="Sai số", actor=officer)
    _results(paying, officer)

    def refused() -> str:
        with pytest.raises(CycleError) as error:
            close_cycle(cycle, actor=officer)
        assert PaymentCycle.objects.get(pk=cycle.pk).status == "paid"
        return str(error.value)

    assert refused() == (
        "Tài khoản tiền mặt của bưu điện chưa cân: Kế toán chưa ghi số tiền giao cho bưu điện. "
        "Bưu điện chưa ghi số tiền mặt nộp lại. Chưa khóa sổ được."
    )
    _hand_over(cycle, accountant)
    record_returned_cash(cycle, amount=750_000, returned_on=LATER, actor=post_office)
    assert refused() == "Bưu điện chưa xác nhận tài khoản tiền mặt của kỳ. Chưa khóa sổ được."
    confirm_for_post_office(cycle, actor=post_office)
    assert refused() == "Kế toán chưa xác nhận tài khoản tiền mặt của kỳ. Chưa khóa sổ được."
    confirm_for_accountant(cycle, actor=accountant)
    closed = close_cycle(cycle, actor=officer)
    assert closed.status == "closed"
    # A closed cycle's account no longer changes.
    with pytest.raises(CashAccountError, match="chưa khóa sổ"):
        record_returned_cash(cycle, amount=0, returned_on=LATER, actor=post_office)


def test_a_cycle_without_cash_closes_as_before(commune, officer, leader, reference_data):
    an = enrol(commune, full_name="Phan Văn An")
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person),
        from_month=datetime.date(2023, 7, 1),
    )
    cycle = submit(open_cycle(commune, SEP, actor=officer).cycle, leader)
    cycle = mark_cycle_paid(cycle, actor=officer)
    record_result(cycle.payments.get(), status="paid", paid_on=DAY, actor=officer)
    state = account_state(cycle)
    assert not state.has_cash and state.missing is None
    assert state.state_label == "Kỳ không có khoản tiền mặt"
    assert close_cycle(cycle, actor=officer).status == "closed"
    assert not CashAccount.objects.exists()


def test_an_account_is_kept_only_for_a_cycle_with_cash(
    commune, officer, leader, accountant, reference_data
):
    an = enrol(commune, full_name="Phan Văn An")
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person),
        from_month=datetime.date(2023, 7, 1),
    )
    cycle = submit(open_cycle(commune, SEP, actor=officer).cycle, leader)
    with pytest.raises(CashAccountError, match="không có khoản tiền mặt hay chi tại nhà"):
        record_handover(cycle, amount=0, handed_over_on=DAY, voucher="PC1", actor=accountant)


def test_a_draft_cycle_has_no_account_yet(commune, officer, accountant, reference_data):
    enrol(commune)
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    with pytest.raises(CashAccountError, match="đã gửi và chưa khóa sổ"):
        record_handover(cycle, amount=2_055_000, handed_over_on=DAY, voucher="1", actor=accountant)


def test_only_the_accountant_hands_over_and_confirms_last(paying, request):
    for who in ("officer", "leader", "post_office", "police", "district"):
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            _hand_over(paying.cycle, user)
        with pytest.raises(PermissionDenied):
            confirm_for_accountant(paying.cycle, actor=user)
    assert not CashAccount.objects.exists()


def test_only_the_post_office_records_returned_cash_and_confirms_first(paying, request):
    for who in ("officer", "leader", "accountant", "police", "district"):
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            record_returned_cash(paying.cycle, amount=0, returned_on=LATER, actor=user)
        with pytest.raises(PermissionDenied):
            confirm_for_post_office(paying.cycle, actor=user)
    assert not CashAccount.objects.exists()
