"""Two organisations on one installation: every route, tried by every account of BAKboord Den Haag (organisation A)
against the ids of Werkse! (organisation B), answers exactly as for an id that does not exist, and no response to
A's accounts (pages, API, PDFs, spreadsheets, calendars) holds the marker strings seeded into B's people.

The routes come from the authorisation matrix (tests/platform/test_authz.py), so a new route is tried here too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from badges.models import HeldTalk
from events.demo import bakboord
from events.demo.seed import DEMO_SLUG, DemoResult
from events.followup.models import Outcome
from events.platform import dates
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.jobs import run_jobs
from events.platform.models import (
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Event,
    EventGuest,
    GuestKind,
    OutboxMessage,
    Programme,
    Role,
    User,
)
from events.platform.services import system_user, to_current_user
from events.platform.settings import Settings
from schedule.models import BuildJob
from tests.conftest import COACH, ORGANISER, csrf_headers, login, run
from tests.platform.test_authz import MATRIX, _ids, concrete, request

MARKER = "Zwartkop7731"  # seeded into Werkse!'s people; must never reach BAKboord's accounts
A_ACCOUNTS = {
    "organiser": bakboord.ORGANISER[1],
    "coach": bakboord.OFFICERS[0][1],
    "door": bakboord.DOOR[1],
    "employer": "hotel@demo.meetmatch.nl",  # takes part in BAKboord's afternoon only
}
MISSING_EVENT = "geen-evenement-0000"
MISSING_ID = 987_654
# Routes whose answer does not depend on an id of another organisation (lists, the account's own pages, tokens):
# for these the marker check alone applies.
WITHOUT_IDS = re.compile(r"^[^{]*$")
TOKEN = re.compile(rb'value="[A-Za-z0-9_.-]{20,}"')


async def _seed_markers(settings: Settings) -> None:
    """Werkse!'s people carry the marker in their names, own words, the coach's note and the event's text."""
    async with open_session(settings) as session:
        werkse = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        assert werkse is not None
        people = select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == werkse.id)
        await session.execute(
            update(Candidate)
            .where(Candidate.id.in_(people))
            .values(last_name=MARKER, own_words=f"{MARKER} eigen woorden", city=MARKER)
            .execution_options(synchronize_session=False)
        )
        for candidate in await session.scalars(select(Candidate).where(Candidate.id.in_(people))):
            candidate.coach_note = f"{MARKER} notitie"
            candidate.target_group = f"{MARKER} doelgroep"
        werkse.description = f"{MARKER} beschrijving"
        await session.execute(
            update(Programme)
            .where(Programme.organisation_id == werkse.organisation_id)
            .values(name=f"Programma {MARKER}")
            .execution_options(synchronize_session=False)
        )
        # Werkse!'s coaches and organiser: their names are Werkse!'s too (a coach picker must not list them).
        await session.execute(
            update(User)
            .where(User.organisation_id == werkse.organisation_id)
            .values(name=f"Coach {MARKER}")
            .execution_options(synchronize_session=False)
        )
        await session.commit()


def _texts(response: Any) -> str:
    """What a person could read in a response: text, a PDF's text, a spreadsheet's cells."""
    body: bytes = response.content
    kind = response.headers.get("content-type", "")
    if body.startswith(b"%PDF"):
        done = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True, timeout=60)
        return done.stdout.decode()
    if body.startswith(b"PK") or "spreadsheet" in kind:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


def _page(response: Any, path: str) -> bytes:
    """A response's body without what differs between any two requests: its own path (the language switch
    returns there) and the session's form token."""
    return TOKEN.sub(b'value="T"', response.content.replace(path.encode(), b"P"))


def _ids_of_missing(ids: dict[str, int]) -> dict[str, int]:
    return dict.fromkeys(ids, MISSING_ID)


