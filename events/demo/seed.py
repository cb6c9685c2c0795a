"""The demo event "Samen Werkt!": 8 employers, 50 candidates with coaches, both sides' preferences.

Seeded, so every run builds the same people; idempotent, so a second run keeps the first demo.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field

import click
from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.demo import bakboord, werkfit
from events.demo.bakboord import build_bakboord
from events.demo.history import build_history
from events.demo.people import COACHES, add_candidate
from events.demo.werkfit import build_werkfit
from events.platform import dates, twofactor
from events.platform.db import open_session
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
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
from events.platform.organisations import create_user, get_or_create_organisation
from events.platform.security import hash_password
from events.platform.services import system_user
from events.platform.settings import Settings

DEMO_SLUG = "samen-werkt"
ORGANISATION = "Werkse!"
DEMO_PASSWORD = "samenwerkt"  # noqa: S105 - printed to the person running the demo; demo data only
SEED = 2020


@dataclass
class DemoResult:
    event_id: int
    created: bool
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, e-mail, name)


@dataclass(frozen=True)
class DemoEmployer:
    name: str
    sector: str
    tables: int
    seats: int
    contact: str
    email: str
    openings: tuple[tuple[str, PathwayKind, int | None, str], ...]
    rounds: tuple[int, ...] | None = None


EMPLOYERS = (
    DemoEmployer(
        "Werkse! Groen",
        "groen",
        3,
        2,
        "Ronald Verbeek",
        "groen@demo.meetmatch.nl",
        (
            ("Medewerker groenvoorziening", PathwayKind.PAID_JOB, 32, "Buiten werken in parken en tuinen in Delft."),
            (
                "Leerwerkplek hovenier",
                PathwayKind.WORK_EXPERIENCE,
                24,
                "Leren snoeien, maaien en planten, met begeleiding.",
            ),
        ),
    ),
    DemoEmployer(
        "Schoonmaakbedrijf Delfts Blauw",
        "schoonmaak",
        2,
        2,
        "Sandra Koster",
        "schoonmaak@demo.meetmatch.nl",
        (("Schoonmaker kantoren (avond)", PathwayKind.PAID_JOB, 20, "Kantoren schoonmaken, 's avonds, vast team."),),
    ),
    DemoEmployer(
        "Logistiek Centrum Haaglanden",
        "logistiek",
        2,
        2,
        "Erik de Boer",
        "logistiek@demo.meetmatch.nl",
        (
            ("Orderpicker", PathwayKind.PAID_JOB, 36, "Bestellingen verzamelen in het magazijn."),
            ("Opleiding heftruckchauffeur", PathwayKind.TRAINING, None, "Heftruckcertificaat halen, daarna werk."),
        ),
    ),
    DemoEmployer(
        "Zorggroep Reinier",
        "zorg",
        2,
        1,
        "Fatima Bouzid",
        "zorg@demo.meetmatch.nl",
        (
            ("Helpende zorg en welzijn (BBL)", PathwayKind.TRAINING, 28, "Leren en werken in de ouderenzorg."),
            ("Gastvrouw/gastheer restaurant", PathwayKind.VOLUNTEERING, 8, "Bewoners helpen bij de maaltijd."),
        ),
    ),
    DemoEmployer(
        "Brasserie De Waag",
        "horeca",
        1,
        1,
        "Tom Hendriks",
        "horeca@demo.meetmatch.nl",
        (("Afwasser / hulpkok", PathwayKind.PAID_JOB, 24, "Meewerken in de keuken van een drukke brasserie."),),
        (1, 2, 3, 4),
    ),
    DemoEmployer(
        "Bouwbedrijf Van der Linden",
        "bouw",
        2,
        1,
        "Henk van der Linden",
        "bouw@demo.meetmatch.nl",
        (
            (
                "Bouwplaatsmedewerker",
                PathwayKind.PAID_JOB,
                38,
                "Helpen op de bouwplaats: sjouwen, opruimen, meebouwen.",
            ),
            (
                "Proefplaatsing timmerman",
                PathwayKind.TRIAL_PLACEMENT,
                32,
                "Twee maanden meedraaien met een timmerploeg.",
            ),
        ),
    ),
    DemoEmployer(
        "Installatiebedrijf Hofstad Techniek",
        "techniek",
        1,
        1,
        "Yusuf Demir",
        "techniek@demo.meetmatch.nl",
        (("Leerling monteur", PathwayKind.INTERNSHIP, 32, "Stage bij een monteur, met kans op een opleiding."),),
    ),
    DemoEmployer(
        "Buurtsuper Tanthof",
        "detailhandel",
        1,
        1,
        "Linda Smit",
        "winkel@demo.meetmatch.nl",
        (("Vakkenvuller", PathwayKind.PAID_JOB, 16, "Vakken vullen en klanten helpen, ook op zaterdag."),),
        (2, 3, 4, 5, 6),
    ),
)

OWN_WORDS = (
    "Ik werk graag met mijn handen en ben altijd op tijd.",
    "Ik wil weer meedoen en iets leren. Buiten werken vind ik fijn.",
    "Ik heb jaren in een magazijn gewerkt en wil dat graag weer doen.",
    "Ik ben een alleenstaande moeder en kan werken als de kinderen op school zijn.",
    "Ik zorg graag voor anderen. Ik spreek Nederlands, Arabisch en Engels.",
    "Ik wil een nieuwe start maken en laten zien wat ik kan.",
    "Koken is mijn passie. Ik wil graag in een keuken werken.",
    "Ik ben rustig, precies en werk graag in een vast team.",
)
TARGET_GROUPS = ("bijstand", "bijstand (langer dan 5 jaar)", "ex-gedetineerde", "statushouder", "Wajong")
NOTES = (
    "Wil graag werken, maar heeft moeite met sollicitatiegesprekken. Oefenen helpt.",
    "Schuldhulp loopt via Delft Support. Afspraken worden goed nagekomen.",
    "Kinderopvang geregeld tot 15:00 uur.",
    "Taalniveau A2, volgt taalles op dinsdag.",
    "Eerder werkervaring in de bouw; rug moet ontzien worden.",
    "Komt uit detentie; reclassering heeft contact 1x per 2 weken.",
)


def _event_date(today: dt.date) -> dt.date:
    # Today, so that whoever tries the demo can scan badges, run the clock and watch the dashboard at once.
    return today


@functools.cache
def _demo_password_hash() -> str:
    # One argon2 hash shared by every demo account: hashing is deliberately slow.
    return hash_password(DEMO_PASSWORD)


async def ensure_organisation(session: AsyncSession, name: str, kind: OrganisationKind) -> Organisation:
    """The demo's organisation of this name, made (of ``kind``) the first time."""
    return await get_or_create_organisation(session, name, kind)


