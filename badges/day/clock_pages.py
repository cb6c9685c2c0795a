"""The round clock's pages: the projector page and its state for every organiser and door account of the
event, and the organiser's start, pause, resume and shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from badges.day import clock
from badges.day import services as day
from badges.day.deps import day_events
from badges.day.page_helpers import DESK_WEB, published
from events.platform.auth import requires
from events.platform.models import Event, Role
from events.platform.web import EventPageController, EventWeb

organisers = requires(Role.ORGANISER)
clock_readers = requires(Role.ORGANISER, Role.DOOR)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClockForm(msgspec.Struct):
    action: str = ""
    minutes: str = ""
    next: str = ""


class ClockPages(EventPageController):
    path = "/events/{event_ref:str}/clock"
    guards = [clock_readers]
    dependencies = DESK_WEB

    @get("/", name="clock")
    async def page(self, event: NamedDependency[Event]) -> Template:
        """The round clock for a projector: current round, countdown, "change tables", what comes next."""
        return Template("badges/clock.html", context={"event": event, "view": clock.view(event, _now())})

    @get("/state", name="clock-state")
    async def state(self, event: NamedDependency[Event]) -> Response[dict[str, Any]]:
        now = _now()
        body = {"now": now.isoformat(), **clock.view(event, now).as_json()}
        return Response(body, headers={"Cache-Control": "no-store"})

    @post("/", name="clock-control", guards=[organisers], dependencies=day_events)
    async def control(self, web: NamedDependency[EventWeb], data: URLEncodedBody[ClockForm]) -> Redirect:
        """Start, pause, resume or shift the clock (minutes, negative to win time back)."""
        target = "clock" if data.next == "clock" else "day"
        if not await day.control_clock(web.db, web.user, web.event, _now(), data.action, data.minutes):
            # Not the event's day: the page shows why its start button is off (a page left open since
            # yesterday still had it on).
            return web.redirect(f"/{target}")
        return published(web, f"/{target}?msg=saved", {"type": "clock"})
