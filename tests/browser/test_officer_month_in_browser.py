"""The labour officer's month, through the pages only, in Debian's Chromium at
1366×768 and at 390×844: a child and their guardian (not yet in the registry)
join, the child's allowance is enrolled and registered to the guardian's new
account, three people come in from a file with their start month, the month's
lists are built, sent once the leader has approved them, and the cycle is
opened. Every step is read back from the database; no page scrolls sideways.

The other roles' months: the leader's in ``test_confirmations_in_browser.py``,
the accountant's in ``test_accountant_pages_in_browser.py``, the post office's in
``test_navigation_and_phone_in_browser.py``, the police's (in the admin) in
``test_officer_desk_in_browser.py``, the paying office's in
``test_everyday_pages_in_browser.py``. Screenshots go to ``SCREENSHOT_DIR`` (or
the pytest temporary folder) for a look.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from beneficiaries.models import Beneficiary, Category, ImportBatch, Person, Representative
from beneficiaries.services import record_matches
from documents.models import GeneratedFile
from payments.models import Payment, PaymentCycle
from registration import listfiles
from registration.models import PaymentMethodRegistration
from tests.browser.pages import fits as _fits
from tests.factories import VillageFactory
from tests.importer.workbooks import STANDARD_HEADER, data_row, write_workbook
from tests.lists.conftest import registered, signed_commune  # noqa: F401 (fixtures)
from tests.lists.data import PERIOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
VILLAGE = "Yên Lạc"
MONTH = PERIOD.strftime("%m/%Y")  # the month the lists and the cycle are for
IMPORTED = {
    "038031000111": ("Đinh Văn Khải", "01/02/1931"),
    "038132000222": ("Bùi Thị Lụa", "05/06/1932"),
    "038033000333": ("Vũ Văn Mạnh", "09/10/1933"),
}


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _menu(page, group: str, item: str, size: str) -> None:
    """Open a page from the grouped navigation (behind the menu button on a phone)."""
    if size == "phone":
        page.locator("label.nav-toggle-label").click()
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.locator("summary", has_text=group).click()
    nav.get_by_role("link", name=item, exact=True).click()
    page.wait_for_load_state()


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
            MONTH,
        ]
        for n, (personal_id, (name, birth)) in enumerate(IMPORTED.items(), start=1)
    ]
    write_workbook(path, rows, header=[*STANDARD_HEADER, "Tháng bắt đầu hưởng"])
    return path


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize("size", list(SIZES))
def test_the_officer_s_month_through_the_pages(
    browser,
    live_server,
    signed_commune,  # noqa: F811 (the fixture imported above)
    officer,
    leader,
    police,
    workbook,
    tmp_path,
    size,
):
    commune = signed_commune
    VillageFactory(commune=commune, name=VILLAGE)
    shots = _shots(tmp_path)
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    # A child joins the registry.
    _menu(page, "Đối tượng", "Thêm người", size)
    page.fill("#id_full_name", "Lê Văn Bé")
    page.fill("#id_birth_date", "02/04/2015")
    page.select_option("#id_gender", "M")
    page.fill("#id_personal_id", "038215004321")
    _fits(page)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/nguoi/\d+/$"))
    child = Person.objects.get(full_name="Lê Văn Bé")
    assert child.commune == commune

    # The child's guardian, not in the registry yet, typed on the representative form.
    page.get_by_role("link", name="Thêm người nhận thay").click()
    page.select_option("#id_kind", "guardian")
    page.fill("#id_relationship", "Mẹ")
    page.fill("#id_document", "Quyết định giám hộ 05/QĐ-UBND")
    page.fill("#id_valid_from", "01/12/2026")
    page.fill("#id_moi-full_name", "Trần Thị Mẹ")
    page.fill("#id_moi-personal_id", "038180005678")
    page.fill("#id_moi-birth_date", "12/05/1980")
    page.select_option("#id_moi-gender", "F")
    _fits(page)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{child.pk}/$"))
    guardian = Person.objects.get(personal_id="038180005678")
    proxy = Representative.objects.get(represented=child)
    assert (proxy.person, proxy.kind) == (guardian, "guardian")

    # The child's allowance, from the month of the lists.
    page.get_by_role("link", name="Thêm diện hưởng").click()
    category = Category.objects.get(code="BTXH_K1_4P")
    page.select_option("#id_programme", str(category.programme_id))
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_decision_number", "12/QĐ-UBND")
    page.fill("#id_decision_date", "10/12/2026")
    page.fill("#id_start_month", MONTH)
    _fits(page)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{child.pk}/$"))
    enrolment = Beneficiary.objects.get(person=child)
    assert (enrolment.category.code, enrolment.start_month) == ("BTXH_K1_4P", PERIOD)

    # Paid into the guardian's new account.
    page.get_by_role("link", name="Đăng ký hình thức nhận").first.click()
    page.get_by_label("Qua tài khoản").check()
    page.select_option("#id_representative", str(proxy.pk))
    page.select_option("#id_tk-bank", label="Agribank")
    page.fill("#id_tk-number", "3500 205 000 321")
    page.fill("#id_from_month", MONTH)
    page.fill("#id_requested_on", "15/12/2026")
    _fits(page)
    page.get_by_role("button", name="Lưu đăng ký").click()
    page.wait_for_url(re.compile(rf"/nguoi/{child.pk}/$"))
    registration = PaymentMethodRegistration.objects.get(beneficiary=enrolment)
    assert (registration.method, registration.account.holder, registration.account.number) == (
        "account",
        guardian,
        "3500205000321",
    )
    page.screenshot(path=str(shots / f"officer-child-{size}.png"), full_page=True)

    # Three people from a file, with their start month.
    _menu(page, "Đối tượng", "Nhập từ Excel", size)
    page.set_input_files("#id_file", str(workbook))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("start-month")).to_have_text([MONTH] * 3)
    _fits(page)
    page.get_by_role("button", name="Xác nhận ghi 3 dòng vào sổ").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Đã ghi vào sổ")
    assert ImportBatch.objects.get().status == ImportBatch.Status.COMMITTED
    starts = set(
        Beneficiary.objects.filter(person__personal_id__in=IMPORTED).values_list(
            "start_month", flat=True
        )
    )
    assert starts == {PERIOD}

    # The police check the newcomers (their desk is the admin: tested apart).
    record_matches(Person.objects.all(), actor=police)

    # The month's lists: built, held until the leader approves, then sent.
    _menu(page, "Danh sách và báo cáo", "Danh sách đăng ký", size)
    page.fill("#id_thang", MONTH)
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("button", name=f"Lập danh sách tháng {MONTH}").click()
    expect(page.get_by_test_id("generated-file").first.locator(".status")).to_have_text(
        "Đã lập xong", timeout=30_000
    )
    expect(page.get_by_test_id("mark-sent")).to_have_count(0)  # not approved yet
    _fits(page)
    built = list(listfiles.files_of(commune, PERIOD))
    assert built and all(f.status == "done" for f in built)
    listfiles.approve_lists(commune, PERIOD, actor=leader)  # the leader's page: tested apart
    page.reload()
    for _ in built:
        page.get_by_test_id("mark-sent").first.click()
        expect(page.get_by_test_id("confirmation")).to_be_visible()
        _fits(page)
        page.get_by_test_id("confirm-button").click()
        expect(page.locator(".msg.success")).to_contain_text("đã gửi")
    page.screenshot(path=str(shots / f"officer-lists-sent-{size}.png"), full_page=True)
    sent = GeneratedFile.objects.filter(pk__in=[f.pk for f in built])
    assert {(f.sent_by, f.approved_by) for f in sent} == {(officer, leader)}

    # The month's cycle, opened.
    _menu(page, "Chi trả", "Kỳ chi trả", size)
    page.fill("[data-testid=open-cycle] input[name=thang]", MONTH)
    page.get_by_role("button", name="Lập kỳ chi trả").click()
    page.wait_for_url(re.compile(r"/ky-chi-tra/\d+/$"))
    _fits(page)
    page.screenshot(path=str(shots / f"officer-cycle-{size}.png"), full_page=True)
    cycle = PaymentCycle.objects.get(commune=commune, period=PERIOD)
    assert cycle.status == "draft"
    paid_to = set(Payment.objects.filter(cycle=cycle).values_list("beneficiary__person", flat=True))
    assert child.pk in paid_to
    assert set(Person.objects.filter(personal_id__in=IMPORTED).values_list("pk", flat=True)) <= (
        paid_to
    )
    context.close()
