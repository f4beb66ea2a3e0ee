"""Every document the commune signs, as .xlsx, for one commune and month.

``render_every_document`` runs the product's own writers (the same functions
the jobs call) into a folder, one workbook per kind of document, and says for
each what a printed copy must show: per printed sheet its heading, the CCCDs
(or, for a bank list, the payment codes) of its rows — read back from the
workbook's table, not recomputed — and, when the sheet ends in signatures,
the place-and-date line with the signature titles and names of the commune.
The print check (``printcheck``) and ``preview_documents`` use it.

A draft cycle has no bank or post office files in the app (they are made once
the cycle is approved); the preview prints what they will be, from an unsaved
copy of the cycle marked approved. Nothing is written to the database.
"""

from __future__ import annotations

import copy
import datetime
import shutil
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.db.models import Count

from accounts.models import Bank
from beneficiaries.models import Commune, Programme
from desk.exporter import write_registry, write_registry_printable, write_template
from desk.verification import FileExchange
from documents.official import leader, place_and_date, preparer, signatures
from payments.bankexport import EXPORTABLE, bank_batches, bank_document, bank_file_stem
from payments.cashlists import SHEET_NAMES, TITLES
from payments.cyclefiles import write_bank_files, write_post_office_lists
from payments.models import PaymentCycle
from payments.reconciliation import reconcile
from payments.reconciliationfile import SHEET_NAME as RECONCILIATION_SHEET
from payments.reconciliationfile import reconciliation_title, write_reconciliation
from registration import lists
from registration.models import AccountOpeningRequest
from registration.referral import write_referral_letter
from reports.monthly import LIST_SHEET_WORDS, month_cycle, report_title, write_monthly_report

# The column that names a row, first found wins: a person's CCCD, else a transfer's code.
KEY_HEADERS = ("Số CCCD", "Mã thanh toán")
TOTALS_LABEL = "Tổng cộng"
LIST_KIND_WORDS = {lists.SELF: "tk", lists.REPRESENTATIVE: "uq"}

# Kinds still printed as a web page rather than produced as .xlsx: none left.
NOT_YET_XLSX: dict[str, str] = {}


@dataclass(frozen=True)
class PrintedSheet:
    """What one sheet must show once printed."""

    name: str
    heading: str
    # The CCCDs (or payment codes) of its rows, in order, each as often as its row holds it.
    keys: tuple[str, ...] = ()
    key_header: str = ""
    place_and_date: str = ""  # "": the sheet has no signature block
    signature_titles: tuple[str, ...] = ()
    signature_names: tuple[str, ...] = ()
    landscape: bool = True
    # Pages as the writer planned them (its manual page breaks plus one).
    planned_pages: int = 1
    # The first text of the table's last row (a table without keys nor totals row).
    last_row: str = ""

    @property
    def row_texts(self) -> tuple[str, ...]:
        """Texts of which one at least must share the signature page (a row or the totals)."""
        return (*self.keys, TOTALS_LABEL, self.last_row)


