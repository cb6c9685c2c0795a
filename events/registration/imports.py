"""Spreadsheet import of candidates and employers: read a CSV or XLSX file, map its columns, check
every row, then write all rows or none.

The web pages and the CLI share these functions: ``read_table`` (events.platform.import_files, which reads a file
within limits that keep a hostile one from taking the server down) -> ``guess_mapping`` (or a mapping the
organiser chose) -> ``preview_import`` -> ``apply_import``. Nothing here commits: ``apply_import`` flushes
in the caller's transaction, and refuses the whole file when a single row is wrong, so that an organiser
never has to find out which half of a spreadsheet made it in.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.import_files import Table as Table  # re-exported: callers read a file through this module
from events.platform.import_files import read_table as read_table
from events.platform.labels import CONSENT_METHOD_LABELS, PARTICIPATION_STATUS_LABELS, PATHWAY_LABELS, SECTOR_LABELS
from events.platform.models import (
    EVENT_TZ,
    OPENING_KINDS,
    SECTORS,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    CoachKind,
    Consent,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    Event,
    Opening,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    Role,
    User,
)
from events.platform.names import clean_name
from events.platform.services import EMAIL_RE, audit
from events.platform.spreadsheets import FORMULA_STARTS

Kind = Literal["candidates", "employers"]
KINDS: tuple[Kind, ...] = ("candidates", "employers")

# --- reading files: events.platform.import_files (Table, read_table and their limits) ------------------------------


# --- fields and columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    """A value an import can fill: its code, its label (a message id) and the headers that mean it."""

    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


CANDIDATE_FIELDS = (
    ImportField("first_name", N_("First name"), ("voornaam", "voornamen", "roepnaam", "first name", "firstname"), True),
    ImportField("infix", N_("Infix"), ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "infix", "prefix")),
    ImportField("last_name", N_("Last name"), ("achternaam", "familienaam", "last name", "lastname", "surname"), True),
    ImportField("email", N_("E-mail address"), ("e-mail", "email", "e-mailadres", "emailadres", "mail")),
    ImportField("phone", N_("Phone"), ("telefoon", "telefoonnummer", "mobiel", "phone", "mobile", "tel")),
    ImportField("date_of_birth", N_("Date of birth"), ("geboortedatum", "date of birth", "birth date", "dob")),
    ImportField("city", N_("City"), ("woonplaats", "plaats", "city", "town")),
    ImportField(
        "coach_email",
        N_("Coach e-mail"),
        ("coach e-mail", "coach email", "e-mail coach", "email coach", "e-mailadres coach", "coach e-mailadres"),
    ),
    ImportField("sectors", N_("Sectors"), ("sectoren", "sector", "interesses", "sectors", "interests")),
    ImportField("hours_per_week", N_("Hours a week"), ("uren per week", "uren", "hours per week", "hours")),
    ImportField("rounds", N_("Rounds"), ("rondes", "ronden", "rounds")),
    ImportField("status", N_("Status"), ("status",)),
    ImportField(
        "consent_date",
        N_("Consent given on"),
        ("toestemming", "toestemming op", "datum toestemming", "toestemming gegeven", "consent", "consent date"),
    ),
    ImportField(
        "consent_method",
        N_("Consent given how"),
        ("toestemming via", "toestemming hoe", "manier toestemming", "consent method", "consent how"),
    ),
)

EMPLOYER_FIELDS = (
    ImportField(
        "organisation",
        N_("Employer"),
        ("werkgever", "organisatie", "bedrijf", "employer", "organisation", "organization", "company"),
        True,
    ),
    ImportField("tables", N_("Tables"), ("tafels", "aantal tafels", "tables")),
    ImportField("seats", N_("Seats per table"), ("plaatsen per tafel", "plaatsen", "stoelen", "seats")),
    ImportField("rounds", N_("Rounds"), ("rondes", "ronden", "rounds")),
    ImportField("contact_name", N_("Contact person"), ("contactpersoon", "contact", "contact person", "naam")),
    ImportField("contact_email", N_("E-mail address"), ("e-mail", "email", "e-mailadres", "emailadres")),
    ImportField("contact_phone", N_("Phone"), ("telefoon", "telefoonnummer", "mobiel", "phone", "tel")),
    ImportField("opening_title", N_("Opening"), ("vacature", "functie", "werkplek", "opening", "job", "vacancy")),
    ImportField("opening_kind", N_("Kind"), ("soort", "type", "kind")),
    ImportField("hours_per_week", N_("Hours a week"), ("uren per week", "uren", "hours per week", "hours")),
    ImportField("sector", N_("Sector"), ("sector", "branche")),
    ImportField("description", N_("Description"), ("omschrijving", "beschrijving", "description")),
)

FIELDS: dict[str, tuple[ImportField, ...]] = {"candidates": CANDIDATE_FIELDS, "employers": EMPLOYER_FIELDS}

# Column widths of the tables the values end up in: a longer value is an error, not a database crash.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 150,
    "email": 254,
    "phone": 40,
    "city": 100,
    "organisation": 200,
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
    "opening_title": 200,
}


def _key(text: str) -> str:
    """Case, accents, punctuation and spacing removed: "E-mailadres " and "emailadres" are one header."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def fields_for(kind: str) -> tuple[ImportField, ...]:
    """The fields of an import kind; DomainError for an unknown kind."""
    if kind not in FIELDS:
        raise DomainError("unknown_kind", f"unknown import kind {kind!r} (choose candidates or employers)", "kind")
    return FIELDS[kind]


