"""Outcomes: coaches (and organisers) log and change them, employers propose them, coaches confirm.

Every change is kept as an OutcomeChange ({field: [before, after]}); an outcome is never deleted, only
withdrawn, so the history stays whole. Access follows the candidate: the candidate's coaches and the
organisers; an employer reaches only the talks held at its own tables and its own proposals
(events.followup.employers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import held_talks
from events.followup.choices import employer_organisations
from events.followup.models import ContractType, Outcome, OutcomeChange, OutcomeStatus, StopReason
from events.platform.db import utcnow
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Opening,
    Organisation,
    PathwayKind,
    Role,
    User,
)
from events.platform.reach import candidate_reach
from events.platform.services import audit

# Kinds that start something and so need a start date.
STARTS = (
    PathwayKind.TRIAL_PLACEMENT,
    PathwayKind.INTERNSHIP,
    PathwayKind.WORK_EXPERIENCE,
    PathwayKind.TRAINING,
    PathwayKind.PAID_JOB,
    PathwayKind.VOLUNTEERING,
)
TRACKED = (
    "kind",
    "status",
    "start_date",
    "end_date",
    "organisation_id",
    "opening_id",
    "held_talk_id",
    "event_id",
    "contract_type",
    "contract_months",
    "hours_per_week",
    "stop_reason",
    "leaves_benefits",
    "note",
)


DbId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class OutcomeInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An outcome as a coach logs or changes it (the page's form and the API take the same)."""

    kind: PathwayKind
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    organisation_id: DbId | None = None
    opening_id: DbId | None = None
    held_talk_id: DbId | None = None
    event_id: DbId | None = None
    contract_type: ContractType | None = None
    contract_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    stop_reason: StopReason | None = None
    leaves_benefits: bool | None = None
    note: Annotated[str, msgspec.Meta(max_length=4000)] = ""


@dataclass
class OutcomeView:
    outcome: Outcome
    employer: str | None
    opening: str | None
    event: str | None
    candidate_name: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """A placement, training or job that was confirmed and has not ended: what a check asks about."""
        o = self.outcome
        return o.status is OutcomeStatus.CONFIRMED and o.end_date is None and o.kind in STARTS


