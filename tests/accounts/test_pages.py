import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import AuditEntry
from events.platform.settings import Settings
from tests.conftest import COACH, EMPLOYER, ORGANISER, csrf_headers, login, run


def figures(html: str) -> dict[str, int]:
    pairs = re.findall(r'<span class="number">(\d+)</span><span class="label">([^<]+)</span>', html)
    return {label: int(number) for number, label in pairs}


def test_anonymous_home_ends_on_dutch_login_page(client: TestClient[Litestar]) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert str(response.url).endswith("/login")
    assert '<html lang="nl">' in response.text
    assert '<form method="post" action="/login"' in response.text
    assert "Inloggen" in response.text


def test_organiser_home_shows_demo_event_with_8_employers_and_50_candidates(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)

    response = client.get("/")

    assert response.status_code == 200
    assert "Samen Werkt!" in response.text
    assert figures(response.text) == {"werkgevers": 8, "kandidaten": 50, "rondes": 6}


def test_event_page_lists_employers_and_candidates(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    html = client.get("/events/samen-werkt").text

    assert html.count('data-label="Werkgever"') == 8
    assert len(re.findall(r'href="/candidates/\d+"', html)) == 50
    assert "Medewerker groenvoorziening" in html


def test_language_switch_to_english_and_back(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    to_english = client.post(
        "/language", data={"language": "en", "next": "/", "_csrf_token": client.cookies.get("csrftoken")}
    )
    english = to_english.text
    to_dutch = client.post(
        "/language", data={"language": "nl", "next": "/", "_csrf_token": client.cookies.get("csrftoken")}
    )

    assert '<html lang="en">' in english
    assert figures(english) == {"employers": 8, "candidates": 50, "rounds": 6}
    assert '<html lang="nl">' in to_dutch.text


def test_unknown_page_is_a_plain_404_without_traceback(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = client.get("/events/no-such-event")

    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text
    assert "Traceback" not in response.text


def test_employer_pages_never_show_candidate_personal_data(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    candidates = client.get("/api/candidates?per_page=200").json()["items"]
    login(client, EMPLOYER)

    pages = [
        client.get("/").text,
        client.get("/events/samen-werkt").text,
        client.get("/api/events/samen-werkt/employers").text,
    ]

    for candidate in candidates:
        for page in pages:
            assert candidate["last_name"] not in page or candidate["last_name"] in ("Groen",)
            if candidate["email"]:
                assert candidate["email"] not in page


def test_reading_a_candidate_record_is_audited(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, COACH)
    candidate_id = client.get("/api/candidates").json()["items"][0]["id"]

    client.get(f"/api/candidates/{candidate_id}")
    client.get(f"/candidates/{candidate_id}")

    async def count() -> int:
        async with open_session(database) as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.candidate_id == candidate_id, AuditEntry.action == "read_sensitive")
                )
                or 0
            )

    assert run(count()) == 2


def test_openapi_document_is_public_and_lists_the_api(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()

    assert schema["info"]["title"] == "meetmatch"
    assert {"/api/auth/login", "/api/events", "/api/candidates/{candidate_id}"} <= set(schema["paths"])
    assert not any(not p.startswith("/api/") for p in schema["paths"])


def test_logout_form_returns_to_login_with_message(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})

    assert response.status_code == 200
    assert "Je bent uitgelogd." in response.text
    assert csrf_headers(client)


def test_internal_error_is_a_plain_500_page_and_problem_json(database: Settings) -> None:
    from litestar import get

    @get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals: SELECT * FROM candidate")

    @get("/api/boom", include_in_schema=False)
    async def api_boom() -> None:
        raise RuntimeError("secret internals")

    from events.app import create_app

    app = create_app(database)
    app.register(boom)
    app.register(api_boom)
    with TestClient(app) as client:
        page = client.get("/boom")
        api = client.get("/api/boom")

    assert page.status_code == 500
    assert "Er ging bij ons iets mis" in page.text
    assert "secret internals" not in page.text
    assert "Traceback" not in page.text
    assert api.status_code == 500
    assert api.json() == {"status_code": 500, "code": "server_error", "detail": "Internal server error", "field": None}
