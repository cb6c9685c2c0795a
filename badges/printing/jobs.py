"""Print jobs in the background: a request starts one and returns at once, the page follows its progress
(read from the database, so any app process can show it), and the finished PDF waits under the data
directory for the one who started it.

The job row is the truth, as for programme builds (schedule/builds.py): the runner writes progress and
a heartbeat to it, and a running job whose heartbeat stopped belongs to a process that went away.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from badges.models import PrintJob, PrintStatus
from badges.printing.data import PrintWork, Selection, prepare, select_holders
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from events.platform.settings import Settings

log = logging.getLogger("meetmatch.badges")

HEARTBEAT_SECONDS = 0.5
STALE_AFTER = dt.timedelta(seconds=30)
KEEP_FILES = dt.timedelta(days=2)
# The key, in a job's selection, of the candidates (participation ids) its file shows.
CANDIDATES_SHOWN = "candidates_shown"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def prints_dir(settings: Settings) -> Path:
    path = settings.data_dir / "prints"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class _Progress:
    """Written by the rendering thread, read by the heartbeat."""

    fraction: float = 0.0

    def pages(self, done: int, total: int) -> None:
        # Reading the people is the first 10 %, laying out the pages the next 85 %, the merge the rest.
        self.fraction = max(self.fraction, 0.1 + 0.85 * done / max(total, 1))


async def get_job(session: AsyncSession, user: CurrentUser, event: Event, job_id: int) -> PrintJob:
    """A job of the event that this user started (organisers: any); anything else is not found. A running
    job without a heartbeat is reported as failed."""
    query = select(PrintJob).where(PrintJob.id == job_id, PrintJob.event_id == event.id)
    if user.role is not Role.ORGANISER:
        query = query.where(PrintJob.started_by_id == user.id)
    job: PrintJob | None = await session.scalar(query)
    if job is None:
        raise NotFoundError("print job")
    if job.status is PrintStatus.RUNNING and job.heartbeat_at < utcnow() - STALE_AFTER:
        job.status, job.message = PrintStatus.FAILED, _t("The server stopped before the PDF was finished.")
    return job


async def recent_jobs(session: AsyncSession, user: CurrentUser, event: Event, limit: int = 10) -> list[PrintJob]:
    query = select(PrintJob).where(PrintJob.event_id == event.id)
    if user.role is not Role.ORGANISER:
        query = query.where(PrintJob.started_by_id == user.id)
    return list(await session.scalars(query.order_by(PrintJob.id.desc()).limit(limit)))


def file_of(settings: Settings, job: PrintJob) -> Path:
    if job.status is not PrintStatus.DONE or not job.file_name:
        raise NotFoundError("print job")
    path = prints_dir(settings) / job.file_name
    if not path.is_file():
        raise NotFoundError("print job")
    return path


class PrintRunner:
    """Starts print jobs as tasks on the server's event loop; the layout runs in a thread that drives a
    process pool (badges/printing/pdf.py)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, session: AsyncSession, user: CurrentUser, event: Event, selection: Selection) -> PrintJob:
        """Check the selection against the user (a named person out of reach is not found, before anything
        runs), record the job and start it."""
        selection.check()
        if selection.what in ("table-cards", "table-sheets", "attendance"):
            if user.role is not Role.ORGANISER:
                raise NotFoundError("print")
        elif not await select_holders(session, user, event, selection):
            raise DomainError("nobody", _t("Nobody to print for: the selection is empty."), "kind")
        async with self._sessions() as own:
            job = PrintJob(
                event_id=event.id,
                started_by_id=user.id or None,
                what=selection.what,
                layout=selection.layout,
                selection=selection.as_json(),
                heartbeat_at=utcnow(),
            )
            own.add(job)
            await own.commit()
        task = asyncio.create_task(self._run(job.id, user, event.id, selection), name=f"print-{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._forget_old_files()
        return job

    async def _save(self, job_id: int, **values: object) -> None:
        async with self._sessions() as session:
            await session.execute(update(PrintJob).where(PrintJob.id == job_id).values(**values))
            await session.commit()

    async def _heartbeat(self, job_id: int, progress: _Progress) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self._save(job_id, progress=progress.fraction, heartbeat_at=utcnow())

    async def _collect(self, user: CurrentUser, event_id: int, selection: Selection) -> PrintWork:
        async with self._sessions() as session:
            event = await session.get(Event, event_id)
            if event is None:
                raise NotFoundError("event")
            work = await prepare(session, self._settings, user, event, selection)
            await session.commit()  # badge tokens made for people who had none yet
            return work

    async def _run(self, job_id: int, user: CurrentUser, event_id: int, selection: Selection) -> None:
        from badges.printing.pdf import render

        progress = _Progress()
        beat = asyncio.create_task(self._heartbeat(job_id, progress))
        values: dict[str, object] = {"status": PrintStatus.FAILED}
        try:
            work = await self._collect(user, event_id, selection)
            if not work.pages:
                raise DomainError("nobody", _t("Nobody to print for: the selection is empty."))
            # Which candidates the file will show: erasing one of them removes it (events.privacy.erasure).
            shown = {**selection.as_json(), CANDIDATES_SHOWN: sorted(work.candidates)}
            await self._save(job_id, pages=len(work.pages), count=work.count, selection=shown)
            progress.fraction = 0.1
            data = await asyncio.to_thread(
                render, work.pages, title=work.title, language=work.language, progress=progress.pages
            )
            name = f"{job_id}-{secrets.token_urlsafe(12)}.pdf"
            await asyncio.to_thread(_write, prints_dir(self._settings) / name, data)
            values = {"status": PrintStatus.DONE, "file_name": name, "progress": 1.0}
        except DomainError as exc:
            values["message"] = exc.message[:500]
        except asyncio.CancelledError:
            values["message"] = _t("The server stopped before the PDF was finished.")
            raise
        except Exception:
            log.exception("print job %s of event %s failed", job_id, event_id)
            values["message"] = _t("The PDF could not be made because of an internal error.")
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            await asyncio.shield(self._save(job_id, heartbeat_at=utcnow(), finished_at=utcnow(), **values))

    def _forget_old_files(self) -> None:
        limit = (utcnow() - KEEP_FILES).timestamp()
        for path in prints_dir(self._settings).glob("*.pdf"):
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)

    async def wait(self) -> None:
        """Until every job of this process has finished (tests use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.wait()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
