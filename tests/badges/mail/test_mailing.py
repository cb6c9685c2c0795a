"""Programme e-mail end to end: the organiser's dry run and send, the outbox, a real SMTP server, the badge
link in the message opening that person's programme, the calendar attached, updates after a re-publish for
exactly the affected people, and the day-before reminder."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage

import pytest
import vobject
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from badges.mail.services import plan, reminder_job
from badges.models import HolderKind
from badges.people import holders
from badges.schedules import schedules
from events.demo.seed import DEMO_SLUG, DemoResult
from events.platform.db import create_engine, dispose_engine, open_session, session_maker
from events.platform.errors import DomainError
from events.platform.models import EVENT_TZ, Event, OutboxMessage
from events.platform.outbox import SmtpConfig, send_due
from events.platform.services import find_event, system_user
from events.platform.settings import Settings
from schedule import services
from schedule.edits import Edit, edit_version
from tests.conftest import ORGANISER, login, run
from tests.mailserver import MailServer


async def deliver(settings: Settings, server: MailServer, now: dt.datetime | None = None) -> str:
    engine = create_engine(settings)
    try:
        return str(await send_due(session_maker(engine), SmtpConfig.from_url(server.url), now=now))
    finally:
        await dispose_engine(engine)


async def expected(settings: Settings) -> tuple[dict[tuple[str, str], list[str]], list[str]]:
    """Per message (address, subject), the talk lines it must hold; and who cannot be reached."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event)
        shown = await schedules(session, event, people)
        planned = await plan(session, event, "programme")
        lines: dict[tuple[str, str], list[str]] = {}
        for message in planned.messages:
            person = shown.of(message.holder)
            lines.setdefault((message.to_address, message.subject), []).extend(
                f"Ronde {t.round} · {t.starts:%H:%M}–{t.ends:%H:%M} · Tafel {t.table} · "
                + (t.candidate if message.holder.kind is HolderKind.EMPLOYER else t.employer)
                for t in person.talks
            )
        return lines, [h.full_name for h in planned.unreachable]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def send_from_page(client: TestClient[Litestar], action: str, **fields: str) -> object:
    client.get("/events/samen-werkt/attendees/")
    data = {"_csrf_token": client.cookies.get("csrftoken"), "action": action, "kind": "programme", **fields}
    return client.post("/events/samen-werkt/attendees/mail", data=data, follow_redirects=False)


async def outbox_size(settings: Settings) -> int:
    async with open_session(settings) as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


@pytest.mark.slow
def test_programme_mail_reaches_everyone_once_with_their_own_talks_link_and_calendar(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, mail_server: MailServer
) -> None:
    login(client, ORGANISER)
    lines, unreachable = run(expected(database))

    preview = send_from_page(client, "preview")
    after_preview = run(outbox_size(database))
    sent = send_from_page(client, "send")
    again = send_from_page(client, "send")
    report = run(deliver(database, mail_server))

    assert preview.status_code == 200  # type: ignore[attr-defined]
    assert f"{len(lines)} berichten zouden worden verstuurd" in preview.text  # type: ignore[attr-defined]
    assert after_preview == 0
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert again.headers["location"].endswith("msg=mail_queued&n=0")  # type: ignore[attr-defined]
    assert report.startswith(f"outbox: {len(mail_server.received)} sent")
    received = {(str(m["X-Envelope-To"]), str(m["Subject"])): m for m in mail_server.received}
    assert set(received) == set(lines)
    assert len(mail_server.received) == len(lines)
    for address, talk_lines in lines.items():
        text = body(received[address])
        for line in talk_lines:
            assert line in text, (address, line)
        # The badge link opens exactly this person's page.
        link = re.search(r"http://127\.0\.0\.1:8000(/b/[A-Za-z0-9_-]{27})", text)
        assert link is not None
        assert client.get(link.group(1)).status_code == 200
        calendar = next(received[address].iter_attachments()).get_content()
        parsed = vobject.readOne(calendar if isinstance(calendar, str) else calendar.decode())
        assert len(getattr(parsed, "vevent_list", [])) == len(talk_lines)
    # Candidates without an address: their coach gets the programme, addressed as such.
    via_coach = [m for m in mail_server.received if m["Subject"].startswith("Programma van")]
    assert via_coach
    assert all("heeft zelf geen e-mailadres" in body(m) for m in via_coach)
    if unreachable:
        assert "Geen e-mailadres, en ook geen coach" in preview.text  # type: ignore[attr-defined]


