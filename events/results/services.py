"""The organisers' results: an event's figures and targets, a programme's (events.programmes), and outcome exports.

Organisers only: every function refuses anyone else exactly like a missing object. The personal outcome
list (names and employers) is written to the audit log, once per person listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import Outcome, OutcomeStatus
from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.labels import pathway_label
from events.platform.models import AuditEntry, Candidate, Event, Organisation, Programme, Role
from events.platform.services import EventService, audit
from events.programmes import services as programmes
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
    return event, await results_of(session, user, event, day)


async def results_of(session: AsyncSession, user: CurrentUser, event: Event, day: dt.date) -> EventReport:
    """The figures on ``day`` of an event already in the user's reach."""
    _organiser(user, "event")
    return await event_report(session, event, day)


def parse_targets(values: dict[str, Any]) -> dict[str, int]:
    """Targets from a form: a whole number from 1 up per key of TARGETS; empty or 0 means no target."""
    targets = {}
    for key in TARGETS:
        raw = str(values.get(key, "") or "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) > MAX_TARGET:
            raise DomainError("invalid_target", i18n.gettext("Give a whole number, 0 or more."), key)
        if int(raw) > 0:
            targets[key] = int(raw)
    return targets


async def set_event_targets(session: AsyncSession, user: CurrentUser, event: Event, targets: dict[str, int]) -> None:
    _organiser(user, "event")
    event.targets = dict(targets)
    await audit(session, user, "set_targets", "event", event.id, detail={"targets": targets})
    await session.flush()


# --- programmes (events.programmes) -------------------------------------------------------------------


async def find_programme(session: AsyncSession, user: CurrentUser, ref: str | int) -> Programme:
    """The programme to report on, by slug, id or (exact, case-insensitive) name."""
    _organiser(user, "programme")
    slug = str(ref).strip().lower()
    by_slug = await session.scalar(select(Programme.id).where(Programme.slug == slug)) if slug else None
    if by_slug is not None:
        # The programmes slice decides who reaches it: another organisation's slug answers as a missing one.
        try:
            return await programmes.find_programme(session, user, by_slug)
        except NotFoundError:
            raise NotFoundError(f"programme {ref!r}") from None
    return await programmes.find_programme(session, user, ref)


async def update_programme(
    session: AsyncSession, user: CurrentUser, programme: Programme, values: dict[str, Any]
) -> None:
    """Name, description and targets from the programme page's form."""
    _organiser(user, "programme")
    name = await programmes.free_name(session, user, values.get("name"), programme.id)
    targets = parse_targets(values)
    await programmes.update_programme(
        session, user, programme, name=name, description=values.get("description"), targets=targets
    )


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
