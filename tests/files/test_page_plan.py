"""The writer's page plan: one-line rows fill every full page alike."""

from __future__ import annotations

import io
import math

from documents.xlsx import Column, Document, Sheet, Signature, write_xlsx


def _plan(rows: int):
    columns = (Column("STT", "int", 5), Column("Họ và tên", "text", 20), Column("Số", "money"))
    document = Document(
        issuing_lines=["ỦY BAN NHÂN DÂN", "XÃ YẾN SƠN"],
        number_line="Số:          /DS-UBND",
        place_and_date="Yến Sơn, ngày 05 tháng 01 năm 2027",
        title="DANH SÁCH",
        total_columns=(2,),
        signatures=[Signature("NGƯỜI LẬP BIỂU", "Lê Thị Hoa")],
    )
    values = ([n, f"Người {n}", 1_000] for n in range(1, rows + 1))
    plans: list = []
    write_xlsx(io.BytesIO(), [Sheet("DS", columns, values, document=document)], plans=plans)
    return plans[0]


def test_every_page_after_the_first_holds_rows_per_full_page_rows():
    plan = _plan(300)
    per_page = plan.rows_per_full_page
    assert per_page > 20
    full_pages = [b - a for a, b in zip(plan.breaks, plan.breaks[1:], strict=False)]
    # The page before the signatures may end early: its last rows go with them.
    assert full_pages[:-1] == [per_page] * (len(full_pages) - 1)
    assert 0 < full_pages[-1] <= per_page


def test_the_pages_are_the_rows_over_rows_per_page_after_the_first():
    plan = _plan(300)
    first_page_rows = plan.breaks[0] - (plan.breaks[1] - plan.rows_per_full_page)
    # Rows on the first page, then full pages, then the last page with the signatures.
    after_first = 300 - first_page_rows
    assert plan.pages in (
        1 + math.ceil(after_first / plan.rows_per_full_page),
        2 + math.ceil(after_first / plan.rows_per_full_page),
    )
    assert plan.data_rows == 300
