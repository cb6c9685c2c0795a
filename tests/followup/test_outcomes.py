"""Outcomes after the event: coaches log and change them (with history), employers propose, coaches confirm;
follow-up checks at 1, 3 and 6 months; the to-do lists; who may see what."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo import bakboord
from events.demo.history import PAST_SLUG
from events.demo.seed import DemoResult
from events.followup.follow_up import add_months, due_months
from events.followup.models import FollowUpCheck, Outcome, OutcomeChange, OutcomeStatus
from events.platform.db import open_session
from events.platform.models import Candidate, CandidateCoach, CandidateParticipation, EmployerParticipation, Event, User
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, OTHER_COACH, csrf_headers, first_id, login, run


def _form(client: TestClient[Litestar], path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": client.cookies.get("csrftoken", "")}, follow_redirects=False)


async def _past(settings: Settings) -> dict[str, Any]:
    """The spring edition: a present candidate of the demo coach with a "yes" talk, and some facts."""
    async with open_session(settings) as session:
        event = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
        assert event is not None
        coach = await session.scalar(select(User).where(User.email == COACH))
        assert coach is not None
        talk = Event.metadata.tables["held_talk"]
        row = (
            await session.execute(
                select(talk.c.id, CandidateParticipation.candidate_id, CandidateParticipation.id)
                .join(CandidateParticipation, CandidateParticipation.id == talk.c.candidate_participation_id)
                .join(CandidateCoach, CandidateCoach.candidate_id == CandidateParticipation.candidate_id)
                .where(talk.c.event_id == event.id, CandidateCoach.coach_id == coach.id)
                .order_by(talk.c.id)
                .limit(1)
            )
        ).first()
        assert row is not None
        return {"event": event, "talk_id": row[0], "candidate_id": row[1], "participation_id": row[2]}


async def _outcome(settings: Settings, outcome_id: int) -> Outcome:
    async with open_session(settings) as session:
        outcome = await session.get(Outcome, outcome_id)
        assert outcome is not None
        return outcome


@pytest.fixture
def past(demo_history: DemoResult, database: Settings) -> dict[str, Any]:
    """What `_past` finds in the demo with its spring edition."""
    return run(_past(database))


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 3, 10), -1) == dt.date(2026, 2, 10)


def test_due_months_is_the_latest_milestone_reached_and_not_done() -> None:
    held = dt.date(2026, 1, 10)
    assert due_months(held, dt.date(2026, 2, 9), 0) is None
    assert due_months(held, dt.date(2026, 2, 10), 0) == 1
    assert due_months(held, dt.date(2026, 4, 10), 0) == 3
    assert due_months(held, dt.date(2026, 4, 10), 3) is None
    assert due_months(held, dt.date(2026, 7, 10), 3) == 6


def test_coach_logs_a_job_start_from_a_talk_and_every_change_is_kept(
    client: TestClient[Litestar], past: dict[str, Any], database: Settings
) -> None:
    login(client, COACH)
    path = f"/candidates/{past['candidate_id']}/outcomes/new"
    form = client.get(f"{path}?talk={past['talk_id']}")
    assert form.status_code == 200
    assert f'value="{past["talk_id"]}" selected' in form.text

    missing = _form(client, path, {"kind": "paid_job", "held_talk_id": past["talk_id"], "start_date": "2026-09-01"})
    assert missing.status_code == 422
    assert "contract" in missing.text.lower()

    done = _form(
        client,
        path,
        {
            "kind": "paid_job",
            "held_talk_id": past["talk_id"],
            "start_date": "2026-09-01",
            "contract_type": "fixed_term",
            "contract_months": "6",
            "hours_per_week": "24",
            "leaves_benefits": "yes",
            "note": "Start via proefplaatsing",
        },
    )
    assert done.status_code == 303

    async def logged() -> Outcome:
        async with open_session(database) as session:
            # The note is stored encrypted: it is compared after reading, not in SQL.
            found = await session.scalars(select(Outcome).where(Outcome.held_talk_id == past["talk_id"]))
            outcome = next((o for o in found if o.note == "Start via proefplaatsing"), None)
            assert outcome is not None
            return outcome

    outcome = run(logged())
    assert (outcome.status, outcome.event_id, outcome.hours_per_week, outcome.leaves_benefits) == (
        OutcomeStatus.CONFIRMED,
        past["event"].id,
        24,
        True,
    )
    changed = _form(
        client,
        f"/outcomes/{outcome.id}/edit",
        {
            "kind": "paid_job",
            "held_talk_id": past["talk_id"],
            "start_date": "2026-09-01",
            "contract_type": "fixed_term",
            "contract_months": "12",
            "hours_per_week": "32",
            "leaves_benefits": "yes",
            "note": "Start via proefplaatsing",
        },
    )
    assert changed.status_code == 303

    async def history() -> list[tuple[str, dict[str, Any]]]:
        async with open_session(database) as session:
            rows = await session.scalars(
                select(OutcomeChange).where(OutcomeChange.outcome_id == outcome.id).order_by(OutcomeChange.id)
            )
            return [(c.action, c.changes) for c in rows]

    steps = run(history())
    assert [action for action, _ in steps] == ["created", "updated"]
    assert steps[1][1] == {"contract_months": [6, 12], "hours_per_week": [24, 32]}
    page = client.get(f"/candidates/{past['candidate_id']}")
    assert "betaalde baan" in page.text.lower() or "paid job" in page.text.lower()


async def _employer_talk(settings: Settings) -> tuple[int, int, str]:
    """The demo employer's first held talk (only the spring edition has held talks): its id, the candidate and a
    coach's e-mail."""
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == EMPLOYER))
        assert user is not None
        talk = Event.metadata.tables["held_talk"]
        row = (
            await session.execute(
                select(talk.c.id, CandidateParticipation.candidate_id)
                .join(EmployerParticipation, EmployerParticipation.id == talk.c.employer_participation_id)
                .join(CandidateParticipation, CandidateParticipation.id == talk.c.candidate_participation_id)
                .where(EmployerParticipation.organisation_id == user.organisation_id)
                .order_by(talk.c.id)
                .limit(1)
            )
        ).first()
        assert row is not None
        coach = await session.scalar(
            select(User.email)
            .join(CandidateCoach, CandidateCoach.coach_id == User.id)
            .where(CandidateCoach.candidate_id == row[1])
            .limit(1)
        )
        assert coach is not None
        return int(row[0]), int(row[1]), coach


