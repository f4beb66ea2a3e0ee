"""Forms of the officer's pages; the rules they apply live in ``rules/``."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCondition,
    Person,
    Programme,
    Representative,
    Village,
    birth_year_of,
)
from beneficiaries.services import validate_personal_id
from core.rules.accounts import PhoneError, normalize_phone
from core.rules.cccd import CccdError, normalize_cccd
from core.widgets import DateField, MonthField
from registration.models import PaymentMethodRegistration


class PersonForm(forms.ModelForm):
    # Wider than the stored 12 digits: officers type "038 085 001 234".
    personal_id = forms.CharField(label=_("Số CCCD/định danh"), max_length=30, required=False)
    # Likewise "0912 345 678" or "+84 912 345 678" before clean_phone() normalises it.
    phone = forms.CharField(label=_("Số điện thoại"), max_length=30, required=False)

    class Meta:
        model = Person
        fields = [
            "full_name",
            "birth_date",
            "birth_year",
            "gender",
            "personal_id",
            "phone",
            "commune",
            "village",
            "address",
            "date_of_death",
        ]
        field_classes = {"birth_date": DateField, "date_of_death": DateField}

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["commune"].queryset = communes
        self.fields["commune"].empty_label = None
        self.fields["village"].queryset = Village.objects.filter(
            commune__in=communes
        ).select_related("commune")
        self.fields["personal_id"].help_text = _("12 chữ số; để trống nếu chưa có (trẻ em).")
        if self.instance.pk:
            # Moving a person to another commune moves their enrolments and
            # history too: a separate operation, not a field of this form.
            self.fields["commune"].disabled = True
            self.fields["commune"].widget = forms.HiddenInput()
        elif len(only := list(communes[:2])) == 1:
            # A one-commune officer adds people to that commune: set here (a
            # ModelForm's initial comes from the empty instance, not the field),
            # not taken from the page. A user of several communes chooses.
            self.initial["commune"] = only[0].pk
            self.fields["commune"].disabled = True
            self.fields["commune"].widget = forms.HiddenInput()

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name.split()) < 2:
            raise forms.ValidationError(_("Nhập đầy đủ họ và tên (ít nhất hai chữ)."))
        return name

    def clean_personal_id(self) -> str | None:
        raw = self.cleaned_data.get("personal_id") or ""
        if not raw.strip():
            return None
        try:
            number, warnings = normalize_cccd(raw)
        except CccdError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        self.warnings.extend(str(w) for w in warnings)
        return number

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone") or ""
        if not raw.strip():
            return ""
        try:
            return normalize_phone(raw)
        except PhoneError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        try:
            # The year the CCCD check below compares; Person.clean reports the refusals.
            data["birth_year"] = birth_year_of(data.get("birth_date"), data.get("birth_year"))
        except ValidationError:
            pass
        village = data.get("village")
        commune = data.get("commune")
        if village and commune and village.commune_id != commune.pk:
            self.add_error("village", _("Thôn không thuộc xã đã chọn."))
        death = data.get("date_of_death")
        if death and death > today:
            self.add_error("date_of_death", _("Ngày mất không thể ở tương lai."))
        number = data.get("personal_id")
        if number and not self.has_error("personal_id"):
            gender = data.get("gender")
            try:
                self.warnings.extend(
                    validate_personal_id(
                        number,
                        birth_year=data.get("birth_year"),
                        male=None if not gender else gender == Person.Gender.MALE,
                        today=today,
                    )
                )
            except CccdError as exc:
                self.add_error("personal_id", forms.ValidationError(exc.message, code=exc.code))
        return data


class BeneficiaryForm(forms.ModelForm):
    class Meta:
        model = Beneficiary
        fields = [
            "programme",
            "category",
            "decision_number",
            "decision_date",
            "start_month",
            "end_month",
            "end_reason",
            "status",
            "note",
        ]
        field_classes = {
            "decision_date": DateField,
            "start_month": MonthField,
            "end_month": MonthField,
        }

    # The conditions some categories require (hưu trí xã hội), declared with the
    # document that shows them: saved with the enrolment, as the person's.
    no_pension_document = forms.CharField(
        label=_("Giấy tờ xác nhận không hưởng lương hưu/trợ cấp BHXH hằng tháng"),
        max_length=200,
        required=False,
        help_text=_("Bắt buộc với diện hưu trí xã hội nếu chưa có trong hồ sơ."),
    )
    no_pension_date = DateField(label=_("Ngày của giấy tờ (không hưởng lương hưu)"), required=False)
    poor_household_document = forms.CharField(
        label=_("Giấy chứng nhận hộ nghèo/cận nghèo"),
        max_length=200,
        required=False,
        help_text=_("Bắt buộc với diện từ đủ 70 đến dưới 75 tuổi hộ nghèo/cận nghèo."),
    )
    poor_household_date = DateField(
        label=_("Ngày cấp giấy chứng nhận hộ nghèo/cận nghèo"), required=False
    )
    poor_household_until = DateField(
        label=_("Giấy chứng nhận hộ nghèo/cận nghèo có hiệu lực đến"),
        required=False,
    )

    CONDITION_FIELDS = (
        (EnrolmentCondition.Kind.NO_PENSION, "no_pension_document", "no_pension_date", None),
        (
            EnrolmentCondition.Kind.POOR_HOUSEHOLD,
            "poor_household_document",
            "poor_household_date",
            "poor_household_until",
        ),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["category"].queryset = Category.objects.select_related("programme")
        self.fields["programme"].queryset = Programme.objects.all()

    def conditions(self) -> list[EnrolmentCondition]:
        """The declared conditions typed on the form (unsaved), valid from the
        document's date (or the start month, when the document is older)."""
        data, found = self.cleaned_data, []
        start = data.get("start_month")
        for kind, document, day, until in self.CONDITION_FIELDS:
            if data.get(document) and data.get(day):
                found.append(
                    EnrolmentCondition(
                        person=self.person,
                        kind=kind,
                        document=data[document].strip(),
                        document_date=data[day],
                        valid_from=min(data[day], start) if start else data[day],
                        valid_until=data.get(until) if until else None,
                    )
                )
        return found

    def clean(self) -> dict:
        data = super().clean()
        programme, category = data.get("programme"), data.get("category")
        if programme and category and category.programme_id != programme.pk:
            self.add_error("category", _("Diện đối tượng không thuộc chương trình đã chọn."))
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end <= start:
            self.add_error("end_month", _("Tháng thôi hưởng phải sau tháng bắt đầu hưởng."))
        if data.get("status") == Beneficiary.Status.ENDED:
            if not end:
                self.add_error("end_month", _("Đối tượng đã thôi hưởng cần có tháng thôi hưởng."))
            if not data.get("end_reason"):
                self.add_error("end_reason", _("Nêu lý do thôi hưởng."))
        for _kind, document, day, _until in self.CONDITION_FIELDS:
            if data.get(document) and not data.get(day):
                self.add_error(day, _("Ghi ngày của giấy tờ."))
            elif data.get(day) and not data.get(document):
                self.add_error(document, _("Ghi tên/số giấy tờ."))
        if category and data.get("status") != Beneficiary.Status.ENDED:
            live = Beneficiary.objects.filter(person=self.person, category=category).exclude(
                status=Beneficiary.Status.ENDED
            )
            if self.instance.pk:
                live = live.exclude(pk=self.instance.pk)
            if live.exists():
                self.add_error(
                    "category", _("Người này đang hưởng diện này; không thể thêm lần nữa.")
                )
        return data


