"""Candidates, kept across events: their record, their coaches and what they consented to.

Sensitive candidate data (target group, barriers, the coach's note) sits in columns of its own, stored
encrypted, so that the services can keep it from every role but the candidate's coaches and the organisers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.platform.crypto import EncryptedJSON, EncryptedText
from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from events.platform.models.accounts import User
from events.platform.models.kinds import CoachKind, ConsentMethod, JSONType, string_enum


class Candidate(IdMixin, TimestampMixin, Base):
    """A job seeker, kept across events."""

    __tablename__ = "candidate"

    # The organisation that owns the record: the owner of the event or programme the candidate was registered
    # for, else the registering coach's. Known people are matched within it only (events.platform.reach).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
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
    shares: Mapped[list[CaseShare]] = relationship(
        lazy="raise", order_by="CaseShare.created_at", cascade="all, delete-orphan"
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


class CaseShare(IdMixin, Base):
    """A candidate's case shared by their coach with a named professional of another organisation, on the candidate's
    consent: the professional reads the case (confidential fields included, every read audited) and adds notes and
    outcomes to it until the share is ended (by a coach, an organiser of the owning organisation, or by withdrawing
    the consent). An ended share stays as the record of who could see the data, and when."""

    __tablename__ = "case_share"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id", ondelete="CASCADE"), index=True)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    professional: Mapped[User] = relationship(foreign_keys=[professional_id], lazy="raise")
    consent: Mapped[Consent] = relationship(lazy="raise")


class CaseNote(IdMixin, Base):
    """A note added to a candidate's case by someone who reads its confidential fields (a coach, an organiser of the
    owning organisation, a professional it is shared with); stored encrypted, read like the coach's note."""

    __tablename__ = "case_note"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText("case_note.text"), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")
