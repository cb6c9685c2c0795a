"""Badge tokens: derived and stable, at least 128 bits, looked up by hash, exact, revocable."""

from __future__ import annotations

import asyncio
import base64

from sqlalchemy import func, select

from badges.models import HolderKind, PersonToken, TokenPurpose
from badges.people import holders, live_tokens, reissue, resolve
from badges.schedules import schedules
from badges.tokens import derive_token, redact, token_hash, well_formed
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import open_session
from events.platform.services import find_event
from events.platform.settings import Settings
from schedule.models import Meeting
from schedule.services import current
from tests.conftest import run


def test_token_is_160_bits_stable_and_differs_per_holder_version_and_purpose() -> None:
    key = b"k" * 32
    token = derive_token(key, "badge", "candidate:7", 1)

    assert len(base64.urlsafe_b64decode(token + "=")) * 8 == 160
    assert well_formed(token)
    assert derive_token(key, "badge", "candidate:7", 1) == token
    others = {
        derive_token(key, "badge", "candidate:7", 2),
        derive_token(key, "badge", "candidate:8", 1),
        derive_token(key, "calendar", "candidate:7", 1),
        derive_token(b"x" * 32, "badge", "candidate:7", 1),
    }
    assert token not in others
    assert len(others) == 4
    assert token_hash(token) != token_hash(token.upper())


def test_malformed_tokens_are_refused_before_any_lookup() -> None:
    token = derive_token(b"k" * 32, "badge", "candidate:7", 1)

    assert not well_formed(token + " ")
    assert not well_formed(token[:-1])
    assert not well_formed(token[:-1] + "=")
    assert not well_formed(token[:-1] + "é")
    assert not well_formed("")


def test_redact_hides_tokens_in_paths() -> None:
    assert redact("/b/AbCdEfGhIjKlMnOpQrStUvWxYz0?x=1") == "/b/[redacted]?x=1"
    assert redact("/c/AbCdEfGhIjKlMnOpQrStUvWxYz0.ics") == "/c/[redacted]"
    assert redact("/events/samen-werkt") == "/events/samen-werkt"


async def _issue(settings: Settings) -> tuple[dict[object, str], int, int]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        first = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        again = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        rows = await session.scalar(select(func.count()).select_from(PersonToken))
        numbers = {row.number for _, row in again.values()}
        assert {k: t for k, (t, _) in first.items()} == {k: t for k, (t, _) in again.items()}
        return {k: t for k, (t, _) in first.items()}, int(rows or 0), len(numbers)


def test_live_tokens_once_per_person_with_distinct_numbers_and_stable(demo: DemoResult, database: Settings) -> None:
    tokens, rows, numbers = run(_issue(database))

    assert len(tokens) == rows == numbers
    kinds = {kind for kind, _ in tokens}  # type: ignore[misc]
    assert kinds == {HolderKind.CANDIDATE, HolderKind.EMPLOYER}


async def _reissue(settings: Settings) -> tuple[str, str, str, str, str]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        person = (await holders(session, event))[0]
        old = (await live_tokens(session, settings, event, TokenPurpose.BADGE, [person]))[person.key][0]
        new = await reissue(session, settings, event, TokenPurpose.BADGE, person)
        await session.commit()
        states = [
            (await resolve(session, TokenPurpose.BADGE, token)).state
            for token in (old, new, new.swapcase(), new[:-1] + ("A" if new[-1] != "A" else "B"))
        ]
        calendar = (await resolve(session, TokenPurpose.CALENDAR, new)).state
        return (*states, calendar)  # type: ignore[return-value]


def test_reissue_revokes_the_old_token_and_only_the_exact_new_one_opens(demo: DemoResult, database: Settings) -> None:
    assert run(_reissue(database)) == ("revoked", "ok", "unknown", "unknown", "unknown")


async def _programmes(settings: Settings) -> tuple[int, int, int, int]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        shown = await schedules(session, event, people)
        version = await current(session, event)
        assert version is not None
        total = await session.scalar(select(func.count()).select_from(Meeting).where(Meeting.version_id == version.id))
        candidate_talks = sum(len(p.talks) for k, p in shown.people.items() if k[0] is HolderKind.CANDIDATE)
        # Every employer with contacts: each contact sees all of its organisation's talks.
        employer_talks = {
            p.holder.employer_id: len(p.talks) for k, p in shown.people.items() if k[0] is HolderKind.EMPLOYER
        }
        return int(total or 0), candidate_talks, sum(employer_talks.values()), shown.version or 0


def test_programmes_cut_the_published_version_per_person(demo: DemoResult, database: Settings) -> None:
    total, candidate_talks, employer_talks, version = run(_programmes(database))

    assert version == 1
    assert total > 0
    assert candidate_talks == total
    assert employer_talks == total


async def _at_once(settings: Settings) -> tuple[set[str], int]:
    """Two requests create the same people's tokens at the same moment, each in its own transaction."""

    async def one() -> dict[object, str]:
        async with open_session(settings) as session:
            event = await find_event(session, DEMO_SLUG)
            people = await holders(session, event)
            made = await live_tokens(session, settings, event, TokenPurpose.CALENDAR, people)
            await session.commit()
            return {k: t for k, (t, _) in made.items()}

    first, second = await asyncio.gather(one(), one())
    async with open_session(settings) as session:
        rows = await session.scalar(
            select(func.count()).select_from(PersonToken).where(PersonToken.purpose == TokenPurpose.CALENDAR)
        )
    assert first == second
    return set(first.values()), int(rows or 0)


def test_tokens_made_by_two_requests_at_once_are_one_per_person(demo: DemoResult, database: Settings) -> None:
    tokens, rows = run(_at_once(database))

    assert len(tokens) == rows
