"""Accounts made in the app, as people meet them (issue 19): Werkse!'s organiser invites a coach of a partner
organisation into Samen Werkt! by e-mail (a real SMTP server on loopback); the coach opens the link, chooses a
password, sets up two-factor login and registers a candidate for the event; BAKboord's organiser cannot find that
candidate, in the list, a search or at its address."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from events.platform import twofactor
from tests.browser.conftest import log_in, screenshot
from tests.mailserver import MailServer
from tests.served import free_port, serving
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium, a served app of its own and its mail

COACH_EMAIL = "bo.buurman@buurtwerk-delft.example"
PARTNER = "Buurtwerk Delft"
MARKER = "Zwqmarker"


@pytest.fixture
def served_with_mail(tmp_path: Path, mail_server: MailServer) -> Iterator[str]:
    """`meetmatch serve --demo` whose outbox sends to the loopback SMTP server every second."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETMATCH_")}
    env |= {
        "MEETMATCH_DATA_DIR": str(tmp_path / "data"),
        "MEETMATCH_BASE_URL": f"http://127.0.0.1:{port}",
        "MEETMATCH_SMTP_URL": mail_server.url,
        "MEETMATCH_JOBS_INTERVAL": "1",
    }
    with serving(port, ["--demo"], env=env, cwd=tmp_path, log=tmp_path / "serve.log", seconds=90) as (base, _):
        yield base


def _mailed_link(mail_server: MailServer, base: str) -> str:
    def arrived() -> Any:
        return next((m for m in mail_server.received if m["X-Envelope-To"] == COACH_EMAIL), None)

    message = wait_until(arrived, 30, every=0.2)
    assert message is not None, "the invitation did not arrive at the SMTP server"
    body = message.get_body(("plain",)).get_content()
    assert PARTNER in message["Subject"]
    found = re.search(re.escape(base) + r"/join/[A-Za-z0-9_-]+", body)
    assert found, body
    return found.group(0)


def test_browser_partner_coach_invited_by_mail_registers_a_candidate_unseen_by_another_organisation(
    browser: Any, served_with_mail: str, mail_server: MailServer
) -> None:
    base = served_with_mail
    organiser = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    page = organiser.new_page()
    log_in(page, base, "organisator@demo.meetmatch.nl")
    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_url(re.compile(r"/team/?$"))
    form = page.locator("#invite-partner")
    form.get_by_label("Naam van de coach").fill("Bo Buurman")
    form.get_by_label("E-mailadres van de coach").fill(COACH_EMAIL)
    form.get_by_label("Partnerorganisatie").fill(PARTNER)
    samen_werkt = form.locator("#partner-activity option", has_text="Samen Werkt! (").get_attribute("value")
    form.get_by_label("Evenement of traject").select_option(samen_werkt)
    form.get_by_role("button", name="Uitnodiging versturen").click()
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_contain_text("outbox")
    partners = page.locator("table.partner-coaches")
    expect(partners.locator(f'tr[data-account="{COACH_EMAIL}"]')).to_contain_text("uitgenodigd")
    expect(partners.locator(f'tr[data-account="{COACH_EMAIL}"]')).to_contain_text(PARTNER)
    screenshot(page, "invitations-01-team-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "invitations-02-team-390")
    organiser.close()

    link = _mailed_link(mail_server, base)

    coach = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="nl-NL")
    phone = coach.new_page()
    phone.goto(link)
    expect(phone.get_by_text(COACH_EMAIL)).to_be_visible()
    phone.locator("#f-password").fill("buurtwerk-wachtwoord")
    phone.locator("#f-password_again").fill("buurtwerk-wachtwoord")
    phone.locator("form.form button[type=submit]").click()
    phone.wait_for_url("**/login/setup")
    secret = phone.locator("code.secret").inner_text().replace(" ", "")
    screenshot(phone, "invitations-03-two-factor-setup-390")
    phone.locator("#code").fill(twofactor.code_at(secret, int(time.time() // twofactor.STEP_SECONDS)))
    phone.locator("form.form button[type=submit]").click()
    phone.get_by_role("link", name=re.compile("bewaard")).click()
    phone.wait_for_load_state()

    phone.goto(base + "/candidates/new")
    phone.locator("#f-first_name").fill(MARKER)
    phone.locator("#f-last_name").fill("Buurtbewoner")
    phone.locator("#f-purpose").fill("Gegevens delen met de werkgevers van Samen Werkt!")
    phone.locator("form.form button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/candidates/\d+\?msg=saved"))
    candidate_path = re.search(r"/candidates/\d+", phone.url).group(0)  # type: ignore[union-attr]
    phone.locator("#signup-event").select_option("samen-werkt")
    phone.locator("form[action$='/signup'] button[type=submit]").click()
    phone.wait_for_load_state()
    expect(phone.locator("body")).to_contain_text("Samen Werkt!")
    screenshot(phone, "invitations-04-candidate-signed-up-390")
    coach.close()

    other = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    bakboord = other.new_page()
    log_in(bakboord, base, "organisator.bakboord@demo.meetmatch.nl")
    listed = bakboord.goto(base + "/candidates/")
    assert listed is not None
    assert listed.status == 200
    assert MARKER not in bakboord.content()
    searched = bakboord.goto(base + f"/candidates/?q={MARKER}")
    assert searched is not None
    assert searched.status == 200
    # The search field shows what was searched for; the results hold nobody.
    assert bakboord.locator("input[name=q]").input_value() == MARKER
    assert MARKER not in bakboord.locator("main").inner_text().replace(f"“{MARKER}”", "")
    assert bakboord.locator("table tbody a").count() == 0
    direct = bakboord.goto(base + candidate_path)
    assert direct is not None
    assert direct.status == 404
    assert MARKER not in bakboord.content()
    api = bakboord.request.get(base + "/api" + candidate_path)
    assert api.status == 404
    assert MARKER not in api.text()
    screenshot(bakboord, "invitations-05-bakboord-404")
    other.close()


def test_browser_administrator_lands_on_organisations_with_counts(browser: Any, live_server: str) -> None:
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
        page = context.new_page()
        log_in(page, live_server, "beheer@demo.meetmatch.nl")
        page.wait_for_url("**/admin/organisations")
        row = page.locator('tr[data-organisation="BAKboord Den Haag"]')
        expect(row.locator("td.events")).to_have_text("1")
        expect(row.locator("td.candidates")).to_have_text("20")
        expect(page.get_by_label("Naam van de organisatie")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"invitations-06-admin-{width}")
        context.close()
