"""`meetmatch ics EVENT -o DIR`: one .ics file per person with a talk in the published programme.

events/cli.py mounts this command while it is itself being imported, so the shared helpers (error handling,
settings, schema check) are fetched when the command runs, and nothing heavy is imported at the top.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


def write_file(path: Path, data: bytes) -> None:
    """All or nothing: a temporary file beside the target, renamed into place."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("ics")
@click.argument("event_ref", metavar="EVENT")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="The directory to write into (made when missing).",
)
def ics_command(event_ref: str, output: Path) -> None:
    """Write each person's calendar of EVENT (id or slug) into a directory, one flat file per person with a talk.

    The names stay the same from run to run and hold no personal data: candidate-<participation id>.ics
    for candidates, employer-<contact id>.ics for employers' contact persons. Each file has the person's
    talks of the published programme in their language, and the talks an earlier publish had and the newest
    one dropped, as cancelled.
    """
    from events.platform.cli import CliError, handle_errors, load_settings, run

    @handle_errors
    def go() -> None:
        from events.platform.cli import prepare

        settings = load_settings()
        run(prepare(settings, migrate=settings.is_sqlite))
        if output.exists() and not output.is_dir():
            raise CliError(f"{output}: not a directory")

        async def work() -> tuple[str, dict[str, bytes], dict[str, int]]:
            from badges.calendars.services import calendar_data, calendar_filename, person_ics
            from badges.models import HolderKind
            from badges.people import holders
            from events.platform.db import open_session
            from events.platform.services import find_event

            async with open_session(settings) as session:
                event = await find_event(session, event_ref)
                data = await calendar_data(session, event)
                if data.version is None:
                    raise CliError(f"{event.slug}: no programme is published yet; publish one first")
                files: dict[str, bytes] = {}
                counts = {kind.value: 0 for kind in (HolderKind.CANDIDATE, HolderKind.EMPLOYER)}
                for holder in await holders(session, event, (HolderKind.CANDIDATE, HolderKind.EMPLOYER)):
                    if data.of(holder):
                        files[calendar_filename(holder)] = person_ics(data, holder)
                        counts[holder.kind.value] += 1
                return event.slug, files, counts

        slug, files, counts = run(work())
        try:
            output.mkdir(parents=True, exist_ok=True)
            for name, body in files.items():
                write_file(output / name, body)
        except OSError as exc:
            raise CliError(f"{output}: cannot write: {exc.strerror or exc}") from None
        click.echo(
            f"wrote {len(files)} calendars of {slug} to {output} "
            f"({counts['candidate']} candidates, {counts['employer']} employer contacts)"
        )

    go()
