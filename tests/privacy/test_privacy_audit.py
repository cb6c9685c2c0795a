"""The audit log's viewer for organisers (newest first, in pages, by person, actor and action), and on the
candidate page who read or changed the person's data."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo import bakboord
from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry, Candidate, User
from events.platform.settings import Settings
from events.privacy.audit_log import PAGE_SIZE
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, OTHER_COACH, login, run
from tests.helpers import answers_by_account


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if "<td" in row]


def test_audit_viewer_shows_who_read_whom_newest_first(client: TestClient[Litestar], coach_candidate: int) -> None:
    login(client, COACH)
    client.get(f"/candidates/{coach_candidate}")  # the coach reads the confidential data
    login(client, ORGANISER)

    page = client.get(f"/audit/?candidate={coach_candidate}")

    assert page.status_code == 200
    rows = _rows(page.text)
    assert "Anouk Jansen (coach) heeft de vertrouwelijke gegevens bekeken candidate" in rows[0]
    everything = _rows(client.get("/audit/").text)
    assert everything[0] == rows[0]
    assert any(
        "(organisator) heeft een programma gepubliceerd schedule_version" in r for r in everything
    )  # the demo's own entries


def test_audit_viewer_filters_by_actor_and_action_and_pages(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    async def seed() -> int:
        async with open_session(database) as session:
            coach = await session.scalar(select(User.id).where(User.email == COACH))
            start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            for n in range(PAGE_SIZE + 5):
                session.add(
                    AuditEntry(
                        at=start + dt.timedelta(minutes=n),
                        actor_id=coach,
                        actor_role="coach",
                        action="test_read",
                        object_type="candidate",
                        object_id=n,
                    )
                )
            await session.commit()
            return int(coach or 0)

    coach_id = run(seed())
    login(client, ORGANISER)

    first = client.get(f"/audit/?actor={coach_id}&action=test_read")
    second = client.get(f"/audit/?actor={coach_id}&action=test_read&page=2")
    beyond = client.get(f"/audit/?actor={coach_id}&action=test_read&page=99")
    nonsense = client.get("/audit/?candidate=abc&actor=-1&page=x")

    assert len(_rows(first.text)) == PAGE_SIZE
    assert f"candidate {PAGE_SIZE + 4}" in _rows(first.text)[0]
    assert [r for r in _rows(second.text) if "candidate" in r] == [r for r in _rows(beyond.text) if "candidate" in r]
    assert len(_rows(second.text)) == 5
    assert "candidate 0" in _rows(second.text)[-1]
    assert "Pagina 2 van 2" in second.text
    assert "55 regels" in first.text
    assert nonsense.status_code == 200


def test_audit_viewer_refused_to_coach_employer_door_and_anonymous(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    answers = answers_by_account(client, lambda client: client.get("/audit/", follow_redirects=False).status_code)

    assert answers == {COACH: 403, EMPLOYER: 403, DOOR: 403, None: 303}


def test_candidate_page_shows_who_looked_to_organisers_and_the_persons_coaches(
    client: TestClient[Litestar], coach_candidate: int
) -> None:
    login(client, ORGANISER)
    organiser_page = client.get(f"/candidates/{coach_candidate}")
    login(client, COACH)
    coach_page = client.get(f"/candidates/{coach_candidate}")
    coach_list = client.get(f"/candidates/{coach_candidate}/access?fragment=true")
    login(client, OTHER_COACH)
    other_coach = client.get(f"/candidates/{coach_candidate}/access?fragment=true")

    assert "Wie heeft deze gegevens bekeken" in organiser_page.text
    assert f'data-src="/candidates/{coach_candidate}/access?fragment=true"' in organiser_page.text
    assert f'href="/candidates/{coach_candidate}/erase"' in organiser_page.text
    assert f'href="/candidates/{coach_candidate}/export.pdf"' in organiser_page.text
    assert "Wie heeft deze gegevens bekeken" in coach_page.text
    assert "/erase" not in coach_page.text
    assert "/export." not in coach_page.text
    assert coach_list.status_code == 200
    assert "<html" not in coach_list.text
    rows = _rows(coach_list.text)
    assert "Anouk Jansen (coach) heeft de vertrouwelijke gegevens bekeken" in rows[0]
    assert any("(organisator) heeft de vertrouwelijke gegevens bekeken" in r for r in rows)
    assert other_coach.status_code == 404


def test_audit_of_another_organisations_person_is_hidden_from_its_organiser(
    client: TestClient[Litestar], coach_candidate: int, database: Settings
) -> None:
    async def name() -> str:
        async with open_session(database) as session:
            candidate = await session.get(Candidate, coach_candidate)
            assert candidate is not None
            return candidate.last_name

    login(client, COACH)
    client.get(f"/candidates/{coach_candidate}")  # the coach of Werkse!'s person reads the confidential data
    login(client, bakboord.ORGANISER[1])

    access = client.get(f"/candidates/{coach_candidate}/access?fragment=true")
    about = client.get(f"/audit/?candidate={coach_candidate}")
    everything = client.get("/audit/")

    assert access.status_code == 404
    assert about.status_code == 200
    assert _rows(about.text) == ["Geen regels."]
    assert run(name()) not in about.text
    assert run(name()) not in everything.text
    assert "Anouk Jansen" not in everything.text  # Werkse!'s coach and what she did stay with Werkse!
