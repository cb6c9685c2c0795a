"""Finding candidates among thousands: search by name, e-mail and phone, filters, sorting and pages, computed in the
database (a count and one page, never every row) within what the user reaches (CandidateService.visible_query).

- The text ``q`` is split into words; every word must be found (case-insensitively, anywhere) in the name or the
  e-mail address, or, for a word of digits, in the phone number. A ``q`` of digits with spaces, dashes, dots,
  slashes, brackets or a plus ("06-1234 5678") is a phone number: its digits are compared with the stored number's
  digits, whatever was typed between them (the stored number is normalised in SQL by replace(), which both
  databases have; a stored "+31 6 ..." is not the same digits as "06 ...", and is not matched by it).
- Case-insensitive through events.platform.db.folded: lower() on PostgreSQL, Python's str.lower on SQLite (whose
  own lower() leaves "Ç" and "Ü" alone). Accents are not folded: "Celik" does not find "Çelik".
- The filters only narrow within reach, and the events and programmes they name count only when the user reaches
  them: an id of another organisation's event finds nobody, exactly like an id that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from events.platform.db import folded
from events.platform.errors import DomainError
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Event,
    Organisation,
    ParticipationStatus,
    Programme,
    Role,
    User,
)
from events.platform.reach import event_reach, organisation_of, owned_events
from events.platform.services import CandidateService

PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_QUERY = 200
SORTS = ("name", "newest")
STATUSES = tuple(s.value for s in ParticipationStatus)
# The query parameters of a search, in the API and on the page alike.
SEARCH_PARAMETERS = ("q", "event", "programme", "coach", "organisation", "status", "sort", "page", "per_page")
# What may stand between the digits of a phone number as people type it.
PHONE_QUERY = re.compile(r"[0-9\s\-+().\/]+")
PHONE_SEPARATORS = (" ", "-", ".", "(", ")", "/", "+")


class InvalidParameterError(DomainError):
    """A search parameter that cannot be read: 400, naming the parameter."""

    status_code = 400

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__("invalid_parameter", f"{parameter}: {message}", parameter)


def whole(parameter: str, raw: str | None, *, default: int | None, maximum: int = 999_999_999) -> int | None:
    text = (raw or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= maximum:
        raise InvalidParameterError(parameter, f"expected a whole number from 1 to {maximum}, got {raw!r}")
    return int(text)


def _choice(parameter: str, raw: str | None, allowed: Sequence[str], default: str | None) -> str | None:
    text = (raw or "").strip()
    if not text:
        return default
    if text not in allowed:
        raise InvalidParameterError(parameter, f"expected one of {', '.join(allowed)}, got {raw!r}")
    return text


@dataclass(frozen=True)
class CandidateSearch:
    """What is asked: the text, the filters (ids), the sort order and the page."""

    q: str = ""
    event: int | None = None
    programme: int | None = None
    coach: int | None = None
    organisation: int | None = None
    status: ParticipationStatus | None = None
    sort: str = "name"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def parse(
        cls,
        *,
        q: str | None = None,
        event: str | None = None,
        programme: str | None = None,
        coach: str | None = None,
        organisation: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        page: str | None = None,
        per_page: str | None = None,
    ) -> CandidateSearch:
        """The search from a request's query parameters (empty means left out); InvalidParameterError names the
        first parameter that cannot be read."""
        text = " ".join((q or "").split())
        if len(text) > MAX_QUERY:
            raise InvalidParameterError("q", f"at most {MAX_QUERY} characters")
        if "\x00" in text:
            raise InvalidParameterError("q", "contains a NUL character")
        chosen_status = _choice("status", status, STATUSES, None)
        return cls(
            q=text,
            event=whole("event", event, default=None),
            programme=whole("programme", programme, default=None),
            coach=whole("coach", coach, default=None),
            organisation=whole("organisation", organisation, default=None),
            status=ParticipationStatus(chosen_status) if chosen_status else None,
            sort=_choice("sort", sort, SORTS, "name") or "name",
            page=whole("page", page, default=1) or 1,
            per_page=whole("per_page", per_page, default=PER_PAGE, maximum=MAX_PER_PAGE) or PER_PAGE,
        )

    def parameters(self, **changes: Any) -> dict[str, str]:
        """The query parameters that ask this search again (left-out ones omitted), with ``changes`` applied: for
        the links of the pages."""
        values: dict[str, Any] = {
            "q": self.q,
            "event": self.event,
            "programme": self.programme,
            "coach": self.coach,
            "organisation": self.organisation,
            "status": self.status.value if self.status else None,
            "sort": self.sort if self.sort != "name" else None,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != PER_PAGE else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.event or self.programme or self.coach or self.organisation or self.status)


@dataclass(frozen=True)
class CandidatePage:
    """One page of the candidates found (their coaches loaded), and how many were found in all."""

    items: Sequence[Candidate]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first candidate among all found (1-based; 0 when none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def phone_digits(column: Any) -> ColumnElement[str]:
    """The column with what people type between a phone number's digits taken out, in SQL."""
    expression: ColumnElement[Any] = column
    for separator in PHONE_SEPARATORS:
        expression = func.replace(expression, separator, "", type_=String())
    return expression


