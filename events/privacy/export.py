"""Everything meetmatch holds about one person (GDPR art. 15 and 20): as JSON, and as a readable PDF.

Organisers only. An access request is answered by the organisation that runs the events (the controller),
which checks who is asking and hands the file over; the export holds what other coaches and employers wrote
about the person, more than any single coach sees. Every export is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from functools import cache
from typing import Any

from jinja2 import Environment
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.followup.models import Evaluation, FollowUpCheck, Outcome, OutcomeChange
from events.platform import labels, templating
from events.platform.db import table
from events.platform.errors import ConflictError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    OutboxMessage,
    Preference,
    Role,
    User,
)
from events.platform.services import audit

FORMAT = "meetmatch-person-export/1"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _value(value: Any) -> Any:
    """A column value as JSON: enums by their value, dates as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return getattr(value, "value", value)


async def load_candidate(session: AsyncSession, user: CurrentUser, candidate_id: int) -> Candidate:
    """The candidate, for an organiser; anyone else, or an unknown id, gets "not found"."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("candidate")
    candidate: Candidate | None = await session.scalar(
        select(Candidate)
        .where(Candidate.id == candidate_id)
        .options(selectinload(Candidate.coaches).selectinload(CandidateCoach.coach), selectinload(Candidate.consents))
    )
    if candidate is None:
        raise NotFoundError("candidate")
    return candidate


async def person_data(session: AsyncSession, user: CurrentUser, candidate_id: int) -> dict[str, Any]:
    """All data of one candidate as plain JSON values; the read is audited. An erased person has nothing
    personal left to export: that is said, not hidden."""
    candidate = await load_candidate(session, user, candidate_id)
    if candidate.erased_at is not None:
        raise ConflictError(
            "already_erased",
            _t("This person's data was erased on %(date)s; there is nothing personal left to export.")
            % {"date": labels.format_date(candidate.erased_at)},
        )
    participations = list(
        await session.scalars(
            select(CandidateParticipation)
            .where(CandidateParticipation.candidate_id == candidate.id)
            .options(selectinload(CandidateParticipation.event))
            .join(Event, Event.id == CandidateParticipation.event_id)
            .order_by(Event.date, Event.id)
        )
    )
    pids = [p.id for p in participations]
    employers = await _employer_names(session, pids, candidate.id)
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "exported_by": {"name": user.name, "role": user.role.value},
        "candidate": _candidate(candidate),
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text_version,
                "method": c.method.value,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in candidate.consents
        ],
        "coaches": [
            {
                "name": link.coach.name,
                "email": link.coach.email,
                "kind": link.kind.value,
                "since": _iso(link.created_at),
            }
            for link in candidate.coaches
        ],
        "participations": [_participation(p) for p in participations],
        "preferences": await _preferences(session, pids, employers),
        "badges": await _badges(session, pids),
        "check_ins": await _check_ins(session, pids),
        "planned_talks": await _planned_talks(session, pids, employers),
        "talks_held": await _talks_held(session, pids, employers),
        "outcomes": await _outcomes(session, candidate.id),
        "follow_up_checks": await _follow_ups(session, pids),
        "evaluations": await _evaluations(session, pids),
        "emails": await _emails(session, pids, candidate.email),
        "audit": await _audit(session, candidate.id, pids),
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


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "date_of_birth": _iso(c.date_of_birth),
        "city": c.city,
        "sectors": list(c.sectors or []),
        "hours_per_week": c.hours_per_week,
        "own_words": c.own_words,
        "target_group": c.target_group,
        "barriers": list(c.barriers or []),
        "coach_note": c.coach_note,
        "locale": c.locale,
        "registered_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
    }


def _participation(p: CandidateParticipation) -> dict[str, Any]:
    return {
        "id": p.id,
        "event": {"id": p.event.id, "name": p.event.name, "date": _iso(p.event.date)},
        "status": p.status.value,
        "rounds": p.rounds,
        "min_talks": p.min_meetings,
        "max_talks": p.max_meetings,
        "needs_interpreter": p.needs_interpreter,
        "interpreter_language": p.interpreter_language,
        "accessibility": p.accessibility,
        "door_instruction": p.door_instruction,
        "walk_in": p.walk_in,
        "registered_at": _iso(p.created_at),
    }


async def _employer_names(session: AsyncSession, pids: list[int], candidate_id: int) -> dict[int, str]:
    """Organisation names by employer participation, for every employer of the person's events."""
    if not pids:
        return {}
    events = select(CandidateParticipation.event_id).where(CandidateParticipation.id.in_(pids))
    rows = await session.execute(
        select(EmployerParticipation.id, Organisation.name)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(EmployerParticipation.event_id.in_(events))
    )
    return {int(i): str(n) for i, n in rows.tuples()}


