"""Filling an event: organisers, coaches and employers through the API and the pages."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from events.demo.seed import DEMO_PASSWORD, DemoResult
from events.platform.db import open_session
from events.platform.models import Candidate, Event, Preference
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, OTHER_COACH, csrf_headers, login, run

EVENT = {
    "name": "Werk in de Wijk",
    "date": "2027-03-04",
    "first_round_start": "13:30",
    "venue": "Buurthuis De Schakel",
    "rounds": 5,
    "breaks": [{"after_round": 2, "minutes": 10}],
    "default_min_meetings": 2,
    "default_max_meetings": 3,
    "max_seats": 2,
}


def post(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=csrf_headers(client))


def put(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.put(path, json=body, headers=csrf_headers(client))


def count(settings: Settings, model: Any) -> int:
    async def go() -> int:
        async with open_session(settings) as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    return run(go())


def test_organiser_creates_event_with_round_times(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = post(client, "/api/events", EVENT)

    body = response.json()
    assert response.status_code == 201
    assert body["slug"] == "werk-in-de-wijk"
    assert body["status"] == "draft"
    assert [r["start"][11:16] for r in body["schedule"]] == ["13:30", "13:45", "14:10", "14:25", "14:40"]


def test_event_with_max_below_min_is_422_naming_the_field_and_saves_nothing(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    before = count(database, Event)

    response = post(client, "/api/events", {**EVENT, "default_min_meetings": 4, "default_max_meetings": 2})

    assert response.status_code == 422
    assert response.json()["field"] == "default_max_meetings"
    assert count(database, Event) == before


def test_event_copy_brings_employers_openings_and_contacts(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    copy = post(client, "/api/events/samen-werkt/copy", {"date": "2027-09-15", "name": "Samen Werkt! najaar"}).json()
    employers = client.get(f"/api/events/{copy['slug']}/employers").json()
    original = client.get("/api/events/samen-werkt/employers").json()

    assert copy["date"] == "2027-09-15"
    assert copy["status"] == "draft"
    assert copy["candidates"] == 0
    assert sorted(e["name"] for e in employers) == sorted(e["name"] for e in original)
    assert sum(len(e["openings"]) for e in employers) == sum(len(e["openings"]) for e in original)


def test_archived_event_disappears_for_coaches(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    assert post(client, "/api/events/samen-werkt/archive", {"archived": True}).status_code == 200
    login(client, COACH)

    assert client.get("/api/events").json() == []


def test_employer_with_opening_and_invited_contact_can_log_in(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    employer = post(
        client, "/api/events/samen-werkt/employers", {"organisation": "Fietsenmakerij Delft", "tables": 1}
    ).json()
    opening = post(
        client,
        f"/api/events/samen-werkt/employers/{employer['id']}/openings",
        {"title": "Fietsenmaker in opleiding", "kind": "training", "hours_per_week": 32, "sector": "techniek"},
    )
    contact = post(
        client,
        f"/api/events/samen-werkt/employers/{employer['id']}/contacts",
        {"name": "Sanne Fiets", "email": "sanne@fietsenmakerij.example"},
    ).json()
    token = contact["invitation_url"].rsplit("/", 1)[1]
    client.cookies.clear()
    page = client.get(f"/invite/{token}")
    accepted = client.post(
        f"/invite/{token}",
        data={
            "password": "trapper-en-ketting",
            "password_again": "trapper-en-ketting",
            "_csrf_token": client.cookies.get("csrftoken"),
        },
        follow_redirects=False,
    )
    reused = client.get(f"/invite/{token}")
    me = login(client, "sanne@fietsenmakerij.example", "trapper-en-ketting")

    assert opening.status_code == 201
    assert contact["invitation_url"].startswith("http://127.0.0.1:8000/invite/")
    assert "Welkom, Sanne Fiets" in page.text
    assert accepted.status_code == 303
    assert reused.status_code == 404
    assert me["role"] == "employer"
    assert [e["name"] for e in client.get("/api/events/samen-werkt/employers").json()] == ["Fietsenmakerij Delft"]


def test_employer_seats_above_event_limit_are_refused(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = post(client, "/api/events/samen-werkt/employers", {"organisation": "Groot BV", "seats": 3})

    assert response.status_code == 422
    assert response.json()["field"] == "seats"


def test_coach_registers_candidate_with_consent_signs_up_and_enters_wishes(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, COACH)
    candidate = post(
        client,
        "/api/candidates",
        {
            "candidate": {
                "first_name": "Noor",
                "last_name": "Haddou",
                "sectors": ["zorg"],
                "own_words": "Ik help graag.",
            },
            "consent": {"purpose": "Gegevens delen met de werkgevers van Samen Werkt!", "method": "paper"},
        },
    ).json()
    signup = post(
        client, "/api/events/samen-werkt/participations", {"candidate_id": candidate["id"], "rounds": [1, 2, 3]}
    )
    employer_id = client.get("/api/events/samen-werkt/employers").json()[0]["id"]
    wish = put(
        client,
        "/api/events/samen-werkt/preferences",
        {"participation_id": signup.json()["id"], "employer_id": employer_id, "level": 3},
    )

    assert candidate["consents"][0]["method"] == "paper"
    assert candidate["coaches"]
    assert candidate["coaches"][0]["kind"] == "jobcoach"
    assert signup.status_code == 201
    assert signup.json()["rounds"] == [1, 2, 3]
    assert wish.json() == {
        "participation_id": signup.json()["id"],
        "employer_id": employer_id,
        "side": "candidate",
        "level": 3,
    }


def test_coach_cannot_read_or_change_another_coachs_candidate(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, COACH)
    mine = client.get("/api/events/samen-werkt/candidates").json()["items"][0]
    employer_id = client.get("/api/events/samen-werkt/employers").json()[0]["id"]
    login(client, OTHER_COACH)

    read = client.get(f"/api/candidates/{mine['candidate']['id']}")
    change = put(client, f"/api/candidates/{mine['candidate']['id']}", {"first_name": "X", "last_name": "Y"})
    wish = put(
        client,
        "/api/events/samen-werkt/preferences",
        {"participation_id": mine["id"], "employer_id": employer_id, "level": 0},
    )
    signup_change = put(client, f"/api/events/samen-werkt/participations/{mine['id']}", {"status": "cancelled"})

    assert (read.status_code, change.status_code, wish.status_code, signup_change.status_code) == (404, 404, 404, 404)


def test_employer_marks_interest_and_organiser_sees_it_in_the_grid_with_weights(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, EMPLOYER)
    me = client.get("/api/events/samen-werkt/employers").json()[0]
    cards = client.get(f"/api/events/samen-werkt/employers/{me['id']}/cards").json()
    target = cards[0]
    response = put(
        client,
        "/api/events/samen-werkt/preferences",
        {"participation_id": target["participation_id"], "employer_id": me["id"], "level": 3},
    )
    login(client, ORGANISER)
    grid = client.get("/api/events/samen-werkt/preferences").json()

    cell = next(
        c for c in grid["cells"] if c["participation_id"] == target["participation_id"] and c["employer_id"] == me["id"]
    )
    assert response.json()["side"] == "employer"
    assert cell["employer_level"] == 3
    assert cell["weight"] is not None
    assert cell["weight"] >= 3 * 1 + 2 * 7
    assert len(grid["candidates"]) == 50
    assert len(grid["employers"]) == 8


def test_employer_cannot_set_interest_for_another_employer(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    employers = client.get("/api/events/samen-werkt/employers").json()
    other = next(e for e in employers if e["name"] != "Werkse! Groen")
    participation = client.get("/api/events/samen-werkt/candidates").json()["items"][0]
    login(client, EMPLOYER)

    response = put(
        client,
        "/api/events/samen-werkt/preferences",
        {"participation_id": participation["id"], "employer_id": other["id"], "level": 3},
    )
    cards = client.get(f"/api/events/samen-werkt/employers/{other['id']}/cards")

    assert response.status_code == 404
    assert cards.status_code == 404


def test_capacity_check_warns_and_says_what_would_fix_it(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    ok = client.get("/api/events/samen-werkt/capacity").json()

    async def raise_minimum() -> None:
        async with open_session(database) as session:
            await session.execute(update(Event).values(default_min_meetings=4, default_max_meetings=4))
            await session.commit()

    run(raise_minimum())
    short = client.get("/api/events/samen-werkt/capacity").json()
    page = client.get("/events/samen-werkt").text

    assert ok["enough"] is True
    assert ok["offered"] == 21 * 6 - (2 * 1) - (1 * 1)  # two employers are absent for some rounds
    assert short["enough"] is False
    assert short["short"] == short["demanded"] - short["offered"]
    assert short["extra_rounds"] >= 1
    assert "gesprekken tekort" in page
    assert "Voeg" in page


MARKERS = {
    "email": "marker-email@secret.example",
    "phone": "0612MARKER99",
    "coach_note": "MARKER-coach-note",
    "target_group": "MARKER-target-group",
    "last_name": "Markerlastname",
}


def test_employer_never_receives_contact_data_note_or_coach(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    async def seed_markers() -> None:
        async with open_session(database) as session:
            await session.execute(update(Candidate).values(**MARKERS, barriers=["criminal_record"]))
            await session.commit()

    run(seed_markers())
    login(client, EMPLOYER)
    me = client.get("/api/events/samen-werkt/employers").json()[0]
    responses = [
        client.get("/"),
        client.get("/events/samen-werkt"),
        client.get("/events/samen-werkt/cards"),
        client.get(f"/events/samen-werkt/briefing/{me['id']}"),
        client.get("/api/events"),
        client.get("/api/events/samen-werkt"),
        client.get("/api/events/samen-werkt/employers"),
        client.get(f"/api/events/samen-werkt/employers/{me['id']}"),
        client.get(f"/api/events/samen-werkt/employers/{me['id']}/cards"),
        client.get("/api/auth/me"),
    ]

    assert all(r.status_code == 200 for r in responses)
    for response in responses:
        for marker in [*MARKERS.values(), "criminal_record", "justitieel", "coach@demo.meetmatch.nl", "Anouk"]:
            assert marker not in response.text, (response.url, marker)
    cards = responses[-2].json()
    assert cards
    # First name and initial; two of the same first name (everyone is a Markerlastname here) are numbered.
    assert all(re.fullmatch(r"\S+ M\.( \(\d+\))?", c["display_name"]) for c in cards)


def test_organiser_creates_event_through_the_form_and_sees_field_errors_in_dutch(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    token = client.cookies.get("csrftoken")

    bad = client.post("/events/new", data={"_csrf_token": token, "name": "Banenmarkt", "date": "morgen", "rounds": "6"})
    good = client.post(
        "/events/new",
        data={"_csrf_token": token, "name": "Banenmarkt", "date": "2027-05-01", "rounds": "6", "breaks": "3:15"},
        follow_redirects=False,
    )

    assert bad.status_code == 422
    assert "Deze waarde klopt hier niet." in bad.text
    assert 'aria-invalid="true" aria-describedby="date-error"' in bad.text
    assert good.status_code == 303
    assert good.headers["location"] == "/events/banenmarkt?msg=saved"


def test_coach_sets_wish_with_big_buttons_page(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, COACH)
    participation = client.get("/api/events/samen-werkt/candidates").json()["items"][0]
    employer_id = client.get("/api/events/samen-werkt/employers").json()[-1]["id"]

    page = client.get(f"/events/samen-werkt/wishes/{participation['id']}")
    response = client.post(
        f"/events/samen-werkt/wishes/{participation['id']}",
        data={"_csrf_token": client.cookies.get("csrftoken"), "employer_id": str(employer_id), "level": "3"},
    )

    async def level() -> int | None:
        async with open_session(database) as session:
            return await session.scalar(
                select(Preference.level).where(
                    Preference.candidate_participation_id == participation["id"],
                    Preference.employer_participation_id == employer_id,
                    Preference.side == "candidate",
                )
            )

    assert page.status_code == 200
    assert "heel graag" in page.text
    assert response.status_code == 200
    assert 'value="3" class="level level-3 chosen"' in response.text
    assert run(level()) == 3


def test_caseload_handover_moves_every_candidate(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, COACH)
    mine = {c["id"] for c in client.get("/api/candidates").json()["items"]}
    coaches = {c["email"]: c["id"] for c in client.get("/api/coaches").json()}

    moved = post(client, f"/api/coaches/{coaches[COACH]}/handover", {"to_coach_id": coaches[OTHER_COACH]}).json()
    after = client.get("/api/candidates").json()["items"]
    login(client, OTHER_COACH)
    theirs = {c["id"] for c in client.get("/api/candidates").json()["items"]}

    assert moved == {"moved": len(mine)}
    assert after == []
    assert mine <= theirs


def test_demo_password_still_works_after_registration_changes(client: TestClient[Litestar], demo: DemoResult) -> None:
    assert login(client, ORGANISER, DEMO_PASSWORD)["email"] == ORGANISER


def test_removing_an_opening_on_the_page_returns_to_the_employer(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    employer = client.get("/api/events/samen-werkt/employers").json()[0]
    opening_id = employer["openings"][0]["id"]

    response = client.post(
        f"/events/samen-werkt/openings/{opening_id}/delete",
        data={"_csrf_token": client.cookies.get("csrftoken"), "employer_id": str(employer["id"])},
        follow_redirects=False,
    )
    after = client.get(f"/api/events/samen-werkt/employers/{employer['id']}").json()

    assert response.headers["location"] == f"/events/samen-werkt/employers/{employer['id']}?msg=deleted#openings"
    assert opening_id not in [o["id"] for o in after["openings"]]
