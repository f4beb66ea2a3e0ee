"""The cycle's steps through their confirmation pages: what the page says, the step
once, a stale or second submission refused with a message and no second effect."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.confirm import VERSION_FIELD
from payments.cyclefiles import request_cycle_files
from payments.models import PaymentCycle
from payments.services.cycles import approve_cycle, open_cycle
from tests.confirming import confirm_post, shown_version
from tests.conftest import local_moment
from tests.cycles.conftest import SEP, enrol

pytestmark = pytest.mark.django_db

BEFORE_DUE = datetime.date(2023, 9, 3)
REASON = "Ông Một chuyển sang nhận tiền mặt, cần lập lại"


@pytest.fixture
def draft(commune, officer, verify_all):
    enrol(commune, full_name="Phan Văn Một")
    enrol(commune, full_name="Phan Văn Hai", amount=1_624_000)
    verify_all()
    return open_cycle(commune, SEP, actor=officer).cycle


def _url(cycle, slug):
    return reverse("cycle_action", args=[cycle.pk, slug])


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_approval_page_says_what_will_be_approved_and_changes_nothing(client, leader, draft):
    client.force_login(leader)
    page = client.get(_url(draft, "phe-duyet"))
    assert page.status_code == 200
    facts = dict(page.context["confirmation"].facts)
    assert facts["Xã"] == draft.commune.name
    assert facts["Tháng"] == "09/2023"
    assert facts["Số người"] == "2"
    assert facts["Tổng tiền"] == "3.679.000 đ"
    html = page.content.decode()
    assert "Phê duyệt kỳ chi trả tháng 09/2023" in html
    assert "3.679.000 đ" in html and 'name="phien_ban"' in html
    assert "<script>" not in html and "onclick" not in html
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_step_is_taken_once_and_a_second_click_is_told_so(client, leader, draft):
    client.force_login(leader)
    version = shown_version(client, _url(draft, "phe-duyet"))
    first = client.post(_url(draft, "phe-duyet"), {VERSION_FIELD: version})
    assert first.status_code == 302 and first["Location"] == reverse(
        "cycle_detail", args=[draft.pk]
    )
    assert "Đã phê duyệt kỳ chi trả." in _said(first)
    rows = draft.history.count()
    second = client.post(_url(draft, "phe-duyet"), {VERSION_FIELD: version})
    said = _said(second)
    assert "Trang xác nhận đã cũ" in said and "Không có gì được thực hiện thêm." in said
    assert draft.history.count() == rows
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", leader)


def test_a_page_opened_before_the_draft_was_rebuilt_approves_nothing(
    client, leader, officer, draft, verify_all
):
    client.force_login(leader)
    version = shown_version(client, _url(draft, "phe-duyet"))
    enrol(draft.commune, full_name="Phan Văn Ba", amount=1_000_000)
    verify_all()
    open_cycle(draft.commune, SEP, actor=officer)  # 3 people now, not the 2 shown
    response = client.post(_url(draft, "phe-duyet"), {VERSION_FIELD: version})
    assert "Trang xác nhận đã cũ" in _said(response)
    draft.refresh_from_db()
    assert (draft.status, draft.payment_count) == ("draft", 3)


def test_a_post_without_the_page_does_nothing(client, leader, draft):
    client.force_login(leader)
    response = client.post(_url(draft, "phe-duyet"))
    assert "Trang xác nhận đã cũ" in _said(response)
    assert PaymentCycle.objects.get(pk=draft.pk).status == "draft"


def test_the_cycle_page_links_to_the_confirmation_not_to_a_one_click_form(client, leader, draft):
    client.force_login(leader)
    html = client.get(reverse("cycle_detail", args=[draft.pk])).content.decode()
    assert f'href="{_url(draft, "phe-duyet")}"' in html
    assert f'action="{_url(draft, "phe-duyet")}"' not in html


def test_withdrawing_the_approval_asks_for_a_reason_then_the_history_shows_it(
    client, leader, draft
):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    client.force_login(leader)
    detail = client.get(reverse("cycle_detail", args=[draft.pk])).content.decode()
    assert _url(draft, "rut-phe-duyet") in detail
    page = client.get(_url(draft, "rut-phe-duyet"))
    assert 'name="ly_do"' in page.content.decode()
    version = page.context["confirmation"].token
    empty = client.post(_url(draft, "rut-phe-duyet"), {VERSION_FIELD: version, "ly_do": "  "})
    assert empty.status_code == 400
    assert "Hãy ghi lý do." in empty.content.decode()
    assert PaymentCycle.objects.get(pk=draft.pk).status == "approved"
    done = client.post(_url(draft, "rut-phe-duyet"), {VERSION_FIELD: version, "ly_do": REASON})
    assert "Đã rút phê duyệt" in _said(done)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("draft", None)
    html = client.get(reverse("cycle_detail", args=[draft.pk])).content.decode()
    assert f"Rút phê duyệt: {REASON}" in html
    # Approved again through the same page.
    again = confirm_post(client, _url(draft, "phe-duyet"))
    assert "Đã phê duyệt kỳ chi trả." in _said(again)
    assert PaymentCycle.objects.get(pk=draft.pk).status == "approved"


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("other_officer", 404)])
def test_only_the_leader_opens_the_withdrawal_page(client, request, leader, draft, who, status):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(draft, "rut-phe-duyet")).status_code == status
    assert client.post(_url(draft, "rut-phe-duyet"), {"ly_do": REASON}).status_code == status
    assert PaymentCycle.objects.get(pk=draft.pk).status == "approved"


def test_the_sending_page_lists_the_files_and_warns_when_late(
    client, leader, officer, draft, clock
):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    request_cycle_files(draft, actor=officer, queue=False)
    clock.move_to(local_moment(datetime.date(2023, 9, 7)))
    client.force_login(officer)
    page = client.get(_url(draft, "gui"))
    confirmation = page.context["confirmation"]
    [table] = confirmation.tables
    assert [row[0] for row in table.rows] == [
        "Tệp chi trả qua ngân hàng (mỗi ngân hàng một tệp)",
        "Danh sách chi trả tiền mặt và tại nhà",
    ]
    assert any("sẽ được ghi là gửi muộn" in w for w in confirmation.warnings)
    response = confirm_post(client, _url(draft, "gui"))
    assert "Đã ghi nhận gửi kỳ chi trả" in _said(response)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_late) == ("submitted", True)
