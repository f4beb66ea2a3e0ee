"""What one row of an import creates or changes: the person, the amount, the
representative and the payment-method registration, each against what the
database (or an earlier row) holds, noted on the row's plan for the preview."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from amounts.models import Entitlement
from beneficiaries.models import Person, Programme, Representative
from core.bulk import build
from core.rules.money import format_amount
from desk.importer.lookup import Lookup
from desk.importer.plan import FORM_REFERENCE, NEW, ImportPlan, RowPlan
from desk.importer.rows import ImportRow
from registration.models import PaymentMethodRegistration


def _fmt_date(value: datetime.date | None, year: int | None) -> str:
    if value:
        return value.strftime("%d/%m/%Y")
    return str(year) if year else "—"


def plan_person(plan: ImportPlan, rp: RowPlan, person: Person, row: ImportRow, village) -> None:
    """Fill a new person from the row, or note what the row changes of a known one."""
    wanted: dict[str, object] = {
        "full_name": row.full_name,
        "birth_date": row.birth_date,
        "birth_year": row.birth_year,
        "gender": row.gender,
        "village": village,
        "personal_id": row.personal_id,
    }
    if row.phone:
        wanted["phone"] = row.phone
    if person.pk is None:
        for name, value in wanted.items():
            setattr(person, name, value)
        person.normalize_fields()
        if not getattr(person, "_planned", False):
            person._planned = True
            plan.new_people.append(person)
        return
    changed: list[str] = []
    # A year alone in the file does not erase a full date of the same year.
    year_only_agrees = row.birth_date is None and person.birth_year == row.birth_year
    if not year_only_agrees and (person.birth_date, person.birth_year) != (
        row.birth_date,
        row.birth_year,
    ):
        rp.change(
            _("Ngày sinh: %(old)s → %(new)s")
            % {
                "old": _fmt_date(person.birth_date, person.birth_year),
                "new": _fmt_date(row.birth_date, row.birth_year),
            }
        )
        changed += ["birth_date", "birth_year"]
    if row.personal_id and person.personal_id != row.personal_id:
        rp.change(_("Số CCCD: — → %(new)s") % {"new": row.personal_id})
        changed.append("personal_id")
    if person.full_name != row.full_name:  # same folded name: accents or spacing fixed
        rp.change(
            _("Họ và tên: %(old)s → %(new)s") % {"old": person.full_name, "new": row.full_name}
        )
        changed += ["full_name", "name_folded", "sort_name"]
    if person.gender != row.gender:
        rp.change(
            _("Giới tính: %(old)s → %(new)s")
            % {"old": Person.Gender(person.gender).label, "new": Person.Gender(row.gender).label}
        )
        changed.append("gender")
    if village is not None and (village.pk is None or village.pk != person.village_id):
        rp.change(
            _("Thôn: %(old)s → %(new)s")
            % {"old": person.village.name if person.village_id else "—", "new": village.name}
        )
        changed.append("village")
    if row.phone and person.phone != row.phone:
        rp.change(
            _("Số điện thoại: %(old)s → %(new)s") % {"old": person.phone or "—", "new": row.phone}
        )
        changed.append("phone")
    if changed:
        for name in changed:
            if name in wanted:
                setattr(person, name, wanted[name])
        person.normalize_fields()
        # The digest of checked fields follows, so an import's edit makes the
        # police check stale like any other edit.
        plan.changed_person_fields.update([*changed, "identity_fingerprint"])
        plan.changed_people[person.pk] = person


def plan_entitlement(plan, rp, enrolment, category, row: ImportRow, look: Lookup, month) -> None:
    coefficient: Decimal | None = None
    if category.programme.amount_mode == Programme.AmountMode.COEFFICIENT:
        coefficient = row.coefficient or category.coefficient
    basis = Entitlement.Basis.COEFFICIENT if coefficient else Entitlement.Basis.FIXED
    current = look.entitlements.get(enrolment.pk) if enrolment.pk else None
    if current is not None and current.amount == row.amount and current.coefficient == coefficient:
        return
    if current is not None:
        rp.change(
            _("Mức hằng tháng: %(old)s → %(new)s")
            % {"old": format_amount(current.amount), "new": format_amount(row.amount)}
        )
    if current is not None and current.from_month == month:
        current.amount, current.coefficient, current.basis = row.amount, coefficient, basis
        plan.changed_entitlements[current.pk] = current
        return
    entitlement = build(
        Entitlement,
        beneficiary=enrolment,
        from_month=month,
        basis=basis,
        coefficient=coefficient,
        amount=row.amount,
        decision_number=row.decision_number,
    )
    plan.new_entitlements.append(entitlement)


def plan_representative(plan, rp, person, rep_person, row, look, planned_reps, today):
    key_known = (person.pk, rep_person.pk) if person.pk and rep_person.pk else None
    existing = look.representatives.get(key_known) if key_known else None
    if existing is None:
        existing = planned_reps.get((id(person), id(rep_person)))
    kind = (
        Representative.Kind.GUARDIAN
        if row.receiver_kind == "guardian"
        else Representative.Kind.PROXY
    )
    if existing is None:
        rep = build(
            Representative,
            represented=person,
            person=rep_person,
            kind=kind,
            relationship=row.relationship,
            valid_from=today,
        )
        plan.new_representatives.append(rep)
        planned_reps[(id(person), id(rep_person))] = rep
        if rp.status != NEW:
            rp.change(_("Người nhận thay mới: %(name)s") % {"name": rep_person.full_name})
        return rep
    if existing.pk and (
        existing.kind != kind or (row.relationship and existing.relationship != row.relationship)
    ):
        rp.change(
            _("Người nhận thay %(name)s: %(old)s → %(new)s")
            % {
                "name": rep_person.full_name,
                "old": f"{existing.get_kind_display()} {existing.relationship}".strip(),
                "new": f"{Representative.Kind(kind).label} {row.relationship}".strip(),
            }
        )
        existing.kind = kind
        if row.relationship:
            existing.relationship = row.relationship
        plan.changed_representatives[existing.pk] = existing
    return existing


def plan_registration(
    plan, rp, enrolment, method, representative, account, look, month, today
) -> str | None:
    """Compare the row with the registration in force in the import month (what the
    export shows); returns why the row is refused, if it is.

    A registration starting after the import month (registered ahead) is never
    undone by a file: a row that differs from this month's is refused, as the
    registration page refuses a month before the current registration's.
    """
    current = look.registrations.get(enrolment.pk) if enrolment.pk else None
    later = look.later_registrations.get(enrolment.pk) if enrolment.pk else None
    if current is not None:
        same = (
            current.method == method
            and current.representative_id == (representative.pk if representative else None)
            and (representative is None or representative.pk is not None)
            and current.account_id == (account.pk if account else None)
            and (account is None or account.pk is not None)
        )
    else:
        # Nothing in force is paid in cash to the beneficiary (the export says so); with
        # nothing registered at all, the row's choice is recorded.
        cash_to_self = method == PaymentMethodRegistration.Method.CASH and representative is None
        same = later is not None and cash_to_self
    if same:
        return None
    if later is not None:
        return _(
            "Đã có đăng ký hình thức nhận từ tháng %(month)s, sau tháng nhập: sửa đăng ký "
            "trên trang của người này, không qua tệp."
        ) % {"month": f"{later:%m/%Y}"}
    if current is not None:
        rp.change(
            _("Hình thức nhận: %(old)s → %(new)s")
            % {
                "old": current.get_method_display(),
                "new": PaymentMethodRegistration.Method(method).label,
            }
        )
        if current.from_month == month:
            current.method, current.representative, current.account = (
                method,
                representative,
                account,
            )
            current.requested_on = today
            plan.changed_registrations[current.pk] = current
            return None
        current.is_current = False
        plan.retired_registrations[current.pk] = current
    plan.new_registrations.append(
        build(
            PaymentMethodRegistration,
            beneficiary=enrolment,
            from_month=month,
            method=method,
            representative=representative,
            account=account,
            requested_on=today,
            form_reference=FORM_REFERENCE,
            is_current=True,
        )
    )
    return None


def row_dict(rp: RowPlan, look: Lookup) -> list:
    """The row as the preview shows it: where it is, who, the result and its changes,
    then what it enrols: programme, category, monthly amount, payment method, first
    month (``yyyy-mm``) and where that month comes from."""
    # Compact: a 100,000-row preview stays a few megabytes.
    row = rp.row
    category = look.categories.get(row.category_code)
    return [
        row.sheet,
        row.row,
        row.full_name,
        row.personal_id or "",
        rp.status,
        "; ".join(rp.changes),
        category.programme.short_name if category else "",
        category.short_name if category else "",
        row.amount,
        row.method,
        f"{rp.start_month:%Y-%m}" if rp.start_month else "",
        rp.start_source,
    ]
