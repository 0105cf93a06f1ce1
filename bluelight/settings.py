"""Settings of the Blue Light Collaboration portal, read from the environment.

With nothing set the portal runs on its embedded default: SQLite, Celery tasks run in-process and
e-mail goes to the console. ``BLUELIGHT_ENV=production`` switches on every production safeguard
and makes a missing or weak secret, or DEBUG left on, stop start-up with a clear message.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_weakness(key: str) -> str | None:
    """Why a secret key is unfit for production, or None when it is fit."""
    if not key:
        return "SECRET_KEY is not set"
    if key.startswith("django-insecure-") or "insecure" in key.lower():
        return "SECRET_KEY is a development key"
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY is too short or too simple (use 50 or more random characters)"
    return None


ENVIRONMENT = os.environ.get("BLUELIGHT_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"BLUELIGHT_ENV must be 'development' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set it false).")
    weakness = secret_key_weakness(SECRET_KEY)
    if weakness:
        raise ImproperlyConfigured(
            f"{weakness}. Set SECRET_KEY to a long random value, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )
    for required in ("DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        if not os.environ.get(required):
            raise ImproperlyConfigured(f"{required} must be set in production.")
elif not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address that links in e-mails point at, e.g. https://bluelight.example.org
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = "Blue Light Collaboration"
# Where people write about the portal (accessibility problems, privacy): the footer's pages.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "blue-light-secretariat@bluelight.localhost")
# Webhooks and bodies' calendars go only to addresses on the public internet (core.outbound).
# On, loopback addresses are let through too: for a developer's own receiver on 127.0.0.1 (the
# tests switch it on where they start one). Never in production.
OUTBOUND_ALLOW_LOOPBACK = env_bool("OUTBOUND_ALLOW_LOOPBACK", False)
if PRODUCTION and OUTBOUND_ALLOW_LOOPBACK:
    raise ImproperlyConfigured(
        "OUTBOUND_ALLOW_LOOPBACK must be off in production: webhooks and calendars would reach "
        "the portal's own machine."
    )

INSTALLED_APPS = [
    # First, so that the portal's templates (sign-in, password pages, errors) and static files
    # win over the admin's own.
    "portal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",
    "audit",
    "boards",
    "notifications",
    "opportunities",
    "meetings",
    # Members' notes on papers: a part of the meetings app with tables of its own.
    "meetings.annotations",
    "forwardplan",
    "publicsite",
    "search",
    "reports",
    "ninja",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so that messages queued once a transaction commits, anywhere in the
    # request, share its one attempt at the broker.
    "core.middleware.BrokerAttemptsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Control characters and oversized bodies are refused before any view (or sign-in) sees them.
    "core.request_safety.RequestSafetyMiddleware",
    # Records every refused request (403) with who, where from and what path.
    "audit.middleware.RefusalAuditMiddleware",
    # Security events noticed inside a form (an infected upload) know whose request it was.
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Sessions end at their absolute lifetime or idle timeout (timestamps in the session).
    "boards.sessions.SessionLimitsMiddleware",
    # Which device (if any) this session passed its second factor with (django-otp's check,
    # against the person's cached record); then, before any other signed-in page, the second
    # factor is asked for or set up where it is required.
    "boards.two_factor.SecondFactorDeviceMiddleware",
    "boards.two_factor.SecondFactorMiddleware",
    "core.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes goes last so that it sees the outcome of the sign-in view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bluelight.urls"
WSGI_APPLICATION = "bluelight.wsgi.application"

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
                "portal.context_processors.portal",
            ],
            # The GOV.UK content-style filters (dates, times, money, counts) on every page.
            "builtins": ["portal.templatetags.govuk"],
        },
    },
]

# Every form's errors say what to do, from the field's label (core/forms.py).
FORM_RENDERER = "core.forms.GovukFormRenderer"

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections (conn_max_age) keep one connection per worker thread; a server-side
    # pooler (PgBouncer) in front of PostgreSQL is the way to scale past that.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
    # Server-side cursors cost extra round trips and do not survive a transaction-pooling
    # PgBouncer; the portal never streams result sets big enough to need them.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Server-side parameter binding lets psycopg prepare the statements a page runs again and
    # again on a persistent connection, so PostgreSQL plans each of them once.
    DATABASES["default"]["OPTIONS"].setdefault(
        "server_side_binding", env_bool("DB_SERVER_SIDE_BINDING", True)
    )
    # No JIT compilation: the portal's queries are short, and PostgreSQL compiles any whose
    # estimated cost passes jit_above_cost, which a large register's aggregates do, spending
    # more time compiling (100 ms to over a second was seen) than the query then saves.
    if not env_bool("DB_JIT", False):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The board dashboard adds up a board's whole register: its figures are kept while the register's
# data is unchanged (opportunities.versions), and at most this long.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 3600)

# The most-read pages are kept for the browser session that asked, until anything in the portal
# changes (core/page_cache.py), and at most this long: what only the clock changes ("today", a
# meeting that has begun) is never older than this. 0 builds every page afresh.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# The pages' data version moves as a writing transaction commits (core/data_versions.py).
DATA_VERSIONS_AT_COMMIT = True

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
# A request must never wait long on the broker: give up within a few seconds.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# The daily digest of notices goes out at this hour, London time (CELERY_TIMEZONE); it holds
# the notices written before that hour.
NOTIFICATION_DIGEST_HOUR = 7
# How often beat runs the sweeps of messages, report runs, PDF builds and calendar readings.
SWEEP_EVERY_SECONDS = env_int("SWEEP_EVERY_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    # Every minute: after a broker outage, messages and jobs go out within about two minutes.
    "sweep-pending-notifications": {
        "task": "notifications.tasks.sweep_pending_notifications",
        "schedule": SWEEP_EVERY_SECONDS,
    },
    "sweep-report-runs": {
        "task": "reports.tasks.sweep_report_runs",
        "schedule": SWEEP_EVERY_SECONDS,
    },
    "sweep-meeting-pdfs": {
        "task": "meetings.tasks.sweep_meeting_pdfs",
        "schedule": SWEEP_EVERY_SECONDS,
    },
    "sweep-notes-packs": {
        "task": "meetings.annotations.tasks.sweep_notes_packs",
        "schedule": SWEEP_EVERY_SECONDS,
    },
    "sweep-calendar-readings": {
        "task": "forwardplan.tasks.sweep_calendar_readings",
        "schedule": SWEEP_EVERY_SECONDS,
    },
    # Hourly, so a missed run (beat restarted) is made up the same day; each reminder is sent
    # once whatever the number of runs.
    "decision-reminders": {
        "task": "opportunities.tasks.send_decision_reminders",
        "schedule": 60 * 60,
    },
    "meeting-reminders": {
        "task": "meetings.tasks.send_meeting_reminders",
        "schedule": 60 * 60,
    },
    # Guest accounts made for one meeting are switched off the day after it.
    "guest-accounts": {
        "task": "meetings.tasks.expire_guest_accounts",
        "schedule": 60 * 60,
    },
    # Once a day; a second run the same day finds nothing left to send.
    "daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=NOTIFICATION_DIGEST_HOUR, minute=0),
    },
    "review-reminders": {
        "task": "opportunities.tasks.send_review_reminders",
        "schedule": 60 * 60,
    },
    # Daily, early: the bodies' published calendars read again; what moved is shown on the plan.
    "forum-calendars": {
        "task": "forwardplan.tasks.refresh_forum_calendars",
        "schedule": crontab(hour=5, minute=30),
    },
    # Weekly, early on Sunday: orphaned files and rows whose file is missing, as a report
    # row in the administration site and in the log.
    "file-store-check": {
        "task": "audit.tasks.check_file_store",
        "schedule": crontab(day_of_week="sun", hour=4, minute=0),
    },
}
# One beat queues the scheduled jobs; any other stands by (a lock in Redis, core/beat.py).
CELERY_BEAT_SCHEDULER = "core.beat:SingleBeatScheduler"
# A worker whose broker goes away keeps trying to reconnect, however long it takes, rather than
# exiting after a number of attempts (its supervisor would start it again, but need not).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 1,
    # A task a worker took but never acknowledged (the worker was killed) goes back on the queue
    # after this long; longer than any task. (Retries wait in the database, never as broker
    # countdowns, and the sweep makes up for a lost task long before this.)
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
}
# First wait before a notification whose mail server failed is tried again; doubled each time.
NOTIFICATION_RETRY_SECONDS = env_int("NOTIFICATION_RETRY_SECONDS", 60)
# A message (or job) whose own task has not taken it this long after it was written or last
# queued is queued again by the sweep (every minute): well past the broker's timeouts (a few
# seconds) and a healthy worker's wait, short enough that a broker outage delays delivery by
# at most about a minute and a half (this, plus the sweep's interval).
NOTIFICATION_SWEEP_AFTER_SECONDS = env_int("NOTIFICATION_SWEEP_AFTER_SECONDS", 30)
# A message still "sending" this long after its attempt began lost that attempt (the worker
# died, or the database went away for good): longer than a delivery task's hard time limit.
NOTIFICATION_SENDING_STALE_SECONDS = env_int("NOTIFICATION_SENDING_STALE_SECONDS", 120)
# The open API (/api/): requests a minute each personal token, and each address on the public
# endpoints, may make before it is answered 429.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120)
API_PUBLIC_RATE_PER_MINUTE = env_int("API_PUBLIC_RATE_PER_MINUTE", 60)

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "boards.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on through a body's own identity provider (boards/sign_on.py): the provider,
    # client and keys come from the body's OrganisationSignOn, not from settings.
    "boards.sign_on.OrganisationSignOnBackend",
]
OIDC_RP_SCOPES = "openid email profile"
OIDC_AUTHENTICATION_CALLBACK_URL = "sign_on_callback"
# How long the portal waits for an identity provider's discovery, keys, token and userinfo.
OIDC_TIMEOUT = env_int("SIGN_ON_TIMEOUT_SECONDS", 10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# How many days a body's executive has to dispute a decision the secretariat recorded on its behalf.
DECISION_DISPUTE_DAYS = env_int("DECISION_DISPUTE_DAYS", 5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins lock out (boards/lockout.py): an account from one address after
# AXES_FAILURE_LIMIT failures, an account from every address together after
# SIGN_IN_ACCOUNT_FAILURE_LIMIT, and one address for every account after
# SIGN_IN_ADDRESS_FAILURE_LIMIT, each for SIGN_IN_LOCKOUT_FIRST from the failure that locked it;
# each new lock-out of the same account within SIGN_IN_LOCKOUT_MEMORY lasts twice as long as the
# one before, up to SIGN_IN_LOCKOUT_LONGEST.
# Usernames are normalised (case, spaces, invisible characters) before they are counted.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", 10)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 30)
SIGN_IN_LOCKOUT_FIRST = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
SIGN_IN_LOCKOUT_LONGEST = timedelta(hours=env_int("SIGN_IN_LOCKOUT_LONGEST_HOURS", 24))
SIGN_IN_LOCKOUT_MEMORY = timedelta(hours=env_int("SIGN_IN_LOCKOUT_MEMORY_HOURS", 24))
AXES_COOLOFF_TIME = "boards.lockout.cool_off"
# Each lock-out is kept in axes' failure log (a row marked locked out), which the doubling reads.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "boards.lockout.SignInLockoutHandler"
AXES_USERNAME_CALLABLE = "boards.lockout.axes_username"
AXES_USERNAME_FORM_FIELD = "username"
# Attempts during a lock-out are refused without being counted, so they never prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Password-reset e-mails: at most this many per hour for one account and from one address.
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
# The second-factor code is masked like the password in what axes keeps of a failed attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]

# --- Second factor (django-otp) -------------------------------------------------------------------
# Recording a decision, approving minutes and changing someone's roles ask for the second factor
# again when the session last passed it longer ago than this.
TWO_FACTOR_STEP_UP_MINUTES = env_int("TWO_FACTOR_STEP_UP_MINUTES", 15)
# The name authenticator apps show for the portal's entry.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Blue Light Collaboration")
# Passkeys and security keys: bound to the host the portal is reached at, accepted only from the
# portal's own origin(s), and only as a second factor after the password.
OTP_WEBAUTHN_RP_ID_CALLABLE = "boards.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = PORTAL_NAME
# Browsers allow passkeys on https:// origins and on http://localhost only (never on an address
# such as 127.0.0.1): in development, open the portal at http://localhost:8000 to use one.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "PASSKEY_ORIGINS",
    [SITE_URL]
    if SITE_URL.startswith(("https://", "http://localhost"))
    else ["http://localhost:8000"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Behind proxies REMOTE_ADDR is the proxy itself, which would lock everyone out together: the
# client's address is taken from X-Forwarded-For, PROXY_COUNT entries from the right.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"

# --- Sessions: an absolute lifetime and an idle timeout (boards/sessions.py) ----------------------
# Both are timestamps in the session, checked on every request; the warning comes
# SESSION_WARNING_SECONDS before the idle timeout, with a button to stay signed in.
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_HOURS", 12) * 60 * 60
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Transport and browser security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for this host alone and the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a TLS-terminating proxy, set TRUST_X_FORWARDED_PROTO so Django knows the request was
# secure (and SECURE_SSL_REDIRECT does not loop).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws form controls' icons with data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The paper viewer runs PDF.js's worker, a module script of our own.
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Signed PDFs (pyHanko, PAdES) -----------------------------------------------------------------
# The board's signing certificate and key, as a PKCS#12 file (.p12/.pfx) and its passphrase. The
# worker signs the approved minutes, decision notices and annual reports with it; the web uses its
# certificate (and the CA certificates in the file) to check uploaded PDFs. Unset: PDFs are issued
# unsigned (their SHA-256 is still kept in the audit trail) and the pages say so.
PDF_SIGNING_CERTIFICATE = os.environ.get("PDF_SIGNING_CERTIFICATE", "")
PDF_SIGNING_PASSPHRASE = os.environ.get("PDF_SIGNING_PASSPHRASE", "")
if PDF_SIGNING_CERTIFICATE:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(
            Path(PDF_SIGNING_CERTIFICATE).read_bytes(), PDF_SIGNING_PASSPHRASE.encode() or None
        )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"PDF_SIGNING_CERTIFICATE ({PDF_SIGNING_CERTIFICATE!r}) could not be read as a "
            "PKCS#12 file with PDF_SIGNING_PASSPHRASE."
        ) from error
# The largest PDF the "verify a document" page accepts.
VERIFY_MAX_MB = env_int("VERIFY_MAX_MB", 20)

# Word, Excel and PowerPoint papers are converted to PDF by the workers with LibreOffice
# (Debian: libreoffice-core-nogui with its writer, calc and impress parts); without it they wait,
# "not converted yet". A conversion taking longer than this (seconds) is stopped and marked failed.
SOFFICE_BINARY = os.environ.get("SOFFICE_BINARY", "soffice")
OFFICE_CONVERSION_TIMEOUT = env_int("OFFICE_CONVERSION_TIMEOUT", 120)

# --- Uploads -------------------------------------------------------------------------------------
MAX_UPLOAD_SIZE = env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
# A request body larger than a paper and its form is refused before the rest is read.
MAX_REQUEST_BODY_SIZE = MAX_UPLOAD_SIZE + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.request_safety.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Every upload is scanned by ClamAV's daemon (clamd) before it is stored: CLAMD_SOCKET (a Unix
# socket's path) or CLAMD_HOST and CLAMD_PORT. With neither, nothing is scanned (the embedded
# default); `check --deploy` warns about that in production. CLAMD_TIMEOUT bounds each socket
# step in seconds. When clamd cannot give a verdict, CLAMD_UNREACHABLE=refuse (the default)
# refuses the upload; accept lets it through unscanned (recorded in the audit trail).
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "").strip()
CLAMD_HOST = os.environ.get("CLAMD_HOST", "").strip()
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)
CLAMD_UNREACHABLE = os.environ.get("CLAMD_UNREACHABLE", "refuse").strip().lower()
if CLAMD_UNREACHABLE not in {"refuse", "accept"}:
    raise ImproperlyConfigured(
        f"CLAMD_UNREACHABLE must be refuse or accept, not {CLAMD_UNREACHABLE!r}."
    )
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Papers are never served from a public media URL; permission-checked views stream them.
MEDIA_URL = "/private-media-not-served/"

# --- E-mail --------------------------------------------------------------------------------------
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Blue Light Collaboration <noreply@bluelight.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic gathers the static files (in the image, beside the app, not inside the
# installed package).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))


def file_storage() -> dict[str, Any]:
    """Where uploaded files live: ``FILE_STORAGE=local`` (MEDIA_ROOT, one machine) or ``s3``
    (any S3-compatible store, shared by every web and worker machine). Objects are private:
    the portal streams them after its permission check, never from a public URL."""
    kind = os.environ.get("FILE_STORAGE", "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {kind!r}.")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Empty: boto3 finds credentials itself (instance role, AWS_* variables, profile).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": file_storage(),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens in addresses (password reset, invitation, calendar feed, digest unsubscribe) never
    # reach the log: one filter, with the same patterns as gunicorn's access log.
    "filters": {"redact_tokens": {"()": "core.log_redaction.RedactTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO; only its warnings matter.
    "loggers": {
        # Django's own records once, through the console handler above (Django's default
        # config would print them a second time in DEBUG).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # runserver's request lines, through the same token-redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
