"""The one settings module, configured from the environment (`DATABASE_URL`, `LOKET_*`).

Defaults run the demo on a fresh machine (SQLite under var/). Values may also come from a file of
KEY=value lines, `var/loket.env` (or `LOKET_ENV_FILE`), which `make demo` writes so that the
`loket` command works in the demo checkout. Production sets `LOKET_DEBUG=0` (the default),
`LOKET_SECRET_KEY`, `LOKET_ALLOWED_HOSTS` and `DATABASE_URL`;
`python -m django check --deploy` is then clean. A malformed value fails loudly at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LOKET_VAR_DIR", BASE_DIR.parent.parent / "var"))

# An optional file of KEY=value lines (the demo writes var/loket.env); the environment wins over it.
ENV_FILE = Path(os.environ.get("LOKET_ENV_FILE", VAR_DIR / "loket.env"))
if ENV_FILE.is_file():
    for raw in ENV_FILE.read_text(encoding="utf-8").splitlines():
        name, sep, value = raw.strip().partition("=")
        if sep and name and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("LOKET_DEBUG", False)
_DEV_KEY = "loket-dev-only-not-secret-" + "x" * 40
SECRET_KEY = os.environ.get("LOKET_SECRET_KEY", _DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("LOKET_SECRET_KEY is required when LOKET_DEBUG is off")
ALLOWED_HOSTS = env_list("LOKET_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "loket.units",
    "loket.catalog",
    "loket.audit",
    "loket.directory",
    "loket.staff",
    "loket.cases",
    "loket.registration",
    "loket.counter",
    "loket.mailbox",
    "loket.reports",
    "loket.deviations",
    "loket.survey",
    "loket.service_standard",
    "loket.tallies",
    "loket.operations",
    "loket.notify",
    "loket.web",
    "loket.throttle",
]

MIDDLEWARE = [
    "loket.throttle.address.ClientAddressMiddleware",  # first: every later reader sees the client address
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "loket.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loket.headers.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "loket.web.admin_zone.AdminZoneMiddleware",  # the admin's times in the unit's zone, not UTC
    "django.contrib.messages.middleware.MessageMiddleware",
    "loket.request_size.RequestSizeMiddleware",  # before any view or process_view reads a body
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "loket.throttle.middleware.ThrottleMiddleware",  # last: it needs the session
]

ROOT_URLCONF = "loket.urls"
WSGI_APPLICATION = "loket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'loket.sqlite3'}"), conn_max_age=60
    )
}
# SQLite as shipped refuses a second writer at once ("database is locked": 52-57 % of submits at 4
# concurrent requesters). Every transaction takes the write lock when it starts (IMMEDIATE), so
# writers queue instead of deadlocking on an upgrade from read to write; a busy writer is waited
# for up to LOKET_SQLITE_TIMEOUT seconds; WAL lets readers go on while one writes. Options given
# in DATABASE_URL win. LOKET_SQLITE_TUNED=0 turns this off (for measuring the difference only).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and env_bool("LOKET_SQLITE_TUNED", True):
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("timeout", int(os.environ.get("LOKET_SQLITE_TIMEOUT", 30)))
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Uploaded documents; never served directly, only through checked views. Every web process and
# worker must see the same directory (LOKET_MEDIA_DIR, e.g. a shared mount), or, with
# LOKET_STORAGE=s3, one bucket through django-storages (docs/operations.md, "Production shape").
MEDIA_ROOT = Path(os.environ.get("LOKET_MEDIA_DIR") or VAR_DIR / "media")
LOKET_STORAGE = os.environ.get("LOKET_STORAGE", "filesystem")
if LOKET_STORAGE == "s3":
    _s3_bucket = os.environ.get("LOKET_S3_BUCKET", "")
    if not _s3_bucket:
        raise ImproperlyConfigured("LOKET_S3_BUCKET is required with LOKET_STORAGE=s3")
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _s3_bucket,
                "endpoint_url": os.environ.get("LOKET_S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("LOKET_S3_REGION") or None,
                "access_key": os.environ.get("LOKET_S3_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("LOKET_S3_SECRET_ACCESS_KEY") or None,
                "location": os.environ.get("LOKET_S3_PREFIX", ""),
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
elif LOKET_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"LOKET_STORAGE must be filesystem or s3, not {LOKET_STORAGE!r}")
# Behind nginx: after a view's checks the response names the file under this internal location
# (X-Accel-Redirect) and nginx sends it; empty, Django streams the file (loket.web.file_responses).
LOKET_ACCEL_REDIRECT = os.environ.get("LOKET_ACCEL_REDIRECT", "")
if LOKET_ACCEL_REDIRECT and not (LOKET_ACCEL_REDIRECT.startswith("/") and LOKET_ACCEL_REDIRECT.endswith("/")):
    raise ImproperlyConfigured("LOKET_ACCEL_REDIRECT must be a path starting and ending with /, e.g. /_berkas/")
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:queue"

# Every HTML page: scripts, styles, images and frames from this site only, nothing inline (the
# pages' scripts are static files), no plugins, no framing by others, forms post here only.
# Responses that set their own policy (uploaded documents shown inline, the SOP document's HTML)
# keep it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Features no page of Loket uses, turned off for every page (Permissions-Policy header).
LOKET_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "interest-cohort=(), browsing-topics=()"
)

# Sessions (staff console and the portal's receipts) end after a working day's idle time and when
# the browser closes: counters share computers.
# The age counts from the session's last write; loket.headers.SessionIdleMiddleware rewrites it at
# most every LOKET_SESSION_REFRESH_SECONDS while it is in use, so it is an idle limit.
SESSION_COOKIE_AGE = int(os.environ.get("LOKET_SESSION_IDLE_SECONDS", 8 * 60 * 60))
LOKET_SESSION_REFRESH_SECONDS = int(os.environ.get("LOKET_SESSION_REFRESH_SECONDS", 15 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("LOKET_SESSION_ENDS_WITH_BROWSER", True)

# Background work (mail from the outbox, expiry): django-tasks with its database backend; the
# worker is `loket worker`. Tests and the demo may switch to the immediate backend.
TASKS = {"default": {"BACKEND": os.environ.get("LOKET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Mail: Django's own EMAIL_* settings from the environment. The default is the console sink.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Loket <loket@localhost>")

# The address links in mail point to (the portal as requesters reach it).
LOKET_BASE_URL = os.environ.get("LOKET_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Uploads: the largest document accepted, and the types accepted (sniffed from the content).
LOKET_UPLOAD_MAX_BYTES = int(os.environ.get("LOKET_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * LOKET_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = LOKET_UPLOAD_MAX_BYTES
# A request's body is read only up to the largest request an installed SOP allows (its documents
# × LOKET_UPLOAD_MAX_BYTES + LOKET_REQUEST_FIELDS_BYTES), or LOKET_REQUEST_MAX_BYTES when set;
# of a file, one byte past LOKET_UPLOAD_MAX_BYTES is kept (loket.request_size).
LOKET_REQUEST_FIELDS_BYTES = int(os.environ.get("LOKET_REQUEST_FIELDS_BYTES", 1024 * 1024))
LOKET_REQUEST_MAX_BYTES = int(os.environ.get("LOKET_REQUEST_MAX_BYTES", 0))
FILE_UPLOAD_HANDLERS = ["loket.request_size.CappedUploadHandler"]
# A request carries at most this many files before Django refuses it (the API answers that in its
# JSON shape; cases.uploads reads at most 20 file parts anyway): not 100 × 5 MB buffered.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A case waiting on its requester (missing documents) expires after this many days.
LOKET_REQUESTER_WAIT_DAYS = int(os.environ.get("LOKET_REQUESTER_WAIT_DAYS", 14))
# The counter (docs/counter.md): a called ticket not served after this many minutes is "tidak
# hadir"; when a unit's queue of the day closes: "" (the end of the unit's working hours), "HH:MM"
# (local time), "off" (never before midnight) or per unit "KODE=HH:MM,KODE=off" (the rest: "").
LOKET_COUNTER_NO_SHOW_MINUTES = int(os.environ.get("LOKET_COUNTER_NO_SHOW_MINUTES", 10))


def _closes_at(raw: str) -> str | dict[str, str] | None:
    def one(value: str) -> str | None:
        value = value.strip()
        if value in {"", "off"}:
            return value or None
        hours, _sep, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60 and len(minutes) == 2):
            raise ImproperlyConfigured(f"LOKET_COUNTER_CLOSES_AT: {value!r} is not HH:MM or off")
        return f"{int(hours):02d}:{minutes}"

    if "=" not in raw:
        return one(raw)
    per_unit = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kode, _sep, value = item.partition("=")
        if (setting := one(value)) is not None:
            per_unit[kode.strip()] = setting
    return per_unit


LOKET_COUNTER_CLOSES_AT = _closes_at(os.environ.get("LOKET_COUNTER_CLOSES_AT", ""))
# The mailbox (docs/mailbox.md): mails read per mailbox per poll, polls that may fail on one mail
# before it goes to the failed folder, seconds before an IMAP exchange gives up.
LOKET_MAILBOX_BATCH = int(os.environ.get("LOKET_MAILBOX_BATCH", 50))
LOKET_MAILBOX_MAX_ATTEMPTS = int(os.environ.get("LOKET_MAILBOX_MAX_ATTEMPTS", 3))
LOKET_MAILBOX_TIMEOUT = float(os.environ.get("LOKET_MAILBOX_TIMEOUT", 30))
# What the worker runs every sweep beside sending mail.
LOKET_PERIODIC_JOBS = [
    "loket.cases.services.expire_stale_cases",
    "loket.directory.credentials.erase_expired_credentials",
    "loket.notify.services.erase_expired_secret_links",
    "loket.mailbox.services.poll_all",
    "loket.counter.tasks.tidy_queues",
    "loket.reports.exports.erase_expired_exports",
    "loket.cases.retention.run_retention",  # documents past their unit's retention (docs/cases.md)
    "loket.operations.jobs.heartbeat",
]
# Each of those jobs runs once per this many seconds across all worker processes (the one that
# claims it runs it; loket.notify.worker.claim_job); the heartbeat runs in every process.
LOKET_PERIODIC_SECONDS = int(os.environ.get("LOKET_PERIODIC_SECONDS", 60))
# A one-time credential link is valid this many hours.
LOKET_LINK_HOURS = int(os.environ.get("LOKET_LINK_HOURS", 24))
# Where staff set passwords in SPSE by hand: the staff member offered a case's password holds it
# this many minutes (others are not offered one meanwhile).
LOKET_PASSWORD_CLAIM_MINUTES = int(os.environ.get("LOKET_PASSWORD_CLAIM_MINUTES", 15))

# The largest SOP file accepted by upload in the admin.
LOKET_SOP_MAX_BYTES = int(os.environ.get("LOKET_SOP_MAX_BYTES", 256 * 1024))

# -- Client addresses and throttles (loket.throttle; docs/operations.md "Client addresses and
# throttles"). The client address is REMOTE_ADDR, or with LOKET_TRUSTED_PROXIES=N the Nth
# X-Forwarded-For entry from the right (set it to the number of reverse proxies in front of Loket
# that append to that header). Limits count in the database (every process shares them): wrong
# tracking codes and submits per session and per address (higher: an office shares one address),
# sign-ins per user ID + address (progressive lockout) and per address.
LOKET_TRUSTED_PROXIES = int(os.environ.get("LOKET_TRUSTED_PROXIES", 0))
LOKET_LOOKUP_LIMIT_PER_SESSION = int(os.environ.get("LOKET_LOOKUP_LIMIT_PER_SESSION", 10))
LOKET_LOOKUP_LIMIT_PER_ADDRESS = int(os.environ.get("LOKET_LOOKUP_LIMIT_PER_ADDRESS", 30))
LOKET_LOOKUP_WINDOW_MINUTES = int(os.environ.get("LOKET_LOOKUP_WINDOW_MINUTES", 15))
LOKET_SUBMIT_LIMIT_PER_SESSION = int(os.environ.get("LOKET_SUBMIT_LIMIT_PER_SESSION", 10))
LOKET_SUBMIT_LIMIT_PER_ADDRESS = int(os.environ.get("LOKET_SUBMIT_LIMIT_PER_ADDRESS", 30))
LOKET_SUBMIT_WINDOW_MINUTES = int(os.environ.get("LOKET_SUBMIT_WINDOW_MINUTES", 60))
LOKET_SIGN_IN_LIMIT = int(os.environ.get("LOKET_SIGN_IN_LIMIT", 5))
LOKET_SIGN_IN_LIMIT_PER_ADDRESS = int(os.environ.get("LOKET_SIGN_IN_LIMIT_PER_ADDRESS", 20))
LOKET_SIGN_IN_WINDOW_MINUTES = int(os.environ.get("LOKET_SIGN_IN_WINDOW_MINUTES", 15))
LOKET_SIGN_IN_LOCKOUT_MINUTES = int(os.environ.get("LOKET_SIGN_IN_LOCKOUT_MINUTES", 15))
for _name in ("LOOKUP", "SUBMIT", "SIGN_IN"):
    if not 0 < globals()[f"LOKET_{_name}_WINDOW_MINUTES"] <= 24 * 60:
        raise ImproperlyConfigured(f"LOKET_{_name}_WINDOW_MINUTES must be between 1 and 1440")
if LOKET_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("LOKET_TRUSTED_PROXIES must be 0 or more")
AUTHENTICATION_BACKENDS = ["loket.throttle.backends.ThrottledModelBackend"]
# -- end of client addresses and throttles

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("LOKET_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LOKET_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "loket.logfilters.RedactSecrets"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        # runserver's access log, as Django sets it up, with secrets redacted too.
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact"]},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOKET_LOG_LEVEL", "INFO")},
}

# -- Operations (loket.operations)
# The health endpoint (docs/operations.md, "Health endpoint"): a worker heartbeat older than this
# many seconds, or a mail waiting in the outbox longer, answers 503 "degraded".
LOKET_HEALTH_WORKER_MAX_AGE = int(os.environ.get("LOKET_HEALTH_WORKER_MAX_AGE", 300))
LOKET_HEALTH_MAIL_MAX_AGE = int(os.environ.get("LOKET_HEALTH_MAIL_MAX_AGE", 900))
# A monitor on the machine may ask the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^ops/health/$"]
