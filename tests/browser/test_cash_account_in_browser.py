"""The post office's cash account in Debian's Chromium at 1366×768 and 390×844
(nothing scrolls sideways): the accountant records the handover (a wrong amount
first, refused with the difference and kept in the box), the post office pays,
records the cash it returns and confirms, the accountant confirms. Outcomes are
checked in the database; screenshots go to ``SCREENSHOT_DIR`` (or the pytest
temporary folder)."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import CashAccount
from payments.services.cashaccount import account_state
from payments.services.results import record_result
from tests.browser.pages import fits
from tests.payfiles.conftest import paying, signed  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


def _log_in(browser, live_server, username, size):
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


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_cash_account_is_kept_and_confirmed_through_the_pages(
    browser,
    live_server,
    paying,  # noqa: F811 (the fixture imported above)
    officer,
    accountant,
    post_office,
    tmp_path,
    screen,
):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    size = VIEWPORTS[screen]
    cycle = paying.cycle

    # The accountant hands the lists' cash over: a wrong amount first.
    context, page = _log_in(browser, live_server, "ketoan", size)
    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    account = page.get_by_test_id("cash-account")
    expect(account.get_by_test_id("cash-state")).to_have_text("Chưa cân")
    fits(page)
    page.screenshot(path=str(shots / f"cash-account-open-{screen}.png"), full_page=True)
    account.get_by_role("link", name="Ghi bàn giao tiền mặt…").click()
    page.fill("#id_so_tien", "2.700.000")
    page.fill("#id_ngay", "10/09/2023")
    page.fill("#id_so_phieu", "PC-15")
    page.get_by_role("button", name="Ghi bàn giao").click()
    expect(page.locator("form .error")).to_contain_text("chênh lệch −50.000 đ")
    expect(page.locator("#id_so_tien")).to_have_value("2.700.000")
    fits(page)
    page.screenshot(path=str(shots / f"cash-handover-refused-{screen}.png"), full_page=True)
    assert not CashAccount.objects.exists()
    page.fill("#id_so_tien", "2.750.000")
    page.get_by_role("button", name="Ghi bàn giao").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi bàn giao 2.750.000 đ")
    expect(page.get_by_test_id("cash-handed-over")).to_have_text("2.750.000 đ")
    context.close()

    # The post office pays Cúc, Dũng does not collect; it returns his cash and confirms.
    day = datetime.date(2023, 9, 12)
    record_result(paying.payment("cuc"), status="paid", paid_on=day, actor=post_office)
    record_result(paying.payment("dung"), status="returned", reason="Vắng nhà", actor=post_office)
    context, page = _log_in(browser, live_server, "buudien", size)
    page.goto(f"/buu-dien/?ky={cycle.pk}")
    account = page.get_by_test_id("cash-account")
    account.get_by_role("link", name="Ghi tiền nộp lại…").click()
    expect(page.locator("#id_so_tien")).to_have_value("750.000")
    page.fill("#id_ngay", "19/09/2023")
    fits(page)
    page.get_by_role("button", name="Ghi tiền nộp lại").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi tiền mặt nộp lại 750.000 đ")
    account = page.get_by_test_id("cash-account")
    expect(account.get_by_test_id("cash-state")).to_have_text("Đã cân, chờ bưu điện xác nhận")
    fits(page)
    page.screenshot(path=str(shots / f"cash-post-office-{screen}.png"), full_page=True)
    account.get_by_role("link", name="Bưu điện xác nhận…").click()
    fits(page)
    page.get_by_test_id("confirm-button").click()
    expect(page.locator(".msg.success")).to_contain_text("Bưu điện đã xác nhận")
    context.close()

    # The accountant confirms last.
    context, page = _log_in(browser, live_server, "ketoan", size)
    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    page.get_by_test_id("cash-account").get_by_role("link", name="Kế toán xác nhận…").click()
    page.get_by_test_id("confirm-button").click()
    account = page.get_by_test_id("cash-account")
    expect(account.get_by_test_id("cash-state")).to_have_text(
        "Đã cân, bưu điện và kế toán đã xác nhận"
    )
    fits(page)
    page.screenshot(path=str(shots / f"cash-account-confirmed-{screen}.png"), full_page=True)
    context.close()

    state = account_state(cycle)
    assert state.confirmed
    assert (state.account.post_office_confirmed_by, state.account.accountant_confirmed_by) == (
        post_office,
        accountant,
    )
