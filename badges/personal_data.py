"""The badges' part of a person's data (events.platform.personal_data): badge numbers, check-ins, the talks held
with the employers' answers and notes, the scanners' stored answers and the print files.

Erased, the check-ins and talks stay (the figures count them) without the employers' notes; the scanners'
stored answers lose the person's name and door instruction; their badge and calendar links stop working; the
print files that show them go, and an organiser prints again in seconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import CheckIn, HeldTalk, PersonToken, PrintJob, Scan, TokenPurpose
from badges.queries import held_talks
from events.platform.i18n import gettext as _t
from events.platform.personal_data import Erasing, Person, plain


class BadgesData:
    """Badge and calendar tokens, check-ins, talks held, scans and print files."""

    name = "badges"
    tables = tuple(m.__tablename__ for m in (PersonToken, CheckIn, HeldTalk, Scan, PrintJob))
    months_after_event = 0

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        return {
            "badges": await _badges(session, person.participation_ids),
            "check_ins": await _check_ins(session, person.participation_ids),
            "talks_held": await _talks_held(session, person),
        }

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        if not person.participation_ids:
            return []
        return [t.note for t in await held_talks(session, candidate_participations=person.participation_ids)]

    async def erase(self, erasing: Erasing) -> None:
        pids = erasing.person.participation_ids
        if pids:
            await erasing.blank(HeldTalk, HeldTalk.candidate_participation_id.in_(pids), note="")
            await _scans(erasing)
            await erasing.blank(
                PersonToken,
                PersonToken.candidate_participation_id.in_(pids) & PersonToken.revoked_at.is_(None),
                revoked_at=erasing.at,
            )
        await _print_jobs(erasing)


async def _badges(session: AsyncSession, pids: tuple[int, ...]) -> list[dict[str, Any]]:
    # The badge numbers and when they were issued; never the tokens (only their hashes are kept anyway).
    if not pids:
        return []
    rows = await session.execute(
        select(
            PersonToken.event_id,
            PersonToken.purpose,
            PersonToken.number,
            PersonToken.version,
            PersonToken.created_at,
            PersonToken.revoked_at,
        )
        .where(PersonToken.candidate_participation_id.in_(pids))
        .order_by(PersonToken.id)
    )
    return [
        {
            "event": e,
            "purpose": purpose,
            "number": number,
            "version": version,
            "issued_at": plain(created),
            "revoked_at": plain(revoked),
        }
        for e, purpose, number, version, created, revoked in rows.tuples()
    ]


async def _check_ins(session: AsyncSession, pids: tuple[int, ...]) -> list[dict[str, Any]]:
    if not pids:
        return []
    rows = await session.execute(
        select(CheckIn.event_id, CheckIn.at, CheckIn.method)
        .where(CheckIn.candidate_participation_id.in_(pids))
        .order_by(CheckIn.at)
    )
    return [{"event": e, "at": plain(at), "method": method} for e, at, method in rows.tuples()]


async def _talks_held(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    if not person.participation_ids:
        return []
    return [
        {
            "id": t.id,
            "event": t.event_id,
            "employer": person.employers.get(t.employer_participation_id, ""),
            "round": t.round,
            "planned": t.planned,
            "at": plain(t.at),
            "employer_follow_up": t.follow_up,
            "employer_note": t.note,
        }
        for t in await held_talks(session, candidate_participations=person.participation_ids)
    ]


async def _scans(erasing: Erasing) -> None:
    """A scan's stored answer (returned again to a repeated request) names the person: their first name, the
    organiser's door instruction. Found by their badge numbers at their events, and by their talks."""
    session, pids = erasing.session, erasing.person.participation_ids
    badges = {
        (int(e), int(n))
        for e, n in (
            await session.execute(
                select(PersonToken.event_id, PersonToken.number).where(
                    PersonToken.candidate_participation_id.in_(pids), PersonToken.purpose == TokenPurpose.BADGE
                )
            )
        ).tuples()
    }
    talks = {t.id for t in await held_talks(session, candidate_participations=pids)}
    rows = await session.execute(
        select(Scan.id, Scan.event_id, Scan.answer).where(Scan.event_id.in_(erasing.person.event_ids))
    )
    for scan_id, event_id, answer in rows.tuples():
        person = answer.get("person") or {}
        theirs = (person.get("role") == "candidate" and (event_id, person.get("number")) in badges) or (
            (answer.get("talk") or {}).get("id") in talks
        )
        if not theirs:
            continue
        blanked = {**answer, "message": ""}
        if "person" in answer:
            blanked["person"] = {"role": person.get("role"), "number": person.get("number")}
        await session.execute(
            update(Scan).where(Scan.id == scan_id).values(answer=blanked).execution_options(synchronize_session=False)
        )
        erasing.tables.add(Scan.__tablename__)


async def _print_jobs(erasing: Erasing) -> None:
    """The print files that show the person (their badge or handout, an employer's rounds or a table sheet with
    them, an attendance list) go. Each job records the candidates its file shows (badges.printing.jobs:
    "candidates_shown"); a file from before that record counts as showing everyone of its event."""
    if not erasing.person.event_ids:
        return
    rows = await erasing.session.execute(
        select(PrintJob.id, PrintJob.file_name, PrintJob.selection).where(
            PrintJob.event_id.in_(erasing.person.event_ids), PrintJob.file_name != ""
        )
    )
    pids = erasing.person.participation_ids
    found = [(job_id, name) for job_id, name, selection in rows.tuples() if _shows(selection, pids)]
    if not found:
        return
    erasing.files.extend(name for _, name in found)
    await erasing.session.execute(
        update(PrintJob)
        .where(PrintJob.id.in_([i for i, _ in found]))
        .values(file_name="", message=_t("Removed after a person's data was erased; print it again."))
        .execution_options(synchronize_session=False)
    )
    erasing.tables.add(PrintJob.__tablename__)


def _shows(selection: Any, pids: tuple[int, ...]) -> bool:
    shown = selection.get("candidates_shown") if isinstance(selection, dict) else None
    if not isinstance(shown, list):
        return True
    return not set(pids).isdisjoint(shown)
