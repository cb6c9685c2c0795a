"""Outcomes of a trajectory: logged for an enrolment with or without an event, at an employer added on the spot;
hours and contract over time; the checks at 1, 3, 6 and 12 months after a placement; and a planned end that is
still ahead shows as running, never as stopped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo.seed import DemoResult
from events.followup.models import FollowUpCheck, Outcome, OutcomeChange, OutcomeStatus, OutcomeTerm, StopReason
from events.followup.services import phase
from events.platform import dates
from events.platform.db import open_session
from events.platform.models import (
    CandidateCoach,
    Enrolment,
    Organisation,
    OrganisationKind,
    PathwayKind,
    Programme,
    ProgrammeStage,
    User,
)
from events.platform.settings import Settings
from tests.conftest import COACH, ORGANISER, OTHER_COACH, csrf_headers, login, run
from tests.helpers import erase

# Scenario tests of many requests each: the full run's, not the fast layer's.
pytestmark = pytest.mark.slow


async def _enrol(settings: Settings, candidate_id: int, slug: str = "werkfit-proef") -> int:
    """The candidate enrolled in a programme of the demo's organising organisation; the enrolment's id."""
    async with open_session(settings) as session:
        owner = await session.scalar(select(Organisation.id).where(Organisation.name == "Werkse!"))
        assert owner is not None
        programme = await session.scalar(select(Programme).where(Programme.slug == slug))
        if programme is None:
            programme = Programme(slug=slug, name=f"Traject {slug}", organisation_id=owner)
            session.add(programme)
            await session.flush()
            session.add(ProgrammeStage(programme_id=programme.id, position=1, name="intake"))
            await session.flush()
        stage = await session.scalar(select(ProgrammeStage.id).where(ProgrammeStage.programme_id == programme.id))
        enrolment = Enrolment(
            programme_id=programme.id, candidate_id=candidate_id, stage_id=stage, referred_on=dt.date(2026, 1, 5)
        )
        session.add(enrolment)
        await session.commit()
        return enrolment.id


async def _coach_candidates(settings: Settings) -> list[int]:
    async with open_session(settings) as session:
        coach = select(User.id).where(User.email == COACH).scalar_subquery()
        rows = await session.scalars(
            select(CandidateCoach.candidate_id)
            .where(CandidateCoach.coach_id == coach)
            .order_by(CandidateCoach.candidate_id)
            .limit(2)
        )
        return list(rows)


async def _outcome(settings: Settings, outcome_id: int) -> Outcome:
    async with open_session(settings) as session:
        found = await session.get(Outcome, outcome_id)
        assert found is not None
        return found


async def _count(settings: Settings, query: Any) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(query) or 0)


@pytest.fixture
def people(demo: DemoResult, database: Settings) -> dict[str, int]:
    """Two of the demo coach's candidates, the first enrolled in a programme."""
    first, second = run(_coach_candidates(database))
    return {"candidate": first, "other": second, "enrolment": run(_enrol(database, first))}


def _job(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "paid_job",
        "start_date": "2026-03-01",
        "contract_type": "fixed_term",
        "contract_months": 6,
        "hours_per_week": 8,
        **extra,
    }


def test_a_job_outside_any_event_belongs_to_the_enrolment_at_a_new_employer(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    login(client, COACH)

    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(enrolment_id=people["enrolment"], employer="  Sociaal Café  De Buurt "),
        headers=csrf_headers(client),
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["enrolment_id"], body["event_id"], body["employer"]) == (
        people["enrolment"],
        None,
        "Sociaal Café De Buurt",
    )
    assert body["programme"] == "Traject werkfit-proef"
    assert body["terms"] == [
        {"effective_on": "2026-03-01", "hours_per_week": 8, "contract_type": "fixed_term", "contract_months": 6}
    ]

    async def employer() -> tuple[OrganisationKind, int]:
        async with open_session(database) as session:
            found = await session.scalar(select(Organisation).where(Organisation.name == "Sociaal Café De Buurt"))
            assert found is not None
            return found.kind, found.id

    kind, organisation_id = run(employer())
    assert (kind, body["organisation_id"]) == (OrganisationKind.EMPLOYER, organisation_id)
    # The same name again (any case) picks the same employer.
    again = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json={"kind": "second_interview", "employer": "sociaal café de buurt"},
        headers=csrf_headers(client),
    )
    assert again.json()["organisation_id"] == organisation_id


