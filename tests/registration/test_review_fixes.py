"""Defects found in review, each pinned by a test: status mass assignment, withdrawn consent, odd ids,
shrinking events, numeric slugs, login CSRF, coach links, long upload names."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from events.demo.seed import DEMO_PASSWORD, DemoResult
from events.platform.db import open_session
from events.platform.models import CandidateParticipation, Consent, ParticipationStatus
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, csrf_headers, login, run
from tests.registration.test_import_pages import candidate_rows, workbook


def _coachs_first_participation(client: TestClient[Litestar]) -> dict[str, Any]:
    """The demo coach (logged in) lists the event's candidates: the first."""
    login(client, COACH)
    first: dict[str, Any] = client.get("/api/events/samen-werkt/candidates").json()["items"][0]
    return first


def _set_status(client: TestClient[Litestar], participation_id: int, status: str) -> Any:
    return client.put(
        f"/api/events/samen-werkt/participations/{participation_id}",
        json={"status": status},
        headers=csrf_headers(client),
    )


def test_coach_cannot_set_checked_in_or_no_show(client: TestClient[Litestar], demo: DemoResult) -> None:
    mine = _coachs_first_participation(client)

    response = _set_status(client, mine["id"], "checked_in")

    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_status_set_at_the_door_is_not_undone_from_a_form(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    mine = _coachs_first_participation(client)

    async def check_in() -> None:
        async with open_session(database) as session:
            await session.execute(
                update(CandidateParticipation)
                .where(CandidateParticipation.id == mine["id"])
                .values(status="checked_in")
            )
            await session.commit()

    run(check_in())
    response = _set_status(client, mine["id"], "cancelled")

    assert response.status_code == 422
    assert response.json()["code"] == "status_locked"


def test_withdrawn_consent_hides_the_candidate_from_employers(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, EMPLOYER)
    employer_id = client.get("/api/events/samen-werkt/employers").json()[0]["id"]
    before = client.get(f"/api/events/samen-werkt/employers/{employer_id}/cards").json()
    target = before[0]["participation_id"]

    async def withdraw() -> None:
        async with open_session(database) as session:
            candidate_id = await session.scalar(
                select(CandidateParticipation.candidate_id).where(CandidateParticipation.id == target)
            )
            await session.execute(
                update(Consent)
                .where(Consent.candidate_id == candidate_id)
                .values(withdrawn_at=__import__("datetime").datetime.now(__import__("datetime").UTC))
            )
            await session.commit()

    run(withdraw())
    after = client.get(f"/api/events/samen-werkt/employers/{employer_id}/cards").json()
    interest = client.put(
        "/api/events/samen-werkt/preferences",
        json={"participation_id": target, "employer_id": employer_id, "level": 3},
        headers=csrf_headers(client),
    )

    assert target not in [c["participation_id"] for c in after]
    assert len(after) == len(before) - 1
    assert interest.status_code == 404


def test_odd_ids_answer_404_not_500(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    answers = [
        client.get("/api/events/%C2%B2").status_code,
        client.get("/events/%C2%B2").status_code,
        client.get("/api/candidates/99999999999999999999").status_code,
        client.get("/api/events/samen-werkt/employers/99999999999999999999").status_code,
    ]

    assert answers == [404, 404, 404, 404]


def test_sign_up_with_a_bogus_status_is_422_naming_it(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, COACH)
    candidate = client.get("/api/candidates").json()["items"][0]

    response = client.post(
        "/api/events/samen-werkt/participations",
        json={"candidate_id": candidate["id"], "status": "bogus"},
        headers=csrf_headers(client),
    )

    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_shrinking_an_event_never_makes_partial_availability_total(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    event = client.get("/api/events/samen-werkt").json()
    body = {"name": event["name"], "date": event["date"], "rounds": 2, "max_seats": 2}

    response = client.put("/api/events/samen-werkt", json=body, headers=csrf_headers(client))

    assert response.status_code == 422
    assert response.json()["code"] == "rounds_lost"
    assert client.get("/api/events/samen-werkt").json()["rounds"] == 6


def test_event_named_with_digits_gets_a_slug_that_is_not_an_id(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = client.post("/api/events", json={"name": "2027", "date": "2027-01-01"}, headers=csrf_headers(client))

    assert response.json()["slug"] == "event-2027"


def test_json_login_refuses_a_form_encoded_body(client: TestClient[Litestar], demo: DemoResult) -> None:
    response = client.post(
        "/api/auth/login",
        content='{"email": "' + ORGANISER + '", "password": "' + DEMO_PASSWORD + '"}',
        headers={"content-type": "text/plain"},
    )

    assert response.status_code == 415
    assert "meetmatch_session" not in response.headers.get("set-cookie", "")


def test_coach_cannot_take_a_colleague_or_the_last_coach_off(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, COACH)
    coaches = {c["email"]: c["id"] for c in client.get("/api/coaches").json()}
    candidate = client.get("/api/candidates").json()["items"][0]
    added = client.post(
        f"/api/candidates/{candidate['id']}/coaches",
        json={"coach_id": coaches["reclassering@demo.meetmatch.nl"], "kind": "probation"},
        headers=csrf_headers(client),
    )

    colleague = client.delete(
        f"/api/candidates/{candidate['id']}/coaches/{coaches['reclassering@demo.meetmatch.nl']}",
        headers=csrf_headers(client),
    )
    myself = client.delete(f"/api/candidates/{candidate['id']}/coaches/{coaches[COACH]}", headers=csrf_headers(client))
    login(client, "reclassering@demo.meetmatch.nl")
    last = client.delete(
        f"/api/candidates/{candidate['id']}/coaches/{coaches['reclassering@demo.meetmatch.nl']}",
        headers=csrf_headers(client),
    )

    assert added.status_code == 200
    assert colleague.status_code == 422
    assert myself.status_code == 200
    assert last.status_code == 422
    assert last.json()["code"] == "last_coach"


def test_long_upload_name_keeps_working(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    name = "é" * 300 + ".xlsx"

    uploaded = client.post(
        "/events/samen-werkt/import/candidates",
        files={"file": (name, workbook(candidate_rows(bad=False)), "application/octet-stream")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    preview = client.get(uploaded.headers["location"])

    assert uploaded.status_code == 303
    assert preview.status_code == 200
    assert "50 nieuwe personen" in preview.text


def test_participation_status_enum_is_unchanged_for_the_door() -> None:
    assert {s.value for s in ParticipationStatus} >= {"checked_in", "no_show"}
