"""A registry row's enrolment: programme, category, monthly amount, coefficient, decision.

The programme may be written or left to the category; a category short name
shared by two programmes needs the programme column. The amount is whole
đồng; the coefficient matters only to programmes paid as base level ×
coefficient.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.rules.money import AmountError
from core.rules.months import month_index, month_of_index, read_month
from desk.importer.context import SheetContext
from desk.importer.lookups import lookup_text
from desk.importer.values import parse_coefficient
from documents.spreadsheet import cell_amount, cell_text

Cells = tuple[object, ...]


@dataclass(slots=True)
class EnrolmentFields:
    programme: str | None
    category: str | None
    amount: int
    coefficient: Decimal | None
    decision_number: str
    start_month: datetime.date | None = None


#: How many months after the month of the import an enrolment may start: a decision
#: takes effect soon after it is signed, so a later month is taken for a typing error.
START_MONTHS_AHEAD = 3


def read_enrolment(ctx: SheetContext, r: int, row: Cells) -> EnrolmentFields:
    cols = ctx.cols
    raw_programme = row[cols.programme]
    programme = _programme(ctx, r, raw_programme)
    category, programme = _category(ctx, r, row[cols.category], programme)
    amount = _amount(ctx, r, row[cols.amount])
    coefficient = _coefficient(ctx, r, row[cols.coefficient], programme, category)
    decision_number = ctx.text(row[cols.decision])
    start_month = read_start_month(ctx, r, row[cols.start_month])
    return EnrolmentFields(programme, category, amount, coefficient, decision_number, start_month)


def read_start_month(ctx: SheetContext, r: int, raw: object) -> datetime.date | None:
    """ "Tháng bắt đầu hưởng": ``mm/yyyy`` as typed (``03/2026``, ``3/2026``, a full date),
    or a date cell (Excel turns a typed ``03/2026`` into 01/03/2026): its month.

    ``None`` when blank. A month more than :data:`START_MONTHS_AHEAD` months after
    the import's is an error; a month before the programme exists is refused when
    the row is planned (the registry's rule, which knows the programmes).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime.datetime):
        month = raw.date().replace(day=1)
    elif isinstance(raw, datetime.date):
        month = raw.replace(day=1)
    else:
        month = read_month(cell_text(raw))
    if month is None:
        ctx.error(
            r,
            "start_month",
            raw,
            _(
                "Không đọc được tháng bắt đầu hưởng “%(value)s”: ghi tháng/năm dạng mm/yyyy, "
                "ví dụ 03/2026."
            )
            % {"value": cell_text(raw)},
        )
        return None
    latest = month_of_index(month_index(ctx.today) + START_MONTHS_AHEAD)
    if month > latest:
        ctx.error(
            r,
            "start_month",
            raw,
            _(
                "Tháng bắt đầu hưởng %(month)s quá xa: chỉ nhận đến tháng %(latest)s "
                "(%(ahead)d tháng sau tháng này)."
            )
            % {"month": f"{month:%m/%Y}", "latest": f"{latest:%m/%Y}", "ahead": START_MONTHS_AHEAD},
        )
        return None
    return month


def _programme(ctx: SheetContext, r: int, raw: object) -> str | None:
    if raw is None:
        return None
    programme = ctx.lookups.programme(lookup_text(raw))
    if programme is None:
        ctx.error(
            r,
            "programme",
            raw,
            _(
                "Không có chương trình “%(value)s”: ghi NCC (Người có công), BTXH (Bảo trợ "
                "xã hội) hoặc HTXH (Hưu trí xã hội)."
            )
            % {"value": cell_text(raw)},
        )
    return programme


def _category(
    ctx: SheetContext, r: int, raw: object, programme: str | None
) -> tuple[str | None, str | None]:
    """The category code and the programme it settles (from the column or the category)."""
    if raw is None:
        ctx.error(r, "category", raw, _("Chưa có diện đối tượng."))
        return None, programme
    refs = ctx.lookups.category(lookup_text(raw))
    if not refs:
        ctx.error(
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
            ctx.error(
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
                    "column": ctx.titles.get("programme", ""),
                },
            )
            return None, programme
        refs = tuple(matching)
    if len(refs) > 1:
        ctx.error(
            r,
            "category",
            raw,
            _("Diện “%(value)s” trùng tên với nhiều diện (%(codes)s): hãy ghi mã diện.")
            % {"value": cell_text(raw), "codes": ", ".join(ref[0] for ref in refs)},
        )
        return None, programme
    code, category_programme = refs[0]
    return code, category_programme


def _amount(ctx: SheetContext, r: int, raw: object) -> int:
    try:
        amount = cell_amount(raw)
    except AmountError as exc:
        ctx.error(r, "amount", raw, exc.message)
        return 0
    if amount == 0:
        ctx.error(r, "amount", raw, _("Mức trợ cấp phải lớn hơn 0."))
    return amount


def _coefficient(
    ctx: SheetContext, r: int, raw: object, programme: str | None, category: str | None
) -> Decimal | None:
    if raw is None:
        return None
    coefficient, error = parse_coefficient(raw)
    if error is not None:
        ctx.error(r, "coefficient", raw, error)
        return None
    if programme is None or category is None:
        return coefficient
    if programme not in ctx.reference.coefficient_programmes:
        ctx.warning(
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
    expected = ctx.reference.category_coefficients.get(category)
    if expected is not None and coefficient != expected:
        ctx.warning(
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
