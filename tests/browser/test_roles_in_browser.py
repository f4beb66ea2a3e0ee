"""Each role, logged in through the real form in Debian's Chromium, sees only what it may.

The browser comes from ``conftest.py``: every row a test needs is created
before its page opens.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Bank
from amounts.models import Entitlement
from beneficiaries.models import Category, Person
from core import roles
from desk.reference import load_reference_data
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BeneficiaryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-registry.png"
AMOUNT_HEADER = "Mức hằng tháng"


@pytest.fixture
def open_page(browser, live_server):
    """A fresh context per test (no cookies shared), at the size asked for."""
    contexts = []

    def open_page(width: int = 1366, height: int = 768):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            locale="vi-VN",
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _log_in(page, username: str) -> None:
    page.goto("/dang-nhap/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def _log_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/dang-nhap/$"))
    expect(page.locator("h1")).to_have_text("Đăng nhập")


def _nav(page) -> list[str]:
    # textContent: the links inside a closed group are in the page but not drawn.
    return [text.strip() for text in page.locator("nav.nav a").all_text_contents()]


@pytest.fixture
def registry(commune, other_commune):
    """A person with an amount and an account here, and one in another commune."""
    load_reference_data()
    for name, where, number in [
        ("Nguyễn Thị Hằng", commune, "3505205000123"),
        ("Trần Văn Khác", other_commune, "3505205000999"),
    ]:
        person = PersonFactory(commune=where, full_name=name, personal_id=None)
        beneficiary = BeneficiaryFactory(
            person=person, category=Category.objects.get(code="NCC_TN")
        )
        Entitlement.objects.create(
            beneficiary=beneficiary,
            from_month=datetime.date(2024, 7, 1),
            basis=Entitlement.Basis.FIXED,
            amount=2_789_000,
        )
        account = PaymentAccountFactory(
            holder=person, bank=Bank.objects.get(bin="970405"), number=number
        )
        RegistrationFactory(
            beneficiary=beneficiary,
            method=PaymentMethodRegistration.Method.ACCOUNT,
            account=account,
        )


HOME, LIST, CREATE = "Trang chủ", "Danh sách đối tượng", "Thêm người"
EDITOR_ONLY = {CREATE, "Nhập từ Excel"}

ROLE_VIEWS = [
    # role, commune, navigation, registry status, amounts shown, people listed
    (roles.LABOUR_OFFICER, "here", [HOME, LIST, CREATE], 200, True, ["Nguyễn Thị Hằng"]),
    (roles.POLICE, "here", [HOME, LIST], 200, False, ["Nguyễn Thị Hằng"]),
    (roles.ACCOUNTANT, "here", [HOME, LIST], 200, True, ["Nguyễn Thị Hằng"]),
    (roles.LEADER, "here", [HOME, LIST], 200, True, ["Nguyễn Thị Hằng"]),
    (roles.POST_OFFICE, "here", [HOME], 403, False, []),
    (roles.DISTRICT, "here", [HOME, LIST], 200, True, ["Nguyễn Thị Hằng"]),
    (roles.LABOUR_OFFICER, "elsewhere", [HOME, LIST, CREATE], 200, True, ["Trần Văn Khác"]),
]


@pytest.mark.parametrize(
    ("role", "where", "navigation", "status", "amounts", "listed"),
    ROLE_VIEWS,
    ids=[f"{role}-{where}" for role, where, *_ in ROLE_VIEWS],
)
def test_each_role_sees_only_what_it_may_in_the_browser(
    open_page, registry, commune, other_commune, role, where, navigation, status, amounts, listed
):
    username = f"{role}_{where}"
    UserFactory(
        username=username, role=role, communes=[commune if where == "here" else other_commune]
    )
    page = open_page()

    _log_in(page, username)
    shown = _nav(page)
    assert shown[: len(navigation)] == navigation
    if CREATE not in navigation:
        assert not EDITOR_ONLY & set(shown)
    if LIST not in navigation:
        assert LIST not in shown
    expect(page.get_by_test_id("current-user")).to_have_text(username)

    response = page.goto("/doi-tuong/")
    assert response.status == status
    if status == 200:
        expect(page.locator("h1")).to_have_text("Danh sách đối tượng")
        names = page.locator("table.list tbody td:nth-child(2) a").all_inner_texts()
        assert names == listed
        assert (AMOUNT_HEADER in page.locator("table.list thead").inner_text()) is amounts
        body = page.locator("table.list tbody").inner_text()
        assert ("2.789.000 đ" in body) is amounts
        assert ("3505205000" in body) is amounts
    else:
        assert "Nguyễn Thị Hằng" not in page.content()

    page.goto("/")
    _log_out(page)
    page.goto("/doi-tuong/")
    assert page.url.endswith("/dang-nhap/?next=/doi-tuong/")


def test_a_wrong_password_is_refused_in_vietnamese(open_page, officer):
    page = open_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")

    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")


def test_on_a_phone_the_menu_button_shows_the_links(open_page, officer):
    page = open_page(390, 844)
    _log_in(page, "canbo")
    links = page.locator("nav.nav a")

    expect(links.first).to_be_hidden()
    page.get_by_text("Menu").click()

    expect(links.first).to_be_visible()
    # The groups open one at a time, each showing its links.
    for summary in page.locator("nav.nav summary").all():
        summary.click()
        for link in summary.locator("xpath=..").locator("a").all():
            expect(link).to_be_visible()
    page.locator("nav.nav summary", has_text="Đối tượng").click()
    links.nth(1).click()
    page.wait_for_url(re.compile(r"/doi-tuong/$"))
    expect(page.locator("h1")).to_have_text("Danh sách đối tượng")


# ~30 people of a commune near Hà Trung, with the amounts of 2024-2025.
_VILLAGES = ["Thôn Yến Vỹ", "Thôn Đông Sơn", "Thôn Phú Điền", "Thôn Bái Nội", "Thôn Tân Lập"]
_PEOPLE = [
    # name, gender, birth, category, amount, method, bank BIN, account
    ("Nguyễn Thị Hằng", "F", 1948, "NCC_TN", 2_789_000, "account", "970405", "3505205118421"),
    ("Lê Văn Thành", "M", 1951, "NCC_G", 3_346_000, "account", "970405", "3505205210337"),
    ("Trần Thị Lan", "F", 1939, "BTXH_K5A_80P", 1_000_000, "home", None, None),
    ("Phạm Văn Hùng", "M", 1956, "NCC_H", 2_510_000, "account", "970415", "108872551903"),
    ("Hoàng Thị Mai", "F", 1962, "BTXH_K6_N", 750_000, "cash", None, None),
    ("Đỗ Văn Bình", "M", 1949, "NCC_G", 2_789_000, "account", "970418", "27410000834215"),
    ("Vũ Thị Hoa", "F", 1943, "BTXH_K5A_80P", 1_000_000, "cash", None, None),
    ("Bùi Văn Tuấn", "M", 1958, "NCC_TN", 2_789_000, "account", "970405", "3505205332016"),
    ("Ngô Thị Thu", "F", 1960, "BTXH_K6_N", 750_000, "account", "971005", "0912345678"),
    ("Đặng Văn Quang", "M", 1946, "NCC_B", 4_183_000, "account", "970405", "3505205441208"),
    ("Lê Thị Dung", "F", 1941, "BTXH_K5A_80P", 1_000_000, "home", None, None),
    ("Nguyễn Văn An", "M", 1953, "NCC_H", 2_231_000, "cash", None, None),
    ("Trịnh Thị Nga", "F", 1957, "NCC_TN", 2_789_000, "account", "970415", "108872663154"),
    ("Mai Văn Hải", "M", 1964, "BTXH_K6_N", 750_000, "account", "970405", "3505205557730"),
    ("Phan Thị Yến", "F", 1938, "BTXH_K5A_80P", 1_000_000, "home", None, None),
    ("Lương Văn Đức", "M", 1950, "NCC_G", 2_231_000, "account", "970418", "27410000912547"),
    ("Hà Thị Hương", "F", 1955, "NCC_TN", 2_789_000, "account", "970405", "3505205668912"),
    ("Cao Văn Minh", "M", 1947, "NCC_H", 2_510_000, "cash", None, None),
    ("Đinh Thị Loan", "F", 1963, "BTXH_K6_N", 750_000, "cash", None, None),
    ("Tạ Văn Long", "M", 1952, "NCC_G", 3_346_000, "account", "970405", "3505205774461"),
    ("Nguyễn Thị Cúc", "F", 1936, "BTXH_K5A_80P", 1_000_000, "account", "970405", "3505205880275"),
    ("Lê Văn Phúc", "M", 1959, "NCC_TN", 2_789_000, "account", "970422", "0341007788123"),
    ("Trần Thị Huệ", "F", 1961, "BTXH_K6_N", 750_000, "cash", None, None),
    ("Phạm Thị Tâm", "F", 1944, "NCC_TN", 2_789_000, "account", "970415", "108872770489"),
    ("Hoàng Văn Sơn", "M", 1954, "NCC_H", 2_231_000, "account", "970405", "3505205991036"),
    ("Vũ Văn Khánh", "M", 1940, "BTXH_K5A_80P", 1_000_000, "home", None, None),
    ("Bùi Thị Nhàn", "F", 1965, "BTXH_K6_N", 750_000, None, None, None),
    ("Đỗ Thị Xuân", "F", 1950, "NCC_TN", 2_789_000, "account", "970405", "3505205102584"),
    ("Ngô Văn Lợi", "M", 1957, "NCC_G", 2_789_000, "cash", None, None),
    ("Trịnh Văn Tùng", "M", 1948, "NCC_B", 4_183_000, "account", "970418", "27410001023698"),
]


def _realistic_registry(commune) -> None:
    load_reference_data()
    villages = [VillageFactory(commune=commune, name=name) for name in _VILLAGES]
    for n, (name, gender, year, category, amount, method, bin_, number) in enumerate(_PEOPLE):
        century = (year - 1900) // 100 * 2 + (1 if gender == "F" else 0)
        person = PersonFactory(
            commune=commune,
            village=villages[n % len(villages)],
            full_name=name,
            gender=gender,
            birth_date=datetime.date(year, 1 + n % 12, 1 + (n * 7) % 28),
            birth_year=year,
            personal_id=f"038{century}{year % 100:02d}{4821 + n * 137:06d}",
        )
        beneficiary = BeneficiaryFactory(
            person=person,
            category=Category.objects.get(code=category),
            decision_number=f"{120 + n}/QĐ-UBND",
        )
        Entitlement.objects.create(
            beneficiary=beneficiary,
            from_month=datetime.date(2024, 7, 1),
            basis=Entitlement.Basis.FIXED,
            amount=amount,
        )
        if method == "account":
            account = PaymentAccountFactory(
                holder=person, bank=Bank.objects.get(bin=bin_), number=number
            )
            RegistrationFactory(beneficiary=beneficiary, method=method, account=account)
        elif method:
            RegistrationFactory(beneficiary=beneficiary, method=method)


def test_a_screenshot_of_the_registry_list_is_saved_for_the_readme(open_page, commune, tmp_path):
    # Written to docs/ only when asked (UPDATE_SCREENSHOT=1), so a test run
    # leaves the checkout clean.
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "shot.png"
    _realistic_registry(commune)
    UserFactory(
        username="canbo.yenson",
        first_name="Lê Thị Hoa",
        role=roles.LABOUR_OFFICER,
        communes=[commune],
    )
    page = open_page(1366, 768)
    _log_in(page, "canbo.yenson")

    page.goto("/doi-tuong/")

    expect(page.get_by_test_id("result-count")).to_have_text("Hiển thị 1–30 trong 30")
    expect(page.locator("table.list tbody tr")).to_have_count(len(_PEOPLE))
    assert Person.objects.count() == len(_PEOPLE)
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
