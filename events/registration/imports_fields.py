"""What a spreadsheet import reads and answers: the fields and the headers that mean them, the column mapping,
and the results (each row parsed, the problems found, the preview, what was written).

The import itself: events.registration.imports.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.i18n import N_
from events.platform.import_files import Table

Kind = Literal["candidates", "employers"]
KINDS: tuple[Kind, ...] = ("candidates", "employers")

# --- fields and columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    """A value an import can fill: its code, its label (a message id) and the headers that mean it."""

    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


# The person columns every import of people reads (an event's candidates, a programme's participants).
PERSON_FIELDS = (
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
)

CONSENT_FIELDS = (
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

TARGET_GROUP_ALIASES = ("doelgroep", "doelgroepen", "target group", "targetgroup")

CANDIDATE_FIELDS = (
    *PERSON_FIELDS,
    ImportField("rounds", N_("Rounds"), ("rondes", "ronden", "rounds")),
    ImportField("status", N_("Status"), ("status",)),
    # The candidate's own target group: sensitive, seen by their coaches and organisers only (never exported).
    ImportField("target_group", N_("Target group"), TARGET_GROUP_ALIASES),
    *CONSENT_FIELDS,
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
    "target_group": 100,
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


def header_key(text: str) -> str:
    """Case, accents, punctuation and spacing removed: "E-mailadres " and "emailadres" are one header."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


# An import names its fields by kind ("candidates", "employers"), or gives them itself (a programme's participants).
FieldSet = str | Sequence[ImportField]


def fields_for(kind: FieldSet) -> tuple[ImportField, ...]:
    """The fields of an import kind (or the fields given); DomainError for an unknown kind."""
    if not isinstance(kind, str):
        return tuple(kind)
    if kind not in FIELDS:
        raise DomainError("unknown_kind", f"unknown import kind {kind!r} (choose candidates or employers)", "kind")
    return FIELDS[kind]


def _header_keys(item: ImportField) -> set[str]:
    with i18n.language("nl"):
        dutch = i18n.gettext(item.label)
    return {header_key(alias) for alias in (*item.aliases, item.label, dutch)}


def guess_mapping(kind: FieldSet, headers: Sequence[str]) -> dict[int, str]:
    """Column index -> field for the headers we recognise (Dutch or English); the first such column wins."""
    known = [(item.name, _header_keys(item)) for item in fields_for(kind)]
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        for name, keys in known:
            if key and key in keys and name not in mapping.values():
                mapping[index] = name
                break
    return mapping


def check_mapping(kind: FieldSet, mapping: dict[int, str], width: int) -> None:
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


def column_letter(index: int) -> str:
    """A column as a spreadsheet names it: 0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class UnusedColumn:
    """A column of the file that holds data but that the import will not read (reported, never refused)."""

    index: int
    header: str

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def __str__(self) -> str:
        return f"{self.letter} ({self.header})" if self.header else f"{self.letter} (no header)"


def unused_columns(table: Table, mapping: dict[int, str]) -> list[UnusedColumn]:
    """Every column with data in some row that ``mapping`` leaves out, and those past what the reader keeps (a CSV
    row wider than its header, an Excel sheet wider than the limit): no data is dropped without a word."""
    unused = []
    for index, header in enumerate(table.headers):
        if index in mapping:
            continue
        if any(index < len(row) and row[index].strip() for row in table.rows):
            unused.append(UnusedColumn(index, header.strip()))
    unused += [UnusedColumn(index, "") for index in table.unread_columns]
    return unused


def unused_lines(unused: Sequence[UnusedColumn]) -> list[str]:
    """The command line's report of the columns not used: one line each, or none."""
    return [f"column not used: {column}" for column in unused]


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

    def __init__(self, errors: Sequence[RowError], notes: Sequence[str] = ()) -> None:
        super().__init__("import_rejected", f"{len(errors)} problem(s) in the file; nothing was imported", "file")
        self.errors = list(errors)
        # What else the check found (the columns not used), for the command line to print after the errors.
        self.notes = list(notes)


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
    # Columns that hold data the import will not read: shown at the check, never silently dropped.
    unused: list[UnusedColumn] = field(default_factory=list)

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


def assign_changes(target: object, changes: dict[str, Any]) -> bool:
    """Set each attribute of ``target`` whose value differs from ``changes`` (in their order); whether any did."""
    changed = False
    for name, value in changes.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed
