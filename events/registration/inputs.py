"""What organisers and coaches enter when they fill an event: the inputs the JSON API takes as they are and the
pages read from their forms (events.platform.forms), so that both validate alike."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec

from events.platform.models import ConsentMethod, EventKind, PathwayKind

Small = Annotated[int, msgspec.Meta(ge=0, le=50)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]


class Break(msgspec.Struct, forbid_unknown_fields=True):
    after_round: Annotated[int, msgspec.Meta(ge=1, le=50)]
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]


class EventInput(msgspec.Struct, forbid_unknown_fields=True):
    """What an organiser sets for an event (create and edit).

    `kind` and `rounds` go together (events.registration.services.event_shape): a plenary gathering has no
    rounds, so `rounds: 0` alone makes one; left out, a meet & match event has 6 rounds (on a change: as it had).
    """

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    date: dt.date
    # "14:00" as people and <input type=time> write it (seconds allowed).
    first_round_start: Annotated[str, msgspec.Meta(pattern=r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")] = "14:00"
    slug: Annotated[str, msgspec.Meta(max_length=80)] = ""
    venue: Text200 = ""
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""
    description: LongText = ""
    round_minutes: Annotated[int, msgspec.Meta(ge=1, le=120)] = 10
    changeover_minutes: Annotated[int, msgspec.Meta(ge=0, le=60)] = 5
    kind: EventKind | None = None
    rounds: Annotated[int, msgspec.Meta(ge=0, le=30)] | None = None
    breaks: list[Break] = []
    default_min_meetings: Small = 2
    default_max_meetings: Small = 4
    max_seats: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1
    retention_months: Annotated[int, msgspec.Meta(ge=1, le=120)] = 12


class EmployerInput(msgspec.Struct, forbid_unknown_fields=True):
    """An employer's participation: which organisation, how many tables and seats, which rounds."""

    organisation: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    tables: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    seats: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1
    rounds: list[int] | None = None
    notes: LongText = ""


class OpeningInput(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: PathwayKind = PathwayKind.PAID_JOB
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    sector: str | None = None
    description: LongText = ""


class ContactInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: str | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class CandidateInput(msgspec.Struct, forbid_unknown_fields=True):
    """A candidate's record, as their coach or an organiser enters it."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    last_name: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    email: str | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    date_of_birth: dt.date | None = None
    city: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    sectors: list[str] = []
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    own_words: LongText = ""
    target_group: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    barriers: list[str] = []
    coach_note: LongText = ""


class ConsentInput(msgspec.Struct, forbid_unknown_fields=True):
    """What the candidate agreed to: part of every registration."""

    purpose: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]
    method: ConsentMethod = ConsentMethod.VERBAL


class SignUpStatus(StrEnum):
    """The statuses a sign-up may be given before the event; check-in and no-show come from the door."""

    REGISTERED = "registered"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class ParticipationInput(msgspec.Struct, forbid_unknown_fields=True):
    """A candidate's sign-up: availability, talk limits, seating needs, status."""

    rounds: list[int] | None = None
    min_meetings: Small | None = None
    max_meetings: Small | None = None
    status: SignUpStatus = SignUpStatus.REGISTERED
    needs_interpreter: bool = False
    interpreter_language: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    accessibility: LongText = ""
