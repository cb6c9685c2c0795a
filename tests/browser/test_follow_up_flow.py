"""Issue 8 as people walk it: a coach logs what came of the spring edition for demo candidates, on a phone;
the organiser finds it in the event's funnel and in the PDF report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot, serve_demo
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each needs Chromium and a served app: seconds apiece

SLUG = "samen-werkt-voorjaar"


def log_result(page: Any, base: str, card: Any, kind: str, fields: dict[str, str]) -> str:
    """From a candidate's card on the event's follow-up page: log a result from its first "yes" talk."""
    name = card.locator("h2 a").inner_text()
    row = card.locator(".talks-list li.talk-yes").first
    row.get_by_role("link", name="Resultaat vastleggen").click()
    page.wait_for_url("**/outcomes/new?talk=*")
    page.get_by_label("Wat is er gebeurd").select_option(label=kind)
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/candidates/*?msg=saved#outcomes")
    return name


def test_browser_coach_logs_outcomes_and_the_organiser_sees_them_in_funnel_and_report(
    browser: Any, tmp_path: Path
) -> None:
    # A demo of its own: the shared one is changed by other tests, and the report reads this one's data.
    with serve_demo(tmp_path) as live_server:
        walk(browser, live_server, tmp_path)


def walk(browser: Any, live_server: str, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    phone = context.new_page()
    log_in(phone, live_server, "coach@demo.meetmatch.nl")
    expect(phone.get_by_role("heading", name="Te doen")).to_be_visible()
    phone.get_by_role("link", name="Opvolging", exact=True).first.click()
    phone.wait_for_url("**/follow-up")
    assert phone.locator("#checks li").count() >= 1
    phone.get_by_role("link", name="Samen Werkt! voorjaar").click()
    phone.wait_for_url(f"**/events/{SLUG}/follow-up")
    screenshot(phone, "80-coach-follow-up")

    # Two candidates whose talks an employer answered "yes" to, and who have no result yet.
    cards = phone.locator("article.after-event").filter(has=phone.locator("li.talk-yes"))
    fresh = [cards.nth(i) for i in range(cards.count()) if cards.nth(i).locator(".outcome").count() == 0]
    assert len(fresh) >= 2
    first_url = phone.url
    job = log_result(
        phone,
        live_server,
        fresh[0],
        "betaalde baan",
        {
            "Datum (start, of de dag van het gesprek)": "2026-10-01",
            "Soort contract": "vast contract",
            "Uren per week": "32",
        },
    )
    expect(phone.locator("#outcomes .outcome", has_text="betaalde baan").first).to_be_visible()
    expect(phone.locator("#outcomes", has_text="vast contract")).to_be_visible()
    screenshot(phone, "81-coach-logged-job")
    phone.goto(first_url)
    cards = phone.locator("article.after-event").filter(has=phone.locator("li.talk-yes"))
    fresh = [cards.nth(i) for i in range(cards.count()) if cards.nth(i).locator(".outcome").count() == 0]
    training = log_result(
        phone, live_server, fresh[0], "opleiding", {"Datum (start, of de dag van het gesprek)": "2026-10-15"}
    )
    assert job != training
    context.close()

    # The organiser's funnel and the report count them.
    organiser = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    log_in(organiser, live_server, "organisator@demo.meetmatch.nl")
    organiser.goto(f"{live_server}/events/{SLUG}/results")
    funnel = organiser.locator("#funnel")
    expect(funnel).to_be_visible()
    assert funnel_figure(organiser, "begon een betaalde baan") == 4  # the demo's three and the one logged above
    assert funnel_figure(organiser, "begon een opleiding") == 3
    screenshot(organiser, "82-organiser-results")

    report = tmp_path / "report.pdf"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_")}
    env["MEETMATCH_DATA_DIR"] = str(tmp_path / "data")
    cli = Path(sys.executable).parent / "meetmatch"
    done = subprocess.run(
        [cli, "report", SLUG, "-o", str(report)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True, check=True).stdout
    assert "Samen Werkt! voorjaar" in text
    assert job not in text  # anonymised
    funnel_line = next(line for line in text.splitlines() if "begon een betaalde baan" in line)
    assert funnel_line.split()[-1] == "4"  # the demo's three and the one logged above
    assert next(line for line in text.splitlines() if "begon een opleiding" in line).split()[-1] == "3"

    # The charts, looked at as images: the first page holds the funnel's bars in the brand colour.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / "83-report"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(report), str(prefix)], check=True
    )
    from PIL import Image

    with Image.open(f"{prefix}.png") as image:
        rgb = image.convert("RGB")
        pixels = [rgb.getpixel((x, y)) for x in range(0, rgb.width, 2) for y in range(0, rgb.height, 2)]
    bars = sum(1 for r, g, b in pixels if g > r + 40 and g > b + 20)  # the green of the bars
    assert bars > 150, "no chart bars on the report's first page"


def funnel_figure(page: Any, label: str) -> int:
    row = page.locator("#funnel tr", has_text=label).first
    return int(row.locator("td").first.inner_text().strip())
