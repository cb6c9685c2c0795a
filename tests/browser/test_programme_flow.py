"""Issue 5 as an organiser walks it: build the demo's programme, move and lock talks, rebuild with the locks
kept, publish and read who is affected."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece


def free_seat(doc: dict[str, Any], meeting: dict[str, Any]) -> tuple[int, int] | None:
    """A round and table where the meeting's employer has room and its candidate is free."""
    employer = next(e for e in doc["employers"] if e["id"] == meeting["employer"])
    candidate = next(c for c in doc["candidates"] if c["id"] == meeting["candidate"])
    busy = {m["round"] for m in doc["meetings"] if m["candidate"] == meeting["candidate"]}
    for rnd in employer["rounds"]:
        if rnd in busy or rnd not in candidate["rounds"]:
            continue
        for table in range(1, employer["tables"] + 1):
            taken = [
                m
                for m in doc["meetings"]
                if (m["employer"], m["round"], m["table"]) == (meeting["employer"], rnd, table)
            ]
            if len(taken) < employer["seats"]:
                return rnd, table
    return None


def version(page: Any, base: str, number: int) -> dict[str, Any]:
    response = page.request.get(f"{base}/api/events/samen-werkt/programme/versions/{number}")
    assert response.ok
    doc: dict[str, Any] = response.json()
    return doc


def test_browser_build_adjust_rebuild_publish(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    page = context.new_page()
    log_in(page, live_server, "organisator@demo.meetmatch.nl")
    page.goto(f"{live_server}/events/samen-werkt")
    page.get_by_role("link", name="Programma", exact=True).click()
    page.wait_for_url("**/programme/1")
    expect(page.get_by_role("heading", name="Programma · versie 1")).to_be_visible()

    # Build a new version: the progress page follows the build and lands on the new draft.
    page.get_by_role("button", name="Nieuwe versie berekenen").click()
    page.wait_for_url("**/programme/2?msg=built", timeout=60_000)
    expect(page.get_by_text("Het programma is berekend als nieuwe conceptversie")).to_be_visible()
    assert page.locator("#grid a.seat").count() >= 100
    screenshot(page, "20-programme-grid")

    # Move a talk to a seat that breaks a rule: the reason shows and nothing changes.
    draft = version(page, live_server, 2)
    first = draft["meetings"][0]
    clash = next(m for m in draft["meetings"] if m["candidate"] == first["candidate"] and m["id"] != first["id"])
    page.goto(f"{live_server}/events/samen-werkt/programme/2/meetings/{first['id']}")
    page.get_by_label("Ronde", exact=True).select_option(str(clash["round"]))
    page.get_by_role("button", name="Verplaatsen").click()
    expect(
        page.get_by_text(f"{first['candidate_name']} heeft in ronde {clash['round']} al een gesprek.").first
    ).to_be_visible()
    screenshot(page, "21-move-refused")
    assert version(page, live_server, 2)["meetings"] == draft["meetings"]

    # A move to a free seat works; then the organiser locks it and one more talk.
    movable = next(m for m in draft["meetings"] if free_seat(draft, m))
    target = free_seat(draft, movable)
    assert target is not None
    page.goto(f"{live_server}/events/samen-werkt/programme/2/meetings/{movable['id']}")
    page.get_by_label("Ronde", exact=True).select_option(str(target[0]))
    page.get_by_label("Tafel", exact=True).select_option(str(target[1]))
    page.get_by_role("button", name="Verplaatsen").click()
    page.wait_for_url("**/programme/2?msg=edited*")
    page.goto(f"{live_server}/events/samen-werkt/programme/2/meetings/{movable['id']}")
    page.get_by_role("button", name="Dit gesprek vastzetten").click()
    page.wait_for_url("**/programme/2?msg=edited*")
    other = next(m for m in draft["meetings"] if m["candidate"] != movable["candidate"])
    page.locator(f"#m{other['id']}").click()
    page.get_by_role("button", name="Dit gesprek vastzetten").click()
    page.wait_for_url("**/programme/2?msg=edited*")
    row = f"#grid tr[data-employer='{movable['employer']}'][data-table='{target[1]}']"
    locked_cell = page.locator(f"{row} td[data-round='{target[0]}'] a.seat.locked")
    assert movable["candidate_name"] in locked_cell.inner_text()
    screenshot(page, "22-locked-talks")

    # Rebuild: the locked talks stay exactly where they were put.
    page.get_by_role("button", name="Nieuwe versie berekenen").click()
    page.wait_for_url("**/programme/3?msg=built", timeout=60_000)
    rebuilt = version(page, live_server, 3)
    kept = {(m["candidate"], m["employer"], m["round"], m["table"]) for m in rebuilt["meetings"] if m["locked"]}
    assert kept == {
        (movable["candidate"], movable["employer"], target[0], target[1]),
        (other["candidate"], other["employer"], other["round"], other["table"]),
    }
    assert page.locator("#grid a.seat.locked").count() == 2

    # Publish: the diff lists who is affected, the moved candidate among them.
    page.get_by_role("link", name="Deze versie publiceren").click()
    page.wait_for_url("**/programme/3/publish")
    page.get_by_role("button", name="Ja, versie 3 publiceren").click()
    page.wait_for_url("**/programme/3/diff?published=1")
    expect(page.get_by_text("Vergeleken met versie 1")).to_be_visible()
    affected = page.locator("ul.affected-candidates li").all_inner_texts()
    assert movable["candidate_name"] in affected
    assert int(page.locator("#affected-candidates-count").inner_text()) == len(affected) > 0
    screenshot(page, "23-published-diff")

    # The quality panel and the print view.
    page.goto(f"{live_server}/events/samen-werkt/programme/3")
    expect(page.get_by_text("gepubliceerd: deelnemers zien deze versie")).to_be_visible()
    assert page.locator("table.histogram tr").count() >= 1
    page.goto(f"{live_server}/events/samen-werkt/programme/3/print/tables")
    assert page.locator("section.table-sheet").count() == sum(e["tables"] for e in rebuilt["employers"])
    context.close()
