"""The organisers' results pages: the figures shown, anonymised on request, targets, programmes, and refusals."""

from __future__ import annotations

import re
from html import unescape

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry, Event, Programme
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, first_id, login, run
from tests.results.reports_seed import MARKER_NAME, Seeded, seed


def english(client: TestClient[Litestar]) -> None:
    client.get("/")
    client.post("/language", data={"language": "en", "next": "/", "_csrf_token": client.cookies.get("csrftoken")})


def as_organiser(client: TestClient[Litestar]) -> None:
    login(client, ORGANISER)
    english(client)


def post(client: TestClient[Litestar], path: str, data: dict[str, str]) -> object:
    return client.post(
        path, data={**data, "_csrf_token": client.cookies.get("csrftoken") or ""}, follow_redirects=False
    )


def table(html: str, key: str) -> dict[str, list[str]]:
    """A figures table of the page: row label -> the cells' texts."""
    found = re.search(rf'<table[^>]*id="table-{key}".*?</table>', html, re.S)
    assert found, key
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', found.group(0), re.S)
    return {unescape(label): [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)] for label, cells in rows}


@pytest.fixture
def seeded(demo: DemoResult, database: Settings) -> Seeded:
    """The rows of `tests/results/reports_seed.py`, beside the demo."""
    return run(seed(database))


def test_results_page_shows_the_exact_funnel_employers_and_comments(
    client: TestClient[Litestar], seeded: Seeded
) -> None:
    as_organiser(client)

    page = client.get(f"/events/{seeded.slug}/results")

    assert page.status_code == 200
    assert table(page.text, "funnel") == {
        "registered": ["12"],
        "present": ["10"],
        "held a talk": ["8"],
        "follow-up wished": ["3"],
        "second interview": ["2"],
        "placement": ["2"],
        "started a training": ["1"],
        "started a paid job": ["2"],
    }
    assert table(page.text, "employers")["Alfa Bouw"] == ["2", "2", "2", "1", "0", "1"]
    assert table(page.text, "targets") == {
        "present at the event": ["8", "10", "125%"],
        "paid job starts": ["3", "2", "67%"],
    }
    assert "Heel fijn, dank!" in page.text
    assert f'action="/events/{seeded.slug}/results/targets"' in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-funnel" role="img"' in page.text
    assert '<title id="chart-funnel-title">' in page.text
    assert MARKER_NAME not in page.text


def test_results_page_anonymised_hides_small_groups_and_comments(client: TestClient[Litestar], seeded: Seeded) -> None:
    as_organiser(client)

    page = client.get(f"/events/{seeded.slug}/results?anonymised=1")

    funnel = table(page.text, "funnel")
    assert funnel["registered"] == ["12"]
    assert funnel["started a paid job"] == ["<5"]
    # Coach organisations' registered: 6, 6 and 2; the 2 is hidden, and so is one 6 (else 12 - 6 - 6 would tell).
    assert table(page.text, "coach_organisations") == {
        "Reclassering": ["x", "6", "<5", "0"],
        "Werkplein": ["6", "6", "x", "<5"],
        "no organisation": ["<5", "0", "0", "0"],
    }
    assert "Heel fijn, dank!" not in page.text
    assert "Anonymised: a group of fewer than 5 people is shown as &lt;5" in page.text


def test_event_page_links_organisers_to_the_results(client: TestClient[Litestar], seeded: Seeded) -> None:
    as_organiser(client)

    page = client.get(f"/events/{seeded.slug}")

    assert f'href="/events/{seeded.slug}/results"' in page.text


def test_coach_and_employer_are_refused_every_results_route(
    client: TestClient[Litestar], seeded: Seeded, database: Settings
) -> None:
    paths = [
        f"/events/{seeded.slug}/results",
        f"/events/{seeded.slug}/results.pdf",
        f"/events/{seeded.slug}/results/outcomes.csv",
        f"/events/{seeded.slug}/results/outcomes.csv?personal=1",
        "/programmes",
    ]
    answers = {}
    for email in (COACH, EMPLOYER):
        login(client, email)
        for path in paths:
            answers[(email, path)] = client.get(path, follow_redirects=False).status_code
        answers[(email, "targets")] = post(
            client, f"/events/{seeded.slug}/results/targets", {"job_starts": "9"}
        ).status_code  # type: ignore[attr-defined]
        answers[(email, "create")] = post(client, "/programmes", {"name": "Stiekem"}).status_code  # type: ignore[attr-defined]

    assert set(answers.values()) == {403}

    async def unchanged() -> tuple[dict[str, int], int]:
        async with open_session(database) as session:
            event = await session.get(Event, seeded.event_id)
            assert event is not None
            return event.targets, len((await session.scalars(select(Programme))).all())

    assert run(unchanged()) == ({"present": 8, "job_starts": 3, "x": 5}, 0)


