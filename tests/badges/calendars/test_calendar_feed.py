"""The calendar pages: a person's feed behind a revocable token, the organisers' page with links and new links,
downloads for coaches of their own candidates only, and the whole programme for organisers."""

from __future__ import annotations

import logging
import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from badges.calendars.services import talk_uid
from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from badges.schedules import schedules
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import CandidateCoach, CandidateParticipation, ParticipationStatus, User
from events.platform.services import find_event
from events.platform.settings import Settings
from schedule.models import Meeting
from schedule.services import current
from tests.badges.calendars.test_calendar import check_calendar, read_strictly
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, OTHER_COACH, csrf_headers, login, run

PAGE = f"/events/{DEMO_SLUG}/calendars"
FEED_RE = re.compile(r'value="(http://127\.0\.0\.1:8000/c/([A-Za-z0-9_-]+)\.ics)"')


def feed_links(client: TestClient[Litestar]) -> dict[str, str]:
    """Each row's person (`candidate-12`) and the token of its feed link, as the organisers' page shows them."""
    page = client.get(PAGE)
    assert page.status_code == 200
    links: dict[str, str] = {}
    for person, body in re.findall(r'<tr id="((?:candidate|employer)-\d+)"(.*?)</tr>', page.text, flags=re.S):
        found = FEED_RE.search(body)
        assert found, person
        links[person] = found.group(2)
    return links


async def _expected(settings: Settings, participation: int) -> tuple[int, set[str]]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        person = (await holders(session, event, (HolderKind.CANDIDATE,), only=(participation,)))[0]
        talks = (await schedules(session, event, [person])).of(person).talks
        return event.id, {talk_uid(event.id, t.pair) for t in talks}


