"""Scans on the day: a badge scanned at the door checks its holder in, a badge scanned at an employer's
table logs the talk. Every answer carries a machine `code` and a readable message.

Repeat-safe by construction:
- the scanner's nonce is claimed first (a unique row per account and nonce), so a repeated or concurrent
  request with the same nonce waits for the first one and gets its stored answer back;
- a check-in is an insert that does nothing when the holder is already in (a unique row per event and
  holder), so a badge scanned at two entrances at once checks in once and the other scan says when.
No step reads and then writes on what it read without a unique index deciding, so this holds across
processes, on SQLite (one writer at a time) and PostgreSQL (read committed) alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day.door import door_holder, may_check_in, person_at_door, record_check_in
from badges.models import CheckInMethod, FollowUp, HeldTalk, HolderKind, PersonToken, Scan, TokenPurpose
from badges.people import Resolved, resolve
from badges.schedules import published_meetings
from events.platform import dates
from events.platform.db import dialect_insert, utcnow
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.labels import format_date
from events.platform.models import (
    EVENT_TZ,
    EmployerParticipation,
    Event,
    Role,
)
from events.platform.reach import in_own_organisation
from events.platform.services import event_ref_clause


class ScanKind(StrEnum):
    CHECKIN = "checkin"
    MEETING = "meeting"


class Code(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    MEETING_LOGGED = "meeting_logged"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    WRONG_EVENT = "wrong_event"
    NOT_ALLOWED = "not_allowed"
    NOT_TODAY = "not_today"


# Codes that count against a device's allowance of failed scans (a guesser's signature); good scans never do.
FAILED = frozenset({Code.UNKNOWN, Code.REVOKED})
OK = frozenset({Code.CHECKED_IN, Code.ALREADY_CHECKED_IN, Code.MEETING_LOGGED})
MAX_NONCE = 64
# How far a scanner's own clock may be believed for a scan synced after being offline.
OFFLINE_HORIZON = dt.timedelta(hours=18)


@dataclass(frozen=True, slots=True)
class ScanRequest:
    token: str
    nonce: str
    kind: ScanKind
    event: str | None = None
    device: str = ""
    # The scanner's clock when the badge was scanned, for a scan queued while offline.
    scanned_at: dt.datetime | None = None
    # The badge code was typed rather than scanned.
    typed: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The answer, and for the live dashboard the event it concerns and what changed (None: nothing)."""

    answer: dict[str, Any]
    event_id: int | None = None
    change: dict[str, Any] | None = None


def _local_time(moment: dt.datetime) -> str:
    return moment.astimezone(EVENT_TZ).strftime("%H:%M")


async def _earlier_answer(session: AsyncSession, user: CurrentUser, nonce: str) -> dict[str, Any] | None:
    """The answer given to this account's scan with this nonce, if there was one."""
    answer = await session.scalar(select(Scan.answer).where(Scan.user_id == user.id, Scan.nonce == nonce))
    if answer is None:
        return None
    repeated = dict(answer)
    repeated["repeated"] = True
    return repeated


async def _store(session: AsyncSession, user: CurrentUser, request: ScanRequest, answer: dict[str, Any]) -> bool:
    """Keep the answer under the nonce; False when a concurrent request with the same nonce kept its answer
    first (this request's own writes then changed nothing: they are the same inserts, done already)."""
    stored = await session.scalar(
        dialect_insert(session, Scan)
        .values(
            user_id=user.id,
            nonce=request.nonce,
            kind=request.kind.value,
            code=answer["code"],
            device=request.device,
            answer=answer,
            event_id=answer.get("event", {}).get("id"),
            at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "nonce"])
        .returning(Scan.id)
    )
    return stored is not None


def _answer(code: Code, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code.value, "ok": code in OK, "message": message, **extra}


def _event_summary(event: Event) -> dict[str, Any]:
    return {"id": event.id, "slug": event.slug, "name": event.name}


async def scan(session: AsyncSession, user: CurrentUser, request: ScanRequest) -> ScanResult:
    """Answer one scan; the caller commits (and then tells the dashboard). A repeat of a nonce returns the
    first answer unchanged.

    Every write here is an insert that a unique index decides (the check-in, the held talk, the nonce's
    answer), so two requests with the same nonce at once do the same work once: the second one's inserts
    find the first one's rows, and it returns the answer the first one stored."""
    if not request.nonce or len(request.nonce) > MAX_NONCE:
        raise DomainError("invalid", _t("Give a nonce of 1 to 64 characters."), field="nonce")
    earlier = await _earlier_answer(session, user, request.nonce)
    if earlier is not None:
        return ScanResult(earlier)
    answer, event_id, change = await _decide(session, user, request)
    if not await _store(session, user, request, answer):
        first = await _earlier_answer(session, user, request.nonce)
        assert first is not None  # noqa: S101 - the insert conflicted with it
        return ScanResult(first)
    return ScanResult(answer, event_id, change)


