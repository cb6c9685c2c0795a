"""Schema migrations: ``meetmatch db upgrade`` and the developer's ``meetmatch db revision``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from events.platform.db import create_engine, dispose_engine
from events.platform.settings import Settings


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("events").joinpath("migrations")))))
    config.attributes["settings"] = settings
    return config


async def upgrade(settings: Settings) -> None:
    """Bring the database to the newest schema."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_on, settings)
    finally:
        await dispose_engine(engine)


def _upgrade_on(connection: Connection, settings: Settings) -> None:
    config = alembic_config(settings)
    head = ScriptDirectory.from_config(config).get_current_head()
    if MigrationContext.configure(connection).get_current_revision() == head:
        return  # nothing to do; alembic's own run of its environment would take a few tenths of a second
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def current_revision(settings: Settings) -> str | None:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await dispose_engine(engine)


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def revision(settings: Settings, message: str, *, autogenerate: bool = True) -> None:
    """Write a new revision file (developers; read every generated file before committing it)."""
    config = alembic_config(settings)
    command.revision(config, message=message, autogenerate=autogenerate)
