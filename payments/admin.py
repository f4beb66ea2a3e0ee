"""Recoveries in the admin: read only, scoped to the user's communes and programmes.

Recoveries change only through their services (detection, the officer's
decision, repayment and waiver on the recovery's page): the admin shows them
with their months, deductions and settlements, and their history.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.admin import CommuneScopedAdmin
from core.rules.money import format_amount
from payments.models import Recovery, RecoveryDeduction, RecoveryMonth, RecoverySettlement
from payments.services.recoveries import state_label, with_remaining


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecoveryMonthInline(_ReadOnlyInline):
    model = RecoveryMonth
    fields = ["month_shown", "amount"]
    readonly_fields = fields

    @admin.display(description=_("tháng"))
    def month_shown(self, obj: RecoveryMonth) -> str:
        return f"{obj.month:%m/%Y}"


class RecoveryDeductionInline(_ReadOnlyInline):
    model = RecoveryDeduction
    fields = ["cycle_month", "amount", "payment_status"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment__cycle")

    @admin.display(description=_("kỳ chi trả"))
    def cycle_month(self, obj: RecoveryDeduction) -> str:
        return f"{obj.payment.cycle.period:%m/%Y}"

    @admin.display(description=_("trạng thái khoản chi"))
    def payment_status(self, obj: RecoveryDeduction) -> str:
        return obj.payment.get_status_display()


class RecoverySettlementInline(_ReadOnlyInline):
    model = RecoverySettlement
    fields = ["on", "kind", "amount", "document", "note", "recorded_by"]
    readonly_fields = fields


class OpenFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "con_lai"

    def lookups(self, request, model_admin):
        return [("con", _("Còn phải thu hồi")), ("xong", _("Không còn phải thu hồi"))]

    def queryset(self, request, queryset):
        if self.value() == "con":
            return queryset.filter(left__gt=0)
        if self.value() == "xong":
            return queryset.filter(left__lte=0)
        return queryset


@admin.register(Recovery)
class RecoveryAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "beneficiary__commune"
    programme_path = "beneficiary__programme"
    list_display = [
        "person",
        "personal_id",
        "cause",
        "amount_shown",
        "left_shown",
        "state",
        "recover_from",
        "decision_number",
        "created_at",
    ]
    list_filter = ["cause", OpenFilter, "beneficiary__programme"]
    search_fields = ["beneficiary__person__name_folded", "=beneficiary__person__personal_id"]
    list_select_related = ["beneficiary__person", "beneficiary__programme"]
    inlines = [RecoveryMonthInline, RecoveryDeductionInline, RecoverySettlementInline]
    fields = [
        "beneficiary",
        "cause",
        "amount",
        "recover_from",
        "decision_number",
        "decision_date",
        "created_at",
        "created_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return with_remaining(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("họ và tên"), ordering="beneficiary__person__sort_name")
    def person(self, obj: Recovery) -> str:
        return obj.beneficiary.person.full_name

    @admin.display(description=_("số CCCD"))
    def personal_id(self, obj: Recovery) -> str:
        return obj.beneficiary.person.personal_id or "—"

    @admin.display(description=_("phải thu hồi"), ordering="amount")
    def amount_shown(self, obj: Recovery) -> str:
        return format_amount(obj.amount)

    @admin.display(description=_("còn lại"), ordering="left")
    def left_shown(self, obj: Recovery) -> str:
        return format_amount(obj.left)

    @admin.display(description=_("tình trạng"))
    def state(self, obj: Recovery) -> str:
        return state_label(obj.amount, obj.deducted, obj.settled, obj.left)
