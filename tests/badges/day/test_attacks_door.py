"""The door's reach, tried as someone with a door account would: the badges and pages of registered attendees
by their sequential ids, events on other days (past and future), an account tied to one event used at
another, and scans outside the event's day.

Door staff print the badges of walk-ins registered at the door and nobody else's (lost badges are reprinted
by organisers); a door account works only for events on their day (or on the day an organiser opened the door
early for a rehearsal), and only for the event it is tied to, if any. Everything out of reach answers 404,
exactly like something missing; a scan outside the day answers `not_today`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from badges.models import CheckIn
from events.demo.seed import DEMO_PASSWORD, DEMO_SLUG, ORGANISATION, DemoResult
from events.platform import dates
from events.platform.db import open_session
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Event,
    Organisation,
)
from events.platform.organisations import create_user
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.badges.day.door_seed import MARKER_LAST, event_on
from tests.conftest import DOOR, ORGANISER, csrf_headers, first_id, login, run


def _scan(client: TestClient[Litestar], token: str, **extra: Any) -> dict[str, Any]:
    body = {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin", **extra}
    response = client.post("/api/scans", json=body, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _form(client: TestClient[Litestar], **values: str) -> dict[str, str]:
    return {"_csrf_token": client.cookies.get("csrftoken") or "", **values}


async def _check_ins(settings: Settings) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(select(func.count()).select_from(CheckIn)) or 0)


async def _registered(settings: Settings) -> tuple[list[tuple[int, str]], list[int]]:
    """Every demo candidate participation (id, full name) and employer contact id."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        candidates = (
            await session.execute(
                select(CandidateParticipation.id, Candidate.first_name, Candidate.last_name)
                .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
                .where(CandidateParticipation.event_id == event.id)
                .order_by(CandidateParticipation.id)
            )
        ).all()
        contacts = await session.scalars(
            select(EmployerContact.id)
            .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
            .where(EmployerParticipation.event_id == event.id)
        )
        return [(int(i), f"{first} {last}") for i, first, last in candidates], [int(i) for i in contacts]


def _is_a_pdf(response: httpx.Response) -> None:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"


def _not_found_like_missing(response: httpx.Response, missing: httpx.Response, path: str, missing_path: str) -> None:
    assert response.status_code == missing.status_code == 404
    assert response.text.replace(path, "PATH") == missing.text.replace(missing_path, "PATH")


