"""The schedule's pages for organisers: build with progress, review (grid, per candidate, per employer,
quality panel), adjust talk by talk, publish with the diff of who is affected, and print views."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.background import job_runner
from events.platform.errors import ConflictError, DomainError
from events.platform.forms import form_error
from events.platform.models import Event, Role
from events.platform.web import EventPageController, EventWeb
from schedule import adapter, builds, edits, services, versions
from schedule import briefing as packs
from schedule.adapter import row_id
from schedule.diff import publish_question, publish_summary
from schedule.edits import form_number
from schedule.models import BuildStatus, ScheduleVersion, VersionStatus

organisers = requires(Role.ORGANISER)
VIEWS = ("grid", "candidates", "employers")


class PublishForm(msgspec.Struct):
    """The answer to the question before publishing: "yes" publishes, anything else asks again."""

    confirm: str = ""


async def review_context(
    session: AsyncSession, user: CurrentUser, event: Event, version: ScheduleVersion, view: str, page: int = 1
) -> dict[str, Any]:
    """Everything the version page shows; a large fair's grid comes in pages of employers (or candidates)."""
    names = await versions.load_names(session, event)
    problem = versions.problem_of(version.instance)
    if view == "candidates":
        page_count = versions.pages(len(problem.candidates), versions.CANDIDATES_PER_PAGE)
    else:
        page_count = versions.pages(len(problem.employers), versions.EMPLOYERS_PER_PAGE)
    page = min(max(page, 1), page_count)
    order = versions.employer_order(problem, names)
    per = versions.EMPLOYERS_PER_PAGE
    shown_employers = set(order[(page - 1) * per : page * per])
    solver_meetings = adapter.solver_meetings(version.meetings)
    quality = version.stats.get("quality") or {}
    histogram = quality.get("talks_histogram", [])
    shown = await services.current(session, event)
    return {
        "event": event,
        "version": version,
        "versions": await services.versions(session, event),
        "current": shown,
        "view": view,
        "quality": quality,
        "histogram_max": max((h["candidates"] for h in histogram), default=0),
        "shortfalls": versions.shortfalls(problem, solver_meetings, names),
        "missed": await versions.missed_wishes(session, event, problem, solver_meetings, names),
        "rows": versions.grid(problem, version.meetings, names, only=shown_employers)
        if view in ("grid", "employers")
        else [],
        "days": versions.candidate_days(problem, version.meetings, names)[
            (page - 1) * versions.CANDIDATES_PER_PAGE : page * versions.CANDIDATES_PER_PAGE
        ]
        if view == "candidates"
        else [],
        "page": page,
        "page_count": page_count,
        "candidates": sorted(
            ((row_id(c.id), names.candidate(row_id(c.id))) for c in problem.candidates),
            key=lambda x: (x[1].casefold(), x[0]),
        ),
        "employers": sorted(
            ((row_id(e.id), names.employer(row_id(e.id)), e.tables) for e in problem.employers),
            key=lambda x: (x[1].casefold(), x[0]),
        ),
        "running": await builds.running_job(session, event),
        "dropped_locks": int(version.stats.get("dropped_locks") or 0),
        "errors": {},
        "values": {},
    }


def meeting_context(event: Event, version: ScheduleVersion, meeting_id: int, names: versions.Names) -> dict[str, Any]:
    meeting = next((m for m in version.meetings if m.id == meeting_id), None)
    if meeting is None:
        from events.platform.errors import NotFoundError

        raise NotFoundError("meeting")
    problem = versions.problem_of(version.instance)
    employer = next((e for e in problem.employers if e.id == f"e{meeting.employer_participation_id}"), None)
    same_round = sorted(
        (m for m in version.meetings if m.round == meeting.round and m.id != meeting.id),
        key=lambda m: (names.candidate(m.candidate_participation_id).casefold(), m.id),
    )
    return {
        "event": event,
        "version": version,
        "meeting": meeting,
        "names": names,
        "tables": employer.tables if employer else meeting.table,
        "employer_rounds": sorted(employer.rounds) if employer else list(range(1, event.rounds + 1)),
        "same_round": same_round,
        "errors": {},
        "values": {"round": meeting.round, "table": meeting.table},
    }


