"""Schedule e-mails: each person's own schedule, to them or, when they have no address, to their coach.

Messages go through the outbox (events/platform/outbox.py): queueing is part of the caller's transaction and
names each message by a key, so sending "everyone" twice mails nobody twice, and after a re-publish
"only changed" mails exactly the people whose talks moved, appeared or went. The day before an
event, `reminder_job` queues a reminder for each candidate (or their coach).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from badges.calendars.services import calendar_data, person_ics
from badges.models import HolderKind, TokenPurpose
from badges.people import Holder, holders, live_tokens
from badges.schedules import EventSchedule, affected_by_last_publish, schedules
from events.platform import i18n, templating
from events.platform.errors import DomainError
from events.platform.models import EVENT_TZ, Event, EventStatus, OutboxMessage
from events.platform.outbox import Attachment, Outgoing, enqueue
from events.platform.settings import Settings

KINDS = ("programme", "update", "reminder")


@dataclass(frozen=True, slots=True)
class Planned:
    """One message as it would be sent: to whom, about whom, and why."""

    holder: Holder
    to_address: str
    to_name: str
    via_coach: bool
    subject: str
    dedupe_key: str


@dataclass(frozen=True, slots=True)
class MailPlan:
    kind: str
    version: int | None
    messages: tuple[Planned, ...]
    # People who would get nothing: no address of their own and no coach with one.
    unreachable: tuple[Holder, ...]


@dataclass(frozen=True, slots=True)
class MailResult:
    queued: int
    already: int
    unreachable: int


@cache
def _environments() -> tuple[Environment, Environment]:
    html = templating.environment()  # the mail's templates stand alone: the platform's globals are enough
    return html, html.overlay(autoescape=False)


def _subject(kind: str, event: Event, holder: Holder, via_coach: bool) -> str:
    if via_coach:
        return i18n.gettext("Programme of %(name)s for %(event)s", name=holder.first_name, event=event.name)
    if kind == "update":
        return i18n.gettext("Your programme for %(event)s has changed", event=event.name)
    if kind == "reminder":
        return i18n.gettext("Tomorrow: %(event)s", event=event.name)
    return i18n.gettext("Your programme for %(event)s", event=event.name)


def _recipients(holder: Holder) -> list[tuple[str, str, bool]]:
    """(address, name, via coach): the person, or else each of their coaches with an address."""
    if holder.email:
        return [(holder.email, holder.full_name, False)]
    return [(email, name, True) for name, email in holder.coaches if email]


async def plan(
    session: AsyncSession,
    event: Event,
    kind: str,
    *,
    only_changed: bool = False,
    people: Sequence[Holder] | None = None,
) -> MailPlan:
    """Who would get which message (nothing is queued): the dry run, and the first half of `queue`."""
    if kind not in KINDS:
        raise DomainError("bad_kind", f"choose one of {', '.join(KINDS)}", "kind")
    everyone = list(people) if people is not None else await holders(session, event)
    shown = await schedules(session, event, everyone)
    if shown.version is None:
        raise DomainError("not_published", i18n.gettext("There is no published programme to send yet."), "programme")
    chosen = await affected_by_last_publish(session, event, everyone) if only_changed else everyone
    if kind == "reminder":
        chosen = [h for h in chosen if h.kind is HolderKind.CANDIDATE]
    messages: list[Planned] = []
    unreachable: list[Holder] = []
    for holder in chosen:
        if holder.kind is HolderKind.STAFF:
            continue
        found = _recipients(holder)
        if not found:
            unreachable.append(holder)
        for address, name, via_coach in found:
            with i18n.language(holder.locale):
                subject = _subject(kind, event, holder, via_coach)
            key = f"{kind}:{event.id}:{holder.kind.value}:{holder.id}"
            if kind != "reminder":
                key += f":v{shown.version}"
            if via_coach:
                key += f":to:{address}"
            messages.append(Planned(holder, address, name, via_coach, subject, key))
    return MailPlan(kind, shown.version, tuple(messages), tuple(unreachable))


def render(
    settings: Settings, event: Event, shown: EventSchedule, planned: Planned, kind: str, badge_token: str
) -> tuple[str, str]:
    """The plain-text and HTML body of one message, in the holder's language."""
    html_env, text_env = _environments()
    person = shown.of(planned.holder)
    context: dict[str, Any] = {
        "event": event,
        "holder": planned.holder,
        "to_name": planned.to_name,
        "via_coach": planned.via_coach,
        "kind": kind,
        "is_employer": planned.holder.kind is HolderKind.EMPLOYER,
        "talks": person.by_round(),
        "rounds": [(n, event.round_start(n), event.round_end(n)) for n in range(1, event.rounds + 1)],
        "badge_url": f"{settings.base_url}/b/{badge_token}",
    }
    with i18n.language(planned.holder.locale):
        text = text_env.get_template("badges/mail/programme.txt").render(context)
        html = html_env.get_template("badges/mail/programme.html").render(context)
    return text, html


