"""Setting up a programme (its organisers): the period, the target groups, the stages in their order, the partner
organisations with their role, and the employers, social entrepreneurs among them (a new one added on the spot).

Every function takes a programme the caller already found (events.programmes.enrolments.get_programme) and refuses
anyone but its organisers like a missing programme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    Enrolment,
    Organisation,
    OrganisationKind,
    PartnerRole,
    Partnership,
    Programme,
    ProgrammeEmployer,
    ProgrammeStage,
    StageKind,
    TargetGroup,
)
from events.platform.organisations import find_organisation, works_with
from events.platform.services import audit
from events.programmes.enrolments import manages, stages, target_groups


def _name(value: str, field: str, limit: int) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise DomainError("required", _t("This field is required."), field)
    if len(name) > limit:
        raise DomainError("too_long", _t("Use at most %(n)s characters.", n=limit), field)
    if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in name):
        raise DomainError("invalid", _t("Remove the control characters."), field)
    return name


async def set_period(
    session: AsyncSession, user: CurrentUser, programme: Programme, starts_on: dt.date | None, ends_on: dt.date | None
) -> None:
    """The programme's period; no end means an open-ended intake."""
    manages(user, programme)
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError("ends_before_start", _t("The end lies before the start."), "ends_on")
    programme.starts_on, programme.ends_on = starts_on, ends_on
    await session.flush()
    await audit(session, user, "update", "programme", programme.id, detail={"period": [str(starts_on), str(ends_on)]})


# --- target groups --------------------------------------------------------------------------------------------


async def add_target_group(session: AsyncSession, user: CurrentUser, programme: Programme, name: str) -> TargetGroup:
    manages(user, programme)
    name = _name(name, "target_group", 100)
    if any(g.name.casefold() == name.casefold() for g in await target_groups(session, programme.id)):
        raise DomainError("name_taken", _t("The programme has this target group already."), "target_group")
    group = TargetGroup(programme_id=programme.id, name=name)
    session.add(group)
    await session.flush()
    await audit(session, user, "add_target_group", "programme", programme.id, detail={"name": name})
    return group


async def rename_target_group(
    session: AsyncSession, user: CurrentUser, programme: Programme, group: TargetGroup, name: str
) -> None:
    manages(user, programme)
    name = _name(name, "target_group", 100)
    if any(
        g.id != group.id and g.name.casefold() == name.casefold() for g in await target_groups(session, programme.id)
    ):
        raise DomainError("name_taken", _t("The programme has this target group already."), "target_group")
    group.name = name
    await session.flush()
    await audit(session, user, "rename_target_group", "programme", programme.id, detail={"name": name})


async def remove_target_group(
    session: AsyncSession, user: CurrentUser, programme: Programme, group: TargetGroup
) -> None:
    """A target group nobody is in may go; one in use is renamed instead."""
    manages(user, programme)
    if await session.scalar(select(Enrolment.id).where(Enrolment.target_group_id == group.id).limit(1)):
        raise DomainError("in_use", _t("People are in this target group: rename it instead."), "target_group")
    await session.delete(group)
    await session.flush()
    await audit(session, user, "remove_target_group", "programme", programme.id, detail={"name": group.name})


# --- stages ---------------------------------------------------------------------------------------------------


async def add_stage(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    name: str,
    *,
    kind: StageKind = StageKind.ACTIVE,
    after: ProgrammeStage | None = None,
) -> ProgrammeStage:
    """A new stage, after ``after`` (else after the last active stage)."""
    manages(user, programme)
    name = _name(name, "stage", 80)
    current = await stages(session, programme.id)
    if any(s.name.casefold() == name.casefold() for s in current):
        raise DomainError("name_taken", _t("The programme has this stage already."), "stage")
    active = [s for s in current if s.kind is StageKind.ACTIVE]
    anchor = after or (active[-1] if active else None)
    index = current.index(anchor) + 1 if anchor in current else 0
    stage = ProgrammeStage(programme_id=programme.id, name=name, kind=kind, position=0)
    session.add(stage)
    current.insert(index, stage)
    await _renumber(session, current)
    await audit(session, user, "add_stage", "programme", programme.id, detail={"name": name})
    return stage


async def _renumber(session: AsyncSession, ordered: Sequence[ProgrammeStage]) -> None:
    for i, stage in enumerate(ordered, 1):
        stage.position = i
    await session.flush()


async def rename_stage(
    session: AsyncSession, user: CurrentUser, programme: Programme, stage: ProgrammeStage, name: str
) -> None:
    manages(user, programme)
    name = _name(name, "stage", 80)
    if any(s.id != stage.id and s.name.casefold() == name.casefold() for s in await stages(session, programme.id)):
        raise DomainError("name_taken", _t("The programme has this stage already."), "stage")
    stage.name = name
    await session.flush()
    await audit(session, user, "rename_stage", "programme", programme.id, detail={"name": name})


async def reorder_stages(
    session: AsyncSession, user: CurrentUser, programme: Programme, order: Sequence[int]
) -> list[ProgrammeStage]:
    """Put the stages in the order of their ids ``order`` (every stage once)."""
    manages(user, programme)
    current = {s.id: s for s in await stages(session, programme.id)}
    if sorted(order) != sorted(current):
        raise DomainError("order", _t("Give every stage of the programme once."), "order")
    ordered = [current[i] for i in order]
    if ordered[0].kind is not StageKind.ACTIVE:
        # New referrals come in at the first stage: an ending there would end them at once.
        raise DomainError("ending_first", _t("The first stage must be one on the way, not an ending."), "order")
    await _renumber(session, ordered)
    await audit(session, user, "reorder_stages", "programme", programme.id, detail={"order": list(order)})
    return ordered


async def move_stage(
    session: AsyncSession, user: CurrentUser, programme: Programme, stage: ProgrammeStage, step: int
) -> None:
    """Move a stage one place up (-1) or down (+1)."""
    current = await stages(session, programme.id)
    i = next(n for n, s in enumerate(current) if s.id == stage.id)
    j = min(max(i + (1 if step > 0 else -1), 0), len(current) - 1)
    current[i], current[j] = current[j], current[i]
    await reorder_stages(session, user, programme, [s.id for s in current])


async def remove_stage(session: AsyncSession, user: CurrentUser, programme: Programme, stage: ProgrammeStage) -> None:
    """A stage nobody is in may go, as long as the programme keeps a first active stage, an ending as completed and
    one as dropped."""
    manages(user, programme)
    if await session.scalar(select(Enrolment.id).where(Enrolment.stage_id == stage.id).limit(1)):
        raise DomainError("in_use", _t("People are in this stage: move them first, or rename it."), "stage")
    rest = [s for s in await stages(session, programme.id) if s.id != stage.id]
    if not any(s.kind is stage.kind for s in rest):
        raise DomainError("last_of_kind", _t("The programme needs at least one stage of this kind."), "stage")
    await session.delete(stage)
    await session.flush()
    await _renumber(session, rest)
    await audit(session, user, "remove_stage", "programme", programme.id, detail={"name": stage.name})


async def set_stages(
    session: AsyncSession, user: CurrentUser, programme: Programme, names: Sequence[str]
) -> list[ProgrammeStage]:
    """Replace a new programme's active stages by ``names`` (in order), keeping its endings (afgerond,
    uitgevallen); refused once anyone is enrolled."""
    manages(user, programme)
    if await session.scalar(select(Enrolment.id).where(Enrolment.programme_id == programme.id).limit(1)):
        raise DomainError("in_use", _t("People are enrolled: change the stages one by one."), "stage")
    cleaned = [_name(n, "stage", 80) for n in names]
    if len({n.casefold() for n in cleaned}) != len(cleaned):
        raise DomainError("name_taken", _t("Each stage once."), "stage")
    endings = [s for s in await stages(session, programme.id) if s.kind is not StageKind.ACTIVE]
    taken = {s.name.casefold() for s in endings}
    clash = next((n for n in cleaned if n.casefold() in taken), None)
    if clash:
        raise DomainError("name_taken", _t("%(name)s is an ending of the programme already.", name=clash), "stage")
    for stage in await stages(session, programme.id):
        if stage.kind is StageKind.ACTIVE:
            await session.delete(stage)
    await session.flush()
    new = [ProgrammeStage(programme_id=programme.id, name=n, kind=StageKind.ACTIVE, position=0) for n in cleaned]
    session.add_all(new)
    await _renumber(session, [*new, *endings])
    await audit(session, user, "set_stages", "programme", programme.id, detail={"stages": cleaned})
    return [*new, *endings]


# --- partners and employers -----------------------------------------------------------------------------------


