"""Shared fixtures: a fixed clock, reference data, a commune per test, one user per role.

Every test runs on a fixed clock (``time-machine``, ticking from a fixed
moment, in every thread of the test process — the live server's included), so
a result never depends on the day the suite runs. ``TEST_CLOCK`` moves that
moment (``TEST_CLOCK=2027-01-31T09:00:00+07:00 make test``) to check that the
suite passes on the 1st, the 5th and the 31st alike; a test that needs a given
day asks for the ``clock`` fixture and calls ``clock.move_to(...)``. Tests that
run a real Celery worker (``broker``) keep the real clock: the worker is
another process and cannot share a travelled one.

Marked tests (broker, browser, libreoffice, postgres) are skipped with a reason when their
service is absent locally, and fail instead in CI (``CI=true``).
"""

from __future__ import annotations

import datetime
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from pytest_django import fixtures as pytest_django_fixtures
from pytest_django.fixtures import django_db_setup as _pytest_django_db_setup

from core import roles

IN_CI = os.environ.get("CI", "").lower() == "true"

# Mid-month, after the 5th (the default deadline day), in the commune's time zone.
DEFAULT_CLOCK = "2026-12-15T09:00:00+07:00"


def fixed_moment() -> datetime.datetime:
    """The moment every test starts at: ``TEST_CLOCK`` or :data:`DEFAULT_CLOCK`."""
    moment = datetime.datetime.fromisoformat(os.environ.get("TEST_CLOCK") or DEFAULT_CLOCK)
    if moment.tzinfo is None:
        raise ValueError("TEST_CLOCK needs a UTC offset, e.g. 2027-01-31T09:00:00+07:00")
    return moment


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _broker_absent_reason() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        return "CELERY_BROKER_URL does not point at Redis"
    parsed = urlparse(url)
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        return f"Redis is not reachable at {url}"
    return None


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def _browser_absent_reason() -> str | None:
    return None if chromium_path() else "Debian's chromium is not installed"


def _postgres_absent_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def _libreoffice_absent_reason() -> str | None:
    from printcheck import soffice_path

    if soffice_path() is None:
        return "LibreOffice (soffice) is not installed"
    if shutil.which("pdftoppm") is None:
        return "poppler-utils (pdftoppm) is not installed"
    return None


_ABSENCE = {
    "broker": _broker_absent_reason,
    "libreoffice": _libreoffice_absent_reason,
    "browser": _browser_absent_reason,
    "postgres": _postgres_absent_reason,
}


def pytest_collection_modifyitems(config, items) -> None:
    reasons = {marker: check() for marker, check in _ABSENCE.items()}
    if config.getoption("nomigrations", default=False):
        # A test database built from the models has no migration history to walk.
        reasons["migrations"] = "the test database is built without migrations"
    for item in items:
        for marker, reason in reasons.items():
            if reason and marker in item.keywords:
                if IN_CI:
                    item.user_properties.append(("missing_service", f"{marker}: {reason}"))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"{marker}: {reason}"))


def pytest_runtest_setup(item) -> None:
    # CI must have every service: a marked test whose service is absent fails.
    missing = dict(item.user_properties).get("missing_service")
    if missing:
        pytest.fail(f"CI: {missing}", pytrace=False)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """The test database: on PostgreSQL a copy of a template migrated once,
    emptied after a ``transaction=True`` test by ``DELETE`` (``tests/dbtemplate.py``);
    otherwise pytest-django's own set-up."""
    from django.db import connections
    from django.test.utils import teardown_databases

    from tests import dbtemplate

    postgres = connections["default"].vendor == "postgresql"
    if not postgres or not django_db_use_migrations or django_db_keepdb:
        yield from _pytest_django_db_setup.__wrapped__(
            request,
            django_test_environment,
            django_db_blocker,
            django_db_use_migrations,
            django_db_keepdb,
            django_db_createdb,
            django_db_modify_db_settings,
        )
        return
    _, serialized = pytest_django_fixtures._get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = dbtemplate.setup_from_template(
            "default",
            rebuild=django_db_createdb,
            run=getattr(request.config, "workerinput", {}).get("testrunuid"),
            serialize="default" in serialized,
            verbosity=verbosity,
        )
    connection = connections["default"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection.ops, "sql_flush", dbtemplate.flush_by_delete(connection))
        yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    if "broker" in request.keywords:
        yield None
        return
    with time_machine.travel(fixed_moment(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def clock(request, _fixed_clock):
    """The test's clock: ``clock.move_to(datetime)`` sets the moment (it keeps ticking)."""
    if _fixed_clock is None:
        pytest.fail("a broker test runs on the real clock: it cannot move it")
    return _fixed_clock


def local_moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """``day`` at ``hour`` in the application's time zone, for ``clock.move_to``."""
    from django.utils import timezone

    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_default_timezone()
    )


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_eager(settings, request, _media_root) -> None:
    """MD5 hasher, locmem e-mail, files in a temporary folder and eager Celery
    (except in broker tests)."""
    settings.MEDIA_ROOT = str(_media_root)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = "axes_enabled" in request.keywords
    if "broker" not in request.keywords:
        from yenson.celery import app

        previous = app.conf.task_always_eager
        app.conf.task_always_eager = True
        yield
        app.conf.task_always_eager = previous
    else:
        yield


@pytest.fixture(autouse=True)
def _month_calendar(request) -> None:
    """Refill the calendar table (``payments_month``) that a migration fills.

    A ``transaction=True`` test ends with a flush of every table, the
    calendar included; every later test would then open empty cycles.
    """
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    elif "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from payments.models import Month

    if not Month.objects.exists():
        Month.objects.bulk_create(
            Month(month=datetime.date(year, month, 1))
            for year in range(2000, 2101)
            for month in range(1, 13)
        )


@pytest.fixture
def reference_data(db):
    from desk.reference import load_reference_data

    load_reference_data()


@pytest.fixture
def commune(db):
    from tests.factories import CommuneFactory

    return CommuneFactory(code="15307", name="Yến Sơn")


@pytest.fixture
def other_commune(db):
    from tests.factories import CommuneFactory

    return CommuneFactory(code="15271", name="Hà Trung")


def _user_with_role(role: str, commune, username: str):
    from tests.factories import UserFactory

    return UserFactory(username=username, role=role, communes=[commune])


@pytest.fixture
def officer(commune):
    return _user_with_role(roles.LABOUR_OFFICER, commune, "canbo")


@pytest.fixture
def police(commune):
    return _user_with_role(roles.POLICE, commune, "congan")


@pytest.fixture
def accountant(commune):
    return _user_with_role(roles.ACCOUNTANT, commune, "ketoan")


@pytest.fixture
def leader(commune):
    return _user_with_role(roles.LEADER, commune, "chutich")


@pytest.fixture
def post_office(commune):
    return _user_with_role(roles.POST_OFFICE, commune, "buudien")


@pytest.fixture
def district(commune):
    return _user_with_role(roles.DISTRICT, commune, "tinh")


@pytest.fixture
def other_officer(other_commune):
    return _user_with_role(roles.LABOUR_OFFICER, other_commune, "canbo_khac")
