"""Pages for following candidates up after the event: the coach's overview and to-do list, logging and
changing outcomes, the checks at 1, 3 and 6 months, confirming employers' proposals; the employer's talks
with a way to report a second interview or a place offered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from events.followup import evaluation, follow_up, placements, terms
from events.followup.choices import outcome_choices
from events.followup.employers import PROPOSABLE, ProposalInput, employer_talks, planned_talks, propose
from events.followup.models import CHECK_MONTHS, PLACEMENT_CHECK_MONTHS, ContractType, Outcome, StopReason
from events.followup.services import OutcomeInput, OutcomeService
from events.platform.auth import requires
from events.platform.dates import add_months, today
from events.platform.errors import DomainError
from events.platform.forms import form_error, form_errors, parse
from events.platform.i18n import gettext as _
from events.platform.models import Candidate, Event, PathwayKind, Role, User
from events.platform.redirects import see_other
from events.platform.services import EventService
from events.platform.web import (
    EVENT_WEB,
    EventPageController,
    EventWeb,
    PageController,
    PublicPageController,
    Visit,
    Web,
)

OUTCOME_FORM = "events/followup/outcome_form.html"
PLACEMENT_CHECK_FORM = "events/followup/placement_check_form.html"


class DecisionForm(msgspec.Struct):
    """A coach's answer to an employer's proposal, and the page to go back to."""

    action: str = ""
    back: str = ""


class DigestForm(msgspec.Struct):
    """The weekly e-mail of what is due: "1", "true" or "on" for it, anything else (or nothing) against."""

    weekly_digest: str = ""


class EvaluationForm(msgspec.Struct):
    """The answers to the evaluation, as parse_answers checks them."""

    overall: str = ""
    talks: str = ""
    again: str = ""
    comment: str = ""


class FollowUpPages(PageController):
    """The coach's (and organiser's) follow-up: what is due, per event, per candidate."""

    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/follow-up", name="follow_up")
    async def overview(self, web: NamedDependency[Web]) -> Template:
        context = await follow_up.todo_context(web.db, web.user, today())
        return Template("events/followup/follow_up.html", context=context)

    @get("/events/{event_ref:str}/follow-up", name="event_follow_up", dependencies=EVENT_WEB)
    async def event_overview(self, web: NamedDependency[EventWeb]) -> Template:
        people = await follow_up.after_event(web.db, web.user, web.event, today())
        context = {"event": web.event, "people": people, "held": web.event.date <= today()}
        return Template("events/followup/event_follow_up.html", context=context)

    @post("/account/digest", name="digest_set")
    async def set_digest(self, web: NamedDependency[Web]) -> Redirect:
        form = await web.form(DigestForm)
        user = await web.db.get(User, web.user.id)
        if user is not None:
            user.weekly_digest = form.weekly_digest in ("1", "true", "on")
        return see_other("/follow-up?msg=saved")


class OutcomePages(PageController):
    """Logging and changing a candidate's outcomes; the follow-up checks."""

    guards = [requires(Role.ORGANISER, Role.COACH)]

    async def _form_page(
        self,
        web: Web,
        candidate: Candidate,
        values: dict[str, Any],
        outcome: Outcome | None = None,
        exc: DomainError | None = None,
        *,
        term_values: dict[str, Any] | None = None,
        term_exc: DomainError | None = None,
    ) -> Template:
        """The outcome's form (and, for a placement, training or job, the form of its terms over time); with
        ``exc`` or ``term_exc``, again as sent, with the message beside the field at fault."""
        context = {
            "candidate": candidate,
            "candidate_id": candidate.id,
            "outcome": outcome,
            "values": values,
            "errors": {},
            "kinds": [k.value for k in PathwayKind],
            "contract_types": [c.value for c in ContractType],
            "stop_reasons": [r.value for r in StopReason],
            "term_kinds": [k.value for k in terms.WITH_TERMS],
            "terms": await terms.terms_of(web.db, outcome.id) if outcome is not None else [],
            "term_values": term_values or {},
            "term_errors": form_errors(term_exc) if term_exc is not None else {},
            "describe_terms": terms.describe_terms,
            **await outcome_choices(web.db, candidate.id, web.user),
        }
        if exc is not None:
            return form_error(OUTCOME_FORM, context, exc)
        if term_exc is not None:
            return Template(OUTCOME_FORM, context=context, status_code=422)
        return Template(OUTCOME_FORM, context=context)

    @get("/candidates/{candidate_id:int}/outcomes/new", name="outcome_new")
    async def new_outcome(
        self,
        web: NamedDependency[Web],
        candidate_id: FromPath[int],
        talk: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        enrolment_id: FromQuery[int | None] = None,
    ) -> Template:
        candidate = await OutcomeService(web.db, web.user).candidate(candidate_id)
        values: dict[str, Any] = {"kind": kind or "second_interview"}
        if talk is not None:
            values["held_talk_id"] = talk
        if enrolment_id is not None:
            # From the trajectory's page: the form offers the person's own enrolments only, so another id selects
            # nothing.
            values["enrolment_id"] = enrolment_id
        return await self._form_page(web, candidate, values)

    @post("/candidates/{candidate_id:int}/outcomes/new", name="outcome_create")
    async def create_outcome(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[Any]:
        service = OutcomeService(web.db, web.user)
        candidate = await service.candidate(candidate_id)
        values = await _outcome_form(web)
        try:
            await service.create(candidate_id, parse(OutcomeInput, values))
        except DomainError as exc:
            return await self._form_page(web, candidate, values, exc=exc)
        return _saved(candidate)

    @get("/outcomes/{outcome_id:int}/edit", name="outcome_edit")
    async def edit_outcome(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], confirm: FromQuery[int] = 0
    ) -> Template:
        service = OutcomeService(web.db, web.user)
        outcome = await service.get(outcome_id)
        candidate = await service.candidate(outcome.candidate_id)
        return await self._form_page(web, candidate, _values_of(outcome, confirm=bool(confirm)), outcome)

    @post("/outcomes/{outcome_id:int}/terms", name="outcome_terms")
    async def change_terms(self, web: NamedDependency[Web], outcome_id: FromPath[int]) -> Response[Any]:
        service = OutcomeService(web.db, web.user)
        outcome = await service.get(outcome_id)
        candidate = await service.candidate(outcome.candidate_id)
        sent = await web.values()
        # An empty field keeps what held before (UNSET); a form cannot clear a value here, the outcome's form can.
        given = {k: v for k, v in sent.items() if k in terms.TermsInput.__struct_fields__ and str(v).strip()}
        try:
            data = parse(terms.TermsInput, given)
            await terms.change_terms(
                web.db,
                web.user,
                outcome,
                data.effective_on,
                hours_per_week=data.hours_per_week,
                contract_type=data.contract_type,
                contract_months=data.contract_months,
            )
        except DomainError as exc:
            if exc.status_code != 422:
                raise
            values = _values_of(outcome)
            return await self._form_page(web, candidate, values, outcome, term_values=sent, term_exc=exc)
        return see_other(f"/outcomes/{outcome_id}/edit?msg=saved#terms")

    @post("/outcomes/{outcome_id:int}/edit", name="outcome_update")
    async def update_outcome(self, web: NamedDependency[Web], outcome_id: FromPath[int]) -> Response[Any]:
        values = await _outcome_form(web)
        service = OutcomeService(web.db, web.user)
        outcome = await service.get(outcome_id)
        candidate = await service.candidate(outcome.candidate_id)
        try:
            await service.update(outcome_id, parse(OutcomeInput, values))
            if values.get("confirm") == "1" and outcome.status.value == "proposed":
                await service.decide(outcome_id, "confirm")
        except DomainError as exc:
            if exc.status_code != 422:
                raise
            return await self._form_page(web, candidate, values, outcome, exc)
        return _saved(candidate)

    @post("/outcomes/{outcome_id:int}/status", name="outcome_status")
    async def decide(self, web: NamedDependency[Web], outcome_id: FromPath[int]) -> Redirect:
        form = await web.form(DecisionForm)
        try:
            outcome = await OutcomeService(web.db, web.user).decide(outcome_id, form.action)
        except DomainError as exc:
            if exc.code != "incomplete":
                raise
            # An employer's report without a date or contract: the coach completes it, then it counts.
            return see_other(f"/outcomes/{outcome_id}/edit?confirm=1")
        return see_other(
            "/follow-up?msg=saved"
            if form.back == "follow-up"
            else f"/candidates/{outcome.candidate_id}?msg=saved#outcomes"
        )

    @get("/checks/{participation_id:int}/{months:int}", name="check_form")
    async def check_form(
        self, web: NamedDependency[Web], participation_id: FromPath[int], months: FromPath[int]
    ) -> Template:
        context = await _check_context(web, participation_id, months, {})
        return Template("events/followup/check_form.html", context=context)

    @post("/checks/{participation_id:int}/{months:int}", name="check_record")
    async def record_check(
        self, web: NamedDependency[Web], participation_id: FromPath[int], months: FromPath[int]
    ) -> Response[Any]:
        # Read by hand: a field per running outcome (still_<id>, end_<id>, reason_<id>), shown back as sent.
        form = await web.request.form()
        _participation, _event, running = await follow_up.check_subject(web.db, web.user, participation_id)
        errors: dict[str, str] = {}
        endings = []
        for view in running:
            oid = view.outcome.id
            # An end date filled in counts as "has ended", whichever button is ticked.
            if str(form.get(f"still_{oid}", "yes")) != "no" and not str(form.get(f"end_{oid}", "")).strip():
                continue
            try:
                end = dt.date.fromisoformat(str(form.get(f"end_{oid}", "")))
            except ValueError:
                errors[f"end_{oid}"] = _("Give the date it ended.")
                continue
            reason_text = str(form.get(f"reason_{oid}", ""))
            reason = StopReason(reason_text) if reason_text in StopReason._value2member_map_ else None
            endings.append(follow_up.Ending(oid, end, reason))
        if not errors:
            try:
                await follow_up.record_check(
                    web.db, web.user, participation_id, months, endings, str(form.get("note", "")), today()
                )
            except DomainError as exc:
                if exc.status_code == 404:
                    raise
                errors = form_errors(exc)
        if errors:
            context = await _check_context(web, participation_id, months, dict(form))
            return Template("events/followup/check_form.html", context={**context, "errors": errors}, status_code=422)
        return see_other("/follow-up?msg=saved")


