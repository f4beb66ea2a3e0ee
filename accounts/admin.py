"""Banks are reference data an administrator edits; accounts are scoped to the
user's communes through their holder, like the registry."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Bank, PaymentAccount
from beneficiaries.admin import CommuneScopedAdmin
from core.widgets import MonthFieldsAdmin


@admin.register(Bank)
class BankAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["short_name", "bin", "code", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["short_name", "name", "bin", "code"]


@admin.register(PaymentAccount)
class PaymentAccountAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    person_path = "holder"
    commune_path = "holder__commune"
    list_display = ["number", "bank", "holder", "holder_name", "opened_on", "active"]
    list_filter = ["bank", "active"]
    search_fields = ["number", "holder__name_folded", "holder_name", "=holder__personal_id"]
    list_select_related = ["bank", "holder"]
    raw_id_fields = ["holder"]
    scoped_foreign_keys = {"holder": "commune"}
