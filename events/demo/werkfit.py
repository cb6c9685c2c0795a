"""The demo's third organising organisation: the municipality of Den Haag with its "Werkfit-traject" (slug
``werkfit``), a trajectory with eight months of history. Sixty people on benefits in two target groups (single
parents, higher-educated), referred by the municipality's client managers, coached by two of its coaches with a
consultancy invited as coaching partner and a training provider, spread over the stages: intakes, trainings
(done, stopped, running), introductions with employers (two of them social enterprises), jobs whose hours grow
(8, 16, then 27 a week), training starts and volunteering, benefits left, and some who dropped out.

Who is where and when comes from events.demo.werkfit_plan (pure, dated from ``today``, so the demo always looks
current); this module writes it as rows. The programme is made with the programmes' own service; the people's
way through it is written directly, in a handful of flushes, because it is history (the services date a move or
a referral today) and the demo is built for many tests.
"""

from __future__ import annotations

import datetime as dt

from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.demo.bakboord import Ensure, EnsureOrganisation
from events.demo.werkfit_plan import (
    CONSULTANCY,
    EMPLOYERS,
    GROUPS,
    HISTORY_DAYS,
    SEED,
    TRAINER,
    Participant,
    Result,
    participants,
)
from events.followup.models import FollowUpCheck, Outcome, OutcomeChange, OutcomeStatus, OutcomeTerm
from events.platform.db import utcnow
from events.platform.models import (
    BARRIERS,
    Activity,
    BenefitKind,
    BenefitPeriod,
    Candidate,
    CandidateCoach,
    CoachKind,
    Consent,
    ConsentMethod,
    Decision,
    Enrolment,
    OrganisationKind,
    PartnerRole,
    Partnership,
    PathwayKind,
    Programme,
    ProgrammeEmployer,
    Role,
    StageChange,
    TargetGroup,
    User,
)
from events.platform.services import to_current_user
from events.programmes.enrolments import stages
from events.programmes.services import create_programme

SLUG = "werkfit"
NAME = "Werkfit-traject"
ORGANISATION = "Gemeente Den Haag"
DESCRIPTION = (
    "Mensen met een bijstandsuitkering, alleenstaande ouders en hoogopgeleiden, klaarstomen voor werk in drie "
    "persoonlijke stappen: interesses en kwaliteiten, randvoorwaarden, positieve ervaringen. Met Adviesbureau B&A."
)
ORGANISER = ("organiser", "organisator.denhaag@demo.meetmatch.nl", "Marloes de Graaf", ORGANISATION)
COACHES = (
    ("coach", "coach.denhaag@demo.meetmatch.nl", "Laura van Dijk", ORGANISATION),
    ("coach", "consulent.denhaag@demo.meetmatch.nl", "Rachid Benali", ORGANISATION),
)
COACH_KINDS = (CoachKind.JOBCOACH, CoachKind.CONSULENT)
CONSENT = "Gegevens delen binnen het Werkfit-traject met de gemeente Den Haag, Adviesbureau B&A en werkgevers"
TARGETS = {"job_starts": 25, "training_starts": 8}
# The participants' days are 9:00 in the morning, UTC (never later than the moment the demo is built).
HOUR = dt.time(9, 0)


def accounts() -> list[tuple[str, str, str]]:
    """The municipality's accounts as (role, e-mail, name), as the demo prints them."""
    return [(role, email, name) for role, email, name, _org in (ORGANISER, *COACHES)]


