"""Data quality: what is wrong or doubtful in a commune's records, and the gate
that keeps a list or a payment cycle in the commune while anyone on it is
unverified or has a blocking finding.

Each check is one function over a few set-based queries (no query per person)
and yields :class:`Finding` objects. The page, the ``data_quality`` command
and the gates all read :func:`find_problems`; the rule lives here once.

Blocking vs warning, per finding (also in ``docs/data-quality.md``):

============================  =========================================
finding                       severity
============================  =========================================
duplicate_id                  blocking
possible_duplicate            warning
shared_account                blocking
account_not_receivers         blocking
holder_name_mismatch          blocking when a current registration uses
                              the account, warning otherwise
authorisation_expired         blocking when a current registration uses
                              it, warning otherwise
authorisation_expiring        warning (within 30 days)
representative_minor          blocking when a current registration uses
                              them, warning otherwise
dead_active                   blocking
cashless_without_account      blocking
id_disagrees                  blocking
year_only_age                 warning
============================  =========================================
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary, Commune, Person, Representative
from beneficiaries.models.checks import (
    IdentityCheck,
    Verification,
    verification_filter,
    with_verification,
)
from beneficiaries.rules.cccd import CccdError, check_cccd_against_record, parse_cccd
from beneficiaries.rules.names import fold_name
from beneficiaries.services import known_provinces
from payments.models import PaymentAccount
from registration.models import PaymentMethodRegistration

EXPIRY_NOTICE_DAYS = 30
ADULT_AGE = 18


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    # Whether the finding concerns accounts: shown only to roles that see money.
    money: bool = False


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("duplicate_id", gettext_lazy("Trùng số giấy tờ tùy thân")),
        Kind("possible_duplicate", gettext_lazy("Hai hồ sơ có thể là một người")),
        Kind("shared_account", gettext_lazy("Một tài khoản nhận cho nhiều người"), money=True),
        Kind(
            "account_not_receivers",
            gettext_lazy("Tài khoản không phải của người nhận"),
            money=True,
        ),
        Kind(
            "holder_name_mismatch",
            gettext_lazy("Tên chủ tài khoản khác tên người"),
            money=True,
        ),
        Kind("authorisation_expired", gettext_lazy("Ủy quyền/giám hộ đã hết hiệu lực")),
        Kind("authorisation_expiring", gettext_lazy("Ủy quyền/giám hộ sắp hết hiệu lực")),
        Kind("representative_minor", gettext_lazy("Người nhận thay chưa đủ 18 tuổi")),
        Kind("dead_active", gettext_lazy("Người đã chết vẫn đang hưởng/nhận thay")),
        Kind(
            "cashless_without_account",
            gettext_lazy("Đăng ký nhận qua tài khoản nhưng không có tài khoản dùng được"),
            money=True,
        ),
        Kind("id_disagrees", gettext_lazy("Số CCCD không khớp năm sinh/giới tính")),
        Kind("year_only_age", gettext_lazy("Chỉ có năm sinh, gần mốc tuổi")),
    )
}


@dataclass(frozen=True)
class Finding:
    kind: str
    blocking: bool
    person_id: int  # the record the finding links to
    person_name: str
    personal_id: str
    message: str
    # Everyone the finding concerns (the gate matches a list's people against it).
    person_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        return str(KINDS[self.kind].title)

    @property
    def money(self) -> bool:
        return KINDS[self.kind].money

    @property
    def concerns(self) -> frozenset[int]:
        return self.person_ids | {self.person_id}


@dataclass
class Blocker:
    """One person who keeps a list or cycle in the commune, with every reason."""

    person_id: int
    person_name: str
    personal_id: str
    reasons: list[str]


def _live(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    return qs.exclude(status=Beneficiary.Status.ENDED)


def current_usage(commune: Commune) -> QuerySet[PaymentMethodRegistration]:
    """Who is paid how in the registry today: the current registrations of the
    commune's live enrolments (the data-quality page and command)."""
    return PaymentMethodRegistration.objects.filter(
        is_current=True, beneficiary__commune=commune
    ).exclude(beneficiary__status=Beneficiary.Status.ENDED)


