"""Participants imported into a programme (issue 20): Doelgroep, Aangemeld door, Fase and the dates read beside the
person columns, an unknown target group or stage a row error naming the allowed ones, every column with data that
is not read listed, all rows or none; and the participants export that shows what came in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform import i18n
from events.platform.db import open_session
from events.platform.models import (
    AuditEntry,
    Candidate,
    ConsentMethod,
    Enrolment,
    Organisation,
    PartnerRole,
    Partnership,
    User,
)
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from events.programmes.enrolments import get_programme
from events.programmes.exports import participant_rows
from events.programmes.imports import PARTICIPANT_FIELDS, apply_participants, preview_participants
from events.programmes.services import create_programme
from events.programmes.setup import add_target_group
from events.registration.imports import preview_import
from events.registration.imports_cells import ImportConsent
from events.registration.imports_fields import ImportRejected, guess_mapping
from tests.cli import cli
from tests.conftest import ORGANISER, run
from tests.registration.test_imports import table, table_counts, write_xlsx

CONSENT = ImportConsent(method=ConsentMethod.PAPER, given_on=dt.date(2026, 11, 2))
HEADERS = ["Voornaam", "Achternaam", "E-mail", "Doelgroep", "Fase", "Aangemeld door", "Intakedatum"]
GROUPS = ("Alleenstaande ouders", "Hoogopgeleiden")


async def _organiser(session: Any) -> Any:
    user = await session.scalar(select(User).where(User.email == ORGANISER))
    assert user is not None
    return to_current_user(user)


async def _werkfit(settings: Settings) -> None:
    """A programme "werkfit" of the demo organiser's organisation, with two target groups and a referring partner."""
    async with open_session(settings) as session:
        organiser = await _organiser(session)
        programme = await create_programme(session, organiser, "Werkfit-traject", slug="werkfit")
        for group in GROUPS:
            await add_target_group(session, organiser, programme, group)
        partner = await session.scalar(select(Organisation.id).where(Organisation.name == "Reclassering Haaglanden"))
        session.add(Partnership(organisation_id=partner, programme_id=programme.id, role=PartnerRole.REFERRER.value))
        await session.commit()


async def _import(settings: Settings, data: Any, *, apply: bool = True) -> Any:
    async with open_session(settings) as session:
        organiser = await _organiser(session)
        programme = await get_programme(session, organiser, "werkfit")
        mapping = guess_mapping(PARTICIPANT_FIELDS, data.headers)
        with i18n.language("en"):
            if not apply:
                return await preview_participants(session, organiser, programme, data, mapping)
            result = await apply_participants(session, organiser, programme, data, mapping, CONSENT)
        await session.commit()
        return result


async def _export(settings: Settings, **options: Any) -> tuple[list[str], list[list[object]]]:
    async with open_session(settings) as session:
        organiser = await _organiser(session)
        programme = await get_programme(session, organiser, "werkfit")
        with i18n.language("nl"):
            headers, rows = await participant_rows(session, organiser, programme, **options)
        await session.commit()
        return headers, rows


def _count(settings: Settings, model: Any) -> int:
    async def counted() -> int:
        async with open_session(settings) as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    return run(counted())


# --- the three checks of the issue ---------------------------------------------------------------------


def test_import_unknown_doelgroep_fails_naming_the_row_and_the_allowed_groups(
    demo: DemoResult, database: Settings
) -> None:
    run(_werkfit(database))
    data = table(
        HEADERS,
        ["Anna", "Jansen", "anna@example.org", "Hoogopgeleiden", "", "", ""],
        ["Bram", "Smit", "bram@example.org", "Studenten", "", "", ""],
    )
    before = run(table_counts(database))

    with pytest.raises(ImportRejected) as caught:
        run(_import(database, data))

    assert [str(e) for e in caught.value.errors] == [
        "row 3: target_group: Studenten is not one of: Alleenstaande ouders, Hoogopgeleiden"
    ]
    assert run(table_counts(database)) == before