@pytest.fixture
def employer_talk(demo_history: DemoResult, database: Settings) -> tuple[int, int, str]:
    """The demo employer's first talk of the spring edition: its id, the candidate and a coach's e-mail."""
    return run(_employer_talk(database))


def test_employer_reports_a_second_interview_and_the_coach_confirms_it(
    client: TestClient[Litestar], employer_talk: tuple[int, int, str], database: Settings
) -> None:
    talk_id, candidate_id, coach_email = employer_talk
    login(client, EMPLOYER)
    page = client.get(f"/events/{PAST_SLUG}/talks")
    assert page.status_code == 200
    assert f'value="{talk_id}"' in page.text
    reported = _form(
        client, f"/events/{PAST_SLUG}/talks", {"held_talk_id": talk_id, "kind": "second_interview", "note": "Di 10 uur"}
    )
    assert reported.status_code == 303
    again = _form(client, f"/events/{PAST_SLUG}/talks", {"held_talk_id": talk_id, "kind": "second_interview"})
    assert again.status_code == 422

    async def proposal() -> Outcome:
        async with open_session(database) as session:
            found = await session.scalar(
                select(Outcome).where(Outcome.held_talk_id == talk_id, Outcome.status == OutcomeStatus.PROPOSED)
            )
            assert found is not None
            return found

    outcome = run(proposal())
    assert outcome.candidate_id == candidate_id
    login(client, coach_email)
    todo = client.get("/follow-up")
    assert f"/outcomes/{outcome.id}/status" in todo.text
    confirmed = _form(client, f"/outcomes/{outcome.id}/status", {"action": "confirm", "back": "follow-up"})
    assert confirmed.status_code == 303
    assert run(_outcome(database, outcome.id)).status == OutcomeStatus.CONFIRMED


