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

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from badges.calendars import services as calendars
from badges.models import HolderKind, TokenPurpose
from badges.people import live_tokens, open_token, reissue
from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import NotFoundError
from events.platform.models import Event, Role

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


def ics_download(body: bytes, filename: str) -> Response[bytes]:
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
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


class CalendarFeed(Controller):
    """A person's subscribable calendar, opened by its token alone."""

    path = "/c"
    include_in_schema = False

    @get("/{token:path}", name="calendar_feed")
    async def feed(
        self,
        token: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[bytes]:
        name = token.removeprefix("/")
        if not name.endswith(".ics"):
            return not_found()
        opened = await open_token(db_session, TokenPurpose.CALENDAR, name.removesuffix(".ics"))
        if opened is None:
            return not_found()
        event, holder = opened
        body = await calendars.person_calendar(db_session, event, holder)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {**FEED_HEADERS, "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type=ICS, headers=headers)


class CalendarPages(Controller):
    """Organisers: everyone's feed link, download and a new link; coaches: their own candidates' downloads."""

    path = "/events/{event_ref:str}"
    include_in_schema = False
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/calendars", name="calendars")
    async def calendar_list(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Template:
        people = await calendars.calendar_people(db_session, current_user, event)
        data = await calendars.calendar_data(db_session, event)
        feeds: dict[Any, str] = {}
        if current_user.role is Role.ORGANISER:
            tokens = await live_tokens(db_session, ctx.settings, event, TokenPurpose.CALENDAR, people)
            feeds = {key: feed_url(ctx, token) for key, (token, _) in tokens.items()}
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
                "organiser": current_user.role is Role.ORGANISER,
                "candidate_kind": HolderKind.CANDIDATE,
                "reissued": request.query_params.get("msg") == "calendar_reissued",
            },
        )

    @get("/calendars/{calendar:str}", name="calendar_download")
    async def download(
        self,
        event: NamedDependency[Event],
        calendar: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[bytes]:
        """One person's .ics (`candidate-<participation id>.ics`, `employer-<contact id>.ics`, the names the CLI
        writes), in their language: for organisers anyone's, for a coach their own candidates'."""
        kind, holder_id = person_ref(calendar, suffix=".ics")
        holder = await calendars.reachable_holder(db_session, current_user, event, kind, holder_id)
        body = await calendars.person_calendar(db_session, event, holder)
        return ics_download(body, calendars.calendar_filename(holder))

    @post("/calendars/{person:str}/reissue", name="calendar_reissue", guards=[requires(Role.ORGANISER)])
    async def reissue_link(
        self,
        event: NamedDependency[Event],
        person: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Redirect:
        """A new feed link for one person (`candidate-<id>` or `employer-<id>`); the old one stops working at once."""
        kind, holder_id = person_ref(person)
        holder = await calendars.reachable_holder(db_session, current_user, event, kind, holder_id)
        await reissue(db_session, ctx.settings, event, TokenPurpose.CALENDAR, holder)
        return Redirect(
            f"/events/{event.slug}/calendars?msg=calendar_reissued#{holder.kind.value}-{holder.id}",
            status_code=HTTP_303_SEE_OTHER,
        )

    @get("/calendar.ics", name="event_calendar", guards=[requires(Role.ORGANISER)])
    async def whole_schedule(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[bytes]:
        """The whole published programme as one calendar, in the organiser's language."""
        body = await calendars.event_calendar(db_session, event)
        return Response(body, media_type=ICS, headers={"Cache-Control": "private, no-store"})
