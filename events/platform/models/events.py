"""An event and who takes part in it: its day and rounds, the employers with their contacts and openings, the
candidates' sign-ups and both sides' wishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime
from events.platform.models.accounts import Organisation
from events.platform.models.candidates import Candidate
from events.platform.models.kinds import (
    EVENT_TZ,
    EmployerStatus,
    EventKind,
    EventStatus,
    GuestKind,
    JSONType,
    ParticipationStatus,
    PathwayKind,
    PreferenceSide,
    string_enum,
)


class Event(IdMixin, TimestampMixin, Base):
    """An event: its day, its rounds and its state.

    Its `kind` says what happens there. A meet & match (the default) has speed-date rounds (at least one) that
    the scheduler fills from both sides' wishes. A plenary gathering (BAKboord's afternoon of some sixty
    stakeholders) has none: `rounds` is 0, the scheduler is not involved, nobody is asked for wishes, and its
    people are candidates, employers' contacts and guests (EventGuest: partners, officials, press) who get a
    badge that prints their role, are checked in at the door and may walk in. The kind is stored rather than read
    from `rounds == 0`, so that a check constraint holds the two together and pages ask one clear question;
    the API and the command line still take `rounds: 0` alone as a plenary gathering."""

    __tablename__ = "event"
    __table_args__ = (
        # A meet & match event has one round or more, a plenary gathering none.
        CheckConstraint(
            "(kind = 'plenary' AND rounds = 0) OR (kind <> 'plenary' AND rounds >= 1)", name="rounds_by_kind"
        ),
        CheckConstraint("round_minutes >= 1", name="round_minutes_positive"),
        CheckConstraint("changeover_minutes >= 0", name="changeover_not_negative"),
        CheckConstraint("default_min_meetings >= 0", name="min_not_negative"),
        CheckConstraint("default_max_meetings >= default_min_meetings", name="max_not_below_min"),
        CheckConstraint("max_seats >= 1", name="seats_positive"),
    )

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[EventKind] = mapped_column(
        string_enum(EventKind), default=EventKind.MEET_MATCH, server_default=EventKind.MEET_MATCH.value
    )
    # The organising organisation that owns the event (and reaches it): see events.platform.reach.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
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

    @property
    def plenary(self) -> bool:
        """A plenary gathering: no rounds, no talks, no scheduler."""
        return self.kind is EventKind.PLENARY

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

    @classmethod
    def taking_part(cls, event_id: int) -> ColumnElement[bool]:
        """The employers of the event that did not cancel."""
        return and_(cls.event_id == event_id, cls.status != EmployerStatus.CANCELLED)


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


class EventGuest(IdMixin, TimestampMixin, Base):
    """A guest of an event who is neither candidate nor employer: a partner, an official (a wethouder, an
    ambtenaar), the press. Organisers of the owning organisation manage them (events.registration.guests); they
    get a badge that prints their role and are checked in at the door. Personal data (name, e-mail) is kept as
    long as the event's candidates' (events.registration.personal_data: retention blanks it)."""

    __tablename__ = "event_guest"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    kind: Mapped[GuestKind] = mapped_column(string_enum(GuestKind), default=GuestKind.OTHER)
    # Their function as the badge prints it: "wethouder Werk en Inkomen", "beleidsmedewerker".
    role: Mapped[str] = mapped_column(String(200), default="", server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    # Registered at the door on the day.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Retention blanked the name and e-mail (what the figures count stays).
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


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
