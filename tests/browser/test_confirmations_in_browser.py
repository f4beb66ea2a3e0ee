"""The month's approvals in Debian's Chromium, at 1366×768 and 390×844: the leader
approves the registration lists and the cycle through their confirmation pages,
withdraws the cycle's approval with a reason and approves it again; the officer
marks an approved list sent and takes the mark back. Each outcome is read in the
database; no page scrolls sideways. Screenshots go to ``SCREENSHOT_DIR`` (or the
pytest temporary folder) for a look."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.models import Event, GeneratedFile
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from registration import listfiles
from tests.browser.pages import fits as _fits
from tests.lists.conftest import registered, signed_commune  # noqa: F401 (fixtures)
from tests.lists.data import PERIOD, TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
REASON = "Bà Bình đổi tài khoản: lập lại kỳ trước khi gửi"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, live_server, username, size):
    width, height = SIZES[size]
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


def _confirm(page, shot: Path) -> None:
    """On a confirmation page: check it fits, keep a picture, press its button."""
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(shot), full_page=True)
    page.get_by_test_id("confirm-button").click()
    page.wait_for_load_state()


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize("size", list(SIZES))
def test_the_months_approvals_through_their_confirmation_pages(
    browser,
    live_server,
    signed_commune,  # noqa: F811 (the fixture imported above)
    officer,
    leader,
    tmp_path,
    size,
):
    leader.last_name, leader.first_name = "Lê Văn", "Chủ"
    leader.save()
    officer.last_name, officer.first_name = "Nguyễn Thị", "Lập"
    officer.save()
    lists = listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )
    cycle = open_cycle(signed_commune, PERIOD, actor=officer).cycle
    shots = _shots(tmp_path)
    lists_page = f"/danh-sach-dang-ky/?xa={signed_commune.pk}&thang=01/2027"

    # The leader: the lists, then the cycle, its withdrawal with a reason, again.
    context, page = _open(browser, live_server, "chutich", size)
    page.goto(lists_page)
    _fits(page)
    page.get_by_test_id("approve-lists").click()
    expect(page.get_by_test_id("confirm-table")).to_contain_text("3.055.000 đ")
    expect(page.get_by_test_id("confirm-facts")).to_contain_text("01/2027")
    _confirm(page, shots / f"lists-approve-{size}.png")
    expect(page.locator(".msg.success")).to_contain_text("Đã phê duyệt 3 danh sách tháng 01/2027.")
    assert {f.approved_by for f in GeneratedFile.objects.filter(pk__in=[f.pk for f in lists])} == {
        leader
    }
    expect(page.get_by_test_id("approval").first).to_contain_text(
        re.compile(r"Lê Văn Chủ, \d\d/\d\d/\d{4} \d\d:\d\d")
    )
    page.screenshot(path=str(shots / f"lists-approved-{size}.png"), full_page=True)

    page.goto(f"/ky-chi-tra/{cycle.pk}/")
    _fits(page)
    page.get_by_test_id("cycle-action-phe-duyet").click()
    expect(page.get_by_test_id("confirm-facts")).to_contain_text(signed_commune.name)
    _confirm(page, shots / f"cycle-approve-{size}.png")
    expect(page.get_by_test_id("cycle-status")).to_have_text("Đã phê duyệt")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.approved_by) == ("approved", leader)

    page.get_by_test_id("cycle-action-rut-phe-duyet").click()
    # No reason: the browser holds the form (the server refuses it too, tested apart).
    page.get_by_test_id("confirm-button").click()
    assert page.evaluate("document.querySelector('textarea[name=ly_do]').validity.valueMissing")
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    assert PaymentCycle.objects.get(pk=cycle.pk).status == "approved"
    page.fill("textarea[name=ly_do]", REASON)
    _confirm(page, shots / f"cycle-withdraw-{size}.png")
    expect(page.get_by_test_id("cycle-status")).to_have_text("Dự thảo")
    expect(page.get_by_test_id("cycle-history")).to_contain_text(f"Rút phê duyệt: {REASON}")
    latest = cycle.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "draft",
        leader,
        f"Rút phê duyệt: {REASON}",
    )
    page.screenshot(path=str(shots / f"cycle-withdrawn-{size}.png"), full_page=True)
    page.get_by_test_id("cycle-action-phe-duyet").click()
    _confirm(page, shots / f"cycle-approve-again-{size}.png")
    expect(page.get_by_test_id("cycle-status")).to_have_text("Đã phê duyệt")
    assert PaymentCycle.objects.get(pk=cycle.pk).status == "approved"
    context.close()

    # The officer: marks the first list sent, then takes the mark back.
    context, page = _open(browser, live_server, "canbo", size)
    page.goto(lists_page)
    _fits(page)
    page.get_by_test_id("mark-sent").first.click()
    _confirm(page, shots / f"list-mark-sent-{size}.png")
    expect(page.locator(".msg.success")).to_contain_text("đã gửi")
    sent = GeneratedFile.objects.filter(pk__in=[f.pk for f in lists], sent_at__isnull=False)
    assert [f.sent_by for f in sent] == [officer]
    page.screenshot(path=str(shots / f"list-sent-{size}.png"), full_page=True)
    page.get_by_test_id("withdraw-sent").click()
    _confirm(page, shots / f"list-withdraw-sent-{size}.png")
    expect(page.locator(".msg.success")).to_contain_text("Đã rút dấu đã gửi")
    assert not GeneratedFile.objects.filter(sent_at__isnull=False).exists()
    assert Event.objects.filter(kind=Event.Kind.LIST_SENT_WITHDRAWN, actor=officer).count() == 1
    _fits(page)
    context.close()
