"""The admin, scoped to the user's communes like every view.

Model permissions (from :mod:`core.roles`) decide what a role may see
or change; :class:`CommuneScopedAdmin` decides which rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from beneficiaries.access import (
    commune_ids_for,
    people_for,
    programme_condition,
    programme_ids_for,
)
from beneficiaries.admin_checks import PoliceCheckAdminMixin
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCondition,
    IdentityCheck,
    ImportBatch,
    Person,
    Programme,
    ProgrammeAccess,
    ProgrammeSetting,
    Province,
    Representative,
    Village,
)
from beneficiaries.models.checks import (
    CHECKED_FIELDS,
    Verification,
    check_problem,
    verification_filter,
    verification_state,
    with_verification,
)
from beneficiaries.services import (
    RegistryError,
    condition_problem,
    enrolment_problem,
    record_check,
    save_beneficiary,
)
from core.rules.names import fold_name
from core.widgets import MonthFieldsAdmin

User = get_user_model()


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """Names the chosen object only when it is in the user's scope.

    Django's widget looks the typed id up through the model's default manager,
    which would print another commune's person next to the box.
    """

    def __init__(self, rel, admin_site, *, queryset, using=None) -> None:
        super().__init__(rel, admin_site, using=using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        if not self.queryset.filter(**{key: value}).exists():
            return "", ""
        return super().label_and_url_for_value(value)


class CommuneScopedAdmin(MonthFieldsAdmin, admin.ModelAdmin):
    """Rows and foreign-key choices limited to the user's communes.

    ``commune_path`` is the lookup from the model to its commune. Names are
    searched folded, so "nguyen thi hang" finds "Nguyễn Thị Hằng".
    """

    commune_path: str = "commune"
    # The lookup from the model to its programme, for the rows a user limited to
    # some programmes sees (``beneficiaries.access.programme_condition``); None:
    # the model has no programme.
    programme_path: str | None = None
    # The lookup from the model to a person, for a model without a programme
    # that holds people (people, representatives, accounts, checks): a user
    # limited to some programmes sees the rows of their people (``people_for``).
    person_path: str | None = None
    # Models whose choices in forms must be limited too: field name -> commune lookup.
    scoped_foreign_keys: dict[str, str] = {}

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        qs = qs.filter(**{f"{self.commune_path}__in": commune_ids_for(request.user)})
        if self.programme_path is not None:
            qs = qs.filter(programme_condition(request.user, self.programme_path))
        if self.person_path is not None and programme_ids_for(request.user) is not None:
            qs = qs.filter(**{f"{self.person_path}__in": people_for(request.user).values("pk")})
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        lookup = self.scoped_foreign_keys.get(db_field.name)
        if lookup is None or request.user.is_superuser:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = db_field.related_model._default_manager.filter(
            **{f"{lookup}__in": commune_ids_for(request.user)}
        )
        kwargs["queryset"] = queryset
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in self.raw_id_fields:
            field.widget = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset=queryset, using=kwargs.get("using")
            )
        return field

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold_name(search_term) or search_term)

    def _require_in_scope(self, request, object_id) -> None:
        # simple_history's views fall back to the history table when the object
        # is not in get_queryset(): check the scope first, as the change view does
        # (get_object also answers None for an id that is not a number).
        if self.get_object(request, object_id) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


# Lists only what the user's own (scoped) rows point to, never another commune's.
RelatedOnly = admin.RelatedOnlyFieldListFilter


class VillageInline(MonthFieldsAdmin, admin.TabularInline):
    model = Village
    extra = 0


@admin.register(Commune)
class CommuneAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    commune_path = "pk"
    list_display = ["code", "name", "district_name", "province_name", "merged_into"]
    search_fields = ["code", "name"]
    list_filter = ["province_name"]
    filter_horizontal = ["members"]
    inlines = [VillageInline]
    # A merger moves people, villages and enrolments: only the merger page does it.
    readonly_fields = ["merged_into", "merged_on"]

    def get_search_results(self, request, queryset, search_term):
        # Commune names are not folded in the database: search them as typed.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


@admin.register(Village)
class VillageAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "commune"]
    list_select_related = ["commune"]
    list_filter = [("commune", RelatedOnly)]
    search_fields = ["name"]
    scoped_foreign_keys = {"commune": "pk"}

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


def settings_for(request, qs: QuerySet[ProgrammeSetting]) -> QuerySet[ProgrammeSetting]:
    """The province-wide rows and those of the user's communes (a commune's
    offices and signers are its own), of the programmes the user sees."""
    if request.user.is_superuser:
        return qs
    return qs.filter(
        Q(commune__isnull=True) | Q(commune_id__in=commune_ids_for(request.user)),
        programme_condition(request.user),
    )


def _commune_choices(request, db_field, kwargs) -> None:
    if db_field.name == "commune" and not request.user.is_superuser:
        kwargs["queryset"] = Commune.objects.filter(pk__in=commune_ids_for(request.user))


class ProgrammeSettingInline(MonthFieldsAdmin, admin.TabularInline):
    model = ProgrammeSetting
    extra = 0

    def get_queryset(self, request):
        return settings_for(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _commune_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Programme)
class ProgrammeAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["code", "short_name", "name", "amount_mode", "order"]
    search_fields = ["code", "name"]
    inlines = [ProgrammeSettingInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return (
            qs if request.user.is_superuser else qs.filter(programme_condition(request.user, "pk"))
        )


@admin.register(ProgrammeSetting)
class ProgrammeSettingAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    list_display = [
        "programme",
        "commune",
        "valid_from",
        "valid_until",
        "receiving_office",
        "deciding_authority",
        "payment_agency",
        "deadline_day",
        "source",
    ]
    list_filter = ["programme"]
    list_select_related = ["programme", "commune"]
    search_fields = ["receiving_office", "deciding_authority", "payment_agency", "source"]

    def get_queryset(self, request):
        return settings_for(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _commune_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the history table for a row outside the scope.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


class ProgrammeAccessInline(MonthFieldsAdmin, admin.TabularInline):
    """On the user's page: the programmes a paying office's user is limited to."""

    model = ProgrammeAccess
    extra = 0


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's form, with the warning it writes outside its catalog in Vietnamese."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Nếu tắt, mật khẩu hiện tại của người dùng này sẽ bị xóa."),
    )


class UserWithProgrammesAdmin(MonthFieldsAdmin, UserAdmin):
    inlines = [*UserAdmin.inlines, ProgrammeAccessInline]
    change_password_form = PasswordChangeForm


admin.site.unregister(User)
admin.site.register(User, UserWithProgrammesAdmin)


@admin.register(Category)
class CategoryAdmin(MonthFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["code", "short_name", "programme", "coefficient", "legal_basis"]
    list_select_related = ["programme"]
    list_filter = ["programme"]
    search_fields = ["code", "name", "short_name"]
    filter_horizontal = ["excludes"]


@admin.register(Province)
class ProvinceAdmin(MonthFieldsAdmin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class BeneficiaryInline(MonthFieldsAdmin, admin.TabularInline):
    """Read-only: an enrolment is added on its own page (its commune is the person's)."""

    model = Beneficiary
    extra = 0
    fields = ["programme", "category", "decision_number", "start_month", "end_month", "status"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VerificationFilter(admin.SimpleListFilter):
    title = "tình trạng xác thực"
    parameter_name = "xac_thuc"

    def lookups(self, request, model_admin):
        return Verification.choices

    def queryset(self, request, queryset):
        if self.value() in Verification.values:
            return queryset.filter(verification_filter(self.value()))
        return queryset


class IdentityCheckInline(MonthFieldsAdmin, admin.TabularInline):
    """The history of checks on the person's page (append-only)."""

    model = IdentityCheck
    extra = 0
    fields = [
        "checked_at",
        "result",
        "differing_fields",
        "population_values",
        "note",
        "source",
        "checked_by",
    ]
    readonly_fields = fields
    ordering = ["-checked_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(PoliceCheckAdminMixin, CommuneScopedAdmin, SimpleHistoryAdmin):
    person_path = "pk"
    list_display = [
        "full_name",
        "birth_display",
        "gender",
        "personal_id",
        "village",
        "commune",
        "date_of_death",
        "verification",
    ]
    list_filter = [
        VerificationFilter,
        ("commune", RelatedOnly),
        ("village", RelatedOnly),
        "gender",
    ]
    # The police's check form and the confirmed bulk «khớp»: PoliceCheckAdminMixin.
    search_fields = ["name_folded", "=personal_id", "phone"]
    list_select_related = ["village", "commune"]
    scoped_foreign_keys = {"commune": "pk", "village": "commune"}
    readonly_fields = ["name_folded", "created_at", "updated_at"]
    inlines = [BeneficiaryInline, IdentityCheckInline]
    list_per_page = 50

    def get_queryset(self, request):
        return with_verification(super().get_queryset(request))

    @admin.display(description="Xác thực")
    def verification(self, obj: Person) -> str:
        return verification_state(
            obj.last_check_result, obj.last_check_fingerprint, obj.identity_fingerprint
        ).label

    @admin.display(description="Ngày sinh", ordering="birth_date")
    def birth_display(self, obj: Person) -> str:
        return obj.birth_display


class BeneficiaryAdminForm(forms.ModelForm):
    """The service's rules for an enrolment, shown on the form rather than raised on save."""

    def clean(self) -> dict:
        data = super().clean()
        fields = ("person", "commune", "programme", "category")
        if all(data.get(name) for name in fields):
            values = {name: data[name] for name in fields}
            for name in ("start_month", "end_month"):
                if name in data:
                    values[name] = data[name]
            problem = enrolment_problem(Beneficiary(pk=self.instance.pk, **values))
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(Beneficiary)
class BeneficiaryAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    programme_path = "programme"
    # The desk app adds the spreadsheet import and export to this page (desk/admin.py).
    form = BeneficiaryAdminForm

    def save_model(self, request, obj, form, change) -> None:
        # The same rules as the officer's form (category of the programme, the person's commune).
        try:
            save_beneficiary(obj, actor=request.user)
        except RegistryError as exc:
            raise ValidationError(str(exc)) from exc

    list_display = [
        "person",
        "programme",
        "category",
        "decision_number",
        "start_month",
        "status",
        "commune",
    ]
    list_filter = ["programme", "status", "category", ("commune", RelatedOnly)]
    search_fields = ["person__name_folded", "=person__personal_id", "decision_number"]
    list_select_related = ["person", "programme", "category", "commune"]
    raw_id_fields = ["person"]
    scoped_foreign_keys = {"commune": "pk", "person": "commune"}
    list_per_page = 50


class EnrolmentConditionAdminForm(forms.ModelForm):
    """The service's rule for a declared condition, shown on the form."""

    def clean(self) -> dict:
        data = super().clean()
        fields = ("kind", "document", "document_date", "valid_from", "valid_until")
        if all(data.get(name) for name in fields[:4]):
            problem = condition_problem(EnrolmentCondition(**{f: data.get(f) for f in fields}))
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(EnrolmentCondition)
class EnrolmentConditionAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    form = EnrolmentConditionAdminForm
    commune_path = "person__commune"
    list_display = ["person", "kind", "document", "document_date", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["person__name_folded", "=person__personal_id", "document"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["recorded_by"]
    scoped_foreign_keys = {"person": "commune"}

    def save_model(self, request, obj, form, change) -> None:
        obj._history_user = request.user
        if not change:
            obj.recorded_by = request.user
        obj.save()


@admin.register(Representative)
class RepresentativeAdmin(CommuneScopedAdmin, SimpleHistoryAdmin):
    person_path = "represented"
    commune_path = "represented__commune"
    list_display = ["person", "kind", "represented", "relationship", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = [
        "person__name_folded",
        "represented__name_folded",
        "=person__personal_id",
    ]
    list_select_related = ["person", "represented"]
    raw_id_fields = ["person", "represented"]
    scoped_foreign_keys = {"person": "commune", "represented": "commune"}


@admin.register(ImportBatch)
class ImportBatchAdmin(CommuneScopedAdmin):
    """Every import, read-only: imports are made on the officer's import page."""

    list_display = [
        "created_at",
        "original_name",
        "commune",
        "uploaded_by",
        "status",
        "rows_total",
        "created_count",
        "updated_count",
        "error_count",
    ]
    list_filter = ["status", ("commune", RelatedOnly)]
    list_select_related = ["commune", "uploaded_by"]
    search_fields = ["original_name", "checksum"]
    exclude = ["issues", "summary"]
    readonly_fields = [
        f.name for f in ImportBatch._meta.fields if f.name not in {"issues", "summary"}
    ]

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class IdentityCheckForm(forms.ModelForm):
    """A police check: the result, which fields differ, what the population database says."""

    differing = forms.MultipleChoiceField(
        label="Trường khác nhau",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, Person._meta.get_field(name).verbose_name) for name in CHECKED_FIELDS],
    )
    db_full_name = forms.CharField(label="Họ tên trong CSDL dân cư", required=False)
    db_birth = forms.CharField(label="Ngày sinh trong CSDL dân cư", required=False)
    db_gender = forms.CharField(label="Giới tính trong CSDL dân cư", required=False)
    db_personal_id = forms.CharField(label="Số định danh trong CSDL dân cư", required=False)
    db_residence = forms.CharField(label="Nơi thường trú trong CSDL dân cư", required=False)

    class Meta:
        model = IdentityCheck
        fields = ["person", "result", "note"]

    def clean(self) -> dict:
        data = super().clean()
        person, result = data.get("person"), data.get("result", "")
        if person is None:
            return data
        problem = check_problem(
            result, list(data.get("differing") or []), personal_id=person.personal_id
        )
        if problem:
            self.add_error(
                "differing" if result == IdentityCheck.Result.MISMATCH else "result", problem
            )
        return data


@admin.register(IdentityCheck)
class IdentityCheckAdmin(CommuneScopedAdmin):
    """The police desk's check form; checks are never edited, a new one supersedes."""

    person_path = "person"

    form = IdentityCheckForm
    commune_path = "person__commune"
    list_display = ["person", "result", "checked_at", "checked_by", "source"]
    list_filter = ["result", "source"]
    search_fields = ["person__name_folded", "=person__personal_id"]
    list_select_related = ["person", "checked_by"]
    # Typed: a name or the CCCD, searched within the user's communes (not a raw id).
    autocomplete_fields = ["person"]

    class Media:
        js = ["js/admin-autocomplete-names.js"]

    scoped_foreign_keys = {"person": "commune"}
    date_hierarchy = "checked_at"
    #: A recorded check is shown as stored; the form's fields are for a new one.
    recorded_fields = [
        "person",
        "result",
        "differing_fields",
        "population_values",
        "note",
        "source",
        "checked_by",
        "checked_at",
    ]

    def get_fields(self, request, obj=None):
        return self.recorded_fields if obj is not None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        values = {
            key: data[f"db_{key}"]
            for key in ("full_name", "birth", "gender", "personal_id", "residence")
            if data.get(f"db_{key}")
        }
        try:
            saved = record_check(
                data["person"],
                result=data["result"],
                actor=request.user,
                differing_fields=list(data["differing"]),
                population_values=values,
                note=data.get("note", ""),
            )
        except RegistryError as exc:
            raise ValidationError(str(exc)) from exc
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
