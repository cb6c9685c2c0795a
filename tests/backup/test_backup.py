"""`meetmatch backup` / `meetmatch restore`: the drill (back up the demo with its history, restore it into a fresh
database, every table's count and content hash equal), the erasure ledger keeping people erased through a
restore of an older backup, one transaction for the whole restore, and bad input refused with one line."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, column, insert, table
from sqlalchemy.engine import Connection

import events.backup.services
from events.backup.archive import MANIFEST, read_archive
from events.backup.services import backup, restore, table_digests
from events.demo.seed import DemoResult
from events.platform.db import create_engine, dispose_engine, open_session
from events.platform.migrate import current_revision, head_revision
from events.platform.models import Event, Organisation, OrganisationKind
from events.platform.settings import Settings
from events.results.figures import event_report
from events.results.shapes import EventReport
from tests.cli import cli
from tests.conftest import _demo, create_tables, make_settings, run
from tests.helpers import alembic, erase
from tests.privacy.privacy_seed import MARKERS, all_markers, seed_person

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def source(demo_history: DemoResult, database: Settings) -> Settings:
    """The demo with its spring edition, at the newest schema revision."""
    # The fixtures build the schema from the models; mark it as the migrations' newest, as `db upgrade` does.
    run(alembic(database, "stamp", "head"))
    return database


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Settings]:
    """Another, empty database (a file of its own, or a PostgreSQL schema of its own), with the same key."""
    (tmp_path / "fresh").mkdir()
    yield from make_settings(tmp_path / "fresh")


async def _tables(settings: Settings) -> set[str]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:

            def names(sync: Connection) -> set[str]:
                found = MetaData()
                found.reflect(sync)
                return set(found.tables)

            return await connection.run_sync(names)
    finally:
        await dispose_engine(engine)


async def _add_organisation(settings: Settings) -> int:
    async with open_session(settings) as session:
        organisation = Organisation(name="Na de restore BV", kind=OrganisationKind.EMPLOYER)
        session.add(organisation)
        await session.commit()
        return organisation.id


async def _figures(settings: Settings, event_id: int) -> EventReport:
    async with open_session(settings) as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return (await event_report(session, event, TODAY)).counts_only()


def _dump_text(settings: Settings, tmp_path: Path, name: str) -> str:
    """Every table's rows as the archive holds them (JSON lines), as one text."""
    archive = tmp_path / f"{name}.tar.gz"
    run(backup(settings, archive))
    scratch = tmp_path / f"{name}-rows"
    scratch.mkdir()
    found = read_archive(archive, scratch)
    return "".join(path.read_text(encoding="utf-8") for path in found.files.values())


