"""Work that outlives its request (a schedule build, a print file): the request records a job row and hands the
work to the runner, answers at once, and the page follows the job's progress from the database.

The job row is the truth, so that every app process can show it: while the work runs, the runner writes its
progress and a heartbeat to the row; when it ends, the outcome (done, or failed with a readable message). A
running row whose heartbeat stopped belongs to a process that went away (`stale_before`). A feature brings
its own row (a model with the columns of `JobRow`) and its work; the runner knows no feature. The e-mail
outbox and the timed jobs (`events.platform.jobs`) are another thing: short passes over rows that are due.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from litestar import Request
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform.errors import DomainError
from events.platform.i18n import gettext as _t

HEARTBEAT_SECONDS = 0.5
# A running job without a heartbeat for this long belongs to a process that is gone.
STALE_AFTER = dt.timedelta(seconds=30)


class JobStatus(StrEnum):
    """The states every job row goes through (its own status enum has the same values)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stale_before() -> dt.datetime:
    """A running job whose heartbeat is older than this has no process left to finish it."""
    return utcnow() - STALE_AFTER


@dataclass
class Progress:
    """Written by the work (often from a worker thread), read by the heartbeat: plain attribute writes are
    atomic enough. The fraction only goes up."""

    stage: str = "queued"
    fraction: float = 0.0

    def update(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage[:40], max(self.fraction, min(1.0, fraction))


@dataclass(frozen=True)
class Failures:
    """What a job's row says when it does not finish (messages marked with `N_`, translated when written in the
    language of the request that started it), and the log line of an unexpected error."""

    stopped: str  # the server shut down while it ran
    crashed: str  # an unexpected error, logged with `log_line`
    log_line: str


# The work: given the progress to report, returns the columns to write on the row once it is done.
Work = Callable[[Progress], Awaitable[Mapping[str, object]]]


class JobRunner:
    """Runs jobs as tasks on the server's event loop; the slow part of a job runs in a thread or a process
    pool of the feature's choosing. One runner serves every kind of job."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._tasks: set[asyncio.Task[None]] = set()

    def start(
        self,
        model: type[Any],
        job_id: int,
        work: Work,
        *,
        name: str,
        failures: Failures,
        log: logging.Logger,
        stages: bool = False,
    ) -> None:
        """Run `work` for the recorded row `job_id` of `model`. With `stages`, the row has a `stage` column too:
        the heartbeat writes it, and the outcome ends it at "done" or "failed"."""
        task = asyncio.create_task(self._run(model, job_id, work, failures, log, stages), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def save(self, model: type[Any], job_id: int, **values: object) -> None:
        """Write columns of a job's row in a transaction of its own."""
        async with self.sessions() as session:
            await session.execute(update(model).where(model.id == job_id).values(**values))
            await session.commit()

    async def _heartbeat(self, model: type[Any], job_id: int, progress: Progress, stages: bool) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            beat: dict[str, object] = {"progress": progress.fraction, "heartbeat_at": utcnow()}
            if stages:
                beat["stage"] = progress.stage
            await self.save(model, job_id, **beat)

    async def _run(
        self, model: type[Any], job_id: int, work: Work, failures: Failures, log: logging.Logger, stages: bool
    ) -> None:
        progress = Progress()
        beat = asyncio.create_task(self._heartbeat(model, job_id, progress, stages))
        outcome: dict[str, object] = {"status": JobStatus.FAILED}
        try:
            done = await work(progress)
            outcome = {"status": JobStatus.DONE, "progress": 1.0, **({"stage": "done"} if stages else {}), **done}
        except DomainError as exc:
            outcome["message"] = exc.message[:500]
        except asyncio.CancelledError:
            outcome["message"] = _t(failures.stopped)
            raise
        except Exception:
            log.exception("%s", failures.log_line)
            outcome["message"] = _t(failures.crashed)
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            if stages and outcome["status"] is JobStatus.FAILED:
                outcome.update(stage="failed", progress=progress.fraction)
            await asyncio.shield(self.save(model, job_id, heartbeat_at=utcnow(), finished_at=utcnow(), **outcome))

    async def wait(self) -> None:
        """Until every job of this process has finished (tests and the benchmark use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop this process's jobs (server shutdown); their rows are marked failed."""
        for task in list(self._tasks):
            task.cancel()
        await self.wait()


def job_runner(request: Request[Any, Any, Any]) -> JobRunner:
    """The app's runner (`app.state.jobs`)."""
    found: JobRunner = request.app.state.jobs
    return found
