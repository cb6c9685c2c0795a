"""The organiser's spreadsheet import in the pages: upload, column check, row errors, all-or-nothing."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import Workbook

from events.demo.seed import DemoResult
from events.platform.models import Candidate, CandidateParticipation, Consent
from events.platform.settings import Settings
from tests.conftest import COACH, ORGANISER, login
from tests.registration.test_registration import count


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def candidate_rows(bad: bool) -> list[list[object]]:
    rows: list[list[object]] = [["Voornaam", "Achternaam", "E-mail", "Telefoon", "Coach e-mail"]]
    for n in range(50):
        rows.append([f"Persoon{n}", f"Achter{n}", f"persoon{n}@example.org", f"06-1000{n:04d}", COACH])
    if bad:
        rows[6][1] = ""  # spreadsheet row 7
        rows[11][4] = "onbekend@example.org"  # spreadsheet row 12
    return rows


# The columns of `candidate_rows`, as the preview's column choices.
MAPPING = {"col_0": "first_name", "col_1": "last_name", "col_2": "email", "col_3": "phone", "col_4": "coach_email"}
CONSENT_FORM = {
    "consent_confirmed": "yes",
    "consent_method": "paper",
    "consent_date": "2025-11-02",
    "consent_purpose": "Gegevens delen met de werkgevers van Samen Werkt!",
}


def upload(client: TestClient[Litestar], data: bytes, name: str = "kandidaten.xlsx") -> str:
    response = client.post(
        "/events/samen-werkt/import/candidates",
        files={"file": (name, data, "application/octet-stream")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def import_form(client: TestClient[Litestar], **fields: str) -> dict[str, Any]:
    """The preview's form, sent to import: the token, the action, the columns of `candidate_rows`, ``fields``."""
    return {"_csrf_token": client.cookies.get("csrftoken"), "action": "import", **MAPPING, **fields}


def test_import_page_shows_each_bad_row_and_imports_nothing(
    organiser: TestClient[Litestar], database: Settings
) -> None:
    before = (count(database, Candidate), count(database, CandidateParticipation))

    location = upload(organiser, workbook(candidate_rows(bad=True)))
    preview = organiser.get(location)
    forced = organiser.post(location, data=import_form(organiser))

    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", preview.text)
    assert [(r[0], r[1]) for r in rows] == [("7", "Achternaam"), ("12", "E-mail coach")]
    assert "Er is niets ingelezen." in preview.text
    assert forced.status_code == 422
    assert (count(database, Candidate), count(database, CandidateParticipation)) == before


def test_import_page_fixed_file_imports_fifty_and_again_matches_them(
    organiser: TestClient[Litestar], database: Settings
) -> None:
    before = count(database, Candidate)
    consents_before = count(database, Consent)
    data = workbook(candidate_rows(bad=False))

    location = upload(organiser, data)
    preview = organiser.get(location)
    done = organiser.post(
        location,
        data=import_form(organiser, **CONSENT_FORM),
        follow_redirects=False,
    )
    again = organiser.get(upload(organiser, data))

    assert "50 nieuwe personen, 0 al bekend" in preview.text
    assert 'name="consent_confirmed"' in preview.text
    assert 'name="consent_confirmed"' not in again.text  # all matched: their consent is on record
    assert done.status_code == 303
    assert done.headers["location"].startswith("/events/samen-werkt?msg=imported")
    assert count(database, Candidate) == before + 50
    assert count(database, Consent) == consents_before + 50
    assert "0 nieuwe personen, 50 al bekend" in again.text


def test_import_page_refuses_new_people_without_confirmed_consent(
    organiser: TestClient[Litestar], database: Settings
) -> None:
    before = (count(database, Candidate), count(database, Consent))
    location = upload(organiser, workbook(candidate_rows(bad=False)))
    base = import_form(organiser)

    unconfirmed = organiser.post(location, data={**base, **CONSENT_FORM, "consent_confirmed": ""})
    future = organiser.post(location, data={**base, **CONSENT_FORM, "consent_date": "2999-01-01"})

    assert unconfirmed.status_code == 422
    assert "50 nieuwe kandidaten hebben geen toestemming in het bestand" in unconfirmed.text
    assert 'value="2025-11-02"' in unconfirmed.text  # what was typed stays
    assert future.status_code == 422
    assert "ligt in de toekomst" in future.text
    assert (count(database, Candidate), count(database, Consent)) == before


def test_import_page_other_headers_need_the_mapping_step(organiser: TestClient[Litestar]) -> None:
    data = b"Roepnaam;Familienaam van de persoon\nAmira;Bakker\n"

    location = upload(organiser, data, "lijst.csv")
    first = organiser.get(location)
    mapped = organiser.post(
        location,
        data={
            "_csrf_token": organiser.cookies.get("csrftoken"),
            "action": "check",
            "col_0": "first_name",
            "col_1": "last_name",
        },
    )

    assert 'name="col_1"' in first.text
    assert "1 nieuwe personen" not in first.text
    assert "Alle rijen kloppen." in mapped.text


def test_import_page_refuses_an_unreadable_file_naming_it(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = client.post(
        "/events/samen-werkt/import/candidates",
        files={"file": ("foto.png", b"\x89PNG\r\n\x1a\n....", "image/png")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
    )

    assert response.status_code == 422
    assert 'class="field-error"' in response.text


def test_import_upload_of_one_organiser_is_not_found_by_another_user(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    location = upload(client, workbook(candidate_rows(bad=False)))
    login(client, COACH)

    assert client.get(location).status_code == 403


def test_export_download_neutralises_formulas(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    from sqlalchemy import update

    from events.platform.db import open_session
    from tests.conftest import run

    async def poison() -> None:
        async with open_session(database) as session:
            await session.execute(update(Candidate).where(Candidate.id == 1).values(last_name='=HYPERLINK("http://x")'))
            await session.commit()

    run(poison())
    login(client, ORGANISER)

    response = client.get("/events/samen-werkt/export/candidates.csv")

    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="samen-werkt-candidates.csv"'
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_import_api_dry_run_then_import_and_rejection(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    from tests.conftest import csrf_headers

    login(client, ORGANISER)
    before = count(database, Candidate)
    good = workbook(candidate_rows(bad=False))

    def send(data: bytes, query: str = "") -> object:
        return client.post(
            f"/api/events/samen-werkt/imports/candidates{query}",
            files={"file": ("k.xlsx", data, "application/octet-stream")},
            headers=csrf_headers(client),
        )

    dry = send(good, "?dry_run=true")
    unconfirmed = send(good)
    after_dry = count(database, Candidate)
    rejected = send(workbook(candidate_rows(bad=True)))
    done = send(good, "?consent_date=2025-11-02&consent_method=digital")

    assert dry.status_code == 200  # type: ignore[attr-defined]
    assert dry.json()["imported"] is False  # type: ignore[attr-defined]
    assert dry.json()["needs_consent"] == 50  # type: ignore[attr-defined]
    assert unconfirmed.status_code == 422  # type: ignore[attr-defined]
    assert unconfirmed.json()["code"] == "consent_required"  # type: ignore[attr-defined]
    assert after_dry == before
    assert rejected.status_code == 422  # type: ignore[attr-defined]
    assert [(e["row"], e["field"]) for e in rejected.json()["errors"]] == [(7, "last_name"), (12, "coach_email")]  # type: ignore[attr-defined]
    assert done.json()["imported"] is True  # type: ignore[attr-defined]
    assert count(database, Candidate) == before + 50
