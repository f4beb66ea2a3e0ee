"""The one writer every .xlsx and .csv export goes through.

An export is a header plus an iterable of rows (pretix's ListExporter idea);
this module renders it in constant memory with XlsxWriter, formats
identifiers as text (a CCCD or account number must never become a number
that loses digits), and escapes text that a spreadsheet would read as a
formula.

A sheet may carry a :class:`Document`: the official layout of Nghị định
30/2020 (Phụ lục I) around the table — issuing body and national motto,
title and summary, a totals row with the amount in words, place and date,
and the signature columns. In constant-memory mode rows are written strictly
in order, so the document's header goes before the table and its footer
after the last row (the totals are summed while the rows stream).
"""

from __future__ import annotations

import csv
import datetime
import io
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Literal

import xlsxwriter
import xlsxwriter.worksheet

from core.dates import local_day
from core.rules.money import amount_in_words
from documents import textwidth

Kind = Literal["text", "id", "int", "money", "date", "decimal"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Vietnamese number format (locale 042A): the thousands separator is a dot wherever it opens.
MONEY_FORMAT = "[$-42A]#,##0"
DATE_FORMAT = "dd/mm/yyyy"


def escape_text(value: str) -> str:
    """Text that starts like a formula gets a leading apostrophe (read back by the import)."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    """The inverse of :func:`escape_text`, for the import."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    """A table column: header, kind and width in spreadsheet units (digits of 11 pt text).

    Text columns wrap inside their width and their rows grow to fit; give a
    width measured from the longest value (:func:`fitted_width`), capped.
    """

    header: str
    kind: Kind = "text"
    width: float = 14


@dataclass(frozen=True)
class Signature:
    """One signature column: its title lines (``KẾ TOÁN``) and the signer's name.

    ``seal``: the signer signs for the issuing body and seals the document
    ("(Ký tên, đóng dấu)"), the leader of a list or a letter.
    """

    title: str  # several lines separated by "\n" ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    name: str = ""
    seal: bool = False


MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGN_HINT = "(Ký, ghi rõ họ tên)"
SEAL_HINT = "(Ký tên, đóng dấu)"
SIGNING_SPACE_PT = 62.0  # about 22 mm between the hint and the name: room to sign and seal
RECIPIENTS_LABEL = "Nơi nhận:"


@dataclass(frozen=True)
class Document:
    """The official layout around a sheet's table (Nghị định 30/2020, Phụ lục I).

    Written once, here: issuing body over its rule, national motto over its
    rule, the number (``Số: …/DS-UBND``; a letter's ``Số: …/UBND-VHXH`` with
    its ``V/v`` line), place and date, title and summary, "Kính gửi", the
    letter's paragraphs, the table, totals with the amount in words, the
    signature columns with their place and date, and "Nơi nhận".
    """

    issuing_lines: Sequence[str]  # "ỦY BAN NHÂN DÂN", "XÃ YẾN SƠN"
    number_line: str  # "Số:       /DS-UBND"
    place_and_date: str  # "Yến Sơn, ngày 05 tháng 01 năm 2027"
    title: str
    summary_lines: Sequence[str] = ()
    subject_line: str = ""  # "V/v …" under the number: a letter's subject
    addressees: Sequence[str] = ()  # "Kính gửi: …"
    intro_lines: Sequence[str] = ()  # paragraphs between the heading and the table
    # Money columns summed on the totals row; the first is also read out in words.
    total_columns: Sequence[int] = ()
    totals_label: str = "Tổng cộng"
    signatures: Sequence[Signature] = ()
    recipients: Sequence[str] = ()  # "Nơi nhận:" lines ("- Như trên;", "- Lưu: VT, VHXH.")


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title_lines: Sequence[str] = ()
    # (column index, data validation options) drop-downs for templates.
    validations: Sequence[tuple[int, dict]] = ()
    landscape: bool = True
    document: Document | None = None
    # The lowest height of a table row (pt; 0: as its text needs): a cash list's rows
    # are signed in.
    row_height: float = 0.0


@dataclass
class SheetPlan:
    """How a sheet was laid out: the table's font size, the print scale (100 unless even
    the smallest table font does not fit the page), and the rows that start a page."""

    name: str
    scale: int
    font_size: float
    rows_per_full_page: int
    breaks: list[int] = field(default_factory=list)
    data_rows: int = 0

    @property
    def pages(self) -> int:
        return len(self.breaks) + 1


# A4 and the margins of Nghị định 30/2020 (top and bottom 20–25 mm, left 30–35 mm,
# right 15–20 mm), in points.
MM = 72 / 25.4
A4_SHORT, A4_LONG = 210 * MM, 297 * MM
# The text starts 22 mm from the top (the page number sits in the top margin).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 22 * MM, 20 * MM, 30 * MM, 15 * MM
HEADER_MARGIN = 10 * MM  # the page number, above the text
PAGE_SLACK_PT = 4.0
MONEY_MIN_WIDTH, TOTAL_MIN_WIDTH = 11.0, 14.0
_NUMERIC_MIN_WIDTH = {"date": 10.5, "money": MONEY_MIN_WIDTH, "decimal": 6.0}
# Table font sizes, largest first, each with the share of its width a text column keeps
# at least (its text wraps in the rest): a smaller font is preferred to heavy wrapping.
TABLE_FONT_SIZES = (11, 10.5, 10, 9.5, 9, 8.5, 8)
MIN_TEXT_WIDTH = 8.0  # a text column's least width (spreadsheet units); narrower: a smaller scale
_KEEP = {11: 0.85, 10.5: 0.85, 10: 0.85, 9.5: 0.8, 9: 0.75, 8.5: 0.7, 8: 0.0}


def _fit_text_columns(
    columns: Sequence[Column], widths: Sequence[float], size: float, page: float, keep: float
) -> list[float]:
    """The widths at ``size`` pt; when they pass ``page`` pt, text columns narrow in
    proportion to what they can give (down to ``keep`` of their width, and never
    below their header's longest word)."""
    sized = [_at_size(w, size) for w in widths]
    points = [textwidth.column_pt(w) for w in sized]
    excess = sum(points) - page
    if excess <= 0:
        return sized
    room = []
    for column, pt in zip(columns, points, strict=True):
        if column.kind != "text":
            room.append(0.0)
            continue
        words = column.header.split() or [""]
        floor = max(
            *(textwidth.text_pt(w, size, bold=True) + textwidth.CELL_PADDING_PT for w in words),
            pt * keep,
            # Never narrower than a short word: a word cut in two cannot be read.
            min(pt, textwidth.column_pt(MIN_TEXT_WIDTH)),
        )
        room.append(max(pt - floor, 0.0))
    total_room = sum(room)
    if total_room <= 0:
        return sized
    share = min(1.0, excess / total_room)
    return [
        textwidth.width_for_pt(pt - r * share) if r else w
        for w, pt, r in zip(sized, points, room, strict=True)
    ]


def _at_size(width: float, size: float) -> float:
    """The width of a column sized for 11 pt text, for text of ``size`` pt."""
    return textwidth.width_for_pt((textwidth.column_pt(width) - 5) * size / 11 + 5)


def printable_area(landscape: bool) -> tuple[float, float]:
    """Width and height (pt) inside the margins."""
    width, height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    return width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM


def fitted_width(longest: str | int | None, header: str = "", *, cap: float = 40) -> float:
    """A column width for values up to ``longest`` (a sample text or a number of
    characters), at least the header's longest word, at most ``cap`` (longer
    values wrap)."""
    if isinstance(longest, int):
        needed = textwidth.width_for_pt(longest * 11 * 0.5 * textwidth.SLACK + 5)
    elif longest:
        needed = textwidth.width_for_text(longest)
    else:
        needed = 4.0
    words = header.split() or [""]
    header_min = max(textwidth.width_for_text(w, bold=True) for w in words)
    return round(min(max(needed, header_min), max(cap, header_min)), 1)


def _col_letter(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet whose page number is not printed on its first page (ND 30/2020)."""

    def _write_header_footer(self) -> None:
        if not self.header_footer_changed:
            return super()._write_header_footer()
        self._xml_start_tag("headerFooter", [("differentFirst", 1)])
        if self.header:
            self._write_odd_header()
        self._xml_data_element("firstHeader", "")
        self._xml_end_tag("headerFooter")
        return None


def write_xlsx(
    target: str | IO[bytes],
    sheets: Sequence[Sheet],
    *,
    hidden: Sequence[Sheet] = (),
    plans: list[SheetPlan] | None = None,
) -> int:
    """Write the sheets; returns the number of data rows written (all sheets).

    ``plans``, when given, receives each printed sheet's layout (scale, page breaks).
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            # The width unit of every column is a digit of this font (see textwidth).
            "default_format_properties": {"font_name": FONT, "font_size": 11},
        },
    )
    formats = _Formats(workbook)
    total = 0
    for sheet in [*sheets, *hidden]:
        ws = workbook.add_worksheet(sheet.name[:31], worksheet_class=_Worksheet)
        if sheet in hidden:
            ws.hide()
        writer = _SheetWriter(ws, sheet, formats, printed=sheet not in hidden)
        written = writer.write()
        if sheet not in hidden:
            total += written
            if plans is not None:
                plans.append(writer.plan)
    workbook.close()
    return total


