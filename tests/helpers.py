"""Helpers several test slices share: asking the same thing as each account, running alembic on a test's
database, erasing a person as an organiser outside any request, a demo badge's token, a check-in row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from alembic import command
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import CheckIn, HolderKind, TokenPurpose
from badges.people import Holder, holders, live_tokens, reissue
from events.demo.seed import DEMO_SLUG, ORGANISATION
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.identity import CurrentUser
from events.platform.migrate import alembic_config
from events.platform.models import Candidate, OrganisationKind, Role
from events.platform.organisations import get_or_create_organisation
from events.platform.services import find_event
from events.platform.settings import Settings
from events.privacy.erasure import erase_person
from tests.conftest import COACH, DOOR, EMPLOYER, login

T = TypeVar("T")

# The accounts an organiser-only page refuses, and no account at all (None).
NOT_ORGANISERS: tuple[str | None, ...] = (COACH, EMPLOYER, DOOR, None)


def answers_by_account(
    client: TestClient[Litestar],
    ask: Callable[[TestClient[Litestar]], T],
    accounts: Iterable[str | None] = NOT_ORGANISERS,
) -> dict[str | None, T]:
    """What ``ask`` gets for each account, logged in afresh (None: with no session at all)."""
    answers = {}
    for account in accounts:
        client.cookies.clear()
        if account:
            login(client, account)
        answers[account] = ask(client)
    return answers


async def alembic(settings: Settings, action: str, revision: str) -> None:
    """An alembic command (``upgrade``, ``downgrade``, ``stamp``) on the test's database."""

    def go(connection: Connection) -> None:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's batch migrations copy a table and drop the old one, and with foreign keys on, dropping
            # `event` deletes every row that hangs off it (meetmatch has no downgrade command; the tests do).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")

    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(go)
    finally:
        await dispose_engine(engine)


async def organising_id(session: AsyncSession, name: str = ORGANISATION) -> int:
    """The id of the organising organisation of this name (by default the demo's, whose organiser the tests log
    in as), made when missing: the owner of the events, programmes and people a test writes into the tables."""
    return (await get_or_create_organisation(session, name, OrganisationKind.ORGANISER)).id


def an_organiser(organisation_id: int | None) -> CurrentUser:
    """An organiser of the organisation outside any request (no account row behind it)."""
    return CurrentUser(
        id=0, email="", name="test", role=Role.ORGANISER, organisation_id=organisation_id, event_id=None, locale="nl"
    )


async def owner_of(settings: Settings, candidate_id: int) -> int | None:
    """The organisation that owns the candidate's record."""
    async with open_session(settings) as session:
        return await session.scalar(select(Candidate.organisation_id).where(Candidate.id == candidate_id))


async def erase(settings: Settings, candidate_id: int) -> None:
    """Erase a person as an organiser of the organisation that owns the record does, on an engine of its own."""
    organiser = an_organiser(await owner_of(settings, candidate_id))
    engine = create_engine(settings)
    try:
        await erase_person(session_maker(engine), settings, organiser, candidate_id)
    finally:
        await dispose_engine(engine)


async def first_badge_token_in(session: AsyncSession, settings: Settings) -> str:
    """A live badge token of the demo event's first candidate, made and committed in ``session``."""
    event = await find_event(session, DEMO_SLUG)
    people = await holders(session, event, (HolderKind.CANDIDATE,))
    tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people[:1])
    await session.commit()
    return tokens[people[0].key][0]


async def first_badge_token(settings: Settings) -> str:
    """As `first_badge_token_in`, in a session of its own."""
    async with open_session(settings) as session:
        return await first_badge_token_in(session, settings)


async def reissued_badge(settings: Settings, holder: Holder) -> str:
    """A new badge token for ``holder`` of the demo event (revoking the one before)."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        new = await reissue(session, settings, event, TokenPurpose.BADGE, holder)
        await session.commit()
        return new


def check_in(event_id: int, kind: HolderKind, person_id: int, at: dt.datetime, **values: Any) -> CheckIn:
    """A check-in row of a candidate's participation or an employer's contact (``person_id``)."""
    person = {"candidate_participation_id" if kind is HolderKind.CANDIDATE else "employer_contact_id": person_id}
    return CheckIn(event_id=event_id, holder=f"{kind.value}:{person_id}", holder_kind=kind, at=at, **person, **values)
