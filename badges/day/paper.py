"""The paper fallback, entered afterwards: who was ticked present on the attendance list, and which talks
were ticked as held (with the employer's follow-up answer) on the table sheets."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day.door import record_check_in
from badges.models import CheckIn, CheckInMethod, FollowUp, HeldTalk, HolderKind
from badges.people import Holder, holders
from badges.schedules import published_meetings
from events.platform.db import dialect_insert, utcnow
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import EmployerParticipation, Event, Organisation
from events.platform.services import audit

KINDS = (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.GUEST)


@dataclass(frozen=True, slots=True)
class TableSheet:
    """What an employer's table sheets say, as typed into the form: the talks ticked as held (candidate
    participation ids) and the follow-up ticked per candidate."""

    employer_id: int
    held: list[int]
    follow_ups: dict[int, str]

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> TableSheet:
        try:
            employer_id = int(str(values.get("employer") or ""))
            held = [int(str(v)) for v in values.get("held", [])]
        except ValueError:
            raise DomainError("invalid", _t("Choose an employer and the talks from the list."), "held") from None
        follow_ups = {
            int(key.removeprefix("follow_up_")): str(value)
            for key, value in values.items()
            if key.startswith("follow_up_")
            and key.removeprefix("follow_up_").isascii()
            and key.removeprefix("follow_up_").isdigit()
        }
        return cls(employer_id, held, follow_ups)


@dataclass(frozen=True, slots=True)
class PaperTalk:
    candidate: int
    name: str
    round: int
    table: int
    held: bool
    follow_up: str


async def not_checked_in(session: AsyncSession, event: Event) -> list[Holder]:
    arrived = set(await session.scalars(select(CheckIn.holder).where(CheckIn.event_id == event.id)))
    return [h for h in await holders(session, event, KINDS) if h.token_subject not in arrived]


async def employers(session: AsyncSession, event: Event) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(EmployerParticipation.id, Organisation.name)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(EmployerParticipation.taking_part(event.id))
        .order_by(Organisation.name)
    )
    return list(rows.tuples())


async def record_attendance(session: AsyncSession, user: CurrentUser, event: Event, subjects: Collection[str]) -> int:
    """Check in everyone ticked present ("candidate:12", "employer:3"); returns how many were new."""
    people = {h.token_subject: h for h in await holders(session, event, KINDS)}
    unknown = [s for s in subjects if s not in people]
    if unknown:
        raise DomainError("invalid", _t("Unknown person on the list: %(who)s", who=unknown[0]), "present")
    done = 0
    for subject in subjects:
        added, _ = await record_check_in(session, event, people[subject], by=user, method=CheckInMethod.PAPER)
        done += int(added)
    await audit(session, user, "paper_attendance", "event", event.id, detail={"ticked": len(subjects), "new": done})
    return done


async def talks_of(session: AsyncSession, event: Event, employer_id: int) -> list[PaperTalk]:
    """The employer's planned talks with what has been recorded of them so far."""
    _, meetings = await published_meetings(session, event, candidates=[], employers=[employer_id])
    mine = [m for m in meetings if m.employer_participation_id == employer_id]
    names = {
        h.id: h.short_name
        for h in await holders(
            session,
            event,
            (HolderKind.CANDIDATE,),
            only={m.candidate_participation_id for m in mine},
            with_short_names=True,
        )
    }
    held = {
        t.candidate_participation_id: t
        for t in await session.scalars(
            select(HeldTalk).where(HeldTalk.event_id == event.id, HeldTalk.employer_participation_id == employer_id)
        )
    }
    return [
        PaperTalk(
            m.candidate_participation_id,
            names.get(m.candidate_participation_id, "?"),
            m.round,
            m.table,
            m.candidate_participation_id in held,
            (held[m.candidate_participation_id].follow_up or "") if m.candidate_participation_id in held else "",
        )
        for m in sorted(mine, key=lambda m: (m.round, m.table))
    ]


async def record_talks(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    employer_id: int,
    held: Collection[int],
    follow_ups: Mapping[int, str],
) -> int:
    """Record the talks ticked as held on an employer's table sheets, with the follow-up ticked; the candidate
    of a held talk was there, so is checked in too. Returns how many talks were recorded new."""
    if employer_id not in {e for e, _ in await employers(session, event)}:
        raise NotFoundError("employer")
    planned = {t.candidate: t for t in await talks_of(session, event, employer_id)}
    strange = [c for c in held if c not in planned]
    if strange:
        raise DomainError("invalid", _t("That talk is not in the programme."), "held")
    for candidate, answer in follow_ups.items():
        if answer and answer not in {f.value for f in FollowUp}:
            raise DomainError("invalid", _t("Answer yes, maybe or no."), f"follow_up_{candidate}")
    people = {h.id: h for h in await holders(session, event, (HolderKind.CANDIDATE,), only=set(held))}
    added = 0
    now = utcnow()
    for candidate in held:
        talk = planned[candidate]
        inserted = await session.scalar(
            dialect_insert(session, HeldTalk)
            .values(
                event_id=event.id,
                candidate_participation_id=candidate,
                employer_participation_id=employer_id,
                round=talk.round,
                planned=True,
                at=event.round_start(talk.round),
                by_user_id=user.id,
                source="paper",
                note="",
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["event_id", "candidate_participation_id", "employer_participation_id"]
            )
            .returning(HeldTalk.id)
        )
        added += int(inserted is not None)
        answer = follow_ups.get(candidate, "")
        if answer:
            row = await session.scalar(
                select(HeldTalk).where(
                    HeldTalk.event_id == event.id,
                    HeldTalk.candidate_participation_id == candidate,
                    HeldTalk.employer_participation_id == employer_id,
                )
            )
            if row is not None:
                row.follow_up = FollowUp(answer)
        if candidate in people:
            await record_check_in(
                session, event, people[candidate], by=user, method=CheckInMethod.PAPER, at=event.round_start(talk.round)
            )
    await audit(session, user, "paper_talks", "employer_participation", employer_id, detail={"held": len(held)})
    return added
