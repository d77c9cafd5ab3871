"""OTP Dash settings. Everything is read from OTPDASH_* environment variables (see README)."""

import ipaddress
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet

from .datadir import make_private
from .env import ConfigError, dns_resolvers, env, env_bool, env_list, secret_file

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("OTPDASH_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

SECRET_KEY = env("OTPDASH_SECRET_KEY") or secret_file(DATA_DIR / "secret_key")
# Mailbox passwords and two-step secrets are encrypted with these Fernet keys, newest first;
# `manage.py rotate_keys` re-encrypts everything with the first one after a new key is put in front.
# Without the variable the key file below is used, made on first use (otpdash/secretbox.py).
ENCRYPTION_KEY_FILE = DATA_DIR / "encryption_keys"
ENCRYPTION_KEYS = env("OTPDASH_ENCRYPTION_KEYS").replace(",", " ").split()
for _key in ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as exc:
        raise ConfigError(
            "OTPDASH_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from exc
# A household install may reach mail servers and alert services on its own network; one shared by
# several households should not (otpdash/outbound.py). Unset: allowed while there is one household.
# OTPDASH_ALLOW_PRIVATE_MAIL_HOSTS is the older name of the same setting.
_ALLOW_PRIVATE = next((n for n in ("OTPDASH_ALLOW_PRIVATE_HOSTS", "OTPDASH_ALLOW_PRIVATE_MAIL_HOSTS") if env(n)), None)
ALLOW_PRIVATE_HOSTS = env_bool(_ALLOW_PRIVATE, True) if _ALLOW_PRIVATE else None
# Alert channels (Apprise) this install sends to: web push and chat services. mailto:// is never one
# (alerts by email go through OTPDASH_SMTP_HOST); Apprise's generic json/form/xml hooks may not
# choose their own method, headers or query unless OTPDASH_CHANNEL_CUSTOM_HTTP allows it.
CHANNEL_SCHEMES = {
    scheme.lower()
    for scheme in env_list(
        "OTPDASH_CHANNEL_SCHEMES",
        "apprise,apprises,bark,barks,discord,gchat,gotify,gotifys,hassio,hassios,ifttt,join,json,jsons,form,forms,"
        "xml,xmls,lametric,line,matrix,matrixs,mmost,mmosts,workflows,ntfy,ntfys,opsgenie,pagerduty,pbul,pover,"
        "psafer,psafers,prowl,pushed,pushme,rocket,rockets,schan,signal,signals,slack,spush,tgram,threema,twilio,"
        "wxteams,zulip,ncloud,nclouds,nctalk,nctalks",
    )
}
CHANNEL_CUSTOM_HTTP = env_bool("OTPDASH_CHANNEL_CUSTOM_HTTP", False)
# What a backup may unpack to, at most, in a restore (and never more than the data folder's free space).
RESTORE_MAX_BYTES = int(env("OTPDASH_RESTORE_MAX_BYTES", str(64 * 2**30)))
# Unencrypted IMAP is refused except to this machine, unless the admin allows it here.
ALLOW_PLAIN_IMAP = env_bool("OTPDASH_ALLOW_PLAIN_IMAP", False)
# Where DKIM and ARC keys are looked up for OTP Dash's own signature checks: "system", "off", or
# resolver addresses ("host" or "host:port", comma-separated). See scanner/keys.py.
DNS_RESOLVERS = dns_resolvers("OTPDASH_DNS_RESOLVERS")
# Processes that detect a long first scan's messages while the next batch is read (scanner/detection_pool.py):
# one per core unless set; 0 or 1 detects in the scan's own process.
SCAN_WORKERS = int(env("OTPDASH_SCAN_WORKERS")) if env("OTPDASH_SCAN_WORKERS") else None
# A mailbox's first scan records older mail as history (no incident, no alert): mail older than
# this many days when it is first found.
HISTORY_DAYS = int(env("OTPDASH_HISTORY_DAYS", "7"))
IMAP_TIMEOUT = float(env("OTPDASH_IMAP_TIMEOUT", "30"))
# A scan holds its mailbox's lock this long and renews it every third of that while it runs, so a
# scan that is killed frees the mailbox within this time.
SCAN_LEASE_SECONDS = float(env("OTPDASH_SCAN_LEASE_SECONDS", "45"))
# Watch processes share the mailboxes through leases (scanner/leases.py): a dead process's mailboxes
# are taken over at once where the database or the kernel can tell, and after this long anyway.
WATCH_LEASE_SECONDS = float(env("OTPDASH_WATCH_LEASE_SECONDS", "30"))
# IMAP connections one watch process holds at most (one per watched folder), and folders watched per
# mailbox: servers refuse many connections per account (Gmail about 15), and the user's own mail
# apps need some. Folders beyond it are still read by the scheduled polls.
WATCH_MAX_CONNECTIONS = int(env("OTPDASH_WATCH_MAX_CONNECTIONS", "100"))
WATCH_FOLDERS_PER_MAILBOX = int(env("OTPDASH_WATCH_FOLDERS_PER_MAILBOX", "5"))
# OAuth2 for Outlook.com / Microsoft 365 and Gmail mailboxes (README: "Linking with OAuth2"). An
# app registered once by the admin; without a client id the provider is not offered.
OAUTH = {
    "microsoft": {
        "client_id": env("OTPDASH_MS_CLIENT_ID"),
        "client_secret": env("OTPDASH_MS_CLIENT_SECRET"),
        # consumers: Outlook.com, Hotmail, Live; organizations or a tenant id: Microsoft 365.
        "tenant": env("OTPDASH_MS_TENANT", "consumers"),
        "login_url": env("OTPDASH_MS_LOGIN_URL", "https://login.microsoftonline.com"),
        # The redirect flow too, once the app registration has OTPDASH_BASE_URL/mailboxes/oauth-callback/.
        "redirect": env_bool("OTPDASH_MS_REDIRECT", False),
    },
    "google": {
        "client_id": env("OTPDASH_GOOGLE_CLIENT_ID"),
        "client_secret": env("OTPDASH_GOOGLE_CLIENT_SECRET"),
        "authorize_url": env("OTPDASH_GOOGLE_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth"),
        "token_url": env("OTPDASH_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"),
    },
}
# Have I Been Pwned (opt-in per household): where its API v3 lives, how we name ourselves to it, and
# how long an address's answer is kept before it is asked again.
HIBP_URL = env("OTPDASH_HIBP_URL", "https://haveibeenpwned.com/api/v3")
HIBP_USER_AGENT = "OTP-Dash (self-hosted household dashboard)"
HIBP_RECHECK_DAYS = int(env("OTPDASH_HIBP_RECHECK_DAYS", "7"))
# /metrics for Prometheus: off (404) unless set; then scrapes must send it as a bearer token.
METRICS_TOKEN = env("OTPDASH_METRICS_TOKEN")
# The read-only API (/api/v1/): requests per minute per personal token before it answers 429.
API_REQUESTS_PER_MINUTE = int(env("OTPDASH_API_REQUESTS_PER_MINUTE", "120"))

DEBUG = env_bool("OTPDASH_DEBUG", False)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *env_list("OTPDASH_ALLOWED_HOSTS")]
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client (otpdash/client_ip.py).
TRUSTED_PROXIES = env_list("OTPDASH_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ConfigError(f"OTPDASH_TRUSTED_PROXIES: {_proxy!r} is not an address or network") from exc
HTTPS = env_bool("OTPDASH_HTTPS", False)

# Our own apps (README "Layout"), the ones others build on first.
PROJECT_APPS = [
    "accounts", "mailboxes", "scanner", "incidents", "msaccounts", "notify", "ops", "dashboard", "api", "homeassistant",
]  # fmt: skip

INSTALLED_APPS = [
    "otpdash.admin_apps.HouseholdAdminConfig",  # Django's admin, scoped to the signed-in household
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language for visitors; MemberMiddleware then switches to the member's own choice.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth: a household that requires MFA sends members without it to set it up.
    "accounts.middleware.MemberMiddleware",
]

ROOT_URLCONF = "otpdash.urls"
WSGI_APPLICATION = "otpdash.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE and LANGUAGE_BIDI for <html>
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context.member",
                "notify.context.notices",
            ],
            "builtins": ["otpdash.timefilters", "otpdash.textfilters"],
        },
    },
    {
        # Subjects and text parts of mail (otpdash/mail.py): plain text, so nothing is HTML-escaped.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": ["otpdash.timefilters"]},
    },
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "otpdash.sqlite3",
            # WAL and a busy timeout let the web server, the cluster and the watcher share one file;
            # IMMEDIATE transactions take the write lock up front, so a writer waits its turn instead
            # of failing with "database is locked" when it upgrades from reading.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The database and the keys are readable by OTP Dash's user only; what cannot be fixed is said at
