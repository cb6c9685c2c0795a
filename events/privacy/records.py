"""The platform's records of a person (events.platform.personal_data): the e-mails to them or about them (the
outbox) and the audit log; and the erasure ledger, which names them by id only.

Erased, an e-mail's row stays for the counts with nothing in it (one not sent yet never will be), and the audit
entries about them keep who did what when, not the details.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform.models import AuditEntry, OutboxMessage, OutboxStatus, User
from events.platform.personal_data import Erasing, Person, iso
from events.privacy.models import Erasure


def audit_about(candidate_id: int, pids: Sequence[int]) -> Any:
    """The audit entries about a person: those naming them, and those about one of their participations."""
    clauses = [AuditEntry.candidate_id == candidate_id]
    if pids:
        clauses.append((AuditEntry.object_type == "candidate_participation") & AuditEntry.object_id.in_(pids))
    return or_(*clauses)


class RecordsData:
    """E-mails (the outbox), the audit log and the erasure ledger."""

    name = "records"
    tables = tuple(m.__tablename__ for m in (OutboxMessage, AuditEntry, Erasure))
    months_after_event = 0

    async def export(self, session: AsyncSession, person: Person) -> dict[str, Any]:
        return {"emails": await _emails(session, person), "audit": await _audit(session, person)}

    async def texts(self, session: AsyncSession, person: Person) -> list[str | None]:
        return []

    async def erase(self, erasing: Erasing) -> None:
        person = erasing.person
        await erasing.blank(AuditEntry, audit_about(person.candidate_id, person.participation_ids), detail={})
        await _outbox(erasing)


async def _emails(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    """Messages to the person or about them (to a coach): subject, date and state; bodies are not kept once
    sent (events.platform.outbox)."""
    email = person.email
    about: list[ColumnElement[bool]] = (
        [OutboxMessage.candidate_participation_id.in_(person.participation_ids)] if person.participation_ids else []
    )
    if email:
        about.append(OutboxMessage.to_address == email)
    if not about:
        return []
    rows = await session.scalars(select(OutboxMessage).where(or_(*about)).order_by(OutboxMessage.id))
    return [
        {
            "kind": m.kind,
            "to": m.to_address if m.to_address == email else m.to_name or "coach",
            "subject": m.subject,
            "queued_at": iso(m.created_at),
            "sent_at": iso(m.sent_at),
            "status": m.status.value,
        }
        for m in rows
    ]


async def _audit(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(audit_about(person.candidate_id, person.participation_ids))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "at": iso(entry.at),
            "who": name or "",
            "role": entry.actor_role,
            "action": entry.action,
            "record": f"{entry.object_type} {entry.object_id}" if entry.object_id is not None else entry.object_type,
            "detail": entry.detail,
        }
        for entry, name in rows.tuples()
    ]


async def _outbox(erasing: Erasing) -> None:
    """E-mails to the person or about them (to a coach): the row stays for the counts, with nothing in it.
    One not sent yet never will be."""
    pids = erasing.person.participation_ids
    email = (erasing.person.email or "").strip().lower()
    about: list[ColumnElement[bool]] = [OutboxMessage.candidate_participation_id.in_(pids)] if pids else []
    if email:
        about.append(func.lower(OutboxMessage.to_address) == email)
    if not about:
        return
    for message in await erasing.session.scalars(select(OutboxMessage).where(or_(*about))):
        message.to_address = message.to_name = message.subject = message.text_body = message.html_body = ""
        message.attachments = []
        message.dedupe_key = f"erased:{message.id}"
        if message.status in (OutboxStatus.QUEUED, OutboxStatus.FAILED):
            message.status, message.last_error = OutboxStatus.FAILED, "erased"
        erasing.tables.add(OutboxMessage.__tablename__)