def test_employer_cannot_report_on_another_employers_talk(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    talk = Event.metadata.tables["held_talk"]
    employers_own = select(User.organisation_id).where(User.email == EMPLOYER).scalar_subquery()
    foreign_talk = first_id(
        database,
        select(talk.c.id)
        .join(EmployerParticipation, EmployerParticipation.id == talk.c.employer_participation_id)
        .where(EmployerParticipation.organisation_id != employers_own)
        .limit(1),
    )

    login(client, EMPLOYER)
    response = _form(client, f"/events/{PAST_SLUG}/talks", {"held_talk_id": foreign_talk, "kind": "paid_job"})
    assert response.status_code == 404


def test_another_coach_reaches_neither_the_outcomes_nor_the_checks_of_a_candidate(
    client: TestClient[Litestar], past: dict[str, Any]
) -> None:
    login(client, OTHER_COACH)
    assert client.get(f"/candidates/{past['candidate_id']}/outcomes/new").status_code == 404
    assert client.get(f"/checks/{past['participation_id']}/3").status_code == 404
    response = _form(client, f"/candidates/{past['candidate_id']}/outcomes/new", {"kind": "second_interview"})
    assert response.status_code == 404
    login(client, EMPLOYER)
    assert client.get(f"/candidates/{past['candidate_id']}/outcomes/new").status_code == 403


def test_another_organisations_organiser_reaches_neither_the_outcomes_nor_the_checks_of_a_candidate(
    client: TestClient[Litestar], past: dict[str, Any], database: Settings
) -> None:
    async def name() -> str:
        async with open_session(database) as session:
            candidate = await session.get(Candidate, past["candidate_id"])
            assert candidate is not None
            return f"{candidate.first_name} {candidate.last_name}"

    login(client, ORGANISER)
    own = client.get("/follow-up")
    login(client, bakboord.ORGANISER[1])
    other = client.get("/follow-up")

    assert run(name()) in own.text  # Werkse!'s organiser follows the person up
    assert run(name()) not in other.text
    assert client.get(f"/candidates/{past['candidate_id']}/outcomes/new").status_code == 404
    assert client.get(f"/checks/{past['participation_id']}/3").status_code == 404
    response = _form(client, f"/candidates/{past['candidate_id']}/outcomes/new", {"kind": "second_interview"})
    assert response.status_code == 404


async def _running_job(settings: Settings) -> tuple[Outcome, int, str]:
    """A paid job of the spring edition that is still running, its participation and the coach's e-mail."""
    async with open_session(settings) as session:
        outcome = await session.scalar(
            select(Outcome).where(Outcome.kind == "paid_job", Outcome.status == OutcomeStatus.CONFIRMED).limit(1)
        )
        assert outcome is not None
        pid = await session.scalar(
            select(CandidateParticipation.id).where(
                CandidateParticipation.candidate_id == outcome.candidate_id,
                CandidateParticipation.event_id == outcome.event_id,
            )
        )
        coach = await session.scalar(
            select(User.email)
            .join(CandidateCoach, CandidateCoach.coach_id == User.id)
            .where(CandidateCoach.candidate_id == outcome.candidate_id)
        )
        assert pid is not None
        assert coach is not None
        return outcome, pid, coach


@pytest.fixture
def running_job(demo_history: DemoResult, database: Settings) -> tuple[Outcome, int, str]:
    """A running paid job of the spring edition, its participation and the coach's e-mail."""
    return run(_running_job(database))


def test_a_check_at_three_months_ends_a_job_and_is_not_due_again(
    client: TestClient[Litestar], running_job: tuple[Outcome, int, str], database: Settings
) -> None:
    outcome, pid, coach = running_job
    login(client, coach)
    overview = client.get("/follow-up")
    assert f"/checks/{pid}/3" in overview.text
    form = client.get(f"/checks/{pid}/3")
    assert form.status_code == 200
    assert f'name="still_{outcome.id}"' in form.text
    bad = _form(client, f"/checks/{pid}/3", {f"still_{outcome.id}": "no", f"end_{outcome.id}": ""})
    assert bad.status_code == 422
    end = (outcome.start_date or dt.date.today()) + dt.timedelta(days=20)
    done = _form(
        client,
        f"/checks/{pid}/3",
        {f"still_{outcome.id}": "no", f"end_{outcome.id}": end.isoformat(), f"reason_{outcome.id}": "contract_ended"},
    )
    assert done.status_code == 303
    assert f"/checks/{pid}/3" not in client.get("/follow-up").text
    assert client.get(f"/checks/{pid}/6").status_code == 200
    assert _form(client, f"/checks/{pid}/6", {}).status_code == 422  # not due for another three months

    async def checks() -> int:
        async with open_session(database) as session:
            found = await session.scalar(
                select(func.count()).select_from(FollowUpCheck).where(FollowUpCheck.candidate_participation_id == pid)
            )
            return int(found or 0)

    # The checks: the one-month check of the demo, and this one.
    assert (run(_outcome(database, outcome.id)).end_date, run(checks())) == (end, 2)
    login(client, OTHER_COACH if coach != OTHER_COACH else COACH)
    assert client.get(f"/outcomes/{outcome.id}/edit").status_code == 404
    assert _form(client, f"/outcomes/{outcome.id}/status", {"action": "withdraw"}).status_code == 404


def test_the_event_follow_up_page_lists_talks_answers_and_what_to_do(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    login(client, COACH)
    page = client.get(f"/events/{PAST_SLUG}/follow-up")
    assert page.status_code == 200
    assert re.search(r"wil een vervolg|wants a follow-up", page.text)

    async def own_count() -> tuple[int, int]:
        async with open_session(database) as session:
            coach = await session.scalar(select(User).where(User.email == COACH))
            event = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
            assert coach is not None
            assert event is not None
            mine = await session.scalar(
                select(func.count())
                .select_from(CandidateParticipation)
                .join(CandidateCoach, CandidateCoach.candidate_id == CandidateParticipation.candidate_id)
                .where(CandidateParticipation.event_id == event.id, CandidateCoach.coach_id == coach.id)
            )
            total = await session.scalar(
                select(func.count())
                .select_from(CandidateParticipation)
                .where(CandidateParticipation.event_id == event.id)
            )
            return int(mine or 0), int(total or 0)

    mine, total = run(own_count())
    assert page.text.count('class="card after-event"') == mine < total
    login(client, ORGANISER)
    assert client.get(f"/events/{PAST_SLUG}/follow-up").text.count('class="card after-event"') == total
    login(client, EMPLOYER)
    assert client.get(f"/events/{PAST_SLUG}/follow-up").status_code == 403


@pytest.mark.slow
def test_erased_candidates_drop_out_of_the_follow_up(
    client: TestClient[Litestar], past: dict[str, Any], database: Settings
) -> None:
    async def erase() -> None:
        async with open_session(database) as session:
            candidate = await session.get(Candidate, past["candidate_id"])
            assert candidate is not None
            candidate.erased_at = dt.datetime.now(dt.UTC)
            await session.commit()

    run(erase())
    login(client, COACH)
    assert f'/candidates/{past["candidate_id"]}"' not in client.get(f"/events/{PAST_SLUG}/follow-up").text
    assert client.get(f"/candidates/{past['candidate_id']}/outcomes/new").status_code == 404


def test_the_api_logs_changes_and_confirms_outcomes_and_names_the_field_at_fault(
    client: TestClient[Litestar], past: dict[str, Any]
) -> None:
    login(client, COACH)
    path = f"/api/candidates/{past['candidate_id']}/outcomes"
    bad = client.post(path, json={"kind": "training", "held_talk_id": past["talk_id"]}, headers=csrf_headers(client))
    assert (bad.status_code, bad.json()["field"]) == (422, "start_date")
    unknown = client.post(path, json={"kind": "training", "bsn": "123"}, headers=csrf_headers(client))
    assert unknown.status_code == 422
    created = client.post(
        path,
        json={"kind": "training", "held_talk_id": past["talk_id"], "start_date": "2026-09-01"},
        headers=csrf_headers(client),
    )
    assert created.status_code == 201
    row = created.json()
    assert (row["kind"], row["status"], row["event_id"]) == ("training", "confirmed", past["event"].id)
    changed = client.put(
        f"/api/outcomes/{row['id']}",
        json={"kind": "training", "held_talk_id": past["talk_id"], "start_date": "2026-09-08"},
        headers=csrf_headers(client),
    )
    assert [h["action"] for h in changed.json()["history"]] == ["created", "updated"]
    assert changed.json()["history"][1]["changes"] == {"start_date": ["2026-09-01", "2026-09-08"]}
    withdrawn = client.post(
        f"/api/outcomes/{row['id']}/status", json={"action": "withdraw"}, headers=csrf_headers(client)
    )
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"/api/outcomes/{row['id']}/status", json={"action": "withdraw"}, headers=csrf_headers(client))
    assert (again.status_code, again.json()["code"]) == (409, "outcome_state")
    due = client.get("/api/follow-up").json()
    assert {c["months"] for c in due["checks"]} == {3}

    login(client, OTHER_COACH)
    assert client.get(path).status_code == 404
    assert client.get(f"/api/candidates/{past['candidate_id']}/outcomes").status_code == 404


def test_an_end_date_counts_even_when_the_check_was_just_done_by_a_colleague_or_the_button_left(
    client: TestClient[Litestar], running_job: tuple[Outcome, int, str], database: Settings
) -> None:
    outcome, pid, coach = running_job
    login(client, coach)
    form = client.get(f"/checks/{pid}/3")
    assert form.text.count('name="still_') == 2  # the job only: second interviews are not "still going"
    assert _form(client, f"/checks/{pid}/3", {}).status_code == 303  # a colleague: everything still as logged
    end = (outcome.start_date or dt.date.today()) + dt.timedelta(days=30)
    # The button left on "still going", an end date filled in: it has ended.
    again = _form(client, f"/checks/{pid}/3", {f"end_{outcome.id}": end.isoformat()})
    assert again.status_code == 303
    assert run(_outcome(database, outcome.id)).end_date == end


def test_confirming_an_employers_report_without_its_details_asks_for_them_first(
    client: TestClient[Litestar], past: dict[str, Any], database: Settings
) -> None:
    async def report() -> int:
        async with open_session(database) as session:
            outcome = Outcome(
                candidate_id=past["candidate_id"],
                event_id=past["event"].id,
                held_talk_id=past["talk_id"],
                kind="paid_job",
                status=OutcomeStatus.PROPOSED,
                proposed_by_id=None,
            )
            session.add(outcome)
            await session.commit()
            return outcome.id

    outcome_id = run(report())
    login(client, COACH)
    asked = _form(client, f"/outcomes/{outcome_id}/status", {"action": "confirm"})
    assert (asked.status_code, asked.headers["location"]) == (303, f"/outcomes/{outcome_id}/edit?confirm=1")
    assert run(_outcome(database, outcome_id)).status == OutcomeStatus.PROPOSED
    assert 'name="confirm" value="1"' in client.get(asked.headers["location"]).text
    done = _form(
        client,
        f"/outcomes/{outcome_id}/edit",
        {
            "kind": "paid_job",
            "held_talk_id": past["talk_id"],
            "start_date": "2026-10-01",
            "contract_type": "permanent",
            "hours_per_week": "24",
            "confirm": "1",
        },
    )
    assert done.status_code == 303
    assert run(_outcome(database, outcome_id)).status == OutcomeStatus.CONFIRMED


def test_an_opening_of_another_event_or_an_id_beyond_the_database_is_named_as_the_field_at_fault(
    client: TestClient[Litestar], past: dict[str, Any], database: Settings
) -> None:
    from events.platform.models import Opening

    upcoming_opening = first_id(
        database,
        select(Opening.id)
        .join(EmployerParticipation, EmployerParticipation.id == Opening.employer_participation_id)
        .join(Event, Event.id == EmployerParticipation.event_id)
        .where(Event.slug == "samen-werkt")
        .limit(1),
    )

    login(client, COACH)
    path = f"/api/candidates/{past['candidate_id']}/outcomes"
    other = client.post(
        path,
        json={"kind": "second_interview", "held_talk_id": past["talk_id"], "opening_id": upcoming_opening},
        headers=csrf_headers(client),
    )
    assert (other.status_code, other.json()["field"]) == (422, "opening_id")
    huge = client.post(path, json={"kind": "second_interview", "organisation_id": 2**40}, headers=csrf_headers(client))
    assert (huge.status_code, huge.json()["field"]) == (422, "organisation_id")


def test_an_employer_learns_nothing_of_what_the_coach_logged_for_its_talk(
    client: TestClient[Litestar], employer_talk: tuple[int, int, str]
) -> None:
    talk_id, candidate_id, coach = employer_talk
    login(client, coach)
    logged = _form(
        client,
        f"/candidates/{candidate_id}/outcomes/new",
        {"kind": "volunteering", "held_talk_id": talk_id, "start_date": "2026-10-01"},
    )
    assert logged.status_code == 303
    login(client, EMPLOYER)
    reported = _form(client, f"/events/{PAST_SLUG}/talks", {"held_talk_id": talk_id, "kind": "volunteering"})
    assert reported.status_code == 303
    page = client.get(f"/events/{PAST_SLUG}/talks")
    assert page.text.count("vrijwilligerswerk") >= 1
    assert "bevestigd" not in page.text.split(f'id="talk-{talk_id}"')[1].split("</li>")[0]


def test_a_check_falls_due_on_the_last_day_of_a_shorter_month(demo_history: DemoResult, database: Settings) -> None:
    from sqlalchemy import update

    from events.followup.follow_up import due_checks
    from events.platform.services import to_current_user

    async def due_on(day: dt.date) -> set[int]:
        async with open_session(database) as session:
            await session.execute(update(Event).where(Event.slug == PAST_SLUG).values(date=dt.date(2026, 1, 30)))
            await session.flush()
            coach = await session.scalar(select(User).where(User.email == COACH))
            assert coach is not None
            return {c.months for c in await due_checks(session, to_current_user(coach), day)}

    assert run(due_on(dt.date(2026, 2, 27))) == set()
    assert run(due_on(dt.date(2026, 2, 28))) == {1}
