"""The follow-up's part of a person's data (events.platform.personal_data): outcomes with their history and their
terms over time, the checks after an event or a placement and the evaluations.

Erased, the rows stay (the event's figures count them) without what was written: the coach's notes, what a
note was changed from and to, the evaluation's comment. The follow-up needs a person's data until its last
check after an event.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.models import CHECK_MONTHS, Evaluation, FollowUpCheck, Outcome, OutcomeChange, OutcomeTerm
from events.platform.models import Organisation, User
from events.platform.personal_data import Erasing, Person, iso, plain


class FollowUpData:
    """Outcomes and their history, follow-up checks and evaluations."""

    name = "followup"
    tables = tuple(m.__tablename__ for m in (Outcome, OutcomeChange, OutcomeTerm, FollowUpCheck, Evaluation))
    months_after_event = max(CHECK_MONTHS)

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        return {
            "outcomes": await _outcomes(session, person.candidate_id),
            "follow_up_checks": await _follow_ups(session, person.participation_ids, person.candidate_id),
            "evaluations": await _evaluations(session, person.participation_ids),
        }

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        pids = person.participation_ids
        texts: list[str | None] = list(
            await session.scalars(select(Outcome.note).where(Outcome.candidate_id == person.candidate_id))
        )
        # The checks after a placement, by the person's outcomes (an event's checks: by their participations).
        texts += await session.scalars(
            select(FollowUpCheck.note).where(FollowUpCheck.outcome_id.in_(_outcome_ids(person.candidate_id)))
        )
        if pids:
            texts += await session.scalars(
                select(Evaluation.comment).where(Evaluation.candidate_participation_id.in_(pids))
            )
            texts += await session.scalars(
                select(FollowUpCheck.note).where(FollowUpCheck.candidate_participation_id.in_(pids))
            )
        return texts

    async def erase(self, erasing: Erasing) -> None:
        candidate_id, pids = erasing.person.candidate_id, erasing.person.participation_ids
        await erasing.blank(Outcome, Outcome.candidate_id == candidate_id, note="")
        await erasing.blank(FollowUpCheck, FollowUpCheck.outcome_id.in_(_outcome_ids(candidate_id)), note="")
        # The history keeps that a note changed, not what it said.
        outcomes = select(Outcome.id).where(Outcome.candidate_id == candidate_id)
        for change in await erasing.session.scalars(
            select(OutcomeChange).where(OutcomeChange.outcome_id.in_(outcomes))
        ):
            if "note" in (change.changes or {}):
                before = change.changes["note"]
                change.changes = {**change.changes, "note": ["", ""] if isinstance(before, list) else ""}
                erasing.tables.add(OutcomeChange.__tablename__)
        if pids:
            await erasing.blank(FollowUpCheck, FollowUpCheck.candidate_participation_id.in_(pids), note="")
            await erasing.blank(Evaluation, Evaluation.candidate_participation_id.in_(pids), comment="")


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
    terms: dict[int, list[OutcomeTerm]] = defaultdict(list)
    for term in await session.scalars(
        select(OutcomeTerm)
        .where(OutcomeTerm.outcome_id.in_([o.id for o in outcomes]))
        .order_by(OutcomeTerm.effective_on)
    ):
        terms[term.outcome_id].append(term)
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
            "start_date": iso(o.start_date),
            "end_date": iso(o.end_date),
            "contract_type": plain(o.contract_type),
            "contract_months": o.contract_months,
            "hours_per_week": o.hours_per_week,
            "stop_reason": plain(o.stop_reason),
            "leaves_benefits": o.leaves_benefits,
            "note": o.note,
            "enrolment": o.enrolment_id,
            "terms": [
                {
                    "effective_on": iso(t.effective_on),
                    "hours_per_week": t.hours_per_week,
                    "contract_type": plain(t.contract_type),
                    "contract_months": t.contract_months,
                }
                for t in terms[o.id]
            ],
            "history": [
                {
                    "at": iso(c.at),
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


def _outcome_ids(candidate_id: int) -> Select[tuple[int]]:
    return select(Outcome.id).where(Outcome.candidate_id == candidate_id)


async def _follow_ups(session: AsyncSession, pids: tuple[int, ...], candidate_id: int) -> list[dict[str, Any]]:
    """The checks after the person's events (by participation) and after their placements (by outcome)."""
    person: ColumnElement[bool] = FollowUpCheck.outcome_id.in_(_outcome_ids(candidate_id))
    if pids:
        person = or_(FollowUpCheck.candidate_participation_id.in_(pids), person)
    rows = await session.scalars(select(FollowUpCheck).where(person).order_by(FollowUpCheck.done_at, FollowUpCheck.id))
    return [
        {
            "participation": f.candidate_participation_id,
            "outcome": f.outcome_id,
            "months": f.months,
            "done_at": iso(f.done_at),
            "note": f.note,
        }
        for f in rows
    ]


async def _evaluations(session: AsyncSession, pids: tuple[int, ...]) -> list[dict[str, Any]]:
    if not pids:
        return []
    rows = await session.scalars(
        select(Evaluation).where(Evaluation.candidate_participation_id.in_(pids)).order_by(Evaluation.id)
    )
    return [
        {"event": e.event_id, "answered_at": iso(e.answered_at), "answers": e.answers, "comment": e.comment}
        for e in rows
    ]