def registrations_in_force(
    enrolments: QuerySet[Beneficiary], month: datetime.date
) -> QuerySet[PaymentMethodRegistration]:
    """Per enrolment, the registration in force in ``month`` (the latest starting
    on or before it): what a list or a cycle of that month pays by."""
    latest = PaymentMethodRegistration.objects.filter(
        beneficiary=OuterRef("beneficiary"), from_month__lte=month
    ).order_by("-from_month")
    return (
        PaymentMethodRegistration.objects.filter(beneficiary__in=enrolments)
        .annotate(in_force=Subquery(latest.values("from_month")[:1]))
        .filter(from_month=F("in_force"))
    )


# "Usage": registrations or payments (both have beneficiary, method, representative
# and account): who is paid, by whom, into which account.
_USAGE_FIELDS = (
    "beneficiary__person_id",
    "beneficiary__person__full_name",
    "beneficiary__person__personal_id",
    "representative_id",
    "representative__person_id",
    "account_id",
    "account__number",
    "account__bank__short_name",
    "account__holder_id",
    "account__holder__full_name",
    "account__active",
)


def _account_rows(usage: QuerySet) -> list[dict]:
    return list(
        usage.filter(method="account").values(*_USAGE_FIELDS).order_by("beneficiary_id", "pk")
    )


def _finding(kind: str, blocking: bool, person: dict, message: str, *others: int) -> Finding:
    """``person``: a values() row with ``id``/``full_name``/``personal_id`` under ``prefix``."""
    return Finding(
        kind=kind,
        blocking=blocking,
        person_id=person["id"],
        person_name=person["full_name"],
        personal_id=person["personal_id"] or "",
        message=message,
        person_ids=frozenset(o for o in others if o is not None),
    )


def _person_of(row: dict, prefix: str) -> dict:
    return {
        "id": row[f"{prefix}_id"],
        "full_name": row[f"{prefix}__full_name"],
        "personal_id": row[f"{prefix}__personal_id"],
    }


