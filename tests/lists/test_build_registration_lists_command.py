"""``build_registration_lists``: files in a folder, names, rows and totals printed."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests import workbooks as xl

pytestmark = pytest.mark.django_db


def test_the_command_writes_every_list_and_prints_its_figures(registered, tmp_path, capsys):
    call_command(
        "build_registration_lists", "--commune", "15307", "--month", "2027-01", "--out", tmp_path
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "ds-ncc-tu-nhan-15307-2027-01.xlsx\t2 dòng\t3.055.000 đ",
        "ds-ncc-nhan-thay-15307-2027-01.xlsx\t1 dòng\t1.500.000 đ",
    ]
    # Three files; the three lists nobody is on are named, with no file.
    assert len(lines) == 6
    assert sum("Không có đối tượng nào trong danh sách tháng 01/2027" in li for li in lines) == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3
    ws = load_workbook(tmp_path / "ds-btxh-tu-nhan-15307-2027-01.xlsx")["Danh sách"]
    assert [row[1] for row in xl.table(ws)[:2]] == ["Hoàng Văn Giang", "Ngô Thị Hà"]


def test_an_unknown_commune_is_a_clear_error(reference_data, tmp_path):
    with pytest.raises(CommandError, match="Không có xã mã 99999"):
        call_command(
            "build_registration_lists",
            "--commune",
            "99999",
            "--month",
            "2027-01",
            "--out",
            tmp_path,
        )


@pytest.mark.parametrize("month", ["2027-13", "01/2027", "2027"])
def test_a_bad_month_is_a_clear_error(commune, tmp_path, month):
    with pytest.raises(CommandError, match="Tháng không hợp lệ"):
        call_command(
            "build_registration_lists", "--commune", "15307", "--month", month, "--out", tmp_path
        )


def test_the_command_exits_non_zero_on_error(commune, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "build_registration_lists", "--commune", "00000",
         "--month", "x", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Tháng không hợp lệ" in result.stderr
