"""Data-quality findings, their severity, the page, the command and the gate."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import PaymentAccount
from beneficiaries.models import Beneficiary, Category, IdentityCheck, Person
from beneficiaries.services import record_matches
from registration.models import PaymentMethodRegistration
from registration.quality.checks import CHECKS, find_problems
from registration.quality.findings import KINDS, Finding
from registration.quality.gate import submission_blockers
from registration.quality.scope import Scope, current_usage
from tests.factories import (
    BeneficiaryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
    _cccd,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
ACCOUNT = PaymentMethodRegistration.Method.ACCOUNT


def _kinds(commune, **kwargs) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for finding in find_problems(commune, today=TODAY, **kwargs):
        found.setdefault(finding.kind, []).append(finding)
    return found


def _paid_into(beneficiary, account, representative=None):
    return RegistrationFactory(
        beneficiary=beneficiary, method=ACCOUNT, account=account, representative=representative
    )


def test_clean_records_have_no_findings(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    _paid_into(enrolment, PaymentAccountFactory(holder=enrolment.person))
    assert find_problems(commune, today=TODAY) == []


def test_an_old_id_number_on_two_people_blocks_both(reference_data, commune, other_commune):
    mine = PersonFactory(commune=commune, legacy_id_number="172345678")
    theirs = PersonFactory(commune=other_commune, legacy_id_number="172345678")
    findings = _kinds(commune)["duplicate_id"]
    assert [(f.person_id, f.blocking) for f in findings] == [(mine.pk, True)]
    # The other holder lives in another commune: the message does not name them.
    assert theirs.full_name not in findings[0].message
    assert "172345678" in findings[0].message


def test_same_folded_name_and_birth_year_is_a_possible_duplicate(reference_data, commune):
    first = PersonFactory(commune=commune, full_name="Nguyễn Thị Hoà", birth_year=1950)
    second = PersonFactory(
        commune=commune, full_name="NGUYỄN THỊ HÒA", birth_year=1950, personal_id=None
    )
    PersonFactory(commune=commune, full_name="Nguyễn Thị Hòa", birth_year=1951, birth_date=None)
    findings = _kinds(commune)["possible_duplicate"]
    assert {f.person_id for f in findings} == {first.pk, second.pk}
    assert all(not f.blocking for f in findings)
    assert second.pk in next(f for f in findings if f.person_id == first.pk).person_ids


def test_two_verified_people_with_their_own_ids_are_not_duplicates(reference_data, commune, police):
    first = PersonFactory(commune=commune, full_name="Lê Văn Tám")
    second = PersonFactory(commune=commune, full_name="Lê Văn Tám")
    record_matches(Person.objects.filter(pk__in=[first.pk, second.pk]), actor=police)
    assert "possible_duplicate" not in _kinds(commune)


def test_an_account_paying_two_people_without_a_shared_representative_blocks(
    reference_data, commune
):
    husband = BeneficiaryFactory(person=PersonFactory(commune=commune))
    wife = BeneficiaryFactory(person=PersonFactory(commune=commune, gender=Person.Gender.FEMALE))
    account = PaymentAccountFactory(holder=husband.person)
    _paid_into(husband, account)
    _paid_into(wife, account)  # the wife is paid into her husband's account directly
    kinds = _kinds(commune)
    assert {f.person_id for f in kinds["shared_account"]} == {husband.person_id, wife.person_id}
    assert all(f.blocking for f in kinds["shared_account"])
    assert [f.person_id for f in kinds["account_not_receivers"]] == [wife.person_id]


def test_one_representative_receiving_for_two_people_into_their_account_is_fine(
    reference_data, commune
):
    son = PersonFactory(commune=commune, full_name="Trần Văn Con")
    account = PaymentAccountFactory(holder=son)
    for _ in range(2):
        enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
        proxy = RepresentativeFactory(represented=enrolment.person, person=son)
        _paid_into(enrolment, account, proxy)
    assert find_problems(commune, today=TODAY) == []


def test_holder_name_differing_from_the_person_blocks_only_when_the_account_is_used(
    reference_data, commune
):
    used = BeneficiaryFactory(person=PersonFactory(commune=commune, full_name="Phạm Văn An"))
    _paid_into(used, PaymentAccountFactory(holder=used.person, holder_name="PHAM VAN ANH"))
    idle = PersonFactory(commune=commune, full_name="Phạm Thị Bình")
    PaymentAccountFactory(holder=idle, holder_name="PHAM THI BINH ")  # folds equal: fine
    PaymentAccountFactory(holder=idle, holder_name="PHAM BINH")
    findings = _kinds(commune)["holder_name_mismatch"]
    assert sorted((f.person_id, f.blocking) for f in findings) == sorted(
        [(used.person_id, True), (idle.pk, False)]
    )
    assert "PHAM VAN ANH" in next(f for f in findings if f.blocking).message


def test_a_closed_account_still_registered_blocks(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    _paid_into(enrolment, PaymentAccountFactory(holder=enrolment.person, active=False))
    findings = _kinds(commune)["cashless_without_account"]
    assert [(f.person_id, f.blocking) for f in findings] == [(enrolment.person_id, True)]


def test_authorisations_expired_and_expiring(reference_data, commune):
    expired_used = BeneficiaryFactory(person=PersonFactory(commune=commune))
    proxy = RepresentativeFactory(
        represented=expired_used.person, valid_until=TODAY - datetime.timedelta(days=1)
    )
    _paid_into(expired_used, PaymentAccountFactory(holder=proxy.person), proxy)
    expired_idle = BeneficiaryFactory(person=PersonFactory(commune=commune))
    RepresentativeFactory(represented=expired_idle.person, valid_until=datetime.date(2025, 1, 1))
    expiring = BeneficiaryFactory(person=PersonFactory(commune=commune))
    RepresentativeFactory(
        represented=expiring.person, valid_until=TODAY + datetime.timedelta(days=30)
    )
    later = BeneficiaryFactory(person=PersonFactory(commune=commune))
    RepresentativeFactory(represented=later.person, valid_until=TODAY + datetime.timedelta(days=31))
    kinds = _kinds(commune)
    assert sorted((f.person_id, f.blocking) for f in kinds["authorisation_expired"]) == sorted(
        [(expired_used.person_id, True), (expired_idle.person_id, False)]
    )
    assert [(f.person_id, f.blocking) for f in kinds["authorisation_expiring"]] == [
        (expiring.person_id, False)
    ]
    assert "15/07/2026" in kinds["authorisation_expiring"][0].message


def test_a_representative_under_18_blocks_when_used(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    grandchild = PersonFactory(
        commune=commune,
        birth_date=datetime.date(2008, 6, 16),  # 18 tomorrow
        birth_year=2008,
        personal_id=_cccd(900001, 2008),
    )
    proxy = RepresentativeFactory(represented=enrolment.person, person=grandchild)
    _paid_into(enrolment, PaymentAccountFactory(holder=grandchild), proxy)
    findings = _kinds(commune)["representative_minor"]
    assert [(f.person_id, f.blocking) for f in findings] == [(enrolment.person_id, True)]
    assert grandchild.pk in findings[0].person_ids


def test_a_representative_known_by_year_only_turning_18_is_a_warning(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    young = PersonFactory(
        commune=commune, birth_date=None, birth_year=2008, personal_id=_cccd(900002, 2008)
    )
    RepresentativeFactory(represented=enrolment.person, person=young)
    kinds = _kinds(commune)
    assert "representative_minor" not in kinds
    assert [f.person_id for f in kinds["year_only_age"]] == [enrolment.person_id]


def test_a_dead_person_still_active_blocks(reference_data, commune):
    dead = BeneficiaryFactory(
        person=PersonFactory(commune=commune, date_of_death=datetime.date(2026, 4, 2))
    )
    BeneficiaryFactory(
        person=PersonFactory(commune=commune, date_of_death=datetime.date(2026, 4, 2)),
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2026, 5, 1),
        end_reason=Beneficiary.EndReason.DEATH,
    )
    findings = _kinds(commune)["dead_active"]
    assert [(f.person_id, f.blocking) for f in findings] == [(dead.person_id, True)]
    assert "02/04/2026" in findings[0].message


def test_a_dead_representative_still_receiving_blocks(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    proxy = RepresentativeFactory(represented=enrolment.person)
    Person.objects.filter(pk=proxy.person_id).update(date_of_death=datetime.date(2026, 5, 1))
    _paid_into(enrolment, PaymentAccountFactory(holder=proxy.person), proxy)
    findings = _kinds(commune)["dead_active"]
    assert [(f.person_id, f.blocking) for f in findings] == [(enrolment.person_id, True)]
    assert proxy.person_id in findings[0].person_ids


def test_an_id_disagreeing_with_birth_year_or_gender_blocks(reference_data, commune):
    wrong_year = BeneficiaryFactory(
        person=PersonFactory(commune=commune, personal_id=_cccd(700001, 1952))
    )
    wrong_gender = BeneficiaryFactory(
        person=PersonFactory(commune=commune, personal_id=_cccd(700002, 1950, male=False))
    )
    findings = _kinds(commune)["id_disagrees"]
    assert sorted((f.person_id, f.blocking) for f in findings) == sorted(
        [(wrong_year.person_id, True), (wrong_gender.person_id, True)]
    )
    messages = " ".join(f.message for f in findings)
    assert "1952" in messages and "Nữ" in messages


def test_year_only_birth_at_an_age_bound_of_the_category_is_a_warning(reference_data, commune):
    elderly = Category.objects.get(code="BTXH_K5A_60_80")
    turning_80 = BeneficiaryFactory(
        person=PersonFactory(
            commune=commune, birth_date=None, birth_year=1946, personal_id=_cccd(800001, 1946)
        ),
        category=elderly,
    )
    BeneficiaryFactory(  # 75 this year: no bound of this category
        person=PersonFactory(
            commune=commune, birth_date=None, birth_year=1951, personal_id=_cccd(800002, 1951)
        ),
        category=elderly,
    )
    BeneficiaryFactory(  # a full birth date decides the month: no warning
        person=PersonFactory(
            commune=commune,
            birth_date=datetime.date(1946, 2, 1),
            birth_year=1946,
            personal_id=_cccd(800003, 1946),
        ),
        category=elderly,
    )
    findings = _kinds(commune)["year_only_age"]
    assert [(f.person_id, f.blocking) for f in findings] == [(turning_80.person_id, False)]
    assert "80" in findings[0].message


def test_money_findings_are_left_out_for_roles_without_money(reference_data, commune):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    _paid_into(enrolment, PaymentAccountFactory(holder=enrolment.person, holder_name="SAI TEN"))
    assert "holder_name_mismatch" in _kinds(commune)
    assert _kinds(commune, include_money=False) == {}


def test_every_kind_of_finding_has_one_check_and_every_check_one_kind():
    assert list(CHECKS) == list(KINDS)


def test_a_check_yields_only_its_own_kind(reference_data, commune):
    dead = BeneficiaryFactory(
        person=PersonFactory(commune=commune, date_of_death=datetime.date(2026, 1, 9))
    )
    _paid_into(dead, PaymentAccountFactory(holder=dead.person, holder_name="SAI TEN"))
    scope = Scope(commune, TODAY)
    for kind, check in CHECKS.items():
        assert {f.kind for f in check(scope)} <= {kind}
    assert [f.person_id for f in CHECKS["dead_active"](scope)] == [dead.person_id]


def test_an_expired_authorisation_is_the_only_finding_about_its_representative(
    reference_data, commune
):
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    proxy = RepresentativeFactory(
        represented=enrolment.person,
        valid_until=datetime.date(2026, 1, 31),
        person=PersonFactory(
            commune=commune,
            birth_date=datetime.date(2012, 5, 1),
            date_of_death=datetime.date(2026, 2, 1),
        ),
    )
    _paid_into(enrolment, PaymentAccountFactory(holder=proxy.person), proxy)
    found = _kinds(commune)
    assert [(f.person_id, f.blocking) for f in found["authorisation_expired"]] == [
        (enrolment.person_id, True)
    ]
    assert "representative_minor" not in found
    assert "dead_active" not in found


# --- the gate ---------------------------------------------------------------


def test_the_gate_names_unverified_people_and_blocking_findings(reference_data, commune, police):
    ready = BeneficiaryFactory(person=PersonFactory(commune=commune))
    never = BeneficiaryFactory(person=PersonFactory(commune=commune))
    edited = BeneficiaryFactory(person=PersonFactory(commune=commune))
    dead = BeneficiaryFactory(
        person=PersonFactory(commune=commune, date_of_death=datetime.date(2026, 5, 3))
    )
    record_matches(
        Person.objects.filter(pk__in=[ready.person_id, edited.person_id, dead.person_id]),
        actor=police,
    )
    Person.objects.filter(pk=edited.person_id).update(identity_fingerprint="sửa sau kiểm tra")
    for enrolment in (ready, never, edited, dead):
        RegistrationFactory(beneficiary=enrolment)  # cash, to themselves
    blockers = submission_blockers(commune, current_usage(commune), today=TODAY)
    by_person = {b.person_id: " ".join(b.reasons) for b in blockers}
    assert set(by_person) == {never.person_id, edited.person_id, dead.person_id}
    assert "Chưa được công an xã xác thực" in by_person[never.person_id]
    assert "xác thực lại" in by_person[edited.person_id]
    assert "Người đã chết" in by_person[dead.person_id]


def test_the_gate_covers_the_registered_representative_and_not_warnings(
    reference_data, commune, police
):
    enrolment = BeneficiaryFactory(
        person=PersonFactory(
            commune=commune, birth_date=None, birth_year=1946, personal_id=_cccd(800004, 1946)
        ),
        category=Category.objects.get(code="BTXH_K5A_60_80"),
    )
    proxy = RepresentativeFactory(represented=enrolment.person)
    _paid_into(enrolment, PaymentAccountFactory(holder=proxy.person), proxy)
    record_matches(Person.objects.filter(pk=enrolment.person_id), actor=police)
    blockers = submission_blockers(commune, current_usage(commune), today=TODAY)
    # The representative is unverified; the year-only warning does not block.
    assert [b.person_id for b in blockers] == [proxy.person_id]
    record_matches(Person.objects.filter(pk=proxy.person_id), actor=police)
    assert submission_blockers(commune, current_usage(commune), today=TODAY) == []


def test_a_mismatch_result_blocks_with_its_result(reference_data, commune, police):
    from beneficiaries.services import record_check

    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
    record_check(
        enrolment.person,
        result=IdentityCheck.Result.NOT_FOUND,
        actor=police,
    )
    RegistrationFactory(beneficiary=enrolment)
    blockers = submission_blockers(commune, current_usage(commune), today=TODAY)
    assert "không tìm thấy" in blockers[0].reasons[0]


# --- the command ------------------------------------------------------------


def test_the_command_exits_non_zero_on_a_blocking_finding(reference_data, commune, capsys):
    BeneficiaryFactory(
        person=PersonFactory(
            commune=commune, full_name="Đỗ Văn Mất", date_of_death=datetime.date(2026, 1, 9)
        )
    )
    with pytest.raises(CommandError, match="1 phát hiện chặn") as error:
        call_command("data_quality", "--commune", "15307")
    assert error.value.returncode == 2
    out = capsys.readouterr().out
    assert "[CHẶN] Người đã chết vẫn đang hưởng/nhận thay — Đỗ Văn Mất" in out
    assert "1 phát hiện chặn, 0 cảnh báo" in out


def test_the_command_passes_with_warnings_only(reference_data, commune, capsys):
    PersonFactory(commune=commune, full_name="Vũ Thị Na", personal_id=None)
    PersonFactory(commune=commune, full_name="Vũ Thị Na", personal_id=None)
    call_command("data_quality", "--commune", "15307")
    out = capsys.readouterr().out
    assert "0 phát hiện chặn, 2 cảnh báo" in out
    assert "[CẢNH BÁO] Hai hồ sơ có thể là một người" in out


def test_the_command_refuses_an_unknown_commune(reference_data):
    with pytest.raises(CommandError, match="Không có xã mã 99999"):
        call_command("data_quality", "--commune", "99999")


# --- the page ---------------------------------------------------------------


@pytest.fixture
def problems(reference_data, commune, other_commune):
    dead = BeneficiaryFactory(
        person=PersonFactory(
            commune=commune, full_name="Đỗ Văn Mất", date_of_death=datetime.date(2026, 1, 9)
        )
    )
    named = BeneficiaryFactory(person=PersonFactory(commune=commune, full_name="Hà Văn Tên"))
    _paid_into(named, PaymentAccountFactory(holder=named.person, holder_name="HA VAN TIEN"))
    BeneficiaryFactory(
        person=PersonFactory(
            commune=other_commune,
            full_name="Người Xã Khác",
            date_of_death=datetime.date(2026, 1, 9),
        )
    )
    return dead


def test_the_page_lists_findings_with_links_and_severity(client, officer, problems):
    client.force_login(officer)
    response = client.get(reverse("data_quality"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("person_detail", args=[problems.person_id]) in html
    assert "Đỗ Văn Mất" in html and "HA VAN TIEN" in html
    assert "Người Xã Khác" not in html
    assert response.context["blocking"] == 2
    assert "Chặn" in html


def test_the_page_filters_by_kind_and_severity(client, officer, problems, commune):
    client.force_login(officer)
    response = client.get(
        reverse("data_quality"), {"xa": commune.pk, "loai": "dead_active", "muc": "chan"}
    )
    assert [f.kind for f in response.context["page"]] == ["dead_active"]
    response = client.get(reverse("data_quality"), {"muc": "canh-bao"})
    assert list(response.context["page"]) == []


def test_police_see_identity_findings_but_no_account_findings(client, police, problems):
    client.force_login(police)
    response = client.get(reverse("data_quality"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đỗ Văn Mất" in html
    assert "HA VAN TIEN" not in html


def test_another_communes_page_is_not_found(client, officer, other_commune, problems):
    client.force_login(officer)
    assert client.get(reverse("data_quality"), {"xa": other_commune.pk}).status_code == 404


def test_the_post_office_may_not_open_the_page(client, post_office, problems):
    client.force_login(post_office)
    assert client.get(reverse("data_quality")).status_code == 403


def test_the_page_query_count_does_not_grow_with_findings(
    client, officer, commune, reference_data, django_assert_max_num_queries
):
    for n in range(30):
        enrolment = BeneficiaryFactory(
            person=PersonFactory(commune=commune, date_of_death=datetime.date(2026, 1, 9))
        )
        _paid_into(
            enrolment, PaymentAccountFactory(holder=enrolment.person, holder_name=f"SAI {n}")
        )
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("data_quality"))
    assert response.context["blocking"] == 60
    assert PaymentAccount.objects.count() == 30


def test_the_demo_shows_findings_and_people_waiting_for_the_police(db):
    from demo.seed import seed_demo
    from registration.quality.figures import verification_summary

    # The demo's first month: a quick seed with this month's planted findings.
    result = seed_demo(as_of=datetime.date(2025, 4, 20))
    kinds = {f.kind for f in find_problems(result.commune, today=TODAY)}
    assert {"dead_active", "holder_name_mismatch", "possible_duplicate"} <= kinds
    counts = {row["state"]: row["count"] for row in verification_summary(result.commune)}
    assert counts["verified"] > 0 and counts["never"] > 0
