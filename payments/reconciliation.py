"""Reconciliation of a cycle (đối soát): what it owes, what recoveries took, what was
sent and what became of it — by method and, for accounts, by bank — and the checks
that must agree, each with its difference in đồng.

The figures come from one grouped query over the cycle's payments (each payment's
month lines summed in a subquery), so the page and the sheet cost the same for 50
people as for 50,000. The checks:

- per group (a bank, a method, the whole cycle): the months' total (Σ month lines,
  what the cycle owes) = sent + deducted by recoveries; sent = paid + failed +
  returned + pending (a settled payment sends nothing);
- the accounts' banks add up to the accounts, the methods to the cycle;
- the cycle's stored figures (``payment_count``, ``total_amount``,
  ``deducted_amount``) equal its payments;
- each bank's file (:func:`payments.bankexport.bank_batches`) and the post office's
  lists (:func:`payments.cashlists.cash_list_figures`) equal the payments they send,
  and the files made (the latest of each kind, once built) equal them too.

Besides the checks, what the commune's next cycle re-issued of this cycle's failed
and uncollected months (its lines for those enrolments and months).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.rules.money import format_amount
from documents.models import GeneratedFile
from payments.bankexport import bank_batches
from payments.cashlists import CASH_METHODS, SHEET_NAMES, cash_list_figures
from payments.models import Payment, PaymentCycle, PaymentMonth

Status = Payment.Status
Method = Payment.Method
# What became of the money sent (a settled payment sent nothing).
OUTCOMES = (Status.PAID, Status.FAILED, Status.RETURNED, Status.PENDING)
NOT_PAID = (Status.FAILED, Status.RETURNED)


@dataclass
class Figure:
    """A number of payments and their amount in đồng."""

    count: int = 0
    amount: int = 0

    def add(self, count: int, amount: int) -> None:
        self.count += count
        self.amount += amount


# The figures of a group, in the order they are shown: (attribute, label).
FIGURE_LABELS = (
    ("owed", gettext_lazy("Tổng các tháng (phải chi kỳ này)")),
    ("deducted", gettext_lazy("Khấu trừ thu hồi")),
    ("sent", gettext_lazy("Tiền gửi chi trả")),
    ("paid", gettext_lazy("Đã chi trả")),
    ("failed", gettext_lazy("Chuyển khoản lỗi")),
    ("returned", gettext_lazy("Không nhận (tiền mặt)")),
    ("pending", gettext_lazy("Chờ kết quả")),
    ("settled", gettext_lazy("Cấn trừ thu hồi hết (không gửi)")),
)


@dataclass
class Check:
    """Two sides that must agree: amounts in đồng and, where it applies, counts."""

    label: str
    left: int
    right: int
    left_count: int | None = None
    right_count: int | None = None

    @property
    def difference(self) -> int:
        return self.left - self.right

    @property
    def count_difference(self) -> int:
        if self.left_count is None or self.right_count is None:
            return 0
        return self.left_count - self.right_count

    @property
    def ok(self) -> bool:
        return self.difference == 0 and self.count_difference == 0

    @property
    def words(self) -> str:
        """``Khớp``, or what differs: ``Lệch 5.000 đ`` (``, 1 khoản``)."""
        if self.ok:
            return _("Khớp")
        parts = [format_amount(self.difference)] if self.difference else []
        if self.count_difference:
            parts.append(_("%(n)s khoản") % {"n": format_amount(self.count_difference, unit=False)})
        return _("Lệch %(what)s") % {"what": ", ".join(parts)}


@dataclass
class Group:
    """One bank, one method or the whole cycle, with its figures and checks."""

    key: str
    label: str
    level: int  # 0: the cycle, 1: a method, 2: a bank of the accounts
    payments: int = 0
    owed: Figure = field(default_factory=Figure)
    deducted: Figure = field(default_factory=Figure)
    sent: Figure = field(default_factory=Figure)
    paid: Figure = field(default_factory=Figure)
    failed: Figure = field(default_factory=Figure)
    returned: Figure = field(default_factory=Figure)
    pending: Figure = field(default_factory=Figure)
    settled: Figure = field(default_factory=Figure)
    checks: list[Check] = field(default_factory=list)

    def add(self, row: dict) -> None:
        """Add one row of :func:`grouped_payments`."""
        count, amount, status = row["n"], int(row["amount"] or 0), row["status"]
        self.payments += count
        self.owed.add(count, int(row["owed"] or 0))
        self.deducted.add(row["with_deduction"], int(row["deducted"] or 0))
        getattr(self, status).add(count, amount)
        if status != Status.SETTLED:
            self.sent.add(count, amount)

    @property
    def figures(self) -> list[tuple[str, str, Figure]]:
        return [(key, str(label), getattr(self, key)) for key, label in FIGURE_LABELS]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def own_checks(self) -> None:
        outcomes = [getattr(self, s) for s in OUTCOMES]
        self.checks = [
            Check(
                _("Tổng các tháng = tiền gửi + khấu trừ thu hồi"),
                self.owed.amount,
                self.sent.amount + self.deducted.amount,
            ),
            Check(
                _("Tiền gửi = đã chi trả + lỗi + không nhận + chờ kết quả"),
                self.sent.amount,
                sum(f.amount for f in outcomes),
                self.sent.count,
                sum(f.count for f in outcomes),
            ),
        ]


@dataclass
class Reissued:
    """What the commune's next cycle pays again of this cycle's failed and uncollected months."""

    cycle: PaymentCycle
    payments: int
    amount: int
    not_paid: Figure


@dataclass
class Reconciliation:
    cycle: PaymentCycle
    groups: list[Group]
    checks: list[Check]
    # Figures of some programmes only (a user limited to them): no cycle-wide checks.
    partial: bool = False
    reissued: Reissued | None = None
    at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def total(self) -> Group:
        return self.groups[-1]

    @property
    def all_checks(self) -> list[Check]:
        return [c for g in self.groups for c in g.checks] + self.checks

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.all_checks)

    @property
    def differences(self) -> int:
        return sum(1 for c in self.all_checks if not c.ok)


def _month_lines_total() -> Subquery:
    return Subquery(
        PaymentMonth.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=IntegerField(),
    )


def grouped_payments(cycle: PaymentCycle) -> list[dict]:
    """The cycle's payments by programme, method, bank and status, with their counts,
    amounts sent, deductions and month lines (one query)."""
    return list(
        Payment.objects.filter(cycle=cycle)
        .annotate(lines=Coalesce(_month_lines_total(), Value(0)))
        .values(
            "beneficiary__programme_id",
            "method",
            "bank_id",
            "bank__short_name",
            "status",
        )
        .annotate(
            n=Count("pk"),
            with_deduction=Count("pk", filter=Q(deducted__gt=0)),
            amount=Sum("amount"),
            deducted=Sum("deducted"),
            owed=Sum("lines"),
        )
        .order_by()
    )


def _method_label(method: str) -> str:
    return str(Method(method).label)


def reconcile(cycle: PaymentCycle, programme_ids: list[int] | None = None) -> Reconciliation:
    """The cycle's figures and checks (``programme_ids``: only those programmes'
    payments, for a user limited to them; the cycle-wide checks are then left out)."""
    rows = grouped_payments(cycle)
    shown = [
        r for r in rows if programme_ids is None or r["beneficiary__programme_id"] in programme_ids
    ]
    partial = len(shown) != len(rows)
    banks: dict[int, Group] = {}
    methods = {m: Group(f"method:{m}", _method_label(m), 1) for m in Method.values}
    total = Group("cycle", _("Cả kỳ chi trả"), 0)
    for row in shown:
        targets = [methods[row["method"]], total]
        if row["method"] == Method.ACCOUNT:
            bank = banks.get(row["bank_id"])
            if bank is None:
                bank = banks[row["bank_id"]] = Group(
                    f"bank:{row['bank_id']}",
                    f"{_method_label(Method.ACCOUNT)} — {row['bank__short_name'] or '—'}",
                    2,
                )
            targets.append(bank)
        for group in targets:
            group.add(row)
    account = methods[Method.ACCOUNT]
    ordered_banks = sorted(banks.values(), key=lambda g: g.label)
    groups = [
        account,
        *ordered_banks,
        *(methods[m] for m in Method.values if m != Method.ACCOUNT),
        total,
    ]
    for group in groups:
        group.own_checks()
    if ordered_banks:
        account.checks.append(
            Check(
                _("Các ngân hàng cộng lại = qua tài khoản"),
                sum(b.sent.amount for b in ordered_banks),
                account.sent.amount,
                sum(b.sent.count for b in ordered_banks),
                account.sent.count,
            )
        )
    total.checks.append(
        Check(
            _("Các hình thức cộng lại = cả kỳ (tiền gửi)"),
            sum(m.sent.amount for m in methods.values()),
            total.sent.amount,
            sum(m.sent.count for m in methods.values()),
            total.sent.count,
        )
    )
    checks = [] if partial else _cycle_checks(cycle, total, methods, banks)
    return Reconciliation(
        cycle=cycle,
        groups=groups,
        checks=checks,
        partial=partial,
        reissued=_reissued(cycle, programme_ids),
    )


def _cycle_checks(
    cycle: PaymentCycle, total: Group, methods: dict[str, Group], banks: dict[int, Group]
) -> list[Check]:
    checks = [
        Check(
            _("Tổng tiền, số khoản đã lưu của kỳ = các khoản"),
            int(cycle.total_amount),
            total.sent.amount,
            int(cycle.payment_count),
            total.payments,
        ),
        Check(
            _("Khấu trừ thu hồi đã lưu của kỳ = khấu trừ của các khoản"),
            int(cycle.deducted_amount),
            total.deducted.amount,
        ),
    ]
    for batch in bank_batches(cycle):
        group = banks.get(batch.bank.pk)
        sent = group.sent if group is not None else Figure()
        checks.append(
            Check(
                _("Tệp ngân hàng %(bank)s = tiền gửi qua %(bank)s")
                % {"bank": batch.bank.short_name},
                int(batch.total),
                sent.amount,
                batch.rows,
                sent.count,
            )
        )
    lists = cash_list_figures(cycle)
    for method in CASH_METHODS:
        figures = lists.get(method)
        checks.append(
            Check(
                _("Danh sách “%(list)s” = tiền gửi %(method)s")
                % {"list": SHEET_NAMES[method], "method": _method_label(method).lower()},
                figures.total if figures else 0,
                methods[method].sent.amount,
                figures.rows if figures else 0,
                methods[method].sent.count,
            )
        )
    for made in _latest_files(cycle):
        if made.kind == GeneratedFile.Kind.BANK_FILES:
            expected = methods[Method.ACCOUNT].sent
        else:
            expected = Figure(
                sum(methods[m].sent.count for m in CASH_METHODS),
                sum(methods[m].sent.amount for m in CASH_METHODS),
            )
        checks.append(
            Check(
                _("%(file)s đã lập lúc %(at)s = tiền gửi hiện nay")
                % {
                    "file": made.get_kind_display(),
                    "at": f"{timezone.localtime(made.finished_at or made.requested_at):%d/%m/%Y %H:%M}",
                },
                int(made.total_amount or 0),
                expected.amount,
                made.rows,
                expected.count,
            )
        )
    return checks


def _latest_files(cycle: PaymentCycle) -> list[GeneratedFile]:
    """The latest finished file of each of the cycle's kinds (one query)."""
    files = GeneratedFile.objects.filter(
        commune_id=cycle.commune_id,
        period=cycle.period,
        kind__in=GeneratedFile.CYCLE_KINDS,
        status=GeneratedFile.Status.DONE,
    ).order_by("kind", "-requested_at", "-pk")
    latest: dict[str, GeneratedFile] = {}
    for made in files:
        latest.setdefault(made.kind, made)
    return [latest[k] for k in GeneratedFile.CYCLE_KINDS if k in latest]


