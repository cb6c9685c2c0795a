"""The employer's side of the follow-up: the talks held at its tables, the talks planned there, and its report of
what came of a talk (a proposal the candidate's coach confirms or declines, events.followup.services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import by_round, held_talks
from events.followup.models import Outcome, OutcomeChange, OutcomeStatus
from events.followup.services import STARTS, DbId, plain
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, CandidateParticipation, Event, PathwayKind, Role
from events.platform.services import EventService, audit, candidate_short_names

# What an employer can report after a talk: an invitation for a second interview, or a place offered.
PROPOSABLE = (PathwayKind.SECOND_INTERVIEW, *STARTS)
# Outcomes that still count (or will, once confirmed); withdrawn and declined ones are history only.
LIVE_STATUSES = (OutcomeStatus.PROPOSED, OutcomeStatus.CONFIRMED)


class ProposalInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an employer reports after a talk: "invited for a second interview", "offered a place"."""

    held_talk_id: DbId
    kind: PathwayKind
    start_date: dt.date | None = None
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


async def employer_talks(session: AsyncSession, user: CurrentUser, event: Event) -> list[dict[str, Any]]:
    """The talks held at this employer's tables at ``event``, each with its follow-up answer and the
    outcomes the employer proposed (their state only: whatever a coach wrote stays with the coach)."""
    if user.role is not Role.EMPLOYER:
        raise NotFoundError("talks")
    own = user.organisation_id or -1
    talks = by_round([t for t in await held_talks(session, events=[event.id]) if t.organisation_id == own])
    proposals: dict[int, list[Outcome]] = {}
    ids = [t.id for t in talks]
    if ids:
        for outcome in await session.scalars(
            select(Outcome)
            .where(Outcome.held_talk_id.in_(ids), Outcome.proposed_by_id.is_not(None))
            .order_by(Outcome.id)
        ):
            if outcome.held_talk_id is not None:
                proposals.setdefault(outcome.held_talk_id, []).append(outcome)
    # The candidate as every page of the event shows them (erased people are left out: a dash).
    names = await candidate_short_names(session, event.id)
    return [
        {
            "id": t.id,
            "round": t.round,
            "follow_up": t.follow_up,
            "note": t.note,
            "name": names.get(t.candidate_participation_id, "—"),
            "proposals": proposals.get(t.id, []),
        }
        for t in talks
    ]


@dataclass(frozen=True)
class PlannedTalk:
    """A talk planned at one of the employer's tables: the table and the candidate's anonymised name (None for
    a candidate whose card the employer may not see)."""

    table: int
    candidate: str | None


async def planned_talks(session: AsyncSession, user: CurrentUser, event: Event) -> dict[int, list[PlannedTalk]] | None:
    """The talks the published programme plans at this employer's tables, by round; None when no programme is
    published yet."""
    from schedule import briefing  # the schedule slice reads its own versions

    if user.role is not Role.EMPLOYER:
        raise NotFoundError("talks")
    found: dict[int, list[PlannedTalk]] | None = None
    for employer in await EventService(session, user).employers(event):
        pack = await briefing.briefing(session, user, event, employer.id)
        if pack.version is None:
            continue
        found = found or {}
        for number, talks in pack.talks.items():
            found.setdefault(number, []).extend(
                PlannedTalk(t.table, t.card.display_name if t.card else None) for t in talks
            )
    return found


async def propose(session: AsyncSession, user: CurrentUser, data: ProposalInput, *, event_id: int) -> Outcome:
    """An employer reports what came of a talk at its table; the candidate's coach confirms it."""
    if user.role is not Role.EMPLOYER:
        raise NotFoundError("talk")
    talks = await held_talks(session, ids=[data.held_talk_id], events=[event_id])
    candidate_id = None
    if talks and talks[0].organisation_id == (user.organisation_id or -1):
        candidate_id = await session.scalar(
            select(CandidateParticipation.candidate_id)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(CandidateParticipation.id == talks[0].candidate_participation_id, Candidate.erased_at.is_(None))
        )
    if candidate_id is None:
        raise NotFoundError("talk")
    if data.kind not in PROPOSABLE:
        raise DomainError("invalid_kind", _("Choose what you offered the candidate."), "kind")
    organisation_id = talks[0].organisation_id
    # Only the employer's own earlier reports count as a repeat: what a coach logged stays with the coach.
    already = await session.scalar(
        select(Outcome.id).where(
            Outcome.held_talk_id == data.held_talk_id,
            Outcome.kind == data.kind,
            Outcome.status.in_(LIVE_STATUSES),
            Outcome.proposed_by_id.is_not(None),
        )
    )
    if already is not None:
        raise ConflictError("already_reported", _("This has already been reported for this talk."), "kind")
    outcome = Outcome(
        candidate_id=candidate_id,
        event_id=event_id,
        held_talk_id=data.held_talk_id,
        organisation_id=organisation_id,
        kind=data.kind,
        status=OutcomeStatus.PROPOSED,
        start_date=data.start_date,
        note=data.note.strip(),
        proposed_by_id=user.id,
        logged_by_id=user.id,
    )
    session.add(outcome)
    await session.flush()
    changes = {k: [None, plain(getattr(outcome, k))] for k in ("kind", "start_date", "note") if getattr(outcome, k)}
    session.add(
        OutcomeChange(
            outcome_id=outcome.id, by_user_id=user.id, by_role=user.role.value, action="proposed", changes=changes
        )
    )
    await session.flush()
    await audit(session, user, "propose", "outcome", outcome.id, candidate_id=candidate_id)
    return outcome
