"""The dashboard in Debian's Chromium: the vendored Chart.js draws the charts.

The browser of ``conftest.py`` (``DJANGO_ALLOW_ASYNC_UNSAFE``
while it runs, every row created before the page opens, never
``playwright install``), on the data set's day 3/9/2023: the
navigation's badge shows the deadline of the 5th.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.conftest import dataset, frozen  # noqa: F401 (fixtures: the data set on 3/9/2023)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"


@pytest.mark.usefixtures("dataset", "frozen")
def test_the_dashboard_draws_its_charts_from_the_vendored_chart_js(
    browser, live_server, officer, tmp_path
):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, base_url=live_server.url, locale="vi-VN"
    )
    # No CDN: every request the page makes goes to the live server.
    outside = []
    context.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    expect(page.locator("h1")).to_have_text("Trang chủ")
    page.wait_for_function("typeof Chart !== 'undefined'")
    for canvas_id in ("chart-months", "chart-programme"):
        canvas = page.locator(f"#{canvas_id}")
        expect(canvas).to_be_visible()
        assert page.evaluate(
            f"Chart.getChart(document.getElementById('{canvas_id}')) !== undefined"
        )
        box = canvas.bounding_box()
        assert box["width"] > 0 and box["height"] > 0
    # The monthly chart holds the table's figures: 0% in 08/2023, 60% in 09/2023.
    assert page.evaluate(
        "Chart.getChart(document.getElementById('chart-months')).data.datasets[0].data"
    ) == [0, 60]
    expect(page.get_by_test_id("share-by-month")).to_contain_text("60,0%")
    # The navigation's badge is filled by its script.
    expect(page.get_by_test_id("deadline-badge")).to_contain_text("Hạn gửi")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert outside == []
    context.close()


@pytest.mark.usefixtures("dataset")
def test_after_the_deadline_no_empty_badge_link_shows(browser, live_server, officer, request):
    """The badge stays hidden when there is no deadline to show: its class sets a
    display, which must not reveal the empty link (a link without a name)."""
    request.getfixturevalue("frozen")(datetime.date(2023, 9, 8))
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_load_state("networkidle")

    badge = page.get_by_test_id("deadline-badge")
    expect(badge).to_have_text("")
    # Not drawn at all (an empty inline-block would still be a link in the page).
    assert badge.evaluate("el => getComputedStyle(el).display") == "none"
    context.close()
