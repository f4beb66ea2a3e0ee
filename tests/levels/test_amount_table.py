"""A decree's table of NCC fixed amounts: reading the workbook row by row, the sample,
the preview and the change."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from amounts.models import Entitlement
from desk.amounttable import decode_table, encode_table, read_amount_table, write_amount_template
from desk.levels import apply_fixed_amounts, preview_fixed_amounts
from tests.levels.conftest import JUL

pytestmark = pytest.mark.django_db

HEADER = ["Mã đối tượng", "Tên diện", "Số tiền", "Áp dụng từ tháng"]


def workbook(*rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "Bảng"
    sheet.append(["BẢNG SỐ TIỀN THEO NGHỊ ĐỊNH"])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _errors(read) -> list[str]:
    return [str(error) for error in read.errors]


def test_a_good_file_gives_one_row_per_category(reference_data):
    read = read_amount_table(
        workbook(
            ["NCC_A", "Lão thành cách mạng", 3_012_000, "07/2026"],
            ["ncc_g", "Thương binh", "3.012.000", datetime.date(2026, 7, 15)],
            ["NCC_B", "Tiền khởi nghĩa", None, None],  # not changed by the decree
        ),
        filename="bang.xlsx",
    )
    assert read.errors == []
    assert [(r.category.code, r.amount, r.from_month) for r in read.rows] == [
        ("NCC_A", 3_012_000, JUL),
        ("NCC_G", 3_012_000, JUL),
    ]
    assert decode_table(encode_table(read.rows)).rows == read.rows


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["NCC_ZZ", "", 3_012_000, "07/2026"],
            "Dòng 4, cột «Mã đối tượng» (giá trị «NCC_ZZ»): Không có diện đối tượng mã này.",
        ),
        (
            ["BTXH_K6_N", "", 3_012_000, "07/2026"],
            "tính theo mức chuẩn × hệ số, không nhập số tiền cố định",
        ),
        (
            ["NCC_A", "", "ba triệu", "07/2026"],
            "Dòng 4, cột «Số tiền» (giá trị «ba triệu»): Không đọc được số tiền",
        ),
        (["NCC_A", "", "1.080.000,50", "07/2026"], "không có phần thập phân"),
        (["NCC_A", "", 0, "07/2026"], "Số tiền phải lớn hơn 0 đồng."),
        (["NCC_A", "", -5, "07/2026"], "không được là số âm"),
        (["NCC_A", "", 3_012_000, "tháng 7"], "Tháng áp dụng ghi dạng mm/yyyy"),
        (["NCC_A", "", 3_012_000, None], "Tháng áp dụng ghi dạng mm/yyyy"),
        ([None, "", 3_012_000, "07/2026"], "Chưa ghi mã đối tượng."),
    ],
)
def test_each_bad_row_refuses_the_whole_file(reference_data, row, message):
    read = read_amount_table(workbook(["NCC_G", "", 3_012_000, "07/2026"], row))
    assert read.rows == []
    assert len(read.errors) == 1
    assert message in _errors(read)[0]


def test_a_category_twice_is_refused_with_both_rows_named(reference_data):
    read = read_amount_table(
        workbook(["NCC_A", "", 3_012_000, "07/2026"], ["NCC_A", "", 3_100_000, "08/2026"])
    )
    assert read.rows == []
    assert _errors(read) == [
        "Dòng 4, cột «Mã đối tượng» (giá trị «NCC_A»): Diện này đã có ở dòng 3: mỗi diện một dòng."
    ]


def test_every_bad_row_is_listed_at_once(reference_data):
    read = read_amount_table(
        workbook(["NCC_ZZ", "", 3_012_000, "07/2026"], ["NCC_A", "", "x", "13/2026"])
    )
    assert [(e.row, e.column) for e in read.errors] == [
        (3, "Mã đối tượng"),
        (4, "Số tiền"),
        (4, "Áp dụng từ tháng"),
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused(reference_data):
    read = read_amount_table(io.BytesIO(b"%PDF-1.4 not a workbook"), filename="bang.xlsx")
    assert read.rows == []
    assert "không phải bảng tính Excel .xlsx" in _errors(read)[0]


def test_a_file_without_the_amount_column_is_refused(reference_data):
    read = read_amount_table(
        workbook(["NCC_A", "x", "07/2026"], header=["Mã đối tượng", "Tên diện", "Từ tháng"])
    )
    assert "thiếu cột bắt buộc: Số tiền" in _errors(read)[0]


def test_the_sample_lists_the_fixed_categories_and_reads_back(reference_data):
    out = io.BytesIO()
    write_amount_template(out)
    out.seek(0)
    sheet = load_workbook(out).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row[0] == "Mã đối tượng")
    assert values[header_at][:4] == HEADER
    codes = [row[0] for row in values[header_at + 1 :] if row[0]]
    assert "NCC_A" in codes and "NCC_G" in codes
    assert not any(code.startswith("BTXH") for code in codes)
    out.seek(0)
    blank = read_amount_table(out)
    assert _errors(blank) == ["Tệp không có dòng nào ghi số tiền và tháng áp dụng."]


# --- the preview and the change -------------------------------------------------------


def _table(world, amount=3_012_000, code="NCC_A"):
    return decode_table(f"{code}:{amount}:2026-07").rows


def test_the_table_previews_each_person_old_and_new_and_the_arrears(world, commune):
    preview = preview_fixed_amounts(_table(world), commune_ids=[commune.pk])
    assert preview.enrolments == 1
    [lan] = preview.changes
    # August and September were sent at 2.789.000: 223.000 more each.
    assert (lan.name, lan.old, lan.new, lan.paid_months, lan.arrears, lan.recovery) == (
        "Trần Thị Lan",
        2_789_000,
        3_012_000,
        2,
        446_000,
        0,
    )
    lower = preview_fixed_amounts(_table(world, 2_700_000))
    assert (lower.recovery_people, lower.recovery_total, lower.arrears_total) == (1, 178_000, 0)


def test_the_table_adds_a_row_from_its_month_with_the_decree_and_a_second_time_nothing(
    world, leader
):
    result = apply_fixed_amounts(_table(world), decision_number="Nghị định 321/2026", actor=leader)
    assert (result.added, result.updated) == (1, 0)
    row = Entitlement.objects.get(beneficiary=world.lan, from_month=JUL)
    assert (row.basis, row.amount, row.decision_number) == (
        "fixed",
        3_012_000,
        "Nghị định 321/2026",
    )
    assert row.history.get().history_user == leader
    # Minh (NCC_G) is not in the table: unchanged.
    assert list(world.minh.entitlements.values_list("amount", flat=True)) == [2_789_000]
    again = apply_fixed_amounts(_table(world), decision_number="Nghị định 321/2026", actor=leader)
    assert (again.added, again.updated) == (0, 0)


def test_a_row_starting_at_the_table_s_month_is_updated(world, leader):
    Entitlement.objects.create(
        beneficiary=world.lan, from_month=JUL, basis="fixed", amount=2_900_000
    )
    result = apply_fixed_amounts(_table(world), decision_number="NĐ 321", actor=leader)
    assert (result.added, result.updated) == (0, 1)
    row = Entitlement.objects.get(beneficiary=world.lan, from_month=JUL)
    assert (row.amount, row.decision_number) == (3_012_000, "NĐ 321")
    assert row.history.filter(history_type="~", history_user=leader).exists()


def test_only_the_leader_enters_a_table(world, officer):
    with pytest.raises(PermissionDenied):
        apply_fixed_amounts(_table(world), decision_number="NĐ 321", actor=officer)
    assert not Entitlement.objects.filter(beneficiary=world.lan, from_month=JUL).exists()


def test_a_lower_table_amount_makes_the_previewed_recovery(world, leader):
    from payments.models import Recovery

    preview = preview_fixed_amounts(_table(world, 2_700_000))
    apply_fixed_amounts(_table(world, 2_700_000), decision_number="Nghị định 1/2027", actor=leader)
    recovery = Recovery.objects.get()
    assert (recovery.beneficiary, recovery.amount) == (world.lan, preview.recovery_total)
