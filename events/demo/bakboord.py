"""The demo's second organising organisation: BAKboord Den Haag with a "Meet & Match" afternoon of its own, five
employers and twenty candidates (other people than Samen Werkt!'s), coached by the officers of a reclassering
office BAKboord invited into the event.

It shows what an installation shared by several organisations looks like: BAKboord's organiser sees BAKboord's
event and people and nothing of Werkse!'s, and the other way round.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable

from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
    Consent,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    Event,
    EventStatus,
    Opening,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    Partnership,
    PathwayKind,
    Preference,
    PreferenceSide,
    Role,
    User,
)

SLUG = "bakboord-meet-match"
ORGANISATION = "BAKboord Den Haag"
PARTNER = "Reclassering Den Haag"
SEED = 2512
CANDIDATES = 20
DAYS_AHEAD = 21

ORGANISER = ("organiser", "organisator.bakboord@demo.meetmatch.nl", "Samira Bouali", ORGANISATION)
OFFICERS = (
    ("coach", "reclassering.denhaag@demo.meetmatch.nl", "Dennis Verhoef", PARTNER),
    ("coach", "reclassering2.denhaag@demo.meetmatch.nl", "Ilse Brouwer", PARTNER),
)
DOOR = ("door", "ingang.bakboord@demo.meetmatch.nl", "Ruud Smit", ORGANISATION)
# The installation's administrator: organisations and counts, no person's data.
ADMIN = ("admin", "beheer@demo.meetmatch.nl", "Bram Beheer", None)
# (name, sector, contact, e-mail, opening, kind, hours)
EMPLOYERS = (
    ("Haagse Bouwcombinatie", "bouw", "Kevin Dekker", "bouw.bakboord@demo.meetmatch.nl", "Grondwerker", 36),
    ("Scheveningse Visafslag", "logistiek", "Marja Mulder", "visafslag@demo.meetmatch.nl", "Magazijnmedewerker", 32),
    ("Hotel Zeezicht", "horeca", "Omar Haddad", "hotel@demo.meetmatch.nl", "Medewerker huishouding", 24),
    ("Groenbedrijf Laak", "groen", "Wendy Pauw", "groen.laak@demo.meetmatch.nl", "Hovenier in opleiding", 32),
    ("Fietsfabriek Zuidwest", "productie", "Jeroen Vos", "fietsen@demo.meetmatch.nl", "Assemblagemedewerker", 38),
)
CONSENT = "Gegevens delen met de werkgevers van de Meet & Match van BAKboord en opvolging door de reclassering"
NOTES = (
    "Net vrij na 14 maanden; meldplicht bij de reclassering elke week.",
    "Werkstraf afgerond. Wil graag buiten werken.",
    "Enkelband tot volgende maand; werktijden overdag.",
    "Schulden in kaart gebracht; bewindvoering loopt.",
)

Ensure = Callable[[AsyncSession, str, Role, str, str | None], Awaitable[User]]
EnsureOrganisation = Callable[[AsyncSession, str, OrganisationKind], Awaitable[Organisation]]


def accounts() -> list[tuple[str, str, str]]:
    """Every BAKboord account as (role, e-mail, name), as the demo prints them."""
    return [(role, email, name) for role, email, name, _org in _people()]


async def build_bakboord(
    session: AsyncSession, today: dt.date, ensure_user: Ensure, ensure_organisation: EnsureOrganisation
) -> Event:
    """BAKboord's organisation, accounts and afternoon (made once; a later run keeps them)."""
    bakboord = await ensure_organisation(session, ORGANISATION, OrganisationKind.ORGANISER)
    partner = await ensure_organisation(session, PARTNER, OrganisationKind.PARTNER)
    for name, *_rest in EMPLOYERS:
        await ensure_organisation(session, name, OrganisationKind.EMPLOYER)
    users = {email: await ensure_user(session, email, Role(role), name, org) for role, email, name, org in _people()}
    existing = await session.scalar(select(Event).where(Event.slug == SLUG))
    if existing is not None:
        return existing
    rng = random.Random(SEED)
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)
    event = Event(
        organisation_id=bakboord.id,
        slug=SLUG,
        name="Meet & Match BAKboord",
        description="Werkgevers uit Den Haag ontmoeten mensen die een nieuwe start maken, met hun reclasseringswerker.",
        date=today + dt.timedelta(days=DAYS_AHEAD),
        venue="BAKboord",
        address="Calandplein 6, Den Haag",
        first_round_start=dt.time(13, 30),
        round_minutes=12,
        changeover_minutes=3,
        rounds=5,
        default_min_meetings=2,
        default_max_meetings=3,
        status=EventStatus.PUBLISHED,
    )
    session.add(event)
    await session.flush()
    session.add(Partnership(organisation_id=partner.id, event_id=event.id, invited_by_id=users[ORGANISER[1]].id))
    employers = []
    for name, sector, contact, email, opening, hours in EMPLOYERS:
        organisation = await ensure_organisation(session, name, OrganisationKind.EMPLOYER)
        organisation.sector = sector
        organisation.city = "Den Haag"
        employer = EmployerParticipation(event_id=event.id, organisation_id=organisation.id, tables=1, seats=1)
        session.add(employer)
        await session.flush()
        session.add(
            EmployerContact(employer_participation_id=employer.id, user_id=users[email].id, name=contact, email=email)
        )
        session.add(
            Opening(
                employer_participation_id=employer.id,
                title=opening,
                kind=PathwayKind.PAID_JOB,
                hours_per_week=hours,
                sector=sector,
                description="",
            )
        )
        employers.append((employer, sector))
    officers = [users[email] for _role, email, _name, _org in OFFICERS]
    # Written in three flushes (people; their coaches, consents and sign-ups; their wishes): the demo is built
    # for many tests.
    people: list[tuple[Candidate, list[str], User]] = []
    for index in range(CANDIDATES):
        first, last = fake.first_name(), fake.last_name()
        wanted = sorted({employers[index % len(employers)][1], rng.choice(employers)[1]})
        officer = officers[index % 2]
        candidate = Candidate(
            organisation_id=bakboord.id,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}".lower().replace(" ", "") + f".bb{index}@example.org" if index % 4 else None,
            phone=fake.phone_number(),
            city="Den Haag",
            sectors=wanted,
            hours_per_week=rng.choice((24, 32, 36)),
            own_words="Ik wil laten zien dat ik het waard ben.",
            target_group="ex-gedetineerde",
            barriers=sorted({"criminal_record", rng.choice(("debts", "health", "addiction", "no_work_experience"))}),
            coach_note=rng.choice(NOTES),
            created_by_id=officer.id,
        )
        people.append((candidate, wanted, officer))
    session.add_all([candidate for candidate, _wanted, _officer in people])
    await session.flush()
    signed_up = []
    for candidate, wanted, officer in people:
        session.add(CandidateCoach(candidate_id=candidate.id, coach_id=officer.id, kind=CoachKind.PROBATION))
        session.add(
            Consent(candidate_id=candidate.id, purpose=CONSENT, method=ConsentMethod.PAPER, recorded_by_id=officer.id)
        )
        participation = CandidateParticipation(
            event_id=event.id,
            candidate_id=candidate.id,
            status=ParticipationStatus.CONFIRMED,
            registered_by_id=officer.id,
        )
        session.add(participation)
        signed_up.append((participation, wanted, officer))
    await session.flush()
    for participation, wanted, officer in signed_up:
        for employer, sector in employers:
            if sector in wanted:
                session.add(
                    Preference(
                        candidate_participation_id=participation.id,
                        employer_participation_id=employer.id,
                        side=PreferenceSide.CANDIDATE,
                        level=3,
                        entered_by_id=officer.id,
                    )
                )
    await session.flush()
    return event


def _people() -> list[tuple[str, str, str, str | None]]:
    people: list[tuple[str, str, str, str | None]] = [ORGANISER, *OFFICERS, DOOR]
    people += [("employer", email, contact, name) for name, _s, contact, email, _o, _h in EMPLOYERS]
    return [*people, ADMIN]
