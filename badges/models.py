"""Badge and calendar tokens: one per person, event and purpose, of which only the hash is stored."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime
from events.platform.models import JSONType, partial_unique_index, string_enum


class HolderKind(StrEnum):
    """Who carries a badge: the colour band on it and what its page shows."""

    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    STAFF = "staff"
    # A partner, an official, the press (events.platform.models.EventGuest): the badge prints which.
    GUEST = "guest"


class TokenPurpose(StrEnum):
    BADGE = "badge"
    CALENDAR = "calendar"


def _live_token_index(name: str, *columns: str) -> Index:
    """At most one live (unrevoked) token per purpose and holder; the holder's column comes last."""
    return partial_unique_index(name, "purpose", *columns, where=f"revoked_at IS NULL AND {columns[-1]} IS NOT NULL")


class PersonToken(IdMixin, TimestampMixin, Base):
    """A badge (QR) or calendar-feed token of one person at one event.

    The token itself is an HMAC of (purpose, holder, version) under the secret key, so the same badge
    can be printed again; only its SHA-256 is kept, for look-up. Re-issuing revokes the row and adds
    one with the next version. The holder is exactly one of: a candidate's participation, an employer
    contact, a staff user (door account) of the event, or a guest of the event.
    """

    __tablename__ = "person_token"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN candidate_participation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN employer_contact_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN event_guest_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_holder",
        ),
        # One live token per holder and purpose.
        _live_token_index("uq_person_token_live_candidate", "candidate_participation_id"),
        _live_token_index("uq_person_token_live_contact", "employer_contact_id"),
        _live_token_index("uq_person_token_live_staff", "event_id", "user_id"),
        _live_token_index("uq_person_token_live_guest", "event_guest_id"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(string_enum(TokenPurpose))
    holder_kind: Mapped[HolderKind] = mapped_column(string_enum(HolderKind))
    candidate_participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    employer_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_contact.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    event_guest_id: Mapped[int | None] = mapped_column(ForeignKey("event_guest.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The number printed on the badge; it stays when the badge is re-issued.
    number: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PrintStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PrintJob(IdMixin, TimestampMixin, Base):
    """A PDF (badges, table cards, table sheets, handouts) rendered in the background. Its progress lives
    here so that every app process can show it; the finished file lies under the data directory and is
    served only to the one who started it (and to organisers)."""

    __tablename__ = "print_job"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[PrintStatus] = mapped_column(string_enum(PrintStatus), default=PrintStatus.RUNNING)
    what: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(10))
    selection: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    # The PDF's name under <data dir>/prints/ once it is there.
    file_name: Mapped[str] = mapped_column(String(200), default="")
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CheckInMethod(StrEnum):
    SCAN = "scan"  # a badge scanned online
    OFFLINE = "offline"  # a badge scanned while the scanner was offline, synced later
    TYPED = "typed"  # the badge code typed on the scanner page
    DESK = "desk"  # marked present by an organiser on the dashboard
    PAPER = "paper"  # ticked on the paper attendance list or a table sheet, entered afterwards
    WALK_IN = "walk_in"  # registered at the door
    NAME = "name"  # found by name on the door's list (no badge with them)


class CheckIn(IdMixin, TimestampMixin, Base):
    """A person's arrival at an event: at most one per holder (a unique index), so a badge scanned twice, at
    two entrances at once, checks in once."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("event_id", "holder"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # "candidate:12", "employer:3" (an employer contact), "staff:7" or "guest:4", as badges.people.Holder.token_subject.
    holder: Mapped[str] = mapped_column(String(40))
    holder_kind: Mapped[HolderKind] = mapped_column(string_enum(HolderKind))
    candidate_participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    employer_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_contact.id", ondelete="CASCADE"), index=True
    )
    event_guest_id: Mapped[int | None] = mapped_column(ForeignKey("event_guest.id", ondelete="CASCADE"), index=True)
    # When the person arrived: the scanner's own clock for a scan synced after being offline.
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    device: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[CheckInMethod] = mapped_column(string_enum(CheckInMethod), default=CheckInMethod.SCAN)


class Scan(IdMixin, Base):
    """One scan request as answered: the scanner's nonce makes a repeated request (a retry, an offline queue
    synced twice) get the first answer back instead of counting again."""

    __tablename__ = "scan"
    __table_args__ = (UniqueConstraint("user_id", "nonce"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(30))
    device: Mapped[str] = mapped_column(String(64), default="")
    # The JSON answer given, returned as it was to a repeat of the same nonce.
    answer: Mapped[dict[str, Any]] = mapped_column(JSONType)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class FollowUp(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class HeldTalk(IdMixin, TimestampMixin, Base):
    """A talk that took place: logged when the employer scans the candidate's badge at its table (planned or
    not), or ticked on a paper table sheet. It outlives programme versions, which a re-plan replaces; the
    employer's quick follow-up answer and note (read only by organisers and the candidate's coaches) live
    here, and outcomes later point back to it."""

    __tablename__ = "held_talk"
    __table_args__ = (UniqueConstraint("event_id", "candidate_participation_id", "employer_participation_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    candidate_participation_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    employer_participation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_participation.id", ondelete="CASCADE"), index=True
    )
    # The round it was planned in (None for an unplanned talk).
    round: Mapped[int | None] = mapped_column(Integer)
    planned: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="scan")  # scan | paper | desk
    follow_up: Mapped[FollowUp | None] = mapped_column(string_enum(FollowUp))
    note: Mapped[str] = mapped_column(Text, default="")