def plain(value: Any) -> Any:
    """A value as the history keeps it: dates as ISO text, enums by their value."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class OutcomeService:
    """Outcomes of candidates, for their coaches and organisers (employers: proposals only)."""

    def __init__(self, session: AsyncSession, user: CurrentUser) -> None:
        self.session = session
        self.user = user

    async def candidate(self, candidate_id: int) -> Candidate:
        """The candidate, if this account follows them up (their coach, a professional their case is shared with
        (events.platform.reach), or an organiser who reaches them); else 404."""
        candidate: Candidate | None = await self.session.scalar(
            select(Candidate).where(
                Candidate.id == candidate_id, Candidate.erased_at.is_(None), candidate_reach(self.user)
            )
        )
        if candidate is None or self.user.role not in (Role.ORGANISER, Role.COACH):
            raise NotFoundError("candidate")
        return candidate

    async def get(self, outcome_id: int) -> Outcome:
        outcome = await self.session.get(Outcome, outcome_id)
        if outcome is None:
            raise NotFoundError("outcome")
        await self.candidate(outcome.candidate_id)
        return outcome

    async def for_candidate(self, candidate_id: int) -> list[OutcomeView]:
        """The candidate's outcomes, newest first, each with its history."""
        await self.candidate(candidate_id)
        found = await views(self.session, select(Outcome).where(Outcome.candidate_id == candidate_id))
        if found:  # notes and stop reasons can be about health: who read them is logged
            await audit(self.session, self.user, "read", "outcomes", None, candidate_id=candidate_id)
        return found

    async def create(self, candidate_id: int, data: OutcomeInput) -> Outcome:
        """Log an outcome (it counts at once: a coach's word is the record)."""
        await self.candidate(candidate_id)
        values = await self._checked(candidate_id, data)
        outcome = Outcome(
            candidate_id=candidate_id,
            status=OutcomeStatus.CONFIRMED,
            logged_by_id=self.user.id,
            decided_by_id=self.user.id,
            decided_at=utcnow(),
            **values,
        )
        self.session.add(outcome)
        await self.session.flush()
        await self._record(outcome, "created", {k: [None, plain(v)] for k, v in values.items() if v not in (None, "")})
        await audit(self.session, self.user, "create", "outcome", outcome.id, candidate_id=candidate_id)
        return outcome

    async def update(self, outcome_id: int, data: OutcomeInput) -> Outcome:
        """Change an outcome; the history keeps what it was."""
        outcome = await self.get(outcome_id)
        if outcome.status in (OutcomeStatus.WITHDRAWN, OutcomeStatus.DECLINED):
            raise ConflictError("outcome_closed", _("This result was withdrawn or declined; log a new one."))
        values = await self._checked(outcome.candidate_id, data)
        changes = {}
        for name, value in values.items():
            before = getattr(outcome, name)
            if plain(before) != plain(value):
                changes[name] = [plain(before), plain(value)]
                setattr(outcome, name, value)
        if changes:
            await self.session.flush()
            await self._record(outcome, "updated", changes)
            await audit(self.session, self.user, "update", "outcome", outcome.id, candidate_id=outcome.candidate_id)
        return outcome

    async def decide(self, outcome_id: int, action: str) -> Outcome:
        """Confirm or decline an employer's proposal, or withdraw an outcome logged in error."""
        outcome = await self.get(outcome_id)
        target = {
            "confirm": OutcomeStatus.CONFIRMED,
            "decline": OutcomeStatus.DECLINED,
            "withdraw": OutcomeStatus.WITHDRAWN,
        }.get(action)
        if target is None:
            raise DomainError("invalid", _("This value is not valid here."), "action")
        allowed = {
            "confirm": (OutcomeStatus.PROPOSED,),
            "decline": (OutcomeStatus.PROPOSED,),
            "withdraw": (OutcomeStatus.CONFIRMED, OutcomeStatus.PROPOSED),
        }[action]
        if outcome.status not in allowed:
            raise ConflictError("outcome_state", _("This result cannot be changed that way any more."))
        if action == "confirm":
            complete(outcome)
        before = outcome.status
        outcome.status = target
        outcome.decided_by_id = self.user.id
        outcome.decided_at = utcnow()
        await self.session.flush()
        done = {"confirm": "confirmed", "decline": "declined", "withdraw": "withdrawn"}[action]
        await self._record(outcome, done, {"status": [before.value, target.value]})
        await audit(self.session, self.user, action, "outcome", outcome.id, candidate_id=outcome.candidate_id)
        return outcome

    async def end(self, outcome: Outcome, end_date: dt.date, reason: StopReason | None) -> None:
        """Record that a placement, training or job has ended (found at a follow-up check)."""
        if outcome.start_date and end_date < outcome.start_date:
            raise DomainError("end_before_start", _("The end date is before the start date."), "end_date")
        changes = {"end_date": [plain(outcome.end_date), end_date.isoformat()]}
        if reason is not None:
            changes["stop_reason"] = [plain(outcome.stop_reason), reason.value]
            outcome.stop_reason = reason
        outcome.end_date = end_date
        await self.session.flush()
        await self._record(outcome, "ended", changes)

    async def _record(self, outcome: Outcome, action: str, changes: dict[str, Any]) -> None:
        self.session.add(
            OutcomeChange(
                outcome_id=outcome.id,
                by_user_id=self.user.id,
                by_role=self.user.role.value,
                action=action,
                changes=changes,
            )
        )
        await self.session.flush()

    async def _checked(self, candidate_id: int, data: OutcomeInput) -> dict[str, Any]:
        """The outcome's column values after checking every link and the fields its kind needs."""
        values: dict[str, Any] = {name: getattr(data, name) for name in TRACKED if hasattr(data, name)}
        values["note"] = data.note.strip()
        participations = dict(
            (
                await self.session.execute(
                    select(CandidateParticipation.event_id, CandidateParticipation.id).where(
                        CandidateParticipation.candidate_id == candidate_id
                    )
                )
            )
            .tuples()
            .all()
        )
        if data.held_talk_id is not None:
            talks = await held_talks(
                self.session, ids=[data.held_talk_id], candidate_participations=participations.values()
            )
            if not talks:
                raise DomainError("invalid_talk", _("This talk is not one of the candidate's."), "held_talk_id")
            event_id, organisation_id = talks[0].event_id, talks[0].organisation_id
            if data.event_id not in (None, event_id) or data.organisation_id not in (None, organisation_id):
                raise DomainError(
                    "talk_mismatch", _("The talk was with another employer or at another event."), "held_talk_id"
                )
            values["event_id"], values["organisation_id"] = event_id, organisation_id
        if data.opening_id is not None:
            row = (
                await self.session.execute(
                    select(EmployerParticipation.organisation_id, EmployerParticipation.event_id)
                    .join(Opening, Opening.employer_participation_id == EmployerParticipation.id)
                    .where(Opening.id == data.opening_id)
                )
            ).first()
            if (
                row is None
                or values.get("organisation_id") not in (None, row[0])
                or row[1] not in participations
                or values.get("event_id") not in (None, row[1])
            ):
                raise DomainError(
                    "invalid_opening",
                    _("This opening is not one of that employer's at an event the candidate took part in."),
                    "opening_id",
                )
            values["organisation_id"] = row[0]
            if values.get("event_id") is None:
                values["event_id"] = row[1]
        if values.get("organisation_id") is not None:
            employer = employer_organisations().where(Organisation.id == values["organisation_id"])
            if await self.session.scalar(employer) is None:
                raise DomainError("invalid_employer", _("Choose an employer from the list."), "organisation_id")
        if values.get("event_id") is not None and values["event_id"] not in participations:
            raise DomainError("invalid_event", _("The candidate did not take part in this event."), "event_id")
        if data.kind in STARTS and data.start_date is None:
            raise DomainError("required", _("Give the start date."), "start_date")
        if data.kind is PathwayKind.PAID_JOB:
            if data.contract_type is None:
                raise DomainError("required", _("Choose the kind of contract."), "contract_type")
            if data.hours_per_week is None:
                raise DomainError("required", _("Give the hours per week."), "hours_per_week")
        if data.kind is PathwayKind.STOPPED and data.stop_reason is None:
            raise DomainError("required", _("Choose why the candidate stopped."), "stop_reason")
        if data.end_date and data.start_date and data.end_date < data.start_date:
            raise DomainError("end_before_start", _("The end date is before the start date."), "end_date")
        if data.kind is PathwayKind.STOPPED and data.start_date is None:
            values["start_date"] = dt.datetime.now(EVENT_TZ).date()
        if data.kind not in STARTS:
            # A second interview or a stop has no contract: what the form kept from another kind goes.
            values.update(contract_type=None, contract_months=None, hours_per_week=None)
        return values


