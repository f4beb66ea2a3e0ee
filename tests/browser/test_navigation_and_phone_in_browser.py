"""The grouped navigation, the breadcrumbs, the phone layout and the post office's page,
in Debian's Chromium at 1366×768 and 390×844.

Every row a test needs is created before its page opens (``conftest.py``). The
screenshots go to ``SCREENSHOT_DIR`` (or the pytest temporary folder) for a look.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import Payment, PaymentCycle
from payments.services.cycles import open_cycle
from tests.browser.pages import fits as _no_sideways_scroll
from tests.cycles.conftest import enrol
from tests.dashboard.test_downloads import make_file
from tests.factories import RegistrationFactory, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
DEC = datetime.date(2026, 12, 1)
VILLAGES = ("Thôn Yến Cư", "Thôn Yến Trung", "Thôn Tứ Thôn", "Thôn Đồng Lạc")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLE = ("Thị", "Văn", "Đình", "Thị Thu", "Công")
GIVEN = ("An", "Bình", "Cúc", "Dũng", "Hằng", "Khánh", "Lan", "Minh", "Nguyệt", "Phượng")
PEOPLE = 60  # a demo commune's cash and home payments of a month


@pytest.fixture
def cash_month(reference_data, commune, officer, leader, post_office):
    """December 2026 submitted, with sixty cash and home payments in four villages."""
    villages = [VillageFactory(commune=commune, name=name) for name in VILLAGES]
    for n in range(PEOPLE):
        name = f"{FAMILY[n % 8]} {MIDDLE[n % 5]} {GIVEN[n % 10]}"
        enrolment = enrol(
            commune, 1_080_000 + 100_000 * (n % 4), start=DEC, full_name=name,
            village=villages[n % 4],
        )  # fmt: skip
        RegistrationFactory(beneficiary=enrolment, method="home" if n % 6 == 0 else "cash")
    cycle = open_cycle(commune, DEC, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    make_file(commune, user=officer)
    make_file(commune, programme="BTXH", user=officer)
    return PaymentCycle.objects.get(pk=cycle.pk)


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(username: str, viewport: dict):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.failures = []
        page.on(
            "response",
            lambda r: page.failures.append((r.status, r.url)) if r.status >= 400 else None,
        )
        page.goto("/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _shot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.screenshot(path=str(folder / f"{name}-top.png"))  # what the first screen shows


def test_every_officer_page_is_reachable_from_the_grouped_nav(open_page, cash_month, tmp_path):
    page = open_page("canbo", DESKTOP)
    nav = page.get_by_test_id("main-nav")
    groups = nav.locator("details")
    expect(groups.locator("summary")).to_have_text(["Đối tượng", "Chi trả", "Danh sách và báo cáo"])
    links = [
        (summary, item)
        for summary, items in [
            ("Đối tượng", ["Danh sách đối tượng", "Thêm người", "Nhập từ Excel",
                           "Chất lượng dữ liệu", "Chuyển chương trình", "Truyền thông"]),
            ("Chi trả", ["Mở tài khoản", "Kỳ chi trả", "Chi trả tiền mặt", "Khiếu nại chưa nhận tiền",
                         "Khoản thu hồi", "Mức chuẩn, mức trợ cấp"]),
            ("Danh sách và báo cáo", ["Danh sách đăng ký", "Tệp đã lập", "Báo cáo tháng"]),
        ]
        for item in items
    ]  # fmt: skip
    for summary, item in links:
        group = nav.locator("details", has=page.locator("summary", has_text=summary))
        link = group.get_by_role("link", name=item, exact=True)
        expect(link).to_be_hidden()
        group.locator("summary").click()
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(re.compile(re.escape(href) + "$"))
        expect(page.locator("h1")).to_be_visible()
        current = page.get_by_test_id("main-nav").locator('[aria-current="page"]')
        expect(current).to_have_text(item)
        expect(nav.locator('summary[aria-current="true"]')).to_have_text(summary)
        trail = page.get_by_test_id("breadcrumbs")
        expect(trail.locator("li").first).to_have_text("Trang chủ")
        expect(trail.locator('[aria-current="page"]')).to_have_text(item)
    nav.get_by_role("link", name="Trang chủ").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_test_id("breadcrumbs")).to_have_count(0)
    assert page.failures == []


def test_the_groups_open_with_the_keyboard_and_close_on_escape(open_page, cash_month, tmp_path):
    page = open_page("canbo", DESKTOP)
    summary = page.get_by_test_id("main-nav").locator("summary", has_text="Chi trả")
    summary.focus()
    page.keyboard.press("Enter")
    item = page.get_by_test_id("main-nav").get_by_role("link", name="Kỳ chi trả")
    expect(item).to_be_visible()
    _shot(page, tmp_path, "nav-open-1366")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(item).to_be_focused()
    page.keyboard.press("Escape")
    expect(item).to_be_hidden()
    expect(summary).to_be_focused()
    other = page.get_by_test_id("main-nav").locator("summary", has_text="Đối tượng")
    other.click()
    summary.click()
    expect(page.get_by_test_id("main-nav").locator("details[open]")).to_have_count(1)


def test_an_inner_page_shows_its_breadcrumbs(open_page, cash_month, tmp_path):
    page = open_page("canbo", DESKTOP)
    page.goto(f"/ky-chi-tra/{cash_month.pk}/khoan/")
    trail = page.get_by_role("navigation", name="Đường dẫn")
    expect(trail.locator("li")).to_have_text(
        ["Trang chủ", "Kỳ chi trả", "Tháng 12/2026", "Khoản chi"]
    )
    expect(trail.locator('[aria-current="page"]')).to_have_text("Khoản chi")
    trail.get_by_role("link", name="Tháng 12/2026").click()
    page.wait_for_url(re.compile(rf"/ky-chi-tra/{cash_month.pk}/$"))
    expect(page.get_by_test_id("cycle-status")).to_be_visible()
    assert page.failures == []


PHONE_PAGES = [
    ("/", "dashboard"),
    ("/doi-tuong/", "registry"),
    ("/ky-chi-tra/", "cycles"),
    ("/ky-chi-tra/{pk}/", "cycle"),
    ("/ky-chi-tra/{pk}/khoan/", "cycle-payments"),
    ("/ky-chi-tra/{pk}/thay-doi/", "cycle-changes"),
    ("/ky-chi-tra/{pk}/doi-soat/", "cycle-reconciliation"),
    ("/danh-sach-dang-ky/", "registration-lists"),
    ("/tep/", "downloads"),
    ("/buu-dien/", "post-office"),
    ("/chat-luong-du-lieu/", "data-quality"),
    ("/mo-tai-khoan/", "account-opening"),
    ("/nguoi/{person}/", "person"),
    ("/nguoi/them/", "person-form"),
    ("/nhap-danh-sach/", "import"),
    ("/chuyen-chuong-trinh/", "transfers"),
    ("/truyen-thong/", "outreach"),
    ("/bao-cao-thang/", "monthly-report"),
    ("/muc-chuan/", "base-levels"),
    (
        "/muc-chuan/xem-truoc/?chuong_trinh=BTXH&so_tien=540.000&tu_thang=07/2026"
        "&can_cu=Ngh%E1%BB%8B+%C4%91%E1%BB%8Bnh+335%2F2026%2FN%C4%90-CP",
        "base-level-preview",
    ),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_officer_s_main_pages_never_scroll_sideways(open_page, cash_month, tmp_path, viewport):
    person = cash_month.payments.values_list("beneficiary__person_id", flat=True).first()
    page = open_page("canbo", viewport)
    for path, name in PHONE_PAGES:
        page.goto(path.format(pk=cash_month.pk, person=person))
        expect(page.locator("h1")).to_be_visible()
        _no_sideways_scroll(page)
        if name in (
            "dashboard",
            "registry",
            "post-office",
            "cycle",
            "person",
            "base-levels",
            "cycle-reconciliation",
        ):
            _shot(page, tmp_path, f"{name}-{viewport['width']}")
    assert page.failures == []


def test_the_phone_menu_opens_a_group_and_follows_a_link(open_page, cash_month, tmp_path):
    page = open_page("canbo", PHONE)
    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_hidden()
    page.get_by_text("☰ Menu").click()
    expect(nav).to_be_visible()
    nav.locator("summary", has_text="Chi trả").click()
    _shot(page, tmp_path, "menu-390")
    _no_sideways_scroll(page)
    nav.get_by_role("link", name="Kỳ chi trả").click()
    page.wait_for_url(re.compile(r"/ky-chi-tra/$"))
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("Kỳ chi trả")


def _row(page, name: str):
    return page.get_by_test_id("cash-payment").filter(has_text=name)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_post_office_refuses_one_then_pays_all_through_the_confirmation(
    open_page, cash_month, tmp_path, viewport
):
    payments = cash_month.payments.select_related("beneficiary__person").order_by(
        "beneficiary__person__village__name", "beneficiary__person__sort_name", "pk"
    )
    refused = payments[0]
    name = refused.beneficiary.person.full_name
    page = open_page("buudien", viewport)
    page.goto("/buu-dien/")
    rows = page.get_by_test_id("cash-payment")
    expect(rows).to_have_count(50)
    _no_sideways_scroll(page)

    row = rows.first
    expect(row).to_contain_text(name)
    row.locator("summary", has_text="Không nhận").click()
    row.get_by_placeholder("Lý do không nhận").fill("Đi viện")
    _shot(page, tmp_path, f"post-office-refusal-{viewport['width']}")
    row.get_by_role("button", name="Ghi không nhận").click()
    expect(page.locator(".msg.success")).to_contain_text(f"Đã ghi kết quả cho {name}.")
    expect(rows.first.get_by_test_id("recorded")).to_have_text(
        "Đã ghi: Không nhận (tiền mặt) — Đi viện"
    )
    expect(rows.first.get_by_role("button")).to_have_count(0)

    page.get_by_role("link", name="Chọn tất cả trên trang").click()
    expect(page.locator('input[name="chon"]:checked')).to_have_count(49)
    expect(page.locator("[data-selected-count]")).to_have_text("Đã chọn 49")
    page.get_by_role("button", name="Ghi “đã chi trả” cho các dòng đã chọn…").click()
    page.wait_for_url(re.compile(r"/buu-dien/da-chi-tra/xac-nhan/$"))
    selected = list(payments[1:50])
    total = sum(p.amount for p in selected)
    expect(page.get_by_test_id("confirm-count")).to_have_text("49")
    expect(page.get_by_test_id("confirm-amount")).to_have_text(f"{total:,} đ".replace(",", "."))
    expect(page.get_by_test_id("confirm-month")).to_contain_text("tháng 12/2026")
    _no_sideways_scroll(page)
    _shot(page, tmp_path, f"post-office-confirm-{viewport['width']}")
    assert Payment.objects.filter(cycle=cash_month, status="paid").count() == 0
    page.get_by_role("button", name="Xác nhận đã chi trả 49 khoản").click()
    page.wait_for_url(re.compile(r"/buu-dien/$"))
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi “đã chi trả” cho 49 khoản.")

    refused.refresh_from_db()
    assert (refused.status, refused.failure_reason, refused.paid_on) == (
        "returned",
        "Đi viện",
        None,
    )
    paid = Payment.objects.filter(pk__in=[p.pk for p in selected])
    assert set(paid.values_list("status", "paid_on")) == {("paid", datetime.date(2026, 12, 15))}
    assert cash_month.payments.filter(status="pending").count() == PEOPLE - 50
    assert page.failures == []


def test_the_post_office_page_is_compact_at_1366(open_page, cash_month, tmp_path):
    page = open_page("buudien", DESKTOP)
    page.goto("/buu-dien/")
    rows = page.get_by_test_id("cash-payment")
    expect(rows).to_have_count(50)
    heights = [box["height"] for box in (rows.nth(i).bounding_box() for i in range(50))]
    assert max(heights) < 80, heights
    button = rows.first.get_by_role("button", name="Đã chi trả")
    assert button.bounding_box()["x"] + button.bounding_box()["width"] <= DESKTOP["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    _shot(page, tmp_path, "post-office-rows-1366")


def test_without_script_the_menus_select_all_and_confirmation_still_work(
    browser, live_server, cash_month, tmp_path
):
    context = browser.new_context(
        viewport=DESKTOP, base_url=live_server.url, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "buudien")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_test_id("main-nav").get_by_role("link", name="Chi trả tiền mặt").click()
    page.wait_for_url(re.compile(r"/buu-dien/$"))
    expect(page.locator("#select-all")).to_be_hidden()
    page.get_by_role("link", name="Chọn tất cả trên trang").click()
    expect(page.locator('input[name="chon"]:checked')).to_have_count(50)
    page.locator('input[name="chon"]').first.uncheck()
    page.get_by_role("button", name="Ghi “đã chi trả” cho các dòng đã chọn…").click()
    expect(page.get_by_test_id("confirm-count")).to_have_text("49")
    page.get_by_role("button", name="Xác nhận đã chi trả 49 khoản").click()
    page.wait_for_url(re.compile(r"/buu-dien/\?ky=\d+&hinh_thuc=&trang_thai=&thon=&q=&trang=1$"))
    expect(page.locator(".msg.success")).to_contain_text("cho 49 khoản.")
    expect(page.locator('input[name="chon"]')).to_have_count(1)
    expect(page.locator('input[name="chon"]:checked')).to_have_count(0)
    assert cash_month.payments.filter(status="paid").count() == 49
    context.close()
