"""The demo's upcoming event "Samen Werkt!" is held on the day the demo is built (Amsterdam's date), so that a
new user can try the scanner, the clock and the dashboard at once; building it again on a later day moves that
event to the new day and changes nothing else. The spring edition stays in the past."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from events.demo.history import PAST_SLUG
from events.demo.seed import DEMO_SLUG, build_demo_in
from events.platform import dates
from events.platform.db import import_models, open_session
from events.platform.models import Event
from events.platform.settings import Settings
from tests.cli import cli
from tests.conftest import run

DAY = dt.date(2026, 12, 7)


async def _build(settings: Settings, today: dt.date | None = None) -> None:
    async with open_session(settings) as session:
        await build_demo_in(session, today=today)
        await session.commit()


async def _snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, but the demo event's date and when its row last changed."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with open_session(settings) as session:
        demo_id = await session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG))
        for table in import_models().sorted_tables:
            found = (await session.execute(select(table).order_by(*table.primary_key.columns))).mappings().all()
            kept = []
            for row in found:
                values = dict(row)
                if table.name == "event" and values["id"] == demo_id:
                    values.pop("date")
                    values.pop("updated_at")
                kept.append(tuple(sorted(values.items())))
            rows[table.name] = kept
    return rows


async def _dates(settings: Settings) -> tuple[dt.date | None, dt.date | None]:
    async with open_session(settings) as session:
        upcoming = await session.scalar(select(Event.date).where(Event.slug == DEMO_SLUG))
        spring = await session.scalar(select(Event.date).where(Event.slug == PAST_SLUG))
        return upcoming, spring


def test_the_demo_is_held_on_the_amsterdam_day_it_is_built(database: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "today", lambda: DAY)
    run(_build(database))
    upcoming, spring = run(_dates(database))
    assert upcoming == DAY
    assert spring is not None
    assert spring < DAY


def test_building_the_demo_on_a_later_day_moves_its_event_to_that_day_and_nothing_else(database: Settings) -> None:
    run(_build(database, DAY))
    before = run(_snapshot(database))
    spring = run(_dates(database))[1]

    run(_build(database, DAY + dt.timedelta(days=3)))

    assert run(_dates(database)) == (DAY + dt.timedelta(days=3), spring)
    after = run(_snapshot(database))
    assert {name: rows for name, rows in after.items() if rows != before[name]} == {}


def test_meetmatch_demo_again_on_a_later_day_moves_the_event_to_today(settings: Settings) -> None:
    first = cli(settings, "demo")
    assert first.returncode == 0, first.stderr
    assert run(_dates(settings))[0] == dates.today()

    async def built_yesterday() -> None:
        async with open_session(settings) as session:
            yesterday = dates.today() - dt.timedelta(days=1)
            await session.execute(update(Event).where(Event.slug == DEMO_SLUG).values(date=yesterday))
            await session.commit()

    run(built_yesterday())
    before = run(_snapshot(settings))
    again = cli(settings, "demo")
    assert again.returncode == 0, again.stderr
    assert "already present" in again.stdout
    assert run(_dates(settings))[0] == dates.today()
    after = run(_snapshot(settings))
    assert {name: rows for name, rows in after.items() if rows != before[name]} == {}