@dataclass(frozen=True)
class RenderedDocument:
    kind: str  # also the file's stem
    label: str  # what it is, in words
    path: Path
    sheets: tuple[PrintedSheet, ...] = field(default_factory=tuple)

    @property
    def cccds(self) -> tuple[str, ...]:
        return tuple(k for s in self.sheets if s.key_header == KEY_HEADERS[0] for k in s.keys)

    @property
    def heading(self) -> str:
        return self.sheets[0].heading

    @property
    def signature_titles(self) -> tuple[str, ...]:
        return next((s.signature_titles for s in self.sheets if s.place_and_date), ())

    def sheet(self, name: str) -> PrintedSheet:
        return next(s for s in self.sheets if s.name == name)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_sheets(
    path: Path,
    headings: dict[str, str],
    *,
    dated_line: str,
    titles: Sequence[str],
    names: Sequence[str],
) -> tuple[PrintedSheet, ...]:
    """The visible sheets of a produced workbook, with the rows' keys read from its table.

    The table's header row is the first row holding one of :data:`KEY_HEADERS`;
    its rows are the following rows numbered in the first column (the totals
    row and the signatures after it are not). A sheet holding the
    place-and-date line below its table ends in signatures. ``headings`` gives
    a sheet's heading; a sheet not named there is headed by its first text.
    """
    from printcheck import planned_pages, sheet_orientations
    from printcheck.pdf import count

    orientation = sheet_orientations(path)
    planned = planned_pages(path)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = []
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                continue
            first_text = ""
            key_col = header = None
            keys: list[str] = []
            last_row = ""
            signed = False
            in_table = False
            number_col = 0  # the column numbering the table's rows (STT)
            for row in ws.iter_rows(values_only=True):
                cells = [_text(v) for v in row]
                if not first_text:
                    first_text = next((c for c in cells if c), "")
                if key_col is None:
                    found = [h for h in KEY_HEADERS if h in cells]
                    if found or "STT" in cells:
                        # A table without a key column (a report's summary) has no keys to
                        # count, but its signatures are checked all the same.
                        header = found[0] if found else ""
                        key_col = cells.index(found[0]) if found else -1
                        in_table = True
                        number_col = cells.index("STT") if "STT" in cells else 0
                    continue
                if in_table and len(row) > number_col and isinstance(row[number_col], int):
                    last_row = next(
                        (
                            c
                            for v, c in zip(
                                row[number_col + 1 :], cells[number_col + 1 :], strict=True
                            )
                            if isinstance(v, str) and c
                        ),
                        "",
                    )
                    key = cells[key_col] if 0 <= key_col < len(cells) else ""
                    if key:
                        # As often as the row prints it (a transfer's code is in its content too).
                        keys += [key] * sum(count(cell, key) for cell in cells)
                    continue
                in_table = False
                if dated_line and dated_line in cells:
                    signed = True
            sheets.append(
                PrintedSheet(
                    name=ws.title,
                    heading=headings.get(ws.title, first_text),
                    keys=tuple(keys),
                    key_header=header or "",
                    place_and_date=dated_line if signed else "",
                    signature_titles=tuple(titles) if signed else (),
                    signature_names=tuple(n for n in names if n) if signed else (),
                    landscape=orientation.get(ws.title, False),
                    planned_pages=planned.get(ws.title, 1),
                    last_row=last_row,
                )
            )
    finally:
        workbook.close()
    return tuple(sheets)


def _exportable(cycle: PaymentCycle) -> PaymentCycle:
    """The cycle itself once approved; a draft: an unsaved copy marked approved (preview)."""
    if cycle.status in EXPORTABLE:
        return cycle
    preview = copy.copy(cycle)
    preview.status = PaymentCycle.Status.APPROVED
    return preview


