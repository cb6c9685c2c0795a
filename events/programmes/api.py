"""The JSON API of programmes (trajectories): the programmes you reach, setting one up (period, target groups,
stages in order, partners, employers), its enrolments a page at a time, enrolling a person and referring one.

An enrolment itself, its stage changes, activities, benefits and outcomes: events.programmes.api_enrolments.
Whatever the user does not reach answers exactly like a missing id (404); a role that never may, 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select

from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.models import Candidate, Partnership, Programme, ProgrammeStage, Role, TargetGroup
from events.platform.web import WEB, Web
from events.programmes import enrolments, setup, views
from events.programmes import schemas as s
from events.programmes.services import create_programme, free_name, update_programme

organisers = requires(Role.ORGANISER)


def _query(description: str) -> Any:
    return QueryParameter(required=False, description=description)


async def _programme(web: Web, ref: str) -> Programme:
    """The programme within the user's reach, by id or slug."""
    return await enrolments.get_programme(web.db, web.user, ref)


async def _managed(web: Web, ref: str) -> Programme:
    """A programme the user manages (its organisation's organisers); anyone else: as missing."""
    programme = await _programme(web, ref)
    enrolments.manages(web.user, programme)
    return programme


async def _group(web: Web, programme: Programme, group_id: int) -> TargetGroup:
    found = await web.db.scalar(
        select(TargetGroup).where(TargetGroup.id == group_id, TargetGroup.programme_id == programme.id)
    )
    if found is None:
        raise NotFoundError(f"target group {group_id}")
    return found


async def _stage(web: Web, programme: Programme, stage_id: int, field: str | None = None) -> ProgrammeStage:
    found = await web.db.scalar(
        select(ProgrammeStage).where(ProgrammeStage.id == stage_id, ProgrammeStage.programme_id == programme.id)
    )
    if found is None:
        if field is not None:
            raise DomainError("unknown_stage", _t("Choose one of the programme's stages."), field)
        raise NotFoundError(f"stage {stage_id}")
    return found


async def _referrer(web: Web, programme: Programme, organisation_id: int | None) -> int | None:
    """The referring organisation: the programme's own or one of its partners."""
    if organisation_id is None or organisation_id == programme.organisation_id:
        return organisation_id
    partner = await web.db.scalar(
        select(Partnership.id).where(
            Partnership.programme_id == programme.id, Partnership.organisation_id == organisation_id
        )
    )
    if partner is None:
        raise DomainError(
            "unknown_referrer", _t("Choose your organisation or one of the programme's partners."), "referred_by"
        )
    return organisation_id


@contextmanager
def _fields(**names: str) -> Iterator[None]:
    """Name the request's own field in a service's refusal (the service says "stage", the body has "stages")."""
    try:
        yield
    except DomainError as error:
        if error.field in names:
            error.field = names[error.field]
        raise


