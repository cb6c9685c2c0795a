"""The console script for the tests: `meetmatch ARGS` run in this process through click's CliRunner (a fraction of
a second, where a process of its own took 8 to 16), or as a real process for the few smoke tests that must
prove the installed script itself.

Both give a `subprocess.CompletedProcess`-like result (returncode, stdout, stderr), so a test reads the same
whichever runs it. In-process, the command sees the environment a process would have (the settings as
MEETMATCH_* variables, read by the command itself), its standard input, and its own exit code; an exception it
does not handle becomes exit code 1 with the traceback on its stderr, as Python prints it. What the command
changes for the whole process (environment variables, the field encryption key) is put back afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from events.platform import crypto
from events.platform.settings import Settings

MEETMATCH = str(Path(sys.executable).parent / "meetmatch")


@dataclass(frozen=True)
class Ran:
    """What a run of `meetmatch` left: as `subprocess.CompletedProcess` names it."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def environment(settings: Settings, env: dict[str, str] | None = None) -> dict[str, str]:
    """The MEETMATCH_* variables that point the command at this test's database and data folder."""
    return {
        "MEETMATCH_DATA_DIR": str(settings.data_dir),
        "MEETMATCH_DATABASE_URL": settings.database_url,
        "MEETMATCH_SECRET_KEY": settings.secret_key,
        **({"MEETMATCH_DATABASE_SCHEMA": settings.database_schema} if settings.database_schema else {}),
        **(env or {}),
    }


def cli(settings: Settings, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Ran:
    """`meetmatch ARGS` in this process, with ``stdin`` as its standard input and ``env`` on top of the settings'
    variables."""
    from events.cli import main

    saved_environ = dict(os.environ)
    saved_keys = dict(crypto._keys)
    try:
        result = CliRunner().invoke(
            main, list(args), input=stdin, env=environment(settings, env), prog_name="meetmatch", catch_exceptions=True
        )
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        crypto._keys.clear()
        crypto._keys.update(saved_keys)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Ran(["meetmatch", *args], result.exit_code, result.stdout, stderr)


def cli_process(
    settings: Settings, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`meetmatch ARGS` as a process of its own: the installed console script, as a person runs it."""
    return subprocess.run(
        [MEETMATCH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **environment(settings, env)},
        timeout=120,
        check=False,
    )
