"""The surprising cycle's warning in Debian's Chromium at 1366×768: in the first
screen, above the facts, before the leader's "Phê duyệt" button is pressed.

The browser of ``conftest.py``: every row is created before the page opens.
Set ``CYCLE_SURPRISE_SCREENSHOT=/path/shot.png`` to keep the screenshot.
"""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beneficiaries.models import Person
from beneficiaries.services import record_matches
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from tests.cycles.conftest import enrol
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-123"
D = datetime.date


@pytest.fixture
def september(commune, officer, leader, police, reference_data):
    """August paid for An alone; Bình joins in September with August's arrears."""
    enrol(commune, full_name="Phan Văn An", start=D(2023, 8, 1))
    august = open_cycle(commune, D(2023, 8, 1), actor=officer).cycle
    now = timezone.now()
    PaymentCycle.objects.filter(pk=august.pk).update(
        status=PaymentCycle.Status.PAID,
        approved_by=UserFactory(username="chutich_cu", role="leader"),
        approved_at=now,
        submitted_by=officer,
        submitted_at=now,
        paid_at=now,
    )
    enrol(commune, full_name="Lê Thị Bình", amount=1_000_000, start=D(2023, 6, 1))
    record_matches(Person.objects.all(), actor=police)
    return open_cycle(commune, D(2023, 9, 1), actor=officer).cycle


def test_the_warning_is_in_the_first_screen_before_approval(
    browser, live_server, september, tmp_path
):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", "chutich")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/ky-chi-tra/{september.pk}/")

    warning = page.get_by_test_id("surprise")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        "Tổng kỳ này 4.055.000 đ, gấp 2,0 lần kỳ đã chi trả gần nhất (tháng 08/2023: 2.055.000 đ)."
    )
    expect(warning).to_contain_text(
        "Truy lĩnh các tháng trước 09/2023: 1 người, tổng 1 tháng, 1.000.000 đ."
    )
    expect(warning).to_contain_text("Tăng mới so với kỳ tháng 08/2023: 1 người, 2.000.000 đ.")
    approve = page.get_by_role("link", name="Phê duyệt…", exact=True)
    expect(approve).to_be_visible()
    # Both in the first screen, without scrolling: the reasons are read before approving.
    box = warning.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768
    assert approve.bounding_box()["y"] < box["y"]
    # The page does not overflow sideways at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    target = os.environ.get("CYCLE_SURPRISE_SCREENSHOT") or str(tmp_path / "surprise.png")
    page.screenshot(path=target)
    context.close()
