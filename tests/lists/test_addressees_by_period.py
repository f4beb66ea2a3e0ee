"""The lists and the monthly report are addressed to the offices in force in
their month: the district's Phòng LĐTBXH before 07/2025, the provincial Sở since."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from openpyxl import load_workbook

from beneficiaries.models import Programme, ProgrammeSetting
from documents.models import GeneratedFile
from documents.official import addressees
from registration.listfiles import build_registration_lists_now
from reports.monthly import write_monthly_report
from tests import workbooks as xl

pytestmark = pytest.mark.django_db

SELF = GeneratedFile.Kind.REGISTRATION_SELF
JUNE_2025 = datetime.date(2025, 6, 1)
DECEMBER_2026 = datetime.date(2026, 12, 1)
DISTRICT_OFFICE = "Phòng Lao động - Thương binh và Xã hội huyện"


def _addressed(commune, period: datetime.date, today: datetime.date) -> dict[str, list[str]]:
    files = build_registration_lists_now(commune, period, today=today)
    lists = {}
    for generated in files:
        if generated.kind != SELF:
            continue
        with generated.file.open("rb") as handle:
            ws = load_workbook(handle)["Danh sách"]
        lists[generated.programme.code] = [
            t for t in xl.heading_texts(ws) if t.startswith("Kính gửi")
        ]
    return lists


def test_a_list_of_june_2025_goes_to_the_district_office(registered):
    commune = registered["an"].beneficiary.commune
    lists = _addressed(commune, JUNE_2025, datetime.date(2025, 6, 3))
    assert lists == {
        "NCC": [f"Kính gửi: {DISTRICT_OFFICE}"],
        "BTXH": [f"Kính gửi: {DISTRICT_OFFICE}"],
    }


def test_a_list_of_december_2026_goes_to_the_provincial_sở(registered):
    commune = registered["an"].beneficiary.commune
    lists = _addressed(commune, DECEMBER_2026, datetime.date(2026, 12, 3))
    assert lists == {"NCC": ["Kính gửi: Sở Nội vụ"], "BTXH": ["Kính gửi: Sở Y tế"]}


def _report_addressees(commune, period: datetime.date, dated: datetime.date) -> list[str]:
    out = io.BytesIO()
    write_monthly_report(out, commune=commune, period=period, dated=dated)
    out.seek(0)
    texts = xl.heading_texts(openpyxl.load_workbook(out)["Tổng hợp"])
    start = next(i for i, t in enumerate(texts) if t.startswith("Kính gửi"))
    return texts[start : start + 3]


def test_the_monthly_report_is_addressed_by_the_month_it_reports(registered):
    commune = registered["an"].beneficiary.commune
    # One office for both programmes in 06/2025: named once.
    assert _report_addressees(commune, JUNE_2025, datetime.date(2025, 6, 3))[0] == (
        f"Kính gửi: {DISTRICT_OFFICE}"
    )
    assert _report_addressees(commune, DECEMBER_2026, datetime.date(2026, 12, 3)) == [
        "Kính gửi:",
        "- Sở Nội vụ",
        "- Sở Y tế",
    ]


def test_a_communes_own_setting_changes_its_addressee_only(reference_data, commune, other_commune):
    ncc = Programme.objects.get(code="NCC")
    ProgrammeSetting.objects.create(
        programme=ncc,
        commune=commune,
        valid_from=datetime.date(2026, 1, 1),
        receiving_office="Sở Nội vụ tỉnh Thanh Hóa",
        deciding_authority="Sở Nội vụ",
        payment_agency="Bưu điện tỉnh",
    )
    assert addressees(commune, [ncc], DECEMBER_2026) == ["Sở Nội vụ tỉnh Thanh Hóa"]
    assert addressees(other_commune, [ncc], DECEMBER_2026) == ["Sở Nội vụ"]
    assert addressees(commune, [ncc], JUNE_2025) == [DISTRICT_OFFICE]


def test_the_commune_receiving_its_own_lists_is_not_addressed(reference_data, commune):
    btxh = Programme.objects.get(code="BTXH")
    ProgrammeSetting.objects.create(
        programme=btxh,
        commune=commune,
        valid_from=datetime.date(2026, 1, 1),
        receiving_office="Ủy ban nhân dân xã",
        deciding_authority="Chủ tịch Ủy ban nhân dân xã",
        payment_agency="Bưu điện tỉnh",
    )
    assert addressees(commune, [btxh], DECEMBER_2026) == []
