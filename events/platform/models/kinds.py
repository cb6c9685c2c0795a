"""The words of the domain: roles, statuses and kinds, the sectors and barriers, the event's time zone, and how
a word is stored (`string_enum`: a plain string, so that a new member never needs a type migration)."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Enum, Index, text
from sqlalchemy.dialects.postgresql import JSONB

EVENT_TZ = ZoneInfo("Europe/Amsterdam")
JSONType = JSON().with_variant(JSONB(), "postgresql")


def string_enum(cls: type[StrEnum], length: int = 20) -> Enum:
    """The column type of an enum, for every slice's models: stored as plain strings, so that adding a member
    never needs a database type migration."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


def partial_unique_index(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows that match ``where`` only, the same on SQLite and PostgreSQL."""
    return Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))


class Role(StrEnum):
    # The installation's administrator: creates and deactivates organising organisations, sees counts only.
    ADMIN = "admin"
    ORGANISER = "organiser"
    COACH = "coach"
    EMPLOYER = "employer"
    DOOR = "door"


class OrganisationKind(StrEnum):
    # Runs events and programmes and owns them, with the candidates its coaches register.
    ORGANISER = "organiser"
    # Invited into an organiser's event or programme (a reclassering office, a neighbourhood organisation).
    PARTNER = "partner"
    # Takes part in events as an employer.
    EMPLOYER = "employer"


class EventKind(StrEnum):
    """What happens at an event: speed-date talks in rounds, or a plenary gathering without rounds."""

    MEET_MATCH = "meet_match"
    PLENARY = "plenary"


class GuestKind(StrEnum):
    """A guest of an event who is neither candidate nor employer: what their badge says they are."""

    PARTNER = "partner"
    OFFICIAL = "official"  # a wethouder, an ambtenaar
    PRESS = "press"
    OTHER = "other"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    LIVE = "live"
    CLOSED = "closed"


class PathwayKind(StrEnum):
    """One list for what an opening offers and what an outcome records."""

    SECOND_INTERVIEW = "second_interview"
    TRIAL_PLACEMENT = "trial_placement"
    INTERNSHIP = "internship"
    WORK_EXPERIENCE = "work_experience"
    TRAINING = "training"
    PAID_JOB = "paid_job"
    VOLUNTEERING = "volunteering"
    STOPPED = "stopped"


OPENING_KINDS = (
    PathwayKind.PAID_JOB,
    PathwayKind.TRAINING,
    PathwayKind.INTERNSHIP,
    PathwayKind.WORK_EXPERIENCE,
    PathwayKind.VOLUNTEERING,
    PathwayKind.TRIAL_PLACEMENT,
)


class ParticipationStatus(StrEnum):
    REGISTERED = "registered"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


class EmployerStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class PreferenceSide(StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"


class CoachKind(StrEnum):
    JOBCOACH = "jobcoach"
    CONSULENT = "consulent"
    PROBATION = "probation"
    OTHER = "other"


class ConsentMethod(StrEnum):
    VERBAL = "verbal"
    PAPER = "paper"
    DIGITAL = "digital"


SECTORS = (
    "groen",
    "schoonmaak",
    "logistiek",
    "zorg",
    "horeca",
    "bouw",
    "techniek",
    "detailhandel",
    "administratie",
    "productie",
    "facilitair",
    "beveiliging",
)

BARRIERS = (
    "long_term_benefits",
    "criminal_record",
    "debts",
    "language",
    "health",
    "addiction",
    "single_parent",
    "disability",
    "no_work_experience",
    "other",
)
