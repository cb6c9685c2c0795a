"""Sharing one case on a phone 390 px wide (issue 19): the coach shares a candidate with a reclassering officer of
another organisation on the candidate's consent, the officer reads the case and adds a note, the coach ends the
sharing and the officer's link answers "not found"; no page is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.conftest import COACH

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium and a served app: seconds apiece

PROFESSIONAL = "reclassering.denhaag@demo.meetmatch.nl"
NOTE = "Besproken in het Zeg JA-overleg: volgende stap een werkstage."


def _width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _phone(browser: Any) -> Any:
    return browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )


def test_browser_coach_shares_a_case_the_professional_adds_a_note_until_it_ends(live_server: str, browser: Any) -> None:
    base = live_server
    coach_context, professional_context = _phone(browser), _phone(browser)
    try:
        coach = coach_context.new_page()
        log_in(coach, base, COACH)
        candidate_id = coach.request.get(f"{base}/api/candidates").json()["items"][0]["id"]
        coach.goto(f"{base}/candidates/{candidate_id}")
        coach.get_by_label("E-mailadres van de professional").fill(PROFESSIONAL)
        coach.get_by_label("Hoe gaf de kandidaat toestemming?").select_option("paper")
        coach.get_by_label("De kandidaat stemt ermee in").check()
        coach.get_by_role("button", name="Deel de casus").click()
        access = coach.locator("#access")
        expect(access).to_contain_text("Dennis Verhoef")
        expect(access).to_contain_text("Casus delen met Dennis Verhoef (Reclassering Den Haag)")
        expect(access).to_contain_text("De organisatoren van Werkse!")
        assert _width(coach) <= 390
        screenshot(coach, "case-share-coach-390")

        professional = professional_context.new_page()
        log_in(professional, base, PROFESSIONAL)
        professional.goto(f"{base}/candidates/{candidate_id}")
        expect(professional.get_by_text("Deze casus is met u gedeeld.")).to_be_visible()
        professional.get_by_label("Notitie toevoegen").fill(NOTE)
        professional.get_by_role("button", name="Voeg de notitie toe").click()
        expect(professional.locator("#case-notes")).to_contain_text(NOTE)
        assert _width(professional) <= 390
        screenshot(professional, "case-share-professional-390")

        coach.get_by_role("button", name="Delen beëindigen").click()
        expect(coach.locator("#access")).not_to_contain_text("Dennis Verhoef")
        expect(coach.locator("#case-notes")).to_contain_text(NOTE)
        response = professional.goto(f"{base}/candidates/{candidate_id}")
        assert response is not None
        assert response.status == 404
    finally:
        coach_context.close()
        professional_context.close()