class ConditionForm(forms.Form):
    """A condition the person declares, with the document that shows it."""

    kind = forms.ChoiceField(label=_("Điều kiện"), choices=EnrolmentCondition.Kind.choices)
    document = forms.CharField(
        label=_("Giấy tờ chứng minh"),
        max_length=200,
        help_text=_("Ví dụ: Tờ khai không hưởng lương hưu; Giấy chứng nhận hộ nghèo số …"),
    )
    document_date = DateField(label=_("Ngày của giấy tờ"))
    valid_from = DateField(label=_("Có hiệu lực từ"))
    valid_until = DateField(label=_("Có hiệu lực đến"), required=False)


class PersonByIdField(forms.ModelChoiceField):
    """A person of the user's communes, typed as their CCCD (a select of a
    commune's thousands of people would be unusable)."""

    def __init__(self, *, self_id: str | None = None, **kwargs) -> None:
        super().__init__(
            to_field_name="personal_id",
            widget=forms.TextInput(attrs={"placeholder": _("12 chữ số"), "inputmode": "numeric"}),
            error_messages={
                "invalid_choice": _(
                    "Không có ai mang số CCCD này trong sổ của xã. Nếu người nhận thay chưa có "
                    "trong sổ, để trống ô này và điền phần «Người nhận thay chưa có trong sổ»."
                )
            },
            **kwargs,
        )
        self.self_id = self_id

    def to_python(self, value):
        digits = re.sub(r"[\s.\-]", "", str(value or ""))
        if digits and digits == self.self_id:
            raise forms.ValidationError(_("Người nhận thay không thể là chính đối tượng."))
        return super().to_python(digits)


