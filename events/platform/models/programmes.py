"""A programme (traject): an organisation's trajectory of months, with participants of its own.

A person in a programme is an enrolment: referred by a partner, taken in at an intake (or refused: strict
selection), moved through the programme's stages, with activities on their timeline (coaching talks, trainings,
workshops, work experience, introductions with an employer, the programme's events) and the benefits they had and
left. Outcomes (events.followup.models.Outcome) belong to the enrolment, with or without an event.

What a person wants, their goals and barriers, and criminal-justice data (detention, release date, criminal record)
are stored encrypted (events.platform.crypto); who may read them is for the reach rules (events.platform.reach) and
the services (events.programmes) to say.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.crypto import EncryptedJSON, EncryptedText
from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from events.platform.models.kinds import JSONType, string_enum


class StageKind(StrEnum):
    ACTIVE = "active"  # a step on the way
    COMPLETED = "completed"  # afgerond: the trajectory ended as it should
    DROPPED = "dropped"  # uitgevallen: it ended early, with a reason


# The stages a new programme starts with (the organiser renames, adds, removes and reorders them).
DEFAULT_STAGES: tuple[tuple[str, StageKind], ...] = (
    ("aangemeld", StageKind.ACTIVE),
    ("intake", StageKind.ACTIVE),
    ("voorbereiding", StageKind.ACTIVE),
    ("kennismaking", StageKind.ACTIVE),
    ("aan het werk", StageKind.ACTIVE),
    ("nazorg", StageKind.ACTIVE),
    ("afgerond", StageKind.COMPLETED),
    ("uitgevallen", StageKind.DROPPED),
)


class DropReason(StrEnum):
    """Why a trajectory ended early ("uitgevallen")."""

    DETENTION = "detention"
    HEALTH = "health"
    MOVED = "moved"
    NO_CONTACT = "no_contact"
    OWN_CHOICE = "own_choice"
    CARE = "care"
    OTHER_WORK = "other_work"
    OTHER = "other"


class Decision(StrEnum):
    """The intake's decision."""

    ACCEPTED = "accepted"
    REFUSED = "refused"


class PartnerRole(StrEnum):
    """What a partner organisation does in a programme."""

    REFERRER = "referrer"  # refers people (a neighbourhood organisation, a verbinder)
    COACHING = "coaching"  # its coaches hold intakes and coach participants
    TRAINING = "training"  # provides trainings and workshops


class ActivityKind(StrEnum):
    COACHING = "coaching"
    TRAINING = "training"
    WORKSHOP = "workshop"
    WORK_EXPERIENCE = "work_experience"
    INTRODUCTION = "introduction"  # one talk with one employer, outside any event
    EVENT = "event"  # one of the programme's events (a meet & match afternoon, a plenary gathering)


class IntroductionStatus(StrEnum):
    PROPOSED = "proposed"
    HELD = "held"
    CANCELLED = "cancelled"


class BenefitKind(StrEnum):
    """The benefit a participant lives on ("uitkering")."""

    PARTICIPATIEWET = "participatiewet"  # bijstand
    WW = "ww"
    WIA = "wia"
    WAJONG = "wajong"
    ZW = "zw"
    IOAW = "ioaw"
    ANW = "anw"
    NONE = "none"
    OTHER = "other"


class Programme(IdMixin, TimestampMixin, Base):
    """A trajectory ("Werkfit-traject") or several events under one goal, with targets set by the organiser."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    # The organising organisation that owns the programme; names are unique within it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    # Unique on the installation, as events' are: the command line and the API name a programme by it.
    slug: Mapped[str] = mapped_column(String(80), unique=True, index=True, server_default="")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The period; no end date means an open-ended intake.
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # {"job_starts": 10, "training_starts": 5, ...}: see events.results.shapes.TARGETS.
    targets: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)


class ProgrammeStage(IdMixin, Base):
    """One stage of a programme, in the organiser's order."""

    __tablename__ = "programme_stage"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[StageKind] = mapped_column(string_enum(StageKind), default=StageKind.ACTIVE)


