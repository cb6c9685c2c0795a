"""Issue 20's plenary gathering as its people walk it: the organiser creates an afternoon without rounds in the
app and adds an official guest; door staff, on a phone (390 px), find the guest by name and check them in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from events.platform import dates
from tests.browser.conftest import logged_in_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # needs Chromium and a served app: seconds apiece


def test_browser_plenary_gathering_with_an_official_checked_in_at_the_door(browser: Any, live_server: str) -> None:
    desk, page = logged_in_page(browser, live_server, "organisator@demo.meetmatch.nl")

    # The organiser creates a plenary gathering today: the rounds part of the form goes away.
    page.goto(live_server + "/events/new")
    page.get_by_label("Plenaire bijeenkomst: geen rondes, geen gesprekken te plannen").check()
    expect(page.get_by_label("Aantal rondes")).to_be_hidden()
    page.get_by_label("Naam").fill("Netwerkmiddag Werk in Zuidwest")
    page.get_by_label("Datum").fill(dates.today().isoformat())
    page.get_by_label("Locatie").fill("Stadhuis Den Haag")
    screenshot(page, "60-plenary-new-event")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/events/netwerkmiddag-werk-in-zuidwest?msg=saved")
    expect(page.get_by_text("Plenaire bijeenkomst", exact=True)).to_be_visible()
    expect(page.locator("table.rounds")).to_have_count(0)

    # Adds the wethouder as an official guest.
    page.get_by_role("link", name="Gasten", exact=True).first.click()
    page.get_by_label("Naam").fill("Karim el Amrani")
    page.get_by_label("Soort").select_option("official")
    page.get_by_label("Functie").fill("Wethouder Werk en Inkomen")
    page.get_by_label("Organisatie").fill("Gemeente Den Haag")
    page.get_by_role("button", name="Gast toevoegen").click()
    page.wait_for_url("**/guests?msg=saved")
    row = page.locator("table.guests tbody tr").filter(has_text="Karim el Amrani")
    expect(row).to_contain_text("Overheid · Wethouder Werk en Inkomen")
    screenshot(page, "61-plenary-guests")
    desk.close()

    # Door staff on a phone: the scanner's "check in by name", the guest found and checked in.
    door, phone = logged_in_page(
        browser,
        live_server,
        "ingang@demo.meetmatch.nl",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.goto(live_server + "/scan/?event=netwerkmiddag-werk-in-zuidwest")
    phone.get_by_role("link", name="Aanmelden op naam").click()
    phone.get_by_label("Naam").fill("karim")
    phone.get_by_role("button", name="Zoeken").click()
    found = phone.locator(".door-list li").filter(has_text="Karim e.")
    expect(found).to_contain_text("Overheid")
    found.get_by_role("button", name="Aanmelden").click()
    expect(phone.get_by_text("Aangemeld.", exact=True)).to_be_visible()
    phone.get_by_label("Naam").fill("karim")
    phone.get_by_role("button", name="Zoeken").click()
    expect(phone.locator(".door-list li").filter(has_text="Karim e.").locator('[data-role="in"]')).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "62-plenary-door-checked-in-phone")
    door.close()