async def build_werkfit(
    session: AsyncSession, today: dt.date, ensure_user: Ensure, ensure_organisation: EnsureOrganisation
) -> Programme:
    """The municipality, its accounts and Werkfit with its participants (made once; a later run keeps them)."""
    municipality = await ensure_organisation(session, ORGANISATION, OrganisationKind.ORGANISER)
    users = [
        await ensure_user(session, email, Role(role), name, org) for role, email, name, org in (ORGANISER, *COACHES)
    ]
    existing = await session.scalar(select(Programme).where(Programme.slug == SLUG))
    if existing is not None:
        return existing
    organiser, coaches = users[0], users[1:]
    organisations = {}
    for name, role in ((CONSULTANCY, PartnerRole.COACHING), (TRAINER, PartnerRole.TRAINING)):
        organisations[name] = (await ensure_organisation(session, name, OrganisationKind.PARTNER), role)
    employers = []
    for name, sector, social in EMPLOYERS:
        employer = await ensure_organisation(session, name, OrganisationKind.EMPLOYER)
        employer.sector, employer.city, employer.social_enterprise = sector, "Den Haag", social
        employers.append(employer)

    programme = await create_programme(session, to_current_user(organiser), NAME, DESCRIPTION, slug=SLUG)
    programme.starts_on = today - dt.timedelta(days=HISTORY_DAYS)
    programme.ends_on = programme.starts_on + dt.timedelta(days=365)
    programme.targets = dict(TARGETS)
    groups = [TargetGroup(programme_id=programme.id, name=name) for name in GROUPS]
    session.add_all(groups)
    session.add_all(
        Partnership(organisation_id=partner.id, programme_id=programme.id, invited_by_id=organiser.id, role=role)
        for partner, role in organisations.values()
    )
    session.add_all(ProgrammeEmployer(programme_id=programme.id, organisation_id=e.id) for e in employers)
    await session.flush()

    people = participants(today)
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)
    candidates = [_candidate(person, municipality.id, organiser, fake) for person in people]
    session.add_all(candidates)
    await session.flush()
    consents = []
    for person, candidate in zip(people, candidates, strict=True):
        coach = _coach_of(person, organiser, coaches)
        if person.coach is not None:
            session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach.id, kind=COACH_KINDS[person.coach]))
        consent = Consent(
            candidate_id=candidate.id,
            purpose=CONSENT,
            method=ConsentMethod.PAPER if person.number % 3 else ConsentMethod.VERBAL,
            given_at=_at(person.referred_on),
            recorded_by_id=organiser.id,
        )
        consents.append(consent)
    session.add_all(consents)
    await session.flush()

    by_stage = {stage.name: stage for stage in await stages(session, programme.id)}
    enrolments = [
        Enrolment(
            programme_id=programme.id,
            candidate_id=candidate.id,
            target_group_id=groups[person.group].id,
            stage_id=by_stage[person.stage].id,
            referred_by_organisation_id=municipality.id,
            referrer_name=f"{fake.name()}, klantmanager Werk en Inkomen",
            referred_on=person.referred_on,
            intake_on=person.intake_on,
            decision=Decision.ACCEPTED if person.intake_on else None,
            decision_reason="",
            contact_through="" if candidate.email or candidate.phone else "Via haar zus, ma-vr overdag",
            wishes=person.wishes,
            goals=person.goals,
            barriers=list(person.barriers),
            justice={},
            consent_id=consent.id,
            ended_on=person.ended_on,
            drop_reason=person.drop_reason,
            created_by_id=organiser.id,
        )
        for person, candidate, consent in zip(people, candidates, consents, strict=True)
    ]
    session.add_all(enrolments)
    await session.flush()

    named = {o.name: o.id for o in employers} | {o.name: o.id for o, _role in organisations.values()}
    outcomes: list[tuple[Outcome, Result, Participant, User]] = []
    for person, enrolment in zip(people, enrolments, strict=True):
        coach = _coach_of(person, organiser, coaches)
        _history(session, person, enrolment, {n: s.id for n, s in by_stage.items()}, organiser, coach)
        _timeline(session, person, enrolment, named, coach)
        for result in person.results:
            last = result.terms[-1] if result.terms else None
            outcome = Outcome(
                candidate_id=enrolment.candidate_id,
                enrolment_id=enrolment.id,
                organisation_id=named[result.organisation],
                kind=result.kind,
                status=OutcomeStatus.CONFIRMED,
                start_date=result.start,
                hours_per_week=last.hours if last else result.hours,
                contract_type=last.contract if last else None,
                contract_months=last.months if last else None,
                leaves_benefits=True if result.left_benefits_on else None,
                note=result.note,
                logged_by_id=coach.id,
                decided_by_id=coach.id,
                decided_at=_at(result.start),
            )
            session.add(outcome)
            outcomes.append((outcome, result, person, coach))
    await session.flush()

    for outcome, result, person, coach in outcomes:
        session.add(
            OutcomeChange(
                outcome_id=outcome.id,
                at=_at(result.start),
                by_user_id=coach.id,
                by_role="coach",
                action="created",
                changes={"kind": [None, outcome.kind.value]},
            )
        )
        before = None
        for term in result.terms:
            session.add(
                OutcomeTerm(
                    outcome_id=outcome.id,
                    effective_on=term.on,
                    hours_per_week=term.hours,
                    contract_type=term.contract,
                    contract_months=term.months,
                    recorded_at=_at(term.on),
                    recorded_by_id=coach.id,
                )
            )
            if before is not None:
                session.add(
                    OutcomeChange(
                        outcome_id=outcome.id,
                        at=_at(term.on),
                        by_user_id=coach.id,
                        by_role="coach",
                        action="updated",
                        changes={"hours_per_week": [before, term.hours]},
                    )
                )
            before = term.hours
        if outcome.kind is PathwayKind.PAID_JOB:
            _checks(session, outcome, person, coach, today)
    await session.flush()
    return programme


