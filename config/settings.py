"""One settings module for every deployment; each choice comes from the environment.

The variables are listed in README.md. Development defaults apply only when
DJANGO_DEBUG=true is given explicitly (``make run`` does so).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_choice, env_int, env_list, env_month_days, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", None)
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "development-only-key-never-used-with-debug-off-" + "x" * 20

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else None
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")

# Behind TLS in production; off for the local server and the test client.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "core.apps.SimpleHistoryConfig",
    # Admin sign-in hardening: lockout after repeated failures, TOTP second factor;
    # their app configs in staffauth name them in Japanese for admin.
    "staffauth.apps.AxesConfig",
    "staffauth.apps.OTPConfig",
    "staffauth.apps.TOTPConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "core",
    "portal",
    "bureaus",
    "applications",
    "staffauth",
]

MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Whitenoise directly after SecurityMiddleware, as its documentation places it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # The load balancer's probes leave here, before anything that could read the
    # cache, the session or check the Host header (core.health).
    "core.health.ProbeMiddleware",
    # Before anything that could pass the address to a query (core.guard); after the
    # CSP, so that its 400 page carries the policy too.
    "core.guard.RefuseNulMiddleware",
    # Stored public pages leave here, past the middleware below (core.pages).
    "core.pages.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified once a TOTP code was given in this session;
    # staffauth then keeps unverified staff out of admin (STAFF_OTP_REQUIRED).
    "django_otp.middleware.OTPMiddleware",
    "staffauth.middleware.StaffOTPMiddleware",
    "staffauth.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records which staff account made each change, for the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view that meets the database unreachable answers the friendly 503; so does
    # a middleware, through handler500 (core.database).
    "core.database.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
            # Every page that shows content marks Japanese left untranslated on an
            # English page (in_its_language), so the filters need no {% load %}.
            "builtins": ["core.templatetags.languages"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = env_str("DATABASE_URL", None)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=60,
            # A connection the database dropped is replaced, not reused: service
            # resumes by itself when the database returns.
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend behind the breaker of core/database.py: after a failed
        # connect, this process answers 503 at once for DATABASE_RETRY_SECONDS.
        DATABASES["default"]["ENGINE"] = "core.backends.postgresql"
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # An unreachable server fails a request in seconds, not minutes.
        options["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=1, maximum=60)
        # A connection whose server went silent (a dead host, a lost route, a
        # firewall that forgot it) is cut within seconds instead of holding a
        # worker until gunicorn kills it: tcp_user_timeout while data it sent goes
        # unacknowledged, keepalives while it waits for an answer.
        options["keepalives"] = 1
        options["keepalives_idle"] = env_int("DATABASE_KEEPALIVE_IDLE", 5, minimum=1, maximum=3600)
        options["keepalives_interval"] = env_int(
            "DATABASE_KEEPALIVE_INTERVAL", 1, minimum=1, maximum=600
        )
        options["keepalives_count"] = env_int("DATABASE_KEEPALIVE_COUNT", 3, minimum=1, maximum=60)
        options["tcp_user_timeout"] = 1000 * env_int(
            "DATABASE_TCP_USER_TIMEOUT", 5, minimum=1, maximum=600
        )
        # The server cancels a runaway query. Off by default; config/gunicorn.py sets
        # it for the web workers below their timeout, so that a worker answers
        # rather than being killed with its query still running. Commands (migrate,
        # the outbox worker) keep no limit unless given one.
        statement_timeout = env_int("DATABASE_STATEMENT_TIMEOUT", 0, minimum=0, maximum=86400)
        if statement_timeout:
            options["options"] = " ".join(
                filter(None, [options.get("options"), f"-c statement_timeout={statement_timeout}s"])
            )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    }

# After a failed connect to PostgreSQL, each process answers 503 at once this long,
# trying again in the background (core/database.py). 0 turns it off.
DATABASE_RETRY_SECONDS = env_int("DATABASE_RETRY_SECONDS", 5, minimum=0, maximum=300)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin sign-in. Axes' backend comes first so that a locked-out username and
# address are refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted per username *and* client address: one address guessing
# at many accounts, or many addresses at one, cannot lock out a colleague elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 60, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page is drawn in the admin's frame, in Japanese (status 429).
AXES_LOCKOUT_CALLABLE = "staffauth.views.lockout"
# The client's address behind a load balancer too (TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"
# Every staff account must give a TOTP code after its password before any admin
# page. On by default wherever the site is served over HTTPS (production); the
# local server and the test client run over plain HTTP and leave it off.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", HTTPS)
OTP_TOTP_ISSUER = "東京都 交流受入ポータル"
# The device admin shows HR who has a device, never the secret itself.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A signed-in session ends after this much inactivity: each request renews it.
# Only signed-in sessions: a visitor's shortlist keeps Django's two weeks, and
# public pages are spared a session write per request.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 1800, minimum=60)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves files collected by `collectstatic`, compressed and fingerprinted.
# Development and tests serve them straight from static/, with no build step.
COLLECTED_STATIC = env_bool("DJANGO_COLLECTED_STATIC", not DEBUG)
if COLLECTED_STATIC:
    STATIC_ROOT = BASE_DIR / "staticfiles"
    STATICFILES_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"
else:
    STATICFILES_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
    WHITENOISE_USE_FINDERS = True
# Files served at the site root: /favicon.ico, which browsers request whatever a page links.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Django 6.1's MAILERS replaces the EMAIL_* settings; the environment keeps the
# familiar variable names. Only the outbox worker sends mail (send_notifications).
EMAIL_DELIVERY = env_choice("EMAIL_DELIVERY", ["smtp", "console", "file"], "smtp")
if EMAIL_DELIVERY == "smtp":
    smtp_timeout = env_int("EMAIL_TIMEOUT", 5, minimum=1, maximum=120)
    MAILERS = {
        "default": {
            # Django's SMTP backend with an overall deadline per call (core.mailer).
            "BACKEND": "core.mailer.DeadlineSMTPBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                # Each socket operation; a trickling server is stopped by the deadline.
                "timeout": smtp_timeout,
                "deadline": env_int("EMAIL_DEADLINE", 30, minimum=smtp_timeout, maximum=600),
            },
        }
    }
elif EMAIL_DELIVERY == "console":
    # Development: each mail is printed by the worker (make run).
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Development: each mail is written to a file under EMAIL_FILE_PATH.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))},
        }
    }
# A mail still not sent after this many attempts (with growing pauses: 1 minute,
# 2, 4 … at most 6 hours apart) fails for good, and the central window is told.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12, minimum=1, maximum=50)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@kouryu.metro.tokyo.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Styles and scripts come only from this origin: no inline code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Load balancers and monitoring probe over plain HTTP (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/((live|ready)/?)?$"]
# The outbox is unhealthy (in /health/ only) when a mail has waited this long.
HEALTH_MAX_OUTBOX_AGE_SECONDS = env_int("HEALTH_MAX_OUTBOX_AGE_SECONDS", 900, minimum=60)
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only trusted when a TLS-terminating proxy sets the header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For (config/client.py): behind a
# load balancer, REMOTE_ADDR is the balancer's, shared by every visitor, and the
# submission limit and the login lockout would count them all as one.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 1 if BEHIND_PROXY else 0, minimum=0, maximum=5)

# Error reports (the DEBUG page) hide every secret setting, URLs with passwords included.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.observability.SecretSettingsFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "core.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
# Cache: Redis when REDIS_URL is set (shared by every app server), else per process.
REDIS_URL = env_str("REDIS_URL", None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kouryu",
            # A slow or absent Redis must cost a page little more than a miss.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    CACHES["pages"] = CACHES["default"]
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Stored pages apart: a flood of distinct URLs evicts other pages, never the
        # submission limit's counters or the content revision.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
    }
# After a failed call, each process leaves Redis alone this long (config/cache.py).
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5, minimum=0, maximum=300)
# Rendered public pages are kept this long per content revision (0 turns it off;
# off by default under `make run`, where a template edit changes no revision);
# browsers and a CDN may reuse them for PAGE_MAX_AGE_SECONDS before revalidating.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600, minimum=0, maximum=86400)
PAGE_MAX_AGE_SECONDS = env_int("PAGE_MAX_AGE_SECONDS", 60, minimum=0, maximum=86400)
# Names the deployment in stored pages and ETags (a git commit, say), so that no
# page made by an earlier release is served by this one; by default, a digest of
# the code, templates, translations and static manifest (config/release.py).
RELEASE_ID = env_str("RELEASE_ID", "")
# How long an app server trusts its cached content revision. Every edit clears
# it in the shared cache (Redis), so this only bounds staleness for per-process
# caches; keep it short.
REVISION_CACHE_SECONDS = env_int("REVISION_CACHE_SECONDS", 2, minimum=0, maximum=60)

# The address staff reach the admin at; mails to bureaus link to it.
SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000")

# Pre-consultation spam guards: a form sent faster than this is refused (people
# need longer), and each client address may send this many requests an hour.
CONSULTATION_MIN_FILL_SECONDS = env_int("CONSULTATION_MIN_FILL_SECONDS", 3, minimum=0, maximum=600)
CONSULTATION_SUBMISSIONS_PER_HOUR = env_int(
    "CONSULTATION_SUBMISSIONS_PER_HOUR", 5, minimum=1, maximum=1000
)
# Step-1 POSTs (the form checked and its draft kept) one client address may make an
# hour: people correct a form a few times, a script thousands.
CONSULTATION_DRAFTS_PER_HOUR = env_int("CONSULTATION_DRAFTS_PER_HOUR", 60, minimum=1, maximum=10000)
# A form left open longer than this must be sent again (its fill-time token expires).
CONSULTATION_FORM_VALID_HOURS = env_int("CONSULTATION_FORM_VALID_HOURS", 24, minimum=1, maximum=168)

# Working days are Monday to Friday, less Japan's national holidays (jpholiday) and
# these days of every year, when the metropolitan offices are closed: by default
# the year-end closure, 29 December to 3 January.
INQUIRY_CLOSED_DAYS = env_month_days("INQUIRY_CLOSED_DAYS", "12-29..01-03")
# Each bureau is asked to answer a new request within this many working days.
INQUIRY_REPLY_BUSINESS_DAYS = env_int("INQUIRY_REPLY_BUSINESS_DAYS", 5, minimum=1, maximum=60)
# manage.py remind_overdue tells HR about a request still open this many working
# days after its bureau was reminded of the passed reply-by date.
INQUIRY_ESCALATE_AFTER_DAYS = env_int("INQUIRY_ESCALATE_AFTER_DAYS", 3, minimum=1, maximum=60)
# manage.py purge_inquiries anonymises a request this many days after its last
# bureau closed it; the anonymous counts stay.
INQUIRY_RETENTION_DAYS = env_int("INQUIRY_RETENTION_DAYS", 365, minimum=1, maximum=3650)

# The public statistics show a group of pre-consultation requests only when it has
# at least this many, so that no company can be picked out of a small count.
STATISTICS_MIN_COUNT = env_int("STATISTICS_MIN_COUNT", 5, minimum=1, maximum=1000)

# A duty's bureau is asked to confirm its text again this many months after it
# last did (manage.py remind_review; the admin's 要確認 flag).
REVIEW_INTERVAL_MONTHS = env_int("REVIEW_INTERVAL_MONTHS", 12, minimum=1, maximum=120)
