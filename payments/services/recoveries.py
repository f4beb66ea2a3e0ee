"""Recoveries (thu hồi): months paid above what is owed, and how the money comes back.

The rule, per enrolment and month: the live lines of payments that count
(pending, paid, or settled by a deduction) in cycles past their draft (a draft
is rebuilt instead), less the months of its recoveries, equal what is owed — the entitlement in
force, nothing after the month of death, from the end month on, or before the
start. :func:`detect_recoveries` restores it after any change, set-based:

- paid − recovered > owed (a death or an end recorded late, a lower amount
  back-dated): a new :class:`Recovery` for the difference, one line per month,
  owed by the person or, after a death, by whoever received the money;
- paid − recovered < owed while a recovery covers the month (a payment of it
  failed after all, or the change was undone): the recovery shrinks by what it
  has not yet taken back; what it had already taken is owed again, and the next
  cycle pays it as a top-up (:mod:`payments.services.cycles` counts paid less
  recovered).

A cycle runs the detection over its commune's enrolments before it is built,
so nothing paid wrongly goes unnoticed; the pages that record such changes run
it at once for the enrolments they touched.

A live enrolment's open recoveries are deducted from its next payment
(:func:`apply_deductions`, oldest first, never below zero); the rest carries
on. A payment the deductions take whole is *settled*: its amount is 0, it
sends nothing to the bank or the post office, and its month lines stay live
(the months are paid — by the deduction). A deduction counts while its payment
counts: a failed or uncollected payment gives it back, as it frees its months.
Repaid cash and waivers by decision are :class:`RecoverySettlement` rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary
from core import roles
from core.access import require_actor
from core.bulk import HistoryStamp, bulk_insert_with_history
from core.rules.money import format_amount
from payments.models import (
    Payment,
    PaymentCycle,
    Recovery,
    RecoveryDeduction,
    RecoveryMonth,
    RecoverySettlement,
)

# Payments whose month lines and deductions count: money out, or on its way.
COUNTED = (Payment.Status.PENDING, Payment.Status.PAID, Payment.Status.SETTLED)


class RecoveryError(Exception):
    """A recovery operation refused, with a message for the user."""


# One row per enrolment and month whose paid − recovered differs from what is
# owed: the months paid in cycles past their draft (a draft is rebuilt instead)
# and the months recoveries hold (a month no longer paid at all, after a failure).
_DIFFERENCES = """
WITH k AS (
    SELECT t.beneficiary_id AS beneficiary_id, t.month AS month,
           SUM(t.paid) AS paid, SUM(t.recognised) AS recognised
    FROM (
        SELECT pm.beneficiary_id AS beneficiary_id, pm.month AS month,
               pm.amount AS paid, 0 AS recognised
        FROM payments_paymentmonth pm
        JOIN payments_payment pay ON pay.id = pm.payment_id
        JOIN payments_paymentcycle c ON c.id = pay.cycle_id
        WHERE pm.live AND c.status <> 'draft' AND pay.status IN ({counted})
          AND pm.beneficiary_id IN ({scope})
        UNION ALL
        SELECT rm.beneficiary_id, rm.month, 0, rm.amount
        FROM payments_recoverymonth rm
        WHERE rm.beneficiary_id IN ({scope})
    ) t
    GROUP BY t.beneficiary_id, t.month
),
e AS (
    SELECT beneficiary_id, from_month, amount,
           LEAD(from_month) OVER (PARTITION BY beneficiary_id ORDER BY from_month) AS until
    FROM amounts_entitlement
    WHERE beneficiary_id IN ({scope})
),
x AS (
    SELECT k.beneficiary_id AS beneficiary_id, k.month AS month, k.paid AS paid,
        k.recognised AS recognised,
        CASE
            WHEN p.date_of_death IS NOT NULL AND k.month > p.date_of_death THEN 0
            WHEN b.end_month IS NOT NULL AND k.month >= b.end_month THEN 0
            WHEN k.month < b.start_month THEN 0
            ELSE COALESCE(e.amount, 0)
        END AS owed,
        CASE
            WHEN p.date_of_death IS NOT NULL AND k.month > p.date_of_death THEN 'death'
            WHEN b.end_month IS NOT NULL AND k.month >= b.end_month THEN 'ended'
            WHEN k.month < b.start_month THEN 'ended'
            ELSE 'amount'
        END AS cause
    FROM k
    JOIN beneficiaries_beneficiary b ON b.id = k.beneficiary_id
    JOIN beneficiaries_person p ON p.id = b.person_id
    LEFT JOIN e ON e.beneficiary_id = k.beneficiary_id AND e.from_month <= k.month
         AND (e.until IS NULL OR k.month < e.until)
)
SELECT x.beneficiary_id, x.month, x.paid - x.owed - x.recognised, x.recognised, x.cause
FROM x
WHERE x.paid - x.owed - x.recognised <> 0
  AND (x.paid - x.owed - x.recognised > 0 OR x.recognised > 0)
