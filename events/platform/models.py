"""The domain: organisations, accounts, events, employers with their openings, candidates, preferences, audit.

Meetings, check-ins and outcomes live with their own slices; they refer to these tables by name.
Sensitive candidate data (target group, barriers, the coach's note) sits in columns of its own so that
the services can keep it from every role but the candidate's coaches and the organisers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.platform.crypto import EncryptedJSON, EncryptedText
from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

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


class Role(StrEnum):
    ORGANISER = "organiser"
    COACH = "coach"
    EMPLOYER = "employer"
    DOOR = "door"


class OrganisationKind(StrEnum):
    EMPLOYER = "employer"
    PARTNER = "partner"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    LIVE = "live"
    CLOSED = "closed"


class PathwayKind(StrEnum):
    """One list for what an opening offers and what an outcome records (DESIGN: "one list")."""

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


class Organisation(IdMixin, TimestampMixin, Base):
    """An employer or a partner organisation (coaches belong to one)."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(string_enum(OrganisationKind))
    sector: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))


class User(IdMixin, TimestampMixin, Base):
    """A login with one role."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(string_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    # Door accounts may be limited to one event; None means every event, each on its own day only.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Coaches may ask for a weekly e-mail of what is due (follow-up checks, proposals to confirm); off by default.
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Two-factor login (events.platform.twofactor): the TOTP secret (encrypted), since when it is on, and the last time
    # step whose code was accepted (a code is good once).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText("user_account.totp_secret"))
    two_factor_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class RecoveryCode(IdMixin, Base):
    """One single-use code that stands in for the authenticator app (stored as a keyed hash)."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Event(IdMixin, TimestampMixin, Base):
    """A meet & match event: its day, its rounds and its state."""

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("rounds >= 1", name="rounds_positive"),
        CheckConstraint("round_minutes >= 1", name="round_minutes_positive"),
        CheckConstraint("changeover_minutes >= 0", name="changeover_not_negative"),
        CheckConstraint("default_min_meetings >= 0", name="min_not_negative"),
        CheckConstraint("default_max_meetings >= default_min_meetings", name="max_not_below_min"),
        CheckConstraint("max_seats >= 1", name="seats_positive"),
    )

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[dt.date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    first_round_start: Mapped[dt.time] = mapped_column(Time)
    round_minutes: Mapped[int] = mapped_column(Integer, default=10)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=5)
    rounds: Mapped[int] = mapped_column(Integer, default=6)
    # [{"after_round": 3, "minutes": 15}, ...]
    breaks: Mapped[list[dict[str, int]]] = mapped_column(JSONType, default=list)
    default_min_meetings: Mapped[int] = mapped_column(Integer, default=2)
    default_max_meetings: Mapped[int] = mapped_column(Integer, default=4)
    # Seats per table an employer may be given (1 = one-to-one talks only; 2-3 = small group talks allowed).
    max_seats: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[EventStatus] = mapped_column(string_enum(EventStatus), default=EventStatus.DRAFT)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Personal data of the event's candidates is anonymised this many months after the last follow-up check
    # (events.privacy.retention).
    retention_months: Mapped[int] = mapped_column(Integer, default=12)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"), index=True)
    # What the organiser aims for: {"job_starts": 3, "training_starts": 2, ...} (events.results.shapes.TARGETS).
    targets: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict, server_default="{}")
    # The round clock on the day (badges.day.clock): idle until the organiser starts it; every start, pause
    # and shift adds seconds from a round on, so personal pages and calendars show the times as they are.
    clock_state: Mapped[str] = mapped_column(String(10), default="idle", server_default="idle")
    # [{"from_round": 3, "moves": "start" | "end", "seconds": 300}, ...]: see shift_seconds.
    clock_shifts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, server_default="[]")
    clock_paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The door opened early for a rehearsal: scans are taken on this (Amsterdam) date as on the event's day.
    # Stored as the date it was opened for, so that it is closed again at midnight without anyone closing it.
    rehearsal_on: Mapped[dt.date | None] = mapped_column(Date)

    def door_open(self, day: dt.date) -> bool:
        """Whether the door takes scans on ``day``: the event's own day, or a day the organiser opened it early
        for a rehearsal. Door accounts reach the event on such a day only."""
        return self.date == day or self.rehearsal_on == day

    @classmethod
    def door_open_clause(cls, day: dt.date) -> ColumnElement[bool]:
        """`door_open` as a query's condition."""
        return or_(cls.date == day, cls.rehearsal_on == day)

    def round_start(self, number: int) -> dt.datetime:
        """The local start time of round ``number`` (1-based), counting changeovers, breaks and the clock on the
        day (started late, paused, shifted)."""
        return self.planned_round_start(number) + dt.timedelta(seconds=self.shift_seconds(number))

    def round_end(self, number: int) -> dt.datetime:
        return self.planned_round_start(number) + dt.timedelta(
            minutes=self.round_minutes, seconds=self.shift_seconds(number, end=True)
        )

    def round_times(self) -> dict[int, tuple[dt.datetime, dt.datetime]]:
        """Every round's (start, end), computed once: for pages that look up thousands of people's times."""
        return {n: (self.round_start(n), self.round_end(n)) for n in range(1, self.rounds + 1)}

    def planned_round_start(self, number: int) -> dt.datetime:
        """The start of round ``number`` as planned, before anything the clock did on the day."""
        start = dt.datetime.combine(self.date, self.first_round_start, tzinfo=EVENT_TZ)
        minutes = (number - 1) * (self.round_minutes + self.changeover_minutes)
        minutes += sum(b.get("minutes", 0) for b in self.breaks or [] if b.get("after_round", 0) < number)
        return start + dt.timedelta(minutes=minutes)

    def shift_seconds(self, number: int, *, end: bool = False) -> int:
        """How much later than planned round ``number`` starts (or, with `end`, ends) by the clock on the day.

        Each shift moves everything from one point on: {"from_round": k, "moves": "start"} the start of round
        k and all after it (a late start, a pause between rounds); {"from_round": k, "moves": "end"} the end of
        round k and all after it (a pause or an extension during round k)."""
        total = 0
        for shift in self.clock_shifts or []:
            k = int(shift.get("from_round", 1))
            moves_start = shift.get("moves", "start") == "start"
            if k < number or (k == number and (end or moves_start)):
                total += int(shift.get("seconds", 0))
        return total

    def clock_changes(self, number: int) -> int:
        """How often the clock moved round ``number`` (calendars raise SEQUENCE by this much)."""
        return sum(
            1
            for shift in self.clock_shifts or []
            if int(shift.get("seconds", 0)) and int(shift.get("from_round", 1)) <= number
        )


