"""A programme: several events under one goal, with targets set by the organiser."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from events.platform.db import Base, IdMixin, TimestampMixin
from events.platform.models import JSONType


class Programme(IdMixin, TimestampMixin, Base):
    """Several events under one goal ("Delft aan het werk 2026"), with targets set by the organiser."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    # The organising organisation that owns the programme; names are unique within it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # {"job_starts": 10, "training_starts": 5, ...}: see events.results.shapes.TARGETS.
    targets: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
