"""Turning a sheet's data rows into typed rows and issues: one row at a time,
every value form of ``shared/domain/import-layout.md``."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from beneficiaries.importer.layout import (
    PARENTHESIS,
    Layout,
)
from beneficiaries.importer.rows import CategoryRef, ImportRow, Issue, Reference
from beneficiaries.importer.values import (
    METHOD_WORDS,
    RECEIVER_WORDS,
    Method,
    ReceiverKind,
    bank_fallback_keys,
    bank_keys,
    cell_text,
    fold_key,
    is_blank,
    is_signature,
    is_subtotal,
    is_totals,
    parse_birth,
    parse_coefficient,
    parse_gender,
)
from beneficiaries.rules.accounts import (
    AccountNumberError,
    PhoneError,
    normalize_account_number,
    normalize_phone,
)
from beneficiaries.rules.cccd import (
    CccdError,
    CccdInfo,
    check_cccd_against_record,
    normalize_cccd,
    parse_cccd,
)
from beneficiaries.rules.money import AmountError, parse_amount
from beneficiaries.rules.names import (
    TCVN3,
    VNI,
    convert_legacy,
    detect_legacy_encoding,
    fold_name,
    normalize_name,
)
from documents.xlsx import unescape_text

if TYPE_CHECKING:
    from beneficiaries.importer.reader import _WorkbookReader

#: People from this age must have a personal ID (Luật Căn cước 2023).
ID_REQUIRED_FROM_AGE = 14

# Characters of Unicode Vietnamese that the legacy encodings (single-byte,
# Latin-1 range) never produce: ă đ ĩ ũ ơ ư, the Latin Extended Additional
# block, and combining marks of decomposed text.
UNICODE_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
    "\u0300-\u0323\u1ea0-\u1ef9]"
)
ENCODING_NAMES = {TCVN3: "TCVN3 (ABC, phông .VnTime)", VNI: "VNI (phông VNI-Times)"}


class LegacyConverter:
    """Converts the text cells of a legacy-encoded workbook to Unicode.

    ASCII cells are left alone (nothing to convert), and so are cells that
    already hold Unicode Vietnamese: converting them would garble them.
    """

    __slots__ = ("encoding", "cache")

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.cache: dict[str, str] = {}

    def row(self, row: tuple[object, ...]) -> tuple[object, ...]:
        if all(not isinstance(value, str) or value.isascii() for value in row):
            return row
        return tuple(self.text(value) if isinstance(value, str) else value for value in row)

    def text(self, value: str) -> str:
        if value.isascii() or UNICODE_VIETNAMESE.search(value):
            return value
        converted = self.cache.get(value)
        if converted is None:
            converted = convert_legacy(value, self.encoding)
            if len(self.cache) < 50_000:
                self.cache[value] = converted
        return converted


class Lookups:
    """Reference lookups cached by the raw cell text (the same words repeat on every row)."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.programmes: dict[str, str | None] = {}
        self.categories: dict[str, tuple[CategoryRef, ...]] = {}
        self.banks: dict[str, tuple[str, bool] | str | None] = {}

    def programme(self, text: str) -> str | None:
        try:
            return self.programmes[text]
        except KeyError:
            code = self.reference.programmes.get(fold_key(text))
            self.programmes[text] = code
            return code

    def category(self, text: str) -> tuple[CategoryRef, ...]:
        try:
            return self.categories[text]
        except KeyError:
            refs = self.reference.categories.get(fold_key(text), ())
            if not refs and ("(" in text or "[" in text):
                refs = self.reference.categories.get(fold_key(PARENTHESIS.sub(" ", text)), ())
            self.categories[text] = refs
            return refs

    def bank(self, text: str) -> tuple[str, bool] | str | None:
        """``(bin, e-wallet)``, ``"ambiguous"``, or ``None`` for an unknown bank."""
        try:
            return self.banks[text]
        except KeyError:
            pass
        banks = self.reference.banks
        ambiguous = self.reference.ambiguous_banks
        found: tuple[str, bool] | str | None = None
        for key in (*bank_keys(text), *bank_fallback_keys(text)):
            if key in banks:
                found = banks[key]
                break
            if key in ambiguous:
                found = "ambiguous"
                break
        self.banks[text] = found
        return found


def _as_text(value: object) -> str:
    """A cell as text for a lookup: strings as they are (the lookup caches by them)."""
    return value if value.__class__ is str else cell_text(value)  # type: ignore[return-value]