def _text_conditions(q: str) -> list[ColumnElement[bool]]:
    if not q:
        return []
    digits = re.sub(r"[^0-9]", "", q)
    if digits and PHONE_QUERY.fullmatch(q):
        return [phone_digits(Candidate.phone).like(_like(digits), escape="\\")]
    name = folded(Candidate.first_name + literal(" ") + Candidate.last_name)
    email = folded(Candidate.email)
    conditions = []
    for word in q.split():
        pattern = _like(word.lower())
        either = [name.like(pattern, escape="\\"), email.like(pattern, escape="\\")]
        word_digits = re.sub(r"[^0-9]", "", word)
        if word_digits and PHONE_QUERY.fullmatch(word):  # "Kees 0612": a name and part of a number
            either.append(phone_digits(Candidate.phone).like(_like(word_digits), escape="\\"))
        conditions.append(or_(*either))
    return conditions


def _reached_events(user: CurrentUser) -> Select[tuple[int]]:
    return select(Event.id).where(event_reach(user))


def conditions(user: CurrentUser, search: CandidateSearch) -> list[ColumnElement[bool]]:
    """The search's conditions on Candidate (to add to the visible query)."""
    found = _text_conditions(search.q)
    if search.event is not None or search.programme is not None or search.status is not None:
        taking_part: list[ColumnElement[bool]] = [CandidateParticipation.event_id.in_(_reached_events(user))]
        if search.event is not None:
            taking_part.append(CandidateParticipation.event_id == search.event)
        if search.programme is not None:
            taking_part.append(
                CandidateParticipation.event_id.in_(select(Event.id).where(Event.programme_id == search.programme))
            )
        if search.status is not None:
            taking_part.append(CandidateParticipation.status == search.status)
        found.append(Candidate.id.in_(select(CandidateParticipation.candidate_id).where(and_(*taking_part))))
    if search.coach is not None:
        found.append(
            Candidate.id.in_(select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == search.coach))
        )
    if search.organisation is not None:
        coaches = select(User.id).where(User.organisation_id == search.organisation)
        found.append(Candidate.id.in_(select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id.in_(coaches))))
    return found


def _order(found: Any, sort: str) -> list[Any]:
    if sort == "newest":
        return [found.created_at.desc(), found.id.desc()]
    return [folded(found.first_name), folded(found.last_name), found.id]


