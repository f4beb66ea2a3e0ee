"""``desk.merger``: what a merger moves, renames and discards, and each refusal."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import PaymentAccount
from beneficiaries.models import (
    Beneficiary,
    Commune,
    EnrolmentCommunePeriod,
    Person,
    Village,
    commune_at,
)
from desk.merger import MergeError, merge_communes, preview_merger
from documents.models import Event, GeneratedFile
from payments.models import Payment, PaymentCycle
from payments.services.cycles import open_cycle
from registration.models import OutreachActivity
from tests.factories import (
    AccountOpeningRequestFactory,
    OutreachActivityFactory,
    PaymentAccountFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
    VillageFactory,
)
from tests.merger.conftest import JUNE, ON, close, cycle_in, enrol

pytestmark = pytest.mark.django_db


def merge(*codes, on=ON, **kwargs):
    return merge_communes(
        into_code="15271", name="Hà Trung", from_codes=list(codes), on=on, **kwargs
    )


def refusal(*codes, on=ON, into="15271") -> str:
    with pytest.raises(MergeError) as caught:
        merge_communes(into_code=into, name="Hà Trung", from_codes=list(codes), on=on)
    return str(caught.value)


def test_merger_moves_the_registry_and_keeps_the_month_history(commune, ha_dong, officer):
    yen_son = enrol(commune, full_name="Lê Văn Yên")
    ha_dong_one = enrol(ha_dong, VillageFactory(commune=ha_dong, name="Thôn Tây"))
    representative = RepresentativeFactory(represented=yen_son.person)
    account = PaymentAccountFactory(holder=yen_son.person)
    RegistrationFactory(beneficiary=yen_son, method="account", account=account)
    AccountOpeningRequestFactory(person=ha_dong_one.person)
    OutreachActivityFactory(commune=commune)
    report = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.MONTHLY_REPORT, commune=commune, period=JUNE
    )

    preview = preview_merger(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    )
    assert preview.ok and not preview.into_exists
    counts = {old.code: old for old in preview.old}
    assert counts["15307"].people == 2  # the beneficiary and the representative
    assert counts["15307"].enrolments == 1
    assert counts["15307"].representatives == 1
    assert counts["15307"].accounts == 1
    assert counts["15307"].registrations == 1
    assert counts["15307"].outreach == 1
    assert counts["15307"].users == 1
    assert counts["15280"].account_requests == 1

    result = merge("15307", "15280")

    new = result.commune
    assert result.created and (new.code, new.name) == ("15271", "Hà Trung")
    assert new.issuing_body == "ỦY BAN NHÂN DÂN XÃ HÀ TRUNG"
    assert new.place_name == "Hà Trung" and new.province_name == "Thanh Hóa"
    commune.refresh_from_db()
    ha_dong.refresh_from_db()
    assert (commune.merged_into, commune.merged_on) == (new, ON)
    assert (ha_dong.merged_into, ha_dong.merged_on) == (new, ON)
    assert not Person.objects.filter(commune__in=[commune, ha_dong]).exists()
    assert Person.objects.filter(commune=new).count() == 3
    assert set(Beneficiary.objects.values_list("commune", flat=True)) == {new.pk}
    assert set(Village.objects.values_list("commune", flat=True)) == {new.pk}
    assert OutreachActivity.objects.get().commune == new
    # Accounts and representatives follow their people; files stay with the old commune.
    assert PaymentAccount.objects.get().holder.commune == new
    representative.refresh_from_db()
    assert representative.person.commune == new
    report.refresh_from_db()
    assert report.commune == commune
    # The history: one period row per moved enrolment; commune_at answers per month.
    assert EnrolmentCommunePeriod.objects.count() == 2
    yen_son.refresh_from_db()
    assert commune_at(yen_son, JUNE) == commune
    assert commune_at(yen_son, ON) == new
    assert commune_at(yen_son, datetime.date(2023, 1, 1)) == commune
    # Members of the old commune are members of the new one, and keep the old one.
    assert officer in new.members.all() and officer in commune.members.all()
    # History rows name the merger.
    assert yen_son.history.first().history_change_reason.startswith("Sáp nhập")
    assert yen_son.person.history.first().commune_id == new.pk
    assert Event.objects.filter(kind="communes_merged").count() == 3


def test_preview_writes_nothing(commune):
    enrol(commune)
    preview_merger(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON)
    assert not Commune.objects.filter(code="15271").exists()
    assert not EnrolmentCommunePeriod.objects.exists()


def test_an_existing_commune_absorbs_with_its_own_people(commune, other_commune):
    own = enrol(other_commune, full_name="Người Hà Trung")
    moved = enrol(commune)
    result = merge("15307", fields={"leader_name": "Nguyễn Văn Chủ"})
    assert not result.created and result.commune == other_commune
    other_commune.refresh_from_db()
    assert other_commune.leader_name == "Nguyễn Văn Chủ"
    assert other_commune.name == "Hà Trung"
    # The absorbing commune's own enrolment has no period: it was always its own.
    assert not own.commune_periods.exists()
    commune.refresh_from_db()
    assert list(Beneficiary.objects.of_commune_in(other_commune, JUNE)) == [own]
    assert set(Beneficiary.objects.of_commune_in(other_commune, ON)) == {own, moved}
    assert list(Beneficiary.objects.of_commune_in(commune, JUNE)) == [moved]
    assert not Beneficiary.objects.of_commune_in(commune, ON).exists()


def test_village_names_that_clash_get_their_old_commune_in_brackets(
    commune, ha_dong, other_commune
):
    enrol(commune, VillageFactory(commune=commune, name="Thôn Đông"))
    enrol(ha_dong, VillageFactory(commune=ha_dong, name="Thôn Đông"))
    VillageFactory(commune=commune, name="Thôn Bắc")
    VillageFactory(commune=other_commune, name="Thôn Bắc")
    VillageFactory(commune=ha_dong, name="Thôn Nam")

    preview = preview_merger(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    )
    assert {(r.commune_code, r.old_name, r.new_name) for r in preview.renames} == {
        ("15307", "Thôn Đông", "Thôn Đông (Yến Sơn)"),
        ("15280", "Thôn Đông", "Thôn Đông (Hà Đông)"),
        ("15307", "Thôn Bắc", "Thôn Bắc (Yến Sơn)"),
    }
    merge("15307", "15280")
    names = set(Village.objects.filter(commune=other_commune).values_list("name", flat=True))
    assert names == {
        "Thôn Đông (Yến Sơn)",
        "Thôn Đông (Hà Đông)",
        "Thôn Bắc (Yến Sơn)",
        "Thôn Bắc",
        "Thôn Nam",
    }
    renamed = Village.objects.get(name="Thôn Đông (Yến Sơn)")
    assert "Thôn Đông" in set(renamed.history.values_list("name", flat=True))


def test_draft_cycles_from_the_merger_month_are_discarded(commune, officer):
    enrol(commune)
    kept = cycle_in(commune, datetime.date(2025, 5, 1))
    close(open_cycle(commune, JUNE, actor=None).cycle)
    draft = open_cycle(commune, ON, actor=None).cycle
    assert draft.payment_count == 1
    preview = preview_merger(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON)
    assert [(d.commune_code, d.period) for d in preview.discarded] == [("15307", ON)]
    merge("15307")
    assert not PaymentCycle.objects.filter(pk=draft.pk).exists()
    assert not Payment.objects.filter(cycle_id=draft.pk).exists()
    assert PaymentCycle.objects.filter(pk=kept.pk).exists()
    assert PaymentCycle.objects.filter(commune=commune, period=JUNE).exists()


def test_a_commune_merged_already_is_refused(commune, ha_dong):
    merge("15307")
    message = refusal("15307", into="15299")
    assert "Xã Yến Sơn đã sáp nhập vào Xã Hà Trung từ 01/07/2025" in message
    assert "không sáp nhập lần nữa" in message


def test_merging_into_a_merged_commune_is_refused(commune, ha_dong):
    merge("15307")
    assert "không nhận thêm xã nào" in refusal("15280", into="15307")


def test_a_commune_into_itself_is_refused(commune):
    assert "Không sáp nhập một xã vào chính nó (mã 15307)" in refusal("15307", into="15307")


def test_unknown_codes_are_refused(commune):
    assert "Không có xã nào mã 99999" in refusal("15307", "99999")
    assert not Commune.objects.filter(code="15271").exists()


def test_a_bad_new_code_and_no_old_commune_are_refused(db):
    with pytest.raises(MergeError) as caught:
        merge_communes(into_code="1527", name="", from_codes=[], on=ON)
    assert caught.value.refusals == [
        "Mã xã mới phải gồm đúng 5 chữ số (nhận: “1527”).",
        "Chưa nhập tên xã mới.",
        "Chưa chọn xã cũ nào để sáp nhập.",
    ]


def test_a_date_not_the_first_of_a_month_is_refused(commune):
    assert "phải là ngày đầu tháng (nhận: 15/07/2025)" in refusal(
        "15307", on=datetime.date(2025, 7, 15)
    )


@pytest.mark.parametrize("status", ["approved", "submitted", "paid"])
def test_an_open_cycle_is_refused_naming_it(commune, status):
    cycle_in(commune, JUNE, status=status)
    message = refusal("15307")
    assert "Xã Yến Sơn còn kỳ chi trả tháng 06/2025" in message
    assert str(PaymentCycle.Status(status).label) in message
    assert not Commune.objects.filter(code="15271").exists()


@pytest.mark.parametrize("month", [ON, datetime.date(2025, 8, 1)])
def test_a_merger_in_or_before_the_month_of_the_latest_cycle_is_refused(commune, month):
    cycle_in(commune, month, status="closed")
    message = refusal("15307")
    assert f"Xã Yến Sơn đã có kỳ chi trả tháng {month:%m/%Y} (Đã khóa sổ)" in message


def test_only_a_superuser_merges(commune, officer):
    with pytest.raises(PermissionDenied):
        merge("15307", actor=officer)
    admin = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    result = merge("15307", actor=admin)
    assert result.commune.history.first().history_user == admin


def test_a_refused_merger_changes_nothing(commune, ha_dong):
    enrol(commune)
    cycle_in(ha_dong, JUNE, status="submitted")
    with pytest.raises(MergeError):
        merge("15307", "15280")
    commune.refresh_from_db()
    assert commune.merged_into is None
    assert not EnrolmentCommunePeriod.objects.exists()
    assert Person.objects.get().commune == commune


def test_a_second_merger_keeps_the_first_months(commune):
    enrolment = enrol(commune)
    merge("15307")
    later = datetime.date(2026, 1, 1)
    merge_communes(into_code="15400", name="Hà Trung Mới", from_codes=["15271"], on=later)
    enrolment.refresh_from_db()
    assert commune_at(enrolment, JUNE).code == "15307"
    assert commune_at(enrolment, ON).code == "15271"
    assert commune_at(enrolment, later).code == "15400"
    hatrung = Commune.objects.get(code="15271")
    assert list(Beneficiary.objects.of_commune_in(hatrung, datetime.date(2025, 9, 1))) == [
        enrolment
    ]
    assert not Beneficiary.objects.of_commune_in(hatrung, later).exists()
    assert not Beneficiary.objects.of_commune_in(hatrung, JUNE).exists()


def test_people_of_a_renamed_village_stay_verified_after_an_edit(commune, ha_dong, police, officer):
    from beneficiaries.models import IdentityCheck
    from beneficiaries.models.checks import Verification, verification_of
    from beneficiaries.services import record_matches, save_person

    enrolment = enrol(commune, VillageFactory(commune=commune, name="Thôn Đông"))
    enrol(ha_dong, VillageFactory(commune=ha_dong, name="Thôn Đông"))
    record_matches(Person.objects.filter(pk=enrolment.person_id), actor=police)
    merge("15307", "15280")
    person = Person.objects.get(pk=enrolment.person_id)
    assert person.village.name == "Thôn Đông (Yến Sơn)"
    assert person.village.former_name == "Thôn Đông"
    person.phone = "0912345678"
    save_person(person, actor=UserFactory(username="quantri", is_superuser=True))
    person.refresh_from_db()
    latest = IdentityCheck.objects.filter(person=person).latest("checked_at")
    assert verification_of(person, latest) == Verification.VERIFIED
    # A real move to another village is still an edit the police must check again.
    person.village = VillageFactory(commune=person.commune, name="Thôn Tây")
    save_person(person, actor=UserFactory(username="quantri", is_superuser=True))
    assert verification_of(person, latest) == Verification.STALE