def _reissued(cycle: PaymentCycle, programme_ids: list[int] | None) -> Reissued | None:
    """The next cycle's lines for the months this cycle failed to pay (two queries)."""
    later = (
        PaymentCycle.objects.filter(commune_id=cycle.commune_id, period__gt=cycle.period)
        .order_by("period")
        .first()
    )
    if later is None:
        return None
    failed_lines = PaymentMonth.objects.filter(payment__cycle=cycle, payment__status__in=NOT_PAID)
    if programme_ids is not None:
        failed_lines = failed_lines.filter(payment__beneficiary__programme_id__in=programme_ids)
    figures = (
        PaymentMonth.objects.filter(payment__cycle=later)
        .filter(
            Exists(
                failed_lines.filter(beneficiary=OuterRef("beneficiary"), month=OuterRef("month"))
            )
        )
        .aggregate(payments=Count("payment", distinct=True), amount=Sum("amount"))
    )
    not_paid = (
        Payment.objects.filter(cycle=cycle, status__in=NOT_PAID)
        .filter(
            Q(beneficiary__programme_id__in=programme_ids) if programme_ids is not None else Q()
        )
        .aggregate(n=Count("pk"), amount=Coalesce(Sum(F("amount") + F("deducted")), Value(0)))
    )
    return Reissued(
        cycle=later,
        payments=figures["payments"],
        amount=int(figures["amount"] or 0),
        not_paid=Figure(not_paid["n"], int(not_paid["amount"])),
    )