def test_import_unknown_column_is_listed_as_not_used_and_not_refused(demo: DemoResult, database: Settings) -> None:
    run(_werkfit(database))
    data = table(
        [*HEADERS, "Opmerking", "", "Leeg"],
        ["Anna", "Jansen", "anna@example.org", "Hoogopgeleiden", "", "", "", "let op", "x", ""],
    )

    preview = run(_import(database, data, apply=False))

    assert preview.ok
    assert [str(c) for c in preview.unused] == ["H (Opmerking)", "I (no header)"]


def test_import_correct_file_stores_every_target_group_and_the_export_shows_them(
    demo: DemoResult, database: Settings
) -> None:
    run(_werkfit(database))
    data = table(
        HEADERS,
        ["Anna", "Jansen", "anna@example.org", " alleenstaande OUDERS ", "Intake", "Reclassering Haaglanden", ""],
        ["Bram", "Smit", "bram@example.org", "hoogopgeleiden", "", "Buurtwerk Zuid", "03-02-2026"],
        ["Cees", "Bakker", "cees@example.org", "Hoogopgeleiden", "AAN HET WERK ", "", "2026-02-04"],
    )

    result = run(_import(database, data))
    headers, rows = run(_export(database))

    assert (result.rows, result.created) == (3, 3)
    assert headers[:12] == [
        "Voornaam",
        "Achternaam",
        "E-mailadres",
        "Telefoon",
        "Woonplaats",
        "E-mail coach",
        "Doelgroep",
        "Fase",
        "Aangemeld door",
        "Verwijzer",
        "Aanmelddatum",
        "Intakedatum",
    ]
    by_name = {row[0]: row for row in rows}
    assert {name: (row[6], row[7], row[8], row[9], row[11]) for name, row in by_name.items()} == {
        "Anna": ("Alleenstaande ouders", "intake", "Reclassering Haaglanden", "", ""),
        "Bram": ("Hoogopgeleiden", "aangemeld", "", "Buurtwerk Zuid", "03-02-2026"),
        "Cees": ("Hoogopgeleiden", "aan het werk", "", "", "04-02-2026"),
    }
    # Without a referral date the intake's is the day they came in.
    assert by_name["Cees"][10] == "04-02-2026"


# --- the rows' other rules ------------------------------------------------------------------------------


def test_import_unknown_stage_and_bad_dates_are_row_errors_with_spreadsheet_row_numbers(
    demo: DemoResult, database: Settings
) -> None:
    run(_werkfit(database))
    data = table(
        [*HEADERS, "Aanmelddatum"],
        ["Anna", "Jansen", "", "", "fase 9", "", "31-02-2026", ""],
        ["", "Smit", "", "", "", "", "", ""],
        ["Cees", "Bakker", "", "", "", "", "01-01-2026", "02-01-2026"],
    )

    preview = run(_import(database, data, apply=False))

    assert [str(e) for e in preview.errors] == [
        "row 2: stage: fase 9 is not one of: aangemeld, intake, voorbereiding, kennismaking, aan het werk, nazorg, "
        "afgerond, uitgevallen",
        "row 2: intake_on: not a date (write it as dd-mm-yyyy)",
        "row 3: first_name: this value is required",
        "row 4: intake_on: lies before the referral date",
    ]


def test_import_known_person_is_matched_not_duplicated_and_a_second_import_is_refused(
    demo: DemoResult, database: Settings
) -> None:
    run(_werkfit(database))
    known_email = run(_first_demo_email(database))
    data = table(
        HEADERS, ["Iemand", "Anders", known_email.upper(), "", "", "", ""], ["Dirk", "Dekker", "", "", "", "", ""]
    )
    candidates_before = _count(database, Candidate)

    first = run(_import(database, data))
    with pytest.raises(ImportRejected) as again:
        run(_import(database, data))

    assert (first.created, first.matched) == (1, 1)
    assert _count(database, Candidate) == candidates_before + 1
    assert [(e.row, e.field) for e in again.value.errors] == [(2, "last_name"), (3, "last_name")]


