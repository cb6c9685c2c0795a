"""The JSON API's shapes: explicit msgspec structs, one per view a role may have."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Opening,
)
from events.platform.services import EventFigures


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str
    # The authenticator app's code, or a recovery code, for an account with two-factor login.
    code: str | None = None


class Me(msgspec.Struct):
    id: int
    email: str
    name: str
    role: str
    organisation_id: int | None
    locale: str

    @classmethod
    def of(cls, user: CurrentUser) -> Me:
        return cls(user.id, user.email, user.name, user.role.value, user.organisation_id, user.locale)


class EventRow(msgspec.Struct):
    id: int
    slug: str
    name: str
    date: dt.date
    venue: str
    status: str
    # "meet_match" (speed-date rounds) or "plenary" (a gathering without rounds: `rounds` is 0).
    kind: str
    rounds: int
    employers: int
    candidates: int

    @classmethod
    def of(cls, event: Event, figures: EventFigures | None) -> EventRow:
        return cls(**_event_fields(event, figures))


def _event_fields(event: Event, figures: EventFigures | None) -> dict[str, Any]:
    """What a row and the detail of an event both show."""
    return {
        **{name: getattr(event, name) for name in ("id", "slug", "name", "date", "venue", "rounds")},
        "status": event.status.value,
        "kind": event.kind.value,
        "employers": figures.employers if figures else 0,
        "candidates": figures.candidates if figures else 0,
    }


class RoundTime(msgspec.Struct):
    number: int
    start: dt.datetime
    end: dt.datetime


class EventDetail(msgspec.Struct):
    id: int
    slug: str
    name: str
    description: str
    date: dt.date
    venue: str
    address: str
    status: str
    kind: str
    rounds: int
    round_minutes: int
    changeover_minutes: int
    default_min_meetings: int
    default_max_meetings: int
    max_seats: int
    schedule: list[RoundTime]
    employers: int
    candidates: int

    @classmethod
    def of(cls, event: Event, figures: EventFigures | None) -> EventDetail:
        return cls(
            **_event_fields(event, figures),
            description=event.description,
            address=event.address,
            round_minutes=event.round_minutes,
            changeover_minutes=event.changeover_minutes,
            default_min_meetings=event.default_min_meetings,
            default_max_meetings=event.default_max_meetings,
            max_seats=event.max_seats,
            schedule=[RoundTime(n, event.round_start(n), event.round_end(n)) for n in range(1, event.rounds + 1)],
        )


class OpeningRow(msgspec.Struct):
    id: int
    title: str
    kind: str
    hours_per_week: int | None
    sector: str | None
    description: str

    @classmethod
    def of(cls, opening: Opening) -> OpeningRow:
        return cls(
            opening.id, opening.title, opening.kind.value, opening.hours_per_week, opening.sector, opening.description
        )


class EmployerRow(msgspec.Struct):
    id: int
    organisation_id: int
    name: str
    tables: int
    seats: int
    rounds: list[int] | None
    status: str
    openings: list[OpeningRow]

    @classmethod
    def of(cls, participation: EmployerParticipation) -> EmployerRow:
        return cls(
            id=participation.id,
            organisation_id=participation.organisation_id,
            name=participation.organisation.name,
            tables=participation.tables,
            seats=participation.seats,
            rounds=participation.rounds,
            status=participation.status.value,
            openings=[OpeningRow.of(o) for o in participation.openings],
        )


class CoachRef(msgspec.Struct):
    id: int
    kind: str


class CandidateRow(msgspec.Struct):
    """What a candidate's coaches and the organisers see in lists (no sensitive fields)."""

    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    city: str | None
    sectors: list[str]
    hours_per_week: int | None
    coaches: list[CoachRef]

    @classmethod
    def of(cls, candidate: Candidate, *, with_coaches: bool = True) -> CandidateRow:
        """The row; ``with_coaches=False`` where the coaches were not loaded."""
        coaches = _coaches(candidate) if with_coaches else []
        return cls(**_candidate_fields(candidate), coaches=coaches)


def _candidate_fields(candidate: Candidate) -> dict[str, Any]:
    """What a row and the whole record of a candidate both show."""
    names = ("id", "first_name", "last_name", "email", "phone", "city", "hours_per_week")
    return {**{name: getattr(candidate, name) for name in names}, "sectors": list(candidate.sectors or [])}


def _coaches(candidate: Candidate) -> list[CoachRef]:
    return [CoachRef(c.coach_id, c.kind.value) for c in candidate.coaches]


class ConsentRow(msgspec.Struct):
    id: int
    purpose: str
    method: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class CandidateDetail(msgspec.Struct):
    """The whole record, for the candidate's coaches and the organisers only; every read is audited."""

    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: dt.date | None
    city: str | None
    sectors: list[str]
    hours_per_week: int | None
    own_words: str
    target_group: str | None
    barriers: list[str]
    coach_note: str
    coaches: list[CoachRef]
    consents: list[ConsentRow]

    @classmethod
    def of(cls, candidate: Candidate, *, confidential: bool = True) -> CandidateDetail:
        """The record; without ``confidential`` (an organiser whose event the candidate takes part in, of another
        organisation than the owner) the confidential fields are left empty."""
        return cls(
            **_candidate_fields(candidate),
            date_of_birth=candidate.date_of_birth,
            own_words=candidate.own_words,
            target_group=candidate.target_group if confidential else None,
            barriers=list(candidate.barriers or []) if confidential else [],
            coach_note=candidate.coach_note if confidential else "",
            coaches=_coaches(candidate),
            consents=[
                ConsentRow(c.id, c.purpose, c.method.value, c.given_at, c.withdrawn_at) for c in candidate.consents
            ],
        )


class ParticipationRow(msgspec.Struct):
    id: int
    candidate: CandidateRow
    status: str
    rounds: list[int] | None
    min_meetings: int | None
    max_meetings: int | None

    @classmethod
    def of(cls, participation: CandidateParticipation) -> ParticipationRow:
        return cls(
            id=participation.id,
            candidate=CandidateRow.of(participation.candidate, with_coaches=False),
            status=participation.status.value,
            rounds=participation.rounds,
            min_meetings=participation.min_meetings,
            max_meetings=participation.max_meetings,
        )


class Problem(msgspec.Struct):
    """An error answer: HTTP status, a machine code, a readable message and the field at fault, if any."""

    status_code: int
    code: str
    detail: str
    field: str | None = None
