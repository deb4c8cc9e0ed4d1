"""Settings for the guidance portal: one module, read from the environment.

Every variable is listed in docs/operations.md. Without DATABASE_URL or REDIS_URL the embedded
PostgreSQL and Redis under .data/ are used (guidance_portal/embedded.py).
"""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from guidance_portal import config
from guidance_portal.config import ConfigError, env

BASE_DIR = Path(__file__).resolve().parent.parent

if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

try:
    DEBUG = config.boolean("DEBUG", False)
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        if not DEBUG:
            raise ConfigError("SECRET_KEY is required when DEBUG is off")
        SECRET_KEY = "django-insecure-development-only-key-not-for-production-use"  # noqa: S105
    elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
        raise ConfigError("SECRET_KEY must be a random string of at least 50 characters")
    ALLOWED_HOSTS = config.text_list(
        "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
    )
    if not DEBUG and not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS is required when DEBUG is off (e.g. orientation.be)")

    _database_url = env.str("DATABASE_URL", default="")
    if not _database_url:
        from guidance_portal import embedded

        _database_url = embedded.database_url()
    DATABASES = {"default": config.database("DATABASE_URL", _database_url)}

    _redis_url = env.str("REDIS_URL", default="")
    if not _redis_url:
        from guidance_portal import embedded

        _redis_url = embedded.redis_url()
    REDIS_URL = config.redis("REDIS_URL", _redis_url)

    _email = config.email(
        "EMAIL_URL",
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"),
    )
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Orientation <noreply@localhost>")
    SERVER_EMAIL = DEFAULT_FROM_EMAIL
    SITE_URL = config.url("SITE_URL", "http://127.0.0.1:8000")
    SITE_HOST = SITE_URL.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]  # calendar UIDs
    TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
    PORTAL_OPERATOR = env.str(
        "PORTAL_OPERATOR", default="Portail de l’orientation tout au long de la vie"
    )
    CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="contact@localhost")
    PRIVACY_EMAIL = env.str("PRIVACY_EMAIL", default=CONTACT_EMAIL)
    SECURE_SSL_REDIRECT = config.boolean("SECURE_SSL_REDIRECT", not DEBUG)
    _behind_proxy = config.boolean("BEHIND_HTTPS_PROXY", False)
    SECURE_HSTS_SECONDS = config.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
    SECURE_HSTS_PRELOAD = config.boolean("SECURE_HSTS_PRELOAD", not DEBUG)
    CELERY_TASK_TIME_LIMIT = config.integer("CELERY_TASK_TIME_LIMIT", 300)
except ConfigError as error:
    config.fail(error)

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "axes",
    "csp",
    "simple_history",
    "guidance_portal",
    "accounts",
    "centres",
    "offers",
    "charter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guidance_portal.urls"
WSGI_APPLICATION = "guidance_portal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "guidance_portal.context_processors.portal",
            ],
        },
    },
]

# Data: PostgreSQL only. Sessions in the database, cache and counters in Redis, so that any
# number of web and worker processes can run side by side.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "gp",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Mail, from EMAIL_URL.
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 10

# Accounts
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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Sign-in lockouts (django-axes, see accounts/lockout.py): an e-mail address is locked for
# one hour after 5 failures from one client, or 20 from any mix of clients.
AXES_FAILURE_LIMIT = 5
SIGN_IN_ACCOUNT_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_for_axes"
AXES_HANDLER = "accounts.lockout.AccountLockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = 1 if _behind_proxy else 0
BEHIND_HTTPS_PROXY = _behind_proxy  # rate limits read the client address the proxy adds

# Languages: French first, Dutch for Brussels, English for mobility and newcomers.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
# An offer written only in Dutch still shows its Dutch title on the French pages.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "nl", "en")}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

# Static files: hashed, compressed names served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. Behind a TLS-terminating proxy set BEHIND_HTTPS_PROXY=true.
if _behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp 4): no inline script, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery: Redis broker and result backend; at-least-once delivery, so tasks are idempotent.
CELERY_BROKER_URL = config.celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than the longest task, so a slow task is not delivered a second time while it runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "guidance_portal.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "review-reminders": {
        "task": "offers.tasks.plan_review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "refresh-past-sessions": {
        "task": "offers.tasks.refresh_past_sessions",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
    "drop-unfindable-offers": {
        "task": "offers.tasks.drop_unfindable_offers",
        "schedule": crontab(hour=0, minute=5),
    },
    "owed-emails": {
        "task": "guidance_portal.tasks.send_owed_emails",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "purge-bookings": {
        "task": "offers.tasks.purge_bookings",
        "schedule": crontab(hour=2, minute=30),
    },
    "clear-expired-sessions": {
        "task": "guidance_portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-password-reset-requests": {
        "task": "accounts.tasks.purge_password_reset_requests",
        "schedule": crontab(hour=3, minute=41),
    },
}
# Days after a session before its bookings' personal data is deleted (privacy page).
BOOKING_RETENTION_DAYS = env.int("BOOKING_RETENTION_DAYS", default=30)
# A booking form sent faster than this after it was shown is a program's, not a person's.
BOOKING_MIN_FILL_SECONDS = 3
HEARTBEAT_MAX_AGE = 5 * 60  # seconds before /healthz calls the workers stale
# Seconds a writer waits for a named advisory lock (guidance_portal.locking) before failing.
ADVISORY_LOCK_TIMEOUT = env.float("ADVISORY_LOCK_TIMEOUT", default=10.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
