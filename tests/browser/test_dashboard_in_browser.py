"""The dashboard in Debian's Chromium: the vendored Chart.js draws the charts.

The same set-up as ``test_roles_in_browser.py`` (``DJANGO_ALLOW_ASYNC_UNSAFE``
for this module, every row created before the page opens, never
``playwright install``).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import IN_CI, chromium_path
from tests.dashboard.conftest import (  # noqa: F401 (the known data set and its day, fixtures)
    dataset,
    frozen,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    path = chromium_path()
    if path is None:  # the marker has skipped (or failed in CI) before; a second guard
        (pytest.fail if IN_CI else pytest.skip)("Debian's chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# The data set's day (3/9/2023): its figures, and a deadline (the 5th) still ahead.
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
