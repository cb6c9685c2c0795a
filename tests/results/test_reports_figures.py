"""The results' figures: the funnel, the follow-up checks, per employer, per coach organisation, for funders,
targets, evaluation and programmes, from rows seeded straight into the tables (tests/results/reports_seed.py)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from events.followup.models import Respondent
from events.platform.dates import add_months
from events.platform.db import open_session
from events.platform.models import Event, PathwayKind, Programme
from events.platform.settings import Settings
from events.results.figures import event_report, programme_report
from events.results.shapes import (
    Checkpoint,
    CoachOrganisationRow,
    EmployerRow,
    EventReport,
    Funnel,
    RespondentSummary,
    TargetRow,
)
from tests.conftest import run
from tests.helpers import organising_id
from tests.results.reports_seed import EVENT_DATE, Seeded, seed, seed_large

TODAY = dt.date(2026, 8, 1)


async def report(settings: Settings, event_id: int, today: dt.date = TODAY) -> EventReport:
    async with open_session(settings) as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return await event_report(session, event, today)


@pytest.fixture
def seeded(database: Settings) -> Seeded:
    """The rows of `tests/results/reports_seed.py`."""
    return run(seed(database))


@pytest.fixture
def result(database: Settings, seeded: Seeded) -> EventReport:
    """The seeded event's report on ``TODAY``."""
    return run(report(database, seeded.event_id))


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(dt.date(2026, 1, 15), 1) == dt.date(2026, 2, 15)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)


def test_funnel_counts_distinct_candidates_and_only_confirmed_outcomes_of_the_event(result: EventReport) -> None:
    # Cancelled candidates and their check-in do not count; candidate 1's two second interviews count once; the
    # proposed, withdrawn and declined outcomes and the job from the other event do not count.
    assert result.funnel == Funnel(
        registered=12,
        present=10,
        talked=8,
        talks=9,
        follow_up=3,
        second_interviews=2,
        placements=2,
        training_starts=1,
        job_starts=2,
    )


def test_checkpoints_count_what_had_started_and_still_ran_on_the_day(result: EventReport) -> None:
    assert result.checkpoints == (
        # 15 Feb: the trial placement ended on 10 Feb, the training starts on 1 March.
        Checkpoint(1, dt.date(2026, 2, 15), True, placements=1, training_starts=0, job_starts=2, any_start=3),
        Checkpoint(3, dt.date(2026, 4, 15), True, placements=1, training_starts=1, job_starts=2, any_start=4),
        # 15 July: the three-month contract ended on 20 April.
        Checkpoint(6, dt.date(2026, 7, 15), True, placements=1, training_starts=1, job_starts=1, any_start=3),
    )


def test_checkpoints_not_reached_by_today_are_marked_and_empty(seeded: Seeded, database: Settings) -> None:
    result = run(report(database, seeded.event_id, today=dt.date(2026, 3, 1)))

    assert [(c.months, c.reached, c.any_start) for c in result.checkpoints] == [
        (1, True, 3),
        (3, False, 0),
        (6, False, 0),
    ]


def test_per_employer_talks_wishes_and_outcomes(seeded: Seeded, result: EventReport) -> None:
    ids = seeded.employers
    assert result.employers == (
        EmployerRow(ids["Alfa Bouw"], "Alfa Bouw", 2, 2, 2, 1, 0, 1, 2),
        EmployerRow(ids["Bravo Zorg"], "Bravo Zorg", 2, 1, 1, 0, 1, 0, 1),
        EmployerRow(ids["Charlie Groen"], "Charlie Groen", 5, 0, 0, 1, 0, 1, 2),
    )


def test_per_coach_organisation_counts_a_candidate_at_each_of_their_coaches_organisations(
    seeded: Seeded, result: EventReport
) -> None:
    orgs = seeded.coach_orgs
    assert result.coach_organisations == (
        # 5 and 6 have a coach at both; 6 stopped (not an outcome); 7's job is only proposed.
        CoachOrganisationRow(orgs["Reclassering"], "Reclassering", registered=6, present=6, with_outcome=1),
        CoachOrganisationRow(orgs["Werkplein"], "Werkplein", registered=6, present=6, with_outcome=5, job_starts=2),
        # 11's coach has no organisation, 12 has no coach.
        CoachOrganisationRow(None, "", registered=2, present=0, with_outcome=0, job_starts=0),
    )


def test_funder_figures_benefits_contract_length_and_hours(result: EventReport) -> None:
    funder = result.funder

    assert (funder.started, funder.left_benefits, funder.kept_benefits, funder.benefits_unknown) == (5, 1, 1, 3)
    # The permanent contract without a length is lasting; the three-month one is not.
    assert (funder.job_starts, funder.lasting, funder.short, funder.length_unknown) == (2, 1, 1, 0)
    assert dict(funder.hour_bands) == {
        "under 12 hours": 0,
        "12 to 23 hours": 1,
        "24 to 31 hours": 0,
        "32 hours or more": 1,
    }
    assert (funder.hours_known, funder.hours_unknown, funder.mean_hours) == (2, 0, 26.0)
    assert dict(funder.per_kind) == {
        PathwayKind.SECOND_INTERVIEW: 2,
        PathwayKind.TRIAL_PLACEMENT: 1,
        PathwayKind.INTERNSHIP: 1,
        PathwayKind.WORK_EXPERIENCE: 0,
        PathwayKind.TRAINING: 1,
        PathwayKind.PAID_JOB: 2,
        PathwayKind.VOLUNTEERING: 0,
        PathwayKind.STOPPED: 1,
    }


