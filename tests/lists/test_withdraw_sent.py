"""A list marked sent by mistake: whoever marked it takes the mark back the same
local day; later, or somebody else, is refused with the reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from documents.models import Event, GeneratedFile
from documents.services import FileError
from registration import listfiles
from reports import reportfiles
from tests.confirming import approve_lists_of
from tests.conftest import local_moment
from tests.factories import UserFactory
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db

MARKED_ON = datetime.date(2027, 1, 4)
NEXT = datetime.date(2027, 2, 1)


@pytest.fixture
def sent(registered, signed_commune, officer, clock) -> GeneratedFile:
    """NCC's own-account list, approved, marked sent at 23:10 on 04/01/2027 (local)."""
    clock.move_to(local_moment(MARKED_ON, 8))
    generated = listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )[0]
    approve_lists_of(generated)
    clock.move_to(local_moment(MARKED_ON, 23).replace(minute=10))
    return listfiles.mark_sent(generated, actor=officer)


def test_whoever_marked_it_withdraws_the_same_local_day(sent, officer, clock):
    # 23:50 in Hà Nội is 16:50 UTC: the same local day, whatever the UTC date says.
    clock.move_to(local_moment(MARKED_ON, 23).replace(minute=50))
    withdrawn = listfiles.withdraw_sent(sent, actor=officer)
    assert (withdrawn.sent_at, withdrawn.sent_by) == (None, None)
    fresh = GeneratedFile.objects.get(pk=sent.pk)
    assert (fresh.sent_at, fresh.sent_by) == (None, None)
    assert fresh.approved_at is not None  # still approved: it may be sent again
    event = Event.objects.get(kind=Event.Kind.LIST_SENT_WITHDRAWN)
    assert (event.actor, event.generated_file_id) == (officer, sent.pk)
    assert event.data["sent_at"] == sent.sent_at.isoformat()
    # The mark can be recorded again, once.
    assert listfiles.mark_sent(fresh, actor=officer).sent_by == officer
    assert Event.objects.filter(kind=Event.Kind.LIST_SENT, generated_file=sent).count() == 2


def test_the_next_local_day_it_is_refused(sent, officer, clock):
    # 00:05 on the 5th in Hà Nội (17:05 UTC on the 4th): another local day.
    clock.move_to(local_moment(MARKED_ON + datetime.timedelta(days=1), 0).replace(minute=5))
    with pytest.raises(FileError, match=r"trong ngày đã ghi nhận \(04/01/2027\)"):
        listfiles.withdraw_sent(sent, actor=officer)
    assert GeneratedFile.objects.get(pk=sent.pk).sent_by == officer
    assert not Event.objects.filter(kind=Event.Kind.LIST_SENT_WITHDRAWN).exists()


def test_another_officer_is_refused_with_who_marked_it(sent, signed_commune, officer, clock):
    officer.last_name, officer.first_name = "Nguyễn Thị", "Lập"
    officer.save()
    colleague = UserFactory(username="canbo2", role="labour_officer", communes=[signed_commune])
    clock.move_to(local_moment(MARKED_ON, 23).replace(minute=30))
    with pytest.raises(FileError, match=r"Chỉ người đã ghi nhận gửi \(Nguyễn Thị Lập\)"):
        listfiles.withdraw_sent(sent, actor=colleague)
    assert GeneratedFile.objects.get(pk=sent.pk).sent_at is not None


@pytest.mark.parametrize("who", ["leader", "accountant", "district"])
def test_a_role_that_does_not_send_cannot_withdraw(sent, request, who):
    with pytest.raises(PermissionDenied):
        listfiles.withdraw_sent(sent, actor=request.getfixturevalue(who))


def test_a_list_not_sent_has_no_mark_to_withdraw(sent, officer, clock):
    clock.move_to(local_moment(MARKED_ON, 23).replace(minute=20))
    listfiles.withdraw_sent(sent, actor=officer)
    with pytest.raises(FileError, match="chưa được ghi nhận là đã gửi"):
        listfiles.withdraw_sent(sent, actor=officer)
    assert Event.objects.filter(kind=Event.Kind.LIST_SENT_WITHDRAWN).count() == 1


def test_a_later_list_compared_with_it_keeps_the_mark(sent, signed_commune, officer, clock):
    clock.move_to(local_moment(MARKED_ON, 23).replace(minute=30))
    february = listfiles.build_registration_lists_now(
        signed_commune, NEXT, actor=officer, today=NEXT
    )
    assert any(f.parameters.get("compared_with") == sent.pk for f in february)
    with pytest.raises(FileError, match="so sánh với lần gửi này"):
        listfiles.withdraw_sent(sent, actor=officer)


def test_the_monthly_report_is_withdrawn_through_its_own_kind_check(sent, officer):
    with pytest.raises(FileError, match="Chỉ báo cáo tháng"):
        reportfiles.withdraw_sent(sent, actor=officer)
