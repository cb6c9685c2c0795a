"""The pages of a programme for its people: making one (name, period or open intake, description), its settings
(period, target groups, stages, partners with their role, employers with social entrepreneurs), and its
participants by stage with enrolling an existing candidate.

The programme's results page (/programmes/{id}) and the list (/programmes) are the results slice's; the tabs link
them together. Another organisation's programme answers 404 (events.programmes.enrolments.get_programme).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select

from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error
from events.platform.i18n import gettext as _t
from events.platform.models import (
    Candidate,
    PartnerRole,
    Programme,
    Role,
    StageKind,
)
from events.platform.reach import candidate_reach
from events.platform.redirects import see_other
from events.platform.web import WEB, PageController, Web
from events.programmes import enrolments, services, setup
from events.programmes.pages_common import form_date, form_int, labels, provide_reached_programme, tabs
from events.registration.candidates import coaches as registration_coaches

SETTINGS = "events/programmes/settings.html"
PARTICIPANTS = "events/programmes/participants.html"
NEW = "events/programmes/new.html"


class ProgrammeSetupPages(PageController):
    """A new programme and a programme's settings: its organisers only."""

    guards = [requires(Role.ORGANISER)]
    dependencies = {"programme": Provide(provide_reached_programme), **WEB}

    @get("/programmes/new", name="programme_new")
    async def new_page(self) -> Template:
        return Template(NEW, context={"values": {}, "errors": {}})

    @post("/programmes/new", name="programme_new_create")
    async def create(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values()
        try:
            starts_on, ends_on = form_date(values, "starts_on"), form_date(values, "ends_on")
            programme = await services.create_programme(web.db, web.user, values.get("name"), values.get("description"))
            if values.get("open_intake"):
                ends_on = None
            await setup.set_period(web.db, web.user, programme, starts_on, ends_on)
        except DomainError as exc:
            await web.db.rollback()
            return form_error(NEW, {"values": values}, exc)
        return see_other(f"/programmes/{programme.id}/settings?msg=saved")

    async def _context(self, web: Web, programme: Programme) -> dict[str, Any]:
        enrolled = await enrolments.programme_enrolments(web.db, web.user, programme)
        stage_counts = Counter(e.stage_id for e, _c in enrolled)
        group_counts = Counter(e.target_group_id for e, _c in enrolled)
        return {
            **tabs(web.user, programme, "settings"),
            "stages": await enrolments.stages(web.db, programme.id),
            "groups": await enrolments.target_groups(web.db, programme.id),
            "stage_counts": stage_counts,
            "group_counts": group_counts,
            "partners": await setup.partners(web.db, programme),
            "employers": await setup.employers(web.db, programme),
            "partner_roles": [r.value for r in PartnerRole],
            "stage_kinds": [k.value for k in StageKind],
            "values": {
                "starts_on": programme.starts_on.isoformat() if programme.starts_on else "",
                "ends_on": programme.ends_on.isoformat() if programme.ends_on else "",
            },
            "errors": {},
            "form": "",
            "sent": {},
        }

    @get("/programmes/{programme_id:int}/settings", name="programme_settings")
    async def settings_page(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Template:
        enrolments.manages(web.user, programme)
        return Template(SETTINGS, context=await self._context(web, programme))

    @post("/programmes/{programme_id:int}/settings/{action:str}", name="programme_settings_change")
    async def change(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], action: FromPath[str]
    ) -> Response[Any]:
        enrolments.manages(web.user, programme)
        handler = _SETTINGS_ACTIONS.get(action)
        if handler is None:
            raise NotFoundError(action)
        values = await web.values()
        try:
            anchor = await handler(web, programme, values)
        except DomainError as exc:
            await web.db.rollback()
            await web.db.refresh(programme)
            context = await self._context(web, programme)
            return form_error(SETTINGS, {**context, "form": action, "sent": values}, exc)
        return see_other(f"/programmes/{programme.id}/settings?msg=saved#{anchor}")


# --- the settings' forms, each answering the part of the page to return to ------------------------------------


async def _period(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    ends_on = None if values.get("open_intake") else form_date(values, "ends_on")
    await setup.set_period(web.db, web.user, programme, form_date(values, "starts_on"), ends_on)
    return "period"


async def _group(web: Web, programme: Programme, values: dict[str, Any]) -> Any:
    return await enrolments.find_target_group(web.db, programme, form_int(values, "group_id"))


async def _stage(web: Web, programme: Programme, values: dict[str, Any]) -> Any:
    return await enrolments.find_stage(web.db, programme, form_int(values, "stage_id"))


async def _add_group(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.add_target_group(web.db, web.user, programme, str(values.get("target_group") or ""))
    return "groups"


async def _rename_group(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    group = await _group(web, programme, values)
    await setup.rename_target_group(web.db, web.user, programme, group, str(values.get("target_group") or ""))
    return "groups"


async def _remove_group(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.remove_target_group(web.db, web.user, programme, await _group(web, programme, values))
    return "groups"


async def _add_stage(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.add_stage(web.db, web.user, programme, str(values.get("stage") or ""))
    return "stages"


async def _rename_stage(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    stage = await _stage(web, programme, values)
    await setup.rename_stage(web.db, web.user, programme, stage, str(values.get("stage") or ""))
    return "stages"


async def _move_stage(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    stage = await _stage(web, programme, values)
    await setup.move_stage(web.db, web.user, programme, stage, -1 if values.get("direction") == "up" else 1)
    return "stages"


async def _remove_stage(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.remove_stage(web.db, web.user, programme, await _stage(web, programme, values))
    return "stages"


async def _partner(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    try:
        role = PartnerRole(str(values.get("role") or ""))
    except ValueError:
        raise DomainError("invalid_role", _t("Choose one of the options."), "role") from None
    await setup.invite_partner(web.db, web.user, programme, str(values.get("organisation") or ""), role)
    return "partners"


async def _end_partner(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.end_partnership(web.db, web.user, programme, form_int(values, "partnership_id"))
    return "partners"


async def _employer(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    social = bool(values.get("social_enterprise"))
    await setup.add_employer(web.db, web.user, programme, str(values.get("employer") or ""), social_enterprise=social)
    return "employers"


async def _remove_employer(web: Web, programme: Programme, values: dict[str, Any]) -> str:
    await setup.remove_employer(web.db, web.user, programme, form_int(values, "organisation_id"))
    return "employers"


_SETTINGS_ACTIONS: dict[str, Callable[[Web, Programme, dict[str, Any]], Awaitable[str]]] = {
    "period": _period,
    "add-group": _add_group,
    "rename-group": _rename_group,
    "remove-group": _remove_group,
    "add-stage": _add_stage,
    "rename-stage": _rename_stage,
    "move-stage": _move_stage,
    "remove-stage": _remove_stage,
    "partner": _partner,
    "end-partner": _end_partner,
    "employer": _employer,
    "remove-employer": _remove_employer,
}


def _id_or_none(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


# --- participants ---------------------------------------------------------------------------------------------


class ParticipantPages(PageController):
    """A programme's participants by stage: its organisers see everyone, a coach the people they coach there."""

    guards = [requires(Role.ORGANISER, Role.COACH)]
    dependencies = {"programme": Provide(provide_reached_programme), **WEB}

    async def _context(
        self, web: Web, programme: Programme, stage: int | None = None, group: int | None = None
    ) -> dict[str, Any]:
        rows = await enrolments.programme_enrolments(web.db, web.user, programme)
        stages = await enrolments.stages(web.db, programme.id)
        groups = await enrolments.target_groups(web.db, programme.id)
        counts = Counter(e.stage_id for e, _c in rows)
        shown = [
            (e, c)
            for e, c in rows
            if (stage is None or e.stage_id == stage) and (group is None or e.target_group_id == group)
        ]
        organiser = web.user.role is Role.ORGANISER
        candidates: list[Candidate] = []
        if organiser:
            enrolled = {c.id for _e, c in rows}
            found = await web.db.scalars(
                select(Candidate)
                .where(
                    candidate_reach(web.user),
                    Candidate.organisation_id == programme.organisation_id,
                    Candidate.erased_at.is_(None),
                )
                .order_by(Candidate.first_name, Candidate.last_name)
                .limit(500)
            )
            candidates = [c for c in found if c.id not in enrolled]
        return {
            **tabs(web.user, programme, "participants"),
            "rows": shown,
            "total": len(rows),
            "stages": stages,
            "stage_names": {s.id: s.name for s in stages},
            "group_names": {g.id: g.name for g in groups},
            "groups": groups,
            "counts": counts,
            "stage_filter": stage,
            "group_filter": group,
            "may_enrol": organiser,
            "candidates": candidates,
            "coach_options": list(await registration_coaches(web.db, web.user)) if organiser else [],
            "values": {},
            "errors": {},
        }

    @get("/programmes/{programme_id:int}/participants", name="programme_participants")
    async def participants_page(
        self,
        web: NamedDependency[Web],
        programme: NamedDependency[Programme],
        stage: FromQuery[str] = "",
        group: FromQuery[str] = "",
    ) -> Template:
        # A filter left at "all" comes as an empty value; anything but an id shows everyone.
        context = await self._context(web, programme, _id_or_none(stage), _id_or_none(group))
        return Template(PARTICIPANTS, context=context)

    @post("/programmes/{programme_id:int}/participants", name="programme_enrol")
    async def enrol(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Response[Any]:
        values = await web.values()
        try:
            enrolments.manages(web.user, programme)
            candidate = await web.db.scalar(
                select(Candidate).where(
                    Candidate.id == form_int(values, "candidate_id"),
                    candidate_reach(web.user),
                    Candidate.erased_at.is_(None),
                )
            )
            if candidate is None:
                raise DomainError("unknown_candidate", _t("Choose one of the options."), "candidate_id")
            group = (
                await enrolments.find_target_group(web.db, programme, form_int(values, "target_group"))
                if values.get("target_group")
                else None
            )
            stage = (
                await enrolments.find_stage(web.db, programme, form_int(values, "stage"))
                if values.get("stage")
                else None
            )
            enrolment = await enrolments.enrol(
                web.db,
                web.user,
                programme,
                candidate,
                target_group=group,
                stage=stage,
                referrer_name=str(values.get("referrer_name") or ""),
                intake_on=form_date(values, "intake_on"),
                coach_ids=[form_int(values, "coach")] if values.get("coach") else [],
            )
        except DomainError as exc:
            await web.db.rollback()
            await web.db.refresh(programme)
            context = await self._context(web, programme)
            return form_error(PARTICIPANTS, {**context, "values": values}, exc)
        return see_other(f"/enrolments/{enrolment.id}?msg=saved")


__all__ = ["ParticipantPages", "ProgrammeSetupPages", "labels"]
