"""Debian's Chromium, driven by Playwright, for every browser test.

Playwright's sync API runs an event loop in the test thread, and Django then
refuses ORM calls from that thread: ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while
these modules run, and every row a test needs is created before its page
opens. Never ``playwright install``: the browser is the system's Chromium.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from demo.chromium import CHROMIUM_ARGS
from tests.conftest import IN_CI, chromium_path


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    path = chromium_path()
    if path is None:  # the marker has skipped (or failed in CI) before; a second guard
        (pytest.fail if IN_CI else pytest.skip)("Debian's chromium is not installed")
    # A plain launch gives every run a fresh temporary profile of its own.
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _cookies_for_the_browsers_clock(settings):
    """Session and CSRF cookies without an expiry date.

    The server runs on the tests' fixed clock, the browser on the real one: a
    cookie dated by the server (eight hours of session, a year of CSRF) could
    already be past for the browser, which would then drop it.
    """
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
