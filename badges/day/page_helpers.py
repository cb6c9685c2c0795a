"""What the day's pages share: their web dependency, and going on to the next page with the event's dashboards
told of the change."""

from __future__ import annotations

from typing import Any

from litestar.response import Redirect

from badges.day.deps import day_events, desk_events
from badges.day.live import Live, publish_after
from events.platform.web import EVENT_WEB, EventWeb

# The web dependency with the day's event (badges.day.deps): for organisers and coaches, and for the door's desk.
DAY_WEB = {**EVENT_WEB, **day_events}
DESK_WEB = {**EVENT_WEB, **desk_events}


def published(web: EventWeb, rest: str, change: dict[str, Any]) -> Redirect:
    """303 to a page of the event (``rest`` after ``/events/<slug>``); once the request's transaction is committed,
    the event's dashboards hear of ``change`` (``publish_after``)."""
    live: Live = web.request.app.state.live
    return publish_after(web.redirect(rest), live, web.event.id, change)
