"""Retention: a person's data is anonymised a set time after the last follow-up of their last event.

Each slice says how long after an event it still needs a person's data (events.platform.personal_data: the
follow-up until its last check, 6 months after); the event's `retention_months` run from the longest of those.
A candidate is kept across events, so their date is the latest over all their participations; someone never
signed up for an event is kept `DEFAULT_RETENTION_MONTHS` after they were registered. A trajectory keeps a person
while it runs (an enrolment not ended has no date at all), and after it ended until the last check after a placement
(`ENROLMENT_MONTHS_AFTER_END`) and `DEFAULT_RETENTION_MONTHS` more; a referral nobody picked up counts as ended
`UNCLAIMED_MONTHS` after it came in. On that day (and any day
after) `meetmatch retention run` or the "retention" job erases them (events.privacy.erasure), each under a
claim, so cron and several processes may run it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from events.platform import personal_data
from events.platform.dates import add_months
from events.platform.errors import ConflictError, NotFoundError
from events.platform.models import EVENT_TZ, Candidate, CandidateCoach, CandidateParticipation, Enrolment, Event
from events.platform.settings import Settings
from events.privacy.erasure import Erased, ErasureReport, after_commit, apply_ledger, erase_rows

DEFAULT_RETENTION_MONTHS = 12
# The last check after a placement falls 12 months after it started (events.followup.models.PLACEMENT_CHECK_MONTHS).
ENROLMENT_MONTHS_AFTER_END = 12
# A referral that no coach picked up (and no intake decided) counts as ended this many months after it came in.
UNCLAIMED_MONTHS = 6


def event_erasure_date(event: Event) -> dt.date:
    """When the personal data of this event's candidates is anonymised (unless a later event keeps them)."""
    return add_months(event.date, personal_data.months_after_event() + event.retention_months)


def _later(day: dt.date, months: int) -> dt.date:
    """``months`` after ``day``; the last day there is for a day so far off that there is none (one mistyped
    year must not stop retention for everyone)."""
    try:
        return add_months(day, months)
    except (ValueError, OverflowError):
        return dt.date.max


def erasure_date(
    created_at: dt.datetime,
    events: Iterable[tuple[dt.date, int]],
    enrolment_ends: Iterable[dt.date | None] = (),
) -> dt.date | None:
    """A candidate's date, from when they were registered, (date, retention months) of each of their events and
    the end of each of their enrolments; None while an enrolment runs (nothing is anonymised then)."""
    ends = list(enrolment_ends)
    if any(end is None for end in ends):
        return None
    dates = [_later(day, personal_data.months_after_event() + months) for day, months in events]
    dates += [_later(end, ENROLMENT_MONTHS_AFTER_END + DEFAULT_RETENTION_MONTHS) for end in ends if end]
    if dates:
        return max(dates)
    return add_months(created_at.astimezone(EVENT_TZ).date(), DEFAULT_RETENTION_MONTHS)


async def erasure_dates(session: AsyncSession, candidate_ids: Iterable[int] | None = None) -> dict[int, dt.date | None]:
    """The anonymisation date of every candidate not yet erased (or of the ones named); None for someone in a
    trajectory that runs."""
    query = select(Candidate.id, Candidate.created_at).where(Candidate.erased_at.is_(None))
    participations = select(CandidateParticipation.candidate_id, Event.date, Event.retention_months).join(
        Event, Event.id == CandidateParticipation.event_id
    )
    coached = exists().where(CandidateCoach.candidate_id == Enrolment.candidate_id)
    enrolments = select(Enrolment.candidate_id, Enrolment.ended_on, Enrolment.referred_on, Enrolment.decision, coached)
    if candidate_ids is not None:
        wanted = list(candidate_ids)
        query = query.where(Candidate.id.in_(wanted))
        participations = participations.where(CandidateParticipation.candidate_id.in_(wanted))
        enrolments = enrolments.where(Enrolment.candidate_id.in_(wanted))
    events: dict[int, list[tuple[dt.date, int]]] = {}
    for candidate_id, day, months in (await session.execute(participations)).tuples():
        events.setdefault(candidate_id, []).append((day, months))
    ends: dict[int, list[dt.date | None]] = {}
    for candidate_id, ended_on, referred_on, decision, has_coach in (await session.execute(enrolments)).tuples():
        if ended_on is None and decision is None and not has_coach:
            # A referral nobody picked up does not keep a person for ever: it counts as ended some months on.
            ended_on = _later(referred_on, UNCLAIMED_MONTHS)
        ends.setdefault(candidate_id, []).append(ended_on)
    return {
        candidate_id: erasure_date(created, events.get(candidate_id, ()), ends.get(candidate_id, ()))
        for candidate_id, created in (await session.execute(query)).tuples()
    }


async def due(session: AsyncSession, today: dt.date) -> list[int]:
    """Candidates whose date has come, in id order."""
    return sorted(i for i, day in (await erasure_dates(session)).items() if day is not None and day <= today)


@dataclass
class RetentionReport:
    today: dt.date
    due: list[int] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    replayed: list[int] = field(default_factory=list)
    files_removed: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        if self.dry_run:
            return f"retention: {len(self.due)} person(s) due on {self.today.isoformat()} (dry run: nothing erased)"
        text = f"retention: {len(self.erased)} person(s) anonymised on {self.today.isoformat()}"
        if self.replayed:
            text += f", {len(self.replayed)} erased again from the ledger"
        return text


async def run_retention(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, today: dt.date, *, dry_run: bool = False
) -> RetentionReport:
    """Replay the erasure ledger, then anonymise everyone due on ``today``: one transaction per person, each
    starting with its claim (a person erased meanwhile by another process is skipped); the files and raw
    bytes once at the end."""
    report = RetentionReport(today=today, dry_run=dry_run)
    async with sessions() as session:
        report.due = await due(session, today)
    if dry_run:
        return report
    replayed: ErasureReport = await apply_ledger(sessions, settings)
    report.replayed = replayed.erased
    erased: list[Erased] = []
    async with sessions() as session:
        for candidate_id in report.due:
            try:
                erased.append(await erase_rows(session, None, candidate_id, reason="retention"))
                await session.commit()
            except (ConflictError, NotFoundError):  # erased (or gone) in the meantime
                await session.rollback()
        engine = session.bind
    assert isinstance(engine, AsyncEngine)  # noqa: S101 - sessions are bound to one engine
    done = await after_commit(engine, settings, erased)
    report.erased = done.erased
    report.files_removed = done.files_removed + replayed.files_removed
    return report


async def retention_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """The daily job (events.platform.jobs): today in Amsterdam."""
    return str(await run_retention(sessions, settings, now.astimezone(EVENT_TZ).date()))