async def queue(
    session: AsyncSession,
    settings: Settings,
    event: Event,
    kind: str,
    *,
    only_changed: bool = False,
    people: Sequence[Holder] | None = None,
) -> MailResult:
    """Queue the planned messages in the caller's transaction; a message queued before is not queued again.

    A message is named by its kind, person, published version and (except reminders) badge version, so a
    re-issued badge can be mailed again. Messages queued before are found in one query and never rendered.
    """
    planned = await plan(session, event, kind, only_changed=only_changed, people=people)
    recipients = list({p.holder.key: p.holder for p in planned.messages}.values())
    tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, recipients)

    def key(message: Planned) -> str:
        if kind == "reminder":
            return message.dedupe_key
        return f"{message.dedupe_key}:b{tokens[message.holder.key][1].version}"

    keys = [key(m) for m in planned.messages]
    existing: set[str] = set()
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        existing.update(
            await session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk)))
        )
    todo = [m for m in planned.messages if key(m) not in existing]
    if todo:
        shown = await schedules(session, event, list({m.holder.key: m.holder for m in todo}.values()))
        calendars = await calendar_data(session, event)

        def bodies() -> list[tuple[str, str, bytes]]:
            return [
                (*render(settings, event, shown, m, kind, tokens[m.holder.key][0]), person_ics(calendars, m.holder))
                for m in todo
            ]

        # Rendering thousands of messages is CPU work: off the event loop.
        rendered = await asyncio.to_thread(bodies)
        for message, (text, html, calendar) in zip(todo, rendered, strict=True):
            await enqueue(
                session,
                Outgoing(
                    kind=kind,
                    dedupe_key=key(message),
                    to_address=message.to_address,
                    to_name=message.to_name,
                    subject=message.subject,
                    text_body=text,
                    html_body=html,
                    event_id=event.id,
                    candidate_participation_id=message.holder.id
                    if message.holder.kind is HolderKind.CANDIDATE
                    else None,
                    employer_contact_id=message.holder.id if message.holder.kind is HolderKind.EMPLOYER else None,
                    attachments=(Attachment(f"{event.slug}.ics", "text/calendar; method=PUBLISH", calendar),),
                ),
            )
    return MailResult(len(todo), len(planned.messages) - len(todo), len(planned.unreachable))


async def reminder_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """Queue the day-before reminder of every event that takes place tomorrow (Amsterdam time)."""
    tomorrow = now.astimezone(EVENT_TZ).date() + dt.timedelta(days=1)
    queued = 0
    async with sessions() as session:
        events = list(
            await session.scalars(
                select(Event).where(
                    Event.date == tomorrow, Event.archived_at.is_(None), Event.status != EventStatus.CLOSED
                )
            )
        )
        for event in events:
            try:
                result = await queue(session, settings, event, "reminder")
            except DomainError:  # nothing published: nothing to remind anyone of
                continue
            queued += result.queued
        await session.commit()
    return f"reminders: {queued} queued for {len(events)} event(s) tomorrow"
