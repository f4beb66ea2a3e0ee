"""The generated amounts: base level × coefficient or an NCC figure, and the
entitlement rows of an enrolment from its start to the reference month."""

from __future__ import annotations

import datetime
import random

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary
from core.rules.money import coefficient_amount


def permille_amount(base: int, permille: int) -> int:
    """An NCC figure: ``permille``/1000 of the base level, to the nearest 1.000 đ."""
    return (base * permille + 500_000) // 1_000_000 * 1000


def entitlement_rows(
    beneficiary: Beneficiary,
    permille: int,
    *,
    rates: tuple[tuple[datetime.date, int], ...],
    as_of_month: datetime.date,
    rng: random.Random,
) -> list[Entitlement]:
    """One row from the start month, then one per verified base-level change.

    A start before the first base level on record begins at that base
    level: the registry keeps no amounts older than its reference data.
    """
    rows: list[Entitlement] = []
    start, end = beneficiary.start_month, beneficiary.end_month
    in_force = [r for r in rates if r[0] <= start]
    months = [(start, in_force[-1][1])] if in_force else []
    months += [r for r in rates if start < r[0] <= as_of_month]
    coefficient = beneficiary.category.coefficient
    for index, (month, base) in enumerate(months):
        if end is not None and month >= end:
            break
        if coefficient is not None:
            basis, amount = Entitlement.Basis.COEFFICIENT, coefficient_amount(base, coefficient)
            decision = beneficiary.decision_number if index == 0 else ""
        else:
            basis, amount = Entitlement.Basis.FIXED, permille_amount(base, permille)
            # An NCC amount is re-decided at each new base level.
            decision = (
                beneficiary.decision_number if index == 0 else f"{rng.randint(12, 2900)}/QĐ-SLĐTBXH"
            )
        rows.append(
            Entitlement(
                beneficiary=beneficiary,
                from_month=month,
                basis=basis,
                coefficient=coefficient,
                amount=amount,
                decision_number=decision,
            )
        )
    return rows
