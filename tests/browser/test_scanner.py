"""The scanner page in Chromium: a demo badge's QR held in front of a fake camera checks its holder in; with
the connection cut, typed codes are checked against the phone's offline list and queued, survive a reload
of the page, and are sent once the connection is back."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from badges.models import CheckIn, CheckInMethod, HeldTalk, HolderKind, TokenPurpose
from badges.people import Holder, holders, live_tokens
from badges.schedules import published_meetings
from events.demo.seed import DEMO_SLUG
from events.platform.db import open_session
from events.platform.services import find_event
from events.platform.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, log_in, screenshot, serve_demo
from tests.browser.fake_camera import qr_video
from tests.conftest import DOOR, EMPLOYER, require

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece
T = TypeVar("T")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    """A demo app of this module's own (its database is read and checked below)."""
    workdir = tmp_path_factory.mktemp("day")
    with serve_demo(workdir) as base:
        settings = Settings.from_env({"MEETMATCH_DATA_DIR": str(workdir / "data"), "MEETMATCH_BASE_URL": base})
        yield base, settings


async def _badges(settings: Settings) -> list[tuple[Holder, str, int]]:
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        people = await holders(session, event, (HolderKind.CANDIDATE,))
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        await session.commit()
        return [(h, tokens[h.key][0], tokens[h.key][1].number) for h in people]


async def _check_ins(settings: Settings) -> dict[str, CheckInMethod]:
    async with open_session(settings) as session:
        return {row.holder: row.method for row in await session.scalars(select(CheckIn))}


def _outside_playwright(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine while Playwright's own event loop runs in this thread: in a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _launch(playwright: Any, video: Path | None) -> Any:
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream"]
    if video is not None:
        args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


def _playwright() -> Any:
    require(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def test_browser_scanner_checks_a_badge_in_through_the_fake_camera(day: tuple[str, Settings], tmp_path: Path) -> None:
    base, settings = day
    holder, token, _ = asyncio.run(_badges(settings))[0]
    video = qr_video(f"{base}/b/{token}", tmp_path / "badge.y4m")
    with _playwright() as playwright:
        browser = _launch(playwright, video)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="nl-NL")
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        log_in(page, base, DOOR)
        page.get_by_role("link", name="Badges scannen").first.click()
        page.wait_for_selector('#scanner[data-ready="yes"]')
        page.wait_for_selector('[data-role="result"][data-code="checked_in"]', timeout=20_000)
        result = page.locator('[data-role="result"]').inner_text()
        assert holder.first_name in result
        # Linux Chromium has no BarcodeDetector: the vendored zxing-wasm decoded the code, under the app's CSP.
        assert page.locator("#scanner").get_attribute("data-camera") == "zxing-wasm"
        screenshot(page, "20-scanner-checked-in")
        browser.close()
    assert asyncio.run(_check_ins(settings)).get(holder.token_subject) is CheckInMethod.SCAN


def test_browser_scanner_queues_offline_survives_a_reload_and_syncs(day: tuple[str, Settings]) -> None:
    base, settings = day
    badges = asyncio.run(_badges(settings))
    (first, first_token, _), (second, _, second_number) = badges[10], badges[11]
    with _playwright() as playwright:
        browser = _launch(playwright, None)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="nl-NL")
        page = context.new_page()
        log_in(page, base, DOOR)
        page.goto(f"{base}/scan/?event={DEMO_SLUG}")
        page.wait_for_selector('#scanner[data-list-ready="yes"]')
        # Once the service worker controls the page, it keeps a copy for offline use.
        page.wait_for_selector('#scanner[data-worker="ready"]')
        page.reload()
        # Waits by selector, not by script: the app's CSP forbids evaluating strings (Playwright's polling).
        page.wait_for_selector('#scanner[data-controlled="yes"]')
        page.wait_for_selector('#scanner[data-list-ready="yes"]')

        context.set_offline(True)
        page.wait_for_selector('[data-role="connection"].offline')
        page.fill("#typed-code", first_token)
        page.press("#typed-code", "Enter")
        page.wait_for_selector('[data-role="result"][data-code="checked_in_offline"]')
        assert first.first_name in page.locator('[data-role="result"]').inner_text()
        page.fill("#typed-code", "A" * 27)
        page.press("#typed-code", "Enter")
        page.wait_for_selector('[data-role="result"][data-code="unknown"]')
        assert page.locator("#scanner").get_attribute("data-queued") == "2"
        screenshot(page, "21-scanner-offline-queue")

        # A reload without a connection: the page comes from the service worker, the queue from IndexedDB.
        page.reload()
        page.wait_for_selector('#scanner[data-ready="yes"]')
        page.wait_for_selector('#scanner[data-queued="2"]')
        # The number printed on the badge works offline too.
        page.fill("#typed-code", f"#{second_number}")
        page.press("#typed-code", "Enter")
        page.wait_for_selector('[data-role="result"][data-code="checked_in_offline"]')
        page.fill("#typed-code", first_token)
        page.press("#typed-code", "Enter")
        page.wait_for_selector('[data-role="result"][data-code="already_checked_in"]')
        assert page.locator("#scanner").get_attribute("data-queued") == "4"
        assert first.token_subject not in _outside_playwright(_check_ins(settings))

        context.set_offline(False)
        page.wait_for_selector('#scanner[data-synced="yes"]', timeout=20_000)
        assert page.locator('[data-role="queue"]').is_hidden()
        browser.close()
    arrived = asyncio.run(_check_ins(settings))
    assert arrived[first.token_subject] is CheckInMethod.OFFLINE
    assert arrived[second.token_subject] is CheckInMethod.OFFLINE
    # Four queued scans, two people: each checked in once, nothing lost, nothing twice.
    assert sum(1 for h in arrived if h in (first.token_subject, second.token_subject)) == 2


