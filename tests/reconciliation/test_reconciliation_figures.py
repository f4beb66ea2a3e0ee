"""The figures of a cycle's reconciliation and the checks that must agree."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import GeneratedFile
from payments.bankexport import bank_batches
from payments.cashlists import cash_list_figures
from payments.cyclefiles import request_cycle_files
from payments.models import Payment, PaymentCycle, PaymentMonth
from payments.reconciliation import reconcile
from payments.services.cycles import open_cycle
from payments.services.results import record_result
from tests.reconciliation.conftest import OCT, PAID_ON

pytestmark = pytest.mark.django_db


def _figures(group) -> dict[str, tuple[int, int]]:
    return {key: (f.count, f.amount) for key, _label, f in group.figures}


def _group(rec, label):
    return next(g for g in rec.groups if g.label == label)


def test_every_figure_by_method_and_bank_to_the_dong(reconciling):
    rec = reconcile(reconciling.cycle)
    assert [g.label for g in rec.groups] == [
        "Qua tài khoản",
        "Qua tài khoản — Agribank",
        "Qua tài khoản — Vietcombank",
        "Tiền mặt tại điểm chi trả",
        "Tiền mặt tại nhà",
        "Cả kỳ chi trả",
    ]
    # An paid 2.055.000 đ; Em owes 400.000 đ, 100.000 đ recovered, 300.000 đ sent, pending.
    assert _figures(_group(rec, "Qua tài khoản — Agribank")) == {
        "owed": (2, 2_455_000),
        "deducted": (1, 100_000),
        "sent": (2, 2_355_000),
        "paid": (1, 2_055_000),
        "failed": (0, 0),
        "returned": (0, 0),
        "pending": (1, 300_000),
        "settled": (0, 0),
    }
    assert _figures(_group(rec, "Qua tài khoản — Vietcombank"))["failed"] == (1, 1_500_000)
    # Cúc's August and September not collected; Giang's 100.000 đ all recovered: settled.
    assert _figures(_group(rec, "Tiền mặt tại điểm chi trả")) == {
        "owed": (2, 2_100_000),
        "deducted": (1, 100_000),
        "sent": (1, 2_000_000),
        "paid": (0, 0),
        "failed": (0, 0),
        "returned": (1, 2_000_000),
        "pending": (0, 0),
        "settled": (1, 0),
    }
    assert _figures(_group(rec, "Tiền mặt tại nhà"))["paid"] == (1, 750_000)
    assert _figures(rec.total) == {
        "owed": (6, 6_805_000),
        "deducted": (2, 200_000),
        "sent": (5, 6_605_000),
        "paid": (2, 2_805_000),
        "failed": (1, 1_500_000),
        "returned": (1, 2_000_000),
        "pending": (1, 300_000),
        "settled": (1, 0),
    }
    assert rec.total.payments == 6


def test_every_check_of_a_sound_cycle_agrees(reconciling):
    rec = reconcile(reconciling.cycle)
    assert rec.ok and rec.differences == 0
    labels = [c.label for c in rec.checks]
    assert labels == [
        "Tổng tiền, số khoản đã lưu của kỳ = các khoản",
        "Khấu trừ thu hồi đã lưu của kỳ = khấu trừ của các khoản",
        "Tệp ngân hàng Agribank = tiền gửi qua Agribank",
        "Tệp ngân hàng Vietcombank = tiền gửi qua Vietcombank",
        "Danh sách “Tiền mặt tại điểm” = tiền gửi tiền mặt tại điểm chi trả",
        "Danh sách “Chi trả tại nhà” = tiền gửi tiền mặt tại nhà",
    ]
    # Each group: months = sent + deducted, sent = its results; the banks and methods add up.
    assert len(_group(rec, "Qua tài khoản").checks) == 3
    assert len(rec.total.checks) == 3
    assert {c.words for c in rec.all_checks} == {"Khớp"}


def test_a_settled_payment_is_on_no_bank_file_nor_cash_list(reconciling):
    """Giang's payment was taken whole by the recovery: nothing is sent, no row to pay."""
    cycle = reconciling.cycle
    assert reconciling.payment("giang").status == Payment.Status.SETTLED
    lists = cash_list_figures(cycle)
    assert (lists["cash"].rows, lists["cash"].total) == (1, 2_000_000)
    assert {(b.bank.short_name, b.rows, b.total) for b in bank_batches(cycle)} == {
        ("Agribank", 2, 2_355_000),
        ("Vietcombank", 1, 1_500_000),
    }


