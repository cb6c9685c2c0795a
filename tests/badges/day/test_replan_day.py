"""Re-planning on the day and walk-ins: earlier rounds stay exactly as they were, the absent lose their
later talks, walk-ins get talks, and a walk-in's badge is printed on the spot."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from badges.models import CheckIn, CheckInMethod, HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import EVENT_TZ, CandidateParticipation, Event
from events.platform.services import find_event
from events.platform.settings import Settings
from schedule.instance import problem_from_json
from schedule.models import ScheduleVersion, VersionStatus
from schedule.solver.rules import check
from schedule.solver.types import Meeting, Solution
from tests.conftest import DOOR, ORGANISER, csrf_headers, login, run


async def _round_two_running(settings: Settings) -> None:
    """The demo event is today; round 2 runs now, so round 3 is the next to start."""
    start = (dt.datetime.now(EVENT_TZ) - dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    async with open_session(settings) as session:
        await session.execute(
            update(Event).where(Event.slug == DEMO_SLUG).values(date=start.date(), first_round_start=start.time())
        )
        await session.commit()


async def _versions(settings: Settings) -> list[ScheduleVersion]:
    async with open_session(settings) as session:
        return list(
            await session.scalars(
                select(ScheduleVersion).options(selectinload(ScheduleVersion.meetings)).order_by(ScheduleVersion.number)
            )
        )


def _talks(version: ScheduleVersion) -> set[tuple[int, int, int, int]]:
    return {(m.round, m.table, m.candidate_participation_id, m.employer_participation_id) for m in version.meetings}


async def _candidate_tokens(settings: Settings) -> list[tuple[int, str]]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return [(h.id, tokens[h.key][0]) for h in people]


@pytest.mark.slow
def test_a_replan_after_no_shows_keeps_earlier_rounds_and_gives_walk_ins_talks(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_round_two_running(database))
    tokens = run(_candidate_tokens(database))
    here = {pid for pid, _ in tokens[: len(tokens) * 2 // 3]}
    login(client, DOOR)
    for pid, token in tokens:
        if pid in here:
            body = {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin"}
            assert client.post("/api/scans", json=body, headers=csrf_headers(client)).json()["code"] == "checked_in"
    form = {
        "_csrf_token": client.cookies.get("csrftoken"),
        "kind": "candidate",
        "first_name": "Noor",
        "last_name": "Inloop",
        "sectors": ["groen", "horeca", "schoonmaak", "logistiek"],
        "consent": "1",
        "consent_method": "verbal",
    }
    added = client.post(f"/events/{DEMO_SLUG}/walk-ins", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    walk_in_id = int(added.headers["location"].rstrip("/").rsplit("/", 1)[1])

    login(client, ORGANISER)
    page = client.get(f"/events/{DEMO_SLUG}/day/replan")
    assert page.status_code == 200
    assert 'value="3" selected' in page.text
    assert "Noor I." in page.text
    replanned = client.post(
        f"/events/{DEMO_SLUG}/day/replan",
        data={"_csrf_token": client.cookies.get("csrftoken"), "from_round": "3", "not_arrived": "1"},
        follow_redirects=False,
    )
    assert replanned.status_code == 303, replanned.text
    assert replanned.headers["location"].endswith("/diff?msg=replanned")

    old, new = run(_versions(database))[-2:]
    assert old.status is VersionStatus.PUBLISHED
    assert new.status is VersionStatus.DRAFT
    assert new.based_on == old.number
    before, after = _talks(old), _talks(new)
    # Every earlier round exactly as it was, tables included.
    assert {t for t in before if t[0] < 3} == {t for t in after if t[0] < 3}
    absent = {pid for pid, _ in tokens} - here
    assert not [t for t in after if t[0] >= 3 and t[2] in absent]
    # Every later talk of people who are here stays where it was.
    assert {t for t in before if t[0] >= 3 and t[2] in here} <= after
    assert [t for t in after if t[2] == walk_in_id and t[0] >= 3], "the walk-in got no talk"
    # The stored version is valid against the instance it keeps.
    problem = problem_from_json(new.instance)
    solution = Solution(
        tuple(
            Meeting(m.round, f"e{m.employer_participation_id}", m.table, f"c{m.candidate_participation_id}")
            for m in new.meetings
        ),
        None,
    )
    assert check(problem, solution) == []
    assert new.stats["replan"] == {
        "from_round": 3,
        "absent_candidates": len(absent),
        "absent_employers": 0,
        "walk_ins": 1,
    }

    diff = client.get(f"/events/{DEMO_SLUG}/programme/{new.number}/diff?msg=replanned")
    assert f'href="/events/{DEMO_SLUG}/programme/{new.number}/publish"' in diff.text
    published = client.post(
        f"/events/{DEMO_SLUG}/programme/{new.number}/publish",
        data={"_csrf_token": client.cookies.get("csrftoken"), "confirm": "yes"},
        follow_redirects=True,
    )
    assert published.status_code == 200
    assert 'name="only" value="changed"' in published.text  # print round cards for exactly the affected


def test_a_replan_refuses_a_round_out_of_range_and_names_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    refused = client.post(
        f"/events/{DEMO_SLUG}/day/replan", data={"_csrf_token": client.cookies.get("csrftoken"), "from_round": "99"}
    )
    assert refused.status_code == 422
    assert 'id="from_round-error"' in refused.text
    assert len(run(_versions(database))) == 1


def test_walk_ins_are_checked_in_with_consent_and_get_a_badge_that_scans(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    login(client, DOOR)
    base = {
        "_csrf_token": client.cookies.get("csrftoken"),
        "kind": "candidate",
        "first_name": "Ayşe",
        "last_name": "Yıldız",
    }
    refused = client.post(f"/events/{DEMO_SLUG}/walk-ins", data=base)
    assert refused.status_code == 422
    assert "toestemming" in refused.text.lower()
    added = client.post(f"/events/{DEMO_SLUG}/walk-ins", data={**base, "consent": "1"}, follow_redirects=False)
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert "Ayşe" in page.text
    pid = int(added.headers["location"].rsplit("/", 1)[1])

    async def arrival() -> tuple[CheckInMethod, bool]:
        async with open_session(database) as session:
            row = await session.scalar(select(CheckIn).where(CheckIn.candidate_participation_id == pid))
            participation = await session.get(CandidateParticipation, pid)
            assert row is not None
            assert participation is not None
            return row.method, participation.walk_in

    assert run(arrival()) == (CheckInMethod.WALK_IN, True)

    pdf = client.get(added.headers["location"] + "/badge.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext") and shutil.which("zbarimg"):
        path = tmp_path / "badge.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Ayşe" in text
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
        decoded = subprocess.run(
            ["zbarimg", "-q", "--raw", *map(str, sorted(tmp_path.glob("page*.png")))], capture_output=True, text=True
        ).stdout.split()
        assert decoded
        client.cookies.clear()
        assert "Ayşe" in client.get(decoded[0].replace("http://127.0.0.1:8000", "")).text

    login(client, DOOR)
    employer = client.post(
        f"/events/{DEMO_SLUG}/walk-ins",
        data={
            "_csrf_token": client.cookies.get("csrftoken"),
            "kind": "employer",
            "first_name": "Bram Bakker",
            "organisation": "Bakkerij Bram",
            "tables": "1",
        },
        follow_redirects=False,
    )
    assert employer.status_code == 303
    assert "/walk-ins/employers/" in employer.headers["location"]
    # Someone else's event is out of reach, like a missing one; coaches have no business at the desk.
    assert client.get("/events/no-such-event/walk-ins").status_code == 404


@pytest.mark.parametrize("field", ["first_name", "organisation"])
def test_an_employer_walk_in_names_what_is_missing(client: TestClient[Litestar], demo: DemoResult, field: str) -> None:
    login(client, ORGANISER)
    data: dict[str, Any] = {
        "_csrf_token": client.cookies.get("csrftoken"),
        "kind": "employer",
        "first_name": "Bram",
        "organisation": "Bakkerij Bram",
    }
    data[field] = ""
    refused = client.post(f"/events/{DEMO_SLUG}/walk-ins", data=data)
    assert refused.status_code == 422
    assert f'id="{field}-error"' in refused.text or f"{field}-error" in refused.text
