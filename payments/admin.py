from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.admin import CommuneScopedAdmin
from payments.models import AllowanceRate, Bank, Entitlement, PaymentAccount


@admin.register(Bank)
class BankAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "bin", "code", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["short_name", "name", "bin", "code"]


@admin.register(PaymentAccount)
class PaymentAccountAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "holder__commune"
    list_display = ["number", "bank", "holder", "holder_name", "opened_on", "active"]
    list_filter = ["bank", "active"]
    search_fields = ["number", "holder__name_folded", "holder_name", "=holder__personal_id"]
    list_select_related = ["bank", "holder"]
    raw_id_fields = ["holder"]
    scoped_foreign_keys = {"holder": "commune"}


@admin.register(AllowanceRate)
class AllowanceRateAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "amount", "applies_from", "legal_basis", "verified"]
    list_filter = ["programme", "verified"]
    search_fields = ["legal_basis"]


@admin.register(Entitlement)
class EntitlementAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "beneficiary__commune"
    list_display = ["beneficiary", "from_month", "basis", "coefficient", "amount"]
    list_filter = ["basis", "beneficiary__programme"]
    search_fields = ["beneficiary__person__name_folded", "=beneficiary__person__personal_id"]
    list_select_related = ["beneficiary__person", "beneficiary__programme"]
    raw_id_fields = ["beneficiary"]
    scoped_foreign_keys = {"beneficiary": "commune"}
