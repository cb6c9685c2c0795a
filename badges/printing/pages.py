"""The "Badges and printing" pages: choose what to print and for whom, follow the render, download the PDF.

Organisers print anything of an event; coaches print handouts of their own candidates (anyone else is
not found). Employers and door staff have no business here (403).
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File, Template

from badges.models import HolderKind
from badges.printing import jobs as print_jobs
from badges.printing.data import DEFAULT_KINDS, KIND_NAMES, Selection, parse_holder, prepare, select_holders
from badges.printing.sheets import LAYOUT_NAMES, WHAT
from events.platform import i18n
from events.platform.auth import CurrentUser, requires
from events.platform.background import job_runner
from events.platform.errors import DomainError
from events.platform.forms import form_error, parse
from events.platform.models import Role
from events.platform.serving import is_local_url
from events.platform.web import EventPageController, EventWeb, download


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


async def page_context(web: EventWeb) -> dict[str, Any]:
    user, event = web.user, web.event
    kinds = (HolderKind.CANDIDATE,) if user.role is Role.COACH else tuple(HolderKind)
    what = ("handouts",) if user.role is Role.COACH else WHAT
    people = await select_holders(
        web.db, user, event, Selection(what="handouts" if user.role is Role.COACH else "badges", kinds=kinds)
    )
    return {
        "event": event,
        "people": people,
        "whats": what,
        "layouts": LAYOUT_NAMES,
        "kinds": kinds,
        "jobs": await print_jobs.recent_jobs(web.db, user, event),
        # A QR code of an address only this computer opens is no use on a badge: say so before printing.
        "local_base_url": web.settings.base_url if is_local_url(web.settings.base_url) else None,
        "errors": {},
        "values": {"what": what[0], "layout": "a4-8", "kind": [k.value for k in DEFAULT_KINDS]},
    }


class BadgePrintPages(EventPageController):
    path = "/events/{event_ref:str}/badges"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/", name="badges_home")
    async def home(self, web: NamedDependency[EventWeb]) -> Template:
        return Template("badges/home.html", context=await page_context(web))

    @post("/", name="badges_start")
    async def start(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        """Start a render in the background and follow it; a bad choice shows the form again."""
        values = await web.values(lists=("kind", "holder"))
        try:
            selection = parse(PrintForm, values).selection(web.user)
            job = await print_jobs.start_print(
                job_runner(web.request), web.settings, web.db, web.user, web.event, selection
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = {**await page_context(web), "values": values}
            return form_error("badges/home.html", context, exc, "what", exc.status_code)
        return web.redirect(f"/badges/jobs/{job.id}")

    @get("/jobs/{job_id:int}", name="badges_job")
    async def job(self, web: NamedDependency[EventWeb], job_id: FromPath[int]) -> Template:
        """The render's progress; the page refreshes itself until the PDF is there."""
        found = await print_jobs.get_job(web.db, web.user, web.event, job_id)
        return Template("badges/job.html", context={"event": web.event, "job": found})

    @get("/jobs/{job_id:int}/download", name="badges_download")
    async def download(self, web: NamedDependency[EventWeb], job_id: FromPath[int]) -> File:
        found = await print_jobs.get_job(web.db, web.user, web.event, job_id)
        path = print_jobs.file_of(web.settings, found)
        return File(path=path, filename=f"{web.event.slug}-{found.what}-{found.id}.pdf", media_type="application/pdf")

    @get("/handouts/{holder_id:int}", name="badges_handout")
    async def handout(self, web: NamedDependency[EventWeb], holder_id: FromPath[int]) -> Response[bytes]:
        """One candidate's handout, straight away (one page): for a coach's own candidates, or organisers."""
        from badges.printing.pdf import render

        selection = Selection(
            what="handouts",
            kinds=(HolderKind.CANDIDATE,),
            holders=((HolderKind.CANDIDATE, holder_id),),
            language=i18n.current_language(),
        )
        work = await prepare(web.db, web.settings, web.user, web.event, selection)
        data = await asyncio.to_thread(render, work.pages, title=work.title, language=work.language)
        return download(data, "application/pdf", f"{web.event.slug}-{holder_id}.pdf", inline=True)
