"""What attendees and employers see first, on a phone 390 px wide: the page a badge opens labels each round's
time, table and employer in words, and an employer contact finds its planned talks round by round under "Your
talks"; neither page is wider than the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from badges.models import HolderKind, TokenPurpose
from badges.people import holders, live_tokens
from badges.schedules import schedules
from events.demo.seed import DEMO_SLUG
from events.platform.db import open_session
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.browser.conftest import log_in, screenshot, serve_demo
from tests.browser.test_scanner import _outside_playwright
from tests.conftest import EMPLOYER

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """A demo app of this module's own, and settings to read its badge tokens."""
    workdir = tmp_path_factory.mktemp("attendee")
    with serve_demo(workdir) as base:
        yield base, Settings.from_env({"MEETMATCH_DATA_DIR": str(workdir / "data"), "MEETMATCH_BASE_URL": base})


async def _candidate_badge(settings: Settings) -> tuple[str, int]:
    """A candidate with talks: the badge token and the number of talks."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        shown = await schedules(session, event, people)
        holder = next(h for h in people if shown.of(h).talks)
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, [holder])
        await session.commit()
        return tokens[holder.key][0], len(shown.of(holder).talks)


def _width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_browser_badge_page_on_a_phone_labels_round_time_table_and_employer(
    served: tuple[str, Settings], phone: Any
) -> None:
    base, settings = served
    token, talks = _outside_playwright(_candidate_badge(settings))

    phone.goto(f"{base}/b/{token}")
    cards = phone.locator("li.round-card")
    with_talk = phone.locator("li.round-card:not(.free-round)")
    first = with_talk.first
    screenshot(phone, "30-badge-page-phone")

    assert cards.count() == 6  # the demo's rounds
    assert with_talk.count() == talks
    for label in ("Ronde", "Tijd", "Tafel", "Werkgever"):
        expect(first.locator("dt", has_text=label), label).to_be_visible()
    values = first.locator("dd").all_inner_texts()
    assert len(values) == 4
    assert all(value.strip() for value in values)
    assert float(first.locator("dd").nth(3).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 18
    assert _width(phone) <= 390


def test_browser_employer_finds_its_planned_talks_round_by_round_on_a_phone(
    served: tuple[str, Settings], phone: Any
) -> None:
    base, _settings = served
    log_in(phone, base, EMPLOYER)

    phone.get_by_role("link", name="Uw gesprekken en wat eruit kwam").first.click()
    phone.wait_for_load_state()
    planned = phone.locator("section.planned-talks")
    talk = planned.locator("dl.talk").first
    screenshot(phone, "31-employer-talks-phone")

    expect(phone.get_by_role("heading", name="Uw geplande gesprekken, ronde voor ronde")).to_be_visible()
    assert "geen gesprekken aan uw tafels vastgelegd" not in phone.locator("main").inner_text()
    assert planned.locator("li.round-card").count() == 6
    assert planned.locator("dl.talk").count() > 0
    expect(talk.locator("dt", has_text="Tafel")).to_be_visible()
    expect(talk.locator("dt", has_text="Kandidaat")).to_be_visible()
    expect(planned.locator("li.round-card").first.locator("dt", has_text="Ronde")).to_be_visible()
    assert _width(phone) <= 390