def _header_keys(item: ImportField) -> set[str]:
    with i18n.language("nl"):
        dutch = i18n.gettext(item.label)
    return {_key(alias) for alias in (*item.aliases, item.label, dutch)}


def guess_mapping(kind: str, headers: Sequence[str]) -> dict[int, str]:
    """Column index -> field for the headers we recognise (Dutch or English); the first such column wins."""
    known = [(item.name, _header_keys(item)) for item in fields_for(kind)]
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = _key(header)
        for name, keys in known:
            if key and key in keys and name not in mapping.values():
                mapping[index] = name
                break
    return mapping


def check_mapping(kind: str, mapping: dict[int, str], width: int) -> None:
    """Refuse a mapping that names an unknown field or column, maps a field twice or misses a required one."""
    fields = {item.name: item for item in fields_for(kind)}
    seen: set[str] = set()
    for index, name in mapping.items():
        if name not in fields:
            raise DomainError("bad_mapping", f"unknown field {name!r}", "mapping")
        if not 0 <= index < width:
            raise DomainError("bad_mapping", f"there is no column {index + 1}", "mapping")
        if name in seen:
            raise DomainError("bad_mapping", f"two columns are mapped to {name}", "mapping")
        seen.add(name)
    missing = [item.name for item in fields.values() if item.required and item.name not in seen]
    if missing:
        raise DomainError("bad_mapping", f"no column for {', '.join(missing)}", "mapping")


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What is wrong in one row: the row number as the spreadsheet shows it, the field and a translated reason."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.reason}"


class ImportRejected(DomainError):  # noqa: N818 - "rejected" says it all; callers catch it by this name
    """At least one row is wrong, so nothing was imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("import_rejected", f"{len(errors)} problem(s) in the file; nothing was imported", "file")
        self.errors = list(errors)


@dataclass
class ParsedRow:
    """One row's values after parsing, and the id of the candidate (or, for employers, the organisation) it
    matches in the database; ``None``: it is new."""

    row: int
    values: dict[str, Any]
    existing_id: int | None = None


@dataclass
class ImportPreview:
    """Every row parsed, every problem found, and how many are new or match what we already have (candidates:
    rows; employers: distinct organisations)."""

    kind: str
    rows: list[ParsedRow]
    errors: list[RowError]
    new: int = 0
    matched: int = 0
    # New candidates whose row says nothing about consent: the organiser confirms theirs at import.
    needs_consent: int = 0

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote. Candidates: people created / matched / matched-and-completed. Employers:
    organisations created / matched, participations created or updated, contacts and openings created."""

    kind: str
    rows: int
    created: int
    matched: int
    updated: int
    details: dict[str, int] = field(default_factory=dict)


