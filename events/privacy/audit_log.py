"""Reading the audit log: the organisers' viewer (filtered by person, actor and action, newest first, in pages),
and one person's recent entries ("who looked at this data") for the candidate page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import AuditEntry, Candidate, CandidateParticipation, Enrolment, Role, User
from events.platform.reach import audit_reach, candidate_reach, enrolment_reach
from events.privacy.records import audit_about

PAGE_SIZE = 50
RECENT = 10
# Reading and changing a person's record, as the candidate page lists them ("who looked at this data").
READ_ACTIONS = ("read_sensitive", "export")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    object_type: str
    object_id: int | None
    candidate_id: int | None
    candidate_name: str

    @property
    def record(self) -> str:
        return f"{self.object_type} {self.object_id}" if self.object_id is not None else self.object_type


@dataclass(frozen=True)
class AuditFilter:
    candidate_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int
    actions: list[str]
    actors: list[tuple[int, str, str]]  # (id, name, role)


def _rows(found: Any) -> list[AuditRow]:
    return [
        AuditRow(
            e.id,
            e.at,
            e.actor_id,
            actor or "",
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.candidate_id,
            " ".join(x for x in (first, last) if x),
        )
        for e, actor, first, last in found
    ]


def _select() -> Any:
    return (
        select(AuditEntry, User.name, Candidate.first_name, Candidate.last_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Candidate, Candidate.id == AuditEntry.candidate_id)
    )


async def entries(session: AsyncSession, user: CurrentUser, wanted: AuditFilter) -> AuditPage:
    """One page of the audit log, newest first, of what the organiser may read. Organisers only (the route's
    guard says so too)."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("audit")
    where = [audit_reach(user)]
    if wanted.candidate_id is not None:
        pids = list(
            await session.scalars(
                select(CandidateParticipation.id).where(CandidateParticipation.candidate_id == wanted.candidate_id)
            )
        )
        where.append(audit_about(wanted.candidate_id, pids))
    if wanted.actor_id is not None:
        where.append(AuditEntry.actor_id == wanted.actor_id)
    if wanted.action:
        where.append(AuditEntry.action == wanted.action)
    total = int(await session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    found = await session.execute(
        _select()
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    actions = sorted(await session.scalars(select(AuditEntry.action).where(where[0]).distinct()))
    actors = (
        await session.execute(
            select(User.id, User.name, User.role)
            .where(User.id.in_(select(AuditEntry.actor_id).where(audit_reach(user)).distinct()))
            .order_by(User.name)
        )
    ).tuples()
    return AuditPage(_rows(found.tuples()), page, pages, total, actions, [(i, n, r.value) for i, n, r in actors])


async def recent_access(session: AsyncSession, user: CurrentUser, candidate_id: int) -> list[AuditRow]:
    """The newest reads and changes of one person's data, for organisers and the person's own coaches (who
    answer the person's question "who has looked at my data?"). Anyone else: not found."""
    if user.role not in (Role.COACH, Role.ORGANISER):
        raise NotFoundError("candidate")
    reached = select(Candidate.id).where(Candidate.id == candidate_id, candidate_reach(user))
    if await session.scalar(reached) is None:
        raise NotFoundError("candidate")
    pids = list(
        await session.scalars(
            select(CandidateParticipation.id).where(CandidateParticipation.candidate_id == candidate_id)
        )
    )
    about = audit_about(candidate_id, pids)
    if user.role is Role.ORGANISER:
        about = and_(about, audit_reach(user))  # another organisation's person: what its own accounts did
    # What happened in a trajectory (the intake, the stages, reads of criminal-justice data) only for those who
    # reach the enrolment: a professional the case is shared with does not learn that such data exists.
    reached_enrolments = select(Enrolment.id).where(Enrolment.candidate_id == candidate_id, enrolment_reach(user))
    about = and_(about, or_(AuditEntry.object_type != "enrolment", AuditEntry.object_id.in_(reached_enrolments)))
    if user.role is Role.ORGANISER and not user.reads_justice:
        about = and_(about, AuditEntry.action.not_in(("read_justice", "update_justice")))
    found = await session.execute(
        _select().where(about).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(RECENT)
    )
    return _rows(found.tuples())