@pytest.mark.slow
def test_backup_then_restore_into_a_fresh_database_gives_equal_counts_and_hashes(
    source: Settings, fresh: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pages and batches, so that the demo's tables cross their boundaries as a large database's do.
    monkeypatch.setattr(events.backup.services, "PAGE", 7)
    monkeypatch.setattr(events.backup.services, "BATCH", 5)
    archive = tmp_path / "demo.tar.gz"
    manifest = run(backup(source, archive))
    before = run(table_digests(source))

    report = run(restore(fresh, archive))

    after = run(table_digests(fresh))
    assert after == before
    assert {t["name"]: (t["rows"], t["sha256"]) for t in manifest["tables"]} == {
        name: (d.rows, d.sha256) for name, d in before.items()
    }
    assert manifest["alembic_revision"] == head_revision(source)
    assert before["meeting"].rows > 0
    assert before["outcome"].rows > 0
    assert (report.rows, report.migrated_to) == (sum(d.rows for d in before.values()), None)
    assert source.secret_key not in archive.read_bytes().decode("latin-1")
    assert archive.stat().st_mode & 0o777 == 0o600
    # New rows continue after the restored ids (PostgreSQL's sequences were moved on).
    assert run(_add_organisation(fresh)) > max(0, before["organisation"].rows)


def test_restore_of_an_older_backup_erases_again_who_was_erased_after_it(
    source: Settings, demo_history: DemoResult, tmp_path: Path
) -> None:
    seeded = run(seed_person(source, demo_history.event_id))
    archive = tmp_path / "before-erasure.tar.gz"
    run(backup(source, archive))
    held = _dump_text(source, tmp_path, "before")
    assert MARKERS["first_name"] in held  # the backup holds the person
    assert [m for m in (MARKERS["target_group"], MARKERS["coach_note"]) if m in held] == []  # encrypted there too
    run(erase(source, seeded.candidate_id))
    figures = run(_figures(source, demo_history.event_id))
    erased = _dump_text(source, tmp_path, "erased")
    assert [m for m in all_markers() if m in erased] == []

    report = run(restore(source, archive, replace=True))

    assert report.ledger.erased == [seeded.candidate_id]
    restored = _dump_text(source, tmp_path, "restored")
    assert [m for m in all_markers() if m in restored] == []
    assert run(_figures(source, demo_history.event_id)) == figures


def test_restore_failing_midway_leaves_the_database_as_it_was(
    source: Settings, fresh: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "demo.tar.gz"
    run(backup(source, archive))
    before = run(table_digests(source))

    async def broken(*_args: Any) -> None:
        raise RuntimeError("the machine fell over")

    monkeypatch.setattr(events.backup.services, "_fix_sequences", broken)
    with pytest.raises(RuntimeError):
        run(restore(source, archive, replace=True))
    with pytest.raises(RuntimeError):
        run(restore(fresh, archive))

    assert run(table_digests(source)) == before
    assert run(_tables(fresh)) == set()  # the schema too was created in the transaction, and went with it


def _rewrite(archive: Path, target: Path, change: Any) -> Path:
    """A copy of the archive with its members passed through `change(name, data) -> data`."""
    with tarfile.open(archive, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member)
            assert data is not None
            body = change(member.name, data.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(body)
            new.addfile(info, io.BytesIO(body))
    return target


def test_restore_bad_input_is_one_clear_line_and_exit_2(source: Settings, fresh: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "demo.tar.gz"
    run(backup(source, archive))
    before = run(table_digests(source))
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"this is no archive" * 100)

    def future(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        return json.dumps({**manifest, "alembic_revision": "9999_from_the_future"}).encode()

    def tampered(name: str, data: bytes) -> bytes:
        return data.replace(b"Samen Werkt", b"Samen Wxrkt") if name.endswith("-event.jsonl") else data

    newer = _rewrite(archive, tmp_path / "newer.tar.gz", future)
    damaged = _rewrite(archive, tmp_path / "damaged.tar.gz", tampered)

    answers = {
        "missing": cli(fresh, "restore", str(tmp_path / "nowhere.tar.gz")),
        "garbage": cli(fresh, "restore", str(garbage)),
        "damaged": cli(fresh, "restore", str(damaged)),
        "newer": cli(fresh, "restore", str(newer)),
        "not empty": cli(source, "restore", str(archive)),
    }

    shapes = {k: (r.returncode, r.stderr.count("\n"), r.stderr.split(":")[0]) for k, r in answers.items()}
    assert shapes == dict.fromkeys(answers, (2, 1, "error"))
    assert "no such file" in answers["missing"].stderr
    assert "not a readable meetmatch backup" in answers["garbage"].stderr
    assert "do not match their hash" in answers["damaged"].stderr
    assert "newer meetmatch" in answers["newer"].stderr
    assert "--replace" in answers["not empty"].stderr
    assert run(table_digests(source)) == before
    assert run(_tables(fresh)) == set()


def test_backup_and_restore_commands_round_trip(source: Settings, fresh: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "cli.tar.gz"

    made = cli(source, "backup", "-o", str(archive))
    restored = cli(fresh, "restore", str(archive))
    helped = cli(source, "backup", "--help")

    assert (made.returncode, restored.returncode) == (0, 0), made.stderr + restored.stderr
    assert "the secret key is not included" in made.stdout
    assert "counts and content hashes match" in restored.stdout
    assert "secret key is NOT in the archive" in " ".join(helped.stdout.split())
    assert run(table_digests(fresh)) == run(table_digests(source))


async def _migrate_to(settings: Settings, revision: str) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(events.backup.services._migrate, settings, revision)
            # The table as the older schema has it (the model's own has columns added since, such as is_active).
            older_table = table("organisation", column("id"), column("name"), column("kind"))
            await connection.execute(insert(older_table).values(id=7, name="Oude Schema BV", kind="employer"))
    finally:
        await dispose_engine(engine)


def test_restore_of_an_older_schema_migrates_it_to_the_code_s(
    settings: Settings, fresh: Settings, tmp_path: Path
) -> None:
    older = "0007"
    run(_migrate_to(settings, older))
    archive = tmp_path / "older.tar.gz"
    assert run(backup(settings, archive))["alembic_revision"] == older

    report = run(restore(fresh, archive))

    assert (report.revision, report.migrated_to) == (older, head_revision(fresh))
    assert run(current_revision(fresh)) == head_revision(fresh)
    assert run(table_digests(fresh))["organisation"].rows == 1


def test_an_archive_of_a_sqlite_installation_restores_into_the_suite_s_database(
    fresh: Settings, tmp_path: Path
) -> None:
    """On the PostgreSQL pass this is the move from the one-machine SQLite set-up to PostgreSQL."""
    (tmp_path / "small").mkdir()
    small = Settings(
        data_dir=fresh.data_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'small' / 'meetmatch.sqlite'}",
        secret_key=fresh.secret_key,
    )
    run(create_tables(small))
    run(_demo(small, history=True))
    run(alembic(small, "stamp", "head"))
    archive = tmp_path / "small.tar.gz"
    run(backup(small, archive))

    run(restore(fresh, archive))

    assert run(table_digests(fresh)) == run(table_digests(small))