async def move_one_talk_and_publish(settings: Settings) -> set[str]:
    """Move one talk to another round in a new version and publish it; the names of both people affected."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        user = await system_user(session)
        published = await services.current(session, event)
        assert published is not None
        draft = await services.copy_version(session, user, event, published.number)
        draft = await services.get_version(session, user, event, draft.number)
        for meeting in draft.meetings:
            for other_round in range(1, event.rounds + 1):
                if other_round == meeting.round:
                    continue
                try:
                    await edit_version(
                        session,
                        user,
                        event,
                        draft.number,
                        Edit("move", meeting=meeting.id, round=other_round, table=meeting.table),
                    )
                except DomainError:  # that round is not possible: try the next
                    continue
                await services.publish(session, user, event, draft.number)
                await session.commit()
                people = await holders(session, event)
                return {
                    h.full_name
                    for h in people
                    if (h.kind is HolderKind.CANDIDATE and h.id == meeting.candidate_participation_id)
                    or (h.kind is HolderKind.EMPLOYER and h.employer_id == meeting.employer_participation_id)
                }
        raise AssertionError("no talk could be moved")


def test_after_a_republish_only_the_affected_get_the_update(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, mail_server: MailServer
) -> None:
    login(client, ORGANISER)
    affected = run(move_one_talk_and_publish(database))

    async def planned() -> set[str]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            result = await plan(session, event, "update", only_changed=True)
            return {m.holder.full_name for m in result.messages} | {h.full_name for h in result.unreachable}

    chosen = run(planned())
    sent = send_from_page(client, "send", kind="update", only_changed="1")
    run(deliver(database, mail_server))

    assert chosen == affected
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert all(m["Subject"].startswith(("Je programma voor", "Programma van")) for m in mail_server.received)
    assert any("Je programma is gewijzigd" in body(m) for m in mail_server.received)


@pytest.mark.slow
def test_reminder_goes_out_the_day_before_once(demo: DemoResult, database: Settings, mail_server: MailServer) -> None:
    async def event_date() -> dt.date:
        async with open_session(database) as session:
            event = await session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
            assert event is not None
            return event.date

    day = run(event_date())
    two_days_before = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(9), tzinfo=EVENT_TZ)
    day_before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9), tzinfo=EVENT_TZ)

    async def job(now: dt.datetime) -> str:
        engine = create_engine(database)
        try:
            return await reminder_job(session_maker(engine), database, now)
        finally:
            await dispose_engine(engine)

    early = run(job(two_days_before))
    first = run(job(day_before))
    second = run(job(day_before + dt.timedelta(hours=3)))
    run(deliver(database, mail_server))

    assert early == "reminders: 0 queued for 0 event(s) tomorrow"
    queued = int(first.split()[1])
    assert queued > 0
    assert second == "reminders: 0 queued for 1 event(s) tomorrow"
    assert len(mail_server.received) == queued
    assert all(
        m["Subject"] in ("Morgen: Samen Werkt!",) or m["Subject"].startswith("Programma van")
        for m in mail_server.received
    )


@pytest.mark.slow
def test_cli_mail_dry_run_lists_then_queues_once(settings: Settings) -> None:
    from tests.cli import cli

    assert cli(settings, "demo").returncode == 0

    dry = cli(settings, "mail", DEMO_SLUG, "--dry-run")
    first = cli(settings, "mail", DEMO_SLUG)
    second = cli(settings, "mail", DEMO_SLUG)
    unknown = cli(settings, "mail", "no-such-event")

    planned = int(dry.stdout.strip().splitlines()[-1].split()[2])
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip().splitlines()[-1].endswith("would be queued; nothing was written")
    assert planned > 0
    assert first.stdout.startswith(f"queued {planned} message(s) for {DEMO_SLUG}; 0 queued before")
    assert second.stdout.startswith(f"queued 0 message(s) for {DEMO_SLUG}; {planned} queued before")
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "error: event 'no-such-event': not found")


@pytest.mark.slow
def test_a_reissued_badge_sends_its_holder_the_new_link_and_the_old_one_stops(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, mail_server: MailServer
) -> None:
    login(client, ORGANISER)
    send_from_page(client, "send")
    run(deliver(database, mail_server))
    first_round = list(mail_server.received)

    async def someone_with_an_address() -> tuple[int, str]:
        async with open_session(database) as session:
            event = await find_event(session, DEMO_SLUG)
            person = next(h for h in await holders(session, event, (HolderKind.CANDIDATE,)) if h.email)
            return person.id, str(person.email)

    holder_id, address = run(someone_with_an_address())
    old = next(m for m in first_round if str(m["X-Envelope-To"]) == address)
    old_link = re.search(r"http://127\.0\.0\.1:8000(/b/[A-Za-z0-9_-]{27})", body(old))
    assert old_link is not None
    client.get("/events/samen-werkt/attendees/")
    reissued = client.post(
        f"/events/samen-werkt/attendees/candidates/{holder_id}/reissue",
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    assert reissued.status_code == 303
    mail_server.received.clear()
    send_from_page(client, "send")
    run(deliver(database, mail_server))

    # Only the holder of the new badge is written to again, with the new link; the old one is refused.
    assert [str(m["X-Envelope-To"]) for m in mail_server.received] == [address]
    new_link = re.search(r"http://127\.0\.0\.1:8000(/b/[A-Za-z0-9_-]{27})", body(mail_server.received[0]))
    assert new_link is not None
    assert new_link.group(1) != old_link.group(1)
    client.cookies.clear()
    assert client.get(new_link.group(1)).status_code == 200
    assert client.get(old_link.group(1)).status_code == 404
