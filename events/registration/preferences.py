"""Wishes on both sides, the organiser's overview, employers' anonymised cards, and the capacity check.

A coach enters their candidate's wishes (side "candidate"), an employer contact its interest (side
"employer"), an organiser either. The weights shown are those the scheduler will use
(``schedule.weights.pair_weight``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Consent,
    EmployerParticipation,
    Event,
    ParticipationStatus,
    Preference,
    PreferenceSide,
    Role,
)
from events.platform.services import EventService, audit, candidate_short_names
from events.registration.candidates import sign_up_of
from events.registration.services import confirmed_employers
from schedule.weights import pair_weight

ACTIVE = (ParticipationStatus.REGISTERED, ParticipationStatus.CONFIRMED, ParticipationStatus.CHECKED_IN)


def employer_sectors(employer: EmployerParticipation) -> set[str]:
    """The sectors an employer offers work in: its openings' and its organisation's."""
    sectors = {o.sector for o in employer.openings if o.sector}
    if employer.organisation.sector:
        sectors.add(employer.organisation.sector)
    return sectors


def rounds_present(rounds: list[int] | None, event: Event) -> list[int]:
    return list(rounds) if rounds else list(range(1, event.rounds + 1))


async def _candidate_participation(
    session: AsyncSession, user: CurrentUser, event: Event, participation_id: int
) -> CandidateParticipation:
    participation = await sign_up_of(session, event, participation_id)
    if user.role is Role.COACH:
        mine = await session.get(CandidateCoach, (participation.candidate_id, user.id))
        if mine is None:
            raise NotFoundError("participation")
    elif user.role is Role.EMPLOYER and participation.id not in {
        p.id for p in await load_participations(session, event)
    }:
        raise NotFoundError("participation")
    return participation


async def set_preference(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    participation_id: int,
    employer_id: int,
    level: int | None,
    side: PreferenceSide | None = None,
) -> Preference | None:
    """Record one side's level (0-3) for a candidate-employer pair; None clears it. A plenary gathering asks none."""
    if event.plenary:
        raise DomainError(
            "plenary_no_wishes", _t("A plenary gathering asks no wishes: there are no talks to plan."), "level"
        )
    if level is not None and level not in (0, 1, 2, 3):
        raise DomainError("invalid_level", _t("choose no (0), maybe (1), yes (2) or very much (3)"), "level")
    if user.role is Role.COACH:
        side = PreferenceSide.CANDIDATE
    elif user.role is Role.EMPLOYER:
        side = PreferenceSide.EMPLOYER
    elif user.role is Role.ORGANISER:
        if side is None:
            raise DomainError("required", _t("say whose wish this is (candidate or employer)"), "side")
    else:
        raise NotFoundError("preference")
    participation = await _candidate_participation(session, user, event, participation_id)
    employer = await session.scalar(
        select(EmployerParticipation).where(
            EmployerParticipation.id == employer_id, EmployerParticipation.event_id == event.id
        )
    )
    if employer is None or (user.role is Role.EMPLOYER and employer.organisation_id != user.organisation_id):
        raise NotFoundError("employer")
    existing = await session.scalar(
        select(Preference).where(
            Preference.candidate_participation_id == participation.id,
            Preference.employer_participation_id == employer.id,
            Preference.side == side,
        )
    )
    if level is None:
        if existing is not None:
            await session.delete(existing)
    elif existing is None:
        existing = Preference(
            candidate_participation_id=participation.id,
            employer_participation_id=employer.id,
            side=side,
            level=level,
            entered_by_id=user.id or None,
        )
        session.add(existing)
    else:
        existing.level = level
        existing.entered_by_id = user.id or None
    await session.flush()
    await audit(
        session,
        user,
        "preference",
        "candidate_participation",
        participation.id,
        detail={"employer": employer.id, "side": side.value, "level": level},
    )
    return existing if level is not None else None


