"""The navigation: each role sees the pages it may use, and its communes."""

from django.urls import reverse
from django.utils.translation import gettext as _

from beneficiaries.access import communes_for
from core import roles
from core.access import has_any_role, user_roles


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [(_("Trang chủ"), reverse("home"))]
    if has_any_role(user, roles.CAN_SEE_REGISTRY):
        items.append((_("Danh sách đối tượng"), reverse("person_list")))
    if has_any_role(user, roles.CAN_EDIT_REGISTRY):
        items.append((_("Thêm người"), reverse("person_create")))
        items.append((_("Nhập từ Excel"), reverse("import_upload")))
    if has_any_role(user, roles.CAN_SEE_REGISTRY):
        items.append((_("Chất lượng dữ liệu"), reverse("data_quality")))
    if has_any_role(user, roles.CAN_SEE_MONEY):
        items.append((_("Mở tài khoản"), reverse("account_pipeline")))
    if has_any_role(user, roles.CAN_SEE_OUTREACH):
        items.append((_("Truyền thông"), reverse("outreach_list")))
    if has_any_role(user, roles.CAN_SEE_TRANSFERS):
        items.append((_("Chuyển chương trình"), reverse("transfer_list")))
    if has_any_role(user, roles.CAN_SEE_LISTS):
        items.append((_("Danh sách đăng ký"), reverse("registration_lists")))
        items.append((_("Tệp đã lập"), reverse("downloads")))
        items.append((_("Báo cáo tháng"), reverse("monthly_report")))
    if has_any_role(user, roles.CAN_SEE_CYCLES):
        items.append((_("Kỳ chi trả"), reverse("cycle_list")))
    if has_any_role(user, roles.CAN_RECORD_CASH):
        items.append((_("Chi trả tiền mặt"), reverse("post_office")))
    if user.is_superuser:
        items.append((_("Sáp nhập xã"), reverse("merger_page")))
    if user.is_staff:
        items.append((_("Quản trị"), reverse("admin:index")))
    role_labels = [
        str(roles.ROLE_LABELS[r]) for r in sorted(user_roles(user)) if r in roles.ROLE_LABELS
    ]
    # The nearest deadline is fetched by the page (static/js/deadline-badge.js), so
    # the navigation costs no query on any page.
    deadline_url = (
        reverse("deadline_badge")
        if has_any_role(user, roles.CAN_SEE_LISTS - roles.SEES_SENT_LISTS_ONLY)
        else None
    )
    return {
        "nav_items": items,
        "nav_deadline_url": deadline_url,
        "nav_roles": role_labels,
        "nav_communes": list(communes_for(user).values_list("name", flat=True)[:5]),
    }
