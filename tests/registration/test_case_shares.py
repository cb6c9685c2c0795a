"""Sharing one case, with consent (issue 19): a coach shares a candidate with a professional of another
organisation, who reads the case (every read audited) and adds notes and outcomes to it until the sharing ends;
every other account keeps getting 404, and the markers in the case never reach them."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry, Candidate, CandidateCoach, CaseNote, CaseShare, User
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, OTHER_COACH, csrf_headers, form_login, login, run

PROFESSIONAL = "reclassering.denhaag@demo.meetmatch.nl"  # Dennis Verhoef, Reclassering Den Haag
COLLEAGUE = "reclassering2.denhaag@demo.meetmatch.nl"  # the professional's colleague: not shared with
THIRD = "reclassering@demo.meetmatch.nl"  # Reclassering Haaglanden: a partner in Samen Werkt!, a third organisation
OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
NOTE = "MARKERNOTE-schuldhulp-loopt-nog"
CASE_NOTE = "MARKERCASE-zegja-overleg-afspraak"
GROUP = "MARKERGROUP-ex-gedetineerde"
MARKERS = (NOTE, CASE_NOTE, GROUP)


async def _seed(settings: Settings) -> int:
    """The demo coach's first candidate that no one else coaches, with markers in its confidential fields."""
    async with open_session(settings) as session:
        coach = await session.scalar(select(User.id).where(User.email == COACH))
        alone = (
            select(CandidateCoach.candidate_id)
            .group_by(CandidateCoach.candidate_id)
            .having(func.count() == 1)
            .scalar_subquery()
        )
        candidate = await session.scalar(
            select(Candidate)
            .join(CandidateCoach, CandidateCoach.candidate_id == Candidate.id)
            .where(CandidateCoach.coach_id == coach, Candidate.id.in_(alone))
            .order_by(Candidate.id)
            .limit(1)
        )
        assert candidate is not None
        candidate.coach_note, candidate.target_group = NOTE, GROUP
        await session.commit()
        return candidate.id


async def _audit(settings: Settings, email: str, candidate_id: int) -> list[tuple[str, dict[str, Any]]]:
    async with open_session(settings) as session:
        user = await session.scalar(select(User.id).where(User.email == email))
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.actor_id == user, AuditEntry.candidate_id == candidate_id)
            .order_by(AuditEntry.id)
        )
        return [(action, detail) for action, detail in rows.tuples()]


@pytest.fixture
def shared_candidate(demo: DemoResult, database: Settings) -> int:
    return run(_seed(database))


def _share(client: TestClient[Litestar], candidate_id: int, email: str = PROFESSIONAL) -> Any:
    login(client, COACH)
    return client.post(
        f"/api/candidates/{candidate_id}/shares",
        json={"email": email, "method": "paper"},
        headers=csrf_headers(client),
    )


def _ids(client: TestClient[Litestar]) -> set[int]:
    return {row["id"] for row in client.get("/api/candidates", params={"per_page": 200}).json()["items"]}


