"""Reading a spreadsheet's cells: dates, numbers, rounds, sectors, kinds, statuses, consent, e-mail addresses and
phone numbers, each by the rule the import checks it with; and a row parser that collects a problem per bad cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.import_files import Table
from events.platform.labels import CONSENT_METHOD_LABELS, PARTICIPATION_STATUS_LABELS, PATHWAY_LABELS, SECTOR_LABELS
from events.platform.models import (
    EVENT_TZ,
    OPENING_KINDS,
    SECTORS,
    ConsentMethod,
    ParticipationStatus,
    PathwayKind,
)
from events.platform.names import clean_name
from events.platform.services import EMAIL_RE
from events.platform.spreadsheets import FORMULA_STARTS
from events.registration.imports_fields import MAX_LENGTHS, ParsedRow, RowError, header_key

# --- parsing cells -----------------------------------------------------------------------------------


class CellError(Exception):
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
        raise CellError(i18n.gettext("not a date (write it as dd-mm-yyyy)"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(i18n.gettext("not a date (write it as dd-mm-yyyy)")) from None


def parse_int(text: str, low: int, high: int) -> int:
    cleaned = text.replace(" ", "")
    if re.fullmatch(r"\d+([.,]0+)?", cleaned) is None:
        raise CellError(i18n.gettext("not a whole number"))
    number = int(re.split(r"[.,]", cleaned)[0])
    if not low <= number <= high:
        raise CellError(i18n.gettext("must be between %(low)s and %(high)s", low=low, high=high))
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
            raise CellError(i18n.gettext("rounds must look like 1,2,3 or 1-3"))
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first > last or first < 1 or last > rounds:
            raise CellError(i18n.gettext("rounds must lie between 1 and %(rounds)s", rounds=rounds))
        found.update(range(first, last + 1))
    return sorted(found)


def _choices(codes: Iterable[str], labels: dict[str, str]) -> dict[str, str]:
    """Code, English label and Dutch label (all keyed loosely) -> code."""
    table: dict[str, str] = {}
    for code in codes:
        table[header_key(code)] = code
        if code in labels:
            table[header_key(labels[code])] = code
            with i18n.language("nl"):
                table[header_key(i18n.gettext(labels[code]))] = code
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
    return table | {header_key(word): code for word, code in extra.items()}


def parse_consent_method(text: str) -> ConsentMethod:
    """How consent was given, by code or label, in Dutch or English."""
    code = _consent_choices().get(header_key(text))
    if code is None:
        raise CellError(i18n.gettext("unknown way of giving consent: %(value)s", value=text))
    return ConsentMethod(code)


def parse_consent_date(text: str) -> dt.date:
    """A consent date: a date (as parse_date reads it) that is not in the future."""
    day = parse_date(text)
    if day > dt.datetime.now(EVENT_TZ).date():
        raise CellError(i18n.gettext("lies in the future"))
    return day


def parse_sectors(text: str) -> list[str]:
    """Sector codes or labels, separated by commas, semicolons or slashes."""
    choices = _sector_choices()
    result: list[str] = []
    for part in re.split(r"[,;/|]+", text):
        if not part.strip():
            continue
        code = choices.get(header_key(part))
        if code is None:
            raise CellError(i18n.gettext("unknown sector: %(value)s", value=part.strip()))
        if code not in result:
            result.append(code)
    return result


def parse_sector(text: str) -> str:
    """One sector, by code or label."""
    code = _sector_choices().get(header_key(text))
    if code is None:
        raise CellError(i18n.gettext("unknown sector: %(value)s", value=text))
    return code


def parse_opening_kind(text: str) -> PathwayKind:
    """An opening kind by code or label, in Dutch or English."""
    code = _kind_choices().get(header_key(text))
    if code is None:
        raise CellError(i18n.gettext("unknown kind: %(value)s", value=text))
    return PathwayKind(code)


def parse_status(text: str) -> ParticipationStatus:
    """A participation status by code or label, in Dutch or English."""
    code = _status_choices().get(header_key(text))
    if code is None:
        raise CellError(i18n.gettext("unknown status: %(value)s", value=text))
    return ParticipationStatus(code)


def parse_email(text: str) -> str:
    value = text.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise CellError(i18n.gettext("not a valid e-mail address"))
    return value


def phone_digits(phone: str | None) -> str:
    """Digits only, with +31/0031 written as 0, so "+31 6-1234 5678" and "0612345678" are one number."""
    digits = re.sub(r"\D", "", phone or "")
    for country in ("0031", "31"):
        if digits.startswith(country) and len(digits) == len(country) + 9:
            return "0" + digits[len(country) :]
    return digits


def name_key(first: str, last: str) -> str:
    return f"{' '.join(first.split()).casefold()}|{' '.join(last.split()).casefold()}"


# --- consent -----------------------------------------------------------------------------------------


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
        except CellError as exc:
            raise DomainError("bad_consent", exc.reason, "consent_method") from None
        if not given_on.strip():
            raise DomainError("required", i18n.gettext("this value is required"), "consent_date")
        try:
            day = parse_consent_date(given_on.strip())
        except CellError as exc:
            raise DomainError("bad_consent", exc.reason, "consent_date") from None
        text = " ".join(purpose.split())
        if text and len(text) < 3:
            raise DomainError("bad_consent", i18n.gettext("too short (at least 3 characters)"), "consent_purpose")
        if len(text) > 1000:
            raise DomainError(
                "bad_consent", i18n.gettext("too long (at most %(max)s characters)", max=1000), "consent_purpose"
            )
        return cls(method=chosen, given_on=day, purpose=text)


def consent_moment(day: dt.date) -> dt.datetime:
    """A consent day as a moment: noon in the event's time zone, so it reads as that day everywhere."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=EVENT_TZ)


# --- parsing rows ------------------------------------------------------------------------------------


def _unescape(cell: str) -> str:
    # Our exports put an apostrophe before text a spreadsheet would run as a formula; importing an export
    # gives back the value itself, still stored as plain text.
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _row_cells(table: Table, mapping: dict[int, str]) -> Iterable[tuple[int, dict[str, str]]]:
    for number, row in table.numbered():
        yield number, {name: _unescape(row[index]) for index, name in mapping.items() if index < len(row)}


PERSON_NAMES = frozenset({"first_name", "infix", "last_name", "contact_name"})


class RowParser:
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
        except CellError as exc:
            self.fail(name, exc.reason)
            return None
        self.values[name] = value
        return value


def parse_rows(
    table: Table, mapping: dict[int, str], errors: list[RowError], parse_row: Callable[[RowParser], None]
) -> list[ParsedRow]:
    """Every data row through ``parse_row``, which reads the row's cells into the parser's values; each bad cell
    adds a RowError to ``errors``."""
    rows: list[ParsedRow] = []
    for number, cells in _row_cells(table, mapping):
        parser = RowParser(number, cells, errors)
        parse_row(parser)
        rows.append(ParsedRow(row=number, values=parser.values))
    return rows