async def invite_partner(
    session: AsyncSession, user: CurrentUser, programme: Programme, name: str, role: PartnerRole
) -> Partnership:
    """Invite a partner organisation (a referrer, a coaching or training partner) into the programme, by name; a
    new name makes a partner organisation. Never an organising organisation or an employer."""
    manages(user, programme)
    name = _name(name, "organisation", 200)
    organisation = await find_organisation(session, name)
    if organisation is None:
        organisation = Organisation(name=name, kind=OrganisationKind.PARTNER)
        session.add(organisation)
        await session.flush()
    elif organisation.kind is not OrganisationKind.PARTNER:
        raise DomainError("not_a_partner", _t("%(name)s is not a partner organisation.", name=name), "organisation")
    elif not await works_with(session, programme.organisation_id, organisation):
        # Naming another organisation's partner would let its coaches, and new accounts in it, into this
        # programme without it having agreed (events.platform.organisations.works_with).
        raise DomainError(
            "partner_elsewhere",
            _t(
                "%(name)s works with another organisation here. Invite one of its coaches who has an account "
                "(by their e-mail address) first; after that you can invite new colleagues of theirs.",
                name=organisation.name,
            ),
            "organisation",
        )
    existing = await session.scalar(
        select(Partnership).where(
            Partnership.programme_id == programme.id, Partnership.organisation_id == organisation.id
        )
    )
    if existing is None:
        existing = Partnership(
            organisation_id=organisation.id, programme_id=programme.id, invited_by_id=user.id or None
        )
        session.add(existing)
    existing.role = role.value
    await session.flush()
    await audit(session, user, "invite_partner", "programme", programme.id, detail={"organisation": organisation.id})
    return existing


async def end_partnership(session: AsyncSession, user: CurrentUser, programme: Programme, partnership_id: int) -> None:
    manages(user, programme)
    found = await session.scalar(
        select(Partnership).where(Partnership.id == partnership_id, Partnership.programme_id == programme.id)
    )
    if found is None:
        raise NotFoundError(f"partnership {partnership_id}")
    await session.delete(found)
    await session.flush()
    await audit(
        session, user, "end_partnership", "programme", programme.id, detail={"organisation": found.organisation_id}
    )


async def partners(session: AsyncSession, programme: Programme) -> list[tuple[Partnership, Organisation]]:
    rows = await session.execute(
        select(Partnership, Organisation)
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .where(Partnership.programme_id == programme.id)
        .order_by(Organisation.name)
    )
    return [(p, o) for p, o in rows.tuples()]


async def employer_for(session: AsyncSession, name: str, *, social_enterprise: bool | None = None) -> Organisation:
    """The employer organisation of this name, made on the spot when there is none; never an organising or partner
    organisation."""
    name = _name(name, "employer", 200)
    organisation = await find_organisation(session, name)
    if organisation is None:
        organisation = Organisation(
            name=name, kind=OrganisationKind.EMPLOYER, social_enterprise=bool(social_enterprise)
        )
        session.add(organisation)
        await session.flush()
    elif organisation.kind is not OrganisationKind.EMPLOYER:
        raise DomainError("not_an_employer", _t("%(name)s is not an employer.", name=name), "employer")
    elif social_enterprise:
        # An employer is shared by every organisation on the installation: a programme may mark it as a social
        # enterprise, never take that from it.
        organisation.social_enterprise = True
    return organisation


async def add_employer(
    session: AsyncSession, user: CurrentUser, programme: Programme, name: str, *, social_enterprise: bool | None = None
) -> Organisation:
    """An employer working with the programme (a social entrepreneur, a company that never comes to an event)."""
    manages(user, programme)
    organisation = await employer_for(session, name, social_enterprise=social_enterprise)
    if not await session.scalar(
        select(ProgrammeEmployer.id).where(
            ProgrammeEmployer.programme_id == programme.id, ProgrammeEmployer.organisation_id == organisation.id
        )
    ):
        session.add(ProgrammeEmployer(programme_id=programme.id, organisation_id=organisation.id))
        await session.flush()
    await audit(session, user, "add_employer", "programme", programme.id, detail={"organisation": organisation.id})
    return organisation


async def remove_employer(session: AsyncSession, user: CurrentUser, programme: Programme, organisation_id: int) -> None:
    manages(user, programme)
    found = await session.scalar(
        select(ProgrammeEmployer).where(
            ProgrammeEmployer.programme_id == programme.id, ProgrammeEmployer.organisation_id == organisation_id
        )
    )
    if found is None:
        raise NotFoundError(f"employer {organisation_id}")
    await session.delete(found)
    await session.flush()
    await audit(session, user, "remove_employer", "programme", programme.id, detail={"organisation": organisation_id})


async def employers(session: AsyncSession, programme: Programme) -> list[Organisation]:
    return list(
        await session.scalars(
            select(Organisation)
            .join(ProgrammeEmployer, ProgrammeEmployer.organisation_id == Organisation.id)
            .where(ProgrammeEmployer.programme_id == programme.id)
            .order_by(Organisation.name)
        )
    )