def default_consent_purpose() -> str:
    """What candidates brought in by an import agreed to, unless the organiser words it otherwise."""
    return i18n.gettext(
        "My details are shared with the organiser, my coach and the employers of the event (employers see "
        "my first name and initial), and my coach may follow up on the talks."
    )


@dataclass(frozen=True)
class ImportConsent:
    """The organiser's word that the file's new candidates consented: to what, how, and on which day.

    A row with its own consent date keeps that date (and its own method, when the file gives one).
    """

    method: ConsentMethod
    given_on: dt.date
    purpose: str = ""

    @classmethod
    def parse(cls, method: str, given_on: str, purpose: str = "") -> ImportConsent:
        """From form or command-line text; a DomainError names the field that is wrong."""
        try:
            chosen = parse_consent_method(method or ConsentMethod.VERBAL.value)
        except _CellError as exc:
            raise DomainError("bad_consent", exc.reason, "consent_method") from None
        if not given_on.strip():
            raise DomainError("required", i18n.gettext("this value is required"), "consent_date")
        try:
            day = parse_consent_date(given_on.strip())
        except _CellError as exc:
            raise DomainError("bad_consent", exc.reason, "consent_date") from None
        text = " ".join(purpose.split())
        if text and len(text) < 3:
            raise DomainError("bad_consent", i18n.gettext("too short (at least 3 characters)"), "consent_purpose")
        if len(text) > 1000:
            raise DomainError(
                "bad_consent", i18n.gettext("too long (at most %(max)s characters)", max=1000), "consent_purpose"
            )
        return cls(method=chosen, given_on=day, purpose=text)


