"""What a person reads in the registry export and the template: names, never codes;
a guide that wraps within its page; a printable variant by village at a readable scale;
a template filled with names imports."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from beneficiaries.models import Category, ImportBatch, Programme
from desk.exporter import (
    CONDITION_COLUMNS,
    GUIDE_WIDTH,
    INSTRUCTIONS,
    PRINT_COLUMNS,
    write_registry,
    write_registry_printable,
    write_template,
)
from desk.importer.service import create_batch, run_import
from documents import textwidth
from documents.xlsx import SheetPlan, printable_area
from tests.importer.workbooks import HOA, STANDARD_HEADER, TODAY, data_row, write_workbook

pytestmark = pytest.mark.django_db


def _import(path, commune, actor):
    with path.open("rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=actor)
    return run_import(batch, actor=actor, commit=True, today=TODAY)


@pytest.fixture
def imported(reference_data, commune, officer, tmp_path):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row(), data_row(**HOA)])
    batch = _import(path, commune, officer)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    return commune


def _cells(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_export_writes_programme_and_category_names(imported, tmp_path):
    path = tmp_path / "xuat.xlsx"
    with path.open("wb") as handle:
        write_registry(handle, imported, on=TODAY)
    rows = _cells(load_workbook(path)["Danh sách"])
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    programme, category = (
        rows[header].index("Chương trình"),
        rows[header].index("Diện đối tượng"),
    )
    data = rows[header + 1 : header + 3]
    assert {(r[programme], r[category]) for r in data} == {
        ("Người có công", "Thương binh"),
        ("Bảo trợ xã hội", Category.objects.get(code="BTXH_K6_N").short_name),
    }
    codes = set(Category.objects.values_list("code", flat=True))
    codes |= set(Programme.objects.values_list("code", flat=True))
    assert not codes & {v for row in data for v in row if isinstance(v, str)}


def test_the_template_offers_names_in_its_drop_downs(reference_data, tmp_path):
    path = tmp_path / "mau.xlsx"
    with path.open("wb") as handle:
        write_template(handle)
    workbook = load_workbook(path)
    catalogue = workbook["Danh mục"]
    assert catalogue.sheet_state == "hidden"
    programmes = [c.value for c in catalogue["B"][1:] if c.value]
    categories = [c.value for c in catalogue["C"][1:] if c.value]
    assert programmes == ["Người có công", "Bảo trợ xã hội", "Hưu trí xã hội"]
    assert categories == list(
        Category.objects.order_by("programme__order", "code").values_list("short_name", flat=True)
    )
    # Too long for an inline list (255 characters): the drop-down reads the hidden sheet.
    assert len(",".join(categories)) > 255
    sources = {v.formula1 for v in workbook["Danh sách"].data_validations.dataValidation}
    assert f"'Danh mục'!$C$2:$C${len(categories) + 1}" in sources


def _fill(ws, header_row: int, values: dict) -> None:
    """Write a row under the template's header, each value in its column by header."""
    header = [ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)]
    for name, value in values.items():
        ws.cell(header_row + 1, header.index(name) + 1, value)


def test_a_template_filled_with_names_imports(reference_data, commune, officer, tmp_path):
    path = tmp_path / "mau.xlsx"
    with path.open("wb") as handle:
        write_template(handle)
    workbook = load_workbook(path)
    ws = workbook["Danh sách"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "STT")
    header = [ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)]
    at = STANDARD_HEADER.index("Số quyết định") + 1
    assert header == [
        *STANDARD_HEADER[:at],
        "Tháng bắt đầu hưởng",
        *STANDARD_HEADER[at:],
        *(c.header for c in CONDITION_COLUMNS),
    ]
    row = data_row(programme="Người có công", category="Thương binh")
    _fill(ws, header_row, dict(zip(STANDARD_HEADER, row, strict=True)))
    workbook.save(path)
    batch = _import(path, commune, officer)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert batch.created_count == 1


