"""Scans on the event's day only (Europe/Amsterdam): `not_today` on any other day, a scan queued offline judged
by the moment it was made, the organiser's rehearsal switch (audited, closed again at midnight), and the round
clock's start button off before and after the day, with the reason."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from badges.day import scans
from badges.models import CheckIn, CheckInMethod
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform import dates
from events.platform.db import open_session
from events.platform.models import EVENT_TZ, AuditEntry, User
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from tests.badges.day.door_seed import event_on
from tests.conftest import DOOR, EMPLOYER, ORGANISER, csrf_headers, login, run

DAY = dt.date(2026, 12, 1)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=EVENT_TZ)


async def _offline_scans(settings: Settings, tokens: tuple[str, ...], sent_at: dt.datetime) -> list[dict[str, Any]]:
    """The door account sends, at ``sent_at``, three scans: one made before midnight, one after it, and one
    made online now."""
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == DOOR))
        assert user is not None
        door = to_current_user(user)
        made = [_local(DAY, 23, 50), _local(DAY + dt.timedelta(days=1), 0, 5), None]
        answers = []
        for token, at in zip(tokens, made, strict=True):
            request = scans.ScanRequest(
                token=token, nonce=uuid.uuid4().hex, kind=scans.ScanKind.CHECKIN, scanned_at=at, device="door-1"
            )
            answers.append((await scans.scan(session, door, request)).answer)
        await session.commit()
        return answers


def test_a_scan_queued_offline_before_midnight_counts_when_it_is_sent_after_midnight(
    demo: DemoResult, database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = run(event_on(database, "nachtelijk", DAY, candidates=3))
    sent_at = _local(DAY + dt.timedelta(days=1), 0, 10)
    monkeypatch.setattr(scans, "utcnow", lambda: sent_at.astimezone(dt.UTC))

    before_midnight, after_midnight, online = run(_offline_scans(database, other.tokens, sent_at))

    assert before_midnight["code"] == "checked_in"
    assert dt.datetime.fromisoformat(before_midnight["checked_in_at"]) == _local(DAY, 23, 50)
    assert after_midnight["code"] == "not_today"
    assert online["code"] == "not_today"

    async def methods() -> list[CheckInMethod]:
        async with open_session(database) as session:
            return list(await session.scalars(select(CheckIn.method)))

    assert run(methods()) == [CheckInMethod.OFFLINE]


def test_a_scan_queued_offline_during_a_rehearsal_counts_after_midnight(
    demo: DemoResult, database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = run(event_on(database, "generale-nacht", DAY + dt.timedelta(days=5), candidates=3))

    async def rehearse() -> None:
        async with open_session(database) as session:
            event = await find_event(session, other.slug)
            event.rehearsal_on = DAY
            await session.commit()

    run(rehearse())
    monkeypatch.setattr(scans, "utcnow", lambda: _local(DAY + dt.timedelta(days=1), 0, 10).astimezone(dt.UTC))
    answers = run(_offline_scans(database, other.tokens, _local(DAY + dt.timedelta(days=1), 0, 10)))
    assert [a["code"] for a in answers] == ["checked_in", "not_today", "not_today"]


def _scan(client: TestClient[Litestar], token: str, kind: str = "checkin") -> dict[str, Any]:
    body = {"token": token, "nonce": uuid.uuid4().hex, "kind": kind}
    response = client.post("/api/scans", json=body, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_every_scan_before_the_day_is_not_today_with_the_date_in_the_message(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    future = run(event_on(database, "volgende-maand", dates.today() + dt.timedelta(days=30)))
    login(client, ORGANISER)
    answer = _scan(client, future.token)
    assert answer["code"] == "not_today"
    assert answer["ok"] is False
    assert answer["event"]["slug"] == future.slug
    day = dates.today() + dt.timedelta(days=30)
    assert str(day.day) in answer["message"]
    assert "om te oefenen" in answer["message"]
    # An employer's talk scan likewise.
    login(client, EMPLOYER)
    assert _scan(client, future.token, "meeting")["code"] == "not_today"


def _form(client: TestClient[Litestar], **values: str) -> dict[str, str]:
    return {"_csrf_token": client.cookies.get("csrftoken") or "", **values}


async def _rehearsals(settings: Settings, slug: str) -> tuple[dt.date | None, list[tuple[str, dict[str, Any]]]]:
    async with open_session(settings) as session:
        event = await find_event(session, slug)
        entries = await session.execute(
            select(AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.object_type == "event", AuditEntry.object_id == event.id)
            .order_by(AuditEntry.id)
        )
        return event.rehearsal_on, [(a, dict(d)) for a, d in entries.tuples()]


def test_the_organiser_opens_the_door_for_a_rehearsal_and_closes_it_again(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    future = run(event_on(database, "repetitie", dates.today() + dt.timedelta(days=2), candidates=2))
    login(client, ORGANISER)
    day_page = client.get(f"/events/{future.slug}/day")
    assert 'data-door="before"' in day_page.text
    assert "Ingang vandaag openen om te oefenen" in day_page.text

    opened = client.post(f"/events/{future.slug}/day/rehearsal", data=_form(client, open="1"), follow_redirects=False)
    assert opened.status_code == 303
    today = dates.today()
    assert run(_rehearsals(database, future.slug)) == (today, [("rehearsal_open", {"date": today.isoformat()})])
    assert 'data-door="rehearsal"' in client.get(f"/events/{future.slug}/day").text

    login(client, DOOR)
    assert client.get(f"/api/events/{future.slug}/scan-list").status_code == 200
    assert _scan(client, future.tokens[0])["code"] == "checked_in"

    login(client, ORGANISER)
    closed = client.post(f"/events/{future.slug}/day/rehearsal", data=_form(client, open="0"), follow_redirects=False)
    assert closed.status_code == 303
    rehearsal_on, entries = run(_rehearsals(database, future.slug))
    assert rehearsal_on is None
    assert [action for action, _ in entries] == ["rehearsal_open", "rehearsal_close"]
    login(client, DOOR)
    assert _scan(client, future.tokens[1])["code"] == "not_today"
    assert client.get(f"/api/events/{future.slug}/scan-list").status_code == 404


def test_the_rehearsal_switch_is_refused_on_and_after_the_day_with_the_reason_on_the_page(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    past = run(event_on(database, "voorbij", dates.today() - dt.timedelta(days=1)))
    login(client, ORGANISER)
    for slug, reason in ((past.slug, "is voorbij"), (DEMO_SLUG, "de ingang is open")):
        refused = client.post(f"/events/{slug}/day/rehearsal", data=_form(client, open="1"))
        assert refused.status_code == 422
        assert reason in refused.text
        assert 'id="day-figures"' in refused.text  # the day page itself, with the reason on it
        assert run(_rehearsals(database, slug)) == (None, [])


def test_the_clock_cannot_start_before_or_after_the_day_and_the_page_says_why(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    future = run(event_on(database, "straks", dates.today() + dt.timedelta(days=1)))
    past = run(event_on(database, "eerder", dates.today() - dt.timedelta(days=1)))
    login(client, ORGANISER)
    for other, reason in ((future, "De klok start op de dag van het evenement"), (past, "start niet meer")):
        page = client.get(f"/events/{other.slug}/day").text
        button = re.search(r'<button type="submit" name="action" value="start"[^>]*>', page)
        assert button is not None
        assert "disabled" in button.group(0)
        assert reason in page
        started = client.post(f"/events/{other.slug}/clock", data=_form(client, action="start"), follow_redirects=False)
        assert started.status_code == 303
        assert started.headers["location"] == f"/events/{other.slug}/day"
        assert client.get(f"/events/{other.slug}/clock/state").json()["state"] == "idle"
    # On the day the button is on.
    today_page = client.get(f"/events/{DEMO_SLUG}/day").text
    button = re.search(r'<button type="submit" name="action" value="start"[^>]*>', today_page)
    assert button is not None
    assert "disabled" not in button.group(0)


def test_the_scanner_page_says_when_scans_are_taken(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    future = run(event_on(database, "later", dates.today() + dt.timedelta(days=3)))
    login(client, ORGANISER)
    later = client.get(f"/scan/?event={future.slug}").text
    assert 'data-role="closed-today"' in later
    assert 'data-role="closed-today"' not in client.get(f"/scan/?event={DEMO_SLUG}").text
