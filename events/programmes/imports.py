"""Importing participants into a programme from a spreadsheet (CSV or XLSX): the person columns of the event import
(events.registration.imports_candidates) plus the programme's own: target group, referred by, stage, referral and
intake dates. Every row is checked first; then all rows are written, or none.

Decisions:
- Target groups and stages are matched regardless of case and surrounding spaces; an unknown one is a row error
  naming the allowed ones. An empty cell: no target group, the programme's first stage.
- "Aangemeld door" (Referred by) names an organisation: one the programme knows (a partner, or its own
  organisation) is linked as the referring organisation; any other text is kept, as written, as the referrer's name
  (a neighbourhood connector is often a person, not an organisation). A "Verwijzer" (Referrer) column gives the
  referring person's name beside a known organisation.
- A person already in the programme is a row error: a stage moves with its history (who, when, why), which is the
  enrolment page's to record, not a spreadsheet's.
- People are matched as in the event import (the same e-mail address within the programme's organisation, or the
  same name with the same phone number or date of birth) and completed, never duplicated or overwritten.
- New people need a consent record: the row's consent columns, or the organiser's confirmation (``consent``).
- Every column with data that the import does not read is listed (``ImportPreview.unused``): reported, not refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import i18n
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.import_files import Table
from events.platform.models import (
    Candidate,
    Enrolment,
    Organisation,
    Partnership,
    Programme,
    ProgrammeStage,
    TargetGroup,
)
from events.platform.reach import connected_organisations
from events.platform.services import audit
from events.programmes.enrolments import enrol, manages, stages, target_groups
from events.registration.imports import consent_missing
from events.registration.imports_candidates import (
    check_coaches,
    complete_candidate,
    consent_for,
    known_candidates,
    link_coaches,
    match_candidates,
    new_candidate,
    parse_person,
)
from events.registration.imports_cells import CellError, ImportConsent, RowParser, name_key, parse_date, parse_rows
from events.registration.imports_fields import (
    CONSENT_FIELDS,
    PERSON_FIELDS,
    TARGET_GROUP_ALIASES,
    ImportField,
    ImportPreview,
    ImportRejected,
    ImportResult,
    ParsedRow,
    RowError,
    check_mapping,
    unused_columns,
)

KIND = "participants"

PARTICIPANT_FIELDS = (
    *PERSON_FIELDS,
    ImportField("target_group", N_("Target group"), TARGET_GROUP_ALIASES),
    ImportField(
        "referred_by",
        N_("Referred by"),
        ("aangemeld door", "verwezen door", "doorverwezen door", "aanmelder", "referred by", "referral by"),
    ),
    ImportField(
        "referrer", N_("Referrer"), ("verwijzer", "doorverwijzer", "naam verwijzer", "referrer", "referrer name")
    ),
    ImportField("stage", N_("Stage"), ("fase", "stap", "stage", "step")),
    ImportField(
        "referred_on",
        N_("Referral date"),
        ("aanmelddatum", "datum aanmelding", "aangemeld op", "verwijsdatum", "referral date", "referred on"),
    ),
    ImportField("intake_on", N_("Intake date"), ("intakedatum", "datum intake", "intake op", "intake date")),
    *CONSENT_FIELDS,
)

_LIMITS = {"referred_by": 200, "referrer": 200}


def _option(options: list[Any], text: str, empty: str) -> Any:
    """The option named ``text`` regardless of case and surrounding spaces; else a CellError naming the allowed
    ones (``empty`` when there are none)."""
    wanted = " ".join(text.split()).casefold()
    for option in options:
        if option.name.casefold() == wanted:
            return option
    if not options:
        raise CellError(i18n.gettext(empty))
    allowed = ", ".join(o.name for o in options)
    raise CellError(i18n.gettext("%(name)s is not one of: %(allowed)s", name=text.strip(), allowed=allowed))


@dataclass
class ProgrammeContext:
    """What a row is checked against: the programme's target groups, stages and the organisations it knows."""

    groups: list[TargetGroup]
    stages: list[ProgrammeStage]
    organisations: dict[str, int]  # casefolded name -> id


def _limited(p: RowParser, name: str) -> str | None:
    value = " ".join(p.cells.get(name, "").split())
    if not value:
        return None
    if len(value) > _LIMITS[name]:
        p.fail(name, i18n.gettext("too long (at most %(max)s characters)", max=_LIMITS[name]))
        return None
    return value


