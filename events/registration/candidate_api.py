"""The JSON API of candidates and coaches: a candidate's record and consents, who coaches them, and handing a
caseload over; the known organisations, to pick an employer from."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import or_, select

from events.platform.auth import requires
from events.platform.models import CoachKind, Organisation, OrganisationKind, Role
from events.platform.reach import connected_organisations, organisation_of
from events.platform.services import CandidateService
from events.platform.web import WEB, Web
from events.registration.candidate_search import (
    MAX_PER_PAGE,
    PER_PAGE,
    SORTS,
    STATUSES,
    CandidateSearch,
    search_candidates,
)
from events.registration.candidates import (
    add_consent,
    assign_coach,
    coaches,
    hand_over_caseload,
    register_candidate,
    remove_coach,
    update_candidate,
    withdraw_consent,
)
from events.registration.inputs import CandidateInput, ConsentInput
from events.registration.schemas import CandidateDetail, CandidateRow

organisers = requires(Role.ORGANISER)
organisers_and_coaches = requires(Role.ORGANISER, Role.COACH)


class CandidateCreate(msgspec.Struct, forbid_unknown_fields=True):
    candidate: CandidateInput
    consent: ConsentInput
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


class CandidateList(msgspec.Struct):
    """One page of the candidates found, and how many were found in all."""

    items: list[CandidateRow]
    total: int
    page: int
    per_page: int


def _query(description: str, name: str | None = None) -> Any:
    return QueryParameter(name=name, required=False, description=description)


class OrganisationRow(msgspec.Struct):
    id: int
    name: str
    kind: str
    sector: str | None


async def _detail(web: Web, candidate_id: int) -> CandidateDetail:
    """The candidate's whole record as it is now (the read is audited); a professional the case is shared with
    reads it too (events.registration.case_shares)."""
    service = CandidateService(web.db, web.user)
    candidate = await service.get(candidate_id, sensitive=True, shared=True)
    return CandidateDetail.of(candidate, confidential=service.confidential(candidate))


class CandidateAdminApi(Controller):
    path = "/api"
    tags = ["candidates"]
    guards = [organisers_and_coaches]
    dependencies = WEB

    @get("/candidates", name="api:candidates")
    async def list_candidates(
        self,
        web: NamedDependency[Web],
        q: Annotated[str | None, _query("Words found in the name, e-mail address or phone number")] = None,
        event_id: Annotated[str | None, _query("Only those taking part in this event (id)", "event")] = None,
        programme_id: Annotated[
            str | None, _query("Only those taking part in an event of this programme", "programme")
        ] = None,
        coach: Annotated[str | None, _query("Only those this coach (user id) coaches")] = None,
        organisation: Annotated[str | None, _query("Only those coached by a coach of this organisation (id)")] = None,
        status: Annotated[
            str | None, _query(f"Participation status in the event (or any event): {', '.join(STATUSES)}")
        ] = None,
        sort: Annotated[str | None, _query(f"{' or '.join(SORTS)} (default name)")] = None,
        page: Annotated[str | None, _query("The page, from 1")] = None,
        per_page: Annotated[str | None, _query(f"Candidates a page, 1 to {MAX_PER_PAGE} (default {PER_PAGE})")] = None,
    ) -> CandidateList:
        """Your candidates (for organisers: those of your organisation and those taking part in its events), a
        page at a time; a parameter that cannot be read is a 400 naming it."""
        search = CandidateSearch.parse(
            q=q,
            event=event_id,
            programme=programme_id,
            coach=coach,
            organisation=organisation,
            status=status,
            sort=sort,
            page=page,
            per_page=per_page,
        )
        found = await search_candidates(web.db, web.user, search)
        return CandidateList([CandidateRow.of(c) for c in found.items], found.total, found.page, found.per_page)

    @get("/candidates/{candidate_id:int}", name="api:candidate")
    async def get_candidate(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> CandidateDetail:
        """One candidate's whole record; the read is written to the audit log."""
        return await _detail(web, candidate_id)

    @post("/candidates", name="api:candidate_create", status_code=HTTP_201_CREATED)
    async def create(self, web: NamedDependency[Web], data: JSONBody[CandidateCreate]) -> CandidateDetail:
        """Register a candidate with the consent record (a coach becomes their coach)."""
        candidate = await register_candidate(
            web.db, web.user, data.candidate, data.consent, coach_id=data.coach_id, coach_kind=data.coach_kind
        )
        return CandidateDetail.of(candidate)

    @put("/candidates/{candidate_id:int}", name="api:candidate_update")
    async def update(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[CandidateInput]
    ) -> CandidateDetail:
        """Change a candidate's record."""
        await update_candidate(web.db, web.user, candidate_id, data)
        return await _detail(web, candidate_id)

    @post("/candidates/{candidate_id:int}/consents", name="api:consent_create", status_code=HTTP_201_CREATED)
    async def add_consent(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[ConsentInput]
    ) -> CandidateDetail:
        """Record a further consent."""
        await add_consent(web.db, web.user, candidate_id, data)
        return await _detail(web, candidate_id)

    @post(
        "/candidates/{candidate_id:int}/consents/{consent_id:int}/withdraw",
        name="api:consent_withdraw",
        status_code=HTTP_200_OK,
    )
    async def withdraw_consent(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], consent_id: FromPath[int]
    ) -> CandidateDetail:
        """Record that a consent was withdrawn (the record stays)."""
        await withdraw_consent(web.db, web.user, candidate_id, consent_id)
        return await _detail(web, candidate_id)

    @post("/candidates/{candidate_id:int}/coaches", name="api:coach_assign", status_code=HTTP_200_OK)
    async def assign_coach(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], data: JSONBody[CoachLink]
    ) -> CandidateDetail:
        """Add a coach to a candidate (for example a probation officer beside the jobcoach)."""
        await assign_coach(web.db, web.user, candidate_id, data.coach_id, data.kind)
        return await _detail(web, candidate_id)

    @delete("/candidates/{candidate_id:int}/coaches/{coach_id:int}", name="api:coach_remove", status_code=HTTP_200_OK)
    async def remove_coach(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], coach_id: FromPath[int]
    ) -> dict[str, bool]:
        """Take a coach off a candidate."""
        await remove_coach(web.db, web.user, candidate_id, coach_id)
        return {"deleted": True}

    @get("/coaches", name="api:coaches")
    async def list_coaches(self, web: NamedDependency[Web]) -> list[CoachRow]:
        """The active coaches you may pick (to assign one, or to hand a caseload over): your organisation's and
        those of the organisations it works with."""
        return [CoachRow(c.id, c.name, c.email) for c in await coaches(web.db, web.user)]

    @post("/coaches/{coach_id:int}/handover", name="api:coach_handover", status_code=HTTP_200_OK)
    async def hand_over(
        self, web: NamedDependency[Web], coach_id: FromPath[int], data: JSONBody[HandOver]
    ) -> HandOverResult:
        """Hand a coach's whole caseload over to another coach."""
        return HandOverResult(await hand_over_caseload(web.db, web.user, coach_id, data.to_coach_id))

    @get("/organisations", name="api:organisations", guards=[organisers])
    async def organisations(self, web: NamedDependency[Web]) -> list[OrganisationRow]:
        """Known organisations, to pick an existing employer: every employer, and the organisations yours works
        with (another organising organisation and its partners are not listed)."""
        known = or_(
            Organisation.kind == OrganisationKind.EMPLOYER,
            Organisation.id.in_(connected_organisations(organisation_of(web.user))),
        )
        rows = (await web.db.scalars(select(Organisation).where(known).order_by(Organisation.name))).all()
        return [OrganisationRow(o.id, o.name, o.kind.value, o.sector) for o in rows]