def _consent_moment(day: dt.date) -> dt.datetime:
    """A consent day as a moment: noon in the event's time zone, so it reads as that day everywhere."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=EVENT_TZ)


# --- parsing cells -----------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """dd-mm-jjjj, d-m-jjjj, dd/mm/jjjj or ISO jjjj-mm-dd (what XLSX dates are read as)."""
    if match := _DMY.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise _CellError(i18n.gettext("not a date (write it as dd-mm-yyyy)"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _CellError(i18n.gettext("not a date (write it as dd-mm-yyyy)")) from None


def _parse_int(text: str, low: int, high: int) -> int:
    cleaned = text.replace(" ", "")
    if re.fullmatch(r"\d+([.,]0+)?", cleaned) is None:
        raise _CellError(i18n.gettext("not a whole number"))
    number = int(re.split(r"[.,]", cleaned)[0])
    if not low <= number <= high:
        raise _CellError(i18n.gettext("must be between %(low)s and %(high)s", low=low, high=high))
    return number


def parse_rounds(text: str, rounds: int) -> list[int] | None:
    """ "1,2,3", "1-3" or "1-2, 5" to a sorted list of rounds; empty means every round (None)."""
    if not text.strip():
        return None
    found: set[int] = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if match is None:
            raise _CellError(i18n.gettext("rounds must look like 1,2,3 or 1-3"))
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first > last or first < 1 or last > rounds:
            raise _CellError(i18n.gettext("rounds must lie between 1 and %(rounds)s", rounds=rounds))
        found.update(range(first, last + 1))
    return sorted(found)


def _choices(codes: Iterable[str], labels: dict[str, str]) -> dict[str, str]:
    """Code, English label and Dutch label (all keyed loosely) -> code."""
    table: dict[str, str] = {}
    for code in codes:
        table[_key(code)] = code
        if code in labels:
            table[_key(labels[code])] = code
            with i18n.language("nl"):
                table[_key(i18n.gettext(labels[code]))] = code
    return table


@functools.cache
def _sector_choices() -> dict[str, str]:
    return _choices(SECTORS, SECTOR_LABELS)


@functools.cache
def _kind_choices() -> dict[str, str]:
    return _choices([k.value for k in OPENING_KINDS], PATHWAY_LABELS)


@functools.cache
def _status_choices() -> dict[str, str]:
    return _choices([s.value for s in ParticipationStatus], PARTICIPATION_STATUS_LABELS)


@functools.cache
def _consent_choices() -> dict[str, str]:
    table = _choices([m.value for m in ConsentMethod], CONSENT_METHOD_LABELS)
    # The words organisers write in their sheets.
    extra = {"mondeling": "verbal", "telefonisch": "verbal", "schriftelijk": "paper", "papier": "paper"}
    extra |= {"formulier": "paper", "online": "digital", "email": "digital", "digitaal": "digital"}
    return table | {_key(word): code for word, code in extra.items()}


def parse_consent_method(text: str) -> ConsentMethod:
    """How consent was given, by code or label, in Dutch or English."""
    code = _consent_choices().get(_key(text))
    if code is None:
        raise _CellError(i18n.gettext("unknown way of giving consent: %(value)s", value=text))
    return ConsentMethod(code)


def parse_consent_date(text: str) -> dt.date:
    """A consent date: a date (as parse_date reads it) that is not in the future."""
    day = parse_date(text)
    if day > dt.datetime.now(EVENT_TZ).date():
        raise _CellError(i18n.gettext("lies in the future"))
    return day


def parse_sectors(text: str) -> list[str]:
    """Sector codes or labels, separated by commas, semicolons or slashes."""
    choices = _sector_choices()
    result: list[str] = []
    for part in re.split(r"[,;/|]+", text):
        if not part.strip():
            continue
        code = choices.get(_key(part))
        if code is None:
            raise _CellError(i18n.gettext("unknown sector: %(value)s", value=part.strip()))
        if code not in result:
            result.append(code)
    return result


def parse_sector(text: str) -> str:
    """One sector, by code or label."""
    code = _sector_choices().get(_key(text))
    if code is None:
        raise _CellError(i18n.gettext("unknown sector: %(value)s", value=text))
    return code


def parse_opening_kind(text: str) -> PathwayKind:
    """An opening kind by code or label, in Dutch or English."""
    code = _kind_choices().get(_key(text))
    if code is None:
        raise _CellError(i18n.gettext("unknown kind: %(value)s", value=text))
    return PathwayKind(code)


def parse_status(text: str) -> ParticipationStatus:
    """A participation status by code or label, in Dutch or English."""
    code = _status_choices().get(_key(text))
    if code is None:
        raise _CellError(i18n.gettext("unknown status: %(value)s", value=text))
    return ParticipationStatus(code)


def _parse_email(text: str) -> str:
    value = text.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise _CellError(i18n.gettext("not a valid e-mail address"))
    return value


def phone_digits(phone: str | None) -> str:
    """Digits only, with +31/0031 written as 0, so "+31 6-1234 5678" and "0612345678" are one number."""
    digits = re.sub(r"\D", "", phone or "")
    for country in ("0031", "31"):
        if digits.startswith(country) and len(digits) == len(country) + 9:
            return "0" + digits[len(country) :]
    return digits


def _name_key(first: str, last: str) -> str:
    return f"{' '.join(first.split()).casefold()}|{' '.join(last.split()).casefold()}"


# --- parsing rows ------------------------------------------------------------------------------------


def _unescape(cell: str) -> str:
    # Our exports put an apostrophe before text a spreadsheet would run as a formula; importing an export
    # gives back the value itself, still stored as plain text.
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _cells(table: Table, mapping: dict[int, str]) -> Iterable[tuple[int, dict[str, str]]]:
    for number, row in table.numbered():
        yield number, {name: _unescape(row[index]) for index, name in mapping.items() if index < len(row)}


PERSON_NAMES = frozenset({"first_name", "infix", "last_name", "contact_name"})


class _RowParser:
    """Parses one row's cells field by field, collecting a RowError for each bad cell."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self.values: dict[str, Any] = {}

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(RowError(self.number, name, reason))

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = " ".join(self.cells.get(name, "").split())
        if not value:
            if required:
                self.fail(name, i18n.gettext("this value is required"))
            return None
        if name in PERSON_NAMES:
            # Names by the same rule as in forms and the API (events.platform.names); the length is checked below.
            try:
                value = clean_name(value, name, max_length=None)
            except DomainError as exc:
                self.fail(name, exc.message)
                return None
        limit = MAX_LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            self.fail(name, i18n.gettext("too long (at most %(max)s characters)", max=limit))
            return None
        self.values[name] = value
        return value

    def parsed(self, name: str, parse: Callable[[str], object]) -> object:
        raw = self.cells.get(name, "").strip()
        if not raw:
            return None
        try:
            value = parse(raw)
        except _CellError as exc:
            self.fail(name, exc.reason)
            return None
        self.values[name] = value
        return value


