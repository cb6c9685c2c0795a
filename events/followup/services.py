"""Outcomes: coaches (and organisers) log and change them, employers propose them, coaches confirm. An outcome
belongs to the candidate and, where given, to one of their enrolments (a programme), with or without an event or
talk, at any employer (one named that does not exist yet is made on the spot); its hours and contract change over
time (events.followup.terms).

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
from sqlalchemy import and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import held_talks
from events.followup.access import followed_candidate, record_change
from events.followup.choices import employer_organisations
from events.followup.models import ContractType, Outcome, OutcomeChange, OutcomeStatus, OutcomeTerm, StopReason
from events.followup.terms import TermsInput, change_terms, describe_terms, follow_start
from events.platform.dates import today
from events.platform.db import utcnow
from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    Candidate,
    CandidateParticipation,
    EmployerParticipation,
    Enrolment,
    Event,
    Opening,
    Organisation,
    OrganisationKind,
    PathwayKind,
    Programme,
    Role,
    User,
)
from events.platform.organisations import clean_name, find_organisation
from events.platform.reach import candidate_reach, enrolment_reach
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
    "enrolment_id",
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
    # The candidate's enrolment in a programme the outcome belongs to (with or without an event).
    enrolment_id: DbId | None = None
    # A new employer by name, made on the spot when no organisation of that name exists (instead of
    # organisation_id; an existing employer's name picks that employer).
    employer: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    contract_type: ContractType | None = None
    contract_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | None = None
    stop_reason: StopReason | None = None
    leaves_benefits: bool | None = None
    note: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    # Changes of hours and contract from a date on (8 hours, later 27), recorded after the outcome is saved as
    # change_terms does: the same date again replaces that day's terms, other days' stay; none given, none change.
    terms: Annotated[list[TermsInput], msgspec.Meta(max_length=50)] | None = None


@dataclass
class OutcomeView:
    outcome: Outcome
    employer: str | None
    opening: str | None
    event: str | None
    candidate_name: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    programme: str | None = None
    # The terms over time (hours and contract from a date on), oldest first.
    terms: list[OutcomeTerm] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """A placement, training or job that was confirmed and has not ended (an end still ahead has not): what a
        check asks about."""
        o = self.outcome
        ended = o.end_date is not None and o.end_date < today()
        return o.status is OutcomeStatus.CONFIRMED and not ended and o.kind in STARTS

    @property
    def terms_text(self) -> str:
        """The terms over time in words ("8 hours a week from 1-3-2026, 27 hours from 1-9-2026")."""
        return describe_terms(self.terms)

    @property
    def phase(self) -> str | None:
        """Where a placement, training or job stands today (see `phase`)."""
        return phase(self.outcome, today())


def phase(outcome: Outcome, day: dt.date) -> str | None:
    """``planned`` (starts after ``day``), ``running`` (started, its end not passed: an end date ahead is still
    running, never stopped), ``stopped`` (ended before ``day`` with a stop reason), ``ended`` (ended before ``day``
    without one: it ran its course), or None for what neither starts nor ends (a second interview, a stop)."""
    if outcome.kind not in STARTS and outcome.end_date is None:
        return None
    if outcome.end_date is not None and outcome.end_date < day:
        return "stopped" if outcome.stop_reason is not None else "ended"
    if outcome.start_date is not None and outcome.start_date > day:
        return "planned"
    return "running"


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
        """The candidate, if this account follows them up (events.followup.access); else 404."""
        return await followed_candidate(self.session, self.user, candidate_id)

    async def get(self, outcome_id: int) -> Outcome:
        outcome = await self.session.get(Outcome, outcome_id)
        if outcome is None:
            raise NotFoundError("outcome")
        await self.candidate(outcome.candidate_id)
        return outcome

    async def for_candidate(self, candidate_id: int) -> list[OutcomeView]:
        """The candidate's outcomes, newest first, each with its history."""
        await self.candidate(candidate_id)
        found = await views(self.session, select(Outcome).where(Outcome.candidate_id == candidate_id), self.user)
        if found:  # notes and stop reasons can be about health: who read them is logged
            await audit(self.session, self.user, "read", "outcomes", None, candidate_id=candidate_id)
        return found

    async def for_enrolment(self, enrolment_id: int) -> list[OutcomeView]:
        """The outcomes of one enrolment (a programme's participant), newest first, each with its history and
        terms; 404 when the enrolment's candidate is not one this account follows up."""
        candidate_id = await self.session.scalar(select(Enrolment.candidate_id).where(Enrolment.id == enrolment_id))
        if candidate_id is None:
            raise NotFoundError("enrolment")
        await self.candidate(candidate_id)
        found = await views(self.session, select(Outcome).where(Outcome.enrolment_id == enrolment_id), self.user)
        if found:
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
        await follow_start(self.session, self.user, outcome, None)
        await self._terms(outcome, data)
        await audit(self.session, self.user, "create", "outcome", outcome.id, candidate_id=candidate_id)
        return outcome

    async def update(self, outcome_id: int, data: OutcomeInput) -> Outcome:
        """Change an outcome; the history keeps what it was."""
        outcome = await self.get(outcome_id)
        if outcome.status in (OutcomeStatus.WITHDRAWN, OutcomeStatus.DECLINED):
            raise ConflictError("outcome_closed", _("This result was withdrawn or declined; log a new one."))
        values = await self._checked(outcome.candidate_id, data)
        old_start = outcome.start_date
        changes = {}
        for name, value in values.items():
            before = getattr(outcome, name)
            if plain(before) != plain(value):
                changes[name] = [plain(before), plain(value)]
                setattr(outcome, name, value)
        if changes:
            await self.session.flush()
            await self._record(outcome, "updated", changes)
            await follow_start(self.session, self.user, outcome, old_start)
            await audit(self.session, self.user, "update", "outcome", outcome.id, candidate_id=outcome.candidate_id)
        await self._terms(outcome, data)
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

    async def _terms(self, outcome: Outcome, data: OutcomeInput) -> None:
        """The terms the input gives, oldest first; a refusal names the term at fault (``terms[1].effective_on``)."""
        for index, term in sorted(enumerate(data.terms or []), key=lambda pair: pair[1].effective_on):
            try:
                await change_terms(
                    self.session,
                    self.user,
                    outcome,
                    term.effective_on,
                    hours_per_week=term.hours_per_week,
                    contract_type=term.contract_type,
                    contract_months=term.contract_months,
                )
            except DomainError as exc:
                if exc.status_code != 422:
                    raise
                raise DomainError(exc.code, exc.message, f"terms[{index}].{exc.field or 'effective_on'}") from None

    async def _record(self, outcome: Outcome, action: str, changes: dict[str, Any]) -> None:
        await record_change(self.session, self.user, outcome, action, changes)

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
        if data.enrolment_id is not None:
            enrolled = await self.session.scalar(
                select(Enrolment.candidate_id).where(Enrolment.id == data.enrolment_id, enrolment_reach(self.user))
            )
            # Another candidate's enrolment answers as a missing one: the candidate is the caller's, theirs is not.
            if enrolled != candidate_id:
                raise DomainError(
                    "invalid_enrolment", _("This programme is not one the candidate takes part in."), "enrolment_id"
                )
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
        name = (data.employer or "").strip()
        if name:
            # Last, after every other check: a refused outcome makes no organisation.
            values["organisation_id"] = await self._employer_named(name, values.get("organisation_id"))
        return values

    async def _employer_named(self, name: str, chosen: int | None) -> int:
        """The employer of this name, made on the spot when there is none; never an organising or partner
        organisation (its accounts are not an employer's)."""
        clean = clean_name(name, "employer")
        organisation = await find_organisation(self.session, clean)
        if chosen is not None and (organisation is None or organisation.id != chosen):
            raise DomainError(
                "employer_mismatch",
                _("Choose an employer from the list or give a new employer's name, not both."),
                "employer",
            )
        if organisation is None:
            organisation = Organisation(name=clean, kind=OrganisationKind.EMPLOYER)
            self.session.add(organisation)
            await self.session.flush()
            await audit(self.session, self.user, "create", "organisation", organisation.id, detail={"kind": "employer"})
        elif organisation.kind is not OrganisationKind.EMPLOYER:
            raise DomainError(
                "not_an_employer",
                _("%(name)s is not an employer here; give the employer's own name", name=organisation.name),
                "employer",
            )
        return organisation.id