def test_an_organising_or_partner_organisation_is_never_made_an_employer(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    login(client, COACH)
    before = run(_count(database, select(func.count()).select_from(Outcome)))

    refused = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(employer="werkse!"),
        headers=csrf_headers(client),
    )

    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("not_an_employer", "employer")
    assert run(_count(database, select(func.count()).select_from(Outcome))) == before
    kind = run(_count(database, select(func.count()).where(Organisation.name == "Werkse!")))
    assert kind == 1


def test_another_candidates_enrolment_is_refused_like_a_missing_one(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    theirs = run(_enrol(database, people["other"]))
    login(client, COACH)
    path = f"/api/candidates/{people['candidate']}/outcomes"

    foreign = client.post(path, json=_job(enrolment_id=theirs), headers=csrf_headers(client))
    missing = client.post(path, json=_job(enrolment_id=987_654), headers=csrf_headers(client))

    assert foreign.status_code == missing.status_code == 422
    assert foreign.json() == missing.json()
    assert foreign.json()["field"] == "enrolment_id"


def test_a_coach_logs_nothing_for_a_candidate_they_do_not_follow(
    client: TestClient[Litestar], people: dict[str, int]
) -> None:
    login(client, OTHER_COACH)

    refused = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(enrolment_id=people["enrolment"], employer="Nieuw Bedrijf"),
        headers=csrf_headers(client),
    )

    assert refused.status_code == 404


def test_hours_grow_from_8_to_27_and_the_history_shows_both(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    login(client, COACH)
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(enrolment_id=people["enrolment"], employer="Baankans Bakkerij"),
        headers=csrf_headers(client),
    ).json()
    path = f"/api/outcomes/{created['id']}/terms"

    grown = client.post(path, json={"effective_on": "2026-09-01", "hours_per_week": 27}, headers=csrf_headers(client))
    assert grown.status_code == 200, grown.text
    assert [(t["effective_on"], t["hours_per_week"], t["contract_type"]) for t in grown.json()["terms"]] == [
        ("2026-03-01", 8, "fixed_term"),
        ("2026-09-01", 27, "fixed_term"),
    ]
    assert grown.json()["hours_per_week"] == 27
    # The same date again replaces that day's terms; a permanent contract has no months.
    fixed = client.post(
        path,
        json={
            "effective_on": "2026-09-01",
            "hours_per_week": 27,
            "contract_type": "permanent",
            "contract_months": None,
        },
        headers=csrf_headers(client),
    )
    assert [(t["hours_per_week"], t["contract_type"], t["contract_months"]) for t in fixed.json()["terms"]] == [
        (8, "fixed_term", 6),
        (27, "permanent", None),
    ]
    outcome = run(_outcome(database, created["id"]))
    assert (outcome.hours_per_week, outcome.contract_type.value if outcome.contract_type else None) == (27, "permanent")
    assert outcome.contract_months is None
    assert [h["action"] for h in fixed.json()["history"]] == ["created", "terms", "terms"]
    assert run(_count(database, select(func.count()).where(OutcomeTerm.outcome_id == created["id"]))) == 2

    before_start = client.post(
        path, json={"effective_on": "2026-02-01", "hours_per_week": 12}, headers=csrf_headers(client)
    )
    assert before_start.status_code == 422
    assert before_start.json()["field"] == "effective_on"

    client.post("/language", data={"language": "nl", "_csrf_token": client.cookies.get("csrftoken", "")})
    page = client.get(f"/candidates/{people['candidate']}")
    assert "8 uur per week vanaf 1-3-2026, 27 uur vanaf 1-9-2026" in page.text


