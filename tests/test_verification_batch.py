"""The batch exchange with the population database: out as .xlsx, results back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from beneficiaries.models import IdentityCheck, Person, Verification
from beneficiaries.models.checks import verification_of
from beneficiaries.services import record_check
from desk.verification import FileExchange
from tests import workbooks as xl
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(commune, police):
    an = PersonFactory(commune=commune, full_name="Nguyễn Văn An")
    binh = PersonFactory(commune=commune, full_name="Lê Văn Bình")
    cuc = PersonFactory(commune=commune, full_name="Trần Thị Cúc", gender=Person.Gender.FEMALE)
    dung = PersonFactory(commune=commune, full_name="Phạm Văn Dũng")
    done = PersonFactory(commune=commune, full_name="Đỗ Văn Xong")
    record_check(done, result=IdentityCheck.Result.MATCH, actor=police)
    return an, binh, cuc, dung, done


def _export(tmp_path, commune):
    path = tmp_path / "xac-thuc.xlsx"
    call_command("export_verification_batch", "--commune", commune.code, "--out", str(path))
    return path


def _fill(path, answers: dict[str, list]) -> None:
    """Write the police's answers next to each row (by name), as they would in Excel."""
    from openpyxl import load_workbook as open_rw

    workbook = open_rw(path)
    ws = workbook.active
    for row in ws.iter_rows(min_row=1):
        name = row[1].value
        if name in answers:
            for offset, value in enumerate(answers[name]):
                row[6 + offset].value = value
    workbook.save(path)


def test_the_batch_lists_everyone_not_verified(tmp_path, commune, people):
    path = _export(tmp_path, commune)
    ws = load_workbook(path).active
    names = [row[1] for row in ws.iter_rows(values_only=True)]
    assert {"Nguyễn Văn An", "Lê Văn Bình", "Trần Thị Cúc", "Phạm Văn Dũng"} <= set(names)
    assert "Đỗ Văn Xong" not in names


def test_the_batch_is_an_official_list_sent_to_the_commune_police(tmp_path, commune, people):
    ws = load_workbook(_export(tmp_path, commune)).active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    title = xl.find(ws, "DANH SÁCH ĐỀ NGHỊ XÁC THỰC THÔNG TIN VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ")
    addressed = xl.find(ws, xl.starting("Kính gửi"))
    assert addressed.value == f"Kính gửi: Công an xã {commune.name}"
    assert title.row < addressed.row < xl.header_row(ws, "Mã hồ sơ")
    # Signed by its preparer and the leader, who seals it.
    assert xl.has(ws, "NGƯỜI LẬP BIỂU") and xl.has(ws, "(Ký tên, đóng dấu)")
    assert not xl.has(ws, "KẾ TOÁN")


def test_the_round_trip_records_a_match_a_mismatch_a_not_found_and_a_death(
    tmp_path, commune, people, capsys
):
    an, binh, cuc, dung, _done = people
    path = _export(tmp_path, commune)
    _fill(
        path,
        {
            "Nguyễn Văn An": ["Khớp"],
            "Lê Văn Bình": ["Không khớp", "Ngày sinh", None, "15/03/1951"],
            "Trần Thị Cúc": ["Không tìm thấy"],
            "Phạm Văn Dũng": ["Đã chết", None, None, None, None, None, None, "Mất 02/2025"],
        },
    )
    call_command("import_verification_results", str(path))
    assert "Đã ghi 4 lần kiểm tra" in capsys.readouterr().out
    states = {
        p.full_name: verification_of(p, p.identity_checks.first()) for p in (an, binh, cuc, dung)
    }
    assert states == {
        "Nguyễn Văn An": Verification.VERIFIED,
        "Lê Văn Bình": Verification.MISMATCH,
        "Trần Thị Cúc": Verification.NOT_FOUND,
        "Phạm Văn Dũng": Verification.DEAD,
    }
    mismatch = binh.identity_checks.first()
    assert mismatch.differing_fields == ["birth_date"]
    assert mismatch.population_values == {"birth": "15/03/1951"}
    assert mismatch.source == IdentityCheck.Source.BATCH
    assert dung.identity_checks.first().note == "Mất 02/2025"