class TargetGroup(IdMixin, Base):
    """A target group a programme names ("Alleenstaande ouders", "Hoogopgeleiden")."""

    __tablename__ = "target_group"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class ProgrammeEmployer(IdMixin, TimestampMixin, Base):
    """An employer working with a programme (a social entrepreneur, a company that never comes to an event)."""

    __tablename__ = "programme_employer"
    __table_args__ = (UniqueConstraint("programme_id", "organisation_id"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)


class Enrolment(IdMixin, TimestampMixin, Base):
    """A person in a programme, from referral to the end of the trajectory."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("programme_id", "candidate_id"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    target_group_id: Mapped[int | None] = mapped_column(ForeignKey("target_group.id", ondelete="SET NULL"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("programme_stage.id", ondelete="RESTRICT"), index=True)
    # Who referred the person: the organisation and, where known, its account and the person's name as written.
    referred_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    referrer_name: Mapped[str] = mapped_column(String(200), default="")
    referred_on: Mapped[dt.date] = mapped_column(Date)
    intake_on: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[Decision | None] = mapped_column(string_enum(Decision))
    decision_reason: Mapped[str] = mapped_column(EncryptedText("enrolment.decision_reason"), default="")
    # How to reach the person when not directly (through whom), and what they want, as the referral said.
    contact_through: Mapped[str] = mapped_column(EncryptedText("enrolment.contact_through"), default="")
    wishes: Mapped[str] = mapped_column(EncryptedText("enrolment.wishes"), default="")
    # The candidate's own goals, in their words, and the barriers worked on (events.platform.models.BARRIERS,
    # criminal record excepted: that is criminal-justice data, below).
    goals: Mapped[str] = mapped_column(EncryptedText("enrolment.goals"), default="")
    barriers: Mapped[list[str]] = mapped_column(EncryptedJSON("enrolment.barriers"), default=list)
    # Criminal-justice data: {"detained": bool, "release_date": "yyyy-mm-dd", "criminal_record": bool}. Read only by
    # the person's coaches and the owning organisation's organisers allowed it; every read audited.
    justice: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("enrolment.justice"), default=dict)
    # The consent to pass the referral on (and to keep the enrolment's data).
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id", ondelete="SET NULL"))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    drop_reason: Mapped[DropReason | None] = mapped_column(string_enum(DropReason))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class StageChange(IdMixin, Base):
    """One move of an enrolment from one stage to another, kept for good: who, when, why."""

    __tablename__ = "stage_change"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("programme_stage.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("programme_stage.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    drop_reason: Mapped[DropReason | None] = mapped_column(string_enum(DropReason))


class Activity(IdMixin, TimestampMixin, Base):
    """One thing on an enrolment's timeline: a coaching talk, a training, a workshop, work experience, an
    introduction with an employer, or one of the programme's events."""

    __tablename__ = "activity"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(string_enum(ActivityKind))
    title: Mapped[str] = mapped_column(String(200), default="")
    # The training's provider, the employer of an introduction or work experience.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    provider: Mapped[str] = mapped_column(String(200), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    # Completed (True), stopped early (False), or not known yet (None): a training whose planned end lies ahead
    # is running ("loopt"), never "gestopt".
    completed: Mapped[bool | None] = mapped_column(Boolean)
    # An introduction's course: proposed, held (with whether it matched and the employer's answer) or cancelled.
    introduction_status: Mapped[IntroductionStatus | None] = mapped_column(string_enum(IntroductionStatus))
    match: Mapped[bool | None] = mapped_column(Boolean)
    employer_answer: Mapped[str] = mapped_column(EncryptedText("activity.employer_answer"), default="")
    note: Mapped[str] = mapped_column(EncryptedText("activity.note"), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class BenefitPeriod(IdMixin, TimestampMixin, Base):
    """A benefit an enrolled person had at intake or later: which, since when, and the day they left it."""

    __tablename__ = "benefit_period"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    benefit: Mapped[BenefitKind] = mapped_column(string_enum(BenefitKind))
    since: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
