"""The import's start month ("Tháng bắt đầu hưởng"): read as typed or from a date cell,
refused before the programme or too far ahead, written on new enrolments and their
amounts, kept for enrolments already in the registry, and shown in the preview."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, ImportBatch, Person
from desk.importer.plan import DEFAULT, FROM_FILE, REGISTRY
from desk.importer.service import create_batch, run_import
from tests.importer.results import FIRST_DATA_ROW, only_error, only_row
from tests.importer.workbooks import STANDARD_HEADER, data_row, write_workbook

START = "Tháng bắt đầu hưởng"
HEADER = [*STANDARD_HEADER, START]
# The reader tests' day (tests.importer.workbooks.TODAY) is 15/06/2025.
JUN_2025 = datetime.date(2025, 6, 1)
# The service tests run at the suite's fixed clock: 15/12/2026.
DEC_15 = datetime.date(2026, 12, 15)


def _row(start: object, **values) -> list[object]:
    return [*data_row(**values), start]


# --- Reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("03/2025", datetime.date(2025, 3, 1)),
        ("3/2025", datetime.date(2025, 3, 1)),
        (" 03 - 2025 ", datetime.date(2025, 3, 1)),
        ("03.2025", datetime.date(2025, 3, 1)),
        ("2025-03", datetime.date(2025, 3, 1)),
        ("15/03/2025", datetime.date(2025, 3, 1)),  # a full date: its month
        # Excel turns a typed 03/2025 into a date; openpyxl gives a naive datetime.
        (datetime.datetime(2025, 3, 1), datetime.date(2025, 3, 1)),  # noqa: DTZ001
        (datetime.date(2025, 5, 20), datetime.date(2025, 5, 1)),
        ("09/2025", datetime.date(2025, 9, 1)),  # three months ahead: accepted
        ("01/1995", datetime.date(1995, 1, 1)),
        (None, None),
        ("  ", None),
    ],
)
def test_the_start_month_is_read_as_typed_or_from_a_date_cell(read_list, cell, month):
    row = only_row(read_list([_row(cell)], header=HEADER))
    assert row.start_month == month


def test_the_start_month_column_is_optional(read_list):
    assert only_row(read_list([data_row()])).start_month is None


@pytest.mark.parametrize("header", ["Hưởng từ tháng", "Tháng bắt đầu", "Thời điểm hưởng"])
def test_the_start_month_column_is_found_under_other_names(read_list, header):
    row = only_row(read_list([_row("04/2025")], header=[*STANDARD_HEADER, header]))
    assert row.start_month == datetime.date(2025, 4, 1)


@pytest.mark.parametrize("cell", ["13/2025", "tháng ba", "2025", "03/25", 3, "31/02/2025"])
def test_a_start_month_that_cannot_be_read_is_an_error_on_its_row(read_list, cell):
    result = read_list([_row(cell)], header=HEADER)

    error = only_error(result)
    assert result.rows == []
    assert error.column == START
    assert error.message.startswith("Không đọc được tháng bắt đầu hưởng")
    assert "mm/yyyy" in error.message


def test_a_start_month_too_far_ahead_is_an_error(read_list):
    result = read_list([_row("10/2025")], header=HEADER)

    error = only_error(result)
    assert error.column == START
    assert error.message == (
        "Tháng bắt đầu hưởng 10/2025 quá xa: chỉ nhận đến tháng 09/2025 (3 tháng sau tháng này)."
    )


# --- Planning and writing -------------------------------------------------------------------


def _import(tmp_path, rows, commune, officer, *, commit=True, header=HEADER):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, rows, header=header)
    with path.open("rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=officer)
    return run_import(batch, actor=officer, commit=commit, today=DEC_15)


def _by_id(batch) -> dict[str, list]:
    return {r[3]: r for r in batch.summary["rows"]}


def test_new_enrolments_start_in_the_month_of_the_file_or_of_the_import(
    reference_data, commune, officer, tmp_path
):
    rows = [
        _row("03/2026"),
        _row(
            None,
            full_name="Lê Thị Hoa",
            birth_date="05/05/1948",
            gender="Nữ",
            personal_id="038148000555",
            amount=1_500_000,
        ),
    ]

    batch = _import(tmp_path, rows, commune, officer)

    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    starts = dict(Beneficiary.objects.values_list("person__personal_id", "start_month"))
    assert starts == {
        "038050001234": datetime.date(2026, 3, 1),
        "038148000555": datetime.date(2026, 12, 1),
    }
    # The amount is owed from the first month: March's cycle onwards pays it.
    amounts = dict(
        Entitlement.objects.values_list("beneficiary__person__personal_id", "from_month")
    )
    assert amounts == starts
    preview = _by_id(batch)
    assert preview["038050001234"][10:] == ["2026-03", FROM_FILE]
    assert preview["038148000555"][10:] == ["2026-12", DEFAULT]
    assert batch.summary["totals"] == {"people": 2, "enrolments": 2, "amount": 3_555_000}


def test_the_preview_row_names_programme_category_amount_and_method(
    reference_data, commune, officer, tmp_path
):
    batch = _import(tmp_path, [_row("03/2026")], commune, officer, commit=False)

    ((row),) = batch.summary["rows"]
    assert row[6:] == [
        "Người có công",
        "Thương binh",
        2_055_000,
        "cash",
        "2026-03",
        FROM_FILE,
    ]
    assert Person.objects.count() == 0


def test_a_month_before_the_programme_starts_is_an_error_and_nothing_is_written(
    reference_data, commune, officer, tmp_path
):
    rows = [
        _row("03/2026"),
        _row(
            "05/2025",
            full_name="Phạm Thị Mai",
            birth_date="02/02/1948",
            gender="Nữ",
            personal_id="038148000777",
            programme="Hưu trí xã hội",
            category="Từ đủ 75 tuổi",
            amount=500_000,
        ),
    ]

    batch = _import(tmp_path, rows, commune, officer)

    assert batch.status == ImportBatch.Status.INVALID
    (error,) = [i for i in batch.issues if i["level"] == "error"]
    assert (error["row"], error["column"], error["value"]) == (FIRST_DATA_ROW + 1, START, "05/2025")
    assert "chỉ có từ tháng 07/2025" in error["message"]
    assert Beneficiary.objects.count() == 0 and Person.objects.count() == 0


def test_a_month_too_far_ahead_writes_nothing(reference_data, commune, officer, tmp_path):
    batch = _import(tmp_path, [_row("04/2027")], commune, officer)

    assert batch.status == ImportBatch.Status.INVALID
    assert [i["column"] for i in batch.issues] == [START]
    assert "chỉ nhận đến tháng 03/2027" in batch.issues[0]["message"]
    assert Beneficiary.objects.count() == 0


def test_an_enrolment_already_in_the_registry_keeps_its_start_month_with_a_warning(
    reference_data, commune, officer, tmp_path
):
    first = _import(tmp_path, [_row("03/2026")], commune, officer)
    assert first.status == ImportBatch.Status.COMMITTED, first.issues

    again = _import(tmp_path, [_row("06/2026")], commune, officer)

    assert again.status == ImportBatch.Status.COMMITTED, again.issues
    assert Beneficiary.objects.get().start_month == datetime.date(2026, 3, 1)
    (warning,) = again.issues
    assert (warning["level"], warning["column"], warning["value"]) == ("warning", START, "06/2026")
    assert "hưởng từ tháng 03/2026" in warning["message"]
    assert _by_id(again)["038050001234"][10:] == ["2026-03", REGISTRY]


# --- The preview page -----------------------------------------------------------------------


def test_the_preview_page_shows_what_each_row_enrols_and_the_totals(
    client, reference_data, commune, officer, tmp_path
):
    rows = [
        _row("03/2026"),
        _row(
            None,
            full_name="Lê Thị Hoa",
            birth_date="05/05/1948",
            gender="Nữ",
            personal_id="038148000555",
            amount=1_025_000,
            method="Tài khoản",
            account_number="3508205000555",
            bank="Agribank",
            account_holder="LE THI HOA",
        ),
    ]
    batch = _import(tmp_path, rows, commune, officer, commit=False)
    client.force_login(officer)

    html = client.get(reverse("import_detail", args=[batch.pk])).content.decode()

    for text in (
        "Người có công",
        "Thương binh",
        "2.055.000 đ",
        "1.025.000 đ",
        "Tiền mặt",
        "Qua tài khoản",
        "03/2026",
        '12/2026 <span class="muted">(để trống: tháng nhập)</span>',
        "Các dòng không lỗi: 2 người, 2 diện hưởng, tổng mức hằng tháng 3.080.000 đ.",
        "1 dòng để trống cột «Tháng bắt đầu hưởng»",
        "hưởng từ tháng 12/2026 (tháng nhập)",
    ):
        assert text in html, text
