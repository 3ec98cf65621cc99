"""The one settings module of RunPhys.

Everything that differs between machines comes from the environment. The defaults are safe for a
developer's laptop (SQLite, console email, DEBUG off unless asked); ``DJANGO_ENV=production``
turns on every transport-security setting and refuses to start with a missing or development
secret key, or without ALLOWED_HOSTS. The README lists every variable with its default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_flag(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

DEVELOPMENT_SECRET_KEY = "runphys-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_flag("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs DJANGO_SECRET_KEY: at least 50 random characters, "
            "not the development key. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_ALLOWED_HOSTS (comma-separated).")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")

# Where athletes reach the app: the links printed on handouts and sent by email (made by the task
# worker, with no request to read the host from). Defaults to the first allowed host over HTTPS.
SITE_URL = env("DJANGO_SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "runphys",
    "athletes",
    "exercises",
    "assessments",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "runphys.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The dashboard drawn on the page state seen last and checked by its audit INSERT; retried
    # from here when the state changed, so everything below runs again (runphys.guesses).
    "runphys.guesses.GuessedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "runphys.devices.DeviceCookieMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "runphys.middleware.RequestSizeMiddleware",
    "runphys.sessions.SessionLifetimeMiddleware",
    "runphys.twofactor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "runphys.middleware.NoStoreMiddleware",
    "runphys.middleware.AuditMiddleware",
]

ROOT_URLCONF = "runphys.urls"
WSGI_APPLICATION = "runphys.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "runphys.context_processors.clinic",
            ],
            # Tag libraries outside an app's templatetags package (see the module's docstring).
            "libraries": {"handout_deliveries": "assessments.programs.templatetags",
                          "submissions": "runphys.submissions"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite is the embedded default for a one-machine set-up; PostgreSQL (psycopg 3 with its
# connection pool) is the production database and the one CI must pass on.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": int(env("DATABASE_POOL_MIN", "1")),
                "max_size": int(env("DATABASE_POOL_MAX", "10")),
                "timeout": 10,
            },
            # psycopg prepares a statement only when asked (runphys.statements); None would refuse.
            "prepare_threshold": 2**31 - 1,
        }
else:
    SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "var" / "runphys.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # The web server and the task worker write at the same time: WAL lets readers
                # carry on, IMMEDIATE transactions avoid "database is locked" upgrades.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that task workers started by the tests (other processes)
            # see the test database; one per test run, so parallel runs do not collide.
            "TEST": {"NAME": str(SQLITE_PATH.parent / f"test-{SQLITE_PATH.stem}-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "runphys.User"
# Django's password check, refused while an account or an address is cooling off (runphys.throttle).
AUTHENTICATION_BACKENDS = ["runphys.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    # Our user has one name field: Django's default list (first_name, last_name, ...) would miss it.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ["email", "full_name"]}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link is good for one hour; an invitation link for INVITATION_DAYS days.
PASSWORD_RESET_TIMEOUT = 60 * 60
INVITATION_VALID_FOR = timedelta(days=int(env("INVITATION_DAYS", "7")))

# Idle time-out: a session lives SESSION_IDLE_MINUTES after its last renewal. Activity renews it,
# at most once a minute (runphys.sessions.SESSION_RENEW_SECONDS), so that most requests do not
# write the session row: the idle time-out holds to within that minute.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_MINUTES", "30")) * 60
# Sessions are read from a cache in front of their table (Django's cached_db): every logged-in
# page read its session row, a query of its own (issue 19). The cache is a directory of files, so
# both gunicorn workers (and the task worker) share it on any machine, SQLite set-up included,
# with no server to run; a miss falls back to the table, which stays the record. Every way a
# session ends goes through the session store, which drops the cached copy too
# (runphys.sessions.end_sessions, logout, the absolute time-out). Django creates the folder owner-only.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        "TIMEOUT": SESSION_COOKIE_AGE,
        # Django's file cache lists the folder on every write (a login, a renewal once a minute)
        # and, past this many files, deletes a third: expired sessions' files go then, and a live
        # session whose file went is read from its table again.
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    },
    # Rendered page parts, in each web process's memory and never on disk (runphys.fragments).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "runphys-fragments",
        "OPTIONS": {"MAX_ENTRIES": int(env("FRAGMENT_ENTRIES", "2000"))},
    },
}
# The longest a fragment is reused, however quiet the database (runphys.fragments).
FRAGMENT_SECONDS = int(env("FRAGMENT_SECONDS", "600"))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute time-out: however active, a session ends this long after its login (runphys.sessions).
SESSION_ABSOLUTE_AGE = timedelta(hours=float(env("SESSION_ABSOLUTE_HOURS", "12")))
# Export, erasure, member management and two-factor changes need a password (and code) this recent.
REAUTHENTICATION_WINDOW = timedelta(minutes=float(env("REAUTHENTICATION_MINUTES", "15")))
# Two-factor authentication (django-otp). Its own exponential back-off is off: it can grow to a
# lock-out of years; runphys.throttle applies one sliding window of an hour instead.
OTP_TOTP_ISSUER = "RunPhys"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
CSRF_COOKIE_HTTPONLY = True

# The athlete list counts its matches up to this many ("more than 10,000 athletes"; athletes/paging.py).
ATHLETE_LIST_COUNT_CAP = 10_000

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
# Uploaded files (clinic logos, exercise pictures) are never served by URL path alone: a view
# checks the clinic first. MEDIA_URL is therefore not routed to the file system.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production whitenoise serves straight from the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Request sizes. One request must not be able to tie up a worker: the whole body is refused over
# REQUEST_BODY_MAX_BYTES before it is read (runphys.middleware.RequestSizeMiddleware: two 5 MB
# pictures and a form); the form fields apart from files over DATA_UPLOAD_MAX_MEMORY_SIZE (the
# largest real form, a template of 30 exercises, is some tens of kB: 2 MB still lets an over-long
# text reach its form and be refused there with the field's own message); more than
# DATA_UPLOAD_MAX_NUMBER_FIELDS fields (30 template items of 19 fields fit) or
# DATA_UPLOAD_MAX_NUMBER_FILES files is a 400. An upload over FILE_UPLOAD_MAX_MEMORY_SIZE is
# spooled to a temporary file rather than held in memory; the pictures' own limit is 5 MB.
REQUEST_BODY_MAX_BYTES = 12 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 4
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------------
# Django 6.1 mailers. With EMAIL_HOST set, SMTP; otherwise (development) the console.
_email_host = env("EMAIL_HOST")
_email_security = env("EMAIL_SECURITY", "starttls" if PRODUCTION else "none")
if _email_security not in {"none", "starttls", "ssl"}:
    raise ImproperlyConfigured("EMAIL_SECURITY must be one of none, starttls, ssl.")
# EMAIL_TIMEOUT bounds each step of an SMTP exchange; a delivery's claim (EMAIL_SENDING_LEASE) lasts
# a few of them. The backend (runphys/mail_smtp.py) ends the whole exchange one time-out before the
# lease ends, so the sweep never hands a message to a second worker while the first still sends it.
EMAIL_TIMEOUT_SECONDS = float(env("EMAIL_TIMEOUT", "15"))
EMAIL_SENDING_LEASE = timedelta(seconds=float(env("EMAIL_SENDING_LEASE_SECONDS", str(4 * EMAIL_TIMEOUT_SECONDS))))
if EMAIL_SENDING_LEASE.total_seconds() < 2 * EMAIL_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("EMAIL_SENDING_LEASE_SECONDS must be at least twice EMAIL_TIMEOUT.")
EMAIL_SEND_DEADLINE_SECONDS = EMAIL_SENDING_LEASE.total_seconds() - EMAIL_TIMEOUT_SECONDS
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "runphys.mail_smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": int(env("EMAIL_PORT", "465" if _email_security == "ssl" else "587")),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": _email_security == "starttls",
                "use_ssl": _email_security == "ssl",
                # Explicit: a stuck mail server must not hold a worker for ever.
                "timeout": EMAIL_TIMEOUT_SECONDS,
                "deadline": EMAIL_SEND_DEADLINE_SECONDS,
            },
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured("DJANGO_ENV=production needs EMAIL_HOST (and usually user and password).")
else:
    # Development: each message as an .eml file in var/mail/, one line printed (runphys/mail_files.py).
    MAILERS = {"default": {"BACKEND": "runphys.mail_files.EmlFileBackend"}}
EMAIL_FILE_DIR = env("EMAIL_FILE_DIR", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "RunPhys <no-reply@runphys.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Delivery policy (runphys.emails): attempts per message, backoff base (doubling per attempt,
# capped at an hour). A delivery "sending" for longer than EMAIL_SENDING_LEASE (above) belongs to a
# dead worker and is re-queued by the sweep.
EMAIL_MAX_ATTEMPTS = int(env("EMAIL_MAX_ATTEMPTS", "5"))
EMAIL_RETRY_BASE_SECONDS = float(env("EMAIL_RETRY_BASE_SECONDS", "30"))
# A stolen login must not turn RunPhys into a spam relay: at most this many emails per clinic per hour.
EMAIL_CLINIC_HOURLY_LIMIT = int(env("EMAIL_CLINIC_HOURLY_LIMIT", "200"))

# --- PDF rendering (runphys.pdf) ------------------------------------------------------------------
# Each render runs in a child process capped at this much memory (address space) and killed after
# this many seconds: no document, however hostile, can hang or bloat the process that asked.
PDF_RENDER_SECONDS = float(env("PDF_RENDER_SECONDS", "20"))
PDF_RENDER_MEMORY_MB = int(env("PDF_RENDER_MEMORY_MB", "768"))

# --- Background tasks -----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task row "running" for longer than its task can run belongs to a worker that died; the sweep
# (sweep_deliveries) marks it failed. An email send ends within its lease; a handout render is
# killed after PDF_RENDER_SECONDS (the handout sweep allows twice that and a minute); no other task
# takes more than seconds, and a row older than TASK_ORPHANED_AFTER is taken to be dead.
TASK_RUNNING_LIMITS = {
    "runphys.emails.deliver_email": EMAIL_SENDING_LEASE,
    "assessments.programs.handouts.render_handout": timedelta(seconds=2 * PDF_RENDER_SECONDS + 60),
}
TASK_ORPHANED_AFTER = timedelta(minutes=10)

# --- Forms ----------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers -----------------------------------------------------------------------------
# No inline scripts or styles anywhere: every script and stylesheet is a file under static/.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (runphys.middleware): the app uses no powerful browser feature (the athlete
# page's hold timer vibrates, which no policy governs; videos are links, not embeds; htmx sends
# asynchronous requests only), so every feature a browser lets a policy govern is off, for our
# pages and anything they could embed: () means no origin, not even ours. The names are those
# Chromium recognises (tests/browser/test_permissions_policy.py checks it warns about none) plus
# bluetooth and web-share, which Chrome on phones governs.
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = dict.fromkeys(
    [
        "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "captured-surface-control",
        "clipboard-read", "clipboard-write", "compute-pressure", "digital-credentials-get",
        "display-capture", "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope",
        "hid", "identity-credentials-get", "idle-detection", "keyboard-map", "local-fonts",
        "local-network-access", "magnetometer", "microphone", "midi", "otp-credentials", "payment",
        "picture-in-picture", "private-state-token-issuance", "private-state-token-redemption",
        "publickey-credentials-create", "publickey-credentials-get", "screen-wake-lock", "serial",
        "speaker-selection", "storage-access", "sync-xhr", "usb", "web-share", "window-management",
        "xr-spatial-tracking",
    ],
    (),
)

if PRODUCTION:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging --------------------------------------------------------------------------------------
# Logs carry record identifiers (UUIDs) at most, never names, emails or measurements.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}, "mail.log": {"level": "WARNING"}},
}

# The audit log records the client address from X-Forwarded-For only behind a proxy we run.
TRUST_X_FORWARDED_FOR = env_flag("DJANGO_TRUST_X_FORWARDED_FOR", PRODUCTION)
