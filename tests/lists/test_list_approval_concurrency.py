"""PostgreSQL, two leaders approving the same month's lists at once: approved once."""

from __future__ import annotations

import pytest

from documents.models import Event, GeneratedFile
from documents.services import FileError
from registration import listfiles
from tests.cycles.test_cycle_concurrency import _at_once
from tests.factories import UserFactory
from tests.lists.data import PERIOD, TODAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_leaders_approving_the_same_lists_at_once_approve_them_once(
    registered, signed_commune, officer
):
    lists = listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )
    leaders = [
        UserFactory(username=f"chutich{n}", role="leader", communes=[signed_commune])
        for n in (1, 2)
    ]
    shown = {f.pk for f in lists}

    results, errors = _at_once(
        *(
            lambda leader=leader: listfiles.approve_lists(
                signed_commune, PERIOD, actor=leader, expected=shown
            )
            for leader in leaders
        )
    )

    assert len(results) == 1 and [type(e) for e in errors] == [FileError]
    assert Event.objects.filter(kind=Event.Kind.LIST_APPROVED).count() == len(lists)
    approvers = set(
        GeneratedFile.objects.filter(pk__in=shown).values_list("approved_by", flat=True)
    )
    assert len(approvers) == 1
