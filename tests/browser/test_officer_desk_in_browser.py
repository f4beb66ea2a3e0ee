"""The person page as the officer's desk and the police's check in the admin, in
Debian's Chromium at 1366×768 and at 390×844: the officer adds a person, their
guardian not yet in the registry typed on the representative form, an account
and its holder name corrected; the police type the card's number on the
person's admin page and record a check, and confirm a bulk «khớp». Outcomes
are read back from the database; nothing scrolls sideways. Screenshots go to
``SCREENSHOT_DIR`` (or the pytest temporary folder) for a look."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Bank, PaymentAccount
from beneficiaries.models import IdentityCheck, Person, Representative
from desk.reference import load_reference_data
from tests.browser.pages import fits as _no_sideways_scroll
from tests.factories import PersonFactory, UserFactory, VillageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def _shots(tmp_path) -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _context(browser, live_server, size: str):
    width, height = SIZES[size]
    return browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="vi-VN"
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_officer_adds_a_person_with_a_new_guardian_and_corrects_an_account(
    browser, live_server, commune, tmp_path, size
):
    load_reference_data()
    VillageFactory(commune=commune, name="Thôn Đông")
    UserFactory(username="canbo", role="labour_officer", communes=[commune])
    shots = _shots(tmp_path)
    context = _context(browser, live_server, size)
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    # A child without a CCCD joins the registry.
    page.goto("/nguoi/them/")
    page.fill("#id_full_name", "Lê Văn Bé")
    page.fill("#id_birth_date", "02/04/2015")
    page.select_option("#id_gender", "M")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/nguoi/\d+/$"))
    child = Person.objects.get(full_name="Lê Văn Bé")

    # Their mother, not in the registry yet, typed on the representative form.
    page.get_by_role("link", name="Thêm người nhận thay").click()
    page.select_option("#id_kind", "guardian")
    page.fill("#id_relationship", "Mẹ")
    page.fill("#id_document", "Quyết định giám hộ 05/QĐ-UBND")
    page.fill("#id_valid_from", "01/12/2026")
    page.fill("#id_moi-full_name", "Trần Thị Mẹ")
    page.fill("#id_moi-personal_id", "097 180 005 678")  # a province that does not exist
    page.fill("#id_moi-birth_date", "12/05/1980")
    page.select_option("#id_moi-gender", "F")
    page.fill("#id_moi-phone", "0912 345 678")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("[data-testid=new-person] .error")).to_contain_text("Mã tỉnh 097")
    expect(page.locator("#id_moi-full_name")).to_have_value("Trần Thị Mẹ")
    expect(page.locator("#id_relationship")).to_have_value("Mẹ")
    page.screenshot(path=str(shots / f"guardian-refused-{size}.png"), full_page=True)
    assert not Representative.objects.exists()
    page.fill("#id_moi-personal_id", "038 180 005 678")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{child.pk}/$"))
    expect(page.locator("body")).to_contain_text("Đã thêm Trần Thị Mẹ là người nhận thay.")
    guardian = Person.objects.get(personal_id="038180005678")
    link = Representative.objects.get()
    assert (link.represented, link.person, link.kind) == (child, guardian, "guardian")
    assert (guardian.commune, guardian.phone) == (commune, "0912345678")

    # The authorisation's end date, corrected from the person page.
    page.get_by_test_id("edit-representative").click()
    page.fill("#id_valid_until", "31/12/2030")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{child.pk}/$"))
    link.refresh_from_db()
    assert link.valid_until == datetime.date(2030, 12, 31)

    # The guardian's account, then its holder name as the bank prints it.
    page.goto(f"/nguoi/{guardian.pk}/tai-khoan/them/")
    page.select_option("#id_bank", str(Bank.objects.get(short_name="Agribank").pk))
    page.fill("#id_number", "3500 205 000 321")
    page.fill("#id_holder_name", "TRAN THI ME X")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{guardian.pk}/$"))
    page.get_by_test_id("edit-account").click()
    _no_sideways_scroll(page)
    page.fill("#id_holder_name", "Trần Thị Mẹ")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf"/nguoi/{guardian.pk}/$"))
    expect(page.locator("body")).to_contain_text("Đã lưu tài khoản.")
    account = PaymentAccount.objects.get()
    assert (account.holder, account.number, account.holder_name) == (
        guardian,
        "3500205000321",
        "TRAN THI ME",
    )
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"guardian-page-{size}.png"), full_page=True)
    page.get_by_test_id("edit-account").click()
    expect(page.get_by_test_id("history")).to_contain_text("TRAN THI ME X → TRAN THI ME")
    page.screenshot(path=str(shots / f"account-edit-{size}.png"), full_page=True)
    page.goto(f"/nguoi/{child.pk}/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"child-page-{size}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_police_type_the_card_s_number_and_confirm_a_bulk_match(
    browser, live_server, commune, tmp_path, size
):
    load_reference_data()
    police = UserFactory(username="congan", role="police", communes=[commune], is_staff=True)
    hang = PersonFactory(
        commune=commune,
        full_name="Nguyễn Thị Hằng",
        personal_id="038150001234",
        gender=Person.Gender.FEMALE,
    )
    others = [
        PersonFactory(commune=commune, full_name="Lê Văn Có Số"),
        PersonFactory(commune=commune, full_name="Lê Văn Chưa Số", personal_id=None),
    ]
    shots = _shots(tmp_path)
    context = _context(browser, live_server, size)
    page = context.new_page()
    page.goto(f"/admin/login/?next=/admin/beneficiaries/person/{hang.pk}/change/")
    page.fill("#id_username", "congan")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(rf"/admin/beneficiaries/person/{hang.pk}/change/$"))

    form = page.get_by_test_id("police-check")
    expect(form).to_contain_text("038150001234")
    page.fill("#id_kt-card_id", "038 150 009 999")  # misread: not the record's number
    page.check("input[name=kt-result][value=match]")
    page.fill("#id_kt-note", "Đối chiếu thẻ tại trụ sở")
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"police-check-form-{size}.png"), full_page=True)
    page.get_by_test_id("save-check").click()
    expect(page.locator(".errorlist")).to_contain_text("khác số trong hồ sơ")
    expect(page.locator("#id_kt-note")).to_have_value("Đối chiếu thẻ tại trụ sở")
    assert not IdentityCheck.objects.exists()
    page.screenshot(path=str(shots / f"police-check-refused-{size}.png"), full_page=True)
    page.fill("#id_kt-card_id", "038 150 001 234")
    page.get_by_test_id("save-check").click()
    page.wait_for_url(re.compile(rf"/admin/beneficiaries/person/{hang.pk}/change/$"))
    expect(page.locator("body")).to_contain_text("Đã ghi kết quả kiểm tra «Khớp»")
    check = IdentityCheck.objects.get()
    assert (check.person, check.result, check.checked_by, check.note) == (
        hang,
        "match",
        police,
        "Đối chiếu thẻ tại trụ sở",
    )
    assert check.population_values == {"personal_id": "038150001234"}

    # The bulk «khớp» shows who it leaves out, and asks.
    page.goto("/admin/beneficiaries/person/")
    for person in others:
        page.check(f"input[name=_selected_action][value='{person.pk}']")
    page.select_option("select[name=action]", "checked_matches")
    page.locator("button[name=index]").first.click()
    confirm = page.get_by_test_id("confirm-matches")
    expect(confirm).to_contain_text("Bỏ qua 1 người chưa có số CCCD")
    expect(confirm).to_contain_text("Lê Văn Chưa Số")
    assert IdentityCheck.objects.count() == 1
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"police-bulk-confirm-{size}.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    expect(page.locator("body")).to_contain_text("Đã ghi 1 lần kiểm tra «khớp».")
    assert IdentityCheck.objects.filter(person=others[0], result="match").count() == 1
    assert not IdentityCheck.objects.filter(person=others[1]).exists()
    context.close()
