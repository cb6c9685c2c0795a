"""The organisers' results pages: an event's results (figures, charts, targets, PDF, exports) and programmes.

Organisers only (403 for every other role, by the controllers' guards). The page shows exact figures; with
``?anonymised=1`` it shows what the PDF and the funder export hold (events.results.suppress).
"""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.dates import today
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error
from events.platform.models import Programme, Role
from events.platform.redirects import see_other
from events.platform.security import export_limit
from events.platform.web import (
    SPREADSHEET_TYPES,
    WEB,
    EventPageController,
    EventWeb,
    PageController,
    Web,
    download,
    spreadsheet,
)
from events.programmes import services as programmes
from events.results import pdf
from events.results import services as results
from events.results.shapes import TARGETS
from events.results.view import ReportView, event_view, programme_view


def target_labels() -> dict[str, str]:
    return dict(TARGETS)


class AttachForm(msgspec.Struct):
    """An event to put in the programme, or (``action`` "detach") to take out."""

    event: str = ""
    action: str = ""


async def _pdf_response(view: ReportView, kind: str, stem: str, anonymised: int) -> Response[bytes]:
    html = pdf.report_html(view, kind=kind, day=today())
    # WeasyPrint takes a second or more: in a worker thread, so that scans and pages keep flowing.
    body = await anyio.to_thread.run_sync(pdf.render_pdf, html)
    return download(body, "application/pdf", f"{stem}{'-anonymised' if anonymised else ''}.pdf")


async def provide_programme(
    programme_id: FromPath[int], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Programme:
    """The programme of the path's ``{programme_id}`` (404 when there is none)."""
    return await results.find_programme(db_session, current_user, programme_id)


class ResultPages(EventPageController):
    path = "/events/{event_ref:str}"
    guards = [requires(Role.ORGANISER)]

    async def _context(self, web: EventWeb, anonymised: bool) -> dict[str, Any]:
        report = await results.results_of(web.db, web.user, web.event, today())
        return {
            "event": web.event,
            "report": report,
            "view": event_view(report, anonymised=anonymised),
            "anonymised": anonymised,
            "target_labels": target_labels(),
            "values": {k: str(v) for k, v in (web.event.targets or {}).items()},
            "errors": {},
        }

    @get("/results", name="results")
    async def results_page(self, web: NamedDependency[EventWeb], anonymised: FromQuery[int] = 0) -> Template:
        return Template("events/results/results.html", context=await self._context(web, bool(anonymised)))

    @post("/results/targets", name="results_targets")
    async def set_targets(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        values = await web.values()
        try:
            targets = results.parse_targets(values)
        except DomainError as exc:
            context = await self._context(web, anonymised=False)
            context["values"] = {k: str(values.get(k, "")) for k in TARGETS}
            return form_error("events/results/results.html", context, exc)
        await results.set_event_targets(web.db, web.user, web.event, targets)
        return web.redirect("/results?msg=saved#targets")

    @get("/results.pdf", name="results_pdf", guards=[export_limit])
    async def results_pdf(self, web: NamedDependency[EventWeb], anonymised: FromQuery[int] = 0) -> Response[bytes]:
        report = await results.results_of(web.db, web.user, web.event, today())
        view = event_view(report, anonymised=bool(anonymised))
        return await _pdf_response(view, "event", f"{web.event.slug}-results", anonymised)

    @get("/results/{filename:str}", name="results_export", guards=[export_limit])
    async def results_export(
        self, web: NamedDependency[EventWeb], filename: FromPath[str], personal: FromQuery[int] = 0
    ) -> Response[bytes]:
        kind, _dot, fmt = filename.partition(".")
        if kind != "outcomes" or fmt not in SPREADSHEET_TYPES:
            raise NotFoundError("export")
        if personal:
            headers, rows = await results.personal_export(web.db, web.user, web.event)
            name = f"{web.event.slug}-outcomes-personal.{fmt}"
        else:
            headers, rows = await results.funder_export(web.db, web.user, web.event, today())
            name = f"{web.event.slug}-outcomes.{fmt}"
        return spreadsheet(headers, rows, fmt, "outcomes", name)


class ProgrammeResultPages(PageController):
    path = "/programmes"
    guards = [requires(Role.ORGANISER)]
    dependencies = {"programme": Provide(provide_programme), **WEB}

    async def _list_context(self, web: Web) -> dict[str, Any]:
        return {
            "programmes": await programmes.programmes(web.db, web.user),
            "target_labels": target_labels(),
            "values": {},
            "errors": {},
        }

    @get("/", name="programmes")
    async def list_page(self, web: NamedDependency[Web]) -> Template:
        return Template("events/results/programmes.html", context=await self._list_context(web))

    @post("/", name="programme_create")
    async def create(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values()
        try:
            programme = await programmes.create_programme(
                web.db, web.user, values.get("name"), values.get("description")
            )
        except DomainError as exc:
            context = await self._list_context(web)
            return form_error("events/results/programmes.html", {**context, "values": values}, exc)
        return see_other(f"/programmes/{programme.id}?msg=saved")

    async def _context(self, web: Web, programme: Programme, anonymised: bool = False) -> dict[str, Any]:
        report = await results.programme_results(web.db, web.user, programme, today())
        values: dict[str, Any] = {"name": programme.name, "description": programme.description}
        values.update({k: str(v) for k, v in (programme.targets or {}).items()})
        return {
            "programme": programme,
            "report": report,
            "view": programme_view(report, anonymised=anonymised),
            "anonymised": anonymised,
            "events": await programmes.programme_events(web.db, programme),
            "free_events": await programmes.free_events(web.db, web.user),
            "target_labels": target_labels(),
            "values": values,
            "errors": {},
        }

    @get("/{programme_id:int}", name="programme_results")
    async def programme_page(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], anonymised: FromQuery[int] = 0
    ) -> Template:
        context = await self._context(web, programme, bool(anonymised))
        return Template("events/results/programme.html", context=context)

    @post("/{programme_id:int}", name="programme_update")
    async def update(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Response[Any]:
        values = await web.values()
        try:
            await results.update_programme(web.db, web.user, programme, values)
        except DomainError as exc:
            await web.db.refresh(programme)
            context = await self._context(web, programme)
            return form_error("events/results/programme.html", {**context, "values": values}, exc)
        return see_other(f"/programmes/{programme.id}?msg=saved")

    @post("/{programme_id:int}/events", name="programme_events")
    async def events(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Response[Any]:
        form = await web.form(AttachForm)
        try:
            await programmes.attach_event(web.db, web.user, programme, form.event, attach=form.action != "detach")
        except DomainError as exc:
            context = await self._context(web, programme)
            return form_error("events/results/programme.html", context, exc)
        return see_other(f"/programmes/{programme.id}?msg=saved#events")

    @get("/{programme_id:int}/report.pdf", name="programme_pdf", guards=[export_limit])
    async def programme_pdf(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], anonymised: FromQuery[int] = 0
    ) -> Response[bytes]:
        report = await results.programme_results(web.db, web.user, programme, today())
        view = programme_view(report, anonymised=bool(anonymised))
        return await _pdf_response(view, "programme", f"programme-{programme.id}", anonymised)


__all__ = ["ProgrammeResultPages", "ResultPages"]
