"""The import service: validate everything, then write atomically; re-import is a no-op."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, ImportBatch, Person, Representative, Village
from desk.exporter import write_registry
from desk.importer.errorfile import RESULT_HEADER, write_error_file
from desk.importer.service import create_batch, request_commit, run_import
from registration.models import PaymentMethodRegistration
from registration.services import register_payment_method
from tests.factories import PersonFactory
from tests.importer.workbooks import TODAY, account_row, data_row, write_workbook

pytestmark = pytest.mark.django_db


def _import(path, commune, actor=None, *, commit=True, today=TODAY):
    with open(path, "rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=actor)
    return run_import(batch, actor=actor, commit=commit, today=today)


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Beneficiary.objects.count(),
        Entitlement.objects.count(),
        Representative.objects.count(),
        PaymentAccount.objects.count(),
        PaymentMethodRegistration.objects.count(),
        Village.objects.count(),
        Person.history.count(),
    )


ROWS = [
    data_row(),
    account_row(
        full_name="Lê Thị Hoa",
        birth_date="1938",
        gender="Nữ",
        personal_id="038138000111",
        village="Yên Bình",
        programme="BTXH",
        category="BTXH_K6_N_TE_NCT",
        amount="1.000.000",
        account_number="3508205000111",
        account_holder="LE THI HOA",
    ),
    account_row(
        full_name="Trần Văn Ba",
        birth_date="05/05/1945",
        personal_id="038045000222",
        category="Thân nhân liệt sĩ",
        amount="2.789.000 đ",
        receiver_kind="Ủy quyền",
        rep_name="Trần Thị Bốn",
        rep_personal_id="038185000333",
        relationship="Con gái",
        account_number="3508205000333",
        account_holder="TRAN THI BON",
    ),
]


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    write_workbook(path, ROWS)
    return path


def test_a_clean_file_is_written_with_people_accounts_and_registrations(
    reference_data, commune, officer, workbook
):
    batch = _import(workbook, commune, officer)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert (batch.rows_total, batch.created_count, batch.error_count) == (3, 3, 0)
    hoa = Person.objects.get(personal_id="038138000111")
    assert hoa.birth_date is None and hoa.birth_year == 1938
    assert hoa.village.name == "Yên Bình"
    enrolment = hoa.enrolments.get()
    assert enrolment.category.code == "BTXH_K6_N_TE_NCT"
    assert enrolment.start_month == datetime.date(2025, 6, 1)
    entitlement = enrolment.entitlements.get()
    assert (entitlement.amount, entitlement.basis, str(entitlement.coefficient)) == (
        1_000_000,
        Entitlement.Basis.COEFFICIENT,
        "2.00",
    )
    registration = enrolment.registrations.get(is_current=True)
    assert registration.method == "account"
    assert registration.account.number == "3508205000111"
    assert registration.account.holder == hoa
    ba = Person.objects.get(personal_id="038045000222")
    rep = ba.representatives.get()
    assert rep.person.full_name == "Trần Thị Bốn"
    assert rep.person.birth_year == 1985 and rep.person.gender == "F"
    ba_registration = ba.enrolments.get().registrations.get()
    assert ba_registration.representative == rep
    assert ba_registration.account.holder == rep.person
    assert set(batch.summary["new_villages"]) == {"Yên Lạc", "Yên Bình"}


def test_every_written_record_carries_the_import_in_its_history(
    reference_data, commune, officer, workbook
):
    batch = _import(workbook, commune, officer)
    record = Person.history.filter(personal_id="038050001234").get()
    assert record.history_user == officer
    assert f"#{batch.pk}" in record.history_change_reason
    assert batch.checksum[:12] in record.history_change_reason
    assert (
        PaymentAccount.history.filter(history_change_reason__contains=f"#{batch.pk}").count() == 2
    )


def test_reimporting_the_same_file_changes_nothing(reference_data, commune, officer, workbook):
    _import(workbook, commune, officer)
    before = _counts()
    again = _import(workbook, commune, officer)
    assert again.status == ImportBatch.Status.COMMITTED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert _counts() == before


def test_an_edited_file_updates_what_changed_and_says_what(
    reference_data, commune, officer, tmp_path, workbook
):
    _import(workbook, commune, officer)
    edited = tmp_path / "sua.xlsx"
    rows = list(ROWS)
    rows[0] = data_row(amount=2_789_000, village="Yên Bình", phone="0912345678")
    rows[1] = data_row(
        full_name="Lê Thị Hoa",
        birth_date="1938",
        gender="Nữ",
        personal_id="038138000111",
        village="Yên Bình",
        programme="BTXH",
        category="BTXH_K6_N_TE_NCT",
        amount="1.000.000",
        method="Tiền mặt",
    )
    write_workbook(edited, rows)
    batch = _import(edited, commune, officer)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 2, 1)
    changes = {r[3]: r[5] for r in batch.summary["rows"]}
    assert "Mức hằng tháng: 2.055.000 đ → 2.789.000 đ" in changes["038050001234"]
    assert "Thôn: Yên Lạc → Yên Bình" in changes["038050001234"]
    assert "Hình thức nhận: Qua tài khoản → Tiền mặt tại điểm chi trả" in changes["038138000111"]
    an = Person.objects.get(personal_id="038050001234")
    assert an.phone == "0912345678"
    # Same month: the entitlement of the month is corrected in place, not duplicated.
    assert an.enrolments.get().entitlements.get().amount == 2_789_000
    hoa = Beneficiary.objects.get(person__personal_id="038138000111")
    assert hoa.registrations.get(is_current=True).method == "cash"


def test_a_change_in_a_later_month_keeps_the_earlier_amount_and_registration(
    reference_data, commune, officer, tmp_path, workbook
):
    _import(workbook, commune, officer)
    edited = tmp_path / "thang-sau.xlsx"
    write_workbook(edited, [data_row(amount=2_789_000, method="Tại nhà"), *ROWS[1:]])
    batch = _import(edited, commune, officer, today=datetime.date(2025, 8, 3))
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    enrolment = Beneficiary.objects.get(person__personal_id="038050001234")
    assert list(enrolment.entitlements.order_by("from_month").values_list("amount", flat=True)) == [
        2_055_000,
        2_789_000,
    ]
    assert enrolment.registrations.count() == 2
    assert enrolment.registrations.get(is_current=True).method == "home"


def test_any_error_writes_nothing(reference_data, commune, officer, tmp_path):
    path = tmp_path / "loi.xlsx"
    first = write_workbook(
        path, [*ROWS, data_row(personal_id="038050009", full_name="Phạm Văn Lỗi")]
    )
    before = _counts()
    batch = _import(path, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.error_count >= 1
    assert _counts() == before
    # The preview lists every row in file order, the refused one included.
    assert [(r[1], r[4]) for r in batch.summary["rows"]] == [
        (first, "new"),
        (first + 1, "new"),
        (first + 2, "new"),
        (first + 3, "error"),
    ]


def test_an_id_known_with_another_name_is_an_error(reference_data, commune, officer, workbook):
    PersonFactory(commune=commune, personal_id="038050001234", full_name="Hoàng Văn Khác")
    before = _counts()
    batch = _import(workbook, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    messages = [i["message"] for i in batch.issues if i["level"] == "error"]
    assert any("họ tên khác" in m and "Hoàng Văn Khác" in m for m in messages)
    assert _counts() == before


def test_an_id_of_another_commune_is_refused_without_naming_the_person(
    reference_data, commune, other_commune, officer, workbook
):
    PersonFactory(commune=other_commune, personal_id="038050001234", full_name="Nguyễn Văn An")
    batch = _import(workbook, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    error = next(i for i in batch.issues if i["level"] == "error")
    assert "xã khác" in error["message"]
    assert "Nguyễn Văn An" not in error["message"]
    assert other_commune.name not in error["message"]


def test_an_account_of_another_person_is_refused(reference_data, commune, officer, workbook):
    stranger = PersonFactory(commune=commune, personal_id="038070000999", full_name="Đỗ Văn Lạ")
    PaymentAccount.objects.create(
        holder=stranger,
        bank=Bank.objects.get(bin="970405"),
        number="3508205000111",
        holder_name="DO VAN LA",
    )
    before = _counts()
    batch = _import(workbook, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    assert any(i["column"] == "Số tài khoản" and "người khác" in i["message"] for i in batch.issues)
    assert _counts() == before


def test_a_dry_run_validates_without_writing(reference_data, commune, officer, workbook):
    before = _counts()
    batch = _import(workbook, commune, officer, commit=False)
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.created_count == 3
    assert _counts() == before


def test_confirming_twice_is_refused_the_second_time(reference_data, commune, officer, workbook):
    batch = _import(workbook, commune, officer, commit=False)
    request_commit(batch, actor=officer)
    with pytest.raises(Exception, match="không thể xác nhận"):
        request_commit(batch, actor=officer)


def test_the_export_reimports_with_no_change(reference_data, commune, officer, workbook, tmp_path):
    _import(workbook, commune, officer)
    exported = tmp_path / "xuat.xlsx"
    with exported.open("wb") as handle:
        rows = write_registry(handle, commune, on=TODAY)
    assert rows == 3
    before = _counts()
    batch = _import(exported, commune, officer)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 0, 3)
    assert _counts() == before


JULY = datetime.date(2025, 7, 1)


def _register_in_july(officer, personal_id: str, method: str = "cash"):
    enrolment = Beneficiary.objects.get(person__personal_id=personal_id)
    return register_payment_method(
        enrolment, method=method, from_month=JULY, requested_on=TODAY, actor=officer
    )


def test_the_export_shows_this_months_registration_and_reimports_with_no_change(
    reference_data, commune, officer, workbook, tmp_path
):
    """Lê Thị Hoa is paid into her account in June and asked for cash from July: the
    export says "account" (what June's cycle pays), and importing it again keeps July's."""
    _import(workbook, commune, officer)
    july = _register_in_july(officer, "038138000111")
    exported = tmp_path / "xuat.xlsx"
    with exported.open("wb") as handle:
        write_registry(handle, commune, on=TODAY)
    ws = load_workbook(exported).active
    hoa = next(row for row in ws.iter_rows(values_only=True) if "Lê Thị Hoa" in row)
    assert "Tài khoản" in hoa and "3508205000111" in hoa

    before = _counts()
    batch = _import(exported, commune, officer)

    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 0, 3)
    assert _counts() == before
    july.refresh_from_db()
    assert july.is_current


def test_a_row_that_changes_this_month_is_refused_when_a_later_registration_exists(
    reference_data, commune, officer, workbook, tmp_path
):
    _import(workbook, commune, officer)
    _register_in_july(officer, "038050001234", method="home")
    changed = tmp_path / "doi.xlsx"
    write_workbook(changed, [account_row(), *ROWS[1:]])

    batch = _import(changed, commune, officer)

    assert batch.status == ImportBatch.Status.INVALID
    assert any("từ tháng 07/2025" in message for message in _errors(batch))
    assert (
        PaymentMethodRegistration.objects.get(
            beneficiary__person__personal_id="038050001234", is_current=True
        ).from_month
        == JULY
    )


def test_an_enrolment_registered_only_from_next_month_reimports_as_cash_with_no_change(
    reference_data, commune, officer, tmp_path
):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row()])
    _import(path, commune, officer)
    enrolment = Beneficiary.objects.get()
    PaymentMethodRegistration.objects.filter(beneficiary=enrolment).delete()
    register_payment_method(
        enrolment, method="home", from_month=JULY, requested_on=TODAY, actor=officer
    )

    batch = _import(path, commune, officer)

    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert batch.unchanged_count == 1
    assert PaymentMethodRegistration.objects.get(beneficiary=enrolment).from_month == JULY


def test_the_error_file_adds_a_result_column_next_to_the_original_rows(
    reference_data, commune, officer, tmp_path
):
    path = tmp_path / "loi.xlsx"
    first = write_workbook(
        path, [data_row(), data_row(personal_id="12345", full_name="Phạm Văn Lỗi")]
    )
    batch = _import(path, commune, officer)
    buffer = io.BytesIO()
    write_error_file(batch, buffer)
    buffer.seek(0)
    ws = load_workbook(buffer).active
    result_col = ws.max_column
    assert ws.cell(row=1, column=result_col).value == RESULT_HEADER
    assert ws.cell(row=first + 1, column=2).value == "Phạm Văn Lỗi"
    assert "12 chữ số" in ws.cell(row=first + 1, column=result_col).value
    assert ws.cell(row=first, column=result_col).value is None


def test_the_command_prints_a_summary_and_fails_on_errors(
    reference_data, commune, tmp_path, capsys, workbook
):
    call_command("import_registry", str(workbook), "--commune", commune.code, "--dry-run")
    out = capsys.readouterr().out
    assert "Dòng: 3; mới: 3" in out
    assert "chưa ghi gì" in out
    assert Person.objects.count() == 0
    bad = tmp_path / "bad.xlsx"
    write_workbook(bad, [data_row(personal_id="12345")])
    with pytest.raises(Exception, match="1 lỗi"):
        call_command("import_registry", str(bad), "--commune", commune.code)
    assert "LỖI" in capsys.readouterr().err
    call_command("import_registry", str(workbook), "--commune", commune.code)
    assert Person.objects.count() == 4  # three beneficiaries and one representative


def test_reading_in_a_child_process_gives_the_same_result(
    reference_data, commune, officer, workbook, tmp_path
):
    with open(workbook, "rb") as handle:
        batch = create_batch(handle, name="ds.xlsx", commune=commune, actor=officer)
    batch = run_import(batch, actor=officer, commit=True, today=TODAY, parallel=True)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert (batch.rows_total, batch.created_count) == (3, 3)
    assert Person.objects.count() == 4
    bad = tmp_path / "loi.xlsx"
    write_workbook(bad, [data_row(full_name="Nguyễn Văn Khác"), data_row(personal_id="12345")])
    with open(bad, "rb") as handle:
        again = create_batch(handle, name="loi.xlsx", commune=commune, actor=officer)
    again = run_import(again, actor=officer, commit=True, today=TODAY, parallel=True)
    assert again.status == ImportBatch.Status.INVALID
    assert Person.objects.get(personal_id="038050001234").full_name == "Nguyễn Văn An"


def test_a_corrupt_file_read_in_a_child_process_is_reported(reference_data, commune, tmp_path):
    fake = tmp_path / "hong.xlsx"
    fake.write_bytes(b"PK\x03\x04 this is not really a zip")
    with open(fake, "rb") as handle:
        batch = create_batch(handle, name=fake.name, commune=commune, actor=None)
    batch = run_import(batch, actor=None, commit=False, parallel=True)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.issues[0]["message"]


def test_an_error_in_a_later_chunk_rolls_back_the_rows_already_written(
    reference_data, commune, officer, tmp_path
):
    # More than one chunk of 1,000 sheet rows; the last row clashes with the database.
    rows = [
        data_row(full_name=f"Nguyễn Văn Số {n}", personal_id=f"0380500{n:05d}")
        for n in range(1, 1300)
    ]
    rows.append(data_row(full_name="Lê Thị Khác", personal_id="038150099999"))
    PersonFactory(commune=commune, personal_id="038150099999", full_name="Hoàng Thị Có")
    path = tmp_path / "lon.xlsx"
    write_workbook(path, rows)
    before = _counts()
    batch = _import(path, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.rows_total == 1300
    assert _counts() == before


def _errors(batch) -> list[str]:
    return [i["message"] for i in batch.issues if i["level"] == "error"]


def test_a_dead_person_is_not_imported_again(reference_data, commune, officer, workbook):
    PersonFactory(
        commune=commune,
        personal_id="038050001234",
        full_name="Nguyễn Văn An",
        date_of_death=datetime.date(2024, 2, 1),
    )
    batch = _import(workbook, commune, officer)
    assert batch.status == ImportBatch.Status.INVALID
    assert any("đã mất ngày 01/02/2024" in m for m in _errors(batch))


def test_an_ended_enrolment_is_not_reopened_by_an_old_list(
    reference_data, commune, officer, workbook
):
    _import(workbook, commune, officer)
    Beneficiary.objects.filter(person__personal_id="038050001234").update(
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2025, 9, 1),
        end_reason=Beneficiary.EndReason.MOVED,
    )
    batch = _import(workbook, commune, officer, today=datetime.date(2025, 10, 2))
    assert batch.status == ImportBatch.Status.INVALID
    assert any("đã thôi hưởng diện này từ tháng 09/2025" in m for m in _errors(batch))


def test_two_rows_of_one_child_without_an_id_are_an_error(reference_data, commune, tmp_path):
    child = {
        "full_name": "Phạm Bé Na",
        "birth_date": "03/04/2020",
        "gender": "Nữ",
        "personal_id": None,
        "programme": "BTXH",
        "category": "BTXH_K1_4P",
        "amount": 750_000,
    }
    path = tmp_path / "tre.xlsx"
    write_workbook(path, [data_row(**child), data_row(**child)])
    batch = _import(path, commune)
    assert batch.status == ImportBatch.Status.INVALID
    assert any("cùng người, cùng diện hưởng" in m for m in _errors(batch))


def test_a_child_who_received_an_id_is_the_same_person(reference_data, commune, tmp_path):
    child = {
        "full_name": "Phạm Bé Na",
        "birth_date": "03/04/2020",
        "gender": "Nữ",
        "programme": "BTXH",
        "category": "BTXH_K1_4P",
        "amount": 750_000,
    }
    first = tmp_path / "truoc.xlsx"
    write_workbook(first, [data_row(**child, personal_id=None)])
    _import(first, commune)
    later = tmp_path / "sau.xlsx"
    write_workbook(later, [data_row(**child, personal_id="038320000555")])
    batch = _import(later, commune)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.issues
    assert Person.objects.get().personal_id == "038320000555"
    assert "Số CCCD: — → 038320000555" in batch.summary["rows"][0][5]


def test_a_year_alone_does_not_erase_a_known_birth_date(
    reference_data, commune, workbook, tmp_path
):
    _import(workbook, commune)
    year_only = tmp_path / "nam.xlsx"
    write_workbook(year_only, [data_row(birth_date="1950"), *ROWS[1:]])
    batch = _import(year_only, commune)
    assert batch.unchanged_count == 3
    assert Person.objects.get(personal_id="038050001234").birth_date == datetime.date(1950, 3, 12)


def test_a_representative_of_another_commune_is_refused_without_naming_them(
    reference_data, commune, other_commune, workbook
):
    PersonFactory(commune=other_commune, personal_id="038185000333", full_name="Trần Thị Bốn")
    batch = _import(workbook, commune)
    assert batch.status == ImportBatch.Status.INVALID
    message = next(m for m in _errors(batch) if "người nhận thay" in m.lower())
    assert "xã khác" in message and "Trần Thị Bốn" not in message


def test_text_that_looks_like_a_formula_survives_the_round_trip(reference_data, commune, tmp_path):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row(note="-chuyển từ xã khác", decision_number="=12/QĐ")])
    _import(path, commune)
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.note == "-chuyển từ xã khác"
    exported = tmp_path / "xuat.xlsx"
    with exported.open("wb") as handle:
        write_registry(handle, commune, on=TODAY)
    ws = load_workbook(exported).active
    assert "'-chuyển từ xã khác" in [c.value for row in ws.iter_rows() for c in row]
    again = _import(exported, commune)
    assert (again.status, again.unchanged_count) == (ImportBatch.Status.COMMITTED, 1), again.issues
