"""Schedule builds in the background: a request starts one and returns at once, the page follows its
progress, and a second build of the same event is refused while one runs.

The job row (`BuildJob`) is the truth, so that every process sees it, and the platform's runner
(`events.platform.background`) writes progress and a heartbeat to it. A partial unique index allows one
running build per event; a job whose heartbeat stopped (its process died) is marked failed when the next
build starts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.background import Failures, JobRunner, Progress, stale_before, utcnow
from events.platform.errors import ConflictError, NotFoundError
from events.platform.i18n import N_
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from schedule import services
from schedule.models import BuildJob, BuildStatus

log = logging.getLogger("meetmatch.schedule")


async def get_job(session: AsyncSession, user: CurrentUser, event: Event, job_id: int) -> BuildJob:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("build")
    job: BuildJob | None = await session.scalar(
        select(BuildJob).where(BuildJob.id == job_id, BuildJob.event_id == event.id)
    )
    if job is None:
        raise NotFoundError("build")
    return job


async def running_job(session: AsyncSession, event: Event) -> BuildJob | None:
    found: BuildJob | None = await session.scalar(
        select(BuildJob).where(BuildJob.event_id == event.id, BuildJob.status == BuildStatus.RUNNING).limit(1)
    )
    return found


async def start_build(
    runner: JobRunner, user: CurrentUser, event: Event, *, seed: int = 0, publish: bool = False
) -> BuildJob:
    """Record a running job and start it; ConflictError when one already runs for the event."""
    if user.role is not Role.ORGANISER:
        raise NotFoundError("event")
    services.refuse_plenary(event)
    async with runner.sessions() as session:
        await session.execute(
            update(BuildJob)
            .where(
                BuildJob.event_id == event.id,
                BuildJob.status == BuildStatus.RUNNING,
                BuildJob.heartbeat_at < stale_before(),
            )
            .values(status=BuildStatus.FAILED, message="stopped: the server went away", finished_at=utcnow())
        )
        job = BuildJob(
            event_id=event.id,
            seed=seed,
            publish=publish,
            started_by_id=user.id or None,
            heartbeat_at=utcnow(),
        )
        session.add(job)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise ConflictError(
                "build_running",
                _t("A build of this programme is already running. Wait for it to finish."),
            ) from None
    event_id = event.id

    async def work(progress: Progress) -> Mapping[str, object]:
        async with runner.sessions() as session:
            found = await session.get(Event, event_id)
            if found is None:
                raise NotFoundError("event")
            version = await services.build_version(session, user, found, seed=seed, progress=progress.update)
            if publish:
                await services.publish(session, user, found, version.number)
            await session.commit()
            return {"version_id": version.id}

    failures = Failures(
        stopped=N_("The build was stopped because the server shut down."),
        crashed=N_("The build failed because of an internal error."),
        log_line=f"building the programme of event {event_id} failed",
    )
    runner.start(BuildJob, job.id, work, name=f"build-{job.id}", failures=failures, log=log, stages=True)
    return job
