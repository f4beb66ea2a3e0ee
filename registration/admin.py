from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.admin import CommuneScopedAdmin
from core.rules.months import first_of_month
from core.widgets import MonthFieldsAdmin
from registration.models import (
    AccountOpeningRequest,
    OutreachActivity,
    PaymentMethodRegistration,
    ProgrammeTransfer,
    ProgrammeTransferLine,
)


@admin.register(PaymentMethodRegistration)
class PaymentMethodRegistrationAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "beneficiary__commune"
    programme_path = "beneficiary__programme"
    list_display = [
        "beneficiary",
        "method",
        "representative",
        "account",
        "from_month",
        "is_current",
        "in_force_this_month",
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

    def get_queryset(self, request):
        # "Current" is the latest choice, which may start later; this month's cycle
        # pays by the one in force.
        return super().get_queryset(request).with_in_force(first_of_month(timezone.localdate()))

    @admin.display(boolean=True, description=_("áp dụng tháng này"))
    def in_force_this_month(self, obj: PaymentMethodRegistration) -> bool:
        return bool(obj.in_force)


@admin.register(AccountOpeningRequest)
class AccountOpeningRequestAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    """Read and correct; the states move on the officer's pipeline page (the services)."""

    person_path = "person"

    commune_path = "person__commune"
    list_display = ["person", "state", "bank", "requested_on", "referred_on", "opened_on"]
    list_filter = ["state", "bank"]
    search_fields = ["person__name_folded", "person__personal_id"]
    list_select_related = ["person", "bank"]
    raw_id_fields = ["person", "beneficiary", "representative", "account"]
    # State and its dates change only through the services, which check the source state.
    readonly_fields = [
        "state",
        "referred_on",
        "referred_by",
        "opened_on",
        "account",
        "opened_by",
        "abandoned_on",
        "abandon_reason",
        "abandoned_by",
        "requested_by",
    ]
    scoped_foreign_keys = {
        "person": "commune",
        "beneficiary": "commune",
        "representative": "represented__commune",
        "account": "holder__commune",
    }
    date_hierarchy = "requested_on"


@admin.register(OutreachActivity)
class OutreachActivityAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    list_display = ["date", "channel", "audience", "people_reached", "village", "commune"]
    list_filter = ["channel"]
    search_fields = ["audience", "notes"]
    list_select_related = ["village", "commune"]
    readonly_fields = ["recorded_by"]
    scoped_foreign_keys = {"commune": "pk", "village": "commune"}
    date_hierarchy = "date"

    def get_search_results(self, request, queryset, search_term):
        # Free text, not folded names: search it as typed.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


class ProgrammeTransferLineInline(MonthFieldsAdmin, admin.TabularInline):
    model = ProgrammeTransferLine
    fields = ["enrolment", "moves", "reason", "amount_before", "amount_after", "new_enrolment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProgrammeTransfer)
class ProgrammeTransferAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    """Read only: a proposal is made, approved and cancelled on the officer's and the
    leader's pages (``registration.transfers``), which check who may and the state."""

    programme_path = "from_category__programme"
    list_display = ["__str__", "commune", "status", "proposed_by", "proposed_at", "approved_by"]
    list_filter = ["status", "from_category", "to_category"]
    list_select_related = ["commune", "from_category", "to_category", "proposed_by", "approved_by"]
    date_hierarchy = "month"
    inlines = [ProgrammeTransferLineInline]

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
