"""Settings from ``MEETMATCH_*`` environment variables.

``create_app`` and the CLI take a ``Settings``; only ``Settings.from_env`` reads the environment, so
tests build their own settings and never patch ``os.environ``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SECRET_KEY_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
SQLITE_FILE = "meetmatch.sqlite"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything the app and the CLI need to know about their environment."""

    data_dir: Path
    database_url: str
    secret_key: str
    base_url: str = DEFAULT_BASE_URL
    # Whether MEETMATCH_BASE_URL gave the base URL (else the default: phones cannot open it).
    base_url_set: bool = False
    redis_url: str | None = None
    smtp_url: str | None = None
    # Seconds between runs of the background jobs inside `serve` (0: off; `serve` defaults to 60).
    jobs_interval: float = 0
    # Optional PostgreSQL schema (search_path); the test suite gives each test its own.
    database_schema: str | None = None
    debug: bool = False
    # Login throttle: failures allowed per account and per address within the window.
    login_max_failures: int = 10
    login_window_seconds: int = 15 * 60
    # Exports (PDF reports, spreadsheets, a person's data) per account within the window.
    export_max_per_window: int = 60
    export_window_seconds: int = 10 * 60
    # Addresses of reverse proxies whose X-Forwarded-For is believed (MEETMATCH_TRUSTED_PROXIES, comma-separated
    # addresses or networks); without one, forwarded headers are ignored, as anyone can send them.
    trusted_proxies: tuple[str, ...] = ()
    # Session lifetimes, per role (seconds). Door staff and employers keep a session for a whole event day.
    idle_timeouts: Mapping[str, int] = field(
        default_factory=lambda: {"organiser": 30 * 60, "coach": 30 * 60, "employer": 4 * 3600, "door": 16 * 3600}
    )
    absolute_timeouts: Mapping[str, int] = field(
        default_factory=lambda: {"organiser": 12 * 3600, "coach": 12 * 3600, "employer": 16 * 3600, "door": 16 * 3600}
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, create_key: bool = True) -> Settings:
        """Read ``MEETMATCH_*`` variables; create the data directory and secret key file on first run."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("MEETMATCH_DATA_DIR") or "meetmatch-data").resolve()
        database_url = env.get("MEETMATCH_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / SQLITE_FILE}"
        base_url = (env.get("MEETMATCH_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        _check_url("MEETMATCH_BASE_URL", base_url, ("http", "https"))
        database_url = normalise_database_url(database_url)
        secret_key = env.get("MEETMATCH_SECRET_KEY") or ""
        if secret_key and len(secret_key) < 32:
            msg = "MEETMATCH_SECRET_KEY: must be at least 32 characters long"
            raise SettingsError(msg)
        if not secret_key:
            secret_key = load_or_create_key(data_dir, create=create_key)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret_key,
            base_url=base_url,
            base_url_set=bool(env.get("MEETMATCH_BASE_URL")),
            redis_url=env.get("MEETMATCH_REDIS_URL") or None,
            smtp_url=env.get("MEETMATCH_SMTP_URL") or None,
            jobs_interval=_seconds("MEETMATCH_JOBS_INTERVAL", env.get("MEETMATCH_JOBS_INTERVAL") or "0"),
            database_schema=env.get("MEETMATCH_DATABASE_SCHEMA") or None,
            debug=(env.get("MEETMATCH_DEBUG") or "").lower() in {"1", "true", "yes"},
            trusted_proxies=_proxies(env.get("MEETMATCH_TRUSTED_PROXIES") or ""),
        )

    def with_changes(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (tests, CLI options)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def key_fingerprint(self) -> str:
        """A non-reversible fingerprint of the secret key, stored in the database to catch a swapped key."""
        return hashlib.sha256(b"meetmatch-key-fingerprint:" + self.secret_key.encode()).hexdigest()[:32]

    @property
    def installation(self) -> str:
        """A short name of this installation (its database and key): Redis keeps publish/subscribe channels
        for the whole server, not per database, so two installations on one Redis must not share channels."""
        where = f"{self.database_url}|{self.database_schema or ''}|{self.key_fingerprint}"
        return hashlib.sha256(where.encode()).hexdigest()[:16]

    def derive_key(self, purpose: str) -> bytes:
        """A sub-key for one purpose, so that no two mechanisms share key material."""
        return hashlib.sha256(f"meetmatch:{purpose}:".encode() + self.secret_key.encode()).digest()


def _proxies(text: str) -> tuple[str, ...]:
    """MEETMATCH_TRUSTED_PROXIES: addresses or networks, comma-separated; a clear message for a wrong one."""
    import ipaddress

    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            msg = (
                f"MEETMATCH_TRUSTED_PROXIES: {part!r} is not an address or network "
                "(for example 127.0.0.1 or 10.0.0.0/8)"
            )
            raise SettingsError(msg) from None
    return tuple(found)


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 86400:
        msg = f"{name}: a number of seconds between 0 and 86400"
        raise SettingsError(msg)
    return value


def load_or_create_key(data_dir: Path, *, create: bool = True) -> str:
    """Return the key in ``<data_dir>/secret.key``, creating it (mode 0600) when it does not exist."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            msg = f"{path}: the secret key file is damaged (shorter than 32 characters)"
            raise SettingsError(msg)
        return key
    if not create:
        msg = f"{path}: no secret key found; set MEETMATCH_SECRET_KEY or run `meetmatch db upgrade` first"
        raise SettingsError(msg)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async drivers the app runs on."""
    scheme = url.split(":", 1)[0]
    if scheme in {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}:
        return "postgresql+asyncpg:" + url.split(":", 1)[1]
    if scheme == "sqlite":
        return "sqlite+aiosqlite:" + url.split(":", 1)[1]
    if scheme not in {"postgresql+asyncpg", "sqlite+aiosqlite"}:
        msg = f"MEETMATCH_DATABASE_URL: unsupported database {scheme!r} (use sqlite:///FILE or postgresql://...)"
        raise SettingsError(msg)
    return url


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        msg = f"{name}: {value!r} is not a valid {' or '.join(schemes)} URL"
        raise SettingsError(msg)
