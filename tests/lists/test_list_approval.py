"""The leader approves the month's registration lists before the officer marks them
sent, and may withdraw the approval until they are sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from documents.models import Event, GeneratedFile
from documents.services import FileError
from registration import listfiles
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db

REASON = "Danh sách NCC thiếu người mới đăng ký"


@pytest.fixture
def built(registered, signed_commune, officer) -> list[GeneratedFile]:
    return listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )


def _fresh(files) -> list[GeneratedFile]:
    return list(GeneratedFile.objects.filter(pk__in=[f.pk for f in files]).order_by("pk"))


def test_sending_before_the_approval_is_refused(built, officer):
    with pytest.raises(FileError, match="chưa được lãnh đạo phê duyệt"):
        listfiles.mark_sent(built[0], actor=officer)
    assert not Event.objects.filter(kind=Event.Kind.LIST_SENT).exists()
    assert GeneratedFile.objects.get(pk=built[0].pk).sent_at is None


def test_the_leader_approves_every_list_of_the_month_then_the_officer_sends(
    built, signed_commune, leader, officer
):
    assert len(listfiles.awaiting_approval(signed_commune, PERIOD)) == 3
    approved = listfiles.approve_lists(
        signed_commune, PERIOD, actor=leader, expected={f.pk for f in built}
    )
    assert {f.pk for f in approved} == {f.pk for f in built}
    assert all(f.approved_by == leader and f.approved_at is not None for f in _fresh(built))
    events = Event.objects.filter(kind=Event.Kind.LIST_APPROVED)
    assert sorted(events.values_list("generated_file_id", flat=True)) == sorted(f.pk for f in built)
    assert {e.actor for e in events} == {leader}
    assert listfiles.awaiting_approval(signed_commune, PERIOD) == []
    sent = listfiles.mark_sent(built[0], actor=officer)
    assert sent.sent_by == officer


@pytest.mark.parametrize("who", ["officer", "accountant", "district", "police"])
def test_only_the_leader_approves(built, signed_commune, request, who):
    with pytest.raises(PermissionDenied):
        listfiles.approve_lists(signed_commune, PERIOD, actor=request.getfixturevalue(who))
    assert all(f.approved_at is None for f in _fresh(built))


def test_the_system_never_approves(built, signed_commune):
    with pytest.raises(FileError, match="Chỉ lãnh đạo phê duyệt được danh sách"):
        listfiles.approve_lists(signed_commune, PERIOD, actor=None)
    assert all(f.approved_at is None for f in _fresh(built))


def test_whoever_asked_for_the_lists_does_not_approve_them(registered, signed_commune, leader):
    # A leader who also holds the officer's role asked for the lists himself.
    lists = listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=leader, today=TODAY
    )
    with pytest.raises(FileError, match="Người lập danh sách không tự phê duyệt được"):
        listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    assert all(f.approved_at is None for f in _fresh(lists))


def test_a_second_approval_finds_nothing_awaiting(built, signed_commune, leader):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    with pytest.raises(FileError, match="Không có danh sách nào của tháng 01/2027 chờ phê duyệt"):
        listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    assert Event.objects.filter(kind=Event.Kind.LIST_APPROVED).count() == 3


def test_lists_built_again_after_the_page_was_opened_are_not_approved_unseen(
    built, signed_commune, leader, officer
):
    shown = {f.pk for f in listfiles.awaiting_approval(signed_commune, PERIOD)}
    listfiles.build_registration_lists_now(signed_commune, PERIOD, actor=officer, today=TODAY)
    with pytest.raises(FileError, match="đã thay đổi từ khi mở trang xác nhận"):
        listfiles.approve_lists(signed_commune, PERIOD, actor=leader, expected=shown)
    assert not GeneratedFile.objects.filter(approved_at__isnull=False).exists()


def test_a_list_built_again_after_the_approval_needs_a_new_one(
    built, signed_commune, leader, officer
):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    again = listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )
    with pytest.raises(FileError, match="chưa được lãnh đạo phê duyệt"):
        listfiles.mark_sent(again[0], actor=officer)
    assert {f.pk for f in listfiles.awaiting_approval(signed_commune, PERIOD)} == {
        f.pk for f in again
    }


def test_the_leader_withdraws_the_approval_with_a_reason(built, signed_commune, leader, officer):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    withdrawn = listfiles.withdraw_list_approval(
        signed_commune, PERIOD, actor=leader, reason=REASON
    )
    assert len(withdrawn) == 3
    assert all(f.approved_at is None and f.approved_by is None for f in _fresh(built))
    events = Event.objects.filter(kind=Event.Kind.LIST_APPROVAL_WITHDRAWN)
    assert events.count() == 3
    assert {(e.actor, e.data["reason"], e.data["approved_by"]) for e in events} == {
        (leader, REASON, leader.pk)
    }
    with pytest.raises(FileError, match="chưa được lãnh đạo phê duyệt"):
        listfiles.mark_sent(built[0], actor=officer)
    # … and approves them again.
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    assert listfiles.mark_sent(built[0], actor=officer).sent_at is not None


@pytest.mark.parametrize("reason", ["", "  "])
def test_withdrawing_needs_a_reason(built, signed_commune, leader, reason):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    with pytest.raises(FileError, match="Hãy ghi lý do"):
        listfiles.withdraw_list_approval(signed_commune, PERIOD, actor=leader, reason=reason)
    assert all(f.approved_at is not None for f in _fresh(built))


def test_only_the_leader_withdraws(built, signed_commune, leader, officer):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    with pytest.raises(PermissionDenied):
        listfiles.withdraw_list_approval(signed_commune, PERIOD, actor=officer, reason=REASON)
    assert all(f.approved_at is not None for f in _fresh(built))


def test_a_sent_list_keeps_its_approval(built, signed_commune, leader, officer):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    for generated in built:
        listfiles.mark_sent(generated, actor=officer)
    with pytest.raises(FileError, match="đã phê duyệt mà chưa gửi"):
        listfiles.withdraw_list_approval(signed_commune, PERIOD, actor=leader, reason=REASON)
    assert all(f.approved_by == leader for f in _fresh(built))


def test_withdrawing_leaves_the_lists_already_sent_as_they_are(
    built, signed_commune, leader, officer
):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    listfiles.mark_sent(built[0], actor=officer)
    withdrawn = listfiles.withdraw_list_approval(
        signed_commune, PERIOD, actor=leader, reason=REASON
    )
    assert {f.pk for f in withdrawn} == {f.pk for f in built[1:]}
    first = GeneratedFile.objects.get(pk=built[0].pk)
    assert (first.approved_by, first.sent_by) == (leader, officer)
