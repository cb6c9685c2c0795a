"""The command line's plumbing, shared by every slice's commands: the root group ``meetmatch`` (events/cli.py
adds the commands of each slice to it), one-line errors with exit code 2, settings, and the schema check.

Module-level imports stay light (click only): ``meetmatch schedule ...`` must start fast, so the web stack,
the database layer and WeasyPrint are imported inside the commands that need them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")


class CliError(click.ClickException):
    """Bad input or an unusable environment: a clear message and exit code 2, never a traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _describe_database_error(exc: BaseException) -> str | None:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    name = type(getattr(exc, "orig", exc)).__name__
    if isinstance(exc, OSError | ConnectionError) or "connect" in text.lower() or "unable to open" in text.lower():
        return f"cannot reach the database ({name}: {text}); check MEETMATCH_DATABASE_URL"
    return None


def handle_errors(func: Callable[..., T]) -> Callable[..., T]:
    """Turn every foreseeable failure into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        from sqlalchemy.exc import DBAPIError, OperationalError

        from events.platform.errors import DomainError, NotFoundError
        from events.platform.services import KeyMismatchError
        from events.platform.settings import SettingsError

        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except NotFoundError as exc:
            raise CliError(f"{exc.what}: not found") from None
        except DomainError as exc:
            prefix = f"{exc.field}: " if exc.field else ""
            raise CliError(f"{prefix}{exc.message}") from None
        except (SettingsError, KeyMismatchError) as exc:
            raise CliError(str(exc)) from None
        except (OperationalError, DBAPIError, OSError) as exc:
            message = _describe_database_error(exc) or f"database error: {str(exc).splitlines()[0]}"
            raise CliError(message) from None

    return wrapper


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine to its end."""
    return asyncio.run(coro)


def load_settings() -> Any:
    """The settings from the MEETMATCH_* environment variables, read when the command runs."""
    from events.platform.settings import Settings

    return Settings.from_env()


def handled(func: Callable[..., T]) -> Callable[..., T]:
    """Kept for the slices' commands: the same as handle_errors."""
    return handle_errors(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option("0.1.0", prog_name="meetmatch")
def main() -> None:
    """meetmatch: meet & match events from registration to the job.

    Settings come from MEETMATCH_* environment variables (MEETMATCH_DATABASE_URL, MEETMATCH_DATA_DIR,
    MEETMATCH_SECRET_KEY, MEETMATCH_BASE_URL, MEETMATCH_REDIS_URL, MEETMATCH_SMTP_URL).
    """


async def check_key(settings: Any) -> None:
    from events.platform.db import open_session
    from events.platform.services import check_key_fingerprint

    async with open_session(settings) as session:
        await check_key_fingerprint(session, settings.key_fingerprint)
        await session.commit()


async def prepare(settings: Any, *, migrate: bool) -> None:
    """Migrate (SQLite default) or insist on a migrated schema (PostgreSQL), then check the key."""
    from events.platform.migrate import current_revision, head_revision, upgrade

    if migrate:
        await upgrade(settings)
    elif await current_revision(settings) != head_revision(settings):
        msg = "the database schema is not up to date; run `meetmatch db upgrade` first"
        raise CliError(msg)
    await check_key(settings)


LANGUAGE = click.option(
    "--language",
    default="nl",
    type=click.Choice(["nl", "en"]),
    show_default=True,
    help="Language of the problems reported and the export's headers.",
)


def prepared_settings() -> Any:
    """The settings, with the database migrated (SQLite) or checked to be up to date (PostgreSQL)."""
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))
    return settings


def write_file(path: Path, data: bytes) -> None:
    """Write all or nothing: a temporary file beside the target, renamed into place."""
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror}") from None


async def system_user(session: Any) -> Any:
    """The account that commands act as (imported when a command runs: the database layer is not light)."""
    from events.platform.services import system_user as find

    return await find(session)