class PlacementCheckPages(PageController):
    """The checks at 1, 3, 6 and 12 months after a placement started, with or without an event."""

    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/checks/placements/{outcome_id:int}/{months:int}", name="placement_check_form")
    async def form(self, web: NamedDependency[Web], outcome_id: FromPath[int], months: FromPath[int]) -> Template:
        context = await _placement_context(web, outcome_id, months, {})
        return Template(PLACEMENT_CHECK_FORM, context=context)

    @post("/checks/placements/{outcome_id:int}/{months:int}", name="placement_check_record")
    async def record(
        self, web: NamedDependency[Web], outcome_id: FromPath[int], months: FromPath[int]
    ) -> Response[Any]:
        values = await web.values()
        errors: dict[str, str] = {}
        ended_on = None
        if values.get("still") == "no" or values.get("end_date"):
            try:
                ended_on = dt.date.fromisoformat(str(values.get("end_date", "")))
            except ValueError:
                errors["end_date"] = _("Give the date it ended.")
        reason_text = str(values.get("stop_reason", ""))
        reason = StopReason(reason_text) if reason_text in StopReason._value2member_map_ else None
        if not errors:
            try:
                await placements.record_placement_check(
                    web.db,
                    web.user,
                    outcome_id,
                    months,
                    ended_on=ended_on,
                    stop_reason=reason,
                    note=str(values.get("note", "")),
                    today=today(),
                )
            except DomainError as exc:
                if exc.status_code == 404:
                    raise
                errors = form_errors(exc)
        if errors:
            context = await _placement_context(web, outcome_id, months, values)
            return Template(PLACEMENT_CHECK_FORM, context={**context, "errors": errors}, status_code=422)
        return see_other("/follow-up?msg=saved#placement-checks")


