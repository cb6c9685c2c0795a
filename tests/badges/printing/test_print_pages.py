"""The "Badges and printing" pages as people use them: an organiser starts a PDF, follows it and downloads it;
a coach prints only their own candidates' handouts; employers and door staff are refused."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from badges.models import PrintJob, PrintStatus
from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import CandidateCoach, CandidateParticipation, User
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, OTHER_COACH, login, run
from tests.waiting import wait_until

PAGE = "/events/samen-werkt/badges"


def _post(client: TestClient[Litestar], path: str, data: dict[str, Any]) -> Any:
    client.get("/")
    return client.post(path, data={"_csrf_token": client.cookies.get("csrftoken"), **data}, follow_redirects=False)


def _wait_until_done(client: TestClient[Litestar], path: str, seconds: float = 120) -> tuple[str, list[str]]:
    """Follow the job page as the browser does (it refreshes itself); the last page and what each showed."""
    seen = []
    pages = []

    def finished() -> bool:
        page = client.get(path)
        assert page.status_code == 200
        running = 'http-equiv="refresh"' in page.text
        seen.append("running" if running else "finished")
        pages.append(page.text)
        return not running

    if wait_until(finished, seconds, every=0.2):
        return pages[-1], seen
    raise AssertionError("the print job did not finish")


async def _job(settings: Settings, job_id: int) -> PrintJob:
    async with open_session(settings) as session:
        job = await session.get(PrintJob, job_id)
        assert job is not None
        return job


def test_organiser_starts_a_render_follows_it_and_downloads_the_pdf(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    form = client.get(PAGE)

    started = _post(client, PAGE, {"what": "badges", "layout": "a4-10", "kind": ["employer"], "print_language": "nl"})

    assert form.status_code == 200
    assert 'name="what"' in form.text
    assert started.status_code == 303
    job_path = started.headers["location"]
    assert job_path.startswith(f"{PAGE}/jobs/")
    last, seen = _wait_until_done(client, job_path)
    assert seen[-1] == "finished"
    download = client.get(f"{job_path}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(download.content)).pages) == 2  # 8 employer contacts: one sheet, both sides
    job = run(_job(database, int(job_path.rsplit("/", 1)[1])))
    assert (job.status, job.progress, job.count, job.pages) == (PrintStatus.DONE, 1.0, 8, 2)
    assert f"{job_path}/download" in last
    # Someone else's job is out of a coach's reach, exactly like a missing one.
    login(client, COACH)
    assert client.get(job_path).status_code == client.get(f"{PAGE}/jobs/987654").status_code == 404
    assert client.get(f"{job_path}/download").status_code == 404


async def _running_job(settings: Settings) -> int:
    async with open_session(settings) as session:
        organiser = await session.scalar(select(User).where(User.email == ORGANISER))
        assert organiser is not None
        job = PrintJob(
            event_id=1,
            started_by_id=organiser.id,
            what="badges",
            layout="a4-8",
            selection={},
            progress=0.4,
            pages=16,
            heartbeat_at=dt.datetime.now(dt.UTC),
        )
        session.add(job)
        await session.commit()
        return job.id


def test_job_page_shows_progress_and_refreshes_itself_while_it_runs(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    job_id = run(_running_job(database))
    login(client, ORGANISER)

    page = client.get(f"{PAGE}/jobs/{job_id}")

    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="1">' in page.text
    assert '<progress id="print-bar" max="100" value="40">' in page.text
    assert "16 pagina" in page.text
    assert client.get(f"{PAGE}/jobs/{job_id}/download").status_code == 404  # not there yet


async def _participations(settings: Settings, email: str) -> list[int]:
    async with open_session(settings) as session:
        coach = await session.scalar(select(User.id).where(User.email == email))
        rows = await session.scalars(
            select(CandidateParticipation.id)
            .join(CandidateCoach, CandidateCoach.candidate_id == CandidateParticipation.candidate_id)
            .where(CandidateCoach.coach_id == coach)
            .order_by(CandidateParticipation.id)
        )
        return list(rows.all())


def test_coach_prints_own_candidates_handouts_and_gets_404_for_anyone_else(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    own, others = run(_participations(database, COACH)), run(_participations(database, OTHER_COACH))
    login(client, COACH)

    mine = client.get(f"{PAGE}/handouts/{own[0]}")
    foreign = client.get(f"{PAGE}/handouts/{others[0]}")
    missing = client.get(f"{PAGE}/handouts/987654")
    foreign_job = _post(client, PAGE, {"what": "handouts", "holder": [f"candidate:{others[0]}"]})
    badges = _post(client, PAGE, {"what": "badges"})
    page = client.get(PAGE)

    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(mine.content)).pages) == 1
    assert foreign.status_code == missing.status_code == foreign_job.status_code == badges.status_code == 404
    assert foreign.text == missing.text.replace("987654", str(others[0]))
    # The page lists the coach's own candidates only, each with its handout.
    assert f'/handouts/{own[0]}"' in page.text
    assert f'/handouts/{others[0]}"' not in page.text
    own_job = _post(client, PAGE, {"what": "handouts", "holder": [f"candidate:{own[0]}"]})
    assert own_job.status_code == 303
    _wait_until_done(client, own_job.headers["location"])
    assert client.get(f"{own_job.headers['location']}/download").status_code == 200


def test_employers_and_door_staff_are_refused(client: TestClient[Litestar], demo: DemoResult) -> None:
    for account in (EMPLOYER, DOOR):
        login(client, account)

        assert client.get(PAGE).status_code == 403
        assert _post(client, PAGE, {"what": "badges"}).status_code == 403
        assert client.get(f"{PAGE}/handouts/1").status_code == 403


def test_event_and_programme_pages_link_to_printing(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    event = client.get("/events/samen-werkt")
    programme = client.get("/events/samen-werkt/programme/1")

    assert f'href="{PAGE}"' in event.text
    assert f'href="{PAGE}"' in programme.text
