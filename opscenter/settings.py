"""Settings of the whole platform, driven by environment variables.

With no DATABASE_URL and no REDIS_URL the platform runs on its embedded default: SQLite, the in-memory
channel layer and eager Celery, all in one process. Production sets them (see README, "Configuration").
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED = not DATABASE_URL
# A pool of PostgreSQL connections in the process (the web processes'; see DATABASES below).
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)

# Off unless turned on: by the demo (bin/demo), or by a developer (DEBUG=True).
DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key(path: Path) -> str:
    """The embedded default's own key, kept beside its database: random, made on first use, never shared."""
    if not path.exists():
        scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        scratch.write_text(secrets.token_urlsafe(64))
        scratch.chmod(0o600)
        try:
            os.link(scratch, path)  # atomic: of two processes starting together, one key wins
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    return path.read_text().strip()


SQLITE_PATH = env.str("SQLITE_PATH", default=str(BASE_DIR / "opscenter.sqlite3"))
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and env.str("SECRET_KEY_FILE", default=""):
    # A Docker or Kubernetes secret mounted as a file.
    try:
        SECRET_KEY = Path(env.str("SECRET_KEY_FILE")).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE cannot be read: {error}") from error
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY_FILE names an empty file.")
if not SECRET_KEY:
    if EMBEDDED:
        SECRET_KEY = _embedded_secret_key(Path(f"{SQLITE_PATH}.secret-key"))
    elif DEBUG:
        SECRET_KEY = "django-insecure-development-only-never-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=False the platform refuses to start without a secret: "
            "set SECRET_KEY (or SECRET_KEY_FILE, a file holding it) to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "opscenter",
    "appeals",
    "cameras",
    "speedcontrol",
    "bracelets",
    "alarms",
    "korgau",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opscenter.middleware.UserLanguageMiddleware",
    "opscenter.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opscenter.urls"