async def _preferences(session: AsyncSession, pids: list[int], employers: dict[int, str]) -> list[dict[str, Any]]:
    if not pids:
        return []
    rows = await session.scalars(
        select(Preference).where(Preference.candidate_participation_id.in_(pids)).order_by(Preference.id)
    )
    return [
        {
            "participation": p.candidate_participation_id,
            "employer": employers.get(p.employer_participation_id, ""),
            "side": p.side.value,
            "level": p.level,
        }
        for p in rows
    ]


async def _badges(session: AsyncSession, pids: list[int]) -> list[dict[str, Any]]:
    # The badge numbers and when they were issued; never the tokens (only their hashes are kept anyway).
    if not pids:
        return []
    token = table("person_token")
    rows = await session.execute(
        select(
            token.c.event_id, token.c.purpose, token.c.number, token.c.version, token.c.created_at, token.c.revoked_at
        )
        .where(token.c.candidate_participation_id.in_(pids))
        .order_by(token.c.id)
    )
    return [
        {
            "event": e,
            "purpose": purpose,
            "number": number,
            "version": version,
            "issued_at": _value(created),
            "revoked_at": _value(revoked),
        }
        for e, purpose, number, version, created, revoked in rows.tuples()
    ]


async def _check_ins(session: AsyncSession, pids: list[int]) -> list[dict[str, Any]]:
    if not pids:
        return []
    check_in = table("check_in")
    rows = await session.execute(
        select(check_in.c.event_id, check_in.c.at, check_in.c.method)
        .where(check_in.c.candidate_participation_id.in_(pids))
        .order_by(check_in.c.at)
    )
    return [{"event": e, "at": _value(at), "method": method} for e, at, method in rows.tuples()]


async def _planned_talks(session: AsyncSession, pids: list[int], employers: dict[int, str]) -> list[dict[str, Any]]:
    """The talks of the newest published programme of each of the person's events."""
    if not pids:
        return []
    version, meeting = table("schedule_version"), table("meeting")
    newest = (
        select(version.c.event_id, version.c.id.label("version_id"))
        .where(version.c.status == "published")
        .order_by(version.c.event_id, version.c.published_at.desc(), version.c.number.desc())
    )
    seen: dict[int, int] = {}
    for event_id, version_id in (await session.execute(newest)).tuples():
        seen.setdefault(int(event_id), int(version_id))
    if not seen:
        return []
    rows = await session.execute(
        select(meeting.c.version_id, meeting.c.round, meeting.c.table, meeting.c.employer_participation_id)
        .where(meeting.c.candidate_participation_id.in_(pids), meeting.c.version_id.in_(list(seen.values())))
        .order_by(meeting.c.round)
    )
    events_of = {v: e for e, v in seen.items()}
    return [
        {"event": events_of[v], "round": r, "table": t, "employer": employers.get(emp, "")}
        for v, r, t, emp in rows.tuples()
    ]


async def _talks_held(session: AsyncSession, pids: list[int], employers: dict[int, str]) -> list[dict[str, Any]]:
    if not pids:
        return []
    talk = table("held_talk")
    rows = await session.execute(
        select(
            talk.c.id,
            talk.c.event_id,
            talk.c.employer_participation_id,
            talk.c.round,
            talk.c.planned,
            talk.c.at,
            talk.c.follow_up,
            talk.c.note,
        )
        .where(talk.c.candidate_participation_id.in_(pids))
        .order_by(talk.c.at)
    )
    return [
        {
            "id": i,
            "event": e,
            "employer": employers.get(emp, ""),
            "round": r,
            "planned": planned,
            "at": _value(at),
            "employer_follow_up": follow,
            "employer_note": note,
        }
        for i, e, emp, r, planned, at, follow, note in rows.tuples()
    ]


