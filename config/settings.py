"""Settings for the VAWG Partnership Platform, read from the environment.

Safe defaults: DEBUG is off unless set, SQLite is the embedded database, and
production hardening switches on with VAWG_PRODUCTION=1 (which also refuses
to start without a real SECRET_KEY).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("VAWG_PRODUCTION")
DEBUG = env_bool("DEBUG") and not PRODUCTION

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when VAWG_PRODUCTION is on.")
    # Development and tests only: never used once VAWG_PRODUCTION is set.
    SECRET_KEY = "insecure-development-key-not-for-production-use-0123456789abcdefghij"  # noqa: S105 - development and tests only; production refuses to start without its own

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "crispy_forms",
    "crispy_forms_gds",
    "ninja",
    "vawg.core",
    "vawg.audit",
    "vawg.accounts",
    "vawg.strategy",
    "vawg.delivery",
    "vawg.measures",
    "vawg.insight",
    "vawg.marac",
    "vawg.directory",
    "vawg.voice",
    "vawg.learning",
    "vawg.reports",
    "vawg.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session middleware, so no cookie it sets survives on a survivor's page.
    "vawg.core.safety.SurvivorSafeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vawg.accounts.middleware.SessionExpiryMiddleware",
    "vawg.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the view that was resolved: refuses any view that has
    # not declared who may use it.
    "vawg.core.access.AccessPolicyMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vawg.core.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sessions: idle expiry (refreshed on each request) and an absolute limit
# enforced by SessionExpiryMiddleware.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
# The idle expiry is pushed back when the session is saved, at most once a minute
# (vawg.accounts.middleware): idle sessions end within a minute of SESSION_COOKIE_AGE.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "vawg.core.views.csrf_failure"

# The client's address (vawg/core/client.py), for the audit trail, the rate limits
# and the lockouts: how many reverse proxies of our own stand in front of the app.
# 0: none, REMOTE_ADDR is the client. 1 (one HTTPS proxy): the right-most entry of
# X-Forwarded-For, the one that proxy appended. Entries to the left of ours came
# from the client and are never trusted.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
if TRUSTED_PROXY_COUNT < 0:
    raise RuntimeError("TRUSTED_PROXY_COUNT must be 0 or more.")

# Lockout after repeated failures (django-axes): by username and address together,
# so one attacker cannot lock every account out from one address. Failures are
# counted in the database (axes' database handler, one locked row per username and
# address), so every app server sees them; the address is the one client_ip() gives.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "vawg.core.client.client_ip"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Our own audit trail records sign-ins by reference; axes need not keep names and addresses.
AXES_DISABLE_ACCESS_LOG = True

# Two-factor (TOTP). Roles that must use it; production enforces it for the
# roles that see restricted data. The demo leaves it optional.
OTP_TOTP_ISSUER = "VAWG Partnership Platform"
_default_2fa_roles = "analyst,marac_coordinator,marac_representative" if PRODUCTION else ""
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", _default_2fa_roles)

# --- Accounts: invitations and unused accounts (docs/operations.md) -------------
# How many days an emailed invitation link works; after how many days without a
# sign-in `manage.py accounts_disable_inactive` disables an account (0: never).
# Two-factor for admins and operators needs no setting: VAWG_PRODUCTION enforces it.
ACCOUNT_INVITATION_DAYS = int(os.environ.get("ACCOUNT_INVITATION_DAYS", 14))
ACCOUNT_INACTIVE_DAYS = int(os.environ.get("ACCOUNT_INACTIVE_DAYS", 90))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
# Outside production WhiteNoise serves straight from the source folders, so the
# demo and the browser tests need no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploads (vawg/core/uploads.py). A request larger than FILE_UPLOAD_MAX_MEMORY_SIZE has its
# files written to a temporary file as they arrive, never held in memory; a file larger
# than its page's limit is refused as it arrives, and the page says so. Pages with no limit
# of their own take UPLOAD_MAX_BYTES; partner extracts, INSIGHT_UPLOAD_MAX_BYTES.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a request's fields other than its files
FILE_UPLOAD_HANDLERS = ["vawg.core.uploads.LimitedUploadHandler"]
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
INSIGHT_UPLOAD_MAX_BYTES = int(os.environ.get("INSIGHT_UPLOAD_MAX_BYTES", 200 * 1024 * 1024))
# Each process's DuckDB (insight/duck.py) counts with at most these threads and this much
# memory, so an import shares the machine with the web processes (docs/operations.md).
INSIGHT_DUCKDB_THREADS = int(os.environ.get("INSIGHT_DUCKDB_THREADS", 2))
INSIGHT_DUCKDB_MEMORY = os.environ.get("INSIGHT_DUCKDB_MEMORY", "1GB")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# A cache every app server shares, so that short-lived counters (the rate limits)
# hold across them: a table in the database by default (made by the migrations;
# vawg/core/cache.py counts in it atomically), Redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "vawg.core.cache.DatabaseCache",
            "LOCATION": "vawg_cache",
            # Expired entries are deleted as new ones come; this only bounds a flood.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Calls a partner API token may make a minute (vawg.api.auth), counted in the shared cache
# so the limit holds across app servers.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", 120))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Background work whose heartbeat is older than this is a worker that stopped (vawg.core.jobs).
TASK_STALE_MINUTES = int(os.environ.get("TASK_STALE_MINUTES", 10))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# The address links in emails point at when sent outside a web request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@vawg-platform.invalid")

# Content Security Policy: nothing from third parties, no inline script
# without a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE is django-csp's marker for "this response's nonce"; the string
        # "'nonce'" would be sent as it is, and block the nonced script.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Nothing about this site reaches another site in a Referer header. Not
# "no-referrer": under it browsers send "Origin: null" with every form POST,
# which Django's CSRF check rightly refuses, so no one could sign in.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Request logs can carry query strings; keep them out unless asked for.
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Demo steps, run in order by `manage.py load_demo`. Each names a module with
# a `load(*, today, rng, stdout)` function.
DEMO_STEPS = [
    "vawg.strategy.demo",
    "vawg.core.demo_region",  # the other 31 London boroughs, before their periods are made
    "vawg.core.demo",
    "vawg.accounts.demo",
    "vawg.delivery.demo",
    "vawg.measures.demo",
    "vawg.insight.demo",
    "vawg.insight.demo_region",
    "vawg.marac.demo",
    "vawg.marac.demo_region",
    "vawg.directory.demo",
    "vawg.voice.demo",
    "vawg.learning.demo",
    "vawg.reports.demo",
]
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-2026")
SEED_STRATEGY_FILES = [
    BASE_DIR / "data" / "strategies" / "wandsworth-2022-2025.yaml",
    BASE_DIR / "data" / "strategies" / "lambeth-2021-2027.yaml",
]

# Residents and women aged 16+ per borough, for the regional comparison's rates
# (vawg/core/populations.py, data/populations/README.md). Replace the file, or point
# this at another, to use published estimates.
POPULATION_FILE = Path(
    os.environ.get(
        "POPULATION_FILE", BASE_DIR / "data" / "populations" / "london-boroughs-mid-2025.csv"
    )
)

# SafeLives' national MARAC figures, with their period and source (vawg/marac/national.py,
# data/safelives/README.md). An operator edits the file, or points this at another copy.
MARAC_NATIONAL_FILE = Path(
    os.environ.get("MARAC_NATIONAL_FILE", BASE_DIR / "data" / "safelives" / "national.json")
)

# Where "Exit this page" finally sends a visitor: a neutral, busy site.
EXIT_PAGE_URL = os.environ.get("EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")

# Disclosure control (vawg/core/disclosure.py, docs/disclosure-control.md): at the
# controlled level, counts of people below the threshold read "fewer than 5" and the
# rest are rounded to a multiple of the base, up or down as their records' keys decide.
# DISCLOSURE_KEY keys the records' keys; unset, one is derived from SECRET_KEY.
DISCLOSURE_THRESHOLD = int(os.environ.get("DISCLOSURE_THRESHOLD", 5))
DISCLOSURE_ROUNDING_BASE = int(os.environ.get("DISCLOSURE_ROUNDING_BASE", 5))
DISCLOSURE_KEY = os.environ.get("DISCLOSURE_KEY", "")
if DISCLOSURE_THRESHOLD < 1 or DISCLOSURE_ROUNDING_BASE < 1:
    raise RuntimeError("DISCLOSURE_THRESHOLD and DISCLOSURE_ROUNDING_BASE must be 1 or more.")

# Keys live in the environment, never in the database (see docs/operations.md).
# PSEUDONYM_KEYS: versioned HMAC keys, "1:<secret>,2:<secret>"; the highest
# version hashes new identifiers. FIELD_ENCRYPTION_KEYS: Fernet keys, comma
# separated, the first encrypts and all decrypt (rotation). Outside production
# fixed, public development keys stand in so the demo and the tests run.
_DEV_PSEUDONYM_KEYS = "1:development-only-pseudonym-key-not-secret"
_DEV_FIELD_KEYS = "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="
PSEUDONYM_KEYS = os.environ.get("PSEUDONYM_KEYS", "" if PRODUCTION else _DEV_PSEUDONYM_KEYS)
FIELD_ENCRYPTION_KEYS = os.environ.get(
    "FIELD_ENCRYPTION_KEYS", "" if PRODUCTION else _DEV_FIELD_KEYS
)
if PRODUCTION and not (PSEUDONYM_KEYS and FIELD_ENCRYPTION_KEYS):
    raise RuntimeError("Set PSEUDONYM_KEYS and FIELD_ENCRYPTION_KEYS when VAWG_PRODUCTION is on.")
