"""The JSON API of the follow-up: outcomes per candidate (log, change, confirm, decline, withdraw), what is
due for the caller, and the employer's report of what came of a talk."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup import follow_up, placements, terms
from events.followup.employers import ProposalInput, propose
from events.followup.models import Outcome, StopReason
from events.followup.services import OutcomeInput, OutcomeService, OutcomeView, open_proposals, views
from events.followup.terms import TermsInput
from events.platform.auth import requires
from events.platform.models import EVENT_TZ, Role
from events.platform.web import EVENT_WEB, WEB, EventWeb, Web


class OutcomeChangeRow(msgspec.Struct):
    at: dt.datetime
    by: str
    role: str
    action: str
    changes: dict[str, Any]


class TermRow(msgspec.Struct):
    """The terms from a date on (8 hours a week from 1 March, 27 from 1 September)."""

    effective_on: dt.date
    hours_per_week: int | None
    contract_type: str | None
    contract_months: int | None


class OutcomeRow(msgspec.Struct):
    id: int
    candidate_id: int
    kind: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    employer: str | None
    organisation_id: int | None
    opening_id: int | None
    event_id: int | None
    held_talk_id: int | None
    contract_type: str | None
    contract_months: int | None
    hours_per_week: int | None
    stop_reason: str | None
    leaves_benefits: bool | None
    note: str
    history: list[OutcomeChangeRow]
    # The enrolment (a programme the candidate takes part in) the outcome belongs to, and that programme's name.
    enrolment_id: int | None
    programme: str | None
    # The terms over time, oldest first; the fields above hold the latest.
    terms: list[TermRow]
    # Where it stands today: planned, running, ended, stopped (None for a second interview or a stop).
    phase: str | None

    @classmethod
    def of(cls, view: OutcomeView) -> OutcomeRow:
        o = view.outcome
        return cls(
            id=o.id,
            candidate_id=o.candidate_id,
            kind=o.kind.value,
            status=o.status.value,
            start_date=o.start_date,
            end_date=o.end_date,
            employer=view.employer,
            organisation_id=o.organisation_id,
            opening_id=o.opening_id,
            event_id=o.event_id,
            held_talk_id=o.held_talk_id,
            contract_type=o.contract_type.value if o.contract_type else None,
            contract_months=o.contract_months,
            hours_per_week=o.hours_per_week,
            stop_reason=o.stop_reason.value if o.stop_reason else None,
            leaves_benefits=o.leaves_benefits,
            note=o.note,
            history=[OutcomeChangeRow(**change) for change in view.changes],
            enrolment_id=o.enrolment_id,
            programme=view.programme,
            terms=[
                TermRow(
                    t.effective_on,
                    t.hours_per_week,
                    t.contract_type.value if t.contract_type else None,
                    t.contract_months,
                )
                for t in view.terms
            ],
            phase=view.phase,
        )


class ProposalRow(msgspec.Struct):
    id: int
    held_talk_id: int | None
    kind: str
    status: str
    start_date: dt.date | None


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    action: str  # confirm | decline | withdraw


class DueCheckRow(msgspec.Struct):
    participation_id: int
    candidate_id: int
    name: str
    event: str
    months: int
    due_on: dt.date


class PlacementCheckRow(msgspec.Struct):
    """A check due after a placement started (1, 3, 6 or 12 months), whether or not it came from an event."""

    outcome_id: int
    candidate_id: int
    name: str
    kind: str
    employer: str | None
    start_date: dt.date
    months: int
    due_on: dt.date


class FollowUpRow(msgspec.Struct):
    checks: list[DueCheckRow]
    proposals: list[OutcomeRow]
    placement_checks: list[PlacementCheckRow]


class PlacementCheckInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A placement's check: at how many months, and, when it has ended, since when and why."""

    months: int
    end_date: dt.date | None = None
    stop_reason: StopReason | None = None
    note: Annotated[str, msgspec.Meta(max_length=4000)] = ""


class PlacementCheckDone(msgspec.Struct):
    outcome_id: int
    months: int
    done_at: dt.datetime


async def _row(session: AsyncSession, outcome_id: int) -> OutcomeRow:
    """The outcome as the API answers it, after a service call that has checked the caller's access."""
    (view,) = await views(session, select(Outcome).where(Outcome.id == outcome_id))
    return OutcomeRow.of(view)