def _parse_candidate_rows(
    table: Table, mapping: dict[int, str], event: Event, errors: list[RowError]
) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    for number, cells in _cells(table, mapping):
        p = _RowParser(number, cells, errors)
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
        p.parsed("email", _parse_email)
        p.text("phone")
        p.parsed("date_of_birth", parse_date)
        p.text("city")
        p.parsed("coach_email", lambda raw: [_parse_email(part) for part in re.split(r"[,;\s]+", raw) if part])
        p.parsed("sectors", parse_sectors)
        p.parsed("hours_per_week", lambda raw: _parse_int(raw, 0, 80))
        p.parsed("rounds", lambda raw: parse_rounds(raw, event.rounds))
        p.parsed("status", parse_status)
        p.parsed("consent_date", parse_consent_date)
        p.parsed("consent_method", parse_consent_method)
        rows.append(ParsedRow(row=number, values=p.values))
    return rows


def _parse_employer_rows(
    table: Table, mapping: dict[int, str], event: Event, errors: list[RowError]
) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    for number, cells in _cells(table, mapping):
        p = _RowParser(number, cells, errors)
        p.text("organisation", required=True)
        p.parsed("tables", lambda raw: _parse_int(raw, 1, 100))
        # Seats above the event's maximum are capped when written, not refused: the organiser set the maximum.
        p.parsed("seats", lambda raw: _parse_int(raw, 1, 100))
        p.parsed("rounds", lambda raw: parse_rounds(raw, event.rounds))
        p.text("contact_name")
        p.parsed("contact_email", _parse_email)
        p.text("contact_phone")
        p.text("opening_title")
        p.parsed("opening_kind", parse_opening_kind)
        p.parsed("hours_per_week", lambda raw: _parse_int(raw, 0, 80))
        p.parsed("sector", parse_sector)
        p.text("description")
        rows.append(ParsedRow(row=number, values=p.values))
    return rows


# --- matching ----------------------------------------------------------------------------------------


def _person_keys(values: dict[str, Any]) -> list[str]:
    keys = []
    if values.get("email"):
        keys.append(f"email:{values['email']}")
    name = _name_key(values.get("first_name", ""), values.get("last_name", ""))
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
            _name_key(values.get("first_name", ""), values.get("last_name", "")), []
        ):
            if (phone and phone == known_phone) or (born is not None and born == known_born):
                return candidate_id
        return None


async def _known_people(session: AsyncSession) -> _KnownPeople:
    # Only the matching columns of every candidate, matched in Python: SQLite's lower() folds ASCII only,
    # so "BÉÉRENS" would never meet "Béérens" in SQL.
    query = select(
        Candidate.id,
        Candidate.first_name,
        Candidate.last_name,
        Candidate.email,
        Candidate.phone,
        Candidate.date_of_birth,
    ).where(Candidate.erased_at.is_(None))
    known = _KnownPeople()
    for candidate_id, first, last, email, phone, born in (await session.execute(query.order_by(Candidate.id))).all():
        if email:
            known.by_email.setdefault(email.strip().lower(), candidate_id)
        known.by_name.setdefault(_name_key(first, last), []).append((candidate_id, phone_digits(phone), born))
    return known


