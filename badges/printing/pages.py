"""The "Badges and printing" pages: choose what to print and for whom, follow the render, download the PDF.

Organisers print anything of an event; coaches print handouts of their own candidates (anyone else is
not found). Employers and door staff have no business here (403).
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File, Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import HolderKind
from badges.printing import jobs as print_jobs
from badges.printing.data import DEFAULT_KINDS, KIND_NAMES, Selection, parse_holder, prepare, select_holders
from badges.printing.sheets import LAYOUT_NAMES, WHAT
from events.platform import i18n
from events.platform.auth import CurrentUser, requires
from events.platform.background import job_runner
from events.platform.deps import AppContext
from events.platform.errors import DomainError
from events.platform.forms import form_values, parse
from events.platform.models import Event, Role
from events.platform.serving import is_local_url
from events.platform.settings import Settings


class PrintForm(msgspec.Struct):
    """The print form as posted: what, the layout, which kinds and holders, only the changed, the language."""

    what: str = ""
    layout: str = "a4-8"
    kind: list[str] = []
    holder: list[str] = []
    only: str = ""
    print_language: str = ""

    def selection(self, user: CurrentUser) -> Selection:
        """The form's choice; a coach's is always handouts of candidates."""
        if self.what not in WHAT:
            raise DomainError("required", i18n.gettext("Choose what to print."), "what")
        kinds = tuple(KIND_NAMES[k] for k in self.kind if k in KIND_NAMES) or DEFAULT_KINDS
        holders = tuple(parse_holder(h) for h in self.holder)
        if user.role is Role.COACH:
            kinds = (HolderKind.CANDIDATE,)
        return Selection(
            what=self.what,
            layout=self.layout,
            kinds=kinds,
            holders=holders or None,
            only_changed=self.only == "changed",
            language=i18n.normalise(self.print_language or i18n.current_language()),
        ).check()


async def page_context(session: AsyncSession, user: CurrentUser, event: Event, settings: Settings) -> dict[str, Any]:
    kinds = (HolderKind.CANDIDATE,) if user.role is Role.COACH else tuple(HolderKind)
    what = ("handouts",) if user.role is Role.COACH else WHAT
    people = await select_holders(
        session, user, event, Selection(what="handouts" if user.role is Role.COACH else "badges", kinds=kinds)
    )
    return {
        "event": event,
        "people": people,
        "whats": what,
        "layouts": LAYOUT_NAMES,
        "kinds": kinds,
        "jobs": await print_jobs.recent_jobs(session, user, event),
        # A QR code of an address only this computer opens is no use on a badge: say so before printing.
        "local_base_url": settings.base_url if is_local_url(settings.base_url) else None,
        "errors": {},
        "values": {"what": what[0], "layout": "a4-8", "kind": [k.value for k in DEFAULT_KINDS]},
    }


class BadgePrintPages(Controller):
    path = "/events/{event_ref:str}/badges"
    include_in_schema = False
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/", name="badges_home")
    async def home(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Template:
        return Template("badges/home.html", context=await page_context(db_session, current_user, event, ctx.settings))

    @post("/", name="badges_start")
    async def start(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[Any]:
        """Start a render in the background and follow it; a bad choice shows the form again."""
        values = form_values(await request.form(), lists=("kind", "holder"))
        try:
            selection = parse(PrintForm, values).selection(current_user)
            job = await print_jobs.start_print(
                job_runner(request), ctx.settings, db_session, current_user, event, selection
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = await page_context(db_session, current_user, event, ctx.settings)
            context.update(errors={exc.field or "what": exc.message}, values=values)
            return Template("badges/home.html", context=context, status_code=exc.status_code)
        return Redirect(f"/events/{event.slug}/badges/jobs/{job.id}", status_code=HTTP_303_SEE_OTHER)

    @get("/jobs/{job_id:int}", name="badges_job")
    async def job(
        self,
        event: NamedDependency[Event],
        job_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        """The render's progress; the page refreshes itself until the PDF is there."""
        found = await print_jobs.get_job(db_session, current_user, event, job_id)
        return Template("badges/job.html", context={"event": event, "job": found})

    @get("/jobs/{job_id:int}/download", name="badges_download")
    async def download(
        self,
        event: NamedDependency[Event],
        job_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> File:
        found = await print_jobs.get_job(db_session, current_user, event, job_id)
        path = print_jobs.file_of(ctx.settings, found)
        return File(path=path, filename=f"{event.slug}-{found.what}-{found.id}.pdf", media_type="application/pdf")

    @get("/handouts/{holder_id:int}", name="badges_handout")
    async def handout(
        self,
        event: NamedDependency[Event],
        holder_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[bytes]:
        """One candidate's handout, straight away (one page): for a coach's own candidates, or organisers."""
        from badges.printing.pdf import render

        selection = Selection(
            what="handouts",
            kinds=(HolderKind.CANDIDATE,),
            holders=((HolderKind.CANDIDATE, holder_id),),
            language=i18n.current_language(),
        )
        work = await prepare(db_session, ctx.settings, current_user, event, selection)
        data = await asyncio.to_thread(render, work.pages, title=work.title, language=work.language)
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{event.slug}-{holder_id}.pdf"'},
        )
