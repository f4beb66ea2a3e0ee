"""The admin at 1366×768 and on a phone: the police's list of people shows every
column (the filter panel sits above the list below 1500 px instead of covering
its right-hand columns), and no admin page scrolls sideways."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.conftest import local_moment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2025, 5, 20)


def _shots(tmp_path) -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def demo(clock, reference_data):
    clock.move_to(local_moment(AS_OF))
    return seed_demo(as_of=AS_OF)


def _log_in(browser, live_server, username, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def _columns_hidden_by_the_filters(page) -> list[str]:
    """Headers of the list that the filter panel covers or that lie beyond the window."""
    return page.evaluate(
        """() => {
        const filter = document.querySelector('#changelist-filter');
        const f = filter ? filter.getBoundingClientRect() : null;
        const hidden = [];
        for (const th of document.querySelectorAll('#result_list thead th')) {
            const r = th.getBoundingClientRect();
            const covered = f && f.width > 0 && r.right > f.left + 1 && r.left < f.right
                && r.bottom > f.top && r.top < f.bottom;
            if (covered || r.right > window.innerWidth + 1) hidden.push(th.innerText.trim());
        }
        return hidden;
    }"""
    )


def test_the_police_see_every_column_of_the_people_list(browser, live_server, demo, tmp_path):
    context, page = _log_in(browser, live_server, "congan", 1366, 768)
    page.goto("/admin/beneficiaries/person/")
    expect(page.locator("#result_list")).to_be_visible()
    page.screenshot(path=str(_shots(tmp_path) / "admin-person-list-1366.png"))

    assert _columns_hidden_by_the_filters(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_the_admin_does_not_scroll_sideways_on_a_phone(browser, live_server, demo, tmp_path):
    context, page = _log_in(browser, live_server, "congan", 390, 844)
    for url in (
        "/admin/",
        "/admin/beneficiaries/person/",
        "/admin/beneficiaries/identitycheck/add/",
    ):
        page.goto(url)
        name = url.strip("/").replace("/", "-")
        page.screenshot(path=str(_shots(tmp_path) / f"{name}-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    context.close()


def test_the_admin_s_calendar_writes_dates_as_dd_mm_yyyy(browser, live_server, demo, tmp_path):
    context, page = _log_in(browser, live_server, "admin", 1366, 768)
    page.goto("/admin/accounts/paymentaccount/add/")
    field = page.locator("input[name=opened_on]")
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("placeholder", "dd/mm/yyyy")

    page.locator(".datetimeshortcuts a", has_text="Hôm nay").first.click()

    expect(field).to_have_value(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    page.screenshot(path=str(_shots(tmp_path) / "admin-date-field-1366.png"))
    context.close()