def test_a_stored_total_altered_shows_the_difference(reconciling):
    cycle = reconciling.cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(total_amount=6_610_000, deducted_amount=0)
    cycle.refresh_from_db()
    rec = reconcile(cycle)
    assert not rec.ok and rec.differences == 2
    stored, deducted = rec.checks[0], rec.checks[1]
    assert (stored.ok, stored.difference, stored.words) == (False, 5_000, "Lệch 5.000 đ")
    assert (deducted.difference, deducted.words) == (-200_000, "Lệch -200.000 đ")
    assert all(c.ok for g in rec.groups for c in g.checks)


def test_a_month_line_altered_breaks_its_bank_its_method_and_the_cycle(reconciling):
    an = reconciling.payment("an")
    PaymentMonth.objects.filter(payment=an).update(amount=2_056_000)
    rec = reconcile(reconciling.cycle)
    broken = {g.label: c.difference for g in rec.groups for c in g.checks if not c.ok}
    assert broken == {
        "Qua tài khoản": 1_000,
        "Qua tài khoản — Agribank": 1_000,
        "Cả kỳ chi trả": 1_000,
    }
    assert rec.differences == 3


def test_the_files_made_are_checked_against_the_payments(
    reconciling, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_cycle_files(reconciling.cycle, actor=officer)
    made = GeneratedFile.objects.filter(status="done")
    assert made.count() == 2
    rec = reconcile(reconciling.cycle)
    files = [c for c in rec.checks if "đã lập lúc" in c.label]
    assert [(c.left, c.left_count, c.ok) for c in files] == [
        (3_855_000, 3, True),
        (2_750_000, 2, True),
    ]
    made.filter(kind=GeneratedFile.Kind.POST_OFFICE_LISTS).update(total_amount=2_000_000, rows=1)
    late = [c for c in reconcile(reconciling.cycle).checks if "đã lập lúc" in c.label][1]
    assert (late.ok, late.difference, late.count_difference) == (False, -750_000, -1)
    assert late.words == "Lệch -750.000 đ, -1 khoản"


def test_what_the_next_cycle_reissues_of_the_failed_and_uncollected_months(reconciling, officer):
    assert reconcile(reconciling.cycle).reissued is None
    october = open_cycle(reconciling.cycle.commune, OCT, actor=officer).cycle
    again = reconcile(reconciling.cycle).reissued
    assert again is not None and again.cycle == october
    # Bình's September (1.500.000 đ), Cúc's August and September (2.000.000 đ).
    assert (again.not_paid.count, again.not_paid.amount) == (2, 3_500_000)
    assert (again.payments, again.amount) == (2, 3_500_000)


def test_a_user_of_some_programmes_gets_their_payments_without_cycle_wide_checks(
    reconciling,
):
    from beneficiaries.models import Programme

    an = reconciling.people["an"]
    other = Programme.objects.exclude(pk=an.programme_id).first()
    an = reconciling.people["an"]
    rec = reconcile(reconciling.cycle, [an.programme_id])
    assert not rec.partial and rec.checks  # every payment is of that programme
    rec = reconcile(reconciling.cycle, [other.pk])
    assert rec.partial and rec.checks == [] and rec.total.payments == 0


def test_the_reconciliation_costs_the_same_queries_for_more_people(
    reconciling, officer, django_assert_num_queries
):
    from tests.cycles.conftest import enrol

    with django_assert_num_queries(6):
        reconcile(reconciling.cycle)
    for n in range(20):
        enrol(reconciling.cycle.commune, 1_000_000, full_name=f"Người Thêm {n}")
    october = open_cycle(reconciling.cycle.commune, OCT, actor=officer).cycle
    with django_assert_num_queries(6):
        assert reconcile(october).total.payments == 26
    with django_assert_num_queries(8):  # and what October re-issued of September
        assert reconcile(reconciling.cycle).reissued.payments == 2


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whatever_the_results_every_check_holds(reconciling, officer, data):
    cycle = reconciling.cycle
    payments = list(cycle.payments.exclude(status=Payment.Status.SETTLED).order_by("pk"))
    with transaction.atomic():
        for payment in payments:
            failed = "failed" if payment.method == "account" else "returned"
            status = data.draw(st.sampled_from(["pending", "paid", failed]))
            if status == "pending" or payment.status != "pending":
                continue  # left pending, or its result already recorded
            record_result(
                payment,
                status=status,
                paid_on=PAID_ON if status == "paid" else None,
                reason="Kết quả ngẫu nhiên",
                actor=officer,
            )
        rec = reconcile(cycle)
        assert rec.ok, [(c.label, c.words) for c in rec.all_checks if not c.ok]
        assert rec.total.sent.amount == sum(
            getattr(rec.total, s).amount for s in ("paid", "failed", "returned", "pending")
        )
        transaction.set_rollback(True)
