"""The JSON API of an event: the events themselves, their candidates' sign-ups and both sides' wishes.

The employers' API: events.registration.employer_api; candidates and coaches: events.registration.candidate_api;
spreadsheet imports: events.registration.import_api.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.auth import CurrentUser, in_an_organisation, requires
from events.platform.models import Event, PreferenceSide, Role
from events.platform.services import EventService
from events.platform.web import EVENT_WEB, WEB, EventWeb, Web
from events.registration import preferences as prefs
from events.registration.candidate_search import MAX_PER_PAGE, PER_PAGE, whole
from events.registration.candidates import sign_up, update_participation
from events.registration.employers import add_employer
from events.registration.inputs import EmployerInput, EventInput, ParticipationInput, SignUpStatus
from events.registration.schemas import EmployerRow, EventDetail, EventRow
from events.registration.schemas import ParticipationRow as EventParticipationRow
from events.registration.services import copy_event, create_event, set_archived, update_event

organisers = requires(Role.ORGANISER)
organisers_and_coaches = requires(Role.ORGANISER, Role.COACH)


class EventCandidateList(msgspec.Struct):
    """One page of an event's candidates, and how many there are in all."""

    items: list[EventParticipationRow]
    total: int
    page: int
    per_page: int


class CopyRequest(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")] | None = None


class ArchiveRequest(msgspec.Struct, forbid_unknown_fields=True):
    archived: bool = True


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    candidate_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    rounds: list[int] | None = None
    min_meetings: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None
    max_meetings: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None
    status: SignUpStatus = SignUpStatus.REGISTERED
    needs_interpreter: bool = False
    interpreter_language: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    accessibility: Annotated[str, msgspec.Meta(max_length=4000)] = ""

    def participation(self) -> ParticipationInput:
        fields = msgspec.structs.asdict(self)
        fields.pop("candidate_id")
        return msgspec.convert(fields, ParticipationInput)


class ParticipationRow(msgspec.Struct):
    id: int
    candidate_id: int
    status: str
    rounds: list[int] | None
    min_meetings: int | None
    max_meetings: int | None
    needs_interpreter: bool
    interpreter_language: str | None
    accessibility: str


class PreferenceSet(msgspec.Struct, forbid_unknown_fields=True):
    participation_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    employer_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    level: Annotated[int, msgspec.Meta(ge=0, le=3)] | None
    side: PreferenceSide | None = None


class PreferenceRow(msgspec.Struct):
    participation_id: int
    employer_id: int
    side: str
    level: int | None


class GridCell(msgspec.Struct):
    participation_id: int
    employer_id: int
    candidate_level: int | None
    employer_level: int | None
    weight: int | None


class GridRow(msgspec.Struct):
    participation_id: int
    name: str


class GridEmployer(msgspec.Struct):
    id: int
    name: str


class PreferenceGrid(msgspec.Struct):
    employers: list[GridEmployer]
    candidates: list[GridRow]
    cells: list[GridCell]
    pairs: int
    vetoes: int
    candidates_without_wishes: list[int]
    employers_without_interest: list[int]


class CapacityRow(msgspec.Struct):
    candidates: int
    demanded: int
    offered: int
    seats_per_round: int
    short: int
    enough: bool
    extra_rounds: int
    extra_tables: int
    group_seats_would_fix: bool


def participation_row(p: Any) -> ParticipationRow:
    return ParticipationRow(
        p.id,
        p.candidate_id,
        p.status.value,
        p.rounds,
        p.min_meetings,
        p.max_meetings,
        p.needs_interpreter,
        p.interpreter_language,
        p.accessibility,
    )


async def _detail(db_session: AsyncSession, current_user: CurrentUser, event: Event) -> EventDetail:
    """The event with its round times and figures, as it is now."""
    return EventDetail.of(event, (await EventService(db_session, current_user).figures([event])).get(event.id))


class EventAdminApi(Controller):
    path = "/api/events"
    tags = ["events"]
    guards = [in_an_organisation]
    dependencies = EVENT_WEB

    @get("/", name="api:events", dependencies=WEB)
    async def list_events(self, web: NamedDependency[Web]) -> list[EventRow]:
        """The events you may see."""
        service = EventService(web.db, web.user)
        events = await service.list()
        figures = await service.figures(events)
        return [EventRow.of(e, figures.get(e.id)) for e in events]

    @get("/{event_ref:str}", name="api:event")
    async def get_event(self, web: NamedDependency[EventWeb]) -> EventDetail:
        """One event with its round times."""
        return await _detail(web.db, web.user, web.event)

    @get(
        "/{event_ref:str}/employers",
        name="api:event_employers",
        guards=[requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)],
    )
    async def list_employers(self, web: NamedDependency[EventWeb]) -> list[EmployerRow]:
        """The event's employers with their openings (an employer sees only its own)."""
        return [EmployerRow.of(p) for p in await EventService(web.db, web.user).employers(web.event)]

    @get(
        "/{event_ref:str}/candidates",
        name="api:event_candidates",
        guards=[requires(Role.ORGANISER, Role.COACH)],
    )
    async def list_candidates(
        self,
        web: NamedDependency[EventWeb],
        page: Annotated[str | None, QueryParameter(required=False, description="The page, from 1")] = None,
        per_page: Annotated[
            str | None,
            QueryParameter(required=False, description=f"Candidates a page, 1 to {MAX_PER_PAGE} (default {PER_PAGE})"),
        ] = None,
    ) -> EventCandidateList:
        """The event's candidates (a coach sees only their own), by name, a page at a time: `{"items", "total",
        "page", "per_page"}` as `GET /api/candidates`; a parameter that cannot be read is a 400 naming it."""
        number = whole("page", page, default=1) or 1
        size = whole("per_page", per_page, default=PER_PAGE, maximum=MAX_PER_PAGE) or PER_PAGE
        service = EventService(web.db, web.user)
        rows = await service.candidates(web.event, page=number, per_page=size)
        total = await service.count_candidates(web.event)
        return EventCandidateList([EventParticipationRow.of(p) for p in rows], total, number, size)

    @post("/", name="api:event_create", guards=[organisers], status_code=HTTP_201_CREATED, dependencies=WEB)
    async def create(self, web: NamedDependency[Web], data: JSONBody[EventInput]) -> EventDetail:
        """Create an event (in draft)."""
        event = await create_event(web.db, web.user, data)
        return EventDetail.of(event, None)

    @put("/{event_ref:str}", name="api:event_update", guards=[organisers])
    async def update(self, web: NamedDependency[EventWeb], data: JSONBody[EventInput]) -> EventDetail:
        """Change an event's settings."""
        event = await update_event(web.db, web.user, web.event, data)
        return await _detail(web.db, web.user, event)

    @post("/{event_ref:str}/copy", name="api:event_copy", guards=[organisers], status_code=HTTP_201_CREATED)
    async def copy(self, web: NamedDependency[EventWeb], data: JSONBody[CopyRequest]) -> EventDetail:
        """A new draft event with the same settings and employers, on another date."""
        copy = await copy_event(web.db, web.user, web.event, data.date, data.name)
        return await _detail(web.db, web.user, copy)

    @post("/{event_ref:str}/archive", name="api:event_archive", guards=[organisers], status_code=HTTP_200_OK)
    async def archive(self, web: NamedDependency[EventWeb], data: JSONBody[ArchiveRequest]) -> EventDetail:
        """Archive an event (or bring it back)."""
        event = await set_archived(web.db, web.user, web.event, data.archived)
        return EventDetail.of(event, None)

    @get("/{event_ref:str}/capacity", name="api:event_capacity", guards=[organisers])
    async def capacity(self, web: NamedDependency[EventWeb]) -> CapacityRow:
        """Talks demanded against seats offered."""
        c = await prefs.capacity(web.db, web.user, web.event)
        return CapacityRow(
            c.candidates,
            c.demanded,
            c.offered,
            c.seats_per_round,
            c.short,
            c.enough,
            c.extra_rounds,
            c.extra_tables,
            c.group_seats_would_fix,
        )

    @get("/{event_ref:str}/preferences", name="api:event_preferences", guards=[organisers])
    async def grid(self, web: NamedDependency[EventWeb]) -> PreferenceGrid:
        """Both sides' levels for every candidate-employer pair, and the scheduler's weight."""
        grid = await prefs.preference_grid(web.db, web.user, web.event)
        return PreferenceGrid(
            employers=[GridEmployer(e.id, e.organisation.name) for e in grid.employers],
            candidates=[GridRow(p.id, p.candidate.full_name) for p in grid.participations],
            cells=[
                GridCell(pid, eid, c.candidate_level, c.employer_level, c.weight)
                for (pid, eid), c in grid.cells.items()
                if c.candidate_level is not None or c.employer_level is not None or c.weight is not None
            ],
            pairs=grid.pairs,
            vetoes=grid.vetoes,
            candidates_without_wishes=[p.id for p in grid.candidates_without_wishes],
            employers_without_interest=[e.id for e in grid.employers_without_interest],
        )

    @put(
        "/{event_ref:str}/preferences",
        name="api:preference_set",
        guards=[requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)],
    )
    async def set_preference(self, web: NamedDependency[EventWeb], data: JSONBody[PreferenceSet]) -> PreferenceRow:
        """Set one side's level for a pair (a coach for their candidate, an employer for itself)."""
        pref = await prefs.set_preference(
            web.db, web.user, web.event, data.participation_id, data.employer_id, data.level, data.side
        )
        side = pref.side.value if pref else (data.side.value if data.side else web.user.role.value)
        return PreferenceRow(data.participation_id, data.employer_id, side, pref.level if pref else None)

    @post(
        "/{event_ref:str}/participations",
        name="api:participation_create",
        guards=[organisers_and_coaches],
        status_code=HTTP_201_CREATED,
    )
    async def sign_up(self, web: NamedDependency[EventWeb], data: JSONBody[SignUp]) -> ParticipationRow:
        """Sign a candidate up for the event."""
        participation = await sign_up(web.db, web.user, web.event, data.candidate_id, data.participation())
        return participation_row(participation)

    @put(
        "/{event_ref:str}/participations/{participation_id:int}",
        name="api:participation_update",
        guards=[organisers_and_coaches],
    )
    async def update_participation(
        self, web: NamedDependency[EventWeb], participation_id: FromPath[int], data: JSONBody[ParticipationInput]
    ) -> ParticipationRow:
        """Change a sign-up: rounds present, talk limits, needs, status."""
        return participation_row(await update_participation(web.db, web.user, web.event, participation_id, data))

    @post("/{event_ref:str}/employers", name="api:employer_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def create_employer(self, web: NamedDependency[EventWeb], data: JSONBody[EmployerInput]) -> EmployerRow:
        """Add an employer (an existing organisation by name, or a new one)."""
        return EmployerRow.of(await add_employer(web.db, web.user, web.event, data))