async def _match_candidates(session: AsyncSession, rows: list[ParsedRow], errors: list[RowError]) -> None:
    known = await _known_people(session)
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


async def _check_coaches(session: AsyncSession, rows: list[ParsedRow], errors: list[RowError]) -> dict[str, int]:
    wanted = {email for r in rows for email in r.values.get("coach_email", [])}
    coaches: dict[str, int] = {}
    if wanted:
        query = select(User.email, User.id).where(
            func.lower(User.email).in_(wanted), User.role == Role.COACH, User.is_active.is_(True)
        )
        coaches = {email.lower(): user_id for email, user_id in (await session.execute(query)).all()}
    for parsed in rows:
        for email in parsed.values.get("coach_email", []):
            if email not in coaches:
                errors.append(
                    RowError(parsed.row, "coach_email", i18n.gettext("no coach with e-mail %(email)s", email=email))
                )
    return coaches


async def _organisations_by_name(session: AsyncSession, names: Iterable[str]) -> dict[str, Organisation]:
    wanted = {" ".join(name.split()).casefold() for name in names}
    if not wanted:
        return {}
    # Compared in Python: SQLite's lower() folds ASCII only ("CAFÉ" would not meet "Café").
    found: dict[str, Organisation] = {}
    for organisation in await session.scalars(select(Organisation).order_by(Organisation.id)):
        key = " ".join(organisation.name.split()).casefold()
        if key in wanted:
            found.setdefault(key, organisation)
    return found


# --- preview and apply -------------------------------------------------------------------------------


def _require_organiser(user: CurrentUser) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("import")


def _actor(user: CurrentUser) -> CurrentUser | None:
    # The CLI may act without any organiser account (id 0); the audit log then records "system".
    return user if user.id else None


@dataclass
class _Checked:
    preview: ImportPreview
    coaches: dict[str, int]
    organisations: dict[str, Organisation]


async def _check(
    session: AsyncSession, user: CurrentUser, event: Event, kind: str, table: Table, mapping: dict[int, str]
) -> _Checked:
    _require_organiser(user)
    check_mapping(kind, mapping, len(table.headers))
    errors: list[RowError] = []
    coaches: dict[str, int] = {}
    organisations: dict[str, Organisation] = {}
    if kind == "candidates":
        rows = _parse_candidate_rows(table, mapping, event, errors)
        coaches = await _check_coaches(session, rows, errors)
        await _match_candidates(session, rows, errors)
        matched = sum(1 for r in rows if r.existing_id is not None)
        new = len(rows) - matched
        needs_consent = sum(1 for r in rows if r.existing_id is None and "consent_date" not in r.values)
    else:
        rows = _parse_employer_rows(table, mapping, event, errors)
        organisations = await _organisations_by_name(
            session, (r.values["organisation"] for r in rows if r.values.get("organisation"))
        )
        for parsed in rows:
            found = organisations.get(parsed.values.get("organisation", "").casefold())
            parsed.existing_id = found.id if found else None
        names = {r.values["organisation"].casefold() for r in rows if r.values.get("organisation")}
        matched = sum(1 for name in names if name in organisations)
        new = len(names) - matched
    errors.sort(key=lambda e: e.row)
    preview = ImportPreview(kind=kind, rows=rows, errors=errors, new=new, matched=matched)
    if kind == "candidates":
        preview.needs_consent = needs_consent
    return _Checked(preview=preview, coaches=coaches, organisations=organisations)


async def preview_import(
    session: AsyncSession, user: CurrentUser, event: Event, kind: str, table: Table, mapping: dict[int, str]
) -> ImportPreview:
    """Parse and check every row and match it against the database, without writing anything."""
    return (await _check(session, user, event, kind, table, mapping)).preview


def consent_missing(preview: ImportPreview) -> DomainError:
    """The refusal when new candidates would come in without a consent record."""
    return DomainError(
        "consent_required",
        i18n.ngettext(
            "%(num)s new candidate has no consent record in the file: confirm how and when they consented",
            "%(num)s new candidates have no consent record in the file: confirm how and when they consented",
            preview.needs_consent,
        ),
        "consent",
    )


