"""The schedule's pages for organisers: build with progress, review (grid, per candidate, per employer,
quality panel), adjust talk by talk, publish with the diff of who is affected, and print views."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, requires
from events.platform.background import job_runner
from events.platform.errors import ConflictError, DomainError
from events.platform.forms import form_values
from events.platform.models import Event, Role
from schedule import adapter, builds, edits, services, versions
from schedule import briefing as packs
from schedule.adapter import row_id
from schedule.diff import publish_question, publish_summary
from schedule.edits import form_number
from schedule.models import BuildStatus, ScheduleVersion, VersionStatus

organisers = requires(Role.ORGANISER)
VIEWS = ("grid", "candidates", "employers")


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


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


class SchedulePages(Controller):
    path = "/events/{event_ref:str}/programme"
    include_in_schema = False
    guards = [organisers]

    @get("/", name="schedule")
    async def schedule_home(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        """The newest version, or a page to build the first one."""
        newest = await services.latest(db_session, event)
        if newest is not None:
            return see_other(f"/events/{event.slug}/programme/{newest.number}")
        return Template(
            "schedule/empty.html", context={"event": event, "running": await builds.running_job(db_session, event)}
        )

    @post("/build", name="schedule_build")
    async def build(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        values = form_values(await request.form())
        seed = form_number(values.get("seed")) or 0
        try:
            job = await builds.start_build(job_runner(request), current_user, event, seed=seed)
        except ConflictError:
            running = await builds.running_job(db_session, event)
            if running is None:  # finished in between: show the result
                return see_other(f"/events/{event.slug}/programme")
            return see_other(f"/events/{event.slug}/programme/builds/{running.id}?msg=build_running")
        return see_other(f"/events/{event.slug}/programme/builds/{job.id}")

    @get("/builds/{build_id:int}", name="schedule_build_progress")
    async def build_progress(
        self,
        event: NamedDependency[Event],
        build_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        """The build's progress; the page refreshes itself until the version is there."""
        job = await builds.get_job(db_session, current_user, event, build_id)
        if job.status is BuildStatus.DONE and job.version_id is not None:
            version = await db_session.get(ScheduleVersion, job.version_id)
            if version is not None:
                return see_other(f"/events/{event.slug}/programme/{version.number}?msg=built")
        return Template("schedule/build.html", context={"event": event, "job": job})

    @get("/{number:int}", name="schedule_version")
    async def version_page(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        view: FromQuery[str] = "grid",
        page: FromQuery[str] = "1",
    ) -> Template:
        version = await services.get_version(db_session, current_user, event, number)
        context = await review_context(
            db_session, current_user, event, version, view if view in VIEWS else "grid", form_number(page) or 1
        )
        return Template("schedule/version.html", context=context)

    @post("/{number:int}/add", name="schedule_add")
    async def add_meeting(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        """Add a talk by hand (locked unless unticked), checked against the scheduler's rules."""
        values = form_values(await request.form())
        try:
            await edits.edit_version(db_session, current_user, event, number, edits.Edit.from_form("add", values))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            version = await services.get_version(db_session, current_user, event, number)
            context = await review_context(db_session, current_user, event, version, "grid")
            context.update(errors={exc.field or "_add": exc.message}, values=values, add_open=True)
            return Template("schedule/version.html", context=context, status_code=exc.status_code)
        return see_other(f"/events/{event.slug}/programme/{number}?msg=edited")

    @get("/{number:int}/meetings/{meeting_id:int}", name="schedule_meeting")
    async def meeting_page(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        meeting_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        version = await services.get_version(db_session, current_user, event, number)
        names = await versions.load_names(db_session, event)
        return Template("schedule/meeting.html", context=meeting_context(event, version, meeting_id, names))

    @post("/{number:int}/meetings/{meeting_id:int}", name="schedule_meeting_edit")
    async def meeting_edit(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        meeting_id: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        """Lock, unlock, move, swap or remove a talk; a broken rule shows the same page with the reason."""
        values = form_values(await request.form())
        action = str(values.get("action", ""))
        try:
            edit = edits.Edit.from_form(action, values, meeting_id)
            await edits.edit_version(db_session, current_user, event, number, edit)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            version = await services.get_version(db_session, current_user, event, number)
            names = await versions.load_names(db_session, event)
            context = meeting_context(event, version, meeting_id, names)
            context.update(errors={"_form": exc.message, exc.field or "_form": exc.message}, values=values)
            return Template("schedule/meeting.html", context=context, status_code=exc.status_code)
        # Back to the grid page that shows the talk's employer, at the talk.
        version = await services.get_version(db_session, current_user, event, number)
        meeting = next((m for m in version.meetings if m.id == meeting_id), None)
        if meeting is None:  # removed
            return see_other(f"/events/{event.slug}/programme/{number}?msg=edited")
        names = await versions.load_names(db_session, event)
        page = versions.employer_page(versions.problem_of(version.instance), names, meeting.employer_participation_id)
        where = f"&page={page}" if page > 1 else ""
        return see_other(f"/events/{event.slug}/programme/{number}?msg=edited{where}#m{meeting_id}")

    @post("/{number:int}/copy", name="schedule_copy")
    async def copy(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        copy = await services.copy_version(db_session, current_user, event, number)
        return see_other(f"/events/{event.slug}/programme/{copy.number}?msg=draft_made")

    @get("/{number:int}/publish", name="schedule_publish_confirm")
    async def publish_confirm(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        """The question before publishing: what changes for attendees against the version they see now."""
        version = await services.get_version(db_session, current_user, event, number)
        current = await services.current(db_session, event)
        if current is not None and current.id == version.id:
            return see_other(f"/events/{event.slug}/programme/{number}?msg=already_published")
        against = current.number if current is not None else None
        result = await services.version_diff(db_session, current_user, event, version, against)
        return Template(
            "schedule/publish.html",
            context={
                "event": event,
                "version": version,
                "diff": result,
                "question": publish_question(result),
            },
        )

    @post("/{number:int}/publish", name="schedule_publish")
    async def publish(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Redirect:
        """Publish once confirmed (``confirm=yes``, from the question's page); anything else asks first."""
        if (await request.form()).get("confirm") != "yes":
            return see_other(f"/events/{event.slug}/programme/{number}/publish")
        try:
            await services.publish(db_session, current_user, event, number)
        except ConflictError:
            return see_other(f"/events/{event.slug}/programme/{number}?msg=already_published")
        return see_other(f"/events/{event.slug}/programme/{number}/diff?published=1")

    @get("/{number:int}/diff", name="schedule_diff")
    async def diff(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        against: FromQuery[int | None] = None,
        published: FromQuery[str | None] = None,
    ) -> Template:
        """Who is affected, change by change, from the version published before (or ``against``)."""
        version = await services.get_version(db_session, current_user, event, number)
        result = await services.version_diff(db_session, current_user, event, version, against)
        # Just published (the publish redirects here): say what it changed, in place of the flash message.
        just_published = published == "1" and version.status is VersionStatus.PUBLISHED and against is None
        return Template(
            "schedule/diff.html",
            context={
                "event": event,
                "version": version,
                "diff": result,
                "current": await services.current(db_session, event),
                "published": just_published,
                "summary": publish_summary(result) if just_published else None,
            },
        )

    @get("/{number:int}/print/{layout:str}", name="schedule_print")
    async def print_view(
        self,
        event: NamedDependency[Event],
        number: FromPath[int],
        layout: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        """Printable HTML: ``rounds`` (the whole schedule round by round) or ``tables`` (a page per table)."""
        if layout not in ("rounds", "tables"):
            from events.platform.errors import NotFoundError

            raise NotFoundError("print view")
        version = await services.get_version(db_session, current_user, event, number)
        names = await versions.load_names(db_session, event)
        problem = versions.problem_of(version.instance)
        per_table = layout == "tables"
        rows = versions.grid(problem, version.meetings, names, short=per_table)
        return Template(
            "schedule/print_tables.html" if per_table else "schedule/print_rounds.html",
            context={"event": event, "version": version, "rows": rows},
        )


class BriefingPages(Controller):
    """The employer's printable briefing pack: whom it meets, round by round, as anonymised cards."""

    path = "/events/{event_ref:str}/briefing"
    include_in_schema = False
    guards = [requires(Role.ORGANISER, Role.EMPLOYER)]

    @get("/{employer_id:int}", name="employer_briefing")
    async def briefing(
        self,
        event: NamedDependency[Event],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        pack = await packs.briefing(db_session, current_user, event, employer_id)
        return Template("schedule/briefing.html", context={"event": event, "pack": pack})
