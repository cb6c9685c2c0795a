"""Plenary gatherings (issue 20): an event without speed-date rounds, as BAKboord's afternoon of some sixty
stakeholders. `rounds: 0` is accepted by the API, the command line and the form; its people are candidates,
employers' contacts and guests (partners, officials) whose badges print their role; the door checks them in by
scan, by name and as walk-ins; the scheduler is refused with a clear message; its pages show no rounds."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from badges.models import CheckIn, HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from events.demo.seed import ORGANISATION, DemoResult
from events.platform import dates
from events.platform.db import open_session
from events.platform.models import CandidateCoach, Event, EventGuest, EventKind, User
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.cli import cli
from tests.conftest import COACH, DOOR, ORGANISER, csrf_headers, login, run
from tests.helpers import alembic
from tests.pdftools import require_tools, words_per_page

PLENARY = {"name": "BAKboord plenair", "date": "2027-03-04", "first_round_start": "15:00", "rounds": 0}


def post(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=csrf_headers(client))


def put(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.put(path, json=body, headers=csrf_headers(client))


async def _event(settings: Settings, slug: str) -> Event:
    async with open_session(settings) as session:
        return await find_event(session, slug)


# -- rounds: 0 is accepted -----------------------------------------------------------------------------


def test_api_takes_rounds_zero_as_a_plenary_gathering_without_round_times(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)

    created = post(client, "/api/events", PLENARY)
    changed = put(client, f"/api/events/{created.json()['slug']}", {**PLENARY, "venue": "Stadhuis"})

    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["kind"], body["rounds"], body["schedule"]) == ("plenary", 0, [])
    assert changed.status_code == 200, changed.text
    assert (changed.json()["kind"], changed.json()["rounds"], changed.json()["venue"]) == ("plenary", 0, "Stadhuis")
    listed = {e["slug"]: e for e in client.get("/api/events").json()}
    assert listed[body["slug"]]["kind"] == "plenary"


def test_api_refuses_rounds_that_do_not_fit_the_kind_naming_the_field(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)

    meet_match_without_rounds = post(client, "/api/events", {**PLENARY, "kind": "meet_match"})
    plenary_with_rounds = post(client, "/api/events", {**PLENARY, "kind": "plenary", "rounds": 4})
    plenary_with_breaks = post(client, "/api/events", {**PLENARY, "breaks": [{"after_round": 1, "minutes": 10}]})
    negative = post(client, "/api/events", {**PLENARY, "rounds": -1})

    assert meet_match_without_rounds.status_code == 422
    assert meet_match_without_rounds.json()["field"] == "rounds"
    assert plenary_with_rounds.status_code == 422
    assert plenary_with_rounds.json()["field"] == "rounds"
    assert plenary_with_breaks.status_code == 422
    assert plenary_with_breaks.json()["field"] == "breaks"
    assert negative.status_code == 400 or negative.status_code == 422


def test_a_meet_and_match_event_keeps_its_rounds_when_left_out_and_becomes_plenary_with_rounds_zero(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    created = post(client, "/api/events", {**PLENARY, "rounds": 4, "name": "Banenmarkt"})
    slug = created.json()["slug"]

    kept = put(client, f"/api/events/{slug}", {"name": "Banenmarkt", "date": "2027-03-04"})
    made_plenary = put(client, f"/api/events/{slug}", {"name": "Banenmarkt", "date": "2027-03-04", "rounds": 0})

    assert (created.json()["kind"], created.json()["rounds"]) == ("meet_match", 4)
    assert (kept.json()["kind"], kept.json()["rounds"]) == ("meet_match", 4)
    assert (made_plenary.json()["kind"], made_plenary.json()["rounds"]) == ("plenary", 0)
    assert run(_event(database, slug)).kind is EventKind.PLENARY


def test_cli_adds_a_plenary_gathering_with_rounds_zero_and_refuses_a_meet_and_match_without_rounds(
    demo: DemoResult, database: Settings
) -> None:
    run(alembic(database, "stamp", "head"))  # the tables were made from the models: the command must not migrate

    made = cli(
        database, "events", "add", "BAKboord plenair", "--date", "2027-03-04", "--rounds", "0",
        "--organisation", ORGANISATION,
    )  # fmt: skip
    refused = cli(
        database, "events", "add", "Banenmarkt", "--date", "2027-03-04", "--kind", "meet_match", "--rounds", "0",
        "--organisation", ORGANISATION,
    )  # fmt: skip

    assert made.returncode == 0, made.stderr
    assert "plenary gathering bakboord-plenair" in made.stdout
    event = run(_event(database, "bakboord-plenair"))
    assert (event.kind, event.rounds) == (EventKind.PLENARY, 0)
    assert refused.returncode == 2
    assert "rounds:" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_event_form_makes_a_plenary_gathering_whatever_its_hidden_rounds_say(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    token = client.cookies.get("csrftoken")
    form = client.get("/events/new")

    sent = client.post(
        "/events/new",
        data={
            "_csrf_token": token, "kind": "plenary", "name": "Netwerkmiddag", "date": "2027-05-01",
            "first_round_start": "15:00", "rounds": "6", "breaks": "3:15", "round_minutes": "10",
        },
        follow_redirects=False,
    )  # fmt: skip

    assert 'name="kind" value="plenary"' in form.text
    assert sent.status_code == 303, sent.text
    event = run(_event(database, "netwerkmiddag"))
    assert (event.kind, event.rounds, event.breaks) == (EventKind.PLENARY, 0, [])


# -- a plenary gathering with all its kinds of people --------------------------------------------------------


async def _first_coached(settings: Settings) -> int:
    async with open_session(settings) as session:
        coach = select(User.id).where(User.email == COACH).scalar_subquery()
        found = await session.scalar(
            select(CandidateCoach.candidate_id)
            .where(CandidateCoach.coach_id == coach)
            .order_by(CandidateCoach.candidate_id)
        )
        assert found is not None
        return int(found)


@pytest.fixture
def gathering(client: TestClient[Litestar], demo: DemoResult, database: Settings) -> dict[str, Any]:
    """A plenary gathering today, made through the API: a candidate, an employer with a contact person, a partner
    and an official (the organiser stays logged in)."""
    login(client, ORGANISER)
    event = post(client, "/api/events", {**PLENARY, "date": dates.today().isoformat()}).json()
    slug = event["slug"]
    candidate_id = run(_first_coached(database))
    signed = post(client, f"/api/events/{slug}/participations", {"candidate_id": candidate_id})
    employer = post(client, f"/api/events/{slug}/employers", {"organisation": "Werkse! Groen"})
    contact = post(client, f"/api/events/{slug}/employers/{employer.json()['id']}/contacts", {"name": "Petra de Groot"})
    partner = post(
        client,
        f"/api/events/{slug}/guests",
        {"name": "Sanne Verbinder", "kind": "partner", "organisation_name": "Buurtorganisatie Zuidwest"},
    )
    official = post(
        client,
        f"/api/events/{slug}/guests",
        {
            "name": "Karim el Amrani",
            "kind": "official",
            "role": "Wethouder Werk",
            "organisation_name": "Gemeente Den Haag",
            "email": "k.elamrani@example.org",
        },
    )
    for response in (signed, employer, contact, partner, official):
        assert response.status_code == 201, response.text
    return {"slug": slug, "partner": partner.json(), "official": official.json()}


def test_guests_are_listed_changed_and_removed_by_the_organiser(
    client: TestClient[Litestar], gathering: dict[str, Any]
) -> None:
    slug, official = gathering["slug"], gathering["official"]

    listed = client.get(f"/api/events/{slug}/guests").json()
    changed = put(
        client,
        f"/api/events/{slug}/guests/{official['id']}",
        {"name": "Karim el Amrani", "kind": "official", "role": "Wethouder"},
    )
    bad = post(client, f"/api/events/{slug}/guests", {"name": "X", "kind": "mayor"})
    bad_email = post(client, f"/api/events/{slug}/guests", {"name": "X", "email": "geen-adres"})
    removed = client.delete(f"/api/events/{slug}/guests/{gathering['partner']['id']}", headers=csrf_headers(client))

    assert [(g["name"], g["kind"]) for g in listed] == [("Karim el Amrani", "official"), ("Sanne Verbinder", "partner")]
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["email"]) == ("Wethouder", None)
    assert bad.status_code == 400 or bad.status_code == 422
    assert bad_email.status_code == 422
    assert bad_email.json()["field"] == "email"
    assert removed.status_code == 200
    assert [g["name"] for g in client.get(f"/api/events/{slug}/guests").json()] == ["Karim el Amrani"]


def test_other_roles_get_not_found_or_forbidden_for_guests(
    client: TestClient[Litestar], gathering: dict[str, Any]
) -> None:
    slug, official = gathering["slug"], gathering["official"]
    login(client, COACH)
    coach_list = client.get(f"/api/events/{slug}/guests")
    coach_page = client.get(f"/events/{slug}/guests")
    login(client, DOOR)
    door_list = client.get(f"/api/events/{slug}/guests/{official['id']}")

    assert coach_list.status_code == 403
    assert coach_page.status_code == 403
    assert door_list.status_code == 403


def test_the_plenary_gathering_s_pages_show_no_rounds_and_the_scheduler_is_refused(
    client: TestClient[Litestar], gathering: dict[str, Any], database: Settings
) -> None:
    slug = gathering["slug"]

    page = client.get(f"/events/{slug}")
    guests_page = client.get(f"/events/{slug}/guests")
    programme = client.get(f"/events/{slug}/programme", follow_redirects=False)
    build = post(client, f"/api/events/{slug}/programme/builds", {})
    build_page = client.post(
        f"/events/{slug}/programme/build", data={"_csrf_token": client.cookies.get("csrftoken")}, follow_redirects=False
    )
    day = client.get(f"/events/{slug}/day")
    edit = client.get(f"/events/{slug}/edit")
    employer = client.get(f"/events/{slug}/employers/new")
    run(alembic(database, "stamp", "head"))
    cli_build = cli(database, "schedule", "build", slug)

    assert page.status_code == 200
    assert "Plenaire bijeenkomst" in page.text
    assert 'class="table rounds"' not in page.text
    assert "Karim el Amrani" in page.text
    assert "Wethouder Werk" in page.text
    assert f"/events/{slug}/programme" not in page.text  # the speed-date timetable (not the programmes in the menu)
    assert "Wensenoverzicht" not in page.text
    assert guests_page.status_code == 200
    assert "Sanne Verbinder" in guests_page.text
    assert programme.status_code == 200
    assert 'data-role="plenary"' in programme.text
    assert "Bouw het programma" not in programme.text
    assert build.status_code == 409
    assert build.json()["code"] == "plenary_event"
    # The page's build button is not there; a build posted anyway lands on the page that says why.
    assert build_page.status_code == 303
    assert build_page.headers["location"] == f"/events/{slug}/programme"
    assert day.status_code == 200
    assert "Rondeklok" not in day.text
    assert "Stoelen per ronde" not in day.text
    assert edit.status_code == 200
    assert 'value="plenary" checked' in edit.text
    assert employer.status_code == 200
    assert "rounds-boxes" not in employer.text
    assert cli_build.returncode == 2
    assert "plenaire bijeenkomst" in cli_build.stderr or "plenary gathering" in cli_build.stderr


def test_badges_print_each_one_s_role(gathering: dict[str, Any], database: Settings, tmp_path: Path) -> None:
    require_tools("pdftotext")
    pdf = tmp_path / "badges.pdf"
    run(alembic(database, "stamp", "head"))

    made = cli(database, "badges", gathering["slug"], "-o", str(pdf), "--layout", "a6")

    assert made.returncode == 0, made.stderr
    text = " ".join(w.text for page in words_per_page(pdf) for w in page)
    for role in ("Kandidaat", "Werkgever", "Partner", "Overheid"):
        assert role in text, role
    assert "Karim" in text
    assert "Wethouder" in text
    assert "Sanne" in text
    assert "Buurtorganisatie" in text


async def _guest_token(settings: Settings, slug: str, guest_id: int) -> str:
    async with open_session(settings) as session:
        event = await find_event(session, slug)
        found = await holders(session, event, (HolderKind.GUEST,), only=(guest_id,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, found)
        await session.commit()
        return tokens[found[0].key][0]


async def _check_ins(settings: Settings, slug: str) -> dict[str, str]:
    async with open_session(settings) as session:
        event = await find_event(session, slug)
        rows = await session.execute(select(CheckIn.holder, CheckIn.method).where(CheckIn.event_id == event.id))
        return {holder: method.value for holder, method in rows.tuples()}


def test_door_checks_a_guest_in_by_scan_another_by_name_and_registers_a_walk_in_guest(
    client: TestClient[Litestar], gathering: dict[str, Any], database: Settings
) -> None:
    slug, official, partner = gathering["slug"], gathering["official"], gathering["partner"]
    token = run(_guest_token(database, slug, official["id"]))
    login(client, DOOR)

    scan = post(client, "/api/scans", {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin"})
    again = post(client, "/api/scans", {"token": token, "nonce": uuid.uuid4().hex, "kind": "checkin"})
    search = client.get(f"/events/{slug}/door", params={"q": "sanne"})
    by_name = client.post(
        f"/events/{slug}/door/guests/{partner['id']}",
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    walk_in_form = client.get(f"/events/{slug}/walk-ins")
    walk_in = client.post(
        f"/events/{slug}/walk-ins",
        data={
            "_csrf_token": client.cookies.get("csrftoken"), "kind": "guest", "first_name": "Eva Jansen",
            "organisation": "Den Haag FM", "guest_kind": "press", "function": "verslaggever",
        },
        follow_redirects=False,
    )  # fmt: skip
    done = client.get(walk_in.headers["location"])
    offline = client.get(f"/api/events/{slug}/scan-list").json()["badges"]
    badge = client.get(walk_in.headers["location"] + "/badge.pdf")

    assert scan.status_code == 200, scan.text
    assert scan.json()["code"] == "checked_in"
    assert scan.json()["person"]["role"] == "guest"
    assert scan.json()["person"]["role_text"] == "Overheid"
    assert scan.json()["person"]["organisation"] == "Gemeente Den Haag"
    assert again.json()["code"] == "already_checked_in"
    assert search.status_code == 200
    assert "Sanne V." in search.text
    assert "Partner" in search.text
    assert "Karim" not in search.text
    assert by_name.status_code == 303
    assert walk_in_form.status_code == 200
    assert 'value="guest" checked' in walk_in_form.text
    assert walk_in.status_code == 303, walk_in.text
    assert "/walk-ins/guests/" in walk_in.headers["location"]
    assert done.status_code == 200
    assert "Pers" in done.text
    assert badge.status_code == 200
    assert badge.content.startswith(b"%PDF")
    official_badge = next(b for b in offline if b["holder"] == f"guest:{official['id']}")
    assert (official_badge["role"], official_badge["first_name"]) == ("guest", "Karim")
    assert official_badge["checked_in_at"] is not None
    arrived = run(_check_ins(database, slug))
    walk_in_id = int(walk_in.headers["location"].rsplit("/", 1)[1])
    assert arrived == {
        f"guest:{official['id']}": "scan",
        f"guest:{partner['id']}": "name",
        f"guest:{walk_in_id}": "walk_in",
    }


def test_a_guest_s_personal_data_is_blanked_when_the_event_s_retention_has_passed(
    gathering: dict[str, Any], database: Settings
) -> None:
    import datetime as dt

    from events.platform.db import create_engine, dispose_engine, session_maker
    from events.registration.guests import guest_retention_job

    async def go() -> tuple[str, list[tuple[str, str | None]]]:
        engine = create_engine(database)
        try:
            later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366 * 3)
            line = await guest_retention_job(session_maker(engine), database, later)
        finally:
            await dispose_engine(engine)
        async with open_session(database) as session:
            event = await find_event(session, gathering["slug"])
            rows = await session.execute(
                select(EventGuest.name, EventGuest.email).where(EventGuest.event_id == event.id)
            )
            return line, sorted(rows.tuples().all())

    line, guests = run(go())

    assert line.startswith("guests: 2 guest(s)")
    assert guests == [("—", None), ("—", None)]


async def _participation_and_token(settings: Settings, slug: str) -> tuple[int, int, str]:
    async with open_session(settings) as session:
        event = await find_event(session, slug)
        found = await holders(session, event, (HolderKind.CANDIDATE,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, found)
        await session.commit()
        employer = (await holders(session, event, (HolderKind.EMPLOYER,)))[0]
        return found[0].id, employer.employer_id or 0, tokens[found[0].key][0]


def test_every_other_page_of_a_plenary_gathering_renders_and_asks_no_wishes(
    client: TestClient[Litestar], gathering: dict[str, Any], database: Settings
) -> None:
    slug = gathering["slug"]
    participation_id, employer_id, token = run(_participation_and_token(database, slug))

    pages = {
        path: client.get(f"/events/{slug}{path}")
        for path in (
            "/results",
            "/follow-up",
            "/badges",
            "/coach-desk",
            "/day/paper",
            "/export/candidates.csv",
            "/export/guests.csv",
            "/calendars",
            f"/wishes/{participation_id}",
        )
    }
    wish = put(
        client,
        f"/api/events/{slug}/preferences",
        {"participation_id": participation_id, "employer_id": employer_id, "level": 3, "side": "candidate"},
    )
    badge_page = client.get(f"/b/{token}")

    assert {path: r.status_code for path, r in pages.items()} == dict.fromkeys(pages, 200)
    assert 'data-role="plenary"' in pages[f"/wishes/{participation_id}"].text
    guests_csv = pages["/export/guests.csv"].content.decode("utf-8-sig").splitlines()
    assert guests_csv[0] == "Naam;Soort;Functie;Organisatie;E-mail;Inloper"
    assert guests_csv[1] == "Karim el Amrani;Overheid;Wethouder Werk;Gemeente Den Haag;k.elamrani@example.org;"
    assert wish.status_code == 422
    assert wish.json()["code"] == "plenary_no_wishes"
    assert badge_page.status_code == 200
    assert "De bijeenkomst begint om 15:00" in badge_page.text
    assert "Ronde" not in badge_page.text


def test_an_event_made_plenary_in_the_form_keeps_its_talk_settings_for_later(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    created = post(client, "/api/events", {**PLENARY, "name": "Banenmarkt", "rounds": 4, "max_seats": 2})
    slug = created.json()["slug"]

    sent = client.post(
        f"/events/{slug}/edit",
        data={
            "_csrf_token": client.cookies.get("csrftoken"),
            "kind": "plenary",
            "name": "Banenmarkt",
            "date": "2027-03-04",
            "first_round_start": "15:00",
            "rounds": "4",
            "max_seats": "1",
        },
        follow_redirects=False,
    )

    assert sent.status_code == 303, sent.text
    event = run(_event(database, slug))
    assert (event.kind, event.rounds, event.max_seats) == (EventKind.PLENARY, 0, 2)
