"""The outbox against a real SMTP server on loopback: every message once, failures retried, then given up."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.models import OutboxMessage, OutboxStatus
from events.platform.outbox import MAX_ATTEMPTS, Attachment, Outgoing, SmtpConfig, enqueue, send_due
from events.platform.settings import Settings, SettingsError
from tests.cli import cli
from tests.conftest import run
from tests.mailserver import MailServer


def message(n: int, **changes: object) -> Outgoing:
    values: dict[str, object] = {
        "kind": "programme",
        "dedupe_key": f"test:{n}",
        "to_address": f"persoon{n}@example.org",
        "to_name": f"Persoon {n}",
        "subject": f"Je programma {n}",
        "text_body": f"Hallo {n}",
    }
    values.update(changes)
    return Outgoing(**values)  # type: ignore[arg-type]


async def queue_all(settings: Settings, *items: Outgoing) -> list[bool]:
    async with open_session(settings) as session:
        results = [await enqueue(session, item) for item in items]
        await session.commit()
        return results


async def send(settings: Settings, server: MailServer, now: dt.datetime | None = None) -> str:
    engine = create_engine(settings)
    try:
        return str(await send_due(session_maker(engine), SmtpConfig.from_url(server.url), now=now))
    finally:
        await dispose_engine(engine)


async def states(settings: Settings) -> list[tuple[str, OutboxStatus, int]]:
    async with open_session(settings) as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.dedupe_key, r.status, r.attempts) for r in rows]


def test_every_message_is_sent_once_with_its_parts(database: Settings, mail_server: MailServer) -> None:
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    queued = run(
        queue_all(
            database,
            message(
                1, html_body="<p>Hallo <b>1</b></p>", attachments=(Attachment("a.ics", "text/calendar", calendar),)
            ),
            message(2),
            message(1),  # the same key again: not queued twice
        )
    )

    first = run(send(database, mail_server))
    second = run(send(database, mail_server))

    assert queued == [True, True, False]
    assert first == "outbox: 2 sent, 0 to retry, 0 given up"
    assert second == "outbox: 0 sent, 0 to retry, 0 given up"
    assert sorted(m["To"] for m in mail_server.received) == [
        "Persoon 1 <persoon1@example.org>",
        "Persoon 2 <persoon2@example.org>",
    ]
    rich = next(m for m in mail_server.received if m["Subject"] == "Je programma 1")
    assert rich["From"] == "meetmatch@example.org"
    assert rich.get_body(("plain",)).get_content().strip() == "Hallo 1"  # type: ignore[union-attr]
    assert "<b>1</b>" in rich.get_body(("html",)).get_content()  # type: ignore[union-attr]
    attachment = next(rich.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == ("a.ics", "text/calendar")
    assert attachment.get_content() in (calendar, calendar.decode())
    assert [s for _, s, _ in run(states(database))] == [OutboxStatus.SENT, OutboxStatus.SENT]


def test_a_refused_message_is_retried_after_a_pause_then_given_up(database: Settings, mail_server: MailServer) -> None:
    run(queue_all(database, message(1)))
    mail_server.refuse_with = "451 4.3.0 try again later"
    start = dt.datetime.now(dt.UTC)

    refused = run(send(database, mail_server, start))
    too_soon = run(send(database, mail_server, start + dt.timedelta(seconds=30)))
    after_pause = [run(states(database))]
    for step in range(2, MAX_ATTEMPTS + 1):
        run(send(database, mail_server, start + dt.timedelta(hours=step)))
    gave_up = run(states(database))
    mail_server.refuse_with = None
    later = run(send(database, mail_server, start + dt.timedelta(days=2)))

    assert refused == "outbox: 0 sent, 1 to retry, 0 given up"
    assert too_soon == "outbox: 0 sent, 0 to retry, 0 given up"
    assert after_pause == [[("test:1", OutboxStatus.QUEUED, 1)]]
    assert gave_up == [("test:1", OutboxStatus.FAILED, MAX_ATTEMPTS)]
    assert later == "outbox: 0 sent, 0 to retry, 0 given up"
    assert mail_server.received == []


def test_two_senders_at_once_send_each_message_once(database: Settings, mail_server: MailServer) -> None:
    run(queue_all(database, *(message(n) for n in range(30))))

    async def both() -> None:
        await asyncio.gather(send(database, mail_server), send(database, mail_server))

    run(both())

    assert len(mail_server.received) == 30
    assert len({m["Subject"] for m in mail_server.received}) == 30


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, "meetmatch@mail.example.org", None, False, False)),
        (
            "smtps://user%40x:p%3Ass@mail.example.org?from=noreply@gemeente.nl",
            ("mail.example.org", 465, "noreply@gemeente.nl", "user@x", True, False),
        ),
        ("smtp://m:2525?starttls=true", ("m", 2525, "meetmatch@m", None, False, True)),
    ],
)
def test_smtp_url_is_read(url: str, expected: tuple[object, ...]) -> None:
    config = SmtpConfig.from_url(url)

    assert (config.host, config.port, config.sender, config.username, config.tls, config.starttls) == expected


@pytest.mark.parametrize("url", ["http://mail", "smtp://", "smtp://mail:port"])
def test_bad_smtp_url_is_named(url: str) -> None:
    with pytest.raises(SettingsError, match="MEETMATCH_SMTP_URL"):
        SmtpConfig.from_url(url)


def test_cli_jobs_run_sends_the_outbox_and_names_an_unknown_job(settings: Settings, mail_server: MailServer) -> None:
    assert cli(settings, "db", "upgrade").returncode == 0
    database = settings
    run(queue_all(database, message(1)))

    sent = cli(database, "jobs", "run", "--job", "outbox", env={"MEETMATCH_SMTP_URL": mail_server.url})
    unset = cli(database, "jobs", "run", "--job", "outbox")
    unknown = cli(database, "jobs", "run", "--job", "nope")

    assert (sent.returncode, sent.stdout.strip()) == (0, "outbox: 1 sent, 0 to retry, 0 given up"), sent.stderr
    assert unset.stdout.strip() == "outbox: MEETMATCH_SMTP_URL is not set; messages wait in the outbox"
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "error: --job: unknown job nope"
        " (jobs: reminders, arrivals, followups, digest, evaluations, retention, guests, outbox)",
    )
    assert len(mail_server.received) == 1


def test_a_permanent_refusal_is_given_up_at_once_and_sent_bodies_are_not_kept(
    database: Settings, mail_server: MailServer
) -> None:
    run(queue_all(database, message(1), message(2)))
    mail_server.refuse_with = "550 5.1.1 no such mailbox"
    refused = run(send(database, mail_server))
    mail_server.refuse_with = None
    run(queue_all(database, message(3, html_body="<p>3</p>")))
    sent = run(send(database, mail_server))

    async def kept() -> list[tuple[OutboxStatus, str, str, int]]:
        async with open_session(database) as session:
            rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return [(r.status, r.text_body, r.html_body, len(r.attachments)) for r in rows]

    assert refused == "outbox: 0 sent, 0 to retry, 2 given up"
    assert sent == "outbox: 1 sent, 0 to retry, 0 given up"
    assert run(kept()) == [
        (OutboxStatus.FAILED, "Hallo 1", "", 0),
        (OutboxStatus.FAILED, "Hallo 2", "", 0),
        (OutboxStatus.SENT, "", "", 0),
    ]


def test_a_message_another_sender_holds_is_left_alone_until_its_claim_is_stale(
    database: Settings, mail_server: MailServer
) -> None:
    from sqlalchemy import update

    run(queue_all(database, message(1)))

    async def claimed(ago: dt.timedelta) -> None:
        async with open_session(database) as session:
            await session.execute(
                update(OutboxMessage).values(status=OutboxStatus.SENDING, claimed_at=dt.datetime.now(dt.UTC) - ago)
            )
            await session.commit()

    run(claimed(dt.timedelta(minutes=2)))
    held = run(send(database, mail_server, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)))
    run(claimed(dt.timedelta(minutes=11)))
    stale = run(send(database, mail_server))

    assert held == "outbox: 0 sent, 0 to retry, 0 given up"
    assert stale == "outbox: 1 sent, 0 to retry, 0 given up"
    assert len(mail_server.received) == 1
