"""The most sensitive fields are encrypted at rest: the coach's notes, the target group, the barriers. The
app reads them as plain text; the database file and a dump of it hold none of it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from events.demo.seed import DemoResult
from events.followup.models import FollowUpCheck, Outcome
from events.platform import crypto
from events.platform.db import create_engine, dispose_engine, open_session
from events.platform.migrate import upgrade
from events.platform.models import Candidate, CandidateParticipation
from events.platform.settings import Settings
from tests.conftest import run, sqlite_checkpoint

NOTE = "MARKERNOTE-reclassering-contact-wekelijks"
GROUP = "MARKERGROUP-ex-gedetineerde"
OUTCOME_NOTE = "MARKEROUTCOME-rugklachten"
CHECK_NOTE = "MARKERCHECK-gestopt-wegens-schulden"
MARKERS = (NOTE, GROUP, OUTCOME_NOTE, CHECK_NOTE)


async def _seed(settings: Settings) -> int:
    async with open_session(settings) as session:
        candidate = await session.scalar(select(Candidate).order_by(Candidate.id).limit(1))
        assert candidate is not None
        candidate.coach_note, candidate.target_group = NOTE, GROUP
        candidate.barriers = ["criminal_record", "debts"]
        participation = await session.scalar(
            select(CandidateParticipation).where(CandidateParticipation.candidate_id == candidate.id)
        )
        assert participation is not None
        session.add(Outcome(candidate_id=candidate.id, kind="second_interview", note=OUTCOME_NOTE))
        session.add(FollowUpCheck(candidate_participation_id=participation.id, months=1, note=CHECK_NOTE))
        await session.commit()
        return candidate.id


async def _stored(settings: Settings, candidate_id: int) -> tuple[str, str, str]:
    """What the database itself holds, read past the column types."""
    async with open_session(settings) as session:
        row = (
            await session.execute(
                text("SELECT coach_note, target_group, barriers FROM candidate WHERE id = :id"), {"id": candidate_id}
            )
        ).one()
        return str(row[0]), str(row[1]), str(row[2])


async def _read(settings: Settings, candidate_id: int) -> tuple[str, str | None, list[str], str]:
    async with open_session(settings) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        outcome = await session.scalar(select(Outcome).where(Outcome.candidate_id == candidate_id))
        assert outcome is not None
        return candidate.coach_note, candidate.target_group, candidate.barriers, outcome.note


def test_sensitive_fields_are_stored_encrypted_and_read_as_written(demo: DemoResult, database: Settings) -> None:
    candidate_id = run(_seed(database))

    stored = run(_stored(database, candidate_id))

    assert all(value.startswith(crypto.PREFIX) for value in stored)
    assert not any(marker in value for value in stored for marker in MARKERS)
    assert "criminal_record" not in stored[2]
    assert run(_read(database, candidate_id)) == (NOTE, GROUP, ["criminal_record", "debts"], OUTCOME_NOTE)


def test_the_same_text_is_stored_differently_each_time_and_only_in_its_own_column(database: Settings) -> None:
    crypto.configure(database)
    first, second = crypto.encrypt(NOTE, "candidate.coach_note"), crypto.encrypt(NOTE, "candidate.coach_note")

    assert first != second
    assert crypto.decrypt(first, "candidate.coach_note") == NOTE
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        crypto.decrypt(first, "outcome.note")  # copied into another column, it does not open


async def _sqlite_bytes(settings: Settings) -> bytes:
    await sqlite_checkpoint(settings)
    path = Path(settings.database_url.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _dump(settings: Settings) -> bytes:
    """The database as a dump holds it: the SQLite file and its WAL, or pg_dump of the test's schema."""
    if settings.is_sqlite:
        return run(_sqlite_bytes(settings))
    url = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
    dump = shutil.which("pg_dump")
    assert dump is not None, "pg_dump is part of PostgreSQL's client tools, which .ci/run installs"
    args = [dump, "--no-owner", "--schema", settings.database_schema or "public", url]
    return subprocess.run(args, capture_output=True, check=True).stdout


def test_a_database_dump_holds_no_plaintext_of_the_sensitive_fields(demo: DemoResult, database: Settings) -> None:
    run(_seed(database))

    dump = _dump(database)

    assert b"Samen Werkt!" in dump  # the dump is real: ordinary data is there
    assert [m for m in MARKERS if m.encode() in dump] == []


async def _plain_row_at_0008(settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO candidate (first_name, last_name, sectors, own_words, target_group, barriers, "
                    "coach_note, locale, created_at, updated_at) VALUES ('Jan', 'Plain', '[]', '', :group, "
                    ":barriers, :note, 'nl', :now, :now)"
                ),
                {
                    "group": GROUP,
                    "barriers": '["debts"]',
                    "note": NOTE,
                    "now": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                },
            )
            found = await conn.scalar(text("SELECT id FROM candidate WHERE last_name = 'Plain'"))
            return int(found)
    finally:
        await dispose_engine(engine)


def test_the_migration_encrypts_what_was_stored_before(settings: Settings) -> None:
    from alembic import command

    from events.platform.migrate import alembic_config

    async def to_0008() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(lambda c: _upgrade_to(c, "0008"))
        finally:
            await dispose_engine(engine)

    def _upgrade_to(connection: object, target: str) -> None:
        config = alembic_config(settings)
        config.attributes["connection"] = connection
        command.upgrade(config, target)

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    run(to_0008())
    candidate_id = run(_plain_row_at_0008(settings))

    run(upgrade(settings))

    stored = run(_stored(settings, candidate_id))
    assert all(value.startswith(crypto.PREFIX) for value in stored)

    async def read() -> tuple[str, str | None, list[str]]:
        async with open_session(settings) as session:
            candidate = await session.get(Candidate, candidate_id)
            assert candidate is not None
            return candidate.coach_note, candidate.target_group, candidate.barriers

    assert run(read()) == (NOTE, GROUP, ["debts"])