async def apply_import(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    kind: str,
    table: Table,
    mapping: dict[int, str],
    consent: ImportConsent | None = None,
) -> ImportResult:
    """Import every row in the caller's transaction, or raise ImportRejected and write nothing.

    Every new candidate gets a consent record: from its row's consent columns, or else from `consent`,
    the organiser's confirmation; without either the import is refused (``consent_required``).
    """
    checked = await _check(session, user, event, kind, table, mapping)
    if checked.preview.errors:
        raise ImportRejected(checked.preview.errors)
    if kind == "candidates" and checked.preview.needs_consent and consent is None:
        raise consent_missing(checked.preview)
    if kind == "candidates":
        result = await _apply_candidates(session, user, event, checked, consent)
    else:
        result = await _apply_employers(session, event, checked)
    await audit(
        session,
        _actor(user),
        "import",
        "event",
        event.id,
        detail={
            "kind": kind,
            "rows": result.rows,
            "created": result.created,
            "matched": result.matched,
            "updated": result.updated,
            **result.details,
        },
    )
    return result


_FILLABLE = ("email", "phone", "date_of_birth", "city", "hours_per_week", "sectors")


def _consent_for(
    values: dict[str, Any], candidate_id: int, consent: ImportConsent | None, actor: int | None
) -> Consent:
    """A new candidate's consent record: the row's own date and method where it has them."""
    day = values.get("consent_date") or (consent.given_on if consent else None)
    assert day is not None  # noqa: S101 - apply_import refused the file otherwise
    method = values.get("consent_method") or (consent.method if consent else ConsentMethod.VERBAL)
    return Consent(
        candidate_id=candidate_id,
        purpose=(consent.purpose if consent else "") or default_consent_purpose(),
        method=method,
        given_at=_consent_moment(day),
        recorded_by_id=actor,
    )


async def _apply_candidates(
    session: AsyncSession, user: CurrentUser, event: Event, checked: _Checked, consent: ImportConsent | None
) -> ImportResult:
    rows = checked.preview.rows
    ids = [r.existing_id for r in rows if r.existing_id is not None]
    existing: dict[int, Candidate] = {}
    if ids:
        query = (
            select(Candidate)
            .where(Candidate.id.in_(ids))
            .options(selectinload(Candidate.coaches), selectinload(Candidate.consents))
        )
        existing = {c.id: c for c in await session.scalars(query)}
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
            candidate = Candidate(
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=values.get("email"),
                phone=values.get("phone"),
                date_of_birth=values.get("date_of_birth"),
                city=values.get("city"),
                sectors=values.get("sectors", []),
                hours_per_week=values.get("hours_per_week"),
                created_by_id=actor_id,
            )
            session.add(candidate)
            await session.flush()
            session.add(_consent_for(values, candidate.id, consent, actor_id))
            consents += 1
            created += 1
        else:
            matched += 1
            linked = {link.coach_id for link in candidate.coaches}
            changed = False
            # Fill what we do not know yet; never overwrite what the coach or an earlier import entered.
            for name in _FILLABLE:
                if values.get(name) not in (None, []) and getattr(candidate, name) in (None, [], ""):
                    setattr(candidate, name, values[name])
                    changed = True
            # A known person without a live consent whose row records one (consented again): record it.
            if "consent_date" in values and not any(c.withdrawn_at is None for c in candidate.consents):
                session.add(_consent_for(values, candidate.id, consent, actor_id))
                consents += 1
                changed = True
            updated += changed
        for email in values.get("coach_email", []):
            coach_id = checked.coaches[email]
            if coach_id not in linked:
                session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach_id, kind=CoachKind.JOBCOACH))
                linked.add(coach_id)
                coach_links += 1
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
            changed = False
            for name in ("status", "rounds"):
                if name in values and getattr(participation, name) != values[name]:
                    setattr(participation, name, values[name])
                    changed = True
            participations_updated += changed
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


