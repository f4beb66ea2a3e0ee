"""The pages of everyday work at 1366×768 in Debian's Chromium: no request is a 404
(the icon is found), the account-opening filter shows what it lists, the paying
office's file link opens the files it counts. Screenshots go to the pytest
temporary folder (or ``SCREENSHOT_DIR``) for a look."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registration.services import request_account_opening
from tests.browser.pages import fits
from tests.dashboard.conftest import dataset, frozen  # noqa: F401 (fixtures: the data set on 3/9/2023)
from tests.dashboard.test_downloads import make_file
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
SENT = datetime.datetime(2023, 9, 2, 3, 0, tzinfo=datetime.UTC)


def _open(browser, live_server, username, size=(1366, 768)):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page, missing


def _shots(tmp_path) -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)


@pytest.mark.usefixtures("dataset", "frozen")
def test_the_officer_s_pages_look_right(browser, live_server, officer, commune, tmp_path):
    person = PersonFactory(commune=commune, full_name="Lê Văn Chờ")
    request_account_opening(person, requested_on=datetime.date(2023, 8, 20), actor=officer)
    context, page, missing = _open(browser, live_server, "canbo")
    page.screenshot(path=str(_shots(tmp_path) / "dashboard.png"), full_page=True)

    page.goto("/mo-tai-khoan/")
    expect(page.locator("select[name=state]")).to_have_value("open")
    row = page.locator("[data-testid=pipeline-rows] tbody tr").first
    expect(row.locator("select[name=bank]")).to_have_value("")
    page.screenshot(path=str(_shots(tmp_path) / "pipeline.png"), full_page=True)
    row.get_by_role("button", name="Giới thiệu").click()
    expect(page.locator("body")).to_contain_text("Chọn ngân hàng giới thiệu người này đến.")
    page.screenshot(path=str(_shots(tmp_path) / "refer-without-bank.png"), full_page=True)

    assert missing == []
    context.close()


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_paying_office_s_link_opens_the_files_it_counts(
    browser, live_server, reference_data, district, commune, officer, tmp_path, size
):
    make_file(commune, sent_at=SENT)
    make_file(commune, programme="BTXH", sent_at=SENT)
    make_file(commune)
    context, page, missing = _open(browser, live_server, "tinh", size)
    fits(page)
    page.screenshot(path=str(_shots(tmp_path) / f"district-{size[0]}.png"), full_page=True)

    link = page.get_by_test_id("sent-files-link")
    expect(link).to_have_text("2 tệp tháng này")
    link.click()
    expect(page.get_by_test_id("generated-file")).to_have_count(2)
    fits(page)
    with page.expect_download() as downloading:
        page.get_by_test_id("generated-file").first.get_by_role("link").first.click()
    assert downloading.value.suggested_filename.endswith(".xlsx")
    page.screenshot(path=str(_shots(tmp_path) / f"downloads-{size[0]}.png"), full_page=True)

    assert missing == []
    context.close()
