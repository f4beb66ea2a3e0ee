"""Base levels are reference data an administrator checks against the legal
text; entitlements are scoped to the user's communes through the enrolment."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from amounts.models import AllowanceRate, Entitlement
from beneficiaries.admin import CommuneScopedAdmin
from core.widgets import MonthFieldsAdmin


@admin.register(AllowanceRate)
class AllowanceRateAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    """A level changes the amounts of every enrolment of its programme: it is entered
    and confirmed on the base-levels page (preview, the leader's confirmation,
    re-rating), never typed here; the admin keeps its notes editable."""

    list_display = ["programme", "amount", "applies_from", "legal_basis", "verified"]
    list_filter = ["programme", "verified"]
    search_fields = ["legal_basis"]
    readonly_fields = [
        "enter_on_page",
        "programme",
        "amount",
        "applies_from",
        "verified",
        "verified_by",
        "verified_at",
    ]
    fields = readonly_fields[:7] + ["legal_basis", "source_note"]

    @admin.display(description=_("Nhập hoặc xác nhận mức chuẩn"))
    def enter_on_page(self, obj) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("base_levels"),
            _("Trang Mức chuẩn, mức trợ cấp (xem trước, lãnh đạo xác nhận, tính lại mức hưởng)"),
        )

    def has_add_permission(self, request) -> bool:
        return False  # a new level re-rates: the base-levels page enters it


@admin.register(Entitlement)
class EntitlementAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "beneficiary__commune"
    programme_path = "beneficiary__programme"
    list_display = ["beneficiary", "from_month", "basis", "coefficient", "amount"]
    list_filter = ["basis", "beneficiary__programme"]
    search_fields = ["beneficiary__person__name_folded", "=beneficiary__person__personal_id"]
    list_select_related = ["beneficiary__person", "beneficiary__programme"]
    raw_id_fields = ["beneficiary"]
    scoped_foreign_keys = {"beneficiary": "commune"}
