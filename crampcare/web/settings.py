"""Django settings, read from the environment (see docs/api.md, "Settings").

Importing this module reads variables and files; it creates nothing. ``crampcare serve`` creates
the data directory, the SQLite database and the secret key on first run.
"""

from __future__ import annotations

import os

from crampcare.web import config

DATA_DIR = config.data_dir()
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or None
DEBUG = config.env_bool("CRAMPCARE_DEBUG", False)
SECRET_KEY = config.secret_key(DATA_DIR)
ALLOWED_HOSTS = config.env_list("CRAMPCARE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CRAMPCARE_CSRF_TRUSTED_ORIGINS", [])
TIME_ZONE = config.env_str("CRAMPCARE_TIME_ZONE", "UTC") or "UTC"

DATABASES = {"default": config.database(DATABASE_URL, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crampcare.records",
    "crampcare.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crampcare.web.middleware.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "crampcare.web.urls"
WSGI_APPLICATION = "crampcare.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]
STATIC_URL = "/static/"
STATIC_ROOT = None  # served from the package by WhiteNoise; no collectstatic step
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve the package's static files without collectstatic
WHITENOISE_AUTOREFRESH = DEBUG

# --- accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "records.User"
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
    {"NAME": "crampcare.clinic.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
# sign-in throttle (crampcare/clinic/throttle.py, docs/design.md): failures of one account, and
# of one address, before each next attempt waits; the wait doubles from 1 s up to the cap; the
# counts restart after a quiet window; failed sign-ins are kept as evidence for KEEP_DAYS
LOGIN_MAX_FAILURES = config.env_int("CRAMPCARE_LOGIN_MAX_FAILURES", 5, low=1, high=1000)
LOGIN_ADDRESS_MAX_FAILURES = config.env_int(
    "CRAMPCARE_LOGIN_ADDRESS_MAX_FAILURES", 20, low=1, high=100000
)
LOGIN_DELAY_MAX_SECONDS = config.env_int("CRAMPCARE_LOGIN_DELAY_MAX_SECONDS", 60, low=1, high=3600)
LOGIN_WINDOW_SECONDS = config.env_int("CRAMPCARE_LOGIN_WINDOW_SECONDS", 900, low=60, high=86400)
LOGIN_FAILURE_KEEP_DAYS = config.env_int("CRAMPCARE_LOGIN_FAILURE_KEEP_DAYS", 90, low=1, high=3650)
# behind a reverse proxy: the header it writes the client's address in, and how many of your
# proxies append to it (crampcare/web/client.py); empty: the connection's address
TRUSTED_PROXY_HEADER = config.env_str("CRAMPCARE_TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_HOPS = config.env_int("CRAMPCARE_TRUSTED_PROXY_HOPS", 1, low=1, high=10)
INVITATION_DAYS = config.env_int("CRAMPCARE_INVITATION_DAYS", 7, low=1, high=90)
API_TOKEN_DAYS = config.env_int("CRAMPCARE_API_TOKEN_DAYS", 30, low=1, high=3650)
# how many seconds one minute of the retention window lasts on the session page's timer: 60,
# lower only in tests (the browser suite), and the page then says "Test clock"
TIMER_MINUTE_SECONDS = config.env_int("CRAMPCARE_TIMER_MINUTE_SECONDS", 60, low=1, high=60)
# the patient's cramp diary: how long a new link lasts; wrong links per address and window
DIARY_LINK_DAYS = config.env_int("CRAMPCARE_DIARY_LINK_DAYS", 90, low=1, high=366)
DIARY_GUESS_MAX = config.env_int("CRAMPCARE_DIARY_GUESS_MAX", 20, low=1, high=10000)
DIARY_GUESS_WINDOW_SECONDS = config.env_int(
    "CRAMPCARE_DIARY_GUESS_WINDOW_SECONDS", 600, low=1, high=86400
)

# the audit log's signed checkpoints (docs/audit.md): the Ed25519 key (made on first use, 0600;
# its public half beside it as <file>.pub), the checkpoint file, and how often `serve` writes one
AUDIT_KEY_FILE = config.env_str("CRAMPCARE_AUDIT_KEY_FILE", "") or str(DATA_DIR / "audit_key.pem")
AUDIT_CHECKPOINT_FILE = config.env_str("CRAMPCARE_AUDIT_CHECKPOINT_FILE", "") or str(
    DATA_DIR / "audit_checkpoints.jsonl"
)
AUDIT_CHECKPOINT_MINUTES = config.env_int(
    "CRAMPCARE_AUDIT_CHECKPOINT_MINUTES", 60, low=0, high=7 * 24 * 60
)

# backups (docs/backups.md): where `crampcare backup` and the schedule write them; the schedule
# ("" off, "daily HH:MM", or every N minutes) and how many the schedule keeps
BACKUP_DIR = config.env_str("CRAMPCARE_BACKUP_DIR", "") or str(DATA_DIR / "backups")
BACKUP_SCHEDULE = config.env_str("CRAMPCARE_BACKUP_SCHEDULE", "")
BACKUP_KEEP_DAILY = config.env_int("CRAMPCARE_BACKUP_KEEP_DAILY", 7, low=1, high=3650)
BACKUP_KEEP_WEEKLY = config.env_int("CRAMPCARE_BACKUP_KEEP_WEEKLY", 4, low=0, high=520)

# --- sessions, cookies, headers ------------------------------------------------------------
SECURE_COOKIES = config.env_bool("CRAMPCARE_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = config.env_int("CRAMPCARE_SESSION_SECONDS", 8 * 3600, low=300, high=30 * 86400)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "crampcare.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = config.env_int("CRAMPCARE_HSTS_SECONDS", 0, low=0, high=2 * 365 * 86400)
SECURE_SSL_REDIRECT = config.env_bool("CRAMPCARE_SSL_REDIRECT", False)
if config.env_bool("CRAMPCARE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # an intake is a few kB

USE_TZ = True
USE_I18N = False
LANGUAGE_CODE = "en"

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # a diary link's token never reaches a log (crampcare/web/redact.py)
    "filters": {"diary": {"()": "crampcare.web.redact.RedactDiaryTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["diary"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["diary"],
        },
        "django.server": {  # the development server's request lines
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["diary"],
        },
        "django.security.csrf": {"filters": ["diary"]},
        "crampcare": {"handlers": ["console"], "level": "INFO"},
    },
}
