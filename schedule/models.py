"""The schedule: versions of an event's timetable and their meetings, and the background builds that make them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime
from events.platform.models import JSONType, partial_unique_index, string_enum


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class BuildStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HAPPENED = "happened"
    MISSED = "missed"
    CANCELLED = "cancelled"


class ScheduleVersion(IdMixin, TimestampMixin, Base):
    """One build of an event's schedule; publishing freezes it, and the newest published one is what
    attendees see. The instance it was solved for is kept, so that any checker reproduces its figures."""

    __tablename__ = "schedule_version"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(string_enum(VersionStatus), default=VersionStatus.DRAFT)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    instance: Mapped[dict[str, Any]] = mapped_column(JSONType)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The version this one was copied from to be edited (None for a build).
    based_on: Mapped[int | None] = mapped_column(Integer)

    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="version", lazy="raise", cascade="all, delete-orphan", order_by="Meeting.round"
    )


class Meeting(IdMixin, TimestampMixin, Base):
    """A talk in a version: a candidate at an employer's table in a round."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("version_id", "candidate_participation_id", "round"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_version.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    table: Mapped[int] = mapped_column(Integer)
    employer_participation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_participation.id", ondelete="CASCADE"), index=True
    )
    candidate_participation_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MeetingStatus] = mapped_column(string_enum(MeetingStatus), default=MeetingStatus.PLANNED)
    note: Mapped[str] = mapped_column(String(500), default="")

    version: Mapped[ScheduleVersion] = relationship(back_populates="meetings", lazy="raise")


class BuildJob(IdMixin, TimestampMixin, Base):
    """A build of an event's schedule running in the background, with its progress. At most one runs per
    event (a partial unique index, so that this holds across processes); a job whose heartbeat stopped
    (its process died) counts as failed."""

    __tablename__ = "schedule_build"
    __table_args__ = (partial_unique_index("uq_schedule_build_running", "event_id", where="status = 'running'"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[BuildStatus] = mapped_column(string_enum(BuildStatus), default=BuildStatus.RUNNING)
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    publish: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_version.id", ondelete="SET NULL"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
