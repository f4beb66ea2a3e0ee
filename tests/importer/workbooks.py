"""Build realistic commune workbooks for import tests (openpyxl, in ``tmp_path``).

A list as communes make it: title rows in merged cells, the header, a row of
column numbers, data (``[]`` in ``rows`` leaves an empty row), a totals row
and the signature block. Reused by the reader, service and view tests::

    path = tmp_path / "ds.xlsx"
    first = write_workbook(path, [data_row(), data_row(full_name="Lê Thị Hoa", ...)])
    # first = Excel row number of the first data row
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.rules.names import TCVN3_TABLE, VNI_TABLE
from desk.importer.layout import HEADER_SYNONYMS

#: The optional columns of declared conditions (hưu trí xã hội): not in the
#: standard test layout, which stays the layout without them.
CONDITION_FIELDS = (
    "no_pension_document",
    "no_pension_date",
    "poor_household_document",
    "poor_household_date",
)
#: Field names in the order of the canonical layout ("Xã cũ" only in a merged
#: commune's files, the declared conditions and the start month only where they
#: are needed: the export's layout has neither).
FIELDS: list[str] = [
    name
    for name in HEADER_SYNONYMS
    if name not in ("old_commune", "start_month") and name not in CONDITION_FIELDS
]
#: The canonical headers (first synonym of each field), as the exporter writes them.
STANDARD_HEADER: list[str] = [HEADER_SYNONYMS[name][0] for name in FIELDS]

#: A valid NCC row: an injured veteran (thương binh) born 1950, paid in cash.
DEFAULT_ROW: dict[str, object] = {
    "row_number": 1,
    "full_name": "Nguyễn Văn An",
    "birth_date": "12/03/1950",
    "gender": "Nam",
    "personal_id": "038050001234",
    "village": "Yên Lạc",
    "programme": "NCC",
    "category": "Thương binh",
    "amount": 2_055_000,
    "coefficient": None,
    "decision_number": "123/QĐ-UBND",
    "method": "Tiền mặt",
    "receiver_kind": None,
    "rep_name": None,
    "rep_personal_id": None,
    "relationship": None,
    "account_number": None,
    "bank": None,
    "account_holder": None,
    "phone": None,
    "note": None,
}

TODAY = datetime.date(2025, 6, 15)

# A second valid person: a woman on the BTXH list, paid at home.
HOA = {
    "full_name": "Lê Thị Hoa",
    "birth_date": "01/01/1960",
    "gender": "Nữ",
    "personal_id": "038160000123",
    "programme": "BTXH",
    "category": "BTXH_K6_N",
    "amount": 750_000,
    "method": "Tại nhà",
}


def names(result) -> list[str]:
    """The full names of the rows read, in order."""
    return [row.full_name for row in result.rows]


def data_row(**values: object) -> list[object]:
    """A row aligned with :data:`STANDARD_HEADER`: :data:`DEFAULT_ROW` updated by ``values``."""
    unknown = set(values) - set(DEFAULT_ROW)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    merged = {**DEFAULT_ROW, **values}
    return [merged[name] for name in FIELDS]


def account_row(**values: object) -> list[object]:
    """A valid row paid into an Agribank account held by the beneficiary."""
    defaults: dict[str, object] = {
        "method": "Tài khoản",
        "account_number": "3508205123456",
        "bank": "Agribank",
        "account_holder": "NGUYEN VAN AN",
    }
    return data_row(**{**defaults, **values})


def fill_sheet(
    ws: Worksheet,
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] | None = STANDARD_HEADER,
    title_rows: bool = True,
    column_numbers: bool | str = True,
    totals: bool = True,
    signature: bool = True,
) -> int:
    """Write a list into ``ws``; return the Excel row number of the first data row.

    ``column_numbers``: ``True`` or ``"paren"`` writes ``(1) (2) …``,
    ``"plain"`` writes numbers ``1 2 …``, ``"letters"`` writes ``A B C …``.
    ``header=None`` writes ``rows`` only (for layouts built by hand).
    """
    width = max([len(header or ())] + [len(row) for row in rows] + [6])
    last = get_column_letter(width)
    if title_rows:
        ws["A1"] = "UBND XÃ YẾN SƠN"
        ws.merge_cells("A1:C1")
        ws["E1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        ws.merge_cells(f"E1:{last}1")
        ws["E2"] = "Độc lập - Tự do - Hạnh phúc"
        ws.merge_cells(f"E2:{last}2")
        ws["A4"] = "DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP HẰNG THÁNG NĂM 2025"
        ws.merge_cells(f"A4:{last}4")
        ws["A5"] = "(Kèm theo Quyết định số 45/QĐ-UBND ngày 05/01/2025 của UBND xã Yến Sơn)"
        ws.merge_cells(f"A5:{last}5")
        ws.append([])
    if header is not None:
        ws.append(list(header))
        if column_numbers:
            ws.append(_column_numbers(len(header), column_numbers))
    first = ws.max_row + 1
    for row in rows:
        if row:
            ws.append(list(row))
        else:
            ws.append([None])
    if header is not None and totals:
        totals_row = [None] * len(header)
        totals_row[0] = "Tổng cộng"
        amount_col = _find(header, "Mức trợ cấp")
        if amount_col is not None:
            totals_row[amount_col] = sum(
                row[amount_col]
                for row in rows
                if len(row) > amount_col and isinstance(row[amount_col], int)
            )
        ws.append(totals_row)
        ws.merge_cells(f"A{ws.max_row}:C{ws.max_row}")
    if signature:
        ws.append([])
        ws.append([None, None, None, None, None, "Yến Sơn, ngày 05 tháng 01 năm 2025"])
        ws.append(["NGƯỜI LẬP BIỂU", None, None, "KẾ TOÁN", None, "TM. ỦY BAN NHÂN DÂN"])
        ws.append([None, None, None, None, None, "CHỦ TỊCH"])
        ws.append(["(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"])
        ws.append([])
        ws.append(["Lê Thị Lan", None, None, "Trần Văn Bình", None, "Phạm Văn Cường"])
        ws.append(["Nơi nhận:"])
        ws.append(["- Như trên;"])
    return first


def write_workbook(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    title_rows: bool = True,
    sheet: str = "Danh sách",
    column_numbers: bool | str = True,
    totals: bool = True,
    signature: bool = True,
    header: Sequence[str] | None = STANDARD_HEADER,
) -> int:
    """Write a one-sheet workbook (see :func:`fill_sheet`); return the first data row."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    first = fill_sheet(
        ws,
        rows,
        header=header,
        title_rows=title_rows,
        column_numbers=column_numbers,
        totals=totals,
        signature=signature,
    )
    workbook.save(path)
    return first


