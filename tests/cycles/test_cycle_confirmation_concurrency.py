"""PostgreSQL, two sessions at once: a double click on a cycle's confirmation page,
two withdrawals of one cycle's approval. One takes effect; the other is told so
and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.confirm import VERSION_FIELD
from payments.models import PaymentCycle
from payments.services.cycles import (
    CycleError,
    approve_cycle,
    open_cycle,
    withdraw_cycle_approval,
)
from tests.confirming import shown_version
from tests.cycles.conftest import SEP, enrol
from tests.cycles.test_cycle_concurrency import _at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_DUE = SEP.replace(day=3)


@pytest.fixture
def draft(commune, officer, verify_all):
    enrol(commune, full_name="Phan Văn Một")
    enrol(commune, full_name="Phan Văn Hai", amount=1_624_000)
    verify_all()
    return open_cycle(commune, SEP, actor=officer).cycle


def test_a_double_click_on_the_approval_page_approves_once(draft, leader):
    url = reverse("cycle_action", args=[draft.pk, "phe-duyet"])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(leader)
    version = shown_version(clients[0], url)
    rows = draft.history.count()

    def click(client):
        response = client.post(url, {VERSION_FIELD: version})
        return " ".join(str(m) for m in get_messages(response.wsgi_request))

    said, errors = _at_once(lambda: click(clients[0]), lambda: click(clients[1]))

    assert errors == []
    assert sorted("Trang xác nhận đã cũ" in s for s in said) == [False, True]
    assert any("Đã phê duyệt kỳ chi trả." in s for s in said)
    assert draft.history.count() == rows + 1
    assert PaymentCycle.objects.get(pk=draft.pk).status == "approved"


def test_two_withdrawals_at_once_take_the_approval_back_once(draft, leader):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    rows = draft.history.count()

    results, errors = _at_once(
        lambda: withdraw_cycle_approval(draft, actor=leader, reason="Lý do thứ nhất"),
        lambda: withdraw_cycle_approval(draft, actor=leader, reason="Lý do thứ hai"),
    )

    assert len(results) == 1 and [type(e) for e in errors] == [CycleError]
    assert draft.history.count() == rows + 1
    assert PaymentCycle.objects.get(pk=draft.pk).status == "draft"