def test_setting_targets_saves_them_and_shows_them_against_the_actuals(
    client: TestClient[Litestar], seeded: Seeded
) -> None:
    as_organiser(client)

    saved = post(
        client, f"/events/{seeded.slug}/results/targets", {"job_starts": "4", "placements": "2", "present": ""}
    )
    page = client.get(f"/events/{seeded.slug}/results")

    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert table(page.text, "targets") == {"placements": ["2", "2", "100%"], "paid job starts": ["4", "2", "50%"]}


def test_setting_a_target_that_is_no_whole_number_is_refused_beside_its_field(
    client: TestClient[Litestar], seeded: Seeded
) -> None:
    as_organiser(client)

    refused = post(client, f"/events/{seeded.slug}/results/targets", {"job_starts": "-3"})

    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert 'id="job_starts-error"' in refused.text  # type: ignore[attr-defined]
    assert "Give a whole number, 0 or more." in refused.text  # type: ignore[attr-defined]


def _programme_id(settings: Settings, name: str) -> int:
    return first_id(settings, select(Programme.id).where(Programme.name == name))


def test_programme_created_given_targets_and_events_shows_them_over_time(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    first: Seeded = run(seed(database, slug="voorjaar", prefix="a-"))
    second: Seeded = run(seed(database, slug="najaar", prefix="b-"))
    as_organiser(client)

    created = post(client, "/programmes", {"name": "Delft aan het werk", "description": "Twee beurzen"})
    programme_id = _programme_id(database, "Delft aan het werk")
    for event_id in (first.event_id, second.event_id):
        post(client, f"/programmes/{programme_id}/events", {"event": str(event_id), "action": "attach"})
    post(client, f"/programmes/{programme_id}", {"name": "Delft aan het werk", "job_starts": "5"})
    page = client.get(f"/programmes/{programme_id}")
    listing = client.get("/programmes")

    assert created.status_code == 303  # type: ignore[attr-defined]
    assert page.status_code == 200
    rows = table(page.text, "events")
    assert rows["in all"] == ["24", "20", "16", "6", "4", "4", "2", "4"]
    assert len(rows) == 3
    assert table(page.text, "targets") == {"paid job starts": ["5", "4", "80%"]}
    assert "paid job starts: 5" in listing.text


def test_programme_with_a_taken_name_is_refused(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    as_organiser(client)
    post(client, "/programmes", {"name": "Delft aan het werk"})

    again = post(client, "/programmes", {"name": "delft  aan het werk"})

    assert again.status_code == 422  # type: ignore[attr-defined]
    assert "There is already a programme with this name." in again.text  # type: ignore[attr-defined]


def test_programme_event_taken_out_leaves_the_programme(
    client: TestClient[Litestar], seeded: Seeded, database: Settings
) -> None:
    as_organiser(client)
    post(client, "/programmes", {"name": "Kort"})
    programme_id = _programme_id(database, "Kort")
    post(client, f"/programmes/{programme_id}/events", {"event": seeded.slug, "action": "attach"})

    out = post(client, f"/programmes/{programme_id}/events", {"event": str(seeded.event_id), "action": "detach"})

    async def programme_of_event() -> int | None:
        async with open_session(database) as session:
            event = await session.get(Event, seeded.event_id)
            assert event is not None
            return event.programme_id

    assert out.status_code == 303  # type: ignore[attr-defined]
    assert run(programme_of_event()) is None


def test_personal_export_on_the_page_is_audited_per_person(
    client: TestClient[Litestar], seeded: Seeded, database: Settings
) -> None:
    as_organiser(client)

    personal = client.get(f"/events/{seeded.slug}/results/outcomes.csv?personal=1")
    anonymous = client.get(f"/events/{seeded.slug}/results/outcomes.csv")

    async def audited() -> set[int | None]:
        async with open_session(database) as session:
            rows = await session.scalars(
                select(AuditEntry.candidate_id).where(AuditEntry.object_type == "outcome_list")
            )
            return set(rows.all())

    assert personal.status_code == anonymous.status_code == 200
    assert f"Kandidaat1 {MARKER_NAME}1" in personal.content.decode("utf-8-sig")
    assert MARKER_NAME not in anonymous.content.decode("utf-8-sig")
    # Candidates 1-5 have confirmed outcomes, 6 stopped, 7's job is proposed: each listed, each audited.
    assert run(audited()) == {seeded.candidates[n] for n in range(1, 8)}
