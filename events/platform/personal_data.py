"""A person's data across the slices, for the sweeps that must reach all of it: the export (GDPR art. 15 and 20),
the erasure and retention (events.privacy).

Each slice that keeps data about a candidate offers its part (`PersonalData`): its sections of the export, the
free texts written about the person, and how it erases them. The composition roots (events.app, events.cli)
register every slice's part; the sweeps ask every registered part, so a slice added later is not forgotten (a
test holds every table that refers to a candidate to some part). Like pretix's data shredders. The platform
itself imports no slice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from events.platform.identity import CurrentUser


@dataclass(frozen=True)
class Person:
    """The candidate a sweep is about, with the ids every part looks their rows up by."""

    candidate_id: int
    participation_ids: tuple[int, ...]
    event_ids: frozenset[int]
    # Their e-mail address as it was before the sweep (messages to them are found by it).
    email: str | None = None
    # Organisation names by employer participation, at the person's events (filled for the export only).
    employers: Mapping[int, str] = field(default_factory=dict)
    # Who asked for the export (None: the command line or a sweep): a part leaves out what they may not read.
    reader: CurrentUser | None = None


@dataclass
class Erasing:
    """One erasure under way in the caller's transaction: each part notes the tables it changed (compacted after
    the commit) and the generated files that show the person (removed after the commit, by name)."""

    session: AsyncSession
    person: Person
    at: dt.datetime
    tables: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)

    async def blank(self, target: Any, where: Any, **values: Any) -> None:
        """Set ``values`` in the rows of ``target`` (a model or a table) that match ``where``, noting the table
        when a row changed."""
        from sqlalchemy import update

        result = await self.session.execute(
            update(target).where(where).values(**values).execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            self.tables.add(getattr(target, "__table__", target).name)


class PersonalData(Protocol):
    """One slice's part of a person's data."""

    @property
    def name(self) -> str:
        """The slice's name, unique among the parts."""

    @property
    def tables(self) -> tuple[str, ...]:
        """The slice's tables that hold data about a person: the part answers for each of them."""

    @property
    def months_after_event(self) -> int:
        """How many months after an event the slice still needs the person's data (0: not beyond the event)."""

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        """The slice's sections of the person's export, as plain JSON values."""

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        """Free texts about the person (notes, comments): copies of them elsewhere are erased too."""

    async def erase(self, erasing: Erasing) -> None:
        """Remove or blank the person's data in the slice's tables; what the figures count stays."""


_parts: dict[str, PersonalData] = {}
_pending: list[Callable[[], Iterable[PersonalData]]] = []


def register(*parts: PersonalData) -> None:
    """Add slices' parts; a part registered again replaces itself (the app may be created more than once)."""
    for part in parts:
        _parts[part.name] = part


def register_later(load: Callable[[], Iterable[PersonalData]]) -> None:
    """Register the parts ``load`` returns when parts are first asked for (the command line imports a slice only
    when a command needs it)."""
    if load not in _pending:
        _pending.append(load)


def parts() -> tuple[PersonalData, ...]:
    """Every registered part, in the order registered. With none registered it refuses: a sweep that asked no
    slice would export and erase nothing, silently."""
    while _pending:
        register(*_pending.pop(0)())
    if not _parts:
        msg = "no slice has registered its part of a person's data; the composition root registers them"
        raise RuntimeError(msg)
    return tuple(_parts.values())


def months_after_event() -> int:
    """The longest any slice needs a person's data after an event."""
    return max(part.months_after_event for part in parts())


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """A date or moment as ISO text, None as None."""
    return value.isoformat() if value is not None else None


def plain(value: Any) -> Any:
    """A column value as JSON: enums by their value, dates as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return getattr(value, "value", value)
