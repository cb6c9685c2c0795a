"""The README's first command with another port, as a new user runs it: `meetmatch serve --demo --port 8102`
without MEETMATCH_BASE_URL says first where to open it, and the badges an organiser prints from it carry QR
codes that zbar reads as that server's own badge pages."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import ORGANISER, served_code
from tests.pdftools import decode_qr_codes, require_tools
from tests.served import clean_env, free_port, serving
from tests.waiting import wait_until

pytestmark = [pytest.mark.single_database, pytest.mark.slow]


def _port() -> int:
    """8102 as the issue has it, or another free port when something else listens there."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8102))
        except OSError:
            return free_port()
    return 8102


def _wait_until_done(client: httpx.Client, path: str, seconds: float = 180) -> str:
    """The job page refreshes itself while the PDF is made; its last state."""

    def finished() -> str:
        page = client.get(path)
        assert page.status_code == 200, page.text
        return page.text if 'http-equiv="refresh"' not in page.text else ""

    text = wait_until(finished, seconds, every=0.5)
    if text:
        return text
    raise AssertionError("the print job did not finish")


def test_demo_served_on_another_port_prints_badges_whose_qr_codes_open_that_server(tmp_path: Path) -> None:
    require_tools("pdftoppm", "zbarimg")
    port = _port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(tmp_path / "data")
    log = tmp_path / "serve.log"
    with (
        serving(port, ["--demo"], env=env, cwd=tmp_path, log=log, seconds=120),
        httpx.Client(base_url=base, timeout=30) as organiser,
    ):
        login = organiser.post(
            "/api/auth/login",
            json={"email": ORGANISER, "password": "samenwerkt", "code": served_code(ORGANISER)},
        )
        assert login.status_code == 200, login.text
        assert organiser.get("/events/samen-werkt/badges/").status_code == 200
        started = organiser.post(
            "/events/samen-werkt/badges/",
            data={"_csrf_token": organiser.cookies["csrftoken"], "what": "badges", "layout": "a4-8"},
        )
        assert started.status_code == 303, started.text
        job = started.headers["location"]
        _wait_until_done(organiser, job)
        pdf = organiser.get(f"{job}/download")
        assert pdf.status_code == 200
        (tmp_path / "badges.printing.pdf").write_bytes(pdf.content)
        pages = tmp_path / "pages"
        pages.mkdir()
        codes = [code for page in decode_qr_codes(tmp_path / "badges.printing.pdf", pages) for code in page]
        assert len(codes) == 58  # every candidate and every employer contact of the demo
        assert all(code.startswith(f"{base}/b/") for code in codes), codes[:3]
        opened = httpx.get(codes[0], timeout=30)
    printed = log.read_text()

    assert printed.splitlines()[0] == f"Open {base}/ in a browser (press Ctrl+C to stop)."
    assert f"Open {base}/ and log in" in printed
    assert "127.0.0.1:8000" not in printed
    assert opened.status_code == 200
    assert "Ronde" in opened.text
    # Its calendar links are absolute, on the same server.
    assert f'href="webcal://127.0.0.1:{port}/c/' in opened.text
    assert f'href="{base}/c/' in opened.text