def _answers(client: TestClient[Litestar], account: str, ids: dict[str, int], event: str) -> dict[Any, Any]:
    answers = {}
    login(client, account)
    for method, path in MATRIX:
        if not client.get("/api/auth/me").is_success:
            login(client, account)  # a logout, or a login attempt, ended the session
        concrete_path = concrete(path, ids).replace(f"/events/{DEMO_SLUG}", f"/events/{event}")
        concrete_path = concrete_path.replace(f"/api/events/{DEMO_SLUG}", f"/api/events/{event}")
        answers[(method, path)] = (concrete_path, request(client, method, concrete_path))
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("role", list(A_ACCOUNTS))
def test_every_route_answers_organisation_a_for_b_s_ids_as_for_missing_ones(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings, role: str
) -> None:
    run(_seed_markers(database))
    ids = {**run(_ids(database)), **run(_more_ids(database))}
    run(_mark_programme(database, ids["enrolment_id"]))
    account = A_ACCOUNTS[role]

    # Missing ids first: the routes that write (a draft copied, a build started) then meet B's ids unchanged.
    missing = _answers(client, account, _ids_of_missing(ids), MISSING_EVENT)
    foreign = _answers(client, account, ids, DEMO_SLUG)

    different = {}
    leaked = {}
    for key, (path, response) in foreign.items():
        missing_path, missing_response = missing[key]
        if MARKER in _texts(response):
            leaked[key] = response.status_code
        if WITHOUT_IDS.match(key[1]):
            continue
        if response.status_code != missing_response.status_code:
            different[key] = (response.status_code, missing_response.status_code)
        elif response.status_code == 404 and _page(response, path) != _page(missing_response, missing_path):
            different[key] = ("404 bodies differ", path)
    assert leaked == {}, f"responses to organisation A holding organisation B's marker: {leaked}"
    assert different == {}, f"(B's id, missing id) status per route: {different}"


def test_bakboord_organiser_lists_only_bakboord_s_candidates_and_events(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_seed_markers(database))
    login(client, bakboord.ORGANISER[1])

    candidates = client.get("/api/candidates")
    events = client.get("/api/events")
    werkse_candidate = run(_a_werkse_candidate(database))
    one = client.get(f"/api/candidates/{werkse_candidate}")
    missing = client.get(f"/api/candidates/{MISSING_ID}")

    assert candidates.status_code == 200
    body = candidates.json()
    items = body["items"] if isinstance(body, dict) else body
    assert len(items) == bakboord.CANDIDATES
    assert MARKER not in candidates.text
    assert [e["slug"] for e in events.json()] == [bakboord.SLUG]
    organisations = {o["name"] for o in client.get("/api/organisations").json()}
    assert bakboord.PARTNER in organisations
    assert not organisations & {"Werkse!", "Reclassering Haaglanden"}
    assert one.status_code == missing.status_code == 404
    assert one.content == missing.content


def test_werkse_organiser_sees_none_of_bakboord_s_people_or_events(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)

    events = client.get("/api/events").json()
    page = client.get("/candidates")
    bakboord_candidate = run(_a_bakboord_candidate(database))

    assert bakboord.SLUG not in {e["slug"] for e in events}
    assert client.get(f"/events/{bakboord.SLUG}").status_code == 404
    assert client.get(f"/api/candidates/{bakboord_candidate}").status_code == 404
    assert client.get(f"/candidates/{bakboord_candidate}").status_code == 404
    assert "Verhoef" not in page.text  # BAKboord's reclassering officer


def test_a_coach_sees_the_events_of_their_organisation_and_those_it_was_invited_into_only(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, bakboord.OFFICERS[0][1])
    bakboord_officer = {e["slug"] for e in client.get("/api/events").json()}
    login(client, COACH)
    werkse_coach = {e["slug"] for e in client.get("/api/events").json()}

    assert bakboord_officer == {bakboord.SLUG}
    assert bakboord.SLUG not in werkse_coach
    assert DEMO_SLUG in werkse_coach


