"""The organisers' results: an event's figures and targets, programmes of events, and outcome exports.

Organisers only: every function refuses anyone else exactly like a missing object. The personal outcome
list (names and employers) is written to the audit log, once per person listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import Outcome, OutcomeStatus, Programme
from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.labels import pathway_label
from events.platform.models import AuditEntry, Candidate, Event, Organisation, Role
from events.platform.services import EventService, audit, event_ref_clause
from events.results.figures import event_report, programme_report
from events.results.shapes import TARGETS, EventReport, ProgrammeReport
from events.results.view import event_view, flat_rows

MAX_TARGET = 100_000


def _organiser(user: CurrentUser, what: str) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError(what)


async def event_results(
    session: AsyncSession, user: CurrentUser, ref: str | int, day: dt.date
) -> tuple[Event, EventReport]:
    """The event and its figures on ``day``."""
    _organiser(user, "event")
    event = await EventService(session, user).get(ref)
    return event, await event_report(session, event, day)


def parse_targets(values: dict[str, Any]) -> dict[str, int]:
    """Targets from a form: a whole number from 1 up per key of TARGETS; empty or 0 means no target."""
    targets = {}
    for key in TARGETS:
        raw = str(values.get(key, "") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > MAX_TARGET:
            raise DomainError("invalid_target", i18n.gettext("Give a whole number, 0 or more."), key)
        if int(raw) > 0:
            targets[key] = int(raw)
    return targets


async def set_event_targets(session: AsyncSession, user: CurrentUser, event: Event, targets: dict[str, int]) -> None:
    _organiser(user, "event")
    event.targets = dict(targets)
    await audit(session, user, "set_targets", "event", event.id, detail={"targets": targets})
    await session.flush()


# --- programmes ---------------------------------------------------------------------------------------


async def programmes(session: AsyncSession, user: CurrentUser) -> list[tuple[Programme, int]]:
    """Every programme by name, with its number of events."""
    _organiser(user, "programme")
    counts = dict(
        list(
            (
                await session.execute(
                    select(Event.programme_id, func.count())
                    .where(Event.programme_id.is_not(None))
                    .group_by(Event.programme_id)
                )
            ).tuples()
        )
    )
    found = (await session.scalars(select(Programme).order_by(Programme.name))).all()
    return [(p, int(counts.get(p.id, 0))) for p in found]


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise DomainError("required", i18n.gettext("This field is required."), "name")
    if len(name) > 200:
        raise DomainError("too_long", i18n.gettext("Use at most 200 characters."), "name")
    return name


async def _name_taken(session: AsyncSession, name: str, programme_id: int | None = None) -> None:
    query = select(Programme.id).where(func.lower(Programme.name) == name.lower())
    if programme_id is not None:
        query = query.where(Programme.id != programme_id)
    if await session.scalar(query) is not None:
        raise DomainError("name_taken", i18n.gettext("There is already a programme with this name."), "name")


async def create_programme(session: AsyncSession, user: CurrentUser, name: Any, description: Any = "") -> Programme:
    _organiser(user, "programme")
    clean = _name(name)
    await _name_taken(session, clean)
    programme = Programme(name=clean, description=str(description or "").strip(), targets={})
    session.add(programme)
    await session.flush()
    await audit(session, user, "create", "programme", programme.id)
    return programme


async def find_programme(session: AsyncSession, user: CurrentUser, ref: str | int) -> Programme:
    """A programme by id or (exact, case-insensitive) name."""
    _organiser(user, "programme")
    text = str(ref).strip()
    found = None
    if text.isdigit() and len(text) <= 9:
        found = await session.get(Programme, int(text))
    if found is None:
        found = await session.scalar(select(Programme).where(func.lower(Programme.name) == text.lower()))
    if found is None:
        raise NotFoundError(f"programme {ref!r}")
    return found


async def update_programme(
    session: AsyncSession, user: CurrentUser, programme: Programme, values: dict[str, Any]
) -> None:
    """Name, description and targets from the programme page's form."""
    _organiser(user, "programme")
    name = _name(values.get("name"))
    await _name_taken(session, name, programme.id)
    targets = parse_targets(values)
    programme.name = name
    programme.description = str(values.get("description") or "").strip()
    programme.targets = targets
    await session.flush()
    await audit(session, user, "update", "programme", programme.id, detail={"targets": targets})


async def programme_events(session: AsyncSession, programme: Programme) -> Sequence[Event]:
    return (
        await session.scalars(select(Event).where(Event.programme_id == programme.id).order_by(Event.date, Event.id))
    ).all()


async def free_events(session: AsyncSession) -> Sequence[Event]:
    """Events in no programme yet, newest first: what can be attached."""
    return (
        await session.scalars(
            select(Event).where(Event.programme_id.is_(None)).order_by(Event.date.desc(), Event.id.desc())
        )
    ).all()


