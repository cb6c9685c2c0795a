"""The paper fallback: an attendance list and table sheets with tick boxes to print, and a page where the
organiser enters what was ticked."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from badges.day.paper import not_checked_in, talks_of
from badges.models import CheckIn, CheckInMethod, FollowUp, HeldTalk, HolderKind
from badges.people import holders
from badges.printing.data import Selection, prepare
from badges.printing.pdf import render
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.services import find_event, system_user
from events.platform.settings import Settings
from tests.conftest import DOOR, ORGANISER, login, run


async def _pdf(settings: Settings, what: str) -> bytes:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        organiser = await system_user(session)
        work = await prepare(session, settings, organiser, event, Selection(what=what, language="nl"))
        await session.commit()
    return render(work.pages, title=work.title, language="nl", workers=1)


def _pdf_text(settings: Settings, what: str, tmp_path: Path) -> str:
    path = tmp_path / f"{what}.pdf"
    path.write_bytes(run(_pdf(settings, what)))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_attendance_list_and_table_sheets_have_boxes_to_tick(
    demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    attendance = _pdf_text(database, "attendance", tmp_path)
    assert "Presentielijst" in attendance
    assert "Aanwezig" in attendance
    assert "Pagina 1 van 2" in attendance  # 50 candidates and 8 employer contacts, 32 a page

    async def someone() -> str:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            first = (await holders(session, event, (HolderKind.CANDIDATE,)))[0]
            return first.first_name

    assert run(someone()) in attendance
    sheets = _pdf_text(database, "table-sheets", tmp_path)
    assert "Gehouden" in sheets
    assert "Vervolg: ja" in sheets


def test_the_organiser_enters_the_ticks_from_paper(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    async def state() -> tuple[list[str], int, list[int]]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            missing = [h.token_subject for h in await not_checked_in(session, event)]
            employer = (await holders(session, event, (HolderKind.EMPLOYER,)))[0].employer_id
            assert employer is not None
            talks = [t.candidate for t in await talks_of(session, event, employer)]
            return missing, employer, talks

    missing, employer, talks = run(state())
    login(client, ORGANISER)
    page = client.get(f"/events/{DEMO_SLUG}/day/paper?employer={employer}")
    assert page.status_code == 200
    assert missing[0] in page.text
    token = client.cookies.get("csrftoken")
    ticked = client.post(
        f"/events/{DEMO_SLUG}/day/paper/attendance",
        data={"_csrf_token": token, "present": missing[:2]},
        follow_redirects=False,
    )
    assert ticked.status_code == 303
    unknown = client.post(
        f"/events/{DEMO_SLUG}/day/paper/attendance", data={"_csrf_token": token, "present": "candidate:999999"}
    )
    assert unknown.status_code == 422
    wrong = client.post(
        f"/events/{DEMO_SLUG}/day/paper/talks",
        data={
            "_csrf_token": token,
            "employer": str(employer),
            "held": [str(talks[0])],
            f"follow_up_{talks[0]}": "perhaps",
        },
    )
    assert wrong.status_code == 422
    held = client.post(
        f"/events/{DEMO_SLUG}/day/paper/talks",
        data={"_csrf_token": token, "employer": employer, "held": [talks[0]], f"follow_up_{talks[0]}": "yes"},
        follow_redirects=False,
    )
    assert held.status_code == 303

    async def recorded() -> tuple[dict[str, CheckInMethod], list[HeldTalk]]:
        async with open_session(database) as session:
            arrivals = {c.holder: c.method for c in await session.scalars(select(CheckIn))}
            return arrivals, list(await session.scalars(select(HeldTalk)))

    arrivals, rows = run(recorded())
    assert arrivals[missing[0]] is CheckInMethod.PAPER
    assert arrivals[missing[1]] is CheckInMethod.PAPER
    assert arrivals[f"candidate:{talks[0]}"] is CheckInMethod.PAPER
    assert [(r.candidate_participation_id, r.source, r.follow_up) for r in rows] == [(talks[0], "paper", FollowUp.YES)]
    assert re.search(
        rf'name="held" value="{talks[0]}"[^>]*checked',
        client.get(f"/events/{DEMO_SLUG}/day/paper?employer={employer}").text,
    )
    login(client, DOOR)
    assert client.get(f"/events/{DEMO_SLUG}/day/paper").status_code == 403
