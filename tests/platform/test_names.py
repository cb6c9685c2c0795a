"""People's names: one rule for the short name every page, print and export shows ("Meike H.": the surname's
initial without its tussenvoegsels, unique within the event), and the cleaning of a name as it comes in."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from events.demo.seed import DemoResult
from events.platform.db import open_session
from events.platform.errors import DomainError
from events.platform.models import Candidate, CandidateParticipation
from events.platform.names import clean_name, short_name, short_names, surname
from events.platform.settings import Settings
from schedule.models import Meeting, ScheduleVersion, VersionStatus
from tests.conftest import EMPLOYER, ORGANISER, login, run


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("Meike", "van der Horst", "Meike H."),
        ("Mia", "de Boer", "Mia B."),
        ("Jan", "Jansen", "Jan J."),
        ("Sanne", "ter Haar", "Sanne H."),
        ("Sem", "van 't Hof", "Sem H."),
        ("Sem", "van ’t Hof", "Sem H."),
        ("Lotte", "in 't Veld", "Lotte V."),
        ("Noor", "Van Den Berg", "Noor B."),
        ("Kees", "Horst, van der", "Kees H."),
        ("Fatima", "el Amrani", "Fatima E."),
        ("Ilse", "de jong", "Ilse J."),
        ("Daan", "de Vries-van Dam", "Daan V."),
        ("Eva", "la Rivière", "Eva R."),
        # A surname of tussenvoegsels alone stays as it is.
        ("Bram", "de", "Bram D."),
        ("Ada", "", "Ada"),
        ("  Meike ", "  van  der   horst ", "Meike H."),
    ],
)
def test_short_name_takes_the_initial_of_the_surname_without_tussenvoegsels(
    first: str, last: str, expected: str
) -> None:
    assert short_name(first, last) == expected


def test_surname_drops_only_leading_tussenvoegsels() -> None:
    assert [surname(s) for s in ("van der Horst", "Horst", "de Vries-van Dam", "van", "op den Brouw")] == [
        "Horst",
        "Horst",
        "Vries-van Dam",
        "van",
        "Brouw",
    ]


def test_short_names_are_unique_within_the_group_with_as_many_letters_as_needed() -> None:
    people = {
        1: ("Meike", "van der Horst"),
        2: ("Meike", "Hansen"),
        3: ("Mia", "de Boer"),
        4: ("Sam", "Horst"),
        5: ("Sam", "Horstman"),
        6: ("Noor", "Bakker"),
        7: ("Noor", "de Bakker"),
        8: ("noor", "Bos"),
    }

    names = short_names(people)

    assert names == {
        1: "Meike Ho.",
        2: "Meike Ha.",
        3: "Mia B.",
        # Never more than three letters, never the whole surname: where that cannot tell them apart, a number.
        4: "Sam H. (1)",
        5: "Sam H. (2)",
        # The same first name and surname: numbered by id, so the two stay apart on every page.
        6: "Noor B. (1)",
        7: "Noor B. (2)",
        8: "noor Bo.",
    }
    assert len(set(names.values())) == len(people)


def test_short_names_never_show_more_than_three_letters_of_a_surname() -> None:
    names = short_names({1: ("Piet", "Jansen"), 2: ("Piet", "Janssen"), 3: ("Piet", "Jonker"), 4: ("Ed", "Bos")})

    assert names == {1: "Piet J. (1)", 2: "Piet J. (2)", 3: "Piet Jo.", 4: "Ed B."}


def test_short_names_of_people_who_differ_already_are_the_plain_rule() -> None:
    assert short_names({1: ("Meike", "van der Horst"), 2: ("Mia", "de Boer"), 3: ("Meike", "Bos")}) == {
        1: "Meike H.",
        2: "Mia B.",
        3: "Meike B.",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Meike  ", "Meike"),
        ("van  der\u00a0Horst", "van der Horst"),
        ("Zoe\u0308", "Zoë"),  # composed, so the same name is stored the same way
        ("Ali\n", "Ali"),
        ("\u0645\u062d\u0645\u062f", "\u0645\u062d\u0645\u062f"),  # right-to-left script itself is welcome
        ("Rose\u200cmary", "Rose\u200cmary"),  # zero-width non-joiner: part of some scripts' spelling
    ],
)
def test_clean_name_trims_and_composes(value: str, expected: str) -> None:
    assert clean_name(value, "first_name") == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("    ", "required"),
        ("\u3000\u00a0 ", "required"),
        ("\u202eroH", "invalid_name"),  # right-to-left override: shows as "Hor"
        ("Mei\u2066ke", "invalid_name"),
        ("Meike\u200f", "invalid_name"),
        ("\u200b", "invalid_name"),
        ("Mei\x00ke", "invalid_name"),
        ("Mei\tke", "invalid_name"),
        ("Mei\x1bke", "invalid_name"),
        ("Mei\u2028ke", "invalid_name"),
        ("Mei\ue000ke", "invalid_name"),
    ],
)
def test_clean_name_refuses_empty_names_and_hidden_characters_naming_the_field(value: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        clean_name(value, "last_name")

    assert (caught.value.code, caught.value.field) == (code, "last_name")


# --- on the pages -------------------------------------------------------------------------------------------


async def _rename_seated(settings: Settings, names: list[tuple[str, str]]) -> dict[int, tuple[str, str]]:
    """Give candidates who have talks in the published programme these names (not the demo's two Meikes, whom
    the tests read as they are); participation id -> name."""
    async with open_session(settings) as session:
        seated = (
            await session.execute(
                select(CandidateParticipation.id, Candidate.id)
                .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
                .where(
                    Candidate.first_name != "Meike",
                    CandidateParticipation.id.in_(
                        select(Meeting.candidate_participation_id)
                        .join(ScheduleVersion, ScheduleVersion.id == Meeting.version_id)
                        .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
                    ),
                )
                .order_by(CandidateParticipation.id)
            )
        ).all()
        renamed: dict[int, tuple[str, str]] = {}
        for (pid, candidate_id), (first, last) in zip(seated, names, strict=False):
            await session.execute(
                update(Candidate).where(Candidate.id == candidate_id).values(first_name=first, last_name=last)
            )
            renamed[pid] = (first, last)
        await session.commit()
        assert len(renamed) == len(names)
        return renamed


async def _participations_named(settings: Settings, first: str) -> dict[str, int]:
    async with open_session(settings) as session:
        rows = await session.execute(
            select(Candidate.last_name, CandidateParticipation.id)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(Candidate.first_name == first)
        )
        return dict(rows.tuples().all())


# Beside the demo's own "Meike van Ham" and "Meike van der Horst" (both "Meike V." before).
NAMES = [("Yfke", "van der Horst"), ("Yfke", "Hansen"), ("Mia", "de Boer")]
SHOWN = ["Yfke Ho.", "Yfke Ha.", "Mia B."]
WRONG = ["Yfke V.", "Yfke H.", "Meike V.", "Meike H.", "Mia d.", "Mia D."]


def test_employer_cards_show_the_surname_initial_unique_in_the_event(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    renamed = run(_rename_seated(database, NAMES))
    meikes = run(_participations_named(database, "Meike"))
    login(client, EMPLOYER)
    me = client.get("/api/events/samen-werkt/employers").json()[0]

    cards = client.get(f"/api/events/samen-werkt/employers/{me['id']}/cards").json()
    page = client.get("/events/samen-werkt/cards")

    shown = {c["participation_id"]: c["display_name"] for c in cards}
    assert [shown[pid] for pid in renamed] == SHOWN
    assert (shown[meikes["van Ham"]], shown[meikes["van der Horst"]]) == ("Meike Ha.", "Meike Ho.")
    assert len(set(shown.values())) == len(shown)
    assert page.status_code == 200
    for name in [*SHOWN, "Meike Ha.", "Meike Ho."]:
        assert name in page.text
    for wrong in WRONG:
        assert wrong not in page.text


def test_programme_print_and_calendar_show_the_same_short_names(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    run(_rename_seated(database, NAMES))
    login(client, ORGANISER)

    tables = client.get("/events/samen-werkt/programme/1/print/tables")
    calendar = client.get("/events/samen-werkt/calendar.ics")

    assert (tables.status_code, calendar.status_code) == (200, 200)
    unfolded = calendar.text.replace("\r\n ", "")
    for shown in (tables.text, unfolded):
        for name in SHOWN:
            assert name in shown
        for wrong in WRONG:
            assert wrong not in shown