def _age_on(birth_date: datetime.date | None, birth_year: int, day: datetime.date) -> int | None:
    """Whole years on ``day``; ``None`` when only the year is known and the birthday
    may or may not have passed (the year the person turns ``day.year - birth_year``)."""
    if birth_date is not None:
        return (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    return None


# --- the checks -------------------------------------------------------------


def duplicate_ids(commune: Commune, today: datetime.date) -> Iterator[Finding]:
    """Old 9-digit CMND numbers held by two people (a CCCD cannot repeat: the
    database refuses it). The other holder may be in another commune: not named."""
    numbers = (
        Person.objects.filter(commune=commune)
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
    people = Person.objects.filter(commune=commune, legacy_id_number__in=shared).values(
        "id", "full_name", "personal_id", "legacy_id_number"
    )
    for person in people.order_by("sort_name", "pk"):
        yield _finding(
            "duplicate_id",
            True,
            person,
            _("Số CMND cũ %(number)s còn ghi cho %(others)d người khác.")
            % {
                "number": person["legacy_id_number"],
                "others": shared[person["legacy_id_number"]] - 1,
            },
        )


def possible_duplicates(commune: Commune, today: datetime.date) -> Iterator[Finding]:
    """Same folded name and birth year in one commune. Two people who both hold a
    CCCD the police confirmed are two people: not reported."""
    people = list(
        with_verification(Person.objects.filter(commune=commune))
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
            person["last_check_result"] == IdentityCheck.Result.MATCH
            and person["last_check_fingerprint"] == person["identity_fingerprint"]
        )
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for person in people:
        by_key[(person["name_folded"], person["birth_year"])].append(person)
    for members in by_key.values():
        if all(m["personal_id"] and m["verified"] for m in members):
            continue
        for person in members:
            others = [m for m in members if m["id"] != person["id"]]
            yield _finding(
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


def account_findings(
    commune: Commune, today: datetime.date, usage: QuerySet | None = None
) -> Iterator[Finding]:
    """The accounts the commune pays into: whose they are and whether they work."""
    usage = current_usage(commune) if usage is None else usage
    registrations = _account_rows(usage)
    by_account: dict[int, list[dict]] = defaultdict(list)
    for reg in registrations:
        by_account[reg["account_id"]].append(reg)
        receiver = reg["representative__person_id"] or reg["beneficiary__person_id"]
        beneficiary = _person_of(reg, "beneficiary__person")
        label = f"{reg['account__number']} ({reg['account__bank__short_name']})"
        if not reg["account__active"]:
            yield _finding(
                "cashless_without_account",
                True,
                beneficiary,
                _(
                    "Tài khoản %(account)s đã ngừng dùng: cần tài khoản khác hoặc chuyển sang tiền mặt."
                )
                % {"account": label},
                receiver,
            )
        if reg["account__holder_id"] != receiver:
            yield _finding(
                "account_not_receivers",
                True,
                beneficiary,
                _(
                    "Tài khoản %(account)s đứng tên %(holder)s, không phải người nhận tiền "
                    "(đối tượng hoặc người nhận thay đã đăng ký)."
                )
                % {"account": label, "holder": reg["account__holder__full_name"]},
                receiver,
                reg["account__holder_id"],
            )
    for regs in by_account.values():
        people = {r["beneficiary__person_id"] for r in regs}
        receivers = {r["representative__person_id"] or r["beneficiary__person_id"] for r in regs}
        if len(people) < 2 or len(receivers) < 2:
            continue  # one person's enrolments, or one representative receiving for several
        names = ", ".join(sorted({r["beneficiary__person__full_name"] for r in regs}))
        label = f"{regs[0]['account__number']} ({regs[0]['account__bank__short_name']})"
        for reg in regs:
            yield _finding(
                "shared_account",
                True,
                _person_of(reg, "beneficiary__person"),
                _(
                    "Tài khoản %(account)s nhận tiền cho %(names)s mà không qua cùng một người nhận thay."
                )
                % {"account": label, "names": names},
                *people,
            )
    used = {r["account_id"] for r in registrations}
    accounts = (
        PaymentAccount.objects.filter(
            Q(pk__in=usage.filter(method="account").values("account_id"))
            | Q(holder__commune=commune, active=True)
        )
        .select_related("holder", "bank")
        .order_by("holder__sort_name", "pk")
    )
    for account in accounts.iterator(chunk_size=2000):
        if fold_name(account.holder_name) == account.holder.name_folded:
            continue
        holder = {
            "id": account.holder_id,
            "full_name": account.holder.full_name,
            "personal_id": account.holder.personal_id,
        }
        in_use = account.pk in used
        yield _finding(
            "holder_name_mismatch",
            in_use,
            holder,
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


def representative_findings(
    commune: Commune, today: datetime.date, usage: QuerySet | None = None
) -> Iterator[Finding]:
    """Authorisations, the representative's age, and dead representatives still used."""
    usage = current_usage(commune) if usage is None else usage
    in_use = set(
        usage.filter(representative__isnull=False).values_list("representative_id", flat=True)
    )
    live_people = _live(Beneficiary.objects.filter(commune=commune)).values("person_id")
    representatives = (
        Representative.objects.filter(represented__in=live_people)
        .select_related("person", "represented")
        .order_by("represented__sort_name", "pk")
    )
    soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    for rep in representatives.iterator(chunk_size=2000):
        used = rep.pk in in_use
        represented = {
            "id": rep.represented_id,
            "full_name": rep.represented.full_name,
            "personal_id": rep.represented.personal_id,
        }
        words = {
            "kind": rep.get_kind_display().lower(),
            "name": rep.person.full_name,
            "until": rep.valid_until.strftime("%d/%m/%Y") if rep.valid_until else "",
        }
        if rep.valid_until and rep.valid_until < today:
            yield _finding(
                "authorisation_expired",
                used,
                represented,
                (
                    _(
                        "Người nhận thay %(name)s (%(kind)s) hết hiệu lực từ %(until)s nhưng vẫn đang nhận tiền."
                    )
                    if used
                    else _("Người nhận thay %(name)s (%(kind)s) đã hết hiệu lực từ %(until)s.")
                )
                % words,
                rep.person_id,
            )
            continue
        if rep.valid_until and rep.valid_until <= soon:
            yield _finding(
                "authorisation_expiring",
                False,
                represented,
                _("Ủy quyền/giám hộ của %(name)s hết hiệu lực ngày %(until)s: cần gia hạn.")
                % words,
                rep.person_id,
            )
        age = _age_on(rep.person.birth_date, rep.person.birth_year, today)
        if age is None:
            under_age = today.year - rep.person.birth_year < ADULT_AGE
        else:
            under_age = age < ADULT_AGE
        if under_age:
            yield _finding(
                "representative_minor",
                used,
                represented,
                _("Người nhận thay %(name)s (sinh %(birth)s) chưa đủ 18 tuổi.")
                % {**words, "birth": rep.person.birth_display},
                rep.person_id,
            )
        elif age is None and today.year - rep.person.birth_year == ADULT_AGE:
            yield _finding(
                "year_only_age",
                False,
                represented,
                _(
                    "Người nhận thay %(name)s chỉ có năm sinh %(year)d: năm nay tròn 18 tuổi, "
                    "cần ngày sinh để biết đã đủ 18 tuổi chưa."
                )
                % {**words, "year": rep.person.birth_year},
                rep.person_id,
            )
        if used and rep.person.date_of_death:
            yield _finding(
                "dead_active",
                True,
                represented,
                _("Người nhận thay %(name)s đã chết (%(date)s) nhưng vẫn được đăng ký nhận tiền.")
                % {**words, "date": rep.person.date_of_death.strftime("%d/%m/%Y")},
                rep.person_id,
            )


def enrolment_findings(commune: Commune, today: datetime.date) -> Iterator[Finding]:
    """Dead people still paid; a year-only birth near an age bound of the category."""
    enrolments = (
        _live(Beneficiary.objects.filter(commune=commune))
        .filter(
            Q(person__date_of_death__isnull=False)
            | (
                Q(person__birth_date__isnull=True)
                & (Q(category__age_from__isnull=False) | Q(category__age_below__isnull=False))
            )
        )
        .select_related("person", "programme", "category")
        .order_by("person__sort_name", "pk")
    )
    for enrolment in enrolments.iterator(chunk_size=2000):
        person = enrolment.person
        row = {"id": person.pk, "full_name": person.full_name, "personal_id": person.personal_id}
        if person.date_of_death:
            yield _finding(
                "dead_active",
                True,
                row,
                _("Đã chết ngày %(date)s nhưng vẫn %(status)s %(programme)s: cần thôi hưởng.")
                % {
                    "date": person.date_of_death.strftime("%d/%m/%Y"),
                    "status": enrolment.get_status_display().lower(),
                    "programme": enrolment.programme.short_name,
                },
            )
            continue
        turns = today.year - person.birth_year
        if person.birth_date is None and turns in enrolment.category.age_bounds:
            yield _finding(
                "year_only_age",
                False,
                row,
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


def identity_findings(commune: Commune, today: datetime.date) -> Iterator[Finding]:
    """A CCCD whose birth-year or gender digits disagree with the record."""
    provinces = known_provinces()
    live = _live(Beneficiary.objects.filter(commune=commune))
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
            info = parse_cccd(person["personal_id"], known_provinces=provinces, today=today)
        except CccdError as error:
            yield _finding("id_disagrees", True, person, str(error))
            continue
        problems = check_cccd_against_record(
            info,
            birth_year=person["birth_year"],
            male=None if not person["gender"] else person["gender"] == Person.Gender.MALE,
        )
        if info.abroad:
            problems = problems[:-1]  # a birth abroad is unusual, not wrong
        if problems:
            yield _finding("id_disagrees", True, person, " ".join(str(p) for p in problems))


CHECKS = (
    duplicate_ids,
    possible_duplicates,
    account_findings,
    representative_findings,
    enrolment_findings,
    identity_findings,
)


USAGE_CHECKS = (account_findings, representative_findings)


def find_problems(
    commune: Commune,
    *,
    today: datetime.date,
    include_money: bool = True,
    usage: QuerySet | None = None,
) -> list[Finding]:
    """Every finding of the commune, blocking first, then by kind and name.

    ``usage`` (registrations or payments) says who is paid how; by default the
    current registrations. A list or a cycle passes what it actually pays by.
    """
    findings: list[Finding] = []
    for check in CHECKS:
        found = check(commune, today, usage) if check in USAGE_CHECKS else check(commune, today)
        findings.extend(f for f in found if include_money or not f.money)
    order = list(KINDS)
    return sorted(findings, key=lambda f: (not f.blocking, order.index(f.kind)))


def people_paid_by(usage: QuerySet) -> set[int]:
    """The people whose state matters for ``usage``: each beneficiary and representative."""
    people = set(usage.values_list("beneficiary__person_id", flat=True))
    people.update(
        usage.filter(representative__isnull=False).values_list(
            "representative__person_id", flat=True
        )
    )
    return people


def blocker_lines(blockers: list[Blocker], *, limit: int = 20) -> list[str]:
    """One line per blocker ("name (CCCD …): reasons"), at most ``limit``, then how many more."""
    lines = []
    for blocker in blockers[:limit]:
        who = blocker.person_name
        if blocker.personal_id:
            who += f" (CCCD {blocker.personal_id})"
        lines.append(f"{who}: {' '.join(blocker.reasons)}")
    if len(blockers) > limit:
        lines.append(
            _("… và %(count)d người khác: xem trang Chất lượng dữ liệu.")
            % {"count": len(blockers) - limit}
        )
    return lines


def _any_state(states: Iterable[str]) -> Q:
    condition = Q(pk__in=[])
    for state in states:
        condition |= verification_filter(state)
    return condition


def submission_blockers(
    commune: Commune, usage: QuerySet, *, today: datetime.date
) -> list[Blocker]:
    """The people who keep a list or a cycle from being sent: not verified by the
    police now, or concerned by a blocking finding. Empty: go ahead.

    ``usage``: what the list or cycle pays by — the registrations in force for its
    month (a list) or its payments' snapshots (a cycle), so that the receiver and
    the account checked are the ones in the file.
    """
    concerned = people_paid_by(usage)
    reasons: dict[int, list[str]] = defaultdict(list)
    people = Person.objects.filter(
        Q(pk__in=usage.values("beneficiary__person_id"))
        | Q(pk__in=usage.filter(representative__isnull=False).values("representative__person_id"))
    )
    unverified = (
        with_verification(people)
        # Not exclude(VERIFIED): NULL results would drop out of a negated comparison.
        .filter(_any_state(state for state in Verification if state != Verification.VERIFIED))
        .values_list("pk", "last_check_result", "last_check_fingerprint", "identity_fingerprint")
    )
    for pk, result, fingerprint, current in unverified.iterator(chunk_size=2000):
        if result is None:
            reasons[pk].append(_("Chưa được công an xã xác thực."))
        elif fingerprint != current:
            reasons[pk].append(_("Đã sửa thông tin sau lần xác thực: cần xác thực lại."))
        else:
            reasons[pk].append(
                _("Kết quả xác thực với CSDL dân cư: %(result)s.")
                % {"result": IdentityCheck.Result(result).label.lower()}
            )
    for finding in find_problems(commune, today=today, usage=usage):
        if finding.blocking:
            for pk in finding.concerns & concerned:
                reasons[pk].append(f"{finding.title}: {finding.message}")
    if not reasons:
        return []
    # Streamed rather than ``pk__in=reasons``: a big commune could pass SQLite's
    # limit on parameters.
    names = {
        pk: (name, personal_id or "")
        for pk, name, personal_id in people.values_list("pk", "full_name", "personal_id").iterator(
            chunk_size=2000
        )
        if pk in reasons
    }
    return sorted(
        (Blocker(pk, *names[pk], list(dict.fromkeys(why))) for pk, why in reasons.items()),
        key=lambda b: (fold_name(b.person_name), b.person_id),
    )


def summarise(findings: Iterable[Finding]) -> list[dict]:
    """Counts per kind for the page and the command: kind, title, blocking, count."""
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for finding in findings:
        counts[(finding.kind, finding.blocking)] += 1
    order = list(KINDS)
    return [
        {"kind": kind, "title": str(KINDS[kind].title), "blocking": blocking, "count": n}
        for (kind, blocking), n in sorted(
            counts.items(), key=lambda i: (not i[0][1], order.index(i[0][0]))
        )
    ]


def verification_summary(commune: Commune) -> list[dict]:
    """How many of the people the commune pays (beneficiaries of live enrolments
    and their representatives) are in each verification state."""
    live = _live(Beneficiary.objects.filter(commune=commune))
    people = with_verification(
        Person.objects.filter(
            Q(pk__in=live.values("person_id"))
            | Q(
                pk__in=Representative.objects.filter(represented__enrolments__in=live).values(
                    "person_id"
                )
            )
        )
    )
    counts = people.aggregate(
        **{state.value: Count("pk", filter=verification_filter(state)) for state in Verification}
    )
    return [
        {"state": state.value, "label": state.label, "count": counts[state.value]}
        for state in Verification
    ]
