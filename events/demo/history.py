"""The demo's history: the spring edition of "Samen Werkt!", held about three months ago, with who came, the
talks held, the employers' answers and what came of them (3 paid jobs and 2 training starts, as in the story
the product grew from), a proposal waiting for a coach, and a programme that holds both editions.

Built after the upcoming demo event, from its own seed, so the upcoming event stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from badges.models import CheckIn, CheckInMethod, FollowUp, HeldTalk, HolderKind
from events.demo.people import COACHES, add_candidate
from events.followup.models import (
    ContractType,
    FollowUpCheck,
    Outcome,
    OutcomeChange,
    OutcomeStatus,
    StopReason,
)
from events.platform.db import utcnow
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    Event,
    EventStatus,
    Opening,
    ParticipationStatus,
    PathwayKind,
    Programme,
    User,
)
from events.platform.services import system_user
from events.programmes.services import add_default_stages
from events.registration.services import copy_event

PAST_SLUG = "samen-werkt-voorjaar"
PROGRAMME = "Delft aan het werk 2026"
SEED = 2021
DAYS_AGO = 100
PEOPLE = 24

EMPLOYER_NOTES = (
    "Sterke motivatie, past goed in het team.",
    "Rustig gesprek, wil graag een proefdag.",
    "Nog wat onzeker, maar leergierig.",
    "Heeft ervaring met heftrucks: interessant.",
    "",
    "",
)


async def build_history(session: AsyncSession, *, event: Event, coaches: list[User], today: dt.date) -> Event | None:
    """Add the spring edition beside the upcoming demo ``event`` (once); None when it exists already."""
    if await session.scalar(select(Event.id).where(Event.slug == PAST_SLUG)) is not None:
        return None
    rng = random.Random(SEED)
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)
    programme = Programme(
        organisation_id=event.organisation_id,
        slug="delft-aan-het-werk",
        name=PROGRAMME,
        description="Meet & match-bijeenkomsten van Werkse! en de gemeente Delft in 2026.",
        targets={"job_starts": 8, "training_starts": 4, "present": 60},
    )
    session.add(programme)
    await session.flush()
    await add_default_stages(session, programme)
    event.programme_id = programme.id
    # The same employers took part, copied with their openings and contacts as an organiser copies an event;
    # the spring edition was smaller: five rounds, one table each.
    past = await copy_event(
        session, await system_user(session), event, today - dt.timedelta(days=DAYS_AGO), "Samen Werkt! voorjaar"
    )
    past.slug = PAST_SLUG
    past.description = "De voorjaarseditie van Samen Werkt! in Delft."
    past.rounds, past.breaks, past.default_max_meetings, past.max_seats = 5, [], 3, 1
    past.status = EventStatus.CLOSED
    past.targets = {"job_starts": 3, "training_starts": 2, "present": 20}
    twins = (
        await session.scalars(
            select(EmployerParticipation)
            .where(EmployerParticipation.event_id == past.id)
            .order_by(EmployerParticipation.organisation_id)
            .options(selectinload(EmployerParticipation.openings))
        )
    ).all()
    for twin in twins:
        twin.tables, twin.seats, twin.rounds = 1, 1, None
    past_employers = [(twin, list(twin.openings)) for twin in twins]
    await session.flush()

    start = dt.datetime.combine(past.date, past.first_round_start, tzinfo=dt.UTC)
    people: list[tuple[Candidate, CandidateParticipation, bool, list[tuple[int, EmployerParticipation, str]]]] = []
    for index in range(PEOPLE):
        first, last = fake.first_name(), fake.last_name()
        primary = coaches[index % 2]
        candidate = Candidate(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}".lower().replace(" ", "") + f".vj{index}@example.org" if index % 3 else None,
            phone=fake.phone_number(),
            city="Delft",
            sectors=[],
            hours_per_week=rng.choice((20, 24, 32)),
            own_words="",
            target_group=rng.choice(("bijstand", "bijstand (langer dan 5 jaar)", "statushouder")),
            barriers=sorted(rng.sample(["long_term_benefits", "debts", "language", "single_parent"], 2)),
            coach_note="",
            organisation_id=event.organisation_id,
            created_by_id=primary.id,
        )
        await add_candidate(session, candidate, primary, COACHES[index % 2][3], ConsentMethod.PAPER)
        came = index % 8 != 7  # three did not come
        participation = CandidateParticipation(
            event_id=past.id,
            candidate_id=candidate.id,
            status=ParticipationStatus.CHECKED_IN if came else ParticipationStatus.NO_SHOW,
            registered_by_id=primary.id,
        )
        session.add(participation)
        await session.flush()
        talks: list[tuple[int, EmployerParticipation, str]] = []
        if came:
            session.add(
                CheckIn(
                    event_id=past.id,
                    holder=f"candidate:{participation.id}",
                    holder_kind=HolderKind.CANDIDATE,
                    candidate_participation_id=participation.id,
                    at=start - dt.timedelta(minutes=rng.randint(2, 25)),
                    device="demo",
                    method=CheckInMethod.SCAN,
                )
            )
            chosen = rng.sample(range(len(past_employers)), 3 if index % 3 else 2)
            for number, slot in enumerate(chosen, start=1):
                employer = past_employers[slot][0]
                answer = rng.choice((FollowUp.YES, FollowUp.YES, FollowUp.MAYBE, FollowUp.NO, FollowUp.NO))
                talk = HeldTalk(
                    event_id=past.id,
                    candidate_participation_id=participation.id,
                    employer_participation_id=employer.id,
                    round=number,
                    planned=True,
                    at=start + dt.timedelta(minutes=15 * (number - 1)),
                    source="scan",
                    follow_up=answer,
                    note=rng.choice(EMPLOYER_NOTES),
                )
                session.add(talk)
                await session.flush()
                talks.append((talk.id, employer, answer))
        people.append((candidate, participation, came, talks))

    await _outcomes(session, past, people, past_employers, coaches, rng)
    await session.flush()
    return past


async def _outcomes(
    session: AsyncSession,
    past: Event,
    people: list[tuple[Candidate, CandidateParticipation, bool, list[tuple[int, EmployerParticipation, str]]]],
    employers: list[tuple[EmployerParticipation, list[Opening]]],
    coaches: list[User],
    rng: random.Random,
) -> None:
    """What came of it: second interviews after most "yes" answers, then 3 job starts, 2 training starts, a
    trial placement, a stop, and one employer's report still waiting for the coach."""
    openings = {p.id: o for p, o in employers}

    def coach_of(participation: CandidateParticipation) -> User:
        """The coach who registered the candidate (one of the first two) follows them up."""
        return coaches[0] if participation.registered_by_id == coaches[0].id else coaches[1]

    with_yes = [(c, p, t) for c, p, came, talks in people if came for t in talks if t[2] == "yes"]
    plan = [
        (PathwayKind.PAID_JOB, 3),
        (PathwayKind.TRAINING, 2),
        (PathwayKind.TRIAL_PLACEMENT, 1),
    ]
    steps: list[tuple[Candidate, CandidateParticipation, tuple[int, EmployerParticipation, str], PathwayKind]] = []
    used: set[int] = set()
    queue = list(with_yes)
    for kind, count in plan:
        for _ in range(count):
            while queue and queue[0][0].id in used:
                queue.pop(0)
            if not queue:
                break
            candidate, participation, talk = queue.pop(0)
            used.add(candidate.id)
            steps.append((candidate, participation, talk, kind))
    second_only = [(c, p, t) for c, p, t in with_yes if c.id not in used][:4]
    week = dt.timedelta(days=7)

    async def second_interview(
        candidate: Candidate,
        participation: CandidateParticipation,
        talk: tuple[int, EmployerParticipation, str],
        weeks: int,
    ) -> None:
        talk_id, employer, _answer = talk
        await _log(
            session,
            candidate,
            past,
            talk_id,
            employer,
            None,
            PathwayKind.SECOND_INTERVIEW,
            coach_of(participation),
            start=past.date + weeks * week,
        )

    for candidate, participation, talk, kind in steps:
        await second_interview(candidate, participation, talk, 2)
        coach = coach_of(participation)
        talk_id, employer, _answer = talk
        opening = next((o for o in openings[employer.id] if o.kind == kind), None)
        extra: dict[str, Any] = {"start_date": past.date + 5 * week, "leaves_benefits": kind is PathwayKind.PAID_JOB}
        if kind is PathwayKind.PAID_JOB:
            extra.update(
                contract_type=rng.choice((ContractType.FIXED_TERM, ContractType.PERMANENT)),
                contract_months=rng.choice((6, 12, None)),
                hours_per_week=rng.choice((24, 32)),
            )
        await _log(session, candidate, past, talk_id, employer, opening, kind, coach, **extra)
    for candidate, participation, talk in second_only:
        await second_interview(candidate, participation, talk, 3)
    if second_only:
        # One ended: the placement did not work out.
        candidate, participation, talk = second_only[0]
        coach = coach_of(participation)
        await _log(
            session,
            candidate,
            past,
            None,
            None,
            None,
            PathwayKind.STOPPED,
            coach,
            start=past.date + 8 * week,
            stop_reason=StopReason.HEALTH,
        )
    if len(second_only) > 1:
        # An employer reported a trial placement the coach has not confirmed yet.
        candidate, participation, talk = second_only[1]
        talk_id, employer, _answer = talk
        contact = await session.scalar(
            select(EmployerContact.user_id).where(EmployerContact.employer_participation_id == employer.id).limit(1)
        )
        outcome = Outcome(
            candidate_id=candidate.id,
            event_id=past.id,
            held_talk_id=talk_id,
            organisation_id=employer.organisation_id,
            kind=PathwayKind.TRIAL_PLACEMENT,
            status=OutcomeStatus.PROPOSED,
            start_date=past.date + 13 * week,
            note="Wij bieden een proefplaatsing van vier weken aan.",
            proposed_by_id=contact,
            logged_by_id=contact,
        )
        session.add(outcome)
        await session.flush()
        session.add(
            OutcomeChange(
                outcome_id=outcome.id,
                by_user_id=contact,
                by_role="employer",
                action="proposed",
                changes={"kind": [None, "trial_placement"]},
            )
        )
    # The coaches did the one-month check for the first half of the people who came.
    for _candidate, participation, came, _talks in people[: PEOPLE // 2]:
        if came:
            session.add(
                FollowUpCheck(
                    candidate_participation_id=participation.id, months=1, done_by_id=participation.registered_by_id
                )
            )


async def _log(
    session: AsyncSession,
    candidate: Candidate,
    past: Event,
    talk_id: int | None,
    employer: EmployerParticipation | None,
    opening: Opening | None,
    kind: PathwayKind,
    coach: User,
    *,
    start: dt.date | None = None,
    start_date: dt.date | None = None,
    **extra: Any,
) -> None:
    outcome = Outcome(
        candidate_id=candidate.id,
        event_id=past.id,
        held_talk_id=talk_id,
        organisation_id=employer.organisation_id if employer else None,
        opening_id=opening.id if opening else None,
        kind=kind,
        status=OutcomeStatus.CONFIRMED,
        start_date=start_date or start,
        logged_by_id=coach.id,
        decided_by_id=coach.id,
        decided_at=utcnow(),
        **extra,
    )
    session.add(outcome)
    await session.flush()
    session.add(
        OutcomeChange(
            outcome_id=outcome.id,
            by_user_id=coach.id,
            by_role="coach",
            action="created",
            changes={"kind": [None, kind.value]},
        )
    )
