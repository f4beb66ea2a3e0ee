"""Opening a month's payment cycle and moving it through its states.

A cycle is computed in the database, set-based: one ``INSERT … SELECT`` for
the months each enrolment is owed (the month itself and any earlier month not
paid, or paid at a lower amount), one for the payments, one for their month
lines and one for the payments' history rows. No Python object per
beneficiary. The SQL is portable (PostgreSQL and SQLite): months come from the
calendar table ``payments_month``.

What is owed, per enrolment and month:

- months from the later of the enrolment's start, the programme's first month
  (``Programme.starts_from``) and the commune's first cycle (earlier months were
  paid outside the system) up to the cycle's month;
- not while the enrolment is suspended (its months are owed again when it is
  reactivated); before its end month — an ended enrolment is still owed the
  months before its end that were not paid; not after the month of death;
- the amount of the entitlement in force that month, less what live lines
  already pay for it. No live regular line: a regular line; one already (the
  base level was raised after it was paid): a top-up line for the difference.

Payments take the method, receiver and account of the registration in force
that month (the latest starting on or before it); without one, cash at the
post office to the beneficiary.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.deadlines import DeadlineBook
from beneficiaries.models import Commune
from core import roles
from core.access import has_any_role, require_actor
from core.bulk import HistoryStamp, history_from_rows
from core.rules.months import first_of_month, next_month
from payments.models import Payment, PaymentCycle
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

# One row per enrolment and month owed something, with the amount still due.
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
        COALESCE((SELECT SUM(pm.amount) FROM payments_paymentmonth pm
          WHERE pm.beneficiary_id = b.id AND pm.month = m.month AND pm.live), 0) AS paid,
        (SELECT COUNT(*) FROM payments_paymentmonth pm
          WHERE pm.beneficiary_id = b.id AND pm.month = m.month AND pm.live
            AND pm.kind = 'regular') AS regular_lines
    FROM beneficiaries_beneficiary b
    JOIN beneficiaries_person p ON p.id = b.person_id
    JOIN beneficiaries_programme pg ON pg.id = b.programme_id
    JOIN payments_month m
      ON m.month >= b.start_month AND m.month >= %s AND m.month <= %s
      AND (pg.starts_from IS NULL OR m.month >= pg.starts_from)
    WHERE b.commune_id = %s AND b.status <> 'suspended'
      AND (b.status <> 'ended' OR b.end_month IS NOT NULL)
      AND (b.end_month IS NULL OR m.month < b.end_month)
      AND (p.date_of_death IS NULL OR m.month <= p.date_of_death)
) x
WHERE x.owed IS NOT NULL AND x.owed > x.paid
"""

_INSERT_PAYMENTS = """
INSERT INTO payments_payment (
    cycle_id, beneficiary_id, amount, method, representative_id, receiver_name,
    account_id, bank_id, account_number, account_holder_name,
    status, reference, failure_reason, paid_on, recorded_by_id
)
SELECT %s, d.beneficiary_id, d.total,
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


def _fill(cycle: PaymentCycle, tracked_from: datetime.date, stamp: HistoryStamp) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS payments_cycle_due")
        cursor.execute(_CREATE_DUE)
        postgres = connection.vendor == "postgresql"
        if postgres:
            # Grouping 250,000 rows in memory rather than on disk; this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # No try/finally: after an error PostgreSQL refuses any statement until the
        # rollback, which drops the table anyway (created in this transaction).
        cursor.execute(_FILL_DUE, [_d(tracked_from), _d(cycle.period), cycle.commune_id])
        if postgres:
            # Nothing analyses a temporary table: without it the joins below are guessed.
            cursor.execute("ANALYZE payments_cycle_due")
        cursor.execute(_INSERT_PAYMENTS, [cycle.pk, _d(cycle.period)])
        cursor.execute(_INSERT_LINES, [cycle.pk])
        cursor.execute("DROP TABLE payments_cycle_due")
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
    Commune.objects.select_for_update().get(pk=commune.pk)
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
    tracked_from = PaymentCycle.objects.filter(commune=commune).aggregate(Min("period"))[
        "period__min"
    ]
    _fill(cycle, tracked_from, stamp)
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
}


def steps_for(user, cycle: PaymentCycle) -> list[str]:
    """The steps ``user`` may take on ``cycle`` as it stands, in the workflow's order."""
    return [
        step
        for step, (source, allowed) in WORKFLOW.items()
        if cycle.status == source and has_any_role(user, allowed)
    ]


def take_step(cycle: PaymentCycle, step: str, *, actor):
    """Run one step of :data:`WORKFLOW` (``rebuild`` returns a :class:`BuildResult`)."""
    if step == "rebuild":  # open_cycle checks the role and refuses all but a draft
        return open_cycle(cycle.commune, cycle.period, actor=actor)
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
                "Chưa thể tiếp tục: %(count)d người trong kỳ chi trả chưa được xác thực "
                "hoặc có lỗi dữ liệu chặn."
            )
            % {"count": len(blockers)},
            blockers,
        )


@transaction.atomic
def approve_cycle(
    cycle: PaymentCycle, *, actor, today: datetime.date | None = None
) -> PaymentCycle:
    """The leader approves a draft prepared by someone else; the gate must be clear."""
    cycle = _begin(cycle, "approve", actor)
    if cycle.prepared_by_id is not None and cycle.prepared_by_id == actor.pk:
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
    """Close the books once every payment has a result (paid, failed or returned)."""
    cycle = _begin(cycle, "close", actor)
    pending = cycle.payments.filter(status=Payment.Status.PENDING).count()
    if pending:
        raise CycleError(
            _("Còn %(count)d khoản chưa có kết quả chi trả: chưa khóa sổ được.")
            % {"count": pending}
        )
    cycle.status = PaymentCycle.Status.CLOSED
    cycle.closed_by = actor
    cycle.closed_at = timezone.now()
    cycle._history_user = actor
    cycle.save()
    return cycle