class SchedulePages(EventPageController):
    path = "/events/{event_ref:str}/programme"
    guards = [organisers]

    @get("/", name="schedule")
    async def schedule_home(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        """The newest version, or a page to build the first one (a plenary gathering: a page that says it has
        none)."""
        if web.event.plenary:
            return Template("schedule/empty.html", context={"event": web.event, "running": None})
        newest = await services.latest(web.db, web.event)
        if newest is not None:
            return web.redirect(f"/programme/{newest.number}")
        running = await builds.running_job(web.db, web.event)
        return Template("schedule/empty.html", context={"event": web.event, "running": running})

    @post("/build", name="schedule_build")
    async def build(self, web: NamedDependency[EventWeb]) -> Redirect:
        values = await web.values()
        seed = form_number(values.get("seed")) or 0
        try:
            job = await builds.start_build(job_runner(web.request), web.user, web.event, seed=seed)
        except ConflictError:
            running = await builds.running_job(web.db, web.event)
            if running is None:  # finished in between: show the result
                return web.redirect("/programme")
            return web.redirect(f"/programme/builds/{running.id}?msg=build_running")
        return web.redirect(f"/programme/builds/{job.id}")

    @get("/builds/{build_id:int}", name="schedule_build_progress")
    async def build_progress(self, web: NamedDependency[EventWeb], build_id: FromPath[int]) -> Response[Any]:
        """The build's progress; the page refreshes itself until the version is there."""
        job = await builds.get_job(web.db, web.user, web.event, build_id)
        if job.status is BuildStatus.DONE and job.version_id is not None:
            version = await web.db.get(ScheduleVersion, job.version_id)
            if version is not None:
                return web.redirect(f"/programme/{version.number}?msg=built")
        return Template("schedule/build.html", context={"event": web.event, "job": job})

    @get("/{number:int}", name="schedule_version")
    async def version_page(
        self,
        web: NamedDependency[EventWeb],
        number: FromPath[int],
        view: FromQuery[str] = "grid",
        page: FromQuery[str] = "1",
    ) -> Template:
        version = await services.get_version(web.db, web.user, web.event, number)
        shown = view if view in VIEWS else "grid"
        context = await review_context(web.db, web.user, web.event, version, shown, form_number(page) or 1)
        return Template("schedule/version.html", context=context)

    @post("/{number:int}/add", name="schedule_add")
    async def add_meeting(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> Response[Any]:
        """Add a talk by hand (locked unless unticked), checked against the scheduler's rules."""
        values = await web.values()
        try:
            await edits.edit_version(web.db, web.user, web.event, number, edits.Edit.from_form("add", values))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            version = await services.get_version(web.db, web.user, web.event, number)
            context = await review_context(web.db, web.user, web.event, version, "grid")
            context.update(values=values, add_open=True)
            return form_error("schedule/version.html", context, exc, "_add", exc.status_code)
        return web.redirect(f"/programme/{number}?msg=edited")

    async def _meeting_context(self, web: EventWeb, number: int, meeting_id: int) -> dict[str, Any]:
        version = await services.get_version(web.db, web.user, web.event, number)
        names = await versions.load_names(web.db, web.event)
        return meeting_context(web.event, version, meeting_id, names)

    @get("/{number:int}/meetings/{meeting_id:int}", name="schedule_meeting")
    async def meeting_page(
        self, web: NamedDependency[EventWeb], number: FromPath[int], meeting_id: FromPath[int]
    ) -> Template:
        return Template("schedule/meeting.html", context=await self._meeting_context(web, number, meeting_id))

    @post("/{number:int}/meetings/{meeting_id:int}", name="schedule_meeting_edit")
    async def meeting_edit(
        self, web: NamedDependency[EventWeb], number: FromPath[int], meeting_id: FromPath[int]
    ) -> Response[Any]:
        """Lock, unlock, move, swap or remove a talk; a broken rule shows the same page with the reason."""
        values = await web.values()
        action = str(values.get("action", ""))
        try:
            edit = edits.Edit.from_form(action, values, meeting_id)
            await edits.edit_version(web.db, web.user, web.event, number, edit)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = await self._meeting_context(web, number, meeting_id)
            context.update(errors={"_form": exc.message, exc.field or "_form": exc.message}, values=values)
            return Template("schedule/meeting.html", context=context, status_code=exc.status_code)
        # Back to the grid page that shows the talk's employer, at the talk.
        version = await services.get_version(web.db, web.user, web.event, number)
        meeting = next((m for m in version.meetings if m.id == meeting_id), None)
        if meeting is None:  # removed
            return web.redirect(f"/programme/{number}?msg=edited")
        names = await versions.load_names(web.db, web.event)
        page = versions.employer_page(versions.problem_of(version.instance), names, meeting.employer_participation_id)
        where = f"&page={page}" if page > 1 else ""
        return web.redirect(f"/programme/{number}?msg=edited{where}#m{meeting_id}")

    @post("/{number:int}/copy", name="schedule_copy")
    async def copy(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> Redirect:
        copy = await services.copy_version(web.db, web.user, web.event, number)
        return web.redirect(f"/programme/{copy.number}?msg=draft_made")

    @get("/{number:int}/publish", name="schedule_publish_confirm")
    async def publish_confirm(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> Response[Any]:
        """The question before publishing: what changes for attendees against the version they see now."""
        version = await services.get_version(web.db, web.user, web.event, number)
        current = await services.current(web.db, web.event)
        if current is not None and current.id == version.id:
            return web.redirect(f"/programme/{number}?msg=already_published")
        against = current.number if current is not None else None
        result = await services.version_diff(web.db, web.user, web.event, version, against)
        context = {"event": web.event, "version": version, "diff": result, "question": publish_question(result)}
        return Template("schedule/publish.html", context=context)

    @post("/{number:int}/publish", name="schedule_publish")
    async def publish(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> Redirect:
        """Publish once confirmed (``confirm=yes``, from the question's page); anything else asks first."""
        if (await web.form(PublishForm)).confirm != "yes":
            return web.redirect(f"/programme/{number}/publish")
        try:
            await services.publish(web.db, web.user, web.event, number)
        except ConflictError:
            return web.redirect(f"/programme/{number}?msg=already_published")
        return web.redirect(f"/programme/{number}/diff?published=1")

    @get("/{number:int}/diff", name="schedule_diff")
    async def diff(
        self,
        web: NamedDependency[EventWeb],
        number: FromPath[int],
        against: FromQuery[int | None] = None,
        published: FromQuery[str | None] = None,
    ) -> Template:
        """Who is affected, change by change, from the version published before (or ``against``)."""
        version = await services.get_version(web.db, web.user, web.event, number)
        result = await services.version_diff(web.db, web.user, web.event, version, against)
        # Just published (the publish redirects here): say what it changed, in place of the flash message.
        just_published = published == "1" and version.status is VersionStatus.PUBLISHED and against is None
        return Template(
            "schedule/diff.html",
            context={
                "event": web.event,
                "version": version,
                "diff": result,
                "current": await services.current(web.db, web.event),
                "published": just_published,
                "summary": publish_summary(result) if just_published else None,
            },
        )

    @get("/{number:int}/print/{layout:str}", name="schedule_print")
    async def print_view(
        self, web: NamedDependency[EventWeb], number: FromPath[int], layout: FromPath[str]
    ) -> Template:
        """Printable HTML: ``rounds`` (the whole schedule round by round) or ``tables`` (a page per table)."""
        if layout not in ("rounds", "tables"):
            from events.platform.errors import NotFoundError

            raise NotFoundError("print view")
        version = await services.get_version(web.db, web.user, web.event, number)
        names = await versions.load_names(web.db, web.event)
        problem = versions.problem_of(version.instance)
        per_table = layout == "tables"
        rows = versions.grid(problem, version.meetings, names, short=per_table)
        return Template(
            "schedule/print_tables.html" if per_table else "schedule/print_rounds.html",
            context={"event": web.event, "version": version, "rows": rows},
        )


class BriefingPages(EventPageController):
    """The employer's printable briefing pack: whom it meets, round by round, as anonymised cards."""

    path = "/events/{event_ref:str}/briefing"
    guards = [requires(Role.ORGANISER, Role.EMPLOYER)]

    @get("/{employer_id:int}", name="employer_briefing")
    async def briefing(self, web: NamedDependency[EventWeb], employer_id: FromPath[int]) -> Template:
        pack = await packs.briefing(web.db, web.user, web.event, employer_id)
        return Template("schedule/briefing.html", context={"event": web.event, "pack": pack})
