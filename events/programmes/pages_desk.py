"""The coach's desk across programmes (/desk), and referral for referrers: "Iemand aanmelden" per programme they
reach (/programmes/{id}/refer) and "Mijn aanmeldingen" (/referrals: name, programme, date and stage, nothing
else)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_error
from events.platform.models import Programme, Role
from events.platform.redirects import see_other
from events.platform.web import WEB, PageController, Web
from events.programmes import desk, enrolments, intake
from events.programmes.pages_common import labels, provide_reached_programme

DESK = "events/programmes/desk.html"
REFER = "events/programmes/refer.html"
REFERRALS = "events/programmes/referrals.html"


class DeskPages(PageController):
    """What a coach (or an organiser, for every coach) has on their plate across programmes."""

    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/desk", name="desk")
    async def desk_page(self, web: NamedDependency[Web]) -> Template:
        return Template(DESK, context={"desk": await desk.desk(web.db, web.user), "errors": {}, **labels()})

    @post("/desk/pick-up/{enrolment_id:int}", name="desk_pick_up")
    async def pick_up(self, web: NamedDependency[Web], enrolment_id: FromPath[int]) -> Response[Any]:
        enrolment = await enrolments.get_enrolment(web.db, web.user, enrolment_id)
        try:
            await intake.pick_up(web.db, web.user, enrolment)
        except DomainError as exc:
            await web.db.rollback()
            context = {"desk": await desk.desk(web.db, web.user), **labels()}
            await web.db.commit()  # the releases read for the desk stay in the audit log
            return form_error(DESK, context, exc, field="pick_up")
        return see_other(f"/enrolments/{enrolment.id}?msg=saved")


class ReferralPages(PageController):
    """A referrer (a partner's coach, a neighbourhood connector with an account) refers someone and follows their
    referrals."""

    guards = [requires(Role.COACH, Role.ORGANISER)]
    dependencies = {"programme": Provide(provide_reached_programme), **WEB}

    @get("/referrals", name="referrals")
    async def referrals_page(self, web: NamedDependency[Web]) -> Template:
        context = {
            "referrals": await intake.my_referrals(web.db, web.user),
            "programmes": await enrolments.reached_programmes(web.db, web.user),
        }
        return Template(REFERRALS, context=context)

    @get("/programmes/{programme_id:int}/refer", name="refer")
    async def refer_page(self, programme: NamedDependency[Programme]) -> Template:
        return Template(REFER, context={"programme": programme, "values": {}, "errors": {}})

    @post("/programmes/{programme_id:int}/refer", name="refer_send")
    async def refer(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Response[Any]:
        values = await web.values()
        referral = enrolments.Referral(
            first_name=str(values.get("first_name") or ""),
            last_name=str(values.get("last_name") or ""),
            consent=bool(values.get("consent")),
            email=str(values.get("email") or ""),
            phone=str(values.get("phone") or ""),
            contact_through=str(values.get("contact_through") or ""),
            wishes=str(values.get("wishes") or ""),
            referrer_name=str(values.get("referrer_name") or ""),
        )
        try:
            await enrolments.refer(web.db, web.user, programme, referral)
        except DomainError as exc:
            await web.db.rollback()
            await web.db.refresh(programme)
            return form_error(REFER, {"programme": programme, "values": values}, exc)
        return see_other("/referrals?msg=referred")


__all__ = ["DeskPages", "ReferralPages"]
