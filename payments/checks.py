"""Proving the money arrived: a sample of a paid cycle asked, statements, cases.

* :func:`draw_sample` — once per paid (or closed) cycle, the officer draws a
  share of the people paid (``settings.PAYMENT_CHECK_SHARE_PERCENT``, at least
  ``settings.PAYMENT_CHECK_MINIMUM`` people, everyone when fewer were paid),
  stratified by payment method and village so each method × village stratum
  has someone when the sample is large enough. The seed is recorded: the same
  seed on the same cycle gives the same people (:func:`sampled_payment_ids`).
* :func:`record_check` — the officer writes down what the person said.
* :func:`record_statement` — the officer, the accountant or the leader writes
  down a person's own word that a payment did not arrive.
* "Not received" or "amount differs" opens a :class:`PaymentCase`; it blocks
  nothing, shows on the dashboard and in the monthly report until
  :func:`resolve_case` closes it with a note.

Each action locks its row, so a form sent twice records once.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Hashable, Iterable
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core import roles
from core.access import require_actor
from core.rules.money import format_amount
from payments.models import Payment, PaymentCase, PaymentCheck, PaymentCheckSample, PaymentCycle

SAMPLED_STATES = (PaymentCycle.Status.PAID, PaymentCycle.Status.CLOSED)
RECORDED_OUTCOMES = tuple(o for o in PaymentCheck.Outcome if o != PaymentCheck.Outcome.PENDING)
# An answer that can still be replaced: nobody has said anything yet.
REOPENABLE = (PaymentCheck.Outcome.PENDING, PaymentCheck.Outcome.UNREACHABLE)
NOTE_MAX = 1000


class CheckError(Exception):
    """A check refused, with a message for the user."""


def sample_size(paid: int, share_percent: int, minimum: int) -> int:
    """How many of ``paid`` people are asked: the share (rounded up), at least the
    minimum, never more than were paid."""
    by_share = math.ceil(Fraction(paid * share_percent, 100))
    return min(paid, max(by_share, minimum))


def allocate(sizes: dict[Hashable, int], n: int, rng: random.Random) -> dict[Hashable, int]:
    """How many to take from each stratum: one each when ``n`` allows, the rest in
    proportion to what each has left (largest remainders first, ties by key)."""
    keys = sorted(sizes)
    n = min(n, sum(sizes.values()))
    if n < len(keys):
        return dict.fromkeys(rng.sample(keys, n), 1)
    taken = dict.fromkeys(keys, 1)
    left = n - len(keys)
    while left > 0:
        spare = {k: sizes[k] - taken[k] for k in keys if sizes[k] > taken[k]}
        total = sum(spare.values())
        exact = {k: Fraction(left * spare[k], total) for k in spare}
        given = {k: min(spare[k], math.floor(exact[k])) for k in spare}
        if sum(given.values()) == 0:
            for k in sorted(spare, key=lambda k: (-exact[k], k))[:left]:
                taken[k] += 1
                left -= 1
            continue
        for k, more in given.items():
            taken[k] += more
            left -= more
    return taken


def stratified_sample(rows: Iterable[tuple[int, Hashable]], n: int, seed: int) -> list[int]:
    """``n`` ids of ``(id, stratum)`` rows, stratified, reproducible from ``seed``."""
    strata: dict[Hashable, list[int]] = {}
    for pk, stratum in rows:
        strata.setdefault(stratum, []).append(pk)
    rng = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
    counts = allocate({k: len(v) for k, v in strata.items()}, n, rng)
    chosen: list[int] = []
    for key in sorted(counts):
        chosen.extend(rng.sample(sorted(strata[key]), counts[key]))
    return sorted(chosen)


def paid_payments(cycle: PaymentCycle) -> QuerySet[Payment]:
    """The payments of a cycle that were paid: the people who can say the money arrived."""
    return Payment.objects.filter(cycle=cycle, status=Payment.Status.PAID)


def sampled_payment_ids(
    cycle: PaymentCycle, seed: int, share_percent: int, minimum: int
) -> list[int]:
    """The payments a sample with this seed, share and minimum holds (same inputs, same ids)."""
    rows = [
        (pk, (method, village_id or 0))
        for pk, method, village_id in paid_payments(cycle)
        .order_by("pk")
        .values_list("pk", "method", "beneficiary__person__village_id")
    ]
    return stratified_sample(rows, sample_size(len(rows), share_percent, minimum), seed)


@transaction.atomic
def draw_sample(
    cycle: PaymentCycle,
    *,
    actor,
    seed: int | None = None,
    share_percent: int | None = None,
    minimum: int | None = None,
) -> PaymentCheckSample:
    """Draw the cycle's one sample; a second draw is refused with the first one's date."""
    require_actor(actor, roles.CAN_CHECK_PAYMENTS)
    cycle = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status not in SAMPLED_STATES:
        raise CheckError(_("Chỉ chọn mẫu kiểm tra khi kỳ chi trả đã chi trả xong."))
    existing = PaymentCheckSample.objects.filter(cycle=cycle).select_related("drawn_by").first()
    if existing is not None:
        raise CheckError(
            _(
                "Kỳ chi trả tháng %(month)s đã chọn mẫu kiểm tra lúc %(when)s: "
                "mỗi kỳ chỉ chọn một lần."
            )
            % {
                "month": f"{cycle.period:%m/%Y}",
                "when": f"{timezone.localtime(existing.drawn_at):%d/%m/%Y %H:%M}",
            }
        )
    share_percent = share_percent or settings.PAYMENT_CHECK_SHARE_PERCENT
    minimum = minimum or settings.PAYMENT_CHECK_MINIMUM
    seed = secrets.randbits(48) if seed is None else seed
    ids = sampled_payment_ids(cycle, seed, share_percent, minimum)
    if not ids:
        raise CheckError(_("Kỳ chi trả chưa có khoản nào đã chi trả: chưa có ai để hỏi."))
    sample = PaymentCheckSample.objects.create(
        cycle=cycle,
        seed=seed,
        share=share_percent,
        minimum=minimum,
        drawn_by=actor,
        drawn_at=timezone.now(),
    )
    people = dict(Payment.objects.filter(pk__in=ids).values_list("pk", "beneficiary__person_id"))
    bulk_create_with_history(
        [PaymentCheck(sample=sample, payment_id=pk, person_id=people[pk]) for pk in ids],
        PaymentCheck,
        default_user=actor,
    )
    return sample


def _clean(outcome: str, amount_stated: int | None, note: str, payment: Payment):
    if outcome not in RECORDED_OUTCOMES:
        raise CheckError(_("Hãy chọn kết quả kiểm tra."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CheckError(_("Ghi chú dài quá %(n)d ký tự.") % {"n": NOTE_MAX})
    if outcome == PaymentCheck.Outcome.AMOUNT_DIFFERS:
        if amount_stated is None or amount_stated <= 0:
            raise CheckError(_("“Số tiền khác”: hãy ghi số tiền người đó nói đã nhận (đồng)."))
        if amount_stated == payment.amount:
            raise CheckError(
                _(
                    "Số tiền người đó nói đã nhận bằng số tiền đã chi (%(amount)s): hãy chọn “Đã nhận đủ”."
                )
                % {"amount": format_amount(payment.amount)}
            )
    else:
        amount_stated = None
    return amount_stated, note


def _open_case(check: PaymentCheck, source: str) -> PaymentCase:
    return PaymentCase.objects.create(
        payment_id=check.payment_id,
        person_id=check.person_id,
        source=source,
        opened_from=check,
        opened_at=check.recorded_at,
    )


@transaction.atomic
def record_check(
    check: PaymentCheck,
    *,
    outcome: str,
    actor,
    amount_stated: int | None = None,
    note: str = "",
) -> tuple[PaymentCheck, bool]:
    """Record what a sampled person said; returns the check and whether it changed.

    The same answer sent twice is recorded once. An answer is final once given,
    except "could not reach", which a later call may replace.
    """
    require_actor(actor, roles.CAN_CHECK_PAYMENTS)
    check = PaymentCheck.objects.select_for_update().select_related("payment").get(pk=check.pk)
    amount_stated, note = _clean(outcome, amount_stated, note, check.payment)
    if (check.outcome, check.amount_stated, check.note) == (outcome, amount_stated, note):
        return check, False
    if check.outcome not in REOPENABLE:
        raise CheckError(
            _("Kết quả kiểm tra đã được ghi (%(outcome)s) lúc %(when)s: không ghi đè.")
            % {
                "outcome": check.get_outcome_display(),
                "when": f"{timezone.localtime(check.recorded_at):%d/%m/%Y %H:%M}",
            }
        )
    check.outcome = outcome
    check.amount_stated = amount_stated
    check.note = note
    check.recorded_by = actor
    check.recorded_at = timezone.now()
    check._history_user = actor
    check.save()
    if outcome in PaymentCheck.CASE_OUTCOMES:
        _open_case(check, PaymentCase.Source.CHECK)
    return check, True


@transaction.atomic
def record_statement(
    payment: Payment, *, actor, note: str, amount_stated: int | None = None
) -> PaymentCase:
    """A person says a paid payment did not arrive (or not in full): a case is opened.

    Refused while the payment has an open case, so a form sent twice opens one.
    """
    require_actor(actor, roles.CAN_RECORD_STATEMENTS)
    payment = Payment.objects.select_for_update().select_related("beneficiary").get(pk=payment.pk)
    if payment.status != Payment.Status.PAID:
        raise CheckError(_("Chỉ ghi phản ánh cho khoản đã chi trả."))
    open_case = PaymentCase.objects.filter(payment=payment, state=PaymentCase.State.OPEN).first()
    if open_case is not None:
        raise CheckError(
            _("Khoản chi trả này đã có khiếu nại đang xử lý (mở lúc %(when)s).")
            % {"when": f"{timezone.localtime(open_case.opened_at):%d/%m/%Y %H:%M}"}
        )
    outcome = (
        PaymentCheck.Outcome.NOT_RECEIVED
        if amount_stated is None
        else PaymentCheck.Outcome.AMOUNT_DIFFERS
    )
    amount_stated, note = _clean(outcome, amount_stated, note, payment)
    if not note:
        raise CheckError(_("Hãy ghi lời phản ánh của người hưởng."))
    check = PaymentCheck(
        payment=payment,
        person_id=payment.beneficiary.person_id,
        outcome=outcome,
        amount_stated=amount_stated,
        note=note,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    check._history_user = actor
    check.save()
    return _open_case(check, PaymentCase.Source.STATEMENT)


@transaction.atomic
def resolve_case(case: PaymentCase, *, actor, resolution: str) -> tuple[PaymentCase, bool]:
    """Close a case with what was done; returns the case and whether it changed."""
    require_actor(actor, roles.CAN_CHECK_PAYMENTS)
    case = PaymentCase.objects.select_for_update().get(pk=case.pk)
    resolution = (resolution or "").strip()
    if not resolution:
        raise CheckError(_("Hãy ghi cách đã giải quyết khiếu nại."))
    if len(resolution) > NOTE_MAX:
        raise CheckError(_("Nội dung giải quyết dài quá %(n)d ký tự.") % {"n": NOTE_MAX})
    if case.state == PaymentCase.State.RESOLVED:
        if case.resolution == resolution:
            return case, False
        raise CheckError(
            _("Khiếu nại đã được giải quyết lúc %(when)s.")
            % {"when": f"{timezone.localtime(case.resolved_at):%d/%m/%Y %H:%M}"}
        )
    case.state = PaymentCase.State.RESOLVED
    case.resolution = resolution
    case.resolved_by = actor
    case.resolved_at = timezone.now()
    case._history_user = actor
    case.save()
    return case, True


def open_cases(commune_ids: Iterable[int]) -> QuerySet[PaymentCase]:
    """The open cases of payments of these communes, oldest first."""
    return PaymentCase.objects.filter(
        state=PaymentCase.State.OPEN, payment__cycle__commune_id__in=list(commune_ids)
    ).order_by("opened_at", "pk")
