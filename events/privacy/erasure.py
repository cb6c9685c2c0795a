"""Erasing a person: their personal data removed or anonymised everywhere, the event's figures unchanged.

What stays: the candidate row (as a placeholder with `erased_at` set), participations and their status,
check-ins, talks held with the employer's yes/maybe/no, outcomes (kind, dates, contract, employer), follow-up
checks, evaluation scores, preferences, coach links and the audit entries' who/when/what: everything the
figures count. What goes: names and contact data, the sensitive fields, every free text written about the person
(needs, door instructions, notes, comments, consent wording), the audit entries' details, the e-mails to or
about them, their scans' answers, their badge and calendar links, the print files that show them and the
uploads of their events. Copies of their name, e-mail address, phone number or longer texts anywhere else in
a free-text or JSON column are swept as well (events.privacy.sweep). Each slice erases its own part
(events.platform.personal_data); this module claims the person, asks every part, and does what comes after.

Then the bytes: SQLite keeps `secure_delete` on (events.platform.db) and is vacuumed and its WAL checkpointed and
truncated; on PostgreSQL the touched tables get a VACUUM FULL, which writes them anew without the old row
versions. An erasure is one transaction that begins by claiming the candidate (`erased_at` set where it was
empty), so two processes never erase the same person twice; it writes the erasure ledger (a table and the file
`<data dir>/erasure-ledger.jsonl`, non-personal ids only), which `apply_ledger` replays after a restore from an
older backup.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from events.platform import labels, personal_data
from events.platform.db import import_models
from events.platform.errors import ConflictError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import Candidate, CandidateParticipation, Role
from events.platform.personal_data import Erasing, Person
from events.platform.reach import owned_candidates
from events.platform.services import audit
from events.platform.settings import Settings
from events.privacy.models import Erasure
from events.privacy.sweep import sweep

log = logging.getLogger("meetmatch.privacy")

LEDGER_FILE = "erasure-ledger.jsonl"
REASONS = ("request", "retention")
# Free texts shorter than this are too common to hunt for elsewhere ("ok", "zie boven").
MIN_TEXT_NEEDLE = 12


@dataclass
class Erased:
    """What one erasure did. `needles` (the person's former name, address, texts) live in memory only, for the
    file sweep after the commit; they are never logged or stored."""

    candidate_id: int
    reason: str
    at: dt.datetime
    events: set[int] = field(default_factory=set)
    print_files: list[str] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    needles: list[str] = field(default_factory=list, repr=False)
    ledger_written: bool = True


@dataclass
class ErasureReport:
    erased: list[int] = field(default_factory=list)
    files_removed: int = 0
    compacted: list[str] = field(default_factory=list)


# --- the rows ------------------------------------------------------------------------------------------------


def _needles(candidate: Candidate, texts: Iterable[str | None]) -> list[str]:
    found = {candidate.full_name, candidate.email or "", candidate.phone or ""}
    for text in texts:
        if text and len(text.strip()) >= MIN_TEXT_NEEDLE:
            found.add(text.strip())
    # A name of a few letters would match other people's words; full names and addresses do not.
    return sorted(n for n in found if len(n.strip()) >= 5)


async def _claim(session: AsyncSession, candidate_id: int, now: dt.datetime) -> None:
    """Mark the candidate erased, first thing in the transaction: a second eraser (another process, a double
    click) finds nothing to claim and stops. Raises NotFoundError or ConflictError("already_erased")."""
    claimed = await session.execute(
        update(Candidate)
        .where(Candidate.id == candidate_id, Candidate.erased_at.is_(None))
        .values(erased_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount:  # type: ignore[attr-defined]
        return
    erased_at = await session.scalar(select(Candidate.erased_at).where(Candidate.id == candidate_id))
    if erased_at is None:
        raise NotFoundError("candidate")
    raise ConflictError(
        "already_erased",
        _t("This person's data was already erased on %(date)s.") % {"date": labels.format_date(erased_at)},
    )


async def erase_rows(
    session: AsyncSession,
    actor: CurrentUser | None,
    candidate_id: int,
    *,
    reason: str,
    ledger: bool = True,
    now: dt.datetime | None = None,
) -> Erased:
    """Erase one candidate in the caller's transaction (the caller commits, then calls `after_commit`): every
    slice's part (events.platform.personal_data) first gives the free texts about the person, then erases its
    rows; then copies of those texts anywhere else are swept.

    `actor` None is the system (retention, a replayed ledger). With `ledger` False the erasure is one the ledger
    already holds (a replay after a restore)."""
    if actor is not None:
        # An organiser of the organisation that owns the record; anyone else, or another organisation's person,
        # finds nobody, as for an unknown id.
        owned = select(Candidate.id).where(Candidate.id == candidate_id, owned_candidates(actor))
        if actor.role is not Role.ORGANISER or await session.scalar(owned) is None:
            raise NotFoundError("candidate")
    if reason not in REASONS:
        raise ValueError(reason)
    moment = now or dt.datetime.now(dt.UTC)
    await _claim(session, candidate_id, moment)
    candidate = await session.get(Candidate, candidate_id, populate_existing=True)
    assert candidate is not None  # noqa: S101 - just claimed
    done = Erased(candidate_id, reason, moment)
    participations = (
        await session.execute(
            select(CandidateParticipation.id, CandidateParticipation.event_id).where(
                CandidateParticipation.candidate_id == candidate_id
            )
        )
    ).all()
    done.events = {int(e) for _, e in participations}
    person = Person(candidate_id, tuple(int(p) for p, _ in participations), frozenset(done.events), candidate.email)
    parts = personal_data.parts()
    texts: list[str | None] = []
    for part in parts:
        texts += await part.texts(session, person)
    done.needles = _needles(candidate, texts)
    erasing = Erasing(session, person, moment, tables=done.tables, files=done.print_files)
    for part in parts:
        await part.erase(erasing)
    await sweep(session, done.needles, done.tables)

    if ledger:
        session.add(
            Erasure(candidate_id=candidate_id, at=moment, reason=reason, by_user_id=actor.id if actor else None)
        )
    done.ledger_written = ledger
    await audit(
        session,
        actor if actor and actor.id else None,
        "erase",
        "candidate",
        candidate_id,
        candidate_id=candidate_id,
        detail={"reason": reason},
    )
    await session.flush()
    return done


# --- after the commit: files, ledger file, raw bytes ---------------------------------------------------------


def ledger_path(settings: Settings) -> Path:
    return settings.data_dir / LEDGER_FILE


def append_ledger(settings: Settings, entries: Iterable[Erased | Erasure]) -> None:
    """One JSON line per erasure, appended and synced: small appends to one file from several processes stay
    whole lines (O_APPEND)."""
    lines = "".join(
        json.dumps({"candidate_id": e.candidate_id, "at": e.at.isoformat(), "reason": e.reason}, sort_keys=True) + "\n"
        for e in entries
    )
    if not lines:
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(ledger_path(settings), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, lines.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_ledger(settings: Settings) -> list[dict[str, Any]]:
    """The ledger file's entries (a damaged line, say from a full disk, is skipped)."""
    path = ledger_path(settings)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            entries.append(
                {
                    "candidate_id": int(entry["candidate_id"]),
                    "at": dt.datetime.fromisoformat(entry["at"]),
                    "reason": str(entry.get("reason") or "request"),
                }
            )
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def _upload_event(name: str) -> tuple[int, str] | None:
    # events.registration.data_pages names an upload "<user>-<event>-<kind>-<id>".
    parts = name.split("-", 3)
    if len(parts) < 4 or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


def remove_files(settings: Settings, erased: list[Erased]) -> int:
    """Generated files that may hold the people: their events' print files and candidate or wish uploads, and
    any other print or upload that holds one of their strings. Returns how many went."""
    events = {e for one in erased for e in one.events}
    names = {name for one in erased for name in one.print_files}
    needles = [n.encode() for one in erased for n in one.needles]
    removed = 0
    for folder in ("prints", "uploads"):
        root = settings.data_dir / folder
        if not root.is_dir():
            continue
        for path in root.iterdir():
            if not path.is_file():
                continue
            upload = _upload_event(path.name) if folder == "uploads" else None
            theirs = path.name in names or (upload is not None and upload[0] in events and upload[1] != "employers")
            if not theirs and needles:
                data = path.read_bytes()
                theirs = any(n in data for n in needles)
            if theirs:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


async def compact(engine: AsyncEngine, tables: set[str]) -> list[str]:
    """Make the old bytes unreadable. SQLite: VACUUM rewrites the file without free pages, then a TRUNCATE
    checkpoint empties the WAL (retried while readers hold it). PostgreSQL: VACUUM FULL of each touched table,
    outside a transaction, writes it anew without dead row versions (and its TOAST table and indexes); ANALYZE
    renews its statistics. PostgreSQL's own WAL segments are recycled by the server, beyond the app's reach."""
    async with engine.connect() as connection:
        conn = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            await conn.exec_driver_sql("VACUUM")
            for _ in range(100):
                row = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
                if row is None or row[0] == 0:
                    break
                await asyncio.sleep(0.05)
            return ["*"]
        known = set(import_models().tables)
        done = []
        for name in sorted(tables & known):
            # ANALYZE too: the planner's statistics (pg_statistic) keep sampled column values.
            await conn.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{name}"')
            done.append(name)
        return done


async def after_commit(engine: AsyncEngine, settings: Settings, erased: list[Erased]) -> ErasureReport:
    """The part of an erasure outside the database transaction: the ledger file, the files, the raw bytes."""
    report = ErasureReport(erased=[e.candidate_id for e in erased])
    if not erased:
        return report
    append_ledger(settings, [e for e in erased if e.ledger_written])
    report.files_removed = await asyncio.to_thread(remove_files, settings, erased)
    tables = {t for e in erased for t in e.tables} | {"audit_entry", "erasure_ledger"}
    report.compacted = await compact(engine, tables)
    for e in erased:
        e.needles.clear()
    log.info("erased %d person(s) (%s); %d file(s) removed", len(erased), erased[0].reason, report.files_removed)
    return report


async def erase_person(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    actor: CurrentUser | None,
    candidate_id: int,
    *,
    reason: str = "request",
) -> ErasureReport:
    """Erase one person completely: the rows in a transaction of its own (committed here, because the raw
    bytes can be scrubbed only after it), then the files and the bytes."""
    async with sessions() as session:
        erased = await erase_rows(session, actor, candidate_id, reason=reason)
        await session.commit()
        engine = session.bind
    assert isinstance(engine, AsyncEngine)  # noqa: S101 - sessions are bound to one engine
    return await after_commit(engine, settings, [erased])


async def apply_ledger(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> ErasureReport:
    """Erase again everyone in the ledger (file or table) who is not erased: what a restore from an older
    backup calls. Also makes the file and the table each hold every entry of the other."""
    from_file = {e["candidate_id"]: e for e in read_ledger(settings)}
    erased: list[Erased] = []
    async with sessions() as session:
        rows = list(await session.scalars(select(Erasure)))
        in_table = {r.candidate_id for r in rows}
        for candidate_id, entry in from_file.items():
            if candidate_id not in in_table:
                session.add(Erasure(candidate_id=candidate_id, at=entry["at"], reason=entry["reason"]))
        append_ledger(settings, [r for r in rows if r.candidate_id not in from_file])
        await session.commit()
        wanted = in_table | set(from_file)
        pending = (
            list(
                await session.scalars(
                    select(Candidate.id)
                    .where(Candidate.id.in_(wanted), Candidate.erased_at.is_(None))
                    .order_by(Candidate.id)
                )
            )
            if wanted
            else []
        )
        reasons = {r.candidate_id: r.reason for r in rows} | {k: v["reason"] for k, v in from_file.items()}
        for candidate_id in pending:
            try:
                erased.append(
                    await erase_rows(
                        session, None, candidate_id, reason=reasons.get(candidate_id, "request"), ledger=False
                    )
                )
                await session.commit()
            except (ConflictError, NotFoundError):  # another process got there first
                await session.rollback()
        engine = session.bind
    assert isinstance(engine, AsyncEngine)  # noqa: S101 - sessions are bound to one engine
    return await after_commit(engine, settings, erased)
