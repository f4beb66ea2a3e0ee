"""Payment checks in Debian's Chromium, at 1366×768 and 390×844: the officer draws the
sample of a paid cycle, records a "not received", sees the case on the dashboard
and resolves it; no page scrolls sideways. Screenshots go to ``SCREENSHOT_DIR``
(or the pytest temporary folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import Payment, PaymentCase, PaymentCheck, PaymentCheckSample, PaymentCycle
from tests.browser.pages import fits
from tests.checks.conftest import small_cycle  # noqa: F401 (fixture: a paid cycle)

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


@pytest.mark.usefixtures("small_cycle")
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_draw_record_not_received_see_the_case_and_resolve_it(
    browser, live_server, officer, commune, tmp_path, size
):
    cycle = PaymentCycle.objects.get()
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    context, page = _open(browser, live_server, "canbo", size)

    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    page.get_by_test_id("cycle-checks-link").click()
    fits(page)
    page.get_by_test_id("draw-sample").click()
    expect(page.get_by_test_id("sample-count")).to_have_text("10")
    fits(page)
    page.screenshot(path=str(shots / f"checks-sample-{size[0]}.png"), full_page=True)
    sample = PaymentCheckSample.objects.get(cycle=cycle)
    assert sample.checks.count() == 10 and sample.drawn_by == officer

    row = page.get_by_test_id("check-row").first
    row.locator("select[name=outcome]").select_option("not_received")
    row.locator("input[name=note]").fill("Chưa thấy tiền về")
    row.get_by_role("button", name="Ghi").click()
    expect(page.locator("body")).to_contain_text("Đã mở khiếu nại chưa nhận tiền.")
    fits(page)
    page.screenshot(path=str(shots / f"checks-recorded-{size[0]}.png"), full_page=True)
    check = PaymentCheck.objects.get(outcome="not_received")
    case = PaymentCase.objects.get()
    assert case.opened_from == check and case.state == "open"

    page.goto("/")
    expect(page.get_by_test_id("open-cases-count")).to_have_text("1")
    fits(page)
    page.get_by_test_id("open-cases-block").screenshot(
        path=str(shots / f"checks-dashboard-{size[0]}.png")
    )
    page.get_by_test_id("open-cases-link").click()
    expect(page.get_by_test_id("open-case")).to_have_count(1)
    fits(page)
    page.screenshot(path=str(shots / f"checks-cases-{size[0]}.png"), full_page=True)
    form = page.get_by_test_id("resolve-form")
    form.locator("input[name=resolution]").fill("Bưu điện đã chi bổ sung ngày 25/09/2023")
    form.get_by_role("button", name="Đã giải quyết").click()
    expect(page.locator("body")).to_contain_text("Không có khiếu nại nào đang xử lý.")
    fits(page)
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_by == officer
    assert case.resolution == "Bưu điện đã chi bổ sung ngày 25/09/2023"

    person = Payment.objects.filter(cycle=cycle).first().beneficiary.person
    page.goto(f"/nguoi/{person.pk}/")
    page.get_by_test_id("statement-link").click()
    fits(page)
    page.screenshot(path=str(shots / f"checks-statement-{size[0]}.png"), full_page=True)
    context.close()
