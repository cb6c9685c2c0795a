"""`meetmatch serve` in a process of its own, for the tests that need a real server: the README's command, other
ports, a process's memory, several processes on one database."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from events.platform.settings import Settings
from tests.cli import MEETMATCH
from tests.conftest import TEST_KEY
from tests.waiting import wait_until

__all__ = ["MEETMATCH", "app_env", "clean_env", "free_port", "served_app", "serving"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    port: int, options: Sequence[str], *, env: dict[str, str], cwd: Path, log: Path, seconds: float = 60
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`meetmatch serve --port PORT OPTIONS` (its output to ``log``), once it answers /healthz; yields its base URL
    and the process, and stops it afterwards."""
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [MEETMATCH, "serve", "--port", str(port), *options],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def answers() -> bool:
        try:
            httpx.get(base + "/healthz", timeout=1)
        except httpx.HTTPError:
            assert server.poll() is None, f"meetmatch serve stopped: {log.read_text()}"
            return False
        return True

    try:
        assert wait_until(answers, seconds, every=0.1), (
            f"meetmatch serve did not answer in {seconds} s: {log.read_text()}"
        )
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its own MEETMATCH_ variables, the data in ``data_dir``, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_")}
    env["MEETMATCH_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def app_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `meetmatch serve` on ``settings``: none of this process's own MEETMATCH_ variables,
    the test key, the background jobs' timer off, and ``extra``."""
    env = clean_env(
        settings.data_dir,
        MEETMATCH_DATABASE_URL=settings.database_url,
        MEETMATCH_SECRET_KEY=TEST_KEY,
        MEETMATCH_JOBS_INTERVAL="0",
        **extra,
    )
    if settings.database_schema:
        env["MEETMATCH_DATABASE_SCHEMA"] = settings.database_schema
    return env


@contextmanager
def served_app(
    settings: Settings, workdir: Path, log: Path | None = None, **extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`meetmatch serve` on ``settings`` (already migrated) on a free port, its output to ``log`` (by default
    serve.log in ``workdir``): its base URL and the process."""
    port = free_port()
    env = app_env(settings, MEETMATCH_BASE_URL=f"http://127.0.0.1:{port}", **extra)
    with serving(port, ["--no-migrate"], env=env, cwd=workdir, log=log or workdir / "serve.log") as (base, server):
        yield base, server
