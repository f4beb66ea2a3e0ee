"""Planning an import: what each row would create or change, looked up in bulk.

Nothing here writes; :mod:`desk.importer.service` writes what the
:class:`Planner` planned, chunk by chunk. The plan's shape is in
:mod:`~desk.importer.plan`, the bulk look-ups in
:mod:`~desk.importer.lookup`, and what a row changes of each record in
:mod:`~desk.importer.changes`; this module matches each row to its
person, enrolment and account and refuses the rows that clash.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import PaymentAccount
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCondition,
    Person,
    Representative,
    Village,
    commune_title,
)
from beneficiaries.services import enrolment_problem, programme_start_problem
from core.bulk import build
from core.rules.cccd import CccdError, parse_cccd
from core.rules.months import first_of_month
from desk.importer.changes import (
    plan_entitlement,
    plan_person,
    plan_registration,
    plan_representative,
    row_dict,
)
from desk.importer.lookup import Lookup
from desk.importer.plan import (
    CHANGED,
    COL_ID,
    COL_NAME,
    COL_START,
    DEFAULT,
    ERROR,
    FROM_FILE,
    NEW,
    REGISTRY,
    UNCHANGED,
    ImportPlan,
    RowPlan,
    fold_name,
)
from desk.importer.rows import ImportRow, Issue
from registration.models import PaymentMethodRegistration


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
        self.month = first_of_month(today)
        self.known_provinces = known_provinces
        self.plan = ImportPlan(commune=commune, month=self.month, rows=[], issues=[])
        self.look = Lookup(commune, self.month)
        self.planned_people: dict[tuple, Person] = {}
        self.planned_accounts: dict[tuple[str, str], PaymentAccount] = {}
        self.planned_reps: dict[tuple[int, int], Representative] = {}
        self.described: set[int] = set()  # id() of people whose own row has been planned
        self.planned_enrolments: dict[tuple, int] = {}  # (person, category) -> sheet row
        self.preview: list[list] = []
        # The enrolment rule (beneficiaries.services.enrolment_problem) runs for
        # the categories it has something to say about: required age or
        # conditions, exclusions, a programme with a first month.
        self.ruled_categories = set(
            Category.objects.filter(
                Q(requires__gt="")
                | Q(excludes__isnull=False)
                | Q(programme__starts_from__isnull=False)
            ).values_list("pk", flat=True)
        )
        self.planned_by_person: dict[int, list[Beneficiary]] = {}  # id(person) -> new ones
        self.counts = dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0)
        # The totals of the rows without errors: people, and their amounts of a month.
        self.people_in_file: set[tuple] = set()
        self.amount_per_month = 0
        # The communes merged into this one, by folded name ("YEN SON", "XA YEN SON") and
        # code: a row's "Xã cũ" (or its sheet's name) says which one it comes from.
        self.old_communes: dict[str, Commune] = {}
        for old in Commune.objects.filter(merged_into=commune):
            for key in (old.code, fold_name(old.name), fold_name(commune_title(old))):
                self.old_communes[key] = old

    def old_commune_of(self, row: ImportRow) -> tuple[Commune | None, str | None]:
        """The old commune a row comes from (its "Xã cũ" cell, else its sheet's
        name when that names one), or the message when the cell names none."""
        if row.old_commune:
            found = self.old_communes.get(fold_name(row.old_commune))
            if found is None:
                return None, _(
                    "“%(value)s” không phải một xã đã sáp nhập vào %(commune)s; ghi tên hoặc "
                    "mã xã cũ (%(known)s)."
                ) % {
                    "value": row.old_commune,
                    "commune": commune_title(self.commune),
                    "known": ", ".join(
                        sorted({f"{c.name} ({c.code})" for c in self.old_communes.values()})
                    )
                    or "không có",
                }
            return found, None
        return self.old_communes.get(fold_name(row.sheet)), None

    def _enrolment_problem(
        self, enrolment: Beneficiary, person: Person, category, conditions: list
    ) -> str | None:
        """The registry's enrolment rule, with the person's saved conditions and
        enrolments and those planned in this file."""
        if category.pk not in self.ruled_categories:
            return None
        saved_conditions, saved = [], []
        if person.pk:
            saved_conditions = list(EnrolmentCondition.objects.filter(person=person))
            saved = list(
                Beneficiary.objects.filter(person=person).select_related("category", "programme")
            )
        planned = [*saved, *self.planned_by_person.get(id(person), [])]
        return enrolment_problem(
            enrolment, conditions=[*saved_conditions, *conditions], others=planned
        )

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
            old, problem = self.old_commune_of(row)
            if problem:
                fail(rp, "Xã cũ", row.old_commune, problem)
                continue
            if old is not None and row.village:
                # A name two old communes shared was given the old commune's in brackets.
                renamed = look.villages.get(fold_name(f"{row.village} ({old.name})"))
                if renamed is not None:
                    row.village = renamed.name
            key = _person_key(
                row.personal_id, fold_name(row.full_name), row.birth_year, row.village
            )
            rp.person_key = key
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
                plan_person(plan, rp, person, row, village_for(row.village))
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
                start = row.start_month or month
                problem = programme_start_problem(category.programme, start)
                if problem:
                    fail(rp, COL_START, f"{start:%m/%Y}", problem)
                    continue
                enrolment = build(
                    Beneficiary,
                    person=person,
                    commune=commune,
                    programme=category.programme,
                    category=category,
                    decision_number=row.decision_number,
                    start_month=start,
                    note=row.note[:300],
                )
                rp.start_month, rp.start_source = start, FROM_FILE if row.start_month else DEFAULT
                conditions = [
                    build(
                        EnrolmentCondition,
                        person=person,
                        kind=kind,
                        document=document[:200],
                        document_date=day,
                        valid_from=min(day, start),
                    )
                    for kind, document, day in row.conditions
                ]
                problem = self._enrolment_problem(enrolment, person, category, conditions)
                if problem:
                    fail(rp, "Diện đối tượng", row.category_code, problem)
                    continue
                self.planned_by_person.setdefault(id(person), []).append(enrolment)
                plan.new_conditions.extend(conditions)
                plan.new_enrolments.append(enrolment)
                rp.status = NEW
                if person.pk:
                    look.enrolments[(person.pk, row.category_code)] = enrolment
            else:
                rp.start_month, rp.start_source = enrolment.start_month, REGISTRY
                if row.start_month and row.start_month != enrolment.start_month:
                    plan.issues.append(
                        Issue(
                            row.sheet,
                            row.row,
                            COL_START,
                            f"{row.start_month:%m/%Y}",
                            _(
                                "Diện hưởng này đã có trong sổ, hưởng từ tháng %(month)s: giữ "
                                "tháng trong sổ (sửa trên trang của người này nếu cần)."
                            )
                            % {"month": f"{enrolment.start_month:%m/%Y}"},
                            "warning",
                        )
                    )
                if row.decision_number and enrolment.decision_number != row.decision_number:
                    rp.change(
                        _("Số quyết định: %(old)s → %(new)s")
                        % {"old": enrolment.decision_number or "—", "new": row.decision_number}
                    )
                    enrolment.decision_number = row.decision_number
                    plan.changed_enrolments[enrolment.pk] = enrolment

            # A new enrolment is owed its amount from its first month.
            plan_entitlement(
                plan,
                rp,
                enrolment,
                category,
                row,
                look,
                enrolment.start_month if enrolment.pk is None else month,
            )

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
                representative = plan_representative(
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
            refused = plan_registration(
                plan, rp, enrolment, row.method, representative, account, look, month, today
            )
            if refused:
                fail(
                    rp,
                    "Hình thức nhận",
                    str(PaymentMethodRegistration.Method(row.method).label),
                    refused,
                )

        for rp in rows:
            self.counts[rp.status] += 1
            self.preview.append(row_dict(rp, look))
            if rp.status != ERROR:
                self.people_in_file.add(rp.person_key)
                self.amount_per_month += rp.row.amount
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
