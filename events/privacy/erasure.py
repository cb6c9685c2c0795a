"""Erasing a person: their personal data removed or anonymised everywhere, the event's figures unchanged.

What stays: the candidate row (as a placeholder with `erased_at` set), participations and their status,
check-ins, talks held with the employer's yes/maybe/no, outcomes (kind, dates, contract, employer), follow-up
checks, evaluation scores, preferences, coach links and the audit entries' who/when/what: everything the
figures count. What goes: names and contact data, the sensitive fields, every free text written about the person
(needs, door instructions, notes, comments, consent wording), the audit entries' details, the e-mails to or
about them, their scans' answers, their badge and calendar links, the print files that show them and the
uploads of their events. Copies of their name, e-mail address, phone number or longer texts anywhere else in
a free-text or JSON column are swept as well (`sweep`).

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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, ColumnElement, String, Text, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from events.followup.models import Evaluation, FollowUpCheck, Outcome, OutcomeChange
from events.platform import labels
from events.platform.crypto import encrypted_columns
from events.platform.db import table
from events.platform.errors import ConflictError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import (
    AuditEntry,
    Candidate,
    CandidateParticipation,
    Consent,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from events.platform.services import audit
from events.platform.settings import Settings
from events.privacy.export import audit_about
from events.privacy.models import Erasure

log = logging.getLogger("meetmatch.privacy")

LEDGER_FILE = "erasure-ledger.jsonl"
# What an erased person is called where a name is shown (the row stays, so that the figures do).
ERASED_FIRST_NAME = "Erased"
ERASED = "[erased]"
REASONS = ("request", "retention")
# Free texts shorter than this are too common to hunt for elsewhere ("ok", "zie boven").
MIN_TEXT_NEEDLE = 12
# String columns at least this long hold free text (notes, messages); shorter ones are names, codes and keys.
FREE_TEXT_LENGTH = 300


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
    for text in (candidate.own_words, candidate.coach_note, *texts):
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
    """Erase one candidate in the caller's transaction (the caller commits, then calls `after_commit`).

    `actor` None is the system (retention, a replayed ledger). With `ledger` False the erasure is one the ledger
    already holds (a replay after a restore)."""
    if actor is not None and actor.role is not Role.ORGANISER:
        raise NotFoundError("candidate")
    if reason not in REASONS:
        raise ValueError(reason)
    moment = now or dt.datetime.now(dt.UTC)
    await _claim(session, candidate_id, moment)
    candidate = await session.get(Candidate, candidate_id, populate_existing=True)
    assert candidate is not None  # noqa: S101 - just claimed
    done = Erased(candidate_id, reason, moment)
    participations = list(
        await session.scalars(select(CandidateParticipation).where(CandidateParticipation.candidate_id == candidate_id))
    )
    pids = [p.id for p in participations]
    done.events = {p.event_id for p in participations}
    texts: list[str | None] = [t for p in participations for t in (p.accessibility, p.door_instruction)]
    texts += list(await session.scalars(select(Consent.purpose).where(Consent.candidate_id == candidate_id)))
    texts += list(await session.scalars(select(Outcome.note).where(Outcome.candidate_id == candidate_id)))
    if pids:
        talk = table("held_talk")
        texts += list(await session.scalars(select(talk.c.note).where(talk.c.candidate_participation_id.in_(pids))))
        texts += list(
            await session.scalars(select(Evaluation.comment).where(Evaluation.candidate_participation_id.in_(pids)))
        )
        texts += list(
            await session.scalars(select(FollowUpCheck.note).where(FollowUpCheck.candidate_participation_id.in_(pids)))
        )
    done.needles = _needles(candidate, texts)
    old_email = (candidate.email or "").strip().lower()

    candidate.first_name, candidate.last_name = ERASED_FIRST_NAME, f"#{candidate.id}"
    candidate.email = candidate.phone = candidate.city = candidate.target_group = None
    candidate.date_of_birth = None
    candidate.own_words = candidate.coach_note = ""
    candidate.barriers = []
    done.tables.add("candidate")

    async def blank(model_or_table: Any, where: Any, **values: Any) -> None:
        target = getattr(model_or_table, "__table__", model_or_table)
        result = await session.execute(
            update(model_or_table).where(where).values(**values).execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            done.tables.add(target.name)

    await blank(Consent, Consent.candidate_id == candidate_id, purpose="")
    await blank(Outcome, Outcome.candidate_id == candidate_id, note="")
    await _blank_outcome_history(session, candidate_id, done)
    if pids:
        await blank(
            CandidateParticipation,
            CandidateParticipation.id.in_(pids),
            accessibility="",
            interpreter_language=None,
            door_instruction="",
        )
        for name in ("held_talk", "meeting"):
            await blank(table(name), table(name).c.candidate_participation_id.in_(pids), note="")
        await blank(FollowUpCheck, FollowUpCheck.candidate_participation_id.in_(pids), note="")
        await blank(Evaluation, Evaluation.candidate_participation_id.in_(pids), comment="")
        await _scans(session, pids, done)
        token = table("person_token")
        await blank(
            token, token.c.candidate_participation_id.in_(pids) & token.c.revoked_at.is_(None), revoked_at=moment
        )
    await blank(AuditEntry, audit_about(candidate_id, pids), detail={})
    await _outbox(session, pids, old_email, done)
    await _print_jobs(session, done, pids)
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


async def _blank_outcome_history(session: AsyncSession, candidate_id: int, done: Erased) -> None:
    """The history keeps that a note changed, not what it said."""
    outcomes = select(Outcome.id).where(Outcome.candidate_id == candidate_id)
    for change in await session.scalars(select(OutcomeChange).where(OutcomeChange.outcome_id.in_(outcomes))):
        if "note" in (change.changes or {}):
            before = change.changes["note"]
            change.changes = {**change.changes, "note": ["", ""] if isinstance(before, list) else ""}
            done.tables.add("outcome_change")


async def _scans(session: AsyncSession, pids: list[int], done: Erased) -> None:
    """A scan's stored answer (returned again to a repeated request) names the person: their first name, the
    organiser's door instruction. Found by their badge numbers at their events, and by their talks."""
    token, scan, talk = table("person_token"), table("scan"), table("held_talk")
    badges = {
        (int(e), int(n))
        for e, n in (
            await session.execute(
                select(token.c.event_id, token.c.number).where(
                    token.c.candidate_participation_id.in_(pids), token.c.purpose == "badge"
                )
            )
        ).tuples()
    }
    talks = {
        int(t) for t in await session.scalars(select(talk.c.id).where(talk.c.candidate_participation_id.in_(pids)))
    }
    rows = await session.execute(
        select(scan.c.id, scan.c.event_id, scan.c.answer).where(scan.c.event_id.in_(done.events))
    )
    for scan_id, event_id, answer in rows.tuples():
        person = answer.get("person") or {}
        theirs = (person.get("role") == "candidate" and (event_id, person.get("number")) in badges) or (
            (answer.get("talk") or {}).get("id") in talks
        )
        if not theirs:
            continue
        blanked = {**answer, "message": ""}
        if "person" in answer:
            blanked["person"] = {"role": person.get("role"), "number": person.get("number")}
        await session.execute(update(scan).where(scan.c.id == scan_id).values(answer=blanked))
        done.tables.add("scan")


