"""Importing candidates: each row parsed and matched against the people we know (the same e-mail address, or the
same name with the same phone number or date of birth), coaches looked up, then written: new people with their
consent record, known people completed, and everyone signed up for the event."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import i18n
from events.platform.identity import CurrentUser
from events.platform.import_files import Table
from events.platform.models import (
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
    Consent,
    ConsentMethod,
    Event,
    ParticipationStatus,
    Role,
    User,
)
from events.platform.reach import connected_organisations
from events.registration.imports_cells import (
    ImportConsent,
    RowParser,
    consent_moment,
    default_consent_purpose,
    name_key,
    parse_consent_date,
    parse_consent_method,
    parse_date,
    parse_email,
    parse_int,
    parse_rounds,
    parse_rows,
    parse_sectors,
    parse_status,
    phone_digits,
)
from events.registration.imports_fields import MAX_LENGTHS, ImportResult, ParsedRow, RowError, assign_changes


def parse_person(p: RowParser) -> None:
    """The person columns of a row (names, contact, coaches, sectors, hours, consent): every import of people."""
    p.text("first_name", required=True)
    infix = p.text("infix")
    last = p.text("last_name", required=True)
    if last and infix:
        # The Dutch tussenvoegsel belongs to the surname ("van der Berg"); there is no column of its own.
        joined = f"{infix} {last}"
        if len(joined) > MAX_LENGTHS["last_name"]:
            p.fail("last_name", i18n.gettext("too long (at most %(max)s characters)", max=MAX_LENGTHS["last_name"]))
        p.values["last_name"] = joined
    p.values.pop("infix", None)
    p.parsed("email", parse_email)
    p.text("phone")
    p.parsed("date_of_birth", parse_date)
    p.text("city")
    p.parsed("coach_email", lambda raw: [parse_email(part) for part in re.split(r"[,;\s]+", raw) if part])
    p.parsed("sectors", parse_sectors)
    p.parsed("hours_per_week", lambda raw: parse_int(raw, 0, 80))
    p.parsed("consent_date", parse_consent_date)
    p.parsed("consent_method", parse_consent_method)


def _candidate_row(p: RowParser, event: Event) -> None:
    parse_person(p)
    p.parsed("rounds", lambda raw: parse_rounds(raw, event.rounds))
    p.parsed("status", parse_status)
    p.text("target_group")


async def check_candidates(
    session: AsyncSession, event: Event, table: Table, mapping: dict[int, str], errors: list[RowError]
) -> tuple[list[ParsedRow], dict[str, int]]:
    """Every row parsed, the coaches it names looked up (e-mail -> coach id) and matched against the people we
    know; problems go to ``errors``."""
    rows = parse_rows(table, mapping, errors, lambda p: _candidate_row(p, event))
    coaches = await check_coaches(session, connected_organisations(event.organisation_id), rows, errors)
    await match_candidates(session, event.organisation_id, rows, errors)
    return rows, coaches


# --- matching ----------------------------------------------------------------------------------------


def _person_keys(values: dict[str, Any]) -> list[str]:
    keys = []
    if values.get("email"):
        keys.append(f"email:{values['email']}")
    name = name_key(values.get("first_name", ""), values.get("last_name", ""))
    if phone := phone_digits(values.get("phone")):
        keys.append(f"phone:{name}|{phone}")
    if values.get("date_of_birth"):
        keys.append(f"born:{name}|{values['date_of_birth'].isoformat()}")
    return keys


@dataclass
class _KnownPeople:
    """The candidates we already know, indexed the ways a row may match them."""

    by_email: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[tuple[int, str, dt.date | None]]] = field(default_factory=dict)

    def match(self, values: dict[str, Any]) -> int | None:
        """The same person: same e-mail address, else the same name with the same phone number or date of birth."""
        email = values.get("email")
        if email and email in self.by_email:
            return self.by_email[email]
        phone = phone_digits(values.get("phone"))
        born = values.get("date_of_birth")
        for candidate_id, known_phone, known_born in self.by_name.get(
            name_key(values.get("first_name", ""), values.get("last_name", "")), []
        ):
            if (phone and phone == known_phone) or (born is not None and born == known_born):
                return candidate_id
        return None


async def _known_people(session: AsyncSession, organisation_id: int) -> _KnownPeople:
    # Only the matching columns of every candidate, matched in Python: SQLite's lower() folds ASCII only,
    # so "BÉÉRENS" would never meet "Béérens" in SQL.
    query = select(
        Candidate.id,
        Candidate.first_name,
        Candidate.last_name,
        Candidate.email,
        Candidate.phone,
        Candidate.date_of_birth,
    ).where(Candidate.erased_at.is_(None), Candidate.organisation_id == organisation_id)
    known = _KnownPeople()
    for candidate_id, first, last, email, phone, born in (await session.execute(query.order_by(Candidate.id))).all():
        if email:
            known.by_email.setdefault(email.strip().lower(), candidate_id)
        known.by_name.setdefault(name_key(first, last), []).append((candidate_id, phone_digits(phone), born))
    return known


async def match_candidates(
    session: AsyncSession, organisation_id: int, rows: list[ParsedRow], errors: list[RowError]
) -> None:
    """Rows matched against the people the event's organisation knows (never another organisation's record)."""
    known = await _known_people(session, organisation_id)
    first_row_of: dict[str, int] = {}
    for parsed in rows:
        values = parsed.values
        if not values.get("first_name") or not values.get("last_name"):
            continue
        parsed.existing_id = known.match(values)
        keys = _person_keys(values) + ([f"id:{parsed.existing_id}"] if parsed.existing_id is not None else [])
        earlier = next((first_row_of[k] for k in keys if k in first_row_of), None)
        if earlier is not None:
            errors.append(
                RowError(parsed.row, "last_name", i18n.gettext("the same person as in row %(row)s", row=earlier))
            )
            continue
        for key in keys:
            first_row_of[key] = parsed.row


async def check_coaches(
    session: AsyncSession, organisations: Select[tuple[int]], rows: list[ParsedRow], errors: list[RowError]
) -> dict[str, int]:
    """The coaches the rows name, among those of ``organisations`` (for an event: its organisation and the
    organisations it works with); another organisation's coach is "no coach" here, as an unknown address."""
    wanted = {email for r in rows for email in r.values.get("coach_email", [])}
    coaches: dict[str, int] = {}
    if wanted:
        query = select(User.email, User.id).where(
            func.lower(User.email).in_(wanted),
            User.role == Role.COACH,
            User.is_active.is_(True),
            User.organisation_id.in_(organisations),
        )
        coaches = {email.lower(): user_id for email, user_id in (await session.execute(query)).all()}
    for parsed in rows:
        for email in parsed.values.get("coach_email", []):
            if email not in coaches:
                errors.append(
                    RowError(parsed.row, "coach_email", i18n.gettext("no coach with e-mail %(email)s", email=email))
                )
    return coaches


