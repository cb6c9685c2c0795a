"""Steps the trajectory browser tests (issue 20) share: a phone or a desk logged in as someone, setting up a
programme as its organiser, and the forms of a person's page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
ORGANISER = "organisator@demo.meetmatch.nl"  # Werkse!
COACH = "coach@demo.meetmatch.nl"  # Anouk Jansen, Werkse!
REFERRER = "reclassering@demo.meetmatch.nl"  # Petra Visser, Reclassering Haaglanden


def open_as(browser: Any, base: str, email: str, size: dict[str, Any]) -> tuple[Any, Any]:
    """A new Dutch browser context of ``size`` (PHONE or DESK), logged in as ``email``."""
    context = browser.new_context(locale="nl-NL", **size)
    page = context.new_page()
    log_in(page, base, email)
    return context, page


def width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def new_programme(page: Any, base: str, name: str, description: str, *, starts_on: dt.date | None = None) -> int:
    """Make a programme from the programmes list (open intake unless a start is given) and land on its
    settings; its id."""
    page.goto(f"{base}/programmes/")
    page.get_by_role("link", name="Nieuw traject met periode en fases").click()
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Omschrijving").fill(description)
    if starts_on is not None:
        page.get_by_label("Begindatum").fill(starts_on.isoformat())
    page.get_by_label("Doorlopende instroom: geen einddatum").check()
    page.get_by_role("button", name="Programma maken").click()
    page.wait_for_url(re.compile(r".*/programmes/\d+/settings\?msg=saved"))
    return int(re.search(r"/programmes/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def add_partner(page: Any, name: str, role: str) -> None:
    section = page.locator("#partners")
    section.get_by_label("Organisatie").fill(name)
    section.get_by_label("Rol").select_option(role)
    section.get_by_role("button", name="Partner toevoegen").click()
    expect(page.locator("#partners")).to_contain_text(name)


def add_employer(page: Any, name: str, *, social: bool) -> None:
    section = page.locator("#employers")
    section.get_by_label("Werkgever").fill(name)
    if social:
        section.get_by_label("Sociaal ondernemer").check()
    section.get_by_role("button", name="Werkgever toevoegen").click()
    expect(page.locator("#employers")).to_contain_text(name)


def refer(
    page: Any, base: str, programme: str, first: str, last: str, *, through: str = "", phone: str = "", shot: str = ""
) -> None:
    """A referrer refers someone from "Mijn aanmeldingen" (with ``shot``, the filled form kept as that
    screenshot)."""
    page.goto(f"{base}/referrals")
    page.get_by_role("link", name=f"Iemand aanmelden voor {programme}").click()
    page.get_by_label("Voornaam").fill(first)
    page.get_by_label("Achternaam").fill(last)
    if phone:
        page.get_by_label("Telefoon").fill(phone)
    if through:
        page.get_by_label("Of via wie").fill(through)
    page.get_by_label("Wat de persoon wil").fill("Weer aan het werk, het liefst buiten")
    page.get_by_label("De persoon is ermee akkoord dat ik dit doorgeef aan het traject").check()
    if shot:
        assert width(page) <= 390
        screenshot(page, shot)
    page.get_by_role("button", name="Aanmelding versturen").click()
    page.wait_for_url("**/referrals?msg=referred")


def pick_up_from_desk(page: Any, base: str, name: str) -> int:
    """The coach picks a referral up on the desk and lands on the person's page; the enrolment's id."""
    page.goto(f"{base}/desk")
    page.get_by_role("button", name=f"Aanmelding van {name} oppakken").click()
    page.wait_for_url(re.compile(r".*/enrolments/\d+\?msg=saved"))
    return int(re.search(r"/enrolments/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def decide(page: Any, accepted: bool, reason: str = "") -> None:
    section = page.locator("#intake")
    section.get_by_label("opgenomen" if accepted else "niet opgenomen", exact=True).check()
    if reason:
        section.get_by_label("Reden (verplicht bij niet opgenomen)").fill(reason)
    section.get_by_role("button", name="Besluit opslaan").click()
    page.wait_for_url("**msg=saved*")


def move_to(page: Any, stage: str, reason: str = "") -> None:
    section = page.locator("#stage")
    section.get_by_label("Verplaatsen naar").select_option(label=stage)
    if reason:
        section.get_by_label("Reden (als het traject voortijdig stopt)").select_option(reason)
    section.get_by_role("button", name="Verplaatsen").click()
    page.wait_for_url("**msg=saved*")


def add_activity(page: Any, kind: str, **fields: str) -> None:
    """Open the add form of ``kind`` (an ActivityKind value) and fill ``fields`` by label."""
    form = page.locator(f'details.add-activity[data-kind="{kind}"]')
    form.locator("summary").click()
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Toevoegen").click()
    page.wait_for_url("**msg=saved*")