async def _first_demo_email(settings: Settings) -> str:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        email = await session.scalar(
            select(Candidate.email)
            .where(Candidate.organisation_id == event.organisation_id, Candidate.email.is_not(None))
            .order_by(Candidate.id)
        )
        assert email is not None
        return email


def test_import_by_another_organisations_organiser_is_refused(demo: DemoResult, database: Settings) -> None:
    run(_werkfit(database))

    async def attempt() -> None:
        async with open_session(database) as session:
            other = await session.scalar(select(User).where(User.email == "organisator.bakboord@demo.meetmatch.nl"))
            assert other is not None
            user = to_current_user(other)
            organiser = await _organiser(session)
            programme = await get_programme(session, organiser, "werkfit")
            data = table(HEADERS, ["Anna", "Jansen", "", "", "", "", ""])
            await preview_participants(session, user, programme, data, guess_mapping(PARTICIPANT_FIELDS, HEADERS))

    from events.platform.errors import NotFoundError

    with pytest.raises(NotFoundError):
        run(attempt())


# --- the event import: Doelgroep kept, unused columns listed ----------------------------------------------


def test_event_import_maps_doelgroep_to_the_candidates_target_group_and_lists_unused_columns(
    demo: DemoResult, database: Settings
) -> None:
    data = table(
        ["Voornaam", "Achternaam", "Doelgroep", "Opmerking"],
        ["Anna", "Wit", "Alleenstaande ouders", "bellen na 10 uur"],
    )

    async def check() -> Any:
        async with open_session(database) as session:
            organiser = await _organiser(session)
            event = await find_event(session, DEMO_SLUG)
            mapping = guess_mapping("candidates", data.headers)
            return mapping, await preview_import(session, organiser, event, "candidates", data, mapping)

    mapping, preview = run(check())

    assert mapping == {0: "first_name", 1: "last_name", 2: "target_group"}
    assert preview.rows[0].values["target_group"] == "Alleenstaande ouders"
    assert [str(c) for c in preview.unused] == ["D (Opmerking)"]


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_event_import_dry_run_lists_the_columns_not_used(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    path = tmp_path / "kandidaten.csv"
    path.write_text("Voornaam;Achternaam;Doelgroep;Opmerking\nAnna;Wit;Statushouders;bellen\n", encoding="utf-8")

    result = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--dry-run", "--consent-date", "2025-11-02")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "dry run: 1 rows are fine: 1 new candidates, 0 matching existing ones; nothing was written",
        "column not used: D (Opmerking)",
    ]


# --- the command line -----------------------------------------------------------------------------------


