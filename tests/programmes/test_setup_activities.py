"""Setting up a programme and the activities on a person's timeline (issue 20): target groups and stages the
organiser adapts, partners with a role, employers with social entrepreneurs made on the spot; trainings whose planned
end lies ahead run ("loopt", never "gestopt"), introductions with one employer outside any event, benefits left."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.errors import DomainError, NotFoundError
from events.platform.models import ActivityKind, BenefitKind, IntroductionStatus, PartnerRole, StageKind, User
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.programmes import activities, enrolments, intake, setup
from events.programmes.services import create_programme
from tests.conftest import COACH, ORGANISER, login, run


def test_an_organiser_adapts_target_groups_stages_partners_and_employers(demo: DemoResult, database: Settings) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            coach = to_current_user(await session.scalar(select(User).where(User.email == COACH)))
            programme = await create_programme(session, organiser, "Baankans Zuidwest", slug="baankans")
            group = await setup.add_target_group(session, organiser, programme, "  Alleenstaande   ouders ")
            assert group.name == "Alleenstaande ouders"
            with pytest.raises(DomainError) as taken:
                await setup.add_target_group(session, organiser, programme, "alleenstaande ouders")
            assert taken.value.field == "target_group"
            assert (await enrolments.find_target_group(session, programme, " ALLEENSTAANDE OUDERS")).id == group.id
            with pytest.raises(DomainError) as unknown:
                await enrolments.find_target_group(session, programme, "Jongeren")
            assert "Alleenstaande ouders" in unknown.value.message

            await setup.set_stages(session, organiser, programme, ["verbinder", "intake", "kennismaking", "werk"])
            names = [(s.name, s.kind) for s in await enrolments.stages(session, programme.id)]
            assert names == [
                ("verbinder", StageKind.ACTIVE),
                ("intake", StageKind.ACTIVE),
                ("kennismaking", StageKind.ACTIVE),
                ("werk", StageKind.ACTIVE),
                ("afgerond", StageKind.COMPLETED),
                ("uitgevallen", StageKind.DROPPED),
            ]
            werk = await enrolments.find_stage(session, programme, "Werk")
            await setup.add_stage(session, organiser, programme, "nazorg", after=werk)
            assert [s.name for s in await enrolments.stages(session, programme.id)][4] == "nazorg"
            await setup.move_stage(session, organiser, programme, werk, -1)
            assert [s.name for s in await enrolments.stages(session, programme.id)][2:4] == ["werk", "kennismaking"]
            dropped = await enrolments.find_stage(session, programme, "uitgevallen")
            with pytest.raises(DomainError) as last:
                await setup.remove_stage(session, organiser, programme, dropped)
            assert last.value.code == "last_of_kind"

            await setup.invite_partner(session, organiser, programme, "Social Club Den Haag", PartnerRole.COACHING)
            assert [(p.role, o.name) for p, o in await setup.partners(session, programme)] == [
                ("coaching", "Social Club Den Haag")
            ]
            employer = await setup.add_employer(session, organiser, programme, "De Buurtkeuken", social_enterprise=True)
            assert employer.social_enterprise
            with pytest.raises(DomainError) as organising:
                await setup.add_employer(session, organiser, programme, "Werkse!")
            assert organising.value.field == "employer"
            with pytest.raises(NotFoundError):
                await setup.add_target_group(session, coach, programme, "Jongeren")

    run(scenario())


def test_a_training_with_a_future_end_runs_and_an_introduction_is_held_outside_any_event(
    demo: DemoResult, database: Settings
) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            coach = to_current_user(await session.scalar(select(User).where(User.email == COACH)))
            programme = await create_programme(session, organiser, "Werkfit proef", slug="werkfit-proef")
            referral = enrolments.Referral("Noor", "Smit", consent=True, phone="0611111111")
            enrolment = await enrolments.refer(session, coach, programme, referral)
            await intake.pick_up(session, coach, enrolment)
            today = dt.date.today()
            training = await activities.add_activity(
                session,
                coach,
                enrolment,
                activities.ActivityInput(
                    ActivityKind.TRAINING,
                    title="VCA",
                    provider="Opleider",
                    starts_on=today - dt.timedelta(days=10),
                    planned_end=today + dt.timedelta(days=30),
                ),
            )
            assert activities.state(training, today) is activities.ActivityState.RUNNING
            assert activities.state(training, today + dt.timedelta(days=31)) is activities.ActivityState.ENDED
            with pytest.raises(DomainError):
                await activities.finish(
                    session, coach, enrolment, training, completed=False, on=today + dt.timedelta(1)
                )
            await activities.finish(session, coach, enrolment, training, completed=False)
            assert activities.state(training, today) is activities.ActivityState.STOPPED

            intro = await activities.add_activity(
                session,
                coach,
                enrolment,
                activities.ActivityInput(ActivityKind.INTRODUCTION, employer="Koffiebar Samen (sociaal ondernemer)"),
            )
            assert activities.state(intro, today) is activities.ActivityState.PROPOSED
            await activities.record_introduction(
                session, coach, enrolment, intro, status=IntroductionStatus.HELD, match=True, employer_answer="Ja!"
            )
            assert activities.state(intro, today) is activities.ActivityState.HELD
            assert intro.match is True
            names = [name for _, name in await activities.timeline(session, enrolment)]
            assert "Koffiebar Samen (sociaal ondernemer)" in names

            period = await activities.add_benefit(
                session, coach, enrolment, BenefitKind.PARTICIPATIEWET, since=dt.date(2024, 1, 1)
            )
            with pytest.raises(DomainError):
                await activities.leave_benefit(session, coach, enrolment, period.id, dt.date(2023, 1, 1))
            await activities.leave_benefit(session, coach, enrolment, period.id, today)
            assert [(b.benefit, b.left_on) for b in await activities.benefits(session, enrolment)] == [
                (BenefitKind.PARTICIPATIEWET, today)
            ]

    run(scenario())


def test_the_programme_s_events_a_person_signed_up_for_are_on_their_timeline(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    from events.platform.models import Candidate, CandidateParticipation, Event
    from events.programmes.services import attach_event

    async def scenario() -> tuple[int, str]:
        async with open_session(database) as session:
            organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            programme = await create_programme(session, organiser, "Met bijeenkomst", slug="met-bijeenkomst")
            event = await session.scalar(select(Event).where(Event.organisation_id == organiser.organisation_id))
            assert event is not None
            await attach_event(session, organiser, programme, event.id)
            candidate = await session.scalar(
                select(Candidate)
                .join(CandidateParticipation, CandidateParticipation.candidate_id == Candidate.id)
                .where(CandidateParticipation.event_id == event.id)
                .limit(1)
            )
            assert candidate is not None
            enrolment = await enrolments.enrol(session, organiser, programme, candidate)
            assert [e.id for e, _ in await activities.programme_events(session, enrolment)] == [event.id]
            await session.commit()
            return enrolment.id, event.name

    enrolment_id, event_name = run(scenario())
    login(client, ORGANISER)
    page = client.get(f"/enrolments/{enrolment_id}")
    assert page.status_code == 200
    timeline = page.text.split('id="timeline"', 1)[1]
    assert "De bijeenkomsten van het traject" in timeline
    assert event_name in timeline


def test_an_organiser_cannot_draw_another_organisation_s_partner_into_a_programme(
    demo: DemoResult, database: Settings
) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            bakboord = to_current_user(
                await session.scalar(select(User).where(User.email == "organisator.bakboord@demo.meetmatch.nl"))
            )
            werkse = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            theirs = await create_programme(session, bakboord, "Overname", slug="overname")
            # Reclassering Haaglanden has accounts and works with Werkse!, not with BAKboord.
            with pytest.raises(DomainError) as refused:
                await setup.invite_partner(session, bakboord, theirs, "Reclassering Haaglanden", PartnerRole.REFERRER)
            assert refused.value.code == "partner_elsewhere"
            ours = await create_programme(session, werkse, "Samen verder", slug="samen-verder")
            await setup.invite_partner(session, werkse, ours, "Reclassering Haaglanden", PartnerRole.REFERRER)
            # A partner with no accounts yet may be invited by anyone, as on the team page.
            await setup.invite_partner(session, bakboord, theirs, "Buurthuis De Kiem", PartnerRole.REFERRER)

    run(scenario())
