"""The programmes' part of a person's data (events.platform.personal_data): their enrolments with the stage history,
the activities on their timeline and the benefits they had.

Erased, the rows stay (the programme's figures count them: stages, target groups, activities, benefits left) without
what was written about the person: their wishes and goals, barriers, criminal-justice data, how to reach them, the
intake's reason, the referrer's name, the notes and employers' answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import (
    Activity,
    BenefitPeriod,
    CandidateCoach,
    Enrolment,
    Organisation,
    Programme,
    ProgrammeStage,
    StageChange,
    TargetGroup,
)
from events.platform.personal_data import Erasing, Person, iso, plain
from events.platform.reach import reads_justice
from events.platform.services import audit

# What an export holds instead of criminal-justice data for a reader who may not read it.
WITHHELD = {"withheld": "read by the person's coaches and the organisers allowed it"}


class ProgrammesData:
    """Enrolments, stage changes, activities and benefit periods."""

    name = "programmes"
    tables = tuple(m.__tablename__ for m in (Enrolment, StageChange, Activity, BenefitPeriod))
    months_after_event = 0

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        enrolments = await _enrolments(session, person.candidate_id)
        await _justice_for_the_reader(session, person, enrolments)
        return {"enrolments": enrolments}

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        texts: list[str | None] = []
        for enrolment in await session.scalars(select(Enrolment).where(Enrolment.candidate_id == person.candidate_id)):
            texts += [enrolment.wishes, enrolment.goals, enrolment.contact_through, enrolment.decision_reason]
        activities = select(Enrolment.id).where(Enrolment.candidate_id == person.candidate_id)
        for note, answer in (
            await session.execute(
                select(Activity.note, Activity.employer_answer).where(Activity.enrolment_id.in_(activities))
            )
        ).tuples():
            texts += [note, answer]
        return texts

    async def erase(self, erasing: Erasing) -> None:
        candidate_id = erasing.person.candidate_id
        await erasing.blank(
            Enrolment,
            Enrolment.candidate_id == candidate_id,
            wishes="",
            goals="",
            contact_through="",
            decision_reason="",
            referrer_name="",
            barriers=[],
            justice={},
        )
        enrolments = select(Enrolment.id).where(Enrolment.candidate_id == candidate_id)
        await erasing.blank(Activity, Activity.enrolment_id.in_(enrolments), note="", employer_answer="")


async def _justice_for_the_reader(session: AsyncSession, person: Person, enrolments: list[dict[str, Any]]) -> None:
    """Criminal-justice data in an export only for a reader who may read it (every read audited, as on the pages);
    for anyone else the export says it is held and by whom it is read. The command line and sweeps read it all."""
    reader = person.reader
    coaches = set(
        await session.scalars(select(CandidateCoach.coach_id).where(CandidateCoach.candidate_id == person.candidate_id))
    )
    for entry in enrolments:
        organisation = entry.pop("_organisation")
        if reader is None or reader.everywhere or not entry["justice"]:
            continue
        if reads_justice(reader, organisation, coaches):
            await audit(session, reader, "read_justice", "enrolment", entry["id"], candidate_id=person.candidate_id)
        else:
            entry["justice"] = WITHHELD


async def _enrolments(session: AsyncSession, candidate_id: int) -> list[dict[str, Any]]:
    enrolments = list(
        await session.scalars(select(Enrolment).where(Enrolment.candidate_id == candidate_id).order_by(Enrolment.id))
    )
    if not enrolments:
        return []
    ids = [e.id for e in enrolments]
    rows = (
        await session.execute(
            select(Programme.id, Programme.name, Programme.organisation_id).where(
                Programme.id.in_({e.programme_id for e in enrolments})
            )
        )
    ).tuples()
    programmes, organisation_of_programme = {}, {}
    for pid, name, owner in rows:
        programmes[pid], organisation_of_programme[pid] = name, owner
    stages = dict(
        list(
            (
                await session.execute(
                    select(ProgrammeStage.id, ProgrammeStage.name).where(
                        ProgrammeStage.programme_id.in_(set(programmes))
                    )
                )
            ).tuples()
        )
    )
    groups = dict(
        list(
            (
                await session.execute(
                    select(TargetGroup.id, TargetGroup.name).where(TargetGroup.programme_id.in_(set(programmes)))
                )
            ).tuples()
        )
    )
    activities = list(
        await session.scalars(
            select(Activity).where(Activity.enrolment_id.in_(ids)).order_by(Activity.starts_on, Activity.id)
        )
    )
    benefits = list(
        await session.scalars(
            select(BenefitPeriod).where(BenefitPeriod.enrolment_id.in_(ids)).order_by(BenefitPeriod.id)
        )
    )
    changes = list(
        await session.scalars(select(StageChange).where(StageChange.enrolment_id.in_(ids)).order_by(StageChange.at))
    )
    organisation_ids = {a.organisation_id for a in activities if a.organisation_id}
    organisation_ids |= {e.referred_by_organisation_id for e in enrolments if e.referred_by_organisation_id}
    organisations = dict(
        list(
            (
                await session.execute(
                    select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
                )
            ).tuples()
        )
    )
    return [
        {
            "id": e.id,
            "_organisation": organisation_of_programme.get(e.programme_id, 0),
            "programme": programmes.get(e.programme_id),
            "target_group": groups.get(e.target_group_id or 0),
            "stage": stages.get(e.stage_id),
            "referred_by": organisations.get(e.referred_by_organisation_id or 0),
            "referrer_name": e.referrer_name,
            "referred_on": iso(e.referred_on),
            "intake_on": iso(e.intake_on),
            "decision": plain(e.decision),
            "decision_reason": e.decision_reason,
            "contact_through": e.contact_through,
            "wishes": e.wishes,
            "goals": e.goals,
            "barriers": list(e.barriers or []),
            "justice": dict(e.justice or {}),
            "ended_on": iso(e.ended_on),
            "drop_reason": plain(e.drop_reason),
            "stage_history": [
                {
                    "at": iso(c.at),
                    "from": stages.get(c.from_stage_id or 0),
                    "to": stages.get(c.to_stage_id or 0),
                    "drop_reason": plain(c.drop_reason),
                }
                for c in changes
                if c.enrolment_id == e.id
            ],
            "activities": [
                {
                    "kind": a.kind.value,
                    "title": a.title,
                    "organisation": organisations.get(a.organisation_id or 0),
                    "provider": a.provider,
                    "event": a.event_id,
                    "starts_on": iso(a.starts_on),
                    "planned_end": iso(a.planned_end),
                    "ended_on": iso(a.ended_on),
                    "completed": a.completed,
                    "introduction_status": plain(a.introduction_status),
                    "match": a.match,
                    "employer_answer": a.employer_answer,
                    "note": a.note,
                }
                for a in activities
                if a.enrolment_id == e.id
            ],
            "benefits": [
                {"benefit": b.benefit.value, "since": iso(b.since), "left_on": iso(b.left_on)}
                for b in benefits
                if b.enrolment_id == e.id
            ],
        }
        for e in enrolments
    ]