class EmployerParticipation(IdMixin, TimestampMixin, Base):
    """An organisation taking part in an event as employer: its tables, seats and the rounds it is there."""

    __tablename__ = "employer_participation"
    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id"),
        CheckConstraint("tables >= 1", name="tables_positive"),
        CheckConstraint("seats >= 1", name="seats_positive"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    tables: Mapped[int] = mapped_column(Integer, default=1)
    seats: Mapped[int] = mapped_column(Integer, default=1)
    # Rounds present (1-based); None means every round.
    rounds: Mapped[list[int] | None] = mapped_column(JSONType)
    status: Mapped[EmployerStatus] = mapped_column(string_enum(EmployerStatus), default=EmployerStatus.CONFIRMED)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Registered at the door on the day.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    openings: Mapped[list[Opening]] = relationship(
        back_populates="participation", lazy="raise", order_by="Opening.id", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[EmployerContact]] = relationship(
        back_populates="participation", lazy="raise", order_by="EmployerContact.id", cascade="all, delete-orphan"
    )


class EmployerContact(IdMixin, TimestampMixin, Base):
    """A person at an employer's tables; may have an employer login."""

    __tablename__ = "employer_contact"

    employer_participation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_participation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Registered at the door on the day (door staff may print this person's badge there, nobody else's).
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    participation: Mapped[EmployerParticipation] = relationship(back_populates="contacts", lazy="raise")


class Opening(IdMixin, TimestampMixin, Base):
    """A job, training, internship or other place an employer brings to the event."""

    __tablename__ = "opening"

    employer_participation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_participation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PathwayKind] = mapped_column(string_enum(PathwayKind))
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    sector: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")

    participation: Mapped[EmployerParticipation] = relationship(back_populates="openings", lazy="raise")


