"""Engine and session configuration, the shared declarative base, and the model registry."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator, event, func
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from events.platform.settings import Settings

# Stable constraint names, so that migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Every slice's models module; imported for alembic, create_all in tests and the app.
MODEL_MODULES = (
    "events.platform.models",
    "events.followup.models",
    "events.privacy.models",
    "schedule.models",
    "badges.models",
)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always stored and returned as UTC, also on SQLite (which has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are ambiguous; pass a timezone-aware value"
            raise ValueError(msg)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every slice's models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-10)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now(), sort_order=10
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=10
    )


class folded(GenericFunction[str]):  # noqa: N801 (a SQL function, named like one)
    """A text in lower case for case-insensitive search, beyond ASCII on both databases: PostgreSQL's lower() folds
    every letter, SQLite's only A-Z, so on SQLite this calls Python's str.lower (registered on each connection)."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"meetmatch_lower({compiler.process(element.clauses, **kw)})"


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """An INSERT of this session's dialect, so that `on_conflict_do_nothing` is there (SQLite and PostgreSQL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def import_models() -> MetaData:
    """Import every slice's models so that ``Base.metadata`` is complete, and return it."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata


def create_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """An async engine for the configured database, with WAL and a busy timeout on SQLite; sets the key of the
    encrypted fields (events.platform.crypto) from the same settings, and makes sure every slice's tables are known
    (a foreign key into another slice's table, the sweeps over every table)."""
    from events.platform import crypto

    crypto.configure(settings)
    import_models()
    connect_args: dict[str, Any] = {}
    if settings.is_sqlite:
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        kwargs.setdefault("pool_size", 8)
        kwargs.setdefault("max_overflow", 16)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        # Overloaded, a request waits this long for a connection, then is answered 503 with Retry-After (the
        # scanner keeps the scan and sends it again): better than SQLAlchemy's 30 s, which a phone gives up on.
        kwargs.setdefault("pool_timeout", 10)
        # pg_stat_activity then shows which process holds which connection (and a test can end exactly those).
        server_settings = {"application_name": f"meetmatch:{os.getpid()}"}
        if settings.database_schema:
            server_settings["search_path"] = settings.database_schema
        connect_args["server_settings"] = server_settings
    # An error's message then names no values: a failed insert must not carry a person's data into the logs.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(settings.database_url, connect_args=connect_args, **kwargs)
    if settings.is_sqlite:
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers run beside the one writer; the busy timeout makes writers queue instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased personal data must not linger in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        dbapi_connection.create_function("meetmatch_lower", 1, _lower, deterministic=True)


async def dispose_engine(engine: AsyncEngine) -> None:
    """Close every pooled connection and give their transports a turn of the loop to finish closing.

    Without that turn, asyncpg transports are closed only by the garbage collector, after their loop ended.
    """
    await engine.dispose()
    for _ in range(3):
        await asyncio.sleep(0)


def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def open_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session with an engine of its own, for the CLI and background jobs (they commit explicitly)."""
    engine = create_engine(settings)
    try:
        async with session_maker(engine)() as session:
            yield session
    finally:
        await dispose_engine(engine)


# SQLSTATE classes that mean the database is out of reach for now, not that the request was wrong: connection
# exceptions (08), insufficient resources such as too many connections (53), operator intervention such as a
# restart or a terminated backend (57P).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
RETRY_AFTER_SECONDS = 2


@functools.cache
def _out_of_reach() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DisconnectionError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    return (
        ConnectionError,
        TimeoutError,
        PoolTimeoutError,
        DisconnectionError,
        RedisConnectionError,
        RedisTimeoutError,
    )


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means a backing service (the database, Redis) could not be reached or dropped the
    connection: the request may simply be sent again in a moment (503), as opposed to a fault (500)."""
    from sqlalchemy.exc import DBAPIError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _out_of_reach()):
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if type(current).__module__.startswith("asyncpg") and "connection" in type(current).__name__.lower():
            return True  # asyncpg's ConnectionDoesNotExistError and kin, raised before SQLAlchemy wraps them
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
