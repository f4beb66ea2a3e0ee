"""The set-based results path records exactly what recording one by one records.

Property test: from the same commune (cash enrolments of a programme that
suspends after three uncollected months, account enrolments), random
sequences of cycles opened and results files — paid, failed, uncollected,
back to a different result, the same rows again in a later file, now and then
a result the payment cannot take — are recorded once through
``record_result`` row by row (a file refused as a whole when one row is) and
once through ``record_results``. A file either brings its name as the reason
to correct results recorded before (a bank's results file) or not (then a
different result over a recorded one is refused). Both runs end in the same
payments, month lines (re-issued months included), enrolments (suspensions),
corrections, recoveries and history rows, compared normalised (by person and
month, not by key), with the same outcome for every row.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beneficiaries.models import Beneficiary, Programme
from payments.bankresults import import_bank_results
from payments.models import Payment, PaymentCycle, PaymentMonth, Recovery, ResultCorrection
from payments.services.cycles import open_cycle
from payments.services.results import ResultError, record_result
from payments.services.results_bulk import ResultInput, record_results
from tests.cycles.conftest import enrol
from tests.factories import CategoryFactory, PaymentAccountFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

SEP = datetime.date(2023, 9, 1)
STATUSES = ("paid", "not_paid", "wrong_kind", "pending")
ROW = st.tuples(
    st.integers(0, 40),  # which payment, among those of the submitted cycles
    st.sampled_from(STATUSES),
    st.integers(1, 28),  # the day paid, in the cycle's month
    st.integers(0, 2),  # the bank reference
    st.sampled_from(["Không đến nhận", "Tài khoản đã đóng", ""]),
)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("month")),
        # The rows, and whether the file corrects results recorded before.
        st.tuples(st.just("file"), st.lists(ROW, min_size=1, max_size=8), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


def add_month(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _people(commune) -> None:
    btxh = Programme.objects.get(code="BTXH")
    category = CategoryFactory(programme=btxh, code="BTXH_K5C")
    for n in range(3):
        enrol(commune, category=category, full_name=f"Tiền Mặt {n}")
    for n in range(2):
        enrolment = enrol(commune, full_name=f"Chuyển Khoản {n}")
        account = PaymentAccountFactory(holder=enrolment.person)
        RegistrationFactory(beneficiary=enrolment, method="account", account=account)


def _result(payment: Payment, row: tuple) -> ResultInput:
    _index, kind, day, ref, reason = row
    cash = payment.method != Payment.Method.ACCOUNT
    period = payment.cycle.period
    if kind == "paid":
        return ResultInput(
            payment.pk, "paid", paid_on=period.replace(day=day), reference=f"FT{ref}"
        )
    if kind == "pending":
        return ResultInput(payment.pk, "pending", reference=f"FT{ref}")
    not_paid = "returned" if cash else "failed"
    if kind == "wrong_kind":
        not_paid = "failed" if cash else "returned"
    return ResultInput(payment.pk, not_paid, reference=f"FT{ref}", reason=reason)


def _outcome(outcome) -> object:
    if isinstance(outcome, bool):
        return outcome
    if isinstance(outcome, PermissionDenied):
        return "permission"
    return str(outcome)


REASON = "Tệp kết quả ngan-hang.xlsx"


def _one_by_one(results: list[ResultInput], actor, correction: str | None) -> list:
    outcomes = []
    with transaction.atomic():
        for result in results:
            try:
                with transaction.atomic():
                    _payment, changed = record_result(
                        Payment(pk=result.payment_id),
                        status=result.status,
                        actor=actor,
                        paid_on=result.paid_on,
                        reference=result.reference,
                        reason=result.reason,
                        correction=correction,
                    )
                outcomes.append(changed)
            except (ResultError, PermissionDenied) as exc:
                outcomes.append(exc)
        if any(not isinstance(o, bool) for o in outcomes):
            transaction.set_rollback(True)  # a file is recorded whole or not at all
    return outcomes


def _run(commune, officer, leader, ops, *, set_based: bool) -> dict:
    period = add_month(SEP, -1)
    outcomes = []
    for op in [("month",), *ops]:
        if op[0] == "month":
            period = add_month(period, 1)
            cycle = open_cycle(commune, period, actor=officer).cycle
            PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
            continue
        payments = list(
            Payment.objects.select_related("cycle").order_by("cycle__period", "beneficiary_id")
        )
        results, seen = [], set()
        for row in op[1]:
            payment = payments[row[0] % len(payments)]
            if payment.pk not in seen:  # a file names each payment once
                seen.add(payment.pk)
                results.append(_result(payment, row))
        correction = REASON if len(op) > 2 and op[2] else None
        if set_based:
            done = record_results(results, actor=officer, correction=correction)
        else:
            done = _one_by_one(results, officer, correction)
        outcomes.append([_outcome(o) for o in done])
    return {"outcomes": outcomes, **_state()}


def _state() -> dict:
    """Everything a result touches, keyed by person and month instead of keys."""
    payments = {
        pk: (name, period)
        for pk, name, period in Payment.objects.values_list(
            "pk", "beneficiary__person__full_name", "cycle__period"
        )
    }
    return {
        "payments": sorted(
            (payments[pk], *rest)
            for pk, *rest in Payment.objects.values_list(
                "pk",
                "status",
                "paid_on",
                "reference",
                "failure_reason",
                "recorded_by_id",
                "amount",
                "method",
            )
        ),  # fmt: skip
        "months": sorted(
            (payments[pk], *rest)
            for pk, *rest in PaymentMonth.objects.values_list(
                "payment_id", "month", "kind", "amount", "live"
            )
        ),
        "enrolments": sorted(
            Beneficiary.objects.values_list("person__full_name", "status", "note")
        ),
        "payment_history": sorted(
            (payments[pk], *rest)
            for pk, *rest in Payment.history.order_by("history_id").values_list(
                "id",
                "history_type",
                "status",
                "paid_on",
                "reference",
                "failure_reason",
                "recorded_by_id",
                "history_user_id",
                "history_change_reason",
            )
        ),  # fmt: skip
        "corrections": sorted(
            (payments[pk], *rest)
            for pk, *rest in ResultCorrection.objects.values_list(
                "payment_id",
                "old_status",
                "old_paid_on",
                "old_reference",
                "old_failure_reason",
                "new_status",
                "new_paid_on",
                "new_reference",
                "new_failure_reason",
                "reason",
                "corrected_by_id",
            )
        ),
        "correction_history": sorted(
            (payments[pk], *rest)
            for pk, *rest in ResultCorrection.history.values_list(
                "payment_id",
                "history_type",
                "new_status",
                "history_user_id",
                "history_change_reason",
            )
        ),  # fmt: skip
        "recoveries": sorted(
            Recovery.objects.values_list("beneficiary__person__full_name", "cause", "amount")
        ),
        "enrolment_history": sorted(
            Beneficiary.history.order_by("history_id").values_list(
                "id", "history_type", "status", "note", "history_user_id"
            )
        ),
    }


def _same_either_way(commune, officer, leader, ops) -> None:
    states = []
    for set_based in (False, True):
        with transaction.atomic():
            states.append(_run(commune, officer, leader, ops, set_based=set_based))
            transaction.set_rollback(True)
    one_by_one, set_based = states
    for key in one_by_one:
        assert set_based[key] == one_by_one[key], key


@pytest.fixture
def people(commune, reference_data):
    _people(commune)
    return commune


UNCOLLECTED = [(i, "not_paid", 5, 0, "Không đến nhận") for i in range(5)]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
# Three months uncollected: the cash enrolments are suspended.
@example(
    ops=[
        ("file", UNCOLLECTED),
        ("month",),
        ("file", [(i + 5, *r[1:]) for i, r in enumerate(UNCOLLECTED)]),
        ("month",),
        ("file", [(i + 10, *r[1:]) for i, r in enumerate(UNCOLLECTED)]),
    ]
)
# Failed, re-issued by the next cycle, then paid after all: refused; the same file again.
@example(
    ops=[
        ("file", [(3, "not_paid", 1, 0, "Tài khoản đã đóng")]),
        ("month",),
        ("file", [(3, "paid", 9, 1, "")]),
        ("file", [(8, "paid", 9, 1, ""), (3, "paid", 9, 1, "")]),
        ("file", [(8, "paid", 9, 1, "")]),
    ]
)
# Paid, then failed after all by a correcting file, then paid again; one refused without reason.
@example(
    ops=[
        ("file", [(3, "paid", 4, 0, ""), (0, "paid", 4, 0, "")]),
        ("file", [(3, "not_paid", 1, 1, "Tài khoản đã đóng"), (0, "not_paid", 1, 0, "Vắng")], True),
        ("file", [(3, "paid", 6, 2, "")], True),
        ("file", [(0, "paid", 7, 2, "")]),
        ("month",),
        ("file", [(0, "paid", 7, 2, ""), (3, "not_paid", 2, 0, "Sai tên")], True),
    ]
)
def test_set_based_results_match_one_by_one(ops, people, officer, leader):
    _same_either_way(people, officer, leader, ops)


@pytest.mark.slow
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_set_based_results_match_one_by_one_many_examples(ops, people, officer, leader):
    _same_either_way(people, officer, leader, ops)


def test_a_correcting_file_writes_the_same_corrections_both_ways(people, officer, leader):
    ops = [
        ("file", [(3, "paid", 4, 0, ""), (0, "paid", 4, 0, "")]),
        ("file", [(3, "not_paid", 1, 1, "Tài khoản đã đóng"), (0, "not_paid", 1, 0, "Vắng")], True),
    ]
    states = []
    for set_based in (False, True):
        with transaction.atomic():
            states.append(_run(people, officer, leader, ops, set_based=set_based))
            transaction.set_rollback(True)
    assert states[0] == states[1]
    assert states[1]["outcomes"] == [[True, True], [True, True]]
    corrections = states[1]["corrections"]
    assert sorted((c[1], c[5]) for c in corrections) == [("paid", "failed"), ("paid", "returned")]
    assert all(c[9] == REASON and c[10] == officer.pk for c in corrections)
    assert len(states[1]["correction_history"]) == 2


def test_a_payment_twice_in_one_call_is_a_programming_error(people, officer, leader):
    cycle = open_cycle(people, SEP, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    payment = cycle.payments.first()
    result = ResultInput(payment.pk, "paid", paid_on=SEP, reference="FT1")
    with pytest.raises(ValueError, match="twice"):
        record_results([result, result], actor=officer)


def test_the_bank_file_import_is_the_same_both_ways(paying, officer, tmp_path):
    """The results file of the cycle's page and command, set-based and row by row."""
    import csv

    account = list(paying.cycle.payments.filter(method="account").order_by("pk"))
    path = tmp_path / "ket-qua.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["STT", "Mã thanh toán", "Số tài khoản", "Số tiền (đồng)", "Kết quả",
             "Mã giao dịch ngân hàng", "Ngày giao dịch", "Lý do không thành công"]
        )  # fmt: skip
        for number, payment in enumerate(account, start=1):
            paid = number % 2
            writer.writerow(
                [number, f"ASXH{payment.pk:08d}", payment.account_number, payment.amount,
                 "Thành công" if paid else "Không thành công", f"FT{number}",
                 "12/09/2023" if paid else "", "" if paid else "Sai số tài khoản"]
            )  # fmt: skip
    states = []
    for one_by_one in (True, False):
        with transaction.atomic():
            for _again in range(2):  # the same file twice: the second changes nothing
                with path.open("rb") as handle:
                    summary = import_bank_results(
                        handle, filename=path.name, actor=officer,
                        today=datetime.date(2023, 9, 20), one_by_one=one_by_one,
                    )  # fmt: skip
                assert summary.ok, summary.errors
            states.append((summary.changed, summary.unchanged, summary.paid, _state()))
            transaction.set_rollback(True)
    assert states[0] == states[1]
    assert states[1][:3] == (0, len(account), (len(account) + 1) // 2)
    assert len(account) >= 2
