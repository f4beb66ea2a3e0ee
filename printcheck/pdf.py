"""Reading a LibreOffice PDF back: pages, words with their boxes, cell borders, sheets.

What LibreOffice 7.4 puts in the PDF of a Calc sheet (checked on this
project's workbooks, Times New Roman through Liberation Serif):

* **Cell borders** are drawn as stroked line segments (``pdfplumber``'s
  ``lines``, 0.75 pt wide for a thin border): one horizontal segment per
  bordered row edge spanning the adjacent bordered cells, one vertical
  segment per column edge spanning the adjacent bordered rows. Thicker or
  filled borders may come as thin rectangles; both become :class:`Rule`.
  A cell's background is a filled rectangle without a stroke: not a rule.
* **Text cut by its cell is truncated, not hidden.** When the next cell is
  filled, the glyphs beyond the cell's right border are simply not in the
  PDF; the one glyph straddling the border is kept whole (its box crosses the
  border line) and the rest of the word is gone ("Nguyễn Thị Thu Hương" in a
  narrow cell prints as "Nguyễn Thị T"). Text whose neighbour is empty runs
  on over the border, whole. Wrapped text in a row too low keeps the lines
  that start inside the cell (the last one crosses the bottom border, over
  the next row) and drops the others. A number too wide for its column
  prints as ``###``. So a clip shows in the PDF as a word box crossing a
  border of its cell — which :func:`printcheck.checks.words_inside_cells`
  looks for — and as a missing value, which
  :func:`printcheck.checks.each_once` finds. Words are split at cell borders
  here, so the straddling glyph is a word of its own and its box overlaps the
  neighbour's first word (:func:`printcheck.checks.no_overlapping_words`).
* **Sheets** print in order, each from a new page; hidden sheets do not
  print. With ``ExportBookmarks`` (see :mod:`printcheck.convert`) the PDF's
  outline holds one entry per printed sheet, named after it, pointing at its
  first page: the sheets' page ranges come from there, whatever the headers
  or page numbers say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pdfplumber

A4 = (595.28, 841.89)  # points (210 × 297 mm)
MM = 72 / 25.4
CHAR_GAP = 1.0  # pt between two glyphs of one word (a space is ~2.8 pt at 11 pt)
LINE_GAP = 2.0  # pt between the tops of two words of one printed line
THIN = 2.0  # pt: a rectangle thinner than this is a rule


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    def where(self) -> str:
        return f"«{self.text}» (x {self.x0:.1f}–{self.x1:.1f}, y {self.top:.1f}–{self.bottom:.1f})"


@dataclass(frozen=True)
class Rule:
    """A drawn line: vertical when ``x0 == x1`` (within a point), else horizontal."""

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def vertical(self) -> bool:
        return (self.x1 - self.x0) < (self.bottom - self.top)

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Cell:
    x0: float
    x1: float
    top: float
    bottom: float

    def where(self) -> str:
        return f"ô (x {self.x0:.1f}–{self.x1:.1f}, y {self.top:.1f}–{self.bottom:.1f})"


@dataclass
class Page:
    number: int  # 1-based, in the whole PDF
    width: float
    height: float
    words: list[Word]
    rules: list[Rule]
    sheet: str = ""
    number_in_sheet: int = 1

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @cached_property
    def lines(self) -> list[list[Word]]:
        """The words grouped in printed lines, top to bottom, left to right."""
        lines: list[list[Word]] = []
        for word in sorted(self.words, key=lambda w: (w.top, w.x0)):
            if lines and abs(lines[-1][0].top - word.top) <= LINE_GAP:
                lines[-1].append(word)
            else:
                lines.append([word])
        return [sorted(line, key=lambda w: w.x0) for line in lines]

    @cached_property
    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines)

    @cached_property
    def _verticals(self) -> list[Rule]:
        return sorted((r for r in self.rules if r.vertical), key=lambda r: r.x)

    @cached_property
    def _horizontals(self) -> list[Rule]:
        return sorted((r for r in self.rules if not r.vertical), key=lambda r: r.y)

    def cell_at(self, x: float, y: float, tolerance: float = 0.5) -> Cell | None:
        """The bordered cell around the point: a rule on each of its four sides, else ``None``."""
        left = right = top = bottom = None
        for rule in self._verticals:
            if rule.top - tolerance <= y <= rule.bottom + tolerance:
                if rule.x <= x:
                    left = rule.x
                elif right is None:
                    right = rule.x
        for rule in self._horizontals:
            if rule.x0 - tolerance <= x <= rule.x1 + tolerance:
                if rule.y <= y:
                    top = rule.y
                elif bottom is None:
                    bottom = rule.y
        if None in (left, right, top, bottom):
            return None
        return Cell(left, right, top, bottom)

    def has(self, text: str) -> bool:
        return normalise(text) in normalise(self.text)

    def __repr__(self) -> str:
        return f"<Page {self.number} {self.sheet!r} {self.width:.0f}×{self.height:.0f}>"


@dataclass
class Sheet:
    name: str
    pages: list[Page] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


def normalise(text: str) -> str:
    """Spaces and line breaks collapsed, case folded: for finding a printed phrase."""
    return " ".join(text.split()).casefold()


def _rules(page) -> list[Rule]:
    rules = [
        Rule(line["x0"], line["x1"], line["top"], line["bottom"])
        for line in page.lines
        if min(line["x1"] - line["x0"], line["bottom"] - line["top"]) < THIN
    ]
    for rect in page.rects:
        x0, x1, top, bottom = rect["x0"], rect["x1"], rect["top"], rect["bottom"]
        if x1 - x0 < THIN or bottom - top < THIN:
            rules.append(Rule(x0, x1, top, bottom))
        elif rect.get("stroke"):
            rules += [
                Rule(x0, x1, top, top),
                Rule(x0, x1, bottom, bottom),
                Rule(x0, x0, top, bottom),
                Rule(x1, x1, top, bottom),
            ]
    return rules


def _words(page, rules: list[Rule]) -> list[Word]:
    """pdfplumber's words, each also split where a vertical rule runs between two glyphs."""
    verticals = [r for r in rules if Rule.vertical.fget(r)]
    words = []
    for raw in page.extract_words(
        x_tolerance=CHAR_GAP, y_tolerance=1.0, keep_blank_chars=False, return_chars=True
    ):
        chars = raw["chars"]
        middle = (raw["top"] + raw["bottom"]) / 2
        crossing = [r.x for r in verticals if r.top <= middle <= r.bottom]
        start = 0
        for i in range(1, len(chars) + 1):
            cut = i == len(chars)
            if not cut:
                left = (chars[i - 1]["x0"] + chars[i - 1]["x1"]) / 2
                right = (chars[i]["x0"] + chars[i]["x1"]) / 2
                cut = any(left < x < right for x in crossing)
            if cut:
                part = chars[start:i]
                words.append(
                    Word(
                        "".join(c["text"] for c in part),
                        min(c["x0"] for c in part),
                        max(c["x1"] for c in part),
                        min(c["top"] for c in part),
                        max(c["bottom"] for c in part),
                    )
                )
                start = i
    return words