def _participant_row(p: RowParser, known: ProgrammeContext) -> None:
    parse_person(p)
    p.parsed(
        "target_group",
        lambda raw: _option(known.groups, raw, N_("the programme has no target groups yet; add them first")),
    )
    # The programme's group, kept apart from the person's own (free-text) target group of the event import.
    if (group := p.values.pop("target_group", None)) is not None:
        p.values["programme_group"] = group
    p.parsed("stage", lambda raw: _option(known.stages, raw, N_("the programme has no stages")))
    referred_by = _limited(p, "referred_by")
    referrer = _limited(p, "referrer")
    if referred_by is not None:
        organisation_id = known.organisations.get(referred_by.casefold())
        if organisation_id is not None:
            p.values["referred_by_organisation_id"] = organisation_id
            if referrer:
                p.values["referrer_name"] = referrer
        else:
            # Not an organisation the programme knows: kept as written, as the name of whoever referred.
            name = f"{referred_by} ({referrer})" if referrer else referred_by
            if len(name) > _LIMITS["referrer"]:
                p.fail("referred_by", i18n.gettext("too long (at most %(max)s characters)", max=_LIMITS["referrer"]))
            else:
                p.values["referrer_name"] = name
    elif referrer is not None:
        p.values["referrer_name"] = referrer
    referred_on = p.parsed("referred_on", parse_date)
    intake_on = p.parsed("intake_on", parse_date)
    if isinstance(referred_on, dt.date) and isinstance(intake_on, dt.date) and intake_on < referred_on:
        p.fail("intake_on", i18n.gettext("lies before the referral date"))


@dataclass
class ParticipantsPreview(ImportPreview):
    """The check of a participants import: as an event import's, with how the rows spread over the target groups
    and stages, and how many referrers were linked to an organisation the programme knows or kept as text."""

    groups: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    referrers_linked: int = 0
    referrers_as_text: int = 0
    coaches: dict[str, int] = field(default_factory=dict)


def _known_organisations(programme: Programme) -> Select[tuple[int]]:
    """The programme's organisation and its partners in the programme."""
    partners = select(Partnership.organisation_id).where(Partnership.programme_id == programme.id)
    return select(Organisation.id).where((Organisation.id == programme.organisation_id) | Organisation.id.in_(partners))


async def preview_participants(
    session: AsyncSession, user: CurrentUser, programme: Programme, table: Table, mapping: dict[int, str]
) -> ParticipantsPreview:
    """Parse and check every row against the programme and the people its organisation knows; write nothing."""
    manages(user, programme)
    check_mapping(PARTICIPANT_FIELDS, mapping, len(table.headers))
    names = await session.execute(
        select(Organisation.name, Organisation.id).where(Organisation.id.in_(_known_organisations(programme)))
    )
    known = ProgrammeContext(
        groups=await target_groups(session, programme.id),
        stages=await stages(session, programme.id),
        organisations={name.casefold(): organisation_id for name, organisation_id in names.tuples()},
    )
    errors: list[RowError] = []
    rows = parse_rows(table, mapping, errors, lambda p: _participant_row(p, known))
    # The coaches of the programme's organisation, of those it works with, and of the programme's partners.
    coach_organisations = select(Organisation.id).where(
        Organisation.id.in_(connected_organisations(programme.organisation_id))
        | Organisation.id.in_(select(Partnership.organisation_id).where(Partnership.programme_id == programme.id))
    )
    coaches = await check_coaches(session, coach_organisations, rows, errors)
    await match_candidates(session, programme.organisation_id, rows, errors)
    await _already_enrolled(session, programme, rows, errors)
    errors.sort(key=lambda e: e.row)
    preview = ParticipantsPreview(
        kind=KIND,
        rows=rows,
        errors=errors,
        new=sum(1 for r in rows if r.existing_id is None),
        matched=sum(1 for r in rows if r.existing_id is not None),
        unused=unused_columns(table, mapping),
        coaches=coaches,
    )
    preview.needs_consent = sum(1 for r in rows if r.existing_id is None and "consent_date" not in r.values)
    for parsed in rows:
        group = parsed.values.get("programme_group")
        if group is not None:
            preview.groups[group.name] = preview.groups.get(group.name, 0) + 1
        stage = parsed.values.get("stage") or (known.stages[0] if known.stages else None)
        if stage is not None:
            preview.stages[stage.name] = preview.stages.get(stage.name, 0) + 1
        if "referred_by_organisation_id" in parsed.values:
            preview.referrers_linked += 1
        elif parsed.values.get("referrer_name"):
            preview.referrers_as_text += 1
    return preview


