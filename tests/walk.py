"""Walk every page a user can reach, by following the links of each page.

Shared by the translation walk (Django's test client) and the accessibility
check (the same pages in Chromium). A page is visited once per *kind*: its path
with every number replaced and the names of its query parameters, so one
person's page stands for every person's and one admin filter value for the
filter. Only GET requests are made: nothing is sent, approved or deleted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

#: Links that are not pages of the app, or that a walk must not open.
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/jsi18n/", "/favicon.ico")
#: Admin query parameters of pop-ups and of a list's filters carried to a form:
#: the same pages again.
SKIPPED_PARAMETERS = {"_popup", "_to_field", "_changelist_filters"}
#: At most this many query parameters in a link: one admin filter (or sort, or
#: search) at a time, or an app page's pair (a commune and a month); combinations
#: of filters are the same pages again and grow without end.
MOST_PARAMETERS = {"/admin/": 1, "/": 2}
#: Admin pages shown alike for every model: a list sorted, searched or filtered
#: (the words around the rows are the same whichever list), an object's history
#: and the confirmation of a deletion. One of each is walked.
ADMIN_ANY_MODEL = re.compile(r"^/admin/\w+/\w+/(?:[^?]*/(history|delete)/(?:#/)?$|\?)")
#: A page of a list (``p``, ``all``) and its filters' counts (``_facets``) show
#: the same words as its first page.
ADMIN_SKIPPED_PARAMETERS = {"p", "all", "_facets"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    """The app's own links on a page, as absolute paths with their query."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path
        if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
            continue
        names = {name for name, _value in parse_qsl(parts.query, keep_blank_values=True)}
        if names & SKIPPED_PARAMETERS:
            continue
        if path.startswith("/admin/") and names & ADMIN_SKIPPED_PARAMETERS:
            continue
        most = next(n for prefix, n in MOST_PARAMETERS.items() if path.startswith(prefix))
        if len(names) > most:
            continue
        found.append(f"{path}?{parts.query}" if parts.query else path)
    return found


def kind_of(url: str) -> str:
    """``/nguoi/12/?tab=a`` → ``/nguoi/#/?tab``; in the admin every filter of a
    list is one kind (``?filter``): the words around a filter are the same."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "#", parts.path)
    names = {name for name, _value in parse_qsl(parts.query, keep_blank_values=True)}
    if path.startswith("/admin/"):
        names = {name if name in ("o", "q") else "filter" for name in names}
    url = f"{path}?{'&'.join(sorted(names))}" if names else path
    if ADMIN_ANY_MODEL.match(url):
        return re.sub(r"^/admin/\w+/\w+/", "/admin/<model>/", url)
    return url


def kind_for(user) -> Callable[[str], str]:
    """:func:`kind_of` as ``user`` sees it: an admin page of a model is the same
    page for every user who may change that model, and for every user who may
    only view it (a read-only form differs from an editable one); the app's own
    pages are each user's."""
    permissions = user.get_all_permissions()

    def kind(url: str) -> str:
        if not url.startswith("/admin/"):
            return f"{user.username}:{kind_of(url)}"
        match = re.match(r"/admin/(\w+)/(\w+)/", url)
        if match is None:
            return kind_of(url)
        app, model = match.groups()
        edits = user.is_superuser or f"{app}.change_{model}" in permissions
        return f"{'change' if edits else 'view'}:{kind_of(url)}"

    return kind


@dataclasses.dataclass
class Page:
    url: str
    html: str
    found_on: str


def walk(
    get: Callable[[str], tuple[int, str, str]],
    start: Iterable[str],
    *,
    kind: Callable[[str], str] = kind_of,
    seen: set[str] | None = None,
    limit: int = 600,
) -> list[Page]:
    """Every page reachable from ``start``: ``get(url)`` answers (status, content
    type, body). Pages that are not HTML (files, JSON) are left out, and so are
    redirects (their target is a link of its own). ``seen`` holds the kinds
    already visited (shared between walks to visit a kind once); ``kind`` says
    which pages are the same."""
    seen = set() if seen is None else seen
    queue = [(url, "") for url in start]
    seen.update(kind(url) for url in start)
    pages: list[Page] = []
    while queue:
        url, found_on = queue.pop(0)
        status, content_type, body = get(url)
        if status != 200 or not content_type.startswith("text/html"):
            continue
        pages.append(Page(url=url, html=body, found_on=found_on))
        if len(pages) >= limit:
            raise AssertionError(f"more than {limit} kinds of page: is a link growing without end?")
        for link in links_of(body, url):
            link_kind = kind(link)
            if link_kind not in seen:
                seen.add(link_kind)
                queue.append((link, url))
    return pages


def walk_every_role(
    client,
    *,
    usernames: Iterable[str] | None = None,
    before_each: Callable[[str, str], None] | None = None,
    kind: Callable[[object], Callable[[str], str]] = kind_for,
) -> dict[str, list[Page]]:
    """Each demo user's pages (the demo's users, staff first, or ``usernames``
    in that order), through Django's test ``client``. A kind of page is walked
    once: ``kind(user)`` says which pages are the same (by default
    :func:`kind_for`: an admin page already seen by a user with the same
    permissions on its model is not walked again). ``before_each(username,
    url)`` is told of every request."""
    from django.contrib.auth.models import User

    from demo.seed import DEMO_USERS

    if usernames is None:
        usernames = [
            spec.username for spec in sorted(DEMO_USERS, key=lambda spec: not spec.is_staff)
        ]
    seen: set[str] = set()
    pages = {}
    for username in usernames:
        user = User.objects.get(username=username)
        client.force_login(user)

        def get(url: str, username=username):
            if before_each is not None:
                before_each(username, url)
            response = client.get(url)
            content_type = response.get("Content-Type", "")
            html = content_type.startswith("text/html")
            return response.status_code, content_type, response.content.decode() if html else ""

        start = ["/", "/admin/"] if user.is_staff else ["/"]
        pages[username] = walk(get, start, kind=kind(user), seen=seen)
        client.logout()
    return pages
