"""What to print, read from the database: the selection of people or tables, checked against who asks,
turned into the plain pages of badges/printing/sheets.py.

Organisers print anything of any event; a coach prints handouts of their own candidates only (anyone
else is "not found", exactly like someone who does not exist). The people come from badges.people and their
talks from badges.schedules, so paper, phone and calendar show the same schedule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges import people as roster
from badges.models import HolderKind, TokenPurpose
from badges.people import Holder, HolderKey
from badges.printing.sheets import (
    LAYOUT_NAMES,
    LAYOUTS,
    ROLE_LABELS,
    WHAT,
    EventInfo,
    Page,
    Person,
    Round,
    TableInfo,
    attendance_pages,
    badge_pages,
    handout,
    table_card,
    table_sheet,
)
from badges.schedules import (
    EventSchedule,
    PersonSchedule,
    affected_by_last_publish,
    published_meetings,
    schedules,
    talk_names,
)
from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.labels import format_date, format_time, guest_kind_label
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    Role,
)
from events.platform.reach import coached_by
from events.platform.settings import Settings

KIND_NAMES = {k.value: k for k in HolderKind}
DEFAULT_KINDS = (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.GUEST)


@dataclass(frozen=True, slots=True)
class Selection:
    """What to print and for whom: every holder of `kinds`, or only `holders` (kind and id), or only the
    people (or, for table outputs, the employers) that the newest publish changed."""

    what: str = "badges"
    layout: str = "a4-8"
    kinds: tuple[HolderKind, ...] = DEFAULT_KINDS
    holders: tuple[HolderKey, ...] | None = None
    only_changed: bool = False
    language: str = "nl"

    def check(self) -> Selection:
        if self.what not in WHAT:
            raise DomainError("invalid_what", f"choose one of {', '.join(WHAT)}", "what")
        if self.layout not in LAYOUT_NAMES:
            raise DomainError("invalid_layout", f"choose one of {', '.join(LAYOUT_NAMES)}", "layout")
        if not self.kinds:
            raise DomainError("invalid_kind", "choose at least one kind of person", "kind")
        return self

    def as_json(self) -> dict[str, object]:
        return {
            "what": self.what,
            "layout": self.layout,
            "kinds": [k.value for k in self.kinds],
            "holders": [f"{k.value}:{i}" for k, i in self.holders] if self.holders is not None else None,
            "only_changed": self.only_changed,
            "language": self.language,
        }


def parse_holder(text: str) -> HolderKey:
    """`candidate:12`, `employer:3`, `staff:7` or `guest:4` (participation, contact, user or guest id)."""
    kind, _, number = text.strip().partition(":")
    if kind not in KIND_NAMES or not (number.isascii() and number.isdigit()) or not 0 < len(number) <= 9:
        raise DomainError("invalid_holder", f"{text!r} is not a person (write kind:id, e.g. candidate:12)", "holder")
    return KIND_NAMES[kind], int(number)


@dataclass
class PrintWork:
    """Everything a render needs, as plain values (sent to worker processes as they are)."""

    title: str
    language: str
    pages: list[Page]
    count: int  # badges, cards, sheets or handouts
    people: list[HolderKey] = field(default_factory=list)
    # The candidates (participation ids) whose names the pages show: erasing one removes this print only.
    candidates: frozenset[int] = frozenset()


def event_info(event: Event) -> EventInfo:
    starts = format_time(event.round_start(1))
    return EventInfo(
        event.name,
        format_date(event.date),
        event.venue,
        event.address,
        starts,
        # A plenary gathering has no rounds: it is known when it starts, not when its last round ends.
        format_time(event.round_end(event.rounds)) if event.rounds else starts,
    )


def person_of(holder: Holder, schedule: PersonSchedule, token: str, number: int, base_url: str) -> Person:
    rounds = []
    for number_, talks in sorted(schedule.by_round().items()):
        first = talks[0]
        seats = tuple(
            (t.table, t.candidate if holder.kind is HolderKind.EMPLOYER else t.employer)
            for t in sorted(talks, key=lambda t: (t.table, t.candidate))
        )
        rounds.append(Round(number_, format_time(first.starts), format_time(first.ends), seats))
    organisation = holder.organisation
    role = ""
    if holder.kind is HolderKind.GUEST:
        # A guest's badge says what they are (partner, official, press) and, below the name, their function.
        role = guest_kind_label(holder.guest_kind)
        organisation = " · ".join(part for part in (holder.function, holder.organisation or "") if part) or None
    return Person(
        holder.kind,
        holder.id,
        number,
        holder.first_name,
        holder.full_name,
        organisation,
        f"{base_url}/b/{token}",
        tuple(rounds),
        role,
    )


async def coach_participations(session: AsyncSession, user: CurrentUser, event: Event) -> set[int]:
    """The participations at `event` of the coach's own candidates."""
    mine = coached_by(user.id)
    rows = await session.scalars(
        select(CandidateParticipation.id).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.candidate_id.in_(mine)
        )
    )
    return set(rows.all())


