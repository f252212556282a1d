"""Django settings for the stromalab study application, and the ONE place that reads the
``STROMALAB_*`` environment variables: every other module reads ``django.conf.settings.X``
(``tests/web/test_architecture.py`` holds the rule). The pure-Python core reads no environment;
the non-Django CLI commands read the one variable they need in :mod:`stromalab.commands.environment`.

================================= ================================ ==========================================
Variable                          Default                          Meaning (setting read by the code)
================================= ================================ ==========================================
``STROMALAB_DATABASE_URL``        SQLite ``var/stromalab.sqlite3`` database (dj-database-url syntax); production
                                                                   ``postgres://user:password@host:5432/stromalab``
``STROMALAB_SECRET_KEY``          generated into                   Django ``SECRET_KEY``; keep it outside version
                                  ``VAR_DIR/secret_key`` (0600)    control
``STROMALAB_VAR_DIR``             ``var/`` (git-ignored)           ``VAR_DIR``: run-time state (SQLite file,
                                                                   secret key, demo warehouse)
``STROMALAB_DEBUG``               off                              ``1``: Django debug pages (never in production)
``STROMALAB_ALLOWED_HOSTS``       ``127.0.0.1,localhost,           comma-separated host names
                                  testserver``
``STROMALAB_SESSION_SECONDS``     ``1800``                         idle session lifetime (``SESSION_COOKIE_AGE``;
                                                                   extended at most once a minute)
``STROMALAB_LOCKOUT_THRESHOLD``   ``5``                            consecutive failed logins or signature
                                                                   passwords that lock an account
``STROMALAB_TIME_ZONE``           ``Europe/Paris``                 the site's IANA time zone: times are stored in
                                                                   UTC and shown in it, the zone named
``STROMALAB_SECURE_COOKIES``      off                              ``1`` behind HTTPS (secure session/CSRF cookies)
``STROMALAB_PROTOCOL``            ``NCT05947682``                  the study's protocol (bootstrap, pages)
``STROMALAB_PROTOCOLS``           the repository's ``protocols/``  folder holding the protocol folders (handed to
                                                                   :func:`stromalab.core.protocol.set_protocols_root`)
``STROMALAB_MEDIA_DIR``           ``VAR_DIR/media``                uploaded FCS files (written once)
``STROMALAB_WAREHOUSES``          empty (``demo`` only)            ``name=location;...`` OMOP sources offered
                                                                   by the pre-screening pages
``STROMALAB_FIN``                 ``G1234`` (a test FIN)           ISBT 128 facility identification number of
                                                                   the DINs (set the unit's own, from ICCBBA)
``STROMALAB_PRODUCT_CODE``        ``S1234`` (a test code)          ISBT 128 product code on each container
``STROMALAB_SHELF_LIFE_DAYS``     ``365``                          expiry of frozen containers (int, days)
``STROMALAB_TEST_DATABASE_NAME``  ``test_stromalab_<pid>``         PostgreSQL test database (``tools/test.sh``)
``STROMALAB_PROXY_SSL_HEADER``    off                              ``1``: trust the proxy's ``X-Forwarded-Proto``
``STROMALAB_SSL_REDIRECT``        off                              ``1``: redirect plain HTTP to HTTPS
``STROMALAB_CSRF_TRUSTED_ORIGINS`` empty                           ``https://host,...`` served by the proxy
``STROMALAB_HSTS_SECONDS``        ``0``                            ``SECURE_HSTS_SECONDS`` (HTTPS only, e.g.
                                                                   31536000 once HTTPS is settled)
``STROMALAB_HSTS_INCLUDE_SUBDOMAINS`` off                          ``1``: HSTS for the sub-domains too
``STROMALAB_REQUEST_LOG_LEVEL``   ``INFO``                         ``WARNING`` silences the per-request lines
``STROMALAB_DB_CONN_MAX_AGE``     ``0``                            seconds a database connection is kept for the
                                                                   next request (``CONN_MAX_AGE``; production: 60)
``STROMALAB_DB_PREPARED``         ``1``                            PostgreSQL: ``0`` prepares no statement on the
                                                                   server (behind a transaction-mode pooler)
``STROMALAB_CACHE``               ``memory`` (``files`` under      ``files``: the cache in ``VAR_DIR/cache``, shared
                                  ``stromalab serve``)             by the server's worker processes
``STROMALAB_AUDIT_CHECKPOINTS``   ``VAR_DIR/audit-checkpoints.jsonl`` signed checkpoints of the audit chain's head,
                                                                   outside the database (keep on another disk)
``STROMALAB_AUDIT_CHECKPOINT_EVERY`` ``100``                       a checkpoint after every N audit events
``STROMALAB_AUDIT_KEY``           derived from the secret key      HMAC key of the checkpoints; never in the database
================================= ================================ ==========================================

Adding an app: append its dotted path to ``STROMALAB_APPS`` below and its URLs to
``stromalab/web/urls.py`` (``APP_URLS``), and its API router to ``stromalab/web/api.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

WEB_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("STROMALAB_VAR_DIR", "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("STROMALAB_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("STROMALAB_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("STROMALAB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

#: The study apps, in dependency order. Later apps (manufacturing, quality, warehouse) append here.
STROMALAB_APPS = [
    "stromalab.web.accounts",
    "stromalab.web.audit",
    "stromalab.web.donors",
    "stromalab.web.screening",
    "stromalab.web.dashboard",
    "stromalab.web.manufacturing",
    "stromalab.web.quality",
    "stromalab.web.safety",  # donor testing windows, adverse events
    "stromalab.web.materials",  # lots, instruments, CAPA
    "stromalab.web.warehouse",
    "stromalab.web.submissions",  # exactly-once form posts and API calls
    "stromalab.web.registry",  # public study pages: the registry record, no login
    "stromalab.web.shipping",  # released containers shipped to the clinical sites
    "stromalab.web.exports",  # FHIR and ODM exports, each audited
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI assets are served from the package (no CDN: /api/docs works offline)
    *STROMALAB_APPS,
]

MIDDLEWARE = [
    "stromalab.web.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "stromalab.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stromalab.web.accounts.session_activity.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stromalab.web.accounts.middleware.PasswordChangeRequiredMiddleware",
    # after CSRF, authentication and messages: claims a form's submission token before its view
    "stromalab.web.submissions.middleware.SubmissionMiddleware",
]

ROOT_URLCONF = "stromalab.web.urls"
WSGI_APPLICATION = "stromalab.web.wsgi.application"

# the pages: Jinja2 templates in each app's jinja2/ folder, read as Django's language read them
# (web/templating.py); the request, the CSRF input and these processors' values in every page
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [WEB_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "stromalab.web.templating.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stromalab.web.accounts.context_processors.stromalab",
            ],
        },
    },
    # the installed packages' own Django templates (django-ninja's API documentation page)
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True},
]
# form fields through Django's own Jinja2 copies of its widget templates: the same HTML (blank
# lines aside) in about two thirds of the time on the form pages (screening form, QC entry, trail filter)
FORM_RENDERER = "django.forms.renderers.Jinja2"

# --- database -------------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'stromalab.sqlite3'}"
_db_url = os.environ.get("STROMALAB_DATABASE_URL", _default_sqlite)
# persistent connections (seconds; production: 60) save 3-7 ms of connection set-up per request
# on PostgreSQL; checked before reuse, so a restarted server costs one failed check, not an error
_db = dj_database_url.parse(_db_url, conn_max_age=int(os.environ.get("STROMALAB_DB_CONN_MAX_AGE") or "0"),
                            conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db_url == _default_sqlite:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    # BEGIN IMMEDIATE: every transaction takes the write lock up front, so read-then-write
    # sequences (pseudonym counter, enrollment slots, audit chain head) are serialized, and a
    # waiting writer blocks up to ``timeout`` seconds instead of failing.
    _db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    # A file (not :memory:) so that threads and the live server share the test database.
    _db["TEST"] = {"NAME": str(Path(os.environ.get("TMPDIR", "/tmp")) / f"test_stromalab_{os.getpid()}.sqlite3")}
else:
    # Parameters bound by the server, and a statement run five times on a connection prepared
    # there (psycopg's threshold): the pages repeat the same few dozen queries, which PostgreSQL
    # then neither parses nor plans again (a quarter less of its CPU over the busiest pages, more
    # than half on the quality pages, docs/performance.md). A kept connection (CONN_MAX_AGE)
    # keeps its statements; the service is stopped while migrating (docs/deploy.md), so none
    # outlives the tables it reads. A transaction-mode pooler hands a session's statements to
    # another: STROMALAB_DB_PREPARED=0.
    _prepared = os.environ.get("STROMALAB_DB_PREPARED", "1") != "0"
    _db["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5 if _prepared else None}
    # One database per run, named by the runner (tools/test.sh drops it even when a live
    # server thread kept a connection open at teardown) or by the test process.
    _db["TEST"] = {"NAME": os.environ.get("STROMALAB_TEST_DATABASE_NAME") or f"test_stromalab_{os.getpid()}"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
# Holds the dashboard's figures with the audit version they were counted at
# (web/dashboard/freshness.py): exact whatever the backend; and a copy of the sessions (below).
# Under gunicorn each worker is a process with its own memory, so a folder the workers share makes
# one of them, not each, count the figures again after a change (docs/performance.md).
_cache = os.environ.get("STROMALAB_CACHE", "memory")
if _cache not in ("memory", "files"):
    raise ImproperlyConfigured(f"STROMALAB_CACHE must be 'memory' or 'files', not {_cache!r}")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(VAR_DIR / "cache")} if _cache == "files" else
          {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# a request that changed the study counts the dashboard's figures after its response is sent, so
# that the next dashboard finds them ready (web/dashboard/precount.py): only when workers share them
STROMALAB_COUNT_AFTER_CHANGE = _cache == "files"

# --- accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["stromalab.web.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
STROMALAB_LOCKOUT_THRESHOLD = int(os.environ.get("STROMALAB_LOCKOUT_THRESHOLD", "5"))

SESSION_COOKIE_AGE = int(os.environ.get("STROMALAB_SESSION_SECONDS", "1800"))
# sessions read from the cache (the workers' shared folder under `stromalab serve`), written
# through to the database: one query less on every page. Whether a session still lets its user
# in is decided by the user row read on every request (active, not locked, same password).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# idle timeout: a request extends the session, saved at most once a minute (accounts/session_activity.py)
SESSION_REFRESH_SECONDS = min(60, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if os.environ.get("STROMALAB_SECURE_COOKIES", "") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- behind the hospital's reverse proxy (docs/deploy.md) --------------------------------------
if os.environ.get("STROMALAB_PROXY_SSL_HEADER", "") == "1":
    # the proxy terminates TLS and says so; only set this when the proxy strips the header
    # from clients' requests, else a client could claim HTTPS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("STROMALAB_SSL_REDIRECT", "") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("STROMALAB_CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]
SECURE_HSTS_SECONDS = int(os.environ.get("STROMALAB_HSTS_SECONDS") or "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("STROMALAB_HSTS_INCLUDE_SUBDOMAINS", "") == "1"
SECURE_HSTS_PRELOAD = False  # preloading is a decision for the hospital's domain, not for one application
# ... so `manage check --deploy` is not asked to recommend it (security.W021)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
# the site's time zone: every time is stored in UTC and shown in this zone, named on the page
TIME_ZONE = os.environ.get("STROMALAB_TIME_ZONE", "Europe/Paris")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"STROMALAB_TIME_ZONE={TIME_ZONE!r} is not an IANA time zone (e.g. Europe/Paris)") from None
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise serves the collected files (stromalab serve collects them) and, before any
# collectstatic (make run, tests), the apps' own folders
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects the folder, even before collectstatic

# --- study -------------------------------------------------------------------------------------
STROMALAB_PROTOCOL = os.environ.get("STROMALAB_PROTOCOL", "NCT05947682")
STROMALAB_PROTOCOLS = Path(os.environ["STROMALAB_PROTOCOLS"]) if os.environ.get("STROMALAB_PROTOCOLS") else None
if STROMALAB_PROTOCOLS is not None:
    # the core reads no environment: it is told where the protocol folders are
    from stromalab.core.protocol import set_protocols_root

    set_protocols_root(STROMALAB_PROTOCOLS)
STROMALAB_MEDIA_DIR = Path(os.environ.get("STROMALAB_MEDIA_DIR", VAR_DIR / "media")).resolve()  # uploads (FCS files)
STROMALAB_WAREHOUSES = os.environ.get("STROMALAB_WAREHOUSES", "")  # parsed by warehouse/sources.py

# --- audit trail checkpoints, outside the database (audit/checkpoints.py) ----------------------
STROMALAB_AUDIT_CHECKPOINTS = Path(
    os.environ.get("STROMALAB_AUDIT_CHECKPOINTS") or VAR_DIR / "audit-checkpoints.jsonl").resolve()
STROMALAB_AUDIT_CHECKPOINT_EVERY = int(os.environ.get("STROMALAB_AUDIT_CHECKPOINT_EVERY") or "100")
# the key that signs them: never in the database; derived from the secret key unless set
STROMALAB_AUDIT_KEY = os.environ.get("STROMALAB_AUDIT_KEY") or hmac.new(
    SECRET_KEY.encode(), b"stromalab audit checkpoints", hashlib.sha256).hexdigest()

# --- manufacturing (ISBT 128) -----------------------------------------------------------------
STROMALAB_FIN = os.environ.get("STROMALAB_FIN") or "G1234"
STROMALAB_PRODUCT_CODE = os.environ.get("STROMALAB_PRODUCT_CODE") or "S1234"
STROMALAB_SHELF_LIFE_DAYS = int(os.environ.get("STROMALAB_SHELF_LIFE_DAYS") or "365")

NINJA_PAGINATION_PER_PAGE = 50

_request_log_level = os.environ.get("STROMALAB_REQUEST_LOG_LEVEL", "INFO")
# One JSON object per line on standard error (web/request_log.py): the request log at INFO,
# everything else from WARNING; never a donor's identity.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "stromalab.web.request_log.JsonLineFormatter"}},
    "handlers": {"console": {"class": "stromalab.web.request_log.CurrentStderrHandler", "formatter": "json"}},
    "loggers": {"stromalab.request": {"handlers": ["console"], "level": _request_log_level,
                                      "propagate": False}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