async def _outbox(session: AsyncSession, pids: list[int], email: str, done: Erased) -> None:
    """E-mails to the person or about them (to a coach): the row stays for the counts, with nothing in it.
    One not sent yet never will be."""
    about: list[ColumnElement[bool]] = [OutboxMessage.candidate_participation_id.in_(pids)] if pids else []
    if email:
        about.append(func.lower(OutboxMessage.to_address) == email)
    if not about:
        return
    for message in await session.scalars(select(OutboxMessage).where(or_(*about))):
        message.to_address = message.to_name = message.subject = message.text_body = message.html_body = ""
        message.attachments = []
        message.dedupe_key = f"erased:{message.id}"
        if message.status in (OutboxStatus.QUEUED, OutboxStatus.FAILED):
            message.status, message.last_error = OutboxStatus.FAILED, "erased"
        done.tables.add("outbox_message")


async def _print_jobs(session: AsyncSession, done: Erased, pids: list[int]) -> None:
    """The print files that show the person (their badge or handout, an employer's rounds or a table sheet
    with them, an attendance list) go; an organiser prints again in seconds. Each job records the candidates
    its file shows (badges.printing.jobs: "candidates_shown"); a file from before that record counts as showing
    everyone of its event."""
    if not done.events:
        return
    job = table("print_job")
    rows = await session.execute(
        select(job.c.id, job.c.file_name, job.c.selection).where(job.c.event_id.in_(done.events), job.c.file_name != "")
    )
    found = [(job_id, name) for job_id, name, selection in rows.tuples() if _shows(selection, pids)]
    if not found:
        return
    done.print_files = [name for _, name in found]
    await session.execute(
        update(job)
        .where(job.c.id.in_([i for i, _ in found]))
        .values(file_name="", message=_t("Removed after a person's data was erased; print it again."))
    )
    done.tables.add("print_job")


