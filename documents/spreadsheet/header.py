"""Finding the table in a sheet: its header row, column numbers, totals and signatures.

The header is the first row that names enough known columns, wherever the
title rows and merged cells above it put it; the table ends at a totals row
or at the signature block, both recognised on folded text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

from core.rules.names import fold_name
from documents.spreadsheet.cells import fold_key, is_blank

Row = Sequence[object]

#: The header row is looked for in this many first rows of a sheet.
HEADER_SEARCH_ROWS = 50

PARENTHESIS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_COLUMN_NUMBER = re.compile(
    r"\(?\s*(?:[0-9]{1,2}|[A-Z]{1,2})\s*\)?(?:\s*[=X×*+\-/:]\s*\(?\s*[0-9A-Z]{1,2}\s*\)?)*"
)
_TOTALS = re.compile(
    r"(?:TONG CONG|TONG SO|CONG TOAN|TONG TOAN)\b.*|(?:TONG|CONG)\s*(?:[:(\-].*|[0-9].*)?"
)
_SUBTOTAL = re.compile(r"CONG\s+\S.*")
# "Tổng", "Cộng" and their capitals: a cheap test before folding a cell.
TOTALS_HINT = re.compile(r"\s*[TtCc][oòóỏõọôồốổỗộOÒÓỎÕỌÔỒỐỔỖỘ]")
_SIGNATURE = re.compile(
    r"(?:NGUOI LAP|KE TOAN|(?:PHO )?CHU TICH|(?:TM|KT|Q|TL|TUQ)\s*\.?\s*"
    r"(?:UY BAN|UBND|CHU TICH|GIAM DOC|TRUONG)|NOI NHAN|THU TRUONG|XAC NHAN|\(?\s*KY,? |"
    r"\(KY|GIAM DOC|BANG CHU)"
)
_PLACE_DATE = re.compile(r".*\bNGAY\b.*\bTHANG\b.*\bNAM\b.*")


class HeaderNames:
    """Which field a header cell names, from the synonyms of each field's header.

    The first synonym of a field is its canonical header. Matching is on
    :func:`fold_key`, then without brackets, so ``Mức trợ cấp (đồng)`` and
    ``Số CCCD (12 số)`` need no entry of their own.
    """

    def __init__(self, synonyms: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = {name: tuple(words) for name, words in synonyms.items()}
        self._index = {fold_key(word): name for name, words in synonyms.items() for word in words}

    def field(self, value: object) -> str | None:
        if not isinstance(value, str):
            return None
        name = self._index.get(fold_key(value))
        if name is None and ("(" in value or "[" in value):
            name = self._index.get(fold_key(PARENTHESIS.sub(" ", value)))
        return name

    def canonical(self, name: str) -> str:
        return self.synonyms[name][0]


def find_header(
    rows: Iterable[Row], names: HeaderNames, *, minimum: int = 3, limit: int = HEADER_SEARCH_ROWS
) -> tuple[int, dict[int, str]] | None:
    """The first row naming at least ``minimum`` known columns, with its columns.

    Returns ``(row_index, {column_index: field})`` (both 0-based; a field
    named twice keeps its first column) or ``None`` when none of the first
    ``limit`` rows is a header. Title rows never qualify: a whole title sits
    in one cell (merged across the table), which names no column.
    """
    for index, row in enumerate(itertools.islice(rows, limit)):
        columns: dict[int, str] = {}
        for column, value in enumerate(row):
            name = names.field(value)
            if name is not None and name not in columns.values():
                columns[column] = name
        if len(columns) >= minimum:
            return index, columns
    return None


def merged_parent(header: Row, col: int) -> int | None:
    """The header cell a cell under it belongs to: its own, or the merged one to its left.

    Read-only mode does not expose merged ranges; only the top-left cell of a
    merge carries the value, so the nearest non-empty cell to the left is the
    merge the empty cell belongs to.
    """
    for index in range(min(col, len(header) - 1), -1, -1):
        if not is_blank(header[index]):
            return index
    return None


def is_column_number(value: object) -> bool:
    """``(1)``, ``1``, ``A``, ``(5)=(3)x(4)``: a cell of the column-number row."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value).is_integer() and 0 < value < 100
    if not isinstance(value, str):
        return False
    return _COLUMN_NUMBER.fullmatch(value.strip().upper()) is not None


def is_column_number_row(row: Row) -> bool:
    cells = [value for value in row if not is_blank(value)]
    return len(cells) >= 3 and all(is_column_number(value) for value in cells)


def is_totals(text: str) -> bool:
    """``Tổng cộng``, ``Cộng``, ``Cộng: 12 người``, ``TỔNG SỐ``: the table ends here.

    ``Tống Thị Hoa`` (a surname) is not a total: ``Tổng``/``Cộng`` count only
    alone or followed by a colon, a bracket, a dash or a number.
    """
    return _TOTALS.fullmatch(fold_name(text)) is not None


def is_subtotal(text: str) -> bool:
    """``Cộng thôn Yên Lạc``: a subtotal inside the table, skipped, not the end."""
    return _SUBTOTAL.fullmatch(fold_name(text)) is not None


def is_signature(text: str) -> bool:
    """A cell of the signature block or the lines around it.

    ``NGƯỜI LẬP BIỂU``, ``KẾ TOÁN``, ``TM. ỦY BAN NHÂN DÂN``, ``CHỦ TỊCH``,
    ``Nơi nhận:``, ``(Ký, ghi rõ họ tên)``, ``Bằng chữ: …`` and the place and
    date line ``Yến Sơn, ngày 05 tháng 01 năm 2024``.
    """
    folded = fold_name(text)
    return _SIGNATURE.match(folded) is not None or _PLACE_DATE.fullmatch(folded) is not None
