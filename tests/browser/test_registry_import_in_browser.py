"""The officer imports three people with their start months, then finds them in the
registry list, sorts it, pages through it, opens one and comes back to the same
list, in Debian's Chromium at 1366×768 and 390×844. Screenshots go to
``SCREENSHOT_DIR`` (or the pytest temporary folder) for a look."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from beneficiaries.models import Beneficiary, Category, ImportBatch, Person, Village
from desk.reference import load_reference_data
from tests.browser.pages import fits as _no_sideways_scroll
from tests.factories import UserFactory
from tests.importer.workbooks import STANDARD_HEADER, data_row, write_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
VILLAGE = "Yên Lạc"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

IMPORTED = {
    # CCCD: (name, birth, start month typed in the file)
    "038031000111": ("Đinh Văn Khải", "01/02/1931", "03/2026"),
    "038132000222": ("Bùi Thị Lụa", "05/06/1932", "11/2026"),
    "038033000333": ("Vũ Văn Mạnh", "09/10/1933", datetime.datetime(2026, 10, 1)),  # noqa: DTZ001
}


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


@pytest.fixture
def registry(commune):
    """The reference data, the officer, and sixty people of Yên Lạc born after 1940."""
    load_reference_data()
    UserFactory(username="canbo", role="labour_officer", communes=[commune])
    village = Village.objects.create(commune=commune, name=VILLAGE)
    category = Category.objects.get(code="NCC_G")
    people = []
    for n in range(60):
        person = Person(
            commune=commune,
            village=village,
            full_name=f"Hoàng Văn Số {n:02d}",
            birth_date=datetime.date(1941 + n % 20, 1 + n % 12, 1),
            gender=Person.Gender.MALE,
        )
        person.normalize_fields()
        people.append(person)
    for person in Person.objects.bulk_create(people):
        Beneficiary.objects.create(
            person=person,
            commune=commune,
            programme=category.programme,
            category=category,
            start_month=datetime.date(2024, 1, 1),
        )
    return village


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "ba-nguoi-moi.xlsx"
    rows = [
        [
            *data_row(
                row_number=n,
                full_name=name,
                birth_date=birth,
                gender="Nữ" if personal_id[3] == "1" else "Nam",
                personal_id=personal_id,
                village=VILLAGE,
                decision_number=f"{n}/QĐ-UBND",
            ),
            start,
        ]
        for n, (personal_id, (name, birth, start)) in enumerate(IMPORTED.items(), start=1)
    ]
    write_workbook(path, rows, header=[*STANDARD_HEADER, "Tháng bắt đầu hưởng"])
    return path


def test_the_officer_imports_then_finds_sorts_pages_and_comes_back(
    browser, live_server, registry, workbook, tmp_path
):
    shots = _shots(tmp_path)
    context, page = _login(browser, live_server, DESKTOP)

    # Upload, look at the preview, confirm.
    page.goto("/nhap-danh-sach/")
    page.set_input_files("#id_file", str(workbook))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Đã kiểm tra, chờ xác nhận")
    expect(page.get_by_test_id("import-totals")).to_have_text(
        "Các dòng không lỗi: 3 người, 3 diện hưởng, tổng mức hằng tháng 6.165.000 đ."
    )
    expect(page.get_by_test_id("start-month")).to_have_text(["03/2026", "11/2026", "10/2026"])
    expect(page.locator("table.list").last).to_contain_text("Thương binh")
    expect(page.locator("table.list").last).to_contain_text("2.055.000 đ")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "import-preview-1366.png"), full_page=True)
    page.get_by_role("button", name="Xác nhận ghi 3 dòng vào sổ").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Đã ghi vào sổ")
    assert ImportBatch.objects.get().status == ImportBatch.Status.COMMITTED
    starts = dict(
        Beneficiary.objects.filter(person__personal_id__in=IMPORTED).values_list(
            "person__personal_id", "start_month"
        )
    )
    assert starts == {
        "038031000111": datetime.date(2026, 3, 1),
        "038132000222": datetime.date(2026, 11, 1),
        "038033000333": datetime.date(2026, 10, 1),
    }

    # Find one by CCCD: the number never reaches the address.
    page.goto("/doi-tuong/")
    page.fill("#id_q", "038132000222")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 1–1 trong 1")
    expect(page.locator("table.list tbody")).to_contain_text("Bùi Thị Lụa")
    assert "038132000222" not in page.url
    assert "tim=" in page.url

    # The village's list, sorted by birth date from the oldest back to the youngest and back.
    page.get_by_role("link", name="Bỏ lọc").click()
    page.select_option("#id_village", label=VILLAGE)
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 1–50 trong 63")
    page.locator("th a[data-sort=ngay-sinh]").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Ngày sinh")
    first_row = page.locator("table.list tbody tr").first
    expect(first_row).to_contain_text("Đinh Văn Khải")
    page.locator("th a[data-sort=ngay-sinh]").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("▼")
    expect(first_row).not_to_contain_text("Đinh Văn Khải")
    page.screenshot(path=str(shots / "registry-sorted-1366.png"), full_page=True)

    # The imported, oldest, are on the second page of the descending order.
    page.locator("nav.pager").get_by_role("link", name="Trang 2").click()
    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 51–63 trong 63")
    expect(page.locator("nav.pager [aria-current=page]")).to_have_text("2")
    listed = page.url
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "registry-page-2-1366.png"), full_page=True)
    page.get_by_role("link", name="Bùi Thị Lụa").click()
    expect(page.locator("h1")).to_contain_text("Bùi Thị Lụa")
    expect(page.locator("table.list").first).to_contain_text("11/2026")
    page.screenshot(path=str(shots / "person-1366.png"), full_page=True)

    page.get_by_test_id("back-to-list").click()
    assert parse_qs(urlsplit(page.url).query) == parse_qs(urlsplit(listed).query)
    assert parse_qs(urlsplit(page.url).query)["sap"] == ["-ngay-sinh"]
    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 51–63 trong 63")
    expect(page.locator("#id_village option:checked")).to_have_text(VILLAGE)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Ngày sinh")
    context.close()


def test_the_registry_and_the_import_fit_a_phone(
    browser, live_server, registry, workbook, tmp_path
):
    shots = _shots(tmp_path)
    context, page = _login(browser, live_server, PHONE)

    page.goto("/nhap-danh-sach/")
    _no_sideways_scroll(page)
    page.set_input_files("#id_file", str(workbook))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Đã kiểm tra, chờ xác nhận")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "import-preview-390.png"), full_page=True)
    page.get_by_role("button", name="Xác nhận ghi 3 dòng vào sổ").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Đã ghi vào sổ")
    assert Beneficiary.objects.get(person__personal_id="038031000111").start_month == (
        datetime.date(2026, 3, 1)
    )

    page.goto("/doi-tuong/?sap=-thon&page=2")
    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 51–63 trong 63")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "registry-390.png"), full_page=True)
    page.locator("table.list tbody a").first.click()
    _no_sideways_scroll(page)
    page.get_by_test_id("back-to-list").click()
    assert parse_qs(urlsplit(page.url).query) == {"sap": ["-thon"], "page": ["2"]}
    context.close()
