"""A Werkfit-like trajectory in the browser (issue 20), at an organiser's desk 1366 px wide: two target groups
(single parents, higher-educated), the steps renamed, added, moved and removed, participants enrolled in each
group, trainings on a person's timeline (one whose planned end lies ahead shows "loopt", never "gestopt"), and the
participants counted per stage and filtered by group."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.trajectory_steps import DESK, ORGANISER, add_activity, new_programme, open_as

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium and a served app: seconds apiece


def _stage_row(page: Any, name: str) -> Any:
    return page.locator("#stages li").filter(has=page.locator(f"input[value='{name}']"))


def test_browser_werkfit_groups_steps_participants_trainings(live_server: str, browser: Any) -> None:
    base = live_server
    context, page = open_as(browser, base, ORGANISER, DESK)
    try:
        programme_id = new_programme(page, base, "Werkfit Zuid", "Drie persoonlijke stappen naar werk")
        for group in ("Alleenstaande ouders", "Hoogopgeleiden"):
            page.locator("#groups").get_by_label("Nieuwe doelgroep").fill(group)
            page.get_by_role("button", name="Doelgroep toevoegen").click()
            page.wait_for_url("**msg=saved*")

        row = _stage_row(page, "voorbereiding")
        row.get_by_label("Naam van de fase").fill("interesses en kwaliteiten")
        row.get_by_role("button", name="Hernoemen").click()
        page.wait_for_url("**msg=saved*")
        _stage_row(page, "kennismaking").get_by_role("button", name="Verwijderen").click()
        page.wait_for_url("**msg=saved*")
        for stage in ("randvoorwaarden", "positieve ervaringen"):
            page.locator("#stages").get_by_label("Nieuwe fase").fill(stage)
            page.get_by_role("button", name="Fase toevoegen").click()
            page.wait_for_url("**msg=saved*")
        for stage in ("randvoorwaarden", "positieve ervaringen"):
            for _ in range(2):  # up past "nazorg" and "aan het werk"
                page.get_by_role("button", name=f"{stage} omhoog").click()
                page.wait_for_url("**msg=saved*")
        names = page.locator("#stages li input[name=stage]").evaluate_all("els => els.map(e => e.value)")
        assert names == [
            "aangemeld",
            "intake",
            "interesses en kwaliteiten",
            "randvoorwaarden",
            "positieve ervaringen",
            "aan het werk",
            "nazorg",
            "afgerond",
            "uitgevallen",
        ]
        # A name twice is refused beside the form, nothing is lost.
        page.locator("#stages").get_by_label("Nieuwe fase").fill("Intake ")
        page.get_by_role("button", name="Fase toevoegen").click()
        expect(page.locator("#stages")).to_contain_text("Het traject heeft deze fase al.")
        screenshot(page, "trajectory-werkfit-01-settings-1366")

        page.goto(f"{base}/programmes/{programme_id}/participants")
        enrolled = []
        for group, stage in (("Alleenstaande ouders", "interesses en kwaliteiten"), ("Hoogopgeleiden", "intake")):
            chooser = page.get_by_role("combobox", name="Kandidaat")
            option = chooser.locator("option").nth(1)
            enrolled.append(option.inner_text().strip())
            chooser.select_option(option.get_attribute("value"))
            page.locator("#enrol").get_by_label("Doelgroep").select_option(label=group)
            page.locator("#enrol").get_by_label("Fase").select_option(label=stage)
            page.get_by_role("button", name="Inschrijven").click()
            page.wait_for_url(re.compile(r".*/enrolments/\d+\?msg=saved"))
            page.goto(f"{base}/programmes/{programme_id}/participants")
        # Enrolling nobody names the field.
        page.get_by_role("button", name="Inschrijven").click()
        expect(page.locator("#enrol .field-error")).to_contain_text("Kies een van de mogelijkheden.")

        page.goto(f"{base}/programmes/{programme_id}/participants")
        counts = page.locator(".stage-counts")
        expect(counts.get_by_role("link", name=re.compile(r"^2\s+alle$"))).to_be_visible()
        expect(counts.get_by_role("link", name=re.compile(r"^1\s+interesses en kwaliteiten$"))).to_be_visible()
        page.locator("form.filters").get_by_label("Doelgroep").select_option(label="Hoogopgeleiden")
        page.get_by_role("button", name="Tonen").click()
        table = page.locator("table.participants")
        expect(table).to_contain_text(enrolled[1])
        expect(table).not_to_contain_text(enrolled[0])
        screenshot(page, "trajectory-werkfit-02-participants-1366")

        page.goto(f"{base}/programmes/{programme_id}/participants")
        page.get_by_role("link", name=enrolled[0]).click()
        today = dt.date.today()
        add_activity(
            page,
            "training",
            **{
                "Welke training of workshop": "Sollicitatietraining",
                "Aanbieder": "B&A",
                "Begindatum": (today - dt.timedelta(days=14)).isoformat(),
                "Geplande einddatum": (today + dt.timedelta(days=60)).isoformat(),
            },
        )
        add_activity(
            page,
            "workshop",
            **{"Welke training of workshop": "Kinderopvang regelen", "Begindatum": today.isoformat()},
        )
        timeline = page.locator("#timeline")
        running = timeline.locator("li.activity-training")
        expect(running.locator(".badge")).to_have_text("loopt")
        expect(timeline).not_to_contain_text("gestopt")
        workshop = timeline.locator("li.activity-workshop")
        workshop.get_by_role("button", name="Afgerond").click()
        page.wait_for_url("**msg=saved*")
        expect(workshop.locator(".badge")).to_have_text("afgerond")
        expect(running.locator(".badge")).to_have_text("loopt")
        plan = page.locator("#plan")
        plan.get_by_label("kinderopvang").check()
        plan.get_by_label("Doelen, in eigen woorden").fill("Werk dat past bij de schooltijden")
        plan.get_by_role("button", name="Opslaan").click()
        page.wait_for_url("**msg=saved*")
        expect(page.locator("#plan").get_by_label("kinderopvang")).to_be_checked()
        screenshot(page, "trajectory-werkfit-03-person-1366")
    finally:
        context.close()
