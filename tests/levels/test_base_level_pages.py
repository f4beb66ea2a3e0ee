"""The base-levels page: who sees it, the preview, the leader's confirmation (once),
the table's upload, the sample, the navigation and the admin."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from amounts.models import AllowanceRate, Entitlement
from core.confirm import VERSION_FIELD
from tests.confirming import confirm_post, shown_version
from tests.levels.conftest import JUL
from tests.levels.test_amount_table import workbook

pytestmark = pytest.mark.django_db

PAGE = reverse("base_levels")
ENTRY = {
    "chuong_trinh": "BTXH",
    "so_tien": "540.000",
    "tu_thang": "07/2026",
    "can_cu": "Nghị định 335/2026/NĐ-CP",
}


def preview_url(**changes) -> str:
    return f"{reverse('base_level_preview')}?{urlencode({**ENTRY, **changes})}"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _rate():
    return AllowanceRate.objects.get(programme__code="BTXH", applies_from=JUL)


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("leader", 200), ("accountant", 403), ("police", 403), ("post_office", 403)],
)
def test_the_officer_and_the_leader_open_the_page(client, request, world, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == status
    assert client.get(preview_url()).status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_page_lists_the_levels_with_the_unverified_one_flagged(client, world, officer):
    client.force_login(officer)
    text = client.get(PAGE).content.decode()
    assert "540.000 đ" in text and "Chưa kiểm chứng" in text
    assert reverse("amount_table_template") in text


def test_the_leader_s_preview_names_people_amounts_and_totals(client, world, leader):
    client.force_login(leader)
    response = client.get(preview_url())
    assert response.status_code == 200
    confirmation = response.context["confirmation"]
    facts = dict(confirmation.facts)
    assert facts["Số đối tượng được tính lại (mọi xã)"] == "3 người"
    assert facts["Chênh lệch mỗi tháng (cộng mọi người)"] == "200.000 đ"
    assert facts["Truy lĩnh các tháng đã chi (kỳ sau chi bổ sung)"] == "2 người — 280.000 đ"
    assert facts["Thu hồi các tháng đã chi cao hơn mức mới"] == "0 người — 0 đ"
    assert "chưa kiểm chứng" in facts["Mức đã có cho tháng này"]
    rows = confirmation.tables[0].rows
    assert [row[0] for row in rows] == ["Ngô Thị Hà", "Vũ Văn Cúc"]  # not the other commune's
    assert rows[0][5:] == ["750.000", "810.000", "2", "120.000", "0"]
    assert any("Yến Sơn 10/2026" in w for w in confirmation.warnings)
    assert b'data-testid="confirm-button"' in response.content


def test_a_lower_level_warns_of_recoveries(client, world, leader):
    client.force_login(leader)
    confirmation = client.get(preview_url(so_tien="480000")).context["confirmation"]
    assert confirmation.danger
    assert any("140.000 đ phải thu hồi" in w for w in confirmation.warnings)
    assert any("thấp hơn mức trước đó 500.000 đ" in w for w in confirmation.warnings)


def test_the_officer_previews_but_may_not_confirm(client, world, officer):
    client.force_login(officer)
    response = client.get(preview_url())
    assert response.status_code == 200
    assert b'data-testid="confirm-button"' not in response.content
    assert "chỉ lãnh đạo UBND xã xác nhận" in response.context["confirmation"].intro
    token = response.context["confirmation"].token
    assert client.post(preview_url(), {VERSION_FIELD: token}).status_code == 403
    assert not _rate().verified
    assert not Entitlement.objects.filter(from_month=JUL).exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"so_tien": "năm trăm"}, "Không đọc được số tiền"),
        ({"so_tien": "0"}, "Mức chuẩn phải lớn hơn 0 đồng."),
        ({"tu_thang": "13/2026"}, "mm/yyyy"),
        ({"can_cu": ""}, "bắt buộc"),
        ({"chuong_trinh": "XYZ"}, "Hãy chọn"),
    ],
)
def test_a_bad_entry_is_refused_in_vietnamese_and_writes_nothing(
    client, world, leader, changes, error
):
    client.force_login(leader)
    response = client.get(preview_url(**changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert client.post(preview_url(**changes)).status_code == 400
    assert not _rate().verified


def test_the_leader_confirms_once_and_a_second_click_changes_nothing(client, world, leader):
    client.force_login(leader)
    token = shown_version(client, preview_url())
    first = client.post(preview_url(), {VERSION_FIELD: token})
    assert first.status_code == 302 and first.url == PAGE
    assert (
        "Đã ghi mức chuẩn Bảo trợ xã hội 540.000 đ từ 07/2026: 3 mức hưởng mới"
        in _messages(first)[0]
    )
    rate = _rate()
    assert (rate.verified, rate.verified_by) == (True, leader)
    rows = Entitlement.objects.count()
    history = Entitlement.history.count()
    second = client.post(preview_url(), {VERSION_FIELD: token})
    assert second.status_code == 302
    message = _messages(second)[-1]
    assert "Trang xác nhận đã cũ" in message and "Không có gì được thực hiện thêm." in message
    assert (Entitlement.objects.count(), Entitlement.history.count()) == (rows, history)


def test_confirming_what_is_there_says_nothing_changed(client, world, leader):
    client.force_login(leader)
    confirm_post(client, preview_url())
    again = confirm_post(client, preview_url())
    assert "đã có và đã được xác nhận: không có gì thay đổi" in _messages(again)[-1]


# --- the table ------------------------------------------------------------------------


def _upload(client, data: io.BytesIO, name="bang.xlsx", decision="Nghị định 321/2026/NĐ-CP"):
    data.name = name
    return client.post(reverse("amount_table_upload"), {"van_ban": decision, "tep": data})


def test_a_bad_table_is_refused_with_its_rows_and_nothing_is_kept(client, world, leader):
    client.force_login(leader)
    response = _upload(
        client, workbook(["NCC_ZZ", "", 3_012_000, "07/2026"], ["NCC_A", "", "x", "07/2026"])
    )
    assert response.status_code == 400
    errors = response.context["table_errors"]
    assert len(errors) == 2 and errors[0].startswith("Dòng 3, cột «Mã đối tượng»")
    assert "không có gì được ghi" in response.content.decode()
    assert not Entitlement.objects.filter(from_month=JUL).exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_page(client, world, officer):
    client.force_login(officer)
    response = _upload(client, io.BytesIO(b"hello"), name="bang.txt")
    assert response.status_code == 400
    assert "không phải bảng tính Excel" in response.content.decode()


def test_a_good_table_goes_to_its_preview_and_the_leader_confirms_it(client, world, leader):
    client.force_login(leader)
    response = _upload(client, workbook(["NCC_A", "", 3_012_000, "07/2026"]))
    assert response.status_code == 302
    url = response.url
    assert url.startswith(reverse("amount_table_confirm"))
    page = client.get(url)
    confirmation = page.context["confirmation"]
    assert dict(confirmation.facts)["Truy lĩnh các tháng đã chi (kỳ sau chi bổ sung)"] == (
        "1 người — 446.000 đ"
    )
    assert confirmation.tables[1].rows[0][:7] == [
        "Trần Thị Lan",
        world.lan.person.personal_id,
        "Yến Sơn",
        "Lão thành cách mạng",
        "07/2026",
        "2.789.000",
        "3.012.000",
    ]
    done = client.post(url, {VERSION_FIELD: confirmation.token})
    assert "1 mức hưởng mới" in _messages(done)[0]
    row = Entitlement.objects.get(beneficiary=world.lan, from_month=JUL)
    assert (row.amount, row.decision_number) == (3_012_000, "Nghị định 321/2026/NĐ-CP")
    again = client.post(url, {VERSION_FIELD: confirmation.token})
    assert "Không có gì được thực hiện thêm." in _messages(again)[-1]
    assert Entitlement.objects.filter(beneficiary=world.lan).count() == 2


def test_the_officer_previews_a_table_but_may_not_confirm_it(client, world, officer):
    client.force_login(officer)
    url = _upload(client, workbook(["NCC_A", "", 3_012_000, "07/2026"])).url
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="confirm-button"' not in page.content
    assert client.post(url, {VERSION_FIELD: page.context["confirmation"].token}).status_code == 403
    assert not Entitlement.objects.filter(from_month=JUL).exists()


def test_a_tampered_table_address_is_refused(client, world, leader):
    client.force_login(leader)
    url = f"{reverse('amount_table_confirm')}?{urlencode({'van_ban': 'NĐ', 'bang': 'BTXH_K6_N:1:2026-07'})}"
    response = client.get(url)
    assert response.status_code == 400
    assert "không nhập số tiền cố định" in response.content.decode()


def test_the_sample_workbook_downloads(client, world, officer):
    client.force_login(officer)
    response = client.get(reverse("amount_table_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "NCC_A" in [row[0] for row in sheet.iter_rows(values_only=True)]


# --- navigation and admin -----------------------------------------------------------


def test_the_navigation_links_the_page_for_the_officer_and_the_leader(
    client, world, officer, accountant
):
    client.force_login(officer)
    assert f'href="{PAGE}"'.encode() in client.get(reverse("home")).content
    client.force_login(accountant)
    assert f'href="{PAGE}"'.encode() not in client.get(reverse("home")).content


def test_the_admin_does_not_change_a_level_s_amount(admin_client, world):
    rate = _rate()
    url = reverse("admin:amounts_allowancerate_change", args=[rate.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and PAGE.encode() in page.content
    admin_client.post(
        url, {"amount": "1", "applies_from": "01/2027", "legal_basis": "x", "source_note": ""}
    )
    rate.refresh_from_db()
    assert (rate.amount, rate.applies_from) == (540_000, JUL)
    assert admin_client.get(reverse("admin:amounts_allowancerate_add")).status_code == 403
