"""One settings module; every knob comes from the environment (see README, Configuration)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor  # type: ignore[import-untyped]

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


DATA_DIR = Path(os.environ.get("BUUDIEN_DATA_DIR", str(REPO_DIR / "var"))).resolve()
DEBUG = env_bool("DEBUG", False)
# Development mode: the demo and the tests. Production must set BUUDIEN_ENV=production.
PRODUCTION = os.environ.get("BUUDIEN_ENV", "development").lower() == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY chưa được đặt. Ở chế độ production (BUUDIEN_ENV=production) "
            "hãy đặt biến môi trường SECRET_KEY (SECRET_KEY is required in production)."
        )
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "buudien.core",
    "buudien.network",
    "buudien.counter",
    "buudien.plans",
    "buudien.reports",
    "buudien.dossiers",
    "buudien.payouts",
    "buudien.mail",
    "buudien.insurance",
    "buudien.sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, already compressed; pages are compressed on their way
    # out by the next one, after every middleware below has written the body.
    "buudien.core.middleware.StaticFiles",
    "buudien.core.middleware.CompressPages",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "buudien.core.middleware.RejectControlCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "buudien.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "buudien.urls"
WSGI_APPLICATION = "buudien.wsgi.application"

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
                "buudien.core.context.navigation",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'buudien.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or _default_db
DATABASES: dict[str, Any] = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # 64 MB of page cache: a monthly list's indexes stay in memory while it is written.
            " PRAGMA cache_size=-65536;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins are counted per (user name, address) and per address (core.throttle): a
# stranger typing a name cannot lock its owner out elsewhere, and a province office behind one
# NAT address gets a larger budget of its own.
BUUDIEN_LOGIN_FAILURE_LIMIT = int(os.environ.get("BUUDIEN_LOGIN_FAILURE_LIMIT", "5"))
BUUDIEN_LOGIN_ADDRESS_LIMIT = int(os.environ.get("BUUDIEN_LOGIN_ADDRESS_LIMIT", "50"))
BUUDIEN_LOGIN_COOLOFF_MINUTES = float(
    os.environ.get("BUUDIEN_LOGIN_COOLOFF_MINUTES", "")
    or float(os.environ.get("BUUDIEN_LOGIN_COOLOFF_HOURS", "0.25")) * 60
)
# Behind a reverse proxy: the header that carries the client's address (as Django names it,
# e.g. HTTP_X_FORWARDED_FOR) and how many proxies of ours stand in front. Empty: REMOTE_ADDR.
BUUDIEN_PROXY_HEADER = os.environ.get("BUUDIEN_PROXY_HEADER", "")
BUUDIEN_TRUSTED_PROXIES = int(
    os.environ.get("BUUDIEN_TRUSTED_PROXIES", "1" if BUUDIEN_PROXY_HEADER else "0")
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "buudien_lang"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Fingerprinted static files (app.3f2a….css, compressed with gzip and brotli by collectstatic,
# cached for a year) in production and wherever `buudien serve` runs, the demo included: it
# collects them at start. The tests and `runserver` serve the files under their plain names
# from the source tree, so an edited file is seen at once.
STATIC_FINGERPRINTS = env_bool("BUUDIEN_STATIC_FINGERPRINTS", PRODUCTION)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_FINGERPRINTS
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_FINGERPRINTS
# Fonts are read from disk by WeasyPrint and source maps only by a developer's tools: not
# worth compressing at every collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf", "otf", "map")
WHITENOISE_AUTOREFRESH = DEBUG

# Security: secure cookies in production, always HttpOnly / SameSite, CSP, CSRF.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only in production: browsers remember it for a year (HSTS); behind a proxy that ends
# TLS, SECURE_PROXY_SSL_HEADER tells Django the original request was HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
BUUDIEN_PAGE_SIZE = 50
BUUDIEN_MAX_UPLOAD_BYTES = int(os.environ.get("BUUDIEN_MAX_UPLOAD_MB", "10")) * 1024 * 1024

# Each app that has demo data adds its builder here, in dependency order.
BUUDIEN_DEMO_STEPS = [
    "buudien.network.demo.build",
    # Before the counters' years: its premiums go through the ledger's bulk door while the
    # ledger is small, and the counter step's rollups count them with its own entries.
    "buudien.insurance.demo.build",
    "buudien.counter.demo.build",
    "buudien.dossiers.demo.build",
    "buudien.payouts.demo.build",
    "buudien.mail.demo.build",
    "buudien.plans.demo.build",  # its plans follow the outcome of the years before
    "buudien.core.bulk.analyze",  # last: the planner's statistics of the loaded tables
]

# Point mode: how long a one-time enrolment code stays valid, and after how many days
# without contact a point's laptop is shown as silent to its managers.
BUUDIEN_ENROL_HOURS = int(os.environ.get("BUUDIEN_ENROL_HOURS", "24"))
BUUDIEN_SYNC_SILENT_DAYS = int(os.environ.get("BUUDIEN_SYNC_SILENT_DAYS", "3"))
