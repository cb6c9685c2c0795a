"""The organiser's pages on the day: the live dashboard (server-sent events through the live channel), marking
people present or absent by hand, the door instruction, entering paper lists, re-planning, and the coach desk
(the round clock's pages are in clock_pages.py). The work is in the day's services; the SQLAlchemy plugin
commits, and the dashboards hear of a change after that (`publish_after`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import clock, coach_desk, paper, replan
from badges.day import services as day
from badges.day.door import set_rehearsal
from badges.day.live import Live
from badges.day.page_helpers import DAY_WEB, published
from events.platform import dates, i18n
from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_error
from events.platform.i18n import gettext as _t
from events.platform.models import Event, Role
from events.platform.web import EventPageController, EventWeb
from schedule import replanning

organisers = requires(Role.ORGANISER)
HEARTBEAT_SECONDS = 20
# At most one new set of figures every two seconds, however fast scans come: a large fair's figures take a few
# hundred milliseconds to gather, and the scans must keep the server's time.
MIN_INTERVAL_SECONDS = 2.0
# What the dashboards hear of (no personal data: they read the figures again).
PAPER = {"type": "paper"}
ABSENT = {"type": "absent"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return dates.local_day(_now())


async def figures_html(request: Request[Any, Any, Any], session: AsyncSession, event: Event) -> str:
    seen = await day.picture(session, event, _now())
    engine = request.app.template_engine
    assert engine is not None  # noqa: S101 - the app has a template engine
    template = engine.get_template("badges/_day_figures.html")
    token = ScopeState.from_scope(request.scope).csrf_token
    token = token if isinstance(token, str) else ""
    return str(
        template.render(
            picture=seen,
            view=clock.view(event, seen.now),
            request=request,
            csrf_input=f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />',
        )
    )


async def day_context(
    request: Request[Any, Any, Any], session: AsyncSession, event: Event, errors: dict[str, str]
) -> dict[str, Any]:
    now = _now()
    return {
        "event": event,
        "figures": await figures_html(request, session, event),
        "today": dates.local_day(now),
        "start_refused": clock.start_refusal(event, now) if event.clock_state == "idle" else None,
        "errors": errors,
    }


class RehearsalForm(msgspec.Struct):
    open: str = ""


class DayForm(msgspec.Struct):
    instruction: str = ""


class DayPages(EventPageController):
    path = "/events/{event_ref:str}/day"
    guards = [organisers]
    dependencies = DAY_WEB

    @get("/", name="day")
    async def dashboard(self, web: NamedDependency[EventWeb]) -> Template:
        return Template("badges/day.html", context=await day_context(web.request, web.db, web.event, {}))

    @post("/rehearsal", name="day-rehearsal")
    async def rehearsal(self, web: NamedDependency[EventWeb], data: URLEncodedBody[RehearsalForm]) -> Response[Any]:
        """Open the door early for a rehearsal today (`open` 1), or close it again; it closes by itself at
        midnight."""
        try:
            await set_rehearsal(web.db, web.user, web.event, open_door=data.open == "1", today=_today())
        except DomainError as exc:
            context = await day_context(web.request, web.db, web.event, {})
            return form_error("badges/day.html", context, exc, "rehearsal", exc.status_code)
        return web.redirect("/day?msg=saved")

    @get("/figures", name="day-figures")
    async def figures(self, web: NamedDependency[EventWeb]) -> Response[str]:
        """The dashboard's figures as an HTML fragment (what the live stream sends, for a page without it)."""
        html = await figures_html(web.request, web.db, web.event)
        return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})

    @get("/stream", name="day-stream")
    async def stream(self, web: NamedDependency[EventWeb], once: FromQuery[bool] = False) -> ServerSentEvent:
        """Server-sent events: the figures at once, again whenever a scan or a change arrives on the event's
        live channel (from any process, through Redis when configured), and at least every 20 seconds.
        With `once`, only the first message (for a client that polls)."""
        event_id, request = web.event.id, web.request
        language = i18n.current_language()
        live: Live = request.app.state.live
        sessions = request.app.state.sessions

        async def messages() -> AsyncIterator[ServerSentEventMessage]:
            changed = asyncio.Event()

            async def on_event(_data: bytes) -> None:
                changed.set()

            subscriber = await live.channels.subscribe(live.channel(event_id))
            try:
                async with subscriber.run_in_background(on_event):
                    while True:
                        async with sessions() as session:
                            current = await session.get(Event, event_id)
                            if current is None:
                                return
                            with i18n.language(language):
                                html = await figures_html(request, session, current)
                        yield ServerSentEventMessage(data=html, event="figures")
                        if once:
                            return
                        sent = asyncio.get_running_loop().time()
                        try:
                            await asyncio.wait_for(changed.wait(), timeout=HEARTBEAT_SECONDS)
                            # One update for a burst of scans, and never more often than the interval.
                            await asyncio.sleep(
                                max(0.3, MIN_INTERVAL_SECONDS - (asyncio.get_running_loop().time() - sent))
                            )
                        except TimeoutError:
                            pass
                        changed.clear()
            finally:
                await live.channels.unsubscribe(subscriber)

        return ServerSentEvent(messages(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @get("/replan", name="day-replan")
    async def replan_page(self, web: NamedDependency[EventWeb]) -> Template:
        """Re-plan from the next round: who counts as absent, the walk-ins, and the round to start from."""
        return Template("badges/replan.html", context=await replan_context(web.db, web.event, {}))

    @post("/replan", name="day-replan-run")
    async def replan_run(self, web: NamedDependency[EventWeb], data: URLEncodedBody[ReplanForm]) -> Response[Any]:
        """Make the re-planned schedule as a draft and show what changes for whom, ready to publish."""
        values = {
            "from_round": data.from_round,
            "not_arrived": data.not_arrived,
            "employers_not_arrived": data.employers_not_arrived,
        }
        context = await replan_context(web.db, web.event, values)
        try:
            try:
                from_round = int(data.from_round)
            except ValueError:
                raise DomainError("invalid", _t("Choose the round to re-plan from."), field="from_round") from None
            done = await replanning.replan_live(
                web.db,
                web.user,
                web.event,
                from_round=from_round,
                absent_candidates=[p.holder.id for p in context["absent"]],
                absent_employers=context["absent_employers"],
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return form_error("badges/replan.html", context, exc, "from_round", exc.status_code)
        return web.redirect(f"/programme/{done.version.number}/diff?msg=replanned")

    @get("/paper", name="day-paper")
    async def paper_page(self, web: NamedDependency[EventWeb], employer: FromQuery[int | None] = None) -> Template:
        """Enter what was ticked on paper: the attendance list, and an employer's table sheets."""
        return Template("badges/paper.html", context=await paper_context(web.db, web.event, employer))

    @post("/paper/attendance", name="day-paper-attendance")
    async def paper_attendance(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        values = await web.values(lists=("present",))
        ticked = [str(v) for v in values.get("present", [])]
        try:
            await paper.record_attendance(web.db, web.user, web.event, ticked)
        except DomainError as exc:
            context = await paper_context(web.db, web.event, None)
            return form_error("badges/paper.html", context, exc, "present", exc.status_code)
        return published(web, "/day/paper?msg=saved", PAPER)

    @post("/paper/talks", name="day-paper-talks")
    async def paper_talks(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        sheet = paper.TableSheet.from_form(await web.values(lists=("held",)))
        try:
            await paper.record_talks(web.db, web.user, web.event, sheet.employer_id, sheet.held, sheet.follow_ups)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = await paper_context(web.db, web.event, sheet.employer_id)
            return form_error("badges/paper.html", context, exc, "held", exc.status_code)
        return published(web, f"/day/paper?employer={sheet.employer_id}&msg=saved", PAPER)

    @post("/{kind:str}/{holder_id:int}/present", name="day-present")
    async def present(self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]) -> Redirect:
        """Mark a person present by hand (they came without their badge)."""
        holder = await day.day_holder(web.db, web.event, kind, holder_id)
        if not await day.mark_present(web.db, web.user, web.event, holder):
            return web.redirect("/day?msg=saved")
        return published(web, "/day?msg=saved", {"type": "check_in", "holder": holder.token_subject})

    @post("/{kind:str}/{holder_id:int}/absent", name="day-absent")
    async def absent(self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]) -> Redirect:
        """Mark a candidate who has not come as absent (a re-plan then gives their seats to others)."""
        holder = await day.day_holder(web.db, web.event, kind, holder_id, only_candidates=True)
        await day.mark_absent(web.db, web.user, web.event, holder)
        return published(web, "/day?msg=saved", ABSENT)

    @post("/{kind:str}/{holder_id:int}/instruction", name="day-instruction")
    async def instruction(
        self,
        web: NamedDependency[EventWeb],
        kind: FromPath[str],
        holder_id: FromPath[int],
        data: URLEncodedBody[DayForm],
    ) -> Redirect:
        """What door staff are asked to do when this candidate arrives ("bring to the coach desk")."""
        holder = await day.day_holder(web.db, web.event, kind, holder_id, only_candidates=True)
        await day.set_instruction(web.db, holder, data.instruction)
        return web.redirect("/day?msg=saved")


class ReplanForm(msgspec.Struct):
    from_round: str = ""
    not_arrived: str = ""
    employers_not_arrived: str = ""


async def replan_context(session: AsyncSession, event: Event, values: dict[str, str]) -> dict[str, Any]:
    not_arrived = values.get("not_arrived", "1") == "1"
    employers_not_arrived = values.get("employers_not_arrived", "") == "1"
    now = _now()
    candidates, employers = await replan.absentees(
        session, event, now, not_arrived=not_arrived, employers_not_arrived=employers_not_arrived
    )
    walk_ins = await replan.walk_in_names(session, event)
    start = replan.default_round(event, now)
    return {
        "event": event,
        "absent": candidates,
        "absent_employers": employers,
        "walk_ins": walk_ins,
        "default_round": start,
        "values": {
            "from_round": values.get("from_round") or (str(start) if start else ""),
            "not_arrived": "1" if not_arrived else "",
            "employers_not_arrived": "1" if employers_not_arrived else "",
        },
        "errors": {},
    }


async def paper_context(session: AsyncSession, event: Event, employer: int | None) -> dict[str, Any]:
    choices = await paper.employers(session, event)
    chosen = employer if employer in {e for e, _ in choices} else None
    return {
        "event": event,
        "missing": await paper.not_checked_in(session, event),
        "employers": choices,
        "employer": chosen,
        "talks": await paper.talks_of(session, event, chosen) if chosen is not None else [],
        "errors": {},
    }


class CoachDeskPages(EventPageController):
    path = "/events/{event_ref:str}/coach-desk"
    guards = [requires(Role.ORGANISER, Role.COACH)]
    dependencies = DAY_WEB

    @get("/", name="coach-desk")
    async def page(self, web: NamedDependency[EventWeb]) -> Template:
        """Each coach's candidates on the day: arrived, late (first talk begun) or absent; refreshed every
        half minute. A coach sees only their own candidates."""
        return Template(
            "badges/coach_desk.html",
            context={"event": web.event, "desk": await coach_desk.desk(web.db, web.user, web.event, _now())},
            headers={"Cache-Control": "no-store"},
        )
