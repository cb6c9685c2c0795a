"""What a candidate's outcome form offers to choose from: the events the candidate took part in, the employers,
the openings at those events, the talks the candidate held (an outcome can point back to one) and the programmes
they take part in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import held_talks
from events.platform.identity import CurrentUser
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Enrolment,
    Event,
    Opening,
    Organisation,
    OrganisationKind,
    Programme,
)
from events.platform.reach import enrolment_reach


def employer_organisations() -> Select[tuple[int, str]]:
    """The organisations an outcome can name: every employer, by name (the form's list, and what is accepted)."""
    return (
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.EMPLOYER)
        .order_by(Organisation.name)
    )


async def outcome_choices(session: AsyncSession, candidate_id: int, user: CurrentUser) -> dict[str, Any]:
    """The form's lists: ``events``, ``employers``, ``openings``, ``talks`` and ``enrolments`` (the programmes the
    candidate takes part in)."""
    participations = (
        await session.execute(
            select(Event.id, Event.name, Event.date)
            .join(CandidateParticipation, CandidateParticipation.event_id == Event.id)
            .where(CandidateParticipation.candidate_id == candidate_id)
            .order_by(Event.date.desc())
        )
    ).all()
    employers = (await session.execute(employer_organisations())).all()
    event_ids = [row[0] for row in participations]
    openings = (
        (
            await session.execute(
                select(Opening.id, Opening.title, Organisation.name, Event.name)
                .join(EmployerParticipation, EmployerParticipation.id == Opening.employer_participation_id)
                .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
                .join(Event, Event.id == EmployerParticipation.event_id)
                .where(EmployerParticipation.event_id.in_(event_ids))
                .order_by(Organisation.name, Opening.title)
            )
        ).all()
        if event_ids
        else []
    )
    return {
        "events": participations,
        "employers": employers,
        "openings": openings,
        "talks": await candidate_talks(session, candidate_id),
        "enrolments": await candidate_enrolments(session, candidate_id, user),
    }


async def candidate_enrolments(session: AsyncSession, candidate_id: int, user: CurrentUser) -> list[tuple[int, str]]:
    """(enrolment id, programme name) of every programme the candidate takes part in that the user reaches: an
    outcome can belong to one (another organisation's programme is not even named)."""
    rows = await session.execute(
        select(Enrolment.id, Programme.name)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(Enrolment.candidate_id == candidate_id, enrolment_reach(user))
        .order_by(Programme.name, Enrolment.id)
    )
    return [(int(i), str(n)) for i, n in rows.tuples()]


async def candidate_talks(session: AsyncSession, candidate_id: int) -> list[tuple[int, str, str]]:
    """(talk id, employer, event) of every talk the candidate held: an outcome can point back to one."""
    participations = select(CandidateParticipation.id).where(CandidateParticipation.candidate_id == candidate_id)
    # A candidate talks with an employer once per event: the employer's participation names the talk.
    talks = {
        t.employer_participation_id: t.id
        for t in await held_talks(session, candidate_participations=list(await session.scalars(participations)))
    }
    if not talks:
        return []
    rows = await session.execute(
        select(EmployerParticipation.id, Organisation.name, Event.name)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .join(Event, Event.id == EmployerParticipation.event_id)
        .where(EmployerParticipation.id.in_(talks))
        .order_by(Event.date.desc(), Organisation.name)
    )
    return [(talks[employer], name, event) for employer, name, event in rows.tuples()]