async def levels_for(session: AsyncSession, participation_id: int) -> dict[tuple[int, str], int]:
    """Both sides' levels for one candidate's sign-up, keyed by (employer id, side)."""
    rows = await session.scalars(select(Preference).where(Preference.candidate_participation_id == participation_id))
    return {(p.employer_participation_id, p.side.value): p.level for p in rows}


async def clear_preferences(session: AsyncSession, participation_id: int) -> None:
    await session.execute(delete(Preference).where(Preference.candidate_participation_id == participation_id))


# --- overview ----------------------------------------------------------------------------------------


@dataclass
class Cell:
    candidate_level: int | None = None
    employer_level: int | None = None
    weight: int | None = None


@dataclass
class Grid:
    """Candidates × employers with both sides' levels and the scheduler's weight per pair."""

    employers: list[EmployerParticipation]
    participations: list[CandidateParticipation]
    cells: dict[tuple[int, int], Cell]
    candidates_without_wishes: list[CandidateParticipation]
    employers_without_interest: list[EmployerParticipation]
    pairs: int
    vetoes: int


async def load_employers(session: AsyncSession, event: Event) -> list[EmployerParticipation]:
    query = confirmed_employers(event.id).options(
        selectinload(EmployerParticipation.organisation), selectinload(EmployerParticipation.openings)
    )
    return list((await session.scalars(query)).all())


def planned_participations(event: Event, statuses: Sequence[ParticipationStatus] = ACTIVE) -> Any:
    """The filter for the event's active candidates who are not erased and have not withdrawn their consent:
    nobody else is shown to employers or planned. (Candidates imported before imports recorded consent
    may carry no consent record; they count as consenting until one is withdrawn.) Use it on a query that
    joins Candidate."""
    active_consent = select(Consent.candidate_id).where(Consent.withdrawn_at.is_(None))
    any_consent = select(Consent.candidate_id)
    return and_(
        CandidateParticipation.event_id == event.id,
        CandidateParticipation.status.in_(list(statuses)),
        Candidate.erased_at.is_(None),
        or_(Candidate.id.in_(active_consent), Candidate.id.not_in(any_consent)),
    )


async def load_participations(session: AsyncSession, event: Event) -> list[CandidateParticipation]:
    """The event's planned candidates (see `planned_participations`), by name."""
    return list(
        (
            await session.scalars(
                select(CandidateParticipation)
                .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
                .where(planned_participations(event))
                .options(selectinload(CandidateParticipation.candidate))
                .order_by(Candidate.first_name, Candidate.last_name, Candidate.id)
            )
        ).all()
    )