# "Tổng", "Cộng" and their capitals: a cheap test before folding a cell.
_TOTALS_HINT = re.compile(r"\s*[TtCc][oòóỏõọôồốổỗộOÒÓỎÕỌÔỒỐỔỖỘ]")
_FIELDS_OF_DATA = ("birth_date", "birth_male", "birth_female", "personal_id", "amount", "category")


class RowParser:
    """Turns the data rows of one sheet into ImportRow objects and issues."""

    def __init__(
        self,
        reader: _WorkbookReader,
        sheet: str,
        layout: Layout,
        converter: LegacyConverter | None,
    ) -> None:
        self.reader = reader
        self.converter = converter
        self.sheet = sheet
        self.titles = layout.titles
        self.today = reader.today
        self.reference = reader.reference
        self.lookups = reader.lookups
        self.issues = reader.result.issues
        self.rows = reader.result.rows
        self.legacy = reader.encoding
        index = {name: col for col, name in layout.columns.items()}
        self.width = max(layout.columns) + 1
        absent = self.width  # always None once the row is padded
        self.pads = [(None,) * (n + 1) for n in range(self.width + 1)]

        def col(name: str) -> int:
            return index.get(name, absent)

        self.c_number = col("row_number")
        self.c_name = col("full_name")
        self.c_birth = col("birth_date")
        self.c_birth_m = col("birth_male")
        self.c_birth_f = col("birth_female")
        self.split_birth = "birth_male" in index and "birth_female" in index
        self.c_gender = col("gender")
        self.c_male = col("male")
        self.c_female = col("female")
        self.marks = "male" in index and "female" in index
        self.c_id = col("personal_id")
        self.c_village = col("village")
        self.c_programme = col("programme")
        self.c_category = col("category")
        self.c_amount = col("amount")
        self.c_coefficient = col("coefficient")
        self.c_decision = col("decision_number")
        self.c_method = col("method")
        self.c_receiver = col("receiver_kind")
        self.c_rep_name = col("rep_name")
        self.c_rep_id = col("rep_personal_id")
        self.c_relationship = col("relationship")
        self.c_account = col("account_number")
        self.c_bank = col("bank")
        self.c_holder = col("account_holder")
        self.c_phone = col("phone")
        self.c_note = col("note")
        self.data_cols = [index[name] for name in _FIELDS_OF_DATA if name in index]
        # Totals are written in the first cells: row number, name, or merged across them.
        self.lead_cols = sorted(
            {c for c in (self.c_number, self.c_name) if c != absent}
            | set(range(min(3, self.width)))
        )
        self.texts: dict[str, str] = {}

    # Helpers ---------------------------------------------------------------------------

    def _error(self, row: int, name: str, value: object, message: str) -> None:
        self.issues.append(
            Issue(self.sheet, row, self.titles.get(name), cell_text(value), str(message), "error")
        )

    def _warning(self, row: int, name: str | None, value: object, message: str) -> None:
        self.issues.append(
            Issue(
                self.sheet,
                row,
                self.titles.get(name) if name else None,
                cell_text(value),
                str(message),
                "warning",
            )
        )

    def _text(self, value: object) -> str:
        """A text cell cleaned up (NFC, single spaces); numbers as written."""
        if value is None:
            return ""
        if isinstance(value, str):
            cleaned = self.texts.get(value)
            if cleaned is None:
                # Undo the exporter's formula escaping ("'-…"): a round trip changes nothing.
                cleaned = normalize_name(unescape_text(value))
                if len(self.texts) < 100_000:
                    self.texts[value] = cleaned
            return cleaned
        return cell_text(value)

    # Rows ------------------------------------------------------------------------------

    def looks_like_data(self, row: Sequence[object]) -> bool:
        """Whether a row after the end of the list has a name, a personal ID and an amount."""
        length = len(row)
        return all(
            col < length and not is_blank(row[col])
            for col in (self.c_name, self.c_id, self.c_amount)
        ) and not any(
            isinstance(row[col], str) and is_totals(row[col])  # type: ignore[arg-type]
            for col in self.lead_cols
            if col < length
        )

    def feed(self, excel_row: int, row: tuple[object, ...]) -> bool:
        """Parse one sheet row; ``True`` when the list has ended (totals, signatures)."""
        width = self.width
        length = len(row)
        # Rows are tuples, except openpyxl's filler for a missing row (a list).
        if length > width:
            row = tuple(row[:width]) + (None,)
        else:
            row = tuple(row) + self.pads[width - length]
        raw_name = row[self.c_name]
        if self.converter is not None:
            row = self.converter.row(row)
        # Whitespace-only cells become None, so that the parsing below tests
        # emptiness with ``is None``; a row of nothing else is skipped.
        blank = True
        spaces = False
        for value in row:
            if value is not None:
                if value.__class__ is str and not value.strip():
                    spaces = True
                else:
                    blank = False
        if blank:
            return False
        if spaces:
            row = tuple(
                None if value.__class__ is str and not value.strip() else value for value in row
            )
        # A person (a CCCD or a birth date) is never the totals row, whatever the
        # name: "Tống Công Bình" folds to "TONG CONG BINH".
        has_person = any(
            row[col] is not None
            for col in (self.c_id, self.c_birth, self.c_birth_m, self.c_birth_f)
        )
        for col in self.lead_cols:
            value = row[col]
            if not has_person and isinstance(value, str) and _TOTALS_HINT.match(value):
                if is_totals(value):
                    return True
                if is_subtotal(value):
                    return False
        has_data = any(row[col] is not None for col in self.data_cols)
        if not has_data:
            texts = [value for value in row if isinstance(value, str)]
            if any(is_signature(text) for text in texts):
                return True
            filled = [value for value in row if value is not None]
            if filled and not (len(filled) == 1 and row[self.c_number] is not None):
                self._warning(
                    excel_row,
                    None,
                    " | ".join(cell_text(value) for value in filled),
                    _(
                        "Dòng không có ngày sinh, số CCCD, diện đối tượng và mức trợ cấp: bỏ qua "
                        "(coi là dòng tiêu đề nhóm hoặc ghi chú)."
                    ),
                )
            return False
        self.reader.result.data_rows += 1
        self._parse(excel_row, row, raw_name)
        return False

    def _parse(self, r: int, row: tuple[object, ...], stored_name: object) -> None:
        """Parse a data row; ``stored_name`` is the name cell before any conversion."""
        issues = self.issues
        start = len(issues)
        today = self.today

        # Name --------------------------------------------------------------------------
        raw_name = row[self.c_name]
        full_name = self._text(raw_name)
        if not full_name:
            self._error(r, "full_name", raw_name, _("Chưa có họ và tên."))
        elif isinstance(stored_name, str) and not stored_name.isascii():
            self._check_name_encoding(r, "full_name", stored_name)

        # Birth and gender -------------------------------------------------------------
        gender: str | None = None
        birth_name = "birth_date"
        if self.split_birth:
            male_value, female_value = row[self.c_birth_m], row[self.c_birth_f]
            male_blank, female_blank = male_value is None, female_value is None
            if not male_blank and not female_blank:
                raw_birth = None
                self._error(
                    r,
                    "birth_male",
                    f"{cell_text(male_value)} | {cell_text(female_value)}",
                    _("Ngày sinh ghi ở cả cột Nam và cột Nữ: chỉ ghi vào cột đúng giới tính."),
                )
            elif male_blank and female_blank:
                raw_birth = None
                self._error(
                    r,
                    "birth_male",
                    "",
                    _("Chưa có ngày sinh: ghi vào cột Nam hoặc cột Nữ theo giới tính."),
                )
            else:
                gender = "M" if not male_blank else "F"
                birth_name = "birth_male" if gender == "M" else "birth_female"
                raw_birth = male_value if gender == "M" else female_value
        else:
            raw_birth = row[self.c_birth]
        birth_date: datetime.date | None = None
        birth_year: int | None = None
        if raw_birth is not None or not self.split_birth:
            birth_date, birth_year, birth_error, birth_warning = parse_birth(raw_birth, today=today)
            if birth_error is not None:
                self._error(r, birth_name, raw_birth, birth_error)
            elif birth_warning is not None:
                self._warning(r, birth_name, raw_birth, birth_warning)

        raw_gender = row[self.c_gender]
        if raw_gender is not None:
            gender = parse_gender(raw_gender)
            if gender is None:
                self._error(
                    r,
                    "gender",
                    raw_gender,
                    _("Giới tính “%(value)s” không hợp lệ: ghi Nam hoặc Nữ.")
                    % {"value": cell_text(raw_gender)},
                )
        elif self.marks:
            male_mark = row[self.c_male] is not None
            female_mark = row[self.c_female] is not None
            if male_mark and female_mark:
                self._error(
                    r,
                    "male",
                    f"{cell_text(row[self.c_male])} | {cell_text(row[self.c_female])}",
                    _("Đánh dấu cả cột Nam và cột Nữ: chỉ đánh dấu một cột."),
                )
            elif male_mark or female_mark:
                gender = "M" if male_mark else "F"
            elif gender is None:
                self._error(r, "male", "", _("Chưa đánh dấu giới tính (cột Nam hoặc cột Nữ)."))
        elif gender is None and not self.split_birth:
            self._error(r, "gender", raw_gender, _("Chưa có giới tính."))

        # Personal ID ----------------------------------------------------------------------
        raw_id = row[self.c_id]
        personal_id = self._personal_id(r, "personal_id", raw_id, birth_year, gender)
        if raw_id is None and birth_year is not None:
            if not self._under_id_age(birth_date, birth_year):
                self._error(
                    r,
                    "personal_id",
                    raw_id,
                    _(
                        "Số CCCD bắt buộc với người từ %(age)d tuổi (chỉ trẻ em dưới %(age)d tuổi "
                        "được để trống)."
                    )
                    % {"age": ID_REQUIRED_FROM_AGE},
                )

        # Village --------------------------------------------------------------------------
        raw_village = row[self.c_village]
        village = self._text(raw_village)
        if not village:
            self._error(r, "village", raw_village, _("Chưa có thôn (nơi ở)."))

        # Programme and category -------------------------------------------------------
        raw_programme = row[self.c_programme]
        programme: str | None = None
        if raw_programme is not None:
            programme = self.lookups.programme(_as_text(raw_programme))
            if programme is None:
                self._error(
                    r,
                    "programme",
                    raw_programme,
                    _(
                        "Không có chương trình “%(value)s”: ghi NCC (Người có công), BTXH (Bảo trợ "
                        "xã hội) hoặc HTXH (Hưu trí xã hội)."
                    )
                    % {"value": cell_text(raw_programme)},
                )
        category, programme = self._category(r, row[self.c_category], programme, raw_programme)

        # Amount and coefficient -----------------------------------------------------------
        raw_amount = row[self.c_amount]
        amount = 0
        if isinstance(raw_amount, int) and not isinstance(raw_amount, bool) and raw_amount > 0:
            amount = raw_amount
        else:
            try:
                amount = parse_amount(raw_amount)
            except AmountError as exc:
                self._error(r, "amount", raw_amount, exc.message)
            else:
                if amount == 0:
                    self._error(r, "amount", raw_amount, _("Mức trợ cấp phải lớn hơn 0."))
        coefficient = self._coefficient(r, row[self.c_coefficient], programme, category)

        # Method and receiver --------------------------------------------------------------
        raw_method = row[self.c_method]
        method: Method = "cash"
        ewallet = False
        if raw_method is not None:
            found_method = METHOD_WORDS.get(fold_key(_as_text(raw_method)))
            if found_method is None:
                self._error(
                    r,
                    "method",
                    raw_method,
                    _(
                        "Hình thức nhận “%(value)s” không hợp lệ: ghi Tài khoản, Ví điện tử, "
                        "Tiền mặt hoặc Tại nhà."
                    )
                    % {"value": cell_text(raw_method)},
                )
            else:
                method, ewallet = found_method

        raw_rep_name = row[self.c_rep_name]
        rep_name = self._text(raw_rep_name)
        raw_receiver = row[self.c_receiver]
        receiver: ReceiverKind = "proxy" if rep_name else "self"
        if raw_receiver is not None:
            found_receiver = RECEIVER_WORDS.get(fold_key(_as_text(raw_receiver)))
            if found_receiver is None:
                self._error(
                    r,
                    "receiver_kind",
                    raw_receiver,
                    _("Người nhận “%(value)s” không hợp lệ: ghi Bản thân, Ủy quyền hoặc Giám hộ.")
                    % {"value": cell_text(raw_receiver)},
                )
            else:
                receiver = found_receiver
                if receiver == "self" and rep_name:
                    self._warning(
                        r,
                        "receiver_kind",
                        raw_receiver,
                        _(
                            "Có tên người nhận thay (%(name)s) nhưng người nhận ghi là bản thân: "
                            "tiền sẽ trả cho chính đối tượng."
                        )
                        % {"name": rep_name},
                    )
        rep_personal_id = self._representative(
            r, raw_rep_name, rep_name, row[self.c_rep_id], receiver, personal_id
        )

        # Account ----------------------------------------------------------------------------
        account_number, bank_bin, account_holder, ewallet = self._account(
            r, row, method, ewallet, receiver, full_name, rep_name
        )

        # Phone ------------------------------------------------------------------------------
        raw_phone = row[self.c_phone]
        phone = ""
        if raw_phone is not None:
            try:
                phone = normalize_phone(raw_phone)  # type: ignore[arg-type]
            except PhoneError as exc:
                self._error(r, "phone", raw_phone, exc.message)

        # Duplicates inside the file ------------------------------------------------------
        if personal_id is not None:
            self._duplicates(r, personal_id, category, full_name, raw_id)

        if any(issue.level == "error" for issue in issues[start:]):
            return
        self.rows.append(
            ImportRow(
                sheet=self.sheet,
                row=r,
                full_name=full_name,
                birth_date=birth_date,
                birth_year=birth_year,  # type: ignore[arg-type]
                gender=gender,  # type: ignore[arg-type]
                personal_id=personal_id,
                village=village,
                programme_code=programme,  # type: ignore[arg-type]
                category_code=category,  # type: ignore[arg-type]
                amount=amount,
                coefficient=coefficient,
                decision_number=self._text(row[self.c_decision]),
                method=method,
                ewallet=ewallet,
                receiver_kind=receiver,
                rep_name=rep_name,
                rep_personal_id=rep_personal_id,
                relationship=self._text(row[self.c_relationship]),
                account_number=account_number,
                bank_bin=bank_bin,
                account_holder=account_holder,
                phone=phone,
                note=self._text(row[self.c_note]),
            )
        )

    # Fields ---------------------------------------------------------------------------

    def _check_name_encoding(self, r: int, name: str, value: str) -> None:
        """A name in a legacy encoding inside a Unicode file, or the reverse."""
        if self.legacy is None:
            if not UNICODE_VIETNAMESE.search(value):
                encoding = detect_legacy_encoding(value)
                if encoding is not None:
                    self._error(
                        r,
                        name,
                        value,
                        _(
                            "Họ tên có vẻ gõ bằng bảng mã %(encoding)s trong khi tệp dùng Unicode: "
                            "hãy chuyển sang Unicode."
                        )
                        % {"encoding": ENCODING_NAMES[encoding]},
                    )
        elif UNICODE_VIETNAMESE.search(value):
            self._error(
                r,
                name,
                value,
                _(
                    "Họ tên gõ bằng Unicode trong khi tệp dùng bảng mã %(encoding)s: hãy chuyển "
                    "toàn bộ tệp sang Unicode."
                )
                % {"encoding": ENCODING_NAMES[self.legacy]},
            )

    def _personal_id(
        self, r: int, name: str, raw: object, birth_year: int | None, gender: str | None
    ) -> str | None:
        """Normalise and check a personal ID; ``None`` when blank or wrong (error reported)."""
        if raw is None:
            return None
        try:
            number, warnings = normalize_cccd(raw)  # type: ignore[arg-type]
            info: CccdInfo = parse_cccd(
                number, known_provinces=self.reference.known_provinces, today=self.today
            )
        except CccdError as exc:
            self._error(r, name, raw, exc.message)
            return None
        male = None if gender is None else gender == "M"
        if name == "personal_id":
            warnings = [
                *warnings,
                *check_cccd_against_record(info, birth_year=birth_year, male=male),
            ]
        else:
            warnings = [*warnings, *check_cccd_against_record(info, birth_year=None, male=None)]
        for warning in warnings:
            self._warning(r, name, raw, warning)
        return number

    def _under_id_age(self, birth_date: datetime.date | None, birth_year: int) -> bool:
        """Whether the person may be under 14 today (a year alone gives the benefit of the doubt)."""
        today = self.today
        if birth_date is not None:
            age = (
                today.year
                - birth_date.year
                - ((today.month, today.day) < (birth_date.month, birth_date.day))
            )
        else:
            age = today.year - birth_year - 1
        return age < ID_REQUIRED_FROM_AGE

    def _category(
        self, r: int, raw: object, programme: str | None, raw_programme: object
    ) -> tuple[str | None, str | None]:
        """The category code and the programme it settles (from the column or the category)."""
        if raw is None:
            self._error(r, "category", raw, _("Chưa có diện đối tượng."))
            return None, programme
        refs = self.lookups.category(_as_text(raw))
        if not refs:
            self._error(
                r,
                "category",
                raw,
                _(
                    "Không có diện đối tượng “%(value)s” trong danh mục: ghi mã (ví dụ NCC_G, "
                    "BTXH_K6_N), tên hoặc tên ngắn của diện."
                )
                % {"value": cell_text(raw)},
            )
            return None, programme
        if programme is not None:
            matching = [ref for ref in refs if ref[1] == programme]
            if not matching:
                self._error(
                    r,
                    "category",
                    raw,
                    _(
                        "Diện “%(value)s” thuộc chương trình %(actual)s, không thuộc chương trình "
                        "%(programme)s ghi ở cột “%(column)s”."
                    )
                    % {
                        "value": cell_text(raw),
                        "actual": ", ".join(sorted({ref[1] for ref in refs})),
                        "programme": programme,
                        "column": self.titles.get("programme", ""),
                    },
                )
                return None, programme
            refs = tuple(matching)
        if len(refs) > 1:
            self._error(
                r,
                "category",
                raw,
                _("Diện “%(value)s” trùng tên với nhiều diện (%(codes)s): hãy ghi mã diện.")
                % {"value": cell_text(raw), "codes": ", ".join(ref[0] for ref in refs)},
            )
            return None, programme
        code, category_programme = refs[0]
        return code, category_programme

    def _coefficient(
        self, r: int, raw: object, programme: str | None, category: str | None
    ) -> Decimal | None:
        if raw is None:
            return None
        coefficient, error = parse_coefficient(raw)
        if error is not None:
            self._error(r, "coefficient", raw, error)
            return None
        if programme is None or category is None:
            return coefficient
        if programme not in self.reference.coefficient_programmes:
            self._warning(
                r,
                "coefficient",
                raw,
                _(
                    "Chương trình %(programme)s trả theo số tiền ghi trong quyết định, không "
                    "theo hệ số: bỏ qua hệ số."
                )
                % {"programme": programme},
            )
            return None
        expected = self.reference.category_coefficients.get(category)
        if expected is not None and coefficient != expected:
            self._warning(
                r,
                "coefficient",
                raw,
                _("Hệ số %(value)s khác hệ số của diện %(category)s (%(expected)s).")
                % {
                    "value": cell_text(raw),
                    "category": category,
                    "expected": f"{expected.normalize():f}".replace(".", ","),
                },
            )
        return coefficient

    def _representative(
        self,
        r: int,
        raw_rep_name: object,
        rep_name: str,
        raw_rep_id: object,
        receiver: ReceiverKind,
        personal_id: str | None,
    ) -> str | None:
        """The representative's personal ID, checked against the beneficiary's."""
        if receiver in ("proxy", "guardian") and not rep_name:
            self._error(
                r,
                "rep_name",
                raw_rep_name,
                _(
                    "Người nhận là người được ủy quyền hoặc giám hộ nhưng chưa có họ tên người nhận thay."
                ),
            )
        if not rep_name:
            if raw_rep_id is not None:
                self._error(
                    r,
                    "rep_personal_id",
                    raw_rep_id,
                    _("Có số CCCD người nhận thay nhưng chưa có họ tên người nhận thay."),
                )
            return None
        if raw_rep_id is None:
            self._error(
                r,
                "rep_personal_id",
                raw_rep_id,
                _("Chưa có số CCCD của người nhận thay %(name)s (bắt buộc khi có người nhận thay).")
                % {"name": rep_name},
            )
            return None
        rep_id = self._personal_id(r, "rep_personal_id", raw_rep_id, None, None)
        if rep_id is not None and rep_id == personal_id:
            self._error(
                r,
                "rep_personal_id",
                raw_rep_id,
                _("Người nhận thay không thể là chính đối tượng (trùng số CCCD)."),
            )
        return rep_id

    def _account(
        self,
        r: int,
        row: tuple[object, ...],
        method: Method,
        ewallet: bool,
        receiver: ReceiverKind,
        full_name: str,
        rep_name: str,
    ) -> tuple[str, str | None, str, bool]:
        """``(account number, bank BIN, folded holder, e-wallet)``, with their checks."""
        raw_account = row[self.c_account]
        raw_bank = row[self.c_bank]
        raw_holder = row[self.c_holder]
        account_blank = raw_account is None
        bank_blank = raw_bank is None
        if method != "account":
            if not account_blank or not bank_blank:
                self._warning(
                    r,
                    "account_number" if not account_blank else "bank",
                    raw_account if not account_blank else raw_bank,
                    _(
                        "Hình thức nhận là tiền mặt nên số tài khoản, ngân hàng ở dòng này không "
                        "được dùng; nếu nhận qua tài khoản hãy ghi Hình thức nhận là Tài khoản."
                    ),
                )
            return "", None, "", False
        bank_bin: str | None = None
        if bank_blank:
            self._error(
                r,
                "bank",
                raw_bank,
                _("Nhận qua tài khoản nhưng chưa có tên ngân hàng (hoặc ví điện tử)."),
            )
        else:
            found = self.lookups.bank(_as_text(raw_bank))
            if found is None:
                self._error(
                    r,
                    "bank",
                    raw_bank,
                    _(
                        "Không nhận ra ngân hàng “%(value)s”: ghi tên ngắn như Agribank, "
                        "VietinBank, BIDV, hoặc tên đầy đủ."
                    )
                    % {"value": cell_text(raw_bank)},
                )
            elif found == "ambiguous":
                self._error(
                    r,
                    "bank",
                    raw_bank,
                    _(
                        "Tên ngân hàng “%(value)s” trùng với nhiều ngân hàng: ghi rõ hơn hoặc ghi mã BIN."
                    )
                    % {"value": cell_text(raw_bank)},
                )
            else:
                bank_bin, is_wallet = found  # type: ignore[misc]
                if is_wallet:
                    ewallet = True
                elif ewallet:
                    self._error(
                        r,
                        "bank",
                        raw_bank,
                        _(
                            "Hình thức nhận là ví điện tử nhưng “%(value)s” là ngân hàng: ghi tên ví "
                            "(ViettelMoney, VNPTMoney, MoMo) hoặc đổi hình thức nhận thành Tài khoản."
                        )
                        % {"value": cell_text(raw_bank)},
                    )
        account_number = ""
        if account_blank:
            self._error(
                r,
                "account_number",
                raw_account,
                _("Nhận qua tài khoản nhưng chưa có số tài khoản."),
            )
        else:
            try:
                account_number = normalize_account_number(raw_account, ewallet=ewallet)  # type: ignore[arg-type]
            except AccountNumberError as exc:
                self._error(r, "account_number", raw_account, exc.message)
        account_holder = ""
        if raw_holder is not None:
            account_holder = fold_name(cell_text(raw_holder))
            by_proxy = receiver in ("proxy", "guardian") and rep_name
            receiver_name = rep_name if by_proxy else full_name
            if receiver_name and account_holder != fold_name(receiver_name):
                self._warning(
                    r,
                    "account_holder",
                    raw_holder,
                    _(
                        "Tên chủ tài khoản “%(holder)s” khác tên người nhận tiền “%(receiver)s”: "
                        "hãy kiểm tra tài khoản có đúng của người nhận không."
                    )
                    % {"holder": account_holder, "receiver": receiver_name},
                )
        return account_number, bank_bin, account_holder, ewallet

    def _duplicates(
        self, r: int, personal_id: str, category: str | None, full_name: str, raw_id: object
    ) -> None:
        reader = self.reader
        person = reader.seen_people.get(personal_id)
        if person is None:
            reader.seen_people[personal_id] = (full_name, self.sheet, r)
        elif (
            full_name
            and person[0]
            and person[0] != full_name
            and fold_name(person[0]) != fold_name(full_name)
        ):
            self._error(
                r,
                "personal_id",
                raw_id,
                _(
                    "Số CCCD %(number)s đã ghi cho người khác (%(name)s) ở dòng %(row)d, "
                    "trang “%(sheet)s”."
                )
                % {"number": personal_id, "name": person[0], "row": person[2], "sheet": person[1]},
            )
        if category is None:
            return
        key = (personal_id, category)
        first = reader.seen_enrolments.get(key)
        if first is None:
            reader.seen_enrolments[key] = (self.sheet, r)
            return
        self._error(
            r,
            "personal_id",
            raw_id,
            _(
                "Trùng với dòng %(row)d (trang “%(sheet)s”): cùng số CCCD %(number)s và cùng "
                "diện %(category)s."
            )
            % {"row": first[1], "sheet": first[0], "number": personal_id, "category": category},
        )