async def ensure_user(session: AsyncSession, email: str, role: Role, name: str, organisation: str | None) -> User:
    """A demo account (made once, in an organisation that exists), with the demo's second factor where needed."""
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = await create_user(
            session,
            email=email,
            role=role.value,
            name=name,
            password_hash=_demo_password_hash(),
            organisation=organisation,
        )
    if twofactor.required_for(user.role):
        # Organisers and coaches log in with a second factor: the demo's fixed one, printed with the logins.
        await twofactor.enrol_demo_account(session, user)
    return user


async def build_demo_in(session: AsyncSession, *, today: dt.date | None = None, history: bool = True) -> DemoResult:
    """Create the demo in ``session`` (the caller commits); keep an existing one, only moving the upcoming event
    to ``today`` (Amsterdam's date unless given). With ``history``, the spring edition held three months ago
    comes with it, with its talks and what came of them, and the municipality's Werkfit trajectory with eight
    months of its participants' history."""
    today = today or dates.today()
    rng = random.Random(SEED)
    fake = Faker("nl_NL")
    fake.seed_instance(SEED)

    werkse = await ensure_organisation(session, ORGANISATION, OrganisationKind.ORGANISER)
    for _name, _email, coach_organisation, _kind in COACHES:
        await ensure_organisation(session, coach_organisation, OrganisationKind.PARTNER)
    for employer in EMPLOYERS:
        await ensure_organisation(session, employer.name, OrganisationKind.EMPLOYER)
    organiser = await ensure_user(
        session, "organisator@demo.meetmatch.nl", Role.ORGANISER, "Jiske de Vries", ORGANISATION
    )
    coaches = [await ensure_user(session, e, Role.COACH, n, o) for n, e, o, _ in COACHES]
    door = await ensure_user(session, "ingang@demo.meetmatch.nl", Role.DOOR, "Kees Bakker", ORGANISATION)
    logins = [("organiser", organiser.email, organiser.name)]
    logins += [("coach", c.email, c.name) for c in coaches]
    logins.append(("door", door.email, door.name))
    logins += [("employer", e.email, e.contact) for e in EMPLOYERS]
    # Samen Werkt!'s accounts first, then the other organisations', the installation's administrator last.
    elsewhere = bakboord.accounts()
    logins += [a for a in elsewhere if a[0] != Role.ADMIN.value]
    if history:
        logins += werkfit.accounts()
    logins += [a for a in elsewhere if a[0] == Role.ADMIN.value]

    existing = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        # Built on an earlier day: the upcoming event moves to today, and nothing else changes.
        existing.date = _event_date(today)
        for employer in EMPLOYERS:
            await ensure_user(session, employer.email, Role.EMPLOYER, employer.contact, employer.name)
        await _ensure_programme(session, existing)
        if history:
            await build_history(session, event=existing, coaches=coaches, today=today)
        await build_bakboord(session, today, ensure_user, ensure_organisation)
        if history:
            await build_werkfit(session, today, ensure_user, ensure_organisation)
        return DemoResult(event_id=existing.id, created=False, logins=logins)

    event = Event(
        organisation_id=werkse.id,
        slug=DEMO_SLUG,
        name="Samen Werkt!",
        description="Werkgevers en werkzoekenden uit Delft ontmoeten elkaar in korte gesprekken.",
        date=_event_date(today),
        venue="Werkse! Delft",
        address="Van Miereveltlaan 9, Delft",
        first_round_start=dt.time(14, 0),
        round_minutes=10,
        changeover_minutes=5,
        rounds=6,
        breaks=[{"after_round": 3, "minutes": 15}],
        default_min_meetings=2,
        default_max_meetings=4,
        max_seats=2,
        status=EventStatus.PUBLISHED,
    )
    session.add(event)
    await session.flush()
    # The reclassering office whose officer coaches some of the candidates is invited into the event.
    reclassering = await ensure_organisation(session, COACHES[2][2], OrganisationKind.PARTNER)
    session.add(Partnership(organisation_id=reclassering.id, event_id=event.id, invited_by_id=organiser.id))

    participations: list[EmployerParticipation] = []
    for employer in EMPLOYERS:
        organisation = await get_or_create_organisation(session, employer.name, OrganisationKind.EMPLOYER)
        organisation.sector = employer.sector
        organisation.city = "Delft"
        user = await ensure_user(session, employer.email, Role.EMPLOYER, employer.contact, employer.name)
        participation = EmployerParticipation(
            event_id=event.id,
            organisation_id=organisation.id,
            tables=employer.tables,
            seats=employer.seats,
            rounds=list(employer.rounds) if employer.rounds else None,
        )
        session.add(participation)
        await session.flush()
        session.add(
            EmployerContact(
                employer_participation_id=participation.id,
                user_id=user.id,
                name=employer.contact,
                email=employer.email,
                phone=fake.phone_number(),
            )
        )
        for title, kind, hours, description in employer.openings:
            session.add(
                Opening(
                    employer_participation_id=participation.id,
                    title=title,
                    kind=kind,
                    hours_per_week=hours,
                    sector=employer.sector,
                    description=description,
                )
            )
        participations.append(participation)
    await session.flush()

    sectors = [e.sector for e in EMPLOYERS]
    candidate_parts: list[tuple[CandidateParticipation, Candidate]] = []
    for index in range(50):
        first, last = fake.first_name(), fake.last_name()
        has_email = rng.random() < 0.75
        wanted = rng.sample(sectors, rng.choice((1, 2, 2, 3)))
        candidate = Candidate(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}".lower().replace(" ", "") + f"{index}@example.org" if has_email else None,
            phone=fake.phone_number(),
            date_of_birth=fake.date_of_birth(minimum_age=19, maximum_age=62),
            city="Delft",
            sectors=wanted,
            hours_per_week=rng.choice((16, 20, 24, 24, 32, 36)),
            own_words=rng.choice(OWN_WORDS),
            target_group=rng.choice(TARGET_GROUPS),
            barriers=sorted(rng.sample(["long_term_benefits", "debts", "language", "single_parent", "health"], 2)),
            coach_note=rng.choice(NOTES),
            organisation_id=werkse.id,
            created_by_id=coaches[index % 2].id,
        )
        primary = coaches[index % 2]
        method = rng.choice((ConsentMethod.VERBAL, ConsentMethod.PAPER))
        await add_candidate(session, candidate, primary, COACHES[index % 2][3], method)
        if index % 8 == 5:
            candidate.target_group = "ex-gedetineerde"
            candidate.barriers = sorted({*candidate.barriers, "criminal_record"})
            session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coaches[2].id, kind=CoachKind.PROBATION))
        window = rng.random()
        rounds = [1, 2, 3] if window < 0.1 else [3, 4, 5, 6] if window < 0.2 else None
        candidate_participation = CandidateParticipation(
            event_id=event.id,
            candidate_id=candidate.id,
            status=ParticipationStatus.CONFIRMED if index < 45 else ParticipationStatus.REGISTERED,
            rounds=rounds,
            needs_interpreter=index % 17 == 3,
            interpreter_language="Arabisch" if index % 17 == 3 else None,
            registered_by_id=primary.id,
        )
        session.add(candidate_participation)
        candidate_parts.append((candidate_participation, candidate))
    await session.flush()

    by_sector = {p.id: e.sector for p, e in zip(participations, EMPLOYERS, strict=True)}
    for candidate_participation, candidate in candidate_parts:
        liked = [p for p in participations if by_sector[p.id] in candidate.sectors]
        others = [p for p in participations if p not in liked]
        rated = liked + rng.sample(others, rng.randint(1, 3))
        for employer_participation in rated:
            level = rng.choice((2, 3, 3)) if employer_participation in liked else rng.choice((0, 1, 1, 2))
            session.add(
                Preference(
                    candidate_participation_id=candidate_participation.id,
                    employer_participation_id=employer_participation.id,
                    side=PreferenceSide.CANDIDATE,
                    level=level,
                    entered_by_id=coaches[0].id,
                )
            )
    for employer_participation in participations:
        pool = [p for p, c in candidate_parts if by_sector[employer_participation.id] in c.sectors]
        extra = rng.sample([p for p, _ in candidate_parts if p not in pool], 4)
        for candidate_participation in pool + extra:
            session.add(
                Preference(
                    candidate_participation_id=candidate_participation.id,
                    employer_participation_id=employer_participation.id,
                    side=PreferenceSide.EMPLOYER,
                    level=rng.choice((1, 2, 2, 3)) if candidate_participation in pool else rng.choice((0, 1)),
                )
            )
    await session.flush()
    await _ensure_programme(session, event)
    if history:
        await build_history(session, event=event, coaches=coaches, today=today)
    await build_bakboord(session, today, ensure_user, ensure_organisation)
    if history:
        await build_werkfit(session, today, ensure_user, ensure_organisation)
    return DemoResult(event_id=event.id, created=True, logins=logins)