async def _apply_employers(session: AsyncSession, event: Event, checked: _Checked) -> ImportResult:
    groups: dict[str, list[ParsedRow]] = {}
    for parsed in checked.preview.rows:
        groups.setdefault(parsed.values["organisation"].casefold(), []).append(parsed)
    organisations = checked.organisations
    created = matched = updated = 0
    counts = {"participations_created": 0, "contacts_created": 0, "openings_created": 0, "openings_updated": 0}
    for key, rows in groups.items():
        values = rows[0].values

        def first(name: str, rows: list[ParsedRow] = rows) -> Any:
            return next((r.values[name] for r in rows if r.values.get(name) is not None), None)

        organisation = organisations.get(key)
        if organisation is None:
            organisation = Organisation(
                name=values["organisation"], kind=OrganisationKind.EMPLOYER, sector=first("sector")
            )
            session.add(organisation)
            await session.flush()
            organisations[key] = organisation
            created += 1
        else:
            matched += 1
            if organisation.sector is None and first("sector"):
                organisation.sector = first("sector")
        participation = await session.scalar(
            select(EmployerParticipation)
            .where(EmployerParticipation.event_id == event.id, EmployerParticipation.organisation_id == organisation.id)
            .options(selectinload(EmployerParticipation.openings), selectinload(EmployerParticipation.contacts))
        )
        seats = first("seats")
        wanted = {
            "tables": first("tables"),
            "seats": min(seats, event.max_seats) if seats is not None else None,
            "rounds": first("rounds"),
        }
        if participation is None:
            participation = EmployerParticipation(
                event_id=event.id,
                organisation_id=organisation.id,
                tables=wanted["tables"] or 1,
                seats=wanted["seats"] or 1,
                rounds=wanted["rounds"],
                openings=[],
                contacts=[],
            )
            session.add(participation)
            await session.flush()
            counts["participations_created"] += 1
        else:
            changed = False
            for name, value in wanted.items():
                if value is not None and getattr(participation, name) != value:
                    setattr(participation, name, value)
                    changed = True
            updated += changed
        counts["contacts_created"] += _merge_contacts(participation, rows)
        for parsed in rows:
            title = parsed.values.get("opening_title")
            if not title:
                continue
            opening = next((o for o in participation.openings if o.title.casefold() == title.casefold()), None)
            sector = parsed.values.get("sector") or organisation.sector
            if opening is None:
                participation.openings.append(
                    Opening(
                        title=title,
                        kind=parsed.values.get("opening_kind", PathwayKind.PAID_JOB),
                        hours_per_week=parsed.values.get("hours_per_week"),
                        sector=sector,
                        description=parsed.values.get("description", ""),
                    )
                )
                counts["openings_created"] += 1
                continue
            changed = False
            for name, attribute in (
                ("opening_kind", "kind"),
                ("hours_per_week", "hours_per_week"),
                ("sector", "sector"),
                ("description", "description"),
            ):
                if name in parsed.values and getattr(opening, attribute) != parsed.values[name]:
                    setattr(opening, attribute, parsed.values[name])
                    changed = True
            counts["openings_updated"] += changed
        await session.flush()
    return ImportResult(
        kind="employers",
        rows=len(checked.preview.rows),
        created=created,
        matched=matched,
        updated=updated,
        details=counts,
    )


def _merge_contacts(participation: EmployerParticipation, rows: Sequence[ParsedRow]) -> int:
    """Add each contact person named in the rows unless the participation has them (same e-mail or name)."""
    added = 0
    for parsed in rows:
        name = parsed.values.get("contact_name")
        email = parsed.values.get("contact_email")
        phone = parsed.values.get("contact_phone")
        if not (name or email):
            continue
        contact = next(
            (
                c
                for c in participation.contacts
                if (email and (c.email or "").lower() == email) or (name and c.name.casefold() == name.casefold())
            ),
            None,
        )
        if contact is None:
            participation.contacts.append(EmployerContact(name=name or email, email=email, phone=phone))
            added += 1
            continue
        if email and not contact.email:
            contact.email = email
        if phone and not contact.phone:
            contact.phone = phone
    return added
