"""Migration 0011 (the door's reach): an employer contact registered at the door before it existed is told apart
by its check-in with the method "walk_in", and is marked registered at the door; every other contact is not."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from badges.models import CheckInMethod, HolderKind
from events.platform.db import open_session
from events.platform.migrate import upgrade
from events.platform.models import EmployerContact, EmployerParticipation, Event, Organisation, OrganisationKind
from events.platform.settings import Settings
from tests.conftest import run
from tests.helpers import alembic, check_in


async def _contacts(settings: Settings) -> tuple[int, int]:
    """An event with one employer and two contacts: one checked in at the walk-in desk, one by a scan."""
    async with open_session(settings) as session:
        organiser = Organisation(name="Werkse!", kind=OrganisationKind.ORGANISER)
        organisation = Organisation(name="Oud BV", kind=OrganisationKind.EMPLOYER)
        session.add_all([organiser, organisation])
        await session.flush()
        event = Event(
            slug="oud",
            name="Oud",
            date=dt.date(2026, 10, 1),
            first_round_start=dt.time(14),
            organisation_id=organiser.id,
        )
        session.add(event)
        await session.flush()
        employer = EmployerParticipation(event_id=event.id, organisation_id=organisation.id)
        session.add(employer)
        await session.flush()
        at_door = EmployerContact(employer_participation_id=employer.id, name="Aan de deur")
        before = EmployerContact(employer_participation_id=employer.id, name="Vooraf")
        session.add_all([at_door, before])
        await session.flush()
        now = dt.datetime.now(dt.UTC)
        for contact, method in ((at_door, CheckInMethod.WALK_IN), (before, CheckInMethod.SCAN)):
            session.add(check_in(event.id, HolderKind.EMPLOYER, contact.id, now, method=method))
        await session.commit()
        return at_door.id, before.id


async def _walk_in(settings: Settings) -> dict[int, bool]:
    async with open_session(settings) as session:
        rows = await session.execute(select(EmployerContact.id, EmployerContact.walk_in))
        return dict(rows.tuples().all())


def test_migration_0011_marks_the_contacts_the_walk_in_desk_checked_in_as_registered_at_the_door(
    settings: Settings,
) -> None:
    run(upgrade(settings))
    at_door, before = run(_contacts(settings))
    run(alembic(settings, "downgrade", "0010"))

    run(alembic(settings, "upgrade", "head"))

    assert run(_walk_in(settings)) == {at_door: True, before: False}