def _shows(selection: Any, pids: list[int]) -> bool:
    shown = selection.get("candidates_shown") if isinstance(selection, dict) else None
    if not isinstance(shown, list):
        return True
    return not set(pids).isdisjoint(shown)


# --- the sweep -----------------------------------------------------------------------------------------------


def _swept_columns() -> list[tuple[Any, Any, list[Any]]]:
    """(table, column, primary key columns) of every free-text and JSON column."""
    found = []
    for tbl in table("candidate").metadata.sorted_tables:
        keys = list(tbl.primary_key.columns)
        for column in tbl.columns:
            kind = column.type
            free = isinstance(kind, Text | JSON) or (
                isinstance(kind, String) and (kind.length or 0) >= FREE_TEXT_LENGTH
            )
            if free and column not in keys:
                found.append((tbl, column, keys))
    return found


def _replace(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(ERASED, value)
        return value
    if isinstance(value, list):
        return [_replace(v, patterns) for v in value]
    if isinstance(value, dict):
        return {_replace(k, patterns): _replace(v, patterns) for k, v in value.items()}
    return value


async def sweep(session: AsyncSession, needles: list[str], tables: set[str] | None = None) -> int:
    """Replace every copy of the needles (case-insensitive) in free-text and JSON columns by "[erased]"; the
    number of values changed. JSON keeps non-ASCII letters escaped on SQLite, so both spellings are looked for."""
    if not needles:
        return 0
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in needles]
    variants = {n.lower() for n in needles} | {json.dumps(n)[1:-1].lower() for n in needles}
    searches: list[tuple[Any, Any, list[Any], Any]] = []
    for tbl, column, keys in _swept_columns():
        text = func.lower(cast(column, Text)) if isinstance(column.type, JSON) else func.lower(column)
        searches.append((tbl, column, keys, or_(*(text.contains(v, autoescape=True) for v in sorted(variants)))))
    # Encrypted columns (events.platform.crypto) cannot be searched in SQL: every value is read, decrypted, in Python.
    for tbl, column in encrypted_columns(table("candidate").metadata):
        searches.append((tbl, column, list(tbl.primary_key.columns), column.is_not(None)))
    changed = 0
    for tbl, column, keys, condition in searches:
        for row in (await session.execute(select(*keys, column).where(condition))).tuples():
            *key, value = row
            new = _replace(value, patterns)
            if new == value:
                continue
            where = [k == v for k, v in zip(keys, key, strict=True)]
            await session.execute(update(tbl).where(*where).values({column.name: new}))
            changed += 1
            if tables is not None:
                tables.add(tbl.name)
    return changed


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
        known = set(table("candidate").metadata.tables)
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
