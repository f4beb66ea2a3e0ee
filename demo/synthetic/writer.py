"""Writing a planned commune: numbers the database already holds are re-drawn,
then every table is inserted in bulk, parents first, with its history rows."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from django.db import models

from accounts.models import PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Commune, Person, Representative, Village
from core.bulk import HistoryStamp, bulk_insert_with_history
from demo.synthetic.base import BATCH_SIZE, DEFAULT_AS_OF
from demo.synthetic.planner import CommunePlan, plan_commune
from demo.synthetic.reference import Reference, UniquePool
from registration.models import PaymentMethodRegistration


@dataclass
class Counts:
    """Rows written, by kind; ``history`` counts the history rows of all of them."""

    communes: int = 0
    villages: int = 0
    people: int = 0
    beneficiaries: int = 0
    representatives: int = 0
    accounts: int = 0
    registrations: int = 0
    entitlements: int = 0
    history: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rows(self) -> int:
        """Every row written, history included."""
        return sum(getattr(self, f.name) for f in fields(self))


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def resolve_clashes(plan: CommunePlan, pool: UniquePool) -> int:
    """Re-draw the CCCDs and account numbers the database already holds.

    One indexed query per 500 numbers; on an empty database nothing moves.
    """
    moved = 0
    ids = [p.personal_id for p in plan.people if p.personal_id]
    taken: set[str] = set()
    for chunk in _chunks(ids):
        taken.update(
            Person.objects.filter(personal_id__in=chunk).values_list("personal_id", flat=True)
        )
    for person in plan.people:
        if person.personal_id in taken:
            person.personal_id = pool.redraw_tail(
                person.personal_id, lambda n: n in pool.personal_ids or n in taken
            )
            pool.personal_ids.add(person.personal_id)
            moved += 1

    numbers = [a.number for a in plan.accounts]
    held: set[tuple[int, str]] = set()
    for chunk in _chunks(numbers):
        held.update(
            PaymentAccount.objects.filter(number__in=chunk).values_list("bank_id", "number")
        )
    for account in plan.accounts:
        if (account.bank.pk, account.number) not in held:
            continue
        bank_id, old = account.bank.pk, account.number
        account.number = pool.redraw_tail(
            old, lambda n, b=bank_id: (b, n) in pool.accounts or (b, n) in held
        )
        pool.accounts.add((bank_id, account.number))
        if account.holder.phone == old:  # an e-wallet follows its phone number
            account.holder.phone = account.number
        moved += 1
    return moved


def write_plan(plan: CommunePlan, *, stamp: HistoryStamp, use_copy: bool | None = None) -> Counts:
    """Insert a plan, parents first, each table with one history row per row.

    ``use_copy`` defaults to COPY on PostgreSQL and ``bulk_create_with_history``
    elsewhere; both give the same rows (a test holds them to it).
    """
    counts = Counts()
    steps: tuple[tuple[str, type[models.Model], list], ...] = (
        ("villages", Village, plan.villages),
        ("people", Person, plan.people),
        ("beneficiaries", Beneficiary, plan.beneficiaries),
        ("representatives", Representative, plan.representatives),
        ("accounts", PaymentAccount, plan.accounts),
        ("registrations", PaymentMethodRegistration, plan.registrations),
        ("entitlements", Entitlement, plan.entitlements),
    )
    for name, model, objs in steps:
        if not objs:
            continue
        bulk_insert_with_history(objs, model, stamp=stamp, use_copy=use_copy, batch_size=BATCH_SIZE)
        setattr(counts, name, len(objs))
        counts.history += len(objs)
    return counts


def commune_random(seed: int | str, code: str) -> random.Random:
    """The commune's own stream: commune 07 is the same whether 5 or 50 are made."""
    return random.Random(f"{seed}:{code}")


def populate_commune(
    commune: Commune,
    *,
    size: int,
    seed: int | str,
    ref: Reference,
    pool: UniquePool,
    stamp: HistoryStamp,
    as_of: datetime.date = DEFAULT_AS_OF,
    village_names: Sequence[str] | None = None,
) -> Counts:
    """Plan and write one commune (the caller holds the transaction)."""
    rng = commune_random(seed, commune.code)
    plan = plan_commune(
        commune,
        size=size,
        rng=rng,
        ref=ref,
        pool=pool,
        as_of=as_of,
        village_names=village_names,
    )
    resolve_clashes(plan, pool)
    return write_plan(plan, stamp=stamp)