ASGI_APPLICATION = "opscenter.asgi.application"
WSGI_APPLICATION = "opscenter.wsgi.application"

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
                "opscenter.permissions.capabilities_context",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database host that vanishes (no RST, no FIN) must fail a process within seconds, not after the
        # kernel's 15 minutes of retransmissions: a bounded connect, keepalives on idle connections, a
        # bound on unacknowledged writes, and a bound on every statement (lifted for migrate, which may
        # rewrite big tables: opscenter.apps). All libpq parameters, so they hold in a pool too.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
                "keepalives": 1,
                "keepalives_idle": env.int("DATABASE_KEEPALIVES_IDLE", default=30),
                "keepalives_interval": 10,
                "keepalives_count": 3,
                "tcp_user_timeout": env.int("DATABASE_TCP_USER_TIMEOUT_MS", default=30_000),
                "options": f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=30_000)}",
            }
        )
        # psycopg-pool in each process (Django's OPTIONS["pool"]): for the web processes, where a request
        # would otherwise open and close a connection of its own. Kept connections and a pool exclude
        # each other (Django refuses only at the first query; we refuse at start-up).
        if DATABASE_POOL:
            if DATABASES["default"]["CONN_MAX_AGE"] != 0:
                raise ImproperlyConfigured(
                    "DATABASE_POOL is on and DATABASE_CONN_MAX_AGE is not 0: a pooled connection goes back to "
                    "the pool after each request, so persistent connections make no sense with it. Unset "
                    "DATABASE_CONN_MAX_AGE (or set it to 0), or turn DATABASE_POOL off."
                )
            DATABASES["default"]["OPTIONS"]["pool"] = {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
                # A request waits this long for a free connection, then fails (PoolTimeout) instead of hanging.
                "timeout": env.float("DATABASE_POOL_TIMEOUT_SECONDS", default=10),
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # A file, not memory, for tests too: the browser tests' Daphne runs in another process.
            "TEST": {"NAME": env.str("TEST_DATABASE_NAME", default=str(BASE_DIR / ".test-opscenter.sqlite3"))},
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "opscenter.User"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "opscenter.layers.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives every read a 5 s timeout, the time channels_redis blocks waiting for a
                # message: an idle socket would then be closed (channels_redis#422). No client timeout:
                # the server ends each blocking wait itself. (A finite one longer than 5 s made cancelled
                # receives hang on teardown.)
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="asgi"),
                # Messages a socket's channel holds before more are dropped (channels_redis's default is
                # 100: a second's burst at 1,000 alerts/s). A drop leaves a gap the console resyncs on.
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Reverse proxies in front of the web process: the client's address is read from X-Forwarded-For that
# many hops from the end (opscenter.middleware.client_address), for the lockout and the audit.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Lockout after repeated failed logins (django-axes) in two tiers (opscenter/lockout.py): one username
# from one address, and one address whatever the usernames. Nobody can lock a colleague out from
# their own address.
AXES_HANDLER = "opscenter.lockout.TieredLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "opscenter.middleware.client_address"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
# The project's catalogues, then Kazakh for the libraries that ship none (django-axes in the admin).
LOCALE_PATHS = [BASE_DIR / "opscenter" / "locale", BASE_DIR / "opscenter" / "locale_libraries"]
FORMAT_MODULE_PATH = ["opscenter.formats"]  # Kazakh dates and numbers (Django ships no kk formats)
TIME_ZONE = "Asia/Oral"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "opscenter.apis.errors.exception_handler",
    # JSON with a depth limit (opscenter/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "opscenter.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per credential (opscenter/throttling.py), on the partner and device endpoints: 429 with Retry-After.
    "DEFAULT_THROTTLE_RATES": {
        "partner": env.str("PARTNER_THROTTLE_RATE", default="600/minute"),
        "device": env.str("DEVICE_THROTTLE_RATE", default="120/minute"),
        "device.bracelet_gateway": env.str("GATEWAY_THROTTLE_RATE", default="12000/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Opscenter API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs only for people signed in; the docs' script from the sidecar, not a CDN.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "REDOC_DIST": "SIDECAR",
    # Fields named "status" (alerts, units, assignments): each set of choices named by what it is.
    "ENUM_NAME_OVERRIDES": {
        "AlertStatusEnum": "opscenter.models.alerts.AlertStatus",
        "SeverityEnum": "opscenter.models.alerts.Severity",
        "UnitStatusEnum": "opscenter.models.units.UnitStatus",
        "AssignmentStatusEnum": "opscenter.models.units.AssignmentStatus",
        "IncidentStatusEnum": "opscenter.models.incidents.IncidentStatus",
    },
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A queue per kind of work, each consumed by workers of its own (docker-compose.yml), so that a partner
# hanging on a webhook never delays an escalation: deliveries to outside systems; escalation and
# supervision (alerts that must reach a person in seconds); everything else on the default queue. Video
# analytics and recognition get queues of their own when they come (`video`, `recognition`).
CELERY_QUEUE_DELIVERIES = "deliveries"
CELERY_QUEUE_ESCALATION = "escalation"
CELERY_QUEUE_RECOGNITION = "recognition"  # plate text and faces: heavy, on hosts of their own
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "opscenter.tasks.deliver_outbox_message": {"queue": CELERY_QUEUE_DELIVERIES},
    "opscenter.tasks.deliver_due_outbox": {"queue": CELERY_QUEUE_DELIVERIES},
    "opscenter.tasks.escalate_alerts": {"queue": CELERY_QUEUE_ESCALATION},
    "alarms.tasks.supervise_panels": {"queue": CELERY_QUEUE_ESCALATION},
    "alarms.tasks.alert_due_events": {"queue": CELERY_QUEUE_ESCALATION},
    "bracelets.tasks.supervise_bracelets": {"queue": CELERY_QUEUE_ESCALATION},
    "cameras.tasks.supervise_pushing": {"queue": CELERY_QUEUE_ESCALATION},
    "cameras.tasks.read_plates": {"queue": CELERY_QUEUE_RECOGNITION},
}
# Time limits (prefork workers): at the soft limit the task gets SoftTimeLimitExceeded and may clean up
# (an outbox delivery records a failed attempt and is retried); at the hard limit its process is killed.
# Every task has the default pair; deliveries and escalation have shorter ones. A delivery's hard limit
# stays well under OUTBOX_LEASE_SECONDS, so a killed send's lease runs out after it, never before.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_DELIVERY_TIME_LIMITS = {
    "soft_time_limit": env.int("CELERY_DELIVERY_SOFT_TIME_LIMIT", default=30),
    "time_limit": env.int("CELERY_DELIVERY_TIME_LIMIT", default=45),
}
CELERY_ESCALATION_TIME_LIMITS = {
    "soft_time_limit": env.int("CELERY_ESCALATION_SOFT_TIME_LIMIT", default=20),
    "time_limit": env.int("CELERY_ESCALATION_TIME_LIMIT", default=30),
}
CELERY_TASK_ANNOTATIONS = {
    name: CELERY_DELIVERY_TIME_LIMITS if route["queue"] == CELERY_QUEUE_DELIVERIES else CELERY_ESCALATION_TIME_LIMITS
    for name, route in CELERY_TASK_ROUTES.items()
    if route["queue"] in (CELERY_QUEUE_DELIVERIES, CELERY_QUEUE_ESCALATION)  # recognition: the default limits
}
CELERY_BEAT_SCHEDULE = {
    "escalate-alerts": {"task": "opscenter.tasks.escalate_alerts", "schedule": 5.0},
    "seal-audit": {"task": "opscenter.tasks.seal_audit", "schedule": 60.0},
    "deliver-due-outbox": {"task": "opscenter.tasks.deliver_due_outbox", "schedule": 30.0},
    "supervise-alarm-panels": {"task": "alarms.tasks.supervise_panels", "schedule": 15.0},
    "alert-due-alarm-events": {"task": "alarms.tasks.alert_due_events", "schedule": 15.0},
    "purge-alarm-frames": {"task": "alarms.tasks.purge_frames", "schedule": 3600.0},
    "purge-appeals-leftovers": {"task": "appeals.tasks.purge_leftovers", "schedule": 3600.0},
    "supervise-bracelets": {"task": "bracelets.tasks.supervise_bracelets", "schedule": 30.0},
    "purge-bracelet-positions": {"task": "bracelets.tasks.purge_positions", "schedule": 3600.0},
    "purge-alerts": {"task": "opscenter.tasks.purge_alerts", "schedule": 3600.0},
    "purge-camera-events": {"task": "cameras.tasks.purge_events", "schedule": 3600.0},
    "supervise-pushing-cameras": {"task": "cameras.tasks.supervise_pushing", "schedule": 30.0},
}

