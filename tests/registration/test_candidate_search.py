"""Finding candidates among thousands (issue 19): GET /api/candidates and the page /candidates search by name, e-mail
and phone, filter, sort and page within the user's reach, and refuse unreadable parameters with a 400 naming them.

The demo holds two organisations: Werkse! (Samen Werkt!, 50 candidates) and BAKboord Den Haag (its Meet & Match,
20 candidates coached by Reclassering Den Haag). Marker candidates are seeded through the test's own engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo import bakboord
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    Programme,
    User,
)
from events.platform.settings import Settings
from tests.conftest import COACH, ORGANISER, login, run

BAKBOORD_ORGANISER = bakboord.ORGANISER[1]
BAKBOORD_OFFICER = bakboord.OFFICERS[0][1]
MARKER = "Qxzmarker"


async def _seed(
    settings: Settings,
    organisation: str,
    coach_email: str,
    event_slug: str,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
    status: ParticipationStatus = ParticipationStatus.CONFIRMED,
    created_at: dt.datetime | None = None,
) -> int:
    async with open_session(settings) as session:
        owner = await session.scalar(select(Organisation.id).where(Organisation.name == organisation))
        coach = await session.scalar(select(User.id).where(User.email == coach_email))
        event = await session.scalar(select(Event.id).where(Event.slug == event_slug))
        assert owner is not None
        assert coach is not None
        assert event is not None
        candidate = Candidate(
            organisation_id=owner, first_name=first_name, last_name=last_name, email=email, phone=phone
        )
        if created_at is not None:
            candidate.created_at = created_at
        session.add(candidate)
        await session.flush()
        session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach))
        session.add(CandidateParticipation(event_id=event, candidate_id=candidate.id, status=status))
        await session.commit()
        return candidate.id


def seed(settings: Settings, **kwargs: Any) -> int:
    """A candidate (organisation, coach and event by name, e-mail and slug), committed; their id."""
    return run(_seed(settings, **kwargs))


def seed_werkse(settings: Settings, **kwargs: Any) -> int:
    return seed(settings, organisation="Werkse!", coach_email=COACH, event_slug=DEMO_SLUG, **kwargs)


def seed_bakboord_marker(settings: Settings) -> int:
    return seed(
        settings,
        organisation=bakboord.ORGANISATION,
        coach_email=BAKBOORD_OFFICER,
        event_slug=bakboord.SLUG,
        first_name=MARKER,
        last_name="Geheim",
        email="qxzmarker@example.org",
        phone="070-555 1234",
    )


def scalar(settings: Settings, query: Any) -> Any:
    async def go() -> Any:
        async with open_session(settings) as session:
            return await session.scalar(query)

    return run(go())


def found(client: TestClient[Litestar], **params: Any) -> dict[str, Any]:
    response = client.get("/api/candidates", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> set[int]:
    return {item["id"] for item in body["items"]}


def test_candidate_search_finds_by_name_in_any_case(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    wanted = seed_werkse(database, first_name="Çiğdem", last_name="Öztürk-Van Dam", email=None, phone=None)
    login(client, ORGANISER)

    by_last = found(client, q="öZTÜRK")
    by_both = found(client, q="çiğdem van dam")
    by_part = found(client, q="ztürk-v")

    assert ids(by_last) == {wanted}
    assert ids(by_both) == {wanted}
    assert ids(by_part) == {wanted}
    assert by_last["total"] == 1


def test_candidate_search_finds_by_email(client: TestClient[Litestar], database: Settings, demo: DemoResult) -> None:
    wanted = seed_werkse(
        database, first_name="Anna", last_name="Zoekmans", email="anna.zoek_100%@example.org", phone=None
    )
    login(client, ORGANISER)

    assert ids(found(client, q="ANNA.ZOEK_100%@EXAMPLE")) == {wanted}
    # LIKE's wildcards in the text are plain characters: "_" and "%" match only themselves.
    assert ids(found(client, q="anna.zoek_1000")) == set()


def test_candidate_search_finds_phone_digits_whatever_the_separators(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    wanted = seed_werkse(database, first_name="Piet", last_name="Bellers", email=None, phone="06-4242 9191")
    login(client, ORGANISER)

    for q in ("0642429191", "06 42 42 91 91", "(06) 4242-9191", "4242 91", "42429191"):
        assert ids(found(client, q=q)) == {wanted}, q
    assert ids(found(client, q="0642429192")) == set()


def test_candidate_search_filters_by_event_and_status(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    cancelled = seed_werkse(
        database, first_name="Carla", last_name="Afgemeld", email=None, phone=None, status=ParticipationStatus.CANCELLED
    )
    event_id = scalar(database, select(Event.id).where(Event.slug == DEMO_SLUG))
    taking_part = scalar(
        database,
        select(func.count()).select_from(CandidateParticipation).where(CandidateParticipation.event_id == event_id),
    )
    login(client, ORGANISER)

    in_event = found(client, event=event_id, per_page=200)
    only_cancelled = found(client, event=event_id, status="cancelled", per_page=200)
    confirmed = found(client, event=event_id, status="confirmed", per_page=200)

    assert in_event["total"] == taking_part
    assert cancelled in ids(only_cancelled)
    assert cancelled not in ids(confirmed)
    assert only_cancelled["total"] + confirmed["total"] <= in_event["total"]
    assert ids(only_cancelled) | ids(confirmed) <= ids(in_event)


def test_candidate_search_filters_by_programme(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    async def attach() -> tuple[int, int]:
        async with open_session(database) as session:
            werkse = await session.scalar(select(Organisation.id).where(Organisation.name == "Werkse!"))
            other = await session.scalar(select(Organisation.id).where(Organisation.name == bakboord.ORGANISATION))
            assert werkse is not None
            assert other is not None
            mine, theirs = (
                Programme(organisation_id=werkse, slug="delft-werkt", name="Delft werkt"),
                Programme(organisation_id=other, slug="haagse-kansen", name="Haagse Kansen"),
            )
            session.add_all([mine, theirs])
            await session.flush()
            event = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
            their_event = await session.scalar(select(Event).where(Event.slug == bakboord.SLUG))
            assert event is not None
            assert their_event is not None
            event.programme_id, their_event.programme_id = mine.id, theirs.id
            await session.commit()
            return mine.id, theirs.id

    mine, theirs = run(attach())
    login(client, ORGANISER)

    assert (
        found(client, programme=mine)["total"]
        == found(client, event=scalar(database, select(Event.id).where(Event.slug == DEMO_SLUG)))["total"]
    )
    assert found(client, programme=mine)["total"] > 0
    assert found(client, programme=theirs)["total"] == 0
    page = client.get("/candidates/").text
    assert "Delft werkt" in page
    assert "Haagse Kansen" not in page


def test_candidate_search_filters_by_coach_and_coach_organisation(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    coach_id = scalar(database, select(User.id).where(User.email == COACH))
    coached = set(scalar_all(database, select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == coach_id)))
    partner_coaches = (
        select(User.id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role == "coach", Organisation.name == "Reclassering Haaglanden")
    )
    partner = scalar(database, select(Organisation.id).where(Organisation.name == "Reclassering Haaglanden"))
    partner_coached = set(
        scalar_all(database, select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id.in_(partner_coaches)))
    )
    login(client, ORGANISER)

    by_coach = found(client, coach=coach_id, per_page=200)
    by_partner = found(client, organisation=partner, per_page=200)

    assert ids(by_coach) == coached
    assert by_coach["total"] == len(coached)
    assert ids(by_partner) == partner_coached
    assert 0 < by_partner["total"] < 50


def scalar_all(settings: Settings, query: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with open_session(settings) as session:
            return list((await session.scalars(query)).all())

    return run(go())


def test_candidate_search_pages_add_up_to_the_total(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    everyone = found(client, per_page=200)

    pages = [found(client, per_page=7, page=n) for n in range(1, 9)]
    beyond = found(client, per_page=7, page=99)

    assert everyone["total"] == 50
    assert [p["total"] for p in pages] == [50] * 8
    assert [len(p["items"]) for p in pages] == [7] * 7 + [1]
    assert [p["page"] for p in pages] == list(range(1, 9))
    assert {i for p in pages for i in ids(p)} == ids(everyone)
    assert beyond == {"items": [], "total": 50, "page": 99, "per_page": 7}
    assert found(client)["per_page"] == 50


def test_candidate_search_sorts_by_name_or_newest(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    newest = seed_werkse(
        database,
        first_name="aaron",
        last_name="Nieuw",
        email=None,
        phone=None,
        created_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    )
    login(client, ORGANISER)

    by_name = found(client, per_page=200)["items"]
    by_newest = found(client, sort="newest", per_page=200)["items"]

    names = [(c["first_name"].lower(), c["last_name"].lower()) for c in by_name]
    assert names == sorted(names)
    assert by_name[0]["id"] == newest  # "aaron" before "Abdel": case does not decide
    assert by_newest[0]["id"] == newest
    assert {c["id"] for c in by_newest} == {c["id"] for c in by_name}


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1e3"),
        ("per_page", "0"),
        ("per_page", "201"),
        ("per_page", "99999999999999999999"),
        ("event", "x"),
        ("programme", "2.5"),
        ("coach", "-3"),
        ("organisation", "one"),
        ("status", "gone"),
        ("sort", "age"),
        ("q", "x" * 201),
    ],
)
def test_candidate_search_refuses_unreadable_parameters(
    organiser_client: TestClient[Litestar], parameter: str, value: str
) -> None:
    response = organiser_client.get("/api/candidates", params={parameter: value})

    assert response.status_code == 400, response.text
    assert response.json()["field"] == parameter
    assert parameter in response.json()["detail"]


def test_candidate_search_never_finds_another_organisations_candidates(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    marker = seed_bakboord_marker(database)
    their_event = scalar(database, select(Event.id).where(Event.slug == bakboord.SLUG))
    their_organisation = scalar(database, select(Organisation.id).where(Organisation.name == bakboord.PARTNER))
    officer = scalar(database, select(User.id).where(User.email == BAKBOORD_OFFICER))
    queries: list[dict[str, Any]] = [
        {},
        {"q": MARKER},
        {"q": MARKER.upper()},
        {"q": "qxzmarker@example.org"},
        {"q": "0705551234"},
        {"q": "070-555 1234"},
        {"q": "Geheim"},
        {"q": "a"},
        {"event": their_event},
        {"organisation": their_organisation},
        {"coach": officer},
        {"status": "confirmed"},
        {"q": MARKER, "sort": "newest"},
    ]
    login(client, BAKBOORD_ORGANISER)
    assert marker in ids(found(client, q=MARKER))  # the marker is findable by its own organisation
    login(client, ORGANISER)

    for params in queries:
        for page in (1, 2):
            response = client.get("/api/candidates", params={**params, "per_page": 200, "page": page})
            assert response.status_code == 200
            assert MARKER not in response.text, params
            assert "Geheim" not in response.text, params
        assert found(client, **params, per_page=200)["total"] == len(ids(found(client, **params, per_page=200)))
    page = client.get("/candidates/", params={"q": MARKER}).text
    full = client.get("/candidates/").text
    assert "Geheim" not in page
    assert "qxzmarker@example.org" not in page
    assert bakboord.PARTNER not in full
    assert bakboord.ORGANISATION not in full
    assert "Dennis Verhoef" not in full
    assert "Meet &amp; Match" not in full


def test_candidate_search_coach_finds_only_own_candidates(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    coach_id = scalar(database, select(User.id).where(User.email == COACH))
    coached = set(scalar_all(database, select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == coach_id)))
    login(client, COACH)

    mine = found(client, per_page=200)
    searched = found(client, q="e", per_page=200)

    assert ids(mine) == coached
    assert ids(searched) <= coached


def test_candidate_page_searches_and_links_pages_with_the_filters(
    client: TestClient[Litestar], database: Settings, demo: DemoResult
) -> None:
    event_id = scalar(database, select(Event.id).where(Event.slug == DEMO_SLUG))
    login(client, ORGANISER)

    page = client.get("/candidates/", params={"event": event_id, "per_page": 10, "page": 2, "sort": "newest"})
    english = client.get("/candidates/", params={"q": "zzzz-nobody"}, headers={"Accept-Language": "en"})

    assert page.status_code == 200
    assert 'href="/candidates/new"' in page.text
    assert "Kandidaat" in page.text
    assert 'aria-current="page">2<' in page.text
    assert f'href="/candidates/?event={event_id}&amp;sort=newest&amp;page=3&amp;per_page=10"' in page.text
    assert f'href="/candidates/?event={event_id}&amp;sort=newest&amp;per_page=10" rel="prev"' in page.text
    assert f'<option value="{event_id}" selected>' in page.text
    assert page.text.count('<td data-label="Naam">') == 10
    assert client.get("/candidates/", params={"page": "nul"}).status_code == 400
    assert english.status_code == 200


@pytest.fixture
def organiser_client(client: TestClient[Litestar], demo: DemoResult) -> TestClient[Litestar]:
    login(client, ORGANISER)
    return client


def test_an_event_s_candidates_come_a_page_at_a_time(organiser: TestClient[Litestar]) -> None:
    first = organiser.get("/api/events/samen-werkt/candidates", params={"per_page": 20})
    last = organiser.get("/api/events/samen-werkt/candidates", params={"per_page": 20, "page": 3})
    default = organiser.get("/api/events/samen-werkt/candidates")
    bad = organiser.get("/api/events/samen-werkt/candidates", params={"per_page": 500})

    assert first.status_code == last.status_code == default.status_code == 200
    body = first.json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (50, 1, 20, 20)
    assert (last.json()["page"], len(last.json()["items"])) == (3, 10)
    assert len(default.json()["items"]) == default.json()["per_page"] == 50
    ids = [row["id"] for row in body["items"]] + [row["id"] for row in last.json()["items"]]
    assert len(set(ids)) == 30
    assert bad.status_code == 400
    assert bad.json()["field"] == "per_page"
