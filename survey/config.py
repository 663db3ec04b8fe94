"""Configuration from the environment, with safe defaults for a single-machine install.

`SURVEY_DATABASE_URL` selects the database (default: SQLite in the instance folder) and
`SURVEY_SECRET_KEY` the signing key; with no key set, one is generated once into the
instance folder and reused, so sessions and signed receipt tokens survive restarts.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from argon2.profiles import RFC_9106_LOW_MEMORY as ARGON2
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"  # nosec B105


class ConfigError(RuntimeError):
    """A setting is wrong; the message names the setting and how to fix it."""


def normalise_database_url(url: str) -> str:
    """Validate a database URL and route PostgreSQL through psycopg 3."""
    if url.startswith("postgres://"):  # Heroku-style scheme that SQLAlchemy no longer accepts
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 (a non-numeric port raises here, not at connect time)
    except (ArgumentError, ValueError):
        shown = url if "@" not in url else url.split("://")[0] + "://…@" + url.rsplit("@", 1)[1]
        raise ConfigError(
            f"SURVEY_DATABASE_URL không phải địa chỉ cơ sở dữ liệu hợp lệ ({shown!r}). "
            "Dùng ví dụ sqlite:////path/to/survey.db hoặc "
            "postgresql+psycopg://user:password@host:5432/dbname."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"SURVEY_DATABASE_URL dùng loại cơ sở dữ liệu không được hỗ trợ {backend!r}. "
            "Dùng sqlite:/// hoặc postgresql+psycopg://."
        )
    if backend == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def engine_options(url: str) -> dict[str, Any]:
    """Engine options per backend: busy timeout for SQLite, pre-ping for PostgreSQL."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def instance_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it once on first use.

    gunicorn workers may start together: the key is written to a private temporary file and
    hard-linked into place, so a worker sees either no file or the whole key, and the first
    link wins for everyone.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker's key won
        finally:
            os.unlink(temporary)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ConfigError(f"{path} is empty. Delete it to have a new key generated, or set SURVEY_SECRET_KEY.")
    return key


def _parsed_setting(environ: Mapping[str, str], name: str, parse: Callable[[str], Any], wanted: str) -> Any:
    """The setting parsed, None when unset or blank; a ConfigError naming the variable otherwise."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {wanted}, got {raw!r}.") from None


def int_setting(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """Read a whole-number setting, naming the variable when its value is not one."""
    value = _parsed_setting(environ, name, int, "a whole number")
    if value is None:
        return default
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}.")
    return value


def rate_setting(environ: Mapping[str, str], name: str, default: float) -> float:
    """Read a rate between 0 and 1 (e.g. 0.05 for 5%), naming the variable when it is not one."""
    value = _parsed_setting(environ, name, float, "a number such as 0.05")
    if value is None:
        return default
    if not 0 < value <= 1:
        raise ConfigError(f"{name} must be above 0 and at most 1 (0.05 means 5%), got {value}.")
    return value


def rate_limit_setting(environ: Mapping[str, str], name: str, default: str) -> str:
    """Read a rate limit such as '120 per hour', naming the variable when it cannot be parsed."""
    from limits import parse

    value = environ.get(name) or default
    try:
        parse(value)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as '120 per hour', got {value!r}.") from None
    return value


def rate_limit_storage(environ: Mapping[str, str]) -> str:
    """The rate-limit counter store: memory:// (one process) or redis:// (several workers)."""
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    uri = environ.get("SURVEY_RATELIMIT_STORAGE") or "memory://"
    if not uri.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        raise ConfigError(
            f"SURVEY_RATELIMIT_STORAGE must be memory:// or redis://host:6379, got {uri!r}."
        )
    try:
        storage_from_string(uri)  # checks the URI and the client library; connects lazily
    except ConfigurationError as exc:
        raise ConfigError(f"SURVEY_RATELIMIT_STORAGE={uri!r} cannot be used: {exc}") from None
    return uri


def jobs_url_setting(environ: Mapping[str, str]) -> str:
    """The background job queue (survey.jobs): '' for a SQLite file in the instance folder,
    redis://host:6379/0 in production, memory:// or immediate:// in tests."""
    url = environ.get("SURVEY_JOBS_URL", "").strip()
    if url and not url.startswith(("sqlite:///", "redis://", "rediss://", "unix://", "memory://", "immediate://")):
        raise ConfigError(
            f"SURVEY_JOBS_URL must be empty (a SQLite file in the instance folder), sqlite:////path/jobs.db "
            f"or redis://host:6379/0, got {url!r}."
        )
    return url


