"""Rows for the results tests, written straight into the tables (no services): an event with a known funnel.

The scenario (event on 15 January 2026) and what it must give is spelled out in SCENARIO_FIGURES, so each
test can compare whole results with ``==``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import CheckIn, HeldTalk, HolderKind
from events.followup.models import ContractType, Evaluation, Outcome, OutcomeStatus, Respondent
from events.platform.db import open_session
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Event,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    Role,
    User,
)
from events.platform.settings import Settings
from tests.helpers import check_in, organising_id

EVENT_DATE = dt.date(2026, 1, 15)
AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
MARKER_NAME = "Zyxwie"  # every seeded candidate's last name starts with it: no report may show it


@dataclass
class Seeded:
    event_id: int
    slug: str
    other_event_id: int
    employers: dict[str, int] = field(default_factory=dict)  # name -> organisation id
    coach_orgs: dict[str, int] = field(default_factory=dict)
    candidates: dict[int, int] = field(default_factory=dict)  # number (1..14) -> candidate id
    participations: dict[int, int] = field(default_factory=dict)  # number -> participation id


async def _event(
    session: AsyncSession, organisation_id: int, slug: str, name: str, date: dt.date, **extra: Any
) -> Event:
    event = Event(
        slug=slug,
        organisation_id=organisation_id,
        name=name,
        date=date,
        first_round_start=dt.time(10, 0),
        venue="Stadhuis",
        **extra,
    )
    session.add(event)
    await session.flush()
    return event


async def seed_scenario(
    session: AsyncSession, *, slug: str = "resultaten", date: dt.date = EVENT_DATE, prefix: str = ""
) -> Seeded:
    """The scenario below, in the caller's transaction, owned by the demo's organising organisation (whose
    organiser the tests log in as). ``prefix`` keeps names unique when seeded twice."""
    owner = await organising_id(session)
    event = await _event(
        session, owner, slug, f"Resultaten {slug}", date, targets={"present": 8, "job_starts": 3, "x": 5}
    )
    other = await _event(session, owner, f"{slug}-ander", "Ander", date + dt.timedelta(days=30))
    seeded = Seeded(event_id=event.id, slug=slug, other_event_id=other.id)

    employer_participations = {}
    for name in ("Alfa Bouw", "Bravo Zorg", "Charlie Groen"):
        org = Organisation(name=prefix + name, kind=OrganisationKind.EMPLOYER)
        session.add(org)
        await session.flush()
        seeded.employers[name] = org.id
        participation = EmployerParticipation(event_id=event.id, organisation_id=org.id)
        session.add(participation)
        await session.flush()
        employer_participations[name] = participation.id
    coaches = {}
    for key, org_name in (("w", "Werkplein"), ("r", "Reclassering"), ("n", None)):
        org_id = None
        if org_name:
            org = Organisation(name=prefix + org_name, kind=OrganisationKind.PARTNER)
            session.add(org)
            await session.flush()
            seeded.coach_orgs[org_name] = org_id = org.id
        coach = User(email=f"{prefix}coach-{key}-{slug}@example.org", name=f"Coach {key}", role=Role.COACH)
        coach.organisation_id = org_id
        session.add(coach)
        await session.flush()
        coaches[key] = coach.id

    # Candidates 1-12 take part; 13 and 14 cancelled. Coaches: Werkplein 1-6 (and 13, 14), Reclassering 5-10,
    # the coach without an organisation 11; 12 has no coach.
    for number in range(1, 15):
        candidate = Candidate(
            first_name=f"Kandidaat{number}", last_name=f"{MARKER_NAME}{number}", email=None, organisation_id=owner
        )
        session.add(candidate)
        await session.flush()
        seeded.candidates[number] = candidate.id
        status = ParticipationStatus.CANCELLED if number > 12 else ParticipationStatus.REGISTERED
        participation = CandidateParticipation(event_id=event.id, candidate_id=candidate.id, status=status)
        session.add(participation)
        await session.flush()
        seeded.participations[number] = participation.id
        links = []
        if number <= 6 or number > 12:
            links.append(coaches["w"])
        if 5 <= number <= 10:
            links.append(coaches["r"])
        if number == 11:
            links.append(coaches["n"])
        for coach_id in links:
            session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach_id))
    await session.flush()

    # Present: 1-10 (13 checked in although cancelled: not counted), and an employer contact (not a candidate).
    for number in [*range(1, 11), 13]:
        session.add(check_in(event.id, HolderKind.CANDIDATE, seeded.participations[number], AT))
    contact = EmployerContact(employer_participation_id=employer_participations["Alfa Bouw"], name="Anna")
    session.add(contact)
    await session.flush()
    session.add(check_in(event.id, HolderKind.EMPLOYER, contact.id, AT))

    talks = [
        (1, "Alfa Bouw", "yes"),
        (1, "Bravo Zorg", "no"),
        (2, "Alfa Bouw", "maybe"),
        (3, "Bravo Zorg", "yes"),
        (4, "Charlie Groen", "no"),
        (5, "Charlie Groen", None),
        (6, "Charlie Groen", None),
        (7, "Charlie Groen", None),
        (8, "Charlie Groen", None),
    ]
    for number, employer, follow_up in talks:
        session.add(
            HeldTalk(
                event_id=event.id,
                candidate_participation_id=seeded.participations[number],
                employer_participation_id=employer_participations[employer],
                at=AT,
                follow_up=follow_up,
            )
        )

    def outcome(number: int, kind: PathwayKind, employer: str | None, **values: Any) -> None:
        values.setdefault("status", OutcomeStatus.CONFIRMED)
        values.setdefault("event_id", event.id)
        session.add(
            Outcome(
                candidate_id=seeded.candidates[number],
                kind=kind,
                organisation_id=seeded.employers[employer] if employer else None,
                **values,
            )
        )

    outcome(1, PathwayKind.SECOND_INTERVIEW, "Alfa Bouw", start_date=dt.date(2026, 1, 22))
    outcome(1, PathwayKind.SECOND_INTERVIEW, "Bravo Zorg", start_date=dt.date(2026, 1, 23))
    outcome(
        1,
        PathwayKind.PAID_JOB,
        "Alfa Bouw",
        start_date=dt.date(2026, 2, 1),
        contract_type=ContractType.PERMANENT,
        hours_per_week=32,
        leaves_benefits=True,
    )
    outcome(2, PathwayKind.SECOND_INTERVIEW, "Alfa Bouw")
    outcome(2, PathwayKind.TRIAL_PLACEMENT, "Alfa Bouw", start_date=dt.date(2026, 1, 20), end_date=dt.date(2026, 2, 10))
    outcome(3, PathwayKind.TRAINING, "Bravo Zorg", start_date=dt.date(2026, 3, 1), leaves_benefits=False)
    outcome(
        4,
        PathwayKind.PAID_JOB,
        "Charlie Groen",
        start_date=dt.date(2026, 1, 20),
        end_date=dt.date(2026, 4, 20),
        contract_type=ContractType.FIXED_TERM,
        contract_months=3,
        hours_per_week=20,
    )
    outcome(5, PathwayKind.INTERNSHIP, "Charlie Groen", start_date=dt.date(2026, 1, 25))
    outcome(6, PathwayKind.STOPPED, None)
    outcome(7, PathwayKind.PAID_JOB, "Alfa Bouw", status=OutcomeStatus.PROPOSED)
    outcome(8, PathwayKind.PAID_JOB, "Alfa Bouw", status=OutcomeStatus.WITHDRAWN)
    outcome(8, PathwayKind.TRAINING, "Alfa Bouw", status=OutcomeStatus.DECLINED)
    outcome(9, PathwayKind.PAID_JOB, "Alfa Bouw", event_id=other.id)

    answers: list[tuple[dict[str, Any], str] | None] = [
        ({"overall": 4, "talks": 4, "again": "yes"}, "Heel fijn, dank!"),
        ({"overall": 5, "talks": 4, "again": "yes"}, ""),
        ({"overall": 3, "talks": 5, "again": "maybe", "x": 1}, "Te druk"),
        ({"overall": 9, "again": "perhaps"}, ""),  # out of range: counted as answered, not in the means
        None,  # invited, not answered
        None,
    ]
    for index, answer in enumerate(answers, start=1):
        answered = (
            {"answered_at": AT + dt.timedelta(days=2), "answers": answer[0], "comment": answer[1]} if answer else {}
        )
        session.add(
            Evaluation(
                event_id=event.id,
                respondent=Respondent.CANDIDATE,
                candidate_participation_id=seeded.participations[index],
                token_hash=f"{prefix}{slug}-c{index}".ljust(64, "0"),
                **answered,
            )
        )
    session.add(
        Evaluation(
            event_id=event.id,
            respondent=Respondent.EMPLOYER,
            employer_contact_id=contact.id,
            token_hash=f"{prefix}{slug}-e1".ljust(64, "0"),
            answered_at=AT + dt.timedelta(days=1),
            answers={"overall": 5, "talks": 3, "again": "yes"},
            comment="Goede kandidaten",
        )
    )
    await session.flush()
    return seeded


async def seed(settings: Settings, **kwargs: Any) -> Seeded:
    async with open_session(settings) as session:
        seeded = await seed_scenario(session, **kwargs)
        await session.commit()
        return seeded


async def seed_large(settings: Settings, candidates: int) -> int:
    """A fair of ``candidates`` people with 40 employers, three talks each, outcomes for one in four: bulk
    inserts, so that seeding a 3,000-candidate fair takes seconds. Returns the event id."""
    async with open_session(settings) as session:
        owner = await organising_id(session)
        event = await _event(session, owner, "grote-beurs", "Grote beurs", EVENT_DATE)
        org_ids = []
        for number in range(40):
            org = Organisation(name=f"Werkgever {number:02d}", kind=OrganisationKind.EMPLOYER)
            session.add(org)
            org_ids.append(org)
        partner = Organisation(name="Partner", kind=OrganisationKind.PARTNER)
        session.add(partner)
        await session.flush()
        coach = User(email="coach-groot@example.org", name="Coach", role=Role.COACH, organisation_id=partner.id)
        session.add(coach)
        await session.flush()
        await session.execute(
            insert(EmployerParticipation), [{"event_id": event.id, "organisation_id": o.id} for o in org_ids]
        )
        employer_ids = list(
            await session.scalars(
                select(EmployerParticipation.id)
                .where(EmployerParticipation.event_id == event.id)
                .order_by(EmployerParticipation.id)
            )
        )
        await session.execute(
            insert(Candidate),
            [
                {"first_name": "K", "last_name": f"{n}", "email": None, "organisation_id": owner}
                for n in range(candidates)
            ],
        )
        candidate_ids = list(await session.scalars(select(Candidate.id).order_by(Candidate.id)))
        await session.execute(
            insert(CandidateCoach), [{"candidate_id": c, "coach_id": coach.id} for c in candidate_ids]
        )
        await session.execute(
            insert(CandidateParticipation), [{"event_id": event.id, "candidate_id": c} for c in candidate_ids]
        )
        participations = list(
            (
                await session.execute(
                    select(CandidateParticipation.id, CandidateParticipation.candidate_id).order_by(
                        CandidateParticipation.id
                    )
                )
            ).tuples()
        )
        await session.execute(
            insert(CheckIn),
            [
                {
                    "event_id": event.id,
                    "holder": f"candidate:{p}",
                    "holder_kind": HolderKind.CANDIDATE,
                    "candidate_participation_id": p,
                    "at": AT,
                }
                for p, _ in participations[: candidates * 9 // 10]
            ],
        )
        await session.execute(
            insert(HeldTalk),
            [
                {
                    "event_id": event.id,
                    "candidate_participation_id": p,
                    "employer_participation_id": employer_ids[(i + k * 7) % len(employer_ids)],
                    "at": AT,
                    "follow_up": "yes" if (i + k) % 5 == 0 else "no",
                }
                for i, (p, _) in enumerate(participations[: candidates * 9 // 10])
                for k in range(3)
            ],
        )
        kinds = [PathwayKind.PAID_JOB, PathwayKind.TRAINING, PathwayKind.INTERNSHIP, PathwayKind.SECOND_INTERVIEW]
        await session.execute(
            insert(Outcome),
            [
                {
                    "candidate_id": c,
                    "event_id": event.id,
                    "organisation_id": org_ids[i % len(org_ids)].id,
                    "kind": kinds[i % len(kinds)],
                    "status": OutcomeStatus.CONFIRMED,
                    "start_date": EVENT_DATE + dt.timedelta(days=10),
                    "hours_per_week": 24,
                    "contract_months": 12,
                    "leaves_benefits": i % 2 == 0,
                }
                for i, (_, c) in enumerate(participations[::4])
            ],
        )
        await session.commit()
        return event.id
