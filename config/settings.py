"""Settings for Sister Cities, read from the environment.

Every value comes from an environment variable through a small typed helper;
a wrong value stops the process at start-up instead of being guessed at.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}")
    return value


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("SISTERCITIES_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.admin.SisterCitiesAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "simple_history",
    "template_partials",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cities",
    "agreements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for a NUL in the path, query, cookies or headers (PostgreSQL cannot hold it).
    "agreements.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Profile language, then cookie, then LANGUAGE_CODE; never Accept-Language
    # (replaces django.middleware.locale.LocaleMiddleware; pages have no prefix).
    "agreements.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL (what production uses) is chosen
# with DATABASE_URL=postgres://user@host:5432/name.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    _default_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this app understands: {exc}")
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE makes concurrent writers queue on SQLite's lock (up to the
    # timeout) instead of failing with "database is locked" halfway through a
    # transaction; select_for_update() is a no-op there.
    _default_db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif _default_db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
_default_db.setdefault("TEST", {})
# TEST_DB_SUFFIX lets several test runs on one machine use separate databases.
_test_suffix = env_str("TEST_DB_SUFFIX", "")
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that tests with several threads share one database.
    _default_db["TEST"]["NAME"] = str(BASE_DIR / f"test-db{_test_suffix}.sqlite3")
elif _test_suffix:
    _default_db["TEST"]["NAME"] = f"test_{_default_db['NAME']}{_test_suffix}"
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ----------------------------------------------------
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "fa", {code for code, _label in LANGUAGES})
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tehran")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone.")
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files are never served from a public URL; downloads go through
# views that check who may see the agreement.
MEDIA_URL = "/media-not-served/"
# Where uploads, frozen memoranda, cached dossiers, pending imports and background
# exports live: `local` files under MEDIA_ROOT (the embedded default, one machine or a
# shared filesystem), or `s3`, a bucket of any S3-compatible object store shared by
# every app server (docs/architecture.md, "Stored files"). Either way every file goes
# through Django's storage API and is read back by the app after its permission check.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", {"local", "s3"})
# Bytes of a file read from the bucket kept in memory; more spill to local temporary disk.
S3_SPOOL_BYTES = 1024 * 1024


def s3_media_storage(
    *,
    bucket: str,
    endpoint_url: str | None,
    region: str,
    access_key: str | None,
    secret_key: str | None,
) -> dict:
    """The STORAGES entry for media in an S3 bucket (django-storages' S3Storage)."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region,
            # None lets boto3 find credentials itself (an instance role, ~/.aws).
            "access_key": access_key,
            "secret_key": secret_key,
            # Private objects: no ACL header (the bucket's own policy, private by
            # default), and nothing the app hands out is a bucket URL.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # A name is never reused: a second object under a taken name gets a new
            # name, as on local disk (a frozen PDF is never overwritten).
            "file_overwrite": False,
            # Self-hosted stores (SeaweedFS, MinIO, Ceph) answer path-style requests.
            "addressing_style": "path" if endpoint_url else None,
            "signature_version": "s3v4",
            "max_memory_size": S3_SPOOL_BYTES,
            "client_config": Config(
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 5, "mode": "standard"},
            ),
        },
    }


if MEDIA_STORAGE == "s3":
    S3_BUCKET = env_str("S3_BUCKET") or ""
    if not S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET, the bucket's name.")
    S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL") or None
    if S3_ENDPOINT_URL is not None:
        _endpoint = urlsplit(S3_ENDPOINT_URL)
        if _endpoint.scheme not in {"http", "https"} or not _endpoint.hostname:
            raise ImproperlyConfigured(
                f"S3_ENDPOINT_URL must be an http:// or https:// address, not {S3_ENDPOINT_URL!r}"
            )
    S3_REGION = env_str("S3_REGION") or "us-east-1"
    _media_storage = s3_media_storage(
        bucket=S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region=S3_REGION,
        access_key=env_str("AWS_ACCESS_KEY_ID") or None,
        secret_key=env_str("AWS_SECRET_ACCESS_KEY") or None,
    )
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- Cache -----------------------------------------------------------------------
# The dashboard's figures, the directory's counts and draft memorandum PDFs
# (agreements/figures.py, agreements/pdf/memorandum.py). One process's memory by
# default; with REDIS_URL one Redis shared by every app server (Django's own backend),
# so that each figure is counted once for all of them. Nothing is kept only in the
# cache: sessions, login attempts and the task queue are in the database.
REDIS_URL = env_str("REDIS_URL") or None
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "sistercities")
if REDIS_URL is not None:
    if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL must be a redis://, rediss:// or unix:// address, not {REDIS_URL!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A Redis that stops answering slows a page by at most this, never hangs it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --- E-mail --------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sister-cities@localhost")

