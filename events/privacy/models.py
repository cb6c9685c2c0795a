"""The erasure ledger: which people were erased, by non-personal ids only, so that a restore from an
older backup can erase them again (events.privacy.erasure.apply_ledger)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.db import Base, IdMixin, UTCDateTime, utcnow


class Erasure(IdMixin, Base):
    """One erased candidate: no foreign key, so the entry outlives anything it points at."""

    __tablename__ = "erasure_ledger"

    candidate_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))  # request | retention
    by_user_id: Mapped[int | None] = mapped_column(Integer)