# Seconds an alert of each severity may stay unacknowledged before it escalates to the supervisors;
# the head of the center is told at twice that. 0 turns escalation off for that severity.
ALERT_ESCALATION_SECONDS = {
    1: env.int("ESCALATION_P1_SECONDS", default=30),
    2: env.int("ESCALATION_P2_SECONDS", default=120),
    3: env.int("ESCALATION_P3_SECONDS", default=900),
    4: env.int("ESCALATION_P4_SECONDS", default=0),
}

# The target time to acknowledge an alert, in seconds: the wallboard sets today's median and p90 of each
# center against it, and the alarm report its distribution.
OPSCENTER_ACK_TARGET_SECONDS = env.int("OPSCENTER_ACK_TARGET_SECONDS", default=60)
# The longest period a report covers, in days.
REPORT_MAX_DAYS = env.int("REPORT_MAX_DAYS", default=366)

# A reason given in the admin for a record's personal data covers that record in the session this long.
ADMIN_PERSONAL_DATA_READ_SECONDS = env.int("ADMIN_PERSONAL_DATA_READ_SECONDS", default=900)

# A resolved alert's payload and the data and texts of its timeline are emptied this long after it was resolved.
ALERT_RETENTION_DAYS = env.int("ALERT_RETENTION_DAYS", default=365)

