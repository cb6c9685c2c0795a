"""The words of the domain: roles, statuses and kinds, the sectors and barriers, the event's time zone, and how
a word is stored (`string_enum`: a plain string, so that a new member never needs a type migration).

A word list whose stored values are its members' names in lower case is declared with StrEnum's functional form,
`StrEnum("Name", ["MEMBER", ...])`, which gives each member exactly that value (every slice's models do the same);
a class is kept where the list needs a docstring or comments."""

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


Role = StrEnum("Role", ["ORGANISER", "COACH", "EMPLOYER", "DOOR"])


OrganisationKind = StrEnum("OrganisationKind", ["EMPLOYER", "PARTNER"])


EventStatus = StrEnum("EventStatus", ["DRAFT", "PUBLISHED", "LIVE", "CLOSED"])


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


ParticipationStatus = StrEnum("ParticipationStatus", ["REGISTERED", "CONFIRMED", "CANCELLED", "CHECKED_IN", "NO_SHOW"])


EmployerStatus = StrEnum("EmployerStatus", ["CONFIRMED", "CANCELLED"])


PreferenceSide = StrEnum("PreferenceSide", ["CANDIDATE", "EMPLOYER"])


CoachKind = StrEnum("CoachKind", ["JOBCOACH", "CONSULENT", "PROBATION", "OTHER"])


ConsentMethod = StrEnum("ConsentMethod", ["VERBAL", "PAPER", "DIGITAL"])


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