class NewRepresentativePersonForm(PersonForm):
    """A proxy or guardian not yet in the registry, typed on the representative
    form: the person form's checks (CCCD, birth, phone), in the commune of the
    person they receive for. The CCCD is required: they are paid against it."""

    class Meta(PersonForm.Meta):
        fields = ["full_name", "personal_id", "birth_date", "gender", "phone", "commune", "village"]

    TYPED = ("full_name", "personal_id", "birth_date", "phone")

    def __init__(self, *args, represented: Person, **kwargs):
        kwargs.setdefault("prefix", "moi")
        kwargs.setdefault("instance", Person())
        super().__init__(
            *args, communes=Commune.objects.filter(pk=represented.commune_id), **kwargs
        )
        self.fields["personal_id"].required = True
        self.fields["personal_id"].error_messages["required"] = _(
            "Nhập số CCCD của người nhận thay: họ nhận tiền theo số này."
        )
        self.fields["personal_id"].help_text = _("12 chữ số; người nhận thay cần có số CCCD.")
        self.fields["full_name"].required = True
        self.fields["village"].initial = represented.village_id
        self.fields["birth_date"].required = True

    def is_filled(self) -> bool:
        """Whether the officer typed a new person at all."""
        return any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.TYPED)


class _AuthorisationDates:
    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Ngày hết hiệu lực phải sau ngày bắt đầu."))
        return data


class RepresentativeForm(_AuthorisationDates, forms.ModelForm):
    """Who receives for a person: someone in the registry, typed as their CCCD,
    or someone new typed in ``new_person_form`` (one or the other)."""

    class Meta:
        model = Representative
        fields = ["person", "kind", "relationship", "document", "valid_from", "valid_until"]
        field_classes = {"valid_from": DateField, "valid_until": DateField}

    def __init__(
        self,
        *args,
        represented: Person,
        people,
        new_person_form: NewRepresentativePersonForm | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.represented = represented
        self.new_person_form = new_person_form
        self.fields["person"] = PersonByIdField(
            queryset=people.exclude(pk=represented.pk),
            self_id=represented.personal_id,
            label=_("Số CCCD người nhận thay (đã có trong sổ)"),
            required=new_person_form is None,
        )

    def clean(self) -> dict:
        data = super().clean()
        if self.new_person_form is not None and not self.has_error("person"):
            new = self.new_person_form.is_filled()
            if data.get("person") and new:
                self.add_error(
                    "person",
                    _(
                        "Chọn một: số CCCD của người đã có trong sổ, hoặc thông tin người "
                        "chưa có trong sổ (để trống phần còn lại)."
                    ),
                )
            elif not data.get("person") and not new:
                self.add_error(
                    "person",
                    _(
                        "Nhập số CCCD của người nhận thay đã có trong sổ, hoặc điền phần "
                        "«Người nhận thay chưa có trong sổ»."
                    ),
                )
        return data


class RepresentativeEditForm(_AuthorisationDates, forms.ModelForm):
    """A representative's kind, relationship, document and its dates; who it is
    stays (another person is another representative)."""

    class Meta:
        model = Representative
        fields = ["kind", "relationship", "document", "valid_from", "valid_until"]
        field_classes = {"valid_from": DateField, "valid_until": DateField}


class RegistryFilterForm(forms.Form):
    """The registry list's search box and filters (posted; the search term is then kept
    in the session, the filters go in the list's address: ``desk.views.person_list``)."""

    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        widget=forms.TextInput(
            # A CCCD or an account number is not kept in the browser's form history either.
            attrs={
                "placeholder": _("Tên (có hoặc không dấu), số CCCD, số tài khoản"),
                "autocomplete": "off",
            }
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("Chương trình"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=_("Tất cả"),
    )
    category = forms.ModelChoiceField(
        label=_("Diện"), queryset=Category.objects.all(), required=False, empty_label=_("Tất cả")
    )
    village = forms.ModelChoiceField(
        label=_("Thôn"), queryset=Village.objects.none(), required=False, empty_label=_("Tất cả")
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả"))] + list(Beneficiary.Status.choices),
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Hình thức nhận"),
        choices=[("", _("Tất cả")), ("none", _("Chưa đăng ký"))]
        + list(PaymentMethodRegistration.Method.choices),
        required=False,
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(commune__in=communes)