def smtp_url_setting(environ: Mapping[str, str]) -> str | None:
    """SURVEY_SMTP_URL checked (survey/leaders/senders.py): a password travels only over TLS,
    or to this machine."""
    from survey.leaders.senders import SmtpSettings, shown_url
    from survey.public_url import is_loopback

    url = environ.get("SURVEY_SMTP_URL", "").strip()
    if not url:
        return None
    try:
        settings = SmtpSettings.from_url(url)
    except ValueError as exc:
        raise ConfigError(
            f"SURVEY_SMTP_URL must be smtp://user:password@host:port, smtps://… (TLS) or "
            f"smtp://…?starttls=1, got {shown_url(url)!r}: {exc}.") from None
    if settings.password and not settings.encrypted and not is_loopback(f"smtp://{settings.host}"):
        raise ConfigError(
            f"SURVEY_SMTP_URL would send the password in clear to {settings.host}: "
            "use smtps:// or add ?starttls=1.")
    return url


def mail_from_setting(environ: Mapping[str, str]) -> str | None:
    """SURVEY_MAIL_FROM: an address, optionally with a name ("Sở Nội vụ <khaosat@…>")."""
    from email.utils import parseaddr

    value = environ.get("SURVEY_MAIL_FROM", "").strip()
    if value and "@" not in parseaddr(value)[1]:
        raise ConfigError(f"SURVEY_MAIL_FROM must be an e-mail address, got {value!r}.")
    return value or None


def sms_url_setting(environ: Mapping[str, str]) -> str | None:
    """SURVEY_SMS_URL: the gateway's https:// endpoint (http:// only on this machine, for tests),
    since the key and the links travel in each request."""
    from urllib.parse import urlsplit

    from survey.public_url import is_loopback

    url = environ.get("SURVEY_SMS_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http") or (
            parts.scheme == "http" and not is_loopback(url)):
        raise ConfigError(f"SURVEY_SMS_URL must be the gateway's https:// address, got {url!r}.")
    return url


REMOVED_RATE_LIMITS = {
    "SURVEY_RATE_LIMIT_DEVICE": "a device cookie is whatever the client sends; set "
                                "SURVEY_RATE_LIMIT_QUESTIONNAIRE (page posts per questionnaire) instead",
    "SURVEY_RATE_LIMIT_CENTRE": "a centre-wide limit let strangers turn a desk's citizens away; completed "
                                "responses past SURVEY_ALERT_CENTRE_RESPONSES now log an alert instead",
}


def refuse_removed_rate_limits(environ: Mapping[str, str]) -> None:
    """Refuse to start with a rate limit that no longer exists, rather than ignore it (issue 23)."""
    for name, why in REMOVED_RATE_LIMITS.items():
        if environ.get(name):
            raise ConfigError(f"{name} no longer exists ({why}). Remove it from the environment.")


