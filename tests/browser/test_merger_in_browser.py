"""The superuser merges Yến Sơn into Xã Hà Trung on the merger page, in Debian's
Chromium at 1366×768: the form, the preview, the confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from beneficiaries.models import Commune, Person
from tests.factories import UserFactory
from tests.merger.conftest import enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"


@pytest.fixture
def page(browser, live_server):
    UserFactory(username="quantri", is_superuser=True, is_staff=True)
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "quantri")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    yield page
    context.close()


def test_the_superuser_previews_then_confirms_a_merger(page, commune, tmp_path):
    enrol(commune, full_name="Lê Văn Yên")
    page.get_by_test_id("main-nav").locator("summary", has_text="Quản trị").click()
    page.get_by_role("link", name="Sáp nhập xã").click()
    page.wait_for_url(re.compile(r"/sap-nhap-xa/$"))
    page.fill("#id_into_code", "15271")
    page.fill("#id_name", "Hà Trung")
    page.select_option("#id_from_communes", str(commune.pk))
    page.fill("#id_on", "01/07/2025")
    page.fill("#id_leader_name", "Nguyễn Văn Chủ")
    page.get_by_role("button", name="Xem trước").click()

    preview = page.get_by_test_id("merger-preview")
    expect(preview).to_contain_text("Yến Sơn (15307)")
    expect(preview).to_contain_text("Xã mới sẽ được tạo.")
    # Every count in view: the table fits the form, nothing scrolls sideways.
    counts = page.get_by_test_id("merger-counts")
    assert counts.evaluate("el => el.parentElement.scrollWidth <= el.parentElement.clientWidth")
    page.screenshot(path=str(tmp_path / "merger-preview.png"), full_page=True)
    assert not Commune.objects.filter(code="15271").exists()

    page.get_by_role("button", name="Xác nhận sáp nhập").click()
    page.wait_for_url(re.compile(r"/sap-nhap-xa/\?xong=15271$"))
    expect(page.get_by_test_id("merger-done")).to_contain_text("Yến Sơn (15307) — từ 01/07/2025")
    page.screenshot(path=str(tmp_path / "merger-done.png"), full_page=True)
    new = Commune.objects.get(code="15271")
    assert new.leader_name == "Nguyễn Văn Chủ"
    assert Person.objects.get().commune == new