class ProgrammeApi(Controller):
    path = "/api/programmes"
    tags = ["programmes"]
    guards = [requires(Role.ORGANISER, Role.COACH)]
    dependencies = WEB

    @get("/", name="api:programmes")
    async def list_programmes(self, web: NamedDependency[Web]) -> list[s.ProgrammeRow]:
        """The programmes you reach: your organisation's, and (coaches) those it was invited into as a partner."""
        return [views.programme_row(web.user, p) for p in await enrolments.reached_programmes(web.db, web.user)]

    @post("/", name="api:programme_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def create(self, web: NamedDependency[Web], data: JSONBody[s.ProgrammeCreate]) -> s.ProgrammeDetail:
        """A new programme of your organisation with its period, target groups and stages (default ones when none
        are given)."""
        programme = await create_programme(web.db, web.user, data.name, data.description, slug=data.slug or None)
        if data.starts_on or data.ends_on:
            await setup.set_period(web.db, web.user, programme, data.starts_on, data.ends_on)
        with _fields(target_group="target_groups", stage="stages"):
            for name in data.target_groups:
                await setup.add_target_group(web.db, web.user, programme, name)
            if data.stages:
                await setup.set_stages(web.db, web.user, programme, data.stages)
        return await views.programme_detail(web.db, web.user, programme)

    @get("/{programme_ref:str}", name="api:programme")
    async def get_programme(self, web: NamedDependency[Web], programme_ref: FromPath[str]) -> s.ProgrammeDetail:
        """One programme (by id or slug) with its period, target groups, stages, partners and employers."""
        return await views.programme_detail(web.db, web.user, await _programme(web, programme_ref))

    @patch("/{programme_ref:str}", name="api:programme_update", guards=[organisers])
    async def update(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.ProgrammeUpdate]
    ) -> s.ProgrammeDetail:
        """Change the programme's name, description or period (the fields given)."""
        programme = await _managed(web, programme_ref)
        if data.name is not msgspec.UNSET or data.description is not msgspec.UNSET:
            name = (
                programme.name
                if data.name is msgspec.UNSET
                else await free_name(web.db, web.user, data.name, programme.id)
            )
            description = programme.description if data.description is msgspec.UNSET else data.description
            await update_programme(
                web.db, web.user, programme, name=name, description=description, targets=dict(programme.targets)
            )
        if data.starts_on is not msgspec.UNSET or data.ends_on is not msgspec.UNSET:
            starts_on = programme.starts_on if data.starts_on is msgspec.UNSET else data.starts_on
            ends_on = programme.ends_on if data.ends_on is msgspec.UNSET else data.ends_on
            await setup.set_period(web.db, web.user, programme, starts_on, ends_on)
        return await views.programme_detail(web.db, web.user, programme)

    # --- target groups ----------------------------------------------------------------------------------------

    @post(
        "/{programme_ref:str}/target-groups",
        name="api:target_group_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_target_group(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.NameInput]
    ) -> s.TargetGroupRow:
        """A new target group of the programme."""
        group = await setup.add_target_group(web.db, web.user, await _managed(web, programme_ref), data.name)
        return s.TargetGroupRow(group.id, group.name)

    @patch("/{programme_ref:str}/target-groups/{group_id:int}", name="api:target_group_update", guards=[organisers])
    async def rename_target_group(
        self,
        web: NamedDependency[Web],
        programme_ref: FromPath[str],
        group_id: FromPath[int],
        data: JSONBody[s.NameInput],
    ) -> s.TargetGroupRow:
        """Rename a target group."""
        programme = await _managed(web, programme_ref)
        group = await _group(web, programme, group_id)
        await setup.rename_target_group(web.db, web.user, programme, group, data.name)
        return s.TargetGroupRow(group.id, group.name)

    @delete(
        "/{programme_ref:str}/target-groups/{group_id:int}",
        name="api:target_group_delete",
        guards=[organisers],
        status_code=HTTP_200_OK,
    )
    async def remove_target_group(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], group_id: FromPath[int]
    ) -> s.Deleted:
        """Remove a target group nobody is in (one in use is renamed instead: 422)."""
        programme = await _managed(web, programme_ref)
        await setup.remove_target_group(web.db, web.user, programme, await _group(web, programme, group_id))
        return s.Deleted(True)

    # --- stages -----------------------------------------------------------------------------------------------

    @post("/{programme_ref:str}/stages", name="api:stage_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def add_stage(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.StageCreate]
    ) -> list[s.StageRow]:
        """A new stage, after the stage `after` (else after the last active one); answers every stage in order."""
        programme = await _managed(web, programme_ref)
        after = await _stage(web, programme, data.after, "after") if data.after is not None else None
        await setup.add_stage(web.db, web.user, programme, data.name, kind=data.kind, after=after)
        return [views.stage_row(stage) for stage in await enrolments.stages(web.db, programme.id)]

    @put("/{programme_ref:str}/stages/order", name="api:stage_order", guards=[organisers])
    async def reorder_stages(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.StageOrder]
    ) -> list[s.StageRow]:
        """Put the stages in this order of their ids (every stage once)."""
        programme = await _managed(web, programme_ref)
        return [views.stage_row(x) for x in await setup.reorder_stages(web.db, web.user, programme, data.order)]

    @patch("/{programme_ref:str}/stages/{stage_id:int}", name="api:stage_update", guards=[organisers])
    async def rename_stage(
        self,
        web: NamedDependency[Web],
        programme_ref: FromPath[str],
        stage_id: FromPath[int],
        data: JSONBody[s.NameInput],
    ) -> s.StageRow:
        """Rename a stage."""
        programme = await _managed(web, programme_ref)
        stage = await _stage(web, programme, stage_id)
        await setup.rename_stage(web.db, web.user, programme, stage, data.name)
        return views.stage_row(stage)

    @delete(
        "/{programme_ref:str}/stages/{stage_id:int}",
        name="api:stage_delete",
        guards=[organisers],
        status_code=HTTP_200_OK,
    )
    async def remove_stage(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], stage_id: FromPath[int]
    ) -> s.Deleted:
        """Remove a stage nobody is in, as long as the programme keeps a stage of its kind."""
        programme = await _managed(web, programme_ref)
        await setup.remove_stage(web.db, web.user, programme, await _stage(web, programme, stage_id))
        return s.Deleted(True)

    # --- partners and employers -------------------------------------------------------------------------------

    @post("/{programme_ref:str}/partners", name="api:partner_create", guards=[organisers], status_code=HTTP_201_CREATED)
    async def invite_partner(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.PartnerInput]
    ) -> s.PartnerRow:
        """Invite a partner organisation (by name; a new name makes one) with its role: referrer, coaching or
        training."""
        programme = await _managed(web, programme_ref)
        partnership = await setup.invite_partner(web.db, web.user, programme, data.organisation, data.role)
        name = await views.organisation_name(web.db, partnership.organisation_id)
        return s.PartnerRow(partnership.id, partnership.organisation_id, name or "", str(partnership.role or ""))

    @delete(
        "/{programme_ref:str}/partners/{partnership_id:int}",
        name="api:partner_delete",
        guards=[organisers],
        status_code=HTTP_200_OK,
    )
    async def end_partnership(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], partnership_id: FromPath[int]
    ) -> s.Deleted:
        """End a partnership (the id from the programme's `partners`)."""
        await setup.end_partnership(web.db, web.user, await _managed(web, programme_ref), partnership_id)
        return s.Deleted(True)

    @post(
        "/{programme_ref:str}/employers",
        name="api:programme_employer_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def add_employer(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.EmployerInput]
    ) -> s.EmployerRow:
        """An employer working with the programme, by name (a new one is made on the spot), a social entrepreneur
        or not."""
        programme = await _managed(web, programme_ref)
        employer = await setup.add_employer(
            web.db, web.user, programme, data.name, social_enterprise=data.social_enterprise
        )
        return s.EmployerRow(employer.id, employer.name, bool(employer.social_enterprise))

    @delete(
        "/{programme_ref:str}/employers/{organisation_id:int}",
        name="api:programme_employer_delete",
        guards=[organisers],
        status_code=HTTP_200_OK,
    )
    async def remove_employer(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], organisation_id: FromPath[int]
    ) -> s.Deleted:
        """Take an employer (its organisation's id) off the programme."""
        await setup.remove_employer(web.db, web.user, await _managed(web, programme_ref), organisation_id)
        return s.Deleted(True)

    # --- people -----------------------------------------------------------------------------------------------

    @get("/{programme_ref:str}/enrolments", name="api:programme_enrolments")
    async def list_enrolments(
        self,
        web: NamedDependency[Web],
        programme_ref: FromPath[str],
        stage: Annotated[str | None, _query("Only those in this stage (id or name)")] = None,
        target_group: Annotated[str | None, _query("Only those in this target group (id or name)")] = None,
        page: Annotated[str | None, _query("The page, from 1")] = None,
        per_page: Annotated[
            str | None, _query(f"Enrolments a page, 1 to {views.MAX_PER_PAGE} (default {views.PER_PAGE})")
        ] = None,
    ) -> s.EnrolmentList:
        """The programme's enrolments you reach (organisers: all; coaches: the people they coach and the referrals
        waiting for an intake), by name, a page at a time; a parameter that cannot be read is a 400 naming it."""
        programme = await _programme(web, programme_ref)
        return await views.enrolment_page(
            web.db, web.user, programme, stage=stage, target_group=target_group, page=page, per_page=per_page
        )

    @post(
        "/{programme_ref:str}/enrolments",
        name="api:enrolment_create",
        guards=[organisers],
        status_code=HTTP_201_CREATED,
    )
    async def enrol(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.EnrolmentCreate]
    ) -> s.EnrolmentDetail:
        """Put a candidate of the programme's organisation in the programme, with its target group, stage,
        referrer, dates and coaches."""
        programme = await _managed(web, programme_ref)
        candidate = await web.db.get(Candidate, data.candidate_id)
        if (
            candidate is None
            or candidate.erased_at is not None
            or candidate.organisation_id != programme.organisation_id
        ):
            raise DomainError(
                "unknown_candidate", _t("Choose a candidate of the programme's organisation."), "candidate_id"
            )
        group = (
            await enrolments.find_target_group(web.db, programme, data.target_group)
            if data.target_group is not None
            else None
        )
        stage = await enrolments.find_stage(web.db, programme, data.stage) if data.stage is not None else None
        with _fields(coach="coach_ids", candidate="candidate_id"):
            enrolment = await enrolments.enrol(
                web.db,
                web.user,
                programme,
                candidate,
                target_group=group,
                stage=stage,
                referred_by_organisation_id=await _referrer(web, programme, data.referred_by),
                referrer_name=data.referrer_name,
                referred_on=data.referred_on,
                intake_on=data.intake_on,
                coach_ids=data.coach_ids,
            )
        return await views.enrolment_detail(web.db, web.user, enrolment)

    @post("/{programme_ref:str}/referrals", name="api:referral_create", status_code=HTTP_201_CREATED)
    async def refer(
        self, web: NamedDependency[Web], programme_ref: FromPath[str], data: JSONBody[s.ReferralInput]
    ) -> s.ReferralRow:
        """Refer someone to the programme (a coach or organiser of an organisation that reaches it), with their
        consent; the programme's intake coaches pick it up. You see the stage it reaches, nothing else."""
        programme = await _programme(web, programme_ref)
        enrolment = await enrolments.refer(
            web.db,
            web.user,
            programme,
            enrolments.Referral(
                first_name=data.first_name,
                last_name=data.last_name,
                consent=data.consent,
                email=data.email,
                phone=data.phone,
                contact_through=data.contact_through,
                wishes=data.wishes,
                referrer_name=data.referrer_name,
            ),
        )
        stage = await web.db.get(ProgrammeStage, enrolment.stage_id)
        candidate = await web.db.get(Candidate, enrolment.candidate_id)
        return s.ReferralRow(
            enrolment_id=enrolment.id,
            name=candidate.full_name if candidate else "",
            programme=programme.name,
            referred_on=enrolment.referred_on,
            stage=stage.name if stage else "",
            ended=enrolment.ended_on is not None,
        )
