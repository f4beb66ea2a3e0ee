"""Base levels are reference data an administrator checks against the legal
text; entitlements are scoped to the user's communes through the enrolment."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from amounts.models import AllowanceRate, Entitlement
from beneficiaries.admin import CommuneScopedAdmin
from core.widgets import MonthFieldsAdmin


@admin.register(AllowanceRate)
class AllowanceRateAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["programme", "amount", "applies_from", "legal_basis", "verified"]
    list_filter = ["programme", "verified"]
    search_fields = ["legal_basis"]


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
