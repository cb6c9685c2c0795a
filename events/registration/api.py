"""The JSON API for filling an event: events, employers, openings, contacts, candidates, sign-ups, wishes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import import_files
from events.platform.auth import CurrentUser, logged_in, requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.models import CoachKind, Organisation, PreferenceSide, Role
from events.platform.services import CandidateService, EventService
from events.registration import imports
from events.registration import preferences as prefs
from events.registration import services as reg
from events.registration.schemas import (
    CandidateDetail,
    CandidateRow,
    EmployerRow,
    EventDetail,
    EventRow,
    OpeningRow,
    Problem,
)
from events.registration.schemas import ParticipationRow as EventParticipationRow

organisers = requires(Role.ORGANISER)
organisers_and_coaches = requires(Role.ORGANISER, Role.COACH)


class CopyRequest(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")] | None = None


class ArchiveRequest(msgspec.Struct, forbid_unknown_fields=True):
    archived: bool = True


class RoundsRequest(msgspec.Struct, forbid_unknown_fields=True):
    rounds: list[int] | None


class ContactRow(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    has_login: bool
    invitation_url: str | None = None


class CandidateCreate(msgspec.Struct, forbid_unknown_fields=True):
    candidate: reg.CandidateInput
    consent: reg.ConsentInput
    coach_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    coach_kind: CoachKind = CoachKind.JOBCOACH


class CoachLink(msgspec.Struct, forbid_unknown_fields=True):
    coach_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    kind: CoachKind = CoachKind.JOBCOACH


class HandOver(msgspec.Struct, forbid_unknown_fields=True):
    to_coach_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class HandOverResult(msgspec.Struct):
    moved: int


class CoachRow(msgspec.Struct):
    id: int
    name: str
    email: str


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    candidate_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    rounds: list[int] | None = None
    min_meetings: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None
    max_meetings: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None
    status: reg.SignUpStatus = reg.SignUpStatus.REGISTERED
    needs_interpreter: bool = False
    interpreter_language: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    accessibility: Annotated[str, msgspec.Meta(max_length=4000)] = ""

    def participation(self) -> reg.ParticipationInput:
        fields = msgspec.structs.asdict(self)
        fields.pop("candidate_id")
        return msgspec.convert(fields, reg.ParticipationInput)


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


class CardRow(msgspec.Struct):
    participation_id: int
    display_name: str
    sectors: list[str]
    hours_per_week: int | None
    own_words: str
    rounds: list[int]
    level: int | None
    wish: int | None


class OrganisationRow(msgspec.Struct):
    id: int
    name: str
    kind: str
    sector: str | None


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


def invitation_url(ctx: AppContext, token: str | None) -> str | None:
    return f"{ctx.settings.base_url}/invite/{token}" if token else None


class EventAdminApi(Controller):
    path = "/api/events"
    tags = ["events"]
    guards = [logged_in]

    @get("/", name="api:events")
    async def list_events(
        self, db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
    ) -> list[EventRow]:
        """The events you may see."""
        service = EventService(db_session, current_user)
        events = await service.list()
        figures = await service.figures(events)
        return [EventRow.of(e, figures.get(e.id)) for e in events]

    @get("/{event_ref:str}", name="api:event")
    async def get_event(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EventDetail:
        """One event with its round times."""
        service = EventService(db_session, current_user)
        event = await service.get(event_ref)
        figures = await service.figures([event])
        return EventDetail.of(event, figures.get(event.id))

    @get(
        "/{event_ref:str}/employers",
        name="api:event_employers",
        guards=[requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)],
    )
    async def list_employers(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> list[EmployerRow]:
        """The event's employers with their openings (an employer sees only its own)."""
        service = EventService(db_session, current_user)
        event = await service.get(event_ref)
        return [EmployerRow.of(p) for p in await service.employers(event)]

    @get(
        "/{event_ref:str}/candidates",
        name="api:event_candidates",
        guards=[requires(Role.ORGANISER, Role.COACH)],
    )
    async def list_candidates(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> list[EventParticipationRow]:
        """The event's candidates (a coach sees only their own)."""
        service = EventService(db_session, current_user)
        event = await service.get(event_ref)
        return [EventParticipationRow.of(p) for p in await service.candidates(event)]

    @post("/", name="api:event_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def create(
        self,
        data: JSONBody[reg.EventInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EventDetail:
        """Create an event (in draft)."""
        event = await reg.create_event(db_session, current_user, data)
        return EventDetail.of(event, None)

    @put("/{event_ref:str}", name="api:event_update", guards=[organisers])
    async def update(
        self,
        event_ref: FromPath[str],
        data: JSONBody[reg.EventInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EventDetail:
        """Change an event's settings."""
        service = EventService(db_session, current_user)
        event = await reg.update_event(db_session, current_user, await service.get(event_ref), data)
        return EventDetail.of(event, (await service.figures([event])).get(event.id))

    @post("/{event_ref:str}/copy", name="api:event_copy", guards=[organisers], status_code=HTTP_201_CREATED)
    async def copy(
        self,
        event_ref: FromPath[str],
        data: JSONBody[CopyRequest],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EventDetail:
        """A new draft event with the same settings and employers, on another date."""
        service = EventService(db_session, current_user)
        event = await reg.copy_event(db_session, current_user, await service.get(event_ref), data.date, data.name)
        return EventDetail.of(event, (await service.figures([event])).get(event.id))

    @post("/{event_ref:str}/archive", name="api:event_archive", guards=[organisers], status_code=HTTP_200_OK)
    async def archive(
        self,
        event_ref: FromPath[str],
        data: JSONBody[ArchiveRequest],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EventDetail:
        """Archive an event (or bring it back)."""
        service = EventService(db_session, current_user)
        event = await reg.set_archived(db_session, current_user, await service.get(event_ref), data.archived)
        return EventDetail.of(event, None)

    @get("/{event_ref:str}/capacity", name="api:event_capacity", guards=[organisers])
    async def capacity(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CapacityRow:
        """Talks demanded against seats offered."""
        event = await EventService(db_session, current_user).get(event_ref)
        c = await prefs.capacity(db_session, current_user, event)
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
    async def grid(
        self,
        event_ref: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> PreferenceGrid:
        """Both sides' levels for every candidate-employer pair, and the scheduler's weight."""
        event = await EventService(db_session, current_user).get(event_ref)
        grid = await prefs.preference_grid(db_session, current_user, event)
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
    async def set_preference(
        self,
        event_ref: FromPath[str],
        data: JSONBody[PreferenceSet],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> PreferenceRow:
        """Set one side's level for a pair (a coach for their candidate, an employer for itself)."""
        event = await EventService(db_session, current_user).get(event_ref)
        pref = await prefs.set_preference(
            db_session, current_user, event, data.participation_id, data.employer_id, data.level, data.side
        )
        side = pref.side.value if pref else (data.side.value if data.side else current_user.role.value)
        return PreferenceRow(data.participation_id, data.employer_id, side, pref.level if pref else None)

    @post(
        "/{event_ref:str}/participations",
        name="api:participation_create",
        guards=[organisers_and_coaches],
        status_code=HTTP_201_CREATED,
    )
    async def sign_up(
        self,
        event_ref: FromPath[str],
        data: JSONBody[SignUp],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> ParticipationRow:
        """Sign a candidate up for the event."""
        event = await EventService(db_session, current_user).get(event_ref)
        participation = await reg.sign_up(db_session, current_user, event, data.candidate_id, data.participation())
        return participation_row(participation)

    @put(
        "/{event_ref:str}/participations/{participation_id:int}",
        name="api:participation_update",
        guards=[organisers_and_coaches],
    )
    async def update_participation(
        self,
        event_ref: FromPath[str],
        participation_id: FromPath[int],
        data: JSONBody[reg.ParticipationInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> ParticipationRow:
        """Change a sign-up: rounds present, talk limits, needs, status."""
        event = await EventService(db_session, current_user).get(event_ref)
        return participation_row(
            await reg.update_participation(db_session, current_user, event, participation_id, data)
        )

    @post("/{event_ref:str}/employers", name="api:employer_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def create_employer(
        self,
        event_ref: FromPath[str],
        data: JSONBody[reg.EmployerInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EmployerRow:
        """Add an employer (an existing organisation by name, or a new one)."""
        event = await EventService(db_session, current_user).get(event_ref)
        return EmployerRow.of(await reg.add_employer(db_session, current_user, event, data))


class EmployerAdminApi(Controller):
    path = "/api/events/{event_ref:str}"
    tags = ["employers"]

    @get(
        "/employers/{employer_id:int}",
        name="api:employer",
        guards=[requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)],
    )
    async def get_one(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EmployerRow:
        """One employer with its openings."""
        event = await EventService(db_session, current_user).get(event_ref)
        return EmployerRow.of(await reg.employer_of(db_session, current_user, event, employer_id))

    @put("/employers/{employer_id:int}", name="api:employer_update", guards=[organisers])
    async def update(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        data: JSONBody[reg.EmployerInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EmployerRow:
        """Change an employer's tables, seats and rounds."""
        event = await EventService(db_session, current_user).get(event_ref)
        return EmployerRow.of(await reg.update_employer(db_session, current_user, event, employer_id, data))

    @delete("/employers/{employer_id:int}", name="api:employer_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> dict[str, bool]:
        """Take an employer out of the event."""
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.remove_employer(db_session, current_user, event, employer_id)
        return {"deleted": True}

    @put(
        "/employers/{employer_id:int}/rounds",
        name="api:employer_rounds",
        guards=[requires(Role.ORGANISER, Role.EMPLOYER)],
    )
    async def set_rounds(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        data: JSONBody[RoundsRequest],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> EmployerRow:
        """The rounds the employer is present (its contacts may say so themselves)."""
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.set_employer_rounds(db_session, current_user, event, employer_id, data.rounds)
        return EmployerRow.of(await reg.employer_of(db_session, current_user, event, employer_id))

    @get(
        "/employers/{employer_id:int}/cards",
        name="api:employer_cards",
        guards=[requires(Role.ORGANISER, Role.EMPLOYER)],
    )
    async def cards(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> list[CardRow]:
        """Anonymised candidate cards with the employer's own interest."""
        event = await EventService(db_session, current_user).get(event_ref)
        _, cards = await prefs.employer_cards(db_session, current_user, event, employer_id)
        return [
            CardRow(
                c.participation_id, c.display_name, c.sectors, c.hours_per_week, c.own_words, c.rounds, c.level, c.wish
            )
            for c in cards
        ]

    @post(
        "/employers/{employer_id:int}/openings",
        name="api:opening_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_opening(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        data: JSONBody[reg.OpeningInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> OpeningRow:
        """Add an opening the employer brings."""
        event = await EventService(db_session, current_user).get(event_ref)
        return OpeningRow.of(await reg.add_opening(db_session, current_user, event, employer_id, data))

    @put("/openings/{opening_id:int}", name="api:opening_update", guards=[organisers])
    async def update_opening(
        self,
        event_ref: FromPath[str],
        opening_id: FromPath[int],
        data: JSONBody[reg.OpeningInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> OpeningRow:
        """Change an opening."""
        event = await EventService(db_session, current_user).get(event_ref)
        return OpeningRow.of(await reg.update_opening(db_session, current_user, event, opening_id, data))

    @delete("/openings/{opening_id:int}", name="api:opening_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove_opening(
        self,
        event_ref: FromPath[str],
        opening_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> dict[str, bool]:
        """Remove an opening."""
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.remove_opening(db_session, current_user, event, opening_id)
        return {"deleted": True}

    @post(
        "/employers/{employer_id:int}/contacts",
        name="api:contact_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_contact(
        self,
        event_ref: FromPath[str],
        employer_id: FromPath[int],
        data: JSONBody[reg.ContactInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> ContactRow:
        """Add a contact person; with an e-mail address they get an employer login by invitation link."""
        event = await EventService(db_session, current_user).get(event_ref)
        contact, token = await reg.add_contact(db_session, current_user, event, employer_id, data)
        return ContactRow(
            contact.id,
            contact.name,
            contact.email,
            contact.phone,
            contact.user_id is not None,
            invitation_url(ctx, token),
        )

    @delete("/contacts/{contact_id:int}", name="api:contact_delete", guards=[organisers], status_code=HTTP_200_OK)
    async def remove_contact(
        self,
        event_ref: FromPath[str],
        contact_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> dict[str, bool]:
        """Remove a contact person."""
        event = await EventService(db_session, current_user).get(event_ref)
        await reg.remove_contact(db_session, current_user, event, contact_id)
        return {"deleted": True}


class CandidateAdminApi(Controller):
    path = "/api"
    tags = ["candidates"]
    guards = [organisers_and_coaches]

    @get("/candidates", name="api:candidates")
    async def list_candidates(
        self, db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
    ) -> list[CandidateRow]:
        """Your candidates (all of them for organisers)."""
        return [CandidateRow.of(c) for c in await CandidateService(db_session, current_user).list()]

    @get("/candidates/{candidate_id:int}", name="api:candidate")
    async def get_candidate(
        self,
        candidate_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """One candidate's whole record; the read is written to the audit log."""
        candidate = await CandidateService(db_session, current_user).get(candidate_id, sensitive=True)
        return CandidateDetail.of(candidate)

    @post("/candidates", name="api:candidate_create", status_code=HTTP_201_CREATED)
    async def create(
        self,
        data: JSONBody[CandidateCreate],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """Register a candidate with the consent record (a coach becomes their coach)."""
        candidate = await reg.register_candidate(
            db_session, current_user, data.candidate, data.consent, coach_id=data.coach_id, coach_kind=data.coach_kind
        )
        return CandidateDetail.of(candidate)

    @put("/candidates/{candidate_id:int}", name="api:candidate_update")
    async def update(
        self,
        candidate_id: FromPath[int],
        data: JSONBody[reg.CandidateInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """Change a candidate's record."""
        await reg.update_candidate(db_session, current_user, candidate_id, data)
        return CandidateDetail.of(await CandidateService(db_session, current_user).get(candidate_id, sensitive=True))

    @post("/candidates/{candidate_id:int}/consents", name="api:consent_create", status_code=HTTP_201_CREATED)
    async def add_consent(
        self,
        candidate_id: FromPath[int],
        data: JSONBody[reg.ConsentInput],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """Record a further consent."""
        await reg.add_consent(db_session, current_user, candidate_id, data)
        return CandidateDetail.of(await CandidateService(db_session, current_user).get(candidate_id, sensitive=True))

    @post(
        "/candidates/{candidate_id:int}/consents/{consent_id:int}/withdraw",
        name="api:consent_withdraw",
        status_code=HTTP_200_OK,
    )
    async def withdraw_consent(
        self,
        candidate_id: FromPath[int],
        consent_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """Record that a consent was withdrawn (the record stays)."""
        await reg.withdraw_consent(db_session, current_user, candidate_id, consent_id)
        return CandidateDetail.of(await CandidateService(db_session, current_user).get(candidate_id, sensitive=True))

    @post("/candidates/{candidate_id:int}/coaches", name="api:coach_assign", status_code=HTTP_200_OK)
    async def assign_coach(
        self,
        candidate_id: FromPath[int],
        data: JSONBody[CoachLink],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> CandidateDetail:
        """Add a coach to a candidate (for example a probation officer beside the jobcoach)."""
        await reg.assign_coach(db_session, current_user, candidate_id, data.coach_id, data.kind)
        return CandidateDetail.of(await CandidateService(db_session, current_user).get(candidate_id, sensitive=True))

    @delete("/candidates/{candidate_id:int}/coaches/{coach_id:int}", name="api:coach_remove", status_code=HTTP_200_OK)
    async def remove_coach(
        self,
        candidate_id: FromPath[int],
        coach_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> dict[str, bool]:
        """Take a coach off a candidate."""
        await reg.remove_coach(db_session, current_user, candidate_id, coach_id)
        return {"deleted": True}

    @get("/coaches", name="api:coaches")
    async def list_coaches(self, db_session: NamedDependency[AsyncSession]) -> list[CoachRow]:
        """The active coaches (to assign one, or to hand a caseload over)."""
        return [CoachRow(c.id, c.name, c.email) for c in await reg.coaches(db_session)]

    @post("/coaches/{coach_id:int}/handover", name="api:coach_handover", status_code=HTTP_200_OK)
    async def hand_over(
        self,
        coach_id: FromPath[int],
        data: JSONBody[HandOver],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> HandOverResult:
        """Hand a coach's whole caseload over to another coach."""
        return HandOverResult(await reg.hand_over_caseload(db_session, current_user, coach_id, data.to_coach_id))

    @get("/organisations", name="api:organisations", guards=[organisers])
    async def organisations(self, db_session: NamedDependency[AsyncSession]) -> list[OrganisationRow]:
        """Known organisations, to pick an existing employer."""
        rows = (await db_session.scalars(select(Organisation).order_by(Organisation.name))).all()
        return [OrganisationRow(o.id, o.name, o.kind.value, o.sector) for o in rows]


class RowProblem(msgspec.Struct):
    row: int
    field: str
    reason: str


class ImportAnswer(msgspec.Struct):
    """What an import found and, unless it was a dry run or a row was wrong, what it wrote."""

    kind: str
    rows: int
    new: int
    matched: int
    imported: bool
    errors: list[RowProblem]
    created: int = 0
    updated: int = 0
    # New candidates without consent columns in the file: the import needs `consent_date` for them.
    needs_consent: int = 0


class ImportsApi(Controller):
    path = "/api/events/{event_ref:str}/imports"
    tags = ["imports"]
    guards = [organisers]

    @post(
        "/{kind:str}",
        name="api:import",
        status_code=HTTP_200_OK,
        # A wrong row answers what the import found; a wrong request (no file, an unreadable one, a bad
        # `consent_date`) the usual problem body.
        responses={
            422: ResponseSpec(
                ImportAnswer | Problem,
                description="A row is wrong (what the import found; nothing was imported), or the request is wrong",
            )
        },
    )
    async def import_file(
        self,
        event_ref: FromPath[str],
        kind: FromPath[str],
        data: MultipartBody[dict[str, UploadFile]],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        dry_run: FromQuery[bool] = False,
        consent_date: FromQuery[str | None] = None,
        consent_method: FromQuery[str] = "verbal",
        consent_purpose: FromQuery[str] = "",
    ) -> Response[ImportAnswer]:
        """Import a CSV or XLSX file of candidates or employers (field `file`); all or nothing; `dry_run` checks.

        New candidates need a consent record: the file's consent columns, or `consent_date` (and
        `consent_method`: verbal, paper or digital) confirming it for all of them; otherwise 422
        `consent_required`. A file over a limit is refused 422 with the limit named: `file_too_large` (over
        10 MB, an XLSX part unpacking to over 20 MB), `too_many_rows` (over 20,000 data rows), `xml_refused`
        (XML with a DTD or entities), `too_complex`, `cell_too_long`.
        """
        event = await EventService(db_session, current_user).get(event_ref)
        consent = None
        if consent_date is not None:
            consent = imports.ImportConsent.parse(consent_method, consent_date, consent_purpose)
        if kind not in imports.KINDS:
            raise NotFoundError("kind")
        upload = data.get("file")
        if not isinstance(upload, UploadFile):
            raise DomainError("required", "send the spreadsheet as the multipart field `file`", "file")
        table = await import_files.read_table_in_thread(await upload.read(), upload.filename)
        mapping = imports.guess_mapping(kind, table.headers)
        imports.check_mapping(kind, mapping, len(table.headers))
        preview = await imports.preview_import(db_session, current_user, event, kind, table, mapping)
        answer = ImportAnswer(
            kind=kind,
            rows=len(preview.rows),
            new=preview.new,
            matched=preview.matched,
            imported=False,
            errors=[RowProblem(e.row, e.field, e.reason) for e in preview.errors],
            needs_consent=preview.needs_consent,
        )
        if not preview.ok:
            return Response(answer, status_code=422)
        if not dry_run:
            result = await imports.apply_import(db_session, current_user, event, kind, table, mapping, consent)
            answer.imported, answer.created, answer.updated = True, result.created, result.updated
        return Response(answer)
