"""An employer contact's "Your talks" on a phone: before the event (and on its day) the planned talks of its
tables round by round, each fact labelled; after it, the talks held, to report what came of them."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.dates import today
from events.platform.db import open_session
from events.platform.models import Candidate, CandidateParticipation, EmployerParticipation, Event, Organisation
from events.platform.settings import Settings
from schedule import services
from schedule.models import Meeting
from tests.badges.test_attendee_pages import hhmm, visible_text
from tests.conftest import EMPLOYER, login, run

PAGE = f"/events/{DEMO_SLUG}/talks"
NOTHING_RECORDED = "Er zijn voor deze bijeenkomst geen gesprekken aan uw tafels vastgelegd."


async def _planned(settings: Settings, when: dt.date) -> list[tuple[int, str, int, str]]:
    """Move the demo event to ``when``; Werkse! Groen's planned talks as (round, time, table, first name)."""
    async with open_session(settings) as session:
        await session.execute(update(Event).where(Event.slug == DEMO_SLUG).values(date=when))
        await session.commit()
        event = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        assert event is not None
        version = await services.current(session, event)
        assert version is not None
        rows = await session.execute(
            select(Meeting.round, Meeting.table, Candidate.first_name)
            .join(EmployerParticipation, EmployerParticipation.id == Meeting.employer_participation_id)
            .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
            .join(CandidateParticipation, CandidateParticipation.id == Meeting.candidate_participation_id)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(Meeting.version_id == version.id, Organisation.name == "Werkse! Groen")
            .order_by(Meeting.round, Meeting.table)
        )
        return [
            (n, f"{hhmm(event.round_start(n))}–{hhmm(event.round_end(n))}", table, first)
            for n, table, first in rows.tuples()
        ]


def test_employer_sees_its_planned_talks_round_by_round_before_the_event(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    planned = run(_planned(database, today() + dt.timedelta(days=14)))
    login(client, EMPLOYER)

    page = client.get(PAGE)
    text = visible_text(page.text)

    assert page.status_code == 200
    assert planned
    assert NOTHING_RECORDED not in text
    for number, time, table, first_name in planned:
        assert f"Ronde {number} Tijd {time}" in text
        assert re.search(rf"Tafel {table} Kandidaat {re.escape(first_name)}\b", text), (number, table, first_name)
    assert text.count("Kandidaat ") == len(planned)


def test_employer_sees_its_planned_talks_on_the_day_itself(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    planned = run(_planned(database, today()))
    login(client, EMPLOYER)

    text = visible_text(client.get(PAGE).text)

    assert NOTHING_RECORDED not in text
    assert text.count("Kandidaat ") == len(planned) > 0


def test_after_the_event_the_page_lists_the_talks_held_not_the_plan(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_planned(database, today() - dt.timedelta(days=1)))
    login(client, EMPLOYER)

    text = visible_text(client.get(PAGE).text)

    assert NOTHING_RECORDED in text
    assert "Kandidaat " not in text


def test_briefing_pack_fits_a_phones_screen(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, EMPLOYER)
    mine = client.get(f"/api/events/{DEMO_SLUG}/employers").json()

    page = client.get(f"/events/{DEMO_SLUG}/briefing/{mine[0]['id']}")

    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
