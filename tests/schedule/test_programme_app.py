"""The programme in the app: background builds with progress, hand edits checked against the scheduler's
rules, locks kept by a rebuild, publish with the diff of who is affected, pages and print views."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.models import Event, Preference, PreferenceSide
from events.platform.names import short_name
from events.platform.settings import Settings
from schedule.instance import problem_from_json, quality_to_json
from schedule.models import BuildJob, BuildStatus
from schedule.solver.quality import quality
from schedule.solver.rules import check
from schedule.solver.types import Meeting, Solution
from tests.cli import cli
from tests.conftest import COACH, EMPLOYER, ORGANISER, csrf_headers, login, run
from tests.waiting import wait_until

API = "/api/events/samen-werkt/programme"
PAGES = "/events/samen-werkt/programme"


def build(client: TestClient[Litestar], **body: Any) -> dict[str, Any]:
    """Start a build through the API and follow it until it is done."""
    started = client.post(f"{API}/builds", json=body, headers=csrf_headers(client))
    assert started.status_code == 202, started.text
    job: dict[str, Any] = started.json()
    assert job["status"] == "running"

    def finished() -> bool:
        nonlocal job
        if job["status"] == "running":
            job = client.get(f"{API}/builds/{job['id']}").json()
        return bool(job["status"] != "running")

    assert wait_until(finished, 60), job
    assert job["status"] == "done", job
    return job


def version(client: TestClient[Litestar], number: int) -> dict[str, Any]:
    response = client.get(f"{API}/versions/{number}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def edit(client: TestClient[Litestar], number: int, **body: Any) -> Any:
    return client.post(f"{API}/versions/{number}/edits", json=body, headers=csrf_headers(client))


def meetings_of(doc: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {m["id"]: m for m in doc["meetings"]}


def figures_of(instance: dict[str, Any], meetings: list[dict[str, Any]]) -> dict[str, Any]:
    solution = Solution(
        tuple(sorted(Meeting(m["round"], f"e{m['employer']}", m["table"], f"c{m['candidate']}") for m in meetings))
    )
    problem = problem_from_json(instance)
    assert check(problem, solution) == []
    return quality_to_json(quality(problem, solution))


async def _instance(settings: Settings, number: int) -> dict[str, Any]:
    from schedule.models import ScheduleVersion

    async with open_session(settings) as session:
        found = await session.scalar(select(ScheduleVersion.instance).where(ScheduleVersion.number == number))
        assert found is not None
    # Defaults filled in, so that tests read every person's values alike.
    doc = dict(found)
    every = list(range(1, doc["rounds"] + 1))
    for e in doc["employers"]:
        e.setdefault("rounds", every)
        e.setdefault("seats", 1)
    for c in doc["candidates"]:
        c.setdefault("rounds", every)
        c.setdefault("min_meetings", doc["min_meetings"])
        c.setdefault("max_meetings", doc["max_meetings"])
    return doc


def free_seat(doc: dict[str, Any], instance: dict[str, Any], meeting: dict[str, Any]) -> tuple[int, int] | None:
    """A (round, table) at the meeting's employer where the table has room and the candidate is free."""
    employer = next(e for e in instance["employers"] if e["id"] == f"e{meeting['employer']}")
    candidate = next(c for c in instance["candidates"] if c["id"] == f"c{meeting['candidate']}")
    busy = {m["round"] for m in doc["meetings"] if m["candidate"] == meeting["candidate"]}
    for rnd in employer["rounds"]:
        if rnd in busy or rnd not in candidate["rounds"]:
            continue
        for table in range(1, employer["tables"] + 1):
            used = sum(
                1
                for m in doc["meetings"]
                if m["employer"] == meeting["employer"] and m["round"] == rnd and m["table"] == table
            )
            if used < employer.get("seats", 1):
                return rnd, table
    return None


def test_build_runs_in_the_background_and_makes_a_draft_with_the_checks_figures(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)

    job = build(client, seed=3)
    doc = version(client, job["version"])

    assert job["version"] == 2
    assert job["progress"] == 1.0
    assert doc["status"] == "draft"
    assert doc["current"] is False
    assert doc["seed"] == 3
    assert len(doc["meetings"]) >= 100
    assert doc["quality"] == figures_of(run(_instance(database, 2)), doc["meetings"])
    assert all(m["candidate_name"] and m["employer_name"] for m in doc["meetings"])
    listed = client.get(f"{API}/versions").json()
    assert [(v["number"], v["status"], v["current"]) for v in listed] == [
        (2, "draft", False),
        (1, "published", True),
    ]


