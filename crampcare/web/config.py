"""Reading settings from the environment. Every error names the variable and what is valid."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_DATA_DIR = "crampcare-data"
SQLITE_NAME = "crampcare.sqlite3"
SECRET_KEY_FILE = "secret_key"
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: use true or false")


def env_int(name: str, default: int, *, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r}: must be between {low} and {high}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """CRAMPCARE_DATA_DIR (default ./crampcare-data), absolute. Not created here."""
    raw = env_str("CRAMPCARE_DATA_DIR", DEFAULT_DATA_DIR) or DEFAULT_DATA_DIR
    return Path(raw).expanduser().resolve()


def secret_key(directory: Path) -> str:
    """CRAMPCARE_SECRET_KEY, else the key ``crampcare serve`` stored in the data directory.

    Commands that sign nothing (tests, ``audit verify``) run with a throwaway key.
    """
    key = os.environ.get("CRAMPCARE_SECRET_KEY")
    if key is not None:
        if len(key.strip()) < 32:
            raise ConfigError("CRAMPCARE_SECRET_KEY: use at least 32 random characters")
        return key.strip()
    stored = directory / SECRET_KEY_FILE
    if stored.is_file():
        return stored.read_text(encoding="utf-8").strip()
    return "unsigned-" + os.urandom(32).hex()


def database(url: str | None, directory: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] from DATABASE_URL, or SQLite in the data directory."""
    if not url:
        return sqlite(directory / SQLITE_NAME)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        path = url.split("://", 1)[1] if "://" in url else ""
        path = path[1:] if path.startswith("/") else path  # sqlite:///rel, sqlite:////abs
        if not path:
            raise ConfigError(f"DATABASE_URL={url!r}: give a file, e.g. sqlite:////srv/cc.db")
        return sqlite(Path(path).expanduser().resolve())
    if scheme in {"postgres", "postgresql", "pgsql"}:
        import dj_database_url

        try:
            config: dict[str, Any] = dict(
                dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
            )
        except ValueError as exc:
            raise ConfigError(f"DATABASE_URL: {exc}") from None
        if not config.get("NAME"):
            raise ConfigError(f"DATABASE_URL={redact(url)!r}: name the database after the /")
        config.setdefault("OPTIONS", {})
        config["ATOMIC_REQUESTS"] = True
        return config
    raise ConfigError(
        f"DATABASE_URL={redact(url)!r}: unsupported scheme {scheme!r}; "
        "use postgresql://user:password@host:5432/name or sqlite:////path/to/file.sqlite3"
    )


def sqlite(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "ATOMIC_REQUESTS": True,
        "OPTIONS": {
            # One writer at a time, taken at BEGIN: no "database is locked" on lock upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def redact(url: str) -> str:
    """The URL without its password, for messages and the start banner."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