async def _already_enrolled(
    session: AsyncSession, programme: Programme, rows: list[ParsedRow], errors: list[RowError]
) -> None:
    """A row of someone already in the programme is an error. Matched by the usual rules, and, for a row that
    gives nothing but a name, by the name: a second import of the same sheet must not enrol the same people
    twice as new ones."""
    enrolled = await session.execute(
        select(Candidate.id, Candidate.first_name, Candidate.last_name)
        .join(Enrolment, Enrolment.candidate_id == Candidate.id)
        .where(Enrolment.programme_id == programme.id, Candidate.erased_at.is_(None))
    )
    ids: set[int] = set()
    names: set[str] = set()
    for candidate_id, first, last in enrolled.tuples():
        ids.add(candidate_id)
        names.add(name_key(first, last))
    for parsed in rows:
        values = parsed.values
        if parsed.existing_id in ids:
            reason = i18n.gettext("already in the programme: change their stage on their own page")
        elif (
            parsed.existing_id is None
            and not any(values.get(k) for k in ("email", "phone", "date_of_birth"))
            and name_key(values.get("first_name", ""), values.get("last_name", "")) in names
        ):
            reason = i18n.gettext(
                "someone of this name is in the programme already: add an e-mail address, phone number or date "
                "of birth if this is someone else"
            )
        else:
            continue
        errors.append(RowError(parsed.row, "last_name", reason))


def participants_purpose(programme: Programme) -> str:
    """What participants brought in by an import agreed to, unless the organiser words it otherwise."""
    return i18n.gettext(
        "My details are kept by the organisers of %(programme)s and shared with my coach and the programme's "
        "partners as far as they need them to help me towards work.",
        programme=programme.name,
    )


async def apply_participants(
    session: AsyncSession,
    user: CurrentUser,
    programme: Programme,
    table: Table,
    mapping: dict[int, str],
    consent: ImportConsent | None = None,
) -> ImportResult:
    """Import every row in the caller's transaction, or raise ImportRejected and write nothing: new people with
    their consent record, known people completed, everyone enrolled in the programme."""
    preview = await preview_participants(session, user, programme, table, mapping)
    if preview.errors:
        raise ImportRejected(preview.errors)
    if preview.needs_consent and consent is None:
        raise consent_missing(preview)
    existing = await known_candidates(session, programme.organisation_id, preview.rows)
    actor_id = user.id or None
    purpose = participants_purpose(programme)
    created = matched = updated = coach_links = consents = 0
    for parsed in preview.rows:
        values = parsed.values
        candidate = existing.get(parsed.existing_id) if parsed.existing_id is not None else None
        linked: set[int] = set()
        record = None
        if candidate is None:
            candidate = new_candidate(values, programme.organisation_id, actor_id)
            session.add(candidate)
            await session.flush()
            record = consent_for(values, candidate.id, consent, actor_id, purpose)
            created += 1
        else:
            matched += 1
            linked = {link.coach_id for link in candidate.coaches}
            changed = complete_candidate(candidate, values)
            if "consent_date" in values and not any(c.withdrawn_at is None for c in candidate.consents):
                record = consent_for(values, candidate.id, consent, actor_id, purpose)
                changed = True
            updated += changed
        if record is not None:
            session.add(record)
            await session.flush()
            consents += 1
        coach_links += link_coaches(session, candidate.id, values.get("coach_email", []), preview.coaches, linked)
        enrolment = await enrol(
            session,
            user,
            programme,
            candidate,
            target_group=values.get("programme_group"),
            stage=values.get("stage"),
            referred_by_organisation_id=values.get("referred_by_organisation_id"),
            referrer_name=values.get("referrer_name", ""),
            # Without a referral date, the intake's (else today) is the day they came in.
            referred_on=values.get("referred_on") or values.get("intake_on"),
            intake_on=values.get("intake_on"),
        )
        if record is not None:
            enrolment.consent_id = record.id
    await session.flush()
    result = ImportResult(
        kind=KIND,
        rows=len(preview.rows),
        created=created,
        matched=matched,
        updated=updated,
        details={
            "enrolments_created": len(preview.rows),
            "coach_links_created": coach_links,
            "consents_recorded": consents,
        },
    )
    await audit(
        session,
        user if user.id else None,
        "import",
        "programme",
        programme.id,
        detail={"kind": KIND, "rows": result.rows, "created": created, "matched": matched, "updated": updated},
    )
    return result
