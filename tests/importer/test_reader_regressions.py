"""Reader bugs found by the benchmarks, kept from coming back."""

from __future__ import annotations

from tests.importer.workbooks import data_row


def test_a_person_named_tong_cong_is_not_the_totals_row(read_list):
    result = read_list(
        [
            data_row(),
            data_row(
                full_name="Tống Công Bình", personal_id="038064271603", birth_date="19/03/1964"
            ),
            data_row(full_name="Cộng Văn Hải", personal_id="038064271604", birth_date="1964"),
            data_row(full_name="Trần Bá Bình", personal_id="038039161704", birth_date="1939"),
        ]
    )
    assert [r.full_name for r in result.rows] == [
        "Nguyễn Văn An",
        "Tống Công Bình",
        "Cộng Văn Hải",
        "Trần Bá Bình",
    ]
    assert result.warnings == []


def test_the_real_totals_row_still_ends_the_list(read_list):
    result = read_list([data_row(), data_row(full_name="Lê Văn Hai", personal_id="038046000222")])
    assert len(result.rows) == 2
