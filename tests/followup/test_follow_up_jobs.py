"""The follow-up e-mail jobs: reminders when checks fall due, the weekly digest (opt-in), the evaluation after
the event and its page. Each message is queued once, also when two processes run the job at the same time."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from events.demo.history import PAST_SLUG
from events.demo.seed import DemoResult
from events.followup.models import Evaluation
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.jobs import run_jobs
from events.platform.models import Candidate, CandidateParticipation, Event, OutboxMessage, User
from events.platform.settings import Settings
from tests.conftest import COACH, run

NOW = dt.datetime.now(dt.UTC)


async def _twice_at_once(settings: Settings, job: str, now: dt.datetime = NOW) -> None:
    """The job run by two 'processes' (two engines) at the same moment."""
    engines = [create_engine(settings), create_engine(settings)]
    try:
        await asyncio.gather(*(run_jobs(session_maker(e), settings, (job,), now=now) for e in engines))
    finally:
        for engine in engines:
            await dispose_engine(engine)


async def _messages(settings: Settings, kind: str) -> list[OutboxMessage]:
    async with open_session(settings) as session:
        return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


async def _full_names(settings: Settings) -> set[str]:
    async with open_session(settings) as session:
        return {
            f"{first} {last}"
            for first, last in await session.execute(select(Candidate.first_name, Candidate.last_name))
        }


def test_follow_up_reminders_go_once_per_coach_and_milestone_and_name_nobody(
    demo_history: DemoResult, database: Settings
) -> None:
    run(_twice_at_once(database, "followups"))
    run(_twice_at_once(database, "followups"))

    messages = run(_messages(database, "follow_up_reminder"))
    keys = [m.dedupe_key for m in messages]
    assert len(keys) == len(set(keys)) == 2  # the two coaches of the spring edition, its 3-month check
    assert {m.to_address for m in messages} == {COACH, "consulent@demo.meetmatch.nl"}
    assert all("3 maanden" in m.subject for m in messages)
    names = run(_full_names(database))
    assert not any(name in m.text_body for m in messages for name in names)


def test_weekly_digest_is_off_by_default_and_weekly_once_chosen(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    run(_twice_at_once(database, "digest"))
    assert run(_messages(database, "weekly_digest")) == []

    from tests.conftest import login

    login(client, COACH)
    client.get("/follow-up")
    chosen = client.post(
        "/account/digest",
        data={"weekly_digest": "1", "_csrf_token": client.cookies.get("csrftoken", "")},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    run(_twice_at_once(database, "digest"))
    run(_twice_at_once(database, "digest"))
    first = run(_messages(database, "weekly_digest"))
    assert [m.to_address for m in first] == [COACH]
    assert re.search(r"\d+ controles? (is|zijn) aan de beurt", first[0].text_body)
    run(_twice_at_once(database, "digest", NOW + dt.timedelta(days=7)))
    assert len(run(_messages(database, "weekly_digest"))) == 2


async def _held_yesterday(settings: Settings) -> tuple[int, int]:
    async with open_session(settings) as session:
        await session.execute(
            update(Event).where(Event.slug == PAST_SLUG).values(date=dt.date.today() - dt.timedelta(days=1))
        )
        await session.commit()
        event = await session.scalar(select(Event).where(Event.slug == PAST_SLUG))
        assert event is not None
        check_in = Event.metadata.tables["check_in"]
        with_email = await session.scalar(
            select(func.count())
            .select_from(CandidateParticipation)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(
                CandidateParticipation.event_id == event.id,
                Candidate.email.is_not(None),
                CandidateParticipation.id.in_(select(check_in.c.candidate_participation_id)),
            )
        )
        return event.id, int(with_email or 0)


def test_the_evaluation_goes_once_to_everyone_who_came_and_their_answers_are_kept(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    event_id, candidates = run(_held_yesterday(database))
    run(_twice_at_once(database, "evaluations"))
    run(_twice_at_once(database, "evaluations"))

    messages = run(_messages(database, "evaluation"))
    assert len([m for m in messages if m.candidate_participation_id]) == candidates > 0
    assert len([m for m in messages if m.employer_contact_id]) == 8
    assert len({m.dedupe_key for m in messages}) == len(messages)

    link = re.search(r"http://127\.0\.0\.1:8000(/e/[A-Za-z0-9_-]+)", messages[0].text_body)
    assert link is not None
    path = link.group(1)
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="overall"' in page.text
    csrf = client.cookies.get("csrftoken", "")
    missing = client.post(path, data={"overall": "4", "_csrf_token": csrf})
    assert missing.status_code == 422
    assert 'id="talks-error"' in missing.text
    done = client.post(
        path, data={"overall": "4", "talks": "5", "again": "yes", "comment": "Fijn!", "_csrf_token": csrf}
    )
    assert done.status_code == 200
    assert client.get("/e/" + "x" * 27).status_code == 404

    async def stored() -> list[tuple[dict[str, object], str]]:
        async with open_session(database) as session:
            rows = await session.scalars(select(Evaluation).where(Evaluation.answered_at.is_not(None)))
            return [(r.answers, r.comment) for r in rows]

    assert run(stored()) == [({"overall": 4, "talks": 5, "again": "yes"}, "Fijn!")]
    del event_id


def test_coaches_who_left_get_no_follow_up_mail(demo_history: DemoResult, database: Settings) -> None:
    async def deactivate() -> None:
        async with open_session(database) as session:
            await session.execute(update(User).where(User.email == COACH).values(is_active=False))
            await session.commit()

    run(deactivate())
    run(_twice_at_once(database, "followups"))
    assert [m.to_address for m in run(_messages(database, "follow_up_reminder"))] == ["consulent@demo.meetmatch.nl"]
