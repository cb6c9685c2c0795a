"""The export of a programme's participants, as CSV or XLSX (events/platform/spreadsheets.py writes the files, with
every text cell a spreadsheet would run as a formula neutralised).

What it holds follows the event export: what an organiser needs to run the programme (name, how to reach the
person, coaches) and the programme's own columns (target group, stage, referred by, referral and intake dates);
never the confidential parts of an enrolment (wishes, goals, barriers, the intake's reason, through whom to reach
someone). Criminal-justice data only when asked for (``with_justice``), by those allowed to read it, each person's
read audited. The headers are the import's, so an export can be edited and imported into another programme.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.models import (
    Candidate,
    CandidateCoach,
    Enrolment,
    Organisation,
    Programme,
    ProgrammeStage,
    TargetGroup,
)
from events.platform.reach import reads_justice
from events.platform.services import audit
from events.programmes.enrolments import manages
from events.programmes.imports import PARTICIPANT_FIELDS

PARTICIPANT_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "city",
    "coach_email",
    "target_group",
    "stage",
    "referred_by",
    "referrer",
    "referred_on",
    "intake_on",
)
JUSTICE_HEADERS = (N_("Detained"), N_("Release date"), N_("Criminal record"))

Rows = list[list[object]]


def _date(day: dt.date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _justice_cells(justice: dict[str, object]) -> list[object]:
    yes, no = i18n.gettext("yes"), i18n.gettext("no")

    def flag(key: str) -> str:
        value = justice.get(key)
        return "" if value is None else (yes if value else no)

    release = justice.get("release_date")
    try:
        release_text = _date(dt.date.fromisoformat(str(release))) if release else ""
    except ValueError:
        release_text = str(release)
    return [flag("detained"), release_text, flag("criminal_record")]


def participant_headers(*, with_justice: bool = False) -> list[str]:
    """The export's headers in the current language."""
    labels = {f.name: f.label for f in PARTICIPANT_FIELDS}
    headers = [i18n.gettext(labels[name]) for name in PARTICIPANT_COLUMNS]
    if with_justice:
        headers += [i18n.gettext(h) for h in JUSTICE_HEADERS]
    return headers


async def participant_rows(
    session: AsyncSession, user: CurrentUser, programme: Programme, *, with_justice: bool = False
) -> tuple[list[str], Rows]:
    """The headers and one row per participant (by name) of ``programme``, for its organisers; audited."""
    manages(user, programme)
    if with_justice and not reads_justice(user, programme.organisation_id, set()):
        raise DomainError(
            "justice_not_allowed",
            i18n.gettext("You may not read criminal-justice data of this programme's participants."),
            "with_justice",
        )
    query = (
        select(Enrolment, Candidate)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .where(Enrolment.programme_id == programme.id, Candidate.erased_at.is_(None))
        .options(selectinload(Candidate.coaches).selectinload(CandidateCoach.coach))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)
    )
    found = list((await session.execute(query)).tuples())
    groups = dict(
        (
            await session.execute(
                select(TargetGroup.id, TargetGroup.name).where(TargetGroup.programme_id == programme.id)
            )
        )
        .tuples()
        .all()
    )
    stage_names = dict(
        (
            await session.execute(
                select(ProgrammeStage.id, ProgrammeStage.name).where(ProgrammeStage.programme_id == programme.id)
            )
        )
        .tuples()
        .all()
    )
    referring = {e.referred_by_organisation_id for e, _ in found if e.referred_by_organisation_id}
    organisations = (
        dict(
            (await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(referring))))
            .tuples()
            .all()
        )
        if referring
        else {}
    )
    rows: Rows = []
    for enrolment, candidate in found:
        row: list[object] = [
            candidate.first_name,
            candidate.last_name,
            candidate.email or "",
            candidate.phone or "",
            candidate.city or "",
            ", ".join(sorted(link.coach.email for link in candidate.coaches)),
            groups.get(enrolment.target_group_id, "") if enrolment.target_group_id else "",
            stage_names.get(enrolment.stage_id, ""),
            organisations.get(enrolment.referred_by_organisation_id, "")
            if enrolment.referred_by_organisation_id
            else "",
            enrolment.referrer_name or "",
            _date(enrolment.referred_on),
            _date(enrolment.intake_on),
        ]
        if with_justice:
            row += _justice_cells(dict(enrolment.justice or {}))
            # Criminal-justice data leaves the system only on request, and each person's read is on record.
            await audit(
                session,
                user,
                "read_justice",
                "enrolment",
                enrolment.id,
                candidate_id=enrolment.candidate_id,
                detail={"export": True},
            )
        rows.append(row)
    await audit(
        session,
        user,
        "export",
        "programme",
        programme.id,
        detail={"kind": "participants", "rows": len(rows), "with_justice": with_justice},
    )
    return participant_headers(with_justice=with_justice), rows