async def _decide(
    session: AsyncSession, user: CurrentUser, request: ScanRequest
) -> tuple[dict[str, Any], int | None, dict[str, Any] | None]:
    """(the answer, the event it concerns, what changed for the live dashboard)."""
    found = await _by_number(session, request) or await resolve(session, TokenPurpose.BADGE, request.token)
    if found.state == "unknown" or found.row is None:
        return _answer(Code.UNKNOWN, _t("Unknown badge. Check the code or send the person to the desk.")), None, None
    row = found.row
    event = await session.get(Event, row.event_id)
    if event is None:  # pragma: no cover - the token row cascades with its event
        return _answer(Code.UNKNOWN, _t("Unknown badge. Check the code or send the person to the desk.")), None, None
    if request.event is not None and request.event not in (event.slug, str(event.id)):
        return (
            _answer(
                Code.WRONG_EVENT,
                _t("This badge is for another event: %(name)s.", name=event.name),
                event=_event_summary(event),
            ),
            None,
            None,
        )
    if found.state == "revoked":
        return (
            _answer(
                Code.REVOKED,
                _t("This badge was replaced by a new one and no longer works. Send the person to the desk."),
                event=_event_summary(event),
            ),
            event.id,
            None,
        )
    # Judged by the moment of the scan: a scan queued offline before midnight and sent after it still counts.
    moment = _arrival_time(request)
    if not event.door_open(dates.local_day(moment)):
        return _answer(Code.NOT_TODAY, _not_today(event, moment), event=_event_summary(event)), event.id, None
    if request.kind is ScanKind.CHECKIN:
        return await _check_in(session, user, request, event, row, moment)
    return await _meeting(session, user, event, row)


def _not_today(event: Event, moment: dt.datetime) -> str:
    when = format_date(event.date)
    if event.date < dates.local_day(moment):
        return _t(
            "%(name)s was on %(date)s. Scans are accepted on the day of the event only.", name=event.name, date=when
        )
    return _t(
        "%(name)s is on %(date)s. Scans are accepted on that day only, or earlier when an organiser opens the door"
        " for a rehearsal.",
        name=event.name,
        date=when,
    )


async def _by_number(session: AsyncSession, request: ScanRequest) -> Resolved | None:
    """A typed badge number (the large number printed on the badge) at a chosen event: its live badge."""
    text = request.token.strip().lstrip("#")
    if not (request.typed and request.event and text.isascii() and text.isdigit() and len(text) <= 6):
        return None
    event_id = await session.scalar(select(Event.id).where(event_ref_clause(request.event)).limit(1))
    row = await session.scalar(
        select(PersonToken).where(
            PersonToken.event_id == event_id,
            PersonToken.purpose == TokenPurpose.BADGE,
            PersonToken.number == int(text),
            PersonToken.revoked_at.is_(None),
        )
    )
    return Resolved("ok", row) if row is not None else Resolved("unknown")


def _refused(event: Event, message: str) -> tuple[dict[str, Any], int | None, None]:
    return _answer(Code.NOT_ALLOWED, message, event=_event_summary(event)), event.id, None


def _arrival_time(request: ScanRequest) -> dt.datetime:
    """Now, or the scanner's clock for a scan that waited offline (believed only within reason)."""
    now = utcnow()
    at = request.scanned_at
    if at is None or at.tzinfo is None or at > now or now - at > OFFLINE_HORIZON:
        return now
    return at


async def _check_in(
    session: AsyncSession, user: CurrentUser, request: ScanRequest, event: Event, row: PersonToken, at: dt.datetime
) -> tuple[dict[str, Any], int | None, dict[str, Any] | None]:
    if not may_check_in(user, event, dates.local_day(at)):
        return _refused(event, _t("Your account does not check people in at this event."))
    found = await door_holder(session, event, row)
    if found is None:
        return _refused(event, _t("This person is no longer registered for the event. Send them to the desk."))
    holder, instruction = found
    method = CheckInMethod.SCAN
    if request.scanned_at is not None:
        method = CheckInMethod.OFFLINE
    elif request.typed:
        method = CheckInMethod.TYPED
    done, since = await record_check_in(session, event, holder, by=user, method=method, at=at, device=request.device)
    person = person_at_door(holder, row.number, instruction)
    extra = {"event": _event_summary(event), "person": person, "checked_in_at": since.isoformat()}
    if not done:
        message = _t("%(name)s is already checked in, since %(time)s.", name=holder.first_name, time=_local_time(since))
        return _answer(Code.ALREADY_CHECKED_IN, message, **extra), event.id, None
    message = _t("Welcome, %(name)s! Checked in.", name=holder.first_name)
    change = {"type": "check_in", "holder": holder.token_subject, "kind": holder.kind.value, "at": since.isoformat()}
    return _answer(Code.CHECKED_IN, message, **extra), event.id, change