def load_config(instance_path: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    refuse_removed_rate_limits(environ)
    default_db = "sqlite:///" + str(Path(instance_path) / "survey.db")
    url = normalise_database_url(environ.get("SURVEY_DATABASE_URL") or default_db)
    secure = environ.get("SURVEY_HTTPS", "0") == "1"
    return {
        "SECRET_KEY": environ.get("SURVEY_SECRET_KEY") or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": url,
        "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
        "QUESTIONNAIRES_DIR": environ.get(
            "SURVEY_QUESTIONNAIRES_DIR", str(PROJECT_ROOT / "questionnaires")
        ),
        "STARTUP_CHECK": environ.get("SURVEY_STARTUP_CHECK", "1") == "1",
        "PUBLIC_BASE_URL": environ.get("SURVEY_PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 3600,
        "TIMEZONE": environ.get("SURVEY_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "SESSION_IDLE_MINUTES": int_setting(environ, "SURVEY_SESSION_IDLE_MINUTES", 30, 1),
        # Submission times stay exact to the minute this long, then become a time band.
        "EXACT_TIME_DAYS": int_setting(environ, "SURVEY_EXACT_TIME_DAYS", 45, 0),
        # Reverse proxies in front of the app (nginx = 1): trust that many X-Forwarded-* hops.
        "PROXY_COUNT": int_setting(environ, "SURVEY_PROXY_COUNT", 0),
        "API_KEYS": [k.strip() for k in environ.get("SURVEY_API_KEYS", "").split(",") if k.strip()],
        "RATELIMIT_STORAGE_URI": rate_limit_storage(environ),
        # Report builds run on this queue, consumed by `python -m survey.jobs` (survey/jobs.py).
        "JOBS_URL": jobs_url_setting(environ),
        # Built reports for the web pages (survey.reports.store); default <instance>/reports.
        "REPORTS_DIR": environ.get("SURVEY_REPORTS_DIR") or None,
        # Off: Flask-Limiter would stamp every response with X-RateLimit-* and a Retry-After of
        # the window's reset (up to an hour), overriding a busy page's "retry in 5 s". A 429
        # page sets its own Retry-After (survey.respond.views.too_many_requests).
        "RATELIMIT_HEADERS_ENABLED": False,
        # If Redis goes down, count in memory rather than turn citizens away with an error.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Citizen form limits (survey/respond/limits.py), none shared by strangers: a questionnaire
        # is about 10 page posts, so 120 an hour per questionnaire is far beyond any citizen.
        "RATE_LIMIT_QUESTIONNAIRE": rate_limit_setting(
            environ, "SURVEY_RATE_LIMIT_QUESTIONNAIRE", "120 per hour"),
        "RATE_LIMIT_START": rate_limit_setting(environ, "SURVEY_RATE_LIMIT_START", "300 per hour"),
        "RATE_LIMIT_ADDRESS": rate_limit_setting(environ, "SURVEY_RATE_LIMIT_ADDRESS", "1200 per hour"),
        # Completed responses at one centre past this rate log an alert; they are never refused.
        "ALERT_CENTRE_RESPONSES": rate_limit_setting(environ, "SURVEY_ALERT_CENTRE_RESPONSES", "60 per hour"),
        # An unfinished questionnaire can be continued this long after its last page, on its device.
        "RESUME_MINUTES": int_setting(environ, "SURVEY_RESUME_MINUTES", 30, 1),
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["gzip"],
        # Static files stream from disk; nginx compresses them in production (README).
        "COMPRESS_STREAMS": False,
        # A centre's target for a wave: its dossiers of the previous quarter times this rate;
        # MONITOR_TARGET_PER_CENTRE when the previous quarter's counts are missing.
        "MONITOR_TARGET_PER_CENTRE": int_setting(environ, "SURVEY_MONITOR_TARGET", 30, 1),
        # Argon2id cost (argon2-cffi's RFC 9106 low-memory profile); tests use cheap values.
        "PASSWORD_HASH_TIME_COST": int_setting(environ, "SURVEY_PASSWORD_HASH_TIME_COST", ARGON2.time_cost, 1),
        "PASSWORD_HASH_MEMORY_COST": int_setting(
            environ, "SURVEY_PASSWORD_HASH_MEMORY_COST", ARGON2.memory_cost, 8
        ),
        "PASSWORD_HASH_PARALLELISM": int_setting(
            environ, "SURVEY_PASSWORD_HASH_PARALLELISM", ARGON2.parallelism, 1
        ),
        "MONITOR_SAMPLING_RATE": rate_setting(environ, "SURVEY_MONITOR_SAMPLING_RATE", 0.05),
        # Invitations by e-mail and SMS (survey/leaders/senders.py, delivery.py): relays, and at
        # most SEND_RATE messages a run hands to them, so a relay's own limit is never hit.
        "SMTP_URL": smtp_url_setting(environ),
        "MAIL_FROM": mail_from_setting(environ),
        "SMS_URL": sms_url_setting(environ),
        "SMS_KEY": environ.get("SURVEY_SMS_KEY", "").strip() or None,
        "SEND_RATE": rate_limit_setting(environ, "SURVEY_SEND_RATE", "30 per minute"),
        # The largest recording of a question an administrator may upload (survey.media).
        "AUDIO_MAX_BYTES": int_setting(environ, "SURVEY_AUDIO_MAX_BYTES", 2 * 1024 * 1024, 1),
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT_MINUTES": 15,
    }
