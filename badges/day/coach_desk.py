"""The coach desk on the day: each coach's own candidates, arrived, late or absent; and a same-day e-mail to
the coach when a candidate of theirs has not arrived by their first talk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from badges.day import services as day
from badges.models import HolderKind
from events.platform import i18n, outbox
from events.platform.identity import CurrentUser
from events.platform.labels import format_time
from events.platform.models import EVENT_TZ, Event, EventStatus, Role, User
from events.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class DeskRow:
    person: day.PersonState
    coaches: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Desk:
    picture: day.DayPicture
    # (coach name, their candidates' rows), coaches by name; an organiser sees every coach.
    groups: list[tuple[str, list[DeskRow]]]

    @property
    def late(self) -> list[DeskRow]:
        return [row for _, rows in self.groups for row in rows if row.person.state == "late"]


async def desk(session: AsyncSession, user: CurrentUser, event: Event, now: dt.datetime | None = None) -> Desk:
    seen = await day.picture(session, event, now)
    coaches = await day.coach_ids(session, event)
    names = dict((await session.execute(select(User.id, User.name).where(User.role == Role.COACH))).tuples().all())
    by_coach: dict[int, list[DeskRow]] = {}
    for person in seen.people:
        if person.holder.kind is not HolderKind.CANDIDATE:
            continue
        coach_ids = coaches.get(person.holder.id, [])
        row = DeskRow(person, tuple(names.get(c, "") for c in coach_ids))
        for coach_id in coach_ids:
            if user.role is Role.ORGANISER or coach_id == user.id:
                by_coach.setdefault(coach_id, []).append(row)
    groups = sorted(((names.get(c, ""), rows) for c, rows in by_coach.items()), key=lambda g: g[0].lower())
    return Desk(seen, groups)


async def arrival_alerts_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """For today's events: e-mail each coach whose candidate has not arrived although their first talk has begun
    (once per candidate and coach)."""
    today = now.astimezone(EVENT_TZ).date()
    queued = 0
    async with sessions() as session:
        events = list(
            await session.scalars(
                select(Event).where(
                    Event.date == today,
                    Event.status.in_([EventStatus.PUBLISHED, EventStatus.LIVE]),
                    Event.archived_at.is_(None),
                )
            )
        )
        for event in events:
            seen = await day.picture(session, event, now)
            late = [p for p in seen.late_candidates if p.first_round is not None]
            addresses = {address for p in late for _, address in p.holder.coaches}
            locales = dict(
                (await session.execute(select(User.email, User.locale).where(User.email.in_(addresses)))).tuples().all()
            )
            for person in late:
                for coach_name, address in person.holder.coaches:
                    with i18n.language(locales.get(address) or "nl"):
                        subject = i18n.gettext(
                            "%(name)s has not arrived at %(event)s", name=person.holder.first_name, event=event.name
                        )
                        text = i18n.gettext(
                            "Dear %(coach)s,\n\n%(name)s has not checked in at %(event)s, although their first talk "
                            "began at %(time)s. Could you give them a call?\n\nIf they cannot come, the organiser can "
                            "give their seats to others.\n\nmeetmatch",
                            coach=coach_name,
                            name=person.holder.full_name,
                            event=event.name,
                            time=format_time(person.expected_at),
                        )
                    added = await outbox.enqueue(
                        session,
                        outbox.Outgoing(
                            kind="arrival_alert",
                            dedupe_key=f"arrival:{event.id}:candidate:{person.holder.id}:to:{address.lower()}",
                            to_address=address,
                            to_name=coach_name,
                            subject=subject,
                            text_body=text,
                            event_id=event.id,
                            candidate_participation_id=person.holder.id,
                        ),
                    )
                    queued += int(added)
        await session.commit()
    return f"arrival alerts: {queued} queued"
