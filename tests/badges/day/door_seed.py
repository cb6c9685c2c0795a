"""Events on other days than the demo's (which is today), with registered candidates and their badges: what
the door's reach is tried on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from events.demo.seed import ORGANISATION
from events.platform.db import open_session
from events.platform.models import Candidate, CandidateParticipation, Event, EventStatus
from events.platform.organisations import find_organisation
from events.platform.settings import Settings

MARKER_LAST = "Achternaamgeheim"


@dataclass(frozen=True)
class OtherDay:
    slug: str
    name: str
    participation: int  # the first candidate's
    token: str  # the first candidate's badge code
    tokens: tuple[str, ...]  # every candidate's, in order


async def event_on(
    settings: Settings, slug: str, day: dt.date, *, candidates: int = 1, organisation: str = ORGANISATION
) -> OtherDay:
    """A published event on ``day`` with registered candidates (last name MARKER_LAST) and their badges, owned by
    ``organisation`` (the demo's Werkse!, whose door staff the demo's door account is)."""
    async with open_session(settings) as session:
        owner = await find_organisation(session, organisation)
        assert owner is not None, organisation
        event = Event(
            slug=slug,
            name=f"Beurs {slug}",
            date=day,
            first_round_start=dt.time(14),
            status=EventStatus.PUBLISHED,
            organisation_id=owner.id,
        )
        session.add(event)
        await session.flush()
        for index in range(candidates):
            candidate = Candidate(
                first_name=f"Ilse{index}",
                last_name=MARKER_LAST,
                email=f"ilse{index}.{slug}@example.org",
                organisation_id=owner.id,
            )
            session.add(candidate)
            await session.flush()
            session.add(CandidateParticipation(event_id=event.id, candidate_id=candidate.id))
        await session.flush()
        people = sorted(await holders(session, event, (HolderKind.CANDIDATE,)), key=lambda h: h.id)
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        codes = tuple(tokens[h.key][0] for h in people)
        return OtherDay(slug, event.name, people[0].id, codes[0], codes)
