"""The page of one person in a programme (/enrolments/{id}): who they are and how to reach them, target group,
referrer, dates, the stage with its history, the intake's decision, goals and barriers, criminal-justice data (only
for those who may read it: not even its heading shows to others), the activities on the timeline, benefits, and
outcomes.

Organisers of the programme and the person's coaches change it; a coach who sees a waiting referral picks it up
first. Anything outside the user's reach answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from events.followup.services import OutcomeService
from events.platform.auth import requires
from events.platform.dates import today
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error
from events.platform.i18n import gettext as _t
from events.platform.models import (
    ActivityKind,
    BenefitKind,
    Candidate,
    Decision,
    DropReason,
    Enrolment,
    IntroductionStatus,
    Programme,
    Role,
    StageKind,
    User,
)
from events.platform.reach import unclaimed_referrals
from events.platform.redirects import see_other
from events.platform.services import audit
from events.platform.web import PageController, Web
from events.programmes import activities, enrolments, intake, plan, setup
from events.programmes.pages_common import form_date, form_int, tabs

ENROLMENT = "events/programmes/enrolment.html"
# The kinds a coach adds by hand; the programme's events come with the event.
ADDABLE = (
    ActivityKind.COACHING,
    ActivityKind.TRAINING,
    ActivityKind.WORKSHOP,
    ActivityKind.WORK_EXPERIENCE,
    ActivityKind.INTRODUCTION,
)


def _choice(kind: Any, values: dict[str, Any], field: str) -> Any:
    try:
        return kind(str(values.get(field) or ""))
    except ValueError:
        raise DomainError("invalid", _t("Choose one of the options."), field) from None


def _release_on(justice: dict[str, Any] | None) -> dt.date | None:
    release = (justice or {}).get("release_date")
    return dt.date.fromisoformat(str(release)) if release else None


async def _context(web: Web, enrolment: Enrolment) -> dict[str, Any]:
    db, user = web.db, web.user
    programme = await db.get(Programme, enrolment.programme_id)
    candidate = await db.get(Candidate, enrolment.candidate_id)
    if programme is None or candidate is None:
        raise NotFoundError("enrolment")
    coach_ids = await enrolments.coach_ids(db, enrolment)
    coaches = list(await db.scalars(select(User.name).where(User.id.in_(coach_ids)).order_by(User.name)))
    waiting = bool(await db.scalar(select(Enrolment.id).where(Enrolment.id == enrolment.id, unclaimed_referrals())))
    may_change = True
    try:
        await enrolments.may_change(db, user, enrolment)
    except DomainError:
        may_change = False
    # Criminal-justice data: read (and the read audited) only for those allowed; for anyone else the page holds
    # nothing of it, not even a heading.
    justice = await plan.justice(db, user, enrolment) if await plan.may_read_justice(db, user, enrolment) else None
    if may_change:
        # The confidential parts (goals, barriers, notes, benefits) are on the page: the read is audited, as the
        # API's is.
        await audit(db, user, "read_sensitive", "enrolment", enrolment.id, candidate_id=enrolment.candidate_id)
    day = today()
    timeline = [(a, name, activities.state(a, day)) for a, name in await activities.timeline(db, enrolment)]
    outcomes: list[Any] = []
    if may_change:
        try:
            outcomes = await OutcomeService(db, user).for_candidate(candidate.id)
        except NotFoundError:
            outcomes = []
    stages = await enrolments.stages(db, programme.id)
    groups = await enrolments.target_groups(db, programme.id)
    group = next((g for g in groups if g.id == enrolment.target_group_id), None)
    return {
        **tabs(user, programme, "participants"),
        "enrolment": enrolment,
        "candidate": candidate,
        "coaches": coaches,
        "waiting": waiting,
        "may_pick_up": waiting and user.role is Role.COACH,
        "may_change": may_change,
        "stage": next((s for s in stages if s.id == enrolment.stage_id), None),
        "stages": stages,
        "dropped_ids": [s.id for s in stages if s.kind is StageKind.DROPPED],
        "groups": groups,
        "group": group,
        "referrer_organisation": await plan.referrer_organisation(db, enrolment),
        "history": await intake.stage_history(db, enrolment),
        "justice": justice,
        "release_on": dt.date.fromisoformat(justice["release_date"])
        if justice and justice.get("release_date")
        else None,
        "timeline": timeline,
        "programme_events": await activities.programme_events(db, enrolment),
        "benefits": await activities.benefits(db, enrolment),
        "outcomes": outcomes,
        "employers": await setup.employers(db, programme),
        "barrier_options": list(plan.ENROLMENT_BARRIERS),
        "drop_reasons": [r.value for r in DropReason],
        "benefit_kinds": [b.value for b in BenefitKind],
        "addable": [k.value for k in ADDABLE],
        "today": day,
        "values": {},
        "errors": {},
        "form": "",
    }


class EnrolmentPages(PageController):
    """One person in a programme, and the changes to it."""

    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/enrolments/{enrolment_id:int}", name="enrolment")
    async def enrolment_page(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> Template:
        enrolment = await enrolments.get_enrolment(web.db, web.user, enrolment_id)
        return Template(ENROLMENT, context=await _context(web, enrolment))

    @post("/enrolments/{enrolment_id:int}/{action:str}", name="enrolment_change")
    async def change(
        self, web: NamedDependency[Web], enrolment_id: FromPath[int], action: FromPath[str]
    ) -> Response[Any]:
        handler = _ACTIONS.get(action)
        if handler is None:
            raise NotFoundError(action)
        enrolment = await enrolments.get_enrolment(web.db, web.user, enrolment_id)
        values = await web.values(lists=("barriers",))
        try:
            anchor = await handler(web, enrolment, values)
        except DomainError as exc:
            await web.db.rollback()
            enrolment = await enrolments.get_enrolment(web.db, web.user, enrolment_id)
            context = await _context(web, enrolment)
            # The page shown again reads the confidential parts anew: those reads are kept in the audit log even
            # though the form's change is not (it was rolled back above).
            await web.db.commit()
            return form_error(ENROLMENT, {**context, "form": action, "values": values}, exc)
        return see_other(f"/enrolments/{enrolment.id}?msg=saved#{anchor}")


# --- the page's forms, each answering the part of the page to return to ----------------------------------------


async def _pick_up(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    await intake.pick_up(web.db, web.user, enrolment)
    return "stage"


async def _move(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    programme = await web.db.get(Programme, enrolment.programme_id)
    assert programme is not None  # noqa: S101 - the enrolment's foreign key holds it
    stage = await enrolments.find_stage(web.db, programme, form_int(values, "stage"))
    reason = _choice(DropReason, values, "drop_reason") if values.get("drop_reason") else None
    await intake.move(web.db, web.user, enrolment, stage, drop_reason=reason)
    return "stage"


async def _decide(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    decision = _choice(Decision, values, "decision")
    await intake.decide(
        web.db,
        web.user,
        enrolment,
        decision,
        reason=str(values.get("reason") or ""),
        intake_on=form_date(values, "intake_on"),
    )
    return "intake"


async def _plan(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    programme = await web.db.get(Programme, enrolment.programme_id)
    assert programme is not None  # noqa: S101 - the enrolment's foreign key holds it
    group = (
        await enrolments.find_target_group(web.db, programme, form_int(values, "target_group"))
        if values.get("target_group")
        else None
    )
    await plan.update_plan(
        web.db,
        web.user,
        enrolment,
        goals=str(values.get("goals") or ""),
        barriers=[str(b) for b in values.get("barriers", [])],
        target_group=group,
    )
    return "plan"


async def _justice(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    await plan.set_justice(
        web.db,
        web.user,
        enrolment,
        detained=bool(values.get("detained")),
        release_date=form_date(values, "release_date"),
        criminal_record=bool(values.get("criminal_record")),
    )
    return "justice"


async def _activity(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    kind = _choice(ActivityKind, values, "kind")
    if kind not in ADDABLE:
        raise DomainError("invalid", _t("Choose one of the options."), "kind")
    data = activities.ActivityInput(
        kind=kind,
        title=str(values.get("title") or ""),
        starts_on=form_date(values, "starts_on"),
        planned_end=form_date(values, "planned_end"),
        provider=str(values.get("provider") or ""),
        employer=str(values.get("employer") or ""),
        note=str(values.get("note") or ""),
    )
    await activities.add_activity(web.db, web.user, enrolment, data)
    return "timeline"


async def _finish(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    activity = await activities.get_activity(web.db, enrolment, form_int(values, "activity_id"))
    await activities.finish(
        web.db,
        web.user,
        enrolment,
        activity,
        completed=values.get("completed") == "yes",
        on=form_date(values, "ended_on"),
    )
    return "timeline"


async def _introduction(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    activity = await activities.get_activity(web.db, enrolment, form_int(values, "activity_id"))
    status = _choice(IntroductionStatus, values, "status")
    match = {"yes": True, "no": False}.get(str(values.get("match") or ""))
    if status is IntroductionStatus.HELD and match is None:
        raise DomainError("required", _t("Say whether it was a match."), "match")
    await activities.record_introduction(
        web.db,
        web.user,
        enrolment,
        activity,
        status=status,
        match=match,
        employer_answer=str(values.get("employer_answer") or ""),
        held_on=form_date(values, "held_on"),
    )
    return "timeline"


async def _benefit(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    benefit = _choice(BenefitKind, values, "benefit")
    await activities.add_benefit(web.db, web.user, enrolment, benefit, since=form_date(values, "since"))
    return "benefits"


async def _leave_benefit(web: Web, enrolment: Enrolment, values: dict[str, Any]) -> str:
    left_on = form_date(values, "left_on")
    if left_on is None:
        raise DomainError("required", _t("This field is required."), "left_on")
    await activities.leave_benefit(web.db, web.user, enrolment, form_int(values, "period_id"), left_on)
    return "benefits"


_ACTIONS: dict[str, Callable[[Web, Enrolment, dict[str, Any]], Awaitable[str]]] = {
    "pick-up": _pick_up,
    "move": _move,
    "decide": _decide,
    "plan": _plan,
    "justice": _justice,
    "activity": _activity,
    "finish": _finish,
    "introduction": _introduction,
    "benefit": _benefit,
    "leave-benefit": _leave_benefit,
}

__all__ = ["EnrolmentPages"]
