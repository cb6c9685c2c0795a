"""Programme builds in the background: a request starts one and returns at once, the page follows its
progress, and a second build of the same event is refused while one runs.

The job row (`BuildJob`) is the truth, so that every process sees it: a partial unique index allows one
running build per event, the runner writes progress and a heartbeat to it, and a job whose heartbeat
stopped (its process died) is marked failed when the next build starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform.errors import ConflictError, DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from schedule import services
from schedule.models import BuildJob, BuildStatus

log = logging.getLogger("meetmatch.schedule")

HEARTBEAT_SECONDS = 0.5
# A running job without a heartbeat for this long belongs to a process that is gone.
STALE_AFTER = dt.timedelta(seconds=30)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _Progress:
    """Written by the solver's thread, read by the heartbeat: plain attribute writes are atomic enough."""

    stage: str = "queued"
    fraction: float = 0.0

    def update(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage[:40], max(self.fraction, min(1.0, fraction))


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


class BuildRunner:
    """Starts builds as tasks on the server's event loop (the solver itself runs in a worker thread)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, user: CurrentUser, event: Event, *, seed: int = 0, publish: bool = False) -> BuildJob:
        """Record a running job and start it; ConflictError when one already runs for the event."""
        if user.role is not Role.ORGANISER:
            raise NotFoundError("event")
        async with self._sessions() as session:
            await session.execute(
                update(BuildJob)
                .where(
                    BuildJob.event_id == event.id,
                    BuildJob.status == BuildStatus.RUNNING,
                    BuildJob.heartbeat_at < utcnow() - STALE_AFTER,
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
        task = asyncio.create_task(self._run(job.id, user, event.id, seed, publish), name=f"build-{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _save(self, job_id: int, **values: object) -> None:
        async with self._sessions() as session:
            await session.execute(update(BuildJob).where(BuildJob.id == job_id).values(**values))
            await session.commit()

    async def _heartbeat(self, job_id: int, progress: _Progress) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self._save(job_id, stage=progress.stage, progress=progress.fraction, heartbeat_at=utcnow())

    async def _run(self, job_id: int, user: CurrentUser, event_id: int, seed: int, publish: bool) -> None:
        progress = _Progress()
        beat = asyncio.create_task(self._heartbeat(job_id, progress))
        status, message, version_id = BuildStatus.FAILED, "", None
        try:
            async with self._sessions() as session:
                event = await session.get(Event, event_id)
                if event is None:
                    raise NotFoundError("event")
                version = await services.build_version(session, user, event, seed=seed, progress=progress.update)
                if publish:
                    await services.publish(session, user, event, version.number)
                await session.commit()
                status, version_id = BuildStatus.DONE, version.id
        except DomainError as exc:
            message = exc.message
        except asyncio.CancelledError:
            message = _t("The build was stopped because the server shut down.")
            raise
        except Exception:
            log.exception("building the programme of event %s failed", event_id)
            message = _t("The build failed because of an internal error.")
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            await asyncio.shield(
                self._save(
                    job_id,
                    status=status,
                    message=message[:500],
                    version_id=version_id,
                    stage="done" if status is BuildStatus.DONE else "failed",
                    progress=1.0 if status is BuildStatus.DONE else progress.fraction,
                    heartbeat_at=utcnow(),
                    finished_at=utcnow(),
                )
            )

    async def wait(self) -> None:
        """Until every build of this process has finished (tests and the benchmark use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop this process' builds (server shutdown); their jobs are marked failed."""
        for task in list(self._tasks):
            task.cancel()
        await self.wait()
