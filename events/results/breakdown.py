"""The results report broken down: per employer (talks, follow-up wishes and outcomes), per organisation of the
candidates' coaches, and the evaluation's answers per kind of respondent.

Pure queries returning frozen dataclasses of exact counts (events.results.shapes), from the outcome rows of
events.results.rows; events.results.figures puts them into the event's report.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import WISHES, checked_in, held_talks
from events.followup.models import Evaluation, Respondent
from events.platform.models import (
    CandidateCoach,
    CandidateParticipation,
    EmployerParticipation,
    Organisation,
    PathwayKind,
    User,
)
from events.results.rows import OutcomeRow, active_participation, step_sets
from events.results.shapes import START_STEPS, CoachOrganisationRow, EmployerRow, RespondentSummary


async def _pairs(session: AsyncSession, query: Select[tuple[Any, Any]]) -> dict[Any, Any]:
    """A two-column query as a dict of the first column to the second."""
    # Not dict(result): a result has a keys() method (its column names), which dict() would take it by.
    return {key: value for key, value in (await session.execute(query)).tuples()}  # noqa: C416


async def employer_rows(session: AsyncSession, event_id: int, rows: Sequence[OutcomeRow]) -> tuple[EmployerRow, ...]:
    """The event's employers (and any other organisation an outcome names), by name."""
    names = await _pairs(
        session,
        select(Organisation.id, Organisation.name)
        .join(EmployerParticipation, EmployerParticipation.organisation_id == Organisation.id)
        .where(EmployerParticipation.event_id == event_id),
    )
    extra = {r.organisation_id for r in rows if r.organisation_id is not None} - set(names)
    if extra:
        names.update(
            await _pairs(session, select(Organisation.id, Organisation.name).where(Organisation.id.in_(extra)))
        )
    talk_counts: dict[int, tuple[int, int]] = {}
    for talk in await held_talks(session, events=[event_id]):
        talks, wishes = talk_counts.get(talk.organisation_id, (0, 0))
        talk_counts[talk.organisation_id] = (talks + 1, wishes + (talk.follow_up in WISHES))
    per_org: dict[int, list[OutcomeRow]] = defaultdict(list)
    for row in rows:
        if row.organisation_id is not None:
            per_org[row.organisation_id].append(row)
    result = []
    for org_id, name in names.items():
        sets = step_sets(per_org[org_id])
        talks, wishes = talk_counts.get(org_id, (0, 0))
        result.append(
            EmployerRow(
                organisation_id=org_id,
                name=name,
                talks=talks,
                follow_up=wishes,
                second_interviews=len(sets["second_interviews"]),
                placements=len(sets["placements"]),
                training_starts=len(sets["training_starts"]),
                job_starts=len(sets["job_starts"]),
                starts=len(set().union(*(sets[s] for s in START_STEPS))),
            )
        )
    return tuple(sorted(result, key=lambda r: (r.name.casefold(), r.organisation_id)))


async def coach_organisation_rows(
    session: AsyncSession, event_id: int, rows: Sequence[OutcomeRow]
) -> tuple[CoachOrganisationRow, ...]:
    """Registered, present, with an outcome and job starts per organisation of the candidates' coaches."""
    participations = await _pairs(
        session,
        select(CandidateParticipation.id, CandidateParticipation.candidate_id).where(
            CandidateParticipation.event_id == event_id, active_participation()
        ),
    )
    present_ids = set((await session.scalars(checked_in([event_id]))).all())
    of_event = select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == event_id)
    links = (
        await session.execute(
            select(CandidateCoach.candidate_id, User.organisation_id, Organisation.name)
            .join(User, User.id == CandidateCoach.coach_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(CandidateCoach.candidate_id.in_(of_event))
        )
    ).tuples()
    orgs_of: dict[int, set[int | None]] = defaultdict(set)
    names: dict[int | None, str] = {None: ""}
    for candidate_id, org_id, name in links:
        orgs_of[candidate_id].add(org_id)
        if org_id is not None:
            names[org_id] = name or ""
    groups: dict[int | None, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))

    def add(candidate_id: int, key: str) -> None:
        for org_id in orgs_of.get(candidate_id) or {None}:
            groups[org_id][key].add(candidate_id)

    for participation_id, candidate_id in participations.items():
        add(candidate_id, "registered")
        if participation_id in present_ids:
            add(candidate_id, "present")
    for row in rows:
        if row.kind is not PathwayKind.STOPPED:
            add(row.candidate_id, "with_outcome")
        if row.kind is PathwayKind.PAID_JOB:
            add(row.candidate_id, "job_starts")
    result = [
        CoachOrganisationRow(
            organisation_id=org_id,
            name=names.get(org_id, ""),
            registered=len(sets["registered"]),
            present=len(sets["present"]),
            with_outcome=len(sets["with_outcome"]),
            job_starts=len(sets["job_starts"]),
        )
        for org_id, sets in groups.items()
    ]
    # The organisations by name; "no organisation" last.
    return tuple(sorted(result, key=lambda r: (r.organisation_id is None, r.name.casefold(), r.organisation_id or 0)))


def _score(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    return None


async def evaluation_summary(session: AsyncSession, event_id: int) -> tuple[RespondentSummary, ...]:
    """Invitations, answers, mean scores and the "again?" answers per kind of respondent."""
    rows = (
        await session.execute(
            select(Evaluation.respondent, Evaluation.answered_at, Evaluation.answers, Evaluation.comment).where(
                Evaluation.event_id == event_id
            )
        )
    ).tuples()
    collected: dict[Respondent, dict[str, Any]] = {
        r: {"invited": 0, "answered": 0, "overall": [], "talks": [], "again": dict.fromkeys(("yes", "maybe", "no"), 0)}
        | {"comments": []}
        for r in Respondent
    }
    for respondent, answered_at, answers, comment in rows:
        bucket = collected[Respondent(respondent)]
        bucket["invited"] += 1
        if answered_at is None:
            continue
        bucket["answered"] += 1
        answers = answers if isinstance(answers, dict) else {}
        for question in ("overall", "talks"):
            score = _score(answers.get(question))
            if score is not None:
                bucket[question].append(score)
        again = answers.get("again")
        if again in bucket["again"]:
            bucket["again"][again] += 1
        if comment and comment.strip():
            bucket["comments"].append(comment.strip())
    return tuple(
        RespondentSummary(
            respondent=respondent,
            invited=b["invited"],
            answered=b["answered"],
            overall_mean=round(statistics.fmean(b["overall"]), 1) if b["overall"] else None,
            overall_count=len(b["overall"]),
            talks_mean=round(statistics.fmean(b["talks"]), 1) if b["talks"] else None,
            talks_count=len(b["talks"]),
            again=tuple(b["again"].items()),
            comments=tuple(b["comments"]),
        )
        for respondent, b in collected.items()
    )