async def attach_event(
    session: AsyncSession, user: CurrentUser, programme: Programme, event_ref: str | int, *, attach: bool = True
) -> Event:
    """Put an event in the programme (it leaves any other), or take it out."""
    _organiser(user, "programme")
    if not str(event_ref).strip():
        raise DomainError("required", i18n.gettext("Choose an event."), "event")
    event = await session.scalar(select(Event).where(event_ref_clause(event_ref)).limit(1))
    if event is None or (not attach and event.programme_id != programme.id):
        raise DomainError("unknown_event", i18n.gettext("Choose an event."), "event")
    event.programme_id = programme.id if attach else None
    await session.flush()
    await audit(session, user, "attach" if attach else "detach", "programme", programme.id, detail={"event": event.id})
    return event


async def programme_results(
    session: AsyncSession, user: CurrentUser, programme: Programme, day: dt.date
) -> ProgrammeReport:
    _organiser(user, "programme")
    return await programme_report(session, programme, day)


# --- exports ------------------------------------------------------------------------------------------

PERSONAL_HEADERS = (
    N_("Candidate"),
    N_("Employer"),
    N_("Outcome"),
    N_("Status"),
    N_("Start date"),
    N_("End date"),
    N_("Contract"),
    N_("Contract months"),
    N_("Hours per week"),
    N_("Leaves benefits"),
    N_("Stop reason"),
)
STATUS_LABELS = {"proposed": N_("proposed"), "confirmed": N_("confirmed")}
CONTRACT_LABELS = {
    "permanent": N_("permanent contract"),
    "fixed_term": N_("fixed-term contract"),
    "temp_agency": N_("agency contract"),
    "on_call": N_("on-call contract"),
    "sheltered": N_("sheltered work"),
    "other": N_("other"),
}
STOP_LABELS = {
    "health": N_("health"),
    "care": N_("care for children or family"),
    "did_not_fit": N_("did not fit"),
    "employer_ended": N_("ended by the employer"),
    "contract_ended": N_("contract ended"),
    "other_work": N_("found other work"),
    "no_contact": N_("no contact"),
    "other": N_("other"),
}


def _label(table: dict[str, str], code: str | None) -> str:
    return i18n.gettext(table[code]) if code in table else (code or "")


async def funder_export(
    session: AsyncSession, user: CurrentUser, event: Event, day: dt.date
) -> tuple[list[str], list[list[object]]]:
    """Every figure of the anonymised report as one long table: no names, no ids, small groups hidden."""
    _organiser(user, "export")
    report = await event_report(session, event, day)
    await audit(session, user if user.id else None, "export", "event", event.id, detail={"kind": "outcomes"})
    return flat_rows(event_view(report, anonymised=True))


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return i18n.gettext("yes") if value else i18n.gettext("no")


async def personal_export(
    session: AsyncSession, user: CurrentUser, event: Event
) -> tuple[list[str], list[list[object]]]:
    """Each confirmed or proposed outcome of the event with the candidate's name and the employer (organisers
    only); every person listed gets an audit entry of this read."""
    _organiser(user, "export")
    query = (
        select(Outcome, Candidate.first_name, Candidate.last_name, Candidate.erased_at, Organisation.name)
        .join(Candidate, Candidate.id == Outcome.candidate_id)
        .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
        .where(Outcome.event_id == event.id, Outcome.status.in_((OutcomeStatus.CONFIRMED, OutcomeStatus.PROPOSED)))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id, Outcome.start_date, Outcome.id)
    )
    rows: list[list[object]] = []
    people: set[int] = set()
    for outcome, first, last, erased_at, employer in (await session.execute(query)).tuples():
        people.add(outcome.candidate_id)
        name = i18n.gettext("(erased)") if erased_at else f"{first} {last}".strip()
        rows.append(
            [
                name,
                employer or "",
                pathway_label(outcome.kind.value),
                _label(STATUS_LABELS, outcome.status.value),
                outcome.start_date,
                outcome.end_date,
                _label(CONTRACT_LABELS, outcome.contract_type.value if outcome.contract_type else None),
                outcome.contract_months if outcome.contract_months is not None else "",
                outcome.hours_per_week if outcome.hours_per_week is not None else "",
                _yes_no(outcome.leaves_benefits),
                _label(STOP_LABELS, outcome.stop_reason.value if outcome.stop_reason else None),
            ]
        )
    actor = user if user.id else None
    await audit(session, actor, "export_personal", "event", event.id, detail={"kind": "outcomes", "rows": len(rows)})
    session.add_all(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_role=actor.role.value if actor else "system",
            action="export_personal",
            object_type="outcome_list",
            object_id=event.id,
            candidate_id=candidate_id,
            detail={"event": event.id},
        )
        for candidate_id in sorted(people)
    )
    await session.flush()
    return [i18n.gettext(h) for h in PERSONAL_HEADERS], rows
