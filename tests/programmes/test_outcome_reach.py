"""An outcome belongs to an enrolment only for those who reach it (review of issue 20): another organisation's
organiser who meets the person at one of its own events may log outcomes for them, but can neither attach one to a
programme of the person's own organisation nor learn that programme's name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.followup.choices import outcome_choices
from events.followup.services import OutcomeInput, OutcomeService
from events.platform.db import open_session
from events.platform.errors import DomainError
from events.platform.models import Candidate, CandidateParticipation, Event, ParticipationStatus, PathwayKind, User
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.programmes import enrolments
from events.programmes.services import create_programme
from tests.conftest import ORGANISER, run

OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
PROGRAMME = "Na detentie aan het werk"


def test_another_organisation_cannot_attach_an_outcome_to_the_person_s_programme_nor_see_its_name(
    demo: DemoResult, database: Settings
) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            other = to_current_user(await session.scalar(select(User).where(User.email == OTHER_ORGANISER)))
            programme = await create_programme(session, organiser, PROGRAMME, slug="na-detentie")
            person = await session.scalar(
                select(Candidate).where(Candidate.organisation_id == organiser.organisation_id).limit(1)
            )
            assert person is not None
            enrolment = await enrolments.enrol(session, organiser, programme, person)
            event = await session.scalar(select(Event).where(Event.organisation_id == other.organisation_id))
            assert event is not None
            session.add(
                CandidateParticipation(event_id=event.id, candidate_id=person.id, status=ParticipationStatus.REGISTERED)
            )
            await session.flush()

            choices = await outcome_choices(session, person.id, other)
            assert choices["enrolments"] == []
            service = OutcomeService(session, other)
            with pytest.raises(DomainError) as refused:
                await service.create(
                    person.id, OutcomeInput(kind=PathwayKind.SECOND_INTERVIEW, enrolment_id=enrolment.id)
                )
            assert refused.value.field == "enrolment_id"

            # The person's own organisation attaches it; the other organisation sees the outcome, not the programme.
            await OutcomeService(session, organiser).create(
                person.id, OutcomeInput(kind=PathwayKind.SECOND_INTERVIEW, enrolment_id=enrolment.id)
            )
            assert [v.programme for v in await service.for_candidate(person.id)] == [None]
            assert [v.programme for v in await OutcomeService(session, organiser).for_candidate(person.id)] == [
                PROGRAMME
            ]

    run(scenario())