async def select_holders(session: AsyncSession, user: CurrentUser, event: Event, selection: Selection) -> list[Holder]:
    """The people the selection names that this user may print for; a coach reaches own candidates only,
    and a named person out of reach is not found."""
    kinds = selection.kinds
    if user.role is Role.COACH:
        if selection.what != "handouts" or set(kinds) - {HolderKind.CANDIDATE}:
            raise NotFoundError("print")
        allowed = await coach_participations(session, user, event)
    elif user.role is Role.ORGANISER:
        allowed = None
    else:
        raise NotFoundError("print")
    wanted = selection.holders
    if wanted is not None:
        kinds = tuple(k for k in kinds if any(k is w for w, _ in wanted))
    found: list[Holder] = []
    for kind in kinds:
        only: set[int] | None = {i for k, i in wanted if k is kind} if wanted is not None else None
        if allowed is not None and kind is HolderKind.CANDIDATE:
            only = allowed if only is None else only & allowed
        found += await roster.holders(session, event, (kind,), only=only)
    if wanted is not None and {h.key for h in found} != set(wanted):
        raise NotFoundError("person")
    if selection.only_changed:
        found = await affected_by_last_publish(session, event, found)
    return found


async def tables(session: AsyncSession, settings: Settings, event: Event, only_changed: bool) -> list[TableInfo]:
    """Every table of every employer taking part: its rounds with the candidates at it, and the address its
    card's QR opens (the badge page of the employer's first contact, which lists its tables' rounds)."""
    rows = (
        await session.execute(
            select(
                EmployerParticipation.id, Organisation.name, EmployerParticipation.tables, EmployerParticipation.rounds
            )
            .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
            .where(EmployerParticipation.taking_part(event.id))
            .order_by(Organisation.name, EmployerParticipation.id)
        )
    ).all()
    contacts = await roster.holders(session, event, (HolderKind.EMPLOYER,))
    if only_changed:
        changed = {h.employer_id for h in await affected_by_last_publish(session, event, contacts)}
        rows = [r for r in rows if r[0] in changed]
    first_contact: dict[int, Holder] = {}
    for each in sorted(contacts, key=lambda h: h.id):
        if each.employer_id is not None:
            first_contact.setdefault(each.employer_id, each)
    tokens = await roster.live_tokens(session, settings, event, TokenPurpose.BADGE, list(first_contact.values()))
    _, meetings = await published_meetings(session, event)
    candidates, _ = await talk_names(session, event)
    seated: dict[tuple[int, int, int], list[str]] = defaultdict(list)
    for m in meetings:
        seated[(m.employer_participation_id, m.table, m.round)].append(
            candidates.get(m.candidate_participation_id, "-")
        )
    found = []
    for employer_id, name, count, present in rows:
        contact = first_contact.get(employer_id)
        url = f"{settings.base_url}/b/{tokens[contact.key][0]}" if contact else None
        for table in range(1, count + 1):
            found.append(
                TableInfo(
                    employer_id,
                    name,
                    table,
                    count,
                    tuple(
                        (
                            n,
                            format_time(event.round_start(n)),
                            format_time(event.round_end(n)),
                            tuple(sorted(seated.get((employer_id, table, n), []), key=str.casefold))
                            if present is None or n in present
                            else None,
                        )
                        for n in range(1, event.rounds + 1)
                    ),
                    url,
                )
            )
    return found