def test_any_bad_row_records_nothing(tmp_path, commune, people, capsys):
    path = _export(tmp_path, commune)
    _fill(
        path,
        {
            "Nguyễn Văn An": ["Khớp"],
            "Lê Văn Bình": ["Không khớp"],  # which field differs?
            "Trần Thị Cúc": ["Có lẽ"],
        },
    )
    before = IdentityCheck.objects.count()
    with pytest.raises(Exception, match="2 lỗi"):
        call_command("import_verification_results", str(path), "--commune", commune.code)
    err = capsys.readouterr().err
    assert "trường nào khác" in err and "«Có lẽ» không hợp lệ" in err
    assert IdentityCheck.objects.count() == before


def test_a_file_that_is_not_the_batch_is_refused(tmp_path, commune, people, capsys):
    bad = tmp_path / "khac.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(Exception, match="1 lỗi"):
        call_command("import_verification_results", str(bad))
    # The shared reader says what the file is and how to save it as .xlsx.
    assert "Tệp không phải bảng tính Excel .xlsx (tệp văn bản hoặc CSV)" in capsys.readouterr().err


def test_people_of_another_commune_are_refused(tmp_path, commune, other_commune, people, capsys):
    path = _export(tmp_path, commune)
    _fill(path, {"Nguyễn Văn An": ["Khớp"]})
    with pytest.raises(Exception, match="lỗi"):
        call_command("import_verification_results", str(path), "--commune", other_commune.code)
    assert "không có trong sổ của xã" in capsys.readouterr().err


def test_each_error_names_its_row_column_and_value(tmp_path, commune, people, police):
    path = _export(tmp_path, commune)
    _fill(path, {"Trần Thị Cúc": ["Có lẽ"], "Lê Văn Bình": ["Không khớp", "Tuổi"]})
    result = FileExchange().import_results(path, commune=commune, actor=police)
    rows = {row[1]: number for number, row in enumerate(_rows(path), start=1)}
    assert sorted((e.row, e.column, e.value) for e in result.errors) == sorted(
        [
            (rows["Trần Thị Cúc"], "Kết quả", "Có lẽ"),
            (rows["Lê Văn Bình"], "Trường khác", "Tuổi"),
            (rows["Lê Văn Bình"], "Trường khác", "Tuổi"),
        ]
    )
    assert {e.message for e in result.errors if e.column == "Trường khác"} >= {
        "Trường «Tuổi» không rõ."
    }


def test_a_returned_file_without_a_result_column_is_refused_naming_it(
    tmp_path, commune, people, police
):
    path = _export(tmp_path, commune)
    workbook = load_workbook(path)
    ws = workbook.active
    for row in ws.iter_rows():
        if row[6].value == "Kết quả":
            row[6].value = "Kết luận"
    workbook.save(path)
    result = FileExchange().import_results(path, commune=commune, actor=police)
    [error] = result.errors
    assert error.message == "Trang “Cần xác thực” thiếu cột bắt buộc: Kết quả."
    assert not IdentityCheck.objects.filter(source=IdentityCheck.Source.BATCH).exists()


def test_a_note_longer_than_the_record_holds_is_refused(tmp_path, commune, people, police):
    path = _export(tmp_path, commune)
    _fill(path, {"Nguyễn Văn An": ["Khớp", None, None, None, None, None, None, "x" * 301]})
    result = FileExchange().import_results(path, commune=commune, actor=police)
    [error] = result.errors
    assert (error.column, error.message) == ("Ghi chú", "Ô dài 301 ký tự, vượt giới hạn 300 ký tự.")
    assert error.value.endswith("…") and len(error.value) == 100


def _rows(path):
    return list(load_workbook(path).active.iter_rows(values_only=True))