FONT = "Times New Roman"


class _Formats:
    """The workbook's cell formats, made once and looked up by name."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self.cache: dict[tuple, Any] = {}

    def get(self, name: str, **extra):
        key = (name, tuple(sorted(extra.items())))
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format({**_STYLES[name], **extra})
        return self.cache[key]


_BASE = {"font_name": FONT, "font_size": 11, "valign": "top"}
_CELL = {**_BASE, "border": 1, "text_wrap": True}
_STYLES: dict[str, dict] = {
    "header": {
        **_CELL,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": "#EEF2F6",
    },
    "text": _CELL,
    "id": {**_CELL, "num_format": "@"},
    "int": {**_CELL, "num_format": "0", "align": "center", "text_wrap": False},
    "money": {**_CELL, "num_format": MONEY_FORMAT, "text_wrap": False},
    "date": {**_CELL, "num_format": DATE_FORMAT, "align": "center", "text_wrap": False},
    "decimal": {**_CELL, "num_format": "0.0#", "text_wrap": False},
    "total_label": {**_CELL, "bold": True, "align": "center"},
    "total_money": {**_CELL, "bold": True, "num_format": MONEY_FORMAT, "text_wrap": False},
    "total_blank": {**_CELL, "bold": True},
    # The heading and the signatures: no borders, sizes of ND 30/2020.
    "body": {**_BASE, "font_size": 12, "bold": True, "align": "center", "text_wrap": True},
    "motto": {**_BASE, "font_size": 13, "bold": True, "align": "center", "text_wrap": True},
    "plain": {**_BASE, "font_size": 12, "align": "center", "text_wrap": True},
    "italic": {**_BASE, "font_size": 12, "italic": True, "align": "center", "text_wrap": True},
    "title": {**_BASE, "font_size": 14, "bold": True, "align": "center", "text_wrap": True},
    "summary": {**_BASE, "font_size": 12, "bold": True, "align": "center", "text_wrap": True},
    "paragraph": {**_BASE, "font_size": 12, "align": "justify", "text_wrap": True},
    "left": {**_BASE, "font_size": 12, "align": "left", "text_wrap": True},
    "left_bold_italic": {
        **_BASE,
        "font_size": 12,
        "bold": True,
        "italic": True,
        "align": "left",
    },
    "small_left": {**_BASE, "font_size": 11, "align": "left", "text_wrap": True},
    "words": {**_BASE, "font_size": 12, "italic": True, "align": "left", "text_wrap": True},
}
_SIZES = {
    "body": (12, True),
    "motto": (13, True),
    "plain": (12, False),
    "italic": (12, False),
    "title": (14, True),
    "summary": (12, True),
    "paragraph": (12, False),
    "left": (12, False),
    "left_bold_italic": (12, True),
    "small_left": (11, False),
    "words": (12, False),
}
RULE_ROW_PT = 5.0


def _png_pixel() -> bytes:
    """A one-pixel black PNG, stretched into the heading's rules."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


