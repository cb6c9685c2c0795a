"""`meetmatch schedule build|export`: the programme of an event in the database (the rest of the
`schedule` commands work on JSON files and need no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.command("build")
@click.argument("event_ref", metavar="EVENT")
@click.option("--publish", is_flag=True, help="Publish the new version right away.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for tie-breaking.")
def build_command(event_ref: str, publish: bool, seed: int) -> None:
    """Build a new version of EVENT's programme (id or slug) from its people and wishes."""
    from events.platform.cli import handle_errors, load_settings, run

    @handle_errors
    def go() -> None:
        settings = load_settings()

        async def work() -> Any:
            from events.platform.db import open_session
            from events.platform.services import find_event, system_user
            from schedule import services

            async with open_session(settings) as session:
                event = await find_event(session, event_ref)
                user = await system_user(session)
                with click.progressbar(length=100, label="building", file=None) as bar:
                    done = [0]

                    def progress(_stage: str, fraction: float) -> None:
                        step = int(fraction * 100) - done[0]
                        if step > 0:
                            bar.update(step)
                            done[0] += step

                    version = await services.build_version(session, user, event, progress=progress, seed=seed)
                    bar.update(100 - done[0])
                if publish:
                    await services.publish(session, user, event, version.number)
                await session.commit()
                return version, await services.count_meetings(session, version)

        version, meetings = run(work())
        stats = version.stats
        state = "published" if publish else "draft"
        click.echo(
            f"version {version.number} ({state}): {meetings} talks; fairness {stats.get('fairness')} of at most "
            f"{stats.get('fairness_bound')}; weight {stats.get('weight')} of at most {stats.get('weight_bound')}; "
            f"{stats.get('below_min')} below their minimum"
        )

    go()


@click.command("export")
@click.argument("event_ref", metavar="EVENT")
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_command(event_ref: str, output: Path) -> None:
    """Write instance.json and solution.json of EVENT's newest published programme into a directory."""
    from events.platform.cli import handle_errors, load_settings, run

    @handle_errors
    def go() -> None:
        settings = load_settings()

        async def work() -> tuple[dict[str, Any], dict[str, Any]]:
            from events.platform.db import open_session
            from events.platform.services import find_event
            from schedule import services

            async with open_session(settings) as session:
                return await services.export_published(session, await find_event(session, event_ref))

        instance, solution = run(work())
        output.mkdir(parents=True, exist_ok=True)
        (output / "instance.json").write_text(json.dumps(instance, indent=1) + "\n", encoding="utf-8")
        (output / "solution.json").write_text(json.dumps(solution, indent=1) + "\n", encoding="utf-8")
        click.echo(f"wrote {output / 'instance.json'} and {output / 'solution.json'}")

    go()