async def _placement_context(web: Web, outcome_id: int, months: int, values: dict[str, Any]) -> dict[str, Any]:
    view = await placements.placement_subject(web.db, web.user, outcome_id)
    candidate = await OutcomeService(web.db, web.user).candidate(view.outcome.candidate_id)
    start = view.outcome.start_date
    return {
        "view": view,
        "candidate": candidate,
        "months": months,
        "due_on": add_months(start, months) if start and months in PLACEMENT_CHECK_MONTHS else None,
        "stop_reasons": [r.value for r in StopReason],
        "values": values,
        "errors": {},
    }


async def _check_context(web: Web, participation_id: int, months: int, values: dict[str, Any]) -> dict[str, Any]:
    participation, event, running = await follow_up.check_subject(web.db, web.user, participation_id)
    candidate = await OutcomeService(web.db, web.user).candidate(participation.candidate_id)
    return {
        "participation": participation,
        "event": event,
        "candidate": candidate,
        "months": months,
        "due_on": add_months(event.date, months) if months in CHECK_MONTHS else None,
        "running": running,
        "stop_reasons": [r.value for r in StopReason],
        "values": values,
        "errors": {},
    }


def _values_of(outcome: Outcome, *, confirm: bool = False) -> dict[str, Any]:
    """The outcome as its form shows it (a new employer's name is never filled in: it has one by now)."""
    values = {}
    for name in OutcomeInput.__struct_fields__:
        value = getattr(outcome, name, None)
        if value is not None:
            values[name] = value.value if hasattr(value, "value") else value
    if confirm and outcome.status.value == "proposed":
        values["confirm"] = "1"
    return values


