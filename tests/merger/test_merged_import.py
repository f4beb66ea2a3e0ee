"""Importing the old communes' own workbooks into the commune they merged into:
a "Xã cũ" column (or a sheet named after the old commune) says where a row comes
from, and a village name two old communes shared finds the renamed village."""

from __future__ import annotations

import pytest

from beneficiaries.models import Beneficiary, Person, Village
from desk.importer.service import create_batch, run_import
from desk.merger import merge_communes
from tests.factories import VillageFactory
from tests.importer.workbooks import STANDARD_HEADER, TODAY, data_row, write_workbook
from tests.merger.conftest import ON

pytestmark = pytest.mark.django_db


@pytest.fixture
def hatrung(commune, ha_dong, reference_data):
    VillageFactory(commune=commune, name="Thôn Đông")
    VillageFactory(commune=ha_dong, name="Thôn Đông")
    return merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    ).commune


def _import(path, commune):
    with open(path, "rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=None)
    return run_import(batch, actor=None, commit=True, today=TODAY)


def test_the_old_commune_column_finds_the_renamed_village(hatrung, tmp_path):
    path = tmp_path / "ha-trung.xlsx"
    rows = [
        [*data_row(village="Thôn Đông"), "Yến Sơn"],
        [
            *data_row(full_name="Lê Thị Hoa", personal_id="038160000123", village="Thôn Đông"),
            "15280",
        ],
    ]
    write_workbook(path, rows, header=[*STANDARD_HEADER, "Xã cũ"])
    batch = _import(path, hatrung)
    assert batch.status == "committed", batch.issues
    assert Person.objects.get(full_name="Nguyễn Văn An").village.name == "Thôn Đông (Yến Sơn)"
    assert Person.objects.get(full_name="Lê Thị Hoa").village.name == "Thôn Đông (Hà Đông)"
    assert Beneficiary.objects.filter(commune=hatrung).count() == 2
    assert not Village.objects.filter(name="Thôn Đông").exists()


def test_a_sheet_named_after_the_old_commune_says_the_same(hatrung, tmp_path):
    path = tmp_path / "yen-son.xlsx"
    write_workbook(path, [data_row(village="Thôn Đông")], sheet="Yến Sơn")
    batch = _import(path, hatrung)
    assert batch.status == "committed", batch.issues
    assert Person.objects.get().village.name == "Thôn Đông (Yến Sơn)"


def test_an_old_commune_that_did_not_merge_here_is_an_error_on_its_row(hatrung, tmp_path):
    path = tmp_path / "sai.xlsx"
    write_workbook(
        path, [[*data_row(village="Thôn Đông"), "Hà Ngọc"]], header=[*STANDARD_HEADER, "Xã cũ"]
    )
    batch = _import(path, hatrung)
    assert batch.status == "invalid"
    [issue] = batch.issues
    assert issue["column"] == "Xã cũ" and issue["value"] == "Hà Ngọc"
    assert issue["message"].startswith("“Hà Ngọc” không phải một xã đã sáp nhập vào Xã Hà Trung")
    assert "Hà Đông (15280), Yến Sơn (15307)" in issue["message"]
    assert not Person.objects.exists()
