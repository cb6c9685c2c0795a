"""The results as files: the PDF report (read back with pdftotext, its charts looked at as pixels), the
outcome exports for funders and per person, and the commands that write them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, update

from events.demo.seed import DemoResult
from events.platform import i18n
from events.platform.db import open_session
from events.platform.models import AuditEntry, Event, Organisation, Programme
from events.platform.services import system_user
from events.platform.settings import Settings
from events.platform.spreadsheets import to_xlsx
from events.results import pdf, services
from events.results.figures import event_report
from events.results.view import event_view
from tests.cli import cli
from tests.conftest import run
from tests.helpers import organising_id
from tests.pdftools import require_tools
from tests.results.reports_seed import MARKER_NAME, seed
from tests.results.test_reports_pages import as_organiser

FORMULA = '=HYPERLINK("http://evil.example/","klik")'
BRAND = (11, 110, 79)  # the funnel bars' colour, #0b6e4f


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def coloured_pixels(image: Path, colour: tuple[int, int, int]) -> int:
    with Image.open(image) as opened:
        rgb = opened.convert("RGB")
        data = rgb.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, colour, strict=True)))


def assert_funnel_in(text: str) -> None:
    """The anonymised funnel of the seeded scenario, as the table in the PDF has it."""
    for label, figure in (
        ("registered", "12"),
        ("present", "10"),
        ("held a talk", "8"),
        ("follow-up wished", "<5"),
        ("started a paid job", "<5"),
    ):
        assert re.search(rf"^\s*{re.escape(label)}\s+{re.escape(figure)}\s*$", text, re.M), label


def test_pdf_report_from_the_page_holds_the_figures_and_charts_but_no_names(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    require_tools("pdftotext", "pdftoppm")
    seeded = run(seed(database))
    as_organiser(client)

    response = client.get(f"/events/{seeded.slug}/results.pdf?anonymised=1")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    exact = tmp_path / "exact.pdf"
    exact.write_bytes(client.get(f"/events/{seeded.slug}/results.pdf").content)
    # For the organiser's own use the report holds the exact figures (still no names).
    assert "<5" not in pdf_text(exact)
    assert re.search(r"^\s*registered\s+12\s*$", pdf_text(exact), re.M)
    assert MARKER_NAME not in pdf_text(exact)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert_funnel_in(text)
    assert "Alfa Bouw" in text
    assert MARKER_NAME not in text
    assert "Kandidaat" not in text
    assert "Heel fijn" not in text  # evaluation comments never leave the organisers' page
    # The funnel chart's bars (registered, present, held a talk) are drawn on the first page.
    assert coloured_pixels(tmp_path / "page-1.png", BRAND) > 500


def test_report_html_is_the_same_sections_as_the_page_in_dutch(database: Settings) -> None:
    seeded = run(seed(database))

    async def html() -> str:
        async with open_session(database) as session:
            event = await session.get(Event, seeded.event_id)
            assert event is not None
            report = await event_report(session, event, dt.date(2026, 8, 1))
        with i18n.language("nl"):
            return pdf.report_html(event_view(report, anonymised=True), kind="event", day=dt.date(2026, 8, 1))

    document = run(html())

    assert 'id="chart-funnel"' in document
    assert 'id="chart-checkpoints"' in document
    assert 'id="chart-employers"' in document
    assert "Trechter" in document
    assert MARKER_NAME not in document


def test_cli_report_writes_the_event_and_the_programme_pdf(settings: Settings, tmp_path: Path) -> None:
    require_tools("pdftotext")
    assert cli(settings, "db", "upgrade").returncode == 0
    seeded = run(seed(settings))

    async def programme() -> None:
        async with open_session(settings) as session:
            found = Programme(
                slug="delft-aan-het-werk",
                name="Delft aan het werk",
                organisation_id=await organising_id(session),
                targets={"job_starts": 10},
            )
            session.add(found)
            await session.flush()
            await session.execute(update(Event).where(Event.id == seeded.event_id).values(programme_id=found.id))
            await session.commit()

    run(programme())
    event_pdf, programme_pdf = tmp_path / "event.pdf", tmp_path / "programme.pdf"

    by_event = cli(settings, "report", seeded.slug, "-o", str(event_pdf), "--language", "en", "--anonymised")
    by_id = cli(settings, "report", str(seeded.event_id), "-o", str(tmp_path / "by-id.pdf"))
    by_programme = cli(settings, "report", "--programme", "delft aan het werk", "-o", str(programme_pdf))

    assert by_event.returncode == 0, by_event.stderr
    assert by_event.stdout.strip() == f"wrote the report of event {seeded.slug} to {event_pdf}"
    assert by_id.returncode == 0, by_id.stderr
    assert by_programme.returncode == 0, by_programme.stderr
    assert_funnel_in(pdf_text(event_pdf))
    assert MARKER_NAME not in pdf_text(event_pdf)
    assert "Delft aan het werk" in pdf_text(programme_pdf)


def test_cli_report_bad_input_is_one_line_and_exit_code_2(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0

    unknown = cli(settings, "report", "geen-beurs", "-o", str(tmp_path / "a.pdf"))
    neither = cli(settings, "report", "-o", str(tmp_path / "a.pdf"))
    both = cli(settings, "report", "x", "--programme", "y", "-o", str(tmp_path / "a.pdf"))
    not_pdf = cli(settings, "report", "x", "-o", str(tmp_path / "a.csv"))
    no_programme = cli(settings, "report", "--programme", "Nergens", "-o", str(tmp_path / "a.pdf"))

    assert [r.returncode for r in (unknown, neither, both, not_pdf, no_programme)] == [2, 2, 2, 2, 2]
    assert unknown.stderr.strip() == "error: event 'geen-beurs': not found"
    assert neither.stderr.strip() == both.stderr.strip() == "error: name an EVENT or a --programme (one of the two)"
    assert not_pdf.stderr.strip() == "error: a.csv: choose a file name ending in .pdf"
    assert no_programme.stderr.strip() == "error: programme 'Nergens': not found"
    assert "Traceback" not in unknown.stderr + neither.stderr + no_programme.stderr
    assert not (tmp_path / "a.pdf").exists()


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))


def test_cli_export_outcomes_is_anonymised_by_default_and_personal_on_request(
    settings: Settings, tmp_path: Path
) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    seeded = run(seed(settings))
    funder, personal = tmp_path / "funder.csv", tmp_path / "personal.csv"

    plain = cli(settings, "export", seeded.slug, "outcomes", "-o", str(funder), "--language", "en")
    named = cli(settings, "export", seeded.slug, "outcomes", "--personal", "-o", str(personal), "--language", "en")
    wrong = cli(settings, "export", seeded.slug, "candidates", "--personal", "-o", str(tmp_path / "x.csv"))

    assert plain.returncode == named.returncode == 0, plain.stderr + named.stderr
    rows = _read_csv(funder)
    assert rows[0] == ["Part", "Overview", "Group", "Figure", "Value"]
    assert ["Funnel", "From registration to work", "registered", "Candidates", "12"] in rows
    assert ["Funnel", "From registration to work", "started a paid job", "Candidates", "<5"] in rows
    assert ["Per employer", "Per employer", "Charlie Groen", "talks", "5"] in rows
    assert MARKER_NAME not in funder.read_text(encoding="utf-8-sig")
    # Nothing that identifies a person: no column of ids, no evaluation comment.
    assert "Heel fijn" not in funder.read_text(encoding="utf-8-sig")
    people = _read_csv(personal)
    assert people[0][:4] == ["Candidate", "Employer", "Outcome", "Status"]
    assert [f"Kandidaat1 {MARKER_NAME}1", "Alfa Bouw", "paid job", "confirmed"] in [p[:4] for p in people]
    assert [f"Kandidaat7 {MARKER_NAME}7", "Alfa Bouw", "paid job", "proposed"] in [p[:4] for p in people]
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "error: --personal: only with outcomes"


def test_funder_xlsx_neutralises_a_formula_employer_name(database: Settings) -> None:
    seeded = run(seed(database))

    async def export() -> bytes:
        async with open_session(database) as session:
            await session.execute(
                update(Organisation).where(Organisation.id == seeded.employers["Alfa Bouw"]).values(name=FORMULA)
            )
            user = await system_user(session)
            event = await session.get(Event, seeded.event_id)
            assert event is not None
            with i18n.language("en"):
                headers, rows = await services.funder_export(session, user, event, dt.date(2026, 8, 1))
            return to_xlsx(headers, rows)

    sheet = load_workbook(io.BytesIO(run(export()))).active
    assert sheet is not None
    names = [row[2] for row in sheet.iter_rows(values_only=True) if str(row[2]).startswith(("'=", "="))]

    assert names
    assert set(names) == {"'" + FORMULA}
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("'="))


def test_personal_export_refused_to_a_coach_and_audited_for_an_organiser(database: Settings) -> None:
    seeded = run(seed(database))

    async def attempt() -> tuple[str, int]:
        from events.platform.errors import NotFoundError
        from events.platform.identity import CurrentUser
        from events.platform.models import Role

        coach = CurrentUser(
            id=1, email="c@x", name="c", role=Role.COACH, organisation_id=None, event_id=None, locale="nl"
        )
        async with open_session(database) as session:
            event = await session.get(Event, seeded.event_id)
            assert event is not None
            try:
                await services.personal_export(session, coach, event)
            except NotFoundError:
                refused = "not found"
            else:
                refused = "allowed"
            entries = await session.scalars(select(AuditEntry).where(AuditEntry.action == "export_personal"))
            return refused, len(entries.all())

    assert run(attempt()) == ("not found", 0)


def test_pdf_fetcher_reaches_only_our_static_files() -> None:
    from events.platform.pdf import StaticFetcher, static_dir

    fetcher = StaticFetcher()
    own = fetcher.fetch((static_dir() / "css" / "report-print.css").as_uri())

    assert b"@page" in own.read()
    for url in ("http://evil.example/x.png", "file:///etc/passwd", (static_dir() / ".." / "base.html").as_uri()):
        with pytest.raises(ValueError, match="not one of our static files"):
            fetcher.fetch(url)
