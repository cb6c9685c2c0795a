"""Printed badges read back with independent tools: every QR code decodes (zbar, from a 150 dpi rendering of
the page) to exactly its person's badge address, and every name stays whole and inside its card
(pdftotext's word boxes), in each layout, for the longest names there are."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from badges import people as roster
from badges.models import HolderKind, PersonToken, TokenPurpose
from badges.printing.data import PrintWork, Selection, prepare
from badges.printing.pdf import CHUNK_PAGES, render
from badges.printing.sheets import LAYOUTS, EventInfo, Person, Round, badge_pages
from events.demo.seed import DemoResult
from events.platform import i18n
from events.platform.db import open_session
from events.platform.models import Event
from events.platform.services import system_user
from events.platform.settings import Settings
from tests.conftest import run
from tests.pdftools import PT_PER_MM, decode_per_card, decode_qr_codes, require_tools, words_per_page

pytestmark = [pytest.mark.single_database, pytest.mark.slow]

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
EVENT = EventInfo(
    "Samen Werkt!", "zaterdag 5 december 2026", "Werkse! Delft", "Van Miereveltlaan 9, Delft", "14:00", "16:00"
)
LONG_DUTCH = "Maria-Magdalena Wilhelmina Ölçer-van den Heuvel to Ouédraogo"
ARABIC = "محمد عبد الرحمن الحسيني"


async def _demo_badges(settings: Settings) -> tuple[PrintWork, dict[str, roster.HolderKey]]:
    async with open_session(settings) as session:
        event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
        assert event is not None
        work = await prepare(session, settings, await system_user(session), event, Selection())
        await session.commit()
        people = await roster.holders(session, event)
        tokens = await roster.live_tokens(session, settings, event, TokenPurpose.BADGE, people)
        return work, {f"{settings.base_url}/b/{token}": h.key for h in people for token, _ in [tokens[h.key]]}


async def _owner(settings: Settings, url: str) -> roster.HolderKey | None:
    """Who the token in a decoded address belongs to, found the way the badge page finds it."""
    token = url.rsplit("/b/", 1)[1]
    async with open_session(settings) as session:
        resolved = await roster.resolve(session, TokenPurpose.BADGE, token)
        if resolved.row is None or resolved.state != "ok":
            return None
        event = await session.get(Event, resolved.row.event_id)
        assert event is not None
        holder = await roster.holder_of(session, event, resolved.row)
        return holder.key if holder else None


def test_demo_badges_decode_to_exactly_each_persons_badge_address(
    demo: DemoResult, database: Settings, tmp_path: Path
) -> None:
    require_tools("pdftoppm", "zbarimg")
    work, expected = run(_demo_badges(database))
    pdf = tmp_path / "badges.printing.pdf"
    pdf.write_bytes(render(work.pages, title=work.title, language=work.language))
    sheet = LAYOUTS["a4-8"]
    cards = [
        (2 * (n // sheet.per_page), (box.x, box.y, box.w, box.h))
        for n in range(len(work.people))
        for box in [sheet.card(n % sheet.per_page)]
    ]

    on_cards = decode_per_card(pdf, tmp_path, cards)

    # Card by card, the code is exactly the badge address of the person the card was made for.
    assert on_cards == [f"{database.base_url}/b/{t}" for t in _tokens_in_order(database, work)]
    assert sorted(on_cards) == sorted(expected)  # every candidate and employer contact, once
    assert len(expected) == work.count == 50 + 8
    assert [expected[url] for url in on_cards] == work.people
    # The backs carry no code; and the token opens the page of that very person.
    assert all(page == [] for page in decode_qr_codes(pdf, tmp_path)[1::2])
    for url in on_cards[:3] + on_cards[-3:]:
        assert run(_owner(database, url)) == expected[url]


def _tokens_in_order(settings: Settings, work: PrintWork) -> list[str]:
    async def tokens() -> list[str]:
        async with open_session(settings) as session:
            rows = {(r.holder_kind, _holder_id(r)): r for r in await session.scalars(select(PersonToken))}
            return [roster.token_of(settings, rows[key]) for key in work.people]

    return run(tokens())


def _holder_id(row: PersonToken) -> int:
    return int(row.candidate_participation_id or row.employer_contact_id or row.user_id or 0)


def _people_with_long_names(demo_names: list[str]) -> list[Person]:
    names = [*demo_names, LONG_DUTCH, ARABIC, "Jan", "Ümit Çelik-Šimůnková", "Nguyễn Thị Minh Khai"]
    rounds = (
        Round(1, "14:00", "14:10", ((3, "Werkse! Groen"),)),
        Round(4, "15:00", "15:10", ((1, "Brasserie De Waag"),)),
    )
    return [
        Person(
            HolderKind.CANDIDATE if i % 3 else HolderKind.EMPLOYER,
            i,
            i + 1,
            name.split()[0],
            name,
            "Techniek & Installatie Westland B.V." if i % 3 == 0 else None,
            f"http://127.0.0.1:8000/b/{'A' * 26}{i % 10}",
            rounds,
        )
        for i, name in enumerate(names)
    ]


async def _longest_demo_names(settings: Settings) -> list[str]:
    async with open_session(settings) as session:
        event = await session.scalar(select(Event).where(Event.slug == "samen-werkt"))
        assert event is not None
        people = await roster.holders(session, event, tuple(HolderKind))
        return sorted((h.full_name for h in people), key=len, reverse=True)[:4]


def _same_word(printed: str, wanted: str) -> bool:
    # pdftotext gives right-to-left words in the order their glyphs stand on the page.
    return printed in (wanted, wanted[::-1])


@pytest.mark.parametrize("layout", ["a4-8", "a4-10", "a6"])
def test_every_name_is_whole_and_inside_its_card(
    demo: DemoResult, database: Settings, tmp_path: Path, layout: str
) -> None:
    require_tools("pdftotext")
    people = _people_with_long_names(run(_longest_demo_names(database)))
    sheet = LAYOUTS[layout]
    assert len(LONG_DUTCH) == 60
    with i18n.language("nl"):
        pages = list(badge_pages(people, EVENT, sheet))
    pdf = tmp_path / "names.pdf"
    pdf.write_bytes(render(pages, title="names", language="nl"))

    printed = words_per_page(pdf)

    # The first name stands large on the front, the full name heads the round card on the back.
    for number, person in enumerate(people):
        sheet_index, slot = divmod(number, sheet.per_page)
        front_page, back_page = (sheet_index, sheet_index) if sheet.fold else (2 * sheet_index, 2 * sheet_index + 1)
        for page, card, name in (
            (front_page, sheet.card(slot), person.first_name),
            (back_page, sheet.back(slot), person.full_name),
        ):
            box = (card.x * PT_PER_MM, card.y * PT_PER_MM, (card.x + card.w) * PT_PER_MM, (card.y + card.h) * PT_PER_MM)
            on_card = [w for w in printed[page] if box[0] <= w.centre[0] <= box[2] and box[1] <= w.centre[1] <= box[3]]
            for wanted in name.split():
                matches = [w for w in on_card if _same_word(w.text, wanted)]
                assert matches, f"{wanted!r} of {name!r} is not whole on its card ({layout})"
                assert all(w.inside(*box) for w in matches), f"{wanted!r} runs out of its card ({layout})"


def test_print_styles_never_clip_or_cut_short() -> None:
    for path in [TEMPLATES / "static/css/badges.css", *sorted((TEMPLATES / "badges").glob("*.html"))]:
        text = path.read_text(encoding="utf-8").replace(" ", "")
        assert "overflow:hidden" not in text, path
        assert "ellipsis" not in text, path
        assert "text-overflow" not in text, path


def test_pool_render_from_a_threaded_process_keeps_the_pages_in_order(tmp_path: Path) -> None:
    """The web server renders from a worker thread: the pool then starts its workers from a fork server.
    Chunks come back in any order; the merged PDF has every page where it belongs."""
    require_tools("pdftotext")
    people = _people_with_long_names([f"Persoon{n:03d} Achternaam" for n in range(70)])
    with i18n.language("nl"):
        pages = list(badge_pages(people, EVENT, LAYOUTS["a4-8"]))
    result: dict[str, bytes] = {}
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: result.update(
            pdf=render(pages, title="pool", language="nl", workers=2, progress=lambda d, _: done.append(d))
        )
    )
    thread.start()
    thread.join(timeout=300)
    pdf = tmp_path / "pool.pdf"
    pdf.write_bytes(result["pdf"])

    printed = words_per_page(pdf)

    assert len(pages) > CHUNK_PAGES  # more than one chunk
    assert done[-1] == len(pages) == len(printed)
    per_sheet = [{w.text for w in page if w.text.startswith("Persoon")} for page in printed[1::2]]
    expected = [
        {p.first_name for p in people[k : k + 8] if p.first_name.startswith("Persoon")}
        for k in range(0, len(people), 8)
    ]
    assert per_sheet == expected
