"""Small-group suppression for anonymised output (the PDF report, funder exports, their charts).

Rules, applied by events.results.view to every figure before it is shown or drawn:

- A count of 1 to 4 people is shown as "<5", never as the number, and its chart bar is not drawn. A zero is
  shown: an empty group holds nobody to recognise.
- Complementary suppression: where a table or chart gives several groups of one whole (the employers of an
  event, the coach organisations, benefits left/kept/unknown, the hour bands, the "again?" answers), a
  single hidden group could be worked out as the total minus the others. So when exactly one group of such a
  breakdown is hidden, the smallest other non-zero group is hidden too, shown as "x" (the sign Statistics
  Netherlands uses for "secret"), which leaves at least two unknowns in every sum.
- A mean over fewer than 5 answers is not shown ("<5"): it would give away single answers.
- Not protected, by choice: the differences between funnel steps (registered 20, present 17 tells that 3
  did not come). The steps are nested counts, not parts of one whole; hiding them would hide the funnel
  itself, and such a difference names nobody without other knowledge.

Organisers' own pages show exact figures (they may see every person anyway) unless they ask for the
anonymised view, which shows exactly what the PDF and the funder export hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal

from events.platform import i18n

MIN_GROUP = 5
SMALL_TEXT = "<5"
HIDDEN_TEXT = "x"


@dataclass(frozen=True)
class Cell:
    """A figure as shown: ``value`` is what a chart may draw (None when it must not), ``text`` what is written."""

    value: float | None
    text: str
    small: bool = False  # hidden because the group is smaller than MIN_GROUP
    hidden: bool = False  # hidden so that a small group cannot be worked out from a total

    @property
    def shown(self) -> bool:
        return self.value is not None

    @property
    def export_value(self) -> int | float | str:
        """For a spreadsheet: the number where it is shown, the text where it is not."""
        if self.value is None:
            return self.text
        return int(self.value) if float(self.value).is_integer() else self.value


def blank(text: str) -> Cell:
    """A cell without a figure (a check not reached yet, a question nobody answered)."""
    return Cell(None, text)


def number_text(value: float) -> str:
    return format_decimal(value, locale=i18n.current_language())


def count(value: int, *, anonymised: bool) -> Cell:
    """One count of people, on its own."""
    if anonymised and 0 < value < MIN_GROUP:
        return Cell(None, SMALL_TEXT, small=True)
    return Cell(value, number_text(value))


def column(values: Sequence[int], *, anonymised: bool) -> list[Cell]:
    """The groups of one breakdown, with the complementary suppression described above."""
    cells = [count(v, anonymised=anonymised) for v in values]
    if not anonymised:
        return cells
    small = [i for i, c in enumerate(cells) if c.small]
    if len(small) == 1:
        others = [i for i, v in enumerate(values) if v > 0 and not cells[i].small]
        if others:
            smallest = min(others, key=lambda i: (values[i], i))
            cells[smallest] = Cell(None, HIDDEN_TEXT, hidden=True)
    return cells


def mean(value: float | None, answers: int, *, anonymised: bool, none_text: str = "–") -> Cell:
    """A mean score over ``answers`` answers, hidden when they are too few to keep apart."""
    if value is None or answers == 0:
        return blank(none_text)
    if anonymised and answers < MIN_GROUP:
        return Cell(None, SMALL_TEXT, small=True)
    return Cell(value, number_text(value))
