"""The police desk on the admin's person pages.

On a person's page the police type the CCCD they read on the card, choose the
result and save a check; on the people list the bulk «khớp» shows who it will
record and who it leaves out, and asks, before it writes. Every rule is the
service's (:func:`beneficiaries.services.record_check`,
:func:`~beneficiaries.services.record_matches`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import IdentityCheck, Person
from beneficiaries.models.checks import CHECKED_FIELDS
from beneficiaries.services import (
    RegistryError,
    latest_check_id,
    plan_matches,
    record_check,
    record_matches,
    validate_personal_id,
)
from core.rules.cccd import CccdError, normalize_cccd

#: People named on the bulk action's confirmation page; the count says the rest.
CONFIRM_SHOWN = 200


class PersonCheckForm(forms.Form):
    """One check of the person whose page it is on: no person to pick."""

    card_id = forms.CharField(
        label=gettext_lazy("Số CCCD trên thẻ"),
        max_length=30,
        required=False,
        help_text=gettext_lazy(
            "Gõ số in trên thẻ căn cước (12 chữ số, có thể có dấu cách). Bắt buộc khi ghi «khớp»."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Kết quả"),
        choices=IdentityCheck.Result.choices,
        widget=forms.RadioSelect,
    )
    differing = forms.MultipleChoiceField(
        label=gettext_lazy("Trường khác nhau (khi không khớp)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, Person._meta.get_field(name).verbose_name) for name in CHECKED_FIELDS],
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # The person's latest check when the form was shown: a second send of the
    # same form is refused by the service (a double click records once).
    seen_last_check = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, person: Person, **kwargs) -> None:
        kwargs.setdefault("prefix", "kt")
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["seen_last_check"].initial = latest_check_id(person)
        self.warnings: list[str] = []

    def clean_card_id(self) -> str:
        raw = self.cleaned_data.get("card_id") or ""
        if not raw.strip():
            return ""
        try:
            number, warnings = normalize_cccd(raw)
            gender = self.person.gender
            warnings += validate_personal_id(
                number,
                birth_year=self.person.birth_year,
                male=None if not gender else gender == Person.Gender.MALE,
                today=timezone.localdate(),
            )
        except CccdError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        self.warnings.extend(str(w) for w in warnings)
        return number

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result") == IdentityCheck.Result.MATCH and not self.has_error("card_id"):
            if self.person.personal_id and not data.get("card_id"):
                self.add_error("card_id", _("Gõ số CCCD trên thẻ để ghi «khớp»."))
        return data


class PoliceCheckAdminMixin:
    """The check form on the person's change page and the confirmed bulk «khớp»."""

    change_form_template = "admin/beneficiaries/person/change_form.html"
    actions = ["checked_matches"]

    def has_check_permission(self, request) -> bool:
        return request.user.has_perm("beneficiaries.add_identitycheck")

    def get_urls(self):
        urls = super().get_urls()
        own = [
            path(
                "<path:object_id>/kiem-tra-dinh-danh/",
                self.admin_site.admin_view(self.check_view),
                name="beneficiaries_person_check",
            )
        ]
        return own + urls

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_check_permission(request):
            person = self.get_object(request, object_id)
            if person is not None:
                extra_context["check_form"] = PersonCheckForm(person=person)
        return super().change_view(request, object_id, form_url, extra_context)

    def check_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The check form alone: it answers the form on the change page, and shows
        it again with what was typed when something is wrong."""
        person = self.get_object(request, object_id)
        if person is None:
            raise Http404
        if not self.has_check_permission(request):
            raise PermissionDenied
        form = PersonCheckForm(request.POST or None, person=person)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                check = record_check(
                    person,
                    result=data["result"],
                    actor=request.user,
                    differing_fields=list(data["differing"]),
                    note=data["note"].strip(),
                    card_id=data["card_id"] or None,
                    seen_last_check=data.get("seen_last_check"),
                )
            except RegistryError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                # Shown again, the form has seen the latest check: sent once more, it records.
                form.data = form.data.copy()
                form.data[form.add_prefix("seen_last_check")] = latest_check_id(person)
            else:
                for warning in form.warnings:
                    self.message_user(request, warning, messages.WARNING)
                self.message_user(
                    request,
                    _("Đã ghi kết quả kiểm tra «%(result)s» cho %(name)s.")
                    % {"result": check.get_result_display(), "name": person.full_name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:beneficiaries_person_change", args=[person.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": person,
            "person": person,
            "check_form": form,
            "title": _("Kiểm tra định danh: %(name)s") % {"name": person.full_name},
        }
        return TemplateResponse(request, "admin/beneficiaries/person/check.html", context)

    @admin.action(
        description=gettext_lazy("Đã kiểm tra: khớp với CSDL dân cư"), permissions=["check"]
    )
    def checked_matches(self, request, queryset):
        """Show the people, who is left out and why, then record on confirmation."""
        if request.POST.get("post") == "yes":
            done = record_matches(queryset, actor=request.user)
            level = messages.WARNING if done.without_id else messages.SUCCESS
            self.message_user(request, done.message(), level)
            return None
        plan = plan_matches(queryset)
        people = list(
            queryset.select_related("village").order_by("sort_name", "pk")[:CONFIRM_SHOWN]
        )
        total = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Xác nhận ghi «khớp» với CSDL dân cư"),
            "people": people,
            "total": total,
            "more": total - len(people),
            "plan": plan,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action": request.POST.get("action", "checked_matches"),
            "action_url": request.get_full_path(),
            "missing_ids": {p.pk for p in plan.without_id},
            "verified_ids": {p.pk for p in plan.already_verified},
        }
        return TemplateResponse(request, "admin/beneficiaries/person/confirm_matches.html", context)
