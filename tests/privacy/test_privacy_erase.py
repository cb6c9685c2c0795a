"""Erasing a person: the issue's done-when test (markers in every personal field of a person, erased, and none
of them left in the database's bytes, the generated files or the logs, while the event's figures stay), and the
rules around it (confirmation, refusals, twice, the ledger replayed after a restore)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, text, update

from events.demo import bakboord
from events.demo.seed import DemoResult
from events.platform.db import create_engine, dispose_engine, import_models, open_session, session_maker
from events.platform.errors import ConflictError
from events.platform.models import Candidate, OutboxMessage
from events.platform.settings import Settings
from events.privacy.erasure import LEDGER_FILE, apply_ledger, erase_person, read_ledger
from events.privacy.models import Erasure
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, login, run
from tests.helpers import an_organiser, answers_by_account, erase, owner_of
from tests.privacy.privacy_seed import MARKERS, Seeded, all_markers, event_figures, seed_person


@pytest.fixture
def app_log(tmp_path: Path) -> Iterator[Path]:
    """Everything the app logs, at DEBUG, into a file for the test to read (as a deployment's log would be)."""
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(before)
        handler.close()


def _found(data: bytes, markers: list[str]) -> list[str]:
    lowered = data.lower()
    return [m for m in markers if m.lower().encode() in lowered]


async def _database_text(settings: Settings) -> dict[str, list[str]]:
    """Markers found per place in the database: on SQLite the raw bytes of the file and its WAL; on PostgreSQL
    every table's rows as text, and the raw files of every table, TOAST table and index of the schema."""
    markers = all_markers()
    found: dict[str, list[str]] = {}
    if settings.is_sqlite:
        path = Path(settings.database_url.split("///", 1)[1])
        for each in (path, path.with_name(path.name + "-wal")):
            if each.exists():
                found[each.name] = _found(each.read_bytes(), markers)
        assert path.name in found
        return found
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            for table in import_models().sorted_tables:
                # The names come from our own metadata.
                rows = await conn.execute(text(f'SELECT t::text FROM "{table.name}" t'))  # noqa: S608
                found[table.name] = _found("\n".join(r[0] for r in rows).encode(), markers)
            await conn.execute(text("CHECKPOINT"))
            data_dir = Path((await conn.execute(text("SHOW data_directory"))).scalar_one())
            relations = await conn.execute(
                text(
                    """
                    WITH mine AS (
                        SELECT c.oid, c.reltoastrelid FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema
                    ), toast AS (SELECT reltoastrelid AS oid FROM mine WHERE reltoastrelid <> 0)
                    SELECT pg_relation_filepath(oid) FROM mine
                    UNION SELECT pg_relation_filepath(oid) FROM toast
                    UNION SELECT pg_relation_filepath(indexrelid) FROM pg_index
                        WHERE indrelid IN (SELECT oid FROM toast)
                    """
                ),
                {"schema": settings.database_schema},
            )
            files = [data_dir / r[0] for r in relations if r[0]]
    finally:
        await dispose_engine(engine)
    found.update(_relation_files(data_dir, files, markers))
    return found


def _relation_files(data_dir: Path, files: list[Path], markers: list[str]) -> dict[str, list[str]]:
    """Markers in PostgreSQL's files of the schema's relations (readable when the tests run as root or postgres)."""
    found: dict[str, list[str]] = {}
    readable = [f for f in files if f.exists()]
    if not (data_dir.exists() and readable):
        return found
    for each in readable:
        for segment in [each, *sorted(each.parent.glob(each.name + ".[0-9]*"))]:
            hits = _found(segment.read_bytes(), markers)
            if hits:
                found[f"file {segment}"] = hits
    found["(relation files read)"] = [] if len(readable) > 20 else ["too few relation files found"]
    return found


def _files_with_markers(settings: Settings) -> dict[str, list[str]]:
    markers = all_markers()
    database = Path(settings.database_url.split("///", 1)[1]).name if settings.is_sqlite else ""
    found = {}
    for path in settings.data_dir.rglob("*"):
        if path.is_file() and not path.name.startswith(database or "\0"):
            hits = _found(path.read_bytes(), markers)
            if hits:
                found[str(path.relative_to(settings.data_dir))] = hits
    return found


def _erase_through_pages(client: TestClient[Litestar], candidate_id: int) -> None:
    login(client, ORGANISER)
    assert client.get(f"/candidates/{candidate_id}").status_code == 200  # a read of the sensitive data
    assert client.get(f"/candidates/{candidate_id}/export.json").status_code == 200
    confirm = client.get(f"/candidates/{candidate_id}/erase")
    assert confirm.status_code == 200
    assert "Persoonsgegevens van Mkfirstqz Mklastqz wissen" in confirm.text
    response = client.post(
        f"/candidates/{candidate_id}/erase",
        data={"confirm": "erase", "_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/candidates/?msg=erased")


def test_erase_leaves_no_marker_in_database_files_or_logs_and_the_figures_stay(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, app_log: Path
) -> None:
    seeded = run(seed_person(database, demo.event_id))
    figures = run(event_figures(database, demo.event_id))
    assert run(_database_text(database)) != {}  # the markers are there to find, before
    assert _files_with_markers(database) != {}

    _erase_through_pages(client, seeded.candidate_id)

    assert run(event_figures(database, demo.event_id)) == figures
    leftovers = {place: hits for place, hits in run(_database_text(database)).items() if hits}
    assert leftovers == {}
    assert _files_with_markers(database) == {}
    logged = app_log.read_bytes()
    assert logged  # the log did capture the scenario
    assert _found(logged, all_markers()) == []
    assert not any(Path(f).exists() for f in seeded.files)


async def _state(settings: Settings, seeded: Seeded) -> dict[str, object]:
    async with open_session(settings) as session:
        candidate = await session.get(Candidate, seeded.candidate_id)
        other = await session.get(Candidate, seeded.other_candidate_id)
        assert candidate is not None
        assert other is not None
        messages = list(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.candidate_participation_id == seeded.participation_id)
            )
        )
        ledger = list(await session.scalars(select(Erasure.candidate_id)))
        return {
            "name": candidate.full_name,
            "erased": candidate.erased_at is not None,
            "email": candidate.email,
            "other_note": other.coach_note,
            "messages": sorted(m.value for m in messages),
            "ledger": ledger,
        }