def test_shared_case_is_read_audited_and_added_to_until_the_sharing_ends(
    client: TestClient[Litestar], database: Settings, shared_candidate: int
) -> None:
    login(client, PROFESSIONAL)
    before = _ids(client)
    assert client.get(f"/api/candidates/{shared_candidate}").status_code == 404

    shared = _share(client, shared_candidate)
    assert shared.status_code == 201, shared.text
    share = shared.json()
    assert (share["professional"], share["organisation"], share["active"]) == (
        "Dennis Verhoef",
        "Reclassering Den Haag",
        True,
    )
    assert (share["consent"]["purpose"], share["consent"]["method"]) == (
        "Casus delen met Dennis Verhoef (Reclassering Den Haag)",
        "paper",
    )

    login(client, PROFESSIONAL)
    detail = client.get(f"/api/candidates/{shared_candidate}")
    page = client.get(f"/candidates/{shared_candidate}")
    assert (detail.status_code, detail.json()["coach_note"], detail.json()["target_group"]) == (200, NOTE, GROUP)
    assert page.status_code == 200
    assert NOTE in page.text
    assert "Casus delen met Dennis Verhoef (Reclassering Den Haag)" in page.text
    # The professional finds the case among their own, and nothing else is added.
    assert _ids(client) - before == {shared_candidate}
    # Adding to the case: a note and an outcome, as the coaches do.
    note = client.post(
        f"/api/candidates/{shared_candidate}/notes", json={"text": CASE_NOTE}, headers=csrf_headers(client)
    )
    outcome = client.post(
        f"/api/candidates/{shared_candidate}/outcomes", json={"kind": "second_interview"}, headers=csrf_headers(client)
    )
    assert (note.status_code, outcome.status_code) == (201, 201), (note.text, outcome.text)
    # Managing the record stays with the candidate's own coaches and organisers; no event opens up.
    assert client.get(f"/candidates/{shared_candidate}/edit").status_code == 404
    assert (
        client.post(
            f"/api/candidates/{shared_candidate}/shares",
            json={"email": COLLEAGUE, "method": "verbal"},
            headers=csrf_headers(client),
        ).status_code
        == 404
    )
    assert client.get("/events/samen-werkt").status_code == 404
    actions = [action for action, _ in run(_audit(database, PROFESSIONAL, shared_candidate))]
    assert actions.count("read_sensitive") == 2
    assert "add_note" in actions

    login(client, COACH)
    assert CASE_NOTE in client.get(f"/candidates/{shared_candidate}").text
    ended = client.delete(f"/api/candidates/{shared_candidate}/shares/{share['id']}", headers=csrf_headers(client))
    assert ended.status_code == 200
    again = client.delete(f"/api/candidates/{shared_candidate}/shares/{share['id']}", headers=csrf_headers(client))
    assert (again.status_code, again.json()["code"]) == (409, "already_ended")

    login(client, PROFESSIONAL)
    assert client.get(f"/api/candidates/{shared_candidate}").status_code == 404
    assert client.get(f"/candidates/{shared_candidate}").status_code == 404
    assert client.get(f"/api/candidates/{shared_candidate}/notes").status_code == 404
    assert client.get(f"/api/candidates/{shared_candidate}/outcomes").status_code == 404
    assert _ids(client) == before
    coach_actions = [action for action, _ in run(_audit(database, COACH, shared_candidate))]
    assert [a for a in coach_actions if a in ("share_case", "end_share")] == ["share_case", "end_share"]


def test_unshared_accounts_get_404_and_never_a_marker(client: TestClient[Litestar], shared_candidate: int) -> None:
    assert _share(client, shared_candidate).status_code == 201
    login(client, PROFESSIONAL)
    client.post(f"/api/candidates/{shared_candidate}/notes", json={"text": CASE_NOTE}, headers=csrf_headers(client))

    for account in (THIRD, COLLEAGUE, OTHER_ORGANISER):
        login(client, account)
        for path in ("", "/shares", "/notes", "/outcomes"):
            response = client.get(f"/api/candidates/{shared_candidate}{path}")
            assert (account, path, response.status_code) == (account, path, 404)
        assert client.get(f"/candidates/{shared_candidate}").status_code == 404
        refused = client.post(
            f"/api/candidates/{shared_candidate}/notes", json={"text": "x"}, headers=csrf_headers(client)
        )
        assert refused.status_code == 404
        texts = [client.get(path).text for path in ("/", "/candidates", "/api/candidates", "/follow-up")]
        assert [m for m in MARKERS for t in texts if m in t] == []
        assert shared_candidate not in _ids(client)


def test_withdrawing_the_consent_ends_the_share(
    client: TestClient[Litestar], database: Settings, shared_candidate: int
) -> None:
    share = _share(client, shared_candidate).json()
    withdrawn = client.post(
        f"/api/candidates/{shared_candidate}/consents/{share['consent']['id']}/withdraw", headers=csrf_headers(client)
    )
    assert withdrawn.status_code == 200
    [row] = client.get(f"/api/candidates/{shared_candidate}/shares").json()
    assert (row["active"], row["ended_at"] is not None) == (False, True)

    login(client, PROFESSIONAL)
    assert client.get(f"/api/candidates/{shared_candidate}").status_code == 404
    ends = [d for a, d in run(_audit(database, COACH, shared_candidate)) if a == "end_share"]
    assert [d["reason"] for d in ends] == ["consent_withdrawn"]


