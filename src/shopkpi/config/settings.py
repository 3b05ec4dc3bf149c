"""Django settings of shopkpi.

The embedded default is SQLite under the home directory; SHOPKPI_DATABASE_URL (e.g.
postgres://user@127.0.0.1:5432/shopkpi) selects another database. Every setting a user can
give is read from the environment here and documented in docs/en/admin.md.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF

from shopkpi.config.home import home_dir, secret_key
from shopkpi.config.upload_limits import upload_limits
from shopkpi.data.imports.file_sandbox import limits_from_environment
from shopkpi.data.warehouse.batch_store import open_store

HOME = home_dir()
SRC = Path(__file__).resolve().parent.parent

SECRET_KEY = secret_key(HOME)
SHOPKPI_COMPANY_NAME = os.environ.get("SHOPKPI_COMPANY_NAME", "")  # printed on exported scorecards
DEBUG = os.environ.get("SHOPKPI_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("SHOPKPI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SHOPKPI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


def _networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses and CIDR networks; a wrong entry stops the start, named."""
    networks = []
    for item in (item.strip() for item in os.environ.get(setting, "").split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(
                f"{setting}: {item!r} is not an address or a network like 10.0.0.0/24 ({error})"
            ) from None
    return networks


# the reverse proxies whose X-Forwarded-For names the client (for login throttling); nobody else's is read
SHOPKPI_TRUSTED_PROXIES = _networks("SHOPKPI_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shopkpi.appraisal",
    "shopkpi.web",
    "django_q",  # the job queue (django-q2) on the application database; `shopkpi worker` runs it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shopkpi.web.no_store.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shopkpi.web.language.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shopkpi.web.password_required.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "shopkpi.config.urls"
WSGI_APPLICATION = "shopkpi.config.wsgi.application"

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
                "shopkpi.web.pages.common.navigation.nav_links",
            ],
        },
    },
]

