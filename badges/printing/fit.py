"""Font sizes that make a text fit its box: measured from the installed fonts' advance widths.

A name on a badge is never clipped and never ellipsised: the print layouts give every text a box and
the size computed here, at which the text fits the box's width in at most so many lines and its height.
Widths come from the fonts the PDF uses (Debian's Noto Sans, with Noto Sans Arabic for Arabic script,
found through fontconfig); a character neither font has counts as a full em, which is wider than almost
any glyph. Kerning and Arabic joining only make a text narrower than the sum of its isolated glyphs, so
the sum errs on the safe side; a small margin covers rounding in the layout engine.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

MM = 72 / 25.4  # points per millimetre
FAMILIES = ("Noto Sans", "Noto Sans Arabic")
UNKNOWN_EM = 1.0  # a character no font here has: as wide as a CJK ideograph
SPACE_EM = 0.26
SAFETY = 0.94  # use this share of a box's width


@cache
def _font_file(family: str, bold: bool) -> str | None:
    binary = shutil.which("fc-match")
    if binary is None:
        return None
    pattern = f"{family}:{'bold' if bold else 'regular'}"
    found = subprocess.run(  # noqa: S603 - a fixed binary with a fixed pattern
        [binary, "-f", "%{file}\n%{family}", pattern], capture_output=True, text=True, check=False
    ).stdout.split("\n", 1)
    # fontconfig answers with its best substitute when the family is missing; only the real one counts.
    if len(found) == 2 and family.lower() in found[1].lower():
        return found[0]
    return None


@cache
def _advances(family: str, bold: bool) -> dict[int, float]:
    """Advance width in em per code point, for one font."""
    path = _font_file(family, bold)
    if path is None:
        return {}
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        per_em = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap() or {}
        return {code: metrics[glyph][0] / per_em for code, glyph in cmap.items() if glyph in metrics}


@cache
def char_em(char: str, bold: bool) -> float:
    code = ord(char)
    for family in FAMILIES:
        width = _advances(family, bold).get(code)
        if width is not None:
            return width
    if not any(_advances(f, bold) for f in FAMILIES):
        return 0.62 if char.isascii() else UNKNOWN_EM  # no fonts to measure with: a wide average
    return UNKNOWN_EM


def width_em(text: str, bold: bool = False) -> float:
    """The width of `text` on one line, in em."""
    return sum(char_em(c, bold) for c in text)


@dataclass(frozen=True, slots=True)
class Fit:
    size: float  # points
    lines: tuple[str, ...]  # the text broken into lines at that size (greedy, at spaces)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _wrap(words: list[str], widths: list[float], space: float, width: float) -> list[str] | None:
    """A greedy fill (what the layout engine does) of the words into lines of `width` em; None when a
    word is wider than a line."""
    lines: list[list[str]] = []
    used = 0.0
    for word, w in zip(words, widths, strict=True):
        if w > width:
            return None
        if lines and used + space + w <= width:
            lines[-1].append(word)
            used += space + w
        else:
            lines.append([word])
            used = w
    return [" ".join(line) for line in lines] or [""]


def fit(
    text: str,
    width_mm: float,
    height_mm: float,
    *,
    max_pt: float,
    min_pt: float = 4.0,
    max_lines: int = 1,
    bold: bool = False,
    line_height: float = 1.2,
) -> Fit:
    """The largest size up to `max_pt` at which `text` fits the box in at most `max_lines` lines (breaking
    at spaces only), with the lines it breaks into. Below `min_pt` only a single word longer than a line
    can be: the size then shrinks on until it fits, however small, rather than clip it."""
    words = text.split()
    widths = [width_em(w, bold) for w in words]
    width_pt, height_pt = width_mm * MM * SAFETY, height_mm * MM

    def fits(size: float) -> list[str] | None:
        lines = _wrap(words, widths, SPACE_EM, width_pt / size)
        if lines is None or len(lines) > max_lines or len(lines) * size * line_height > height_pt:
            return None
        return lines

    if (lines := fits(max_pt)) is not None:
        return Fit(max_pt, tuple(lines))
    low, high = min_pt, max_pt
    if fits(low) is None:
        while low > 0.5 and fits(low) is None:
            low *= 0.85
        return Fit(round(low, 2), tuple(fits(low) or [" ".join(words)]))
    for _ in range(14):
        middle = (low + high) / 2
        if fits(middle) is None:
            high = middle
        else:
            low = middle
    size = max(min_pt, int(low * 4) / 4)  # a quarter point below the limit
    return Fit(size, tuple(fits(size) or fits(low) or [" ".join(words)]))
