"""Hazard Ledger settings: the only settings module. Every value that differs between
deployments comes from the environment (see ``.env.example``)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hazardledger.core.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "hazardledger.core",
    "hazardledger.regions",
    "hazardledger.accounts",
    "hazardledger.access",
    "hazardledger.registry",
    "hazardledger.transfer",
    "hazardledger.audit",
    "hazardledger.hazards",
    "hazardledger.inspections",
    "hazardledger.supervision",
    "hazardledger.risks",
    "hazardledger.notifications",
    "hazardledger.integrity",
    "hazardledger.reporting",
    "hazardledger.reports",
    "hazardledger.responsibility",
    "hazardledger.campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hazardledger.core.middleware.RequestIdMiddleware",
    "hazardledger.core.middleware.RejectControlQueryMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hazardledger" / "templates"],
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

# Database: SQLite under var/ unless DATABASE_URL names another (postgres://… in production).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hazardledger.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet (it is not in git); SQLite creates the file, not the folder.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a writer commits; IMMEDIATE avoids "database is locked"
    # upgrades from read to write locks in the middle of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a throttled login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes, attempts kept in the database). After LOGIN_FAILURE_LIMIT failed
# logins for one account, or from one address, every login for that account or from that address
# is refused, even with the right password, until LOGIN_COOLOFF_MINUTES have passed without a
# further attempt (0: until an administrator unlocks it; see docs/operations.md).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_COOLOFF_MINUTES) if _COOLOFF_MINUTES > 0 else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success must not wipe the failures: it would clear its address's count against other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "hazardledger.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "hazardledger.accounts.lockout.client_ip"
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged
# How many reverse proxies, each appending to X-Forwarded-For, stand in front of the app. 0: the
# client address is the connection's (REMOTE_ADDR) and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package-lock.json); only their dist folders are served.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    (prefix, _NODE / path)
    for prefix, path in [
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/echarts", "echarts/dist"),
    ]
    if (_NODE / path).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Static files are served by WhiteNoise from the finders (no collectstatic needed). The test run
# turns this off (config/testenv.py): every test client builds its own middleware, and indexing
# the ~35,000 files of the front-end packages each time cost about 7 % of a test module's time
# (hazardledger/registry/tests: 34.0 s with, 31.6 s without); its live server serves static
# files through Django's own handler.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads have no public URL: views check scope, then stream the file, or (on) hand it to nginx
# through X-Accel-Redirect to this internal location (docs/operations.md, "Uploaded files").
USE_X_ACCEL_REDIRECT = env_bool("USE_X_ACCEL_REDIRECT", False)
X_ACCEL_REDIRECT_LOCATION = env_str("X_ACCEL_REDIRECT_LOCATION", "/internal-media/")

# Background jobs: the database worker (manage.py db_worker) runs them. "immediate" runs each
# task as it is enqueued, in the same process (the test suite uses it; no worker needed).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if _TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_TASKS_BACKEND], "QUEUES": ["default"]}}

# Email: Django's backends (the console in DEBUG unless EMAIL_BACKEND says otherwise, SMTP
# otherwise), with the server and sender from the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hazard-ledger@localhost")

# Notifications (docs/notifications.md): the address links in emails start with, the class of
# each outbound channel (an SMS gateway plugs in here), and how many single emails a user gets
# in a day before the rest wait for the daily digest.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
NOTIFICATION_CHANNELS = {
    "email": env_str("NOTIFICATION_EMAIL_CHANNEL", "")
    or "hazardledger.notifications.channels.EmailChannel",
    "sms": env_str("NOTIFICATION_SMS_CHANNEL", "")
    or "hazardledger.notifications.channels.LoggingSmsChannel",
}
NOTIFICATION_DAILY_EMAIL_LIMIT = env_int("NOTIFICATION_DAILY_EMAIL_LIMIT", 10)

# Hazard deadlines (days from the date found) when nobody set one, and the regulator's review
# of a major hazard's application to resume (days from the application; coal mines apart).
HAZARD_DEADLINE_DAYS_GENERAL = env_int("HAZARD_DEADLINE_DAYS_GENERAL", 30)
HAZARD_DEADLINE_DAYS_MAJOR = env_int("HAZARD_DEADLINE_DAYS_MAJOR", 90)
HAZARD_REVIEW_DAYS = env_int("HAZARD_REVIEW_DAYS", 10)
HAZARD_REVIEW_DAYS_COAL = env_int("HAZARD_REVIEW_DAYS_COAL", 20)

# Campaigns (docs/campaigns.md): the sectors whose sites are the township's to inspect (属地管理);
# every other sector's sites go to the sector's regulator.
CAMPAIGN_TERRITORIAL_SECTORS = env_list(
    "CAMPAIGN_TERRITORIAL_SECTORS", ["self_built_houses", "crowded_places"]
)
# The escalation of overdue hazards up the chain of responsibility (docs/responsibility.md):
# per sector and grade, the days counted from the deadline on which each step falls due, as
# JSON; empty keeps the defaults of domain.md 0.2.
ESCALATION_SCHEDULE = env_str("ESCALATION_SCHEDULE", "")
# Workers a large tick of the escalation job shares its due rows between, each with its own
# database connection: processes on PostgreSQL (every core works); SQLite writes one at a time.
_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
ESCALATION_WORKERS = env_int("ESCALATION_WORKERS", 1 if _SQLITE else 2)
ESCALATION_PROCESSES = env_bool("ESCALATION_PROCESSES", not _SQLITE)

# Signed checkpoints (docs/integrity.md): the Ed25519 key that signs them, kept outside the
# database (INTEGRITY_SIGNING_KEY_FILE names its file; manage.py integrity_keygen makes one), the
# public keys of the instances whose checkpoints this one imports, this instance's name and the
# region it serves (the checkpoints' scope), and when checkpoints are taken (cron, local time).
INTEGRITY_SIGNING_KEY = env_secret("INTEGRITY_SIGNING_KEY")
INTEGRITY_TRUSTED_KEYS = env_list("INTEGRITY_TRUSTED_KEYS", [])
INTEGRITY_INSTANCE = env_str("INTEGRITY_INSTANCE", "hazardledger")
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", INTEGRITY_INSTANCE):
    raise ImproperlyConfigured("INTEGRITY_INSTANCE: letters, digits, '.', '_' and '-' only")
INTEGRITY_REGION = env_str("INTEGRITY_REGION", "44")
INTEGRITY_CHECKPOINT_CRON = env_str("INTEGRITY_CHECKPOINT_CRON", "0 * * * *")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# Behind a TLS proxy: the header it sets to "https" on secure requests (X-Forwarded-Proto). Only
# set it when the proxy always sets or strips that header; otherwise a client could claim HTTPS.
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "").strip().upper().replace("-", "_")
if _PROXY_SSL_HEADER:
    _PROXY_SSL_HEADER = _PROXY_SSL_HEADER.removeprefix("HTTP_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_PROXY_SSL_HEADER}", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline;
# inline style attributes stay allowed (templates use a few). data: and blob: images are the
# photo previews and signatures the inspection page draws.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Largest spreadsheet accepted for import, in bytes.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Largest sheet accepted for import, checked before it is read (hazardledger/transfer/bounds.py):
# rows and columns counted from A1, their product, and what an xlsx or ods may unpack to.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 5_000_000)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
# Largest picture accepted (evidence, quick reports, inspection photos, signatures, risk
# photos): checked from its header before it is decoded (hazardledger/core/images.py).
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000)
IMAGE_MAX_SIDE = env_int("IMAGE_MAX_SIDE", 16_384)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-tasks logs every task's start and end at INFO: one pair per outbox event, thousands
    # after an import. Failures (ERROR, with the traceback) still show.
    "loggers": {"django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")}},
}
