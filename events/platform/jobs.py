"""Background work: each job is safe to run from cron and from several processes at once.

`meetmatch jobs run` runs every job once; `meetmatch serve` runs them on a timer
(`MEETMATCH_JOBS_INTERVAL` seconds, 60 by default there; 0 turns the timer off). A job either
claims each piece of work with a conditional UPDATE (the outbox) or writes under a unique key
(reminders are queued once per person and event), so running it twice does each thing once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform.settings import Settings

log = logging.getLogger("meetmatch.jobs")

JobFunction = Callable[[async_sessionmaker[AsyncSession], Settings, dt.datetime], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    name: str
    target: str  # "module:function", imported when the job runs (the slices stay apart)
    help: str

    def function(self) -> JobFunction:
        module, _, name = self.target.partition(":")
        found: JobFunction = getattr(importlib.import_module(module), name)
        return found


# In this order: reminders are queued before the outbox is sent.
JOBS = (
    Job("reminders", "badges.mail.services:reminder_job", "queue the day-before reminders of tomorrow's events"),
    Job("arrivals", "badges.day.coach_desk:arrival_alerts_job", "e-mail coaches whose candidate has not arrived today"),
    Job(
        "followups",
        "events.followup.jobs:follow_up_reminder_job",
        "tell coaches when checks fall due at 1, 3 and 6 months after an event",
    ),
    Job("digest", "events.followup.jobs:digest_job", "the weekly e-mail for coaches who asked for it"),
    Job("evaluations", "events.followup.evaluation:evaluation_job", "send the short evaluation after an event"),
    Job("retention", "events.privacy.retention:retention_job", "anonymise people whose retention period has passed"),
    Job(
        "guests",
        "events.registration.guests:guest_retention_job",
        "blank the names of guests (partners, officials, press) of events whose retention period has passed",
    ),
    Job("outbox", "events.platform.jobs:outbox_job", "send the e-mail that is due, retrying failures"),
)


async def outbox_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    from events.platform import outbox

    config = outbox.smtp_config(settings)
    if config is None:
        return "outbox: MEETMATCH_SMTP_URL is not set; messages wait in the outbox"
    return str(await outbox.send_due(sessions, config, now=now))


async def run_jobs(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    names: tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> list[str]:
    """Run the named jobs (all when none are named) once; returns one summary line per job."""
    unknown = set(names) - {job.name for job in JOBS}
    if unknown:
        msg = f"unknown job: {', '.join(sorted(unknown))} (jobs: {', '.join(j.name for j in JOBS)})"
        raise ValueError(msg)
    moment = now or dt.datetime.now(dt.UTC)
    lines = []
    for job in JOBS:
        if names and job.name not in names:
            continue
        try:
            lines.append(await job.function()(sessions, settings, moment))
        except Exception as exc:  # one failing job must not keep the others (e-mail) from running
            log.exception("job %s failed", job.name)
            lines.append(f"{job.name}: failed ({type(exc).__name__}: {exc})")
    return lines


async def timer(sessions: async_sessionmaker[AsyncSession], settings: Settings, interval: float) -> None:
    """Run every job each `interval` seconds until cancelled; a failing job is logged, not fatal."""
    while True:
        await asyncio.sleep(interval)
        try:
            for line in await run_jobs(sessions, settings):
                log.debug("%s", line)
        except Exception:  # the timer must outlive any one failure
            log.exception("a background job failed")
