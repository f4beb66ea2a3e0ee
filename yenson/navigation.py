"""Where a page sits: the grouped navigation and the breadcrumbs, written once.

``NAV`` lists the links of the navigation by task group, each with the roles
that see it. ``PAGES`` maps a url name to its label and its parent page, so a
page's breadcrumbs are the walk up to ``home`` and its place in the navigation
is the first link met on the way. A page about one object (a person, a cycle)
names the context variable that holds it: the object gives the crumb its label
("Tháng 12/2026") and its pk fills the crumb's link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from core.access import has_any_role


@dataclass(frozen=True)
class Link:
    group: str
    url_name: str
    label: str
    allowed: Callable[[object], bool]


def _role(allowed_roles) -> Callable[[object], bool]:
    return lambda user: has_any_role(user, allowed_roles)


def _anyone(user) -> bool:
    return True


def _superuser(user) -> bool:
    return bool(user.is_superuser)


def _staff(user) -> bool:
    return bool(user.is_staff)


HOME = gettext_lazy("Trang chủ")
PEOPLE = gettext_lazy("Đối tượng")
PAYING = gettext_lazy("Chi trả")
LISTS = gettext_lazy("Danh sách và báo cáo")
ADMIN = gettext_lazy("Quản trị")

NAV: tuple[Link, ...] = (
    Link(HOME, "home", gettext_lazy("Trang chủ"), _anyone),
    Link(PEOPLE, "person_list", gettext_lazy("Danh sách đối tượng"), _role(roles.CAN_SEE_REGISTRY)),
    Link(PEOPLE, "person_create", gettext_lazy("Thêm người"), _role(roles.CAN_EDIT_REGISTRY)),
    Link(PEOPLE, "import_upload", gettext_lazy("Nhập từ Excel"), _role(roles.CAN_EDIT_REGISTRY)),
    Link(PEOPLE, "data_quality", gettext_lazy("Chất lượng dữ liệu"), _role(roles.CAN_SEE_REGISTRY)),
    Link(
        PEOPLE,
        "transfer_list",
        gettext_lazy("Chuyển chương trình"),
        _role(roles.CAN_SEE_TRANSFERS),
    ),
    Link(PEOPLE, "outreach_list", gettext_lazy("Truyền thông"), _role(roles.CAN_SEE_OUTREACH)),
    Link(PAYING, "account_pipeline", gettext_lazy("Mở tài khoản"), _role(roles.CAN_SEE_MONEY)),
    Link(PAYING, "cycle_list", gettext_lazy("Kỳ chi trả"), _role(roles.CAN_SEE_CYCLES)),
    Link(PAYING, "post_office", gettext_lazy("Chi trả tiền mặt"), _role(roles.CAN_RECORD_CASH)),
    Link(
        PAYING, "case_list", gettext_lazy("Khiếu nại chưa nhận tiền"), _role(roles.CAN_SEE_CYCLES)
    ),
    Link(PAYING, "recovery_list", gettext_lazy("Khoản thu hồi"), _role(roles.CAN_SEE_RECOVERIES)),
    Link(
        PAYING,
        "base_levels",
        gettext_lazy("Mức chuẩn, mức trợ cấp"),
        _role(roles.CAN_PREVIEW_BASE_LEVELS),
    ),
    Link(
        LISTS, "registration_lists", gettext_lazy("Danh sách đăng ký"), _role(roles.CAN_SEE_LISTS)
    ),
    Link(LISTS, "downloads", gettext_lazy("Tệp đã lập"), _role(roles.CAN_SEE_LISTS)),
    Link(LISTS, "monthly_report", gettext_lazy("Báo cáo tháng"), _role(roles.CAN_SEE_LISTS)),
    Link(ADMIN, "admin:index", gettext_lazy("Quản trị"), _staff),
    Link(ADMIN, "merger_page", gettext_lazy("Sáp nhập xã"), _superuser),
)


@dataclass(frozen=True)
class Page:
    """One page: its label, its parent, and the context variable holding its object."""

    label: str
    parent: str | None = "home"
    obj: str | None = None  # the context variable whose object the page shows
    obj_label: Callable[[object], str] | None = None  # the crumb's label from that object
    label_var: str | None = None  # a context variable holding the page's own title


def _month_label(cycle) -> str:
    return _("Tháng %(month)s") % {"month": cycle.period.strftime("%m/%Y")}


def _person_label(person) -> str:
    return person.full_name


PERSON = {"obj": "person", "obj_label": _person_label}

PAGES: Mapping[str, Page] = {
    "home": Page(gettext_lazy("Trang chủ"), parent=None),
    # Đối tượng
    "person_list": Page(gettext_lazy("Danh sách đối tượng")),
    "person_create": Page(gettext_lazy("Thêm người"), parent="person_list"),
    "person_detail": Page(gettext_lazy("Hồ sơ"), parent="person_list", **PERSON),
    "person_edit": Page(gettext_lazy("Sửa thông tin"), parent="person_detail"),
    "beneficiary_create": Page(gettext_lazy("Thêm diện hưởng"), parent="person_detail"),
    "beneficiary_edit": Page(gettext_lazy("Sửa diện hưởng"), parent="person_detail"),
    "condition_create": Page(gettext_lazy("Điều kiện đã kê khai"), parent="person_detail"),
    "representative_create": Page(gettext_lazy("Thêm người nhận thay"), parent="person_detail"),
    "account_create": Page(gettext_lazy("Thêm tài khoản"), parent="person_detail"),
    "account_edit": Page(gettext_lazy("Sửa tài khoản"), parent="person_detail"),
    "representative_edit": Page(gettext_lazy("Sửa người nhận thay"), parent="person_detail"),
    "register_method": Page(gettext_lazy("Đăng ký hình thức nhận"), parent="person_detail"),
    "account_request_create": Page(gettext_lazy("Đề nghị mở tài khoản"), parent="person_detail"),
    "import_upload": Page(gettext_lazy("Nhập từ Excel")),
    "import_detail": Page(
        gettext_lazy("Lần nhập"),
        parent="import_upload",
        obj="batch",
        obj_label=lambda batch: batch.original_name,
    ),
    "data_quality": Page(gettext_lazy("Chất lượng dữ liệu")),
    "transfer_list": Page(gettext_lazy("Chuyển chương trình")),
    "transfer_detail": Page(
        gettext_lazy("Đề xuất"),
        parent="transfer_list",
        obj="transfer",
        obj_label=lambda transfer: _("Đề xuất %(n)s") % {"n": transfer.pk},
    ),
    "outreach_list": Page(gettext_lazy("Truyền thông")),
    "outreach_create": Page(gettext_lazy("Thêm hoạt động"), parent="outreach_list"),
    "outreach_edit": Page(gettext_lazy("Sửa hoạt động"), parent="outreach_list"),
    # Chi trả
    "account_pipeline": Page(gettext_lazy("Mở tài khoản")),
    "account_request_refer": Page(
        gettext_lazy("Giới thiệu"), parent="account_pipeline", label_var="title"
    ),
    "account_request_opened": Page(
        gettext_lazy("Đã mở tài khoản"), parent="account_pipeline", label_var="title"
    ),
    "account_request_abandon": Page(
        gettext_lazy("Dừng"), parent="account_pipeline", label_var="title"
    ),
    "cycle_list": Page(gettext_lazy("Kỳ chi trả")),
    "cycle_detail": Page(
        gettext_lazy("Kỳ chi trả"), parent="cycle_list", obj="cycle", obj_label=_month_label
    ),
    "cycle_payments": Page(gettext_lazy("Khoản chi"), parent="cycle_detail", obj="cycle"),
    "result_correction": Page(gettext_lazy("Sửa kết quả"), parent="cycle_payments"),
    "cycle_changes": Page(gettext_lazy("Thay đổi so với tháng trước"), parent="cycle_detail"),
    # A step's confirmation page (core.confirm): named after the step.
    "cycle_action": Page(gettext_lazy("Xác nhận"), parent="cycle_detail"),
    "cycle_checks": Page(gettext_lazy("Kiểm tra chi trả"), parent="cycle_detail", obj="cycle"),
    "cycle_reconciliation": Page(gettext_lazy("Đối soát"), parent="cycle_detail", obj="cycle"),
    "case_list": Page(gettext_lazy("Khiếu nại chưa nhận tiền")),
    "case_resolve": Page(gettext_lazy("Giải quyết"), parent="case_list"),
    "recovery_list": Page(gettext_lazy("Khoản thu hồi")),
    "recovery_detail": Page(
        gettext_lazy("Khoản thu hồi"),
        parent="recovery_list",
        obj="recovery",
        obj_label=lambda recovery: recovery.beneficiary.person.full_name,
    ),
    "recovery_decision": Page(gettext_lazy("Ghi quyết định"), parent="recovery_detail"),
    "recovery_settlement": Page(gettext_lazy("Nộp lại/miễn"), parent="recovery_detail"),
    "person_statement": Page(gettext_lazy("Phản ánh chưa nhận tiền"), parent="person_detail"),
    "results_upload": Page(gettext_lazy("Kết quả ngân hàng"), parent="cycle_detail", obj="cycle"),
    "results_upload_detail": Page(
        gettext_lazy("Tệp kết quả"),
        parent="results_upload",
        obj="upload",
        obj_label=lambda upload: upload.original_name,
    ),
    "base_levels": Page(gettext_lazy("Mức chuẩn, mức trợ cấp")),
    "base_level_preview": Page(gettext_lazy("Xem trước mức chuẩn"), parent="base_levels"),
    "amount_table_upload": Page(gettext_lazy("Bảng số tiền"), parent="base_levels"),
    "amount_table_confirm": Page(gettext_lazy("Xem trước bảng số tiền"), parent="base_levels"),
    # The post office's cash account of a cycle: the accountant's side from the cycle page.
    "cash_handover": Page(
        gettext_lazy("Bàn giao tiền mặt"), parent="cycle_detail", obj="cycle", label_var="title"
    ),
    "cash_confirm_accountant": Page(gettext_lazy("Kế toán xác nhận"), parent="cycle_detail"),
    "post_office": Page(gettext_lazy("Chi trả tiền mặt")),
    "post_office_bulk_confirm": Page(gettext_lazy("Xác nhận đã chi trả"), parent="post_office"),
    "post_office_cash_returned": Page(
        gettext_lazy("Tiền mặt nộp lại"), parent="post_office", label_var="title"
    ),
    "post_office_cash_confirm": Page(gettext_lazy("Bưu điện xác nhận"), parent="post_office"),
    "post_office_correction": Page(gettext_lazy("Sửa kết quả"), parent="post_office"),
    # Danh sách và báo cáo
    "registration_lists": Page(gettext_lazy("Danh sách đăng ký")),
    "registration_lists_approve": Page(
        gettext_lazy("Phê duyệt danh sách"), parent="registration_lists"
    ),
    "registration_lists_withdraw_approval": Page(
        gettext_lazy("Rút phê duyệt"), parent="registration_lists"
    ),
    "generated_file_mark_sent": Page(gettext_lazy("Ghi nhận đã gửi"), parent="registration_lists"),
    "generated_file_withdraw_sent": Page(
        gettext_lazy("Rút dấu đã gửi"), parent="registration_lists"
    ),
    "downloads": Page(gettext_lazy("Tệp đã lập")),
    "monthly_report": Page(gettext_lazy("Báo cáo tháng")),
    # Quản trị
    "merger_page": Page(gettext_lazy("Sáp nhập xã")),
}


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None  # None for the current page (and an ancestor without its object)


@dataclass
class Group:
    label: str
    items: list[dict] = field(default_factory=list)
    current: bool = False


def ancestors(url_name: str | None) -> list[str]:
    """The url name and its parents up to ``home``, nearest first; [] for an unknown page."""
    chain: list[str] = []
    while url_name in PAGES and url_name not in chain:
        chain.append(url_name)
        url_name = PAGES[url_name].parent
    return chain


def section(url_name: str | None) -> str | None:
    """The navigation link a page belongs to: itself or its nearest ancestor in ``NAV``."""
    linked = {link.url_name for link in NAV}
    return next((name for name in ancestors(url_name) if name in linked), None)


def links_for(user) -> list[Link]:
    return [link for link in NAV if link.allowed(user)]


def grouped(links: list[Link], current_url_name: str | None, path: str) -> list[Group]:
    """The links by group, in ``NAV``'s order, marking the current page's item and group."""
    here = section(current_url_name)
    groups: dict[str, Group] = {}
    for link in links:
        url = reverse(link.url_name)
        item = {
            "label": str(link.label),
            "url": url,
            # "page" on the page itself, "true" on the link of the section it belongs to
            "current": "page" if url == path else ("true" if link.url_name == here else ""),
        }
        group = groups.setdefault(str(link.group), Group(label=str(link.group)))
        group.items.append(item)
        group.current = group.current or bool(item["current"])
    return list(groups.values())


def breadcrumbs(url_name: str | None, context: Mapping, label: str | None = None) -> list[Crumb]:
    """The trail from ``home`` to the current page; [] on the home page and unknown pages.

    ``label`` (or the context's ``breadcrumb_label``) names the current page
    instead of its mapped label.
    """
    chain = ancestors(url_name)
    if len(chain) < 2:
        return []
    crumbs: list[Crumb] = []
    for position, name in enumerate(chain):
        page = PAGES[name]
        obj = context.get(page.obj) if page.obj else None
        text = page.obj_label(obj) if obj is not None and page.obj_label else page.label
        if position == 0:
            own = label or context.get("breadcrumb_label")
            if not own and page.label_var:
                own = context.get(page.label_var)
            crumbs.append(Crumb(label=str(own or text)))
            continue
        url = None
        try:
            url = reverse(name, args=[obj.pk]) if obj is not None else reverse(name)
        except NoReverseMatch:
            url = None  # a page about an object the view did not hand over: its label alone
        crumbs.append(Crumb(label=str(text), url=url))
    crumbs.reverse()
    return crumbs
