"""Services of the events slice. Each takes the request's session and the current user, checks
object-level access (out of reach answers exactly like missing), does the work and flushes; the
caller's transaction commits (the SQLAlchemy plugin for requests, the CLI explicitly).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import anyio
from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import dates, twofactor
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import (
    AppSetting,
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.names import short_names
from events.platform.reach import candidate_reach, coached_by, event_reach, organisation_of, reads_confidential
from events.platform.security import verify_password

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KEY_FINGERPRINT = "secret_key_fingerprint"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str, field: str = "email") -> str:
    """A normalised e-mail address, or a DomainError naming the field."""
    value = normalise_email(email)
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise DomainError("invalid_email", f"{email!r} is not a valid e-mail address", field)
    return value


# --- audit ---------------------------------------------------------------------------------------


async def audit(
    session: AsyncSession,
    actor: CurrentUser | None,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    candidate_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry in the caller's transaction."""
    if actor is not None and not actor.id:
        actor = None  # the command line on an installation without an organiser yet (id 0): "system"
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_role=actor.role.value if actor else "system",
            action=action,
            object_type=object_type,
            object_id=object_id,
            candidate_id=candidate_id,
            detail=detail or {},
        )
    )
    await session.flush()


# --- installation --------------------------------------------------------------------------------


class KeyMismatchError(Exception):
    """The secret key is not the one this database was set up with."""


async def check_key_fingerprint(session: AsyncSession, fingerprint: str) -> None:
    """Remember the key's fingerprint on first use; refuse another key later."""
    stored = await session.get(AppSetting, KEY_FINGERPRINT)
    if stored is None:
        session.add(AppSetting(key=KEY_FINGERPRINT, value=fingerprint))
        await session.flush()
    elif stored.value != fingerprint:
        msg = (
            "the secret key does not match the one this database was set up with "
            "(check MEETMATCH_SECRET_KEY or <MEETMATCH_DATA_DIR>/secret.key); refusing to start, "
            "because badges, sessions and encrypted fields depend on it"
        )
        raise KeyMismatchError(msg)


# --- accounts ------------------------------------------------------------------------------------


def to_current_user(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        organisation_id=user.organisation_id,
        event_id=user.event_id,
        locale=user.locale,
        reads_justice=user.reads_justice,
    )


async def may_log_in(session: AsyncSession, user: User) -> bool:
    """An account logs in while it and its organisation (if it has one) are active."""
    if not user.is_active:
        return False
    if user.organisation_id is None:
        return True
    return bool(await session.scalar(select(Organisation.is_active).where(Organisation.id == user.organisation_id)))


async def load_active_user(session: AsyncSession, user_id: int) -> CurrentUser | None:
    """The session's user, while they may log in. A role that needs two-factor login without it set up (an
    organiser made of a door account, a second factor reset) ends the session: the next login sets it up."""
    user = await session.get(User, user_id)
    if user is None or not await may_log_in(session, user):
        return None
    if twofactor.required_for(user.role) and not twofactor.is_on(user):
        return None
    return to_current_user(user)


async def system_user(session: AsyncSession) -> CurrentUser:
    """Who the CLI and background jobs act as: the whole installation (``everywhere``), recorded in the audit
    log as the first active organiser, else as "system" (id 0)."""
    organiser = await session.scalar(
        select(User).where(User.role == Role.ORGANISER, User.is_active.is_(True)).order_by(User.id).limit(1)
    )
    if organiser is not None:
        return replace(to_current_user(organiser), everywhere=True)
    return CurrentUser(
        id=0,
        email="",
        name="meetmatch",
        role=Role.ORGANISER,
        organisation_id=None,
        event_id=None,
        locale="nl",
        everywhere=True,
    )


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (the same time either way)."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    # argon2 takes tens of milliseconds of CPU: off the event loop, so scans keep flowing meanwhile.
    ok = await anyio.to_thread.run_sync(verify_password, user.password_hash if user else None, password)
    if user is None or not ok or not await may_log_in(session, user):
        return None
    user.last_login_at = dt.datetime.now(dt.UTC)
    await session.flush()
    return user


async def set_locale(session: AsyncSession, user: CurrentUser, language: str) -> None:
    row = await session.get(User, user.id)
    if row is not None:
        row.locale = language
        await session.flush()


# --- events --------------------------------------------------------------------------------------


def event_ref_clause(ref: str | int) -> ColumnElement[bool]:
    """Match an event by id or slug (every CLI command takes either)."""
    text = str(ref).strip()
    if "\x00" in text:
        # No event's address holds a NUL (and PostgreSQL refuses to compare one): missing, on every database.
        return false()
    # ASCII digits only ("²".isdigit() is true) and within the id column's range.
    if re.fullmatch(r"[0-9]{1,9}", text):
        return or_(Event.id == int(text), Event.slug == text)
    return Event.slug == text


