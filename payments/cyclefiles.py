"""A cycle's files: the bank files and the post office's lists, as generated files.

- ``bank_files``: one .zip per cycle holding one .xlsx (official layout, to
  sign) and one .csv (to load) per bank, and ``thay-doi-….xlsx``, the changes
  since last month with accounts.
- ``post_office_lists``: one .xlsx with the cash list, the home-delivery list
  (a "Ký nhận" cell per row) and the changes that concern the post office,
  without any account number.

:func:`request_cycle_files` records the two jobs and queues them (a double
click gets the jobs under way); the one job runner (:mod:`documents.jobs`)
calls :func:`build_cycle_file`, registered here for both kinds (from
``PaymentsConfig.ready``) with the files' download names and who may see
them: the bank files hold accounts (never the post office), and the paying
office and the post office see a cycle's files once the cycle was submitted.
:func:`export_cycle_files` writes the same files into a folder
(``export_bank_file``). The figures are checked against the cycle: bank
files + cash list + home list = the cycle's total, to the đồng, or the build
fails.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from beneficiaries.models import Commune
from core import roles
from core.access import has_any_role, require_actor
from core.db import whole_results_planned
from documents.builders import Access, Built, builder
from documents.jobs import Job
from documents.models import GeneratedFile
from documents.services import Wanted, request_files
from documents.xlsx import write_xlsx
from payments.bankexport import EXPORTABLE, ExportError, MonthLabels, require_exportable
from payments.bankfiles import BankFileExchange
from payments.cashlists import (
    CASH_METHODS,
    SHEET_NAMES,
    ListFigures,
    cash_sheet,
    changes_sheet,
    listed_payments,
    post_office_changes_sheet,
)
from payments.models import Payment, PaymentCycle

BANK_FILES = GeneratedFile.Kind.BANK_FILES
POST_OFFICE_LISTS = GeneratedFile.Kind.POST_OFFICE_LISTS


class Unbalanced(Exception):
    """The files do not add up to the cycle: never hand such files out."""


@dataclass
class Part:
    """One file (or one list sheet) of a cycle's files."""

    name: str
    rows: int
    total: int


@dataclass
class CycleFigures:
    parts: list[Part] = field(default_factory=list)
    changes: int = 0

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.parts)


def cycle_of(generated: GeneratedFile) -> PaymentCycle:
    return PaymentCycle.objects.select_related("commune").get(
        commune_id=generated.commune_id, period=generated.period
    )


