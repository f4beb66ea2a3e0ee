"""The registry import: rows read from a workbook, checked against the database,
then written in one transaction with bulk operations. A bad file changes nothing.

- :class:`Planner` looks every row's people, enrolments, amounts,
  representatives, accounts and registrations up in bulk (a few queries per
  chunk of rows, never one per row) and works out what would change; rows
  that clash with the database get an error.
- :func:`_write` writes a chunk's plan with COPY and the history rows, each
  carrying the import's change reason.
- :func:`run_import` drives both for an :class:`ImportBatch` and is what the
  command, the Celery tasks and the admin call: validation plans every row and
  writes nothing; the write (after the officer's confirmation) plans and
  writes chunk by chunk as the reader hands rows over, in one transaction that
  is rolled back if any error turns up.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from beneficiaries.bulk import build, bulk_insert_with_history
from beneficiaries.importer.reader import WorkbookError, read_workbook
from beneficiaries.importer.readproc import read_in_child
from beneficiaries.importer.rows import ImportRow, Issue, Reference
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    ImportBatch,
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
BATCH_SIZE = 1000

# Row statuses shown in the preview.
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


class ImportRefused(Exception):
    """An import that cannot go on, with a message for the officer."""


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sha256_of(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()


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
        plan.changed_person_fields.update(changed)
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


def _begin_write(commune: Commune) -> None:
    """In the caller's transaction: lock the commune, and do not wait for the WAL."""
    # One import per commune at a time: two writers would both create the same people.
    Commune.objects.select_for_update().get(pk=commune.pk)
    if connection.vendor == "postgresql":
        # Do not wait for the WAL flush at commit (about 4 s per 100,000 rows). A
        # crash in that instant loses the import and its batch record together,
        # consistently; the officer imports again.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Django's foreign keys are deferred to the commit, where a million
            # checks would run after the reading is over; checked statement by
            # statement they run while the child process still reads.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write(plan: ImportPlan, *, actor, reason: str, written: Counter) -> None:
    """Write one plan's (or one chunk's) objects with their history, parents first."""
    history = {"default_user": actor, "default_change_reason": reason, "batch_size": BATCH_SIZE}
    insert = {"user": actor, "reason": reason, "batch_size": BATCH_SIZE}
    bulk_insert_with_history(plan.villages, Village, **insert)
    bulk_insert_with_history(plan.new_people, Person, **insert)
    if plan.changed_people:
        bulk_update_with_history(
            list(plan.changed_people.values()),
            Person,
            sorted(plan.changed_person_fields | {"updated_at"}),
            **history,
        )
    bulk_insert_with_history(plan.new_enrolments, Beneficiary, **insert)
    if plan.changed_enrolments:
        bulk_update_with_history(
            list(plan.changed_enrolments.values()), Beneficiary, ["decision_number"], **history
        )
    bulk_insert_with_history(plan.new_entitlements, Entitlement, **insert)
    if plan.changed_entitlements:
        bulk_update_with_history(
            list(plan.changed_entitlements.values()),
            Entitlement,
            ["amount", "coefficient", "basis"],
            **history,
        )
    bulk_insert_with_history(plan.new_representatives, Representative, **insert)
    if plan.changed_representatives:
        bulk_update_with_history(
            list(plan.changed_representatives.values()),
            Representative,
            ["kind", "relationship"],
            **history,
        )
    bulk_insert_with_history(plan.new_accounts, PaymentAccount, **insert)
    # Retire before adding: one current registration per beneficiary is a constraint.
    if plan.retired_registrations:
        bulk_update_with_history(
            list(plan.retired_registrations.values()),
            PaymentMethodRegistration,
            ["is_current"],
            **history,
        )
    if plan.changed_registrations:
        bulk_update_with_history(
            list(plan.changed_registrations.values()),
            PaymentMethodRegistration,
            ["method", "representative", "account", "requested_on"],
            **history,
        )
    bulk_insert_with_history(plan.new_registrations, PaymentMethodRegistration, **insert)
    written.update(
        villages=len(plan.villages),
        people_created=len(plan.new_people),
        people_updated=len(plan.changed_people),
        enrolments_created=len(plan.new_enrolments),
        entitlements_created=len(plan.new_entitlements),
        representatives_created=len(plan.new_representatives),
        accounts_created=len(plan.new_accounts),
        registrations_created=len(plan.new_registrations),
    )


def _issue_dict(issue: Issue) -> dict:
    return {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message,
        "level": issue.level,
    }


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


def _preview_rows(preview: list[list], issues: list[Issue], sheets: list[str]) -> list[list]:
    """Every row of the file in file order: the planned ones and those the reader refused."""
    rows = list(preview)
    seen = {(r[0], r[1]) for r in rows}
    for issue in issues:
        if (
            issue.level == "error"
            and issue.row is not None
            and (issue.sheet, issue.row) not in seen
        ):
            seen.add((issue.sheet, issue.row))
            rows.append([issue.sheet, issue.row, "", "", ERROR, ""])
    order = {name: index for index, name in enumerate(sheets)}
    rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1]))
    return rows


def create_batch(
    upload: BinaryIO, *, name: str, commune: Commune, actor, sheet: str = ""
) -> ImportBatch:
    """Record an uploaded workbook before anything is read from it."""
    checksum = sha256_of(upload)
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    batch = ImportBatch(
        commune=commune,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=name[:255],
        checksum=checksum,
        size=size,
        sheet=sheet,
    )
    batch.file.save(f"{checksum[:16]}.xlsx", File(upload, name=name), save=False)
    batch.save()
    return batch