async def employer_at(session: AsyncSession, user: CurrentUser, event: Event) -> EmployerParticipation | None:
    """The employer participation an employer account sits at in this event, if any."""
    if user.role is not Role.EMPLOYER or user.organisation_id is None:
        return None
    found: EmployerParticipation | None = await session.scalar(
        select(EmployerParticipation).where(
            EmployerParticipation.taking_part(event.id),
            EmployerParticipation.organisation_id == user.organisation_id,
        )
    )
    return found


async def _meeting(
    session: AsyncSession, user: CurrentUser, event: Event, row: PersonToken
) -> tuple[dict[str, Any], int | None, dict[str, Any] | None]:
    employer = await employer_at(session, user, event)
    if employer is None:
        return _refused(event, _t("Only an employer taking part in this event logs talks by scanning."))
    if row.holder_kind is not HolderKind.CANDIDATE or row.candidate_participation_id is None:
        return _refused(event, _t("This is not a candidate's badge; scan the candidate's badge to log a talk."))
    found = await door_holder(session, event, row)
    if found is None:
        return _refused(event, _t("This badge cannot log a talk. Ask the organiser."))
    holder = found[0]
    _, theirs = await published_meetings(session, event, candidates=[holder.id])
    planned = [m for m in theirs if m.employer_participation_id == employer.id]
    talk_round = planned[0].round if planned else None
    now = utcnow()
    await session.execute(
        dialect_insert(session, HeldTalk)
        .values(
            event_id=event.id,
            candidate_participation_id=holder.id,
            employer_participation_id=employer.id,
            round=talk_round,
            planned=bool(planned),
            at=now,
            by_user_id=user.id,
            source="scan",
            note="",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["event_id", "candidate_participation_id", "employer_participation_id"])
    )
    talk = await session.scalar(
        select(HeldTalk).where(
            HeldTalk.event_id == event.id,
            HeldTalk.candidate_participation_id == holder.id,
            HeldTalk.employer_participation_id == employer.id,
        )
    )
    assert talk is not None  # noqa: S101 - inserted or already there
    # Whoever sits at a table is here: a candidate who walked past the door is checked in now.
    arrived, _ = await record_check_in(session, event, holder, by=user, method=CheckInMethod.SCAN, at=now)
    talk_info: dict[str, Any] = {
        "id": talk.id,
        "planned": talk.planned,
        "round": talk.round,
        "follow_up": talk.follow_up.value if talk.follow_up else None,
    }
    extra: dict[str, Any] = {"event": _event_summary(event), "talk": talk_info}
    if talk.planned:
        # The employer knows whom it planned to meet; for anyone else the scan reveals nothing about them.
        extra["person"] = {"first_name": holder.first_name, "role": holder.kind.value}
        message = _t("Talk with %(name)s (round %(round)s) logged.", name=holder.first_name, round=talk.round)
    else:
        message = _t("Talk logged. It was not in your programme.")
    change = {"type": "talk", "employer": employer.id, "planned": talk.planned}
    if arrived:
        change = {"type": "check_in", "holder": holder.token_subject, "kind": holder.kind.value, "at": now.isoformat()}
    return _answer(Code.MEETING_LOGGED, message, **extra), event.id, change


MAX_NOTE = 1000


async def set_follow_up(
    session: AsyncSession, user: CurrentUser, talk_id: int, follow_up: str | None, note: str | None
) -> HeldTalk:
    """The employer's quick answer after a talk: follow-up yes / maybe / no, and an optional short note that
    only organisers and the candidate's coaches read. Only the employer of the talk (or an organiser)."""
    talk = await session.get(HeldTalk, talk_id)
    if talk is None:
        raise NotFoundError("talk")
    if user.role is Role.ORGANISER:
        # An organiser of the organisation whose event it was.
        event = await session.get(Event, talk.event_id)
        if event is None or not in_own_organisation(user, event):
            raise NotFoundError("talk")
    else:
        employer = await session.get(EmployerParticipation, talk.employer_participation_id)
        if user.role is not Role.EMPLOYER or employer is None or employer.organisation_id != user.organisation_id:
            raise NotFoundError("talk")
    if follow_up is not None:
        try:
            talk.follow_up = FollowUp(follow_up) if follow_up else None
        except ValueError:
            raise DomainError("invalid", _t("Answer yes, maybe or no."), field="follow_up") from None
    if note is not None:
        if len(note) > MAX_NOTE:
            raise DomainError("invalid", _t("Keep the note under %(count)s characters.", count=MAX_NOTE), field="note")
        talk.note = note.strip()
    await session.flush()
    return talk