# Publishing to the live feed (opscenter.layers): sends to this many groups at once (each holds one Redis
# connection), at most this many messages per round, and tries a failed send this many times, the
# pause doubling from the backoff (at most 2 s) before it gives up (logged; the consoles resync).
LIVE_PUBLISH_CONCURRENCY = env.int("LIVE_PUBLISH_CONCURRENCY", default=8)
LIVE_PUBLISH_BATCH = env.int("LIVE_PUBLISH_BATCH", default=500)
LIVE_PUBLISH_ATTEMPTS = env.int("LIVE_PUBLISH_ATTEMPTS", default=8)
LIVE_PUBLISH_BACKOFF_SECONDS = env.float("LIVE_PUBLISH_BACKOFF_SECONDS", default=0.05)

# A live socket rechecks its session, user and scope this often even when nothing told it to (a change
# made around the services, a session deleted by hand); changes made through the services act at once.
LIVE_RECHECK_SECONDS = env.float("LIVE_RECHECK_SECONDS", default=60)
# A live socket counts as present (the wallboard's "who is on") while its last recheck is this recent;
# keep it above LIVE_RECHECK_SECONDS, which is how often an open socket says it is still there.
LIVE_PRESENCE_SECONDS = env.float("LIVE_PRESENCE_SECONDS", default=150)
# The most a part of a socket's snapshot holds, in bytes: far below the websocket message limit (1 MiB).
LIVE_SNAPSHOT_PART_BYTES = env.int("LIVE_SNAPSHOT_PART_BYTES", default=256 * 1024)

# The audit's hash chain (opscenter.services.audit_chain): beat seals new entries every minute; an entry
# still unsealed this long after it was written is reported by `manage.py audit_verify`.
AUDIT_SEAL_GRACE_SECONDS = env.int("AUDIT_SEAL_GRACE_SECONDS", default=600)

OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_BACKOFF_BASE_SECONDS = env.float("OUTBOX_BACKOFF_BASE_SECONDS", default=30)
OUTBOX_BACKOFF_MAX_SECONDS = env.float("OUTBOX_BACKOFF_MAX_SECONDS", default=6 * 3600)
# A worker sending a message holds it this long; past that, another may send it (the first one died or
# hung) and the first one's late result is ignored. Longer than a delivery may ever take: the deliveries
# queue's hard time limit (CELERY_TASK_TIME_LIMIT below) kills a send well before.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
# Calls to outside systems at configured URLs (webhooks) go only to https and only to public addresses
# (opscenter/outbound.py). Allowing private ones is for development and tests, never production. The CA
# bundle, when set, replaces the system's trusted certificates (a private PKI of the partners).
OUTBOUND_ALLOW_PRIVATE_TARGETS = env.bool("OUTBOUND_ALLOW_PRIVATE_TARGETS", default=False)
OUTBOUND_CA_BUNDLE = env.str("OUTBOUND_CA_BUNDLE", default="")