async def _more_ids(settings: Settings) -> dict[str, int]:
    """Real ids of Werkse!'s outcomes, talks, programme, builds and print jobs, and of a guest of its event
    (made here, carrying the marker) (the authorisation matrix uses ids that do not exist for these)."""
    async with open_session(settings) as session:
        demo_event = await session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG))
        guest = EventGuest(
            event_id=demo_event, name=f"Wethouder {MARKER}", kind=GuestKind.OFFICIAL, role=MARKER, email=None
        )
        session.add(guest)
        await session.flush()
        guest_id = guest.id
        await session.commit()
        werkse = select(Event.id).where(
            Event.organisation_id == select(Event.organisation_id).where(Event.slug == DEMO_SLUG).scalar_subquery()
        )
        found = {
            "outcome_id": await session.scalar(select(Outcome.id).order_by(Outcome.id).limit(1)),
            "talk_id": await session.scalar(
                select(HeldTalk.id).where(HeldTalk.event_id.in_(werkse)).order_by(HeldTalk.id).limit(1)
            ),
            "programme_id": await session.scalar(select(Programme.id).order_by(Programme.id).limit(1)),
            "guest_id": guest_id,
            "build_id": await session.scalar(
                select(BuildJob.id).where(BuildJob.event_id.in_(werkse)).order_by(BuildJob.id).limit(1)
            ),
        }
        return {k: int(v) for k, v in found.items() if v is not None}


async def _mark_programme(settings: Settings, enrolment_id: int) -> None:
    """Werkse!'s programme of the matrix (tests.platform.test_authz._programme_ids) carries the marker in its name,
    an enrolment's goals, wishes, justice and timeline notes, an outcome of the enrolment, and a referral waiting
    for an intake."""
    from events.platform.models import Activity, Enrolment, PathwayKind
    from events.programmes import enrolments

    async with open_session(settings) as session:
        enrolment = await session.get(Enrolment, enrolment_id)
        assert enrolment is not None
        enrolment.goals = f"{MARKER} doelen"
        enrolment.wishes = f"{MARKER} wensen"
        enrolment.contact_through = f"{MARKER} via"
        enrolment.barriers = ["debts"]
        enrolment.justice = {"detained": True, "release_date": f"{MARKER}", "criminal_record": True}
        for activity in await session.scalars(select(Activity).where(Activity.enrolment_id == enrolment_id)):
            activity.note = f"{MARKER} activiteit"
            activity.title = f"{MARKER} training"
        programme = await session.get(Programme, enrolment.programme_id)
        assert programme is not None
        programme.description = f"{MARKER} traject"
        session.add(
            Outcome(
                candidate_id=enrolment.candidate_id,
                enrolment_id=enrolment.id,
                kind=PathwayKind.PAID_JOB,
                hours_per_week=8,
                note=f"{MARKER} uitkomst",
            )
        )
        coach = await session.scalar(select(User).where(User.email == COACH))
        assert coach is not None
        await enrolments.refer(
            session,
            to_current_user(coach),
            programme,
            enrolments.Referral("Rosa", MARKER, consent=True, phone="0612345678", wishes=f"{MARKER} verwijzing"),
        )
        await session.commit()


async def _a_werkse_candidate(settings: Settings) -> int:
    async with open_session(settings) as session:
        coach = select(User.id).where(User.email == COACH).scalar_subquery()
        found = await session.scalar(select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == coach))
        assert found is not None
        return int(found)


async def _a_bakboord_candidate(settings: Settings) -> int:
    async with open_session(settings) as session:
        event = select(Event.id).where(Event.slug == bakboord.SLUG).scalar_subquery()
        found = await session.scalar(
            select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == event)
        )
        assert found is not None
        return int(found)


async def _bakboord_candidate_taking_part_in_samen_werkt(settings: Settings) -> int:
    """A BAKboord candidate signed up for Werkse!'s event (their officer brought them), with a confidential note."""
    candidate_id = await _a_bakboord_candidate(settings)
    async with open_session(settings) as session:
        werkse = await session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG))
        session.add(CandidateParticipation(event_id=werkse, candidate_id=candidate_id))
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        candidate.coach_note = f"{MARKER} reclasseringsnotitie"
        await session.commit()
    return candidate_id


async def _sensitive_reads(settings: Settings, email: str) -> int:
    async with open_session(settings) as session:
        actor = select(User.id).where(User.email == email).scalar_subquery()
        found = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.actor_id == actor, AuditEntry.action == "read_sensitive")
        )
        return int(found or 0)


