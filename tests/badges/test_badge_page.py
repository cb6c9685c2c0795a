"""The page a badge opens: the holder's own programme and nothing else; one fixed page for any bad token;
tokens kept out of the server's logs."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from badges.models import HolderKind, TokenPurpose
from badges.people import Holder, holders, live_tokens
from badges.schedules import schedules
from badges.tokens import derive_token
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.models import Candidate, CandidateParticipation
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.conftest import run
from tests.helpers import reissued_badge
from tests.served import clean_env, free_port, serving


async def _people(settings: Settings) -> list[tuple[Holder, str, list[tuple[int, int, str, str]]]]:
    """Every holder with a token and its talks as (round, table, candidate, employer)."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        shown = await schedules(session, event, people)
        await session.commit()
        return [
            (h, tokens[h.key][0], [(t.round, t.table, t.candidate, t.employer) for t in shown.of(h).talks])
            for h in people
        ]


def test_candidate_badge_shows_their_own_talks_and_nothing_personal(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    holder, token, talks = next(p for p in people if p[0].kind is HolderKind.CANDIDATE and p[2])
    others = [p[0] for p in people if p[0].kind is HolderKind.CANDIDATE and p[0].id != holder.id]

    async def private() -> tuple[str, str | None, str | None]:
        async with open_session(database) as session:
            row = await session.scalar(
                select(Candidate).join(CandidateParticipation).where(CandidateParticipation.id == holder.id)
            )
            assert row is not None
            return row.last_name, row.email, row.phone

    last_name, email, phone = run(private())
    page = client.get(f"/b/{token}")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert f"Hallo {holder.first_name}" in page.text
    rounds = page.text.split('<ol class="round-cards')[1].split("</ol>")[0]
    for round_, table, _candidate, employer in talks:
        card = rounds.split(f'data-round="{round_}">')[1].split("</li>")[0]
        assert f'<dd class="table-number">{table}</dd>' in card
        assert f"<dd>{employer}</dd>" in card
    assert last_name not in page.text
    for secret in (email, phone):
        assert not secret or secret not in page.text
    assert not any(other.full_name in page.text for other in others)


def test_employer_badge_shows_its_tables_with_first_names_only(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    holder, token, talks = next(p for p in people if p[0].kind is HolderKind.EMPLOYER and p[2])
    full_names = [p[0].full_name for p in people if p[0].kind is HolderKind.CANDIDATE]

    page = client.get(f"/b/{token}")

    assert page.status_code == 200
    assert f"<h1>{holder.organisation}</h1>" in page.text
    for round_, table, candidate, _employer in talks:
        card = page.text.split(f'data-round="{round_}">')[1].split("</li>")[0]
        pair = rf'<dd class="table-number">{table}</dd></div>\s*<div><dt>Kandidaat</dt><dd>{re.escape(candidate)}</dd>'
        assert re.search(pair, card)
    assert not any(name in page.text for name in full_names)


def test_unknown_malformed_and_revoked_tokens_get_one_identical_page(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    holder, token, _ = people[0]

    new = run(reissued_badge(database, holder))
    unknown = derive_token(b"another key entirely, 32 bytes..", "badge", "candidate:1", 1)
    answers = [
        client.get(f"/b/{t}") for t in (token, unknown, "kort", token.lower(), token + "x", f"{token}/x", "a/b/c")
    ]
    fresh = client.get(f"/b/{new}")

    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert "csrf" not in answers[0].text.lower()
    assert fresh.status_code == 200


@pytest.mark.slow
@pytest.mark.single_database
def test_tokens_never_reach_the_server_log(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path / "data")
    log_path = tmp_path / "server.log"
    token = derive_token(b"k" * 32, "badge", "candidate:1", 1)
    invitation = "Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5"
    with serving(port, [], env=env, cwd=tmp_path, log=log_path) as (base, _):
        for path in (
            f"/b/{token}",
            f"/b/{token}?x=1",
            f"/invite/{invitation}",
            f"/join/{invitation}",
            f"/c/{token}.ics",
        ):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(base + path, timeout=5)
    text = log_path.read_text()

    assert '"GET /b/[redacted] HTTP/1.1" 404' in text
    assert '"GET /invite/[redacted] HTTP/1.1" 404' in text
    assert '"GET /join/[redacted] HTTP/1.1" 404' in text
    assert '"GET /c/[redacted] HTTP/1.1" 404' in text
    assert token not in text
    assert invitation not in text


def test_badge_page_links_the_persons_own_calendar_feed(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    _, token, talks = next(p for p in people if p[0].kind is HolderKind.CANDIDATE and p[2])

    page = client.get(f"/b/{token}")
    feed = re.search(r'href="http://127\.0\.0\.1:8000(/c/[A-Za-z0-9_-]{27}\.ics)"', page.text)
    assert feed is not None
    calendar = client.get(feed.group(1))

    assert 'href="webcal://127.0.0.1:8000/c/' in page.text
    assert calendar.status_code == 200
    assert calendar.text.count("BEGIN:VEVENT") == len(talks)
