"""The demo's trajectory (issue 20): the municipality of Den Haag's "Werkfit-traject" (slug werkfit) with eight
months of history: sixty participants, each in one of two target groups, spread over the stages (some ended),
with trainings done and running, introductions, outcomes outside any event (a job growing from 8 to 27 hours,
training starts, volunteering), benefits left; reached by the municipality's accounts and no other organisation's."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.demo import bakboord, werkfit
from events.demo.seed import DemoResult, print_logins
from events.demo.werkfit_plan import HISTORY_DAYS, participants
from events.followup.models import Outcome, OutcomeStatus, OutcomeTerm
from events.platform import dates
from events.platform.db import open_session
from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import (
    Activity,
    ActivityKind,
    BenefitPeriod,
    Candidate,
    Consent,
    Enrolment,
    IntroductionStatus,
    Organisation,
    OrganisationKind,
    PartnerRole,
    Partnership,
    PathwayKind,
    Programme,
    ProgrammeEmployer,
    ProgrammeStage,
    StageChange,
    StageKind,
    TargetGroup,
    User,
)
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.programmes import enrolments
from tests.conftest import ORGANISER, login, run

# The demo with its history, built per test: the full run's, not the fast layer's.
pytestmark = pytest.mark.slow

DAY = dt.date(2026, 12, 7)


async def _user(session: AsyncSession, email: str) -> CurrentUser:
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    return to_current_user(user)


async def _werkfit(session: AsyncSession) -> Programme:
    programme = await session.scalar(select(Programme).where(Programme.slug == werkfit.SLUG))
    assert programme is not None
    return programme


def test_werkfit_belongs_to_the_municipality_with_two_target_groups_partners_and_employers(
    demo_history: DemoResult, database: Settings
) -> None:
    async def read() -> tuple[object, ...]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            owner = await session.get(Organisation, programme.organisation_id)
            assert owner is not None
            groups = await session.scalars(select(TargetGroup.name).where(TargetGroup.programme_id == programme.id))
            partners = await session.execute(
                select(Organisation.name, Partnership.role)
                .join(Partnership, Partnership.organisation_id == Organisation.id)
                .where(Partnership.programme_id == programme.id)
            )
            employers = await session.execute(
                select(Organisation.name, Organisation.social_enterprise)
                .join(ProgrammeEmployer, ProgrammeEmployer.organisation_id == Organisation.id)
                .where(ProgrammeEmployer.programme_id == programme.id)
            )
            return (
                programme.name,
                (owner.name, owner.kind),
                sorted(groups),
                {r for _n, r in partners.tuples()},
                Counter(social for _n, social in employers.tuples()),
            )

    name, owner, groups, partner_roles, social = run(read())
    assert name == "Werkfit-traject"
    assert owner == ("Gemeente Den Haag", OrganisationKind.ORGANISER)
    assert groups == ["Alleenstaande ouders", "Hoogopgeleiden"]
    assert partner_roles == {PartnerRole.COACHING.value, PartnerRole.TRAINING.value}
    assert social[True] >= 1
    assert social[False] >= 1


def test_every_werkfit_participant_is_the_municipality_s_with_a_group_a_consent_and_a_history(
    demo_history: DemoResult, database: Settings
) -> None:
    async def read() -> tuple[object, ...]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            rows = (
                await session.execute(
                    select(Enrolment, Candidate.organisation_id)
                    .join(Candidate, Candidate.id == Enrolment.candidate_id)
                    .where(Enrolment.programme_id == programme.id)
                )
            ).tuples()
            found = list(rows)
            groups = set(await session.scalars(select(TargetGroup.id).where(TargetGroup.programme_id == programme.id)))
            people = [e.candidate_id for e, _org in found]
            consented = set(await session.scalars(select(Consent.candidate_id).where(Consent.candidate_id.in_(people))))
            moves = Counter(
                await session.scalars(
                    select(StageChange.enrolment_id).where(StageChange.enrolment_id.in_([e.id for e, _o in found]))
                )
            )
            return (
                len(found),
                {e.target_group_id in groups for e, _o in found},
                {org for _e, org in found} == {programme.organisation_id},
                consented == set(people),
                all(moves[e.id] >= 1 for e, _o in found),
            )

    count, in_a_group, owned, consented, with_history = run(read())
    assert 50 <= count <= 70
    assert in_a_group == {True}
    assert owned is True
    assert consented is True
    assert with_history is True


def test_werkfit_participants_are_spread_over_the_stages_some_ended_with_a_reason(
    demo_history: DemoResult, database: Settings
) -> None:
    async def read() -> tuple[Counter[str], list[tuple[object, ...]], dt.date]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            rows = await session.execute(
                select(ProgrammeStage.name, ProgrammeStage.kind, Enrolment.ended_on, Enrolment.drop_reason)
                .join(ProgrammeStage, ProgrammeStage.id == Enrolment.stage_id)
                .where(Enrolment.programme_id == programme.id)
            )
            found = list(rows.tuples())
            first = await session.scalar(
                select(func.min(StageChange.at))
                .join(Enrolment, Enrolment.id == StageChange.enrolment_id)
                .where(Enrolment.programme_id == programme.id)
            )
            assert first is not None
            return (
                Counter(name for name, *_rest in found),
                [r for r in found if r[1] is not StageKind.ACTIVE],
                first.date(),
            )

    per_stage, ended, first_move = run(read())
    assert len(per_stage) >= 6
    assert per_stage["afgerond"] >= 1
    assert per_stage["uitgevallen"] >= 1
    assert all(ended_on is not None for _n, _k, ended_on, _r in ended)
    assert all((reason is not None) == (kind is StageKind.DROPPED) for _n, kind, _e, reason in ended)
    # The history goes back about eight months from today.
    assert dates.today() - dt.timedelta(days=HISTORY_DAYS + 10) <= first_move <= dates.today() - dt.timedelta(days=150)


def test_werkfit_outcomes_belong_to_enrolments_outside_any_event_and_a_job_grows_to_27_hours(
    demo_history: DemoResult, database: Settings
) -> None:
    async def read() -> tuple[object, ...]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            mine = select(Enrolment.id).where(Enrolment.programme_id == programme.id)
            outcomes = list(await session.scalars(select(Outcome).where(Outcome.enrolment_id.in_(mine))))
            terms: dict[int, list[int | None]] = {}
            for term in await session.scalars(
                select(OutcomeTerm)
                .where(OutcomeTerm.outcome_id.in_([o.id for o in outcomes]))
                .order_by(OutcomeTerm.effective_on)
            ):
                terms.setdefault(term.outcome_id, []).append(term.hours_per_week)
            left = await session.scalar(
                select(func.count())
                .select_from(BenefitPeriod)
                .where(BenefitPeriod.enrolment_id.in_(mine), BenefitPeriod.left_on.is_not(None))
            )
            return outcomes, terms, int(left or 0)

    outcomes, terms, left = run(read())
    assert len(outcomes) >= 10
    assert {(o.event_id, o.held_talk_id, o.status) for o in outcomes} == {(None, None, OutcomeStatus.CONFIRMED)}
    assert {PathwayKind.PAID_JOB, PathwayKind.TRAINING, PathwayKind.VOLUNTEERING} <= {o.kind for o in outcomes}
    assert [8, 16, 27] in terms.values()
    grown = next(o for o in outcomes if terms.get(o.id) == [8, 16, 27])
    assert grown.hours_per_week == 27
    assert grown.leaves_benefits is True
    assert left >= 1


def test_werkfit_has_trainings_done_stopped_and_running_and_introductions_held_and_proposed(
    demo_history: DemoResult, database: Settings
) -> None:
    async def read() -> list[Activity]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            mine = select(Enrolment.id).where(Enrolment.programme_id == programme.id)
            return list(await session.scalars(select(Activity).where(Activity.enrolment_id.in_(mine))))

    activities = run(read())
    today = dates.today()
    trainings = [a for a in activities if a.kind is ActivityKind.TRAINING]
    running = [a for a in trainings if a.ended_on is None]
    assert running
    # A training whose planned end lies ahead runs ("loopt"): not completed, not stopped.
    assert all(a.planned_end and a.planned_end > today and a.completed is None for a in running)
    assert all(a.starts_on and a.starts_on <= today for a in running)
    ended = [a for a in trainings if a.ended_on is not None]
    assert {a.completed for a in ended} == {True, False}
    assert all(a.ended_on and a.ended_on <= today for a in ended)
    introductions = [a for a in activities if a.kind is ActivityKind.INTRODUCTION]
    assert {
        (IntroductionStatus.HELD, True),
        (IntroductionStatus.HELD, False),
        (IntroductionStatus.PROPOSED, None),
    } <= {(a.introduction_status, a.match) for a in introductions}
    assert all(a.organisation_id is not None for a in introductions)


def test_werkfit_is_reached_by_the_municipality_and_by_no_other_organisation(
    demo_history: DemoResult, database: Settings
) -> None:
    async def reach() -> tuple[int, int, int]:
        async with open_session(database) as session:
            own = await _user(session, werkfit.ORGANISER[1])
            programme = await enrolments.get_programme(session, own, werkfit.SLUG)
            everyone = len(await enrolments.programme_enrolments(session, own, programme))
            coach = await _user(session, werkfit.COACHES[0][1])
            caseload = len(await enrolments.programme_enrolments(session, coach, programme))
            for other in (ORGANISER, bakboord.ORGANISER[1]):
                with pytest.raises(NotFoundError):
                    await enrolments.get_programme(session, await _user(session, other), werkfit.SLUG)
            return programme.id, everyone, caseload

    _programme, everyone, caseload = run(reach())
    assert 50 <= everyone <= 70
    # The coach's desk has a caseload: the people they coach (and the referrals waiting to be picked up).
    assert 10 <= caseload < everyone


def test_werkfit_s_page_opens_for_the_municipality_s_organiser_and_is_missing_for_werkse_s(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    async def programme_id() -> int:
        async with open_session(database) as session:
            return (await _werkfit(session)).id

    werkfit_id = run(programme_id())
    login(client, werkfit.ORGANISER[1])
    own = client.get(f"/programmes/{werkfit_id}")
    listed = client.get("/programmes")
    login(client, ORGANISER)
    other = client.get(f"/programmes/{werkfit_id}")
    missing = client.get("/programmes/987654")

    assert own.status_code == 200
    assert "Werkfit-traject" in own.text
    assert "Werkfit-traject" in listed.text
    assert other.status_code == 404
    # The same page as for a programme that does not exist (but for its own path, in the language switch).
    assert other.text.replace(f"/programmes/{werkfit_id}", "P") == missing.text.replace("/programmes/987654", "P")
    # The municipality's coaches log in with their second factor, as every coach does, and find their caseload.
    me = login(client, werkfit.COACHES[0][1])
    caseload = client.get("/api/candidates").json()
    assert (me["email"], me["role"]) == (werkfit.COACHES[0][1], "coach")
    assert caseload["total"] >= 10
    assert client.get("/candidates").status_code == 200


def test_the_municipality_and_the_other_organisations_see_none_of_each_other_s_people(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    async def one_each() -> tuple[int, int, int]:
        async with open_session(database) as session:
            programme = await _werkfit(session)
            owned = await session.scalar(
                select(func.count())
                .select_from(Candidate)
                .where(Candidate.organisation_id == programme.organisation_id)
            )
            ours = await session.scalar(
                select(Enrolment.candidate_id).where(Enrolment.programme_id == programme.id).limit(1)
            )
            theirs = await session.scalar(
                select(Candidate.id).where(Candidate.organisation_id != programme.organisation_id).limit(1)
            )
            assert ours is not None
            assert theirs is not None
            return int(owned or 0), ours, theirs

    owned, ours, theirs = run(one_each())
    login(client, werkfit.ORGANISER[1])
    listed = client.get("/api/candidates").json()
    events = client.get("/api/events").json()
    foreign = client.get(f"/api/candidates/{theirs}")
    own = client.get(f"/api/candidates/{ours}")
    refused = {}
    for email in (ORGANISER, "coach@demo.meetmatch.nl", bakboord.ORGANISER[1], bakboord.OFFICERS[0][1]):
        login(client, email)
        refused[email] = client.get(f"/api/candidates/{ours}").status_code

    assert listed["total"] == owned
    assert events == []
    assert (own.status_code, foreign.status_code) == (200, 404)
    assert set(refused.values()) == {404}


def test_the_demo_prints_the_municipality_s_accounts_after_the_others_with_their_second_factor(
    demo_history: DemoResult, database: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    print_logins(demo_history, database)
    out = capsys.readouterr().out

    accounts = [parts[1] for line in out.splitlines() if len(parts := line.split()) >= 3 and "@" in parts[1]]
    listed = accounts[: accounts.index("beheer@demo.meetmatch.nl") + 1]
    assert listed[-4:] == [
        werkfit.ORGANISER[1],
        werkfit.COACHES[0][1],
        werkfit.COACHES[1][1],
        "beheer@demo.meetmatch.nl",
    ]
    assert listed.index(bakboord.ORGANISER[1]) < listed.index(werkfit.ORGANISER[1])
    assert f"slug {werkfit.SLUG}" in out
    for _role, email, _name, _org in (werkfit.ORGANISER, *werkfit.COACHES):
        assert f"otpauth://totp/meetmatch:{email}?secret=" in out


def test_werkfit_s_history_is_dated_from_the_day_the_demo_is_built() -> None:
    people = participants(DAY)

    assert participants(DAY) == people
    assert len(people) == 60
    earliest = DAY - dt.timedelta(days=HISTORY_DAYS + 5)
    assert all(earliest <= day < DAY for p in people for _stage, day in p.moves)
    planned = [s for p in people for s in p.steps if s.on > DAY]
    assert {s.introduction for s in planned} == {IntroductionStatus.PROPOSED}
    assert all(r.start <= DAY and all(t.on <= DAY for t in r.terms) for p in people for r in p.results)
    later = participants(DAY + dt.timedelta(days=30))
    assert [p.moves[0][1] for p in later] == [p.moves[0][1] + dt.timedelta(days=30) for p in people]


def test_the_municipality_s_coach_finds_the_checks_due_after_a_placement_on_the_desk(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    login(client, werkfit.COACHES[0][1])
    desk = client.get("/desk")

    assert desk.status_code == 200
    checks = desk.text.split('id="checks"', 1)[1].split("</ul>", 1)[0]
    assert "/checks/placements/" in checks
    assert "maanden na de start" in checks