def test_a_template_row_of_hưu_trí_xã_hội_imports_with_its_declared_documents(
    reference_data, commune, officer, tmp_path
):
    import datetime

    from beneficiaries.models import Beneficiary, EnrolmentCondition

    path = tmp_path / "mau.xlsx"
    with path.open("wb") as handle:
        write_template(handle)
    workbook = load_workbook(path)
    ws = workbook["Danh sách"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "STT")
    row = data_row(
        full_name="Phạm Thị Mai",
        birth_date="02/02/1948",
        gender="Nữ",
        personal_id="038148000777",
        programme="Hưu trí xã hội",
        category="Từ đủ 75 tuổi",
        amount="500.000",
    )
    values = dict(zip(STANDARD_HEADER, row, strict=True))
    values[CONDITION_COLUMNS[0].header] = "Tờ khai số 7"
    values[CONDITION_COLUMNS[1].header] = "03/07/2025"
    _fill(ws, header_row, values)
    workbook.save(path)

    with path.open("rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=officer)
    batch = run_import(batch, actor=officer, commit=True, today=datetime.date(2026, 12, 15))

    assert batch.status == ImportBatch.Status.COMMITTED, [i["message"] for i in batch.issues]
    enrolment = Beneficiary.objects.get(category__code="HTXH_75")
    condition = EnrolmentCondition.objects.get(person=enrolment.person)
    assert (condition.kind, condition.document, condition.document_date) == (
        "no_pension",
        "Tờ khai số 7",
        datetime.date(2025, 7, 3),
    )
    assert any("Hưu trí xã hội" in line for line in INSTRUCTIONS)


def test_the_guide_wraps_within_a_portrait_page(reference_data, tmp_path):
    path = tmp_path / "mau.xlsx"
    plans: list[SheetPlan] = []
    with path.open("wb") as handle:
        write_template(handle, plans=plans)
    ws = load_workbook(path)["Hướng dẫn"]
    assert ws.page_setup.orientation == "portrait"
    # The text column fills the page and no more: printed at full size, one page wide.
    guide = next(plan for plan in plans if plan.name == "Hướng dẫn")
    assert guide.scale == 100
    columns = [textwidth.column_pt(5.0), textwidth.column_pt(GUIDE_WIDTH)]
    assert sum(columns) <= printable_area(False)[0]
    assert ws.column_dimensions["B"].width >= GUIDE_WIDTH
    assert ws.page_setup.scale in (None, 100)  # nothing is shrunk to fit
    rows = _cells(ws)
    texts = [row[1] for row in rows if isinstance(row[0], int)]
    assert texts == list(INSTRUCTIONS[1:])
    assert INSTRUCTIONS[0] in [row[0] for row in rows]
    # The long instructions wrap: their rows are taller than one line.
    long_rows = [
        index + 1 for index, row in enumerate(rows) if isinstance(row[1], str) and len(row[1]) > 100
    ]
    assert long_rows and all(ws.row_dimensions[r].height > 20 for r in long_rows)
    assert ws[f"B{long_rows[0]}"].alignment.wrap_text


def test_the_printable_registry_is_by_village_and_readable(imported, tmp_path):
    path = tmp_path / "in.xlsx"
    plans: list[SheetPlan] = []
    with path.open("wb") as handle:
        write_registry_printable(handle, imported, on=TODAY, plans=plans)
    assert len(PRINT_COLUMNS) <= 11
    assert plans[0].scale >= 70
    ws = load_workbook(path)["Bản in"]
    assert ws.page_setup.orientation == "landscape"
    rows = _cells(ws)
    header = next(i for i, row in enumerate(rows) if row[1] == "STT")
    assert rows[header] == [c.header for c in PRINT_COLUMNS]
    assert rows[header][0] == "Thôn"
    data = rows[header + 1 : header + 3]
    # Both live in Yên Lạc: the village once, at the head of its group, numbered from 1.
    assert [(r[0], r[1], r[2]) for r in data] == [
        ("Yên Lạc", 1, "Nguyễn Văn An"),
        (None, 2, "Lê Thị Hoa"),
    ]
    assert data[0][5] == "Thương binh" and data[0][6] == "Người có công"
    assert data[0][8] == "Tiền mặt" and data[1][10] == "Đang hưởng"
