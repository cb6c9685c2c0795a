"""What came of an event: outcomes per candidate with their history, the follow-up checks at 1, 3 and 6
months, and the short evaluation after the event.

An outcome keeps no personal data of its own beyond the coach's note, so an erased candidate's outcomes
stay and the event's figures do not change (events.privacy).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.crypto import EncryptedText
from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from events.platform.models import JSONType, PathwayKind, string_enum


class OutcomeStatus(StrEnum):
    PROPOSED = "proposed"  # reported by the employer, waiting for a coach to confirm
    CONFIRMED = "confirmed"  # logged or confirmed by a coach (or an organiser): it counts
    DECLINED = "declined"  # an employer's proposal the coach did not confirm
    WITHDRAWN = "withdrawn"  # logged in error; kept for the history, never counted


class ContractType(StrEnum):
    PERMANENT = "permanent"  # vast contract
    FIXED_TERM = "fixed_term"  # tijdelijk contract
    TEMP_AGENCY = "temp_agency"  # uitzendcontract
    ON_CALL = "on_call"  # oproepcontract / nulurencontract
    SHELTERED = "sheltered"  # beschut werk / loonkostensubsidie
    OTHER = "other"


class StopReason(StrEnum):
    HEALTH = "health"
    CARE = "care"  # care for children or family
    DID_NOT_FIT = "did_not_fit"
    EMPLOYER_ENDED = "employer_ended"
    CONTRACT_ENDED = "contract_ended"
    OTHER_WORK = "other_work"
    NO_CONTACT = "no_contact"
    OTHER = "other"


# At how many months after the event the coach checks each candidate's outcomes.
CHECK_MONTHS = (1, 3, 6)
# A contract of this many months or more (or a permanent one) counts as lasting for funders.
LASTING_MONTHS = 6


class Outcome(IdMixin, TimestampMixin, Base):
    """One step on a candidate's way to work: a second interview, a placement, a training or job start, or a
    stop; linked to the event, employer, opening and talk it came from where there is one."""

    __tablename__ = "outcome"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    # The enrolment (events.platform.models.Enrolment) the outcome belongs to, with or without an event or talk.
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    held_talk_id: Mapped[int | None] = mapped_column(ForeignKey("held_talk.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("opening.id", ondelete="SET NULL"))
    kind: Mapped[PathwayKind] = mapped_column(string_enum(PathwayKind))
    status: Mapped[OutcomeStatus] = mapped_column(
        string_enum(OutcomeStatus), default=OutcomeStatus.CONFIRMED, index=True
    )
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    # When a placement, training or job ended (found at a follow-up check); None while it lasts.
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    contract_type: Mapped[ContractType | None] = mapped_column(string_enum(ContractType))
    # The contract's length in months; None for an open-ended one.
    contract_months: Mapped[int | None] = mapped_column(Integer)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    stop_reason: Mapped[StopReason | None] = mapped_column(string_enum(StopReason, length=30))
    # Outflow from benefits ("uitstroom uit de uitkering"), for funders; None when not known.
    leaves_benefits: Mapped[bool | None] = mapped_column(Boolean)
    # Read by the candidate's coaches and organisers only; an employer's proposal carries its own words here.
    # Stored encrypted (events.platform.crypto).
    note: Mapped[str] = mapped_column(EncryptedText("outcome.note"), default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OutcomeChange(IdMixin, Base):
    """One change to an outcome, kept for good: who, when, what ({field: [before, after]})."""

    __tablename__ = "outcome_change"

    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    by_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))  # created | proposed | updated | confirmed | declined | ...
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class OutcomeTerm(IdMixin, Base):
    """A change of a job's terms from a date on: the hours a week and the contract (8 hours, later 27). The outcome
    holds the terms as they are now; its terms hold how they got there."""

    __tablename__ = "outcome_term"
    __table_args__ = (UniqueConstraint("outcome_id", "effective_on"),)

    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    contract_type: Mapped[ContractType | None] = mapped_column(string_enum(ContractType))
    contract_months: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


# At how many months after a placement (an outcome's start) the coach checks that it lasts.
PLACEMENT_CHECK_MONTHS = (1, 3, 6, 12)


class FollowUpCheck(IdMixin, TimestampMixin, Base):
    """A coach's check of a candidate's outcomes at 1, 3 or 6 months after an event, or of one placement at 1, 3,
    6 or 12 months after it started ("still working there?")."""

    __tablename__ = "follow_up_check"
    __table_args__ = (
        UniqueConstraint("candidate_participation_id", "months"),
        UniqueConstraint("outcome_id", "months"),
        CheckConstraint("(candidate_participation_id IS NULL) <> (outcome_id IS NULL)", name="event_or_placement"),
    )

    candidate_participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE"), index=True
    )
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The coach's note on the check: stored encrypted (events.platform.crypto).
    note: Mapped[str] = mapped_column(EncryptedText("follow_up_check.note"), default="")


class Respondent(StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"


class Evaluation(IdMixin, TimestampMixin, Base):
    """The short evaluation sent after the event to a candidate or an employer's contact, and its answers.

    The link's token is stored as a hash only; answers are reported in aggregate."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("event_id", "candidate_participation_id"),
        UniqueConstraint("event_id", "employer_contact_id"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[Respondent] = mapped_column(string_enum(Respondent))
    candidate_participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidate_participation.id", ondelete="CASCADE")
    )
    employer_contact_id: Mapped[int | None] = mapped_column(ForeignKey("employer_contact.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # {"overall": 1-5, "talks": 1-5, "again": "yes" | "no" | "maybe", ...}: see events.followup.evaluation.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