def _saved(candidate: Candidate) -> Redirect:
    return see_other(f"/candidates/{candidate.id}?msg=saved#outcomes")


async def _outcome_form(web: Web) -> dict[str, Any]:
    """The form's fields as OutcomeInput takes them: a ticked box is true, an untouched choice is no answer."""
    values = await web.values()
    benefits = values.pop("leaves_benefits", None)
    if benefits in ("yes", "no"):
        values["leaves_benefits"] = benefits == "yes"
    return values


async def _talks_context(web: EventWeb, errors: dict[str, str]) -> dict[str, Any]:
    """The employer's talks page: until the event is over (its day included) the talks planned at its tables,
    round by round; the talks held, to report what came of them."""
    event = web.event
    upcoming = event.date >= today()
    return {
        "event": event,
        "upcoming": upcoming,
        "planned": await planned_talks(web.db, web.user, event) if upcoming else None,
        "rounds": [(n, event.round_start(n), event.round_end(n)) for n in range(1, event.rounds + 1)],
        "employers": await EventService(web.db, web.user).employers(event),
        "talks": await employer_talks(web.db, web.user, event),
        "kinds": [k.value for k in PROPOSABLE],
        "errors": errors,
    }


class EmployerTalkPages(EventPageController):
    """An employer's talks after the event, and its report of a second interview or a place offered."""

    guards = [requires(Role.EMPLOYER)]

    @get("/events/{event_ref:str}/talks", name="employer_talks")
    async def talks(self, web: NamedDependency[EventWeb]) -> Template:
        return Template("events/followup/employer_talks.html", context=await _talks_context(web, {}))

    @post("/events/{event_ref:str}/talks", name="employer_propose")
    async def report(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        values = await web.values()
        try:
            await propose(web.db, web.user, parse(ProposalInput, values), event_id=web.event.id)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            errors = {str(values.get("held_talk_id", "_form")) if exc.field != "held_talk_id" else "_form": exc.message}
            context = await _talks_context(web, errors)
            return Template("events/followup/employer_talks.html", context=context, status_code=422)
        return web.redirect("/talks?msg=reported")


class EvaluationPages(PublicPageController):
    """The evaluation after the event, reached by the link in its e-mail; no login."""

    path = "/e"

    @get("/{token:str}", name="evaluation")
    async def evaluation_page(self, web: NamedDependency[Visit], token: FromPath[str]) -> Template:
        record, event = await evaluation.open_evaluation(web.db, token)
        return Template("events/followup/evaluation.html", context=_evaluation_context(record, event, {}, {}))

    @post("/{token:str}", name="evaluation_answer")
    async def answer(self, web: NamedDependency[Visit], token: FromPath[str]) -> Template:
        record, event = await evaluation.open_evaluation(web.db, token)
        form = msgspec.structs.asdict(await web.form(EvaluationForm))
        try:
            await evaluation.answer(web.db, token, evaluation.parse_answers(form))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = _evaluation_context(record, event, form, form_errors(exc))
            return Template("events/followup/evaluation.html", context=context, status_code=422)
        return Template(
            "events/followup/evaluation.html", context={**_evaluation_context(record, event, {}, {}), "thanks": True}
        )


def _evaluation_context(record: Any, event: Event, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    if not values and record.answered_at is not None:
        values = {**record.answers, "comment": record.comment}
    return {
        "event": event,
        "employer": record.respondent.value == "employer",
        "values": {k: str(v) for k, v in values.items()},
        "errors": errors,
        "thanks": False,
        "answered": record.answered_at is not None,
    }
