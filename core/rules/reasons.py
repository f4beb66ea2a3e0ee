"""The reason a person writes when taking a step back (a withdrawn approval)."""

from __future__ import annotations

from django.utils.translation import gettext as _

REASON_MAX_LENGTH = 500


class ReasonError(ValueError):
    """No usable reason, with a message for the user."""


def clean_reason(reason: str | None) -> str:
    """The reason on one line, trimmed; refused when empty or longer than the limit."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReasonError(_("Hãy ghi lý do."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ReasonError(_("Lý do dài quá %(limit)d ký tự.") % {"limit": REASON_MAX_LENGTH})
    return reason