def render_every_document(
    commune: Commune,
    period: datetime.date,
    out_dir: str | Path,
    *,
    dated: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
    only: Collection[str] | None = None,
) -> list[RenderedDocument]:
    """One .xlsx per kind of document of ``commune`` for ``period`` into ``out_dir``.

    ``only`` keeps the kinds named (``None``: every kind).

    The payment files (largest bank's list, the changes workbook, the post
    office's workbook) need the month's cycle and are left out without one.
    """
    from django.utils import timezone

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    period = period.replace(day=1)
    dated = dated or timezone.localdate()
    dated_line = place_and_date(commune.place_name, dated)
    signers = signatures(commune)
    titles = [line for s in signers for line in s.title.split("\n")]
    names = [s.name for s in signers]
    rendered: list[RenderedDocument] = []

    def wanted(kind: str) -> bool:
        return only is None or kind in only

    def add(kind: str, label: str, path: Path, headings: dict[str, str], signed_by=None) -> None:
        own_titles, own_names = titles, names
        if signed_by is not None:  # the officer's lists: the preparer and the leader
            own_titles = [line for s in signed_by for line in s.title.split("\n")]
            own_names = [s.name for s in signed_by]
        sheets = read_sheets(
            path, headings, dated_line=dated_line, titles=own_titles, names=own_names
        )
        rendered.append(RenderedDocument(kind, label, path, sheets))
        if progress is not None:
            progress(f"{path.name}: {label}")

    on_lists = lists.list_counts(commune, period)
    for programme in Programme.objects.order_by("order", "code"):
        for list_kind, word in LIST_KIND_WORDS.items():
            kind = f"dang-ky-{programme.code.lower()}-{word}"
            if not wanted(kind) or not on_lists.get((programme.pk, list_kind)):
                continue  # a list nobody is on has no file
            path = out / f"{kind}.xlsx"
            lists.write_registration_list(
                str(path),
                commune=commune,
                programme=programme,
                kind=list_kind,
                period=period,
                dated=dated,
            )
            title = lists.list_title(programme, list_kind)
            add(kind, f"Danh sách đăng ký {programme.code} ({word})", path, {"Danh sách": title})

    cycle = month_cycle(commune, period)
    if cycle is not None and (wanted("ngan-hang") or wanted("thay-doi") or wanted("buu-dien")):
        cycle = _exportable(cycle)
        batches = sorted(bank_batches(cycle), key=lambda b: (-b.rows, b.bank.short_name))
        with tempfile.TemporaryDirectory(prefix="bank-files-") as scratch:
            folder = Path(scratch)
            _figures, paths = write_bank_files(cycle, folder, dated=dated)
            if batches and wanted("ngan-hang"):
                bank = batches[0].bank
                path = out / "ngan-hang.xlsx"
                shutil.move(folder / f"{bank_file_stem(cycle, bank)}.xlsx", path)
                title = bank_document(cycle, bank, dated).title
                add(
                    "ngan-hang",
                    f"Danh sách chi trả qua {bank.short_name}",
                    path,
                    {bank.short_name[:31]: title},
                )
            changes = next(
                p for p in paths if p.suffix == ".xlsx" and p.name.startswith("thay-doi")
            )
            path = out / "thay-doi.xlsx"
            shutil.move(changes, path)
            if wanted("thay-doi"):
                add("thay-doi", "Thay đổi so với kỳ trước (tệp ngân hàng)", path, {})
    if cycle is not None and wanted("buu-dien"):
        path = out / "buu-dien.xlsx"
        write_post_office_lists(cycle, str(path), dated=dated)
        add(
            "buu-dien",
            "Danh sách chi trả của bưu điện",
            path,
            {SHEET_NAMES[m]: TITLES[m] for m in TITLES},
        )

    reconciled = month_cycle(commune, period)
    if reconciled is not None and wanted("doi-soat"):
        path = out / "doi-soat.xlsx"
        write_reconciliation(str(path), reconcile(reconciled), dated=dated)
        add(
            "doi-soat",
            "Đối soát kỳ chi trả",
            path,
            {RECONCILIATION_SHEET: reconciliation_title(period)},
        )

    if wanted("bao-cao-thang"):
        path = out / "bao-cao-thang.xlsx"
        write_monthly_report(str(path), commune=commune, period=period, dated=dated)
        headings = {"Tổng hợp": report_title(period)}
        for programme in Programme.objects.all():
            for list_kind, words in LIST_SHEET_WORDS.items():
                headings[f"DS {programme.code} {words}"] = lists.list_title(programme, list_kind)
        add("bao-cao-thang", "Báo cáo tháng", path, headings)

    if wanted("xac-thuc"):
        path = out / "xac-thuc.xlsx"
        FileExchange().export_batch(commune, str(path))
        add(
            "xac-thuc",
            "Danh sách đề nghị xác thực với CSDL dân cư",
            path,
            {},
            [preparer(commune), leader(commune)],
        )

    if wanted("so-doi-tuong"):
        path = out / "so-doi-tuong.xlsx"
        write_registry(str(path), commune, on=dated)
        add(
            "so-doi-tuong",
            "Sổ đối tượng (xuất ra để nhập lại)",
            path,
            {},
            [preparer(commune), leader(commune)],
        )

    if wanted("so-doi-tuong-in"):
        path = out / "so-doi-tuong-in.xlsx"
        write_registry_printable(str(path), commune, on=dated)
        add(
            "so-doi-tuong-in",
            "Sổ đối tượng (bản in theo thôn)",
            path,
            {},
            [preparer(commune), leader(commune)],
        )

    referred = (
        AccountOpeningRequest.objects.filter(
            state=AccountOpeningRequest.State.REFERRED, person__commune=commune
        )
        .values("bank")
        .annotate(n=Count("pk"))
        .order_by("-n", "bank")
        .first()
    )
    if wanted("giay-gioi-thieu") and referred is not None:
        bank = Bank.objects.get(pk=referred["bank"])
        path = out / "giay-gioi-thieu.xlsx"
        write_referral_letter(
            str(path),
            commune=commune,
            bank=bank,
            requests=AccountOpeningRequest.objects.filter(
                state=AccountOpeningRequest.State.REFERRED, person__commune=commune, bank=bank
            ).order_by("person__village__name", "person__sort_name", "pk"),
            dated=dated,
        )
        add(
            "giay-gioi-thieu",
            f"Công văn giới thiệu mở tài khoản ({bank.short_name})",
            path,
            {},
            [leader(commune)],
        )

    if wanted("mau-nhap"):
        path = out / "mau-nhap.xlsx"
        write_template(str(path))
        add("mau-nhap", "Mẫu nhập danh sách", path, {})
    return rendered
