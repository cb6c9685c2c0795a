"""`meetmatch backup` and `meetmatch restore`: a portable archive made with the app's own means (no pg_dump).

The archive's format is `events.backup.archive`. Values are the database's own (read through reflected tables,
not the models), so encrypted columns stay encrypted in the archive.

What is not in it: the secret key (only its fingerprint: a restore refuses another key), the generated print
files (printed again in seconds) and the import uploads (previews that expire within the hour). The erasure
ledger file stays in the data directory through a restore; the restore ends with
`events.privacy.erasure.apply_ledger`, so people erased after the backup was made are erased again.

A restore is one transaction: the schema brought to the archive's revision (an empty database is migrated
there), every row inserted, PostgreSQL's sequences moved past the restored ids, counts and content hashes
checked against the manifest, then the schema migrated on to the code's revision. Any failure leaves the
target as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Column, Integer, MetaData, Table, event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.backup.archive import (
    FORMAT,
    MANIFEST,
    BackupError,
    TableDigest,
    add_member,
    app_version,
    decode,
    line,
    read_archive,
)
from events.platform.db import create_engine, dispose_engine, session_maker
from events.platform.migrate import alembic_config
from events.platform.settings import Settings
from events.privacy.erasure import ErasureReport, apply_ledger

VERSION_TABLE = "alembic_version"
BATCH = 1000
PAGE = 5000

Progress = Callable[[int], None]


def _no_progress(_rows: int) -> None:
    return None


@dataclass
class RestoreReport:
    tables: int
    rows: int
    revision: str
    migrated_to: str | None
    ledger: ErasureReport


# --- reading the database ----------------------------------------------------------------------------------


def _reflect(connection: Connection) -> MetaData:
    found = MetaData()
    found.reflect(connection)
    return found


def app_tables(found: MetaData) -> list[Table]:
    """The app's tables in dependency order (parents first), without alembic's own."""
    return [t for t in found.sorted_tables if t.name != VERSION_TABLE]


def columns(table: Table) -> list[Column[Any]]:
    """A table's columns by name: the same order whether the schema came from the migrations (added columns at
    the end) or from the models."""
    return sorted(table.columns, key=lambda c: c.name)


def _ordered(table: Table) -> Any:
    keys = list(table.primary_key.columns) or columns(table)
    return select(*columns(table)).order_by(*keys)


async def _rows(connection: AsyncConnection, table: Table) -> AsyncIterator[tuple[Any, ...]]:
    """The table's rows in key order, a page at a time. Pages rather than a server-side cursor: asyncpg keeps a
    cursor's portal open until the transaction ends, and the migrations after a restore could not alter a
    table with an open one ("being used by active queries")."""
    query, offset = _ordered(table), 0
    while True:
        page = (await connection.execute(query.limit(PAGE).offset(offset))).all()
        for row in page:
            yield tuple(row)
        if len(page) < PAGE:
            return
        offset += PAGE


async def _digest(
    connection: AsyncConnection, table: Table, sink: IO[bytes] | None = None, progress: Progress | None = None
) -> TableDigest:
    hasher, count = hashlib.sha256(), 0
    async for row in _rows(connection, table):
        data = line(row)
        hasher.update(data)
        if sink is not None:
            sink.write(data)
        count += 1
        if progress is not None and count % BATCH == 0:
            progress(BATCH)
    if progress is not None and count % BATCH:
        progress(count % BATCH)
    return TableDigest(count, hasher.hexdigest())


async def _revision(connection: AsyncConnection, found: MetaData) -> str | None:
    if VERSION_TABLE not in found.tables:
        return None
    value = await connection.scalar(select(found.tables[VERSION_TABLE].c.version_num))
    return str(value) if value else None


async def _fingerprint(connection: AsyncConnection, found: MetaData) -> str | None:
    from events.platform.services import KEY_FINGERPRINT

    if "app_setting" not in found.tables:
        return None
    setting = found.tables["app_setting"]
    value = await connection.scalar(select(setting.c.value).where(setting.c.key == KEY_FINGERPRINT))
    return str(value) if value else None


async def table_digests(settings: Settings) -> dict[str, TableDigest]:
    """Row count and content hash of every table of the database (what the manifest records)."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(_reflect)
            return {t.name: await _digest(connection, t) for t in app_tables(found)}
    finally:
        await dispose_engine(engine)


