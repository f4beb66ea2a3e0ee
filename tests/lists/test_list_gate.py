"""The gate: a list is not sent while someone on it is unverified or has a blocking finding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import PaymentAccount
from beneficiaries.models import Person
from beneficiaries.services import record_matches
from documents.models import Event, GeneratedFile
from documents.services import FileError
from registration import listfiles
from tests.confirming import approve_lists_of, confirm_post
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db


def _lists(commune) -> dict[tuple[str, str], GeneratedFile]:
    """The month's lists, built and approved by the leader (the gate is what is tested)."""
    built = listfiles.build_registration_lists_now(commune, PERIOD, today=TODAY)
    approve_lists_of(built[0])
    built = GeneratedFile.objects.filter(pk__in=[f.pk for f in built]).select_related("programme")
    return {(f.programme.code, f.kind): f for f in built}


def test_a_person_edited_since_the_check_blocks_the_list_they_are_on(
    registered, signed_commune, officer
):
    an = Person.objects.get(full_name="Nguyễn Văn An")
    an.full_name = "Nguyễn Văn Ân"
    an.save()
    lists = _lists(signed_commune)
    own_ncc = lists[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    with pytest.raises(listfiles.ListBlocked) as blocked:
        listfiles.mark_sent(own_ncc, actor=officer)
    assert [(b.person_name, b.reasons) for b in blocked.value.blockers] == [
        ("Nguyễn Văn Ân", ["Đã sửa thông tin sau lần xác thực: cần xác thực lại."])
    ]
    own_ncc.refresh_from_db()
    assert own_ncc.sent_at is None
    assert not Event.objects.filter(kind=Event.Kind.LIST_SENT).exists()
    # Another list, without him, is sent.
    listfiles.mark_sent(lists[("BTXH", GeneratedFile.Kind.REGISTRATION_SELF)], actor=officer)


def test_the_representative_is_checked_too(registered, signed_commune, officer, police):
    proxy = registered["binh"].registration.representative.person
    proxy.birth_year, proxy.birth_date = proxy.birth_year + 1, None
    proxy.save()
    representatives = _lists(signed_commune)[
        ("NCC", GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE)
    ]
    with pytest.raises(listfiles.ListBlocked) as blocked:
        listfiles.mark_sent(representatives, actor=officer)
    reasons = " ".join(" ".join(b.reasons) for b in blocked.value.blockers)
    assert blocked.value.blockers[0].person_id == proxy.pk
    assert "xác thực lại" in reasons
    assert "Năm sinh theo số CCCD" in reasons  # and the CCCD no longer agrees


def test_a_blocking_finding_blocks_until_it_is_fixed(registered, signed_commune, officer):
    account = registered["an"].registration.account
    PaymentAccount.objects.filter(pk=account.pk).update(holder_name="NGUYEN VAN ANH")
    own_ncc = _lists(signed_commune)[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    with pytest.raises(listfiles.ListBlocked, match="1 người"):
        listfiles.mark_sent(own_ncc, actor=officer)
    PaymentAccount.objects.filter(pk=account.pk).update(holder_name="NGUYEN VAN AN")
    assert listfiles.mark_sent(own_ncc, actor=officer).sent_at is not None


def test_someone_unverified_on_no_list_blocks_nothing(registered, signed_commune, officer):
    cuc = Person.objects.get(full_name="Trần Thị Cúc")  # paid in cash: on no list
    cuc.full_name = "Trần Thị Cúc Hoa"
    cuc.save()
    for generated in _lists(signed_commune).values():
        listfiles.mark_sent(generated, actor=officer)
    assert GeneratedFile.objects.filter(sent_at__isnull=False).count() == 3


def test_the_page_says_who_blocks_and_why(client, registered, signed_commune, officer, police):
    an = Person.objects.get(full_name="Nguyễn Văn An")
    an.full_name = "Nguyễn Văn Ân"
    an.save()
    own_ncc = _lists(signed_commune)[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    client.force_login(officer)
    response = confirm_post(
        client, reverse("generated_file_mark_sent", args=[own_ncc.pk]), follow=True
    )
    html = response.content.decode()
    assert "Chưa gửi được: 1 người" in html
    assert "Nguyễn Văn Ân (CCCD " in html and "cần xác thực lại" in html
    record_matches(Person.objects.filter(pk=an.pk), actor=police)
    confirm_post(client, reverse("generated_file_mark_sent", args=[own_ncc.pk]))
    own_ncc.refresh_from_db()
    assert own_ncc.sent_by == officer


def test_a_list_changed_since_it_was_built_must_be_built_again(registered, signed_commune, officer):
    from registration.models import PaymentMethodRegistration

    own_ncc = _lists(signed_commune)[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    # An moves to cash after the list was built: the file still holds his account.
    PaymentMethodRegistration.objects.filter(pk=registered["an"].registration.pk).update(
        method="cash", account=None
    )
    with pytest.raises(FileError, match="lập lại danh sách"):
        listfiles.mark_sent(own_ncc, actor=officer)
    rebuilt = _lists(signed_commune)[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    with pytest.raises(FileError, match="bản mới nhất"):
        listfiles.mark_sent(own_ncc, actor=officer)
    assert listfiles.mark_sent(rebuilt, actor=officer).sent_at is not None


def test_a_registration_from_a_later_month_does_not_change_this_months_list(
    registered, signed_commune
):
    import datetime

    from accounts.models import PaymentAccount
    from registration.models import PaymentMethodRegistration

    cuc = registered["cuc"]  # cash in January
    account = PaymentAccount.objects.create(
        holder=cuc.person, bank=registered["an"].registration.account.bank,
        number="9704050000123", holder_name="TRAN THI CUC",
    )  # fmt: skip
    PaymentMethodRegistration.objects.filter(beneficiary=cuc.beneficiary).update(is_current=False)
    PaymentMethodRegistration.objects.create(
        beneficiary=cuc.beneficiary, method="account", account=account,
        from_month=datetime.date(2027, 4, 1), requested_on=datetime.date(2027, 1, 3),
    )  # fmt: skip
    own_ncc = _lists(signed_commune)[("NCC", GeneratedFile.Kind.REGISTRATION_SELF)]
    assert "Trần Thị Cúc" not in {e.full_name for e in _entries(own_ncc)}


def _entries(generated):
    from registration.listchanges import read_snapshot

    with generated.snapshot.open("rb") as handle:
        return list(read_snapshot(handle))
