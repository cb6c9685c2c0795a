"""The console script, run as a person runs it: its exit code and what it prints (in this process through click's
runner; `--help` and `serve` also as a real process of the installed script)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from events.app import create_app
from events.platform.db import open_session
from events.platform.models import (
    CandidateParticipation,
    EmployerParticipation,
    Event,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from events.platform.settings import Settings
from tests.cli import cli, cli_process
from tests.conftest import run


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    """The schema in place, as `meetmatch db upgrade` leaves it (PostgreSQL needs that step; SQLite does it itself)."""
    result = cli(settings, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return settings


@pytest.fixture
def one_organising(migrated: Settings) -> Settings:
    """An installation with one organising organisation, Werkse!, as `meetmatch organisations add` makes it."""
    result = cli(migrated, "organisations", "add", "Werkse!")
    assert result.returncode == 0, result.stderr
    return migrated


async def _account(settings: Settings, email: str) -> tuple[Role, str | None]:
    """The role of the account with this e-mail and the name of its organisation (None: no organisation)."""
    async with open_session(settings) as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        organisation = await session.get(Organisation, user.organisation_id) if user.organisation_id else None
        return user.role, organisation.name if organisation else None


async def _organisations(settings: Settings) -> list[tuple[str, OrganisationKind]]:
    async with open_session(settings) as session:
        rows = await session.execute(select(Organisation.name, Organisation.kind).order_by(Organisation.id))
        return [(name, kind) for name, kind in rows]


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
    # Werkse!'s upcoming event (8 employers, 50 candidates) and its spring edition (8 employers, 24 candidates),
    # and BAKboord Den Haag's afternoon (5 employers, 20 candidates).
    assert run(counts()) == (3, 21, 94)


def test_cli_users_add_then_login_works(migrated: Settings, settings: Settings) -> None:
    assert cli(settings, "organisations", "add", "Perspektief", "--kind", "partner").returncode == 0
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


def test_cli_users_add_generates_a_password_when_none_is_given(one_organising: Settings, settings: Settings) -> None:
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
            "error: role: unknown role 'boss' (choose from admin, organiser, coach, employer, door)",
        ),
        (
            ["--role", "coach", "--email", "not-an-address"],
            None,
            "error: email: 'not-an-address' is not a valid e-mail address",
        ),
        (
            ["--role", "employer", "--email", "w@example.org"],
            None,
            "error: organisation: an employer account needs --organisation (the employer's name)",
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


def test_cli_users_add_duplicate_email_is_refused(one_organising: Settings, settings: Settings) -> None:
    first = cli(settings, "users", "add", "--role", "coach", "--email", "dubbel@example.org")
    assert first.returncode == 0, first.stderr

    again = cli(settings, "users", "add", "--role", "organiser", "--email", "DUBBEL@example.org")

    assert again.returncode == 2
    assert again.stderr.strip() == "error: email: a user with e-mail dubbel@example.org already exists"


def test_cli_organisations_add_makes_an_organising_organisation_unless_another_kind_is_named(
    migrated: Settings, settings: Settings
) -> None:
    organiser = cli(settings, "organisations", "add", "  BAKboord   Den Haag ")
    partner = cli(settings, "organisations", "add", "Reclassering Den Haag", "--kind", "partner")

    assert (organiser.returncode, partner.returncode) == (0, 0), organiser.stderr + partner.stderr
    assert organiser.stdout.startswith("created organiser organisation BAKboord Den Haag (id ")
    assert partner.stdout.startswith("created partner organisation Reclassering Den Haag (id ")
    assert run(_organisations(settings)) == [
        ("BAKboord Den Haag", OrganisationKind.ORGANISER),
        ("Reclassering Den Haag", OrganisationKind.PARTNER),
    ]


def test_cli_organisations_add_refuses_a_name_in_use_in_any_case(one_organising: Settings, settings: Settings) -> None:
    again = cli(settings, "organisations", "add", "WERKSE!", "--kind", "partner")

    assert again.returncode == 2
    assert again.stderr.strip() == "error: name: an organisation named 'WERKSE!' already exists"
    assert run(_organisations(settings)) == [("Werkse!", OrganisationKind.ORGANISER)]


def test_cli_users_add_in_an_unknown_organisation_says_how_to_add_it(
    one_organising: Settings, settings: Settings
) -> None:
    result = cli(settings, "users", "add", "--role", "coach", "--email", "c@example.org", "--organisation", "Onbekend")

    assert result.returncode == 2
    assert "there is no organisation named 'Onbekend'" in result.stderr
    assert "meetmatch organisations add" in result.stderr
    assert "Traceback" not in result.stderr
    assert run(_organisations(settings)) == [("Werkse!", OrganisationKind.ORGANISER)]


def test_cli_users_add_without_organisation_puts_the_account_in_the_only_organising_one(
    one_organising: Settings, settings: Settings
) -> None:
    assert cli(settings, "organisations", "add", "Reclassering Haaglanden", "--kind", "partner").returncode == 0

    result = cli(settings, "users", "add", "--role", "organiser", "--email", "jiske@example.org")

    assert result.returncode == 0, result.stderr
    assert run(_account(settings, "jiske@example.org")) == (Role.ORGANISER, "Werkse!")


def test_cli_users_add_without_organisation_on_an_empty_installation_says_how_to_add_one(
    migrated: Settings, settings: Settings
) -> None:
    result = cli(settings, "users", "add", "--role", "organiser", "--email", "jiske@example.org")

    assert result.returncode == 2
    assert "no organising organisation yet" in result.stderr
    assert "meetmatch organisations add" in result.stderr


def test_cli_users_add_without_organisation_among_two_organising_ones_asks_which(
    one_organising: Settings, settings: Settings
) -> None:
    assert cli(settings, "organisations", "add", "BAKboord Den Haag").returncode == 0

    result = cli(settings, "users", "add", "--role", "coach", "--email", "c@example.org")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: organisation: name the account's organisation with --organisation (this installation has several)"
    )


def test_cli_users_add_an_administrator_belongs_to_no_organisation(migrated: Settings, settings: Settings) -> None:
    result = cli(settings, "users", "add", "--role", "admin", "--email", "beheer@example.org")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created admin beheer@example.org")
    assert run(_account(settings, "beheer@example.org")) == (Role.ADMIN, None)


def test_cli_users_add_an_administrator_in_an_organisation_is_refused(
    one_organising: Settings, settings: Settings
) -> None:
    result = cli(
        settings, "users", "add", "--role", "admin", "--email", "beheer@example.org", "--organisation", "Werkse!"
    )

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: organisation: an administrator belongs to no organisation: leave out --organisation"
    )


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


def test_cli_organisations_list_rename_and_deactivate(one_organising: Settings, settings: Settings) -> None:
    assert cli(settings, "organisations", "add", "Groen BV", "--kind", "employer").returncode == 0
    added = cli(
        settings,
        "users",
        "add",
        "--role",
        "employer",
        "--email",
        "groen@example.org",
        "--organisation",
        "Groen BV",
        "--password-stdin",
        stdin="lang-genoeg-wachtwoord\n",
    )
    assert added.returncode == 0, added.stderr

    listed = cli(settings, "organisations", "list")
    renamed = cli(settings, "organisations", "rename", "groen bv", "Groen en Zo")
    taken = cli(settings, "organisations", "rename", "Groen en Zo", "werkse!")
    unknown = cli(settings, "organisations", "deactivate", "Onbekend")
    off = cli(settings, "organisations", "deactivate", "Groen en Zo")

    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert ["Groen", "BV", "employer", "active", "1", "0", "0"] in rows
    assert ["Werkse!", "organiser", "active", "0", "0", "0"] in rows
    assert (renamed.returncode, renamed.stdout.strip()) == (0, "renamed to Groen en Zo")
    assert taken.returncode == 2
    assert "an organisation named 'Werkse!' already exists" in taken.stderr
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "error: name: there is no organisation named 'Onbekend'")
    assert off.returncode == 0, off.stderr
    credentials = {"email": "groen@example.org", "password": "lang-genoeg-wachtwoord"}
    with TestClient(create_app(settings)) as client:
        refused = client.post("/api/auth/login", json=credentials)
    assert refused.status_code == 401
    assert cli(settings, "organisations", "deactivate", "Groen en Zo", "--undo").returncode == 0
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/auth/login", json=credentials).status_code == 200