async def preference_grid(session: AsyncSession, user: CurrentUser, event: Event) -> Grid:
    """The organiser's overview of who wants to meet whom, and what the scheduler will weigh."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("preferences")
    employers = sorted(await load_employers(session, event), key=lambda e: e.organisation.name.lower())
    participations = await load_participations(session, event)
    ids = [p.id for p in participations]
    levels: dict[tuple[int, int], Cell] = defaultdict(Cell)
    if ids:
        for pref in (
            await session.scalars(select(Preference).where(Preference.candidate_participation_id.in_(ids)))
        ).all():
            cell = levels[(pref.candidate_participation_id, pref.employer_participation_id)]
            if pref.side is PreferenceSide.CANDIDATE:
                cell.candidate_level = pref.level
            else:
                cell.employer_level = pref.level
    cells: dict[tuple[int, int], Cell] = {}
    pairs = vetoes = 0
    sectors = {e.id: employer_sectors(e) for e in employers}
    for p in participations:
        wanted = set(p.candidate.sectors or [])
        for e in employers:
            cell = levels.get((p.id, e.id), Cell())
            cell.weight = pair_weight(
                cell.candidate_level, cell.employer_level, sector_match=bool(wanted & sectors[e.id])
            )
            cells[(p.id, e.id)] = cell
            if cell.weight is not None:
                pairs += 1
            if 0 in (cell.candidate_level, cell.employer_level):
                vetoes += 1
    no_wish = [p for p in participations if all(cells[(p.id, e.id)].candidate_level is None for e in employers)]
    no_interest = [e for e in employers if all(cells[(p.id, e.id)].employer_level is None for p in participations)]
    return Grid(employers, participations, cells, no_wish, no_interest, pairs, vetoes)


# --- employer cards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateCard:
    """What an employer may know of a candidate before the event: no name beyond the first, no contact,
    no coach, nothing about why they are distant from work."""

    participation_id: int
    display_name: str
    sectors: list[str]
    hours_per_week: int | None
    own_words: str
    rounds: list[int]
    level: int | None = None
    wish: int | None = field(default=None)


async def employer_cards(
    session: AsyncSession, user: CurrentUser, event: Event, employer_id: int
) -> tuple[EmployerParticipation, list[CandidateCard]]:
    """Anonymised cards of the event's candidates, with the employer's own level for each."""
    if user.role not in (Role.EMPLOYER, Role.ORGANISER):
        raise NotFoundError("employer")
    employers = [e for e in await EventService(session, user).employers(event) if e.id == employer_id]
    if not employers:
        raise NotFoundError("employer")
    employer = employers[0]
    participations = await load_participations(session, event)
    # First name and surname initial ("Fatima B."), enough to recognise at the table, unique in the event.
    names = await candidate_short_names(session, event.id)
    mine = {
        (p.candidate_participation_id, p.side): p.level
        for p in (
            await session.scalars(select(Preference).where(Preference.employer_participation_id == employer.id))
        ).all()
    }
    offered = employer_sectors(employer)
    cards = [
        CandidateCard(
            participation_id=p.id,
            display_name=names.get(p.id, "-"),
            sectors=list(p.candidate.sectors or []),
            hours_per_week=p.candidate.hours_per_week,
            own_words=p.candidate.own_words,
            rounds=rounds_present(p.rounds, event),
            level=mine.get((p.id, PreferenceSide.EMPLOYER)),
            # A candidate's "no" stays private; a wish to meet is shown so the employer can answer it.
            wish=w if (w := mine.get((p.id, PreferenceSide.CANDIDATE))) else None,
        )
        for p in participations
    ]
    # Candidates who want to meet this employer, and those in its sectors, first.
    cards.sort(key=lambda c: (-(c.wish or 0), not (set(c.sectors) & offered), c.display_name))
    return employer, cards


# --- capacity ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """Talks demanded against seats offered, and what would close a gap."""

    candidates: int
    demanded: int
    offered: int
    seats_per_round: int
    short: int
    extra_rounds: int
    extra_tables: int
    group_seats_would_fix: bool

    @property
    def enough(self) -> bool:
        return self.short == 0


async def capacity(session: AsyncSession, user: CurrentUser, event: Event) -> Capacity:
    """Whether the event can give every candidate their minimum number of talks."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("capacity")
    return compute_capacity(event, await load_employers(session, event), await load_participations(session, event))


def compute_capacity(
    event: Event, employers: Sequence[EmployerParticipation], participations: Sequence[CandidateParticipation]
) -> Capacity:
    demanded = 0
    for p in participations:
        minimum = event.default_min_meetings if p.min_meetings is None else p.min_meetings
        maximum = event.default_max_meetings if p.max_meetings is None else p.max_meetings
        demanded += min(minimum, maximum, len(rounds_present(p.rounds, event)))
    offered = sum(e.tables * e.seats * len(rounds_present(e.rounds, event)) for e in employers)
    per_round = sum(e.tables * e.seats for e in employers)
    short = max(0, demanded - offered)
    extra_rounds = math.ceil(short / per_round) if short and per_round else 0
    one_to_one = sum(e.tables * len(rounds_present(e.rounds, event)) for e in employers)
    group_fix = bool(short) and event.max_seats < 3 and one_to_one * 3 >= demanded
    tables_needed = math.ceil(short / event.rounds) if short else 0
    return Capacity(
        candidates=len(participations),
        demanded=demanded,
        offered=offered,
        seats_per_round=per_round,
        short=short,
        extra_rounds=extra_rounds,
        extra_tables=tables_needed,
        group_seats_would_fix=group_fix,
    )
