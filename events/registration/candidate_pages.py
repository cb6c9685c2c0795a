"""Pages of candidates (their coaches and organisers): a candidate's record with its consent, signing them up
for an event, and who coaches whom (a second coach, handing a caseload over)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_error, parse, rounds_field
from events.platform.i18n import gettext as _t
from events.platform.models import (
    BARRIERS,
    SECTORS,
    CoachKind,
    ConsentMethod,
    Role,
)
from events.platform.redirects import see_other
from events.platform.services import CandidateService, EventService
from events.platform.web import PageController, Web
from events.registration.candidates import (
    assign_coach,
    coaches,
    hand_over_caseload,
    register_candidate,
    remove_coach,
    sign_up,
    update_candidate,
)
from events.registration.inputs import CandidateInput, ConsentInput, ParticipationInput
from events.registration.pages import FORM_ID


def candidate_form_values(candidate: Any) -> dict[str, Any]:
    if candidate is None:
        return {"sectors": [], "barriers": [], "method": "verbal"}
    return {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.email or "",
        "phone": candidate.phone or "",
        "date_of_birth": candidate.date_of_birth.isoformat() if candidate.date_of_birth else "",
        "city": candidate.city or "",
        "sectors": list(candidate.sectors or []),
        "hours_per_week": candidate.hours_per_week or "",
        "own_words": candidate.own_words,
        "target_group": candidate.target_group or "",
        "barriers": list(candidate.barriers or []),
        "coach_note": candidate.coach_note,
    }


FORM = "events/candidate_form.html"


class AssignForm(msgspec.Struct):
    """A second coach for a candidate, and as what (left out: a job coach; an empty choice is refused)."""

    coach_id: str = ""
    kind: str = "jobcoach"


class HandoverForm(msgspec.Struct):
    """A caseload handed over: from whom (left out: the one handing it over; empty is refused) to whom."""

    from_coach_id: str | None = None
    to_coach_id: str = ""


class CandidateAdminPages(PageController):
    path = "/candidates"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    def _context(self, candidate: Any, values: dict[str, Any], coaches: Any = ()) -> dict[str, Any]:
        return {
            "candidate": candidate,
            "values": values,
            "errors": {},
            "sectors": SECTORS,
            "barriers": BARRIERS,
            "methods": [m.value for m in ConsentMethod],
            "coaches": coaches,
            "coach_kinds": [k.value for k in CoachKind],
        }

    @get("/new", name="candidate_new")
    async def new_candidate(self, web: NamedDependency[Web]) -> Template:
        return Template(FORM, context=self._context(None, candidate_form_values(None), await coaches(web.db, web.user)))

    @post("/new", name="candidate_create")
    async def create_candidate(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values(lists=("sectors", "barriers"))
        try:
            data = parse(CandidateInput, values)
            consent = parse(
                ConsentInput, {"purpose": values.get("purpose", ""), "method": values.get("method", "verbal")}
            )
            coach_id = int(values["coach_id"]) if FORM_ID.fullmatch(str(values.get("coach_id", ""))) else None
            candidate = await register_candidate(web.db, web.user, data, consent, coach_id=coach_id)
        except DomainError as exc:
            return form_error(FORM, self._context(None, values, await coaches(web.db, web.user)), exc)
        return see_other(f"/candidates/{candidate.id}?msg=saved")

    @get("/{candidate_id:int}/edit", name="candidate_edit")
    async def edit_candidate(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Template:
        candidate = await CandidateService(web.db, web.user).get(candidate_id, sensitive=True, manage=True)
        return Template(FORM, context=self._context(candidate, candidate_form_values(candidate)))

    @post("/{candidate_id:int}/edit", name="candidate_update")
    async def update_candidate(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[Any]:
        candidate = await CandidateService(web.db, web.user).get(candidate_id, manage=True)
        values = await web.values(lists=("sectors", "barriers"))
        try:
            await update_candidate(web.db, web.user, candidate_id, parse(CandidateInput, values))
        except DomainError as exc:
            return form_error(FORM, self._context(candidate, values), exc)
        return see_other(f"/candidates/{candidate_id}?msg=saved")

    @post("/{candidate_id:int}/signup", name="candidate_signup")
    async def sign_up(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[Any]:
        values = await web.values(lists=("rounds",))
        event = await EventService(web.db, web.user).get(str(values.get("event", "")) or "-")
        try:
            rounds_field(values, total=event.rounds)
            data = parse(ParticipationInput, values)
            participation = await sign_up(web.db, web.user, event, candidate_id, data)
        except DomainError as exc:
            return see_other(f"/candidates/{candidate_id}?msg=signup_failed&reason={exc.code}")
        if event.plenary:  # no wishes to enter next
            return see_other(f"/candidates/{candidate_id}?msg=saved")
        return see_other(f"/events/{event.slug}/wishes/{participation.id}?msg=signed_up")


class CoachPages(PageController):
    """Who coaches whom: a second coach for a candidate, and handing a caseload over."""

    path = "/coaches"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @post("/assign/{candidate_id:int}", name="coach_assign")
    async def assign(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Redirect:
        await CandidateService(web.db, web.user).get(candidate_id)  # reach first
        form = await web.posted(AssignForm)
        if not FORM_ID.fullmatch(form.coach_id) or form.kind not in {k.value for k in CoachKind}:
            raise DomainError("invalid", _t("Choose a coach."), "coach_id")
        await assign_coach(web.db, web.user, candidate_id, int(form.coach_id), CoachKind(form.kind))
        return see_other(f"/candidates/{candidate_id}?msg=saved")

    @post("/unassign/{candidate_id:int}/{coach_id:int}", name="coach_unassign")
    async def unassign(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], coach_id: FromPath[int]
    ) -> Redirect:
        await remove_coach(web.db, web.user, candidate_id, coach_id)
        return see_other(f"/candidates/{candidate_id}?msg=saved" if coach_id != web.user.id else "/?msg=saved")

    @post("/handover", name="coach_handover")
    async def handover(self, web: NamedDependency[Web]) -> Redirect:
        form = await web.posted(HandoverForm)
        source = str(web.user.id) if form.from_coach_id is None else form.from_coach_id
        target = form.to_coach_id
        if not FORM_ID.fullmatch(source) or not FORM_ID.fullmatch(target):
            raise DomainError("invalid", _t("Choose a coach."), "to_coach_id")
        moved = await hand_over_caseload(web.db, web.user, int(source), int(target))
        return see_other(f"/?msg=handed_over&n={moved}")