# SIA DC-09: a frame's timestamp may be this many seconds behind / ahead of ours, or it gets a NAK.
SIA_TIMESTAMP_WINDOW = (
    env.int("SIA_TIMESTAMP_BEHIND_SECONDS", default=40),
    env.int("SIA_TIMESTAMP_AHEAD_SECONDS", default=20),
)
# A frame with the account, sequence and content of one ACKed within this window is a repeat: ACKed, stored once.
SIA_REPEAT_WINDOW_SECONDS = env.int("SIA_REPEAT_WINDOW_SECONDS", default=3600)
# A panel is silent once its supervision interval plus this grace has passed without a frame.
SIA_SUPERVISION_GRACE_SECONDS = env.int("SIA_SUPERVISION_GRACE_SECONDS", default=60)
# Refuse (DUH) every panel without an AES key: without one, anybody can send as the panel. Production turns it on.
SIA_REQUIRE_ENCRYPTION = env.bool("SIA_REQUIRE_ENCRYPTION", default=False)
# The receiver's bounds against hostile input (alarms/receiver.py): connections in total (never above the
# descriptor limit) and per address (panels behind one carrier NAT share an address); seconds a frame may take
# from its first byte; bad frames before a connection is closed; UDP datagrams being handled; queued frames
# of known accounts and of noise. Beyond a bound, input is dropped unanswered and counted.
SIA_MAX_CONNECTIONS = env.int("SIA_MAX_CONNECTIONS", default=4096)
SIA_MAX_CONNECTIONS_PER_PEER = env.int("SIA_MAX_CONNECTIONS_PER_PEER", default=64)
SIA_FRAME_SECONDS = env.float("SIA_FRAME_SECONDS", default=30)
SIA_MAX_BAD_FRAMES = env.int("SIA_MAX_BAD_FRAMES", default=10)
SIA_UDP_MAX_IN_FLIGHT = env.int("SIA_UDP_MAX_IN_FLIGHT", default=256)
SIA_QUEUE_MAX = env.int("SIA_QUEUE_MAX", default=2000)
SIA_QUEUE_NOISE_MAX = env.int("SIA_QUEUE_NOISE_MAX", default=200)
# Refused input is counted in memory and written, one row per source address, this often.
SIA_REFUSAL_FLUSH_SECONDS = env.float("SIA_REFUSAL_FLUSH_SECONDS", default=5)
# An alarm's alert is raised right after its ACK; an event still without its alert this long after it was
# received (its receiver died in between) is raised by the sweep (the receiver's housekeeping and beat).
SIA_ALERT_SWEEP_AFTER_SECONDS = env.float("SIA_ALERT_SWEEP_AFTER_SECONDS", default=5)
# Received frames without an event (link tests, repeats) and refusal tallies are deleted after this many days.
SIA_FRAME_RETENTION_DAYS = env.int("SIA_FRAME_RETENTION_DAYS", default=90)

DEVICE_SECRET_OVERLAP_HOURS = env.int("DEVICE_SECRET_OVERLAP_HOURS", default=24)
# A patrol unit's tablet or tracker: a fix timed further ahead of the server's clock is refused.
UNIT_FUTURE_TOLERANCE_SECONDS = env.int("UNIT_FUTURE_TOLERANCE_SECONDS", default=300)
# A unit's position reaches the consoles at most this often (its last fix always does, at the end of the
# interval): a tracker reporting every second costs every console of its scope one message per interval.
UNIT_POSITION_PUBLISH_SECONDS = env.float("UNIT_POSITION_PUBLISH_SECONDS", default=3)

MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
MAP_CENTER = (51.2333, 51.3667)  # Uralsk

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # one shift
X_FRAME_OPTIONS = "DENY"
# Messages live in the session, not in a cookie: the admin shows a new device secret once through them.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
    },
}

# --- bracelets: electronic monitoring ----------------------------------------------------------------
# Evaluation of each position against zones, alarms and battery; off only to measure storing alone.
BRACELET_EVALUATE = env.bool("BRACELET_EVALUATE", default=True)
# Leaving the inclusion zone is a pending breach; it becomes an alarm only when it lasts this long.
BRACELET_BREACH_GRACE_SECONDS = env.int("BRACELET_BREACH_GRACE_SECONDS", default=180)
# A fix less accurate than this places nobody: stored and shown, never deciding a zone.
BRACELET_MAX_ACCURACY_METERS = env.float("BRACELET_MAX_ACCURACY_METERS", default=100.0)
# Battery below the first level is a P3 alert, below the second a P2.
BRACELET_LOW_BATTERY_PERCENT = (
    env.float("BRACELET_LOW_BATTERY_P3_PERCENT", default=20.0),
    env.float("BRACELET_LOW_BATTERY_P2_PERCENT", default=10.0),
)
# No valid fix for this long while the bracelet still talks: GPS lost. No contact at all: signal lost.
BRACELET_GPS_LOST_SECONDS = env.int("BRACELET_GPS_LOST_SECONDS", default=900)
BRACELET_SIGNAL_LOST_SECONDS = env.int("BRACELET_SIGNAL_LOST_SECONDS", default=600)
# Positions are purged this long after their court order ends, unless linked to a case.
BRACELET_POSITION_RETENTION_DAYS = env.int("BRACELET_POSITION_RETENTION_DAYS", default=180)
BRACELET_BATCH_MAX_POSITIONS = env.int("BRACELET_BATCH_MAX_POSITIONS", default=1000)
# A fix timed further ahead of the server's clock than this is refused (a device with a wrong clock).
BRACELET_FUTURE_TOLERANCE_SECONDS = env.int("BRACELET_FUTURE_TOLERANCE_SECONDS", default=300)