async def candidate_short_names(session: AsyncSession, event_id: int) -> dict[int, str]:
    """Every candidate of the event, by participation (any status, so a name on an older print or version
    stays the same), as first name and surname initial, unique within the event (events.platform.names); people whose
    data was erased are left out."""
    rows = await session.execute(
        select(CandidateParticipation.id, Candidate.first_name, Candidate.last_name)
        .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
        .where(CandidateParticipation.event_id == event_id, Candidate.erased_at.is_(None))
    )
    return short_names({pid: (first, last) for pid, first, last in rows.tuples()})


async def employer_names(session: AsyncSession, *where: ColumnElement[bool]) -> dict[int, str]:
    """The employer participations that match ``where``, by id, as their organisation's name."""
    rows = await session.execute(
        select(EmployerParticipation.id, Organisation.name)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(*where)
    )
    return {int(pid): str(name) for pid, name in rows.tuples()}


async def find_event(session: AsyncSession, ref: str | int) -> Event:
    """The event with this id or slug; NotFoundError names what was asked for."""
    event = await session.scalar(select(Event).where(event_ref_clause(ref)).order_by(Event.id).limit(1))
    if event is None:
        raise NotFoundError(f"event {ref!r}")
    return event


@dataclass(frozen=True)
class EventFigures:
    employers: int
    candidates: int
    tables: int
    seats_per_round: int


class EventService:
    """Events as each role may see them."""

    def __init__(self, session: AsyncSession, user: CurrentUser) -> None:
        self.session = session
        self.user = user

    def _visible(self, query: Select[Any]) -> Select[Any]:
        user = self.user
        if user.everywhere or user.role is Role.ORGANISER:
            return query.where(event_reach(user))
        if user.role is Role.EMPLOYER:
            mine = select(EmployerParticipation.event_id).where(
                EmployerParticipation.organisation_id == (user.organisation_id or -1)
            )
            return query.where(Event.id.in_(mine))
        if user.role is Role.COACH:
            # A coach sees the events their candidates are signed up for, and the open events of their organisation
            # and of those it was invited into, to sign them up for.
            return query.where(event_reach(user), Event.archived_at.is_(None))
        if user.role is not Role.DOOR:
            return query.where(false())
        # Door staff work an event of their organisation on its day only (or on the day an organiser opened its
        # door early for a rehearsal), and only the event their account is tied to, if it is tied to one.
        query = query.where(
            Event.door_open_clause(dates.today()),
            Event.archived_at.is_(None),
            Event.organisation_id == organisation_of(user),
        )
        if user.event_id is not None:
            return query.where(Event.id == user.event_id)
        return query

    async def list(self) -> Sequence[Event]:
        """Events this user may see, the next one first."""
        query = self._visible(select(Event)).order_by(Event.date.desc(), Event.id.desc())
        return (await self.session.scalars(query)).all()

    async def outside_reach(self, event_ids: Select[tuple[int]]) -> Sequence[Event]:
        """The events among ``event_ids`` (a query of ids) that this user may not see."""
        query = select(Event).where(Event.id.in_(event_ids), Event.id.not_in(self._visible(select(Event.id))))
        return (await self.session.scalars(query.order_by(Event.id))).all()

    async def get(self, ref: str | int) -> Event:
        event: Event | None = await self.session.scalar(
            self._visible(select(Event).where(event_ref_clause(ref))).limit(1)
        )
        if event is None:
            raise NotFoundError("event")
        return event

    async def figures(self, events: Sequence[Event]) -> dict[int, EventFigures]:
        """Employers, active candidates and capacity per event, in two queries."""
        ids = [e.id for e in events]
        if not ids:
            return {}
        employer_rows = await self.session.execute(
            select(
                EmployerParticipation.event_id,
                func.count(),
                func.sum(EmployerParticipation.tables),
                func.sum(EmployerParticipation.tables * EmployerParticipation.seats),
            )
            .where(EmployerParticipation.event_id.in_(ids), EmployerParticipation.status == "confirmed")
            .group_by(EmployerParticipation.event_id)
        )
        employers = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in employer_rows}
        candidate_query = (
            select(CandidateParticipation.event_id, func.count())
            .where(
                CandidateParticipation.event_id.in_(ids),
                CandidateParticipation.status != ParticipationStatus.CANCELLED,
            )
            .group_by(CandidateParticipation.event_id)
        )
        if self.user.role is Role.COACH:
            candidate_query = candidate_query.where(CandidateParticipation.candidate_id.in_(self._my_candidates()))
        candidates = {row[0]: int(row[1]) for row in await self.session.execute(candidate_query)}
        if self.user.role is Role.EMPLOYER or self.user.role is Role.DOOR:
            candidates = {}
        return {
            i: EventFigures(
                employers=employers.get(i, (0, 0, 0))[0],
                candidates=candidates.get(i, 0),
                tables=employers.get(i, (0, 0, 0))[1],
                seats_per_round=employers.get(i, (0, 0, 0))[2],
            )
            for i in ids
        }

    def _my_candidates(self) -> Select[tuple[int]]:
        return coached_by(self.user.id)

    async def employers(self, event: Event) -> Sequence[EmployerParticipation]:
        """The event's employers; an employer sees only its own participation."""
        query = (
            select(EmployerParticipation)
            .where(EmployerParticipation.event_id == event.id)
            .options(
                selectinload(EmployerParticipation.organisation),
                selectinload(EmployerParticipation.openings),
                selectinload(EmployerParticipation.contacts),
            )
            .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
            .order_by(Organisation.name)
        )
        if self.user.role is Role.EMPLOYER:
            query = query.where(EmployerParticipation.organisation_id == (self.user.organisation_id or -1))
        elif self.user.role is Role.DOOR:
            raise NotFoundError("employers")
        return (await self.session.scalars(query)).all()

    async def candidates(
        self, event: Event, *, page: int | None = None, per_page: int = 50
    ) -> Sequence[CandidateParticipation]:
        """The event's candidates: all for organisers, their own for coaches; employers and door staff get none.
        With ``page`` (from 1), that page of ``per_page`` only (`count_candidates` counts them all)."""
        query = self._candidates_query(event).options(selectinload(CandidateParticipation.candidate))
        query = query.order_by(Candidate.first_name, Candidate.last_name, Candidate.id)
        if page is not None:
            query = query.offset((page - 1) * per_page).limit(per_page)
        return (await self.session.scalars(query)).all()

    async def count_candidates(self, event: Event) -> int:
        query = self._candidates_query(event).with_only_columns(func.count()).order_by(None)
        return int(await self.session.scalar(query) or 0)

    def _candidates_query(self, event: Event) -> Select[tuple[CandidateParticipation]]:
        if self.user.role not in (Role.ORGANISER, Role.COACH):
            raise NotFoundError("candidates")
        query = (
            select(CandidateParticipation)
            .where(CandidateParticipation.event_id == event.id)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(Candidate.erased_at.is_(None))
        )
        if self.user.role is Role.COACH:
            query = query.where(CandidateParticipation.candidate_id.in_(self._my_candidates()))
        return query