def test_a_second_build_while_one_runs_is_refused_and_a_dead_one_is_taken_over(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    async def running(heartbeat: dt.datetime) -> int:
        async with open_session(database) as session:
            event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
            assert event is not None
            job = BuildJob(event_id=event.id, heartbeat_at=heartbeat)
            session.add(job)
            await session.commit()
            return job.id

    async def status(job_id: int) -> BuildStatus:
        async with open_session(database) as session:
            job = await session.get(BuildJob, job_id)
            assert job is not None
            return job.status

    login(client, ORGANISER)
    busy = run(running(dt.datetime.now(dt.UTC)))

    refused = client.post(f"{API}/builds", json={}, headers=csrf_headers(client))
    page = client.post(f"{PAGES}/build", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)

    assert refused.status_code == 409
    assert refused.json()["code"] == "build_running"
    assert page.status_code == 303
    assert page.headers["location"] == f"{PAGES}/builds/{busy}?msg=build_running"
    progress = client.get(page.headers["location"])
    assert "Er loopt al een berekening" in progress.text
    assert '<meta http-equiv="refresh"' in progress.text
    assert run(status(busy)) is BuildStatus.RUNNING

    # The process that ran it died: its heartbeat stopped long ago. The next build takes over.
    async def stale() -> None:
        async with open_session(database) as session:
            job = await session.get(BuildJob, busy)
            assert job is not None
            job.heartbeat_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
            await session.commit()

    run(stale())
    job = build(client)

    assert job["version"] == 2
    assert run(status(busy)) is BuildStatus.FAILED


def test_build_page_shows_progress_and_ends_on_the_new_version(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    started = client.post(f"{PAGES}/build", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"{PAGES}/builds/")

    pages = []

    def finished() -> bool:
        page = client.get(location, follow_redirects=False)
        pages.append(page)
        if page.status_code == 303:
            return True
        assert page.status_code == 200
        assert "<progress" in page.text
        return False

    assert wait_until(finished, 60)
    page = pages[-1]

    assert page.headers["location"] == f"{PAGES}/2?msg=built"
    shown = client.get(page.headers["location"])
    assert "versie 2" in shown.text
    assert "Het programma is berekend als nieuwe conceptversie" in shown.text


Built = tuple[int, dict[str, Any], dict[str, Any]]


@pytest.fixture
def built(client: TestClient[Litestar], demo: DemoResult, database: Settings) -> Built:
    """The organiser (logged in) has built a draft: its number, its document and the instance it was built from."""
    login(client, ORGANISER)
    number = build(client)["version"]
    return number, version(client, number), run(_instance(database, number))


def test_edits_are_checked_against_the_schedulers_rules_and_refusals_save_nothing(
    client: TestClient[Litestar], built: Built, database: Settings
) -> None:
    number, doc, instance = built
    first = doc["meetings"][0]
    clash = next(m for m in doc["meetings"] if m["candidate"] == first["candidate"] and m["round"] != first["round"])

    double = edit(client, number, action="move", meeting=first["id"], round=clash["round"])
    over = edit(client, number, action="move", meeting=first["id"], table=99)
    published = edit(client, 1, action="lock", meeting=version(client, 1)["meetings"][0]["id"])

    assert double.status_code == 422
    assert double.json()["code"] == "candidate_double_booked"
    assert double.json()["field"] == "round"
    assert first["candidate_name"] in double.json()["detail"]
    assert over.status_code == 422
    assert over.json()["code"] == "table_out_of_range"
    assert published.status_code == 409
    assert published.json()["code"] == "version_published"
    assert version(client, number)["meetings"] == doc["meetings"]

    # A valid move, a lock, a swap in one round, a removal: each checked, each saved.
    movable = next(m for m in doc["meetings"] if free_seat(doc, instance, m))
    target = free_seat(doc, instance, movable)
    assert target is not None
    moved = edit(client, number, action="move", meeting=movable["id"], round=target[0], table=target[1])
    assert moved.status_code == 200, moved.text
    after = meetings_of(moved.json())[movable["id"]]
    assert (after["round"], after["table"]) == target

    locked = edit(client, number, action="lock", meeting=movable["id"])
    assert meetings_of(locked.json())[movable["id"]]["locked"] is True
    refused = edit(client, number, action="remove", meeting=movable["id"])
    assert refused.status_code == 422
    assert refused.json()["code"] == "meeting_locked"

    current = version(client, number)
    pair = next(
        (a, b)
        for a in current["meetings"]
        for b in current["meetings"]
        if a["round"] == b["round"]
        and a["id"] < b["id"]
        and not (a["locked"] or b["locked"])
        and a["employer"] != b["employer"]
        and not any(m["candidate"] == a["candidate"] and m["employer"] == b["employer"] for m in current["meetings"])
        and not any(m["candidate"] == b["candidate"] and m["employer"] == a["employer"] for m in current["meetings"])
        and (f"c{a['candidate']}", f"e{b['employer']}") in {(p["candidate"], p["employer"]) for p in instance["pairs"]}
        and (f"c{b['candidate']}", f"e{a['employer']}") in {(p["candidate"], p["employer"]) for p in instance["pairs"]}
    )
    swapped = edit(client, number, action="swap", meeting=pair[0]["id"], other=pair[1]["id"])
    assert swapped.status_code == 200, swapped.text
    rows = meetings_of(swapped.json())
    assert (rows[pair[0]["id"]]["candidate"], rows[pair[0]["id"]]["employer"], rows[pair[0]["id"]]["table"]) == (
        pair[0]["candidate"],
        pair[1]["employer"],
        pair[1]["table"],
    )
    assert (rows[pair[1]["id"]]["candidate"], rows[pair[1]["id"]]["employer"]) == (
        pair[1]["candidate"],
        pair[0]["employer"],
    )

    removed = edit(client, number, action="remove", meeting=pair[0]["id"])
    assert removed.status_code == 200
    assert pair[0]["id"] not in meetings_of(removed.json())
    final = version(client, number)
    assert final["quality"] == figures_of(run(_instance(database, number)), final["meetings"])
    assert final["quality"]["meetings"] == len(doc["meetings"]) - 1


def test_a_talk_added_by_hand_is_locked_and_a_vetoed_pair_is_refused(
    client: TestClient[Litestar], built: Built, database: Settings
) -> None:
    number, doc, instance = built
    listed = {(p["candidate"], p["employer"]) for p in instance["pairs"]}
    # A candidate with a free round, and an employer there with a free table they do not meet yet.
    candidates = {c["id"]: c for c in instance["candidates"]}
    choice = None
    for employer in instance["employers"]:
        eid = int(employer["id"][1:])
        for cid_key, candidate in candidates.items():
            cid = int(cid_key[1:])
            if any(m["candidate"] == cid and m["employer"] == eid for m in doc["meetings"]):
                continue
            busy = {m["round"] for m in doc["meetings"] if m["candidate"] == cid}
            for rnd in sorted(set(employer["rounds"]) & set(candidate["rounds"]) - busy):
                taken = sum(1 for m in doc["meetings"] if m["employer"] == eid and m["round"] == rnd)
                if taken < employer["tables"] * employer.get("seats", 1) and len(busy) < candidate.get(
                    "max_meetings", instance["max_meetings"]
                ):
                    table = next(
                        t
                        for t in range(1, employer["tables"] + 1)
                        if sum(1 for m in doc["meetings"] if (m["employer"], m["round"], m["table"]) == (eid, rnd, t))
                        < employer.get("seats", 1)
                    )
                    choice = (cid, eid, rnd, table)
                    break
            if choice:
                break
        if choice:
            break
    assert choice is not None
    cid, eid, rnd, table = choice

    async def veto() -> None:
        async with open_session(database) as session:
            session.add(
                Preference(
                    candidate_participation_id=cid,
                    employer_participation_id=eid,
                    side=PreferenceSide.EMPLOYER,
                    level=0,
                )
            )
            await session.commit()

    added = edit(client, number, action="add", candidate=cid, employer=eid, round=rnd, table=table)
    assert added.status_code == 200, added.text
    new = [m for m in added.json()["meetings"] if (m["candidate"], m["employer"]) == (cid, eid)]
    assert len(new) == 1
    assert new[0]["locked"] is True
    assert (new[0]["round"], new[0]["table"]) == (rnd, table)
    if (f"c{cid}", f"e{eid}") not in listed:
        assert (f"c{cid}", f"e{eid}") in {
            (p["candidate"], p["employer"]) for p in run(_instance(database, number))["pairs"]
        }

    removed = edit(client, number, action="unlock", meeting=new[0]["id"])
    assert removed.status_code == 200
    edit(client, number, action="remove", meeting=new[0]["id"])
    run(veto())
    vetoed = edit(client, number, action="add", candidate=cid, employer=eid, round=rnd, table=table)
    assert vetoed.status_code == 422
    assert vetoed.json()["code"] == "pair_vetoed"
    assert vetoed.json()["field"] == "employer"


def test_rebuild_keeps_locks_and_publish_lists_exactly_who_is_affected(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    login(client, ORGANISER)
    first = version(client, 1)
    copy = client.post(f"{API}/versions/1/copy", headers=csrf_headers(client))
    assert copy.status_code == 201
    assert copy.json()["based_on"] == 1
    number = copy.json()["number"]
    draft = version(client, number)
    assert sorted((m["round"], m["table"], m["employer"], m["candidate"]) for m in draft["meetings"]) == sorted(
        (m["round"], m["table"], m["employer"], m["candidate"]) for m in first["meetings"]
    )
    instance = run(_instance(database, number))
    movable = next(m for m in draft["meetings"] if free_seat(draft, instance, m))
    target = free_seat(draft, instance, movable)
    assert target is not None
    assert edit(client, number, action="move", meeting=movable["id"], round=target[0], table=target[1]).is_success
    assert edit(client, number, action="lock", meeting=movable["id"]).is_success
    other = next(m for m in draft["meetings"] if m["id"] != movable["id"] and m["candidate"] != movable["candidate"])
    assert edit(client, number, action="lock", meeting=other["id"]).is_success

    rebuilt = version(client, build(client, seed=11)["version"])
    kept = {(m["candidate"], m["employer"], m["round"], m["table"]) for m in rebuilt["meetings"] if m["locked"]}
    assert kept == {
        (movable["candidate"], movable["employer"], target[0], target[1]),
        (other["candidate"], other["employer"], other["round"], other["table"]),
    }

    published = client.post(f"{API}/versions/{rebuilt['number']}/publish", headers=csrf_headers(client))
    assert published.status_code == 200, published.text
    diff = published.json()["diff"]
    assert diff["against"] == 1
    assert diff["version"] == rebuilt["number"]
    before = {(m["candidate"], m["employer"]): (m["round"], m["table"]) for m in first["meetings"]}
    after = {(m["candidate"], m["employer"]): (m["round"], m["table"]) for m in rebuilt["meetings"]}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert {(c["candidate"], c["employer"]) for c in diff["changes"]} == changed
    assert {p["id"] for p in diff["affected_candidates"]} == {c for c, _e in changed}
    assert {p["id"] for p in diff["affected_employers"]} == {e for _c, e in changed}
    moved = next(
        c for c in diff["changes"] if (c["candidate"], c["employer"]) == (movable["candidate"], movable["employer"])
    )
    assert moved["after"] == {"round": target[0], "table": target[1]}
    assert client.get(f"{API}/versions/{rebuilt['number']}/diff").json() == diff
    again = client.post(f"{API}/versions/{rebuilt['number']}/publish", headers=csrf_headers(client))
    assert again.status_code == 409
    assert again.json()["code"] == "already_published"

    # The exported instance and solution give `schedule check` exactly the quality panel's figures.
    out = tmp_path / "export"
    exported = cli(database, "schedule", "export", "samen-werkt", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    checked = cli(database, "schedule", "check", str(out / "instance.json"), str(out / "solution.json"), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["quality"] == version(client, rebuilt["number"])["quality"]
    page = client.get(f"{PAGES}/{rebuilt['number']}")
    quality_panel = json.loads(checked.stdout)["quality"]
    assert f'data-figure="fairness"><span class="number">{quality_panel["fairness"]}</span>' in page.text
    assert f'data-figure="weight"><span class="number">{quality_panel["weight"]}</span>' in page.text
    assert f'data-figure="below_min"><span class="number">{quality_panel["below_min"]}</span>' in page.text


def test_pages_show_the_grid_views_quality_and_print_sheets(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    login(client, ORGANISER)
    doc = version(client, 1)
    someone = doc["meetings"][0]

    home = client.get(PAGES, follow_redirects=False)
    grid = client.get(f"{PAGES}/1")
    per_candidate = client.get(f"{PAGES}/1?view=candidates")
    per_employer = client.get(f"{PAGES}/1?view=employers")
    meeting = client.get(f"{PAGES}/1/meetings/{someone['id']}")
    rounds = client.get(f"{PAGES}/1/print/rounds")
    tables = client.get(f"{PAGES}/1/print/tables")
    diff = client.get(f"{PAGES}/1/diff")

    assert home.status_code == 303
    assert home.headers["location"] == f"{PAGES}/1"
    assert grid.status_code == 200
    assert 'id="grid"' in grid.text
    assert someone["candidate_name"] in grid.text
    assert "Gesprekken per kandidaat" in grid.text
    assert "Lege plaatsen per ronde" in grid.text
    assert 'id="per-candidate"' in per_candidate.text
    assert someone["employer_name"] in per_candidate.text
    assert 'id="per-employer"' in per_employer.text
    assert meeting.status_code == 200
    assert "Aanpassen in een nieuw concept" in meeting.text
    assert 'value="move"' not in meeting.text
    assert rounds.text.count('class="sheet round-sheet"') == 6
    # One sheet per employer table; candidates by first name and initial only.
    assert tables.text.count('class="sheet table-sheet"') == sum(
        e["tables"] for e in run(_instance(database, 1))["employers"]
    )
    first, _space, last = someone["candidate_name"].partition(" ")
    assert short_name(first, last) in tables.text  # "Melissa D." for Melissa van Dagsburg
    assert someone["candidate_name"] not in tables.text
    assert diff.status_code == 200
    assert "Er was nog niets gepubliceerd" in diff.text
    assert client.get(f"{PAGES}/1/print/badges").status_code == 404
    assert client.get(f"{PAGES}/99").status_code == 404


def test_page_edit_with_a_broken_rule_shows_the_reason_and_keeps_the_talk(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    copy = client.post(f"{API}/versions/1/copy", headers=csrf_headers(client)).json()["number"]
    doc = version(client, copy)
    first = doc["meetings"][0]
    clash = next(m for m in doc["meetings"] if m["candidate"] == first["candidate"] and m["round"] != first["round"])

    refused = client.post(
        f"{PAGES}/{copy}/meetings/{first['id']}",
        data={"_csrf_token": client.cookies["csrftoken"], "action": "move", "round": clash["round"], "table": 1},
    )
    locked = client.post(
        f"{PAGES}/{copy}/meetings/{first['id']}",
        data={"_csrf_token": client.cookies["csrftoken"], "action": "lock"},
        follow_redirects=False,
    )

    assert refused.status_code == 422
    assert f"{first['candidate_name']} heeft in ronde {clash['round']} al een gesprek." in refused.text
    assert locked.status_code == 303
    assert locked.headers["location"].endswith(f"msg=edited#m{first['id']}")
    assert meetings_of(version(client, copy))[first["id"]]["locked"] is True
    assert meetings_of(version(client, copy))[first["id"]]["round"] == first["round"]


def test_only_organisers_reach_the_programme(client: TestClient[Litestar], demo: DemoResult) -> None:
    for email in (COACH, EMPLOYER):
        login(client, email)
        assert client.get(f"{API}/versions/1").status_code == 403
        assert client.get(f"{PAGES}/1").status_code == 403
        assert client.post(f"{API}/builds", json={}, headers=csrf_headers(client)).status_code == 403


def test_employer_briefing_pack_lists_its_talks_round_by_round_as_anonymised_cards(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    doc = version(client, 1)
    login(client, EMPLOYER)
    me = client.get("/api/events/samen-werkt/employers").json()[0]
    other = next(e for e in doc["employers"] if e["id"] != me["id"])

    pack = client.get(f"/events/samen-werkt/briefing/{me['id']}")
    refused = client.get(f"/events/samen-werkt/briefing/{other['id']}")

    cards = {c["participation_id"]: c for c in client.get(f"/api/events/samen-werkt/employers/{me['id']}/cards").json()}
    mine = [m for m in doc["meetings"] if m["employer"] == me["id"]]
    assert pack.status_code == 200
    assert pack.text.count('class="briefing-card"') == len(mine) > 0
    for m in mine:
        assert f"Tafel {m['table']} · {cards[m['candidate']]['display_name']}</h3>" in pack.text
        assert m["candidate_name"] not in pack.text
    assert refused.status_code == 404
    login(client, ORGANISER)
    assert client.get(f"/events/samen-werkt/briefing/{other['id']}").status_code == 200
