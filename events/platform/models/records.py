"""What the installation records about itself: the audit log, its own settings, and the outbox of e-mails."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from events.platform.models.kinds import JSONType, string_enum


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