def complete(outcome: Outcome) -> None:
    """Refuse to count a result that lacks what its kind needs (an employer's report may come without it)."""
    if outcome.kind in STARTS and outcome.start_date is None:
        raise DomainError("incomplete", _("Give the start date before you confirm this result."), "start_date")
    if outcome.kind is PathwayKind.PAID_JOB and (outcome.contract_type is None or outcome.hours_per_week is None):
        raise DomainError(
            "incomplete", _("Give the contract and the hours per week before you confirm this result."), "contract_type"
        )


async def views(session: AsyncSession, query: Any, user: CurrentUser | None = None) -> list[OutcomeView]:
    """Outcomes of ``query`` with their employer, opening and event names and their history, newest first; the
    programme an outcome belongs to is named only when ``user`` (if given) reaches its enrolment."""
    rows = (
        await session.execute(
            query.add_columns(
                Organisation.name,
                Opening.title,
                Event.name,
                Candidate.first_name,
                Candidate.last_name,
                Programme.name,
            )
            .join(Candidate, Candidate.id == Outcome.candidate_id)
            .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
            .outerjoin(Opening, Opening.id == Outcome.opening_id)
            .outerjoin(Event, Event.id == Outcome.event_id)
            .outerjoin(
                Enrolment,
                and_(Enrolment.id == Outcome.enrolment_id, enrolment_reach(user) if user is not None else true()),
            )
            .outerjoin(Programme, Programme.id == Enrolment.programme_id)
            .order_by(Outcome.start_date.desc().nulls_last(), Outcome.id.desc())
        )
    ).all()
    result = [
        OutcomeView(outcome, employer, opening, event, f"{first} {last}".strip(), programme=programme)
        for outcome, employer, opening, event, first, last, programme in rows
    ]
    if result:
        by_id = {v.outcome.id: v for v in result}
        for term in await session.scalars(
            select(OutcomeTerm).where(OutcomeTerm.outcome_id.in_(by_id)).order_by(OutcomeTerm.effective_on)
        ):
            by_id[term.outcome_id].terms.append(term)
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