def test_feed_opens_with_the_token_alone_and_follows_the_programme(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    links = feed_links(client)
    assert len(links) == run(_count_people(database))
    person = next(p for p in links if p.startswith("candidate-"))
    token = links[person]
    _, expected = run(_expected(database, int(person.split("-")[1])))

    client.cookies.clear()
    response = client.get(f"/c/{token}.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    tree, _ = check_calendar(response.content)
    assert {e.value("UID") for e in tree.walk("VEVENT")} == expected
    # Unchanged: the calendar app's next look costs nothing.
    again = client.get(f"/c/{token}.ics", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def _count_people(settings: Settings) -> int:
    async with open_session(settings) as session:
        return len(await holders(session, await find_event(session, DEMO_SLUG)))


def test_revoked_mutated_malformed_and_unknown_tokens_get_the_same_404(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    person, old = next(iter(feed_links(client).items()))
    renewed = client.post(f"{PAGE}/{person}/reissue", headers=csrf_headers(client), follow_redirects=False)
    assert renewed.status_code == 303
    assert renewed.headers["location"].startswith(f"{PAGE}?msg=calendar_reissued")
    assert "De oude link werkt niet meer." in client.get(renewed.headers["location"]).text
    new = feed_links(client)[person]
    assert new != old
    mutated = new[:-1] + ("A" if new[-1] != "A" else "B")

    client.cookies.clear()
    answers = [
        client.get(path)
        for path in (
            f"/c/{old}.ics",  # revoked
            f"/c/{mutated}.ics",  # one character off
            f"/c/{new.swapcase()}.ics",  # case folded
            f"/c/{new}",  # without .ics
            f"/c/{new}x.ics",  # too long
            "/c/not-a-token.ics",
            "/c/%00.ics",
            f"/c/{new}.ics/more",
            f"/c/{new}%20.ics",
        )
    ]

    assert {r.status_code for r in answers} == {404}
    assert {r.content for r in answers} == {b"Not found\n"}
    assert {r.headers["content-type"] for r in answers} == {"text/plain; charset=utf-8"}
    # Headers too, but for the date and the cookie the session layer sets on a first visit.
    varying = {"date", "set-cookie"}
    assert len({tuple(sorted((k, v) for k, v in r.headers.items() if k not in varying)) for r in answers}) == 1
    assert client.get(f"/c/{new}.ics").status_code == 200


async def _cancel(settings: Settings, participation: int) -> None:
    async with open_session(settings) as session:
        await session.execute(
            update(CandidateParticipation)
            .where(CandidateParticipation.id == participation)
            .values(status=ParticipationStatus.CANCELLED)
        )
        await session.commit()


def test_feed_of_someone_who_no_longer_takes_part_is_like_an_unknown_one(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    person, token = next((p, t) for p, t in feed_links(client).items() if p.startswith("candidate-"))
    run(_cancel(database, int(person.split("-")[1])))
    client.cookies.clear()

    gone = client.get(f"/c/{token}.ics")
    unknown = client.get("/c/AAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")

    assert gone.status_code == unknown.status_code == 404
    assert gone.content == unknown.content


def test_tokens_stay_out_of_the_apps_logs(
    client: TestClient[Litestar], demo: DemoResult, caplog: pytest.LogCaptureFixture
) -> None:
    login(client, ORGANISER)
    token = next(iter(feed_links(client).values()))
    client.cookies.clear()
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/c/{token}.ics").status_code == 200
        assert client.get(f"/c/{token}x.ics").status_code == 404

    # The test client's own request log (httpx) is not the app's.
    app_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [r for r in app_records if token in r.getMessage()]


async def _ids(settings: Settings) -> dict[str, int]:
    """The coach's own planned candidate, the other coach's, and an employer contact."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        planned = {h.id for h in await holders(session, event, (HolderKind.CANDIDATE,))}
        rows = await session.execute(
            select(User.email, CandidateParticipation.id)
            .join(CandidateCoach, CandidateCoach.coach_id == User.id)
            .join(CandidateParticipation, CandidateParticipation.candidate_id == CandidateCoach.candidate_id)
            .where(User.email.in_([COACH, OTHER_COACH]), CandidateParticipation.event_id == event.id)
            .order_by(CandidateParticipation.id)
        )
        own: dict[str, list[int]] = {COACH: [], OTHER_COACH: []}
        for email, participation in rows.all():
            if participation in planned:
                own[email].append(participation)
        contact = (await holders(session, event, (HolderKind.EMPLOYER,)))[0].id
        meetings = await session.scalars(
            select(Meeting.id).where(Meeting.version_id == (await current(session, event)).id)  # type: ignore[union-attr]
        )
        return {
            "mine": own[COACH][0],
            "theirs": next(p for p in own[OTHER_COACH] if p not in own[COACH]),
            "contact": contact,
            "meetings": len(meetings.all()),
        }


@pytest.fixture
def ids(demo: DemoResult, database: Settings) -> dict[str, int]:
    """The ids `_ids` names, in the demo."""
    return run(_ids(database))


def test_coach_downloads_own_candidates_only_and_the_rest_is_404(
    client: TestClient[Litestar], ids: dict[str, int]
) -> None:
    login(client, COACH)

    mine = client.get(f"{PAGE}/candidate-{ids['mine']}.ics")
    theirs = client.get(f"{PAGE}/candidate-{ids['theirs']}.ics")
    missing = client.get(f"{PAGE}/candidate-987654.ics")
    contact = client.get(f"{PAGE}/employer-{ids['contact']}.ics")
    page = client.get(PAGE)

    assert mine.status_code == 200
    assert mine.headers["content-disposition"] == f'attachment; filename="candidate-{ids["mine"]}.ics"'
    check_calendar(mine.content)
    assert theirs.status_code == missing.status_code == contact.status_code == 404
    # The page echoes its own path (the language switch returns there); apart from that it is the same.
    assert len({r.text.replace(str(r.url.path), "PATH") for r in (theirs, missing, contact)}) == 1
    # The coach's list: own candidates, downloads only, no feed links or new-link buttons.
    assert page.status_code == 200
    assert f'id="candidate-{ids["mine"]}"' in page.text
    assert f'id="candidate-{ids["theirs"]}"' not in page.text
    assert "/c/" not in page.text
    assert "/reissue" not in page.text
    reissue = client.post(f"{PAGE}/candidate-{ids['mine']}/reissue", headers=csrf_headers(client))
    assert reissue.status_code == 403
    assert client.get(f"/events/{DEMO_SLUG}/calendar.ics").status_code == 403


@pytest.mark.parametrize("email", [EMPLOYER, DOOR])
def test_employers_and_door_staff_have_no_calendar_pages(
    client: TestClient[Litestar], ids: dict[str, int], email: str
) -> None:
    login(client, email)

    for path in (PAGE, f"{PAGE}/candidate-{ids['mine']}.ics", f"/events/{DEMO_SLUG}/calendar.ics"):
        assert client.get(path).status_code == 403


def test_organiser_gets_anyones_calendar_and_the_whole_programme(
    organiser: TestClient[Litestar], ids: dict[str, int]
) -> None:

    contact = organiser.get(f"{PAGE}/employer-{ids['contact']}.ics")
    whole = organiser.get(f"/events/{DEMO_SLUG}/calendar.ics")
    bad = [organiser.get(f"{PAGE}/{name}") for name in ("staff-1.ics", "candidate-1", "candidate-01.ics", "x.ics")]

    assert contact.status_code == 200
    check_calendar(contact.content)
    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("text/calendar")
    tree, _ = check_calendar(whole.content)
    assert len(list(tree.walk("VEVENT"))) == ids["meetings"]
    assert read_strictly(whole.content).value("X-WR-CALNAME") == "Samen Werkt! · programma"
    assert {r.status_code for r in bad} == {404}


async def _tokens_are_stored_as_hashes(settings: Settings) -> tuple[list[str], list[str]]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        tokens = await live_tokens(session, settings, event, TokenPurpose.CALENDAR, people)
        return [t for t, _ in tokens.values()], [row.token_hash for _, row in tokens.values()]


def test_page_links_are_the_calendar_tokens_not_the_badge_ones(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    shown = set(feed_links(client).values())

    tokens, hashes = run(_tokens_are_stored_as_hashes(database))

    assert shown == set(tokens)
    assert not shown & set(hashes)
