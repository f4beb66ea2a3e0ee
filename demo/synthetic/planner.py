"""Planning a commune: unsaved model instances, linked to each other, drawn in a
fixed order from the commune's own ``random.Random``; nothing touches the database."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils.translation import gettext as _

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Commune, Person, Representative, Village
from core.rules.months import first_of_month, month_index, month_of_index
from demo.synthetic.amounts import entitlement_rows
from demo.synthetic.base import (
    COLLECTION_START,
    DEFAULT_AS_OF,
    EARLIEST_START,
    HOME_PROVINCE,
    add_years,
    check_as_of,
)
from demo.synthetic.names import VILLAGE_NAMES, draw_name
from demo.synthetic.population import (
    ACCOUNT_SHAPES,
    ACCOUNT_SHARE,
    ADULT_AGE,
    BTXH_BY_CODE,
    BTXH_CUM,
    BTXH_SPECS,
    DEFAULT_ACCOUNT_SHAPE,
    EARLIER_CASH_SHARE,
    ELDER_AGE,
    ENDED_SHARE,
    GUARDIAN_SHARE,
    HOME_SHARE,
    NCC_CUM,
    NCC_SHARE,
    NCC_SPECS,
    NETWORK_CUM,
    NETWORK_OF_PREFIX,
    NETWORKS,
    RELATIONS_ADULT,
    RELATIONS_CHILD,
    RELATIONS_ELDER,
    REPRESENTED_SHARE,
    REPRESENTED_SHARE_ELDER,
    SUSPENDED_SHARE,
    TWO_PROGRAMME_NCC,
    TWO_PROGRAMME_SHARE,
    WALLET_SHARE_REPRESENTATIVE,
    WALLET_SHARE_SELF,
    CategorySpec,
)
from demo.synthetic.reference import Reference, UniquePool
from registration.models import PaymentMethodRegistration


@dataclass
class CommunePlan:
    """Unsaved, linked instances for one commune, in the order they are written."""

    villages: list[Village] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    representatives: list[Representative] = field(default_factory=list)
    accounts: list[PaymentAccount] = field(default_factory=list)
    registrations: list[PaymentMethodRegistration] = field(default_factory=list)
    entitlements: list[Entitlement] = field(default_factory=list)


class _Planner:
    """Draws one commune. Every random value comes from ``self.rng``, in order."""

    def __init__(
        self,
        commune: Commune,
        villages: Sequence[Village],
        *,
        rng: random.Random,
        ref: Reference,
        pool: UniquePool,
        as_of: datetime.date,
    ) -> None:
        self.commune = commune
        self.villages = list(villages)
        self.village_cum = list(accumulate(rng.uniform(0.6, 1.4) for _v in self.villages))
        self.rng = rng
        self.ref = ref
        self.pool = pool
        self.as_of = as_of
        self.as_of_month = first_of_month(as_of)
        self.plan = CommunePlan(villages=[v for v in self.villages if v.pk is None])
        self.form_seq = 0
        self.accounts_by_person: dict[int, PaymentAccount] = {}  # id(person) -> account

    # People ---------------------------------------------------------------------

    def birth(self, age: int, *, year_only_share: float) -> tuple[datetime.date | None, int]:
        rng = self.rng
        year = self.as_of.year - age
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if day >= self.as_of:  # a baby born "later this year"
            day = self.as_of - datetime.timedelta(days=1 + rng.randrange(20))
        if rng.random() < year_only_share:
            return None, day.year
        return day, day.year

    def personal_id(self, birth_year: int, male: bool) -> str:
        rng = self.rng
        province = HOME_PROVINCE if rng.random() < 0.92 else rng.choice(self.ref.provinces)
        century = (birth_year - 1900) // 100 * 2 + (0 if male else 1)
        return self.pool.personal_id(rng, f"{province}{century}{birth_year % 100:02d}")

    def phone(self, network: str | None = None) -> str:
        rng = self.rng
        if network is None:
            network = rng.choices(NETWORKS, cum_weights=NETWORK_CUM)[0]
        return self.pool.phone(rng, network)

    def village(self) -> Village:
        return self.rng.choices(self.villages, cum_weights=self.village_cum)[0]

    def person(
        self,
        *,
        full_name: str,
        male: bool,
        birth_date: datetime.date | None,
        birth_year: int,
        village: Village,
        phone_share: float,
    ) -> Person:
        rng = self.rng
        person = Person(
            full_name=full_name,
            birth_date=birth_date,
            birth_year=birth_year,
            gender=Person.Gender.MALE if male else Person.Gender.FEMALE,
            personal_id=self.personal_id(birth_year, male),
            phone=self.phone() if rng.random() < phone_share else "",
            commune=self.commune,
            village=village,
            address=f"Xóm {rng.randint(1, 9)}, {village.name}",
        )
        person.normalize_fields()
        self.plan.people.append(person)
        return person

    # Enrolments -----------------------------------------------------------------

    def start_month(self, programme: str, person: Person, min_age: int) -> datetime.date:
        """A month after the person became eligible (reached ``min_age``), up to ``as_of``."""
        # Only the year known: count from its last day, never before the birth.
        born = person.birth_date or datetime.date(person.birth_year, 12, 31)
        earliest = max(EARLIEST_START[programme], add_years(born, min_age))
        low = min(month_index(earliest) + 1, month_index(self.as_of_month))
        return month_of_index(self.rng.randint(low, month_index(self.as_of_month)))

    def decision(self, programme: str, start: datetime.date) -> tuple[str, datetime.date]:
        # NCC decisions came from the provincial labour department, BTXH ones
        # from the district chairman (before the 2025 reforms).
        issuer = "QĐ-SLĐTBXH" if programme == "NCC" else "QĐ-UBND"
        number = f"{self.rng.randint(12, 2900)}/{issuer}"
        return number, start - datetime.timedelta(days=self.rng.randint(5, 60))

    def enrol(self, person: Person, spec: CategorySpec, min_age: int) -> Beneficiary:
        category = self.ref.categories[spec.code]
        programme_code = category.programme.code
        start = self.start_month(programme_code, person, min_age)
        number, decided = self.decision(programme_code, start)
        beneficiary = Beneficiary(
            person=person,
            commune=self.commune,
            programme=category.programme,
            category=category,
            decision_number=number,
            decision_date=decided,
            start_month=start,
        )
        self.plan.beneficiaries.append(beneficiary)
        return beneficiary

    def representative(
        self, person: Person, guardian: bool, since: datetime.date
    ) -> Representative:
        """A relative who receives for ``person``, authorised before ``since``."""
        rng = self.rng
        age = self.as_of.year - person.birth_year
        if age < ADULT_AGE:
            choices, guardian = RELATIONS_CHILD, True
        elif age < ELDER_AGE:
            choices = RELATIONS_ADULT
        else:
            choices = RELATIONS_ELDER
        male = person.gender == Person.Gender.MALE
        # A wife represents a man, a husband a woman.
        fitting = [r for r in choices if r[0] not in ("Vợ", "Chồng") or (r[0] == "Vợ") == male]
        relationship, gender, (low, high), same_family = rng.choice(fitting)
        year = person.birth_year + rng.randint(low, high)
        year = max(1930, min(year, self.as_of.year - ADULT_AGE - rng.randint(0, 10)))
        family = person.full_name.split(" ")[0] if same_family else None
        birth_date, birth_year = self.birth(self.as_of.year - year, year_only_share=0.0)
        full_name = draw_name(self.rng, gender == "M", birth_year, family)
        while full_name == person.full_name:  # a son named after his father reads as a typo
            full_name = draw_name(self.rng, gender == "M", birth_year, family)
        rep_person = self.person(
            full_name=full_name,
            male=gender == "M",
            birth_date=birth_date,
            birth_year=birth_year,
            village=person.village if rng.random() < 0.9 else self.village(),
            phone_share=0.9,
        )
        self.form_seq += 1
        kind = Representative.Kind.GUARDIAN if guardian else Representative.Kind.PROXY
        valid_from = max(since, COLLECTION_START) - datetime.timedelta(days=rng.randint(5, 120))
        document = (
            f"Trích lục đăng ký giám hộ số {self.form_seq}/{valid_from.year}"
            if guardian
            else f"Giấy ủy quyền số {self.form_seq}/{valid_from.year}"
        )
        rep = Representative(
            represented=person,
            person=rep_person,
            kind=kind,
            relationship=relationship,
            document=document,
            valid_from=valid_from,
        )
        self.plan.representatives.append(rep)
        return rep

    # Accounts and registrations -------------------------------------------------

    def account(self, holder: Person, wallet_share: float, opened: datetime.date) -> PaymentAccount:
        existing = self.accounts_by_person.get(id(holder))
        if existing is not None:
            return existing
        rng = self.rng
        number = ""
        bank: Bank | None = None
        if rng.random() < wallet_share and self.ref.wallets:
            if not holder.phone:
                holder.phone = self.phone(rng.choice(sorted(self.ref.wallets)))
            bank = self.ref.wallets.get(NETWORK_OF_PREFIX[holder.phone[:3]])
            if bank is not None and (bank.pk, holder.phone) not in self.pool.accounts:
                # An e-wallet's identifier is its holder's phone number.
                number = holder.phone
                self.pool.accounts.add((bank.pk, number))
        if not number:
            bank = rng.choices(self.ref.banks, cum_weights=self.ref.bank_cum)[0]
            prefix, length = rng.choice(ACCOUNT_SHAPES.get(bank.short_name, DEFAULT_ACCOUNT_SHAPE))
            number = self.pool.account(rng, bank, prefix, length)
        account = PaymentAccount(
            holder=holder,
            bank=bank,
            number=number,
            holder_name=holder.name_folded,
            opened_on=opened,
        )
        self.accounts_by_person[id(holder)] = account
        self.plan.accounts.append(account)
        return account

    def registration(
        self,
        beneficiary: Beneficiary,
        *,
        from_month: datetime.date,
        method: str,
        representative: Representative | None,
        account: PaymentAccount | None,
        current: bool,
    ) -> PaymentMethodRegistration:
        self.form_seq += 1
        registration = PaymentMethodRegistration(
            beneficiary=beneficiary,
            from_month=from_month,
            method=method,
            representative=representative,
            account=account,
            requested_on=from_month - datetime.timedelta(days=self.rng.randint(3, 28)),
            form_reference=f"{self.form_seq}/PĐK",
            is_current=current,
        )
        self.plan.registrations.append(registration)
        return registration

    def register(
        self, beneficiary: Beneficiary, method: str, rep: Representative | None
    ) -> datetime.date:
        """The current registration (and an earlier cash one); returns its month."""
        rng = self.rng
        start = beneficiary.start_month
        collected = max(start, COLLECTION_START)
        if method != PaymentMethodRegistration.Method.ACCOUNT:
            self.registration(
                beneficiary,
                from_month=collected,
                method=method,
                representative=rep if method == PaymentMethodRegistration.Method.CASH else None,
                account=None,
                current=True,
            )
            return collected
        low = month_index(max(collected, COLLECTION_START.replace(month=9)))
        high = month_index(self.as_of_month)
        month = month_of_index(rng.randint(min(low, high), high))
        if month > collected and rng.random() < EARLIER_CASH_SHARE:
            self.registration(
                beneficiary,
                from_month=collected,
                method=PaymentMethodRegistration.Method.CASH,
                representative=rep,
                account=None,
                current=False,
            )
        else:
            month = collected
        receiver = rep.person if rep else beneficiary.person
        opened = month - datetime.timedelta(days=rng.randint(5, 40))
        account = self.account(
            receiver, WALLET_SHARE_REPRESENTATIVE if rep else WALLET_SHARE_SELF, opened
        )
        self.registration(
            beneficiary,
            from_month=month,
            method=method,
            representative=rep,
            account=account,
            current=True,
        )
        return month

    # Amounts ----------------------------------------------------------------------

    def beneficiary_person(self, spec: CategorySpec, *, also_btxh: bool = False) -> int:
        """A person enrolled in ``spec`` (and in BTXH too when ``also_btxh``).

        Returns the number of enrolments made.
        """
        rng = self.rng
        low, high = rng.choice(spec.ages)
        age = rng.randint(low, high)
        male = rng.random() < spec.male_share
        ncc = spec.code.startswith("NCC")
        year_only = (0.25 if ncc else 0.12) if age >= 70 else 0.0
        birth_date, birth_year = self.birth(age, year_only_share=year_only)
        if age < ADULT_AGE:
            phone_share = 0.0
        else:
            phone_share = 0.4 if age >= 70 else 0.85
        person = self.person(
            full_name=draw_name(self.rng, male, birth_year),
            male=male,
            birth_date=birth_date,
            birth_year=birth_year,
            village=self.village(),
            phone_share=phone_share,
        )
        enrolments = [(self.enrol(person, spec, low), spec)]
        if also_btxh:
            # An elderly relative or a disabled veteran on social assistance too.
            if age >= 80:
                companion, min_age = BTXH_BY_CODE["BTXH_K5C"], 80
            elif age >= ELDER_AGE:
                companion, min_age = BTXH_BY_CODE["BTXH_K6_N_TE_NCT"], ELDER_AGE
            else:
                companion, min_age = BTXH_BY_CODE["BTXH_K6_N"], ADULT_AGE
            enrolments.append((self.enrol(person, companion, min_age), companion))

        guardian = any(s.guardian for _b, s in enrolments)
        share = REPRESENTED_SHARE_ELDER if age >= 80 else REPRESENTED_SHARE
        needs = age < ADULT_AGE or (guardian and rng.random() < GUARDIAN_SHARE)
        rep = None
        if needs or rng.random() < share:
            since = min(b.start_month for b, _s in enrolments)
            rep = self.representative(person, guardian, since)

        draw = rng.random()
        home_share = HOME_SHARE * (3 if age >= 85 or guardian else 1)
        if draw < home_share and rep is None:
            method = PaymentMethodRegistration.Method.HOME
        elif draw < home_share + ACCOUNT_SHARE:
            method = PaymentMethodRegistration.Method.ACCOUNT
        else:
            method = PaymentMethodRegistration.Method.CASH

        for beneficiary, enrolled in enrolments:
            registered = self.register(beneficiary, method, rep)
            if not also_btxh:  # ending one of two enrolments would need two stories
                self.maybe_end(beneficiary, registered)
            permille = rng.choice(enrolled.permille) if enrolled.permille else 0
            self.plan.entitlements.extend(
                entitlement_rows(
                    beneficiary,
                    permille,
                    rates=self.ref.rates[beneficiary.programme.code],
                    as_of_month=self.as_of_month,
                    rng=rng,
                )
            )
        return len(enrolments)

    def maybe_end(self, beneficiary: Beneficiary, registered: datetime.date) -> None:
        """End or suspend a few enrolments, after their last registration."""
        rng = self.rng
        draw = rng.random()
        if draw >= ENDED_SHARE + SUSPENDED_SHARE:
            return
        if draw >= ENDED_SHARE:
            beneficiary.status = Beneficiary.Status.SUSPENDED
            beneficiary.note = _("Tạm dừng: không nhận trợ cấp 3 tháng liên tiếp")
            return
        low, high = month_index(registered) + 1, month_index(self.as_of_month)
        if low > high:
            return
        end = month_of_index(rng.randint(low, high))
        reason = rng.choices(
            (
                Beneficiary.EndReason.DEATH,
                Beneficiary.EndReason.MOVED,
                Beneficiary.EndReason.INELIGIBLE,
            ),
            weights=(6, 2, 2),
        )[0]
        beneficiary.status = Beneficiary.Status.ENDED
        beneficiary.end_month = end
        beneficiary.end_reason = reason
        if reason == Beneficiary.EndReason.DEATH:
            # The allowance stops from the month after death.
            died = end - datetime.timedelta(days=rng.randint(1, 28))
            person = beneficiary.person
            if person.birth_date is None or died >= person.birth_date:
                person.date_of_death = died

    def run(self, size: int) -> CommunePlan:
        remaining = size
        rng = self.rng
        while remaining > 0:
            if remaining >= 2 and rng.random() < TWO_PROGRAMME_SHARE:
                spec = rng.choice(TWO_PROGRAMME_NCC)
                remaining -= self.beneficiary_person(spec, also_btxh=True)
            elif rng.random() < NCC_SHARE:
                remaining -= self.beneficiary_person(rng.choices(NCC_SPECS, cum_weights=NCC_CUM)[0])
            else:
                remaining -= self.beneficiary_person(
                    rng.choices(BTXH_SPECS, cum_weights=BTXH_CUM)[0]
                )
        return self.plan


def plan_commune(
    commune: Commune,
    *,
    size: int,
    rng: random.Random,
    ref: Reference,
    pool: UniquePool,
    as_of: datetime.date = DEFAULT_AS_OF,
    village_names: Sequence[str] | None = None,
) -> CommunePlan:
    """Draw a commune's villages and ``size`` enrolments, without touching the database.

    Existing villages of the commune are reused; otherwise ``village_names`` (or
    six to twelve plausible names) are created.
    """
    check_as_of(as_of)
    villages: list[Village] = list(commune.villages.all()) if commune.pk else []
    if not villages:
        names = list(village_names or rng.sample(VILLAGE_NAMES, rng.randint(6, 12)))
        villages = [Village(commune=commune, name=name) for name in names]
    planner = _Planner(commune, villages, rng=rng, ref=ref, pool=pool, as_of=as_of)
    return planner.run(size)
