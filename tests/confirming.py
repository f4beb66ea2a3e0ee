"""Posting through a confirmation page (core.confirm) as a browser does: the page
first, then its form with the fingerprint it showed."""

from __future__ import annotations

from core.confirm import VERSION_FIELD


def shown_version(client, url: str) -> str:
    """The fingerprint a confirmation page carries (the page is opened with GET)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.context["confirmation"].token


def confirm_post(client, url: str, data: dict | None = None, **kwargs):
    """Open the confirmation page at ``url``, then submit it with ``data``."""
    page = client.get(url)
    if page.status_code != 200:
        return page  # 403/404: the page itself is refused, as the step would be
    token = page.context["confirmation"].token
    return client.post(url, {VERSION_FIELD: token, **(data or {})}, **kwargs)


def approve_lists_of(generated, *, leader=None):
    """The leader's approval of the month of ``generated`` (every list awaiting it),
    as the lists page does, so the officer may mark them sent; returns the list."""
    from core import roles
    from documents.models import GeneratedFile
    from registration import listfiles
    from tests.factories import UserFactory

    if leader is None:
        leader = UserFactory(
            username=f"lanhdao-{generated.commune.code}",
            role=roles.LEADER,
            communes=[generated.commune],
        )
    if listfiles.awaiting_approval(generated.commune, generated.period):
        listfiles.approve_lists(generated.commune, generated.period, actor=leader)
    return GeneratedFile.objects.get(pk=generated.pk)