def cycle_figures(cycle: PaymentCycle) -> dict[str, tuple[int, int]]:
    """{method: (count, total)} of the cycle's payments, from the database."""
    rows = (
        Payment.objects.filter(cycle=cycle)
        .values("method")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    return {r["method"]: (r["n"], r["total"]) for r in rows}


def check_balance(cycle: PaymentCycle, account: int, cash: int, home: int) -> None:
    """Bank files + cash list + home list = the cycle's total, to the đồng."""
    total = sum(t for _n, t in cycle_figures(cycle).values())
    if account + cash + home != total or total != cycle.total_amount:
        raise Unbalanced(
            f"cycle {cycle.pk}: files {account} + {cash} + {home} != payments {total} "
            f"(cycle total {cycle.total_amount})"
        )


def file_name(cycle_or_file) -> str:
    """``chi-tra-ngan-hang-15307-2023-09.zip`` / ``chi-tra-buu-dien-15307-2023-09.xlsx``."""
    commune, period, kind = (
        cycle_or_file.commune,
        cycle_or_file.period,
        getattr(cycle_or_file, "kind", None),
    )
    if kind == BANK_FILES:
        return f"chi-tra-ngan-hang-{commune.code}-{period:%Y-%m}.zip"
    return f"chi-tra-buu-dien-{commune.code}-{period:%Y-%m}.xlsx"


def changes_file_name(cycle: PaymentCycle) -> str:
    return f"thay-doi-{cycle.commune.code}-{cycle.period:%Y-%m}.xlsx"


# --- writing ------------------------------------------------------------------


def write_post_office_lists(
    cycle: PaymentCycle,
    target,
    *,
    dated: datetime.date,
    labels: MonthLabels | None = None,
    progress: Callable[[int], None] | None = None,
) -> CycleFigures:
    """The cash list, the home list and the post office's changes sheet, in one workbook."""
    require_exportable(cycle)
    labels = labels or MonthLabels(cycle)
    figures = {method: ListFigures() for method in CASH_METHODS}
    # A method nobody is paid by this month has no sheet: no empty list to sign.
    paid_by = set(listed_payments(cycle).order_by().values_list("method", flat=True).distinct())
    sheets = [
        cash_sheet(cycle, method, labels, figures[method], dated=dated, progress=progress)
        for method in CASH_METHODS
        if method in paid_by
    ]
    write_xlsx(target, [*sheets, post_office_changes_sheet(cycle, dated=dated)])
    return CycleFigures(
        [Part(SHEET_NAMES[m], figures[m].rows, figures[m].total) for m in CASH_METHODS]
    )


def write_bank_files(
    cycle: PaymentCycle,
    folder: Path,
    *,
    dated: datetime.date,
    labels: MonthLabels | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[CycleFigures, list[Path]]:
    """Each bank's .xlsx and .csv, and the changes workbook, into ``folder``."""
    exported = BankFileExchange().export(
        cycle, folder, dated=dated, labels=labels, progress=progress
    )
    changes = folder / changes_file_name(cycle)
    counted = {"changes": 0}
    write_xlsx(str(changes), [changes_sheet(cycle, counted, dated=dated, signed=True)])
    # Each bank's figures once (its .xlsx and .csv hold the same rows).
    parts = [Part(f.path.name, f.rows, f.total) for f in exported if f.path.suffix == ".xlsx"]
    figures = CycleFigures(parts)
    figures.changes = counted["changes"]
    return figures, [f.path for f in exported] + [changes]


def export_cycle_files(
    cycle: PaymentCycle, folder: Path, *, dated: datetime.date
) -> tuple[list[tuple[str, Part | None]], CycleFigures, CycleFigures]:
    """Everything into ``folder`` (the command): per-bank files, the post office's workbook.

    Returns the lines to print (file name, figures; ``None`` for the changes
    workbook), and the bank and post office figures; raises :class:`Unbalanced` if they miss the cycle's total.
    """
    require_exportable(cycle)
    labels = MonthLabels(cycle)
    post_office = folder / file_name(cycle)
    with whole_results_planned():
        bank, paths = write_bank_files(cycle, folder, dated=dated, labels=labels)
        cash = write_post_office_lists(cycle, str(post_office), dated=dated, labels=labels)
    check_balance(cycle, bank.total, cash.parts[0].total, cash.parts[1].total)
    by_name = {p.name: p for p in bank.parts}
    lines: list[tuple[str, Part | None]] = []
    for path in paths:
        lines.append((path.name, by_name.get(path.with_suffix(".xlsx").name)))
    lines += [(f"{post_office.name} — {p.name}", p) for p in cash.parts]
    return lines, bank, cash


# --- the job ------------------------------------------------------------------


def may_request_cycle_files(user, cycle: PaymentCycle) -> bool:
    """Whether the cycle page offers to build the files: the role, and a cycle that pays."""
    return cycle.status in EXPORTABLE and has_any_role(user, roles.CAN_REQUEST_CYCLE_FILES)


def request_cycle_files(cycle: PaymentCycle, *, actor, queue: bool = True) -> list[GeneratedFile]:
    """The bank files and the post office's lists of an approved cycle, queued to build.

    A job already queued or running for the same cycle and kind is returned as
    it is (a double click builds nothing twice).
    """
    require_actor(actor, roles.CAN_REQUEST_CYCLE_FILES)
    with transaction.atomic():
        Commune.objects.select_for_update().get(pk=cycle.commune_id)
        cycle = PaymentCycle.objects.select_related("commune").get(pk=cycle.pk)
        require_exportable(cycle)
        wanted = [
            Wanted(kind, parameters={"cycle": cycle.pk}) for kind in GeneratedFile.CYCLE_KINDS
        ]
        return request_files(cycle.commune, cycle.period, wanted, actor=actor, queue=queue)


def _cycle_submitted() -> Q:
    """The file's cycle reached the paying office (submitted, paid or closed)."""
    return Q(
        Exists(
            PaymentCycle.objects.filter(
                commune=OuterRef("commune"),
                period=OuterRef("period"),
                status__in=PaymentCycle.SENT_STATUSES,
            )
        )
    )


def _cycle_within_programmes(programme_ids: list[int]) -> Q:
    """The file's cycle pays only these programmes: a cycle's files hold every
    payment of the cycle, so a user limited to some programmes sees them only
    when no other programme's person is in them."""
    payments = Payment.objects.filter(
        cycle__commune=OuterRef("commune"), cycle__period=OuterRef("period")
    )
    return Q(Exists(payments)) & ~Q(
        Exists(payments.exclude(beneficiary__programme_id__in=programme_ids))
    )


# The bank files hold accounts: never the post office. The paying office and the
# post office see a cycle's files once the cycle was submitted to them.
BANK_FILES_ACCESS = Access(
    roles=roles.CAN_SEE_BANK_FILES,
    limited_roles=roles.SEES_SUBMITTED_CYCLES_ONLY,
    limited=_cycle_submitted,
    within_programmes=_cycle_within_programmes,
)
POST_OFFICE_LISTS_ACCESS = Access(
    roles=roles.CAN_SEE_CASH_LISTS,
    limited_roles=roles.SEES_SUBMITTED_CYCLES_ONLY,
    limited=_cycle_submitted,
    within_programmes=_cycle_within_programmes,
)


@builder(BANK_FILES, file_name=file_name, access=BANK_FILES_ACCESS)
@builder(POST_OFFICE_LISTS, file_name=file_name, access=POST_OFFICE_LISTS_ACCESS)
def build_cycle_file(generated: GeneratedFile, job: Job) -> Built:
    """One claimed cycle file, checked against the cycle's total."""
    cycle = cycle_of(generated)
    require_exportable(cycle)
    figures = cycle_figures(cycle)
    labels = MonthLabels(cycle)
    expected = sum(
        n
        for method, (n, _t) in figures.items()
        if (method == Payment.Method.ACCOUNT) == (generated.kind == BANK_FILES)
    )
    seen = {"rows": 0}
    write_progress = job.rows_progress(expected)

    def progress(step: int) -> None:
        seen["rows"] += step
        write_progress(seen["rows"])

    out = job.temporary_file()
    with whole_results_planned():
        if generated.kind == BANK_FILES:
            made, paths = write_bank_files(
                cycle, job.temporary_folder(), dated=job.today, labels=labels, progress=progress
            )
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in paths:
                    archive.write(path, arcname=path.name)
            account_total = made.total
            cash_total = figures.get(Payment.Method.CASH, (0, 0))[1]
            home_total = figures.get(Payment.Method.HOME, (0, 0))[1]
            suffix = ".zip"
        else:
            made = write_post_office_lists(
                cycle, out, dated=job.today, labels=labels, progress=progress
            )
            account_total = figures.get(Payment.Method.ACCOUNT, (0, 0))[1]
            cash_total, home_total = made.parts[0].total, made.parts[1].total
            suffix = ".xlsx"
    check_balance(cycle, account_total, cash_total, home_total)
    return Built(
        out,
        suffix,
        rows=made.rows,
        total=made.total,
        parameters={
            "parts": [{"name": p.name, "rows": p.rows, "total": p.total} for p in made.parts]
        },
    )


# --- the cycle page -------------------------------------------------------------


def cycle_files_of(cycle: PaymentCycle):
    """A cycle's files, newest first (for the cycle page)."""
    return GeneratedFile.objects.filter(
        commune_id=cycle.commune_id, period=cycle.period, kind__in=GeneratedFile.CYCLE_KINDS
    ).order_by("kind", "-requested_at", "-pk")


__all__ = [
    "ExportError",
    "Unbalanced",
    "build_cycle_file",
    "export_cycle_files",
    "request_cycle_files",
]
