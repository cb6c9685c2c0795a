"""The trajectory pages (issue 20) as each role meets them: an organiser sets a programme up and reads its
participants, a partner's referrer refers someone and sees only the stage, the coach who picked the referral up
works on the person's page and desk; criminal-justice data shows (heading and all) only to those who may read it;
another organisation's ids answer 404; bad input shows the field's message, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.identity import CurrentUser
from events.platform.models import AuditEntry, Candidate, Enrolment, Organisation, PartnerRole, User
from events.platform.services import to_current_user
from events.platform.settings import Settings
from events.programmes import enrolments, intake, plan, setup
from events.programmes.services import create_programme
from tests.conftest import COACH, ORGANISER, login, run

REFERRER = "reclassering@demo.meetmatch.nl"  # Petra Visser, Reclassering Haaglanden: a partner of Werkse!
OTHER_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
RELEASE = dt.date.today() + dt.timedelta(days=20)


async def _user(session: Any, email: str) -> CurrentUser:
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    return to_current_user(user)


async def _seed(settings: Settings) -> dict[str, int]:
    async with open_session(settings) as session:
        organiser = await _user(session, ORGANISER)
        programme = await create_programme(session, organiser, "Baankans Zuidwest", slug="baankans-test")
        await setup.add_target_group(session, organiser, programme, "Zuidwest")
        await setup.invite_partner(session, organiser, programme, "Reclassering Haaglanden", PartnerRole.REFERRER)
        await setup.add_employer(session, organiser, programme, "i-did", social_enterprise=True)
        referrer = await _user(session, REFERRER)
        enrolment = await enrolments.refer(
            session,
            referrer,
            programme,
            enrolments.Referral(
                "Sem", "de Wit", consent=True, contact_through="via zijn zus", wishes="MARKERWISH buiten werken"
            ),
        )
        coach = await _user(session, COACH)
        await intake.pick_up(session, coach, enrolment)
        await plan.set_justice(session, coach, enrolment, detained=True, release_date=RELEASE, criminal_record=True)
        other = await _user(session, OTHER_ORGANISER)
        theirs = await create_programme(session, other, "Bakboord traject", slug="bakboord-test")
        await session.commit()
        return {"programme": programme.id, "enrolment": enrolment.id, "other": theirs.id}


@pytest.fixture
def seeded(demo: DemoResult, database: Settings) -> dict[str, int]:
    return run(_seed(database))


def _post(client: TestClient[Litestar], path: str, data: dict[str, Any]) -> Any:
    token = client.cookies.get("csrftoken") or ""
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def _english(client: TestClient[Litestar]) -> None:
    client.post("/language", data={"language": "en", "next": "/", "_csrf_token": client.cookies.get("csrftoken")})


def test_pages_organiser_sees_settings_participants_person_and_desk(
    client: TestClient[Litestar], seeded: dict[str, int]
) -> None:
    login(client, ORGANISER)
    pid, eid = seeded["programme"], seeded["enrolment"]

    settings = client.get(f"/programmes/{pid}/settings")
    participants = client.get(f"/programmes/{pid}/participants")
    person = client.get(f"/enrolments/{eid}")
    desk = client.get("/desk")
    results = client.get(f"/programmes/{pid}")

    assert [r.status_code for r in (settings, participants, person, desk, results)] == [200] * 5
    assert all(word in settings.text for word in ("Zuidwest", "Reclassering Haaglanden", "i-did", "kennismaking"))
    assert "Sem de Wit" in participants.text
    assert f'href="/programmes/{pid}/import"' in participants.text
    assert "Sem de Wit" in person.text
    assert "Anouk Jansen" in desk.text  # the caseload per coach
    assert f'href="/programmes/{pid}/participants"' in results.text


def test_pages_justice_section_absent_for_an_organiser_not_allowed_it(
    client: TestClient[Litestar], seeded: dict[str, int]
) -> None:
    login(client, ORGANISER)
    _english(client)

    page = client.get(f"/enrolments/{seeded['enrolment']}")

    assert page.status_code == 200
    assert 'id="justice"' not in page.text
    assert "Criminal-justice data" not in page.text
    assert "Release date" not in page.text
    assert str(RELEASE.year) not in page.text.split("Referred on")[0]


def test_pages_coach_reads_justice_and_sees_the_release_on_the_desk(
    client: TestClient[Litestar], seeded: dict[str, int]
) -> None:
    login(client, COACH)
    _english(client)

    page = client.get(f"/enrolments/{seeded['enrolment']}")
    desk = client.get("/desk")

    assert page.status_code == 200
    assert 'id="justice"' in page.text
    assert "Criminal-justice data" in page.text
    assert RELEASE.strftime("%d-%m-%Y") in desk.text.split('id="releases"')[1]
    assert "via coach" in desk.text


def test_pages_another_organisations_ids_answer_404(client: TestClient[Litestar], seeded: dict[str, int]) -> None:
    login(client, OTHER_ORGANISER)
    pid, eid = seeded["programme"], seeded["enrolment"]
    theirs = [client.get(f"/programmes/{pid}{rest}").status_code for rest in ("/settings", "/participants")]
    person = client.get(f"/enrolments/{eid}").status_code
    change = _post(client, f"/programmes/{pid}/settings/add-stage", {"stage": "x"}).status_code
    login(client, ORGANISER)
    mine = [client.get(f"/programmes/{seeded['other']}{rest}").status_code for rest in ("/settings", "/participants")]

    assert (theirs, person, change, mine) == ([404, 404], 404, 404, [404, 404])


def test_pages_referrer_refers_and_sees_stage_only(client: TestClient[Litestar], seeded: dict[str, int]) -> None:
    login(client, REFERRER)
    _english(client)
    pid = seeded["programme"]

    form = client.get(f"/programmes/{pid}/refer")
    no_consent = _post(client, f"/programmes/{pid}/refer", {"first_name": "Lina", "last_name": "Bos", "phone": "0612"})
    sent = _post(
        client, f"/programmes/{pid}/refer", {"first_name": "Lina", "last_name": "Bos", "phone": "0612", "consent": "1"}
    )
    mine = client.get("/referrals")
    person = client.get(f"/enrolments/{seeded['enrolment']}")

    assert form.status_code == 200
    assert no_consent.status_code == 422
    assert "The person must agree that the referral is passed on." in no_consent.text
    assert sent.status_code == 303
    assert "Lina Bos" in mine.text
    assert "Sem de Wit" in mine.text
    assert "intake" in mine.text
    assert "MARKERWISH" not in mine.text
    assert "zijn zus" not in mine.text
    assert person.status_code == 404


@pytest.mark.slow  # many cases of one check, a second apiece: the full run's, not the fast layer's
@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/settings/add-stage", {"stage": " "}, "This field is required."),
        ("/settings/period", {"starts_on": "31-02-2026"}, "Give a date as dd-mm-yyyy."),
        ("/settings/period", {"starts_on": "2026-05-01", "ends_on": "2026-01-01"}, "The end lies before the start."),
        ("/settings/partner", {"organisation": "Buurthuis", "role": "boss"}, "Choose one of the options."),
        ("/settings/add-group", {"target_group": "x" * 101}, "Use at most 100 characters."),
        ("/participants", {"candidate_id": ""}, "Choose one of the options."),
    ],
)
def test_pages_settings_with_bad_input_show_the_message(
    client: TestClient[Litestar], seeded: dict[str, int], path: str, data: dict[str, str], message: str
) -> None:
    login(client, ORGANISER)
    _english(client)

    response = _post(client, f"/programmes/{seeded['programme']}{path}", data)

    assert response.status_code == 422
    assert message in response.text


@pytest.mark.slow  # many cases of one check, a second apiece: the full run's, not the fast layer's
@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("move", {"stage": "uitgevallen"}, "Choose one of the options."),
        ("decide", {"decision": "refused"}, "Say why the person is not taken in."),
        ("activity", {"kind": "training", "title": ""}, "Say which training or workshop."),
        ("activity", {"kind": "introduction", "employer": ""}, "Name the employer."),
        ("activity", {"kind": "training", "title": "VCA", "starts_on": "2026-13-01"}, "Give a date as dd-mm-yyyy."),
        ("benefit", {"benefit": "lottery"}, "Choose one of the options."),
        ("justice", {"release_date": "soon"}, "Give a date as dd-mm-yyyy."),
    ],
)
def test_pages_enrolment_with_bad_input_shows_the_message(
    client: TestClient[Litestar], seeded: dict[str, int], action: str, data: dict[str, str], message: str
) -> None:
    login(client, COACH)
    _english(client)

    response = _post(client, f"/enrolments/{seeded['enrolment']}/{action}", data)

    assert response.status_code == 422
    assert message in response.text


def test_pages_drop_needs_a_reason_and_refusal_shows_its_reason(
    client: TestClient[Litestar], seeded: dict[str, int], database: Settings
) -> None:
    login(client, COACH)
    _english(client)
    eid = seeded["enrolment"]
    page = client.get(f"/enrolments/{eid}").text
    dropped = page.split('<option value="')[1:]
    dropped_id = next(o.split('"')[0] for o in dropped if "uitgevallen" in o.split("<")[0])

    no_reason = _post(client, f"/enrolments/{eid}/move", {"stage": dropped_id})
    refused = _post(client, f"/enrolments/{eid}/decide", {"decision": "refused", "reason": "MARKERREASON onrustig"})
    after = client.get(f"/enrolments/{eid}")

    assert no_reason.status_code == 422
    assert "Say why the trajectory ended." in no_reason.text
    assert refused.status_code == 303
    assert "MARKERREASON onrustig" in after.text
    assert "not taken in" in after.text


def test_pages_training_with_a_future_end_runs(client: TestClient[Litestar], seeded: dict[str, int]) -> None:
    login(client, COACH)
    _english(client)
    eid = seeded["enrolment"]
    end = (dt.date.today() + dt.timedelta(days=60)).isoformat()

    added = _post(
        client,
        f"/enrolments/{eid}/activity",
        {"kind": "training", "title": "Heftruck", "provider": "ROC Mondriaan", "planned_end": end},
    )
    page = client.get(f"/enrolments/{eid}")

    assert added.status_code == 303
    timeline = page.text.split('id="timeline"')[1]
    assert "Heftruck" in timeline
    assert "state-running" in timeline
    assert "stopped</span>" not in timeline


def test_pages_introduction_with_a_new_employer_held_with_a_match(
    client: TestClient[Litestar], seeded: dict[str, int], database: Settings
) -> None:
    login(client, COACH)
    _english(client)
    eid = seeded["enrolment"]

    _post(client, f"/enrolments/{eid}/activity", {"kind": "introduction", "employer": "Yespers Ontbijt"})
    page = client.get(f"/enrolments/{eid}").text
    activity_id = page.split('name="activity_id" value="')[1].split('"')[0]
    no_match = _post(client, f"/enrolments/{eid}/introduction", {"activity_id": activity_id, "status": "held"})
    held = _post(
        client,
        f"/enrolments/{eid}/introduction",
        {"activity_id": activity_id, "status": "held", "match": "yes", "employer_answer": "Begin maandag"},
    )
    after = client.get(f"/enrolments/{eid}").text

    async def employer() -> Any:
        async with open_session(database) as session:
            return await session.scalar(select(Organisation).where(Organisation.name == "Yespers Ontbijt"))

    assert no_match.status_code == 422
    assert "Say whether it was a match." in no_match.text
    assert held.status_code == 303
    assert "Begin maandag" in after
    assert "state-held" in after
    assert run(employer()) is not None


def test_pages_organiser_allowed_justice_reads_it_and_each_read_is_audited(
    client: TestClient[Litestar], seeded: dict[str, int], database: Settings
) -> None:
    async def allow() -> None:
        async with open_session(database) as session:
            user = await session.scalar(select(User).where(User.email == ORGANISER))
            assert user is not None
            user.reads_justice = True
            await session.commit()

    async def reads() -> int:
        async with open_session(database) as session:
            found = await session.scalars(
                select(AuditEntry.id).where(
                    AuditEntry.action == "read_justice", AuditEntry.object_id == seeded["enrolment"]
                )
            )
            return len(found.all())

    run(allow())
    login(client, ORGANISER)
    _english(client)
    before = run(reads())

    first = client.get(f"/enrolments/{seeded['enrolment']}")
    second = client.get(f"/enrolments/{seeded['enrolment']}")

    assert first.status_code == second.status_code == 200
    assert 'id="justice"' in first.text
    assert "Criminal-justice data" in first.text
    assert run(reads()) == before + 2


def test_pages_an_organiser_enrols_a_known_person_with_a_coach_of_their_choice(
    client: TestClient[Litestar], seeded: dict[str, int], database: Settings
) -> None:
    async def person_and_coach() -> tuple[int, int]:
        async with open_session(database) as session:
            enrolled = select(Enrolment.candidate_id).where(Enrolment.programme_id == seeded["programme"])
            organiser = await session.scalar(select(User).where(User.email == ORGANISER))
            assert organiser is not None
            candidate = await session.scalar(
                select(Candidate.id)
                .where(Candidate.organisation_id == organiser.organisation_id, Candidate.id.not_in(enrolled))
                .order_by(Candidate.id)
                .limit(1)
            )
            coach = await session.scalar(select(User.id).where(User.email == "consulent@demo.meetmatch.nl"))
            assert candidate is not None
            assert coach is not None
            return candidate, coach

    candidate_id, coach_id = run(person_and_coach())
    login(client, ORGANISER)
    form = client.get(f"/programmes/{seeded['programme']}/participants")
    assert f'<option value="{coach_id}"' in form.text

    done = _post(
        client,
        f"/programmes/{seeded['programme']}/participants",
        {"candidate_id": str(candidate_id), "coach": str(coach_id)},
    )
    wrong = _post(
        client, f"/programmes/{seeded['programme']}/participants", {"candidate_id": str(candidate_id), "coach": "x"}
    )

    assert done.status_code == 303
    enrolment_id = int(done.headers["location"].split("/enrolments/")[1].split("?")[0])

    async def coaches() -> set[int]:
        async with open_session(database) as session:
            enrolment = await session.get(Enrolment, enrolment_id)
            assert enrolment is not None
            return await enrolments.coach_ids(session, enrolment)

    assert coach_id in run(coaches())
    assert wrong.status_code == 422


def test_pages_the_page_shown_again_after_a_form_error_audits_its_justice_read(
    client: TestClient[Litestar], seeded: dict[str, int], database: Settings
) -> None:
    async def reads() -> int:
        async with open_session(database) as session:
            found = await session.scalars(
                select(AuditEntry.id).where(
                    AuditEntry.action == "read_justice", AuditEntry.object_id == seeded["enrolment"]
                )
            )
            return len(list(found))

    login(client, COACH)
    before = run(reads())
    bad = _post(client, f"/enrolments/{seeded['enrolment']}/plan", {"barriers": "bogus"})

    assert bad.status_code == 422
    assert 'id="justice"' in bad.text
    assert run(reads()) == before + 1
