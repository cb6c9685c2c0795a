"""A real SMTP server on loopback (aiosmtpd) for the tests: it keeps what it receives, and can refuse."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class MailServer:
    host: str
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    # While set, every message is refused with this SMTP reply.
    refuse_with: str | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}?from=meetmatch@example.org"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_with:
            return self.refuse_with
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        # The address as the server was told it (an SMTPUTF8 To header reads back with escaped bytes).
        parsed["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.received.append(parsed)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer("127.0.0.1", _free_port())
    controller = Controller(server, hostname=server.host, port=server.port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