# The address people open the site at, for the links in e-mails (no request there to
# take it from): scheme and host, and a path prefix if the site is served under one.
# Required in production; DEBUG and tests default to the development server.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG or TESTING else None)
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off: the address of the site, e.g. "
        "https://sister-cities.example.org (the e-mails link to it)."
    )
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        f"SITE_URL must be an http:// or https:// address without query or fragment, not {SITE_URL!r}"
    )
SITE_URL = SITE_URL.rstrip("/")

# --- Workflow periods (per-municipality settings may override them) -------------
DORMANT_MONTHS = env_int("DORMANT_MONTHS", 24, minimum=1)
EXPIRING_DAYS = env_int("EXPIRING_DAYS", 90, minimum=1)
STALLED_DAYS = env_int("STALLED_DAYS", 180, minimum=1)

# --- Security --------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy (which terminates TLS and appends the client's address
# to X-Forwarded-For), trust its headers; otherwise never (a client could forge them).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many proxies of ours append to X-Forwarded-For (the client is that many from the right).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API --------------------------------------------------------------------
# API tokens (django-rest-knox, agreements/api/tokens.py): only a digest is stored,
# each expires after API_TOKEN_DAYS, and a password change or deactivation revokes
# all of the user's tokens. Sent as "Authorization: Token <key>".
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    # A token's life is fixed when it is issued; using it does not extend it.
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only (with a bound on nesting: a 100,000-deep body was a 500); uploads
    # are multipart, and only on the views that take a file (api/records.py).
    "DEFAULT_PARSER_CLASSES": ["agreements.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # An empty `?format=` is 404 as any unknown format (agreements/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "agreements.api.negotiation.StrictContentNegotiation",
    # drf-spectacular's, with the stored-value rules and filter bounds (agreements/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "agreements.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # WorkflowError -> 409, Forbidden -> 403, Django's ValidationError -> 400.
    "EXCEPTION_HANDLER": "agreements.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sister Cities API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components (uploads are binary in requests).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several choice sets share a field name ("kind", "status"): name them.
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "agreements.models.Kind",
        "AgreementStatusEnum": "agreements.models.Status",
        "StageEnum": "agreements.models.Stage",
        "CommonalityKindEnum": "agreements.models.CommonalityKind",
        "DocumentKindEnum": "agreements.models.DocumentKind",
        "ApprovalStatusEnum": "agreements.models.ApprovalStatus",
        "RequestActionEnum": "agreements.models.RequestAction",
        # A department support's department and an action plan item's owner (issue 22).
        "DepartmentEnum": "agreements.models.Department",
        # Records under a delegation (a gift's direction is not a delegation's).
        "DirectionEnum": "agreements.models.Direction",
        "GiftDirectionEnum": "agreements.models.GiftDirection",
        "CeremonyKindEnum": "agreements.models.CeremonyKind",
        "CurrencyEnum": "agreements.models.Currency",
        "SideEnum": "agreements.models.Side",
    },
    # Facts of every operation: operationIds without dots, the headers of each answer,
    # the 404 of an unknown `format` (agreements/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agreements.api.schema.postprocess",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The admin's "revert to this version" would rewrite stage and status behind the