def _column_numbers(count: int, style: bool | str) -> list[object]:
    if style == "plain":
        return list(range(1, count + 1))
    if style == "letters":
        return [get_column_letter(i) for i in range(1, count + 1)]
    return [f"({i})" for i in range(1, count + 1)]


def _find(header: Sequence[str], text: str) -> int | None:
    return header.index(text) if text in header else None


# --- Legacy encodings, for files made with .VnTime or VNI-Times fonts -----------------

_TO_TCVN3 = {letter: code for code, letter in TCVN3_TABLE.items()}
_TO_VNI: dict[str, str] = {
    # The sequence whose case matches the letter: ``AØ`` for ``À``, ``aø`` for ``à``.
    letter: sequence
    for sequence, letter in VNI_TABLE.items()
    if sequence == (sequence.upper() if letter.isupper() else sequence.lower())
}


def to_tcvn3(text: str) -> str:
    """``Họ và tên`` as a .VnTime cell holds it (``Hä vµ tªn``).

    Capitals with tone marks have no code of their own: they are written with
    the lower-case code, as the .VnTimeH font does.
    """
    out = []
    for char in text:
        if char in _TO_TCVN3:
            out.append(_TO_TCVN3[char])
        elif char.lower() in _TO_TCVN3 and char.lower() != char:
            out.append(_TO_TCVN3[char.lower()])
        else:
            out.append(char)
    return "".join(out)


def to_vni(text: str) -> str:
    """``Xin chào`` as a VNI-Times cell holds it (``Xin chaøo``)."""
    return "".join(_TO_VNI.get(char, char) for char in text)


def encode_workbook(path: Path, encode, *, sheets: Sequence[str] | None = None) -> None:
    """Rewrite every text cell of ``path`` with ``encode`` (:func:`to_tcvn3`, :func:`to_vni`).

    What a file typed with legacy fonts holds: the same layout, the text in
    Latin-1 characters. ``sheets`` limits the rewrite (to build mixed files).
    """
    workbook = load_workbook(path)
    for ws in workbook.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = encode(cell.value)
    workbook.save(path)
