"""Strict reading of the environment for settings.py.

django-environ parses the values; this module refuses the ones it would silently accept
(``DEBUG=maybe`` reads as False there) and turns every mistake into one line that names the
variable, printed before start-up stops. A traceback is no help to whoever deploys the portal.
"""

from __future__ import annotations

import sys
from urllib.parse import unquote, urlsplit

import environ

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A bad environment value; the message names the variable."""


env = environ.Env()


def fail(error: ConfigError) -> None:
    sys.stderr.write(f"Configuration error: {error}\n")
    sys.exit(2)


def boolean(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false")


def integer(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def text_list(name: str, default: list[str]) -> list[str]:
    if name not in env:
        return default
    return [item.strip() for item in env.str(name).split(",") if item.strip()]


def database(name: str, url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"} or not parts.path.strip("/"):
        raise ConfigError(
            f"{name} must look like postgres://user:password@host:5432/dbname "
            f"(PostgreSQL only), got {url[:60]!r}"
        )
    config = env.db_url_config(url)
    # A unix-socket directory is given percent-encoded in the host part.
    config["HOST"] = unquote(config["HOST"] or "")
    config["CONN_MAX_AGE"] = integer("CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    # psycopg prepares a statement after it ran this many times on a connection. Django's
    # cursors bind parameters on the client and are never prepared; only the search's
    # server-binding cursors are (offers.bitmaps.binary_cursor). Behind PgBouncer in
    # transaction mode, use PgBouncer 1.21 or later with max_prepared_statements set.
    config.setdefault("OPTIONS", {})["prepare_threshold"] = 5
    return config


def redis(name: str, url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix", "redis+socket"}:
        raise ConfigError(
            f"{name} must look like redis://host:6379/0 or unix:///path/redis.sock, "
            f"got {url[:60]!r}"
        )
    if scheme == "redis+socket":
        url = "unix://" + url.removeprefix("redis+socket://")
    return url


def celery_url(redis_url: str) -> str:
    """Kombu spells a unix-socket Redis URL redis+socket://, redis-py spells it unix://."""
    if redis_url.startswith("unix://"):
        path, _, query = redis_url.removeprefix("unix://").partition("?")
        db = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("db", "0")
        return f"redis+socket://{path}?virtual_host={db}"
    return redis_url


def email(name: str, url: str) -> dict:
    try:
        return env.email_url_config(url)
    except Exception:  # django-environ raises several kinds here
        raise ConfigError(
            f"{name} must look like smtp://user:password@host:587 or consolemail://, "
            f"got {url[:60]!r}"
        ) from None


def url(name: str, default: str) -> str:
    value = env.str(name, default=default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name} must be an absolute http(s) URL, got {value[:60]!r}")
    return value