async def _planned_badge(settings: Settings) -> tuple[str, int, int]:
    """A candidate planned with the demo employer Werkse! Groen: first name, badge number, participation."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        contacts = await holders(session, event, (HolderKind.EMPLOYER,))
        groen = next(c for c in contacts if c.organisation == "Werkse! Groen")
        _, meetings = await published_meetings(session, event)
        planned = next(
            m.candidate_participation_id for m in meetings if m.employer_participation_id == groen.employer_id
        )
        person = (await holders(session, event, (HolderKind.CANDIDATE,), only=(planned,)))[0]
        tokens = await live_tokens(session, settings, event, TokenPurpose.BADGE, [person])
        await session.commit()
        return person.first_name, tokens[person.key][1].number, planned


async def _talk(settings: Settings, participation: int) -> tuple[str | None, str]:
    async with open_session(settings) as session:
        talk = await session.scalar(select(HeldTalk).where(HeldTalk.candidate_participation_id == participation))
        assert talk is not None
        return (talk.follow_up.value if talk.follow_up else None), talk.note


def test_browser_employer_logs_a_talk_and_its_follow_up_at_the_table(day: tuple[str, Settings]) -> None:
    base, settings = day
    first_name, number, participation = asyncio.run(_planned_badge(settings))
    with _playwright() as playwright:
        browser = _launch(playwright, None)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="nl-NL")
        page = context.new_page()
        log_in(page, base, EMPLOYER)
        page.get_by_role("link", name="Kandidaten scannen aan uw tafel").first.click()
        page.wait_for_selector('#scanner[data-ready="yes"]')
        assert page.locator("#scanner").get_attribute("data-kind") == "meeting"
        page.fill("#typed-code", str(number))
        page.press("#typed-code", "Enter")
        page.wait_for_selector('[data-role="result"][data-code="meeting_logged"]')
        assert first_name in page.locator('[data-role="result"]').inner_text()
        form = page.locator('[data-role="followup"]')
        expect(form).to_be_visible()
        form.get_by_label("Ja").check()
        page.fill("#followup-note", "Sterk gesprek, uitnodigen voor een tweede gesprek.")
        form.get_by_role("button", name="Opslaan").click()
        page.wait_for_selector('[data-role="followup-state"]:not(:empty)')
        assert page.locator('[data-role="followup-state"]').inner_text() == "Opgeslagen."
        screenshot(page, "22-scanner-employer-follow-up")
        browser.close()
    assert asyncio.run(_talk(settings, participation)) == ("yes", "Sterk gesprek, uitnodigen voor een tweede gesprek.")
