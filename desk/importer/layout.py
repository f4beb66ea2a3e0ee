"""The registry list's columns: their header synonyms, the required ones, sub-headers.

The header row itself is found by :mod:`documents.spreadsheet`; what is the
registry's own is here: which headers name which field (shared by the
reader, the template and the tests), which fields a sheet must have, and the
second header row of a ``Ngày sinh`` split into ``Nam``/``Nữ`` or of a
representative's group of columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from documents.spreadsheet import (
    HEADER_SEARCH_ROWS,
    HeaderNames,
    cell_text,
    fold_key,
    is_blank,
    is_column_number,
    is_column_number_row,
    merged_parent,
)
from documents.spreadsheet import find_header as find_header_row

#: Field -> header synonyms. The first synonym is the canonical header the
#: exporter and the template write; the others are read. Matching is on
#: :func:`~documents.spreadsheet.fold_key` (no diacritics, case,
#: spaces or punctuation), so ``Ngày, tháng, năm sinh`` needs no entry.
HEADER_SYNONYMS: dict[str, list[str]] = {
    "row_number": ["STT", "TT", "Số TT", "Số thứ tự"],
    "full_name": [
        "Họ và tên",
        "Họ tên",
        "Họ tên đối tượng",
        "Tên đối tượng",
        "Họ và tên đối tượng",
        "Họ và tên người hưởng",
    ],
    "birth_date": [
        "Ngày sinh",
        "Ngày tháng năm sinh",
        "Năm sinh",
        "Ngày/tháng/năm sinh",
        "Sinh ngày",
    ],
    "gender": ["Giới tính", "Nam/Nữ", "Giới"],
    "personal_id": [
        "Số CCCD",
        "CCCD",
        "Số định danh",
        "Số định danh cá nhân",
        "Số CCCD/CMND",
        "CMND/CCCD",
        "CCCD/CMND",
        "Số CMND/CCCD",
        "Số CCCD/ĐDCN",
        "Số định danh cá nhân/CCCD",
        "Căn cước công dân",
        "Số căn cước",
        "Số căn cước công dân",
    ],
    "village": [
        "Thôn",
        "Thôn/xóm",
        "Địa chỉ",
        "Nơi ở",
        "Thôn (xóm)",
        "Xóm",
        "Nơi cư trú",
        "Địa chỉ thường trú",
        "Thôn/Tổ dân phố",
    ],
    "programme": ["Chương trình", "Nhóm đối tượng", "Loại đối tượng", "Chế độ"],
    "category": ["Diện đối tượng", "Diện", "Đối tượng", "Diện hưởng", "Diện hưởng trợ cấp"],
    "amount": [
        "Mức trợ cấp",
        "Mức trợ cấp hằng tháng",
        "Số tiền",
        "Mức hưởng",
        "Mức trợ cấp hàng tháng",
        "Mức hưởng hằng tháng",
        "Mức hưởng hàng tháng",
        "Số tiền trợ cấp",
        "Số tiền hằng tháng",
        "Số tiền hàng tháng",
        "Mức trợ cấp/tháng",
    ],
    "coefficient": ["Hệ số", "Hệ số trợ cấp", "Hệ số hưởng"],
    "decision_number": ["Số quyết định", "Quyết định số", "Số QĐ", "QĐ số", "Quyết định"],
    # Optional: blank (or no such column) is the month of the import.
    "start_month": [
        "Tháng bắt đầu hưởng",
        "Hưởng từ tháng",
        "Tháng bắt đầu",
        "Thời điểm hưởng",
        "Thời điểm bắt đầu hưởng",
        "Tháng hưởng",
    ],
    "method": [
        "Hình thức nhận",
        "Hình thức chi trả",
        "Hình thức",
        "Hình thức nhận tiền",
        "Hình thức nhận trợ cấp",
        "Phương thức chi trả",
        "Phương thức nhận",
    ],
    "receiver_kind": ["Người nhận", "Người nhận tiền", "Nhận qua"],
    "rep_name": [
        "Người nhận thay",
        "Người được ủy quyền",
        "Người giám hộ",
        "Họ tên người nhận thay",
        "Họ tên người được ủy quyền",
        "Họ tên người giám hộ",
    ],
    "rep_personal_id": [
        "CCCD người nhận thay",
        "Số CCCD người nhận thay",
        "CCCD người ủy quyền",
        "CCCD người được ủy quyền",
        "Số CCCD người được ủy quyền",
        "CCCD người giám hộ",
        "Số CCCD người giám hộ",
    ],
    "relationship": ["Quan hệ", "Quan hệ với đối tượng", "Quan hệ với người hưởng", "Mối quan hệ"],
    "account_number": ["Số tài khoản", "Số TK", "STK", "Tài khoản", "Số tài khoản/ví"],
    "bank": [
        "Ngân hàng",
        "Tên ngân hàng",
        "Mở tại ngân hàng",
        "NH",
        "Nơi mở tài khoản",
        "Mở tại",
        "Ngân hàng/Ví điện tử",
        "Tên ví",
    ],
    "account_holder": ["Chủ tài khoản", "Tên chủ tài khoản", "Tên TK", "Tên tài khoản"],
    "phone": ["Số điện thoại", "SĐT", "Điện thoại", "Số ĐT", "ĐT"],
    "note": ["Ghi chú"],
    # Importing an old commune's workbook into the commune it merged into.
    "old_commune": ["Xã cũ", "Xã trước sáp nhập", "Xã (cũ)", "Mã xã cũ"],
    # The conditions hưu trí xã hội requires, declared with their document
    # (optional columns: the layout without them stays valid).
    "no_pension_document": [
        "Giấy tờ không hưởng lương hưu",
        "Tờ khai không hưởng lương hưu",
        "Giấy xác nhận không hưởng lương hưu",
    ],
    "no_pension_date": [
        "Ngày giấy tờ không hưởng lương hưu",
        "Ngày tờ khai không hưởng lương hưu",
    ],
    "poor_household_document": [
        "Giấy chứng nhận hộ nghèo/cận nghèo",
        "Giấy chứng nhận hộ nghèo",
        "Giấy chứng nhận hộ cận nghèo",
    ],
    "poor_household_date": [
        "Ngày giấy chứng nhận hộ nghèo/cận nghèo",
        "Ngày cấp giấy chứng nhận hộ nghèo",
    ],
}

#: ``Nam`` and ``Nữ`` as column headers: an ``x`` under one gives the gender;
#: under a ``Ngày sinh`` header spanning both, the date goes under the gender
#: (fields ``birth_male``/``birth_female``). Not exported: the exporter writes
#: one ``Giới tính`` column.
GENDER_COLUMN_HEADERS: dict[str, list[str]] = {"male": ["Nam"], "female": ["Nữ"]}

#: Fields a sheet must have (``gender`` may come from Nam/Nữ columns,
#: ``birth_date`` from dates written under them).
REQUIRED_FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "personal_id",
    "village",
    "category",
    "amount",
)

#: Every header the registry list may have, with the ``Nam``/``Nữ`` columns.
NAMES = HeaderNames({**HEADER_SYNONYMS, **GENDER_COLUMN_HEADERS})


def header_field(value: object) -> str | None:
    """The field a header cell names, or ``None`` (``Mức trợ cấp (đồng)`` names ``amount``)."""
    return NAMES.field(value)


def find_header(
    rows: Iterable[Sequence[object]], *, limit: int = HEADER_SEARCH_ROWS
) -> tuple[int, dict[int, str]] | None:
    """The first row naming at least three of the list's columns: ``(row, {column: field})``."""
    return find_header_row(rows, NAMES, limit=limit)


