"""Which address badges, calendar links and e-mails carry: `serve` without MEETMATCH_BASE_URL follows its own
--host and --port and says first where to open it; commands without a server warn when phones could not open
what they make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from events.cli import main
from events.platform.serving import served_address, unreachable_warning
from events.platform.settings import Settings
from tests.badges.printing.test_print_cli import demo_cli  # noqa: F401 - a fixture
from tests.cli import cli


def test_served_address_follows_host_and_port_when_no_base_url_is_set() -> None:
    local = served_address("127.0.0.1", 8102, None)
    named = served_address("localhost", 8102, None)
    six = served_address("::1", 8102, None)
    lan = served_address("192.168.1.20", 8102, None)

    assert (local.base_url, named.base_url, six.base_url, lan.base_url) == (
        "http://127.0.0.1:8102",
        "http://localhost:8102",
        "http://[::1]:8102",
        "http://192.168.1.20:8102",
    )
    # Only this computer opens a loopback address: said once, with what to do for phones.
    assert any("phones" in note and "--host 0.0.0.0" in note for note in local.notes)
    assert lan.notes == ()


def test_served_address_on_every_interface_names_the_network_address_and_how_to_set_it() -> None:
    found = served_address("0.0.0.0", 8102, None, find_address=lambda: "192.168.1.20")  # noqa: S104
    lost = served_address("::", 8102, None, find_address=lambda: None)
    text = "\n".join(found.notes)

    assert found.base_url == "http://192.168.1.20:8102"
    assert "http://192.168.1.20:8102/" in text
    assert "MEETMATCH_BASE_URL=http://192.168.1.20:8102 meetmatch serve --host 0.0.0.0 --port 8102" in text
    assert lost.base_url == "http://127.0.0.1:8102"
    assert any("MEETMATCH_BASE_URL" in note and "network address" in note for note in lost.notes)


def test_served_address_keeps_a_base_url_that_is_set() -> None:
    chosen = served_address("0.0.0.0", 8102, "https://meet.example.nl", find_address=lambda: "10.0.0.5")  # noqa: S104

    assert (chosen.base_url, chosen.notes) == ("https://meet.example.nl", ())


def test_unreachable_warning_for_an_unset_or_loopback_base_url_only(tmp_path: Path) -> None:
    def settings(**env: str) -> Settings:
        return Settings.from_env({"MEETMATCH_DATA_DIR": str(tmp_path), **env})

    unset = unreachable_warning(settings())
    loopback = unreachable_warning(settings(MEETMATCH_BASE_URL="http://localhost:8102"))
    public = unreachable_warning(settings(MEETMATCH_BASE_URL="https://meet.example.nl"))
    network = unreachable_warning(settings(MEETMATCH_BASE_URL="http://192.168.1.20:8102"))

    assert unset is not None
    assert "MEETMATCH_BASE_URL is not set" in unset
    assert "http://127.0.0.1:8000" in unset
    assert "phones cannot open" in unset
    assert loopback is not None
    assert "http://localhost:8102" in loopback
    assert (public, network) == (None, None)


@pytest.mark.single_database
def test_serve_without_a_base_url_puts_its_own_address_in_the_app_and_says_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(*args: Any, **kwargs: Any) -> None:
        import os

        seen.update(kwargs, base_url=os.environ.get("MEETMATCH_BASE_URL"))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    for name in ("MEETMATCH_BASE_URL", "MEETMATCH_DATABASE_URL", "MEETMATCH_SECRET_KEY", "MEETMATCH_JOBS_INTERVAL"):
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.setenv("MEETMATCH_DATA_DIR", str(tmp_path / "data"))

    result = CliRunner().invoke(main, ["serve", "--port", "8102"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Open http://127.0.0.1:8102/ in a browser (press Ctrl+C to stop)."
    assert (seen["base_url"], seen["host"], seen["port"]) == ("http://127.0.0.1:8102", "127.0.0.1", 8102)
    assert "http://127.0.0.1:8000" not in result.output


def test_badges_and_mail_warn_when_phones_cannot_open_their_links(
    demo_cli: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    unset = cli(demo_cli, "badges", "samen-werkt", "--kind", "employer", "-o", str(tmp_path / "a.pdf"))
    mail = cli(demo_cli, "mail", "samen-werkt", "--dry-run")
    public = cli(
        demo_cli,
        "badges",
        "samen-werkt",
        "--kind",
        "employer",
        "-o",
        str(tmp_path / "b.pdf"),
        env={"MEETMATCH_BASE_URL": "https://meet.example.nl"},
    )

    assert unset.returncode == mail.returncode == public.returncode == 0, unset.stderr + mail.stderr
    for result in (unset, mail):
        assert "warning: MEETMATCH_BASE_URL is not set" in result.stderr
        assert "phones cannot open" in result.stderr
    assert "warning" not in public.stderr