def test_an_organiser_sees_another_organisation_s_candidate_in_their_event_without_the_confidential_fields(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    candidate_id = run(_bakboord_candidate_taking_part_in_samen_werkt(database))
    login(client, ORGANISER)

    record = client.get(f"/api/candidates/{candidate_id}")
    page = client.get(f"/candidates/{candidate_id}")
    edit = client.get(f"/candidates/{candidate_id}/edit")
    change = client.put(
        f"/api/candidates/{candidate_id}",
        json={"first_name": "Ander", "last_name": "Naam"},
        headers=csrf_headers(client),
    )

    assert record.status_code == page.status_code == 200
    assert (record.json()["target_group"], record.json()["barriers"], record.json()["coach_note"]) == (None, [], "")
    assert MARKER not in record.text
    assert MARKER not in page.text
    assert "ex-gedetineerde" not in page.text
    assert edit.status_code == change.status_code == 404
    assert run(_sensitive_reads(database, ORGANISER)) == 0
    # The owning organisation's organiser reads them, and the read is audited.
    login(client, bakboord.ORGANISER[1])
    owned = client.get(f"/api/candidates/{candidate_id}")
    assert owned.json()["coach_note"] == f"{MARKER} reclasseringsnotitie"
    assert run(_sensitive_reads(database, bakboord.ORGANISER[1])) == 1


def test_writes_with_a_body_reach_no_further_than_reads(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    """The matrix sends empty bodies, refused before anything is looked up; these send real ones."""
    ids = run(_more_ids(database))
    werkse_coach = run(_user_id(database, COACH))
    officer = run(_user_id(database, bakboord.OFFICERS[0][1]))
    caseload_before = run(_caseload(database, werkse_coach))
    login(client, bakboord.ORGANISER[1])
    headers = csrf_headers(client)

    talk = client.put(f"/api/talks/{ids['talk_id']}", json={"note": f"{MARKER} overschreven"}, headers=headers)
    missing_talk = client.put(f"/api/talks/{MISSING_ID}", json={"note": "x"}, headers=headers)
    handover = client.post(f"/api/coaches/{werkse_coach}/handover", json={"to_coach_id": officer}, headers=headers)
    missing_handover = client.post(
        f"/api/coaches/{MISSING_ID}/handover", json={"to_coach_id": officer}, headers=headers
    )
    employer = client.post(f"/api/events/{bakboord.SLUG}/employers", json={"organisation": "Werkse!"}, headers=headers)

    assert talk.status_code == missing_talk.status_code == 404
    assert handover.status_code == missing_handover.status_code == 404
    assert run(_caseload(database, werkse_coach)) == caseload_before
    assert employer.status_code == 422
    assert employer.json()["field"] == "organisation"


async def _user_id(settings: Settings, email: str) -> int:
    async with open_session(settings) as session:
        found = await session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return int(found)


async def _caseload(settings: Settings, coach_id: int) -> list[int]:
    async with open_session(settings) as session:
        found = await session.scalars(select(CandidateCoach.candidate_id).where(CandidateCoach.coach_id == coach_id))
        return sorted(found)


async def _bakboord_tomorrow_with_its_programme(settings: Settings) -> None:
    """BAKboord's afternoon is tomorrow, its programme published, and every coach asked for the weekly e-mail."""
    from schedule import services as programme

    async with open_session(settings) as session:
        event = await session.scalar(select(Event).where(Event.slug == bakboord.SLUG))
        assert event is not None
        event.date = dates.today() + dt.timedelta(days=1)
        organiser = await system_user(session)
        version = await programme.build_version(session, organiser, event, seed=1)
        await programme.publish(session, organiser, event, version.number)
        await session.execute(update(User).where(User.role == Role.COACH).values(weekly_digest=True))
        await session.commit()


async def _mail_to_bakboord(settings: Settings) -> list[str]:
    """Every e-mail the jobs queued for BAKboord's accounts and people: subject and bodies."""
    engine = create_engine(settings)
    try:
        await run_jobs(session_maker(engine), settings, ("reminders", "arrivals", "followups", "digest"))
    finally:
        await dispose_engine(engine)
    async with open_session(settings) as session:
        event = select(Event.id).where(Event.slug == bakboord.SLUG).scalar_subquery()
        people = select(Candidate.email).join(CandidateParticipation).where(CandidateParticipation.event_id == event)
        addresses = {email for _role, email, _name in bakboord.accounts()} | {
            e for e in await session.scalars(people) if e
        }
        found = await session.scalars(select(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
        return [f"{m.subject}\n{m.text_body}\n{m.html_body}" for m in found]


@pytest.mark.slow
def test_no_e_mail_to_organisation_a_holds_organisation_b_s_marker(
    demo_history: DemoResult, database: Settings
) -> None:
    run(_seed_markers(database))
    run(_bakboord_tomorrow_with_its_programme(database))

    mails = run(_mail_to_bakboord(database))

    assert len(mails) >= bakboord.CANDIDATES // 2  # the reminders of tomorrow's afternoon, at least
    assert [m for m in mails if MARKER in m] == []


async def _werkse_enrolment(settings: Settings) -> int:
    """A Werkse! candidate enrolled in a Werkse! trajectory."""
    from events.platform.models import Enrolment, ProgrammeStage

    async with open_session(settings) as session:
        werkse = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        assert werkse is not None
        programme = Programme(slug="werkse-traject", name="Werkse traject", organisation_id=werkse.organisation_id)
        session.add(programme)
        await session.flush()
        stage = ProgrammeStage(programme_id=programme.id, position=1, name="intake")
        session.add(stage)
        await session.flush()
        candidate = await session.scalar(
            select(CandidateParticipation.candidate_id).where(CandidateParticipation.event_id == werkse.id).limit(1)
        )
        enrolment = Enrolment(
            programme_id=programme.id, candidate_id=candidate, stage_id=stage.id, referred_on=dates.today()
        )
        session.add(enrolment)
        await session.commit()
        return enrolment.id


def test_terms_placement_checks_and_enrolments_of_organisation_b_answer_as_missing_ones(
    client: TestClient[Litestar], demo_history: DemoResult, database: Settings
) -> None:
    """The trajectory's writes with real bodies: B's outcome (terms, a placement's check) and B's enrolment (an
    outcome of A's own candidate pointing at it) answer exactly as missing ones."""
    ids = run(_more_ids(database))
    enrolment = run(_werkse_enrolment(database))
    officer_email = bakboord.OFFICERS[0][1]
    officer = run(_user_id(database, officer_email))
    own = run(_caseload(database, officer))[0]
    terms = {"effective_on": dates.today().isoformat(), "hours_per_week": 27}
    answers: dict[str, list[tuple[int, bytes]]] = {}
    for account in (bakboord.ORGANISER[1], officer_email):
        login(client, account)
        headers = csrf_headers(client)
        for outcome_id in (ids["outcome_id"], MISSING_ID):
            answers.setdefault(f"{account} terms", []).append(
                _answer(client.post(f"/api/outcomes/{outcome_id}/terms", json=terms, headers=headers))
            )
            answers.setdefault(f"{account} check", []).append(
                _answer(client.post(f"/api/outcomes/{outcome_id}/checks", json={"months": 1}, headers=headers))
            )
            answers.setdefault(f"{account} check page", []).append(
                _answer(client.get(f"/checks/placements/{outcome_id}/1"))
            )
    login(client, officer_email)
    for enrolment_id in (enrolment, MISSING_ID):
        created = client.post(
            f"/api/candidates/{own}/outcomes",
            json={"kind": "second_interview", "enrolment_id": enrolment_id},
            headers=csrf_headers(client),
        )
        answers.setdefault("enrolment", []).append(_answer(created))

    statuses = {key: [status for status, _body in pair] for key, pair in answers.items()}
    assert statuses == {
        **{f"{a} {w}": [404, 404] for a in (bakboord.ORGANISER[1], officer_email) for w in ("terms", "check")},
        **{f"{a} check page": [404, 404] for a in (bakboord.ORGANISER[1], officer_email)},
        "enrolment": [422, 422],
    }
    assert [key for key, ((_s1, b1), (_s2, b2)) in answers.items() if b1 != b2] == []


def _answer(response: Any) -> tuple[int, bytes]:
    return response.status_code, TOKEN.sub(b'value="T"', re.sub(rb"/\d+/1\b", b"/N/1", response.content))