def _found(user: CurrentUser, query: Select[tuple[Candidate]]) -> Any:
    """What ``query`` finds, as an entity to count, sort and page.

    An organiser's reach is the candidates their organisation owns and those taking part in its events
    (events.platform.reach). Asked as one condition, PostgreSQL reads the whole candidate table and tests every
    row's name against the words (its estimate of a LIKE '%...%' is far too low): 300 ms at 100,000 candidates.
    Split into those two parts (disjoint, so UNION ALL), each is read through its index (the candidate's
    organisation; the event's participations), whatever the words: bench/bench_candidate_search.py.
    """
    if user.everywhere or user.role is not Role.ORGANISER:
        return Candidate, query
    organisation = organisation_of(user)
    owned = query.where(Candidate.organisation_id == organisation)
    taking_part = query.where(
        Candidate.organisation_id != organisation,
        Candidate.id.in_(
            select(CandidateParticipation.candidate_id).where(
                CandidateParticipation.event_id.in_(owned_events(organisation))
            )
        ),
    )
    both = union_all(owned, taking_part).subquery("found")
    found = aliased(Candidate, both)
    return found, select(found)


async def search_candidates(session: AsyncSession, user: CurrentUser, search: CandidateSearch) -> CandidatePage:
    """The candidates the user reaches that match the search: how many, and the asked page of them."""
    found, query = _found(user, CandidateService(session, user).visible_query().where(*conditions(user, search)))
    total = int(await session.scalar(query.with_only_columns(func.count(found.id)).order_by(None)) or 0)
    items: Sequence[Candidate] = []
    offset = (search.page - 1) * search.per_page
    if offset < total:
        page_query = (
            query.order_by(*_order(found, search.sort))
            .limit(search.per_page)
            .offset(offset)
            .options(selectinload(found.coaches))
        )
        items = (await session.scalars(page_query)).all()
    return CandidatePage(items=items, total=total, page=search.page, per_page=search.per_page)


@dataclass(frozen=True)
class Option:
    id: int
    name: str


@dataclass(frozen=True)
class SearchChoices:
    """What the filters offer: only events, programmes, coaches and organisations within the user's reach."""

    events: list[Option] = field(default_factory=list)
    programmes: list[Option] = field(default_factory=list)
    coaches: list[Option] = field(default_factory=list)
    organisations: list[Option] = field(default_factory=list)


async def search_choices(session: AsyncSession, user: CurrentUser) -> SearchChoices:
    """The events the user reaches, their programmes (and an organiser's own), the coaches of the candidates the
    user reaches and those coaches' organisations."""
    events = (
        await session.execute(
            select(Event.id, Event.name, Event.date).where(event_reach(user)).order_by(Event.date.desc(), Event.id)
        )
    ).tuples()
    programme_ids = select(Event.programme_id).where(event_reach(user), Event.programme_id.is_not(None))
    reached_programmes: ColumnElement[bool] = Programme.id.in_(programme_ids)
    if user.everywhere:
        reached_programmes = true()
    elif user.is_organiser:
        reached_programmes = or_(reached_programmes, Programme.organisation_id == organisation_of(user))
    programmes = (
        await session.execute(select(Programme.id, Programme.name).where(reached_programmes).order_by(Programme.name))
    ).tuples()
    visible = CandidateService(session, user).visible_query().with_only_columns(Candidate.id)
    coach_ids = select(CandidateCoach.coach_id).where(CandidateCoach.candidate_id.in_(visible))
    coaches = (
        await session.execute(
            select(User.id, User.name, User.organisation_id).where(User.id.in_(coach_ids)).order_by(User.name, User.id)
        )
    ).tuples()
    coach_rows = list(coaches)
    organisation_ids = {o for _, _, o in coach_rows if o is not None}
    organisations = (
        await session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(organisation_ids))
            .order_by(Organisation.name)
        )
    ).tuples()
    return SearchChoices(
        events=[Option(i, f"{name} ({date:%d-%m-%Y})") for i, name, date in events],
        programmes=[Option(i, name) for i, name in programmes],
        coaches=[Option(i, name) for i, name, _ in coach_rows],
        organisations=[Option(i, name) for i, name in organisations],
    )
