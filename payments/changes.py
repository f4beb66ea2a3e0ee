"""Changes since last month (tăng, giảm, điều chỉnh): a cycle against the one before.

- **new** (tăng): paid this cycle, not in the previous one;
- **stopped** (giảm): paid in the previous cycle, not in this one, with the
  reason read from the enrolment (death, loss of eligibility, moved away,
  suspended) or "nothing owed";
- **amount** (điều chỉnh): both, a different amount (arrears, a new level, a
  deduction for a recovery: the note names it, or says that nothing is paid
  when the deduction took it all);
- **method** / **account**: both, a different method or receiver, or another
  account.

The page and the sheet of every cycle export read :func:`cycle_changes`. Set-based:
one query per direction, streamed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary, Commune
from payments.models import Payment, PaymentCycle

KIND_LABELS = {
    "new": gettext_lazy("Tăng mới"),
    "stopped": gettext_lazy("Giảm"),
    "amount": gettext_lazy("Điều chỉnh số tiền"),
    "method": gettext_lazy("Đổi hình thức/người nhận"),
    "account": gettext_lazy("Đổi tài khoản"),
}
METHOD_WORDS = dict(Payment.Method.choices)


@dataclass(frozen=True)
class Change:
    kind: str
    beneficiary_id: int
    person_id: int
    full_name: str
    personal_id: str
    programme: str
    before: str
    after: str
    note: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def previous_cycles(cycle: PaymentCycle, statuses=None) -> list[PaymentCycle]:
    """The cycles ``cycle`` is compared with: its commune's previous one and, for
    the first cycle after a merger, the last cycle of each commune merged into it
    since (their people are this commune's now). ``statuses``: only cycles in
    these (the surprise warning compares with paid ones)."""
    earlier = PaymentCycle.objects.filter(period__lt=cycle.period).order_by("-period")
    if statuses is not None:
        earlier = earlier.filter(status__in=statuses)
    own = earlier.filter(commune_id=cycle.commune_id).first()
    merged = Commune.objects.filter(merged_into_id=cycle.commune_id, merged_on__lte=cycle.period)
    if own is not None:
        merged = merged.filter(merged_on__gt=own.period)
    found = [own] if own is not None else []
    for commune in merged:
        last = earlier.filter(commune=commune).first()
        if last is not None:
            found.append(last)
    return found


def previous_cycle(cycle: PaymentCycle) -> PaymentCycle | None:
    """The latest of :func:`previous_cycles` (the one a page names)."""
    return max(previous_cycles(cycle), key=lambda c: c.period, default=None)


def _money(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}".replace(",", ".") + " đ"


def _how(method: str | None, receiver: str | None, account: str | None) -> str:
    words = str(METHOD_WORDS.get(method or "", ""))
    if account:
        words += f" {account}"
    if receiver:
        words += f" — {receiver}"
    return words


_PERSON = (
    "beneficiary_id",
    "beneficiary__person_id",
    "beneficiary__person__full_name",
    "beneficiary__person__personal_id",
    "beneficiary__programme__short_name",
)


def _stop_reason(row: dict) -> str:
    if row["beneficiary__person__date_of_death"]:
        return _("Chết ngày %s") % f"{row['beneficiary__person__date_of_death']:%d/%m/%Y}"
    status = row["beneficiary__status"]
    if status == Beneficiary.Status.ENDED:
        reason = row["beneficiary__end_reason"]
        label = Beneficiary.EndReason(reason).label if reason else _("thôi hưởng")
        return _("Thôi hưởng: %s") % str(label).lower()
    if status == Beneficiary.Status.SUSPENDED:
        return _("Tạm dừng hưởng")
    return _("Không còn khoản phải trả")


def _deduction_note(deducted: int, status: str) -> str:
    if status == Payment.Status.SETTLED:
        return _("Cấn trừ thu hồi hết %(amount)s: không chi trả tháng này") % {
            "amount": _money(deducted)
        }
    if deducted:
        return _("Khấu trừ thu hồi %(amount)s") % {"amount": _money(deducted)}
    return ""


def cycle_changes(cycle: PaymentCycle, programme_ids: list[int] | None = None) -> Iterator[Change]:
    """Every change of ``cycle`` against the previous cycles (:func:`previous_cycles`),
    new first (``programme_ids``: only those programmes' enrolments)."""
    current = Payment.objects.filter(cycle=cycle)
    earlier = Payment.objects.filter(cycle__in=previous_cycles(cycle))
    if programme_ids is not None:
        current = current.filter(beneficiary__programme_id__in=programme_ids)
        earlier = earlier.filter(beneficiary__programme_id__in=programme_ids)
    same = earlier.filter(beneficiary=OuterRef("beneficiary"))
    rows = (
        current.annotate(
            was_amount=Subquery(same.values("amount")[:1]),
            was_method=Subquery(same.values("method")[:1]),
            was_receiver=Subquery(same.values("receiver_name")[:1]),
            was_account=Subquery(same.values("account_number")[:1]),
        )
        .filter(
            Q(was_amount__isnull=True)
            | ~Q(was_amount=F("amount"))
            | ~Q(was_method=F("method"))
            | ~Q(was_receiver=F("receiver_name"))
            | ~Q(was_account=F("account_number"))
        )
        .values(
            *_PERSON,
            "amount",
            "deducted",
            "status",
            "method",
            "receiver_name",
            "account_number",
            "was_amount",
            "was_method",
            "was_receiver",
            "was_account",
        )
        .order_by("beneficiary__person__sort_name", "beneficiary_id")
    )
    changed: list[Change] = []
    for row in rows.iterator(chunk_size=2000):
        person = (
            row["beneficiary_id"],
            row["beneficiary__person_id"],
            row["beneficiary__person__full_name"],
            row["beneficiary__person__personal_id"] or "",
            row["beneficiary__programme__short_name"],
        )
        now = _how(row["method"], row["receiver_name"], row["account_number"])
        if row["was_amount"] is None:
            yield Change("new", *person, "", _money(row["amount"]), now)
            continue
        if row["was_amount"] != row["amount"]:
            changed.append(
                Change(
                    "amount",
                    *person,
                    _money(row["was_amount"]),
                    _money(row["amount"]),
                    _deduction_note(row["deducted"], row["status"]),
                )
            )
        if row["was_method"] != row["method"] or row["was_receiver"] != row["receiver_name"]:
            changed.append(
                Change(
                    "method",
                    *person,
                    _how(row["was_method"], row["was_receiver"], row["was_account"]),
                    now,
                    "",
                )
            )
        elif row["was_account"] != row["account_number"]:
            changed.append(
                Change("account", *person, row["was_account"], row["account_number"], "")
            )
    stopped = (
        earlier.exclude(beneficiary__in=current.values("beneficiary"))
        .values(
            *_PERSON,
            "amount",
            "beneficiary__status",
            "beneficiary__end_reason",
            "beneficiary__person__date_of_death",
        )
        .order_by("beneficiary__person__sort_name", "beneficiary_id")
    )
    for row in stopped.iterator(chunk_size=2000):
        yield Change(
            "stopped",
            row["beneficiary_id"],
            row["beneficiary__person_id"],
            row["beneficiary__person__full_name"],
            row["beneficiary__person__personal_id"] or "",
            row["beneficiary__programme__short_name"],
            _money(row["amount"]),
            "",
            _stop_reason(row),
        )
    yield from changed


def change_counts(cycle: PaymentCycle, programme_ids: list[int] | None = None) -> dict[str, int]:
    counts = dict.fromkeys(KIND_LABELS, 0)
    for change in cycle_changes(cycle, programme_ids):
        counts[change.kind] += 1
    return counts
