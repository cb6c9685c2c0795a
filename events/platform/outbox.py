"""Outgoing e-mail: an outbox table that records every message's state, and a sender that retries.

Code that wants to mail something queues an `Outgoing` in its own transaction (`enqueue`); nothing
talks to a mail server inside a web request. `send_due` (run by `meetmatch jobs run`, and by `serve`
on a timer) claims due messages one by one with a conditional UPDATE, so that several processes
never send the same message twice, sends them over SMTP, and records the outcome: sent, or a
failure to retry after a growing pause, until `MAX_ATTEMPTS`.

`MEETMATCH_SMTP_URL`: `smtp://[user:password@]host[:port][?from=address&starttls=true]`, or
`smtps://...` for TLS from the first byte (port 465 by default).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform.models import OutboxMessage, OutboxStatus
from events.platform.settings import Settings, SettingsError

MAX_ATTEMPTS = 5
# Minutes to wait after the 1st, 2nd, ... failure.
RETRY_MINUTES = (1, 5, 15, 60)
# A message left "sending" this long by a process that stopped is taken up again.
STALE_CLAIM = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: bool = False  # TLS from the first byte (smtps)
    starttls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """Parse `MEETMATCH_SMTP_URL`; a SettingsError names what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            msg = "MEETMATCH_SMTP_URL: write it as smtp://[user:password@]host[:port][?from=address]"
            raise SettingsError(msg)
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            msg = "MEETMATCH_SMTP_URL: the port is not a number"
            raise SettingsError(msg) from None
        sender = query.get("from", [f"meetmatch@{parts.hostname}"])[0]
        return cls(
            host=parts.hostname,
            port=port,
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "smtps",
            starttls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
        )


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """A message to queue. `dedupe_key` names it: queueing the same key again does nothing."""

    kind: str
    dedupe_key: str
    to_address: str
    subject: str
    text_body: str
    html_body: str = ""
    to_name: str = ""
    event_id: int | None = None
    candidate_participation_id: int | None = None
    employer_contact_id: int | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)


async def enqueue(session: AsyncSession, outgoing: Outgoing) -> bool:
    """Queue a message in the caller's transaction; False when one with its key was queued before."""
    exists = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == outgoing.dedupe_key))
    if exists is not None:
        return False
    row = OutboxMessage(
        event_id=outgoing.event_id,
        kind=outgoing.kind,
        dedupe_key=outgoing.dedupe_key,
        to_address=outgoing.to_address,
        to_name=outgoing.to_name,
        candidate_participation_id=outgoing.candidate_participation_id,
        employer_contact_id=outgoing.employer_contact_id,
        subject=outgoing.subject,
        text_body=outgoing.text_body,
        html_body=outgoing.html_body,
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "data": base64.b64encode(a.data).decode("ascii")}
            for a in outgoing.attachments
        ],
        status=OutboxStatus.QUEUED,
        next_attempt_at=dt.datetime.now(dt.UTC),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process queued the same key a moment ago
        return False
    return True


def _address(name: str, address: str) -> str:
    """A To header. An address with non-ASCII letters is written as it is (smtplib then asks the server for
    SMTPUTF8); the name is quoted."""
    if address.isascii():
        return formataddr((name, address)) if name else address
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def compose(message: OutboxMessage, config: SmtpConfig) -> EmailMessage:
    """The MIME message: plain text, an HTML alternative when there is one, and the attachments."""
    email = EmailMessage()
    email["From"] = config.sender
    email["To"] = _address(message.to_name, message.to_address)
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=config.sender.rpartition("@")[2] or None)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for item in message.attachments:
        maintype, _, subtype = item["content_type"].partition("/")
        params = {}
        if ";" in subtype:
            subtype, _, rest = subtype.partition(";")
            key, _, value = rest.strip().partition("=")
            params[key] = value
        email.add_attachment(
            base64.b64decode(item["data"]), maintype=maintype, subtype=subtype, filename=item["filename"], params=params
        )
    return email


def _deliver(config: SmtpConfig, email: EmailMessage) -> None:
    """Hand one message to the SMTP server (blocking; run in a thread)."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if config.tls:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with client:
        if config.starttls:
            client.starttls(context=context)
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(email)


def _permanent(exc: Exception) -> bool:
    """A refusal that no retry will change: a 5xx answer, or an address that cannot be written."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"outbox: {self.sent} sent, {self.retrying} to retry, {self.failed} given up"


async def _claim(session: AsyncSession, message_id: int, due: dt.datetime) -> bool:
    # The claim and the staleness of another's claim are judged by the clock now, not when this run began: a
    # long run must not take over messages that another process is still sending.
    now = dt.datetime.now(dt.UTC)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= due),
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def send_due(
    sessions: async_sessionmaker[AsyncSession], config: SmtpConfig, *, limit: int = 200, now: dt.datetime | None = None
) -> SendReport:
    """Send what is due, each message by whichever process claims it first."""
    report = SendReport()
    moment = now or dt.datetime.now(dt.UTC)
    async with sessions() as session:
        due = list(
            await session.scalars(
                select(OutboxMessage.id)
                .where(
                    or_(
                        (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= moment),
                        (OutboxMessage.status == OutboxStatus.SENDING)
                        & (OutboxMessage.claimed_at < dt.datetime.now(dt.UTC) - STALE_CLAIM),
                    )
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
    for message_id in due:
        async with sessions() as session:
            if not await _claim(session, message_id, moment):
                continue
            message = await session.get(OutboxMessage, message_id)
            assert message is not None  # noqa: S101 - just claimed
            try:
                await asyncio.to_thread(_deliver, config, compose(message, config))
            except Exception as exc:  # whatever went wrong is recorded on the message, never lost
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if message.attempts >= MAX_ATTEMPTS or _permanent(exc):
                    message.status = OutboxStatus.FAILED
                    report.failed += 1
                else:
                    pause = RETRY_MINUTES[min(message.attempts, len(RETRY_MINUTES)) - 1]
                    message.status = OutboxStatus.QUEUED
                    message.next_attempt_at = moment + dt.timedelta(minutes=pause)
                    report.retrying += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = dt.datetime.now(dt.UTC)
                message.last_error = ""
                # What was sent is the person's programme and badge link: not kept once delivered.
                message.text_body = message.html_body = ""
                message.attachments = []
                report.sent += 1
            await session.commit()
    return report


async def retry_failed(session: AsyncSession, event_id: int) -> int:
    """Give an event's given-up messages a new round of attempts (an organiser's button)."""
    result = await session.execute(
        update(OutboxMessage)
        # An erased person's messages (events.privacy) have no address left: they stay given up.
        .where(
            OutboxMessage.event_id == event_id,
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.to_address != "",
        )
        .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=dt.datetime.now(dt.UTC))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def counts(session: AsyncSession, event_id: int) -> dict[str, int]:
    """Messages of an event by state."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.event_id == event_id)
        .group_by(OutboxMessage.status)
    )
    found = {status.value: int(n) for status, n in rows.tuples().all()}
    return {status.value: found.get(status.value, 0) for status in OutboxStatus}


def smtp_config(settings: Settings) -> SmtpConfig | None:
    return SmtpConfig.from_url(settings.smtp_url) if settings.smtp_url else None
