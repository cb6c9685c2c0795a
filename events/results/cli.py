"""`meetmatch report EVENT -o FILE.pdf` (or `--programme SLUG|NAME|ID`): the results report as a PDF (or, with
`--format json`, its figures as JSON), with no names; `--anonymised` also hides groups of fewer than 5 people, for
sharing outside the organisation.

events/cli.py mounts this command while it is itself being imported, so only click is imported at the top;
the database, the figures and WeasyPrint load when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from events.platform.cli import handled


@click.command("report")
@click.argument("event_ref", metavar="EVENT", required=False)
@click.option(
    "-o", "--output", "path", required=True, type=click.Path(path_type=Path), help="The PDF (or JSON) to write."
)
@click.option(
    "--programme", "programme_ref", metavar="SLUG|NAME|ID", help="A programme's report instead of an event's."
)
@click.option(
    "--format",
    "fmt",
    default="pdf",
    type=click.Choice(["pdf", "json"]),
    show_default=True,
    help="A PDF to read, or the same figures as JSON.",
)
@click.option(
    "--language",
    default="nl",
    type=click.Choice(["nl", "en"]),
    show_default=True,
    help="Language of the report.",
)
@click.option(
    "--anonymised",
    is_flag=True,
    help="Hide groups of fewer than 5 people (shown as <5), for funders and anyone outside the organisation.",
)
@handled
def report_command(
    event_ref: str | None, path: Path, programme_ref: str | None, fmt: str, language: str, anonymised: bool
) -> None:
    """Write the results report of an event (EVENT: id or slug) or of a programme as a PDF: the funnel, the
    outcomes after 1, 3 and 6 months, per employer and coach organisation, targets, funder figures and the
    evaluation, with charts. It names nobody; with --anonymised, groups of fewer than 5 people show as <5."""
    from events.platform import i18n
    from events.platform.cli import CliError, load_settings, prepare, run

    if (event_ref is None) == (programme_ref is None):
        raise CliError("name an EVENT or a --programme (one of the two)")
    if path.suffix.lower() != f".{fmt}":
        raise CliError(f"{path.name}: choose a file name ending in .{fmt}")
    if path.is_dir() or not (path.parent if str(path.parent) else Path()).is_dir():
        raise CliError(f"{path}: cannot write there")
    settings = load_settings()
    run(prepare(settings, migrate=settings.is_sqlite))

    async def collect() -> tuple[str | bytes, str]:
        from events.platform import dates
        from events.platform.db import open_session
        from events.platform.services import find_event, system_user
        from events.results import document, pdf, services
        from events.results.view import event_view, programme_view

        day = dates.today()
        with i18n.language(language):
            async with open_session(settings) as session:
                user = await system_user(session)
                if programme_ref is not None:
                    programme = await services.find_programme(session, user, programme_ref)
                    programme_figures = await services.programme_results(session, user, programme, day)
                    view = programme_view(programme_figures, anonymised=anonymised)
                    kind, what = "programme", f"programme {programme.name!r}"
                else:
                    event = await find_event(session, event_ref or "")
                    _, figures = await services.event_results(session, user, event.id, day)
                    view = event_view(figures, anonymised=anonymised)
                    kind, what = "event", f"event {event.slug}"
                if fmt == "json":
                    return document.report_json(view, kind=kind, day=day), what
                return pdf.report_html(view, kind=kind, day=day), what

    content, what = run(collect())
    from events.platform.cli import write_file

    if isinstance(content, bytes):
        write_file(path, content)
    else:
        from events.results.pdf import render_pdf

        write_file(path, render_pdf(content))
    click.echo(f"wrote the report of {what} to {path}")
