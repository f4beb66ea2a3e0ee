"""The gate: who keeps a registration list or a payment cycle in the commune.

Sending a list and submitting (or approving) a cycle call
:func:`submission_blockers` in their own transaction with what they pay by,
and refuse while it names anyone: a person not verified by the police now, or
concerned by a blocking finding. Warnings never block.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary, Commune, Person
from beneficiaries.models.checks import (
    IdentityCheck,
    Verification,
    verification_filter,
    verification_state,
    with_verification,
)
from core.rules.money import format_amount
from core.rules.names import fold_name
from registration.models import PaymentMethodRegistration
from registration.quality.checks import find_problems


@dataclass
class Blocker:
    """One person who keeps a list or cycle in the commune, with every reason."""

    person_id: int
    person_name: str
    personal_id: str
    reasons: list[str]


def registrations_in_force(
    enrolments: QuerySet[Beneficiary], month: datetime.date
) -> QuerySet[PaymentMethodRegistration]:
    """What a list of ``month`` pays by: its enrolments' registrations in force in
    that month (``PaymentMethodRegistration.objects.in_force``, as the cycle pays)."""
    return PaymentMethodRegistration.objects.in_force(month).filter(beneficiary__in=enrolments)


def people_paid_by(usage: QuerySet) -> set[int]:
    """The people whose state matters for ``usage``: each beneficiary and representative."""
    people = set(usage.values_list("beneficiary__person_id", flat=True))
    people.update(
        usage.filter(representative__isnull=False).values_list(
            "representative__person_id", flat=True
        )
    )
    return people


def blocker_lines(blockers: list[Blocker], *, limit: int = 20) -> list[str]:
    """One line per blocker ("name (CCCD …): reasons"), at most ``limit``, then how many more."""
    lines = []
    for blocker in blockers[:limit]:
        who = blocker.person_name
        if blocker.personal_id:
            who += f" (CCCD {blocker.personal_id})"
        lines.append(f"{who}: {' '.join(blocker.reasons)}")
    if len(blockers) > limit:
        lines.append(
            _("… và %(count)s người khác: xem trang Chất lượng dữ liệu.")
            % {"count": format_amount(len(blockers) - limit, unit=False)}
        )
    return lines


def _any_state(states: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for state in states:
        condition |= verification_filter(state)
    return condition


def submission_blockers(
    commune: Commune, usage: QuerySet, *, today: datetime.date
) -> list[Blocker]:
    """The people who keep a list or a cycle from being sent: not verified by the
    police now, or concerned by a blocking finding. Empty: go ahead.

    ``usage``: what the list or cycle pays by — the registrations in force for its
    month (a list) or its payments' snapshots (a cycle), so that the receiver and
    the account checked are the ones in the file.
    """
    concerned = people_paid_by(usage)
    reasons: dict[int, list[str]] = defaultdict(list)
    people = Person.objects.filter(
        Q(pk__in=usage.values("beneficiary__person_id"))
        | Q(pk__in=usage.filter(representative__isnull=False).values("representative__person_id"))
    )
    unverified = (
        with_verification(people)
        # Not exclude(VERIFIED): NULL results would drop out of a negated comparison.
        .filter(_any_state(state for state in Verification if state != Verification.VERIFIED))
        .values_list("pk", "last_check_result", "last_check_fingerprint", "identity_fingerprint")
    )
    for pk, result, fingerprint, current in unverified.iterator(chunk_size=2000):
        state = verification_state(result, fingerprint, current)
        if state == Verification.NEVER:
            reasons[pk].append(_("Chưa được công an xã xác thực."))
        elif state == Verification.STALE:
            reasons[pk].append(_("Đã sửa thông tin sau lần xác thực: cần xác thực lại."))
        else:
            reasons[pk].append(
                _("Kết quả xác thực với CSDL dân cư: %(result)s.")
                % {"result": IdentityCheck.Result(result).label.lower()}
            )
    for finding in find_problems(commune, today=today, usage=usage):
        if finding.blocking:
            for pk in finding.concerns & concerned:
                reasons[pk].append(f"{finding.title}: {finding.message}")
    if not reasons:
        return []
    # Streamed rather than ``pk__in=reasons``: a big commune could pass SQLite's
    # limit on parameters.
    names = {
        pk: (name, personal_id or "")
        for pk, name, personal_id in people.values_list("pk", "full_name", "personal_id").iterator(
            chunk_size=2000
        )
        if pk in reasons
    }
    return sorted(
        (Blocker(pk, *names[pk], list(dict.fromkeys(why))) for pk, why in reasons.items()),
        key=lambda b: (fold_name(b.person_name), b.person_id),
    )
