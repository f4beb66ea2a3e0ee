"""The synthetic data generator: deterministic, valid by the domain rules, bulk-written."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from accounts.models import PaymentAccount
from amounts.models import AllowanceRate, Entitlement
from beneficiaries.models import Beneficiary, Commune, Person, Province, Representative
from core.bulk import HistoryStamp
from core.rules.cccd import check_cccd_against_record, parse_cccd
from core.rules.names import fold_name
from demo.synthetic import (
    DEFAULT_AS_OF,
    Reference,
    SyntheticError,
    UniquePool,
    commune_random,
    generate_synthetic,
    plan_commune,
    populate_commune,
    purge_communes,
    write_plan,
)
from desk.reference import load_reference_data
from registration.models import PaymentMethodRegistration
from tests.factories import BeneficiaryFactory, CommuneFactory, RegistrationFactory

SEED = 7


@pytest.fixture(scope="module")
def _generated_once(django_db_setup, django_db_blocker):
    # Generated once for the module inside a transaction rolled back at its end;
    # each test's own transaction nests in it as a savepoint, so tests that
    # write (replace, refusals) still leave the next test the same data.
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        yield generate_synthetic(communes=2, beneficiaries=600, seed=SEED)
        transaction.set_rollback(True)


@pytest.fixture
def generated(_generated_once, db):
    """Two synthetic communes, 600 enrolments: enough for every kind of row."""
    return _generated_once


def _people(communes) -> list[tuple]:
    return list(
        Person.objects.filter(commune__in=communes)
        .order_by("pk")
        .values_list(
            "full_name", "birth_date", "birth_year", "gender", "personal_id", "phone",
            "village__name", "address", "date_of_death",
        )
    )  # fmt: skip


def _snapshot(communes) -> dict[str, list[tuple]]:
    """Every written row by natural keys, in insertion order (not by primary key value)."""
    return {
        "people": _people(communes),
        "beneficiaries": list(
            Beneficiary.objects.filter(commune__in=communes)
            .order_by("pk")
            .values_list(
                "person__personal_id", "category__code", "decision_number", "decision_date",
                "start_month", "end_month", "end_reason", "status", "note",
            )
        ),
        "representatives": list(
            Representative.objects.filter(represented__commune__in=communes)
            .order_by("pk")
            .values_list(
                "represented__personal_id", "person__personal_id", "kind", "relationship",
                "document", "valid_from", "valid_until",
            )
        ),
        "accounts": list(
            PaymentAccount.objects.filter(holder__commune__in=communes)
            .order_by("pk")
            .values_list("holder__personal_id", "bank__bin", "number", "holder_name", "opened_on", "active")
        ),
        "registrations": list(
            PaymentMethodRegistration.objects.filter(beneficiary__commune__in=communes)
            .order_by("pk")
            .values_list(
                "beneficiary__person__personal_id", "beneficiary__category__code", "from_month",
                "method", "representative__person__personal_id", "account__number",
                "requested_on", "form_reference", "is_current",
            )
        ),
        "entitlements": list(
            Entitlement.objects.filter(beneficiary__commune__in=communes)
            .order_by("pk")
            .values_list(
                "beneficiary__person__personal_id", "beneficiary__category__code", "from_month",
                "basis", "coefficient", "amount", "decision_number",
            )
        ),
    }  # fmt: skip


def _plan(seed: int, code: str = "90001"):
    commune = Commune(code=code, name="Xã Mẫu 01")
    return plan_commune(
        commune,
        size=150,
        rng=commune_random(seed, code),
        ref=Reference.load(),
        pool=UniquePool(seed),
    )


def test_the_same_seed_plans_the_same_people_and_numbers(reference_data):
    first, second = _plan(SEED), _plan(SEED)

    def key(plan):
        return (
            [(p.full_name, p.personal_id, p.birth_date, p.gender, p.phone) for p in plan.people],
            [(a.bank.bin, a.number) for a in plan.accounts],
            [(r.method, r.from_month) for r in plan.registrations],
            [e.amount for e in plan.entitlements],
        )

    assert key(first) == key(second)
    assert key(first) != key(_plan(SEED + 1))


def test_the_same_seed_writes_the_same_rows_again_after_replace(generated):
    before = _snapshot(generated.communes)

    again = generate_synthetic(communes=2, beneficiaries=600, seed=SEED, replace=True)

    assert again.purged > 0
    assert _snapshot(again.communes) == before
    assert Person.objects.count() == len(before["people"])


def test_synthetic_communes_take_codes_from_90001_and_say_they_are_samples(generated):
    communes = sorted(generated.communes, key=lambda c: c.code)

    assert [c.code for c in communes] == ["90001", "90002"]
    assert communes[0].name == "Xã Mẫu 01"
    assert communes[0].issuing_body == "ỦY BAN NHÂN DÂN XÃ MẪU 01"
    assert all(6 <= c.villages.count() <= 12 for c in communes)
    assert Beneficiary.objects.filter(commune__in=communes).count() == 600


def test_every_personal_id_is_valid_and_agrees_with_birth_year_and_gender(generated):
    provinces = frozenset(Province.objects.values_list("code", flat=True))
    people = Person.objects.filter(commune__in=generated.communes)
    home = 0

    for person in people:
        info = parse_cccd(person.personal_id, known_provinces=provinces, today=timezone.localdate())
        male = person.gender == Person.Gender.MALE
        assert check_cccd_against_record(info, birth_year=person.birth_year, male=male) == []
        home += info.province_code == "038"

    assert home / people.count() > 0.85


def test_people_have_derived_fields_and_some_elderly_only_a_birth_year(generated):
    people = list(Person.objects.filter(commune__in=generated.communes).select_related("village"))

    for person in people:
        assert person.name_folded == fold_name(person.full_name)
        assert person.sort_name.split(" ")[0] == person.name_folded.split(" ")[-1]
        if person.birth_date:
            assert person.birth_year == person.birth_date.year
        assert person.village.commune_id == person.commune_id
    for enrolment in Beneficiary.objects.filter(commune__in=generated.communes).select_related(
        "person"
    ):
        born = enrolment.person.birth_date or datetime.date(enrolment.person.birth_year, 1, 1)
        assert enrolment.start_month > born
        if enrolment.person.date_of_death:
            assert enrolment.person.date_of_death < enrolment.end_month
    year_only = [p for p in people if p.birth_date is None]
    assert year_only
    assert all(DEFAULT_AS_OF.year - p.birth_year >= 70 for p in year_only)


def test_representatives_are_never_the_beneficiary_and_say_how_they_are_related(generated):
    reps = Representative.objects.filter(represented__commune__in=generated.communes)
    enrolled = Person.objects.filter(
        commune__in=generated.communes, enrolments__isnull=False
    ).distinct()

    assert 0.08 <= reps.count() / enrolled.count() <= 0.25
    for rep in reps.select_related("person", "represented"):
        assert rep.person_id != rep.represented_id
        assert rep.relationship
        assert rep.kind in Representative.Kind.values
        assert DEFAULT_AS_OF.year - rep.person.birth_year >= 18
    children = reps.filter(represented__birth_year__gt=DEFAULT_AS_OF.year - 16)
    assert all(r.kind == Representative.Kind.GUARDIAN for r in children)


def test_each_enrolment_has_exactly_one_current_registration(generated):
    enrolments = Beneficiary.objects.filter(commune__in=generated.communes)
    current = Counter(
        PaymentMethodRegistration.objects.filter(
            beneficiary__in=enrolments, is_current=True
        ).values_list("beneficiary_id", flat=True)
    )

    assert set(current) == set(enrolments.values_list("pk", flat=True))
    assert set(current.values()) == {1}
    assert PaymentMethodRegistration.objects.filter(beneficiary__in=enrolments, is_current=False)


def test_account_registrations_and_only_they_carry_the_receivers_account(generated):
    registrations = PaymentMethodRegistration.objects.filter(
        beneficiary__commune__in=generated.communes
    ).select_related(
        "account__holder", "account__bank", "representative__person", "beneficiary__person"
    )

    for registration in registrations:
        assert registration.from_month.day == 1
        is_account = registration.method == PaymentMethodRegistration.Method.ACCOUNT
        assert (registration.account is not None) == is_account
        if registration.method == PaymentMethodRegistration.Method.HOME:
            assert registration.representative is None
        if is_account:
            account = registration.account
            assert account.holder == registration.receiver
            assert account.holder_name == account.holder.name_folded
            if account.bank.kind == "e-wallet":
                assert account.number == account.holder.phone
                assert len(account.number) == 10


def test_payment_methods_banks_programmes_and_statuses_have_a_realistic_mix(generated):
    enrolments = Beneficiary.objects.filter(commune__in=generated.communes)
    methods = Counter(
        PaymentMethodRegistration.objects.filter(
            beneficiary__in=enrolments, is_current=True
        ).values_list("method", flat=True)
    )
    banks = Counter(
        PaymentAccount.objects.filter(holder__commune__in=generated.communes).values_list(
            "bank__short_name", flat=True
        )
    )
    statuses = Counter(enrolments.values_list("status", flat=True))
    people_programmes = Counter(enrolments.values_list("person_id", flat=True))

    assert 0.45 <= methods["account"] / 600 <= 0.65
    assert 0.30 <= methods["cash"] / 600 <= 0.50
    assert 0.01 <= methods["home"] / 600 <= 0.12
    assert banks.most_common(1)[0][0] == "Agribank"
    assert banks["ViettelMoney"] + banks["VNPTMoney"] > 0
    assert 0.30 <= enrolments.filter(programme__code="NCC").count() / 600 <= 0.50
    assert statuses["ended"] > 0 and statuses["suspended"] > 0
    assert 2 in people_programmes.values()  # some people are on NCC and BTXH
    for ended in enrolments.filter(status="ended"):
        assert ended.end_month > ended.start_month and ended.end_reason


def _rate_on(rates: list[AllowanceRate], month: datetime.date) -> AllowanceRate:
    return [r for r in rates if r.applies_from <= month][-1]


def test_btxh_amounts_are_the_base_level_times_the_coefficient_exactly(generated):
    rates = list(
        AllowanceRate.objects.filter(programme__code="BTXH", verified=True).order_by("applies_from")
    )
    rows = Entitlement.objects.filter(
        beneficiary__commune__in=generated.communes, beneficiary__programme__code="BTXH"
    ).select_related("beneficiary__category")

    assert rows
    for row in rows:
        coefficient = row.beneficiary.category.coefficient
        assert row.basis == Entitlement.Basis.COEFFICIENT
        assert row.coefficient == coefficient
        assert isinstance(row.amount, int)
        assert row.amount == _rate_on(rates, row.from_month).amount * coefficient


def test_ncc_amounts_are_fixed_whole_thousands_from_the_decision(generated):
    rows = Entitlement.objects.filter(
        beneficiary__commune__in=generated.communes, beneficiary__programme__code="NCC"
    )

    assert rows
    assert all(r.basis == "fixed" and r.coefficient is None for r in rows)
    assert all(r.amount % 1000 == 0 for r in rows)
    assert {2_055_000, 2_789_000} <= set(rows.values_list("amount", flat=True))


def test_entitlements_follow_every_verified_base_level_change_since_the_start(generated):
    enrolments = Beneficiary.objects.filter(commune__in=generated.communes).prefetch_related(
        "entitlements"
    )
    verified = {
        code: sorted(
            AllowanceRate.objects.filter(programme__code=code, verified=True).values_list(
                "applies_from", flat=True
            )
        )
        for code in ("NCC", "BTXH")
    }

    for enrolment in enrolments.select_related("programme"):
        changes = [d for d in verified[enrolment.programme.code] if d <= DEFAULT_AS_OF]
        expected = [enrolment.start_month] if changes[0] <= enrolment.start_month else []
        expected += [d for d in changes if d > enrolment.start_month]
        if enrolment.end_month:
            expected = [d for d in expected if d < enrolment.end_month]
        assert sorted(e.from_month for e in enrolment.entitlements.all()) == expected


def test_every_generated_row_has_a_history_row_stamped_with_the_seed(generated):
    models = (
        Person,
        Beneficiary,
        Representative,
        PaymentAccount,
        PaymentMethodRegistration,
        Entitlement,
    )

    for model in models:
        history = get_history_model_for_model(model)
        live = model.objects.count()
        assert history.objects.filter(history_type="+").count() == live
        reasons = set(history.objects.values_list("history_change_reason", flat=True))
        assert reasons == {f"Dữ liệu tổng hợp (seed {SEED})"}


def test_communes_that_hold_data_are_refused_without_replace(generated):
    people = Person.objects.count()

    with pytest.raises(SyntheticError, match="--replace"):
        generate_synthetic(communes=3, beneficiaries=30, seed=SEED)
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("generate_synthetic", communes=1, beneficiaries=10, seed=1)

    assert Person.objects.count() == people


def test_replace_stops_with_a_message_when_other_rows_point_at_synthetic_data(generated):
    account = PaymentAccount.objects.filter(holder__commune__in=generated.communes).first()
    outside = BeneficiaryFactory(person__commune=CommuneFactory(code="15307"))
    RegistrationFactory(beneficiary=outside, method="account", account=account)
    people = Person.objects.count()

    with pytest.raises(SyntheticError, match="tham chiếu"):
        generate_synthetic(communes=2, beneficiaries=600, seed=SEED, replace=True)

    assert Person.objects.count() == people


def test_numbers_already_in_the_database_are_redrawn_and_nothing_else_moves(reference_data):
    planned = _plan(SEED, code="90501")
    taken = planned.people[3].personal_id
    BeneficiaryFactory(person__personal_id=taken, person__commune=CommuneFactory(code="15307"))
    commune = Commune.objects.create(code="90501", name="Xã Mẫu 501")
    stamp = HistoryStamp(user=None, date=timezone.now(), reason="thử")

    populate_commune(
        commune, size=150, seed=SEED, ref=Reference.load(), pool=UniquePool(SEED), stamp=stamp
    )

    written = list(Person.objects.filter(commune=commune).order_by("pk"))
    assert [p.full_name for p in written] == [p.full_name for p in planned.people]
    assert written[3].personal_id != taken
    assert written[3].personal_id[:6] == taken[:6]  # still the same province, century, year


def test_the_command_replaces_and_reports_what_it_wrote(generated, capsys):
    call_command("generate_synthetic", communes=2, beneficiaries=40, seed=3, replace=True)

    out = capsys.readouterr().out
    assert "Đã xóa" in out
    assert "Đã sinh 2 xã mẫu (90001–90002)" in out
    assert "40 lượt hưởng" in out
    assert Beneficiary.objects.count() == 40


@pytest.mark.postgres
def test_copy_and_orm_paths_write_the_same_rows(reference_data):
    commune = Commune.objects.create(code="90502", name="Xã Mẫu 502")
    stamp = HistoryStamp(user=None, date=timezone.now(), reason="thử")
    snapshots, histories = [], []
    for use_copy in (True, False):
        plan = plan_commune(
            commune, size=200, rng=random.Random(SEED), ref=Reference.load(), pool=UniquePool(SEED)
        )  # a fresh pool each time: the first run's numbers are purged before the second
        write_plan(plan, stamp=stamp, use_copy=use_copy)
        snapshots.append(_snapshot([commune]))
        history = get_history_model_for_model(Person).objects.filter(commune_id=commune.pk)
        history = history.order_by("history_id")
        histories.append(
            list(
                history.values_list(
                    "personal_id",
                    "full_name",
                    "village_id",
                    "history_type",
                    "history_change_reason",
                    "history_date",
                )
            )
        )
        purge_communes([commune])

    assert snapshots[0] == snapshots[1]
    assert [h[:2] + h[3:] for h in histories[0]] == [h[:2] + h[3:] for h in histories[1]]
    assert all(h[2] is not None for h in histories[0])
