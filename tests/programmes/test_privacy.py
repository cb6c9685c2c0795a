"""A trajectory's personal data in the privacy sweeps (issue 20): the export holds the enrolment with its stage
history, activities and benefits; erasure blanks every text written about the person (markers gone from the
database) and keeps the rows the figures count; retention never anonymises someone whose trajectory runs, and
anonymises them once the year after the last check that follows its end has passed."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.models import ActivityKind, BenefitKind, Candidate, Enrolment, User
from events.platform.services import system_user, to_current_user
from events.platform.settings import Settings
from events.privacy.erasure import erase_person
from events.privacy.export import person_data
from events.privacy.retention import erasure_dates
from events.programmes import activities, enrolments, intake, plan
from events.programmes.services import create_programme
from tests.conftest import COACH, ORGANISER, run

WISH = "MARKERWISH-zelf-een-bakkerij"
GOAL = "MARKERGOAL-rijbewijs-halen"
NOTE = "MARKERNOTE-gesprek-over-schulden"
ANSWER = "MARKERANSWER-werkgever-twijfelt"


async def _seed(settings: Settings) -> tuple[int, int]:
    async with open_session(settings) as session:
        organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
        coach = to_current_user(await session.scalar(select(User).where(User.email == COACH)))
        programme = await create_programme(session, organiser, "Privacy-traject", slug="privacy-traject")
        enrolment = await enrolments.refer(
            session,
            coach,
            programme,
            enrolments.Referral("Lot", "Veldman", consent=True, phone="0622222222", wishes=WISH),
        )
        await intake.pick_up(session, coach, enrolment)
        await plan.update_plan(session, coach, enrolment, goals=GOAL, barriers=["debts"])
        await plan.set_justice(
            session, coach, enrolment, detained=False, release_date=dt.date(2026, 1, 5), criminal_record=True
        )
        await activities.add_activity(
            session,
            coach,
            enrolment,
            activities.ActivityInput(ActivityKind.COACHING, title="Eerste gesprek", note=NOTE),
        )
        intro = await activities.add_activity(
            session, coach, enrolment, activities.ActivityInput(ActivityKind.INTRODUCTION, employer="Bakkerij Kruimel")
        )
        await activities.record_introduction(
            session,
            coach,
            enrolment,
            intro,
            status=activities.IntroductionStatus.HELD,
            match=False,
            employer_answer=ANSWER,
        )
        await activities.add_benefit(session, coach, enrolment, BenefitKind.PARTICIPATIEWET, since=dt.date(2023, 5, 1))
        await session.commit()
        return enrolment.candidate_id, enrolment.id


def test_the_export_holds_the_trajectory_and_erasure_blanks_what_was_written(
    demo: DemoResult, database: Settings
) -> None:
    candidate_id, enrolment_id = run(_seed(database))

    async def export() -> dict[str, object]:
        async with open_session(database) as session:
            return await person_data(session, await system_user(session), candidate_id)

    data = run(export())
    [enrolment] = data["enrolments"]  # type: ignore[misc]
    assert enrolment["programme"] == "Privacy-traject"
    assert [h["to"] for h in enrolment["stage_history"]] == ["aangemeld", "intake"]
    assert {a["kind"] for a in enrolment["activities"]} == {"coaching", "introduction"}
    assert enrolment["benefits"] == [{"benefit": "participatiewet", "since": "2023-05-01", "left_on": None}]
    text = json.dumps(data)
    for marker in (WISH, GOAL, NOTE, ANSWER):
        assert marker in text
    assert enrolment["justice"]["criminal_record"] is True

    async def erase() -> None:
        engine = create_engine(database)
        try:
            async with open_session(database) as session:
                actor = await system_user(session)
            await erase_person(session_maker(engine), database, actor, candidate_id)
        finally:
            await dispose_engine(engine)

    run(erase())
    after = json.dumps(run(export_after(database, candidate_id)))
    for marker in (WISH, GOAL, NOTE, ANSWER, "Veldman"):
        assert marker not in after

    async def rows() -> Enrolment | None:
        async with open_session(database) as session:
            return await session.get(Enrolment, enrolment_id)

    kept = run(rows())
    assert kept is not None  # the programme's figures still count the enrolment
    assert (kept.goals, kept.wishes, kept.barriers, kept.justice) == ("", "", [], {})


async def export_after(settings: Settings, candidate_id: int) -> dict[str, object]:
    """Everything stored about the person after the erasure, read as the sweeps read it."""
    from events.app import register_personal_data
    from events.platform import personal_data
    from events.platform.personal_data import Person

    register_personal_data()
    async with open_session(settings) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        person = Person(candidate_id=candidate_id, participation_ids=(), event_ids=frozenset())
        found: dict[str, object] = {"name": candidate.full_name}
        for part in personal_data.parts():
            found[part.name] = await part.export(session, person)
            found[part.name + ":texts"] = await part.texts(session, person)
        return found


def test_retention_keeps_a_running_trajectory_and_counts_from_its_end(demo: DemoResult, database: Settings) -> None:
    candidate_id, enrolment_id = run(_seed(database))

    async def dates() -> dt.date | None:
        async with open_session(database) as session:
            return (await erasure_dates(session, [candidate_id]))[candidate_id]

    assert run(dates()) is None

    async def end() -> None:
        async with open_session(database) as session:
            enrolment = await session.get(Enrolment, enrolment_id)
            assert enrolment is not None
            enrolment.ended_on = dt.date(2026, 3, 31)
            await session.commit()

    run(end())
    assert run(dates()) == dt.date(2028, 3, 31)


def test_an_export_holds_criminal_justice_data_only_for_a_reader_allowed_it_and_audits_the_read(
    demo: DemoResult, database: Settings
) -> None:
    from events.platform.models import AuditEntry

    candidate_id, enrolment_id = run(_seed(database))

    async def export(**changes: object) -> dict[str, object]:
        async with open_session(database) as session:
            user = await session.scalar(select(User).where(User.email == ORGANISER))
            assert user is not None
            for key, value in changes.items():
                setattr(user, key, value)
            data = await person_data(session, to_current_user(user), candidate_id)
            await session.commit()
            return data

    async def reads() -> int:
        async with open_session(database) as session:
            found = await session.scalars(
                select(AuditEntry.id).where(AuditEntry.action == "read_justice", AuditEntry.object_id == enrolment_id)
            )
            return len(list(found))

    before = run(reads())
    [withheld] = run(export())["enrolments"]  # type: ignore[misc]
    assert "criminal_record" not in json.dumps(withheld["justice"])
    assert run(reads()) == before
    [allowed] = run(export(reads_justice=True))["enrolments"]  # type: ignore[misc]
    assert allowed["justice"]["criminal_record"] is True
    assert run(reads()) == before + 1


def test_who_looked_at_the_data_shows_justice_reads_only_to_those_who_may_read_it(
    demo: DemoResult, database: Settings
) -> None:
    from events.privacy.audit_log import recent_access

    candidate_id, _enrolment_id = run(_seed(database))

    async def actions(email: str) -> set[str]:
        async with open_session(database) as session:
            user = await session.scalar(select(User).where(User.email == email))
            assert user is not None
            return {row.action for row in await recent_access(session, to_current_user(user), candidate_id)}

    assert "update_justice" in run(actions(COACH))
    seen_by_organiser = run(actions(ORGANISER))
    assert "update_justice" not in seen_by_organiser
    assert "pick_up" in seen_by_organiser  # the trajectory itself is theirs to see


def test_a_referral_nobody_picked_up_does_not_keep_the_person_for_ever(demo: DemoResult, database: Settings) -> None:
    async def scenario() -> tuple[int, dt.date]:
        async with open_session(database) as session:
            organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
            coach = to_current_user(await session.scalar(select(User).where(User.email == COACH)))
            programme = await create_programme(session, organiser, "Niemand pakt op", slug="niemand-pakt-op")
            referral = enrolments.Referral("Wes", "Kramer", consent=True, phone="0633333333")
            enrolment = await enrolments.refer(session, coach, programme, referral)
            enrolment.referred_on = dt.date(2026, 1, 15)
            await session.commit()
            return enrolment.candidate_id, enrolment.referred_on

    candidate_id, referred_on = run(scenario())

    async def date() -> dt.date | None:
        async with open_session(database) as session:
            return (await erasure_dates(session, [candidate_id]))[candidate_id]

    # Counted as ended six months after it came in, then kept as an ended trajectory is.
    assert run(date()) == dt.date(2028, 7, 15)
    assert referred_on == dt.date(2026, 1, 15)