class Candidate(IdMixin, TimestampMixin, Base):
    """A job seeker, kept across events."""

    __tablename__ = "candidate"

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(100))
    sectors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    # "In my own words": what the candidate wants employers to read.
    own_words: Mapped[str] = mapped_column(Text, default="")
    # Sensitive: only the candidate's coaches and organisers may read these, and every read is audited; they are
    # stored encrypted (events.platform.crypto), so a dump or a backup shows none of it.
    target_group: Mapped[str | None] = mapped_column(EncryptedText("candidate.target_group"))
    barriers: Mapped[list[str]] = mapped_column(EncryptedJSON("candidate.barriers"), default=list)
    coach_note: Mapped[str] = mapped_column(EncryptedText("candidate.coach_note"), default="")
    # The language of the candidate's programme, e-mails and calendar ("nl" or "en").
    locale: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    coaches: Mapped[list[CandidateCoach]] = relationship(
        back_populates="candidate", lazy="raise", cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="candidate", lazy="raise", order_by="Consent.given_at", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class CandidateCoach(TimestampMixin, Base):
    """A coach responsible for a candidate; a candidate may have several (a jobcoach and a probation officer)."""

    __tablename__ = "candidate_coach"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True)
    coach_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[CoachKind] = mapped_column(string_enum(CoachKind), default=CoachKind.JOBCOACH)

    candidate: Mapped[Candidate] = relationship(back_populates="coaches", lazy="raise")
    coach: Mapped[User] = relationship(lazy="raise")


class Consent(IdMixin, TimestampMixin, Base):
    """What a candidate agreed to, when, and who recorded it; withdrawal keeps the record."""

    __tablename__ = "consent"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    text_version: Mapped[str] = mapped_column(String(40), default="2026-1")
    method: Mapped[ConsentMethod] = mapped_column(string_enum(ConsentMethod), default=ConsentMethod.VERBAL)
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship(back_populates="consents", lazy="raise")


class CandidateParticipation(IdMixin, TimestampMixin, Base):
    """A candidate taking part in an event: availability, talk limits, seating needs and status."""

    __tablename__ = "candidate_participation"
    __table_args__ = (UniqueConstraint("event_id", "candidate_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    status: Mapped[ParticipationStatus] = mapped_column(
        string_enum(ParticipationStatus), default=ParticipationStatus.REGISTERED
    )
    # Rounds present (1-based); None means every round.
    rounds: Mapped[list[int] | None] = mapped_column(JSONType)
    min_meetings: Mapped[int | None] = mapped_column(Integer)
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(50))
    accessibility: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Registered at the door on the day.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What door staff are asked to do when this person arrives ("bring to the coach desk"); set by organisers.
    door_instruction: Mapped[str] = mapped_column(String(200), default="", server_default="")

    candidate: Mapped[Candidate] = relationship(lazy="raise")
    event: Mapped[Event] = relationship(lazy="raise")


class Preference(IdMixin, TimestampMixin, Base):
    """One side's wish for a candidate-employer talk, 0 (no) to 3 (very much)."""

    __tablename__ = "preference"
    __table_args__ = (
        UniqueConstraint("candidate_participation_id", "employer_participation_id", "side"),
        CheckConstraint("level >= 0 AND level <= 3", name="level_range"),
    )

    candidate_participation_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    employer_participation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_participation.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[PreferenceSide] = mapped_column(string_enum(PreferenceSide))
    level: Mapped[int] = mapped_column(Integer)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class Invitation(IdMixin, TimestampMixin, Base):
    """A single-use link that lets an invited account (an employer's contact) choose its password."""

    __tablename__ = "invitation"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Only the hash is stored: the token itself travels in the link alone.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class AuditEntry(IdMixin, Base):
    """Who read or changed which sensitive record, and when (NEN 7513 style)."""

    __tablename__ = "audit_entry"

    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # The person the record is about, so that a person can be shown who looked at their data.
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class AppSetting(Base):
    """Small facts the installation keeps about itself (the secret key's fingerprint, ...)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(IdMixin, TimestampMixin, Base):
    """An e-mail waiting to be sent, being sent, sent, or given up on; `meetmatch jobs run` sends them.

    `dedupe_key` makes queueing idempotent (the same reminder is queued once, however often the job
    runs); a message is claimed by one sender at a time (status `sending` with `claimed_at`), and a
    failure is retried with growing pauses until `MAX_ATTEMPTS`.
    """

    __tablename__ = "outbox_message"

    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    # Whom the message is about, when that is not the addressee (a coach receiving a candidate's programme).
    candidate_participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    employer_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_contact.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    status: Mapped[OutboxStatus] = mapped_column(string_enum(OutboxStatus), default=OutboxStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
