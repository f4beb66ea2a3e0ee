"""Correcting a recorded result in Debian's Chromium, at 1366×768 and 390×844: the
accountant follows “Sửa kết quả” from the cycle's payments, fills the form, confirms;
the post office opens its cash row's correction page. Each page fits its window,
no request fails (a CSP violation would), the outcome is read in the database."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.models import ResultCorrection
from tests.browser.pages import fits
from tests.corrections.conftest import sent  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def _open(browser, live_server, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.failures = []
    page.on(
        "response", lambda r: page.failures.append((r.status, r.url)) if r.status >= 400 else None
    )
    page.on("console", lambda m: page.failures.append(m.text) if m.type == "error" else None)
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def _shot(page, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_accountant_corrects_a_transfer_paid_after_all_failed(
    browser,
    live_server,
    sent,  # noqa: F811 (the fixture imported above)
    accountant,
    post_office,
    tmp_path,
    size,
):
    payment_pk, cycle_pk = sent.account_payment.pk, sent.cycle.pk
    cash_pk = sent.cash_payment.pk
    context, page = _open(browser, live_server, "ketoan", SIZES[size])
    page.goto(f"/ky-chi-tra/{cycle_pk}/khoan/")
    row = page.get_by_test_id("payment").filter(has_text="Nguyễn Văn An")
    row.get_by_test_id("correct-result").click()
    page.wait_for_url(re.compile(rf"/ky-chi-tra/khoan/{payment_pk}/sua-ket-qua/$"))
    expect(page.get_by_test_id("confirm-facts")).to_contain_text("Đã chi trả ngày 12/09/2023")
    fits(page)
    page.select_option("#id_ket_qua", "failed")
    page.fill("#id_ly_do_khong_chi_tra", "Giao dịch bị hoàn")
    page.fill("#id_ly_do", "Sao kê ngân hàng ngày 20/09/2023 báo hoàn tiền")
    _shot(page, tmp_path, f"correction-{size}")
    page.get_by_test_id("confirm-button").click()
    page.wait_for_url(re.compile(rf"/ky-chi-tra/{cycle_pk}/khoan/$"))
    expect(page.locator("body")).to_contain_text("Đã sửa kết quả của Nguyễn Văn An")
    fits(page)
    correction = ResultCorrection.objects.get()
    assert (correction.new_status, correction.corrected_by_id) == ("failed", accountant.pk)
    context.close()

    context, page = _open(browser, live_server, "buudien", SIZES[size])
    page.goto(f"/buu-dien/?ky={cycle_pk}")
    page.get_by_test_id("cash-payment").filter(has_text="Trần Thị Cúc").get_by_test_id(
        "correct-result"
    ).click()
    page.wait_for_url(re.compile(rf"/buu-dien/{cash_pk}/sua-ket-qua/$"))
    expect(page.get_by_test_id("confirmation")).to_contain_text("Không nhận (tiền mặt) — Đi vắng")
    fits(page)
    _shot(page, tmp_path, f"post-office-correction-{size}")
    assert page.failures == []
    context.close()