async def _user_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    ids.discard(0)
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {int(i): str(n) for i, n in rows.tuples()}


async def _outcomes(session: AsyncSession, candidate_id: int) -> list[dict[str, Any]]:
    outcomes = list(
        await session.scalars(select(Outcome).where(Outcome.candidate_id == candidate_id).order_by(Outcome.id))
    )
    if not outcomes:
        return []
    changes: dict[int, list[OutcomeChange]] = defaultdict(list)
    for change in await session.scalars(
        select(OutcomeChange)
        .where(OutcomeChange.outcome_id.in_([o.id for o in outcomes]))
        .order_by(OutcomeChange.at, OutcomeChange.id)
    ):
        changes[change.outcome_id].append(change)
    organisations = {
        int(i): str(n)
        for i, n in (
            await session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_({o.organisation_id for o in outcomes if o.organisation_id})
                )
            )
        ).tuples()
    }
    names = await _user_names(session, {c.by_user_id for cs in changes.values() for c in cs if c.by_user_id} | {0})
    return [
        {
            "id": o.id,
            "event": o.event_id,
            "employer": organisations.get(o.organisation_id or 0),
            "kind": o.kind.value,
            "status": o.status.value,
            "start_date": _iso(o.start_date),
            "end_date": _iso(o.end_date),
            "contract_type": _value(o.contract_type),
            "contract_months": o.contract_months,
            "hours_per_week": o.hours_per_week,
            "stop_reason": _value(o.stop_reason),
            "leaves_benefits": o.leaves_benefits,
            "note": o.note,
            "history": [
                {
                    "at": _iso(c.at),
                    "by": names.get(c.by_user_id or 0, ""),
                    "role": c.by_role,
                    "action": c.action,
                    "changes": c.changes,
                }
                for c in changes[o.id]
            ],
        }
        for o in outcomes
    ]


async def _follow_ups(session: AsyncSession, pids: list[int]) -> list[dict[str, Any]]:
    if not pids:
        return []
    rows = await session.scalars(
        select(FollowUpCheck).where(FollowUpCheck.candidate_participation_id.in_(pids)).order_by(FollowUpCheck.done_at)
    )
    return [
        {"participation": f.candidate_participation_id, "months": f.months, "done_at": _iso(f.done_at), "note": f.note}
        for f in rows
    ]


async def _evaluations(session: AsyncSession, pids: list[int]) -> list[dict[str, Any]]:
    if not pids:
        return []
    rows = await session.scalars(
        select(Evaluation).where(Evaluation.candidate_participation_id.in_(pids)).order_by(Evaluation.id)
    )
    return [
        {"event": e.event_id, "answered_at": _iso(e.answered_at), "answers": e.answers, "comment": e.comment}
        for e in rows
    ]


async def _emails(session: AsyncSession, pids: list[int], email: str | None) -> list[dict[str, Any]]:
    """Messages to the person or about them (to a coach): subject, date and state; bodies are not kept once
    sent (events.platform.outbox)."""
    about: list[ColumnElement[bool]] = [OutboxMessage.candidate_participation_id.in_(pids)] if pids else []
    if email:
        about.append(OutboxMessage.to_address == email)
    if not about:
        return []
    rows = await session.scalars(select(OutboxMessage).where(or_(*about)).order_by(OutboxMessage.id))
    return [
        {
            "kind": m.kind,
            "to": m.to_address if m.to_address == email else m.to_name or "coach",
            "subject": m.subject,
            "queued_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
            "status": m.status.value,
        }
        for m in rows
    ]


def audit_about(candidate_id: int, pids: list[int]) -> Any:
    """The audit entries about a person: those naming them, and those about one of their participations."""
    clauses = [AuditEntry.candidate_id == candidate_id]
    if pids:
        clauses.append((AuditEntry.object_type == "candidate_participation") & AuditEntry.object_id.in_(pids))
    return or_(*clauses)


async def _audit(session: AsyncSession, candidate_id: int, pids: list[int]) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(audit_about(candidate_id, pids))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "at": _iso(entry.at),
            "who": name or "",
            "role": entry.actor_role,
            "action": entry.action,
            "record": f"{entry.object_type} {entry.object_id}" if entry.object_id is not None else entry.object_type,
            "detail": entry.detail,
        }
        for entry, name in rows.tuples()
    ]


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
