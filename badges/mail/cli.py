"""`meetmatch mail`: queue each person's programme e-mail (or show what would be sent)."""

from __future__ import annotations

import click

from events.platform.cli import LANGUAGE, handled, prepared_settings, system_user


@click.command("mail")
@click.argument("event_ref", metavar="EVENT")
@click.option(
    "--kind",
    type=click.Choice(["programme", "update"]),
    default="programme",
    show_default=True,
    help="The programme, or the notice that it has changed.",
)
@click.option("--only", type=click.Choice(["changed"]), help="Only the people the last publish affected.")
@click.option("--dry-run", is_flag=True, help="List what would be sent; queue nothing.")
@LANGUAGE
@handled
def mail_command(event_ref: str, kind: str, only: str | None, dry_run: bool, language: str) -> None:
    """Queue the programme e-mail of every person of EVENT (people without an address: to their coach).

    Messages wait in the outbox until `meetmatch jobs run` (or `serve`'s timer) sends them; a message
    queued before is not queued again.
    """
    from events.platform import i18n
    from events.platform.cli import run

    settings = prepared_settings()

    async def work() -> list[str]:
        from badges.mail import services as mailing
        from events.platform.db import open_session
        from events.platform.services import audit, find_event

        with i18n.language(language):
            async with open_session(settings) as session:
                event = await find_event(session, event_ref)
                if dry_run:
                    planned = await mailing.plan(session, event, kind, only_changed=only == "changed")
                    lines = [
                        f"{m.to_address}\t{m.holder.full_name}{' (via coach)' if m.via_coach else ''}\t{m.subject}"
                        for m in planned.messages
                    ]
                    lines += [f"no address: {h.full_name}" for h in planned.unreachable]
                    lines.append(f"dry run: {len(planned.messages)} message(s) would be queued; nothing was written")
                    return lines
                result = await mailing.queue(session, settings, event, kind, only_changed=only == "changed")
                user = await system_user(session)
                await audit(session, user, "mail", "event", event.id, detail={"kind": kind, "queued": result.queued})
                await session.commit()
        return [
            f"queued {result.queued} message(s) for {event.slug}; {result.already} queued before; "
            f"{result.unreachable} without an address or a coach with one"
        ]

    lines = run(work())
    from events.platform.serving import unreachable_warning

    # The messages carry each person's badge link.
    if warning := unreachable_warning(settings):
        click.echo(warning, err=True)
    for line in lines:
        click.echo(line)
