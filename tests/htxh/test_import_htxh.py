"""Hưu trí xã hội through the import: optional columns for the declared conditions
(the layout without them stays valid), the amount, and the same refusals row by row."""

from __future__ import annotations

import datetime

import pytest

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, EnrolmentCondition, ImportBatch
from desk.importer.service import create_batch, run_import
from tests.factories import BeneficiaryFactory
from tests.htxh.conftest import elder
from tests.importer.workbooks import STANDARD_HEADER, data_row, write_workbook

pytestmark = pytest.mark.django_db
D = datetime.date
JULY_DAY = D(2025, 7, 20)
HEADER = [
    *STANDARD_HEADER,
    "Giấy tờ không hưởng lương hưu",
    "Ngày giấy tờ không hưởng lương hưu",
    "Giấy chứng nhận hộ nghèo/cận nghèo",
    "Ngày giấy chứng nhận hộ nghèo/cận nghèo",
]


def htxh_row(*conditions, **values):
    row = data_row(
        **{
            "full_name": "Phạm Thị Mai",
            "birth_date": "02/02/1948",
            "gender": "Nữ",
            "personal_id": "038148000777",
            "programme": "HTXH",
            "category": "HTXH_75",
            "amount": "500.000",
            **values,
        }
    )
    return [*row, *conditions]


def run(tmp_path, commune, officer, rows, *, today=JULY_DAY, header=HEADER):
    path = tmp_path / "htxh.xlsx"
    first = write_workbook(path, rows, header=header)
    with open(path, "rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=officer)
    return first, run_import(batch, actor=officer, commit=True, today=today)


def errors(batch) -> list[tuple[int, str, str]]:
    return [
        (issue["row"], issue["column"], issue["message"])
        for issue in batch.issues
        if issue["level"] == "error"
    ]


def test_an_import_enrols_with_the_document_and_500_000_đ_from_july_2025(
    reference_data, tmp_path, commune, officer
):
    _first, batch = run(
        tmp_path, commune, officer, [htxh_row("Tờ khai số 7", "03/07/2025", None, None)]
    )

    assert batch.status == ImportBatch.Status.COMMITTED, errors(batch)
    enrolment = Beneficiary.objects.get()
    assert (enrolment.category.code, enrolment.start_month) == ("HTXH_75", D(2025, 7, 1))
    assert list(enrolment.entitlements.values_list("from_month", "basis", "amount")) == [
        (D(2025, 7, 1), Entitlement.Basis.COEFFICIENT, 500_000)
    ]
    condition = EnrolmentCondition.objects.get()
    assert (condition.person, condition.document, condition.document_date) == (
        enrolment.person,
        "Tờ khai số 7",
        D(2025, 7, 3),
    )
    assert condition.valid_from == D(2025, 7, 1)
    assert condition.history.get().history_user == officer


def test_without_the_document_the_row_is_refused_and_nothing_written(
    reference_data, tmp_path, commune, officer
):
    first, batch = run(tmp_path, commune, officer, [htxh_row(None, None, None, None)])

    assert batch.status == ImportBatch.Status.INVALID
    assert errors(batch) == [
        (
            first,
            "Diện đối tượng",
            "Diện “Từ đủ 75 tuổi” cần giấy tờ xác nhận “Không hưởng lương hưu hoặc trợ cấp "
            "BHXH hằng tháng” còn hiệu lực trong tháng 07/2025: ghi giấy tờ và ngày của giấy tờ.",
        )
    ]
    assert not Beneficiary.objects.exists() and not EnrolmentCondition.objects.exists()


def test_the_old_layout_without_the_columns_still_imports_other_programmes(
    reference_data, tmp_path, commune, officer
):
    _first, batch = run(tmp_path, commune, officer, [data_row()], header=STANDARD_HEADER)

    assert batch.status == ImportBatch.Status.COMMITTED, errors(batch)
    assert Beneficiary.objects.get().category.code == "NCC_G"


def test_a_document_without_its_date_is_refused(reference_data, tmp_path, commune, officer):
    first, batch = run(tmp_path, commune, officer, [htxh_row("Tờ khai số 7", None, None, None)])

    assert (
        first,
        "Ngày giấy tờ không hưởng lương hưu",
        "Ghi ngày của giấy tờ “Tờ khai số 7”.",
    ) in (errors(batch))


def test_too_young_by_a_year_only_birth_is_refused(reference_data, tmp_path, commune, officer):
    first, batch = run(
        tmp_path,
        commune,
        officer,
        [
            htxh_row(
                "Tờ khai", "03/07/2025", None, None, birth_date="1951", personal_id="038151000777"
            )
        ],
    )

    assert [(row, message) for row, _column, message in errors(batch)] == [
        (
            first,
            "Phạm Thị Mai (sinh năm 1951) đến tháng 07/2025 mới 74 tuổi: diện “Từ đủ 75 tuổi” "
            "dành cho người từ đủ 75 tuổi.",
        )
    ]


def test_hưu_trí_xã_hội_in_an_import_of_june_2025_is_refused(
    reference_data, tmp_path, commune, officer
):
    _first, batch = run(
        tmp_path,
        commune,
        officer,
        [htxh_row("Tờ khai", "03/06/2025", None, None)],
        today=D(2025, 6, 15),
    )

    assert "chỉ có từ tháng 07/2025" in errors(batch)[0][2]


def test_k5c_already_held_is_refused_on_the_row(reference_data, tmp_path, commune, officer, k5c):
    person = elder(commune, born=D(1948, 2, 2), full_name="Phạm Thị Mai", gender="F")
    person.personal_id = "038148000777"
    person.save()
    BeneficiaryFactory(person=person, category=k5c, start_month=D(2024, 7, 1))

    _first, batch = run(
        tmp_path, commune, officer, [htxh_row("Tờ khai số 7", "03/07/2025", None, None)]
    )

    assert "đang hưởng diện “Người cao tuổi từ 80 không lương hưu”" in errors(batch)[0][2]
    assert Beneficiary.objects.count() == 1


def test_k5c_and_hưu_trí_xã_hội_in_the_same_file_are_refused(
    reference_data, tmp_path, commune, officer
):
    k5c_row = htxh_row(
        None, None, None, None, programme="BTXH", category="BTXH_K5C", amount="500.000"
    )
    first, batch = run(
        tmp_path, commune, officer, [k5c_row, htxh_row("Tờ khai số 7", "03/07/2025", None, None)]
    )

    assert [row for row, _c, _m in errors(batch)] == [first + 1]
    assert not Beneficiary.objects.exists()