def test_targets_only_known_keys_beside_the_actuals(result: EventReport) -> None:
    assert result.targets == (
        TargetRow("present", "present at the event", 8, 10),
        TargetRow("job_starts", "paid job starts", 3, 2),
    )
    assert [(t.reached, t.percent) for t in result.targets] == [(True, 125), (False, 67)]


def test_evaluation_counts_means_and_again_per_respondent(result: EventReport) -> None:
    candidates, employers = result.evaluation
    assert candidates == RespondentSummary(
        respondent=Respondent.CANDIDATE,
        invited=6,
        answered=4,
        overall_mean=4.0,
        overall_count=3,
        talks_mean=4.3,
        talks_count=3,
        again=(("yes", 2), ("maybe", 1), ("no", 0)),
        comments=("Heel fijn, dank!", "Te druk"),
    )
    assert (employers.invited, employers.answered, employers.overall_mean, employers.comments) == (
        1,
        1,
        5.0,
        ("Goede kandidaten",),
    )


def test_an_event_without_anything_gives_zeros(database: Settings) -> None:
    async def empty() -> EventReport:
        async with open_session(database) as session:
            event = Event(
                slug="leeg",
                organisation_id=await organising_id(session),
                name="Leeg",
                date=EVENT_DATE,
                first_round_start=dt.time(10),
            )
            session.add(event)
            await session.flush()
            return await event_report(session, event, TODAY)

    result = run(empty())

    assert result.funnel == Funnel()
    assert result.employers == ()
    assert result.coach_organisations == ()
    assert result.targets == ()
    assert [e.answered for e in result.evaluation] == [0, 0]


def test_programme_sums_its_events_in_date_order_against_its_targets(database: Settings) -> None:
    async def build() -> tuple[Seeded, Seeded, Any]:
        first = await seed(database, slug="voorjaar", date=dt.date(2026, 1, 15), prefix="a-")
        second = await seed(database, slug="najaar", date=dt.date(2026, 5, 1), prefix="b-")
        async with open_session(database) as session:
            programme = Programme(
                slug="delft-aan-het-werk",
                name="Delft aan het werk",
                organisation_id=await organising_id(session),
                targets={"job_starts": 5, "placements": 3},
            )
            session.add(programme)
            await session.flush()
            for event_id in (second.event_id, first.event_id):
                found = await session.get(Event, event_id)
                assert found is not None
                found.programme_id = programme.id
            await session.flush()
            result = await programme_report(session, programme, TODAY)
            await session.commit()
            return first, second, result

    first, second, result = run(build())

    assert [e.event_id for e in result.events] == [first.event_id, second.event_id]
    assert result.totals.job_starts == 4
    assert result.totals.registered == 24
    assert result.targets == (
        TargetRow("placements", "placements", 3, 4),
        TargetRow("job_starts", "paid job starts", 5, 4),
    )
    # The second event (1 May) has reached its 1- and 3-month checks by 1 August, not its 6-month one.
    assert [c.reached for c in result.events[1].checkpoints] == [True, True, False]
    # The seeded start and end dates are the same for both events: for the second, the three-month contract
    # had ended (20 April) before it took place, so only the permanent job runs at its checks.
    assert [(c.months, c.job_starts) for c in result.checkpoint_totals] == [(1, 3), (3, 3), (6, 1)]


def test_figures_of_a_3000_candidate_fair_take_a_fixed_handful_of_queries(database: Settings) -> None:
    event_id = run(seed_large(database, 3000))
    statements: list[str] = []

    async def measured() -> tuple[EventReport, float]:
        async with open_session(database) as session:
            event = await session.scalar(select(Event).where(Event.id == event_id))
            assert event is not None
            engine = session.bind.sync_engine  # type: ignore[union-attr]

            def count(*args: Any) -> None:
                statements.append(str(args[2]))

            sa_event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            result = await event_report(session, event, TODAY)
            return result, time.perf_counter() - started

    result, seconds = run(measured())

    assert result.funnel.registered == 3000
    assert result.funnel.present == 2700
    assert result.funnel.talks == 8100
    assert result.funnel.job_starts == 188  # every fourth candidate has an outcome, every fourth of those a job
    assert len(result.employers) == 40
    assert len(statements) <= 12
    assert seconds < 3


def test_counts_only_drops_the_comments_and_keeps_every_figure(result: EventReport) -> None:
    counts = result.counts_only()

    assert [s.comments for s in counts.evaluation] == [(), ()]
    assert counts.funnel == result.funnel
    assert [s.overall_mean for s in counts.evaluation] == [s.overall_mean for s in result.evaluation]