def _installation(settings: Settings) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    assert cli(settings, "organisations", "add", "Gemeente Den Haag").returncode == 0
    added = cli(
        settings,
        "programmes",
        "add",
        "werkfit",
        "--name",
        "Werkfit-traject",
        "--organisation",
        "gemeente den haag",
        *("--target-group", GROUPS[0], "--target-group", GROUPS[1]),
    )
    assert added.returncode == 0, added.stderr


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_add_makes_the_groups_and_stages(settings: Settings) -> None:
    _installation(settings)

    other = cli(
        settings,
        "programmes",
        "add",
        "perspct",
        "--name",
        "Perspct",
        "--organisation",
        "Gemeente Den Haag",
        *("--stage", "selectie", "--stage", "training", "--stage", "plaatsing"),
    )
    listed = cli(settings, "programmes", "list")

    assert other.returncode == 0, other.stderr
    assert other.stdout.splitlines()[1:] == [
        "  target groups: (none)",
        "  stages: selectie → training → plaatsing; endings: afgerond, uitgevallen",
    ]
    assert [line.split() for line in listed.stdout.splitlines()] == [
        ["slug", "organisation", "participants", "name"],
        ["perspct", "Gemeente", "Den", "Haag", "0", "Perspct"],
        ["werkfit", "Gemeente", "Den", "Haag", "0", "Werkfit-traject"],
    ]


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["werkfit", "--name", "Ander", "--organisation", "Gemeente Den Haag"], "SLUG: a programme with the address"),
        (["Werk_Fit", "--name", "Ander", "--organisation", "Gemeente Den Haag"], "SLUG: 'Werk_Fit' is not a slug"),
        (["ander", "--name", "Ander", "--organisation", "Nergens"], "organisation: there is no organisation named"),
        (["ander", "--name", "Werkfit-traject", "--organisation", "Gemeente Den Haag"], "name: "),
        (["ander", "--name", "Ander", "--organisation", "Gemeente Den Haag", "--stage", "Afgerond"], "stage: "),
        (
            ["ander", "--name", "Ander", "--organisation", "Gemeente Den Haag", "--target-group", " "],
            "target_group: ",
        ),
    ],
)
def test_cli_programmes_add_bad_input_is_one_line_exit_2_and_nothing_made(
    settings: Settings, args: list[str], message: str
) -> None:
    _installation(settings)
    before = run(table_counts(settings))

    result = cli(settings, "programmes", "add", *args)

    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert run(table_counts(settings)) == before


def _participants(rows: int, *, bad: bool = False) -> list[list[object]]:
    lines: list[list[object]] = []
    for n in range(rows):
        lines.append(
            [f"Persoon{n}", f"Achter{n}", f"persoon{n}@example.org", GROUPS[n % 2], "", "Buurtwerk", "", f"x{n}"]
        )
    if bad:
        lines[4][3] = "Studenten"  # spreadsheet row 6
        lines[7][4] = "onbekend"  # spreadsheet row 9
    return lines


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_cli_programmes_import_bad_rows_exit_2_nothing_stored_then_fixed_file_imports_all(
    settings: Settings, tmp_path: Path, suffix: str
) -> None:
    _installation(settings)
    headers = [*HEADERS, "Opmerking"]
    bad, good = tmp_path / f"bad.{suffix}", tmp_path / f"good.{suffix}"
    _write(bad, headers, _participants(10, bad=True))
    _write(good, headers, _participants(10))
    before = run(table_counts(settings))

    refused = cli(
        settings, "programmes", "import", "werkfit", str(bad), "--consent-date", "01-11-2025", "--language", "en"
    )
    after_refused = run(table_counts(settings))
    done = cli(
        settings, "programmes", "import", "werkfit", str(good), "--consent-date", "01-11-2025", "--language", "en"
    )

    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "row 6: target_group: Studenten is not one of: Alleenstaande ouders, Hoogopgeleiden",
        "row 9: stage: onbekend is not one of: aangemeld, intake, voorbereiding, kennismaking, aan het werk, nazorg, "
        "afgerond, uitgevallen",
        "column not used: H (Opmerking)",
        f"error: 2 problem(s) in bad.{suffix}; nothing was imported",
    ]
    assert after_refused == before
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "imported 10 rows into werkfit: 10 people created, 0 matched, 0 updated"
    assert "  target group Alleenstaande ouders: 5" in done.stdout.splitlines()
    assert "  target group Hoogopgeleiden: 5" in done.stdout.splitlines()
    assert "column not used: H (Opmerking)" in done.stdout.splitlines()
    assert _count(settings, Enrolment) == 10