# every start (here, on stderr, before logging exists) and by `manage.py check`.
DATA_DIR_PROBLEMS = make_private(DATA_DIR, None if DATABASE_URL else DATA_DIR / "otpdash.sqlite3")
for _problem in DATA_DIR_PROBLEMS:
    sys.stderr.write(f"WARNING: {_problem}\n")

REDIS_URL = env("OTPDASH_REDIS_URL")
Q_CLUSTER = {
    "name": "otpdash",
    "workers": int(env("OTPDASH_WORKERS", "2")),
    "timeout": 600,
    "retry": 660,
    "catch_up": False,
    "orm": "default",
    # A first scan run as a task detects in worker processes of its own (scanner/detection_pool.py):
    # django-q's workers must not be daemonic for that, as daemonic processes may have no children.
    "daemonize_workers": False,
}
if REDIS_URL:
    del Q_CLUSTER["orm"]
    Q_CLUSTER["redis"] = REDIS_URL

# The database cache backs allauth's sign-in rate limits, so they hold across gunicorn workers
# and processes without Redis; a migration (accounts 0002) creates its table.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "otpdash_cache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.HouseholdAccountAdapter"  # no open sign-up: invitations only
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # members arrive by an invitation sent to that address
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(env("OTPDASH_REAUTHENTICATION_SECONDS", "900"))
# Failed sign-ins slow down in steps (backoff) per client address, per account from one address,
# and per account from everywhere (a spread-out attack); an attacker elsewhere cannot lock the owner
# out for long, and a successful sign-in clears the account's counters (accounts/adapter.py).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,30/15m/ip,100/6h/ip",
    "login_failed_account_ip": "5/5m/key,10/30m/key,20/6h/key",
    "login_failed_account": "50/h/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
