"""The officer registers a payment method with a new account, and moves an account request,
in Debian's Chromium. Screenshots go to the pytest temporary folder for a look."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Bank
from desk.reference import load_reference_data
from registration.models import AccountOpeningRequest, PaymentMethodRegistration
from registration.services import request_account_opening
from tests.factories import BeneficiaryFactory, PersonFactory, RepresentativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"


@pytest.fixture
def page(browser, live_server, commune):
    load_reference_data()
    UserFactory(username="canbo", role="labour_officer", communes=[commune])
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    yield page
    context.close()


def test_the_officer_registers_a_proxy_account_typed_on_the_form(page, commune, tmp_path):
    person = PersonFactory(commune=commune, full_name="Nguyễn Thị Hằng")
    beneficiary = BeneficiaryFactory(person=person)
    proxy = RepresentativeFactory(represented=person, person__full_name="Lê Thị Con")

    page.goto(f"/dien-huong/{beneficiary.pk}/dang-ky-nhan/")
    page.get_by_label("Qua tài khoản").check()
    page.select_option("#id_representative", str(proxy.pk))
    page.select_option("#id_tk-bank", str(Bank.objects.get(short_name="Agribank").pk))
    page.fill("#id_tk-number", "3500 205 000 321")
    page.fill("#id_from_month", "09/2023")
    page.fill("#id_requested_on", "20/08/2023")
    page.fill("#id_form_reference", "PĐK 07")
    page.screenshot(path=str(tmp_path / "register-form.png"), full_page=True)
    page.get_by_role("button", name="Lưu đăng ký").click()

    page.wait_for_url(re.compile(rf"/nguoi/{person.pk}/$"))
    expect(page.locator("table.registrations")).to_contain_text("3500205000321")
    page.screenshot(path=str(tmp_path / "person-page.png"), full_page=True)
    registration = PaymentMethodRegistration.objects.get(beneficiary=beneficiary)
    assert registration.account.holder == proxy.person


def test_the_officer_refers_a_request_from_the_pipeline_and_downloads_the_letter(
    page, commune, tmp_path
):
    person = PersonFactory(commune=commune, full_name="Lê Văn Chờ", phone="0912000111")
    BeneficiaryFactory(person=person)
    request = request_account_opening(person, requested_on=datetime.date(2023, 7, 5), actor=None)

    page.goto("/mo-tai-khoan/")
    row = page.locator("[data-testid=pipeline-rows] tbody tr").first
    row.locator("select[name=bank]").select_option(label="Agribank")
    row.get_by_role("button", name="Giới thiệu").click()

    expect(page.locator(".msg.success")).to_contain_text("Đã giới thiệu Lê Văn Chờ")
    request.refresh_from_db()
    assert request.state == AccountOpeningRequest.State.REFERRED
    page.screenshot(path=str(tmp_path / "pipeline.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải công văn giới thiệu (.xlsx)").first.click()
    assert download.value.suggested_filename.startswith("cong-van-gioi-thieu-mo-tai-khoan-")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Công văn"]
    assert "Lê Văn Chờ" in [cell.value for row in ws.iter_rows() for cell in row]
