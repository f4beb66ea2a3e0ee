from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.admin import CommuneScopedAdmin
from registration.models import PaymentMethodRegistration


@admin.register(PaymentMethodRegistration)
class PaymentMethodRegistrationAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "beneficiary__commune"
    list_display = [
        "beneficiary",
        "method",
        "representative",
        "account",
        "from_month",
        "is_current",
    ]
    list_filter = ["method", "is_current", "beneficiary__programme"]
    search_fields = [
        "beneficiary__person__name_folded",
        "beneficiary__person__personal_id",
        "account__number",
    ]
    list_select_related = [
        "beneficiary__person",
        "beneficiary__programme",
        "account__bank",
        "representative__person",
        "representative__represented",
    ]
    raw_id_fields = ["beneficiary", "representative", "account"]
    scoped_foreign_keys = {
        "beneficiary": "commune",
        "representative": "represented__commune",
        "account": "holder__commune",
    }
    date_hierarchy = "from_month"
