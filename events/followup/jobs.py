"""Follow-up e-mail to coaches: a reminder when checks fall due at 1, 3 or 6 months after an event, and the
weekly digest for coaches who asked for it. Both name no candidate (e-mail is not the place for that): they
say how much is waiting and link to the follow-up page. Each is queued under a key, so it goes out once
however often, and from however many processes, the job runs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.followup.follow_up import due_checks
from events.followup.placements import due_placement_checks
from events.followup.services import open_proposals
from events.platform import i18n, outbox
from events.platform.models import EVENT_TZ, Role, User
from events.platform.services import to_current_user
from events.platform.settings import Settings


async def _coaches(session: AsyncSession) -> list[User]:
    return list(
        await session.scalars(select(User).where(User.role == Role.COACH, User.is_active.is_(True)).order_by(User.id))
    )


async def _to_coach(session: AsyncSession, coach: User, kind: str, key: str, subject: str, body: str) -> int:
    """Queue one message to a coach under ``key``; 1 when queued now, 0 when it was queued before."""
    message = outbox.Outgoing(
        kind=kind, dedupe_key=key, to_address=coach.email, to_name=coach.name, subject=subject, text_body=body
    )
    return int(await outbox.enqueue(session, message))


async def follow_up_reminder_job(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime
) -> str:
    """Tell each coach once per event and milestone that follow-up checks are due."""
    today = now.astimezone(EVENT_TZ).date()
    queued = 0
    async with sessions() as session:
        for coach in await _coaches(session):
            due = Counter(
                (c.event_id, c.event_name, c.months) for c in await due_checks(session, to_current_user(coach), today)
            )
            for (event_id, event_name, months), count in sorted(due.items()):
                with i18n.language(coach.locale or "nl"):
                    subject = i18n.gettext(
                        "Follow-up: %(months)s months after %(event)s", months=months, event=event_name
                    )
                    body = i18n.ngettext(
                        "Dear %(coach)s,\n\n%(event)s was %(months)s months ago. For one of your candidates "
                        "the check is due: is everything still as you logged it?\n\n%(link)s\n\nmeetmatch",
                        "Dear %(coach)s,\n\n%(event)s was %(months)s months ago. For %(num)s of your candidates "
                        "the check is due: is everything still as you logged it?\n\n%(link)s\n\nmeetmatch",
                        count,
                        coach=coach.name,
                        event=event_name,
                        months=months,
                        link=f"{settings.base_url}/follow-up#checks",
                    )
                key = f"follow-up:{event_id}:{months}:to:{coach.id}"
                queued += await _to_coach(session, coach, "follow_up_reminder", key, subject, body)
        await session.commit()
    return f"follow-up reminders: {queued} queued"


async def digest_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """Each week, for the coaches who asked for it: what is waiting (only when something is)."""
    today = now.astimezone(EVENT_TZ).date()
    year, week, _ = today.isocalendar()
    queued = 0
    async with sessions() as session:
        for coach in await _coaches(session):
            if not coach.weekly_digest:
                continue
            user = to_current_user(coach)
            checks = len(await due_checks(session, user, today)) + len(await due_placement_checks(session, user, today))
            proposals = len(await open_proposals(session, user))
            if not checks and not proposals:
                continue
            with i18n.language(coach.locale or "nl"):
                subject = i18n.gettext("meetmatch this week: what is waiting for you")
                lines = []
                if checks:
                    lines.append(
                        i18n.ngettext("%(num)s follow-up check is due", "%(num)s follow-up checks are due", checks)
                    )
                if proposals:
                    lines.append(
                        i18n.ngettext(
                            "%(num)s result reported by an employer to confirm",
                            "%(num)s results reported by employers to confirm",
                            proposals,
                        )
                    )
                body = i18n.gettext(
                    "Dear %(coach)s,\n\n%(lines)s\n\n%(link)s\n\nYou get this e-mail because you asked for it. "
                    "Turn it off on the follow-up page.\n\nmeetmatch",
                    coach=coach.name,
                    lines="\n".join(f"- {line}" for line in lines),
                    link=f"{settings.base_url}/follow-up",
                )
            key = f"digest:{coach.id}:{year}-W{week:02d}"
            queued += await _to_coach(session, coach, "weekly_digest", key, subject, body)
        await session.commit()
    return f"weekly digests: {queued} queued"
