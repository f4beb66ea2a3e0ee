"""Confirmation pages before a step that cannot be undone.

A view describes what will happen (:class:`Confirmation`: the facts, files and
warnings, an optional form for a reason) and hands :func:`confirm` the
service call. ``GET`` shows the page (``templates/_confirm.html``); ``POST``
checks the page's fingerprint of the object against the object as it is now,
locked, and only then calls the service, in the same transaction. A second
click, or a page opened before somebody else changed the object, finds
another fingerprint: it gets a clear message and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.rules.reasons import REASON_MAX_LENGTH

# The name of the hidden field that carries the fingerprint of what the page showed.
VERSION_FIELD = "phien_ban"


def fingerprint(*parts) -> str:
    """A short digest of what the confirmation page showed (states, stamps, totals)."""
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Table:
    """A table on the page (the files, the lists): a caption, the header, the rows."""

    caption: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()  # the columns aligned right


@dataclass
class Confirmation:
    """What the page says will happen, and how to come back."""

    title: str
    intro: str
    facts: Sequence[tuple[str, str]]
    button: str
    back: str
    token: str
    tables: Sequence[Table] = ()
    warnings: Sequence[str] = ()
    form: forms.Form | None = None
    danger: bool = False
    hidden: dict[str, str] = field(default_factory=dict)
    # More for the page around it (the breadcrumbs' objects, ``breadcrumb_label``).
    context: dict = field(default_factory=dict)


class Stale(Exception):
    """The object changed since the confirmation page was shown."""


def confirm(
    request: HttpRequest,
    confirmation: Confirmation,
    *,
    current: Callable[[], str],
    act: Callable[[dict], str],
    stale: str,
    errors: tuple[type[Exception], ...] = (),
    report: Callable[[HttpRequest, Exception], None] | None = None,
    after: str | None = None,
) -> HttpResponse:
    """The confirmation page on ``GET``; on ``POST`` the step, once.

    ``current`` locks the object and returns its fingerprint now; ``act`` takes
    the form's cleaned data, calls the service and returns the success message;
    ``errors`` are the service's refusals, shown by ``report`` (the message by
    default). ``after``: where to go once done (else ``confirmation.back``).
    """
    page = {**confirmation.context, "confirmation": confirmation}
    if request.method != "POST":
        return render(request, "_confirm.html", page)
    if confirmation.form is not None and not confirmation.form.is_valid():
        return render(request, "_confirm.html", page, status=400)
    data = confirmation.form.cleaned_data if confirmation.form is not None else {}
    try:
        with transaction.atomic():
            if current() != request.POST.get(VERSION_FIELD):
                raise Stale
            done = act(data)
    except Stale:
        messages.error(request, stale + " " + _("Không có gì được thực hiện thêm."))
        return redirect(confirmation.back)
    except errors as exc:
        (report or _report)(request, exc)
        return redirect(confirmation.back)
    messages.success(request, done)
    return redirect(after or confirmation.back)


def _report(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


class ReasonForm(forms.Form):
    """The reason of a step taken back (a withdrawn approval)."""

    ly_do = forms.CharField(
        label=gettext_lazy("Lý do (bắt buộc)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Hãy ghi lý do.")},
    )
