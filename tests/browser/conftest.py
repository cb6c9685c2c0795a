"""A served demo app and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from events.platform import twofactor
from tests.conftest import ARTIFACTS, require
from tests.served import free_port, serving
from tests.waiting import wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@contextmanager
def serve_demo(workdir: Path) -> Iterator[str]:
    """`meetmatch serve --demo` on SQLite in `workdir` (its data under `workdir/data`), as the README's first
    command runs it; yields the base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_")}
    env["MEETMATCH_DATA_DIR"] = str(workdir / "data")
    env["MEETMATCH_BASE_URL"] = f"http://127.0.0.1:{port}"
    with serving(port, ["--demo"], env=env, cwd=workdir, log=workdir / "serve.log", seconds=90) as (base, _):
        yield base


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo app served once for the browser tests that share it."""
    with serve_demo(tmp_path_factory.mktemp("served")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in this thread while
    # it is open, and the other tests call asyncio.run().
    require(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the [test] extra installs it
        require(False, "playwright is not installed")
        raise
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep what the page shows as an artefact of the run. Chromium sometimes refuses a full-page capture
    while the page is still settling ("Unable to capture screenshot"): wait for the load and try again."""
    from playwright.sync_api import Error

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            page.screenshot(path=str(path), full_page=True)
            return path
        except Error as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    return path


# The last time step whose code each served app accepted per account: a code is good once.
_USED_STEPS: dict[tuple[str, str], int] = {}


def _fresh_code(base: str, email: str) -> str:
    """The demo's code for ``email`` that the served app has not accepted yet (the current step's, or the
    next one's, which the app also accepts; else wait for the next step)."""

    def usable_step() -> int:
        now = int(time.time() // twofactor.STEP_SECONDS)
        step = max(now, _USED_STEPS.get((base, email), now - 1) + 1)
        return step if step <= now + twofactor.WINDOW else 0

    step = wait_until(usable_step, 2 * twofactor.STEP_SECONDS, every=0.2)
    assert step, f"no unused two-factor step for {email}"
    _USED_STEPS[(base, email)] = step
    return twofactor.code_at(twofactor.demo_secret(email), step)


def log_in(page: Any, base: str, email: str, password: str = "samenwerkt") -> None:
    """The login form, and the code from the authenticator app when the account has two-factor login (the
    demo's key, as `meetmatch serve --demo` prints it)."""
    page.goto(base + "/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.get_by_label("Code", exact=True).fill(_fresh_code(base, email))
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()


def logged_in_page(browser: Any, base: str, email: str, **options: Any) -> tuple[Any, Any]:
    """A new browser context (a Dutch desktop unless ``options`` say otherwise) and a page in it, logged in as
    ``email``."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL", **options})
    page = context.new_page()
    log_in(page, base, email)
    return context, page
