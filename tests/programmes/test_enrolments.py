"""A person's way through a programme (issue 20): a partner's referrer refers, a coach of the programme's
organisation picks the referral up for the intake, the intake decides (strict selection refuses with a reason), the
stages move with their history; the referrer sees the stage and nothing else; criminal-justice data is read only by
the person's coaches and by organisers allowed it, every read audited; another organisation reaches none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import (
    AuditEntry,
    Decision,
    DropReason,
    Organisation,
    PartnerRole,
    Partnership,
    StageKind,
    User,
)
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.programmes import enrolments, intake, plan
from events.programmes.services import create_programme
from tests.conftest import COACH, ORGANISER, run

REFERRER = "reclassering@demo.meetmatch.nl"  # Petra Visser, Reclassering Haaglanden: a partner of Werkse!
OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"


async def _user(session, email: str, **changes: object) -> CurrentUser:  # type: ignore[no-untyped-def]
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    for key, value in changes.items():
        setattr(user, key, value)
    return to_current_user(user)


async def _programme(session) -> int:  # type: ignore[no-untyped-def]
    organiser = await _user(session, ORGANISER)
    programme = await create_programme(session, organiser, "Perspectief Delft", slug="perspectief")
    partner = await session.scalar(select(Organisation.id).where(Organisation.name == "Reclassering Haaglanden"))
    session.add(Partnership(organisation_id=partner, programme_id=programme.id, role=PartnerRole.REFERRER.value))
    await session.flush()
    return programme.id


def test_a_referral_goes_from_referrer_to_intake_and_the_referrer_sees_the_stage_only(
    demo: DemoResult, database: Settings
) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            programme_id = await _programme(session)
            referrer = await _user(session, REFERRER)
            coach = await _user(session, COACH)
            programme = await enrolments.get_programme(session, referrer, "perspectief")
            assert programme.id == programme_id

            with pytest.raises(DomainError) as no_consent:
                await enrolments.refer(
                    session, referrer, programme, enrolments.Referral("Sem", "de Wit", consent=False, phone="0612")
                )
            assert no_consent.value.field == "consent"
            with pytest.raises(DomainError) as no_contact:
                await enrolments.refer(session, referrer, programme, enrolments.Referral("Sem", "de Wit", consent=True))
            assert no_contact.value.field == "contact_through"

            enrolment = await enrolments.refer(
                session,
                referrer,
                programme,
                enrolments.Referral(
                    "Sem", "de Wit", consent=True, contact_through="via zijn zus", wishes="MARKERWISH buiten werken"
                ),
            )
            first = (await enrolments.stages(session, programme_id))[0]
            assert enrolment.stage_id == first.id
            assert enrolment.referred_by_id == referrer.id

            # The referrer is not the person's coach: the enrolment itself is out of reach, its stage is not.
            with pytest.raises(NotFoundError):
                await enrolments.get_enrolment(session, referrer, enrolment.id)
            assert [(r.name, r.stage) for r in await intake.my_referrals(session, referrer)] == [
                ("Sem de Wit", "aangemeld")
            ]

            waiting = await intake.to_pick_up(session, coach)
            assert [e.id for e, _, _ in waiting] == [enrolment.id]
            assert (await enrolments.get_enrolment(session, coach, enrolment.id)).wishes == "MARKERWISH buiten werken"
            await intake.pick_up(session, coach, enrolment)
            assert await intake.to_pick_up(session, coach) == []
            with pytest.raises(DomainError):
                await intake.pick_up(session, coach, enrolment)
            assert [r.stage for r in await intake.my_referrals(session, referrer)] == ["intake"]

            with pytest.raises(DomainError) as no_reason:
                await intake.decide(session, coach, enrolment, Decision.REFUSED)
            assert no_reason.value.field == "reason"
            await intake.decide(session, coach, enrolment, Decision.ACCEPTED, intake_on=dt.date(2026, 11, 2))
            assert enrolment.intake_on == dt.date(2026, 11, 2)

            stages = {s.name: s for s in await enrolments.stages(session, programme_id)}
            with pytest.raises(DomainError) as why:
                await intake.move(session, coach, enrolment, stages["uitgevallen"])
            assert why.value.field == "drop_reason"
            await intake.move(session, coach, enrolment, stages["uitgevallen"], drop_reason=DropReason.DETENTION)
            assert enrolment.ended_on is not None
            assert enrolment.drop_reason is DropReason.DETENTION
            await intake.move(session, coach, enrolment, stages["voorbereiding"])
            assert enrolment.ended_on is None
            assert stages["uitgevallen"].kind is StageKind.DROPPED
            history = await intake.stage_history(session, enrolment)
            assert [(h.from_stage, h.to_stage) for h in history] == [
                (None, "aangemeld"),
                ("aangemeld", "intake"),
                ("intake", "uitgevallen"),
                ("uitgevallen", "voorbereiding"),
            ]
            assert [r.stage for r in await intake.my_referrals(session, referrer)] == ["voorbereiding"]

            # Another organisation's organiser reaches neither the programme nor the enrolment.
            other = await _user(session, OTHER_ORGANISER)
            with pytest.raises(NotFoundError):
                await enrolments.get_programme(session, other, programme_id)
            with pytest.raises(NotFoundError):
                await enrolments.get_enrolment(session, other, enrolment.id)
            assert await intake.to_pick_up(session, other) == []

    run(scenario())


def test_criminal_justice_data_is_read_by_the_coaches_and_by_organisers_allowed_it_each_read_audited(
    demo: DemoResult, database: Settings
) -> None:
    async def scenario() -> None:
        async with open_session(database) as session:
            programme_id = await _programme(session)
            referrer = await _user(session, REFERRER)
            coach = await _user(session, COACH)
            programme = await enrolments.get_programme(session, referrer, programme_id)
            enrolment = await enrolments.refer(
                session, referrer, programme, enrolments.Referral("Iris", "Bos", consent=True, phone="0612345678")
            )
            await intake.pick_up(session, coach, enrolment)
            release = dt.date(2027, 2, 1)
            await plan.set_justice(session, coach, enrolment, detained=True, release_date=release, criminal_record=True)
            assert (await plan.justice(session, coach, enrolment))["release_date"] == "2027-02-01"

            organiser = await _user(session, ORGANISER)
            assert (await enrolments.get_enrolment(session, organiser, enrolment.id)).id == enrolment.id
            with pytest.raises(NotFoundError):
                await plan.justice(session, organiser, enrolment)
            allowed = await _user(session, ORGANISER, reads_justice=True)
            assert (await plan.justice(session, allowed, enrolment))["detained"] is True
            with pytest.raises(NotFoundError):
                await plan.justice(session, referrer, enrolment)

            reads = await session.scalars(
                select(AuditEntry.actor_id).where(
                    AuditEntry.action == "read_justice", AuditEntry.object_id == enrolment.id
                )
            )
            assert sorted(reads) == sorted([coach.id, allowed.id])

            with pytest.raises(DomainError) as barrier:
                await plan.update_plan(session, coach, enrolment, barriers=["criminal_record"])
            assert barrier.value.field == "barriers"
            await plan.update_plan(session, coach, enrolment, goals="Eigen zaak", barriers=["debts", "childcare"])
            assert enrolment.barriers == ["debts", "childcare"]

    run(scenario())


def test_a_referrer_typing_a_known_address_learns_nothing_of_the_person_it_belongs_to(
    demo: DemoResult, database: Settings
) -> None:
    from events.platform.models import Candidate

    async def scenario() -> None:
        async with open_session(database) as session:
            programme_id = await _programme(session)
            referrer = await _user(session, REFERRER)
            organiser = await _user(session, ORGANISER)
            programme = await enrolments.get_programme(session, referrer, programme_id)
            known = await session.scalar(
                select(Candidate)
                .where(Candidate.organisation_id == organiser.organisation_id, Candidate.email.is_not(None))
                .order_by(Candidate.id)
                .limit(1)
            )
            assert known is not None
            await enrolments.enrol(session, organiser, programme, known)
            typed = enrolments.Referral("Nobody", "Atall", consent=True, email=str(known.email))

            enrolment = await enrolments.refer(session, referrer, programme, typed)
            again = await enrolments.refer(session, referrer, programme, typed)

            assert enrolment.candidate_id != known.id
            assert again.candidate_id not in (known.id, enrolment.candidate_id)
            assert {r.name for r in await intake.my_referrals(session, referrer)} == {"Nobody Atall"}

    run(scenario())


def test_far_off_dates_are_refused_and_one_cannot_stop_retention(demo: DemoResult, database: Settings) -> None:
    from events.privacy.retention import erasure_date

    async def scenario() -> None:
        async with open_session(database) as session:
            programme_id = await _programme(session)
            coach = await _user(session, COACH)
            referrer = await _user(session, REFERRER)
            programme = await enrolments.get_programme(session, referrer, programme_id)
            enrolment = await enrolments.refer(
                session, referrer, programme, enrolments.Referral("Bo", "Vos", consent=True, phone="0612")
            )
            await intake.pick_up(session, coach, enrolment)
            with pytest.raises(DomainError) as far:
                await intake.decide(
                    session, coach, enrolment, Decision.REFUSED, reason="x", intake_on=dt.date(9999, 1, 1)
                )
            assert far.value.field == "intake_on"
            stages = {s.name: s for s in await enrolments.stages(session, programme_id)}
            with pytest.raises(DomainError) as ahead:
                await intake.move(session, coach, enrolment, stages["afgerond"], on=dt.date.today() + dt.timedelta(2))
            assert ahead.value.field == "on"
            # Refused, then taken in after all: the trajectory runs again.
            await intake.decide(session, coach, enrolment, Decision.REFUSED, reason="nog niet")
            assert enrolment.ended_on is not None
            await intake.decide(session, coach, enrolment, Decision.ACCEPTED)
            assert enrolment.ended_on is None

    run(scenario())
    registered = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert erasure_date(registered, [], [dt.date(9999, 12, 1)]) == dt.date.max
