"""Calendar pages: each person's feed behind their calendar token (no login), and for organisers the list of
people with their feed links, downloads and a new link on request; coaches download their own candidates'.

`GET /c/<token>.ics` answers every token that does not open a calendar (unknown, malformed, revoked, or of
someone who no longer takes part) with the same bytes, so nobody can tell which it was. The token is part of
the path: the log filter for `/c/` (badges.tokens.redact) keeps it out of the logs.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from badges.calendars import services as calendars
from badges.models import HolderKind, TokenPurpose
from badges.people import Holder, live_tokens, open_token, reissue
from events.platform.auth import requires
from events.platform.deps import AppContext
from events.platform.errors import NotFoundError
from events.platform.models import Role
from events.platform.web import PRIVATE, EventPageController, EventWeb, PublicPageController, Visit, download

ICS = "text/calendar"  # Litestar adds "; charset=utf-8" to text types
NOT_FOUND_BODY = b"Not found\n"
FEED_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def not_found() -> Response[bytes]:
    """The one answer for every token that opens nothing: same status, same bytes, nothing per request."""
    return Response(
        NOT_FOUND_BODY,
        status_code=404,
        media_type="text/plain",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
    )


_PERSON_RE = re.compile(r"(candidate|employer)-([1-9][0-9]{0,8})")


def person_ref(text: str, suffix: str = "") -> tuple[str, int]:
    """`candidate-12` (or `candidate-12.ics` with the suffix) as ("candidate", 12); anything else is not found."""
    found = _PERSON_RE.fullmatch(text.removesuffix(suffix)) if text.endswith(suffix) else None
    if found is None:
        raise NotFoundError("calendar")
    return found.group(1), int(found.group(2))


def feed_url(ctx: AppContext, token: str) -> str:
    return f"{ctx.settings.base_url}/c/{token}.ics"


class CalendarFeed(PublicPageController):
    """A person's subscribable calendar, opened by its token alone."""

    path = "/c"

    @get("/{token:path}", name="calendar_feed")
    async def feed(self, web: NamedDependency[Visit], token: FromPath[str]) -> Response[bytes]:
        name = token.removeprefix("/")
        if not name.endswith(".ics"):
            return not_found()
        opened = await open_token(web.db, TokenPurpose.CALENDAR, name.removesuffix(".ics"))
        if opened is None:
            return not_found()
        event, holder = opened
        body = await calendars.person_calendar(web.db, event, holder)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {**FEED_HEADERS, "ETag": etag}
        if web.request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type=ICS, headers=headers)


class CalendarPages(EventPageController):
    """Organisers: everyone's feed link, download and a new link; coaches: their own candidates' downloads."""

    path = "/events/{event_ref:str}"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/calendars", name="calendars")
    async def calendar_list(self, web: NamedDependency[EventWeb]) -> Template:
        event, organiser = web.event, web.user.role is Role.ORGANISER
        people = await calendars.calendar_people(web.db, web.user, event)
        data = await calendars.calendar_data(web.db, event)
        feeds: dict[Any, str] = {}
        if organiser:
            tokens = await live_tokens(web.db, web.settings, event, TokenPurpose.CALENDAR, people)
            feeds = {key: feed_url(web.ctx, token) for key, (token, _) in tokens.items()}
        rows = [
            {
                "holder": h,
                "talks": sum(1 for e in data.of(h) if not e.cancelled),
                "cancelled": sum(1 for e in data.of(h) if e.cancelled),
                "feed": feeds.get(h.key),
                "person": f"{h.kind.value}-{h.id}",
            }
            for h in people
        ]
        return Template(
            "badges/calendars.html",
            context={
                "event": event,
                "rows": rows,
                "version": data.version,
                "organiser": organiser,
                "candidate_kind": HolderKind.CANDIDATE,
                "reissued": web.request.query_params.get("msg") == "calendar_reissued",
            },
        )

    async def _holder(self, web: EventWeb, ref: str, suffix: str = "") -> Holder:
        """The person a path names (`candidate-<participation id>`, `employer-<contact id>`), within reach."""
        kind, holder_id = person_ref(ref, suffix)
        return await calendars.reachable_holder(web.db, web.user, web.event, kind, holder_id)

    @get("/calendars/{calendar:str}", name="calendar_download")
    async def download(self, web: NamedDependency[EventWeb], calendar: FromPath[str]) -> Response[bytes]:
        """One person's .ics (`candidate-<participation id>.ics`, `employer-<contact id>.ics`, the names the CLI
        writes), in their language: for organisers anyone's, for a coach their own candidates'."""
        holder = await self._holder(web, calendar, suffix=".ics")
        body = await calendars.person_calendar(web.db, web.event, holder)
        return download(body, ICS, calendars.calendar_filename(holder), cache=PRIVATE)

    @post("/calendars/{person:str}/reissue", name="calendar_reissue", guards=[requires(Role.ORGANISER)])
    async def reissue_link(self, web: NamedDependency[EventWeb], person: FromPath[str]) -> Redirect:
        """A new feed link for one person (`candidate-<id>` or `employer-<id>`); the old one stops working at once."""
        holder = await self._holder(web, person)
        await reissue(web.db, web.settings, web.event, TokenPurpose.CALENDAR, holder)
        return web.redirect(f"/calendars?msg=calendar_reissued#{holder.kind.value}-{holder.id}")

    @get("/calendar.ics", name="event_calendar", guards=[requires(Role.ORGANISER)])
    async def whole_schedule(self, web: NamedDependency[EventWeb]) -> Response[bytes]:
        """The whole published programme as one calendar, in the organiser's language."""
        body = await calendars.event_calendar(web.db, web.event)
        return Response(body, media_type=ICS, headers={"Cache-Control": PRIVATE})