class OutcomeApi(Controller):
    path = "/api"
    tags = ["follow-up"]
    guards = [requires(Role.ORGANISER, Role.COACH)]
    dependencies = WEB

    @get("/candidates/{candidate_id:int}/outcomes", name="api:outcomes")
    async def list_outcomes(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> list[OutcomeRow]:
        """A candidate's outcomes with their history (their coaches and organisers)."""
        return [OutcomeRow.of(v) for v in await OutcomeService(web.db, web.user).for_candidate(candidate_id)]

    @post("/candidates/{candidate_id:int}/outcomes", name="api:outcome_create", status_code=HTTP_201_CREATED)
    async def create_outcome(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[OutcomeInput]
    ) -> OutcomeRow:
        """Log an outcome; it counts at once."""
        outcome = await OutcomeService(web.db, web.user).create(candidate_id, data)
        return await _row(web.db, outcome.id)

    @put("/outcomes/{outcome_id:int}", name="api:outcome_update")
    async def update_outcome(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], data: JSONBody[OutcomeInput]
    ) -> OutcomeRow:
        """Change an outcome; its history keeps what it was."""
        await OutcomeService(web.db, web.user).update(outcome_id, data)
        return await _row(web.db, outcome_id)

    @post("/outcomes/{outcome_id:int}/status", name="api:outcome_status", status_code=HTTP_200_OK)
    async def set_status(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], data: JSONBody[StatusChange]
    ) -> OutcomeRow:
        """Confirm or decline an employer's report, or withdraw an outcome logged in error."""
        await OutcomeService(web.db, web.user).decide(outcome_id, data.action)
        return await _row(web.db, outcome_id)

    @get("/follow-up", name="api:follow_up")
    async def due(self, web: NamedDependency[Web]) -> FollowUpRow:
        """What is waiting for you: checks due at 1, 3 and 6 months after an event and at 1, 3, 6 and 12 months
        after a placement, and employers' reports to confirm."""
        today = dt.datetime.now(EVENT_TZ).date()
        checks = await follow_up.due_checks(web.db, web.user, today)
        return FollowUpRow(
            checks=[
                DueCheckRow(c.participation_id, c.candidate_id, c.name, c.event_name, c.months, c.due_on)
                for c in checks
            ],
            proposals=[OutcomeRow.of(v) for v in await open_proposals(web.db, web.user)],
            placement_checks=[
                PlacementCheckRow(
                    c.outcome_id, c.candidate_id, c.name, c.kind.value, c.employer, c.start_date, c.months, c.due_on
                )
                for c in await placements.due_placement_checks(web.db, web.user, today)
            ],
        )

    @post("/outcomes/{outcome_id:int}/terms", name="api:outcome_terms", status_code=HTTP_200_OK)
    async def change_terms(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], data: JSONBody[TermsInput]
    ) -> OutcomeRow:
        """Hours a week and contract from a date on (8 hours, later 27): a field left out keeps what held before;
        the same date again replaces that day's terms."""
        outcome = await OutcomeService(web.db, web.user).get(outcome_id)
        await terms.change_terms(
            web.db,
            web.user,
            outcome,
            data.effective_on,
            hours_per_week=data.hours_per_week,
            contract_type=data.contract_type,
            contract_months=data.contract_months,
        )
        return await _row(web.db, outcome_id)

    @post("/outcomes/{outcome_id:int}/checks", name="api:placement_check", status_code=HTTP_201_CREATED)
    async def placement_check(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], data: JSONBody[PlacementCheckInput]
    ) -> PlacementCheckDone:
        """Record the check of a placement at 1, 3, 6 or 12 months after its start (with its end, if it ended)."""
        check = await placements.record_placement_check(
            web.db,
            web.user,
            outcome_id,
            data.months,
            ended_on=data.end_date,
            stop_reason=data.stop_reason,
            note=data.note,
            today=dt.datetime.now(EVENT_TZ).date(),
        )
        return PlacementCheckDone(outcome_id, check.months, check.done_at)


class ProposalApi(Controller):
    path = "/api/events"
    tags = ["follow-up"]
    guards = [requires(Role.EMPLOYER)]
    dependencies = EVENT_WEB

    @post("/{event_ref:str}/proposals", name="api:proposal_create", status_code=HTTP_201_CREATED)
    async def create_proposal(self, web: NamedDependency[EventWeb], data: JSONBody[ProposalInput]) -> ProposalRow:
        """Report what came of a talk at your table; the candidate's coach confirms it."""
        outcome = await propose(web.db, web.user, data, event_id=web.event.id)
        return ProposalRow(
            outcome.id, outcome.held_talk_id, outcome.kind.value, outcome.status.value, outcome.start_date
        )
