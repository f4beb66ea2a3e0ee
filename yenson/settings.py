"""Settings, read from the environment only.

With nothing set the project runs as the embedded default: SQLite file, Celery
tasks executed eagerly, debug on. Production sets ``DJANGO_ENV=production``
and the variables documented in ``.env.example``; a value that does not parse
stops the start-up with a message instead of falling back silently.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {sorted(_TRUE | _FALSE)}")


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    return value


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _str(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


DJANGO_ENV = _str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={DJANGO_ENV!r}: expected development, production or test"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = _bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = _list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "import_export",
    "django_celery_beat",
    "core",
    "beneficiaries",
    "documents",
    "accounts",
    "amounts",
    "registration",
    "payments",
    "reports",
    "desk",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of the authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yenson.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yenson.context_processors.navigation",
            ],
            # base.html's breadcrumbs (yenson is the project package, not an app).
            "libraries": {"navigation": "yenson.templatetags.navigation"},
        },
    },
]

WSGI_APPLICATION = "yenson.wsgi.application"

_env = environ.Env()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": _env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # environ raises several kinds for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if not DATABASES["default"].get("ENGINE"):
        # django-environ only warns for an unknown scheme; Django would then use a dummy backend.
        raise ImproperlyConfigured(
            f"DATABASE_URL={DATABASE_URL!r}: expected postgres://… or sqlite:///…"
        )
    DATABASES["default"]["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("TEST", {})
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / _str("SQLITE_FILE", "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first so a locked-out user is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# dd/mm/yyyy everywhere and dots for thousands (yenson/formats/vi overrides Django's "vi").
FORMAT_MODULE_PATH = ["yenson.formats"]

STATIC_URL = "static/"
# Collected files only exist in production (collectstatic in the image); in
# development whitenoise serves straight from the apps and static/.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Celery: eager in the embedded default, a Redis broker when configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if PRODUCTION and CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set in production.")
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-job leaves the job queued
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Read by the DatabaseScheduler at start-up into its periodic tasks (editable in the admin).
CELERY_BEAT_SCHEDULE = {
    # The registration lists go out before the 5th: build them on the 1st, at night.
    "registration-lists-monthly": {
        "task": "reports.request_monthly_registration_lists",
        "schedule": crontab(minute=0, hour=1, day_of_month=1),
    },
    # The month's payment cycle, as a draft for the officer to check, after the lists.
    "payment-cycles-monthly": {
        "task": "payments.request_monthly_cycles",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    # From three days before each programme's deadline: notices and one e-mail (idempotent).
    "deadline-reminders-daily": {
        "task": "reports.send_deadline_reminders",
        "schedule": crontab(minute=0, hour=7),
    },
    # The monthly report, ready ahead of each commune's deadline: every night, for
    # the communes whose deadline is within 3 days and which have no report yet.
    "monthly-report-ahead-of-deadline": {
        "task": "reports.request_due_monthly_reports",
        "schedule": crontab(minute=0, hour=3),
    },
    # A file's job whose worker died without its message coming back: failed, retryable.
    "generated-files-stale-jobs": {
        "task": "documents.fail_stale_jobs",
        "schedule": crontab(minute="*/5"),
    },
}
# A job building a file writes a heartbeat with its progress and at least this
# often; a running job silent for GENERATED_FILE_STALE_SECONDS is recorded failed
# (its worker died) and can be tried again.
GENERATED_FILE_HEARTBEAT_SECONDS = _int("GENERATED_FILE_HEARTBEAT_SECONDS", 30, minimum=1)
GENERATED_FILE_STALE_SECONDS = _int("GENERATED_FILE_STALE_SECONDS", 600, minimum=60)
if GENERATED_FILE_STALE_SECONDS < 3 * GENERATED_FILE_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "GENERATED_FILE_STALE_SECONDS must be at least three heartbeats "
        f"(3 × GENERATED_FILE_HEARTBEAT_SECONDS = {3 * GENERATED_FILE_HEARTBEAT_SECONDS})"
    )
# Redis hands an unacknowledged job (its worker died) to another worker after
# this many seconds; it must exceed the longest task (an import of 100,000 rows).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=60)
}

# django-axes: lock a username from an address after repeated failures.
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = _int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a proxy every client has the proxy's address: count the proxies in
# X-Forwarded-For so a lock-out hits the attacker, not everyone (compose: 1).
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "yenson.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

EMAIL_BACKEND = _str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_URL"):
    vars().update(_env.email_url_config(os.environ["EMAIL_URL"]))
DEFAULT_FROM_EMAIL = _str("DEFAULT_FROM_EMAIL", "chitra-asxh@localhost")

# Upload limit for imports (MB); larger files are refused before reading.
# Payment checks: the share of a paid cycle asked whether the money arrived, and the
# fewest people asked (everyone when the cycle paid fewer).
PAYMENT_CHECK_SHARE_PERCENT = _int("PAYMENT_CHECK_SHARE_PERCENT", 5, minimum=1)
PAYMENT_CHECK_MINIMUM = _int("PAYMENT_CHECK_MINIMUM", 10, minimum=1)
if PAYMENT_CHECK_SHARE_PERCENT > 100:
    raise ImproperlyConfigured(
        f"PAYMENT_CHECK_SHARE_PERCENT={PAYMENT_CHECK_SHARE_PERCENT}: must be at most 100"
    )
IMPORT_MAX_UPLOAD_MB = _int("IMPORT_MAX_UPLOAD_MB", 20, minimum=1)
# From this size (MB) a workbook is read in a child process while the import
# plans and writes the rows already read (about 10,000 rows a megabyte).
IMPORT_PARALLEL_READ_MB = _int("IMPORT_PARALLEL_READ_MB", 2, minimum=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
# Import in the admin needs the add permission, export the view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = _int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