def test_erase_keeps_a_placeholder_sends_nothing_more_and_writes_the_ledger(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))

    _erase_through_pages(client, seeded.candidate_id)

    assert run(_state(database, seeded)) == {
        "name": f"Erased #{seeded.candidate_id}",
        "erased": True,
        "email": None,
        "other_note": "Komt samen met [erased].",
        "messages": ["failed", "sent"],
        "ledger": [seeded.candidate_id],
    }
    assert [e["candidate_id"] for e in read_ledger(database)] == [seeded.candidate_id]
    assert re.fullmatch(
        r'\{"at": "[^"]+", "candidate_id": \d+, "reason": "request"\}\n',
        (database.data_dir / LEDGER_FILE).read_text(),
    )
    assert client.get(f"/candidates/{seeded.candidate_id}").status_code == 404
    assert "De persoonsgegevens zijn gewist" in client.get("/candidates/?msg=erased").text


def test_erase_without_confirmation_changes_nothing(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))
    login(client, ORGANISER)

    response = client.post(
        f"/candidates/{seeded.candidate_id}/erase", data={"_csrf_token": client.cookies.get("csrftoken")}
    )
    api = client.post(
        f"/api/candidates/{seeded.candidate_id}/erase",
        json={"confirm": False},
        headers={"x-csrftoken": client.cookies.get("csrftoken") or ""},
    )

    assert response.status_code == 422
    assert "Zet een vinkje om te bevestigen" in response.text
    assert (api.status_code, api.json()["code"], api.json()["field"]) == (422, "confirm", "confirm")
    assert run(_state(database, seeded))["erased"] is False


def test_erase_of_an_erased_or_unknown_person_says_so(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))
    _erase_through_pages(client, seeded.candidate_id)
    token = {"x-csrftoken": client.cookies.get("csrftoken") or ""}

    again = client.get(f"/candidates/{seeded.candidate_id}/erase")
    again_api = client.post(f"/api/candidates/{seeded.candidate_id}/erase", json={"confirm": True}, headers=token)
    export = client.get(f"/candidates/{seeded.candidate_id}/export.json")
    unknown = client.get("/candidates/999999/erase")
    unknown_api = client.post("/api/candidates/999999/erase", json={"confirm": True}, headers=token)

    assert again.status_code == 409
    assert "De gegevens van deze persoon zijn al gewist op" in again.text
    assert (again_api.status_code, again_api.json()["code"]) == (409, "already_erased")
    assert export.status_code == 409
    assert "er zijn geen persoonsgegevens meer om te exporteren" in export.text
    assert (unknown.status_code, unknown_api.status_code) == (404, 404)
    assert all("Traceback" not in r.text for r in (again, export, unknown))


