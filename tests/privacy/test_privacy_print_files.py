"""Erasing one person removes the print files that show them, and only those: erasing one candidate deleted
every print file of the event (everyone's badges and handouts had to be printed again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from badges.models import PrintJob, PrintStatus
from badges.printing.jobs import prints_dir
from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import CandidateParticipation
from events.platform.settings import Settings
from schedule.models import Meeting, ScheduleVersion, VersionStatus
from tests.conftest import ORGANISER, csrf_headers, login, run
from tests.waiting import wait_until

PAGE = "/events/samen-werkt/badges"


def _print(client: TestClient[Litestar], data: dict[str, Any]) -> int:
    """Start a print job as the badges page does and wait until its file is there; the job's id."""
    client.get("/")
    started = client.post(PAGE, data={"_csrf_token": client.cookies.get("csrftoken"), **data}, follow_redirects=False)
    assert started.status_code == 303, started.text
    path = started.headers["location"]
    assert wait_until(lambda: 'http-equiv="refresh"' not in client.get(path).text, 120, every=0.2), (
        "the print job did not finish"
    )
    return int(path.rsplit("/", 1)[1])


async def _seated(settings: Settings) -> list[tuple[int, int]]:
    """(participation, candidate) of everyone with talks in the published programme, by participation."""
    async with open_session(settings) as session:
        rows = await session.execute(
            select(CandidateParticipation.id, CandidateParticipation.candidate_id)
            .where(
                CandidateParticipation.id.in_(
                    select(Meeting.candidate_participation_id)
                    .join(ScheduleVersion, ScheduleVersion.id == Meeting.version_id)
                    .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
                )
            )
            .order_by(CandidateParticipation.id)
        )
        return list(rows.tuples())


async def _files(settings: Settings, job_ids: list[int]) -> dict[int, str]:
    async with open_session(settings) as session:
        jobs = (await session.scalars(select(PrintJob).where(PrintJob.id.in_(job_ids)))).all()
        assert all(job.status is PrintStatus.DONE for job in jobs)
        return {job.id: job.file_name for job in jobs}


@pytest.mark.slow
def test_erasing_a_person_removes_only_the_print_files_that_show_them(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    (erased_pid, erased_id), (kept_pid, _kept_id) = run(_seated(database))[:2]
    login(client, ORGANISER)
    theirs = [
        _print(client, {"what": "handouts", "holder": [f"candidate:{erased_pid}"]}),
        # Employer contacts' badges list the candidates at their tables; table sheets list every seat.
        _print(client, {"what": "badges", "layout": "a6", "kind": ["employer"]}),
        _print(client, {"what": "table-sheets"}),
        _print(client, {"what": "attendance", "kind": ["candidate"]}),
    ]
    others = [
        _print(client, {"what": "handouts", "holder": [f"candidate:{kept_pid}"]}),
        _print(client, {"what": "badges", "holder": [f"candidate:{kept_pid}"]}),
    ]
    before = run(_files(database, theirs + others))
    folder: Path = prints_dir(database)
    assert all(name and (folder / name).is_file() for name in before.values())

    erased = client.post(f"/api/candidates/{erased_id}/erase", json={"confirm": True}, headers=csrf_headers(client))

    assert erased.status_code == 200, erased.text
    after = run(_files(database, theirs + others))
    assert [after[i] for i in theirs] == ["", "", "", ""]
    assert all(not (folder / before[i]).exists() for i in theirs)
    assert [after[i] for i in others] == [before[i] for i in others]
    assert all((folder / before[i]).is_file() for i in others)
    # The kept files still download; the removed ones are gone for good.
    assert client.get(f"{PAGE}/jobs/{others[0]}/download").status_code == 200
    assert client.get(f"{PAGE}/jobs/{theirs[0]}/download").status_code == 404
