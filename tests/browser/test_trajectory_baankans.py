"""A Baankans!-like trajectory in the browser (issue 20): the organiser sets the programme up at a desk (a partner
that refers, a social entrepreneur); a partner's referrer refers someone on a phone; a coach picks the referral up
on the desk, holds the intake (accepted), proposes and records an introduction with the social entrepreneur (held,
a match), moves the person to "aan het werk" and logs the job at 8 hours, later 27. The referrer sees the stage and
nothing else."""

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
    add_employer,
    add_partner,
    decide,
    move_to,
    new_programme,
    open_as,
    pick_up_from_desk,
    refer,
    width,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium and a served app: seconds apiece

PROGRAMME = "Baankans! Zuidwest"


def test_browser_baankans_referral_intake_introduction_job(live_server: str, browser: Any) -> None:
    base = live_server
    contexts = []
    try:
        context, organiser = open_as(browser, base, ORGANISER, DESK)
        contexts.append(context)
        programme_id = new_programme(
            organiser, base, PROGRAMME, "Eerste stappen naar werk bij een sociaal ondernemer", starts_on=dt.date.today()
        )
        add_partner(organiser, "Reclassering Haaglanden", "referrer")
        add_employer(organiser, "Social Capital", social=True)
        expect(organiser.locator("#employers")).to_contain_text("sociaal ondernemer")
        expect(organiser.locator("#stages input[value='aan het werk']")).to_have_count(1)
        screenshot(organiser, "trajectory-baankans-01-settings-1366")

        context, referrer = open_as(browser, base, REFERRER, PHONE)
        contexts.append(context)
        refer(
            referrer,
            base,
            PROGRAMME,
            "Sandra",
            "Pinas",
            through="Via de verbinder, woensdag in buurthuis De Kiem",
            shot="trajectory-baankans-02a-refer-form-390",
        )
        expect(referrer.get_by_role("cell", name="Sandra Pinas")).to_be_visible()
        assert width(referrer) <= 390
        screenshot(referrer, "trajectory-baankans-02-referrals-390")

        context, coach = open_as(browser, base, COACH, PHONE)
        contexts.append(context)
        coach.goto(f"{base}/desk")
        pick_up = coach.locator("#pick-up + ul")
        expect(pick_up).to_contain_text("Sandra Pinas")
        assert width(coach) <= 390
        screenshot(coach, "trajectory-baankans-03-desk-390")
        enrolment_id = pick_up_from_desk(coach, base, "Sandra Pinas")
        expect(coach.locator(".person-head")).to_contain_text("via coach")
        expect(coach.locator("#stage")).to_contain_text("intake")

        decide(coach, accepted=True)
        expect(coach.locator("#intake")).to_contain_text("opgenomen")
        coach.locator("#plan").get_by_label("Doelen, in eigen woorden").fill("Ik wil weer trots zijn op mezelf")
        coach.locator("#plan").get_by_role("button", name="Opslaan").click()
        coach.wait_for_url("**msg=saved*")

        add_activity(coach, "introduction", Werkgever="Social Capital", Onderwerp="Kennismaking keuken")
        introduction = coach.locator("#timeline li.activity-introduction")
        expect(introduction).to_contain_text("voorgesteld")
        coach.goto(f"{base}/desk")
        expect(coach.locator("#introductions + ul")).to_contain_text("Sandra Pinas")
        coach.goto(f"{base}/enrolments/{enrolment_id}")
        introduction.get_by_label("ja", exact=True).check()
        introduction.get_by_label("Het antwoord van de werkgever").fill("Ze kan maandag beginnen in de keuken")
        introduction.get_by_role("button", name="Opslaan").click()
        coach.wait_for_url("**msg=saved*")
        expect(introduction).to_contain_text("gehouden")
        expect(introduction).to_contain_text("match")
        expect(introduction).to_contain_text("Ze kan maandag beginnen in de keuken")

        move_to(coach, "aan het werk")
        expect(coach.locator(".person-head")).to_contain_text("aan het werk")
        expect(coach.locator("#stage .history")).to_contain_text("Anouk Jansen")

        # The job: the follow-up slice's outcome form, at 8 hours a week; later 27.
        coach.locator("#outcomes").get_by_role("link", name="Resultaat vastleggen").click()
        coach.locator("#f-organisation_id").select_option(label="Social Capital")
        started = dt.date.today() - dt.timedelta(days=90)
        coach.get_by_label("Datum (start, of de dag van het gesprek)").fill(started.isoformat())
        coach.locator("#f-contract_type").select_option("fixed_term")
        coach.get_by_label("Uren per week").fill("8")
        coach.get_by_role("button", name="Opslaan").click()
        coach.wait_for_url("**msg=saved*")
        coach.goto(f"{base}/enrolments/{enrolment_id}")
        outcomes = coach.locator("#outcomes")
        expect(outcomes).to_contain_text("Social Capital")
        expect(outcomes).to_contain_text("8 uur per week")
        # Three months on the hours grow: a change of terms from a day on, kept beside the first.
        outcomes.get_by_role("link", name="Wijzigen").first.click()
        terms = coach.locator("#terms")
        terms.get_by_label("Vanaf").fill(dt.date.today().isoformat())
        terms.get_by_label("Uren per week").fill("27")
        terms.get_by_role("button", name="Wijziging opslaan").click()
        coach.goto(f"{base}/enrolments/{enrolment_id}")
        today = dt.date.today()
        expect(outcomes.locator(".terms")).to_contain_text(
            f"8 uur per week vanaf {started.day}-{started.month}-{started.year}, "
            f"27 uur vanaf {today.day}-{today.month}-{today.year}"
        )
        expect(outcomes).to_contain_text("27 uur per week")
        assert width(coach) <= 390
        screenshot(coach, "trajectory-baankans-04-person-390")

        referrer.goto(f"{base}/referrals")
        row = referrer.get_by_role("row", name="Sandra Pinas")
        expect(row).to_contain_text("aan het werk")
        expect(referrer.locator("main")).not_to_contain_text("trots")
        expect(referrer.locator("main")).not_to_contain_text("Social Capital")
        screenshot(referrer, "trajectory-baankans-05-referrals-after-390")

        organiser.goto(f"{base}/programmes/{programme_id}/participants")
        expect(organiser.locator("table.participants")).to_contain_text("Sandra Pinas")
        screenshot(organiser, "trajectory-baankans-06-participants-1366")
        organiser.goto(f"{base}/desk")
        expect(organiser.locator("main table")).to_contain_text("Anouk Jansen")
        screenshot(organiser, "trajectory-baankans-07-desk-organiser-1366")
    finally:
        for context in contexts:
            context.close()
