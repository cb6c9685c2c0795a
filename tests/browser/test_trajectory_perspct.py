"""A Perspct-like trajectory in the browser (issue 20): strict selection. A partner refers two people in the last
phase of detention; the coach picks both up on a phone; one is not taken in (the reason shows), the other is, with
a release date in three weeks: on the coach's desk, and nowhere on the page of an organiser not allowed
criminal-justice data (not even its heading). The person starts work experience and then a job at an employer that
never came to an event, added on the spot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.trajectory_steps import (
    COACH,
    DESK,
    ORGANISER,
    PHONE,
    REFERRER,
    add_activity,
    add_partner,
    decide,
    new_programme,
    open_as,
    pick_up_from_desk,
    refer,
    width,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium and a served app: seconds apiece

PROGRAMME = "Perspct Drechtsteden"
EMPLOYER = "Metaalbewerking Van Wijk"
REASON = "Niet gemotiveerd genoeg voor de strenge selectie"


def test_browser_perspct_strict_selection_release_date_and_a_new_employer(live_server: str, browser: Any) -> None:
    base = live_server
    release = dt.date.today() + dt.timedelta(days=21)
    contexts = []
    try:
        context, organiser = open_as(browser, base, ORGANISER, DESK)
        contexts.append(context)
        new_programme(organiser, base, PROGRAMME, "Werknemersvaardigheden, dan een beroepsopleiding, dan een baan")
        add_partner(organiser, "Reclassering Haaglanden", "referrer")

        context, referrer = open_as(browser, base, REFERRER, PHONE)
        contexts.append(context)
        refer(referrer, base, PROGRAMME, "Ramon", "Kok", through="Via Petra Visser, PI Dordtse Poorten")
        refer(referrer, base, PROGRAMME, "Dirk", "Mol", through="Via Petra Visser, PI Dordtse Poorten")

        context, coach = open_as(browser, base, COACH, PHONE)
        contexts.append(context)
        refused_id = pick_up_from_desk(coach, base, "Ramon Kok")
        decide(coach, accepted=False, reason=REASON)
        expect(coach.locator("#intake")).to_contain_text("niet opgenomen")
        expect(coach.locator("#intake")).to_contain_text(REASON)
        # Not taken in is no drop-out: the person stays in the stage of the intake, ended, marked as refused.
        expect(coach.locator(".person-head")).to_contain_text("niet opgenomen")
        expect(coach.locator(".person-head")).not_to_contain_text("uitgevallen")
        assert width(coach) <= 390
        screenshot(coach, "trajectory-perspct-01-refused-390")

        accepted_id = pick_up_from_desk(coach, base, "Dirk Mol")
        decide(coach, accepted=True)
        justice = coach.locator("#justice")
        expect(justice.get_by_role("heading", name="Justitiegegevens")).to_be_visible()
        justice.locator("summary").click()
        justice.get_by_label("In detentie").check()
        justice.get_by_label("Datum van vrijlating").fill(release.isoformat())
        justice.get_by_role("button", name="Opslaan").click()
        coach.wait_for_url("**msg=saved*")
        expect(coach.locator("#justice .release-date")).not_to_have_text("–")

        coach.goto(f"{base}/desk")
        releases = coach.locator("#releases + ul")
        expect(releases).to_contain_text("Dirk Mol")
        expect(releases).to_contain_text(release.strftime("%d-%m-%Y"))
        expect(releases).to_contain_text("via coach")
        assert width(coach) <= 390
        screenshot(coach, "trajectory-perspct-02-desk-390")

        # The organiser (not allowed criminal-justice data) reads the person's page without any of it.
        organiser.goto(f"{base}/enrolments/{accepted_id}")
        expect(organiser.locator("h1")).to_have_text("Dirk Mol")
        expect(organiser.locator("#justice")).to_have_count(0)
        expect(organiser.locator("main")).not_to_contain_text("Justitiegegevens")
        expect(organiser.locator("main")).not_to_contain_text("vrijlating")
        organiser.goto(f"{base}/enrolments/{refused_id}")
        expect(organiser.locator("#intake")).to_contain_text(REASON)
        screenshot(organiser, "trajectory-perspct-03-organiser-refused-1366")

        coach.goto(f"{base}/enrolments/{accepted_id}")
        add_activity(coach, "work_experience", Werkgever=EMPLOYER, Onderwerp="Werkstage lassen")
        expect(coach.locator("#timeline li.activity-work_experience")).to_contain_text(EMPLOYER)
        coach.locator("#outcomes").get_by_role("link", name="Resultaat vastleggen").click()
        coach.locator("#f-organisation_id").select_option(label=EMPLOYER)
        coach.get_by_label("Datum (start, of de dag van het gesprek)").fill(dt.date.today().isoformat())
        coach.locator("#f-contract_type").select_option("fixed_term")
        coach.get_by_label("Uren per week").fill("32")
        coach.get_by_role("button", name="Opslaan").click()
        coach.wait_for_url("**msg=saved*")
        coach.goto(f"{base}/enrolments/{accepted_id}")
        expect(coach.locator("#outcomes")).to_contain_text(EMPLOYER)
        expect(coach.locator("#outcomes")).to_contain_text("32 uur per week")
        screenshot(coach, "trajectory-perspct-04-person-390")
    finally:
        for context in contexts:
            context.close()
