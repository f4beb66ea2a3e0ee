"""Every page of every role speaks Vietnamese.

The demo of its second month (one month paid and closed, this month's draft,
registrations, requests, checks, files) is seeded once; then each demo user
walks every page it can reach from the home page (and the admin's index for
staff), following links (``tests/walk.py``), while every translation look-up
is recorded. A look-up of an English message (Django's, a library's) that comes
back untranslated fails the walk; so does an English UI word left in a page's
text, a native date or month input, or a date field showing anything but
dd/mm/yyyy.
"""

from __future__ import annotations

import datetime
import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.utils import translation

from demo.seed import seed_demo
from tests.conftest import local_moment
from tests.walk import walk_every_role

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 5, 20)

ROOT = Path(__file__).resolve().parents[1]
#: Where our own messages are written (in Vietnamese, whether or not they have an accent).
OWN_SOURCES = ("*/*.py", "*/*/*.py", "*/*/*/*.py", "templates/**/*.html", "*/templates/**/*.html")

ENGLISH_WORDS = re.compile(
    r"\b(Add|Change|Delete|Save|Search|Filter|By|History|Home|Log ?out|Log ?in|"
    r"Select all|Show counts|Hide counts|View selected|View site|View on site|"
    r"Action|Actions|Go|results|total|Unknown|Yes|No|None|All|Today|Now|Yesterday|"
    r"Clear|Choose|Previous|Next|Remove|Edit|View|Password|Username|Please|"
    r"selected|of|and|the|or|Show|Hide|Close|Submit|Cancel|Back|Page|items?|"
    r"January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


@functools.cache
def _own_source() -> str:
    files = {path for pattern in OWN_SOURCES for path in ROOT.glob(pattern)}
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(files)
        if not path.is_relative_to(ROOT / "tests") and not {".venv", "migrations"} & set(path.parts)
    )


def _english(message: str) -> bool:
    """A message of Django's or a library's: plain ASCII with a word of three
    letters or more, and not written in our own code (whose messages are
    Vietnamese: "Menu", "Nam", "STT" are ours)."""
    text = re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdfrxi%]|\{[^}]*\}|<[^>]*>", " ", message)
    if not text.isascii() or re.search(r"[A-Za-z]{3,}", text) is None:
        return False
    source = _own_source()
    # blocktranslate writes %(name)s as {{ name }}
    block = re.sub(r"%\((\w+)\)s", r"{{ \1 }}", message)
    return not any(form in source for form in (f'"{message}"', f"'{message}'", f"%}}{block}{{%"))


class _Recorder:
    """Wraps the translation functions every caller goes through (``translation._trans``)."""

    NAMES = ("gettext", "ngettext", "pgettext", "npgettext")

    def __init__(self) -> None:
        # (context, msgid, plural) -> the page it was looked up on
        self.untranslated: dict[tuple[str | None, str, str | None], str] = {}
        self.page = ""

    def __enter__(self) -> _Recorder:
        trans = translation._trans
        self._saved = {name: trans.__dict__.get(name) for name in self.NAMES}
        real = {name: getattr(trans, name) for name in self.NAMES}

        def gettext(message):
            result = real["gettext"](message)
            self._check(result, None, message)
            return result

        def pgettext(context, message):
            result = real["pgettext"](context, message)
            self._check(result, context, message)
            return result

        def ngettext(singular, plural, number):
            result = real["ngettext"](singular, plural, number)
            self._check(result, None, singular, plural)
            return result

        def npgettext(context, singular, plural, number):
            result = real["npgettext"](context, singular, plural, number)
            self._check(result, context, singular, plural)
            return result

        for name, fn in zip(self.NAMES, (gettext, ngettext, pgettext, npgettext), strict=True):
            setattr(trans, name, fn)
        return self

    def __exit__(self, *exc) -> None:
        trans = translation._trans
        for name, saved in self._saved.items():
            if saved is None:
                trans.__dict__.pop(name, None)
            else:
                setattr(trans, name, saved)

    def on_page(self, username: str, url: str) -> None:
        self.page = f"{username} {url}"

    def _check(self, result, context, singular, plural=None) -> None:
        if translation.get_language() is None:
            return  # looked up untranslated on purpose (a model's raw name)
        if str(result) in (singular, plural) and _english(str(singular)):
            self.untranslated.setdefault((context, str(singular), plural), self.page)


class _Text(HTMLParser):
    """A page's visible text and the attributes a person reads, and its inputs."""

    READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.inputs: list[dict[str, str]] = []
        self._hidden = 0
        self._option = False

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self._option = tag == "option"
        if tag == "input":
            self.inputs.append(attrs)
            if attrs.get("type") in ("submit", "button"):
                self.parts.append(attrs.get("value", ""))
        self.parts.extend(attrs[name] for name in self.READ_ATTRIBUTES if attrs.get(name))

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        # A time zone's name (Europe/Isle of Man) is a name, not a word to translate.
        if not self._hidden and not (self._option and "/" in data):
            self.parts.append(data)


def _problems_of_page(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    problems = []
    text = " ".join(" ".join(parser.parts).split())
    for match in ENGLISH_WORDS.finditer(text):
        around = text[max(0, match.start() - 40) : match.end() + 40]
        problems.append(f"English word {match.group()!r}: …{around}…")
    for attrs in parser.inputs:
        kind, value = attrs.get("type", "text"), attrs.get("value", "")
        if kind in ("date", "month", "datetime-local", "week"):
            problems.append(f"a native <input type={kind}> ({attrs.get('name')})")
        if kind != "hidden" and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value):
            problems.append(f"a date shown as {value!r} ({attrs.get('name')})")
        if attrs.get("placeholder") == "dd/mm/yyyy" and value:
            if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
                problems.append(f"a date field shows {value!r} ({attrs.get('name')})")
    return problems


@pytest.fixture
def demo(clock, reference_data):
    clock.move_to(local_moment(AS_OF))
    return seed_demo(as_of=AS_OF)


@pytest.fixture
def short_admin_lists(monkeypatch):
    """Five rows a page in the admin's lists: the same words, rendered faster."""
    for model_admin in admin.site._registry.values():
        monkeypatch.setattr(model_admin, "list_per_page", 5)


@pytest.mark.usefixtures("short_admin_lists")
def test_every_page_of_every_role_is_in_vietnamese(client, demo):
    with _Recorder() as recorder:
        pages = walk_every_role(client, before_each=recorder.on_page)

    walked = {username: {page.url for page in found} for username, found in pages.items()}
    assert all(len(urls) >= 2 for urls in walked.values()), walked
    # The police's admin: its lists, a person's page, the check form.
    assert {"/admin/beneficiaries/person/", "/admin/beneficiaries/identitycheck/add/"} <= walked[
        "congan"
    ]
    assert any(
        re.fullmatch(r"/admin/beneficiaries/person/\d+/change/", url) for url in walked["congan"]
    )
    assert recorder.untranslated == {}
    problems = {
        f"{username} {page.url}": found
        for username, walked_pages in pages.items()
        for page in walked_pages
        if (found := _problems_of_page(page.html))
    }
    assert problems == {}


def test_no_page_asks_for_a_native_date_or_month_input():
    """Pages the walk cannot reach with the demo's data (a cycle being paid at
    the post office) are checked in their templates."""
    native = re.compile(r"""<input[^>]*type=["']?(date|month|datetime-local|week)\b""")
    found = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in sorted(ROOT.glob("**/templates/**/*.html"))
        if ".venv" not in path.parts
        for match in native.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
