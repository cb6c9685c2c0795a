"""Bad input an attacker (or a broken client) sends: JSON nested a hundred thousand deep, NUL characters in any
text, names that are blank or turn the text around. Each is refused with a 4xx that names the field, on
SQLite and PostgreSQL alike (PostgreSQL refused a NUL with a 500), and nothing of it is stored."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.input import MAX_JSON_DEPTH, json_too_deep, nul_path
from events.platform.models import Candidate, Event
from events.platform.settings import Settings
from schedule.cli import schedule_group
from tests.conftest import COACH, DOOR, ORGANISER, csrf_headers, form_login, login, run

DEEP = 100_000
CONSENT = {"purpose": "Deelname aan Samen Werkt! en nazorg", "method": "verbal"}


def _problem(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body["code"], body["field"]


def _json_headers(client: TestClient[Litestar]) -> dict[str, str]:
    return {**csrf_headers(client), "content-type": "application/json"}


async def _count(settings: Settings, model: Any) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- JSON nested deep ---------------------------------------------------------------------------------------


def test_depth_is_read_from_the_bytes_and_names_the_top_level_member() -> None:
    shallow = b'{"candidate": {"first_name": "[{not a bracket}]", "sectors": ["groen"]}, "consent": {}}'
    assert json_too_deep(shallow) == (False, None)
    assert json_too_deep(b"[" * 40 + b"]" * 40) == (True, None)
    assert json_too_deep(b'{"a": 1, "name": ' + b"[" * 40 + b"]" * 40 + b"}") == (True, "name")
    # Brackets inside texts, escaped quotes included, are no nesting.
    assert json_too_deep(b'{"note": "' + b'\\"[' * 100 + b'"}') == (False, None)
    assert json_too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) == (False, None)


def test_json_nested_a_hundred_thousand_deep_is_a_400_naming_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    events_before = run(_count(database, Event))
    body = '{"date": "2030-01-01", "name": ' + "[" * DEEP + "]" * DEEP + "}"

    started = time.monotonic()
    member = client.post("/api/events/", content=body, headers=_json_headers(client))
    bare = client.post("/api/events/", content="[" * DEEP + "]" * DEEP, headers=_json_headers(client))
    # The JSON is decoded whatever type the client claims.
    claimed_text = client.post(
        "/api/events/", content=body, headers={**csrf_headers(client), "content-type": "text/plain"}
    )
    unclosed = client.post("/api/events/", content="{" * DEEP, headers=_json_headers(client))
    elapsed = time.monotonic() - started

    assert _problem(member) == (400, "too_deep", "name")
    assert "32" in member.json()["detail"]
    assert _problem(bare) == (400, "too_deep", None)
    assert _problem(claimed_text) == (400, "too_deep", "name")
    assert unclosed.status_code == 400
    assert elapsed < 5
    assert run(_count(database, Event)) == events_before
    assert client.get("/api/events/samen-werkt").status_code == 200


def test_deep_json_before_login_is_refused_without_a_500(client: TestClient[Litestar], demo: DemoResult) -> None:
    deep = '{"email": ' + "[" * DEEP + "]" * DEEP + "}"

    response = client.post("/api/auth/login", content=deep, headers={"content-type": "application/json"})

    assert _problem(response) == (400, "too_deep", "email")


def test_deep_json_in_a_scan_and_a_programme_edit_is_refused(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, DOOR)
    deep_token = '{"token": ' + "[" * DEEP + "]" * DEEP + "}"
    scan = client.post("/api/scans", content=deep_token, headers=_json_headers(client))
    login(client, ORGANISER)
    edit = client.post(
        "/api/events/samen-werkt/programme/versions/1/edits",
        content='{"action": "add", "rounds": ' + "[" * DEEP + "]" * DEEP + "}",
        headers=_json_headers(client),
    )

    assert _problem(scan) == (400, "too_deep", "token")
    assert _problem(edit) == (400, "too_deep", "rounds")


# --- NUL characters ----------------------------------------------------------------------------------------------


def test_nul_path_names_where_the_nul_is() -> None:
    assert nul_path({"candidate": {"first_name": "Ai\x00sha"}}) == "candidate.first_name"
    assert nul_path({"candidate": {"sectors": ["groen", "bouw\x00"]}}) == "candidate.sectors[1]"
    assert nul_path({"a\x00": 1}) == "a\x00"
    assert nul_path({"name": "fine", "list": [1, None, True]}) is None
    assert nul_path("\x00") == ""


def test_nul_in_api_json_text_is_a_422_naming_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    before = (run(_count(database, Event)), run(_count(database, Candidate)))
    candidate = {"first_name": "Aisha", "last_name": "Bakker", "sectors": ["groen"]}

    event = client.post(
        "/api/events/", json={"name": "Banen\x00markt", "date": "2030-01-01"}, headers=csrf_headers(client)
    )
    venue = client.put(
        "/api/events/samen-werkt",
        json={"name": "Samen Werkt!", "date": "2030-01-01", "venue": "Zaal\x00"},
        headers=csrf_headers(client),
    )
    nested = client.post(
        "/api/candidates",
        json={"candidate": {**candidate, "first_name": "Ai\x00sha"}, "consent": CONSENT},
        headers=csrf_headers(client),
    )
    in_list = client.post(
        "/api/candidates",
        json={"candidate": {**candidate, "sectors": ["groen\x00"]}, "consent": CONSENT},
        headers=csrf_headers(client),
    )
    in_note = client.post(
        "/api/candidates",
        json={"candidate": {**candidate, "coach_note": "x" * 50 + "\x00"}, "consent": CONSENT},
        headers=csrf_headers(client),
    )
    login_nul = client.post("/api/auth/login", json={"email": "a\x00@example.org", "password": "x"})

    assert _problem(event) == (422, "nul_character", "name")
    assert _problem(venue) == (422, "nul_character", "venue")
    assert _problem(nested) == (422, "nul_character", "candidate.first_name")
    assert "candidate.first_name" in nested.json()["detail"]
    assert _problem(in_list) == (422, "nul_character", "candidate.sectors[0]")
    assert _problem(in_note) == (422, "nul_character", "candidate.coach_note")
    assert _problem(login_nul) == (422, "nul_character", "email")
    assert (run(_count(database, Event)), run(_count(database, Candidate))) == before


def test_nul_in_the_query_string_is_refused_naming_it_and_in_the_address_is_not_found(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)

    in_path = client.get("/api/events/samen%00werkt")
    in_page_path = client.get("/events/samen%00werkt")
    in_query = client.get("/api/events/samen-werkt/employers?extra=a%00b")
    import_query = client.post(
        "/api/events/samen-werkt/imports/candidates?consent_date=2026-01-01&consent_purpose=x%00",
        files={"file": ("people.csv", b"voornaam;achternaam\nAisha;Bakker\n", "text/csv")},
        headers=csrf_headers(client),
    )

    # An address with a NUL names nothing: missing, like any other unknown event (it was a 500 on PostgreSQL).
    assert _problem(in_path) == (404, "not_found", None)
    assert in_page_path.status_code == 404
    assert _problem(in_query) == (422, "nul_character", "extra")
    assert _problem(import_query) == (422, "nul_character", "consent_purpose")


def test_nul_in_html_forms_is_a_422_naming_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    assert form_login(client, ORGANISER).status_code == 303
    token = client.cookies.get("csrftoken")
    before = (run(_count(database, Event)), run(_count(database, Candidate)))

    # A form the handler reads itself, one that Litestar parses into a struct, and the same with the CSRF token
    # in the header instead of the form (then nothing else has read the form before the handler).
    event = client.post("/events/new", data={"_csrf_token": token, "name": "Banen\x00markt", "date": "2030-01-01"})
    candidate = client.post(
        "/candidates/new",
        data={"_csrf_token": token, "first_name": "Aisha", "last_name": "Bak\x00ker", "purpose": CONSENT["purpose"]},
    )
    language = client.post("/language", data={"_csrf_token": token, "language": "en\x00"})
    header_only = client.post(
        "/events/new",
        data={"name": "Banen\x00markt", "date": "2030-01-01"},
        headers={"x-csrftoken": token or ""},
    )
    upload = client.post(
        "/events/samen-werkt/import/candidates",
        data={"_csrf_token": token, "note": "x\x00"},
        files={"file": ("people.csv", b"voornaam;achternaam\nAisha;Bakker\n", "text/csv")},
    )

    assert event.status_code == 422
    assert "Het veld name bevat een NUL-teken" in event.text
    assert candidate.status_code == 422
    assert "last_name" in candidate.text
    assert language.status_code == 422
    assert header_only.status_code == 422
    assert upload.status_code == 422
    assert "note" in upload.text
    assert (run(_count(database, Event)), run(_count(database, Candidate))) == before


# --- names --------------------------------------------------------------------------------------------------------


def _create(client: TestClient[Litestar], **candidate: Any) -> Any:
    body = {"first_name": "Aisha", "last_name": "Bakker", **candidate}
    return client.post("/api/candidates", json={"candidate": body, "consent": CONSENT}, headers=csrf_headers(client))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"first_name": "   "}, (422, "required", "first_name")),
        ({"last_name": "\u00a0\u3000 "}, (422, "required", "last_name")),
        ({"last_name": "\u202eroH"}, (422, "invalid_name", "last_name")),
        ({"first_name": "Ai\u2067sha"}, (422, "invalid_name", "first_name")),
        ({"first_name": "Ai\u200bsha"}, (422, "invalid_name", "first_name")),
        ({"last_name": "Bak\x1bker"}, (422, "invalid_name", "last_name")),
    ],
)
def test_api_refuses_blank_names_and_names_with_hidden_characters(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, changes: dict[str, str], expected: Any
) -> None:
    login(client, COACH)
    before = run(_count(database, Candidate))

    response = _create(client, **changes)

    assert _problem(response) == expected
    assert run(_count(database, Candidate)) == before


def test_names_are_stored_trimmed_and_an_edit_to_blank_is_refused(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, COACH)

    created = _create(client, first_name="  Aisha ", last_name=" van  der\u00a0Berg  ")
    candidate_id = created.json()["id"]
    blank = client.put(
        f"/api/candidates/{candidate_id}",
        json={"first_name": " ", "last_name": "Berg"},
        headers=csrf_headers(client),
    )
    stored = client.get(f"/api/candidates/{candidate_id}").json()

    assert created.status_code == 201
    assert (stored["first_name"], stored["last_name"]) == ("Aisha", "van der Berg")
    assert _problem(blank) == (422, "required", "first_name")


def test_candidate_form_shows_the_name_refusal_beside_the_field(client: TestClient[Litestar], demo: DemoResult) -> None:
    assert form_login(client, COACH).status_code == 303
    token = client.cookies.get("csrftoken")

    response = client.post(
        "/candidates/new",
        data={"_csrf_token": token, "first_name": "Aisha", "last_name": "\u202eroH", "purpose": CONSENT["purpose"]},
    )

    assert response.status_code == 422
    assert 'aria-describedby="last_name-error"' in response.text
    assert "Een naam mag geen stuurtekens bevatten" in response.text


def test_import_refuses_hidden_characters_in_names(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    before = run(_count(database, Candidate))
    rows = "voornaam;tussenvoegsel;achternaam\nAisha;;\u202eroH\nNoor;v\u200ban;Berg\nSem;;Jansen\n"

    response = client.post(
        "/api/events/samen-werkt/imports/candidates?consent_date=2026-01-01",
        files={"file": ("people.csv", rows.encode(), "text/csv")},
        headers=csrf_headers(client),
    )

    assert response.status_code == 422
    problems = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert problems == {(2, "last_name"), (3, "infix")}
    assert run(_count(database, Candidate)) == before


def test_walk_in_desk_refuses_a_blank_or_reversed_name_beside_the_field(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    assert form_login(client, ORGANISER).status_code == 303
    token = client.cookies.get("csrftoken")
    before = run(_count(database, Candidate))
    walk_in = {"_csrf_token": token, "kind": "candidate", "consent": "1", "consent_method": "verbal"}

    reversed_name = client.post(
        "/events/samen-werkt/walk-ins/", data={**walk_in, "first_name": "Aisha", "last_name": "\u202eroH"}
    )
    invisible = client.post(
        "/events/samen-werkt/walk-ins/", data={**walk_in, "first_name": "\u200b", "last_name": "Bakker"}
    )

    assert reversed_name.status_code == 422
    assert 'aria-describedby="last_name-error"' in reversed_name.text
    assert invisible.status_code == 422
    assert 'aria-describedby="first_name-error"' in invisible.text
    assert run(_count(database, Candidate)) == before


def test_schedule_cli_refuses_an_instance_nested_a_hundred_thousand_deep(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"rounds": ' + "[" * DEEP + "]" * DEEP + "}")

    result = CliRunner().invoke(schedule_group, ["solve", str(deep), "-o", str(tmp_path / "out.json")])

    assert result.exit_code == 2
    assert result.stderr == f"error: {deep}: not valid JSON: nested too deep\n"
