"""A programme's import page (upload, columns, the check with row errors and the columns not used, all or nothing)
and its participants download, for the programme's organisers only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.platform.models import Enrolment, Programme
from events.platform.settings import Settings
from tests.conftest import COACH, first_id, login, run
from tests.programmes.test_imports import HEADERS, _werkfit
from tests.registration.test_import_pages import workbook
from tests.registration.test_registration import count

# Scenario tests of many requests each: the full run's, not the fast layer's.
pytestmark = pytest.mark.slow

OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
CONSENT_FORM = {
    "consent_confirmed": "yes",
    "consent_method": "paper",
    "consent_date": "2025-11-02",
    "consent_purpose": "Gegevens delen met de organisatie van Werkfit",
}


def _programme_id(database: Settings) -> int:
    run(_werkfit(database))
    return first_id(database, select(Programme.id).where(Programme.slug == "werkfit"))


def _rows(bad: bool) -> list[list[object]]:
    rows: list[list[object]] = [[*HEADERS, "Opmerking"]]
    for n in range(6):
        group = "Studenten" if bad and n == 3 else ("Hoogopgeleiden" if n % 2 else " alleenstaande ouders")
        rows.append([f"Persoon{n}", f"Achter{n}", f"persoon{n}@example.org", group, "", "", "", f"let op {n}"])
    return rows


def _upload(client: TestClient[Litestar], programme_id: int, data: bytes, name: str = "deelnemers.xlsx") -> str:
    response = client.post(
        f"/programmes/{programme_id}/import",
        files={"file": (name, data, "application/octet-stream")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _import_form(client: TestClient[Litestar], **fields: str) -> dict[str, str]:
    mapping = {f"col_{i}": name for i, name in enumerate(["first_name", "last_name", "email", "target_group"])}
    return {"_csrf_token": client.cookies.get("csrftoken") or "", "action": "import", **mapping, **fields}


def test_import_page_shows_the_bad_row_and_the_unused_column_and_imports_nothing(
    organiser: TestClient[Litestar], database: Settings
) -> None:
    programme_id = _programme_id(database)
    before = count(database, Enrolment)

    location = _upload(organiser, programme_id, workbook(_rows(bad=True)))
    preview = organiser.get(location)
    forced = organiser.post(location, data=_import_form(organiser, **CONSENT_FORM))

    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", preview.text)
    assert rows == [("5", "Doelgroep", "Studenten is geen van deze: Alleenstaande ouders, Hoogopgeleiden")]
    assert "1 kolom bevat gegevens die niet worden geïmporteerd:" in preview.text
    assert "<li>kolom H: Opmerking</li>" in preview.text
    assert forced.status_code == 422
    assert count(database, Enrolment) == before


def test_import_page_correct_file_enrols_everyone_and_the_download_shows_their_groups(
    organiser: TestClient[Litestar], database: Settings
) -> None:
    programme_id = _programme_id(database)

    location = _upload(organiser, programme_id, workbook(_rows(bad=False)))
    preview = organiser.get(location)
    unconfirmed = organiser.post(location, data=_import_form(organiser, **{**CONSENT_FORM, "consent_confirmed": ""}))
    done = organiser.post(location, data=_import_form(organiser, **CONSENT_FORM), follow_redirects=False)
    download = organiser.get(f"/programmes/{programme_id}/export/participants.csv")
    excel = organiser.get(f"/programmes/{programme_id}/export/participants.xlsx")
    unknown = organiser.get(f"/programmes/{programme_id}/export/participants.pdf")

    assert "6 nieuwe personen, 0 al bekend" in preview.text
    assert "<li>kolom H: Opmerking</li>" in preview.text
    assert unconfirmed.status_code == 422
    assert done.status_code == 303
    assert done.headers["location"] == f"/programmes/{programme_id}?msg=imported&rows=6"
    assert count(database, Enrolment) == 6
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[6] == "Doelgroep"
    assert sorted(line.split(";")[6] for line in lines[1:]) == ["Alleenstaande ouders"] * 3 + ["Hoogopgeleiden"] * 3
    assert download.headers["content-type"].startswith("text/csv")
    assert excel.content.startswith(b"PK")
    assert unknown.status_code == 404


def test_import_page_refuses_a_coach_and_another_organisations_organiser(
    client: TestClient[Litestar], organiser: TestClient[Litestar], database: Settings
) -> None:
    programme_id = _programme_id(database)

    login(client, COACH)
    coach_page = client.get(f"/programmes/{programme_id}/import")
    coach_export = client.get(f"/programmes/{programme_id}/export/participants.csv")
    login(client, OTHER_ORGANISER)
    other_page = client.get(f"/programmes/{programme_id}/import")
    other_export = client.get(f"/programmes/{programme_id}/export/participants.csv")

    assert (coach_page.status_code, coach_export.status_code) == (403, 403)
    assert (other_page.status_code, other_export.status_code) == (404, 404)


def test_import_page_hostile_file_refused_with_the_limit_beside_the_field(
    organiser: TestClient[Litestar], database: Settings, tmp_path: Path
) -> None:
    from tests.registration.test_attacks_uploads import build

    programme_id = _programme_id(database)
    bomb, path = build("entities", tmp_path)

    page = organiser.post(
        f"/programmes/{programme_id}/import",
        files={"file": (bomb.filename, path.read_bytes(), "application/octet-stream")},
        data={"_csrf_token": organiser.cookies.get("csrftoken")},
    )

    assert page.status_code == 422
    assert 'class="field-error"' in page.text
    assert bomb.dutch in page.text


def test_event_import_page_lists_the_columns_not_used(organiser: TestClient[Litestar], database: Settings) -> None:
    rows: list[list[object]] = [["Voornaam", "Achternaam", "Doelgroep", "Opmerking"], ["Anna", "Wit", "Ouders", "x"]]
    response = organiser.post(
        "/events/samen-werkt/import/candidates",
        files={"file": ("kandidaten.xlsx", workbook(rows), "application/octet-stream")},
        data={"_csrf_token": organiser.cookies.get("csrftoken")},
    )

    assert response.status_code == 200
    assert "<li>kolom D: Opmerking</li>" in response.text
    assert '<option value="target_group" selected>Doelgroep</option>' in response.text


def test_event_import_api_answers_the_columns_not_used(organiser: TestClient[Litestar], database: Settings) -> None:
    from tests.conftest import csrf_headers

    rows: list[list[object]] = [["Voornaam", "Achternaam", "Doelgroep", "Opmerking"], ["Anna", "Wit", "Ouders", "x"]]
    response = organiser.post(
        "/api/events/samen-werkt/imports/candidates?dry_run=true&consent_date=2025-11-02",
        files={"file": ("kandidaten.xlsx", workbook(rows), "application/octet-stream")},
        headers=csrf_headers(organiser),
    )

    assert response.status_code == 200, response.text
    assert (response.json()["imported"], response.json()["unused_columns"]) == (False, ["D (Opmerking)"])
