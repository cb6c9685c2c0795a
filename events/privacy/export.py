"""Everything meetmatch holds about one person (GDPR art. 15 and 20): as JSON, and as a readable PDF.

Organisers only. An access request is answered by the organisation that runs the events (the controller),
which checks who is asking and hands the file over; the export holds what other coaches and employers wrote
about the person, more than any single coach sees. Every export is written to the audit log. Each slice adds
its own sections (events.platform.personal_data).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import labels, personal_data, templating
from events.platform.errors import ConflictError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Role,
)
from events.platform.personal_data import Person
from events.platform.reach import owned_candidates
from events.platform.services import audit, employer_names

FORMAT = "meetmatch-person-export/1"
# The sections of FORMAT in their order; a section a slice adds later follows them.
SECTIONS = (
    "candidate",
    "consents",
    "coaches",
    "participations",
    "enrolments",
    "preferences",
    "case_shares",
    "case_notes",
    "badges",
    "check_ins",
    "planned_talks",
    "talks_held",
    "outcomes",
    "follow_up_checks",
    "evaluations",
    "emails",
    "audit",
)


async def load_candidate(session: AsyncSession, user: CurrentUser, candidate_id: int) -> Candidate:
    """The candidate, for an organiser of the organisation that owns the record; anyone else, or an unknown id,
    gets "not found"."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("candidate")
    candidate: Candidate | None = await session.scalar(
        select(Candidate)
        .where(Candidate.id == candidate_id, owned_candidates(user))
        .options(selectinload(Candidate.coaches).selectinload(CandidateCoach.coach), selectinload(Candidate.consents))
    )
    if candidate is None:
        raise NotFoundError("candidate")
    return candidate


async def person_data(session: AsyncSession, user: CurrentUser, candidate_id: int) -> dict[str, Any]:
    """All data of one candidate as plain JSON values, every slice's sections; the read is audited. An erased
    person has nothing personal left to export: that is said, not hidden."""
    candidate = await load_candidate(session, user, candidate_id)
    if candidate.erased_at is not None:
        raise ConflictError(
            "already_erased",
            _t("This person's data was erased on %(date)s; there is nothing personal left to export.")
            % {"date": labels.format_date(candidate.erased_at)},
        )
    exported_at = dt.datetime.now(dt.UTC).isoformat()
    participations = (
        await session.execute(
            select(CandidateParticipation.id, CandidateParticipation.event_id)
            .where(CandidateParticipation.candidate_id == candidate.id)
            .join(Event, Event.id == CandidateParticipation.event_id)
            .order_by(Event.date, Event.id)
        )
    ).all()
    pids = tuple(int(pid) for pid, _ in participations)
    employers = await _employer_names(session, list(pids))
    person = Person(
        candidate.id, pids, frozenset(e for _, e in participations), candidate.email, employers, reader=user
    )
    sections: dict[str, Any] = {}
    for part in personal_data.parts():
        sections.update(await part.export(session, person))
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": exported_at,
        "exported_by": {"name": user.name, "role": user.role.value},
        **{name: sections.pop(name) for name in SECTIONS if name in sections},
        **sections,  # a section no one listed yet: still exported
    }
    await audit(
        session,
        user,
        "export",
        "candidate",
        candidate.id,
        candidate_id=candidate.id,
        detail={"format": FORMAT},
    )
    return data


async def _employer_names(session: AsyncSession, pids: list[int]) -> dict[int, str]:
    """Organisation names by employer participation, for every employer of the person's events."""
    if not pids:
        return {}
    events = select(CandidateParticipation.event_id).where(CandidateParticipation.id.in_(pids))
    return await employer_names(session, EmployerParticipation.event_id.in_(events))


# --- the PDF ---------------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return templating.environment(readable=readable)


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def readable(value: Any) -> str:
    """A JSON value as a person reads it: moments in Amsterdam time, yes/no, lists and pairs as text."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True or value is False:
        return _t("yes") if value else _t("no")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(EVENT_TZ)
        return moment.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    return str(value)


def export_html(data: dict[str, Any]) -> str:
    """The export as a printable page, in the current language."""
    events = {p["event"]["id"]: p["event"]["name"] for p in data["participations"]}
    # The codes in words, as the pages show them; the JSON keeps the codes.
    view = {
        **data,
        "consents": [{**c, "method": labels.consent_method_label(c["method"])} for c in data["consents"]],
        "coaches": [{**c, "kind": labels.coach_kind_label(c["kind"])} for c in data["coaches"]],
        "audit": [{**a, "role": labels.role_label(a["role"])} for a in data["audit"]],
    }
    return _environment().get_template("events/privacy/export_pdf.html").render(data=view, events=events)


def render_pdf(html: str) -> bytes:
    """The page as PDF (blocking: run it in a thread). WeasyPrint is imported here, when needed, and reaches
    only our own static files (events.platform.pdf): a name typed into a form never fetches a URL."""
    from events.platform import pdf

    return pdf.render(html)
