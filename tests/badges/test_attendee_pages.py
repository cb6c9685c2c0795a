"""What an attendee sees first: the badge page's rounds labelled in words (round, time, table, employer or
candidate), the event's full date, calendar links on the app's base URL; the event page's rounds labelled too."""

from __future__ import annotations

import datetime as dt
import html
import re

from litestar import Litestar
from litestar.testing import TestClient

from badges.models import HolderKind
from events.app import create_app
from events.demo.seed import DemoResult
from events.platform.models import EVENT_TZ
from events.platform.security import LANGUAGE_COOKIE
from events.platform.settings import Settings
from tests.badges.test_badge_page import _people
from tests.conftest import EMPLOYER, ORGANISER, login, run


def visible_text(page: str) -> str:
    """The page's text as a reader gets it: tags gone, entities read, white space collapsed."""
    body = page.split("<main", 1)[1] if "<main" in page else page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def hhmm(moment: dt.datetime) -> str:
    return moment.astimezone(EVENT_TZ).strftime("%H:%M")


def test_candidate_badge_page_labels_each_rounds_time_table_and_employer(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    holder, token, _ = next(p for p in people if p[0].kind is HolderKind.CANDIDATE and len(p[2]) >= 2)

    text = visible_text(client.get(f"/b/{token}").text)

    talks = _talks(database, holder.id, HolderKind.CANDIDATE)
    assert talks
    for number, starts, ends, table, employer in talks:
        assert f"Ronde {number} Tijd {hhmm(starts)}–{hhmm(ends)} Tafel {table} Werkgever {employer}" in text
    free = next(n for n in range(1, 7) if n not in {t[0] for t in talks})
    assert re.search(rf"Ronde {free} Tijd \d\d:\d\d–\d\d:\d\d Geen gesprek in deze ronde\.", text)


def test_employer_badge_page_labels_each_rounds_time_and_every_table_with_its_candidate(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    holder, token, _ = next(p for p in people if p[0].kind is HolderKind.EMPLOYER and p[2])

    text = visible_text(client.get(f"/b/{token}").text)

    talks = _talks(database, holder.id, HolderKind.EMPLOYER)
    for number, starts, ends, _table, _candidate in talks:
        assert f"Ronde {number} Tijd {hhmm(starts)}–{hhmm(ends)} Tafel" in text
    for _number, _starts, _ends, table, candidate in talks:
        assert f"Tafel {table} Kandidaat {candidate}" in text


def test_badge_page_gives_the_events_full_date_in_dutch_and_in_english(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    people = run(_people(database))
    _holder, token, _ = next(p for p in people if p[0].kind is HolderKind.CANDIDATE and p[2])
    day = _event_date(database)
    dutch_days = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
    dutch_months = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september")
    dutch_months += ("oktober", "november", "december")

    dutch = visible_text(client.get(f"/b/{token}").text)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = visible_text(client.get(f"/b/{token}").text)

    assert f"{dutch_days[day.weekday()]} {day.day} {dutch_months[day.month - 1]} {day.year}" in dutch
    assert f"{day.strftime('%A')} {day.day} {day.strftime('%B')} {day.year}" in english
    assert "Round 1 Time" in english


def test_badge_page_calendar_links_are_absolute_on_the_apps_base_url(demo: DemoResult, database: Settings) -> None:
    people = run(_people(database))
    _holder, token, _ = next(p for p in people if p[0].kind is HolderKind.CANDIDATE and p[2])
    with TestClient(create_app(database.with_changes(base_url="http://192.0.2.7:8102"))) as served:
        page = served.get(f"/b/{token}").text

    links = re.findall(r'href="([^"]+\.ics)"', page)
    assert len(links) == 2
    assert links[0].startswith("webcal://192.0.2.7:8102/c/")
    assert links[1].startswith("http://192.0.2.7:8102/c/")
    assert links[0].removeprefix("webcal://") == links[1].removeprefix("http://")


def test_event_page_labels_the_rounds_start_and_end_for_a_phone(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, EMPLOYER)

    page = client.get("/events/samen-werkt").text

    rounds = page.split('class="table rounds"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td([^>]*)>", rounds)
    assert cells
    assert all('data-label="' in attributes for attributes in cells)
    assert {re.search(r'data-label="([^"]+)"', a).group(1) for a in cells} == {"Ronde", "Begin", "Einde"}  # type: ignore[union-attr]


TalkRow = tuple[int, dt.datetime, dt.datetime, int, str]  # round, starts, ends, table, the other side's name


def _talks(settings: Settings, holder_id: int, kind: HolderKind) -> list[TalkRow]:
    async def load() -> list[TalkRow]:
        from badges.people import holders
        from badges.schedules import schedules
        from events.demo.seed import DEMO_SLUG
        from events.platform.db import open_session
        from events.platform.services import find_event

        async with open_session(settings) as session:
            event = await find_event(session, DEMO_SLUG)
            holder = next(h for h in await holders(session, event, (kind,)) if h.id == holder_id)
            shown = await schedules(session, event, [holder])
            return [
                (t.round, t.starts, t.ends, t.table, t.employer if kind is HolderKind.CANDIDATE else t.candidate)
                for t in shown.of(holder).talks
            ]

    return run(load())


def _event_date(settings: Settings) -> dt.date:
    async def load() -> dt.date:
        from events.demo.seed import DEMO_SLUG
        from events.platform.db import open_session
        from events.platform.services import find_event

        async with open_session(settings) as session:
            return (await find_event(session, DEMO_SLUG)).date

    return run(load())


def test_print_page_warns_when_its_qr_codes_would_carry_an_address_only_this_computer_opens(
    demo: DemoResult, database: Settings
) -> None:
    def page(base_url: str) -> str:
        with TestClient(create_app(database.with_changes(base_url=base_url, base_url_set=True))) as served:
            login(served, ORGANISER)
            return served.get("/events/samen-werkt/badges").text

    local = visible_text(page("http://127.0.0.1:8102"))
    reachable = page("https://meet.example.nl")

    assert "De QR-codes en links die u hier afdrukt bevatten http://127.0.0.1:8102, een adres dat alleen" in local
    assert 'id="local-base-url"' not in reachable
