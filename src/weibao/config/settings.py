"""Weibao settings: every value comes from a WEIBAO_* environment variable.

Each variable is documented in README.md ("Settings"); keep the two in step.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"WEIBAO_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default)).strip()
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"WEIBAO_{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
# Private: it holds the database, uploads, the secret key and backups.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    """Take the key from the environment, else keep one in the data directory.

    Embedded installs get a stable random key without any setup; several machines
    sharing one database must set WEIBAO_SECRET_KEY to the same value.
    """
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Several processes may start at once on a new data directory (a worker and the
        # scheduler): the key is written whole to a private file, then linked into place;
        # whoever links second keeps the first key, and nobody reads a half-written one.
        draft = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Proxies whose X-Real-IP header names the client address in audit rows.
TRUSTED_PROXIES = frozenset(env_list("TRUSTED_PROXIES", "127.0.0.1,::1"))

# Weibao's apps come before Django's so that their templates and translations win
# where both define the same name or message.
INSTALLED_APPS = [
    "weibao.core",
    "weibao.accounts",
    "weibao.notifications",
    "weibao.intake",
    "weibao.catalog",
    "weibao.customers",
    "weibao.sla",
    "weibao.contracts",
    "weibao.knowledge",
    "weibao.announcements",
    "weibao.tickets",
    "weibao.demo",
    "weibao.instance",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "weibao.accounts.middleware.UserLanguageMiddleware",
    "weibao.accounts.security_events.PermissionDeniedAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "weibao.accounts.middleware.SessionTimeoutMiddleware",
    "weibao.accounts.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "weibao.config.urls"
WSGI_APPLICATION = "weibao.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "weibao.core.context_processors.navigation",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, Any]]:
    url = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'weibao.sqlite3'}")
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; FULL makes every
            # acknowledged commit survive a crash; IMMEDIATE takes the write lock
            # at BEGIN so two writers queue instead of failing on lock upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        # Test databases copy a template made with the C.UTF-8 locale so that
        # pg_trgm and collation behave for Chinese as in production.
        template = env("DATABASE_TEST_TEMPLATE")
        if template:
            config["TEST"] = {"TEMPLATE": template}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "weibao.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "weibao.accounts.passwords.PasswordHistoryValidator"},
]
# Password policy, lockout, timeouts and duties (等保 2.0 level 3); see accounts/passwords.py,
# accounts/lockout.py and accounts/middleware.py. Read at call time, so tests may override them.
PASSWORD_CLASSES = env_int("PASSWORD_CLASSES", 3)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 0)
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
TOTP_REQUIRED_FOR_ADMINS = env_bool("TOTP_REQUIRED_FOR_ADMINS")
SEPARATION_OF_DUTIES = env_bool("SEPARATION_OF_DUTIES")
AUTHENTICATION_BACKENDS = ["weibao.accounts.backends.LockoutBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = env_bool("SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: every page loads its code and CSS from our own
# static files, so an injected <script> or style= cannot run (docs/subsystems/instance.md).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if SECURE:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = env("LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "uploads"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "weibao.core.staticfiles.GzipManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Source maps are megabytes each and only a developer's browser asks for them.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "woff", "woff2"),
    "map",
]
MEDIA_ROOT = DATA_DIR / "uploads"
# Uploads are never served by URL (no MEDIA_URL): technical files go out through a
# view that checks the client scope and forces a download.
WHITENOISE_USE_FINDERS = DEBUG

UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_EXTENSIONS = env_list(
    "UPLOAD_EXTENSIONS",
    "pdf,doc,docx,xls,xlsx,ppt,pptx,txt,csv,md,png,jpg,jpeg,gif,zip,7z,tar,gz,log,sql,xml,json,vsd,vsdx",
)
# Service-request numbers: ``date`` is the local day, ``seq`` that day's counter.
TICKET_NUMBER_FORMAT = env("TICKET_NUMBER_FORMAT", "WB-{date:%Y%m%d}-{seq:04d}")
# The share of last week's closed requests drawn for quality callbacks (R7), per client.
CALLBACK_SAMPLE_PERCENT = env_int("CALLBACK_SAMPLE_PERCENT", 10)

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

SMTP_HOST = env("SMTP_HOST")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("SMTP_PORT", 25),
                "username": env("SMTP_USER"),
                "password": env("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_STARTTLS"),
                "use_ssl": env_bool("SMTP_SSL"),
                "timeout": 30,
            },
        }
    }
else:
    # Without a mail server, outgoing mail is written to files an operator can read.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }
DEFAULT_FROM_EMAIL = env("MAIL_FROM", "weibao@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WEB_BIND = env("BIND", "127.0.0.1:8000")
WEB_WORKERS = env_int("WEB_WORKERS", 2)
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 5)

# Audit events are kept this many days; 等保 2.0 level 3 asks for at least six months.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 180:
    raise RuntimeError(
        f"WEIBAO_AUDIT_RETENTION_DAYS must be at least 180 (days audit events are kept), got {AUDIT_RETENTION_DAYS}"
    )


def env_rate(name: str, default: str) -> str:
    """A rate limit such as ``5/hour`` or ``100/10minutes`` (see core.ratelimit.Rate)."""
    raw = env(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]*\s*/\s*[0-9]*\s*(second|minute|hour|day)s?", raw.lower()):
        raise RuntimeError(f"WEIBAO_{name} must be a rate such as 5/hour or 600/minute, got {raw!r}")
    return raw


RATE_LOGIN = env_rate("RATE_LOGIN", "30/minute")
RATE_PASSWORD_RESET = env_rate("RATE_PASSWORD_RESET", "5/hour")
RATE_API_TOKEN = env_rate("RATE_API_TOKEN", "600/minute")
RATE_WEBHOOK = env_rate("RATE_WEBHOOK", "120/minute")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
