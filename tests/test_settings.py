"""Settings come from the environment only, and a bad value stops the start-up.

Each case starts a fresh interpreter with a controlled environment: settings
are read once per process, so they cannot be re-read inside the test process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
READ_SETTINGS = "import django; from django.conf import settings; settings.DEBUG"

# Everything settings.py reads: removed so that the caller's environment (CI
# sets DATABASE_URL and CELERY_BROKER_URL) does not leak into a case.
SETTINGS_VARIABLES = {
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "SQLITE_FILE",
    "MEDIA_ROOT",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "EMAIL_BACKEND",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "IMPORT_MAX_UPLOAD_MB",
    "GENERATED_FILE_HEARTBEAT_SECONDS",
    "GENERATED_FILE_STALE_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_AGE",
    "LOG_LEVEL",
}


def _production(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "chitra.yenson.example.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }


def _run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "yenson.settings"
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _read_settings(**variables: str) -> subprocess.CompletedProcess:
    return _run(["-c", READ_SETTINGS], **variables)


def test_the_embedded_default_needs_no_variable():
    result = _run(["manage.py", "check"])

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe': expected one of"),
        ({"DJANGO_ENV": "prod"}, "DJANGO_ENV='prod': expected development, production or test"),
        ({"CELERY_TASK_ALWAYS_EAGER": "sometimes"}, "CELERY_TASK_ALWAYS_EAGER='sometimes'"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT='five': expected a whole number"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT='0': must be at least 1"),
        ({"SESSION_COOKIE_AGE": "8h"}, "SESSION_COOKIE_AGE='8h': expected a whole number"),
        (
            {"DATABASE_URL": "postgres://u@127.0.0.1:port/chitra"},
            "DATABASE_URL is not a valid database URL",
        ),
        (
            {"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "DATABASE_CONN_MAX_AGE": "-1"},
            "DATABASE_CONN_MAX_AGE='-1': must be at least 0",
        ),
        (
            {"GENERATED_FILE_STALE_SECONDS": "30"},
            "GENERATED_FILE_STALE_SECONDS='30': must be at least 60",
        ),
        (
            {"GENERATED_FILE_HEARTBEAT_SECONDS": "300", "GENERATED_FILE_STALE_SECONDS": "600"},
            "GENERATED_FILE_STALE_SECONDS must be at least three heartbeats",
        ),
    ],
)
def test_a_bad_value_stops_the_start_up_with_a_clear_message(variables, message):
    result = _read_settings(**variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("url", ["postgres//127.0.0.1:5432/chitra", "chitra"])
def test_a_database_url_without_a_scheme_stops_the_start_up(url):
    # django-environ only warns here; Django would fall back to its dummy backend.
    result = _run(["manage.py", "check"], DATABASE_URL=url)

    assert result.returncode != 0
    assert f"DATABASE_URL={url!r}: expected postgres://" in result.stderr


def test_a_database_url_of_an_unknown_engine_fails_the_check():
    result = _run(["manage.py", "check"], DATABASE_URL="mssql://u@127.0.0.1/chitra")

    assert result.returncode != 0
    assert "isn't an available database backend" in result.stderr


def test_manage_py_refuses_to_start_with_a_bad_value():
    result = _run(["manage.py", "check"], DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set in production."),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set in production."),
        ("DATABASE_URL", "DATABASE_URL must be set in production."),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL must be set in production."),
    ],
)
def test_production_refuses_to_start_without_a_required_variable(tmp_path, missing, message):
    variables = _production(tmp_path)
    del variables[missing]

    result = _read_settings(**variables)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_an_empty_secret_key(tmp_path):
    result = _read_settings(**{**_production(tmp_path), "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production." in result.stderr


def test_production_with_every_variable_passes_the_deployment_checks(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **_production(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checks_catch_a_weak_secret_key(tmp_path):
    variables = {**_production(tmp_path), "SECRET_KEY": "short"}

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_the_deployment_checks_catch_debug_left_on(tmp_path):
    variables = {**_production(tmp_path), "DEBUG": "true"}

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables)

    assert result.returncode != 0
    assert "security.W018" in result.stderr


def test_production_settings_are_secure(tmp_path):
    probe = (
        "import django; from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_TASK_ACKS_LATE, "
        "s.CELERY_TASK_REJECT_ON_WORKER_LOST, s.CELERY_WORKER_PREFETCH_MULTIPLIER)"
    )

    result = _run(["-c", probe], **_production(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "False",
        # A worker that dies mid-job leaves the job queued for another worker.
        "True",
        "True",
        "1",
    ]


# --- The markers of the service tests -------------------------------------------------------

MARKED_TEST = """
import pytest


@pytest.mark.broker
def test_needs_the_broker():
    pass
"""


def _run_marked_test(tmp_path: Path, *, ci: str) -> subprocess.CompletedProcess:
    """Run a broker-marked test under the project's conftest, without a broker."""
    path = tmp_path / "test_marked.py"
    path.write_text(MARKED_TEST, encoding="utf-8")
    args = ["-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-rs"]
    args += ["-c", str(BASE_DIR / "pyproject.toml"), "--rootdir", str(BASE_DIR), str(path)]
    return _run(args, CI=ci)


def test_a_service_test_is_skipped_with_its_reason_when_the_service_is_absent(tmp_path):
    result = _run_marked_test(tmp_path, ci="")

    assert result.returncode == 0, result.stdout
    assert "SKIPPED" in result.stdout
    assert "broker: CELERY_BROKER_URL does not point at Redis" in result.stdout


def test_in_ci_a_service_test_fails_when_the_service_is_absent(tmp_path):
    result = _run_marked_test(tmp_path, ci="true")

    assert result.returncode == 1, result.stdout
    assert "CI: broker: CELERY_BROKER_URL does not point at Redis" in result.stdout
