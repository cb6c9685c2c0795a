"""Known people are matched within an organisation only: an import or a registration by BAKboord never links a
person to Werkse!'s record of someone with the same e-mail, name and phone, and leaves that record as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo import bakboord
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform import i18n
from events.platform.db import open_session
from events.platform.models import Candidate, CandidateParticipation, ConsentMethod, Organisation, User
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from events.registration.imports import Table, apply_import
from events.registration.imports_cells import ImportConsent
from events.registration.imports_fields import guess_mapping
from tests.conftest import csrf_headers, login, run


async def _werkse_person(settings: Settings) -> dict[str, Any]:
    """A Werkse! candidate with an e-mail address and a phone number, as stored."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        person = await session.scalar(
            select(Candidate)
            .join(CandidateParticipation, CandidateParticipation.candidate_id == Candidate.id)
            .where(CandidateParticipation.event_id == event.id, Candidate.email.is_not(None))
            .order_by(Candidate.id)
            .limit(1)
        )
        assert person is not None
        return {
            "id": person.id,
            "first": person.first_name,
            "last": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "city": person.city,
            "updated": person.updated_at,
            "organisation": person.organisation_id,
        }


async def _same_people(settings: Settings, email: str) -> list[tuple[int, int]]:
    async with open_session(settings) as session:
        rows = await session.execute(
            select(Candidate.id, Candidate.organisation_id).where(func.lower(Candidate.email) == email.lower())
        )
        return sorted((int(i), int(o)) for i, o in rows.tuples())


async def _import_into_bakboord(settings: Settings, person: dict[str, Any]) -> Any:
    data = Table(
        headers=["Voornaam", "Achternaam", "E-mail", "Telefoon", "Woonplaats"],
        rows=[[person["first"], person["last"], person["email"].upper(), person["phone"], "Den Haag"]],
        row_numbers=[2],
    )
    async with open_session(settings) as session:
        organiser = await session.scalar(select(User).where(User.email == bakboord.ORGANISER[1]))
        assert organiser is not None
        event = await find_event(session, bakboord.SLUG)
        with i18n.language("en"):
            result = await apply_import(
                session,
                to_current_user(organiser),
                event,
                "candidates",
                data,
                guess_mapping("candidates", data.headers),
                ImportConsent(
                    method=ConsentMethod.PAPER, given_on=dt.date(2026, 11, 2), purpose="Meet & Match BAKboord"
                ),
            )
        await session.commit()
        return result, event.organisation_id


def test_an_import_never_links_a_person_to_another_organisation_s_record(demo: DemoResult, database: Settings) -> None:
    person = run(_werkse_person(database))

    result, bakboord_id = run(_import_into_bakboord(database, person))

    assert (result.created, result.matched, result.updated) == (1, 0, 0)
    people = run(_same_people(database, person["email"]))
    assert len(people) == 2
    assert {organisation for _id, organisation in people} == {person["organisation"], bakboord_id}
    after = run(_werkse_person(database))
    assert after == person  # Werkse!'s record: not completed, not touched


def test_a_registration_with_another_organisation_s_address_makes_a_record_of_its_own(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    person = run(_werkse_person(database))
    login(client, bakboord.OFFICERS[0][1])
    body = {
        "candidate": {"first_name": person["first"], "last_name": person["last"], "email": person["email"]},
        "consent": {"purpose": "Meet & Match BAKboord", "method": "paper"},
    }

    first = client.post("/api/candidates", json=body, headers=csrf_headers(client))
    again = client.post("/api/candidates", json=body, headers=csrf_headers(client))

    assert first.status_code == 201, first.text
    assert first.json()["id"] != person["id"]
    # Within BAKboord the address is known now: the second registration is refused, naming the field.
    assert again.status_code in (400, 409, 422), again.text
    assert "email" in again.text
    assert run(_werkse_person(database)) == person


async def _owner(settings: Settings, candidate_id: int) -> str:
    async with open_session(settings) as session:
        found = await session.scalar(
            select(Organisation.name)
            .join(Candidate, Candidate.organisation_id == Organisation.id)
            .where(Candidate.id == candidate_id)
        )
        return str(found)


def test_a_partner_coach_s_candidate_belongs_to_the_organiser_of_the_first_event_they_join(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    # Petra Visser coaches for Reclassering Haaglanden, which Werkse! invited into Samen Werkt!.
    login(client, "reclassering@demo.meetmatch.nl")
    body = {
        "candidate": {"first_name": "Roos", "last_name": "Vrijman", "coach_note": "Meldplicht op maandag."},
        "consent": {"purpose": "Samen Werkt!", "method": "paper"},
    }
    made = client.post("/api/candidates", json=body, headers=csrf_headers(client))
    candidate_id = made.json()["id"]
    registered_by = run(_owner(database, candidate_id))
    signed = client.post(
        f"/api/events/{DEMO_SLUG}/participations", json={"candidate_id": candidate_id}, headers=csrf_headers(client)
    )

    assert made.status_code == 201, made.text
    assert registered_by == "Reclassering Haaglanden"
    assert signed.status_code == 201, signed.text
    assert run(_owner(database, candidate_id)) == "Werkse!"
    # Werkse!'s organiser reads the record, the partner's coach still does, BAKboord's organiser finds nobody.
    login(client, "organisator@demo.meetmatch.nl")
    assert client.get(f"/api/candidates/{candidate_id}").json()["coach_note"] == "Meldplicht op maandag."
    login(client, "reclassering@demo.meetmatch.nl")
    assert client.get(f"/api/candidates/{candidate_id}").json()["coach_note"] == "Meldplicht op maandag."
    login(client, bakboord.ORGANISER[1])
    assert client.get(f"/api/candidates/{candidate_id}").status_code == 404