def test_terms_change_through_the_result_s_page(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    login(client, COACH)
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(employer="Werkplaats Zuidwest"),
        headers=csrf_headers(client),
    ).json()
    token = client.cookies.get("csrftoken", "")

    saved = client.post(
        f"/outcomes/{created['id']}/terms",
        data={"effective_on": "2026-06-01", "hours_per_week": "16", "_csrf_token": token},
        follow_redirects=False,
    )
    wrong = client.post(
        f"/outcomes/{created['id']}/terms",
        data={"effective_on": "2026-06-01", "hours_per_week": "99", "_csrf_token": token},
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert run(_outcome(database, created["id"])).hours_per_week == 16
    assert wrong.status_code == 422
    assert 'id="t-hours_per_week"' in wrong.text
    assert run(_outcome(database, created["id"])).hours_per_week == 16


def test_a_placement_check_falls_due_a_month_after_the_start_without_an_event(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    start = dates.today() - dt.timedelta(days=40)
    login(client, COACH)
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(start_date=start.isoformat(), enrolment_id=people["enrolment"], employer="Proefbedrijf Noord"),
        headers=csrf_headers(client),
    ).json()

    due = client.get("/api/follow-up").json()["placement_checks"]
    mine = [c for c in due if c["outcome_id"] == created["id"]]
    assert [(c["months"], c["candidate_id"], c["employer"], c["kind"]) for c in mine] == [
        (1, people["candidate"], "Proefbedrijf Noord", "paid_job")
    ]
    page = client.get("/follow-up")
    assert f'href="/checks/placements/{created["id"]}/1"' in page.text
    candidate_page = client.get(f"/candidates/{people['candidate']}")
    assert f'href="/checks/placements/{created["id"]}/1"' in candidate_page.text
    assert 'href="/follow-up#placement-checks"' in client.get("/").text
    assert client.get(f"/checks/placements/{created['id']}/1").status_code == 200

    # Not yet: the 3-month check.
    early = client.post(f"/api/outcomes/{created['id']}/checks", json={"months": 3}, headers=csrf_headers(client))
    assert (early.status_code, early.json()["field"]) == (422, "months")
    done = client.post(
        f"/api/outcomes/{created['id']}/checks", json={"months": 1, "note": "Gaat goed"}, headers=csrf_headers(client)
    )
    assert done.status_code == 201, done.text
    assert done.json()["months"] == 1
    checks = run(
        _count(
            database,
            select(func.count()).where(FollowUpCheck.outcome_id == created["id"], FollowUpCheck.months == 1),
        )
    )
    assert checks == 1
    assert [
        c for c in client.get("/api/follow-up").json()["placement_checks"] if c["outcome_id"] == created["id"]
    ] == []

    # Another coach neither sees it nor records it.
    login(client, OTHER_COACH)
    assert created["id"] not in [c["outcome_id"] for c in client.get("/api/follow-up").json()["placement_checks"]]
    assert client.get(f"/checks/placements/{created['id']}/1").status_code == 404


def test_a_placement_check_through_the_page_records_its_end(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    start = dates.today() - dt.timedelta(days=100)
    login(client, COACH)
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json={"kind": "internship", "start_date": start.isoformat(), "employer": "Stageplek Oost"},
        headers=csrf_headers(client),
    ).json()
    ended = dates.today() - dt.timedelta(days=3)

    saved = client.post(
        f"/checks/placements/{created['id']}/3",
        data={
            "still": "no",
            "end_date": ended.isoformat(),
            "stop_reason": "health",
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
        follow_redirects=False,
    )

    assert saved.status_code == 303
    outcome = run(_outcome(database, created["id"]))
    assert (outcome.end_date, outcome.stop_reason) == (ended, StopReason.HEALTH)
    changes = run(_count(database, select(func.count()).where(OutcomeChange.outcome_id == created["id"])))
    assert changes == 2  # created, ended
    client.post("/language", data={"language": "nl", "_csrf_token": client.cookies.get("csrftoken", "")})
    assert "gestopt" in client.get(f"/candidates/{people['candidate']}").text


def test_the_person_s_export_holds_the_checks_after_a_placement(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    start = dates.today() - dt.timedelta(days=40)
    login(client, COACH)
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(start_date=start.isoformat(), employer="Exportbedrijf"),
        headers=csrf_headers(client),
    ).json()
    client.post(
        f"/api/outcomes/{created['id']}/checks",
        json={"months": 1, "note": "Nog aan het werk"},
        headers=csrf_headers(client),
    )
    login(client, ORGANISER)

    data = client.get(f"/candidates/{people['candidate']}/export.json").json()

    mine = [f for f in data["follow_up_checks"] if f["outcome"] == created["id"]]
    assert [(f["months"], f["note"]) for f in mine] == [(1, "Nog aan het werk")]
    (outcome,) = [o for o in data["outcomes"] if o["id"] == created["id"]]
    assert outcome["terms"][0]["hours_per_week"] == 8

    # Erased, the check stays (it was done) without what the coach wrote.
    run(erase(database, people["candidate"]))

    async def notes() -> list[str]:
        async with open_session(database) as session:
            return list(
                await session.scalars(select(FollowUpCheck.note).where(FollowUpCheck.outcome_id == created["id"]))
            )

    assert run(notes()) == [""]


def test_an_end_still_ahead_is_running_and_only_a_past_end_with_a_stop_is_stopped() -> None:
    today = dt.date(2026, 12, 8)

    def outcome(**values: Any) -> Outcome:
        return Outcome(candidate_id=1, status=OutcomeStatus.CONFIRMED, **values)

    training = outcome(kind=PathwayKind.TRAINING, start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 6, 30))
    assert phase(training, today) == "running"
    assert phase(outcome(kind=PathwayKind.TRAINING, start_date=dt.date(2027, 1, 5)), today) == "planned"
    finished = outcome(kind=PathwayKind.TRAINING, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 6, 30))
    assert phase(finished, today) == "ended"
    stopped = outcome(
        kind=PathwayKind.PAID_JOB,
        start_date=dt.date(2026, 1, 5),
        end_date=dt.date(2026, 3, 1),
        stop_reason=StopReason.HEALTH,
    )
    assert phase(stopped, today) == "stopped"
    assert phase(outcome(kind=PathwayKind.SECOND_INTERVIEW, start_date=dt.date(2026, 1, 5)), today) is None