# --- appeals: the "Закон и порядок" partner API, deadlines, webhooks, Open311 ------------------------------
# Fernet keys that encrypt the partners' secrets, comma-separated, newest first (`appeals_reencrypt_secrets`
# moves stored secrets to the first). Unset, one is derived from SECRET_KEY: set it in production, or a new
# SECRET_KEY leaves the stored secrets unreadable.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
APPEALS_SIGNATURE_WINDOW_SECONDS = env.int("APPEALS_SIGNATURE_WINDOW_SECONDS", default=300)
APPEALS_PARTNER_SECRET_OVERLAP_HOURS = env.int("APPEALS_PARTNER_SECRET_OVERLAP_HOURS", default=24)
APPEALS_IDEMPOTENCY_TTL_HOURS = max(24, env.int("APPEALS_IDEMPOTENCY_TTL_HOURS", default=48))
# A claimed Idempotency-Key whose request has not finished in this time is taken over by a retry.
APPEALS_IDEMPOTENCY_LOCK_SECONDS = env.int("APPEALS_IDEMPOTENCY_LOCK_SECONDS", default=60)
APPEALS_ATTACHMENT_MAX_BYTES = {
    "photo": env.int("APPEALS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024),
    "video": env.int("APPEALS_VIDEO_MAX_BYTES", default=50 * 1024 * 1024),
    "voice": env.int("APPEALS_VOICE_MAX_BYTES", default=10 * 1024 * 1024),
}
# A reason given for an appeal's applicant data (and attachments) covers that appeal in the session this long.
APPEALS_APPLICANT_READ_SECONDS = env.int("APPEALS_APPLICANT_READ_SECONDS", default=1800)
APPEALS_ATTACHMENT_ORPHAN_HOURS = env.int("APPEALS_ATTACHMENT_ORPHAN_HOURS", default=24)
APPEALS_DEADLINE_WORKING_DAYS = 15  # АППК art. 76
APPEALS_REDIRECT_WORKING_DAYS = 3
APPEALS_EXTENSION_MAX_MONTHS = 2
APPEALS_DUE_SOON_WORKING_DAYS = env.int("APPEALS_DUE_SOON_WORKING_DAYS", default=3)
APPEALS_WORKDAY_START = "09:00"
APPEALS_NEAREST_SEAT_MAX_KM = env.float("APPEALS_NEAREST_SEAT_MAX_KM", default=150)
APPEALS_MANUAL_ROUTING_CENTER = "uralsk"
APPEALS_WEBHOOK_TIMEOUT_SECONDS = env.float("APPEALS_WEBHOOK_TIMEOUT_SECONDS", default=10)
# Partner webhooks are retried for about three days, then dead-lettered by the sender. With the outbox's
# backoff (30 s doubling to 6 h, equal jitter) 34 attempts span at least 3 days, so the 72 hours end them.
APPEALS_WEBHOOK_RETRY_HOURS = env.int("APPEALS_WEBHOOK_RETRY_HOURS", default=72)
APPEALS_WEBHOOK_MAX_ATTEMPTS = env.int("APPEALS_WEBHOOK_MAX_ATTEMPTS", default=34)
# The unsigned no-op endpoint bench/appeals.py measures against; never on in production.
APPEALS_BENCH_ENDPOINTS = env.bool("APPEALS_BENCH_ENDPOINTS", default=False)

# --- cameras: registry, video analytics, pushed events -----------------------------------------------------
# How devices outside reach this server (the push URLs printed for cameras).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Events, their pictures and the latest frames are purged this many days after they end (per camera, this
# default), unless linked to a case.
CAMERA_RETENTION_DAYS = env.int("CAMERA_RETENTION_DAYS", default=30)
# Plate reads that matched no hotlist are purged this many days after they were read, unless linked to a case.
PLATE_READ_RETENTION_DAYS = env.int("PLATE_READ_RETENTION_DAYS", default=30)
# A read whose least sure character is below this goes to the tuning gallery, not to the reads.
PLATE_MIN_CONFIDENCE = env.float("PLATE_MIN_CONFIDENCE", default=0.6)
# The tuning gallery of unreadable and unsure plates: kept this many days, at most this many.
PLATE_TUNING_DAYS = env.int("PLATE_TUNING_DAYS", default=7)
PLATE_TUNING_KEEP = env.int("PLATE_TUNING_KEEP", default=500)
# A detect stream without a frame for this long raises a P3 "camera down"; frames coming back resolve it.
CAMERA_DOWN_GRACE_SECONDS = env.int("CAMERA_DOWN_GRACE_SECONDS", default=120)
# Any alert with a place shows the cameras within this distance of it.
CAMERA_NEAR_ALERT_METERS = env.float("CAMERA_NEAR_ALERT_METERS", default=300)
# Drones: most points in one track request; a point timed further ahead of our clock is refused; an event
# takes the drone's track point nearest its time within this many seconds (between two, interpolated).
DRONE_TRACK_MAX_POINTS = env.int("DRONE_TRACK_MAX_POINTS", default=500)
DRONE_FUTURE_TOLERANCE_SECONDS = env.int("DRONE_FUTURE_TOLERANCE_SECONDS", default=300)
DRONE_POSITION_TOLERANCE_SECONDS = env.float("DRONE_POSITION_TOLERANCE_SECONDS", default=10)
# A worker holds its cameras by a lease it renews every third of this; a dead worker's cameras are taken
# over by another once their lease ran out.
VIDEO_LEASE_SECONDS = env.float("VIDEO_LEASE_SECONDS", default=30)
# The latest frame of each camera (the video wall's tiles) is stored at most this often.
VIDEO_LATEST_FRAME_SECONDS = env.float("VIDEO_LATEST_FRAME_SECONDS", default=5)
# Seconds between reconnection attempts to a stream: doubling from the first to the second.
VIDEO_RECONNECT_SECONDS = (
    env.float("VIDEO_RECONNECT_MIN_SECONDS", default=1),
    env.float("VIDEO_RECONNECT_MAX_SECONDS", default=30),
)

# --- request bodies ---------------------------------------------------------------------------------------
# The most bytes a request body may have, refused with a JSON 413 before Django reads it
# (opscenter/bodylimit.py): by the longest matching path prefix, else REQUEST_BODY_MAX_BYTES.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=1024 * 1024)
REQUEST_BODY_LIMITS = {
    "/api/v1/partner/": env.int("REQUEST_BODY_PARTNER_JSON_MAX_BYTES", default=64 * 1024),
    # The largest attachment and the multipart envelope around it.
    "/api/v1/partner/attachments": max(APPEALS_ATTACHMENT_MAX_BYTES.values()) + 64 * 1024,
    "/api/v1/tracking/": env.int("REQUEST_BODY_TRACKING_MAX_BYTES", default=64 * 1024),
    # BRACELET_BATCH_MAX_POSITIONS positions of a few hundred bytes each.
    "/api/v1/tracking/batch": env.int("REQUEST_BODY_TRACKING_BATCH_MAX_BYTES", default=1024 * 1024),
    "/open311/v2/": env.int("REQUEST_BODY_OPEN311_MAX_BYTES", default=64 * 1024),
    # A smart camera's event with its pictures (a plate crop and a scene of a few hundred KB each).
    "/api/v1/cameras/isapi/": env.int("REQUEST_BODY_ISAPI_MAX_BYTES", default=4 * 1024 * 1024),
    # DRONE_TRACK_MAX_POINTS points of under 200 bytes each.
    "/api/v1/cameras/drones/": env.int("REQUEST_BODY_DRONE_TRACK_MAX_BYTES", default=256 * 1024),
    # District boundaries are uploaded as GeoJSON in the admin.
    "/admin/": env.int("REQUEST_BODY_ADMIN_MAX_BYTES", default=20 * 1024 * 1024),
}
# JSON from outside nesting deeper than this is malformed input (400), refused before it is parsed.
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
