"""A programme's figures count the outcomes of its participants (enrolments) logged outside any of its events, besides
those of its events, and each outcome once: one with both an event of the programme and an enrolment counts at its
event only."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.demo.seed import DemoResult
from events.followup.models import ContractType, Outcome, OutcomeStatus
from events.platform import i18n
from events.platform.db import open_session
from events.platform.models import (
    Candidate,
    Enrolment,
    Event,
    PathwayKind,
    Programme,
    ProgrammeStage,
)
from events.platform.services import system_user
from events.platform.settings import Settings
from events.results import services
from events.results.figures import programme_report
from events.results.shapes import Checkpoint, ProgrammeReport
from events.results.view import programme_view
from tests.cli import cli
from tests.conftest import run
from tests.helpers import organising_id
from tests.results.reports_seed import Seeded, seed_scenario
from tests.results.test_reports_pages import as_organiser, table

TODAY = dt.date(2026, 8, 1)


@dataclass
class Trajectory:
    seeded: Seeded
    programme_id: int
    slug: str


async def _programme(session: AsyncSession, name: str, slug: str, owner: int) -> tuple[Programme, int]:
    programme = Programme(slug=slug, name=name, organisation_id=owner, targets={"job_starts": 4})
    session.add(programme)
    await session.flush()
    stage = ProgrammeStage(programme_id=programme.id, position=1, name="aan het werk")
    session.add(stage)
    await session.flush()
    return programme, stage.id


async def _seed(settings: Settings) -> Trajectory:
    """The results scenario's event in a programme "Werkfit", and outcomes of Werkfit's participants: one outside
    any event, one at an event outside the programme, one at the programme's own event (counted there), one
    withdrawn; and a participant of another programme with a job of their own (not Werkfit's)."""
    async with open_session(settings) as session:
        seeded = await seed_scenario(session, slug="werkfit-beurs")
        owner = await organising_id(session)
        werkfit, stage = await _programme(session, "Werkfit", "werkfit-test", owner)
        other, other_stage = await _programme(session, "Ander traject", "ander-traject", owner)
        event = await session.get(Event, seeded.event_id)
        assert event is not None
        event.programme_id = werkfit.id

        outsider = Candidate(first_name="Buiten", last_name="Beurs", email=None, organisation_id=owner)
        elsewhere = Candidate(first_name="Ander", last_name="Traject", email=None, organisation_id=owner)
        session.add_all([outsider, elsewhere])
        await session.flush()

        def enrol(candidate_id: int, programme_id: int = werkfit.id, stage_id: int = stage) -> Enrolment:
            enrolment = Enrolment(
                programme_id=programme_id,
                candidate_id=candidate_id,
                stage_id=stage_id,
                referred_on=dt.date(2026, 1, 5),
            )
            session.add(enrolment)
            return enrolment

        own, third, ninth = enrol(outsider.id), enrol(seeded.candidates[3]), enrol(seeded.candidates[9])
        theirs = enrol(elsewhere.id, other.id, other_stage)
        await session.flush()
        job = {"contract_type": ContractType.PERMANENT, "status": OutcomeStatus.CONFIRMED}
        session.add_all(
            [
                # Outside any event: 8 hours from 1 March.
                Outcome(
                    candidate_id=outsider.id,
                    enrolment_id=own.id,
                    kind=PathwayKind.PAID_JOB,
                    start_date=dt.date(2026, 3, 1),
                    hours_per_week=8,
                    leaves_benefits=True,
                    **job,
                ),
                Outcome(
                    candidate_id=outsider.id,
                    enrolment_id=own.id,
                    kind=PathwayKind.TRAINING,
                    start_date=dt.date(2026, 2, 1),
                    status=OutcomeStatus.WITHDRAWN,
                ),
                # At the programme's own event and of an enrolment: counted once, at the event.
                Outcome(
                    candidate_id=seeded.candidates[3],
                    enrolment_id=third.id,
                    event_id=seeded.event_id,
                    kind=PathwayKind.PAID_JOB,
                    start_date=dt.date(2026, 5, 1),
                    hours_per_week=20,
                    **job,
                ),
                # Another programme's participant: not Werkfit's.
                Outcome(
                    candidate_id=elsewhere.id,
                    enrolment_id=theirs.id,
                    kind=PathwayKind.PAID_JOB,
                    start_date=dt.date(2026, 3, 1),
                    hours_per_week=30,
                    **job,
                ),
            ]
        )
        await session.flush()
        # Candidate 9's job came from an event outside the programme: as Werkfit's participant it counts outside.
        ninth_job = await session.scalar(
            select(Outcome).where(Outcome.candidate_id == seeded.candidates[9], Outcome.kind == PathwayKind.PAID_JOB)
        )
        assert ninth_job is not None
        ninth_job.enrolment_id = ninth.id
        await session.commit()
        return Trajectory(seeded, werkfit.id, werkfit.slug)


async def _report(settings: Settings, programme_id: int) -> ProgrammeReport:
    async with open_session(settings) as session:
        programme = await session.get(Programme, programme_id)
        assert programme is not None
        return await programme_report(session, programme, TODAY)


@pytest.fixture
def trajectory(database: Settings) -> Trajectory:
    return run(_seed(database))


def test_programme_figures_include_outcomes_logged_outside_any_event(
    trajectory: Trajectory, database: Settings
) -> None:
    result = run(_report(database, trajectory.programme_id))

    # The event's own jobs (candidates 1 and 4) and candidate 3's, which has both the event and an enrolment.
    assert result.events[0].funnel.job_starts == 3
    # Outside the events: the outsider's job and candidate 9's from an event outside the programme; not the
    # withdrawn training, not the other programme's job.
    assert result.outside.outcomes == 2
    assert (result.outside.funnel.job_starts, result.outside.funnel.training_starts) == (2, 0)
    assert result.outside.funnel.registered == 0
    assert result.totals.job_starts == 5
    assert result.totals.registered == 12
    assert [(t.key, t.target, t.actual) for t in result.targets] == [("job_starts", 4, 5)]
    assert result.funder.job_starts == 5
    assert dict(result.funder.per_kind)[PathwayKind.PAID_JOB] == 5


def test_an_outcome_with_an_event_and_an_enrolment_counts_once(trajectory: Trajectory, database: Settings) -> None:
    result = run(_report(database, trajectory.programme_id))

    # Six jobs are confirmed in all: 1, 4 and 3 at the event, 9 elsewhere, the outsider, the other programme's.
    # Werkfit's five paid-job outcomes count once each: nowhere a sixth.
    assert result.events[0].funnel.job_starts + result.outside.funnel.job_starts == result.totals.job_starts == 5


def test_outside_checks_fall_after_each_start_and_add_to_the_totals(trajectory: Trajectory, database: Settings) -> None:
    result = run(_report(database, trajectory.programme_id))

    # The outsider's job of 1 March has reached its 1- and 3-month checks by 1 August, not its 6-month one
    # (candidate 9's job has no start date: it has no checks).
    assert result.outside.checkpoints == (
        Checkpoint(1, dt.date(2026, 4, 1), True, job_starts=1, any_start=1),
        Checkpoint(3, dt.date(2026, 6, 1), True, job_starts=1, any_start=1),
        Checkpoint(6, TODAY, False),
    )
    # The event's jobs run at its checks (candidate 3's from 1 May at the 6-month one), plus the outsider's.
    assert [(c.months, c.job_starts) for c in result.checkpoint_totals] == [(1, 3), (3, 3), (6, 2)]


def test_programme_view_shows_the_outcomes_outside_the_events_as_a_row(
    trajectory: Trajectory, database: Settings
) -> None:
    result = run(_report(database, trajectory.programme_id))

    with i18n.language("en"):
        view = programme_view(result, anonymised=False)
    table = view.section("events").tables[0]
    rows = {label: [c.text for c in cells] for label, cells in table.rows}

    assert rows["outside the events"] == ["–", "–", "–", "–", "0", "0", "0", "2"]
    assert rows["in all"][-1] == "5"


def test_a_programme_is_found_by_its_slug_for_the_report(trajectory: Trajectory, database: Settings) -> None:
    async def found() -> int:
        async with open_session(database) as session:
            user = await system_user(session)
            return (await services.find_programme(session, user, trajectory.slug)).id

    assert run(found()) == trajectory.programme_id


def test_cli_report_by_slug_as_json_counts_the_outcomes_outside_the_events(settings: Settings, tmp_path: Path) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    trajectory = run(_seed(settings))
    target = tmp_path / "werkfit.json"

    done = cli(
        settings, "report", "--programme", trajectory.slug, "--format", "json", "--language", "en", "-o", str(target)
    )
    wrong = cli(settings, "report", "--programme", trajectory.slug, "--format", "json", "-o", str(tmp_path / "a.pdf"))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote the report of programme 'Werkfit' to {target}"
    document = json.loads(target.read_text())
    (events,) = [s for s in document["sections"] if s["key"] == "events"]
    rows = {row["label"]: row["values"] for row in events["tables"][0]["rows"]}
    assert rows["outside the events"][-1] == 2
    assert rows["in all"][-1] == 5
    assert (wrong.returncode, wrong.stderr.strip()) == (2, "error: a.pdf: choose a file name ending in .json")


def test_the_programme_page_shows_the_outcomes_outside_the_events(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    trajectory = run(_seed(database))
    as_organiser(client)

    page = client.get(f"/programmes/{trajectory.programme_id}")

    assert page.status_code == 200
    rows = table(page.text, "events")
    assert rows["outside the events"] == ["–", "–", "–", "–", "0", "0", "0", "2"]
    assert rows["in all"][-1] == "5"