"""


@dataclass(frozen=True)
class Detection:
    created: list[Recovery]
    released: int  # đồng no longer to recover (a month owed again)

    @property
    def amount(self) -> int:
        return sum(r.amount for r in self.created)


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# The enrolments looked at, as a table of their own: the planner then knows how
# many there are, rather than guessing from a sub-query it would run again and again.
_SCOPE = "payments_recovery_scope"
_SCOPE_IDS = f"SELECT beneficiary_id FROM {_SCOPE}"  # noqa: S608


def _differences(enrolments: QuerySet) -> list[tuple]:
    sql, params = enrolments.order_by().values("pk").query.sql_with_params()
    counted = [str(s) for s in COUNTED]
    query = _DIFFERENCES.format(counted=_placeholders(counted), scope=_SCOPE_IDS)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_SCOPE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_SCOPE} (beneficiary_id bigint PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {_SCOPE} (beneficiary_id) {sql}", params)  # noqa: S608
        if postgres:
            # Nothing analyses a temporary table: without it the joins below are guessed.
            cursor.execute(f"ANALYZE {_SCOPE}")
            # Grouping a commune's paid months in memory; this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(query, counted)
        rows = cursor.fetchall()
        cursor.execute(f"DROP TABLE {_SCOPE}")
    return rows


def remaining(recovery_ids) -> dict[int, int]:
    """What each recovery still has to take back (:func:`with_remaining`'s ``left``)."""
    recovery_ids = list(recovery_ids)
    if not recovery_ids:
        return {}
    rows = with_remaining(Recovery.objects.filter(pk__in=recovery_ids)).values_list("pk", "left")
    return {pk: int(left) for pk, left in rows}


def with_remaining(recoveries: QuerySet) -> QuerySet:
    """``recoveries`` annotated with ``deducted``, ``settled`` and ``left`` (what is
    still to take back), in one query."""
    deducted = (
        RecoveryDeduction.objects.filter(recovery=OuterRef("pk"), payment__status__in=COUNTED)
        .values("recovery")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    settled = (
        RecoverySettlement.objects.filter(recovery=OuterRef("pk"))
        .values("recovery")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return recoveries.annotate(
        deducted=Coalesce(Subquery(deducted), Value(0)),
        settled=Coalesce(Subquery(settled), Value(0)),
    ).annotate(left=F("amount") - F("deducted") - F("settled"))


def _recover_from(beneficiary: Beneficiary, months: list[datetime.date]) -> str:
    """Who holds the money of ``months``: the receiver of the latest payment of them."""
    receiver = (
        Payment.objects.filter(beneficiary=beneficiary, months__month__in=months, months__live=True)
        .order_by("-cycle__period")
        .values_list("receiver_name", flat=True)
        .first()
    )
    return receiver or beneficiary.person.full_name


def _release(beneficiary_id: int, month: datetime.date, amount: int, reason: str, actor) -> int:
    """Shrink the recoveries of a month now owed again by up to ``amount``, newest
    first, each by no more than it has left to take back; returns what was released."""
    lines = list(
        RecoveryMonth.objects.select_related("recovery")
        .filter(beneficiary_id=beneficiary_id, month=month)
        .order_by("-recovery__created_at", "-recovery_id")
    )
    left = remaining(line.recovery_id for line in lines)
    released = 0
    for line in lines:
        take = min(amount - released, line.amount, left[line.recovery_id])
        if take <= 0:
            continue
        recovery = Recovery.objects.select_for_update().get(pk=line.recovery_id)
        if take == line.amount:
            line.delete()
        else:
            line.amount -= take
            line.save(update_fields=["amount"])
        recovery.amount -= take
        recovery._history_user = actor
        recovery._change_reason = reason
        recovery.save(update_fields=["amount"])
        left[line.recovery_id] -= take
        released += take
        if released == amount:
            break
    return released


@transaction.atomic
def detect_recoveries(enrolments: QuerySet, *, actor, reason: str = "") -> Detection:
    """Bring the recoveries of ``enrolments`` in line with what they are owed now
    (see the module's rule); a second run finds nothing to do."""
    rows = _differences(enrolments)
    if not rows:
        return Detection(created=[], released=0)
    reason = reason or _("Rà soát tiền đã chi trả so với mức được hưởng")
    now = timezone.now()
    over: dict[tuple[int, str], list[tuple[datetime.date, int]]] = defaultdict(list)
    released = 0
    for beneficiary_id, month, difference, recognised, cause in rows:
        difference, recognised = int(difference), int(recognised)
        if isinstance(month, str):  # SQLite hands raw dates back as text
            month = datetime.date.fromisoformat(month)
        if difference > 0:
            over[(beneficiary_id, cause)].append((month, difference))
        elif recognised > 0:
            released += _release(beneficiary_id, month, min(-difference, recognised), reason, actor)
    people = Beneficiary.objects.select_related("person").in_bulk(
        {beneficiary_id for beneficiary_id, _cause in over}
    )
    keys = sorted(over)
    created = [
        Recovery(
            beneficiary=people[beneficiary_id],
            cause=cause,
            amount=sum(amount for _month, amount in over[(beneficiary_id, cause)]),
            recover_from=(
                _recover_from(
                    people[beneficiary_id], [m for m, _a in over[(beneficiary_id, cause)]]
                )
                if cause == Recovery.Cause.DEATH
                else people[beneficiary_id].person.full_name
            ),
            created_at=now,
            created_by=actor,
        )
        for beneficiary_id, cause in keys
    ]
    # A lower level can make thousands at once: one insert (and its history rows).
    bulk_insert_with_history(created, Recovery, stamp=HistoryStamp(actor, now, reason))
    RecoveryMonth.objects.bulk_create(
        (
            RecoveryMonth(
                recovery=recovery,
                beneficiary_id=recovery.beneficiary_id,
                month=month,
                amount=amount,
            )
            for recovery, key in zip(created, keys, strict=True)
            for month, amount in sorted(over[key])
        ),
        batch_size=5000,
    )
    return Detection(created=created, released=released)


def apply_deductions(cycle: PaymentCycle) -> int:
    """Take the open recoveries of the cycle's people from their payments (a cycle
    being built: its payments are pending); returns the total deducted.

    Oldest recovery first, never more than a payment's amount; a payment taken
    whole is settled and sends nothing."""
    open_ = (
        with_remaining(Recovery.objects.filter(beneficiary__payments__cycle=cycle, amount__gt=0))
        .filter(left__gt=0)
        .order_by("beneficiary_id", "created_at", "pk")
        .values_list("pk", "beneficiary_id", "left")
    )
    by_person: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, beneficiary_id, left in open_:
        by_person[beneficiary_id].append((pk, int(left)))
    if not by_person:
        return 0
    payments = Payment.objects.filter(cycle=cycle, beneficiary_id__in=by_person).only(
        "pk", "beneficiary_id", "amount", "status"
    )
    deductions, changed, total = [], [], 0
    for payment in payments:
        gross = payment.amount
        for recovery_id, left in by_person[payment.beneficiary_id]:
            take = min(left, payment.amount)
            if take <= 0:
                break
            deductions.append(
                RecoveryDeduction(recovery_id=recovery_id, payment_id=payment.pk, amount=take)
            )
            payment.amount -= take
        payment.deducted = gross - payment.amount
        if payment.amount == 0:
            payment.status = Payment.Status.SETTLED
        total += payment.deducted
        changed.append(payment)
    RecoveryDeduction.objects.bulk_create(deductions)
    Payment.objects.bulk_update(changed, ["amount", "deducted", "status"], batch_size=2000)
    return total


def clear_deductions(cycle: PaymentCycle) -> None:
    """Forget the deductions of a draft being rebuilt or discarded."""
    RecoveryDeduction.objects.filter(payment__cycle=cycle).delete()


# --- the officer's side -----------------------------------------------------


@transaction.atomic
def record_decision(recovery: Recovery, *, number: str, day: datetime.date, actor) -> Recovery:
    """The number and date of the leader's decision to recover."""
    require_actor(actor, roles.CAN_PREPARE_CYCLES)
    number = number.strip()
    if not number:
        raise RecoveryError(_("Cần số quyết định thu hồi."))
    if day > timezone.localdate():
        raise RecoveryError(_("Ngày quyết định không được sau hôm nay."))
    recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if recovery.decision_number == number and recovery.decision_date == day:
        return recovery
    recovery.decision_number, recovery.decision_date = number, day
    recovery._history_user = actor
    recovery._change_reason = _("Ghi quyết định thu hồi")
    recovery.save(update_fields=["decision_number", "decision_date"])
    return recovery


@transaction.atomic
def record_settlement(
    recovery: Recovery,
    *,
    kind: str,
    amount: int,
    on: datetime.date,
    document: str,
    note: str = "",
    actor,
) -> RecoverySettlement:
    """Cash repaid (with its receipt) or an amount waived (with its decision).

    No more than the recovery has left; a second identical entry (a double
    click) is refused, the first stands."""
    require_actor(actor, roles.CAN_PREPARE_CYCLES)
    if kind not in RecoverySettlement.Kind.values:
        raise RecoveryError(_("Hình thức thu hồi không hợp lệ."))
    document = document.strip()
    if not document:
        raise RecoveryError(
            _("Cần số biên lai nộp tiền.")
            if kind == RecoverySettlement.Kind.REPAID
            else _("Cần số quyết định miễn thu hồi.")
        )
    if on > timezone.localdate():
        raise RecoveryError(_("Ngày không được sau hôm nay."))
    if amount <= 0:
        raise RecoveryError(_("Số tiền phải lớn hơn 0 đồng."))
    recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if RecoverySettlement.objects.filter(
        recovery=recovery, kind=kind, document=document, amount=amount, on=on
    ).exists():
        raise RecoveryError(_("Đã ghi khoản này rồi (cùng số chứng từ, số tiền và ngày)."))
    left = remaining([recovery.pk])[recovery.pk]
    if amount > left:
        raise RecoveryError(
            _("Khoản thu hồi chỉ còn %(left)s; không ghi %(amount)s được.")
            % {"left": format_amount(left), "amount": format_amount(amount)}
        )
    settlement = RecoverySettlement(
        recovery=recovery,
        kind=kind,
        amount=amount,
        on=on,
        document=document,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    settlement._history_user = actor
    settlement.save()
    return settlement


def state_label(amount: int, deducted: int, settled: int, left: int) -> str:
    """A recovery's state as a person reads it."""
    if amount == 0:
        return _("Không còn phải thu hồi (đã tính lại)")
    if left > 0:
        return _("Còn phải thu hồi") if deducted + settled == 0 else _("Đang thu hồi")
    if settled == 0:
        return _("Đã khấu trừ hết")
    return _("Đã thu hồi đủ")