async def count_rows(settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(_reflect)
            return await _count_all(connection, app_tables(found))
    finally:
        await dispose_engine(engine)


async def _count_all(connection: AsyncConnection, tables: list[Table]) -> int:
    total = 0
    for table in tables:
        total += int(await connection.scalar(select(func.count()).select_from(table)) or 0)
    return total


# --- backup ------------------------------------------------------------------------------------------------


async def backup(settings: Settings, target: Path, progress: Progress = _no_progress) -> dict[str, Any]:
    """Write the archive to `target` (through a temporary file beside it, renamed at the end); the manifest."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            # One snapshot for every table: PostgreSQL's REPEATABLE READ, SQLite's read transaction.
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            found = await connection.run_sync(_reflect)
            tables = app_tables(found)
            revision = await _revision(connection, found)
            if revision is None:
                raise BackupError("the database has no schema version; run `meetmatch db upgrade` first")
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "app_version": app_version(),
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "alembic_revision": revision,
                "dialect": connection.dialect.name,
                "key_fingerprint": await _fingerprint(connection, found),
                "secret_key": "not included: restore with the same MEETMATCH_SECRET_KEY or secret.key",
                "skipped": ["secret.key", "prints/ (generated again)", "uploads/ (import previews, expire)"],
                "tables": [],
            }
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            with tempfile.TemporaryDirectory(prefix="meetmatch-backup-") as scratch:
                paths = []
                for index, table in enumerate(tables):
                    path = Path(scratch) / f"{index:03d}.jsonl"
                    with path.open("wb") as sink:
                        digest = await _digest(connection, table, sink, progress)
                    paths.append(path)
                    manifest["tables"].append(
                        {
                            "name": table.name,
                            "file": f"tables/{index:03d}-{table.name}.jsonl",
                            "columns": [c.name for c in columns(table)],
                            "rows": digest.rows,
                            "sha256": digest.sha256,
                        }
                    )
                # The manifest first, so that a restore reads it (and sizes its progress bar) without the rest.
                # Readable by the owner only: the archive holds people's data.
                try:
                    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as raw:
                        with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                            add_member(archive, MANIFEST, io.BytesIO(body), len(body))
                            for entry, path in zip(manifest["tables"], paths, strict=True):
                                with path.open("rb") as data:
                                    add_member(archive, entry["file"], data, path.stat().st_size)
                        raw.flush()
                        os.fsync(raw.fileno())
                except BaseException:
                    partial.unlink(missing_ok=True)
                    raise
            partial.replace(target)
            return manifest
    finally:
        await dispose_engine(engine)


# --- restore -----------------------------------------------------------------------------------------------


def check_revision(settings: Settings, revision: str) -> str:
    """The code's head revision, after checking that the archive's revision is this code's or an older one."""
    scripts = ScriptDirectory.from_config(alembic_config(settings))
    head = scripts.get_current_head()
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None or head is None:
        raise BackupError(
            f"the backup was made by a newer meetmatch (schema revision {revision}, this one knows up to {head}); "
            "restore it with that version or newer"
        )
    return head


def _migrate(connection: Connection, settings: Settings, revision: str) -> None:
    config = alembic_config(settings)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def _clear(connection: AsyncConnection, settings: Settings, found: MetaData, revision: str) -> MetaData:
    """Bring the target to an empty schema at `revision`: rows deleted where it is there already, else every
    table dropped and the migrations run up to it."""
    current = await _revision(connection, found)
    tables = app_tables(found)
    if current == revision:
        for table in reversed(tables):
            await connection.execute(table.delete())
        return found
    if tables or VERSION_TABLE in found.tables:
        await connection.run_sync(found.drop_all)
    await connection.run_sync(_migrate, settings, revision)
    return await connection.run_sync(_reflect)


async def _insert(connection: AsyncConnection, table: Table, columns: list[str], path: Path, done: Progress) -> None:
    targets = [table.c[name] for name in columns]
    batch: list[dict[str, Any]] = []
    with path.open("rb") as rows:
        for raw in rows:
            values = json.loads(raw)
            batch.append({c.name: decode(v, c) for c, v in zip(targets, values, strict=True)})
            if len(batch) >= BATCH:
                await connection.execute(table.insert(), batch)
                done(len(batch))
                batch = []
    if batch:
        await connection.execute(table.insert(), batch)
        done(len(batch))


async def _fix_sequences(connection: AsyncConnection, tables: list[Table]) -> None:
    """PostgreSQL: each id sequence continues after the highest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = await connection.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{table.name}"', "column": keys[0].name},
        )
        if sequence:
            highest = func.max(keys[0])
            await connection.execute(select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None))))


def _transactional_engine(settings: Settings) -> AsyncEngine:
    """The app's engine, but on SQLite with the driver's own transaction handling off and an explicit BEGIN:
    Python's sqlite3 otherwise commits before DDL, and a restore drops and creates tables in its transaction
    (SQLAlchemy's documented recipe for transactional DDL on SQLite)."""
    engine = create_engine(settings)
    if settings.is_sqlite:

        @event.listens_for(engine.sync_engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def is_empty(settings: Settings) -> bool:
    return await count_rows(settings) == 0


async def restore(
    settings: Settings, source: Path, *, replace: bool = False, progress: Progress = _no_progress
) -> RestoreReport:
    """Restore the archive into the configured database (see the module's docstring), then replay the erasure
    ledger."""
    with tempfile.TemporaryDirectory(prefix="meetmatch-restore-") as scratch:
        archive = read_archive(source, Path(scratch))
        manifest = archive.manifest
        revision = str(manifest["alembic_revision"])
        head = check_revision(settings, revision)
        stored_key = manifest.get("key_fingerprint")
        if stored_key and stored_key != settings.key_fingerprint:
            raise BackupError(
                "the backup was made with another secret key; restore with the same MEETMATCH_SECRET_KEY "
                "(or that installation's secret.key in the data directory)"
            )
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = _transactional_engine(settings)
        try:
            async with engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    # Rows arrive parents first, but a table may point to itself: check the keys at commit.
                    await connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
                found = await connection.run_sync(_reflect)
                if not replace and await _count_all(connection, app_tables(found)):
                    raise BackupError("the database is not empty; restore with --replace to overwrite it")
                found = await _clear(connection, settings, found, revision)
                total = 0
                for entry in manifest["tables"]:
                    table = found.tables.get(entry["name"])
                    if table is None:
                        raise BackupError(f"the schema at revision {revision} has no table {entry['name']}")
                    await _insert(connection, table, entry["columns"], archive.files[entry["name"]], progress)
                    total += int(entry["rows"])
                restored = app_tables(found)
                await _fix_sequences(connection, restored)
                for entry in manifest["tables"]:
                    digest = await _digest(connection, found.tables[entry["name"]])
                    if digest != TableDigest(int(entry["rows"]), str(entry["sha256"])):
                        raise BackupError(
                            f"table {entry['name']} differs after the restore ({digest.rows} rows of "
                            f"{entry['rows']}); nothing was changed"
                        )
                migrated_to = None
                if revision != head:
                    await connection.run_sync(_migrate, settings, "head")
                    migrated_to = head
        finally:
            await dispose_engine(engine)
    engine = create_engine(settings)
    try:
        ledger = await apply_ledger(session_maker(engine), settings)
    finally:
        await dispose_engine(engine)
    return RestoreReport(len(manifest["tables"]), total, revision, migrated_to, ledger)
