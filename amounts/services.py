"""Base levels (mức chuẩn) and the coefficient-based entitlements that follow them.

A base level is often signed after the month it applies from. Entering it
re-rates, in the database, every coefficient-based entitlement of the
programme from that month on: a new entitlement row at the month for those
whose entitlement in force started earlier, and a new amount for rows that
start between this base level and the next. Months already paid at the old
level are then owed the difference, which the next payment cycle pays as
top-ups. Fixed NCC amounts come from their
decisions and are not touched.

Amount = base level × coefficient, in whole đồng, half up: the coefficient is
taken in hundredths so the arithmetic stays in integers on every database.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from amounts.changes import FixedAmount, fixed_amount_segments
from amounts.models import AllowanceRate, Entitlement
from beneficiaries.models import Beneficiary, Category, EnrolmentCondition, Programme
from beneficiaries.services import save_beneficiary
from core import roles
from core.access import require_actor
from core.bulk import HistoryStamp, bulk_insert_with_history, history_from_rows
from core.rules.money import coefficient_amount


class RateError(Exception):
    """A base level refused, with a message for the officer."""


@dataclass(frozen=True)
class RerateResult:
    rate: AllowanceRate
    added: int  # new entitlement rows at the month the level applies from
    updated: int  # rows between this level and the next given the new amount
    # The level row itself was created or changed (amount, legal basis, verified).
    rate_changed: bool = True

    @property
    def changed(self) -> bool:
        return self.rate_changed or bool(self.added or self.updated)


_AMOUNT = "((%s * CAST(ROUND(e.coefficient * 100) AS INTEGER) + 50) / 100)"

_ADD = f"""
INSERT INTO amounts_entitlement
    (beneficiary_id, from_month, basis, coefficient, amount, decision_number, created_at)
SELECT e.beneficiary_id, %s, 'coefficient', e.coefficient, {_AMOUNT}, e.decision_number, %s
FROM amounts_entitlement e
JOIN beneficiaries_beneficiary b ON b.id = e.beneficiary_id
WHERE b.programme_id = %s AND e.basis = 'coefficient' AND e.from_month < %s
  AND (b.end_month IS NULL OR b.end_month > %s)
  AND e.from_month = (SELECT MAX(e2.from_month) FROM amounts_entitlement e2
                      WHERE e2.beneficiary_id = e.beneficiary_id AND e2.from_month <= %s)
  AND {_AMOUNT} <> e.amount
"""  # noqa: S608 - only the constant amount expression is interpolated

_PICK = f"""
SELECT e.id FROM amounts_entitlement e
JOIN beneficiaries_beneficiary b ON b.id = e.beneficiary_id
WHERE b.programme_id = %s AND e.basis = 'coefficient'
  AND e.from_month >= %s AND (%s IS NULL OR e.from_month < %s)
  AND {_AMOUNT} <> e.amount
