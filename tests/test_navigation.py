"""The grouped navigation and the breadcrumbs (yenson/navigation.py), and how base.html draws them."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import get_resolver, reverse

from tests.factories import PersonFactory
from yenson.navigation import NAV, PAGES, breadcrumbs, section

pytestmark = pytest.mark.django_db


def _groups(client, url=None):
    context = client.get(url or reverse("home")).context
    return [(g.label, [i["label"] for i in g.items]) for g in context["nav_groups"]], context


def test_the_officer_s_links_are_grouped_by_task(client, officer):
    client.force_login(officer)
    groups, context = _groups(client)
    assert groups == [
        ("Trang chủ", ["Trang chủ"]),
        (
            "Đối tượng",
            ["Danh sách đối tượng", "Thêm người", "Nhập từ Excel", "Chất lượng dữ liệu",
             "Chuyển chương trình", "Truyền thông"],
        ),
        (
            "Chi trả",
            ["Mở tài khoản", "Kỳ chi trả", "Chi trả tiền mặt", "Khiếu nại chưa nhận tiền",
             "Khoản thu hồi", "Mức chuẩn, mức trợ cấp"],
        ),
        ("Danh sách và báo cáo", ["Danh sách đăng ký", "Tệp đã lập", "Báo cáo tháng"]),
    ]  # fmt: skip
    flat = [(i["label"], i["url"]) for g in context["nav_groups"] for i in g.items]
    assert context["nav_items"] == flat


def test_the_superuser_sees_the_admin_group(admin_client):
    groups, _context = _groups(admin_client)
    assert groups[-1] == ("Quản trị", ["Quản trị", "Sáp nhập xã"])


def test_a_group_with_one_link_for_a_role_is_a_plain_link(client, post_office):
    client.force_login(post_office)
    groups, _context = _groups(client)
    assert groups == [("Trang chủ", ["Trang chủ"]), ("Chi trả", ["Chi trả tiền mặt"])]
    html = client.get(reverse("home")).content.decode()
    assert "<details" not in html.split('data-testid="main-nav"')[1].split("</nav>")[0]
    assert f'<a href="{reverse("post_office")}" class="nav-link">Chi trả tiền mặt</a>' in html


def test_the_current_page_marks_its_item_and_its_group(client, officer):
    client.force_login(officer)
    html = client.get(reverse("cycle_list")).content.decode()
    nav = html.split('data-testid="main-nav"')[1].split("</nav>")[0]
    assert f'<a href="{reverse("cycle_list")}" aria-current="page">Kỳ chi trả</a>' in nav
    current_groups = re.findall(
        r'<summary class="nav-link" aria-current="true">([^<]+)</summary>', nav
    )
    assert current_groups == ["Chi trả"]
    assert nav.count("aria-current") == 2


def test_an_inner_page_marks_the_link_of_its_section(client, officer, commune):
    person = PersonFactory(commune=commune, full_name="Lê Thị Hoa")
    client.force_login(officer)
    html = client.get(reverse("person_edit", args=[person.pk])).content.decode()
    nav = html.split('data-testid="main-nav"')[1].split("</nav>")[0]
    assert f'<a href="{reverse("person_list")}" aria-current="true">Danh sách đối tượng</a>' in nav
    assert re.findall(r'aria-current="true">([^<]+)</summary>', nav) == ["Đối tượng"]


def test_every_page_and_link_of_the_map_is_a_real_url_name():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    for name, page in PAGES.items():
        assert name in names, name
        assert page.parent is None or page.parent in PAGES, name
    for link in NAV:
        assert link.url_name == "admin:index" or link.url_name in PAGES, link.url_name
    assert section("cycle_payments") == "cycle_list"
    assert section("person_edit") == "person_list"
    assert section("no_such_page") is None


def test_a_cycle_s_payments_trail_names_the_month():
    cycle = SimpleNamespace(pk=7, period=datetime.date(2026, 12, 1))
    trail = breadcrumbs("cycle_payments", {"cycle": cycle})
    assert [(c.label, c.url) for c in trail] == [
        ("Trang chủ", reverse("home")),
        ("Kỳ chi trả", reverse("cycle_list")),
        ("Tháng 12/2026", reverse("cycle_detail", args=[7])),
        ("Khoản chi", None),
    ]


def test_the_current_page_takes_the_label_the_view_or_the_template_gives():
    cycle = SimpleNamespace(pk=7, period=datetime.date(2026, 12, 1))
    assert breadcrumbs("cycle_detail", {"cycle": cycle})[-1].label == "Tháng 12/2026"
    given = {"cycle": cycle, "breadcrumb_label": "Tháng 12/2026 — xã Yến Sơn"}
    assert breadcrumbs("cycle_detail", given)[-1].label == "Tháng 12/2026 — xã Yến Sơn"
    assert breadcrumbs("cycle_detail", {"cycle": cycle}, "Bản in")[-1].label == "Bản in"
    assert (
        breadcrumbs("account_request_refer", {"title": "Giới thiệu đến ngân hàng"})[-1].label
        == "Giới thiệu đến ngân hàng"
    )


def test_an_ancestor_without_its_object_keeps_its_label_without_a_link():
    trail = breadcrumbs("cycle_changes", {})
    assert [(c.label, c.url) for c in trail][1:] == [
        ("Kỳ chi trả", reverse("cycle_list")),
        ("Kỳ chi trả", None),
        ("Thay đổi so với tháng trước", None),
    ]


def test_the_home_page_and_an_unknown_page_have_no_trail():
    assert breadcrumbs("home", {}) == []
    assert breadcrumbs(None, {}) == []
    assert breadcrumbs("deadline_badge", {}) == []


def test_base_html_draws_the_trail_of_a_person_s_edit_page(client, officer, commune):
    person = PersonFactory(commune=commune, full_name="Lê Thị Hoa")
    client.force_login(officer)
    html = client.get(reverse("person_edit", args=[person.pk])).content.decode()
    trail = html.split('aria-label="Đường dẫn"')[1].split("</nav>")[0]
    assert re.findall(r"<li>(?:<a [^>]*>|<span[^>]*>)([^<]+)", trail) == [
        "Trang chủ",
        "Danh sách đối tượng",
        "Lê Thị Hoa",
        "Sửa thông tin",
    ]
    assert f'<a href="{reverse("person_list")}">Danh sách đối tượng</a>' in trail
    assert f'<a href="{reverse("person_detail", args=[person.pk])}">Lê Thị Hoa</a>' in trail
    assert '<span aria-current="page">Sửa thông tin</span>' in trail
    assert 'aria-label="Đường dẫn"' not in client.get(reverse("home")).content.decode()
