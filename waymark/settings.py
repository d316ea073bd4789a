"""Waymark settings: one module, configured from the environment.

Every variable is documented in docs/operations.md. `WAYMARK_ENV=production`
switches on the production hardening (secure cookies, HSTS, required secret).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


WAYMARK_ENV = envstr("WAYMARK_ENV", "development")
if WAYMARK_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("WAYMARK_ENV must be 'development' or 'production'")
PRODUCTION = WAYMARK_ENV == "production"

DEBUG = envbool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when WAYMARK_ENV=production")

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when WAYMARK_ENV=production")
    # Development and tests only: a fixed key is harmless because nothing real is stored.
    SECRET_KEY = "development-only-key-never-used-in-production-" + "x" * 20

# Old keys still accepted for signatures while sessions and tokens move to the new one.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Waymark's own switches.
WAYMARK_DEMO = envbool("WAYMARK_DEMO", False)
WAYMARK_REQUIRE_MFA = envbool("WAYMARK_REQUIRE_MFA", not WAYMARK_DEMO)
WAYMARK_SESSION_IDLE_MINUTES = envint("WAYMARK_SESSION_IDLE_MINUTES", 30)
WAYMARK_SESSION_WARNING_SECONDS = envint("WAYMARK_SESSION_WARNING_SECONDS", 120)
WAYMARK_API_TOKEN_DAYS = envint("WAYMARK_API_TOKEN_DAYS", 90)
WAYMARK_PHASE = envstr("WAYMARK_PHASE", "beta")
WAYMARK_BENCH_VIEWS = envbool("WAYMARK_BENCH_VIEWS", False)
if PRODUCTION and WAYMARK_BENCH_VIEWS and not envbool("WAYMARK_BENCH_ALLOWED", False):
    raise ImproperlyConfigured("WAYMARK_BENCH_VIEWS bypasses the access model; never in production")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "waymark.core",
    "waymark.access",
    "waymark.audit",
    "waymark.people",
    "waymark.casework",
    "waymark.outreach",
    "waymark.assessments",
    "waymark.needs",
    "waymark.support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "waymark.core.middleware.RequestContextMiddleware",
    "waymark.core.middleware.IdleTimeoutMiddleware",
    "waymark.core.middleware.RequireMFAMiddleware",
    "waymark.core.middleware.CurrentServiceMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "waymark.urls"
WSGI_APPLICATION = "waymark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "waymark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waymark.core.context_processors.waymark",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids
        # "database is locked" upgrades in the middle of a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    # Each service's compliance score for the month just ended, ready on the 1st.
    "outreach-compliance-monthly": {
        "task": "waymark.outreach.tasks.compute_compliance_scores",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
}

# Email: to tell people who reported someone sleeping rough what happened. Without
# EMAIL_HOST, messages are written to the console (the demo) instead of sent.
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "waymark@localhost")
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Alerts from the public: the area they go to (by name; the only area when empty),
# and how many reports one address, and everyone together, may send.
WAYMARK_ALERT_AREA = envstr("WAYMARK_ALERT_AREA")
WAYMARK_ALERT_RATE = envstr("WAYMARK_ALERT_RATE", "5/hour")
WAYMARK_ALERT_GLOBAL_RATE = envstr("WAYMARK_ALERT_GLOBAL_RATE", "300/hour")
# CHAIN's "living on the streets": at least this many days seen bedded down, the
# first and last this many days apart or more, within the period.
ROUGH_SLEEPING_LIVING_ON_STREETS = {"min_days": 3, "min_span_days": 21}

AUTH_USER_MODEL = "access.User"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out: 5 failures on one username locks it for 15 minutes.
AXES_FAILURE_LIMIT = envint("WAYMARK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("WAYMARK_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_LOCKOUT_CALLABLE = "waymark.access.views_auth.locked_out"

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_FAILURE_VIEW = "waymark.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Map tiles: a URL template ({z}/{x}/{y}) and its attribution. Empty: maps show
# their pins and cells on a plain background (tests never fetch tiles).
MAP_TILE_URL = envstr("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = envstr("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("https://") else ""

# No inline script anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "waymark" / "static",
    BASE_DIR / "build" / "static",  # compiled by `make assets`, not committed
    ("govuk", _NODE / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", _NODE / "htmx.org" / "dist"),
    ("leaflet", _NODE / "leaflet" / "dist"),
    ("markercluster", _NODE / "leaflet.markercluster" / "dist"),
    ("chartjs", _NODE / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders so `make demo` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "waymark.access.authentication.ApiTokenAuthentication",
        "waymark.access.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "waymark.core.errors.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "waymark.core.api.WaymarkAutoSchema",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "waymark.core.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "waymark.core.errors.AnonRateThrottle",
        "waymark.core.errors.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envstr("WAYMARK_API_ANON_RATE", "60/min"),
        "user": envstr("WAYMARK_API_USER_RATE", "1200/min"),
        "login": envstr("WAYMARK_LOGIN_RATE", "30/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Throttles key on REMOTE_ADDR, never a forgeable X-Forwarded-For (see docs/operations.md).
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Waymark API",
    "DESCRIPTION": (
        "The shared record for homelessness services. Every response shows only "
        "what the caller's services may see. Errors share one shape: "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several apps name a field `kind` or `reason`; naming each choice set keeps the
    # schema's enums apart (and `check --deploy` free of warnings).
    "ENUM_NAME_OVERRIDES": {
        "ServiceKindEnum": "waymark.access.constants.ServiceKind",
        "NoteKindEnum": "waymark.casework.models.NoteKind",
        "EndReasonEnum": "waymark.casework.models.EndReason",
        "ImmigrationStatusEnum": "waymark.people.models.ImmigrationStatus",
        "BirthDatePrecisionEnum": "waymark.people.models.BirthDatePrecision",
        "RestrictionEnum": "waymark.access.constants.Restriction",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Lock-out is per username (the rule in docs/operations.md); per-address abuse is
# met by the login rate limit instead, so one shared office address is never locked.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# HSTS preload commits every subdomain of the operator's domain (often a
# council's) to HTTPS in browsers for good; that is their decision
# (SECURE_HSTS_PRELOAD=1), not a default, so its reminder is not a failure.
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
