"""What the day's pages share: on to the next page, and the event's dashboards told of the change."""

from __future__ import annotations

from typing import Any

from litestar.response import Redirect

from badges.day.live import Live, publish_after
from events.platform.web import EventWeb


def published(web: EventWeb, rest: str, change: dict[str, Any]) -> Redirect:
    """303 to a page of the event (``rest`` after ``/events/<slug>``); once the request's transaction is committed,
    the event's dashboards hear of ``change`` (``publish_after``)."""
    live: Live = web.request.app.state.live
    return publish_after(web.redirect(rest), live, web.event.id, change)