def _write(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    if path.suffix == ".xlsx":
        write_xlsx(path, headers, rows)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_import_dry_run_stores_nothing_and_lists_unused_columns(
    settings: Settings, tmp_path: Path
) -> None:
    _installation(settings)
    path = tmp_path / "deelnemers.csv"
    _write(path, [*HEADERS, "Opmerking"], _participants(4))
    before = run(table_counts(settings))

    result = cli(settings, "programmes", "import", "werkfit", str(path), "--dry-run", "--consent-date", "2025-11-01")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "dry run: 4 rows are fine: 4 new people, 0 matching known ones; nothing was written",
        "  target group Alleenstaande ouders: 2",
        "  target group Hoogopgeleiden: 2",
        "  stage aangemeld: 4",
        "  referred by: 0 linked to an organisation of the programme, 4 kept as the referrer's name",
        "column not used: H (Opmerking)",
    ]
    assert run(table_counts(settings)) == before


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_import_new_people_without_consent_refused_exit_2(settings: Settings, tmp_path: Path) -> None:
    _installation(settings)
    path = tmp_path / "deelnemers.csv"
    _write(path, HEADERS, _participants(2))
    before = run(table_counts(settings))

    result = cli(settings, "programmes", "import", "werkfit", str(path))

    assert result.returncode == 2
    assert result.stderr.startswith("error: consent: new participants have no consent record in the file")
    assert run(table_counts(settings)) == before


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nergens", "{path}"], "error: programme 'nergens': not found"),
        (["werkfit", "{path}", "--consent-date", "31-13-2025"], "error: consent_date: "),
    ],
)
def test_cli_programmes_import_bad_arguments_exit_2(
    settings: Settings, tmp_path: Path, args: list[str], message: str
) -> None:
    _installation(settings)
    path = tmp_path / "deelnemers.csv"
    _write(path, HEADERS, _participants(2))

    result = cli(settings, "programmes", "import", *[a.replace("{path}", str(path)) for a in args])

    assert result.returncode == 2
    assert result.stderr.startswith(message)


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_import_file_over_ten_megabytes_refused_before_it_is_read(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "groot.csv"
    with path.open("wb") as out:
        out.truncate(11 * 1024 * 1024)

    result = cli(settings, "programmes", "import", "werkfit", str(path), "--language", "en")

    assert (result.returncode, result.stderr.strip()) == (2, "error: file: the file is larger than 10 MB")


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_import_xml_with_entities_refused_exit_2(settings: Settings, tmp_path: Path) -> None:
    from tests.registration.test_attacks_uploads import build

    bomb, path = build("entities", tmp_path)

    result = cli(settings, "programmes", "import", "werkfit", str(path), "--language", "en")

    assert result.returncode == 2
    assert bomb.english in result.stderr


# --- the export -----------------------------------------------------------------------------------------


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_export_empty_programme_gives_the_header_row(settings: Settings, tmp_path: Path) -> None:
    _installation(settings)
    path = tmp_path / "deelnemers.csv"

    result = cli(settings, "programmes", "export", "werkfit", "participants", "-o", str(path))

    assert (result.returncode, result.stdout.strip()) == (0, f"wrote 0 rows to {path}")
    assert (
        path.read_bytes()
        == (
            "\ufeffVoornaam;Achternaam;E-mailadres;Telefoon;Woonplaats;E-mail coach;Doelgroep;Fase;Aangemeld door;"
            "Verwijzer;Aanmelddatum;Intakedatum\r\n"
        ).encode()
    )


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_programmes_export_csv_and_xlsx_neutralise_formulas_and_keep_the_groups(
    settings: Settings, tmp_path: Path
) -> None:
    _installation(settings)
    source = tmp_path / "deelnemers.csv"
    rows = _participants(2)
    rows[0][5] = '=HYPERLINK("http://x")'
    _write(source, HEADERS, rows)
    assert cli(settings, "programmes", "import", "werkfit", str(source), "--consent-date", "01-11-2025").returncode == 0

    as_csv = cli(settings, "programmes", "export", "werkfit", "participants", "-o", str(tmp_path / "uit.csv"))
    as_xlsx = cli(settings, "programmes", "export", "werkfit", "participants", "-o", str(tmp_path / "uit.xlsx"))
    wrong = cli(settings, "programmes", "export", "werkfit", "participants", "-o", str(tmp_path / "uit.pdf"))

    assert (as_csv.returncode, as_xlsx.returncode, wrong.returncode) == (0, 0, 2)
    text = (tmp_path / "uit.csv").read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [(line[0], line[6], line[9]) for line in lines[1:]] == [
        ("Persoon0", "Alleenstaande ouders", '\'=HYPERLINK("http://x")'),
        ("Persoon1", "Hoogopgeleiden", "Buurtwerk"),
    ]
    sheet = load_workbook(tmp_path / "uit.xlsx").active
    assert [sheet.cell(row=r, column=7).value for r in (1, 2, 3)] == [
        "Doelgroep",
        "Alleenstaande ouders",
        "Hoogopgeleiden",
    ]


def test_export_criminal_justice_data_only_when_asked_and_each_read_audited(
    demo: DemoResult, database: Settings
) -> None:
    run(_werkfit(database))
    run(_import(database, table(HEADERS, ["Anna", "Jansen", "", "", "", "", ""], ["Bram", "Smit", "", "", "", "", ""])))

    async def mark_detained() -> None:
        async with open_session(database) as session:
            for enrolment in await session.scalars(select(Enrolment)):
                enrolment.justice = {"detained": True, "release_date": "2026-03-01", "criminal_record": True}
            await session.commit()

    run(mark_detained())
    plain_headers, plain = run(_export(database))
    reads_before = _count_reads(database)

    from events.platform.errors import DomainError

    with pytest.raises(DomainError) as refused:
        run(_export(database, with_justice=True))  # the demo organiser is not allowed criminal-justice data

    assert "Gedetineerd" not in plain_headers
    assert all(len(row) == 12 for row in plain)
    assert refused.value.code == "justice_not_allowed"
    assert _count_reads(database) == reads_before


@pytest.mark.slow  # the command line in-process, a second apiece: the full run's, not the fast layer's
def test_cli_export_with_justice_adds_the_columns_and_audits_each_person(settings: Settings, tmp_path: Path) -> None:
    _installation(settings)
    source = tmp_path / "deelnemers.csv"
    _write(source, HEADERS, _participants(3))
    assert cli(settings, "programmes", "import", "werkfit", str(source), "--consent-date", "01-11-2025").returncode == 0
    reads_before = _count_reads(settings)

    result = cli(
        settings, "programmes", "export", "werkfit", "participants", "-o", str(tmp_path / "uit.csv"), "--with-justice"
    )

    assert result.returncode == 0, result.stderr
    header = (tmp_path / "uit.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(";Gedetineerd;Datum van vrijlating;Strafblad")
    assert _count_reads(settings) == reads_before + 3


def _count_reads(settings: Settings) -> int:
    async def counted() -> int:
        async with open_session(settings) as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read_justice")
                )
                or 0
            )

    return run(counted())


def test_unused_columns_include_data_past_a_csv_header_and_past_the_excel_limit(tmp_path: Path) -> None:
    from events.platform.import_files import read_table
    from events.registration.imports_fields import unused_columns

    csv_table = read_table(b"Voornaam;Achternaam\nAnna;Wit;let op;;x\nBram;Smit\n", "lijst.csv")
    rows: list[list[object]] = [["v"] * 62]
    xlsx_table = read_table(
        write_xlsx(tmp_path / "breed.xlsx", [f"Kop{i}" for i in range(60)], rows).read_bytes(), "breed.xlsx"
    )

    assert [str(c) for c in unused_columns(csv_table, {0: "first_name", 1: "last_name"})] == [
        "C (no header)",
        "E (no header)",
    ]
    assert csv_table.rows == [["Anna", "Wit"], ["Bram", "Smit"]]
    assert (len(xlsx_table.headers), xlsx_table.unread_columns) == (60, [60])
