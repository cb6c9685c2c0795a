"""`meetmatch badges EVENT -o FILE.pdf`: badges, table cards, table sheets or handouts as one PDF.

events/cli.py mounts this command while it is itself being imported, so only click is imported at the
top; the database, the renderer and WeasyPrint load when the command runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from events.platform.cli import handled

WHAT = ("badges", "table-cards", "table-sheets", "handouts", "attendance")
LAYOUTS = ("a4-8", "a4-10", "a6")
KINDS = ("candidate", "employer", "staff", "guest")


class _OneLineChoice(click.Choice):  # type: ignore[type-arg]
    """A choice whose error is our one line: `error: --layout: choose one of ...`, exit code 2."""

    def fail(self, message: str, param: click.Parameter | None = None, ctx: click.Context | None = None) -> Any:
        from events.platform.cli import CliError

        name = param.opts[0] if param is not None and param.opts else "value"
        raise CliError(f"{name}: choose one of {', '.join(str(c) for c in self.choices)}")


def check_target(path: Path) -> None:
    """Refuse, before any work, a file that cannot be written: a missing folder, a folder, one where no
    file can be made (permissions, a read-only or virtual file system: a trial file is made and removed)."""
    from events.platform.cli import CliError

    if path.suffix.lower() != ".pdf":
        raise CliError(f"{path.name}: choose a file name ending in .pdf")
    folder = path.parent if str(path.parent) else Path()
    if path.is_dir():
        raise CliError(f"{path}: is a folder")
    if not folder.is_dir():
        raise CliError(f"{path}: cannot write: the folder {folder} does not exist")
    try:
        handle, trial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise CliError(f"{path}: cannot write: {exc.strerror or exc}") from None
    os.close(handle)
    os.unlink(trial)


@click.command("badges")
@click.argument("event_ref", metavar="EVENT")
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path), help="The PDF to write.")
@click.option("--what", default="badges", show_default=True, type=_OneLineChoice(WHAT), help="What to print.")
@click.option("--layout", default="a4-8", show_default=True, type=_OneLineChoice(LAYOUTS), help="Badge sheet layout.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=_OneLineChoice(KINDS),
    help="Whose badges (repeatable; default: every candidate, employer contact and guest).",
)
@click.option(
    "--holder",
    "holders",
    multiple=True,
    metavar="KIND:ID",
    help=(
        "Only this person (repeatable): candidate:<participation id>, employer:<contact id>, staff:<user id>,"
        " guest:<guest id>."
    ),
)
@click.option(
    "--only",
    type=_OneLineChoice(("changed",)),
    default=None,
    help="changed: only the people (or tables) the newest publish of the programme changed.",
)
@click.option("--language", default="nl", type=_OneLineChoice(("nl", "en")), show_default=True)
@handled
def badges_command(
    event_ref: str,
    path: Path,
    what: str,
    layout: str,
    kinds: tuple[str, ...],
    holders: tuple[str, ...],
    only: str | None,
    language: str,
) -> None:
    """Print an event's badges (front: name, role colour, number, QR; back: the person's round card),
    table cards, table sheets or personal handouts as one PDF, written all or nothing.

    Badge layouts: a4-8 (8 cards of 90 x 55 mm), a4-10 (10 cards of 85 x 54 mm), both printed double-sided
    (flip on the long edge), and a6 (one badge that folds over its round card).
    """
    from badges.models import HolderKind
    from badges.printing.data import DEFAULT_KINDS, Selection, describe, parse_holder, prepare
    from events.platform.cli import load_settings, run
    from events.platform.cli import prepare as prepare_database

    check_target(path)
    selection = Selection(
        what=what,
        layout=layout,
        kinds=tuple(HolderKind(k) for k in dict.fromkeys(kinds)) or DEFAULT_KINDS,
        holders=tuple(parse_holder(h) for h in holders) if holders else None,
        only_changed=only == "changed",
        language=language,
    ).check()
    settings = load_settings()
    run(prepare_database(settings, migrate=settings.is_sqlite))

    async def collect() -> Any:
        from events.platform.db import open_session
        from events.platform.services import find_event, system_user

        async with open_session(settings) as session:
            event = await find_event(session, event_ref)
            work = await prepare(session, settings, await system_user(session), event, selection)
            await session.commit()  # the badge tokens made for people who had none
            return work

    work = run(collect())
    if not work.pages:
        from events.platform.cli import CliError

        raise CliError("nobody to print for: the selection is empty")
    from events.platform.serving import unreachable_warning

    if warning := unreachable_warning(settings):
        click.echo(warning, err=True)
    from badges.printing.pdf import render

    bar: Any
    with click.progressbar(length=len(work.pages), label="rendering", file=sys.stderr) as bar:
        done = 0

        def advance(pages: int, _total: int) -> None:
            nonlocal done
            bar.update(pages - done)
            done = pages

        data = render(work.pages, title=work.title, language=work.language, progress=advance)
    from events.platform.cli import write_file

    write_file(path, data)
    click.echo(f"wrote {describe(work, selection)} to {path}")