async def attendance_rows(
    session: AsyncSession, settings: Settings, event: Event, selection: Selection
) -> tuple[list[tuple[str, str, str, str]], frozenset[int]]:
    """(badge number, short name, role, first talk) of everyone of the selection's kinds, by name; and the
    candidates (participation ids) among them."""
    people = await roster.holders(session, event, selection.kinds, with_short_names=True)
    schedule = await schedules(session, event, people)
    tokens = await roster.live_tokens(session, settings, event, TokenPurpose.BADGE, people)
    rows = []
    for holder in people:
        talks = schedule.of(holder).talks
        first = min((t.round for t in talks), default=None)
        rows.append(
            (
                str(tokens[holder.key][1].number),
                holder.short_name,
                guest_kind_label(holder.guest_kind) if holder.guest_kind else i18n.gettext(ROLE_LABELS[holder.kind]),
                format_time(event.round_start(first)) if first else "—",
            )
        )
    return rows, frozenset(h.id for h in people if h.kind is HolderKind.CANDIDATE)


async def prepare(
    session: AsyncSession, settings: Settings, user: CurrentUser, event: Event, selection: Selection
) -> PrintWork:
    """The pages to print for `selection`, as `user` may print them (tokens are made for whoever has none
    yet; the caller commits)."""
    selection.check()
    with i18n.language(selection.language):
        info = event_info(event)
        if selection.what in ("table-cards", "table-sheets"):
            if user.role is not Role.ORGANISER:
                raise NotFoundError("print")
            found = await tables(session, settings, event, selection.only_changed)
            make = table_card if selection.what == "table-cards" else table_sheet
            title = i18n.gettext("Table cards") if selection.what == "table-cards" else i18n.gettext("Table sheets")
            printed = {t.employer_id for t in found}
            _, meetings = await published_meetings(session, event)
            seated = frozenset(m.candidate_participation_id for m in meetings if m.employer_participation_id in printed)
            pages = [make(t, info) for t in found]
            return PrintWork(f"{title} · {event.name}", selection.language, pages, len(found), candidates=seated)
        if selection.what == "attendance":
            if user.role is not Role.ORGANISER:
                raise NotFoundError("print")
            rows, listed = await attendance_rows(session, settings, event, selection)
            title = i18n.gettext("Attendance list")
            pages = attendance_pages(rows, info)
            return PrintWork(f"{title} · {event.name}", selection.language, pages, len(rows), candidates=listed)
        holders = await select_holders(session, user, event, selection)
        schedule: EventSchedule = await schedules(session, event, holders)
        tokens = await roster.live_tokens(session, settings, event, TokenPurpose.BADGE, holders)
        persons = [
            person_of(h, schedule.of(h), tokens[h.key][0], tokens[h.key][1].number, settings.base_url) for h in holders
        ]
        keys = [h.key for h in holders]
        # The candidates themselves, and those an employer contact's rounds name.
        shown = frozenset(h.id for h in holders if h.kind is HolderKind.CANDIDATE) | frozenset(
            t.candidate_id for h in holders if h.kind is HolderKind.EMPLOYER for t in schedule.of(h).talks
        )
        if selection.what == "handouts":
            title = i18n.gettext("Programmes")
            pages = [handout(p, info) for p in persons]
            return PrintWork(f"{title} · {event.name}", selection.language, pages, len(persons), keys, shown)
        pages = list(badge_pages(persons, info, LAYOUTS[selection.layout]))
        title = i18n.gettext("Badges")
        return PrintWork(f"{title} · {event.name}", selection.language, pages, len(persons), keys, shown)


def describe(work: PrintWork, selection: Selection) -> str:
    """One line for the CLI: what was printed."""
    nouns = {
        "badges": "badges",
        "table-cards": "table cards",
        "table-sheets": "table sheets",
        "handouts": "handouts",
        "attendance": "people on the attendance list",
    }
    return f"{work.count} {nouns[selection.what]} on {len(work.pages)} pages"