def test_a_training_with_a_future_end_date_shows_as_running_not_stopped(
    client: TestClient[Litestar], people: dict[str, int]
) -> None:
    login(client, COACH)
    client.post("/language", data={"language": "nl", "_csrf_token": client.cookies.get("csrftoken", "")})
    created = client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json={
            "kind": "training",
            "start_date": (dates.today() - dt.timedelta(days=30)).isoformat(),
            "end_date": (dates.today() + dt.timedelta(days=200)).isoformat(),
            "enrolment_id": people["enrolment"],
        },
        headers=csrf_headers(client),
    )
    assert created.json()["phase"] == "running"

    page = client.get(f"/candidates/{people['candidate']}")

    assert '<span class="badge badge-running">loopt</span>' in page.text
    assert "gestopt" not in page.text


def test_the_openapi_document_names_the_trajectory_fields_and_routes(client: TestClient[Litestar]) -> None:
    document = client.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]

    assert {"/api/outcomes/{outcome_id}/terms", "/api/outcomes/{outcome_id}/checks"} <= set(document["paths"])
    assert {"enrolment_id", "programme", "terms", "phase"} <= set(schemas["OutcomeRow"]["properties"])
    assert {"enrolment_id", "employer"} <= set(schemas["OutcomeInput"]["properties"])
    assert {"effective_on", "hours_per_week", "contract_type", "contract_months"} <= set(
        schemas["TermsInput"]["properties"]
    )
    assert "placement_checks" in schemas["FollowUpRow"]["properties"]


def test_an_outcome_is_logged_with_its_terms_over_time_at_once(
    client: TestClient[Litestar], people: dict[str, int]
) -> None:
    login(client, COACH)
    path = f"/api/candidates/{people['candidate']}/outcomes"
    grown = [{"effective_on": "2026-09-01", "hours_per_week": 27}, {"effective_on": "2026-06-01", "hours_per_week": 16}]

    created = client.post(path, json=_job(employer="Groeibedrijf", terms=grown), headers=csrf_headers(client))
    refused = client.post(
        path,
        json=_job(employer="Groeibedrijf", terms=[{"effective_on": "2026-01-01", "hours_per_week": 10}]),
        headers=csrf_headers(client),
    )

    assert created.status_code == 201, created.text
    assert [(t["effective_on"], t["hours_per_week"]) for t in created.json()["terms"]] == [
        ("2026-03-01", 8),
        ("2026-06-01", 16),
        ("2026-09-01", 27),
    ]
    assert created.json()["hours_per_week"] == 27
    assert (refused.status_code, refused.json()["field"]) == (422, "terms[0].effective_on")


def test_an_enrolment_s_outcomes_are_read_by_those_who_follow_the_candidate(
    client: TestClient[Litestar], people: dict[str, int], database: Settings
) -> None:
    from events.followup.services import OutcomeService
    from events.platform.errors import NotFoundError
    from events.platform.services import to_current_user

    login(client, COACH)
    client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json=_job(enrolment_id=people["enrolment"], employer="Tijdlijnbedrijf"),
        headers=csrf_headers(client),
    )
    client.post(
        f"/api/candidates/{people['candidate']}/outcomes",
        json={"kind": "second_interview", "employer": "Los Bedrijf"},
        headers=csrf_headers(client),
    )

    async def read(email: str) -> list[str | None] | str:
        async with open_session(database) as session:
            account = await session.scalar(select(User).where(User.email == email))
            assert account is not None
            try:
                found = await OutcomeService(session, to_current_user(account)).for_enrolment(people["enrolment"])
            except NotFoundError:
                return "not found"
            return [v.employer for v in found]

    assert run(read(COACH)) == ["Tijdlijnbedrijf"]
    assert run(read(OTHER_COACH)) == "not found"
