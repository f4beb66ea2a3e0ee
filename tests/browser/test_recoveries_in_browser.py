"""Recoveries in Debian's Chromium, at 1366×768 and 390×844: the officer opens the
list from the dashboard, a recovery's page, records a repayment, and the
accountant reads; no page scrolls sideways. Screenshots go to
``SCREENSHOT_DIR`` (or the pytest temporary folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import RecoverySettlement
from tests.browser.pages import fits
from tests.recoveries.conftest import found, paid  # noqa: F401 (fixtures: two recoveries)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"


def _open(browser, live_server, username, size):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_officer_follows_a_recovery_up_and_records_a_repayment(
    browser,
    live_server,
    found,  # noqa: F811 (the fixture imported above)
    accountant,
    tmp_path,
    size,
):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    context, page = _open(browser, live_server, "canbo", size)

    expect(page.get_by_test_id("recoveries-left")).to_have_text("2.600.000 đ")
    fits(page)
    page.get_by_test_id("recoveries-block").screenshot(
        path=str(shots / f"recoveries-dashboard-{size[0]}.png")
    )
    page.get_by_test_id("recoveries-link").click()
    expect(page.get_by_test_id("recovery")).to_have_count(2)
    fits(page)
    page.screenshot(path=str(shots / f"recoveries-list-{size[0]}.png"), full_page=True)

    page.get_by_role("link", name="Nguyễn Văn An").first.click()
    expect(page.get_by_test_id("recover-from")).to_have_text("Nguyễn Thị Hương")
    fits(page)
    form = page.get_by_test_id("settlement-form")
    form.locator("input[name=amount]").fill("500.000")
    form.locator("input[name=document]").fill("BL-0012")
    form.get_by_role("button", name="Ghi", exact=True).click()
    expect(page.locator("body")).to_contain_text("nộp lại 500.000 đ (biên lai BL-0012)")
    expect(page.get_by_test_id("recovery-left")).to_have_text("1.500.000 đ")
    fits(page)
    page.screenshot(path=str(shots / f"recoveries-detail-{size[0]}.png"), full_page=True)
    assert RecoverySettlement.objects.get().document == "BL-0012"
    context.close()

    context, page = _open(browser, live_server, "ketoan", size)
    page.goto("/ky-chi-tra/thu-hoi/")
    expect(page.get_by_test_id("recovery")).to_have_count(2)
    expect(page.get_by_test_id("review-now")).to_have_count(0)
    fits(page)
    context.close()
