"""Finding a candidate as an organiser does, on a desk and on a phone: type part of a name, narrow by status, go to
the next page and keep the search (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece


def _search(page: Any, live_server: str, width: int) -> None:
    page.goto(live_server + "/candidates/")
    expect(page.get_by_role("link", name="Kandidaat inschrijven")).to_be_visible()
    first = page.locator("table.table tbody tr").first.locator("a").inner_text()

    page.get_by_label("Naam, e-mail of telefoon").fill(first.split()[0].upper())
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state()

    names = page.locator("table.table tbody tr a").all_inner_texts()
    assert first in names
    assert all(first.split()[0].lower() in n.lower() for n in names)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"candidate-search-{width}")


def test_browser_organiser_finds_a_candidate_and_pages_with_the_filters(page: Any, live_server: str) -> None:
    log_in(page, live_server, "organisator@demo.meetmatch.nl")
    _search(page, live_server, 1280)

    page.goto(live_server + "/candidates/?per_page=10&status=confirmed")
    page.get_by_role("navigation", name="Pagina's met kandidaten").get_by_role("link", name="Volgende pagina").click()
    page.wait_for_load_state()

    assert "page=2" in page.url
    assert "status=confirmed" in page.url
    expect(page.locator('[aria-current="page"]')).to_have_text("2")
    expect(page.get_by_label("Status bij de bijeenkomst")).to_have_value("confirmed")


def test_browser_coach_searches_own_candidates_on_a_phone(phone: Any, live_server: str) -> None:
    log_in(phone, live_server, "coach@demo.meetmatch.nl")
    _search(phone, live_server, 390)