def run_import(
    batch: ImportBatch,
    *,
    actor,
    commit: bool,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportBatch:
    """Validate a batch's workbook and, when asked and clean, write it.

    The batch ends ``invalid`` (errors, nothing written), ``validated`` (clean,
    nothing written yet) or ``committed``. Rows are planned, and when writing
    written, chunk by chunk as the reader hands them over, in one transaction
    that is rolled back if any error turns up, so a bad file still changes
    nothing. Large files are read in a child process (``parallel``, by default
    from ``IMPORT_PARALLEL_READ_MB``) while this one plans and writes.
    """
    today = today or timezone.localdate()
    reference = Reference.from_database()
    if not commit:
        batch.status = ImportBatch.Status.VALIDATING
        ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status, progress=1)
    if parallel is None:
        parallel = batch.size >= settings.IMPORT_PARALLEL_READ_MB * 1024 * 1024
    planner = Planner(commune=batch.commune, today=today, known_provinces=reference.known_provinces)
    written: Counter = Counter()
    writing = [commit]

    pending: list[ImportRow] = []

    def plan_and_write() -> None:
        plan = planner.add(pending)
        pending.clear()
        if writing[0]:
            if plan.errors:
                writing[0] = False  # the transaction will be rolled back: stop writing
            else:
                _write(plan, actor=actor, reason=batch.change_reason, written=written)
        planner.take()

    def consume(rows: list[ImportRow]) -> None:
        pending.extend(rows)
        if len(pending) >= CHUNK_ROWS:
            plan_and_write()

    read_rows = read_in_child if parallel else read_workbook
    # Validation writes nothing and runs outside a transaction, so that the
    # progress it reports is seen by the page polling it.
    scope = transaction.atomic() if commit else contextlib.nullcontext()
    try:
        with scope:
            if commit:
                _begin_write(batch.commune)
            read = read_rows(
                batch.file.path,
                reference=reference,
                today=today,
                sheet=batch.sheet or None,
                on_rows=consume,
                progress=progress,
            )
            plan_and_write()
            issues = [*read.issues, *planner.plan.issues]
            errors = [i for i in issues if i.level == "error"]
            batch.rows_total = sum(planner.counts.values())
            batch.created_count = planner.counts[NEW]
            batch.updated_count = planner.counts[CHANGED]
            batch.unchanged_count = planner.counts[UNCHANGED]
            batch.error_count = len(errors)
            batch.warning_count = len(issues) - len(errors)
            batch.issues = [_issue_dict(i) for i in issues]
            batch.summary = {
                "rows": _preview_rows(planner.preview, issues, list(read.sheets)),
                "new_villages": planner.plan.new_villages,
                "unknown_columns": list(read.unknown_columns),
                "sheets": list(read.sheets),
            }
            batch.progress = 100
            if commit and not errors:
                # The batch record and the rows it wrote commit together, or neither.
                batch.summary["written"] = dict(written)
                batch.status = ImportBatch.Status.COMMITTED
                batch.committed_at = timezone.now()
                batch.save()
                return batch
            if commit:
                transaction.set_rollback(True)
    except WorkbookError as exc:
        batch.status = ImportBatch.Status.INVALID
        batch.issues = [
            _issue_dict(Issue(batch.sheet or "", None, None, "", str(exc.message), "error"))
        ]
        batch.error_count = 1
        batch.progress = 100
        batch.save()
        return batch
    batch.status = ImportBatch.Status.INVALID if errors else ImportBatch.Status.VALIDATED
    batch.save()
    return batch


def request_commit(batch: ImportBatch, *, actor) -> ImportBatch:
    """The officer confirms a validated import; a second click finds it already under way.

    Only moves the state; the caller queues the writing (on commit).
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.VALIDATED:
            raise ImportRefused(
                _("Lần nhập này đang ở trạng thái «%(status)s»: không thể xác nhận ghi.")
                % {"status": locked.get_status_display()}
            )
        locked.status = ImportBatch.Status.WRITING
        locked.progress = 0
        locked.save(update_fields=["status", "progress"])
    return locked


@transaction.atomic
def cancel_batch(batch: ImportBatch, *, actor) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.INVALID):
        raise ImportRefused(_("Chỉ hủy được lần nhập chưa ghi."))
    locked.status = ImportBatch.Status.CANCELLED
    locked.save(update_fields=["status"])
    return locked


def mark_failed(batch_pk: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_pk).exclude(status=ImportBatch.Status.COMMITTED).update(
        status=ImportBatch.Status.FAILED, failure=message[:2000], progress=100
    )


def estimate_rows(handle: BinaryIO) -> int:
    """Rows the workbook declares (its dimension), to turn rows read into a percentage."""
    from openpyxl import load_workbook  # local: only the progress bar needs it here

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # the reader reports a bad file properly; no estimate then
        return 0
    try:
        return sum((ws.max_row or 0) for ws in workbook.worksheets)
    finally:
        workbook.close()
        handle.seek(0)


def progress_writer(batch: ImportBatch) -> Callable[[int], None]:
    """A callback that stores reading progress (up to 90 %; planning and writing follow)."""
    with batch.file.open("rb") as handle:
        total = estimate_rows(handle)
    last = {"percent": 0}

    def write(rows_read: int) -> None:
        if not total:
            return
        percent = min(90, max(1, rows_read * 90 // total))
        if percent >= last["percent"] + 5:
            last["percent"] = percent
            ImportBatch.objects.filter(pk=batch.pk).update(progress=percent)

    return write