def _coach_of(person: Participant, organiser: User, coaches: list[User]) -> User:
    """The person's coach; a referral nobody has picked up yet is the organiser's, who registered it."""
    return organiser if person.coach is None else coaches[person.coach]


def _at(day: dt.date) -> dt.datetime:
    return min(dt.datetime.combine(day, HOUR, tzinfo=dt.UTC), utcnow())


def _candidate(person: Participant, organisation_id: int, organiser: User, fake: Faker) -> Candidate:
    mother = person.group == 0 and person.number % 6 != 0
    first = fake.first_name_female() if mother else fake.first_name()
    last = fake.last_name()
    has_email = person.number % 5 != 3
    sectors = [EMPLOYERS[i][1] for i in ((0, 1, 2), (3, 4, 2))[person.group][: 1 + person.number % 3]]
    return Candidate(
        organisation_id=organisation_id,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}".lower().replace(" ", "") + f".wf{person.number}@example.org" if has_email else None,
        phone=fake.phone_number() if person.number % 10 != 7 else None,
        date_of_birth=fake.date_of_birth(minimum_age=23 if person.group == 0 else 27, maximum_age=58),
        city="Den Haag",
        sectors=sectors,
        hours_per_week=person.hours_wanted,
        own_words=person.goals,
        target_group=GROUPS[person.group],
        barriers=[b for b in person.barriers if b in BARRIERS],
        coach_note="",
        created_by_id=organiser.id,
    )


def _history(
    session: AsyncSession,
    person: Participant,
    enrolment: Enrolment,
    stage_ids: dict[str, int],
    organiser: User,
    coach: User,
) -> None:
    """The moves from stage to stage (the referral registered by the organiser, every later move by the coach)
    and the benefit the person had since before the referral, with the day they left it."""
    before = None
    for number, (stage, day) in enumerate(person.moves):
        session.add(
            StageChange(
                enrolment_id=enrolment.id,
                from_stage_id=before,
                to_stage_id=stage_ids[stage],
                at=_at(day) + dt.timedelta(minutes=number),
                by_user_id=organiser.id if number == 0 else coach.id,
                drop_reason=person.drop_reason if stage == "uitgevallen" else None,
            )
        )
        before = stage_ids[stage]
    session.add(
        BenefitPeriod(
            enrolment_id=enrolment.id,
            benefit=BenefitKind.PARTICIPATIEWET,
            since=person.benefit_since,
            left_on=person.benefit_left_on,
            recorded_by_id=coach.id,
        )
    )


def _timeline(
    session: AsyncSession,
    person: Participant,
    enrolment: Enrolment,
    named: dict[str, int],
    coach: User,
) -> None:
    """The activities: coaching talks, trainings and workshops, introductions, work experience."""
    for step in person.steps:
        employer = EMPLOYERS[step.employer][0] if step.employer is not None else None
        session.add(
            Activity(
                enrolment_id=enrolment.id,
                kind=step.kind,
                title=step.title,
                organisation_id=named[employer or step.provider] if (employer or step.provider) else None,
                provider=step.provider or employer or "",
                starts_on=step.on,
                planned_end=step.planned_end,
                ended_on=step.ended_on,
                completed=step.completed,
                introduction_status=step.introduction,
                match=step.match,
                employer_answer=step.answer,
                note=step.note,
                created_by_id=coach.id,
            )
        )


def _checks(session: AsyncSession, outcome: Outcome, person: Participant, coach: User, today: dt.date) -> None:
    """The coach checked that the job lasts at one and three months after its start; every fourth person's
    check is still due."""
    if outcome.start_date is None or person.number % 4 == 0:
        return
    for months in (1, 3):
        done = outcome.start_date + dt.timedelta(days=30 * months + 3)
        if done < today:
            session.add(FollowUpCheck(outcome_id=outcome.id, months=months, done_at=_at(done), done_by_id=coach.id))
