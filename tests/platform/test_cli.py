"""The console script, run as a person runs it: its exit code and what it prints (in this process through click's
runner; `--help` and `serve` also as a real process of the installed script)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.app import create_app
from events.platform.db import open_session
from events.platform.models import CandidateParticipation, EmployerParticipation, Event
from events.platform.settings import Settings
from tests.cli import cli, cli_process
from tests.conftest import run


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    """The schema in place, as `meetmatch db upgrade` leaves it (PostgreSQL needs that step; SQLite does it itself)."""
    result = cli(settings, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return settings


def test_cli_help_lists_the_commands(settings: Settings) -> None:
    result = cli_process(settings, "--help")

    assert result.returncode == 0
    for command in ("serve", "demo", "db", "users", "schedule"):
        assert f"\n  {command} " in result.stdout


def test_cli_demo_twice_leaves_one_demo(settings: Settings) -> None:
    first = cli(settings, "demo")
    second = cli(settings, "demo")

    async def counts() -> tuple[int, int, int]:
        async with open_session(settings) as session:
            events = await session.scalar(select(func.count()).select_from(Event))
            employers = await session.scalar(select(func.count()).select_from(EmployerParticipation))
            candidates = await session.scalar(select(func.count()).select_from(CandidateParticipation))
            return int(events or 0), int(employers or 0), int(candidates or 0)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "created" in first.stdout
    assert "already present" in second.stdout
    assert "organisator@demo.meetmatch.nl" in second.stdout
    # The upcoming event (8 employers, 50 candidates) and its spring edition (8 employers, 24 candidates).
    assert run(counts()) == (2, 16, 74)


def test_cli_users_add_then_login_works(migrated: Settings, settings: Settings) -> None:
    result = cli(
        settings,
        "users",
        "add",
        "--role",
        "coach",
        "--email",
        "Nieuw@Example.org",
        "--organisation",
        "Perspektief",
        "--password-stdin",
        stdin="lang-genoeg-wachtwoord\n",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created coach nieuw@example.org")
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/auth/login", json={"email": "nieuw@example.org", "password": "lang-genoeg-wachtwoord"}
        )
    # The password is right; a coach sets up two-factor login (on the website) before the API lets them in.
    assert (response.status_code, response.json()["code"]) == (403, "two_factor_setup_required")


def test_cli_users_add_generates_a_password_when_none_is_given(migrated: Settings, settings: Settings) -> None:
    result = cli(settings, "users", "add", "--role", "door", "--email", "deur@example.org")

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[1].startswith("password: ")
    assert len(lines[1].removeprefix("password: ")) >= 16


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--role", "boss", "--email", "a@example.org"],
            None,
            "error: role: unknown role 'boss' (choose from organiser, coach, employer, door)",
        ),
        (
            ["--role", "coach", "--email", "not-an-address"],
            None,
            "error: email: 'not-an-address' is not a valid e-mail address",
        ),
        (
            ["--role", "employer", "--email", "w@example.org"],
            None,
            "error: organisation: an employer account needs --organisation",
        ),
        (
            ["--role", "coach", "--email", "c@example.org", "--password-stdin"],
            "kort\n",
            "error: password: the password must be at least 10 characters long",
        ),
        (
            ["--role", "coach", "--email", "c@example.org", "--event", "geen-event"],
            None,
            "error: event 'geen-event': not found",
        ),
    ],
)
def test_cli_users_add_bad_input_is_a_clear_message_and_exit_2(
    migrated: Settings, settings: Settings, args: list[str], stdin: str | None, message: str
) -> None:
    result = cli(settings, "users", "add", *args, stdin=stdin)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in result.stderr


def test_cli_users_add_duplicate_email_is_refused(migrated: Settings, settings: Settings) -> None:
    cli(settings, "users", "add", "--role", "coach", "--email", "dubbel@example.org")

    again = cli(settings, "users", "add", "--role", "organiser", "--email", "DUBBEL@example.org")

    assert again.returncode == 2
    assert again.stderr.strip() == "error: email: a user with e-mail dubbel@example.org already exists"


@pytest.mark.parametrize(
    "url",
    ["postgresql://nobody@127.0.0.1:1/nothing", "sqlite:////nonexistent-dir/sub/meetmatch.sqlite"],
)
def test_cli_unreachable_database_is_a_clear_message(settings: Settings, url: str) -> None:
    result = cli(
        settings, "users", "add", "--role", "coach", "--email", "x@example.org", env={"MEETMATCH_DATABASE_URL": url}
    )

    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot reach the database")
    assert "MEETMATCH_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_refuses_another_secret_key(settings: Settings) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0

    result = cli(settings, "db", "upgrade", env={"MEETMATCH_SECRET_KEY": "another-key-" + "y" * 40})

    assert result.returncode == 2
    assert "the secret key does not match" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_bad_setting_is_named(settings: Settings) -> None:
    result = cli(settings, "db", "upgrade", env={"MEETMATCH_BASE_URL": "not a url"})

    assert result.returncode == 2
    assert result.stderr.strip() == "error: MEETMATCH_BASE_URL: 'not a url' is not a valid http or https URL"


def test_cli_serve_refuses_an_unmigrated_database_without_migrate(settings: Settings) -> None:
    result = cli_process(settings, "serve", "--no-migrate", "--port", "1")

    assert result.returncode == 2
    assert result.stderr.strip() == "error: the database schema is not up to date; run `meetmatch db upgrade` first"