"""  # noqa: S608 - only the constant amount expression is interpolated

# UPDATE without a table alias (SQLite before UPDATE … FROM has none).
_UPDATE_AMOUNT = _AMOUNT.replace("e.coefficient", "coefficient")


@transaction.atomic
def record_base_level(
    programme: Programme,
    *,
    amount: int,
    applies_from: datetime.date,
    legal_basis: str,
    actor,
) -> RerateResult:
    """Enter (or correct) a programme's base level and re-rate from its month on.

    The level is verified from then on, by ``actor`` now (a shipped unverified
    level confirmed with the same amount is only marked so). Entering exactly
    what is there changes nothing (``RerateResult.changed`` is false).
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY | roles.CAN_ENTER_BASE_LEVELS)
    if amount <= 0:
        raise RateError(_("Mức chuẩn phải lớn hơn 0 đồng."))
    applies_from = applies_from.replace(day=1)
    # One re-rating at a time per programme: the rows it reads are the rows it writes.
    Programme.objects.select_for_update().get(pk=programme.pk)
    user = actor if getattr(actor, "pk", None) else None
    rate = (
        AllowanceRate.objects.select_for_update()
        .filter(programme=programme, applies_from=applies_from)
        .first()
    ) or AllowanceRate(programme=programme, applies_from=applies_from)
    rate_changed = (
        rate.pk is None
        or rate.amount != amount
        or rate.legal_basis != legal_basis
        or not rate.verified
    )
    if rate_changed:
        rate.amount, rate.legal_basis = amount, legal_basis
        rate.verified, rate.verified_by, rate.verified_at = True, user, timezone.now()
        rate.source_note = ""  # it said why the level was not verified yet
        rate._history_user = user
        rate.save()
    added = updated = 0
    if programme.amount_mode == Programme.AmountMode.COEFFICIENT:
        following = (
            AllowanceRate.objects.filter(programme=programme, applies_from__gt=applies_from)
            .order_by("applies_from")
            .values_list("applies_from", flat=True)
            .first()
        )
        now = timezone.now()
        stamp = HistoryStamp(
            user=actor,
            date=now,
            reason=_("Mức chuẩn %(amount)s đ từ %(month)s")
            % {"amount": f"{amount:,}".replace(",", "."), "month": f"{applies_from:%m/%Y}"},
        )
        ops = connection.ops
        month = ops.adapt_datefield_value(applies_from)
        until = ops.adapt_datefield_value(following) if following else None
        with connection.cursor() as cursor:
            cursor.execute(_PICK, [programme.pk, month, until, until, amount])
            to_update = [row[0] for row in cursor.fetchall()]
            for chunk in _chunks(to_update):
                cursor.execute(
                    f"UPDATE amounts_entitlement SET amount = {_UPDATE_AMOUNT} "  # noqa: S608
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    [amount, *chunk],
                )
            updated = len(to_update)
            created_at = ops.adapt_datetimefield_value(now)
            cursor.execute(
                _ADD,
                [month, amount, created_at, programme.pk, month, month, month, amount],
            )
            added = cursor.rowcount
        for chunk in _chunks(to_update):
            history_from_rows(
                Entitlement,
                where=f"t.id IN ({', '.join(['%s'] * len(chunk))})",
                params=chunk,
                stamp=stamp,
                history_type="~",
            )
        if added:
            history_from_rows(
                Entitlement,
                where="t.from_month = %s AND t.created_at = %s",
                params=[month, created_at],
                stamp=stamp,
                history_type="+",
            )
    return RerateResult(rate=rate, added=added, updated=updated, rate_changed=rate_changed)


@dataclass(frozen=True)
class FixedResult:
    added: int  # new fixed rows at the table's month
    updated: int  # fixed rows starting at that month given the table's amount


def fixed_amount_problem(category: Category) -> str | None:
    """Why a category takes no amount from a decree's table (its programme is paid
    base level × coefficient, or the category has a coefficient), else ``None``."""
    if (
        category.programme.amount_mode != Programme.AmountMode.FIXED
        or category.coefficient is not None
    ):
        return _(
            "Diện %(code)s thuộc chương trình %(programme)s tính theo mức chuẩn × hệ số, "
            "không nhập số tiền cố định."
        ) % {"code": category.code, "programme": category.programme.short_name}
    return None