def test_erase_refused_to_coach_employer_door_and_anonymous(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))

    def ask(client: TestClient[Litestar]) -> tuple[int, int]:
        client.get("/login")
        page = client.post(
            f"/candidates/{seeded.candidate_id}/erase",
            data={"confirm": "erase", "_csrf_token": client.cookies.get("csrftoken")},
            follow_redirects=False,
        )
        api = client.post(
            f"/api/candidates/{seeded.candidate_id}/erase",
            json={"confirm": True},
            headers={"x-csrftoken": client.cookies.get("csrftoken") or ""},
        )
        return page.status_code, api.status_code

    answers = answers_by_account(client, ask)

    assert answers == {COACH: (403, 403), EMPLOYER: (403, 403), DOOR: (403, 403), None: (303, 401)}
    assert run(_state(database, seeded))["erased"] is False


def test_erase_of_another_organisations_person_answers_like_an_unknown_one(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    seeded = run(seed_person(database, demo.event_id))  # a person of Werkse!'s event
    login(client, bakboord.ORGANISER[1])
    token = {"x-csrftoken": client.cookies.get("csrftoken") or ""}

    confirm = client.get(f"/candidates/{seeded.candidate_id}/erase")
    page = client.post(
        f"/candidates/{seeded.candidate_id}/erase",
        data={"confirm": "erase", "_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    api = client.post(f"/api/candidates/{seeded.candidate_id}/erase", json={"confirm": True}, headers=token)

    assert (confirm.status_code, page.status_code, api.status_code) == (404, 404, 404)
    assert api.json()["code"] == "not_found"
    assert all(MARKERS["last_name"] not in r.text for r in (confirm, page))
    assert run(_state(database, seeded))["erased"] is False


async def _erase_twice_at_once(settings: Settings, candidate_id: int) -> list[str]:
    organiser = an_organiser(await owner_of(settings, candidate_id))
    engines = [create_engine(settings), create_engine(settings)]
    try:
        results = await asyncio.gather(
            *(erase_person(session_maker(e), settings, organiser, candidate_id) for e in engines),
            return_exceptions=True,
        )
    finally:
        for e in engines:
            await dispose_engine(e)
    return sorted(type(r).__name__ if isinstance(r, Exception) else "erased" for r in results)


def test_erase_from_two_processes_at_once_erases_once(demo: DemoResult, database: Settings) -> None:
    seeded = run(seed_person(database, demo.event_id))

    outcome = run(_erase_twice_at_once(database, seeded.candidate_id))

    assert outcome == [ConflictError.__name__, "erased"]
    assert run(_state(database, seeded))["ledger"] == [seeded.candidate_id]
    assert len(read_ledger(database)) == 1


async def _restore_older_backup(settings: Settings, seeded: Seeded) -> None:
    """What a restore from a backup made before the erasure brings back: the person, and no ledger row."""
    async with open_session(settings) as session:
        await session.execute(
            update(Candidate)
            .where(Candidate.id == seeded.candidate_id)
            .values(
                first_name=MARKERS["first_name"], last_name=MARKERS["last_name"], email=MARKERS["email"], erased_at=None
            )
        )
        await session.execute(Erasure.__table__.delete())
        await session.commit()


async def _apply(settings: Settings) -> list[int]:
    engine = create_engine(settings)
    try:
        return (await apply_ledger(session_maker(engine), settings)).erased
    finally:
        await dispose_engine(engine)


def test_apply_ledger_erases_again_whom_a_restored_backup_brought_back(demo: DemoResult, database: Settings) -> None:
    seeded = run(seed_person(database, demo.event_id))
    run(erase(database, seeded.candidate_id))
    run(_restore_older_backup(database, seeded))
    assert run(_state(database, seeded))["name"] == f"{MARKERS['first_name']} {MARKERS['last_name']}"

    assert run(_apply(database)) == [seeded.candidate_id]

    state = run(_state(database, seeded))
    assert (state["name"], state["email"], state["ledger"]) == (
        f"Erased #{seeded.candidate_id}",
        None,
        [seeded.candidate_id],
    )
    assert len(read_ledger(database)) == 1  # replayed, not recorded twice
    assert run(_apply(database)) == []  # nothing left to do
