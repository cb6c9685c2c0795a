"""`POST /api/scans`: check-in at the door and talks at the tables, repeat-safe, with every refusal named."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from badges.models import CheckIn, HeldTalk, HolderKind, PersonToken, Scan, TokenPurpose
from badges.people import Holder, holders, live_tokens
from badges.schedules import published_meetings
from badges.tokens import token_hash
from events.app import create_app
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    User,
)
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.conftest import COACH, DEMO_PASSWORD, DOOR, EMPLOYER, ORGANISER, csrf_headers, login, run
from tests.helpers import reissued_badge

Tokens = dict[tuple[HolderKind, int], tuple[Holder, str]]


async def _tokens(settings: Settings) -> Tokens:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return {h.key: (h, tokens[h.key][0]) for h in people}


@pytest.fixture
def tokens(demo: DemoResult, database: Settings) -> Tokens:
    """A live badge token of every person of the demo event, by holder."""
    return run(_tokens(database))


def _candidate(tokens: Tokens, index: int = 0) -> tuple[Holder, str]:
    return [v for k, v in tokens.items() if k[0] is HolderKind.CANDIDATE][index]


def _scan(client: TestClient[Litestar], token: str, kind: str = "checkin", **extra: Any) -> httpx.Response:
    body = {"token": token, "nonce": extra.pop("nonce", uuid.uuid4().hex), "kind": kind, **extra}
    return client.post("/api/scans", json=body, headers=csrf_headers(client))


async def _count(settings: Settings, model: Any, *where: Any) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_door_checks_a_candidate_in_once_and_a_repeat_gets_the_first_answer(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    holder, token = _candidate(tokens)
    login(client, DOOR)

    first = _scan(client, token, nonce="n-1")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["code"] == "checked_in"
    assert body["ok"] is True
    assert holder.first_name in body["message"]
    assert body["person"]["first_name"] == holder.first_name
    assert body["person"]["role"] == "candidate"
    assert isinstance(body["person"]["number"], int)
    # Door staff see no last name, e-mail or coach.
    assert holder.full_name not in first.text.replace(holder.first_name, "", 1) or holder.full_name == holder.first_name
    assert "@" not in first.text

    again = _scan(client, token, nonce="n-2").json()
    assert again["code"] == "already_checked_in"
    assert again["ok"] is True
    assert again["checked_in_at"] == body["checked_in_at"]
    assert "sinds" in again["message"] or "since" in again["message"]

    repeat = _scan(client, token, nonce="n-1").json()
    assert repeat["code"] == "checked_in"
    assert repeat["repeated"] is True
    assert repeat["checked_in_at"] == body["checked_in_at"]

    assert run(_count(database, CheckIn, CheckIn.holder == holder.token_subject)) == 1

    async def status() -> ParticipationStatus:
        async with open_session(database) as session:
            row = await session.get(CandidateParticipation, holder.id)
            assert row is not None
            return row.status

    assert run(status()) is ParticipationStatus.CHECKED_IN


def test_unknown_malformed_revoked_and_wrong_event_badges_are_named(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    holder, token = _candidate(tokens, 1)

    new_token = run(reissued_badge(database, holder))
    login(client, DOOR)
    assert _scan(client, token).json()["code"] == "revoked"
    assert _scan(client, "A" * 27).json()["code"] == "unknown"
    assert _scan(client, "not a badge").json()["code"] == "unknown"
    assert _scan(client, token.lower() if token.lower() != token else token.upper()).json()["code"] == "unknown"
    assert _scan(client, new_token, event="another-event").json()["code"] == "wrong_event"
    # The whole QR URL works as well as the bare code, and the right event is fine.
    good = _scan(client, f"http://127.0.0.1:8000/b/{new_token}", event=DEMO_SLUG).json()
    assert good["code"] == "checked_in"
    # Nothing else was checked in.
    assert run(_count(database, CheckIn)) == 1


def test_who_may_scan_what(client: TestClient[Litestar], tokens: Tokens, database: Settings) -> None:
    _, token = _candidate(tokens, 2)

    anonymous = client.post("/api/scans", json={"token": token, "nonce": "x", "kind": "checkin"})
    assert anonymous.status_code == 401
    login(client, COACH)
    assert _scan(client, token).status_code == 403
    login(client, DOOR)
    no_csrf = client.post("/api/scans", json={"token": token, "nonce": "y", "kind": "checkin"})
    assert no_csrf.status_code == 403
    bad = client.post("/api/scans", json={"token": token, "nonce": "z", "kind": "dance"}, headers=csrf_headers(client))
    assert bad.status_code == 422
    assert bad.json()["field"] == "kind"
    # An employer does not check people in; a door account does not log talks.
    login(client, EMPLOYER)
    assert _scan(client, token).json()["code"] == "not_allowed"
    login(client, DOOR)
    assert _scan(client, token, "meeting").json()["code"] == "not_allowed"

    async def bind_door_elsewhere() -> None:
        async with open_session(database) as session:
            # Another event of the door account's own organisation: only the tie to it keeps the door out.
            door = await session.scalar(select(User).where(User.email == DOOR))
            assert door is not None
            other = Event(
                slug="andere-dag",
                name="Andere dag",
                date=dt.date(2026, 12, 1),
                first_round_start=dt.time(14),
                organisation_id=door.organisation_id,
            )
            session.add(other)
            await session.flush()
            await session.execute(update(User).where(User.email == DOOR).values(event_id=other.id))
            await session.commit()

    run(bind_door_elsewhere())
    login(client, DOOR)
    assert _scan(client, token).json()["code"] == "not_allowed"
    assert run(_count(database, CheckIn)) == 0


def test_an_employer_logs_talks_and_learns_nothing_of_people_it_was_not_planned_with(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:

    async def plan() -> tuple[int, set[int]]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            employer = await session.scalar(
                select(EmployerParticipation)
                .join(Organisation)
                .join(User, User.organisation_id == Organisation.id)
                .where(User.email == EMPLOYER, EmployerParticipation.event_id == event.id)
            )
            assert employer is not None
            _, meetings = await published_meetings(session, event)
            return employer.id, {
                m.candidate_participation_id for m in meetings if m.employer_participation_id == employer.id
            }

    employer_id, planned = run(plan())
    met = next(v for k, v in tokens.items() if k[0] is HolderKind.CANDIDATE and k[1] in planned)
    stranger = next(v for k, v in tokens.items() if k[0] is HolderKind.CANDIDATE and k[1] not in planned)
    login(client, EMPLOYER)

    logged = _scan(client, met[1], "meeting").json()
    assert logged["code"] == "meeting_logged"
    assert logged["talk"]["planned"] is True
    assert logged["person"]["first_name"] == met[0].first_name
    assert isinstance(logged["talk"]["round"], int)

    unplanned = _scan(client, stranger[1], "meeting")
    assert unplanned.json()["code"] == "meeting_logged"
    assert unplanned.json()["talk"]["planned"] is False
    assert "person" not in unplanned.json()
    assert stranger[0].first_name not in unplanned.text

    # Scanning the same candidate again logs no second talk.
    assert _scan(client, met[1], "meeting").json()["talk"]["id"] == logged["talk"]["id"]
    assert run(_count(database, HeldTalk, HeldTalk.employer_participation_id == employer_id)) == 2
    # Sitting at a table means being there.
    assert run(_count(database, CheckIn, CheckIn.holder == met[0].token_subject)) == 1

    answered = client.put(
        f"/api/talks/{logged['talk']['id']}",
        json={"follow_up": "yes", "note": "Sterk gesprek, uitnodigen."},
        headers=csrf_headers(client),
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["follow_up"] == "yes"
    wrong = client.put(
        f"/api/talks/{logged['talk']['id']}", json={"follow_up": "perhaps"}, headers=csrf_headers(client)
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "follow_up"

    # Another employer cannot see or change the talk: exactly like a missing one.
    login(client, "bouw@demo.meetmatch.nl")
    other = client.put(f"/api/talks/{logged['talk']['id']}", json={"follow_up": "no"}, headers=csrf_headers(client))
    missing = client.put("/api/talks/999999", json={"follow_up": "no"}, headers=csrf_headers(client))
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"] == missing.json()["detail"]


def test_failed_scans_are_throttled_per_device_and_good_ones_never(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    login(client, DOOR)
    for _ in range(40):
        assert _scan(client, _candidate(tokens, 3)[1], device="door-1").status_code == 200
    for _ in range(30):
        assert _scan(client, "B" * 27, device="door-1").json()["code"] == "unknown"
    blocked = _scan(client, "C" * 27, device="door-1")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # Another device of the same entrance goes on.
    assert _scan(client, _candidate(tokens, 4)[1], device="door-2").json()["code"] == "checked_in"


async def _concurrent(settings: Settings, token: str, same_nonce: bool) -> list[dict[str, Any]]:
    app = create_app(settings)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            response = await http.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD})
            assert response.status_code == 200
            headers = {"x-csrftoken": http.cookies["csrftoken"]}

            async def one(i: int) -> dict[str, Any]:
                nonce = "same" if same_nonce else f"n{i}"
                reply = await http.post(
                    "/api/scans", json={"token": token, "nonce": nonce, "kind": "checkin"}, headers=headers
                )
                assert reply.status_code == 200, reply.text
                body: dict[str, Any] = reply.json()
                return body

            return list(await asyncio.gather(*(one(i) for i in range(100 if not same_nonce else 30))))


@pytest.mark.slow
def test_a_hundred_concurrent_scans_of_one_badge_check_in_once(tokens: Tokens, database: Settings) -> None:
    holder, token = _candidate(tokens, 5)
    answers = run(_concurrent(database, token, same_nonce=False))
    codes = [a["code"] for a in answers]
    assert codes.count("checked_in") == 1
    assert codes.count("already_checked_in") == 99
    assert len({a["checked_in_at"] for a in answers}) == 1
    assert run(_count(database, CheckIn, CheckIn.holder == holder.token_subject)) == 1
    assert run(_count(database, Scan)) == 100


def test_concurrent_requests_with_one_nonce_all_get_the_same_answer(tokens: Tokens, database: Settings) -> None:
    _, token = _candidate(tokens, 6)
    answers = run(_concurrent(database, token, same_nonce=True))
    assert {a["code"] for a in answers} == {"checked_in"}
    assert len({a["checked_in_at"] for a in answers}) == 1
    assert sum(1 for a in answers if not a.get("repeated")) == 1
    assert run(_count(database, Scan)) == 1
    assert run(_count(database, CheckIn)) == 1


def test_the_offline_list_holds_hashes_never_codes(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    holder, token = _candidate(tokens, 7)
    login(client, DOOR)
    _scan(client, token)
    listing = client.get(f"/api/events/{DEMO_SLUG}/scan-list")
    assert listing.status_code == 200
    body = listing.json()
    entries = {b["hash"]: b for b in body["badges"]}
    assert len(entries) == len(tokens)
    mine = entries[token_hash(token)]
    assert mine["first_name"] == holder.first_name
    assert mine["state"] == "live"
    assert mine["checked_in_at"]
    for _, code in tokens.values():
        assert code not in listing.text
    login(client, COACH)
    assert client.get(f"/api/events/{DEMO_SLUG}/scan-list").status_code == 403
    login(client, ORGANISER)
    assert client.get(f"/api/events/{DEMO_SLUG}/scan-list").status_code == 200


def test_a_typed_badge_number_checks_in_at_the_chosen_event(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    holder, token = _candidate(tokens, 8)

    async def number() -> int:
        async with open_session(database) as session:
            row = await session.scalar(select(PersonToken.number).where(PersonToken.token_hash == token_hash(token)))
            assert row is not None
            return int(row)

    login(client, DOOR)
    badge_number = run(number())
    # Without the event a number means nothing; scanned (not typed) it is no code either.
    assert _scan(client, str(badge_number), typed=True).json()["code"] == "unknown"
    assert _scan(client, str(badge_number), event=DEMO_SLUG).json()["code"] == "unknown"
    answer = _scan(client, f"#{badge_number}", typed=True, event=DEMO_SLUG).json()
    assert answer["code"] == "checked_in"
    assert answer["person"]["first_name"] == holder.first_name
    assert _scan(client, "99999", typed=True, event=DEMO_SLUG).json()["code"] == "unknown"


def test_the_employers_note_reaches_only_the_organiser_and_the_candidates_coach(
    client: TestClient[Litestar], tokens: Tokens, database: Settings
) -> None:
    holder, token = next(v for k, v in tokens.items() if k[0] is HolderKind.CANDIDATE and v[0].coaches)
    coach = holder.coaches[0][1]
    login(client, EMPLOYER)
    talk = _scan(client, token, "meeting").json()["talk"]
    note = "Kan maandag beginnen, heeft rijbewijs B."
    client.put(f"/api/talks/{talk['id']}", json={"follow_up": "maybe", "note": note}, headers=csrf_headers(client))

    async def candidate_id() -> int:
        async with open_session(database) as session:
            row = await session.get(CandidateParticipation, holder.id)
            assert row is not None
            return row.candidate_id

    page = f"/candidates/{run(candidate_id())}"
    for account in (ORGANISER, coach):
        login(client, account)
        seen = client.get(page)
        assert seen.status_code == 200
        assert note in seen.text
    theirs = {email for _, email in holder.coaches}
    other = next(e for e in (COACH, "consulent@demo.meetmatch.nl", "reclassering@demo.meetmatch.nl") if e not in theirs)
    login(client, other)
    assert client.get(page).status_code in (403, 404)
    for account in (EMPLOYER, DOOR):
        login(client, account)
        refused = client.get(page)
        assert refused.status_code == 403
        assert note not in refused.text
    login(client, EMPLOYER)
    assert note not in client.get(f"/api/events/{DEMO_SLUG}/candidates").text