def complete(outcome: Outcome) -> None:
    """Refuse to count a result that lacks what its kind needs (an employer's report may come without it)."""
    if outcome.kind in STARTS and outcome.start_date is None:
        raise DomainError("incomplete", _("Give the start date before you confirm this result."), "start_date")
    if outcome.kind is PathwayKind.PAID_JOB and (outcome.contract_type is None or outcome.hours_per_week is None):
        raise DomainError(
            "incomplete", _("Give the contract and the hours per week before you confirm this result."), "contract_type"
        )


async def views(session: AsyncSession, query: Any) -> list[OutcomeView]:
    """Outcomes of ``query`` with their employer, opening and event names and their history, newest first."""
    rows = (
        await session.execute(
            query.add_columns(Organisation.name, Opening.title, Event.name, Candidate.first_name, Candidate.last_name)
            .join(Candidate, Candidate.id == Outcome.candidate_id)
            .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
            .outerjoin(Opening, Opening.id == Outcome.opening_id)
            .outerjoin(Event, Event.id == Outcome.event_id)
            .order_by(Outcome.start_date.desc().nulls_last(), Outcome.id.desc())
        )
    ).all()
    result = [
        OutcomeView(outcome, employer, opening, event, f"{first} {last}".strip())
        for outcome, employer, opening, event, first, last in rows
    ]
    if result:
        by_id = {v.outcome.id: v for v in result}
        changes = await session.execute(
            select(OutcomeChange, User.name)
            .outerjoin(User, User.id == OutcomeChange.by_user_id)
            .where(OutcomeChange.outcome_id.in_(by_id))
            .order_by(OutcomeChange.at, OutcomeChange.id)
        )
        for change, name in changes.tuples():
            by_id[change.outcome_id].changes.append(
                {
                    "at": change.at,
                    "by": name or "—",
                    "role": change.by_role,
                    "action": change.action,
                    "changes": change.changes,
                }
            )
    return result


async def open_proposals(session: AsyncSession, user: CurrentUser) -> Sequence[OutcomeView]:
    """Employers' proposals waiting for this coach (or, for an organiser, for anyone of their organisation's
    people)."""
    if user.role not in (Role.COACH, Role.ORGANISER):
        return []
    query = select(Outcome).where(
        Outcome.status == OutcomeStatus.PROPOSED,
        Outcome.candidate_id.in_(select(Candidate.id).where(Candidate.erased_at.is_(None), candidate_reach(user))),
    )
    return await views(session, query)
