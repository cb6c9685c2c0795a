"""A person's export (GDPR art. 15/20): everything about them as JSON and as a readable PDF, for organisers only,
and every export in the audit log."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo import bakboord
from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, login, require, run
from tests.helpers import answers_by_account
from tests.privacy.privacy_seed import MARKERS, seed_person


async def _exports(settings: Settings, candidate_id: int) -> list[str]:
    async with open_session(settings) as session:
        rows = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.candidate_id == candidate_id, AuditEntry.action == "export")
        )
        return list(rows)


def test_export_json_holds_everything_about_the_person(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))
    login(client, ORGANISER)

    response = client.get(f"/candidates/{seeded.candidate_id}/export.json")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="person-{seeded.candidate_id}.json"'
    data = response.json()
    m = MARKERS
    assert data["candidate"]["first_name"] == m["first_name"]
    assert data["candidate"]["coach_note"] == m["coach_note"]
    assert data["candidate"]["date_of_birth"] == "1911-11-11"
    assert [c["purpose"] for c in data["consents"]] == [m["consent"]]
    assert [c["email"] for c in data["coaches"]] == [COACH]
    (participation,) = data["participations"]
    assert (participation["status"], participation["accessibility"], participation["door_instruction"]) == (
        "checked_in",
        m["accessibility"],
        m["door"],
    )
    assert [p["level"] for p in data["preferences"]] == [3]
    assert [b["number"] for b in data["badges"]] == [9001]
    assert len(data["check_ins"]) == 1
    assert [(t["employer_follow_up"], t["employer_note"]) for t in data["talks_held"]] == [("yes", m["talk_note"])]
    (outcome,) = data["outcomes"]
    assert (outcome["kind"], outcome["note"]) == ("paid_job", m["outcome_note"])
    assert [h["changes"]["note"] for h in outcome["history"]] == [["", m["outcome_note"]]]
    assert [f["note"] for f in data["follow_up_checks"]] == [m["follow_up_note"]]
    assert [e["comment"] for e in data["evaluations"]] == [m["evaluation"]]
    assert sorted(e["status"] for e in data["emails"]) == ["queued", "sent"]
    assert "update" in [a["action"] for a in data["audit"]]
    assert run(_exports(database, seeded.candidate_id)) == ["export"]


def test_export_pdf_reads_as_the_persons_data(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    seeded = run(seed_person(database, demo.event_id))
    login(client, ORGANISER)

    response = client.get(f"/candidates/{seeded.candidate_id}/export.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split()
    )
    assert f"Persoonsgegevens van {MARKERS['first_name']} {MARKERS['last_name']}" in text
    for key in ("email", "coach_note", "talk_note", "outcome_note", "evaluation"):
        assert MARKERS[key] in text, key
    assert run(_exports(database, seeded.candidate_id)) == ["export"]


def test_export_api_answers_the_same_json(client: TestClient[Litestar], demo: DemoResult, database: Settings) -> None:
    seeded = run(seed_person(database, demo.event_id))
    login(client, ORGANISER)

    page = client.get(f"/candidates/{seeded.candidate_id}/export.json").json()
    api = client.get(f"/api/candidates/{seeded.candidate_id}/export").json()

    for data in (page, api):
        data.pop("exported_at")
        data["audit"] = [a for a in data["audit"] if a["action"] != "export"]
    assert api == page


def test_export_refused_to_coach_employer_door_and_anonymous(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))
    answers = answers_by_account(
        client,
        lambda client: (
            client.get(f"/candidates/{seeded.candidate_id}/export.json", follow_redirects=False).status_code,
            client.get(f"/api/candidates/{seeded.candidate_id}/export").status_code,
        ),
    )

    assert answers == {COACH: (403, 403), EMPLOYER: (403, 403), DOOR: (403, 403), None: (303, 401)}
    assert run(_exports(database, seeded.candidate_id)) == []


def test_export_of_another_organisations_person_answers_like_an_unknown_one(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))  # a person of Werkse!'s event
    login(client, bakboord.ORGANISER[1])

    page = client.get(f"/candidates/{seeded.candidate_id}/export.json")
    pdf = client.get(f"/candidates/{seeded.candidate_id}/export.pdf")
    api = client.get(f"/api/candidates/{seeded.candidate_id}/export")

    assert (page.status_code, pdf.status_code, api.status_code) == (404, 404, 404)
    assert api.json()["code"] == "not_found"
    assert all(MARKERS["last_name"] not in r.text for r in (page, pdf, api))
    assert run(_exports(database, seeded.candidate_id)) == []


def test_export_of_unknown_person_is_a_clear_not_found(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    page = client.get("/candidates/999999/export.json")
    api = client.get("/api/candidates/999999/export")

    assert page.status_code == 404
    assert "Pagina niet gevonden" in page.text
    assert "Traceback" not in page.text
    assert (api.status_code, api.json()["code"]) == (404, "not_found")
