"""Publishing a programme version: a confirmation step first (a page of its own, no script needed) saying what
changes for attendees, then a message that matches what happened, with proper plural forms."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from events.demo.seed import DEMO_SLUG, DemoResult
from tests.badges.test_attendee_pages import visible_text
from tests.conftest import ORGANISER, csrf_headers, login

API = f"/api/events/{DEMO_SLUG}/programme"
PAGES = f"/events/{DEMO_SLUG}/programme"


def _draft(client: TestClient[Litestar], removed: int = 0) -> int:
    """A draft copy of the published version 1, with its first ``removed`` talks taken out."""
    copy = client.post(f"{API}/versions/1/copy", headers=csrf_headers(client))
    assert copy.status_code == 201, copy.text
    number: int = copy.json()["number"]
    meetings = client.get(f"{API}/versions/{number}").json()["meetings"]
    for meeting in meetings[:removed]:
        edit = client.post(
            f"{API}/versions/{number}/edits",
            json={"action": "remove", "meeting": meeting["id"]},
            headers=csrf_headers(client),
        )
        assert edit.is_success, edit.text
    return number


def _status(client: TestClient[Litestar], number: int) -> str:
    status: str = client.get(f"{API}/versions/{number}").json()["status"]
    return status


def _post(client: TestClient[Litestar], path: str, **data: Any) -> Any:
    return client.post(path, data={"_csrf_token": client.cookies.get("csrftoken"), **data}, follow_redirects=False)


def test_publish_asks_for_confirmation_before_anything_is_published(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    number = _draft(client)
    version_page = client.get(f"{PAGES}/{number}").text

    unconfirmed = _post(client, f"{PAGES}/{number}/publish")
    status_after_unconfirmed = _status(client, number)
    question = client.get(f"{PAGES}/{number}/publish")
    confirmed = _post(client, f"{PAGES}/{number}/publish", confirm="yes")

    # The version page's publish button leads to the question, it does not publish.
    assert f'href="{PAGES}/{number}/publish"' in version_page
    assert f'action="{PAGES}/{number}/publish"' not in version_page
    assert (unconfirmed.status_code, unconfirmed.headers["location"]) == (303, f"{PAGES}/{number}/publish")
    assert status_after_unconfirmed == "draft"
    assert question.status_code == 200
    assert re.search(rf'<form method="post" action="{PAGES}/{number}/publish"', question.text)
    assert 'name="confirm" value="yes"' in question.text
    assert f'href="{PAGES}/{number}"' in question.text  # cancel: back to the version
    assert confirmed.status_code == 303
    assert confirmed.headers["location"].startswith(f"{PAGES}/{number}/diff?published=1")
    assert _status(client, number) == "published"


def test_publishing_a_version_without_changes_says_so_and_nothing_else(
    client: TestClient[Litestar], demo: DemoResult
) -> None:
    login(client, ORGANISER)
    number = _draft(client)

    question = visible_text(client.get(f"{PAGES}/{number}/publish").text)
    done = _post(client, f"{PAGES}/{number}/publish", confirm="yes")
    page = visible_text(client.get(done.headers["location"]).text)

    assert "Er verandert geen gesprek ten opzichte van versie 1" in question
    assert "Gepubliceerd. Er is geen gesprek veranderd: niemand heeft een nieuwe kaart of agenda nodig." in page
    assert "Voor iedereen hieronder is er iets veranderd" not in page
    assert page.count("geen gesprek veranderd") == 1


def test_publish_messages_use_singular_and_plural_forms(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, ORGANISER)
    one = _draft(client, removed=1)
    one_question = visible_text(client.get(f"{PAGES}/{one}/publish").text)
    one_done = visible_text(client.get(_post(client, f"{PAGES}/{one}/publish", confirm="yes").headers["location"]).text)
    three = _draft(client, removed=3)
    three_question = visible_text(client.get(f"{PAGES}/{three}/publish").text)
    three_done = client.post(f"{API}/versions/{three}/publish", headers=csrf_headers(client))

    assert "1 gesprek verandert: 1 kandidaat en 1 werkgever krijgen een nieuwe kaart of agenda." in one_question
    assert (
        "Gepubliceerd. 1 gesprek is veranderd: 1 kandidaat en 1 werkgever krijgen een nieuwe kaart of agenda."
        in one_done
    )
    assert "1 wijziging 1 kandidaat met een wijziging 1 werkgever met een wijziging" in one_done
    assert "1 wijzigingen" not in one_done
    # Three talks removed against version `one`, which already lacked the first of them: two more changes.
    assert re.search(
        r"\b2 gesprekken veranderen: (1 kandidaat|2 kandidaten) en (1 werkgever|2 werkgevers) krijgen", three_question
    )
    assert three_done.status_code == 200
    summary = three_done.json()["summary"]
    assert re.fullmatch(r"Gepubliceerd\. 2 gesprekken zijn veranderd: .+", summary), summary