def active_professionals(candidate: Candidate) -> frozenset[int]:
    """The professionals the case is shared with now (a candidate `CandidateService.get` loaded): shares not
    ended, on a consent not withdrawn."""
    withdrawn = {c.id for c in candidate.consents if c.withdrawn_at is not None}
    return frozenset(
        s.professional_id for s in candidate.shares if s.ended_at is None and s.consent_id not in withdrawn
    )


class CandidateService:
    """Candidates for their coaches and for organisers; nobody else reaches them here."""

    def __init__(self, session: AsyncSession, user: CurrentUser) -> None:
        self.session = session
        self.user = user

    def _visible(self, query: Select[Any], *, shared: bool = True) -> Select[Any]:
        return query.where(candidate_reach(self.user, shared=shared), Candidate.erased_at.is_(None))

    def visible_query(self) -> Select[tuple[Candidate]]:
        """Every candidate this user reaches (not erased), as a query to narrow further."""
        return self._visible(select(Candidate))

    async def list(self) -> Sequence[Candidate]:
        query = self._visible(select(Candidate)).order_by(Candidate.first_name, Candidate.last_name, Candidate.id)
        return (await self.session.scalars(query.options(selectinload(Candidate.coaches)))).all()

    async def get(
        self, candidate_id: int, *, sensitive: bool = False, shared: bool = False, manage: bool = False
    ) -> Candidate:
        """One candidate; reading the sensitive fields is written to the audit log. Without ``shared`` only what
        the user may manage (a professional a case is shared with reads it and adds to it, nothing more: pass
        ``shared=True`` where that is all that is done). With ``manage`` (changing the record, its coaches or
        its consents) only for whom reads the confidential fields: an organiser whose event a candidate of
        another organisation merely takes part in finds nobody."""
        query = self._visible(select(Candidate).where(Candidate.id == candidate_id), shared=shared).options(
            selectinload(Candidate.coaches).selectinload(CandidateCoach.coach),
            selectinload(Candidate.consents),
            selectinload(Candidate.shares),
        )
        candidate: Candidate | None = await self.session.scalar(query)
        if candidate is None or (manage and not self.confidential(candidate)):
            raise NotFoundError("candidate")
        if sensitive and self.confidential(candidate):
            await audit(
                self.session,
                self.user,
                "read_sensitive",
                "candidate",
                candidate.id,
                candidate_id=candidate.id,
                detail={"fields": ["target_group", "barriers", "coach_note"]},
            )
        return candidate

    def confidential(self, candidate: Candidate) -> bool:
        """Whether this user reads the candidate's confidential fields (a candidate `get` loaded): their coaches
        and the owning organisation's organisers do; an organiser whose event the candidate merely takes part in
        does not."""
        return reads_confidential(
            self.user, candidate, {link.coach_id for link in candidate.coaches}, active_professionals(candidate)
        )

    async def participations(self, candidate: Candidate) -> Sequence[CandidateParticipation]:
        query = (
            select(CandidateParticipation)
            .where(CandidateParticipation.candidate_id == candidate.id)
            .options(selectinload(CandidateParticipation.event))
            .join(Event, Event.id == CandidateParticipation.event_id)
            .order_by(Event.date.desc())
        )
        return (await self.session.scalars(query)).all()