async def _ensure_programme(session: AsyncSession, event: Event) -> None:
    """The demo ends with its programme built and published (once)."""
    from schedule import services as programme

    if await programme.latest(session, event, published=True) is None:
        organiser = await system_user(session)
        version = await programme.build_version(session, organiser, event, seed=SEED)
        await programme.publish(session, organiser, event, version.number)


async def build_demo(settings: Settings) -> DemoResult:
    """Build the demo in its own transaction."""
    async with open_session(settings) as session:
        result = await build_demo_in(session)
        await session.commit()
        return result


def print_logins(result: DemoResult, settings: Settings) -> None:
    state = "created" if result.created else "already present, kept as it is"
    click.echo(f'Demo event "Samen Werkt!" (slug {DEMO_SLUG}): {state}.')
    click.echo(
        f"A second organisation, {bakboord.ORGANISATION}, has an afternoon of its own (slug {bakboord.SLUG}); "
        "each organisation sees only its own events and people."
    )
    if any(email == werkfit.ORGANISER[1] for _role, email, _name in result.logins):
        click.echo(
            f"A third, {werkfit.ORGANISATION}, runs a trajectory with eight months of history, the {werkfit.NAME} "
            f"(slug {werkfit.SLUG}): sixty participants in two target groups, with their coaches."
        )
    click.echo(f"Open {settings.base_url}/ and log in with one of these (password for all: {DEMO_PASSWORD}):")
    width = max(len(email) for _, email, _ in result.logins)
    for role, email, name in result.logins:
        click.echo(f"  {role:<10} {email:<{width}}  {name}")
    click.echo(
        "Administrators, organisers and coaches also give a code (two-factor login). Add the key to an"
        " authenticator app (time-based, 6 digits), or type one of the recovery codes (each works once):"
    )
    for role, email, _name in result.logins:
        if twofactor.required_for(Role(role)):
            click.echo(f"  {email}")
            click.echo(f"    key:            {twofactor.grouped(twofactor.demo_secret(email))}")
            click.echo(f"    app link:       {twofactor.otpauth_uri(twofactor.demo_secret(email), email)}")
            click.echo(f"    recovery codes: {' '.join(twofactor.demo_recovery_codes(email))}")