@transaction.atomic
def record_fixed_amounts(
    table: Sequence[FixedAmount], *, decision_number: str, actor
) -> FixedResult:
    """Give every enrolment of each category whose fixed amount is in force at the
    table's month the table's amount from that month (:func:`fixed_amount_segments`):
    a new fixed row at the month, or the row starting there updated, with the
    decree's number and history rows. Entering the same table twice changes nothing.
    """
    require_actor(actor, roles.CAN_ENTER_BASE_LEVELS)
    if not decision_number.strip():
        raise RateError(_("Hãy ghi số văn bản (nghị định, quyết định)."))
    for row in table:
        problem = fixed_amount_problem(row.category)
        if problem:
            raise RateError(problem)
        if row.amount <= 0:
            raise RateError(_("Số tiền phải lớn hơn 0 đồng."))
    # One change at a time per programme, as a base level (the same lock).
    programme_ids = sorted({row.category.programme_id for row in table})
    list(Programme.objects.select_for_update().filter(pk__in=programme_ids).order_by("pk"))
    segments = fixed_amount_segments(table)
    user = actor if getattr(actor, "pk", None) else None
    stamp = HistoryStamp(
        user=user,
        date=timezone.now(),
        reason=_("Bảng số tiền theo %(decision)s") % {"decision": decision_number[:60]},
    )
    by_pk = {seg.entitlement_id: seg for seg in segments if not seg.adds}
    updated = list(Entitlement.objects.filter(pk__in=list(by_pk)).order_by("pk"))
    for row in updated:
        row.amount = by_pk[row.pk].new
        row.decision_number = decision_number
    if updated:
        bulk_update_with_history(
            updated,
            Entitlement,
            ["amount", "decision_number"],
            default_user=stamp.user,
            default_change_reason=stamp.reason,
            default_date=stamp.date,
        )
    added = [
        Entitlement(
            beneficiary_id=seg.beneficiary_id,
            from_month=seg.start,
            basis=Entitlement.Basis.FIXED,
            amount=seg.new,
            decision_number=decision_number,
        )
        for seg in segments
        if seg.adds
    ]
    bulk_insert_with_history(added, Entitlement, stamp=stamp, use_copy=False)
    return FixedResult(added=len(added), updated=len(updated))


def _chunks(ids: list[int], size: int = 5000):
    # Within every database's limit on parameters per statement.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def opening_entitlements(beneficiary: Beneficiary) -> list[Entitlement]:
    """The entitlement rows (unsaved) a new coefficient-based enrolment is owed:
    base level × its category's coefficient from its start month, and again from
    each later base level before its end. Empty for a fixed amount (it comes
    from the decision) or a category without a coefficient.

    Refused when the programme has no base level in force in the start month.
    """
    category = beneficiary.category
    programme = category.programme
    if programme.amount_mode != Programme.AmountMode.COEFFICIENT or category.coefficient is None:
        return []
    start, end = beneficiary.start_month, beneficiary.end_month
    rates = list(AllowanceRate.objects.filter(programme=programme).order_by("applies_from"))
    in_force = [rate for rate in rates if rate.applies_from <= start]
    if not in_force:
        raise RateError(
            _("Chưa có mức chuẩn của chương trình %(programme)s áp dụng cho tháng %(month)s.")
            % {"programme": programme.short_name, "month": f"{start:%m/%Y}"}
        )
    steps = [(start, in_force[-1])] + [
        (rate.applies_from, rate)
        for rate in rates
        if rate.applies_from > start and (end is None or rate.applies_from < end)
    ]
    return [
        Entitlement(
            beneficiary=beneficiary,
            from_month=month,
            basis=Entitlement.Basis.COEFFICIENT,
            coefficient=category.coefficient,
            amount=coefficient_amount(rate.amount, category.coefficient),
            decision_number=beneficiary.decision_number,
        )
        for month, rate in steps
    ]


@transaction.atomic
def start_entitlement(beneficiary: Beneficiary, *, actor) -> list[Entitlement]:
    """Give a new enrolment its amounts (:func:`opening_entitlements`), unless it
    already has some (an import, or an amount entered from the decision)."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    if beneficiary.entitlements.exists():
        return []
    rows = opening_entitlements(beneficiary)
    for row in rows:
        row._history_user = actor if getattr(actor, "pk", None) else None
        row.save()
    return rows


@transaction.atomic
def save_enrolment(
    beneficiary: Beneficiary, *, actor, conditions: list[EnrolmentCondition] = ()
) -> Beneficiary:
    """Save an enrolment through the registry's rule (``save_beneficiary``, with the
    conditions declared for it) and, when it is new, give it its amounts: one
    transaction, so a programme without a base level for the month saves nothing."""
    new = beneficiary.pk is None
    beneficiary = save_beneficiary(beneficiary, actor=actor, conditions=conditions)
    if new:
        start_entitlement(beneficiary, actor=actor)
    return beneficiary