# workflow's back: history is read-only in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Production hardening -----------------------------------------------------------
# Login throttling (django-axes), Content-Security-Policy (django-csp), the audit
# context on log lines (agreements/audit.py), error pages with an error id
# (agreements/errors.py) and background work through django-tasks.
INSTALLED_APPS += ["axes", "django_tasks", "django_tasks_db"]
# First: every log line of the request (refusals included) carries user, address, path.
MIDDLEWARE.insert(0, "agreements.audit.AuditContextMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# Last, as django-axes asks: turns a lockout into its response (page or JSON).
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Cookies: HttpOnly everywhere (htmx reads the CSRF token from the page, not the
# cookie); Secure with HTTPS (above); sessions live in the database, so any app
# server process can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "agreements.errors.csrf_failure"
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Content-Security-Policy: our own files only; no inline script or style, no
# plugins, no <base>. Bootstrap's icons are data: URIs in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Partner review links (agreements/services/partners.py): valid for this many days
# unless the officer chooses (at most PARTNER_LINK_MAX_DAYS); an address that asks
# for this many unknown, expired or revoked tokens in a minute gets 429 for the minute.
PARTNER_LINK_DAYS = env_int("PARTNER_LINK_DAYS", 30, minimum=1)
PARTNER_LINK_MAX_DAYS = env_int("PARTNER_LINK_MAX_DAYS", 90, minimum=1)
PARTNER_BAD_TOKENS_PER_MINUTE = env_int("PARTNER_BAD_TOKENS_PER_MINUTE", 10, minimum=1)

# Login throttling by username AND address together: five failures lock that
# pair for the cool-off. Not by address alone (a municipality's staff share one
# outgoing address), not by username alone (anyone could lock an approver out).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The address as agreements.audit sees it: X-Forwarded-For only with BEHIND_PROXY.
AXES_CLIENT_IP_CALLABLE = "agreements.audit.client_ip"
# A translated page for the login form, JSON for the API (429 with Retry-After).
AXES_LOCKOUT_CALLABLE = "agreements.audit.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# /verify/<code>/ (anonymous): look-ups of unknown codes allowed per address and minute
# (agreements/throttling.py), then 429 until the minute ends.
VERIFY_MISSES_PER_MINUTE = env_int("VERIFY_MISSES_PER_MINUTE", 10, minimum=1)
# The calendar feed (/calendar/<token>.ics) has no username: an address whose
# requests named this many unknown or revoked tokens in a minute is refused (429)
# until the minute ends (agreements/throttling.py). Calendar clients poll each
# address once, so a real subscriber never comes near it.
CALENDAR_FEED_MISSES_PER_MINUTE = env_int("CALENDAR_FEED_MISSES_PER_MINUTE", 10, minimum=1)

# Background work (large exports, e-mail in production) goes through django-tasks:
# a database queue run by `manage.py db_worker`; tests and DEBUG run tasks at once.
TASKS_BACKEND = env_choice(
    "TASKS_BACKEND", "immediate" if DEBUG or TESTING else "database", {"immediate", "database"}
)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Exports of the agreement list: up to EXPORT_INLINE_MAX_ROWS rows (CSV/XLSX) or
# EXPORT_INLINE_MAX_MEMORANDA signed memoranda (ZIP) are answered at once; more run as
# a background task (agreements/export_jobs.py) whose file is kept for
# EXPORT_RETENTION_HOURS, then deleted (`manage.py purge_exports`, and every export run).
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 2_000, minimum=0)
EXPORT_INLINE_MAX_MEMORANDA = env_int("EXPORT_INLINE_MAX_MEMORANDA", 200, minimum=0)
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24, minimum=1)

# Audit lines (logger "sistercities.audit") get user, address, path and UTC time.
LOGGING["filters"] = {"audit_context": {"()": "agreements.audit.AuditContextFilter"}}
LOGGING["loggers"] = {
    "sistercities.audit": {"filters": ["audit_context"], "level": "INFO"},
    "sistercities.errors": {"level": "INFO"},
    # Its start-up banner on every command; lockouts are in the audit log.
    "axes": {"level": "WARNING"},
    # WeasyPrint reports every layout step at INFO; fontTools every subset.
    "weasyprint": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
}

# Change reasons carry the user's own reason for a move (reopen, suspend, ...),
# which can be longer than the default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
