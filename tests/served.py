"""`meetmatch serve` in a process of its own, for the tests that need a real server: the README's command, other
ports, a process's memory, several processes on one database."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.cli import MEETMATCH
from tests.waiting import wait_until

__all__ = ["MEETMATCH", "free_port", "serving"]


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
