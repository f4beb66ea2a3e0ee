"""Every kind of page of every role passes axe-core's WCAG 2 A and AA rules.

The pages are found as the translation walk finds them (``tests/walk.py``:
each role follows the links of its pages, through Django's test client); each
kind of page is then opened once in Debian's Chromium at 1366×768, as the
first role that reaches it, and axe-core (shipped inside the pinned
``axe-playwright-python`` package, never downloaded at test time) checks it.
The admin's pages are checked once per kind (index, list, form, history …):
they are Django's templates whatever the model.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.paginator import Paginator

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.conftest import local_moment
from tests.walk import walk_every_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2025, 5, 20)
#: The police's admin first, then the officer's pages, then the others.
ROLES = ("congan", "canbo", "ketoan", "chutich", "buudien", "tinh", "admin")
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _checked_kind(user):
    """One kind per page of the app (whatever its query). In the admin, one per
    sort of page (index, a section, a list, a form, a history …), a form
    editable or read-only, and a list per application (their filters differ)."""
    permissions = user.get_all_permissions()

    def kind(url: str) -> str:
        path = re.sub(r"\d+", "#", url.split("?")[0])
        if not path.startswith("/admin/"):
            return path
        parts = path.strip("/").split("/")[1:]
        if not parts:
            return "admin:index"
        if len(parts) == 1:
            return f"admin:{parts[0]}" if parts[0].startswith("password") else "admin:section"
        app, model, rest = parts[0], parts[1], "/".join(parts[2:])
        if not rest:
            return f"admin:list:{app}"
        edits = user.is_superuser or f"{app}.change_{model}" in permissions
        return f"admin:{rest}:{'edit' if edits else 'view'}"

    return kind


@pytest.fixture
def demo(clock, reference_data):
    clock.move_to(local_moment(AS_OF))
    return seed_demo(as_of=AS_OF)


def _log_in(browser, live_server, username):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="vi-VN"
    )
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


@pytest.fixture
def short_pages(monkeypatch):
    """Five rows a page in every paginated list (the app's and the admin's): the
    same markup, checked faster."""
    original = Paginator.__init__

    def short(self, object_list, per_page, *args, **kwargs):
        original(self, object_list, min(int(per_page), 5), *args, **kwargs)

    monkeypatch.setattr(Paginator, "__init__", short)


@pytest.mark.usefixtures("short_pages")
def test_every_kind_of_page_passes_axe(browser, live_server, client, demo, tmp_path):
    pages = walk_every_role(client, usernames=ROLES, kind=_checked_kind)
    to_check = {
        username: [page.url for page in found] for username, found in pages.items() if found
    }

    axe = Axe()
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    violations = {}
    login_page = browser.new_page(base_url=live_server.url)
    login_page.goto("/dang-nhap/")
    found = axe.run(login_page, options=WCAG).response["violations"]
    if found:
        violations["/dang-nhap/"] = found
    login_page.close()
    for username, urls in to_check.items():
        context, page = _log_in(browser, live_server, username)
        for url in urls:
            page.goto(url)
            found = axe.run(page, options=WCAG).response["violations"]
            if found:
                violations[f"{username} {url}"] = [
                    (v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in found
                ]
                name = re.sub(r"\W+", "-", f"{username}{url}").strip("-")
                page.screenshot(path=str(shots / f"axe-{name}.png"), full_page=True)
        context.close()

    checked = sum(len(urls) for urls in to_check.values())
    assert checked >= 20, to_check
    assert violations == {}