_RULE_PNG = _png_pixel()
GAP_ROW_PT = 8.0


@dataclass(frozen=True)
class _Line:
    """One line of a heading or a footer: (first col, last col, text, style) parts."""

    parts: Sequence[tuple[int, int, str, str]]
    height: float = 0.0  # 0: as the text needs
    # Short rules drawn in the row: (first col, last col, length pt), centred in the block.
    rules: Sequence[tuple[int, int, float]] = ()


class _SheetWriter:
    def __init__(self, ws, sheet: Sheet, formats: _Formats, *, printed: bool) -> None:
        self.ws, self.sheet, self.formats, self.printed = ws, sheet, formats, printed
        self.columns = list(sheet.columns)
        self.last_col = max(len(self.columns) - 1, 0)
        doc = sheet.document
        totals = set(doc.total_columns) if doc else set()
        widths = []
        for index, column in enumerate(self.columns):
            low = _NUMERIC_MIN_WIDTH.get(column.kind, 0.0)
            if index in totals:
                low = max(low, TOTAL_MIN_WIDTH)
            words = column.header.split() or [""]
            low = max(low, *(textwidth.width_for_text(w, bold=True) for w in words))
            widths.append(max(column.width, low))
        self.page_width, self.page_height = printable_area(sheet.landscape)
        # The table's font: the largest size at which the columns fit the page (a wide
        # table is set smaller rather than printed at a reduced scale, so the heading and
        # the signatures keep their size and the margins hold in every program).
        # Text columns may give up part of their width (their text wraps) before the
        # font gets smaller; at the smallest size, down to their header's longest word.
        for size in TABLE_FONT_SIZES:
            keep = _KEEP[size]
            self.font = size
            # Each column may round up by a pixel when written: a point each in hand.
            target = self.page_width - len(self.columns)
            sized = _fit_text_columns(self.columns, widths, size, target, keep)
            if sum(textwidth.column_pt(w) for w in sized) <= self.page_width + 0.5:
                break
        widths = sized
        table_pt = sum(textwidth.column_pt(w) for w in widths)
        if table_pt < self.page_width:
            # A narrow table is widened to the page, so the heading has its room.
            grow = (self.page_width - len(widths)) / table_pt
            widths = [textwidth.width_for_pt(textwidth.column_pt(w) * grow) for w in widths]
            table_pt = sum(textwidth.column_pt(w) for w in widths)
        self.widths = widths
        self.col_pt = [textwidth.column_pt(w) for w in widths]
        scale = min(100, int(self.page_width / table_pt * 100))
        self.scale = max(scale, 10)
        # LibreOffice shrinks the page number's header with the print scale: a table
        # printed smaller gets a top margin that still starts its text 22 mm down.
        self.top_margin = HEADER_MARGIN + (MARGIN_TOP - HEADER_MARGIN) * 100 / self.scale
        self.budget = self.page_height * 100 / self.scale - PAGE_SLACK_PT
        self.row = 0
        self.used = 0.0
        self.page_heights: list[tuple[int, float]] = []  # (row, height) of this page's table rows
        self.header_height = 0.0
        self.min_row = max(sheet.row_height, textwidth.ROW_PT * self.font / 11)
        self.plan = SheetPlan(sheet.name, self.scale, self.font, 0)

    # -- measuring -------------------------------------------------------------------------

    def span_pt(self, first: int, last: int) -> float:
        return sum(self.col_pt[first : last + 1])

    def text_height(self, text: str, first: int, last: int, style: str) -> float:
        size, bold = _SIZES[style]
        lines = textwidth.line_count(text, self.span_pt(first, last), size, bold=bold)
        return textwidth.wrapped_height(lines, size)

    def line_height(self, line: _Line) -> float:
        if line.height:
            return line.height
        heights = [self.text_height(text, a, b, style) for a, b, text, style in line.parts]
        return max(heights, default=textwidth.ROW_PT)

    # -- writing ---------------------------------------------------------------------------

    def write(self) -> int:
        ws, sheet = self.ws, self.sheet
        ws.set_paper(9)  # A4
        if sheet.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_margins(
            left=MARGIN_LEFT / 72,
            right=MARGIN_RIGHT / 72,
            top=self.top_margin / 72,
            bottom=MARGIN_BOTTOM / 72,
        )
        ws.set_print_scale(self.scale)
        # Page numbers top centre from the second page, counted from 1 in each sheet.
        ws.set_header(f'&C&"{FONT},Regular"&12&P', {"margin": HEADER_MARGIN / 72})
        ws.set_start_page(1)
        for index, width in enumerate(self.widths):
            ws.set_column_pixels(index, index, textwidth.column_px(width))
        for line in self.head_lines():
            self.write_line(line)
        header_row = self.row
        self.write_header()
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)
        count = self.write_rows()
        self.write_foot()
        self.plan.data_rows = count
        # A page after the first holds the repeated header and one-line rows.
        one_line = max(textwidth.wrapped_height(1, self.font), self.min_row)
        self.plan.rows_per_full_page = int((self.budget - self.header_height) // one_line)
        if self.printed and self.plan.breaks:
            ws.set_h_pagebreaks(self.plan.breaks)
        for col_index, options in sheet.validations:
            letter = _col_letter(col_index)
            ws.data_validation(f"{letter}{header_row + 2}:{letter}{header_row + 5001}", options)
        return count

    def write_line(self, line: _Line) -> None:
        height = self.line_height(line)
        self.ws.set_row(self.row, height)
        for first, last, text, style in line.parts:
            self.merge(first, last, text, self.formats.get(style))
        if not line.parts:
            # A row with no cell is not written, and would print at the default height.
            self.ws.write_blank(self.row, 0, None, self.formats.get("plain"))
        for first, last, length in line.rules:
            self.draw_rule(first, last, length)
        self.row += 1
        self.used += height

    def draw_rule(self, first: int, last: int, length: float) -> None:
        """A short line centred under a heading block (a 1-pixel image stretched):
        cell borders would follow the columns, not the text."""
        length = min(length, self.span_pt(first, last))
        start = self.span_pt(0, first - 1) + (self.span_pt(first, last) - length) / 2
        col, left = 0, 0.0
        while col < self.last_col and left + self.col_pt[col] <= start:
            left += self.col_pt[col]
            col += 1
        # The anchor's offset is in pixels of the column as Excel measures it.
        excel_px = textwidth.column_px(self.widths[col])
        offset_px = (start - left) / self.col_pt[col] * excel_px
        self.ws.insert_image(
            self.row,
            col,
            "rule.png",
            {
                "image_data": io.BytesIO(_RULE_PNG),
                "x_scale": length / 0.75,
                "y_scale": 1,
                "x_offset": round(offset_px),
                "y_offset": 1,
                "object_position": 3,
                "decorative": True,
            },
        )

    def merge(self, first: int, last: int, text: str, cell_format) -> None:
        """A merged cell (a single cell when the range is one column wide)."""
        if not text.startswith("- "):  # "- Như trên;" is a line of "Nơi nhận", never a formula
            text = escape_text(text)
        if last > first:
            self.ws.merge_range(self.row, first, self.row, last, text, cell_format)
        else:
            self.ws.write_string(self.row, first, text, cell_format)

    def write_header(self) -> None:
        lines = 1
        for column, width in zip(self.columns, self.col_pt, strict=True):
            lines = max(lines, textwidth.line_count(column.header, width, self.font, bold=True))
        self.header_height = textwidth.wrapped_height(lines, self.font) + 2
        self.ws.set_row(self.row, self.header_height)
        for index, column in enumerate(self.columns):
            self.ws.write_string(self.row, index, column.header, self.cell_format("header"))
        self.row += 1
        self.used += self.header_height

    def row_height(self, values: Sequence[Any]) -> float:
        lines = 1
        for column, width, value in zip(self.columns, self.col_pt, values, strict=False):
            if column.kind in ("text", "id") and value not in (None, ""):
                lines = max(lines, textwidth.line_count(str(value), width, self.font))
        return max(textwidth.wrapped_height(lines, self.font), self.min_row)

    def start_page_if_needed(self, height: float) -> None:
        if self.used + height > self.budget and self.page_heights:
            self.plan.breaks.append(self.row)
            self.used = self.header_height
            self.page_heights = []

    def write_rows(self) -> int:
        doc = self.sheet.document
        self.sums = dict.fromkeys(doc.total_columns if doc else (), 0)
        count = 0
        for values in self.sheet.rows:
            height = self.row_height(values)
            self.start_page_if_needed(height)
            self.ws.set_row(self.row, height)
            for index, (column, value) in enumerate(zip(self.columns, values, strict=False)):
                self.write_cell(index, column.kind, value)
            for index in self.sums:
                if isinstance(values[index], int):
                    self.sums[index] += values[index]
            self.page_heights.append((self.row, height))
            self.row += 1
            self.used += height
            count += 1
        return count

    def cell_format(self, name: str):
        """A table cell's format, at the table's font size."""
        return self.formats.get(name, font_size=self.font)

    def write_cell(self, col: int, kind: Kind, value: Any) -> None:
        ws, row, get = self.ws, self.row, self.cell_format
        if value is None or value == "":
            ws.write_blank(row, col, None, get("id" if kind == "id" else "text"))
        elif kind in ("money", "int") and isinstance(value, int):
            ws.write_number(row, col, value, get(kind))
        elif kind == "decimal" and isinstance(value, Decimal | int | float):
            ws.write_number(row, col, float(value), get("decimal"))
        elif kind == "date" and isinstance(value, datetime.date):
            moment = datetime.datetime.combine(local_day(value), datetime.time())
            ws.write_datetime(row, col, moment, get("date"))
        elif kind == "date" and isinstance(value, int):
            ws.write_number(row, col, value, get("int"))  # year only
        else:
            ws.write_string(
                row, col, escape_text(str(value)), get("id" if kind == "id" else "text")
            )

    # -- heading and footer ------------------------------------------------------------------

    def split(self) -> int:
        """The first column of the heading's right block (the motto's, the wider one)."""
        if self.last_col == 0:
            return 0
        total = sum(self.col_pt)
        best, best_gap = 1, float("inf")
        for split in range(1, self.last_col + 1):
            gap = abs(self.span_pt(0, split - 1) - 0.4 * total)
            if gap < best_gap:
                best, best_gap = split, gap
        return best

    def head_lines(self) -> list[_Line]:
        doc, last = self.sheet.document, self.last_col
        if doc is None:
            lines = [_Line([(0, last, text, "title")]) for text in self.sheet.title_lines]
            return [*lines, _Line([], GAP_ROW_PT)] if lines else []
        split = self.split()
        left_end = max(split - 1, 0)
        right = [(split, last)] if split <= last else [(0, last)]
        lines: list[_Line] = []
        issuing = list(doc.issuing_lines)
        for index in range(max(len(issuing), 2)):
            parts = []
            if index < len(issuing):
                parts.append((0, left_end, issuing[index], "body"))
            parts.append((*right[0], MOTTO[index], "body" if index == 0 else "motto"))
            lines.append(_Line(parts))
        # ND 30/2020: a rule of a third to half the issuing body's length, and one as
        # long as the motto's second line.
        issuing_pt = max(textwidth.text_pt(t, 12, bold=True) for t in issuing)
        left_rule = (0, left_end, issuing_pt * 0.45)
        right_rule = (*right[0], textwidth.text_pt(MOTTO[1], 13, bold=True) / textwidth.SLACK)
        rules = [right_rule] if split == 0 else [left_rule, right_rule]
        lines.append(_Line([], RULE_ROW_PT, rules))
        parts = [(*right[0], doc.place_and_date, "italic")]
        if split:
            parts.insert(0, (0, left_end, doc.number_line, "plain"))
        lines.append(_Line(parts))
        if doc.subject_line:
            lines.append(_Line([(0, left_end, doc.subject_line, "plain")]))
        lines.append(_Line([], GAP_ROW_PT))
        lines.append(_Line([(0, last, doc.title, "title")]))
        lines += [_Line([(0, last, text, "summary")]) for text in doc.summary_lines]
        if doc.addressees:
            lines.append(_Line([], GAP_ROW_PT))
            if len(doc.addressees) == 1:
                lines.append(_Line([(0, last, f"Kính gửi: {doc.addressees[0]}", "plain")]))
            else:
                lines.append(_Line([(0, last, "Kính gửi:", "plain")]))
                lines += [_Line([(0, last, f"- {a}", "plain")]) for a in doc.addressees]
        if doc.intro_lines:
            lines.append(_Line([], GAP_ROW_PT))
            lines += [_Line([(0, last, text, "paragraph")]) for text in doc.intro_lines]
        lines.append(_Line([], GAP_ROW_PT))
        return lines

    def signature_blocks(self, count: int) -> list[tuple[int, int]]:
        """The first and last column of each signature block, of about equal widths."""
        if count == 1:
            split = self.split()
            return [(split, self.last_col)] if split else [(0, self.last_col)]
        total = sum(self.col_pt)
        bounds = [0]
        for i in range(1, count):
            target, acc, col = total * i / count, 0.0, 0
            while col <= self.last_col and acc + self.col_pt[col] / 2 < target:
                acc += self.col_pt[col]
                col += 1
            bounds.append(max(col, bounds[-1] + 1))
        bounds.append(self.last_col + 1)
        blocks = []
        for i in range(count):
            first = min(bounds[i], self.last_col)
            blocks.append((first, max(first, bounds[i + 1] - 1)))
        return blocks

    def foot_lines(self) -> list[_Line]:
        doc, last = self.sheet.document, self.last_col
        if doc is None or not doc.signatures:
            return self.recipient_lines(0, last) if doc else []
        blocks = self.signature_blocks(len(doc.signatures))
        beside = len(doc.signatures) == 1 and blocks[0][0] > 0 and doc.recipients
        left: list[tuple[str, str]] = []
        if beside:
            left = [
                (RECIPIENTS_LABEL, "left_bold_italic"),
                *((r, "small_left") for r in doc.recipients),
            ]
        rows: list[list[tuple[int, int, str, str]]] = []
        rows.append([(*blocks[-1], doc.place_and_date, "italic")])
        titles = [s.title.split("\n") for s in doc.signatures]
        for index in range(max(len(t) for t in titles)):
            rows.append(
                [
                    (a, b, t[index], "body")
                    for (a, b), t in zip(blocks, titles, strict=True)
                    if index < len(t)
                ]
            )
        rows.append(
            [
                (a, b, SEAL_HINT if s.seal else SIGN_HINT, "italic")
                for (a, b), s in zip(blocks, doc.signatures, strict=True)
            ]
        )
        space_row = len(rows)
        rows.append([])
        rows.append(
            [
                (a, b, s.name, "body")
                for (a, b), s in zip(blocks, doc.signatures, strict=True)
                if s.name
            ]
        )
        lines: list[_Line] = [_Line([], GAP_ROW_PT)]
        for index, parts in enumerate(rows):
            extra = []
            if left:
                text, style = left.pop(0) if index < space_row or index > space_row else ("", "")
                if text:
                    extra = [(0, blocks[0][0] - 1, text, style)]
            if index == space_row:
                lines.append(_Line(extra, SIGNING_SPACE_PT))
            else:
                lines.append(_Line([*extra, *parts]))
        for text, style in left:  # recipients longer than the signature block
            lines.append(_Line([(0, blocks[0][0] - 1, text, style)]))
        if not beside:
            lines += self.recipient_lines(0, last)
        return lines

    def recipient_lines(self, first: int, last: int) -> list[_Line]:
        doc = self.sheet.document
        if doc is None or not doc.recipients:
            return []
        end = max(first, min(last, self.split() - 1)) if self.split() else last
        return [
            _Line([], GAP_ROW_PT),
            _Line([(first, end, RECIPIENTS_LABEL, "left_bold_italic")]),
            *(_Line([(first, end, text, "small_left")]) for text in doc.recipients),
        ]

    def totals_lines(self) -> list[_Line]:
        doc = self.sheet.document
        if doc is None or not doc.total_columns:
            return []
        words = amount_in_words(self.sums[doc.total_columns[0]])
        return [_Line([(0, self.last_col, f"Bằng chữ: {words}.", "words")])]

    def write_foot(self) -> None:
        doc = self.sheet.document
        if doc is None:
            return
        totals_height = textwidth.wrapped_height(1, self.font) + 2 if doc.total_columns else 0.0
        lines = [*self.totals_lines(), *self.foot_lines()]
        heights = [self.line_height(line) for line in lines]
        self.keep_together(totals_height + sum(heights))
        if doc.total_columns:
            self.write_totals(totals_height)
        for line in lines:
            self.write_line(line)

    def keep_together(self, height: float) -> None:
        """The totals, the signatures and their place and date go on one page, with
        the last table row: when they do not fit, that row starts the next page."""
        if self.used + height <= self.budget:
            return
        if not self.page_heights:
            self.plan.breaks.append(self.row)
            self.used = self.header_height  # the header row repeats on the new page
            return
        row, row_height = self.page_heights[-1]
        if self.plan.breaks and self.plan.breaks[-1] == row:
            return  # the page starts at the last row already: nothing fits better
        self.plan.breaks.append(row)
        self.used = self.header_height + row_height
        self.page_heights = [(row, row_height)]

    def write_totals(self, height: float) -> None:
        doc, get = self.sheet.document, self.cell_format
        self.ws.set_row(self.row, height)
        first_total = min(doc.total_columns)
        label_end = max(first_total - 1, 0)
        self.merge(0, label_end, doc.totals_label, get("total_label"))
        for col in range(label_end + 1, self.last_col + 1):
            if col in self.sums:
                self.ws.write_number(self.row, col, self.sums[col], get("total_money"))
            else:
                self.ws.write_blank(self.row, col, None, get("total_blank"))
        self.row += 1
        self.used += height


def write_csv(target: IO[str], columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """The same table as CSV (UTF-8 with BOM so Excel shows Vietnamese), formulas escaped."""
    target.write("\ufeff")
    writer = csv.writer(target)
    writer.writerow([c.header for c in columns])
    count = 0
    for values in rows:
        out = []
        for column, value in zip(columns, values, strict=False):
            if value is None:
                out.append("")
            elif column.kind == "date" and isinstance(value, datetime.date):
                out.append(local_day(value).strftime("%d/%m/%Y"))
            elif isinstance(value, int | Decimal) and column.kind != "id":
                out.append(str(value))
            else:
                out.append(escape_text(str(value)))
        writer.writerow(out)
        count += 1
    return count
