"""A crash in the middle of saving a programme leaves the old one whole: a real `meetmatch schedule build
--publish` process is killed (SIGKILL, no chance to clean up) after it has written part of the new version's
talks, and the published version, its talks and the list of versions are exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import Event
from events.platform.settings import Settings
from schedule import services
from schedule.models import Meeting, ScheduleVersion
from tests.cli import cli
from tests.conftest import run
from tests.waiting import wait_until

# Runs the real console script, with the talks' insert slowed down: half the rows are written and flushed, a
# marker file says so, and the process waits there to be killed.
CRASHING_BUILD = """
import sys, time
from pathlib import Path
import schedule.services as services

marker = Path(sys.argv[1])
original = services.store_rows

async def store_half_then_hang(session, version, rows):
    await original(session, version, rows[: len(rows) // 2])
    await session.flush()
    marker.write_text(str(version.number))
    time.sleep(120)  # the hang IS the test: the build is killed here, half its talks written (not a wait)

services.store_rows = store_half_then_hang
from events.cli import main
main(["schedule", "build", "samen-werkt", "--publish", "--seed", "7"], prog_name="meetmatch")
"""


async def _state(settings: Settings, event_id: int) -> dict[str, Any]:
    async with open_session(settings) as session:
        event = await session.get(Event, event_id)
        assert event is not None
        shown = await services.current(session, event)
        assert shown is not None
        versions = (
            await session.execute(
                select(ScheduleVersion.number, ScheduleVersion.status, ScheduleVersion.published_at)
                .where(ScheduleVersion.event_id == event_id)
                .order_by(ScheduleVersion.number)
            )
        ).all()
        talks = (
            await session.execute(
                select(
                    Meeting.round,
                    Meeting.table,
                    Meeting.employer_participation_id,
                    Meeting.candidate_participation_id,
                    Meeting.locked,
                    Meeting.status,
                )
                .where(Meeting.version_id == shown.id)
                .order_by(Meeting.round, Meeting.table, Meeting.employer_participation_id)
            )
        ).all()
        all_talks = await session.scalar(select(Meeting.id).order_by(Meeting.id.desc()).limit(1))
        return {
            "shown": shown.number,
            "versions": [tuple(v) for v in versions],
            "talks": [tuple(t) for t in talks],
            "highest_talk_id": all_talks,
        }


def _environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "MEETMATCH_DATA_DIR": str(settings.data_dir),
        "MEETMATCH_DATABASE_URL": settings.database_url,
        "MEETMATCH_SECRET_KEY": settings.secret_key,
        **({"MEETMATCH_DATABASE_SCHEMA": settings.database_schema} if settings.database_schema else {}),
    }


def test_schedule_build_killed_while_saving_leaves_the_published_programme_whole(
    demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    before = run(_state(database, demo.event_id))
    assert before["talks"], "the demo publishes a programme"
    marker = tmp_path / "writing-began"
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING_BUILD, str(marker)],
        env=_environment(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: marker.exists() or process.poll() is not None, 120)
        alive = process.poll() is None
        if alive:
            os.kill(process.pid, signal.SIGKILL)
    finally:
        _, errors = process.communicate(timeout=30)
    assert (alive, marker.exists()) == (True, True), errors.decode()
    assert process.returncode == -signal.SIGKILL
    assert int(marker.read_text()) == max(v[0] for v in before["versions"]) + 1  # it was saving the next version

    after = run(_state(database, demo.event_id))

    assert after == before
    # And the next build works as if nothing happened: the version number the dead build held is free again.
    rebuilt = cli(database, "schedule", "build", "samen-werkt", "--publish")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run(_state(database, demo.event_id))["shown"] == before["shown"] + 1
