"""The foundation as a person meets it: log in, find the event, switch the language, on desk and phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece


def test_browser_organiser_logs_in_opens_event_and_switches_language(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    screenshot(page, "01-login")

    log_in(page, live_server, "organisator@demo.meetmatch.nl")
    card = page.locator(".event-card").filter(has=page.get_by_role("link", name="Samen Werkt!", exact=True))
    assert card.locator(".figure", has_text="werkgevers").locator(".number").inner_text() == "8"
    assert card.locator(".figure", has_text="kandidaten").locator(".number").inner_text() == "50"
    screenshot(page, "02-organiser-home")

    card.get_by_role("link", name="Samen Werkt!", exact=True).click()
    page.wait_for_url("**/events/samen-werkt")
    expect(page.get_by_role("heading", name="Werkgevers")).to_be_visible()
    assert page.locator("table.employers tbody tr").count() == 8
    assert page.locator("table.candidates tbody tr").count() == 50
    screenshot(page, "03-event")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Employers")).to_be_visible()
    assert page.url.endswith("/events/samen-werkt")
    screenshot(page, "04-event-english")

    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Werkgevers")).to_be_visible()


def test_browser_wrong_password_shows_message_in_dutch(page: Any, live_server: str) -> None:
    log_in(page, live_server, "organisator@demo.meetmatch.nl", "verkeerd-wachtwoord")

    assert page.get_by_role("alert").inner_text() == "Onbekend e-mailadres of verkeerd wachtwoord."


def test_browser_coach_on_phone_sees_own_candidates_and_confidential_card(phone: Any, live_server: str) -> None:
    log_in(phone, live_server, "coach@demo.meetmatch.nl")
    expect(phone.get_by_role("heading", name="Mijn kandidaten")).to_be_visible()
    count = phone.locator("ul.list li").count()
    assert 0 < count < 50
    screenshot(phone, "05-coach-phone-home")

    phone.locator("ul.list li a").first.click()
    phone.wait_for_load_state()
    expect(phone.get_by_role("heading", name="Vertrouwelijk")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone, "06-coach-phone-candidate")


def test_browser_employer_sees_own_participation_only(page: Any, live_server: str) -> None:
    log_in(page, live_server, "groen@demo.meetmatch.nl")
    page.get_by_role("link", name="Samen Werkt!", exact=True).click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Jullie deelname")).to_be_visible()
    assert page.locator("table.employers tbody tr").count() == 1
    assert page.locator("table.candidates").count() == 0
    screenshot(page, "07-employer-event")
