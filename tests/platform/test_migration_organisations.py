"""Migration 0012 (organisations own their work): a database of the schema before it, holding a whole demo with its
history, upgrades into one organisation that owns every event, programme and candidate, with every row kept: the
same number of rows in every table and the same content, column for column."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, func, select, text

from events.demo.seed import build_demo_in
from events.platform.db import create_engine, dispose_engine, open_session
from events.platform.migrate import upgrade
from events.platform.settings import Settings
from tests.conftest import run
from tests.helpers import alembic

# What 0012 changes on purpose: the owner becomes an organising organisation, and accounts without an
# organisation join it. Checked on their own below.
CHANGED = {("organisation", "kind"), ("user_account", "organisation_id")}


def _contents(
    connection: Connection, tables: dict[str, list[str]] | None = None, organisations: int | None = None
) -> dict[str, tuple[int, str]]:
    """Per table (of the schema now, or the columns given): its row count and a hash of its rows in key order;
    of the organisations, those up to id ``organisations`` (the one that takes everything over may be new)."""
    metadata = MetaData()
    metadata.reflect(connection)
    found = {}
    for name, table in metadata.tables.items():
        if name == "alembic_version" or (tables is not None and name not in tables):
            continue
        columns = tables[name] if tables is not None else [c.name for c in table.columns]
        kept = [table.c[c] for c in columns if (name, c) not in CHANGED]
        query = select(*kept).order_by(*table.primary_key.columns)
        if name == "organisation" and organisations is not None:
            query = query.where(table.c.id <= organisations)
        rows = connection.execute(query).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        found[name] = (len(rows), digest)
    return found


def _columns(connection: Connection) -> dict[str, list[str]]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {name: [c.name for c in table.columns] for name, table in metadata.tables.items()}


async def _read(settings: Settings, work: Any) -> Any:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await dispose_engine(engine)


@pytest.mark.slow
def test_migration_0012_moves_everything_into_one_organisation_and_keeps_every_row(settings: Settings) -> None:
    database = settings
    run(upgrade(database))
    run(_build_demo(database))
    run(alembic(database, "downgrade", "0011"))
    # As an installation of that time: organisers and door staff made on the command line had no organisation.
    run(_read(database, _without_organisations))
    columns = run(_read(database, _columns))
    before = run(_read(database, _contents))
    organisations = run(_read(database, lambda c: c.execute(text("SELECT max(id) FROM organisation")).scalar_one()))

    run(alembic(database, "upgrade", "head"))

    after = run(_read(database, lambda c: _contents(c, columns, organisations)))
    assert after == before
    owners = run(_read(database, _owners))
    assert owners["without_owner"] == 0
    assert owners["owners"] == 1
    assert owners["accounts_without_organisation"] == 0
    assert owners["owner_kind"] == "organiser"


async def _build_demo(settings: Settings) -> None:
    async with open_session(settings) as session:
        await build_demo_in(session, history=True)
        await session.commit()


def _without_organisations(connection: Connection) -> None:
    connection.execute(text("UPDATE user_account SET organisation_id = NULL WHERE role IN ('organiser', 'door')"))
    connection.execute(text("DELETE FROM user_account WHERE role = 'admin'"))
    connection.commit()


def _owners(connection: Connection) -> dict[str, Any]:
    owners: set[int] = set()
    without = 0
    for table in ("event", "programme", "candidate"):
        values = connection.execute(text(f"SELECT DISTINCT organisation_id FROM {table}")).scalars().all()  # noqa: S608
        owners |= {v for v in values if v is not None}
        without += sum(1 for v in values if v is None)
    (owner,) = owners or {None}
    return {
        "owners": len(owners),
        "without_owner": without,
        "accounts_without_organisation": connection.execute(
            select(func.count()).select_from(text("user_account")).where(text("organisation_id IS NULL"))
        ).scalar_one(),
        "owner_kind": connection.execute(
            text("SELECT kind FROM organisation WHERE id = :o"), {"o": owner}
        ).scalar_one_or_none(),
    }