# --- writing -----------------------------------------------------------------------------------------

_FILLABLE = ("email", "phone", "date_of_birth", "city", "hours_per_week", "sectors", "target_group")


def consent_for(
    values: dict[str, Any],
    candidate_id: int,
    consent: ImportConsent | None,
    actor: int | None,
    default_purpose: str | None = None,
) -> Consent:
    """A new candidate's consent record: the row's own date and method where it has them."""
    day = values.get("consent_date") or (consent.given_on if consent else None)
    assert day is not None  # noqa: S101 - apply_import refused the file otherwise
    method = values.get("consent_method") or (consent.method if consent else ConsentMethod.VERBAL)
    return Consent(
        candidate_id=candidate_id,
        purpose=(consent.purpose if consent else "") or default_purpose or default_consent_purpose(),
        method=method,
        given_at=consent_moment(day),
        recorded_by_id=actor,
    )


async def known_candidates(session: AsyncSession, organisation_id: int, rows: list[ParsedRow]) -> dict[int, Candidate]:
    """The organisation's candidates the rows matched, with their coaches and consents."""
    ids = [r.existing_id for r in rows if r.existing_id is not None]
    if not ids:
        return {}
    query = (
        select(Candidate)
        .where(Candidate.id.in_(ids), Candidate.organisation_id == organisation_id)
        .options(selectinload(Candidate.coaches), selectinload(Candidate.consents))
    )
    return {c.id: c for c in await session.scalars(query)}


