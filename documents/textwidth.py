"""How wide a text prints in Times New Roman, and how it wraps.

The documents are set in Times New Roman; LibreOffice prints them with
Liberation Serif, which has the same advance widths. The table below is the
advance width of the printable ASCII characters in thousandths of an em
(regular and bold, from Liberation Serif). A Vietnamese letter is as wide as
its base letter (tone and vowel marks take no width), except ơ and ư whose
horns add a little; anything else counts as a wide letter. The estimates
are calibrated on LibreOffice's PDF, with a little in hand; the print check
in the test suite reads the PDF back and fails on any text that spills out
of its cell.

Column widths follow the spreadsheet unit: the width of a digit of the
workbook's default font (Times New Roman 11 pt: 5.5 pt). A column of width
``w`` is written as ``round(7w + 5)`` pixels, recorded as that many sevenths
of a unit, and printed by LibreOffice at 5.5 pt a unit — about
``(w + 5/7) × 5.5`` pt (Excel prints it a few per cent narrower).
"""

from __future__ import annotations

import math
import unicodedata

_ASCII = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
_REGULAR = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667,
    722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722,
    722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500,
    500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500,
    444, 480, 200, 480, 541,
)  # fmt: skip
_BOLD = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722,
    722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722,
    722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500,
    556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500,
    444, 394, 220, 394, 520,
)  # fmt: skip
_WIDTHS = {
    False: dict(zip(_ASCII, _REGULAR, strict=True)),
    True: dict(zip(_ASCII, _BOLD, strict=True)),
}
HORN = 80  # ơ ư Ơ Ư: the horn widens the base letter
_WIDE = 1000
SLACK = 1.0  # LibreOffice sets text about as wide as the sum of its advance widths

DIGIT_PT = 5.5  # a spreadsheet width unit: one digit of Times New Roman 11 pt
CELL_PADDING_PT = 4.5  # both sides of a cell's text together, with a little in hand
LINE_PT = 13.0  # one line of 11 pt text in a wrapped cell
ROW_PT = 15.0  # a one-line row at 11 pt


def _char_width(char: str, bold: bool) -> int:
    table = _WIDTHS[bold]
    if char in table:
        return table[char]
    if char in "đĐ":
        return table["d" if char == "đ" else "D"]
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    decomposed = unicodedata.normalize("NFD", char)
    if decomposed[0] in table:
        return table[decomposed[0]] + (HORN if "\u031b" in decomposed else 0)
    return _WIDE


def text_pt(text: str, size: float = 11, *, bold: bool = False) -> float:
    """The printed width of ``text`` in points."""
    return sum(_char_width(c, bold) for c in text) * size / 1000 * SLACK


def column_px(width: float) -> int:
    """The whole pixels a column of width ``width`` is written with (Excel's 7 px a unit
    and 5 px of padding)."""
    return max(int(width * 7 + 5 + 0.5), 1)


def column_pt(width: float) -> float:
    """The printed width of a column of spreadsheet width ``width``, as LibreOffice
    prints the width the workbook records for its pixels."""
    return (column_px(width) * 256 // 7) / 256 * DIGIT_PT


def width_for_pt(points: float) -> float:
    """The spreadsheet width that prints at least ``points`` wide."""
    width = max(points / DIGIT_PT - 5 / 7, 1.0)
    while column_pt(width) < points:
        width += 1 / 7
    return width


def width_for_text(text: str, size: float = 11, *, bold: bool = False) -> float:
    """The column width in which ``text`` fits on one line."""
    return width_for_pt(text_pt(text, size, bold=bold) + CELL_PADDING_PT)


def wrap(text: str, width_pt: float, size: float = 11, *, bold: bool = False) -> list[str]:
    """The lines ``text`` takes in a cell ``width_pt`` wide (greedy, at spaces).

    A word longer than the line is cut where it no longer fits, as the
    spreadsheet does.
    """
    room = max(width_pt - CELL_PADDING_PT, 1.0)
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_pt(candidate, size, bold=bold) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while text_pt(line, size, bold=bold) > room and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_pt(line[:cut], size, bold=bold) > room:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def line_count(text: str, width_pt: float, size: float = 11, *, bold: bool = False) -> int:
    return max(len(wrap(text, width_pt, size, bold=bold)), 1)


def wrapped_height(lines: int, size: float = 11) -> float:
    """The row height (pt) that shows ``lines`` lines of text at ``size``."""
    line = LINE_PT * size / 11
    return max(math.ceil(lines * line + 3), ROW_PT * size / 11 if lines <= 1 else 0)
