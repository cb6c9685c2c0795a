"""The schedule's JSON API: build (in the background), versions with their talks and quality figures, hand
edits, publish and the diff of who is affected. Organisers only; anyone else gets 404 for the event."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import requires
from events.platform.background import job_runner
from events.platform.models import Event, Role
from events.platform.web import EVENT_WEB, EventWeb
from schedule import builds, edits, services, versions
from schedule.adapter import row_id
from schedule.diff import Diff, publish_summary
from schedule.models import BuildJob, ScheduleVersion

organisers = requires(Role.ORGANISER)

# Ids in JSON bodies: positive and within the id column's range.
Id = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
Small = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class BuildRequest(msgspec.Struct, forbid_unknown_fields=True):
    seed: Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)] = 0
    publish: bool = False


class BuildOut(msgspec.Struct):
    id: int
    status: str
    stage: str
    progress: float
    message: str
    version: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class EditRequest(msgspec.Struct, forbid_unknown_fields=True):
    """One change: ``lock``/``unlock``/``remove`` name a ``meeting``; ``move`` gives a new ``round`` and/or
    ``table``; ``swap`` exchanges the seats of ``meeting`` and ``other``; ``add`` places ``candidate`` (a
    candidate participation id) at ``employer`` (an employer participation id) in ``round`` at ``table``,
    locked unless ``locked`` is false."""

    action: Literal["lock", "unlock", "move", "swap", "remove", "add"]
    meeting: Id | None = None
    other: Id | None = None
    round: Small | None = None
    table: Small | None = None
    candidate: Id | None = None
    employer: Id | None = None
    locked: bool = True

    def edit(self) -> edits.Edit:
        return edits.Edit(
            self.action, self.meeting, self.other, self.round, self.table, self.candidate, self.employer, self.locked
        )


class MeetingOut(msgspec.Struct):
    id: int
    round: int
    table: int
    employer: int
    employer_name: str
    candidate: int
    candidate_name: str
    locked: bool
    status: str


class EmployerSeats(msgspec.Struct):
    id: int
    name: str
    tables: int
    seats: int
    rounds: list[int]


class CandidateNeeds(msgspec.Struct):
    id: int
    name: str
    rounds: list[int]
    min_meetings: int
    max_meetings: int


class VersionRow(msgspec.Struct):
    number: int
    status: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    based_on: int | None
    seed: int
    current: bool


class VersionOut(VersionRow):
    """A version's row with its talks, quality figures and the people it was planned for (rounds present,
    tables and seats), so that a client can draw the grid and find free seats."""

    quality: dict[str, Any]
    stats: dict[str, Any]
    meetings: list[MeetingOut]
    employers: list[EmployerSeats]
    candidates: list[CandidateNeeds]


class ChangeOut(msgspec.Struct):
    kind: str
    candidate: int
    candidate_name: str
    employer: int
    employer_name: str
    before: dict[str, int] | None
    after: dict[str, int] | None


class Person(msgspec.Struct):
    id: int
    name: str


class DiffOut(msgspec.Struct):
    version: int
    against: int | None
    changes: list[ChangeOut]
    affected_candidates: list[Person]
    affected_employers: list[Person]


class PublishOut(msgspec.Struct):
    version: VersionRow
    diff: DiffOut
    summary: str  # what the publish changed, in a sentence in the caller's language


def build_out(job: BuildJob, number: int | None) -> BuildOut:
    return BuildOut(
        job.id,
        job.status.value,
        job.stage,
        round(job.progress, 3),
        job.message,
        number,
        job.created_at,
        job.finished_at,
    )


def version_row(version: ScheduleVersion, current: ScheduleVersion | None) -> VersionRow:
    return VersionRow(
        version.number,
        version.status.value,
        version.created_at,
        version.published_at,
        version.based_on,
        version.seed,
        current is not None and current.id == version.id,
    )


def diff_out(number: int, diff: Diff) -> DiffOut:
    def seat(value: tuple[int, int] | None) -> dict[str, int] | None:
        return {"round": value[0], "table": value[1]} if value else None

    return DiffOut(
        number,
        diff.base,
        [
            ChangeOut(c.kind, c.candidate_id, c.candidate, c.employer_id, c.employer, seat(c.before), seat(c.after))
            for c in diff.changes
        ],
        [Person(i, n) for i, n in diff.candidates],
        [Person(i, n) for i, n in diff.employers],
    )


async def version_out(session: AsyncSession, event: Event, version: ScheduleVersion) -> VersionOut:
    names = await versions.load_names(session, event)
    row = version_row(version, await services.current(session, event))
    problem = versions.problem_of(version.instance)
    return VersionOut(
        **msgspec.structs.asdict(row),
        quality=dict(version.stats.get("quality", {})),
        stats={k: v for k, v in version.stats.items() if k != "quality"},
        meetings=[
            MeetingOut(
                m.id,
                m.round,
                m.table,
                m.employer_participation_id,
                names.employer(m.employer_participation_id),
                m.candidate_participation_id,
                names.candidate(m.candidate_participation_id),
                m.locked,
                m.status.value,
            )
            for m in sorted(version.meetings, key=lambda m: (m.round, m.employer_participation_id, m.table, m.id))
        ],
        employers=[
            EmployerSeats(row_id(e.id), names.employer(row_id(e.id)), e.tables, e.seats, sorted(e.rounds))
            for e in problem.employers
        ],
        candidates=[
            CandidateNeeds(
                row_id(c.id), names.candidate(row_id(c.id)), sorted(c.rounds), c.min_meetings, c.max_meetings
            )
            for c in problem.candidates
        ],
    )


class ScheduleApi(Controller):
    path = "/api/events/{event_ref:str}/programme"
    tags = ["programme"]
    guards = [organisers]
    dependencies = EVENT_WEB

    @post("/builds", name="api:schedule_build", status_code=HTTP_202_ACCEPTED)
    async def build(self, web: NamedDependency[EventWeb], data: JSONBody[BuildRequest]) -> BuildOut:
        """Start building a new draft version in the background (409 ``build_running`` while one runs).
        Follow it with GET /builds/{id}; locked talks of the newest version are kept."""
        job = await builds.start_build(
            job_runner(web.request), web.user, web.event, seed=data.seed, publish=data.publish
        )
        return build_out(job, None)

    @get("/builds/{build_id:int}", name="api:schedule_build_status")
    async def build_status(self, web: NamedDependency[EventWeb], build_id: FromPath[int]) -> BuildOut:
        """A build's progress (0..1) and, once done, the number of the version it made."""
        job = await builds.get_job(web.db, web.user, web.event, build_id)
        number = None
        if job.version_id is not None:
            version = await web.db.get(ScheduleVersion, job.version_id)
            number = version.number if version else None
        return build_out(job, number)

    @get("/versions", name="api:schedule_versions")
    async def list_versions(self, web: NamedDependency[EventWeb]) -> list[VersionRow]:
        """Every version, newest first; ``current`` marks the one attendees see."""
        shown = await services.current(web.db, web.event)
        return [version_row(v, shown) for v in await services.versions(web.db, web.event)]

    @get("/versions/{number:int}", name="api:schedule_version")
    async def get_version(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> VersionOut:
        """A version with its talks and its quality figures (the same as ``meetmatch schedule check``)."""
        version = await services.get_version(web.db, web.user, web.event, number)
        return await version_out(web.db, web.event, version)

    @post("/versions/{number:int}/edits", name="api:schedule_edit", status_code=HTTP_200_OK)
    async def edit(
        self, web: NamedDependency[EventWeb], number: FromPath[int], data: JSONBody[EditRequest]
    ) -> VersionOut:
        """Change a draft version by hand. The result is checked against the scheduler's rules: a broken rule
        answers 422 with its code (e.g. ``candidate_double_booked``, ``table_over_capacity``) and a message,
        and nothing is saved. A published version answers 409 ``version_published``."""
        version = await edits.edit_version(web.db, web.user, web.event, number, data.edit())
        return await version_out(web.db, web.event, version)

    @post("/versions/{number:int}/copy", name="api:schedule_copy", status_code=HTTP_201_CREATED)
    async def copy(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> VersionRow:
        """A new draft with the same talks and locks, to adjust a published version."""
        copy = await services.copy_version(web.db, web.user, web.event, number)
        return version_row(copy, await services.current(web.db, web.event))

    @post("/versions/{number:int}/publish", name="api:schedule_publish", status_code=HTTP_200_OK)
    async def publish(self, web: NamedDependency[EventWeb], number: FromPath[int]) -> PublishOut:
        """Publish a version: attendees see it from now on. Answers with the diff against the version
        published before, listing exactly who is affected."""
        await services.publish(web.db, web.user, web.event, number)
        version = await services.get_version(web.db, web.user, web.event, number)
        diff = await services.version_diff(web.db, web.user, web.event, version)
        return PublishOut(version_row(version, version), diff_out(number, diff), publish_summary(diff))

    @get("/versions/{number:int}/diff", name="api:schedule_diff")
    async def diff(
        self, web: NamedDependency[EventWeb], number: FromPath[int], against: FromQuery[int | None] = None
    ) -> DiffOut:
        """What changes from version ``against`` (default: the version published before this one) to this
        one, and who is affected."""
        version = await services.get_version(web.db, web.user, web.event, number)
        result = await services.version_diff(web.db, web.user, web.event, version, against)
        return diff_out(number, result)
