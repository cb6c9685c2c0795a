"""Print jobs in the background: a request starts one and returns at once, the page follows its progress
(read from the database, so any app process can show it), and the finished PDF waits under the data
directory for the one who started it.

The job row is the truth, as for schedule builds: the platform's runner (`events.platform.background`) writes
progress and a heartbeat to it, and a running job whose heartbeat stopped belongs to a process that went away.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import PrintJob, PrintStatus
from badges.printing.data import PrintWork, Selection, prepare, select_holders
from events.platform.background import Failures, JobRunner, Progress, stale_before, utcnow
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Event, Role
from events.platform.settings import Settings

log = logging.getLogger("meetmatch.badges")

KEEP_FILES = dt.timedelta(days=2)
# The key, in a job's selection, of the candidates (participation ids) its file shows.
CANDIDATES_SHOWN = "candidates_shown"


def prints_dir(settings: Settings) -> Path:
    path = settings.data_dir / "prints"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def get_job(session: AsyncSession, user: CurrentUser, event: Event, job_id: int) -> PrintJob:
    """A job of the event that this user started (organisers: any); anything else is not found. A running
    job without a heartbeat is reported as failed."""
    query = select(PrintJob).where(PrintJob.id == job_id, PrintJob.event_id == event.id)
    if user.role is not Role.ORGANISER:
        query = query.where(PrintJob.started_by_id == user.id)
    job: PrintJob | None = await session.scalar(query)
    if job is None:
        raise NotFoundError("print job")
    if job.status is PrintStatus.RUNNING and job.heartbeat_at < stale_before():
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


async def start_print(
    runner: JobRunner, settings: Settings, session: AsyncSession, user: CurrentUser, event: Event, selection: Selection
) -> PrintJob:
    """Check the selection against the user (a named person out of reach is not found, before anything runs),
    record the job and start it; the layout runs in a thread that drives a process pool
    (badges/printing/pdf.py)."""
    selection.check()
    if selection.what in ("table-cards", "table-sheets", "attendance"):
        if user.role is not Role.ORGANISER:
            raise NotFoundError("print")
    elif not await select_holders(session, user, event, selection):
        raise DomainError("nobody", _t("Nobody to print for: the selection is empty."), "kind")
    async with runner.sessions() as own:
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
    job_id, event_id = job.id, event.id

    async def work(progress: Progress) -> Mapping[str, object]:
        return await _render(runner, settings, job_id, user, event_id, selection, progress)

    failures = Failures(
        stopped=N_("The server stopped before the PDF was finished."),
        crashed=N_("The PDF could not be made because of an internal error."),
        log_line=f"print job {job_id} of event {event_id} failed",
    )
    runner.start(PrintJob, job_id, work, name=f"print-{job_id}", failures=failures, log=log)
    _forget_old_files(settings)
    return job


async def _collect(
    runner: JobRunner, settings: Settings, user: CurrentUser, event_id: int, selection: Selection
) -> PrintWork:
    async with runner.sessions() as session:
        event = await session.get(Event, event_id)
        if event is None:
            raise NotFoundError("event")
        work = await prepare(session, settings, user, event, selection)
        await session.commit()  # badge tokens made for people who had none yet
        return work


async def _render(
    runner: JobRunner,
    settings: Settings,
    job_id: int,
    user: CurrentUser,
    event_id: int,
    selection: Selection,
    progress: Progress,
) -> Mapping[str, object]:
    from badges.printing.pdf import render

    work = await _collect(runner, settings, user, event_id, selection)
    if not work.pages:
        raise DomainError("nobody", _t("Nobody to print for: the selection is empty."))
    # Which candidates the file will show: erasing one of them removes it (events.privacy.erasure).
    shown = {**selection.as_json(), CANDIDATES_SHOWN: sorted(work.candidates)}
    await runner.save(PrintJob, job_id, pages=len(work.pages), count=work.count, selection=shown)
    # Reading the people is the first 10 %, laying out the pages the next 85 %, the merge the rest.
    progress.update("pages", 0.1)

    def pages(done: int, total: int) -> None:
        progress.update("pages", 0.1 + 0.85 * done / max(total, 1))

    data = await asyncio.to_thread(render, work.pages, title=work.title, language=work.language, progress=pages)
    name = f"{job_id}-{secrets.token_urlsafe(12)}.pdf"
    await asyncio.to_thread(_write, prints_dir(settings) / name, data)
    return {"file_name": name}


def _forget_old_files(settings: Settings) -> None:
    limit = (utcnow() - KEEP_FILES).timestamp()
    for path in prints_dir(settings).glob("*.pdf"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
