"""A non-editable install works: the built wheel, in a fresh virtualenv, serves a Dutch page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.single_database, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_wheel_installs_into_fresh_virtualenv_and_serves_dutch_page(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("meetmatch-*.whl"))
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = Path(
        subprocess.run(
            [str(target / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies come from the test environment (a path, not a site dir, so its .pth files are not read
    # and an editable checkout stays invisible); meetmatch itself comes only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(target / "bin" / "python"),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    workdir = tmp_path / "work"
    workdir.mkdir()
    # Without PYTHONPATH too: the checkout on it (as the project's test command sets it) would be imported
    # instead of the wheel.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_") and k != "PYTHONPATH"}
    env["MEETMATCH_DATA_DIR"] = str(workdir / "data")
    where = subprocess.run(
        [
            str(target / "bin" / "python"),
            "-c",
            "import events, templates; print(events.__file__); print(templates.__file__)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
    ).stdout.split()
    assert all(path.startswith(str(site)) for path in where)

    port = free_port()
    server = subprocess.Popen(
        [str(target / "bin" / "meetmatch"), "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def login_page() -> str:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    return str(response.read().decode())
            except OSError:
                return ""

        page = wait_until(login_page, 30, every=0.25)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css", timeout=5) as response:
            css = response.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]

    assert '<html lang="nl">' in page, output
    assert "Inloggen" in page
    assert "E-mailadres" in page
    assert "--brand" in css