def test_sharing_refuses_own_colleagues_and_every_other_address_alike(
    client: TestClient[Litestar], shared_candidate: int
) -> None:
    own = _share(client, shared_candidate, OTHER_COACH)
    unknown = _share(client, shared_candidate, "niemand@example.org")
    employer = _share(client, shared_candidate, EMPLOYER)
    organiser = _share(client, shared_candidate, OTHER_ORGANISER)
    invalid = _share(client, shared_candidate, "geen adres")

    assert (own.status_code, own.json()["code"], own.json()["field"]) == (422, "own_organisation", "email")
    assert (invalid.status_code, invalid.json()["code"], invalid.json()["field"]) == (422, "invalid_email", "email")
    # Unknown, an employer's or an organiser's account: one answer, so the form tells nothing about who exists.
    assert unknown.status_code == employer.status_code == organiser.status_code == 422
    assert unknown.json() == employer.json() == organiser.json()
    assert unknown.json()["field"] == "email"

    assert _share(client, shared_candidate).status_code == 201
    twice = _share(client, shared_candidate)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_shared")
    login(client, ORGANISER)
    by_organiser = client.post(
        f"/api/candidates/{shared_candidate}/shares",
        json={"email": COLLEAGUE, "method": "verbal"},
        headers=csrf_headers(client),
    )
    assert (by_organiser.status_code, by_organiser.json()["code"]) == (422, "not_coach")


def test_candidate_page_shows_who_sees_the_data_and_the_owning_organiser_ends_a_share(
    client: TestClient[Litestar], database: Settings, shared_candidate: int
) -> None:
    form_login(client, COACH)
    token = client.cookies.get("csrftoken")
    missing = client.post(
        f"/candidates/{shared_candidate}/shares",
        data={"_csrf_token": token, "email": PROFESSIONAL, "method": "digital"},
        follow_redirects=False,
    )
    assert missing.status_code == 422
    assert "Bevestig dat de kandidaat" in missing.text
    shared = client.post(
        f"/candidates/{shared_candidate}/shares",
        data={"_csrf_token": token, "email": PROFESSIONAL, "method": "digital", "agreed": "true"},
        follow_redirects=False,
    )
    assert shared.status_code == 303

    form_login(client, ORGANISER)
    page = client.get(f"/candidates/{shared_candidate}").text
    assert "Wie kan de gegevens van deze persoon zien" in page
    assert "De organisatoren van Werkse!" in page
    assert "Dennis Verhoef" in page
    assert "Reclassering Den Haag" in page
    assert "Casus delen met Dennis Verhoef (Reclassering Den Haag)" in page
    [share_id] = run(_share_ids(database, shared_candidate))
    ended = client.post(
        f"/candidates/{shared_candidate}/shares/{share_id}/end",
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert "Casus delen met" not in client.get(f"/candidates/{shared_candidate}").text.split('id="access"')[1]

    login(client, PROFESSIONAL)
    assert client.get(f"/candidates/{shared_candidate}").status_code == 404


async def _share_ids(settings: Settings, candidate_id: int) -> list[int]:
    async with open_session(settings) as session:
        return list(await session.scalars(select(CaseShare.id).where(CaseShare.candidate_id == candidate_id)))


def test_export_holds_the_shares_and_notes_and_erasure_blanks_the_notes(
    client: TestClient[Litestar], database: Settings, shared_candidate: int
) -> None:
    share = _share(client, shared_candidate).json()
    login(client, PROFESSIONAL)
    client.post(f"/api/candidates/{shared_candidate}/notes", json={"text": CASE_NOTE}, headers=csrf_headers(client))
    login(client, ORGANISER)

    data = client.get(f"/candidates/{shared_candidate}/export.json").json()
    erased = client.post(
        f"/api/candidates/{shared_candidate}/erase", json={"confirm": True}, headers=csrf_headers(client)
    )
    assert erased.status_code == 200, erased.text

    assert [(s["professional"], s["organisation"], s["consent"]) for s in data["case_shares"]] == [
        ("Dennis Verhoef", "Reclassering Den Haag", share["consent"]["purpose"])
    ]
    assert [(n["text"], n["by"]) for n in data["case_notes"]] == [(CASE_NOTE, "Dennis Verhoef")]
    assert run(_note_texts(database, shared_candidate)) == [""]


async def _note_texts(settings: Settings, candidate_id: int) -> list[str]:
    async with open_session(settings) as session:
        return list(await session.scalars(select(CaseNote.text).where(CaseNote.candidate_id == candidate_id)))