ACCOUNT_FORMS = {
    "login": "accounts.signin_forms.SignInForm",
    "change_password": "accounts.signin_forms.ChangePasswordForm",
    "reset_password": "accounts.signin_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.signin_forms.ResetPasswordKeyForm",
    "add_email": "accounts.signin_forms.AddEmailForm",
    "reauthenticate": "accounts.signin_forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "accounts.signin_forms.SecondStepForm",
    "reauthenticate": "accounts.signin_forms.CodeAgainForm",
    "add_webauthn": "accounts.signin_forms.AddKeyForm",
    "edit_webauthn": "accounts.signin_forms.RenameKeyForm",
}
MFA_ADAPTER = "accounts.adapter.HouseholdMFAAdapter"  # TOTP secrets and recovery seeds sealed like passwords
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# allauth refuses two-step sign-in to anyone with an unconfirmed address, so that a stranger who signs up
# first with someone else's address cannot lock its owner out. Nobody signs up here: every account is
# made at set-up or from an admin's invitation. Without this, a member who opened "My email addresses"
# (which records their address, unconfirmed) could no longer turn on the authenticator app.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "OTP Dash"
# Browsers offer passkeys on https and on localhost; an install without OTPDASH_HTTPS is plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS

# Outgoing mail (password resets now). Without OTPDASH_SMTP_HOST OTP Dash sends nothing and says so
# where mail would be needed.
EMAIL_HOST = env("OTPDASH_SMTP_HOST")
EMAIL_PORT = int(env("OTPDASH_SMTP_PORT", "587"))
EMAIL_HOST_USER = env("OTPDASH_SMTP_USER")
EMAIL_HOST_PASSWORD = env("OTPDASH_SMTP_PASSWORD")
EMAIL_USE_SSL = env_bool("OTPDASH_SMTP_SSL", False)
EMAIL_USE_TLS = env_bool("OTPDASH_SMTP_STARTTLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:  # Django would refuse at the first mail, long after start
    raise ConfigError(
        "OTPDASH_SMTP_SSL and OTPDASH_SMTP_STARTTLS are both true: choose one (port 465 is SSL, 587 is STARTTLS)"
    )
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env("OTPDASH_MAIL_FROM", "OTP Dash <otpdash@localhost>")
# Where people reach this install: links in alerts, digests and invitations are made from it
# (background tasks have no request to take the host from).
BASE_URL = env("OTPDASH_BASE_URL", "http://localhost:8000")
# Forms posted from the address people use are trusted even when a reverse proxy passes another Host.
_base = urlsplit(BASE_URL)
if _base.scheme not in ("http", "https") or not _base.netloc:
    raise ConfigError(f"OTPDASH_BASE_URL must be an http(s) address such as https://otp.example.org, not {BASE_URL!r}")
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

LANGUAGE_CODE = "en-us"
# Each name in its own language, so a person finds theirs whatever language the page is in.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt-br", "Português (Brasil)"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
]
# Catalogues are compiled from locale/*/LC_MESSAGES/django.po by `manage.py compile_catalogues`.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("OTPDASH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# A container image collects them at build time into its own folder, outside the data volume.
STATIC_ROOT = Path(env("OTPDASH_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Not the manifest storage: a missed collectstatic must not turn every page into an error.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve static/ directly too, so a fresh checkout works before collectstatic

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere (htmx runs with allowEval off and no injected styles);
# allauth's TOTP page shows its QR code as a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("OTPDASH_LOG_LEVEL", "INFO")},
    # imapclient at DEBUG logs every server line, which can carry a subject or a code: never.
    "loggers": {"imapclient": {"level": "WARNING"}},
}
