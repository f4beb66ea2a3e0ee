"""The monthly report on demand and the bank results upload, in Debian's Chromium at
1366×768 and at 390×844 (nothing scrolls sideways): the accountant builds and downloads
the report, then uploads the bank's results: a file with one bad row, refused whole,
then the good file, recorded. Outcomes are checked in the database.
Screenshots go to ``SCREENSHOT_DIR`` (or the pytest temporary folder) for a look."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import Event, GeneratedFile
from payments.models import BankResultsUpload
from tests.browser.pages import fits as _fits
from tests.payfiles.conftest import paying, signed  # noqa: F401 (fixtures)
from tests.payfiles.test_bank_results_import import _csv, _row, _set, _state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(browser, live_server, username, size):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        locale="vi-VN",
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_accountant_builds_the_report_and_records_the_bank_s_results(
    browser,
    live_server,
    paying,  # noqa: F811 (the fixture imported above)
    accountant,
    tmp_path,
    screen,
):
    accountant.last_name, accountant.first_name = "Trần Văn", "Toán"
    accountant.save()
    shots = _shots(tmp_path)
    size = VIEWPORTS[screen]
    cycle = paying.cycle

    # The accountant: from the cycle page to the month's report, built and downloaded.
    context, page = _log_in(browser, live_server, "ketoan", size)
    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    page.get_by_test_id("cycle-report-link").click()
    expect(page.get_by_test_id("no-report")).to_be_visible()
    expect(page.locator("#id_thang")).to_have_value("09/2023")
    _fits(page)
    page.screenshot(path=str(shots / f"report-empty-{screen}.png"), full_page=True)
    page.get_by_role("button", name="Lập báo cáo tháng 09/2023").click()
    row = page.get_by_test_id("generated-file")
    expect(row.locator(".status")).to_have_text("Đã lập xong", timeout=30_000)
    expect(row.get_by_test_id("requested-by")).to_have_text("Trần Văn Toán")
    _fits(page)
    page.screenshot(path=str(shots / f"report-built-{screen}.png"), full_page=True)
    with page.expect_download() as downloading:
        row.get_by_test_id("report-download").click()
    download = downloading.value
    assert download.suggested_filename == "bao-cao-thang-15307-2023-09.xlsx"
    assert Path(download.path()).read_bytes()[:2] == b"PK"
    report = GeneratedFile.objects.get(kind=GeneratedFile.Kind.MONTHLY_REPORT)
    assert (report.status, report.requested_by, report.period) == ("done", accountant, cycle.period)
    assert report.total_amount == cycle.total_amount
    assert Event.objects.filter(
        kind=Event.Kind.FILE_DOWNLOADED, generated_file=report, actor=accountant
    ).exists()
    page.goto("/tep/")
    expect(page.get_by_test_id("generated-file").filter(has_text="Báo cáo tháng")).to_have_count(1)
    _fits(page)

    # Then the bank's statement: a results file with one bad row is refused whole, then the good one.
    an, binh, em = (paying.payment(k) for k in ("an", "binh", "em"))
    good_rows = [
        _row(an),
        _row(binh, "Không thành công", ref="", day="", reason="Tài khoản đã đóng"),
        _row(em),
    ]
    bad_rows = [*good_rows[:2], _set(_row(em), amount="400.000")]
    bad_file, good_file = tmp_path / "ket-qua-sai.csv", tmp_path / "ket-qua.csv"
    bad_file.write_bytes(_csv(bad_rows))
    good_file.write_bytes(_csv(good_rows))
    before = _state(paying)

    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    page.get_by_test_id("results-upload-link").click()
    _fits(page)
    page.screenshot(path=str(shots / f"results-upload-{screen}.png"), full_page=True)
    page.set_input_files("#id_file", str(bad_file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("results-refused")).to_contain_text("cả tệp bị từ chối")
    issues = page.get_by_test_id("results-issues")
    expect(issues.locator("tbody tr")).to_have_count(1)
    expect(issues).to_contain_text("Số tiền khác khoản chi trả (500.000 đ).")
    expect(page.get_by_test_id("results-confirm")).to_have_count(0)
    _fits(page)
    page.screenshot(path=str(shots / f"results-refused-{screen}.png"), full_page=True)
    with page.expect_download() as downloading:
        page.get_by_test_id("results-error-file").click()
    assert downloading.value.suggested_filename == "ket-qua-sai-loi-kiem-tra.xlsx"
    assert _state(paying) == before  # nothing recorded, not even the good rows
    assert BankResultsUpload.objects.get().status == "refused"

    page.goto(f"/ky-chi-tra/{cycle.pk}/ket-qua-ngan-hang/")
    page.set_input_files("#id_file", str(good_file))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("count-paid")).to_have_text("2")
    expect(page.get_by_test_id("count-failed")).to_have_text("1")
    expect(page.get_by_test_id("total-amount")).to_have_text("4.055.000 đ")
    expect(page.get_by_test_id("results-reasons")).to_contain_text("Tài khoản đã đóng")
    _fits(page)
    page.screenshot(path=str(shots / f"results-preview-{screen}.png"), full_page=True)
    assert _state(paying) == before  # the preview records nothing
    page.get_by_role("button", name="Xác nhận ghi kết quả 3 khoản").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi kết quả: 3 khoản thay đổi")
    expect(page.get_by_test_id("results-status")).to_have_text("Đã ghi kết quả")
    expect(page.get_by_test_id("results-confirm")).to_have_count(0)
    _fits(page)
    page.screenshot(path=str(shots / f"results-applied-{screen}.png"), full_page=True)
    context.close()

    an, binh, em = (paying.payment(k) for k in ("an", "binh", "em"))
    assert (an.status, an.reference, an.recorded_by) == ("paid", "FT230915001", accountant)
    # Recorded set-based: one history row for the change, by the accountant.
    assert an.history.first().history_user == accountant
    assert (an.history.first().status, an.history.count()) == ("paid", 2)
    assert (binh.status, binh.failure_reason) == ("failed", "Tài khoản đã đóng")
    assert em.status == "paid"
    applied = BankResultsUpload.objects.get(status="applied")
    assert (applied.applied_by, applied.summary["total_amount"]) == (accountant, 4_055_000)