@dataclass(slots=True)
class Layout:
    """Where each field is, the headers as written, and where data starts."""

    columns: dict[int, str]
    titles: dict[str, str]
    data_start: int
    unknown: list[str]
    duplicates: list[tuple[str, str]]

    def missing(self) -> list[str]:
        present = set(self.columns.values())
        split_birth = {"birth_male", "birth_female"} <= present
        missing = []
        for name in REQUIRED_FIELDS:
            if name in present:
                continue
            if name == "birth_date" and split_birth:
                continue
            if name == "gender" and (split_birth or {"male", "female"} <= present):
                continue
            missing.append(HEADER_SYNONYMS[name][0])
        return missing


def resolve_layout(prefix: Sequence[Sequence[object]], header_index: int) -> Layout:
    """Columns from the header row, refined by a sub-header row; skip column numbers."""
    header = prefix[header_index]
    texts = {col: cell_text(value) for col, value in enumerate(header) if not is_blank(value)}
    found: dict[int, str] = {}
    for col, text in texts.items():
        name = header_field(text)
        if name is not None:
            found[col] = name
    titles_by_col = dict(texts)
    next_index = header_index + 1
    group_parents: set[int] = set()
    if next_index < len(prefix) and _is_sub_header(header, prefix[next_index]):
        sub = prefix[next_index]
        header_found = dict(found)  # parents as the header row names them
        for col, value in enumerate(sub):
            if is_blank(value):
                continue
            parent_col = merged_parent(header, col)
            parent_field = header_found.get(parent_col) if parent_col is not None else None
            key = fold_key(value) if isinstance(value, str) else ""
            if key in ("NAM", "NU"):
                name = ("birth_" if parent_field == "birth_date" else "") + (
                    "male" if key == "NAM" else "female"
                )
            else:
                name = header_field(value)
                if name is None:
                    continue
                if parent_field in ("rep_name", "receiver_kind"):
                    name = {"full_name": "rep_name", "personal_id": "rep_personal_id"}.get(
                        name, name
                    )
            found[col] = name
            sub_text = cell_text(value)
            if parent_col is not None:
                group_parents.add(parent_col)
                titles_by_col[col] = f"{texts[parent_col]} ({sub_text})"
            else:
                titles_by_col[col] = sub_text
        next_index += 1
    if next_index < len(prefix) and is_column_number_row(prefix[next_index]):
        next_index += 1

    columns: dict[int, str] = {}
    titles: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    for col in sorted(found):
        name = found[col]
        if name in titles:
            duplicates.append((titles_by_col[col], titles[name]))
            continue
        columns[col] = name
        titles[name] = titles_by_col[col]
    unknown = [
        text
        for col, text in texts.items()
        if col not in found and col not in group_parents and not is_column_number(text)
    ]
    return Layout(columns, titles, next_index, unknown, duplicates)


def _is_sub_header(header: Sequence[object], row: Sequence[object]) -> bool:
    """Whether the row under the header is a second header row.

    Either it has both ``Nam`` and ``Nữ`` (the gender split), or at least two
    cells naming known columns of which one sits under an empty (merged)
    header cell. A first data row never has both ``Nam`` and ``Nữ``.
    """
    keys = {col: fold_key(value) for col, value in enumerate(row) if isinstance(value, str)}
    values = set(keys.values())
    if "NAM" in values and "NU" in values:
        return True
    known = [col for col, value in enumerate(row) if header_field(value) is not None]
    return len(known) >= 2 and any(col >= len(header) or is_blank(header[col]) for col in known)
