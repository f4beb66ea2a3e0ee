"""Opening a month's payment cycle and moving it through its states.

A cycle is computed in the database, set-based: one ``INSERT … SELECT`` for
the months each enrolment is owed (the month itself and any earlier month not
paid, or paid at a lower amount), one for the payments, one for their month
lines and one for the payments' history rows. No Python object per
beneficiary. The SQL is portable (PostgreSQL and SQLite): months come from the
calendar table ``payments_month``.

What is owed, per enrolment and month:

- the enrolments of the commune in the cycle's month
  (``Beneficiary.objects.of_commune_in``: after a merger, the old commune's
  months before it hold its people, the new commune's the rest);
- months from the enrolment's start (and the programme's first month,
  ``Programme.starts_from``) up to the cycle's month, each only from
  the first cycle of the commune the enrolment belonged to that month on
  (earlier months were paid outside the system): after a merger the new
  commune's first cycle pays as arrears what the old commune's cycles left
  unpaid, and invents nothing for an old commune that had no cycle;
- not while the enrolment is suspended (its months are owed again when it is
  reactivated); before its end month — an ended enrolment is still owed the
  months before its end that were not paid; not after the month of death;
- the amount of the entitlement in force that month, less what live lines
  already pay for it net of what recoveries take back for it
  (:mod:`payments.services.recoveries`, detected before the cycle is built;
  the open ones are then deducted from the payments). No live regular line: a
  regular line; one already (the base level was raised after it was paid): a
  top-up line for the difference.

Payments take the method, receiver and account of the registration in force
that month (the latest starting on or before it); without one, cash at the
post office to the beneficiary.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.deadlines import DeadlineBook
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCommunePeriod,
    merged_commune_problem,
)
from core import roles
from core.access import has_any_role, prepared_by, require_actor
from core.bulk import HistoryStamp, history_from_rows
from core.rules.money import format_amount
from core.rules.months import first_of_month, next_month
from core.rules.reasons import ReasonError, clean_reason
from payments.models import Payment, PaymentCycle
from payments.services.cashaccount import cash_account_close_problem
from payments.services.recoveries import apply_deductions, clear_deductions, detect_recoveries
from registration.quality.gate import Blocker, submission_blockers


class CycleError(Exception):
    """A cycle operation refused, with a message for the user."""


class CycleBlocked(CycleError):
    """The cycle cannot go on while these people are unverified or have a blocking finding."""

    def __init__(self, message: str, blockers: list[Blocker]) -> None:
        super().__init__(message)
        self.blockers = blockers


def due_date(commune: Commune, period: datetime.date) -> datetime.date:
    """The earliest deadline among the programmes' settings in force for the month."""
    return DeadlineBook([commune.pk]).commune_due(commune.pk, period)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _d(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


# --- building ---------------------------------------------------------------

_CREATE_DUE = """
CREATE TEMPORARY TABLE payments_cycle_due (
    beneficiary_id bigint NOT NULL,
    month date NOT NULL,
    kind varchar(10) NOT NULL,
    amount bigint NOT NULL
)
"""

# The first cycle of each commune the cycle's enrolments belonged to (this one and
# those merged into it): a month is tracked from its commune's first cycle on.
_CREATE_TRACKED = """
CREATE TEMPORARY TABLE payments_cycle_tracked (
    commune_id bigint NOT NULL PRIMARY KEY,
    tracked_from date NOT NULL
)
"""

# What an enrolment's month holds, as the fills below read it ({b}: the enrolment's
# id column, {m}: the month's): the live lines, what recoveries take back, and
# whether a regular line pays it already (a new line is then a top-up).
_LIVE_PAID = """COALESCE((SELECT SUM(pm.amount) FROM payments_paymentmonth pm
          WHERE pm.beneficiary_id = {b} AND pm.month = {m} AND pm.live), 0)"""
_RECOVERED = """COALESCE((SELECT SUM(rm.amount) FROM payments_recoverymonth rm
          WHERE rm.beneficiary_id = {b} AND rm.month = {m}), 0)"""
_REGULAR_LINES = """(SELECT COUNT(*) FROM payments_paymentmonth pm
          WHERE pm.beneficiary_id = {b} AND pm.month = {m} AND pm.live
            AND pm.kind = 'regular')"""


def _month_holds(b: str, m: str) -> dict[str, str]:
    return {
        "live_paid": _LIVE_PAID.format(b=b, m=m),
        "recovered": _RECOVERED.format(b=b, m=m),
        "regular_lines": _REGULAR_LINES.format(b=b, m=m),
    }


# One row per enrolment and month owed something, with the amount still due.
# A month belongs to the commune the enrolment belonged to then (its period row
# from a merger, else its commune) and is owed only from that commune's first
# cycle on: earlier months were paid outside the system.
_FILL_DUE = """
INSERT INTO payments_cycle_due (beneficiary_id, month, kind, amount)
SELECT x.beneficiary_id, x.month,
       CASE WHEN x.regular_lines = 0 THEN 'regular' ELSE 'top_up' END,
       x.owed - x.paid
FROM (
    SELECT b.id AS beneficiary_id, m.month AS month,
        (SELECT e.amount FROM amounts_entitlement e
          WHERE e.beneficiary_id = b.id AND e.from_month <= m.month
          ORDER BY e.from_month DESC LIMIT 1) AS owed,
        {live_paid} - {recovered} AS paid,
        {regular_lines} AS regular_lines
    FROM beneficiaries_beneficiary b
    JOIN beneficiaries_person p ON p.id = b.person_id
    JOIN beneficiaries_programme pg ON pg.id = b.programme_id
    JOIN payments_month m
      ON m.month >= b.start_month AND m.month >= %s AND m.month <= %s
      AND (pg.starts_from IS NULL OR m.month >= pg.starts_from)
    {history_join}
    {tracked_join}
    WHERE b.id IN ({enrolments}) AND b.status <> 'suspended'
      AND (b.status <> 'ended' OR b.end_month IS NOT NULL)
      AND (b.end_month IS NULL OR m.month < b.end_month)
      AND (p.date_of_death IS NULL OR m.month <= p.date_of_death)
      -- A month another enrolment of the person already paid in a category this
      -- one excludes (BTXH_K5C and hưu trí xã hội) is not owed twice.
      AND NOT EXISTS (
        SELECT 1 FROM {excludes} cx
        JOIN beneficiaries_beneficiary b2
          ON b2.category_id = cx.to_category_id AND b2.person_id = b.person_id
         AND b2.id <> b.id
        JOIN payments_paymentmonth pm2
          ON pm2.beneficiary_id = b2.id AND pm2.month = m.month AND pm2.live
        WHERE cx.from_category_id = b.category_id)
) x
WHERE x.owed IS NOT NULL AND x.owed > x.paid
"""

# No enrolment ever moved: a month is tracked from its commune's first cycle.
_TRACKED_JOIN = """
    JOIN payments_cycle_tracked t
      ON t.commune_id = b.commune_id AND m.month >= t.tracked_from
"""

# After a merger a month is tracked from the first cycle of the commune the
# enrolment belonged to then (:func:`tracked_from`).
_TRACKED_JOIN_MOVED = """
    JOIN payments_cycle_tracked t ON t.commune_id = COALESCE(h.commune_id, b.commune_id)
      AND m.month >= t.tracked_from
"""

_HISTORY_JOIN = """
    LEFT JOIN beneficiaries_enrolmentcommuneperiod h
      ON h.beneficiary_id = b.id AND h.until_month > m.month
     AND (h.from_month IS NULL OR h.from_month <= m.month)
"""

# A month no longer owed (after a death, from an end) whose recovery took back
# more than is paid now (the payment the recovery was deducted for failed
# after all): what was deducted is returned to the enrolment.
_FILL_GIVEN_BACK = """
INSERT INTO payments_cycle_due (beneficiary_id, month, kind, amount)
SELECT r.beneficiary_id, r.month,
       CASE WHEN r.regular_lines = 0 THEN 'regular' ELSE 'top_up' END,
       r.recognised - r.paid
FROM (
    SELECT rm.beneficiary_id AS beneficiary_id, rm.month AS month,
        SUM(rm.amount) AS recognised,
        {live_paid} AS paid,
        {regular_lines} AS regular_lines
    FROM payments_recoverymonth rm
    JOIN beneficiaries_beneficiary b ON b.id = rm.beneficiary_id
    WHERE rm.beneficiary_id IN ({enrolments}) AND rm.month <= %s AND b.status <> 'suspended'
      AND NOT EXISTS (SELECT 1 FROM payments_cycle_due d
                      WHERE d.beneficiary_id = rm.beneficiary_id AND d.month = rm.month)
    GROUP BY rm.beneficiary_id, rm.month
) r
WHERE r.recognised > r.paid
"""

_INSERT_PAYMENTS = """
INSERT INTO payments_payment (
    cycle_id, beneficiary_id, amount, deducted, method, representative_id, receiver_name,
    account_id, bank_id, account_number, account_holder_name,
    status, reference, failure_reason, paid_on, recorded_by_id
)
SELECT %s, d.beneficiary_id, d.total, 0,
    COALESCE(r.method, 'cash'),
    r.representative_id,
    COALESCE(rp.full_name, p.full_name),
    CASE WHEN r.method = 'account' THEN r.account_id END,
    CASE WHEN r.method = 'account' THEN a.bank_id END,
    CASE WHEN r.method = 'account' THEN a.number ELSE '' END,
    CASE WHEN r.method = 'account' THEN a.holder_name ELSE '' END,
    'pending', '', '', NULL, NULL
FROM (SELECT beneficiary_id, SUM(amount) AS total FROM payments_cycle_due GROUP BY beneficiary_id) d
JOIN beneficiaries_beneficiary b ON b.id = d.beneficiary_id
JOIN beneficiaries_person p ON p.id = b.person_id
LEFT JOIN registration_paymentmethodregistration r ON r.id = (
    SELECT r2.id FROM registration_paymentmethodregistration r2
    WHERE r2.beneficiary_id = b.id AND r2.from_month <= %s
    ORDER BY r2.from_month DESC LIMIT 1
)
LEFT JOIN beneficiaries_representative rep ON rep.id = r.representative_id
LEFT JOIN beneficiaries_person rp ON rp.id = rep.person_id
LEFT JOIN accounts_paymentaccount a ON a.id = r.account_id
"""

_INSERT_LINES = """
INSERT INTO payments_paymentmonth (payment_id, beneficiary_id, month, kind, amount, live)
SELECT pay.id, d.beneficiary_id, d.month, d.kind, d.amount, TRUE
FROM payments_cycle_due d
JOIN payments_payment pay ON pay.cycle_id = %s AND pay.beneficiary_id = d.beneficiary_id
"""


@dataclass(frozen=True)
class BuildResult:
    cycle: PaymentCycle
    rebuilt: bool


def _clear(cycle: PaymentCycle, stamp: HistoryStamp) -> bool:
    if not cycle.payments.exists():
        return False
    clear_deductions(cycle)
    history_from_rows(
        Payment, where="t.cycle_id = %s", params=[cycle.pk], stamp=stamp, history_type="-"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM payments_paymentmonth WHERE payment_id IN "
            "(SELECT id FROM payments_payment WHERE cycle_id = %s)",
            [cycle.pk],
        )
        cursor.execute("DELETE FROM payments_payment WHERE cycle_id = %s", [cycle.pk])
    return True


def _merged_chain(commune_id: int) -> set[int]:
    """``commune_id`` and every commune merged into it, through any chain of mergers."""
    ids, frontier = {commune_id}, [commune_id]
    while frontier:
        frontier = list(
            Commune.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return ids


def tracked_from(commune: Commune) -> dict[int, datetime.date]:
    """From which month each commune's months are owed, for ``commune`` and every
    commune merged into it: its first cycle's month (a commune without a cycle
    is not in it: its months were all paid outside the system). A commune that
    absorbed a commune paying through the system continues it from the merger
    month, even when its own first cycle came later (a merger recorded after
    its date): its months since the merger are owed."""
    ids = _merged_chain(commune.pk)
    rows = (
        PaymentCycle.objects.filter(commune_id__in=ids)
        .values("commune_id")
        .annotate(first=Min("period"))
    )
    tracked = {row["commune_id"]: row["first"] for row in rows}
    mergers = list(
        Commune.objects.filter(pk__in=ids, merged_into__isnull=False).values_list(
            "pk", "merged_into_id", "merged_on"
        )
    )
    changed = True
    while changed:  # through chains of mergers, the earliest continuation wins
        changed = False
        for old, into, on in mergers:
            if old not in tracked or into not in ids:
                continue
            since = max(on.replace(day=1), tracked[old])
            if into not in tracked or since < tracked[into]:
                tracked[into] = since
                changed = True
    return tracked


def _fill(
    cycle: PaymentCycle,
    commune: Commune,
    tracked: dict[int, datetime.date],
    stamp: HistoryStamp,
) -> None:
    enrolments = Beneficiary.objects.of_commune_in(commune, cycle.period).values("pk")
    enrolments_sql, enrolments_params = enrolments.query.sql_with_params()
    moved = EnrolmentCommunePeriod.objects.filter(
        Q(commune_id__in=_merged_chain(cycle.commune_id))
        | Q(beneficiary__commune_id=cycle.commune_id)
    ).exists()
    fill_due = _FILL_DUE.format(
        # No enrolment ever moved: every month is the commune's own (the join is skipped).
        history_join=_HISTORY_JOIN if moved else "",
        tracked_join=_TRACKED_JOIN_MOVED if moved else _TRACKED_JOIN,
        enrolments=enrolments_sql,
        excludes=_table(Category.excludes.through),
        **_month_holds("b.id", "m.month"),
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS payments_cycle_due")
        cursor.execute("DROP TABLE IF EXISTS payments_cycle_tracked")
        cursor.execute(_CREATE_DUE)
        cursor.execute(_CREATE_TRACKED)
        cursor.executemany(
            "INSERT INTO payments_cycle_tracked (commune_id, tracked_from) VALUES (%s, %s)",
            [(pk, _d(first)) for pk, first in tracked.items()],
        )
        postgres = connection.vendor == "postgresql"
        if postgres:
            # Grouping 250,000 rows in memory rather than on disk; this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # No try/finally: after an error PostgreSQL refuses any statement until the
        # rollback, which drops the table anyway (created in this transaction).
        cursor.execute(
            fill_due,
            [_d(min(tracked.values())), _d(cycle.period), *enrolments_params],
        )
        cursor.execute(
            _FILL_GIVEN_BACK.format(
                enrolments=enrolments_sql, **_month_holds("rm.beneficiary_id", "rm.month")
            ),
            [*enrolments_params, _d(cycle.period)],
        )
        if postgres:
            # Nothing analyses a temporary table: without it the joins below are guessed.
            cursor.execute("ANALYZE payments_cycle_due")
        cursor.execute(_INSERT_PAYMENTS, [cycle.pk, _d(cycle.period)])
        cursor.execute(_INSERT_LINES, [cycle.pk])
        cursor.execute("DROP TABLE payments_cycle_due")
        cursor.execute("DROP TABLE payments_cycle_tracked")
    cycle.deducted_amount = apply_deductions(cycle)
    history_from_rows(
        Payment, where="t.cycle_id = %s", params=[cycle.pk], stamp=stamp, history_type="+"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM payments_payment WHERE cycle_id = %s",
            [cycle.pk],
        )
        count, total = cursor.fetchone()
    # SUM is a numeric on PostgreSQL: back to whole đồng.
    cycle.payment_count, cycle.total_amount = int(count), int(total)


@transaction.atomic
def open_cycle(commune: Commune, period: datetime.date, *, actor=None) -> BuildResult:
    """Open the commune's cycle for ``period`` as a draft, or rebuild its draft.

    The commune's row is locked first: two requests (a double click, two
    workers, the beat job and a person) build one after the other, on one
    cycle, and the second rebuilds what the first built. An approved cycle is
    never rebuilt.
    """
    require_actor(actor, roles.CAN_PREPARE_CYCLES)
    period = first_of_month(period)
    latest_allowed = next_month(first_of_month(timezone.localdate()))
    if period > latest_allowed:
        # A typo (09/2024 for 09/2023) would pay every month up to it in advance.
        raise CycleError(
            _("Chỉ lập kỳ chi trả đến tháng %(month)s (tháng sau); không lập trước nhiều tháng.")
            % {"month": f"{latest_allowed:%m/%Y}"}
        )
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    problem = merged_commune_problem(commune, period)
    if problem:
        raise CycleError(problem)
    latest = PaymentCycle.objects.filter(commune=commune).order_by("-period").only("period").first()
    if latest is not None and latest.period > period:
        raise CycleError(
            _("Đã có kỳ chi trả tháng %(later)s: không mở kỳ của tháng trước đó (%(month)s).")
            % {"later": f"{latest.period:%m/%Y}", "month": f"{period:%m/%Y}"}
        )
    cycle, _created = PaymentCycle.objects.select_for_update().get_or_create(
        commune=commune, period=period, defaults={"due_on": due_date(commune, period)}
    )
    if cycle.status != PaymentCycle.Status.DRAFT:
        raise CycleError(
            _("Kỳ chi trả tháng %(month)s ở trạng thái “%(status)s”: không lập lại được.")
            % {"month": f"{period:%m/%Y}", "status": cycle.get_status_display()}
        )
    stamp = HistoryStamp(
        user=actor, date=timezone.now(), reason=_("Lập kỳ chi trả %s") % f"{period:%m/%Y}"
    )
    rebuilt = _clear(cycle, stamp)
    # Months paid since and no longer owed become recoveries before the cycle
    # deducts them (and months a recovery no longer covers are owed again).
    detect_recoveries(
        Beneficiary.objects.of_commune_in(commune, period), actor=actor, reason=stamp.reason
    )
    _fill(cycle, commune, tracked_from(commune), stamp)
    cycle.due_on = due_date(commune, period)
    cycle.prepared_by = actor
    cycle.prepared_at = timezone.now()
    cycle._history_user = actor
    cycle.save()
    return BuildResult(cycle=cycle, rebuilt=rebuilt)


# --- the workflow -----------------------------------------------------------

# Each step of a cycle's life: the state it starts from and the roles that take it.
# The services check both; the cycle page offers a step where both hold.
WORKFLOW: dict[str, tuple[str, frozenset[str]]] = {
    "rebuild": (PaymentCycle.Status.DRAFT, roles.CAN_PREPARE_CYCLES),
    "approve": (PaymentCycle.Status.DRAFT, roles.CAN_APPROVE_CYCLES),
    "submit": (PaymentCycle.Status.APPROVED, roles.CAN_PREPARE_CYCLES),
    "mark_paid": (PaymentCycle.Status.SUBMITTED, roles.CAN_PREPARE_CYCLES),
    "close": (PaymentCycle.Status.PAID, roles.CAN_PREPARE_CYCLES),
    # The leader takes an approval back until the cycle is sent (a reason is required).
    "withdraw_approval": (PaymentCycle.Status.APPROVED, roles.CAN_APPROVE_CYCLES),
}

# Steps that need a reason written by the person who takes them.
STEPS_WITH_REASON = frozenset({"withdraw_approval"})


def steps_for(user, cycle: PaymentCycle) -> list[str]:
    """The steps ``user`` may take on ``cycle`` as it stands, in the workflow's order."""
    return [
        step
        for step, (source, allowed) in WORKFLOW.items()
        if cycle.status == source and has_any_role(user, allowed)
    ]


def take_step(cycle: PaymentCycle, step: str, *, actor, reason: str = ""):
    """Run one step of :data:`WORKFLOW` (``rebuild`` returns a :class:`BuildResult`;
    the steps of :data:`STEPS_WITH_REASON` take the ``reason``)."""
    if step == "rebuild":  # open_cycle checks the role and refuses all but a draft
        return open_cycle(cycle.commune, cycle.period, actor=actor)
    if step == "withdraw_approval":
        return withdraw_cycle_approval(cycle, actor=actor, reason=reason)
    return {
        "approve": approve_cycle,
        "submit": submit_cycle,
        "mark_paid": mark_cycle_paid,
        "close": close_cycle,
    }[step](cycle, actor=actor)


def _locked(cycle: PaymentCycle) -> PaymentCycle:
    return PaymentCycle.objects.select_for_update().get(pk=cycle.pk)


def _begin(cycle: PaymentCycle, step: str, actor) -> PaymentCycle:
    """The role check, the row lock and the source state of a workflow step."""
    source, allowed = WORKFLOW[step]
    require_actor(actor, allowed)
    cycle = _locked(cycle)
    _expect(cycle, source)
    return cycle


def _expect(cycle: PaymentCycle, status: str) -> None:
    if cycle.status != status:
        raise CycleError(
            _("Kỳ chi trả đang ở trạng thái “%(now)s”, cần “%(wanted)s” để làm việc này.")
            % {
                "now": cycle.get_status_display(),
                "wanted": PaymentCycle.Status(status).label,
            }
        )


def cycle_blockers(cycle: PaymentCycle, *, today: datetime.date) -> list[Blocker]:
    """Who keeps this cycle in the commune (unverified or a blocking finding)."""
    # The payments' snapshots: the receivers and accounts this cycle actually pays.
    return submission_blockers(cycle.commune, cycle.payments.all(), today=today)


def _gate(cycle: PaymentCycle, today: datetime.date) -> None:
    blockers = cycle_blockers(cycle, today=today)
    if blockers:
        raise CycleBlocked(
            _(
                "Chưa thể tiếp tục: %(count)s người trong kỳ chi trả chưa được xác thực "
                "hoặc có lỗi dữ liệu chặn."
            )
            % {"count": format_amount(len(blockers), unit=False)},
            blockers,
        )


@transaction.atomic
def approve_cycle(
    cycle: PaymentCycle, *, actor, today: datetime.date | None = None
) -> PaymentCycle:
    """The leader approves a draft prepared by someone else; the gate must be clear."""
    cycle = _begin(cycle, "approve", actor)
    if prepared_by(cycle.prepared_by_id, actor):
        raise CycleError(_("Người lập kỳ chi trả không tự phê duyệt được."))
    if cycle.payment_count == 0:
        raise CycleError(_("Kỳ chi trả không có khoản nào để phê duyệt."))
    _gate(cycle, today or timezone.localdate())
    cycle.status = PaymentCycle.Status.APPROVED
    cycle.approved_by = actor
    cycle.approved_at = timezone.now()
    cycle._history_user = actor
    cycle.save()
    return cycle


@transaction.atomic
def withdraw_cycle_approval(cycle: PaymentCycle, *, actor, reason: str) -> PaymentCycle:
    """The leader takes back the approval of a cycle not yet sent: it is a draft again
    (the officer may rebuild it, the leader approve it again). The cycle's history
    keeps who, when and why."""
    source, allowed = WORKFLOW["withdraw_approval"]
    require_actor(actor, allowed)
    try:
        reason = clean_reason(reason)
    except ReasonError as exc:
        raise CycleError(str(exc)) from None
    cycle = _locked(cycle)
    if cycle.status in PaymentCycle.SENT_STATUSES:
        raise CycleError(
            _(
                "Kỳ chi trả tháng %(month)s đã gửi cho cơ quan chi trả: không rút phê duyệt "
                "được nữa."
            )
            % {"month": f"{cycle.period:%m/%Y}"}
        )
    _expect(cycle, source)
    cycle.status = PaymentCycle.Status.DRAFT
    cycle.approved_by = None
    cycle.approved_at = None
    cycle._history_user = actor
    cycle._change_reason = _("Rút phê duyệt: %(reason)s") % {"reason": reason}
    cycle.save()
    return cycle


@transaction.atomic
def submit_cycle(cycle: PaymentCycle, *, actor, today: datetime.date | None = None) -> PaymentCycle:
    """The officer sends the approved cycle to the paying office; late after the due date."""
    today = today or timezone.localdate()
    cycle = _begin(cycle, "submit", actor)
    _gate(cycle, today)
    cycle.status = PaymentCycle.Status.SUBMITTED
    cycle.submitted_by = actor
    cycle.submitted_at = timezone.now()
    cycle.submitted_late = today > cycle.due_on
    cycle._history_user = actor
    cycle.save()
    return cycle


@transaction.atomic
def mark_cycle_paid(cycle: PaymentCycle, *, actor) -> PaymentCycle:
    """The paying office has paid out (results may still come back)."""
    cycle = _begin(cycle, "mark_paid", actor)
    cycle.status = PaymentCycle.Status.PAID
    cycle.paid_at = timezone.now()
    cycle._history_user = actor
    cycle.save()
    return cycle


@transaction.atomic
def close_cycle(cycle: PaymentCycle, *, actor) -> PaymentCycle:
    """Close the books once every payment has a result (paid, failed or returned) and
    the post office's cash account balances, confirmed by both (a cycle with cash)."""
    cycle = _begin(cycle, "close", actor)
    pending = cycle.payments.filter(status=Payment.Status.PENDING).count()
    if pending:
        raise CycleError(
            _("Còn %(count)s khoản chưa có kết quả chi trả: chưa khóa sổ được.")
            % {"count": format_amount(pending, unit=False)}
        )
    problem = cash_account_close_problem(cycle)
    if problem:
        raise CycleError(problem + " " + _("Chưa khóa sổ được."))
    cycle.status = PaymentCycle.Status.CLOSED
    cycle.closed_by = actor
    cycle.closed_at = timezone.now()
    cycle._history_user = actor
    cycle.save()
    return cycle


def discard_draft_cycle(cycle: PaymentCycle, *, stamp: HistoryStamp) -> None:
    """Remove a draft cycle with its payments (history rows say who and why): a
    merger discards an old commune's drafts for months it no longer pays."""
    cycle = _locked(cycle)
    _expect(cycle, PaymentCycle.Status.DRAFT)
    _clear(cycle, stamp)
    cycle._history_user = stamp.user
    cycle._change_reason = stamp.reason
    cycle.delete()
