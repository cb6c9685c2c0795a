"""Who uses the installation: organisations, accounts (with their two-factor recovery codes) and the
invitations that let an invited account choose its password."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.platform.crypto import EncryptedText
from events.platform.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from events.platform.models.kinds import OrganisationKind, Role, string_enum


class Organisation(IdMixin, TimestampMixin, Base):
    """An organising organisation (it owns its events, programmes and candidates), a partner invited into them
    (coaches belong to one) or an employer."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(string_enum(OrganisationKind))
    # An administrator deactivates an organisation: none of its accounts logs in any more; nothing is deleted.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sector: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))
    # An employer that is a social enterprise ("sociaal ondernemer"): shown as such to programmes' coaches.
    social_enterprise: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Partnership(IdMixin, TimestampMixin, Base):
    """A partner organisation invited into one event or one programme by its owner: its coaches then register
    and follow their own candidates there."""

    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint("(event_id IS NULL) <> (programme_id IS NULL)", name="event_or_programme"),
        UniqueConstraint("organisation_id", "event_id"),
        UniqueConstraint("organisation_id", "programme_id"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # In a programme, what the partner does there: "referrer", "coaching" or "training"
    # (events.platform.models.programmes.PartnerRole); None in an event.
    role: Mapped[str | None] = mapped_column(String(20))

    organisation: Mapped[Organisation] = relationship(lazy="raise")


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
    # An organiser explicitly allowed to read criminal-justice data (detention, release date, criminal record) of
    # their organisation's programme participants; a person's own coaches read it without this.
    reads_justice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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


class Invitation(IdMixin, TimestampMixin, Base):
    """A single-use link that lets an invited account (an employer's contact) choose its password."""

    __tablename__ = "invitation"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Only the hash is stored: the token itself travels in the link alone.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
