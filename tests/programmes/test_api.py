"""The programmes' JSON API (issue 20), as its users would call it: an organiser sets a Baankans-like trajectory up,
a partner's referrer refers someone and sees the stage only, a coach picks the referral up, holds the intake, moves
the stages, records criminal-justice data, trainings, an introduction and benefits; outcomes of the enrolment are
read with their terms over time. Refusals answer as for a missing id; bad input names the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo import bakboord
from events.demo.seed import DemoResult
from events.followup.models import Outcome, OutcomeTerm
from events.platform.dates import today
from events.platform.db import open_session
from events.platform.models import AuditEntry, Candidate, Enrolment, Organisation, PathwayKind, User
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, csrf_headers, login, run

REFERRER = "reclassering@demo.meetmatch.nl"  # Petra Visser, Reclassering Haaglanden: a partner organisation
OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
MARKER = "Kwartel5512"
MISSING = 987_654


def _post(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=csrf_headers(client))


def _patch(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.patch(path, json=body, headers=csrf_headers(client))


def _put(client: TestClient[Litestar], path: str, body: Any) -> Any:
    return client.put(path, json=body, headers=csrf_headers(client))


def _delete(client: TestClient[Litestar], path: str) -> Any:
    return client.delete(path, headers=csrf_headers(client))


def _baankans(client: TestClient[Litestar]) -> dict[str, Any]:
    """Baankans set up by Werkse!'s organiser, with Reclassering Haaglanden as its referrer."""
    login(client, ORGANISER)
    created = _post(
        client,
        "/api/programmes",
        {
            "name": "Baankans Zuidwest",
            "slug": "baankans",
            "description": "Verbinders, intake, kennismaking met een sociaal ondernemer, werk.",
            "starts_on": "2026-03-01",
            "target_groups": ["Alleenstaande ouders", "Hoogopgeleiden"],
            "stages": ["verbinder", "intake", "kennismaking", "werk"],
        },
    )
    assert created.status_code == 201, created.text
    partner = _post(
        client, "/api/programmes/baankans/partners", {"organisation": "Reclassering Haaglanden", "role": "referrer"}
    )
    assert partner.status_code == 201, partner.text
    body: dict[str, Any] = created.json()
    return body


def _refer(client: TestClient[Litestar], wishes: str = f"{MARKER} buiten werken") -> int:
    login(client, REFERRER)
    referred = _post(
        client,
        "/api/programmes/baankans/referrals",
        {
            "first_name": "Sem",
            "last_name": "de Wit",
            "consent": True,
            "contact_through": "via zijn zus",
            "wishes": wishes,
        },
    )
    assert referred.status_code == 201, referred.text
    return int(referred.json()["enrolment_id"])


