"""Small-group suppression and the SVG charts, as pure functions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from events.results import charts, suppress
from events.results.suppress import Cell

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Exactly one small group: the smallest other non-zero group is hidden too.
        ([12, 3, 7, 0], ["12", "<5", "x", "0"]),
        # Two small groups: their sum is known, neither one.
        ([12, 3, 2], ["12", "<5", "<5"]),
        # Nothing small: nothing hidden; zeros are shown.
        ([5, 0, 9], ["5", "0", "9"]),
        # One small group and nothing else to hide.
        ([3, 0, 0], ["<5", "0", "0"]),
        # Ties: the first of the smallest.
        ([1, 8, 8], ["<5", "x", "8"]),
    ],
)
def test_column_suppresses_small_groups_and_one_more_when_one_would_tell(
    values: list[int], expected: list[str]
) -> None:
    cells = suppress.column(values, anonymised=True)

    assert [c.text for c in cells] == expected
    assert all(c.value is None for c, text in zip(cells, expected, strict=True) if text in ("<5", "x"))


def test_column_exact_for_organisers() -> None:
    assert [c.text for c in suppress.column([12, 3, 7], anonymised=False)] == ["12", "3", "7"]


def test_mean_over_fewer_than_five_answers_is_hidden() -> None:
    assert suppress.mean(4.25, 4, anonymised=True) == Cell(None, "<5", small=True)
    assert suppress.mean(4.25, 5, anonymised=True).value == 4.25
    assert suppress.mean(None, 0, anonymised=True).text == "–"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def test_bar_chart_is_valid_svg_with_title_description_and_no_bar_for_hidden_cells() -> None:
    rows = [
        ("Alfa <Bouw> & Zn", (Cell(12, "12"),)),
        ("Bravo", (Cell(None, "<5", small=True),)),
        ("Nul", (Cell(0, "0"),)),
    ]

    svg = _parse(str(charts.bars("c1", "Trechter", "Kandidaten per stap", rows, charts.series(["Kandidaten"]))))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Trechter"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Kandidaten per stap"  # type: ignore[union-attr]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Alfa <Bouw> & Zn", "12", "Bravo", "<5", "Nul", "0"]
    # One bar only: the hidden cell and the zero have none.
    assert len(svg.findall(f"{SVG}rect")) == 1


def test_column_chart_marks_groups_without_figures() -> None:
    kinds = charts.series(["plaatsing", "opleiding", "baan"])
    groups = [("1 maand", (Cell(4, "4"), Cell(0, "0"), Cell(9, "9"))), ("6 maanden", None)]

    svg = _parse(str(charts.columns("c2", "In de tijd", "Na 1 en 6 maanden", groups, kinds, missing_text="nog niet")))

    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "nog niet" in texts
    assert {"4", "0", "9"} <= set(texts)
    # Three legend swatches and two bars (the zero has none).
    assert len(svg.findall(f"{SVG}rect")) == 5
