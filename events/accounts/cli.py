"""`meetmatch organisations`: the organisations on an installation, for whoever runs the server.

An organising organisation owns its events, programmes and candidates; a partner organisation is invited into
them; an employer takes part in events. Accounts are made in an existing organisation (`meetmatch users add`,
or an organiser's invitation in the app). events/cli.py mounts this group; like events/platform/cli.py, this
module imports only click at the top.
"""

from __future__ import annotations

from typing import Any

import click

from events.platform.cli import CliError, handled, prepared_settings, run

KINDS = click.Choice(["organiser", "partner", "employer"])


@click.group("organisations")
def organisations_group() -> None:
    """Organisations: organising ones own their events, programmes and candidates."""


@organisations_group.command("add")
@click.argument("name")
@click.option("--kind", type=KINDS, default="organiser", show_default=True, help="What the organisation does here.")
@handled
def add(name: str, kind: str) -> None:
    """Add an organisation; then make its first account with `meetmatch users add --organisation NAME`."""
    settings = prepared_settings()

    async def work() -> Any:
        from events.platform.db import open_session
        from events.platform.models import OrganisationKind
        from events.platform.organisations import add_organisation

        async with open_session(settings) as session:
            organisation = await add_organisation(session, name, OrganisationKind(kind))
            await session.commit()
            return organisation

    organisation = run(work())
    click.echo(f"created {organisation.kind.value} organisation {organisation.name} (id {organisation.id})")


@organisations_group.command("list")
@handled
def list_organisations() -> None:
    """Every organisation with its kind, state and how many accounts, events and candidates it has."""
    settings = prepared_settings()

    async def work() -> Any:
        from events.accounts.admin import organisation_counts
        from events.platform.db import open_session

        async with open_session(settings) as session:
            return await organisation_counts(session)

    rows = run(work())
    if not rows:
        click.echo("no organisations yet; add one with: meetmatch organisations add NAME")
        return
    width = max(len(row.name) for row in rows)
    click.echo(f"{'name':<{width}}  {'kind':<9} {'state':<8} accounts events candidates")
    for row in rows:
        state = "active" if row.active else "inactive"
        click.echo(
            f"{row.name:<{width}}  {row.kind:<9} {state:<8} {row.accounts:>8} {row.events:>6} {row.candidates:>10}"
        )


@organisations_group.command("rename")
@click.argument("name")
@click.argument("new_name")
@handled
def rename(name: str, new_name: str) -> None:
    """Give an organisation another name (after an upgrade, the one that took over everything)."""
    settings = prepared_settings()

    async def work() -> str:
        from events.platform.db import open_session
        from events.platform.organisations import clean_name, find_organisation, named_organisation

        async with open_session(settings) as session:
            organisation = await named_organisation(session, name)
            clean = clean_name(new_name, "new_name")
            other = await find_organisation(session, clean)
            if other is not None and other.id != organisation.id:
                raise CliError(f"NEW_NAME: an organisation named {other.name!r} already exists")
            organisation.name = clean
            await session.commit()
            return clean

    click.echo(f"renamed to {run(work())}")


@organisations_group.command("deactivate")
@click.argument("name")
@click.option("--undo", is_flag=True, help="Activate it again.")
@handled
def deactivate(name: str, undo: bool) -> None:
    """Stop every account of the organisation from logging in (nothing is deleted); --undo lets them in again."""
    settings = prepared_settings()

    async def work() -> str:
        from events.accounts.admin import set_active
        from events.platform.db import open_session
        from events.platform.organisations import named_organisation

        async with open_session(settings) as session:
            organisation = await named_organisation(session, name)
            await set_active(session, None, organisation, active=undo)
            await session.commit()
            return organisation.name

    done = run(work())
    click.echo(f"{done} is {'active again' if undo else 'deactivated: its accounts no longer log in'}")
