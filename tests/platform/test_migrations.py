from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from events.platform.db import create_engine, dispose_engine, import_models
from events.platform.migrate import current_revision, head_revision, upgrade
from events.platform.settings import Settings
from tests.conftest import run


async def _schema_differences(settings: Settings) -> list[object]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), import_models())
            )
    finally:
        await dispose_engine(engine)


async def _tables(settings: Settings) -> set[str]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await dispose_engine(engine)


def test_migrations_produce_exactly_the_models_schema(settings: Settings) -> None:
    run(upgrade(settings))

    differences = run(_schema_differences(settings))

    assert differences == []
    assert run(_tables(settings)) == {*import_models().tables, "alembic_version"}


def test_migrations_upgrade_twice_is_a_no_op(settings: Settings) -> None:
    run(upgrade(settings))
    run(upgrade(settings))

    assert run(current_revision(settings)) == head_revision(settings)
