"""Issue 4 as a new user walks it: create, import (with two bad rows first), add employers, wishes, interest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import logged_in_page, screenshot
from tests.registration.test_import_pages import candidate_rows, workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece


def test_browser_event_fills_up_from_spreadsheet_to_wishes_grid(browser: Any, live_server: str, tmp_path: Path) -> None:
    desk, page = logged_in_page(browser, live_server, "organisator@demo.meetmatch.nl")

    # The organiser creates an event.
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    page.get_by_label("Naam").fill("Banenmarkt Tanthof")
    page.get_by_label("Datum").fill("2027-04-15")
    page.get_by_label("Locatie").fill("Wijkcentrum Tanthof")
    page.get_by_label("Aantal rondes").fill("4")
    page.get_by_label("Hoogstens kandidaten per tafel").fill("2")
    screenshot(page, "10-new-event-form")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/events/banenmarkt-tanthof?msg=saved")
    expect(page.get_by_role("heading", name="Banenmarkt Tanthof")).to_be_visible()

    # Imports 50 candidates: the first file has two bad rows.
    bad, good = tmp_path / "kandidaten.xlsx", tmp_path / "kandidaten-verbeterd.xlsx"
    bad.write_bytes(workbook(candidate_rows(bad=True)))
    good.write_bytes(workbook(candidate_rows(bad=False)))
    page.get_by_role("link", name="Kandidaten inlezen").click()
    page.set_input_files("#f-file", str(bad))
    page.get_by_role("button", name="Bestand controleren").click()
    errors = page.locator("table.row-errors tbody tr")
    expect(errors).to_have_count(2)
    assert errors.nth(0).locator("td").nth(0).inner_text() == "7"
    assert errors.nth(1).locator("td").nth(0).inner_text() == "12"
    screenshot(page, "11-import-two-bad-rows")
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    page.set_input_files("#f-file", str(good))
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_text("Alle rijen kloppen.")).to_be_visible()
    # Without the consent confirmation nothing comes in; with it, every new candidate has a record.
    page.get_by_role("button", name="Inlezen", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="geen toestemming in het bestand")).to_be_visible()
    page.get_by_label("Ik bevestig dat deze kandidaten").check()
    page.get_by_label("Hoe", exact=True).select_option("paper")
    screenshot(page, "11b-import-consent")
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/events/banenmarkt-tanthof?msg=imported*")
    assert page.locator("table.candidates tbody tr").count() == 50

    # Adds an employer (an organisation already known) with an opening.
    page.get_by_role("link", name="Werkgever toevoegen").click()
    page.get_by_label("Organisatie").fill("Werkse! Groen")
    page.get_by_label("Tafels").fill("3")
    page.get_by_label("Kandidaten per tafel").fill("2")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/employers/*?msg=saved")
    page.get_by_label("Titel").fill("Hovenier in opleiding")
    page.get_by_role("button", name="Vacature toevoegen").click()
    expect(page.get_by_text("Hovenier in opleiding")).to_be_visible()
    screenshot(page, "12-employer-with-opening")
    desk.close()

    # A coach, on a phone, enters wishes for one of the imported candidates.
    phone_context, phone = logged_in_page(
        browser,
        live_server,
        "coach@demo.meetmatch.nl",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    # Among their candidates, the coach finds the person by searching the list.
    phone.goto(live_server + "/candidates/?q=Persoon3")
    phone.get_by_role("link", name="Persoon3 Achter3").click()
    phone.locator("li", has_text="Banenmarkt Tanthof").get_by_role("link", name="Wensen").click()
    phone.locator(".wish", has_text="Werkse! Groen").get_by_role("button", name="heel graag").click()
    chosen = phone.locator(".wish", has_text="Werkse! Groen").locator("button.chosen")
    assert chosen.inner_text() == "heel graag"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "13-coach-wishes-phone")
    phone_context.close()

    # The employer marks interest in anonymised cards.
    employer_context, employer = logged_in_page(
        browser, live_server, "groen@demo.meetmatch.nl", viewport={"width": 1100, "height": 900}
    )
    employer.goto(live_server + "/events/banenmarkt-tanthof/cards")
    card = employer.locator(".candidate-card", has_text="Persoon3 A.")
    expect(card.get_by_text("wil u graag spreken")).to_be_visible()
    assert "persoon3@example.org" not in employer.content()
    card.get_by_role("button", name="ja", exact=True).click()
    assert employer.locator(".candidate-card", has_text="Persoon3 A.").locator("button.chosen").inner_text() == "ja"
    screenshot(employer, "14-employer-cards")
    employer_context.close()

    # The organiser sees the filled grid and the capacity check.
    grid_context, grid = logged_in_page(browser, live_server, "organisator@demo.meetmatch.nl")
    grid.goto(live_server + "/events/banenmarkt-tanthof/preferences")
    row = grid.locator("table.grid tbody tr", has_text="Persoon3 Achter3")
    assert row.locator("td.cell .levels-pair").first.inner_text() == "3/2"
    assert row.locator("td.cell .weight").first.inner_text() == str(
        3 * 7 + 2 * 4
    )  # no sector given in the file, so no sector bonus
    expect(grid.get_by_role("heading", name="Past iedereen?")).to_be_visible()
    expect(grid.get_by_text("gesprekken tekort")).to_be_visible()
    screenshot(grid, "15-wishes-grid-capacity")
    grid_context.close()