def new_candidate(values: dict[str, Any], organisation_id: int, actor_id: int | None) -> Candidate:
    """A new person of ``organisation_id`` from a row's person values (added to no session yet)."""
    return Candidate(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values.get("email"),
        phone=values.get("phone"),
        date_of_birth=values.get("date_of_birth"),
        city=values.get("city"),
        sectors=values.get("sectors", []),
        hours_per_week=values.get("hours_per_week"),
        target_group=values.get("target_group"),
        organisation_id=organisation_id,
        created_by_id=actor_id,
    )


def complete_candidate(candidate: Candidate, values: dict[str, Any]) -> bool:
    """Fill what we do not know yet of a known person; never overwrite what the coach or an earlier import
    entered. Whether anything changed."""
    changed = False
    for name in _FILLABLE:
        if values.get(name) not in (None, []) and getattr(candidate, name) in (None, [], ""):
            setattr(candidate, name, values[name])
            changed = True
    return changed


def link_coaches(
    session: AsyncSession, candidate_id: int, emails: list[str], coaches: dict[str, int], linked: set[int]
) -> int:
    """Link the coaches a row names (``coaches``: e-mail -> id, as check_coaches found them) that ``linked`` lacks;
    how many links were made."""
    made = 0
    for email in emails:
        coach_id = coaches[email]
        if coach_id not in linked:
            session.add(CandidateCoach(candidate_id=candidate_id, coach_id=coach_id, kind=CoachKind.JOBCOACH))
            linked.add(coach_id)
            made += 1
    return made


async def apply_candidates(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    rows: list[ParsedRow],
    coaches: dict[str, int],
    consent: ImportConsent | None,
) -> ImportResult:
    """Write checked rows: new people with their consent record, known people completed (never overwritten), the
    coaches linked, and everyone signed up for the event (a known sign-up takes the sheet's status and rounds)."""
    ids = [r.existing_id for r in rows if r.existing_id is not None]
    existing = await known_candidates(session, event.organisation_id, rows)
    participations: dict[int, CandidateParticipation] = {}
    if ids:
        query_p = select(CandidateParticipation).where(
            CandidateParticipation.event_id == event.id, CandidateParticipation.candidate_id.in_(ids)
        )
        participations = {p.candidate_id: p for p in await session.scalars(query_p)}
    actor_id = user.id or None
    created = matched = updated = 0
    participations_created = participations_updated = coach_links = consents = 0
    for parsed in rows:
        values = parsed.values
        candidate = existing.get(parsed.existing_id) if parsed.existing_id is not None else None
        linked: set[int] = set()
        if candidate is None:
            candidate = new_candidate(values, event.organisation_id, actor_id)
            session.add(candidate)
            await session.flush()
            session.add(consent_for(values, candidate.id, consent, actor_id))
            consents += 1
            created += 1
        else:
            matched += 1
            linked = {link.coach_id for link in candidate.coaches}
            changed = complete_candidate(candidate, values)
            # A known person without a live consent whose row records one (consented again): record it.
            if "consent_date" in values and not any(c.withdrawn_at is None for c in candidate.consents):
                session.add(consent_for(values, candidate.id, consent, actor_id))
                consents += 1
                changed = True
            updated += changed
        coach_links += link_coaches(session, candidate.id, values.get("coach_email", []), coaches, linked)
        participation = participations.get(candidate.id)
        if participation is None:
            participation = CandidateParticipation(
                event_id=event.id,
                candidate_id=candidate.id,
                status=values.get("status", ParticipationStatus.REGISTERED),
                rounds=values.get("rounds"),
                registered_by_id=actor_id,
            )
            session.add(participation)
            participations[candidate.id] = participation
            participations_created += 1
        else:
            # A value written in the sheet for this event is the organiser's word; an empty cell changes nothing.
            changes: dict[str, Any] = {name: values[name] for name in ("status", "rounds") if name in values}
            participations_updated += assign_changes(participation, changes)
    await session.flush()
    return ImportResult(
        kind="candidates",
        rows=len(rows),
        created=created,
        matched=matched,
        updated=updated,
        details={
            "participations_created": participations_created,
            "participations_updated": participations_updated,
            "coach_links_created": coach_links,
            "consents_recorded": consents,
        },
    )
