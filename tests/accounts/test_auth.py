import pytest
from litestar import Litestar
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient

from events.app import create_app
from events.demo.seed import DEMO_PASSWORD, DemoResult
from events.platform.security import LoginThrottle, SessionStore
from events.platform.settings import Settings
from tests.conftest import COACH, DOOR, ORGANISER, credentials, csrf_headers, form_login, login, run


def test_api_login_sets_httponly_session_and_readable_csrf_cookie(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    response = client.post("/api/auth/login", json=credentials(ORGANISER))

    cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    assert response.status_code == 200
    assert response.json()["role"] == "organiser"
    assert "HttpOnly" in cookies["meetmatch_session"]
    assert "SameSite=lax" in cookies["meetmatch_session"]
    assert "Secure" not in cookies["meetmatch_session"]
    assert "HttpOnly" not in cookies["csrftoken"]


def test_api_login_cookies_are_secure_with_https_base_url(database: Settings, demo: DemoResult) -> None:
    app = create_app(database.with_changes(base_url="https://mm.example.nl"))
    with TestClient(app, base_url="https://mm.example.nl") as client:
        response = client.post("/api/auth/login", json=credentials(ORGANISER))

    assert response.status_code == 200
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_api_login_wrong_password_is_401_and_unknown_user_the_same(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    wrong = client.post("/api/auth/login", json={"email": ORGANISER, "password": "not-the-password"})
    unknown = client.post("/api/auth/login", json={"email": "nobody@example.org", "password": "not-the-password"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in {k.lower() for k in wrong.headers if "meetmatch_session" in wrong.headers[k]}


def test_api_login_missing_field_is_422_naming_it(client: TestClient[Litestar], demo: DemoResult) -> None:
    response = client.post("/api/auth/login", json={"email": ORGANISER})

    assert response.status_code == 422
    assert response.json()["field"] == "password"


def test_login_throttled_after_ten_failures_with_retry_after(client: TestClient[Litestar], demo: DemoResult) -> None:
    for _ in range(10):
        assert client.post("/api/auth/login", json={"email": COACH, "password": "wrong-password"}).status_code == 401

    blocked = client.post("/api/auth/login", json={"email": COACH, "password": DEMO_PASSWORD})

    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60 + 1


def test_login_throttle_window_ends_so_the_owner_is_not_locked_out_for_good(settings: Settings) -> None:
    throttle = LoginThrottle(MemoryStore(), settings)

    async def scenario() -> tuple[int | None, int | None]:
        for _ in range(10):
            await throttle.failed("a@example.org", "10.0.0.1", now=1000.0)
        during = await throttle.retry_after("a@example.org", "10.0.0.2", now=1000.0 + 60)
        after = await throttle.retry_after("a@example.org", "10.0.0.2", now=1000.0 + 15 * 60 + 1)
        return during, after

    during, after = run(scenario())
    assert during == 15 * 60 - 60 + 1
    assert after is None


def test_login_throttle_counts_per_address_across_accounts(settings: Settings) -> None:
    throttle = LoginThrottle(MemoryStore(), settings)

    async def scenario() -> int | None:
        for n in range(10):
            await throttle.failed(f"user{n}@example.org", "10.0.0.9", now=50.0)
        return await throttle.retry_after("fresh@example.org", "10.0.0.9", now=51.0)

    assert run(scenario()) == 15 * 60


@pytest.mark.parametrize(
    ("role", "idle_seconds", "alive"),
    [("organiser", 29 * 60, True), ("organiser", 31 * 60, False), ("door", 8 * 3600, True), ("coach", 31 * 60, False)],
)
def test_session_idle_timeout_per_role(settings: Settings, role: str, idle_seconds: int, alive: bool) -> None:
    sessions = SessionStore(MemoryStore(), settings)

    async def scenario() -> bool:
        session_id = await sessions.create(7, role, now=0.0)
        return await sessions.load(session_id, now=float(idle_seconds)) is not None

    assert run(scenario()) is alive


def test_session_absolute_timeout_even_when_active(settings: Settings) -> None:
    sessions = SessionStore(MemoryStore(), settings)

    async def scenario() -> list[bool]:
        session_id = await sessions.create(7, "organiser", now=0.0)
        seen = []
        for minute in range(20, 13 * 60, 20):  # active every 20 minutes
            seen.append(await sessions.load(session_id, now=minute * 60.0) is not None)
        return seen

    seen = run(scenario())
    assert all(seen[: (12 * 60) // 20 - 1])
    assert seen[-1] is False


def test_logout_ends_the_session(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    session_cookie = client.cookies.get("meetmatch_session")

    response = client.post("/api/auth/logout", headers=csrf_headers(client))
    client.cookies.set("meetmatch_session", session_cookie or "")
    after = client.get("/api/auth/me")

    assert response.status_code == 200
    assert after.status_code == 401


def test_csrf_missing_token_is_403(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)

    response = client.post("/api/auth/logout")

    assert response.status_code == 403
    assert client.get("/api/auth/me").status_code == 200


def test_csrf_forged_token_is_403(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    forged = "abcdefghijklmnopqrstuvwx.abcdefghijklmnopqrstuvwxyzabcdef"
    client.cookies.set("csrftoken", forged)

    response = client.post("/api/auth/logout", headers={"x-csrftoken": forged})

    assert response.status_code == 403


def test_csrf_token_of_another_session_is_403(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, COACH)
    other_token = client.cookies.get("csrftoken") or ""
    login(client, ORGANISER)
    client.cookies.set("csrftoken", other_token)

    response = client.post("/api/auth/logout", headers={"x-csrftoken": other_token})

    assert response.status_code == 403


def test_html_form_without_csrf_field_is_refused(client: TestClient[Litestar], demo: DemoResult) -> None:
    client.get("/login")

    response = client.post("/login", data={"email": ORGANISER, "password": DEMO_PASSWORD}, follow_redirects=False)

    assert response.status_code == 403
    assert "Traceback" not in response.text


def test_html_login_with_csrf_field_redirects_home(client: TestClient[Litestar], demo: DemoResult) -> None:
    response = form_login(client, ORGANISER, next_path="/candidates/")

    assert response.status_code == 303
    assert response.headers["location"] == "/candidates/"


def test_html_login_never_redirects_to_another_site(client: TestClient[Litestar], demo: DemoResult) -> None:
    client.get("/login")
    token = client.cookies.get("csrftoken")

    response = client.post(
        "/login",
        data={"email": DOOR, "password": DEMO_PASSWORD, "_csrf_token": token, "next": "//evil.example.org/x"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/"


def test_disabled_account_loses_its_session(client: TestClient[Litestar], demo: DemoResult, database: Settings) -> None:
    from sqlalchemy import update

    from events.platform.db import open_session
    from events.platform.models import User

    login(client, COACH)

    async def disable() -> None:
        async with open_session(database) as session:
            await session.execute(update(User).where(User.email == COACH).values(is_active=False))
            await session.commit()

    run(disable())

    assert client.get("/api/auth/me").status_code == 401


def test_new_password_hashes_are_argon2id_at_production_cost() -> None:
    """The suite makes the demo accounts' hash cheap (tests/conftest.py); what the app itself writes is not."""
    from argon2 import extract_parameters

    from events.platform.security import hash_password, verify_password

    made = hash_password("correct horse battery")
    parameters = extract_parameters(made)
    assert made.startswith("$argon2id$")
    assert parameters.time_cost >= 3
    assert parameters.memory_cost >= 64 * 1024
    assert verify_password(made, "correct horse battery")
    assert not verify_password(made, "correct horse battery!")