def _dest_page(dest, page_ids: dict[int, int]) -> int | None:
    """The 0-based page index an outline destination points at."""
    from pdfminer.pdftypes import resolve1

    dest = resolve1(dest)
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if isinstance(dest, list) and dest:
        ref = dest[0]
        objid = getattr(ref, "objid", None)
        if objid in page_ids:
            return page_ids[objid]
        if isinstance(ref, int):
            return ref
    return None


class PrintedPdf:
    """A converted workbook: its pages, and its sheets with their pages."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with pdfplumber.open(self.path) as pdf:
            self.pages = []
            for index, raw in enumerate(pdf.pages, start=1):
                rules = _rules(raw)
                self.pages.append(
                    Page(index, float(raw.width), float(raw.height), _words(raw, rules), rules)
                )
                raw.close()  # frees pdfplumber's per-page cache: 5,000-row lists run long
            starts = self._sheet_starts(pdf)
        self.sheets: dict[str, Sheet] = {}
        bounds = [*(index for _name, index in starts), len(self.pages)]
        for (name, first), end in zip(starts, bounds[1:], strict=True):
            sheet = self.sheets.setdefault(name, Sheet(name))
            for number, page in enumerate(self.pages[first:end], start=1):
                page.sheet, page.number_in_sheet = name, number
                sheet.pages.append(page)

    def _sheet_starts(self, pdf) -> list[tuple[str, int]]:
        page_ids = {raw.page_obj.pageid: i for i, raw in enumerate(pdf.pages)}
        starts = []
        try:
            outlines = list(pdf.doc.get_outlines())
        except Exception:  # noqa: BLE001 - pdfminer raises PDFNoOutlines and others alike
            outlines = []
        for level, title, dest, action, _se in outlines:
            if level != 1:
                continue
            target = dest if dest is not None else (action or {}).get("D")
            index = _dest_page(target, page_ids)
            if index is not None:
                starts.append((str(title), index))
        starts.sort(key=lambda s: s[1])
        if not starts or starts[0][1] != 0:
            starts.insert(0, ("", 0))  # no bookmarks: one unnamed sheet
        return starts

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    def sheet(self, name: str) -> Sheet:
        try:
            return self.sheets[name]
        except KeyError:
            raise KeyError(f"no printed sheet {name!r}; printed: {list(self.sheets)}") from None

    def __iter__(self) -> Iterator[Page]:
        return iter(self.pages)


def read_pdf(path: str | Path) -> PrintedPdf:
    return PrintedPdf(path)


def count(text: str, value: str) -> int:
    """Occurrences of ``value`` in ``text`` not inside a longer run of letters or digits."""
    return len(re.findall(rf"(?<![\w]){re.escape(value)}(?![\w])", text))