_DEFAULT_DATABASE = f"sqlite:///{HOME / 'shopkpi.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SHOPKPI_DATABASE_URL") or _DEFAULT_DATABASE, conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for a writer instead of failing at once, and run writes in immediate transactions
    # write-ahead log: readers never wait for the writer, and a commit needs no full fsync of the database
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "shopkpi.appraisal.accounts.password_rules.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# the password checked as Django does; deactivated logins and leavers refused with a reason, their sessions ended
AUTHENTICATION_BACKENDS = ["shopkpi.appraisal.accounts.login_backend.LoginBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.environ.get("SHOPKPI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# one catalogue per area of the pages (locale/<area>/en/LC_MESSAGES/django.po); Django merges them
LOCALE_PATHS = sorted(path for path in (SRC / "locale").iterdir() if path.is_dir())

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# front-end packages come from npm (package.json, installed by `make setup`), never from a CDN
NODE_MODULES = Path(os.environ.get("SHOPKPI_NODE_MODULES") or SRC.parent.parent / "node_modules")
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = True  # serve straight from the app and npm folders; no collectstatic step

# uploads: a file over its dataset's limit (SHOPKPI_UPLOAD_MAX_MB, SHOPKPI_UPLOAD_MAX_MB_<DATASET>) is
# refused on the page, and skipped as it arrives once over the largest (web.upload_limits.UploadCap);
# files from 2.5 MB go to a temporary file, never memory; a form's other fields stay under 2.5 MB
UPLOAD_LIMITS = upload_limits(os.environ)
FILE_UPLOAD_HANDLERS = [
    "shopkpi.web.upload_limits.UploadCap",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# how an uploaded file is read (its own process, memory/time/output limits): checked here at start
IMPORT_LIMITS = limits_from_environment(os.environ)
# where the warehouse keeps its batch files (SHOPKPI_STORE_URL, SHOPKPI_STORE_ENDPOINT): a folder, or
# S3-compatible object storage; checked here at start (a wrong one stops it, named)
open_store(HOME)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"


def _whole(setting: str, default: int, minimum: int = 0) -> int:
    text = os.environ.get(setting, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < minimum:
        raise ValueError(f"{setting}: {text!r} is not a whole number of at least {minimum}")
    return int(text)


def _proxy_ssl_header(setting: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto: https` -> ("HTTP_X_FORWARDED_PROTO", "https"): what the proxy sets on HTTPS requests."""
    text = os.environ.get(setting, "").strip()
    if not text:
        return None
    name, colon, value = text.partition(":")
    if not colon or not name.strip() or not value.strip():
        raise ValueError(f"{setting}: {text!r} is not a header and its value like 'X-Forwarded-Proto: https'")
    return "HTTP_" + name.strip().upper().replace("-", "_"), value.strip()


# Production behind a TLS-terminating proxy (docs/en/admin.md, "Production"); the defaults suit a trial on
# http://127.0.0.1. Sessions last SHOPKPI_SESSION_HOURS from login, not Django's two weeks.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("SHOPKPI_SECURE_COOKIES", "") == "1"
SECURE_HSTS_SECONDS = _whole("SHOPKPI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # the subdomains of the host serving shopkpi, not its parent domain
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header("SHOPKPI_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = SECURE_PROXY_SSL_HEADER is not None  # only when a plain-HTTP request can be told apart
SESSION_COOKIE_AGE = _whole("SHOPKPI_SESSION_HOURS", 12, minimum=1) * 3600
# Content-Security-Policy (django-csp): scripts only from the application's own files (static/shopkpi,
# the npm packages), never inline; inline styles stay allowed, as ECharts' tooltips and HTMX's indicator
# write them and CSS cannot run code
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# HSTS preload is for a domain submitted to the browsers' list, which a company's KPI host is not
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# notices (docs/en/admin.md, "Notices"): e-mail through Django's mail, configured by one URL
# (smtp://user:password@host:port, smtp+tls://…, smtp+ssl://…, console:// to print them); without it no
# e-mail is sent. Group robots of 企业微信, 钉钉 and 飞书: one company robot each (the settings page can set
# them too; these win), 钉钉 and 飞书 with their signing secret.
SHOPKPI_EMAIL_URL = os.environ.get("SHOPKPI_EMAIL_URL", "").strip()
if SHOPKPI_EMAIL_URL:
    globals().update(dj_email_url.parse(SHOPKPI_EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("SHOPKPI_EMAIL_FROM", "shopkpi@localhost")
EMAIL_TIMEOUT = 10
SHOPKPI_ROBOTS = {
    "wecom": (os.environ.get("SHOPKPI_WECOM_WEBHOOK", "").strip(), ""),
    "dingtalk": (
        os.environ.get("SHOPKPI_DINGTALK_WEBHOOK", "").strip(),
        os.environ.get("SHOPKPI_DINGTALK_SECRET", "").strip(),
    ),
    "feishu": (
        os.environ.get("SHOPKPI_FEISHU_WEBHOOK", "").strip(),
        os.environ.get("SHOPKPI_FEISHU_SECRET", "").strip(),
    ),
}
SHOPKPI_REMIND_DAYS = _whole("SHOPKPI_REMIND_DAYS", 2)

# jobs (docs/en/admin.md, "Several servers"): django-q2 with its ORM broker, so the queue is a table of the
# application database (SQLite or PostgreSQL; no other server). A job runs at most SHOPKPI_JOB_TIMEOUT
# seconds; one whose worker died is handed to a worker again once that time (and half a minute) has passed
SHOPKPI_JOB_TIMEOUT = _whole("SHOPKPI_JOB_TIMEOUT", 3600, minimum=5)
Q_CLUSTER = {
    "name": "shopkpi",
    "orm": "default",
    "workers": 2,  # `shopkpi worker --processes N`
    "timeout": SHOPKPI_JOB_TIMEOUT,
    "retry": SHOPKPI_JOB_TIMEOUT + 30,
    "poll": 1,
    "catch_up": False,
    "save_limit": 200,
    "ack_failures": True,
    "label": "jobs",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHOPKPI_LOG_LEVEL", "WARNING")},
}
