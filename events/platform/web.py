"""What the page handlers of every slice share: their usual arguments as one dependency (the request, its
transaction, the app's helpers, the logged-in user and, under ``/events/{event_ref}``, the event), the form as
sent, and files to download.

A controller of pages stands on PublicPageController (no login), PageController or EventPageController; a JSON
controller names the dependency itself (``dependencies = WEB`` or ``EVENT_WEB``). Its handlers take
``web: NamedDependency[Web]`` (``Visit``, ``EventWeb``) in place of the three to five parameters each would repeat.
A controller (or route) that sets ``dependencies`` of its own replaces its base's: spread ``WEB`` or ``EVENT_WEB``
back in (``{**EVENT_WEB, ...}``); a route without ``{event_ref}`` under an EventPageController names ``WEB``.
Litestar refuses to start when one is missing, so the mistake cannot reach a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.deps import AppContext
from events.platform.forms import form_values, parse
from events.platform.identity import CurrentUser
from events.platform.models import Event
from events.platform.redirects import see_other
from events.platform.settings import Settings
from events.platform.spreadsheets import to_csv, to_xlsx

T = TypeVar("T")

# Personal data: kept by the browser that asked for it, and nowhere else.
PRIVATE = "private, no-store"
SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Visit:
    """A request to a page that needs no login: the request, its transaction and the app's helpers."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    ctx: AppContext

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    async def values(self, lists: Iterable[str] = ()) -> dict[str, Any]:
        """The form as sent, as a plain dict (``forms.form_values``)."""
        return form_values(await self.request.form(), lists)

    async def form(self, kind: type[T], lists: Iterable[str] = ()) -> T:
        """The form as sent, as ``kind`` (``forms.parse``: errors name the field)."""
        return parse(kind, await self.values(lists))

    async def posted(self, kind: type[T]) -> T:
        """The form as ``kind`` with its fields exactly as posted (``forms.parse`` without ``form_values``: nothing
        stripped, an empty field kept), for the forms where an empty field means something else than a missing
        one, or where spaces count (a password)."""
        return parse(kind, dict(await self.request.form()))


@dataclass(frozen=True)
class Web(Visit):
    """A logged-in user's request to a page: the same, with the user."""

    user: CurrentUser


@dataclass(frozen=True)
class EventWeb(Web):
    """The same under ``/events/{event_ref}``: with the path's event, as the ``event`` dependency gives it (the
    platform's: within the user's reach, else a 404; the day's pages give their own)."""

    event: Event

    def redirect(self, rest: str) -> Redirect:
        """303 See Other to a page of the event: ``rest`` is what follows ``/events/<slug>``."""
        return see_other(f"/events/{self.event.slug}{rest}")


def provide_visit(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], ctx: NamedDependency[AppContext]
) -> Visit:
    return Visit(request, db_session, ctx)


def provide_web(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    ctx: NamedDependency[AppContext],
    current_user: NamedDependency[CurrentUser],
) -> Web:
    return Web(request, db_session, ctx, current_user)


def provide_event_web(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    ctx: NamedDependency[AppContext],
    current_user: NamedDependency[CurrentUser],
    event: NamedDependency[Event],
) -> EventWeb:
    return EventWeb(request, db_session, ctx, current_user, event)


VISIT = {"web": Provide(provide_visit, sync_to_thread=False)}
WEB = {"web": Provide(provide_web, sync_to_thread=False)}
EVENT_WEB = {"web": Provide(provide_event_web, sync_to_thread=False)}


class PublicPageController(Controller):
    """A controller of HTML pages that need no login (a token in the address, the login itself): left out of the
    API's document, its handlers take ``web`` without a user."""

    include_in_schema = False
    dependencies = VISIT


class PageController(Controller):
    """A controller of HTML pages for logged-in users: left out of the API's document, its handlers take ``web``."""

    include_in_schema = False
    dependencies = WEB


class EventPageController(Controller):
    """A controller of HTML pages under ``/events/{event_ref}``: its handlers' ``web`` carries the event."""

    include_in_schema = False
    dependencies = EVENT_WEB


def download(
    body: bytes, media_type: str, filename: str, *, inline: bool = False, cache: str | None = None
) -> Response[bytes]:
    """A file to save (or, ``inline``, to show in the browser) under ``filename``; ``cache``: its Cache-Control."""
    headers = {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'}
    if cache is not None:
        headers["Cache-Control"] = cache
    return Response(body, media_type=media_type, headers=headers)


def spreadsheet(
    headers: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, title: str, filename: str
) -> Response[bytes]:
    """Rows as a CSV or Excel download (``fmt`` is a key of SPREADSHEET_TYPES)."""
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, title=title)
    return download(body, SPREADSHEET_TYPES[fmt], filename)
