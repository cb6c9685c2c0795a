"""The administrator's pages: organisations with counts and never a person's data, a new organising organisation
with its first organiser invited by e-mail, organisations switched off and on; every other page a 404."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry, Candidate, Event, Organisation, OrganisationKind, OutboxMessage, User
from events.platform.settings import Settings
from tests.conftest import ORGANISER, credentials, form_login, login, run
from tests.platform.test_authz import MATRIX, _ids, concrete

ADMIN = "beheer@demo.meetmatch.nl"
BAKBOORD_ORGANISER = "organisator.bakboord@demo.meetmatch.nl"
MARKER = "Qqmarkeradmin"


def post(client: TestClient[Litestar], path: str, **data: Any) -> Any:
    return client.post(path, data={**data, "_csrf_token": client.cookies.get("csrftoken")}, follow_redirects=False)


async def _scalars(settings: Settings, query: Any) -> list[Any]:
    async with open_session(settings) as session:
        return list((await session.scalars(query)).all())


def scalars(settings: Settings, query: Any) -> list[Any]:
    return run(_scalars(settings, query))


async def _mark_candidates(settings: Settings) -> int:
    """Every candidate's first name carries the marker; returns one candidate's id."""
    async with open_session(settings) as session:
        await session.execute(update(Candidate).values(first_name=MARKER))
        await session.commit()
        found = await session.scalar(select(Candidate.id).order_by(Candidate.id))
        assert found is not None
        return int(found)


def counts(html: str, name: str) -> tuple[int, int, int]:
    row = re.search(rf'data-organisation="{re.escape(name)}">(.*?)</tr>', html, re.S)
    assert row, name
    found = [
        int(re.search(rf'class="number {k}">(\d+)<', row.group(1)).group(1))
        for k in ("accounts", "events", "candidates")
    ]  # type: ignore[union-attr]
    return found[0], found[1], found[2]


def test_admin_lands_on_organisations_with_counts_and_no_persons_data(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_mark_candidates(database))
    werkse = scalars(database, select(Organisation.id).where(Organisation.name == "Werkse!"))[0]

    logged_in = form_login(client, ADMIN)
    home = client.get("/", follow_redirects=False)
    page = client.get("/admin/organisations")

    accounts = scalars(database, select(func.count()).select_from(User).where(User.organisation_id == werkse))[0]
    candidates = scalars(
        database, select(func.count()).select_from(Candidate).where(Candidate.organisation_id == werkse)
    )
    events = scalars(database, select(func.count()).select_from(Event).where(Event.organisation_id == werkse))[0]
    assert logged_in.headers["location"] == "/"
    assert home.headers["location"] == "/admin/organisations"
    assert counts(page.text, "Werkse!") == (accounts, events, candidates[0])
    assert candidates[0] > 0
    assert "BAKboord Den Haag" in page.text
    assert MARKER not in page.text
    assert "organisator@demo.meetmatch.nl" not in page.text
    assert 'href="/admin/organisations"' in page.text


def test_admin_finds_no_event_candidate_or_person_page(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    candidate = run(_mark_candidates(database))
    login(client, ADMIN)

    answers = {
        path: client.get(path)
        for path in (
            "/events/samen-werkt",
            "/candidates/",
            f"/candidates/{candidate}",
            f"/candidates/{candidate}/access",
            "/api/candidates",
            f"/api/candidates/{candidate}",
            "/api/events",
            "/team/",
            "/audit/",
        )
    }

    assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(answers, 404)
    assert all(MARKER not in r.text for r in answers.values())


def test_admin_pages_refuse_everyone_else(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    assert client.get("/admin/organisations").status_code == 403
    assert post(client, "/admin/organisations", name="X", organiser_name="Y", email="y@x.example").status_code == 403


def test_admin_creates_organising_organisation_with_its_first_organiser_invited(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ADMIN)

    made = post(
        client, "/admin/organisations", name="Baankans!", organiser_name="Ria Rood", email="ria@baankans.example"
    )
    mail = scalars(database, select(OutboxMessage).where(OutboxMessage.to_address == "ria@baankans.example"))
    link = re.search(r"http://127\.0\.0\.1:8000(/join/[A-Za-z0-9_-]+)", mail[0].text_body)
    assert link
    client.cookies.clear()
    client.get(link.group(1))
    accepted = post(client, link.group(1), password="baankans-wachtwoord", password_again="baankans-wachtwoord")

    organisation = scalars(database, select(Organisation).where(Organisation.name == "Baankans!"))[0]
    first = scalars(database, select(User).where(User.email == "ria@baankans.example"))[0]
    audit = scalars(
        database,
        select(AuditEntry.action).where(
            AuditEntry.object_type == "organisation", AuditEntry.object_id == organisation.id
        ),
    )
    assert made.headers["location"].startswith("/admin/organisations")
    assert organisation.kind is OrganisationKind.ORGANISER
    assert (first.role.value, first.organisation_id, first.name) == ("organiser", organisation.id, "Ria Rood")
    assert accepted.headers["location"] == "/login/setup"
    assert audit == ["create"]


def test_admin_form_shows_errors_beside_the_field_and_makes_nothing(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ADMIN)

    duplicate = post(client, "/admin/organisations", name="werkse!", organiser_name="A", email="a@x.example")
    bad_email = post(client, "/admin/organisations", name="Nieuw Huis", organiser_name="A", email="geen adres")
    taken = post(client, "/admin/organisations", name="Nieuw Huis", organiser_name="A", email=ORGANISER)
    no_name = post(client, "/admin/organisations", name="Nieuw Huis", organiser_name=" ", email="a@x.example")

    assert (duplicate.status_code, bad_email.status_code, taken.status_code, no_name.status_code) == (422,) * 4
    assert 'id="name-error"' in duplicate.text
    assert 'id="email-error"' in bad_email.text
    assert 'id="email-error"' in taken.text
    assert 'id="organiser_name-error"' in no_name.text
    assert "Nieuw Huis" not in taken.text.split("<form", 1)[0]
    assert scalars(database, select(Organisation).where(Organisation.name == "Nieuw Huis")) == []


def test_admin_deactivates_an_organisation_and_its_accounts_stop_logging_in(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    bakboord = scalars(database, select(Organisation.id).where(Organisation.name == "BAKboord Den Haag"))[0]
    login(client, ADMIN)

    off = post(client, f"/admin/organisations/{bakboord}/active", active="0")
    refused = client.post("/api/auth/login", json=credentials(BAKBOORD_ORGANISER))
    login(client, ADMIN)
    on = post(client, f"/admin/organisations/{bakboord}/active", active="1")
    allowed = client.post("/api/auth/login", json=credentials(BAKBOORD_ORGANISER))
    login(client, ADMIN)
    missing = post(client, "/admin/organisations/999999/active", active="0")

    actions = scalars(
        database,
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "organisation", AuditEntry.object_id == bakboord)
        .order_by(AuditEntry.id),
    )
    assert (off.status_code, on.status_code) == (303, 303)
    assert refused.status_code == 401
    assert allowed.status_code == 200
    assert missing.status_code == 404
    assert actions == ["deactivate", "activate"]


def test_admin_reads_no_page_or_api_of_events_and_people(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_mark_candidates(database))
    ids = run(_ids(database))
    login(client, ADMIN)
    # What the administrator may open: their own pages, the account's two-factor page, the login and the health
    # check, the API's own description, and the static files; the home page sends them to the organisations.
    own = {
        "/admin/organisations",
        "/account/two-factor",
        "/api/auth/me",
        "/healthz",
        "/schema",
        "/schema/{path:str}",
        "/schema/openapi.json",
        "/static/{file_path:path}",
    }

    answers = {}
    for method, path in MATRIX:
        if method != "GET" or path in own:
            continue
        response = client.get(concrete(path, ids), follow_redirects=False)
        answers[path] = response.status_code
        assert MARKER not in response.text, path

    assert {p: s for p, s in answers.items() if s not in (303, 404)} == {}
