"""The data-quality checks: one function per kind of finding, and the run of all.

Each check reads a :class:`~registration.quality.scope.Scope` (the commune,
the day, who is paid how) and yields
:class:`~registration.quality.findings.Finding` objects. What several checks
read — the account registrations, the representatives, the enrolments worth a
look — is fetched once per run by the scope, in a few set-based queries (no
query per person). The page, the ``data_quality`` command and the
gate all read :func:`find_problems`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db.models import Count, F, Q, QuerySet, Window
from django.utils.translation import gettext as _

from accounts.models import PaymentAccount
from beneficiaries.models import Commune, Person
from beneficiaries.models.checks import (
    Verification,
    verification_state,
    with_verification,
)
from beneficiaries.services import known_provinces
from core.rules.cccd import CccdError, check_cccd_against_record, parse_cccd
from core.rules.names import fold_name
from registration.quality.findings import KINDS, Finding, finding, person_of
from registration.quality.scope import ADULT_AGE, Scope


def _person_row(person: Person) -> dict:
    return {"id": person.pk, "full_name": person.full_name, "personal_id": person.personal_id}


def _account_label(row: dict) -> str:
    return f"{row['account__number']} ({row['account__bank__short_name']})"


def _receiver(row: dict) -> int:
    return row["representative__person_id"] or row["beneficiary__person_id"]


# --- people -------------------------------------------------------------------


def duplicate_id(scope: Scope) -> Iterator[Finding]:
    """Old 9-digit CMND numbers held by two people (a CCCD cannot repeat: the
    database refuses it). The other holder may be in another commune: not named."""
    numbers = (
        Person.objects.filter(commune=scope.commune)
        .exclude(legacy_id_number="")
        .values_list("legacy_id_number", flat=True)
    )
    shared = dict(
        Person.objects.filter(legacy_id_number__in=numbers)
        .values("legacy_id_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("legacy_id_number", "n")
    )
    if not shared:
        return
    people = Person.objects.filter(commune=scope.commune, legacy_id_number__in=shared).values(
        "id", "full_name", "personal_id", "legacy_id_number"
    )
    for person in people.order_by("sort_name", "pk"):
        yield finding(
            "duplicate_id",
            True,
            person,
            _("Số CMND cũ %(number)s còn ghi cho %(others)d người khác.")
            % {
                "number": person["legacy_id_number"],
                "others": shared[person["legacy_id_number"]] - 1,
            },
        )


def possible_duplicate(scope: Scope) -> Iterator[Finding]:
    """Same folded name and birth year in one commune. Two people who both hold a
    CCCD the police confirmed are two people: not reported."""
    people = list(
        with_verification(Person.objects.filter(commune=scope.commune))
        .annotate(same=Window(Count("pk"), partition_by=[F("name_folded"), F("birth_year")]))
        .filter(same__gt=1)
        .values(
            "id",
            "full_name",
            "personal_id",
            "name_folded",
            "birth_year",
            "last_check_result",
            "last_check_fingerprint",
            "identity_fingerprint",
        )
        .order_by("sort_name", "id")
    )
    for person in people:
        person["verified"] = (
            verification_state(
                person["last_check_result"],
                person["last_check_fingerprint"],
                person["identity_fingerprint"],
            )
            == Verification.VERIFIED
        )
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for person in people:
        by_key[(person["name_folded"], person["birth_year"])].append(person)
    for members in by_key.values():
        if all(m["personal_id"] and m["verified"] for m in members):
            continue
        for person in members:
            others = [m for m in members if m["id"] != person["id"]]
            yield finding(
                "possible_duplicate",
                False,
                person,
                _("Cùng họ tên và năm sinh %(year)d với: %(others)s.")
                % {
                    "year": person["birth_year"],
                    "others": "; ".join(
                        f"{m['full_name']} (CCCD {m['personal_id'] or _('chưa có')})"
                        for m in others
                    ),
                },
                *(m["id"] for m in others),
            )


def id_disagrees(scope: Scope) -> Iterator[Finding]:
    """A CCCD whose birth-year or gender digits disagree with the record."""
    provinces = known_provinces()
    live = scope.live_enrolments()
    people = (
        Person.objects.filter(
            Q(enrolments__in=live) | Q(represents__represented__enrolments__in=live)
        )
        .exclude(personal_id__isnull=True)
        .exclude(personal_id="")
        .distinct()
        .values("id", "full_name", "personal_id", "birth_year", "gender")
        .order_by("sort_name", "id")
    )
    for person in people.iterator(chunk_size=2000):
        try:
            info = parse_cccd(person["personal_id"], known_provinces=provinces, today=scope.today)
        except CccdError as error:
            yield finding("id_disagrees", True, person, str(error))
            continue
        problems = check_cccd_against_record(
            info,
            birth_year=person["birth_year"],
            male=None if not person["gender"] else person["gender"] == Person.Gender.MALE,
        )
        if info.abroad:
            problems = problems[:-1]  # a birth abroad is unusual, not wrong
        if problems:
            yield finding("id_disagrees", True, person, " ".join(str(p) for p in problems))


def dead_active(scope: Scope) -> Iterator[Finding]:
    """A dead representative still registered to receive; a dead person still paid."""
    for state in scope.current_representatives():
        rep = state.rep
        if state.used and rep.person.date_of_death:
            yield finding(
                "dead_active",
                True,
                state.represented,
                _("Người nhận thay %(name)s đã chết (%(date)s) nhưng vẫn được đăng ký nhận tiền.")
                % {**state.words, "date": rep.person.date_of_death.strftime("%d/%m/%Y")},
                rep.person_id,
            )
    for enrolment in scope.enrolments_to_look_at:
        person = enrolment.person
        if person.date_of_death:
            yield finding(
                "dead_active",
                True,
                _person_row(person),
                _("Đã chết ngày %(date)s nhưng vẫn %(status)s %(programme)s: cần thôi hưởng.")
                % {
                    "date": person.date_of_death.strftime("%d/%m/%Y"),
                    "status": enrolment.get_status_display().lower(),
                    "programme": enrolment.programme.short_name,
                },
            )


def year_only_age(scope: Scope) -> Iterator[Finding]:
    """A year-only birth in the year a representative turns 18, or a person turns
    an age bound of their category: the month things change cannot be told."""
    year = scope.today.year
    for state in scope.current_representatives():
        rep = state.rep
        if not state.under_age and state.age is None and year - rep.person.birth_year == ADULT_AGE:
            yield finding(
                "year_only_age",
                False,
                state.represented,
                _(
                    "Người nhận thay %(name)s chỉ có năm sinh %(year)d: năm nay tròn 18 tuổi, "
                    "cần ngày sinh để biết đã đủ 18 tuổi chưa."
                )
                % {**state.words, "year": rep.person.birth_year},
                rep.person_id,
            )
    for enrolment in scope.enrolments_to_look_at:
        person = enrolment.person
        if person.date_of_death:
            continue  # reported as dead_active
        turns = year - person.birth_year
        if person.birth_date is None and turns in enrolment.category.age_bounds:
            yield finding(
                "year_only_age",
                False,
                _person_row(person),
                _(
                    "Chỉ có năm sinh %(year)d: năm nay tròn %(age)d tuổi, mốc tuổi của diện "
                    "“%(category)s”; cần ngày sinh để biết từ tháng nào đổi diện/hệ số."
                )
                % {
                    "year": person.birth_year,
                    "age": turns,
                    "category": enrolment.category.short_name,
                },
            )


# --- representatives ----------------------------------------------------------


def authorisation_expired(scope: Scope) -> Iterator[Finding]:
    """An authorisation or guardianship past its end date."""
    for state in scope.representatives:
        if not state.expired:
            continue
        yield finding(
            "authorisation_expired",
            state.used,
            state.represented,
            (
                _(
                    "Người nhận thay %(name)s (%(kind)s) hết hiệu lực từ %(until)s nhưng vẫn đang nhận tiền."
                )
                if state.used
                else _("Người nhận thay %(name)s (%(kind)s) đã hết hiệu lực từ %(until)s.")
            )
            % state.words,
            state.rep.person_id,
        )


def authorisation_expiring(scope: Scope) -> Iterator[Finding]:
    """An authorisation or guardianship ending within 30 days."""
    for state in scope.current_representatives():
        if state.expiring:
            yield finding(
                "authorisation_expiring",
                False,
                state.represented,
                _("Ủy quyền/giám hộ của %(name)s hết hiệu lực ngày %(until)s: cần gia hạn.")
                % state.words,
                state.rep.person_id,
            )


def representative_minor(scope: Scope) -> Iterator[Finding]:
    """A representative under 18 (with a year only: who turns 18 after this year)."""
    for state in scope.current_representatives():
        if state.under_age:
            yield finding(
                "representative_minor",
                state.used,
                state.represented,
                _("Người nhận thay %(name)s (sinh %(birth)s) chưa đủ 18 tuổi.")
                % {**state.words, "birth": state.rep.person.birth_display},
                state.rep.person_id,
            )


# --- accounts -----------------------------------------------------------------


def cashless_without_account(scope: Scope) -> Iterator[Finding]:
    """A payment into an account that is no longer active."""
    for reg in scope.account_rows:
        if not reg["account__active"]:
            yield finding(
                "cashless_without_account",
                True,
                person_of(reg, "beneficiary__person"),
                _(
                    "Tài khoản %(account)s đã ngừng dùng: cần tài khoản khác hoặc chuyển sang tiền mặt."
                )
                % {"account": _account_label(reg)},
                _receiver(reg),
            )


def account_not_receivers(scope: Scope) -> Iterator[Finding]:
    """A payment into an account held by neither the beneficiary nor the representative."""
    for reg in scope.account_rows:
        receiver = _receiver(reg)
        if reg["account__holder_id"] != receiver:
            yield finding(
                "account_not_receivers",
                True,
                person_of(reg, "beneficiary__person"),
                _(
                    "Tài khoản %(account)s đứng tên %(holder)s, không phải người nhận tiền "
                    "(đối tượng hoặc người nhận thay đã đăng ký)."
                )
                % {"account": _account_label(reg), "holder": reg["account__holder__full_name"]},
                receiver,
                reg["account__holder_id"],
            )


def shared_account(scope: Scope) -> Iterator[Finding]:
    """One account paying several people who do not all receive through one person."""
    by_account: dict[int, list[dict]] = defaultdict(list)
    for reg in scope.account_rows:
        by_account[reg["account_id"]].append(reg)
    for regs in by_account.values():
        people = {r["beneficiary__person_id"] for r in regs}
        receivers = {_receiver(r) for r in regs}
        if len(people) < 2 or len(receivers) < 2:
            continue  # one person's enrolments, or one representative receiving for several
        names = ", ".join(sorted({r["beneficiary__person__full_name"] for r in regs}))
        label = _account_label(regs[0])
        for reg in regs:
            yield finding(
                "shared_account",
                True,
                person_of(reg, "beneficiary__person"),
                _(
                    "Tài khoản %(account)s nhận tiền cho %(names)s mà không qua cùng một người nhận thay."
                )
                % {"account": label, "names": names},
                *people,
            )


def holder_name_mismatch(scope: Scope) -> Iterator[Finding]:
    """The holder name as the bank prints it does not fold to the holder's name:
    blocking on an account a payment uses (the bank returns the transfer)."""
    used = {r["account_id"] for r in scope.account_rows}
    accounts = (
        PaymentAccount.objects.filter(
            Q(pk__in=scope.usage.filter(method="account").values("account_id"))
            | Q(holder__commune=scope.commune, active=True)
        )
        .select_related("holder", "bank")
        .order_by("holder__sort_name", "pk")
    )
    for account in accounts.iterator(chunk_size=2000):
        if fold_name(account.holder_name) == account.holder.name_folded:
            continue
        in_use = account.pk in used
        yield finding(
            "holder_name_mismatch",
            in_use,
            _person_row(account.holder),
            _(
                "Tên chủ tài khoản %(number)s (%(bank)s) là “%(holder_name)s”, khác họ tên “%(name)s”%(use)s."
            )
            % {
                "number": account.number,
                "bank": account.bank.short_name,
                "holder_name": account.holder_name,
                "name": account.holder.full_name,
                "use": _(": ngân hàng sẽ trả lại tiền") if in_use else "",
            },
        )


#: One check per kind of finding, in the order of :data:`KINDS`.
CHECKS: dict[str, Callable[[Scope], Iterator[Finding]]] = {
    "duplicate_id": duplicate_id,
    "possible_duplicate": possible_duplicate,
    "shared_account": shared_account,
    "account_not_receivers": account_not_receivers,
    "holder_name_mismatch": holder_name_mismatch,
    "authorisation_expired": authorisation_expired,
    "authorisation_expiring": authorisation_expiring,
    "representative_minor": representative_minor,
    "dead_active": dead_active,
    "cashless_without_account": cashless_without_account,
    "id_disagrees": id_disagrees,
    "year_only_age": year_only_age,
}


def find_problems(
    commune: Commune,
    *,
    today: datetime.date,
    include_money: bool = True,
    usage: QuerySet | None = None,
) -> list[Finding]:
    """Every finding of the commune, blocking first, then by kind, then in the
    order its check yields them (mostly by name).

    ``usage`` (registrations or payments) says who is paid how; by default the
    current registrations. A list or a cycle passes what it actually pays by.
    Without ``include_money`` the checks about accounts are not run.
    """
    scope = Scope(commune, today, usage)
    findings: list[Finding] = []
    for kind, check in CHECKS.items():
        if include_money or not KINDS[kind].money:
            findings.extend(check(scope))
    order = list(KINDS)
    return sorted(findings, key=lambda f: (not f.blocking, order.index(f.kind)))