def test_an_organiser_sets_a_programme_up_through_the_api(client: TestClient[Litestar], demo: DemoResult) -> None:
    created = _baankans(client)

    assert [(s["name"], s["kind"], s["position"]) for s in created["stages"]] == [
        ("verbinder", "active", 1),
        ("intake", "active", 2),
        ("kennismaking", "active", 3),
        ("werk", "active", 4),
        ("afgerond", "completed", 5),
        ("uitgevallen", "dropped", 6),
    ]
    assert [g["name"] for g in created["target_groups"]] == ["Alleenstaande ouders", "Hoogopgeleiden"]
    assert created["period"] == {"starts_on": "2026-03-01", "ends_on": None, "open_ended": True}
    listed = client.get("/api/programmes").json()
    assert [(p["slug"], p["manages"]) for p in listed if p["slug"] == "baankans"] == [("baankans", True)]

    changed = _patch(client, "/api/programmes/baankans", {"description": "Nieuw", "ends_on": "2026-12-31"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["description"], changed.json()["period"]["ends_on"]) == ("Nieuw", "2026-12-31")
    reopened = _patch(client, f"/api/programmes/{created['id']}", {"ends_on": None})
    assert reopened.json()["period"] == {"starts_on": "2026-03-01", "ends_on": None, "open_ended": True}
    backwards = _patch(client, "/api/programmes/baankans", {"ends_on": "2026-01-01"})
    assert (backwards.status_code, backwards.json()["field"]) == (422, "ends_on")

    group = _post(client, "/api/programmes/baankans/target-groups", {"name": "Jongeren"})
    assert group.status_code == 201
    renamed = _patch(
        client, f"/api/programmes/baankans/target-groups/{group.json()['id']}", {"name": "Jongeren tot 27"}
    )
    assert renamed.json() == {"id": group.json()["id"], "name": "Jongeren tot 27"}
    taken = _post(client, "/api/programmes/baankans/target-groups", {"name": "hoogopgeleiden"})
    assert (taken.status_code, taken.json()["field"]) == (422, "target_group")
    assert _delete(client, f"/api/programmes/baankans/target-groups/{group.json()['id']}").json() == {"deleted": True}
    assert _delete(client, f"/api/programmes/baankans/target-groups/{MISSING}").status_code == 404

    werk = next(s for s in created["stages"] if s["name"] == "werk")
    after = _post(client, "/api/programmes/baankans/stages", {"name": "nazorg", "after": werk["id"]})
    assert after.status_code == 201
    assert [s["name"] for s in after.json()][3:6] == ["werk", "nazorg", "afgerond"]
    nazorg = next(s for s in after.json() if s["name"] == "nazorg")
    ids = [s["id"] for s in after.json()]
    order = _put(client, "/api/programmes/baankans/stages/order", {"order": [ids[0], ids[2], ids[1], *ids[3:]]})
    assert [s["name"] for s in order.json()][:3] == ["verbinder", "kennismaking", "intake"]
    incomplete = _put(client, "/api/programmes/baankans/stages/order", {"order": ids[:2]})
    assert (incomplete.status_code, incomplete.json()["field"]) == (422, "order")
    assert (
        _patch(client, f"/api/programmes/baankans/stages/{nazorg['id']}", {"name": "Nazorg"}).json()["name"] == "Nazorg"
    )
    assert _delete(client, f"/api/programmes/baankans/stages/{nazorg['id']}").json() == {"deleted": True}
    dropped = next(s for s in created["stages"] if s["kind"] == "dropped")
    last = _delete(client, f"/api/programmes/baankans/stages/{dropped['id']}")
    assert (last.status_code, last.json()["code"]) == (422, "last_of_kind")

    employer = _post(
        client, "/api/programmes/baankans/employers", {"name": "De Buurtkeuken", "social_enterprise": True}
    )
    assert employer.status_code == 201
    assert employer.json()["social_enterprise"] is True
    organising = _post(client, "/api/programmes/baankans/employers", {"name": "Werkse!"})
    assert (organising.status_code, organising.json()["field"]) == (422, "employer")
    detail = client.get("/api/programmes/baankans").json()
    assert [(p["organisation"], p["role"]) for p in detail["partners"]] == [("Reclassering Haaglanden", "referrer")]
    assert [(e["name"], e["social_enterprise"]) for e in detail["employers"]] == [("De Buurtkeuken", True)]
    gone = _delete(client, f"/api/programmes/baankans/employers/{employer.json()['organisation_id']}")
    assert gone.json() == {"deleted": True}
    partner = detail["partners"][0]["id"]
    assert _delete(client, f"/api/programmes/baankans/partners/{partner}").json() == {"deleted": True}
    assert client.get("/api/programmes/baankans").json()["partners"] == []


def test_a_referral_goes_through_intake_stages_and_timeline_and_the_referrer_sees_the_stage_only(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    _baankans(client)
    enrolment_id = _refer(client)
    mine = client.get("/api/referrals").json()
    assert [(r["enrolment_id"], r["name"], r["stage"]) for r in mine] == [(enrolment_id, "Sem de Wit", "verbinder")]
    assert set(mine[0]) == {"enrolment_id", "name", "programme", "referred_on", "stage", "ended"}
    hidden = client.get(f"/api/enrolments/{enrolment_id}")
    missing = client.get(f"/api/enrolments/{MISSING}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.get("/api/programmes/baankans/enrolments").json()["items"] == []
    assert MARKER not in client.get("/api/referrals").text

    login(client, COACH)
    waiting = client.get("/api/intake").json()
    assert [(w["enrolment_id"], w["programme"]["slug"]) for w in waiting] == [(enrolment_id, "baankans")]
    before = client.get(f"/api/enrolments/{enrolment_id}").json()
    assert (before["wishes"], before["contact_through"], before["goals"]) == (
        f"{MARKER} buiten werken",
        "via zijn zus",
        None,
    )
    picked = _post(client, f"/api/enrolments/{enrolment_id}/pick-up", {})
    assert picked.status_code == 200, picked.text
    assert picked.json()["stage"]["name"] == "intake"
    again = _post(client, f"/api/enrolments/{enrolment_id}/pick-up", {})
    assert (again.status_code, again.json()["code"]) == (409, "taken")
    assert client.get("/api/intake").json() == []

    no_reason = _post(client, f"/api/enrolments/{enrolment_id}/decision", {"decision": "refused"})
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    accepted = _post(
        client, f"/api/enrolments/{enrolment_id}/decision", {"decision": "accepted", "intake_on": "2026-11-02"}
    )
    assert (accepted.json()["decision"], accepted.json()["intake_on"]) == ("accepted", "2026-11-02")
    planned = _patch(
        client,
        f"/api/enrolments/{enrolment_id}",
        {"goals": "Eigen zaak", "barriers": ["debts", "childcare"], "target_group": " alleenstaande OUDERS "},
    )
    assert planned.status_code == 200, planned.text
    assert (planned.json()["goals"], planned.json()["barriers"], planned.json()["target_group"]["name"]) == (
        "Eigen zaak",
        ["debts", "childcare"],
        "Alleenstaande ouders",
    )
    justice_barrier = _patch(client, f"/api/enrolments/{enrolment_id}", {"barriers": ["criminal_record"]})
    assert (justice_barrier.status_code, justice_barrier.json()["field"]) == (422, "barriers")

    why = _post(client, f"/api/enrolments/{enrolment_id}/stage", {"stage": "uitgevallen"})
    assert (why.status_code, why.json()["field"]) == (422, "drop_reason")
    unknown = _post(client, f"/api/enrolments/{enrolment_id}/stage", {"stage": "bestaat niet"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "stage")
    moved = _post(client, f"/api/enrolments/{enrolment_id}/stage", {"stage": "Kennismaking"})
    assert moved.json()["stage"]["name"] == "kennismaking"
    history = client.get(f"/api/enrolments/{enrolment_id}/stage-changes").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "verbinder"),
        ("verbinder", "intake"),
        ("intake", "kennismaking"),
    ]
    assert history[-1]["by"] != ""

    ahead = (today() + dt.timedelta(days=60)).isoformat()
    training = _post(
        client,
        f"/api/enrolments/{enrolment_id}/activities",
        {"kind": "training", "title": "Heftruckcertificaat", "starts_on": today().isoformat(), "planned_end": ahead},
    )
    assert training.status_code == 201, training.text
    assert training.json()["state"] == "running"
    introduction = _post(
        client,
        f"/api/enrolments/{enrolment_id}/activities",
        {"kind": "introduction", "employer": "De Buurtkeuken", "note": "Eerste kennismaking"},
    )
    assert (introduction.json()["state"], introduction.json()["organisation"]) == ("proposed", "De Buurtkeuken")
    no_employer = _post(client, f"/api/enrolments/{enrolment_id}/activities", {"kind": "introduction"})
    assert (no_employer.status_code, no_employer.json()["field"]) == (422, "employer")
    held = _post(
        client,
        f"/api/enrolments/{enrolment_id}/activities/{introduction.json()['id']}/introduction",
        {"status": "held", "match": True, "employer_answer": "Begin maar met 8 uur"},
    )
    assert (held.json()["state"], held.json()["match"], held.json()["employer_answer"]) == (
        "held",
        True,
        "Begin maar met 8 uur",
    )
    finished = _post(
        client, f"/api/enrolments/{enrolment_id}/activities/{training.json()['id']}/finish", {"completed": True}
    )
    assert finished.json()["state"] == "completed"
    future = _post(
        client,
        f"/api/enrolments/{enrolment_id}/activities/{training.json()['id']}/finish",
        {"completed": True, "ended_on": ahead},
    )
    assert (future.status_code, future.json()["field"]) == (422, "ended_on")
    wrong = _post(client, f"/api/enrolments/{enrolment_id}/activities/{MISSING}/finish", {"completed": True})
    assert wrong.status_code == 404
    timeline = client.get(f"/api/enrolments/{enrolment_id}/activities").json()
    assert sorted(a["kind"] for a in timeline) == ["introduction", "training"]

    benefit = _post(
        client, f"/api/enrolments/{enrolment_id}/benefits", {"benefit": "participatiewet", "since": "2024-05-01"}
    )
    assert benefit.status_code == 201
    left = _post(
        client, f"/api/enrolments/{enrolment_id}/benefits/{benefit.json()['id']}/left", {"left_on": "2026-10-01"}
    )
    assert left.json()["left_on"] == "2026-10-01"
    early = _post(
        client, f"/api/enrolments/{enrolment_id}/benefits/{benefit.json()['id']}/left", {"left_on": "2020-01-01"}
    )
    assert (early.status_code, early.json()["field"]) == (422, "left_on")
    assert [(b["benefit"], b["left_on"]) for b in client.get(f"/api/enrolments/{enrolment_id}/benefits").json()] == [
        ("participatiewet", "2026-10-01")
    ]

    # The referrer still sees the stage, and nothing of what was recorded.
    login(client, REFERRER)
    assert [r["stage"] for r in client.get("/api/referrals").json()] == ["kennismaking"]
    for path in ("", "/activities", "/benefits", "/stage-changes", "/outcomes", "/justice"):
        assert client.get(f"/api/enrolments/{enrolment_id}{path}").status_code == 404


def test_criminal_justice_data_is_for_the_coaches_and_organisers_allowed_it_and_missing_for_anyone_else(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    _baankans(client)
    enrolment_id = _refer(client)
    login(client, COACH)
    _post(client, f"/api/enrolments/{enrolment_id}/pick-up", {})

    stored = _put(
        client,
        f"/api/enrolments/{enrolment_id}/justice",
        {"detained": True, "release_date": "2027-02-01", "criminal_record": True},
    )
    assert stored.status_code == 200, stored.text
    assert client.get(f"/api/enrolments/{enrolment_id}/justice").json() == {
        "detained": True,
        "release_date": "2027-02-01",
        "criminal_record": True,
    }
    assert "release_date" not in client.get(f"/api/enrolments/{enrolment_id}").json()

    login(client, ORGANISER)
    refused = client.get(f"/api/enrolments/{enrolment_id}/justice")
    missing = client.get(f"/api/enrolments/{MISSING}/justice")
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    write = _put(client, f"/api/enrolments/{enrolment_id}/justice", {"detained": False, "criminal_record": False})
    assert write.status_code == 404
    assert client.get(f"/api/enrolments/{enrolment_id}").json()["goals"] == ""  # the organiser reads the rest
    assert run(_reads(database, enrolment_id, "read_sensitive")) >= 1

    run(_allow_justice(database, ORGANISER))
    login(client, ORGANISER)
    assert client.get(f"/api/enrolments/{enrolment_id}/justice").json()["detained"] is True
    for email in (EMPLOYER, DOOR):
        login(client, email)
        assert client.get(f"/api/enrolments/{enrolment_id}/justice").status_code == 403
    login(client, OTHER_ORGANISER)
    assert client.get(f"/api/enrolments/{enrolment_id}/justice").content == missing.content
    assert run(_reads(database, enrolment_id, "read_justice")) == 2  # the coach's and the allowed organiser's


async def _allow_justice(settings: Settings, email: str) -> None:
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.reads_justice = True
        await session.commit()


async def _reads(settings: Settings, enrolment_id: int, action: str) -> int:
    async with open_session(settings) as session:
        found = await session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.action == action,
                AuditEntry.object_type == "enrolment",
                AuditEntry.object_id == enrolment_id,
            )
        )
        return len(list(found))


async def _werkse_candidates_and_coach(settings: Settings) -> tuple[int, int, int]:
    async with open_session(settings) as session:
        organiser = await session.scalar(select(User).where(User.email == ORGANISER))
        coach = await session.scalar(select(User.id).where(User.email == COACH))
        assert organiser is not None
        assert coach is not None
        first, second = (
            await session.scalars(
                select(Candidate.id)
                .where(Candidate.organisation_id == organiser.organisation_id)
                .order_by(Candidate.id)
                .limit(2)
            )
        ).all()
        return int(first), int(second), int(coach)


async def _outcome(settings: Settings, enrolment_id: int) -> None:
    """A job of 8 hours a week that grew to 27, outside any event, at an employer that never came to one."""
    async with open_session(settings) as session:
        enrolment = await session.get(Enrolment, enrolment_id)
        employer = await session.scalar(select(Organisation.id).where(Organisation.name == "De Buurtkeuken"))
        assert enrolment is not None
        outcome = Outcome(
            candidate_id=enrolment.candidate_id,
            enrolment_id=enrolment.id,
            organisation_id=employer,
            kind=PathwayKind.PAID_JOB,
            start_date=dt.date(2026, 6, 1),
            hours_per_week=27,
            note=f"{MARKER} notitie",
        )
        session.add(outcome)
        await session.flush()
        session.add_all(
            [
                OutcomeTerm(outcome_id=outcome.id, effective_on=dt.date(2026, 6, 1), hours_per_week=8),
                OutcomeTerm(outcome_id=outcome.id, effective_on=dt.date(2026, 9, 1), hours_per_week=27),
            ]
        )
        await session.commit()


def test_an_organiser_enrols_people_lists_them_by_stage_and_reads_their_outcomes(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    _baankans(client)
    candidate_id, other_candidate_id, coach_id = run(_werkse_candidates_and_coach(database))
    _post(client, "/api/programmes/baankans/employers", {"name": "De Buurtkeuken", "social_enterprise": True})

    enrolled = _post(
        client,
        "/api/programmes/baankans/enrolments",
        {
            "candidate_id": candidate_id,
            "target_group": "Hoogopgeleiden",
            "stage": "kennismaking",
            "referrer_name": "Wijkcentrum De Mussen",
            "referred_on": "2026-04-01",
            "intake_on": "2026-04-15",
            "coach_ids": [coach_id],
        },
    )
    assert enrolled.status_code == 201, enrolled.text
    body = enrolled.json()
    assert (body["stage"]["name"], body["target_group"]["name"], body["referred_on"]) == (
        "kennismaking",
        "Hoogopgeleiden",
        "2026-04-01",
    )
    assert [c["id"] for c in body["coaches"]] == [coach_id]
    twice = _post(client, "/api/programmes/baankans/enrolments", {"candidate_id": candidate_id})
    assert (twice.status_code, twice.json()["field"]) == (422, "candidate_id")
    for wrong, field in (
        ({"candidate_id": MISSING}, "candidate_id"),
        ({"candidate_id": other_candidate_id, "referred_by": MISSING}, "referred_by"),
        ({"candidate_id": other_candidate_id, "coach_ids": [MISSING]}, "coach_ids"),
        ({"candidate_id": other_candidate_id, "stage": "nergens"}, "stage"),
    ):
        refused = _post(client, "/api/programmes/baankans/enrolments", wrong)
        assert (refused.status_code, refused.json()["field"]) == (422, field)
    _refer(client)
    login(client, ORGANISER)

    everyone = client.get("/api/programmes/baankans/enrolments").json()
    assert (everyone["total"], everyone["page"], everyone["per_page"]) == (2, 1, 50)
    by_stage = client.get("/api/programmes/baankans/enrolments", params={"stage": "kennismaking"}).json()
    assert [e["id"] for e in by_stage["items"]] == [body["id"]]
    by_group = client.get("/api/programmes/baankans/enrolments", params={"target_group": "hoogopgeleiden"}).json()
    assert by_group["total"] == 1
    paged = client.get("/api/programmes/baankans/enrolments", params={"per_page": "1", "page": "2"}).json()
    assert (len(paged["items"]), paged["total"]) == (1, 2)
    for params, field in (({"stage": "nergens"}, "stage"), ({"page": "0"}, "page"), ({"per_page": "x"}, "per_page")):
        bad = client.get("/api/programmes/baankans/enrolments", params=params)
        assert (bad.status_code, bad.json()["field"]) == (400, field)

    run(_outcome(database, body["id"]))
    outcomes = client.get(f"/api/enrolments/{body['id']}/outcomes").json()
    assert [(o["kind"], o["employer"], o["event_id"], o["hours_per_week"]) for o in outcomes] == [
        ("paid_job", "De Buurtkeuken", None, 27)
    ]
    assert [(t["effective_on"], t["hours_per_week"]) for t in outcomes[0]["terms"]] == [
        ("2026-06-01", 8),
        ("2026-09-01", 27),
    ]

    login(client, OTHER_ORGANISER)
    foreign = client.get(f"/api/enrolments/{body['id']}/outcomes")
    assert foreign.status_code == 404
    assert foreign.content == client.get(f"/api/enrolments/{MISSING}/outcomes").content
    assert client.get("/api/programmes/baankans").content == client.get("/api/programmes/geen-programma").content
    assert "baankans" not in client.get("/api/programmes").text


def test_roles_that_never_reach_programmes_are_refused_and_coaches_do_not_manage_them(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    _baankans(client)
    for email in (EMPLOYER, DOOR):
        login(client, email)
        assert client.get("/api/programmes").status_code == 403
        assert client.get("/api/referrals").status_code == 403
    login(client, COACH)
    assert client.get("/api/programmes/baankans").status_code == 200
    assert _patch(client, "/api/programmes/baankans", {"name": "Anders"}).status_code == 403
    assert _post(client, "/api/programmes/baankans/target-groups", {"name": "Jongeren"}).status_code == 403
    client.cookies.clear()
    assert client.get("/api/programmes").status_code == 401


def test_bad_input_is_refused_naming_the_field_never_a_server_error(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    _baankans(client)
    huge = _post(client, "/api/programmes/baankans/target-groups", {"name": "x" * 100_000})
    control = _post(client, "/api/programmes/baankans/target-groups", {"name": "Jon\x07geren"})
    nul = _post(client, "/api/programmes/baankans/target-groups", {"name": "Jon\x00geren"})
    unknown_field = _post(client, "/api/programmes/baankans/target-groups", {"name": "Jongeren", "extra": 1})
    deep = client.post(
        "/api/programmes",
        content=b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        headers={**csrf_headers(client), "content-type": "application/json"},
    )
    wrong_kind = _post(client, "/api/programmes/baankans/stages", {"name": "x", "kind": "elsewhere"})
    big_id = client.get("/api/enrolments/99999999999999999999")
    slug_with_nul = client.get("/api/programmes/ba%00ankans")
    superscript = client.get("/api/programmes/²")
    superscript_stage = client.get("/api/programmes/baankans/enrolments", params={"stage": "²"})
    superscript_move = _post(client, "/api/programmes/baankans/enrolments", {"candidate_id": 1, "stage": "²"})

    assert (huge.status_code, huge.json()["field"]) == (422, "name")
    assert (control.status_code, control.json()["field"]) == (422, "target_group")
    assert (nul.status_code, nul.json()["field"]) == (422, "name")
    assert (unknown_field.status_code, unknown_field.json()["field"]) == (422, "extra")
    assert (deep.status_code, deep.json()["field"]) == (400, "name")
    assert (wrong_kind.status_code, wrong_kind.json()["field"]) == (422, "kind")
    assert big_id.status_code in (404, 422)
    assert slug_with_nul.status_code == superscript.status_code == 404
    assert (superscript_stage.status_code, superscript_stage.json()["field"]) == (400, "stage")
    assert superscript_move.status_code == 422


def test_a_programme_that_cannot_be_set_up_as_asked_is_not_made_at_all(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)

    clash = _post(client, "/api/programmes", {"name": "Werkfit", "slug": "werkfit", "stages": ["intake", "afgerond"]})
    groups = _post(client, "/api/programmes", {"name": "Werkfit", "slug": "werkfit", "target_groups": ["A", " a "]})

    assert (clash.status_code, clash.json()["field"]) == (422, "stages")
    assert (groups.status_code, groups.json()["field"]) == (422, "target_groups")
    assert client.get("/api/programmes/werkfit").status_code == 404
    assert [p for p in client.get("/api/programmes").json() if p["name"] == "Werkfit"] == []


def test_the_openapi_document_lists_the_programme_routes(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]

    assert {
        "/api/programmes",
        "/api/programmes/{programme_ref}",
        "/api/programmes/{programme_ref}/target-groups/{group_id}",
        "/api/programmes/{programme_ref}/stages/order",
        "/api/programmes/{programme_ref}/enrolments",
        "/api/programmes/{programme_ref}/referrals",
        "/api/referrals",
        "/api/intake",
        "/api/enrolments/{enrolment_id}",
        "/api/enrolments/{enrolment_id}/stage-changes",
        "/api/enrolments/{enrolment_id}/justice",
        "/api/enrolments/{enrolment_id}/activities/{activity_id}/introduction",
        "/api/enrolments/{enrolment_id}/benefits/{benefit_id}/left",
        "/api/enrolments/{enrolment_id}/outcomes",
    } <= set(paths)
    assert set(paths["/api/programmes/{programme_ref}"]) == {"get", "patch"}


def _snapshot(client: TestClient[Litestar], enrolment_id: int) -> list[Any]:
    """What Werkse!'s organiser reads of the programme and the enrolment (the coaches' list of names aside)."""
    login(client, ORGANISER)
    return [
        client.get("/api/programmes/baankans").json(),
        client.get(f"/api/enrolments/{enrolment_id}").json(),
        client.get(f"/api/enrolments/{enrolment_id}/activities").json(),
        client.get(f"/api/enrolments/{enrolment_id}/benefits").json(),
        client.get(f"/api/enrolments/{enrolment_id}/stage-changes").json(),
        client.get("/api/programmes/baankans/enrolments").json(),
    ]


def test_writes_with_real_bodies_from_another_organisation_answer_as_for_missing_ids_and_change_nothing(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    """The authorisation matrix sends empty bodies, refused before anything is looked up; these send real ones."""
    _baankans(client)
    enrolment_id = _refer(client)
    login(client, COACH)
    _post(client, f"/api/enrolments/{enrolment_id}/pick-up", {})
    activity = _post(client, f"/api/enrolments/{enrolment_id}/activities", {"kind": "coaching"}).json()["id"]
    benefit = _post(client, f"/api/enrolments/{enrolment_id}/benefits", {"benefit": "ww"}).json()["id"]
    login(client, ORGANISER)
    _post(client, "/api/programmes/baankans/employers", {"name": "De Buurtkeuken"})
    detail = client.get("/api/programmes/baankans").json()
    foreign = {
        "p": "baankans",
        "g": detail["target_groups"][0]["id"],
        "s": detail["stages"][3]["id"],
        "pa": detail["partners"][0]["id"],
        "o": detail["employers"][0]["organisation_id"],
        "e": enrolment_id,
        "a": activity,
        "b": benefit,
    }
    missing = {**dict.fromkeys(foreign, MISSING), "p": "geen-programma-0000"}
    order = [stage["id"] for stage in reversed(detail["stages"])]
    writes: list[tuple[str, str, Any]] = [
        ("PATCH", "/api/programmes/{p}", {"description": f"{MARKER} overschreven"}),
        ("POST", "/api/programmes/{p}/target-groups", {"name": "Overgenomen"}),
        ("PATCH", "/api/programmes/{p}/target-groups/{g}", {"name": "Overgenomen"}),
        ("POST", "/api/programmes/{p}/stages", {"name": "overgenomen"}),
        ("PUT", "/api/programmes/{p}/stages/order", {"order": order}),
        ("PATCH", "/api/programmes/{p}/stages/{s}", {"name": "overgenomen"}),
        ("POST", "/api/programmes/{p}/partners", {"organisation": "Stichting Overname", "role": "coaching"}),
        ("POST", "/api/programmes/{p}/employers", {"name": "Overname BV"}),
        ("POST", "/api/programmes/{p}/enrolments", {"candidate_id": 1}),
        (
            "POST",
            "/api/programmes/{p}/referrals",
            {"first_name": "A", "last_name": "B", "consent": True, "phone": "06"},
        ),
        ("PATCH", "/api/enrolments/{e}", {"goals": f"{MARKER} overschreven"}),
        ("POST", "/api/enrolments/{e}/pick-up", {}),
        ("POST", "/api/enrolments/{e}/decision", {"decision": "refused", "reason": "overgenomen"}),
        ("POST", "/api/enrolments/{e}/stage", {"stage": "werk"}),
        ("PUT", "/api/enrolments/{e}/justice", {"detained": True, "criminal_record": True}),
        ("POST", "/api/enrolments/{e}/activities", {"kind": "coaching"}),
        ("POST", "/api/enrolments/{e}/activities/{a}/finish", {"completed": False}),
        ("POST", "/api/enrolments/{e}/activities/{a}/introduction", {"status": "cancelled"}),
        ("POST", "/api/enrolments/{e}/benefits", {"benefit": "wia"}),
        ("POST", "/api/enrolments/{e}/benefits/{b}/left", {"left_on": "2026-01-01"}),
        ("DELETE", "/api/programmes/{p}/target-groups/{g}", None),
        ("DELETE", "/api/programmes/{p}/stages/{s}", None),
        ("DELETE", "/api/programmes/{p}/partners/{pa}", None),
        ("DELETE", "/api/programmes/{p}/employers/{o}", None),
    ]
    before = _snapshot(client, enrolment_id)

    different = {}
    refused: dict[str, list[str]] = {}
    for account in (OTHER_ORGANISER, bakboord.OFFICERS[0][1]):
        login(client, account)
        for method, path, body in writes:
            answers = [
                client.request(method, path.format(**ids), json=body, headers=csrf_headers(client))
                for ids in (foreign, missing)
            ]
            if (answers[0].status_code, answers[0].content) != (answers[1].status_code, answers[1].content):
                different[(account, method, path)] = (answers[0].status_code, answers[1].status_code)
            if answers[0].status_code < 400:
                different[(account, method, path)] = ("succeeded", answers[0].status_code)
            if answers[0].status_code != 404:
                refused.setdefault(account, []).append(f"{answers[0].status_code} {method} {path}")

    assert different == {}
    # Not refused for want of a CSRF token or a session: every write met "not found" but those the role never may
    # make (403): the pick-up for an organiser, the programme's set-up and enrolling for a coach.
    coaches_refused = [f"403 {m} {p}" for m, p, _ in writes if p.startswith("/api/programmes") and "referrals" not in p]
    assert refused == {
        OTHER_ORGANISER: ["403 POST /api/enrolments/{e}/pick-up"],
        bakboord.OFFICERS[0][1]: coaches_refused,
    }
    assert _snapshot(client, enrolment_id) == before
