"""Two-factor login: the code after the password, setting it up on the first login, recovery codes, the API,
replays and guessing refused, and the secret encrypted at rest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, text

from events.app import create_app
from events.demo.seed import DEMO_PASSWORD, DemoResult
from events.platform import twofactor
from events.platform.db import open_session
from events.platform.models import AuditEntry, OrganisationKind, RecoveryCode, User
from events.platform.organisations import add_organisation, create_user
from events.platform.settings import Settings
from tests.cli import cli
from tests.conftest import (
    COACH,
    DOOR,
    EMPLOYER,
    ORGANISER,
    TWO_FACTOR_CLOCK,
    credentials,
    login,
    run,
    two_factor_code,
)

NEW_COACH = "nieuwe.coach@example.org"
PASSWORD = "een-lang-wachtwoord"

# RFC 6238, appendix B (SHA-1): the key "12345678901234567890" and the last six digits of its codes.
RFC_KEY = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_CODES = {59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"}


def _csrf(client: TestClient[Litestar]) -> str:
    return client.cookies.get("csrftoken") or ""


def _post(client: TestClient[Litestar], path: str, **data: str) -> Any:
    return client.post(path, data={**data, "_csrf_token": _csrf(client)}, follow_redirects=False)


def _password_step(client: TestClient[Litestar], email: str, password: str = DEMO_PASSWORD, next_path: str = "") -> Any:
    client.cookies.clear()
    client.get("/login")
    return _post(client, "/login", email=email, password=password, next=next_path)


async def _add_coach(settings: Settings) -> None:
    async with open_session(settings) as session:
        await add_organisation(session, "Perspektief", OrganisationKind.PARTNER)
        await create_user(session, email=NEW_COACH, role="coach", password=PASSWORD, organisation="Perspektief")
        await session.commit()


async def _user(settings: Settings, email: str) -> User:
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


async def _actions(settings: Settings, user_id: int) -> list[str]:
    async with open_session(settings) as session:
        rows = await session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == user_id))
        return [a for a in rows if a.startswith("two_factor")]


def _current(secret: str) -> str:
    TWO_FACTOR_CLOCK.offset += twofactor.STEP_SECONDS
    return twofactor.code_at(secret, twofactor.current_step())


def test_codes_match_the_rfc_6238_test_vectors() -> None:
    for moment, code in RFC_CODES.items():
        assert twofactor.code_at(RFC_KEY, moment // 30) == code
        assert twofactor.matching_step(RFC_KEY, code, None, now=moment) == moment // 30
    # One step either side is accepted (a phone's clock drifts), two steps are not.
    assert twofactor.matching_step(RFC_KEY, "287082", None, now=59 + 30) == 1
    assert twofactor.matching_step(RFC_KEY, "287082", None, now=59 + 60) is None
    # And never a step at or before the last one accepted.
    assert twofactor.matching_step(RFC_KEY, "287082", 1, now=59) is None
    assert twofactor.matching_step(RFC_KEY, "28708", None, now=59) is None


def test_organiser_gives_the_code_after_the_password_and_lands_where_they_were_going(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    response = _password_step(client, ORGANISER, next_path="/candidates/")

    assert (response.status_code, response.headers["location"]) == (303, "/login/code")
    assert "meetmatch_session" not in response.headers.get("set-cookie", "")
    # Between the two steps there is no session: the app's pages still ask for a login.
    assert client.get("/candidates/", follow_redirects=False).headers["location"].startswith("/login")
    page = client.get("/login/code")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text
    assert page.headers["cache-control"] == "no-store"

    code = two_factor_code(ORGANISER)
    done = _post(client, "/login/code", code=code)

    assert (done.status_code, done.headers["location"]) == (303, "/candidates/")
    assert client.get("/candidates/").status_code == 200

    # The same code a second time (someone who saw it over a shoulder): refused, though still in its window.
    _password_step(client, ORGANISER)
    again = _post(client, "/login/code", code=code)
    assert again.status_code == 401
    assert "al gebruikt" in again.text


def test_employer_and_door_staff_log_in_with_the_password_alone(client: TestClient[Litestar], demo: DemoResult) -> None:
    for email in (EMPLOYER, DOOR):
        response = _password_step(client, email)
        assert (response.status_code, response.headers["location"]) == (303, "/")
        assert client.get("/", follow_redirects=False).status_code == 200


def test_wrong_codes_end_the_pending_login_and_count_as_failed_logins(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    _password_step(client, COACH)
    statuses = [_post(client, "/login/code", code="000000").status_code for _ in range(4)]
    fifth = _post(client, "/login/code", code="000000")

    assert statuses == [401, 401, 401, 401]
    assert (fifth.status_code, fifth.headers["location"]) == (303, "/login?msg=code_tries")
    # The pending login is gone: even the right code now needs the password first.
    assert _post(client, "/login/code", code=two_factor_code(COACH)).headers["location"] == "/login?msg=login_expired"


def test_the_password_alone_buys_no_more_guesses_at_the_code(database: Settings, demo: DemoResult) -> None:
    settings = database.with_changes(login_max_failures=6)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        for _ in range(2):
            _password_step(client, COACH)
            for _ in range(3):
                _post(client, "/login/code", code="000000")
        # Six wrong codes over two right passwords: the account is throttled, the right password included.
        blocked = _password_step(client, COACH)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0


def test_a_recovery_code_works_once_and_is_written_to_the_audit_log(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    codes = twofactor.demo_recovery_codes(ORGANISER)

    _password_step(client, ORGANISER)
    used = _post(client, "/login/code", code=codes[0].upper().replace("-", " "))  # as someone might type it
    assert (used.status_code, used.headers["location"]) == (303, "/")
    assert client.get("/").status_code == 200

    _password_step(client, ORGANISER)
    assert _post(client, "/login/code", code=codes[0]).status_code == 401

    organiser = run(_user(database, ORGANISER))
    assert run(_actions(database, organiser.id)) == ["two_factor_recovery_used"]
    login(client, ORGANISER)
    page = client.get("/account/two-factor")
    assert "Nog 9 herstelcodes over." in page.text


def test_few_recovery_codes_left_sends_the_person_to_make_new_ones(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    codes = twofactor.demo_recovery_codes(COACH)
    for code in codes[:7]:
        _password_step(client, COACH)
        last = _post(client, "/login/code", code=code)
    assert last.headers["location"] == "/account/two-factor?msg=recovery_low"

    new = _post(client, "/account/two-factor/recovery-codes", code=two_factor_code(COACH))
    fresh = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", new.text)

    assert new.status_code == 200
    assert len(set(fresh)) == 10
    assert not set(fresh) & set(codes)
    _password_step(client, COACH)
    assert _post(client, "/login/code", code=codes[8]).status_code == 401  # the old set stopped working
    _password_step(client, COACH)
    assert _post(client, "/login/code", code=fresh[0]).status_code == 303


def test_a_new_coach_sets_two_factor_login_up_at_the_first_login(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_add_coach(database))

    response = _password_step(client, NEW_COACH, PASSWORD)
    assert response.headers["location"] == "/login/setup"
    assert client.get("/", follow_redirects=False).status_code == 303  # no session before the setup is done
    setup = client.get("/login/setup")
    assert setup.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in setup.text
    assert 'class="qr"' in setup.text
    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', setup.text)
    assert shown is not None
    secret = shown.group(1).replace(" ", "")
    assert len(secret) == 32

    wrong = _post(client, "/login/setup", code="123456")
    assert wrong.status_code == 422
    assert "klopt niet" in wrong.text

    done = _post(client, "/login/setup", code=_current(secret))
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.text)
    assert done.status_code == 200
    assert len(set(codes)) == 10
    assert done.headers["cache-control"] == "no-store"
    assert client.get("/").status_code == 200  # logged in

    # From now on the code is asked at every login, and a recovery code stands in for it.
    assert _password_step(client, NEW_COACH, PASSWORD).headers["location"] == "/login/code"
    assert _post(client, "/login/code", code=_current(secret)).status_code == 303
    _password_step(client, NEW_COACH, PASSWORD)
    assert _post(client, "/login/code", code=codes[3]).status_code == 303
    coach = run(_user(database, NEW_COACH))
    assert run(_actions(database, coach.id)) == ["two_factor_on", "two_factor_recovery_used"]


def test_the_api_asks_for_the_code_and_sends_a_coach_without_it_to_the_website(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    bare = {"email": ORGANISER, "password": DEMO_PASSWORD}
    missing = client.post("/api/auth/login", json=bare)
    wrong = client.post("/api/auth/login", json={**bare, "code": "000000"})
    body = credentials(ORGANISER)
    right = client.post("/api/auth/login", json=body)
    client.cookies.clear()
    replayed = client.post("/api/auth/login", json=body)
    run(_add_coach(database))
    not_set_up = client.post("/api/auth/login", json={"email": NEW_COACH, "password": PASSWORD, "code": "123456"})

    assert (missing.status_code, missing.json()["code"]) == (401, "two_factor_required")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "two_factor_invalid")
    assert right.status_code == 200
    assert (replayed.status_code, replayed.json()["code"]) == (401, "two_factor_invalid")
    assert (not_set_up.status_code, not_set_up.json()["code"]) == (403, "two_factor_setup_required")
    for refused in (missing, wrong, replayed, not_set_up):
        assert "meetmatch_session" not in refused.headers.get("set-cookie", "")


def test_a_code_is_accepted_once_even_by_two_processes_at_the_same_moment(demo: DemoResult, database: Settings) -> None:
    async def check_twice() -> list[str | None]:
        code = two_factor_code(ORGANISER)
        async with open_session(database) as first, open_session(database) as second:
            # Both load the account before either accepts the code, as two workers would.
            one = await first.scalar(select(User).where(User.email == ORGANISER))
            two = await second.scalar(select(User).where(User.email == ORGANISER))
            assert one is not None
            assert two is not None
            results = [await twofactor.check_code(first, one, code)]
            await first.commit()
            results.append(await twofactor.check_code(second, two, code))
            await second.commit()
            return results

    assert run(check_twice()) == ["app", None]


def test_employer_may_switch_it_on_and_off_and_an_organiser_may_not_switch_it_off(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, EMPLOYER)
    page = client.get("/account/two-factor")
    assert "staat uit" in page.text
    sealed = re.search(r'name="sealed" value="([^"]+)"', page.text)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text)
    assert sealed
    assert secret
    key = secret.group(1).replace(" ", "")
    on = _post(client, "/account/two-factor/setup", sealed=sealed.group(1), code=_current(key))
    assert on.status_code == 200
    assert "herstelcodes" in on.text.lower()
    assert _password_step(client, EMPLOYER).headers["location"] == "/login/code"
    assert _post(client, "/login/code", code=_current(key)).status_code == 303

    off = _post(client, "/account/two-factor/off", code=_current(key))
    assert (off.status_code, off.headers["location"]) == (303, "/account/two-factor?msg=two_factor_off")
    assert _password_step(client, EMPLOYER).headers["location"] == "/"

    login(client, ORGANISER)
    refused = _post(client, "/account/two-factor/off", code=two_factor_code(ORGANISER))
    assert refused.status_code == 403
    assert run(_user(database, ORGANISER)).totp_secret is not None


def test_a_sealed_secret_of_another_account_is_refused(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, EMPLOYER)
    sealed = re.search(r'name="sealed" value="([^"]+)"', client.get("/account/two-factor").text)
    assert sealed
    login(client, DOOR)  # another account replays the employer's form

    response = _post(client, "/account/two-factor/setup", sealed=sealed.group(1), code="123456")

    assert response.status_code == 422


def test_the_secret_and_recovery_codes_are_not_stored_in_plain_text(demo: DemoResult, database: Settings) -> None:
    secret = twofactor.demo_secret(ORGANISER)
    codes = twofactor.demo_recovery_codes(ORGANISER)

    async def stored() -> tuple[str, list[str]]:
        async with open_session(database) as session:
            raw = await session.scalar(text("SELECT totp_secret FROM user_account WHERE email = :e"), {"e": ORGANISER})
            hashes = list(await session.scalars(select(RecoveryCode.code_hash)))
            return str(raw), hashes

    raw, hashes = run(stored())
    assert raw.startswith("enc1:")
    assert secret not in raw
    assert not {c.replace("-", "") for c in codes} & set(hashes)
    assert all(len(h) == 64 for h in hashes)


@pytest.fixture
def demo_by_cli(settings: Settings) -> str:
    """The database as `meetmatch db upgrade` and `meetmatch demo` leave it; what the demo printed."""
    assert cli(settings, "db", "upgrade").returncode == 0
    printed = cli(settings, "demo")
    assert printed.returncode == 0, printed.stderr
    return printed.stdout


@pytest.mark.slow
def test_the_demo_prints_a_key_and_recovery_codes_that_log_its_organiser_in(
    settings: Settings, demo_by_cli: str
) -> None:
    block = demo_by_cli.split(f"  {ORGANISER}\n", 1)[1]
    key = re.search(r"key: +([A-Z2-7 ]+)\n", block)
    link = re.search(r"app link: +(otpauth://\S+)\n", block)
    codes = re.search(r"recovery codes: +([a-z2-9 -]+)\n", block)
    assert key
    assert link
    assert codes
    secret = key.group(1).replace(" ", "")
    assert f"secret={secret}" in link.group(1)
    assert link.group(1).startswith("otpauth://totp/meetmatch:")
    assert "groen@demo.meetmatch.nl" not in demo_by_cli.split("two-factor", 1)[1]  # employers have none

    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        _password_step(client, ORGANISER)
        assert _post(client, "/login/code", code=_current(secret)).headers["location"] == "/"
        _password_step(client, ORGANISER)
        assert _post(client, "/login/code", code=codes.group(1).split()[0]).headers["location"] == "/"


def test_cli_reset_sends_the_organiser_back_to_the_setup(settings: Settings, demo_by_cli: str) -> None:
    result = cli(settings, "users", "reset-two-factor", ORGANISER)

    assert result.returncode == 0, result.stderr
    assert "set it up again at their next login" in result.stdout
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert _password_step(client, ORGANISER).headers["location"] == "/login/setup"
    organiser = run(_user(settings, ORGANISER))
    assert run(_actions(settings, organiser.id)) == ["two_factor_reset"]

    unknown = cli(settings, "users", "reset-two-factor", "niemand@example.org")
    assert unknown.returncode != 0
    assert "no account with the e-mail address niemand@example.org" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_cli_allows_an_organiser_to_read_justice_data_and_refuses_a_coach(settings: Settings, demo_by_cli: str) -> None:
    allowed = cli(settings, "users", "allow-justice", ORGANISER)
    assert allowed.returncode == 0, allowed.stderr
    assert run(_user(settings, ORGANISER)).reads_justice is True
    undone = cli(settings, "users", "allow-justice", ORGANISER, "--undo")
    assert undone.returncode == 0, undone.stderr
    assert run(_user(settings, ORGANISER)).reads_justice is False
    organiser = run(_user(settings, ORGANISER))
    assert run(_justice_actions(settings, organiser.id)) == ["allow_justice", "deny_justice"]

    coach = cli(settings, "users", "allow-justice", "coach@demo.meetmatch.nl")
    assert coach.returncode == 2
    assert "is no organiser" in coach.stderr
    assert "Traceback" not in coach.stderr


async def _justice_actions(settings: Settings, user_id: int) -> list[str]:
    async with open_session(settings) as session:
        rows = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == user_id).order_by(AuditEntry.id)
        )
        return [a for a in rows if a.endswith("_justice")]