def test_door_staff_get_no_badge_and_no_page_of_any_registered_attendee(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    candidates, contacts = run(_registered(database))
    base = f"/events/{DEMO_SLUG}/walk-ins"
    login(client, DOOR)
    missing_badge = client.get(f"{base}/candidates/999999/badge.pdf")
    missing_page = client.get(f"{base}/candidates/999999")
    for participation, full_name in candidates:
        for suffix, missing in (("/badge.pdf", missing_badge), ("", missing_page)):
            path = f"{base}/candidates/{participation}{suffix}"
            response = client.get(path)
            _not_found_like_missing(response, missing, path, f"{base}/candidates/999999{suffix}")
            assert full_name not in response.text
    for contact in contacts:
        for suffix in ("/badge.pdf", ""):
            assert client.get(f"{base}/employers/{contact}{suffix}").status_code == 404
    # Lost badges are reprinted by organisers.
    login(client, ORGANISER)
    reprint = client.get(f"{base}/candidates/{candidates[0][0]}/badge.pdf")
    _is_a_pdf(reprint)


def test_door_staff_print_the_badge_of_a_walk_in_registered_at_the_door_and_see_no_more_than_needed(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, DOOR)
    base = f"/events/{DEMO_SLUG}/walk-ins"
    added = client.post(
        base,
        data=_form(client, kind="candidate", first_name="Zwaantje", last_name=MARKER_LAST, consent="1"),
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    page_path = added.headers["location"]
    assert page_path.startswith(f"{base}/candidates/")
    page = client.get(page_path)
    assert page.status_code == 200
    assert "Zwaantje" in page.text
    assert "Kandidaat" in page.text
    assert 'data-role="badge-number"' in page.text
    assert MARKER_LAST not in page.text
    badge = client.get(page_path + "/badge.pdf")
    _is_a_pdf(badge)

    # A new employer, and a new contact of an employer that was registered beforehand: both at the door.
    for organisation in ("Nieuwe Werkgever BV", "Werkse! Groen"):
        employer = client.post(
            base,
            data=_form(client, kind="employer", first_name="Bram Tafel", organisation=organisation, tables="1"),
            follow_redirects=False,
        )
        assert employer.status_code == 303, employer.text
        assert "/walk-ins/employers/" in employer.headers["location"]
        assert client.get(employer.headers["location"] + "/badge.pdf").status_code == 200

    groen_registered_contact = first_id(
        database,
        select(EmployerContact.id)
        .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(Organisation.name == "Werkse! Groen", EmployerContact.walk_in.is_(False)),
    )

    # The employer's own contact, registered before the day, stays out of reach.
    assert client.get(f"{base}/employers/{groen_registered_contact}/badge.pdf").status_code == 404


def test_a_walk_in_with_the_email_of_a_registered_candidate_prints_nothing_at_the_door(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    async def registered() -> tuple[int, str, str]:
        async with open_session(database) as session:
            row = (
                await session.execute(
                    select(CandidateParticipation.id, Candidate.email, Candidate.last_name)
                    .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
                    .where(Candidate.email.is_not(None))
                    .order_by(CandidateParticipation.id)
                    .limit(1)
                )
            ).one()
            return int(row[0]), str(row[1]), str(row[2])

    participation, email, last_name = run(registered())
    login(client, DOOR)
    base = f"/events/{DEMO_SLUG}/walk-ins"
    answer = client.post(
        base,
        data=_form(client, kind="candidate", first_name="Iemand", last_name="Anders", email=email, consent="1"),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{base}?known=1"
    told = client.get(answer.headers["location"])
    assert 'data-role="known"' in told.text
    assert last_name not in told.text
    assert client.get(f"{base}/candidates/{participation}/badge.pdf").status_code == 404


def test_a_door_account_without_an_event_reaches_only_events_on_their_day(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    today = dates.today()
    past = run(event_on(database, "gisteren", today - dt.timedelta(days=1)))
    future = run(event_on(database, "morgen", today + dt.timedelta(days=1)))
    login(client, DOOR)
    for other in (past, future):
        for path in (
            f"/api/events/{other.slug}",
            f"/api/events/{other.slug}/scan-list",
            f"/events/{other.slug}/walk-ins",
            f"/events/{other.slug}/walk-ins/candidates/{other.participation}",
            f"/events/{other.slug}/walk-ins/candidates/{other.participation}/badge.pdf",
            f"/events/{other.slug}/clock",
            f"/events/{other.slug}/clock/state",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert MARKER_LAST not in response.text
        walk_in = client.post(
            f"/events/{other.slug}/walk-ins",
            data=_form(client, kind="candidate", first_name="A", last_name="B", consent="1"),
        )
        assert walk_in.status_code == 404
        answer = _scan(client, other.token)
        assert answer["code"] == "not_today"
        assert answer["ok"] is False
        assert "person" not in answer
        assert "Ilse" not in str(answer)
    assert run(_check_ins(database)) == 0
    # Only today's event is listed, on the home page, the scanner page and in the API.
    for path in ("/", "/scan/"):
        listing = client.get(path).text
        assert past.name not in listing
        assert future.name not in listing
    assert [e["slug"] for e in client.get("/api/events").json()] == [DEMO_SLUG]
    assert client.get(f"/api/events/{DEMO_SLUG}/scan-list").status_code == 200


def test_a_door_account_tied_to_an_event_reaches_it_on_its_day_only_and_no_other_event(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    today = dates.today()
    future = run(event_on(database, "volgende-week", today + dt.timedelta(days=7)))
    also_today = run(event_on(database, "ook-vandaag", today))

    async def tie(email: str, slug: str) -> None:
        async with open_session(database) as session:
            event = await find_event(session, slug)
            await create_user(
                session, email=email, role="door", password=DEMO_PASSWORD, organisation=ORGANISATION, event=event
            )
            await session.commit()

    run(tie("ingang-volgende-week@example.org", future.slug))
    login(client, "ingang-volgende-week@example.org")
    assert client.get(f"/api/events/{future.slug}/scan-list").status_code == 404
    assert client.get(f"/events/{future.slug}/walk-ins").status_code == 404
    assert _scan(client, future.token)["code"] == "not_today"
    assert client.get("/api/events").json() == []

    run(tie("ingang-vandaag@example.org", DEMO_SLUG))
    login(client, "ingang-vandaag@example.org")
    assert client.get(f"/api/events/{DEMO_SLUG}/scan-list").status_code == 200
    assert client.get(f"/api/events/{also_today.slug}/scan-list").status_code == 404
    assert client.get(f"/events/{also_today.slug}/walk-ins/candidates/{also_today.participation}").status_code == 404
    assert _scan(client, also_today.token)["code"] == "not_allowed"
    assert run(_check_ins(database)) == 0


def test_a_past_event_refuses_scans_of_everyone_yet_its_badges_still_print_for_organisers(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    past = run(event_on(database, "vorige-maand", dates.today() - dt.timedelta(days=30)))
    login(client, ORGANISER)
    answer = _scan(client, past.token, event=past.slug)
    assert answer["code"] == "not_today"
    assert past.name in answer["message"]
    assert run(_check_ins(database)) == 0
    badge = client.get(f"/events/{past.slug}/walk-ins/candidates/{past.participation}/badge.pdf")
    _is_a_pdf(badge)


def test_a_rehearsal_opens_the_door_for_its_own_date_only(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    today = dates.today()
    future = run(event_on(database, "generale", today + dt.timedelta(days=3)))

    async def rehearse_on(day: dt.date) -> None:
        async with open_session(database) as session:
            await session.execute(update(Event).where(Event.slug == future.slug).values(rehearsal_on=day))
            await session.commit()

    # Opened yesterday: closed again since midnight.
    run(rehearse_on(today - dt.timedelta(days=1)))
    login(client, DOOR)
    assert client.get(f"/api/events/{future.slug}/scan-list").status_code == 404
    assert _scan(client, future.token)["code"] == "not_today"
    run(rehearse_on(today))
    assert client.get(f"/api/events/{future.slug}/scan-list").status_code == 200
    assert _scan(client, future.token)["code"] == "checked_in"
