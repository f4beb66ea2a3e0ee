"""Planning an import: what each row would create or change, looked up in bulk.

Nothing here writes; :mod:`beneficiaries.importer.service` writes what the
:class:`Planner` planned, chunk by chunk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext as _

from beneficiaries.bulk import build
from beneficiaries.importer.rows import ImportRow, Issue
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Programme,
    Representative,
    Village,
)
from beneficiaries.rules.cccd import CccdError, parse_cccd
from beneficiaries.rules.money import format_amount
from beneficiaries.rules.names import fold_name as _fold_name
from payments.models import Bank, Entitlement, PaymentAccount
from registration.models import PaymentMethodRegistration

CHUNK = 2000
# Rows planned and written together: large enough that per-chunk queries and
# COPY statements do not add up, small enough to keep memory flat.
CHUNK_ROWS = 2000


@lru_cache(maxsize=65536)
def fold_name(text: str) -> str:
    """Names, villages and banks repeat across rows: fold each text once."""
    return _fold_name(text)


COL_ID = "Số CCCD"
# Written on each registration an import creates (a constant: not translated per row).
FORM_REFERENCE = "Nhập từ danh sách"
COL_NAME = "Họ và tên"

# Row statuses shown in the preview.
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fmt_date(value: datetime.date | None, year: int | None) -> str:
    if value:
        return value.strftime("%d/%m/%Y")
    return str(year) if year else "—"


@dataclass
class RowPlan:
    row: ImportRow
    status: str = UNCHANGED
    changes: list[str] = field(default_factory=list)

    def change(self, text: str) -> None:
        self.changes.append(text)
        if self.status == UNCHANGED:
            self.status = CHANGED


@dataclass
class ImportPlan:
    """What an import would write, and why not when it has errors."""

    commune: Commune
    month: datetime.date
    rows: list[RowPlan]
    issues: list[Issue]
    new_villages: list[str] = field(default_factory=list)
    # Objects to write, in dependency order.
    villages: list[Village] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    changed_people: dict[int, Person] = field(default_factory=dict)
    changed_person_fields: set[str] = field(default_factory=set)
    new_enrolments: list[Beneficiary] = field(default_factory=list)
    changed_enrolments: dict[int, Beneficiary] = field(default_factory=dict)
    new_entitlements: list[Entitlement] = field(default_factory=list)
    changed_entitlements: dict[int, Entitlement] = field(default_factory=dict)
    new_representatives: list[Representative] = field(default_factory=list)
    changed_representatives: dict[int, Representative] = field(default_factory=dict)
    new_accounts: list[PaymentAccount] = field(default_factory=list)
    retired_registrations: dict[int, PaymentMethodRegistration] = field(default_factory=dict)
    new_registrations: list[PaymentMethodRegistration] = field(default_factory=list)
    changed_registrations: dict[int, PaymentMethodRegistration] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]


class _Lookup:
    """What the rows refer to, fetched in bulk (a few queries per chunk of rows)."""

    def __init__(self, commune: Commune, month: datetime.date) -> None:
        self.commune = commune
        self.month = month
        self.people: dict[str, Person] = {}
        self.people_without_id: dict[tuple, Person] | None = None
        self.villages = {fold_name(v.name): v for v in Village.objects.filter(commune=commune)}
        self.categories = {c.code: c for c in Category.objects.select_related("programme")}
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.banks = {b.bin: b for b in Bank.objects.all()}
        self.enrolments: dict[tuple[int, str], Beneficiary] = {}
        # Ended enrolments: an old list must not enrol the dead or the moved again.
        self.ended: dict[tuple[int, str], Beneficiary] = {}
        self.entitlements: dict[int, Entitlement] = {}
        self.registrations: dict[int, PaymentMethodRegistration] = {}
        self.representatives: dict[tuple[int, int], Representative] = {}
        self.accounts: dict[tuple[str, str], PaymentAccount] = {}
        self._ids_seen: set[str] = set()
        self._numbers_seen: set[str] = set()

    def extend(self, rows: list[ImportRow]) -> None:
        """Fetch what these rows refer to and earlier rows did not."""
        ids = {r.personal_id for r in rows if r.personal_id}
        ids |= {r.rep_personal_id for r in rows if r.rep_personal_id}
        ids -= self._ids_seen
        self._ids_seen |= ids
        found: list[Person] = []
        for part in _chunks(sorted(ids)):
            for person in Person.objects.filter(personal_id__in=part):
                self.people[person.personal_id] = person
                found.append(person)
        if self.people_without_id is None:
            # People without an ID (young children): matched on name, birth year and village.
            self.people_without_id = {}
            for person in Person.objects.filter(
                commune=self.commune, personal_id__isnull=True
            ).select_related("village"):
                key = (
                    person.name_folded,
                    person.birth_year,
                    fold_name(person.village.name) if person.village else "",
                )
                self.people_without_id[key] = person
                found.append(person)
        self._extend_people([p.pk for p in found])
        numbers = {r.account_number for r in rows if r.account_number} - self._numbers_seen
        self._numbers_seen |= numbers
        for part in _chunks(sorted(numbers)):
            for account in PaymentAccount.objects.filter(number__in=part).select_related("bank"):
                self.accounts[(account.bank.bin, account.number)] = account

    def _extend_people(self, person_pks: list[int]) -> None:
        enrolment_pks = []
        for part in _chunks(person_pks):
            for enrolment in (
                Beneficiary.objects.filter(person_id__in=part)
                .select_related("category")
                .order_by("start_month")
            ):
                key = (enrolment.person_id, enrolment.category.code)
                if enrolment.status == Beneficiary.Status.ENDED:
                    self.ended[key] = enrolment  # the latest ended one wins
                else:
                    self.enrolments[key] = enrolment
                    enrolment_pks.append(enrolment.pk)
            for rep in Representative.objects.filter(represented_id__in=part).order_by(
                "valid_from"
            ):
                self.representatives[(rep.represented_id, rep.person_id)] = rep
        for part in _chunks(enrolment_pks):
            for ent in Entitlement.objects.filter(
                beneficiary_id__in=part, from_month__lte=self.month
            ).order_by("beneficiary_id", "from_month"):
                self.entitlements[ent.beneficiary_id] = ent  # the latest wins
            for reg in PaymentMethodRegistration.objects.filter(
                beneficiary_id__in=part, is_current=True
            ):
                self.registrations[reg.beneficiary_id] = reg


def _person_key(row_id: str | None, name_folded: str, year: int, village: str) -> tuple:
    return (row_id,) if row_id else (name_folded, year, fold_name(village))


class Planner:
    """Compares rows with the database, chunk after chunk; writes nothing itself.

    State shared between chunks: the people, accounts, representatives and
    villages planned so far, so that a representative of several people, a
    person on two programmes or a new village is planned once.
    """

    def __init__(
        self, *, commune: Commune, today: datetime.date, known_provinces: frozenset[str]
    ) -> None:
        self.commune = commune
        self.today = today
        self.month = today.replace(day=1)
        self.known_provinces = known_provinces
        self.plan = ImportPlan(commune=commune, month=self.month, rows=[], issues=[])
        self.look = _Lookup(commune, self.month)
        self.planned_people: dict[tuple, Person] = {}
        self.planned_accounts: dict[tuple[str, str], PaymentAccount] = {}
        self.planned_reps: dict[tuple[int, int], Representative] = {}
        self.described: set[int] = set()  # id() of people whose own row has been planned
        self.planned_enrolments: dict[tuple, int] = {}  # (person, category) -> sheet row
        self.preview: list[list] = []
        self.counts = dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0)

    def add(self, rows: list[ImportRow]) -> ImportPlan:
        """Plan these rows; the plan's object lists hold this chunk's objects."""
        plan, look, commune = self.plan, self.look, self.commune
        today, month, known_provinces = self.today, self.month, self.known_provinces
        planned_people, planned_accounts = self.planned_people, self.planned_accounts
        planned_reps, described = self.planned_reps, self.described
        look.extend(rows)
        rows = [RowPlan(r) for r in rows]
        plan.rows = rows

        def fail(rp: RowPlan, column: str, value: str, message: str) -> None:
            rp.status = ERROR
            plan.issues.append(Issue(rp.row.sheet, rp.row.row, column, value, message, "error"))

        def village_for(name: str) -> Village | None:
            key = fold_name(name)
            if not key:
                return None
            village = look.villages.get(key)
            if village is None:
                village = build(Village, commune=commune, name=" ".join(name.split()))
                look.villages[key] = village
                plan.villages.append(village)
                plan.new_villages.append(village.name)
            return village

        for rp in rows:
            row = rp.row
            key = _person_key(
                row.personal_id, fold_name(row.full_name), row.birth_year, row.village
            )
            person = planned_people.get(key)
            if person is None:
                person = (
                    look.people.get(row.personal_id)
                    if row.personal_id
                    else look.people_without_id.get(key)
                )
                if person is None and row.personal_id:
                    # A child recorded without an ID who has one now: the same person.
                    person = look.people_without_id.get(
                        _person_key(None, fold_name(row.full_name), row.birth_year, row.village)
                    )
                if person is None:
                    person = build(Person, commune=commune)
                planned_people[key] = person
            if person.pk is not None and person.date_of_death is not None:
                fail(
                    rp,
                    COL_NAME,
                    row.full_name,
                    _("Người này đã mất ngày %(date)s theo sổ: không nhập lại.")
                    % {"date": person.date_of_death.strftime("%d/%m/%Y")},
                )
                continue
            if person.pk is not None and id(person) not in described:
                if person.commune_id != commune.pk:
                    # Neither name nor commune: the officer may not see the other commune.
                    fail(
                        rp,
                        COL_ID,
                        row.personal_id or "",
                        _(
                            "Số CCCD này thuộc một người đang được quản lý ở xã khác; "
                            "hãy liên hệ xã đó để chuyển hồ sơ."
                        ),
                    )
                    continue
                if person.name_folded != fold_name(row.full_name):
                    fail(
                        rp,
                        COL_NAME,
                        row.full_name,
                        _(
                            "Số CCCD %(id)s đã có trong sổ với họ tên khác (%(name)s); "
                            "kiểm tra lại họ tên hoặc số CCCD."
                        )
                        % {"id": row.personal_id, "name": person.full_name},
                    )
                    continue
            if id(person) in described or getattr(person, "_planned", False):
                # A second row of the same person (another programme), or a person
                # first met as somebody's representative: the names must agree.
                if fold_name(person.full_name) != fold_name(row.full_name):
                    fail(
                        rp,
                        COL_NAME,
                        row.full_name,
                        _("Cùng số CCCD %(id)s nhưng họ tên khác với dòng trước trong tệp.")
                        % {"id": row.personal_id},
                    )
                    continue
            if id(person) not in described:
                _plan_person(plan, rp, person, row, village_for(row.village))
                described.add(id(person))

            category = look.categories[row.category_code]
            enrolment_key = (
                (person.pk, row.category_code) if person.pk else (id(person), row.category_code)
            )
            if enrolment_key in self.planned_enrolments:
                # Two rows of one person and category (people without an ID are
                # not caught by the reader, which keys its check on the ID).
                fail(
                    rp,
                    "Diện đối tượng",
                    row.category_code,
                    _("Trùng với dòng %(row)s: cùng người, cùng diện hưởng.")
                    % {"row": self.planned_enrolments[enrolment_key]},
                )
                continue
            self.planned_enrolments[enrolment_key] = row.row
            ended = look.ended.get((person.pk, row.category_code)) if person.pk else None
            enrolment = look.enrolments.get((person.pk, row.category_code)) if person.pk else None
            if enrolment is None and ended is not None:
                fail(
                    rp,
                    "Diện đối tượng",
                    row.category_code,
                    _(
                        "Người này đã thôi hưởng diện này từ tháng %(month)s (%(reason)s): "
                        "hưởng lại cần quyết định mới, nhập trên trang của người này."
                    )
                    % {
                        "month": ended.end_month.strftime("%m/%Y") if ended.end_month else "—",
                        "reason": ended.get_end_reason_display() or "—",
                    },
                )
                continue
            if enrolment is None:
                enrolment = build(
                    Beneficiary,
                    person=person,
                    commune=commune,
                    programme=category.programme,
                    category=category,
                    decision_number=row.decision_number,
                    start_month=month,
                    note=row.note[:300],
                )
                plan.new_enrolments.append(enrolment)
                rp.status = NEW
                if person.pk:
                    look.enrolments[(person.pk, row.category_code)] = enrolment
            elif row.decision_number and enrolment.decision_number != row.decision_number:
                rp.change(
                    _("Số quyết định: %(old)s → %(new)s")
                    % {"old": enrolment.decision_number or "—", "new": row.decision_number}
                )
                enrolment.decision_number = row.decision_number
                plan.changed_enrolments[enrolment.pk] = enrolment

            _plan_entitlement(plan, rp, enrolment, category, row, look, month)

            representative = None
            receiver = person
            if row.rep_personal_id:
                rep_key = (row.rep_personal_id,)
                rep_person = planned_people.get(rep_key) or look.people.get(row.rep_personal_id)
                if rep_person is not None and rep_person.pk and rep_person.commune_id != commune.pk:
                    # As for beneficiaries: nothing about another commune's person.
                    fail(
                        rp,
                        "CCCD người nhận thay",
                        row.rep_personal_id,
                        _(
                            "Số CCCD người nhận thay thuộc một người đang được quản lý ở xã khác; "
                            "hãy liên hệ xã đó."
                        ),
                    )
                    continue
                if rep_person is None:
                    try:
                        info = parse_cccd(
                            row.rep_personal_id, known_provinces=known_provinces, today=today
                        )
                    except CccdError as exc:  # the reader checked it; keep the rule in one place
                        fail(rp, "CCCD người nhận thay", row.rep_personal_id, str(exc.message))
                        continue
                    rep_person = build(
                        Person,
                        full_name=row.rep_name,
                        birth_year=info.birth_year,
                        gender=Person.Gender.MALE if info.male else Person.Gender.FEMALE,
                        personal_id=row.rep_personal_id,
                        commune=commune,
                    )
                    rep_person.normalize_fields()
                    rep_person._planned = True
                    plan.new_people.append(rep_person)
                    planned_people[rep_key] = rep_person
                elif fold_name(rep_person.full_name) != fold_name(row.rep_name):
                    fail(
                        rp,
                        "Người nhận thay",
                        row.rep_name,
                        _("Số CCCD người nhận thay %(id)s đã có trong sổ với họ tên khác.")
                        % {"id": row.rep_personal_id},
                    )
                    continue
                if rep_person is person:
                    fail(
                        rp,
                        "CCCD người nhận thay",
                        row.rep_personal_id,
                        _("Người nhận thay không thể là chính đối tượng."),
                    )
                    continue
                representative = _plan_representative(
                    plan, rp, person, rep_person, row, look, planned_reps, today
                )
                receiver = rep_person

            account = None
            if row.method == PaymentMethodRegistration.Method.ACCOUNT:
                account_key = (row.bank_bin or "", row.account_number)
                account = planned_accounts.get(account_key) or look.accounts.get(account_key)
                if account is None:
                    account = build(
                        PaymentAccount,
                        holder=receiver,
                        bank=look.banks[row.bank_bin],
                        number=row.account_number,
                        holder_name=row.account_holder or fold_name(receiver.full_name),
                    )
                    plan.new_accounts.append(account)
                    planned_accounts[account_key] = account
                    if rp.status != NEW:
                        rp.change(
                            _("Tài khoản mới: %(bank)s %(number)s")
                            % {"bank": account.bank.short_name, "number": account.number}
                        )
                elif not (
                    account.holder is receiver
                    if account.pk is None
                    else receiver.pk is not None and account.holder_id == receiver.pk
                ):
                    fail(
                        rp,
                        "Số tài khoản",
                        row.account_number,
                        _("Tài khoản %(number)s tại %(bank)s đã được đăng ký cho một người khác.")
                        % {"number": row.account_number, "bank": account.bank.short_name},
                    )
                    continue
            _plan_registration(
                plan, rp, enrolment, row.method, representative, account, look, month, today
            )

        for rp in rows:
            self.counts[rp.status] += 1
            self.preview.append(_row_dict(rp))
        return plan

    def take(self) -> None:
        """Forget this chunk's objects (written, or never to be): memory stays flat."""
        fresh = ImportPlan(
            commune=self.commune,
            month=self.month,
            rows=[],
            issues=self.plan.issues,
            new_villages=self.plan.new_villages,
            changed_person_fields=self.plan.changed_person_fields,
        )
        self.plan = fresh


def _plan_person(plan: ImportPlan, rp: RowPlan, person: Person, row: ImportRow, village) -> None:
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


def _plan_entitlement(plan, rp, enrolment, category, row: ImportRow, look: _Lookup, month) -> None:
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


def _plan_representative(plan, rp, person, rep_person, row, look, planned_reps, today):
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


def _plan_registration(
    plan, rp, enrolment, method, representative, account, look, month, today
) -> None:
    current = look.registrations.get(enrolment.pk) if enrolment.pk else None
    if current is not None:
        same = (
            current.method == method
            and current.representative_id == (representative.pk if representative else None)
            and (representative is None or representative.pk is not None)
            and current.account_id == (account.pk if account else None)
            and (account is None or account.pk is not None)
        )
        if same:
            return
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
            return
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


def _row_dict(rp: RowPlan) -> list:
    # Compact: a 100,000-row preview stays a few megabytes.
    return [
        rp.row.sheet,
        rp.row.row,
        rp.row.full_name,
        rp.row.personal_id or "",
        rp.status,
        "; ".join(rp.changes),
    ]
