"""Charts as SVG, written by hand: horizontal bars (the funnel, per employer) and grouped columns (outcomes
at 1, 3 and 6 months, a programme's events over time). The same markup goes into the pages and the PDF.

Each chart has a <title> and <desc> (read out by screen readers: role="img" with aria-labelledby), writes
every figure beside its bar, and stands next to a table of the same figures in the templates. Cells that
events.results.suppress hides get no bar, only their text ("<5" or "x"): a bar's length would give the
figure away.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from events.results.suppress import Cell

FONT = "'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
INK = "#1b2430"
MUTED = "#5b6675"
GRID = "#d8dde5"
# Colours that stay apart for the common colour-vision differences (Okabe-Ito: bluish green, orange, blue).
COLOURS = ("#0b6e4f", "#d55e00", "#0072b2", "#cc79a7")
WIDTH = 640


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


def series(labels: Sequence[str]) -> list[Series]:
    return [Series(label, COLOURS[i % len(COLOURS)]) for i, label in enumerate(labels)]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" font-family="{FONT}" font-size="13" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _legend(items: Sequence[Series], y: float, x: float = 0) -> list[str]:
    parts = []
    for item in items:
        parts.append(_rect(f"{x:.1f}", f"{y - 10:.1f}", "12", "12", item.colour))
        parts.append(f'<text x="{x + 17:.1f}" y="{y:.1f}">{escape(item.label)}</text>')
        x += 30 + 7.5 * len(item.label)
    return parts


def _peak(values: Sequence[Cell]) -> float:
    shown = [c.value for c in values if c.value is not None]
    return max([*shown, 1.0])


def bars(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Sequence[Cell]]],
    kinds: Sequence[Series],
    *,
    label_width: int = 200,
) -> Markup:
    """Horizontal bars: one row per label, one bar per series in it; the figure written after each bar."""
    # Thinner bars when there are many, so that fifteen employers' three bars fit on one printed page.
    bar, gap, row_gap = (18, 3, 12) if len(rows) * len(kinds) <= 15 else (11, 2, 10)
    legend = 26 if len(kinds) > 1 else 0
    per_row = len(kinds) * bar + (len(kinds) - 1) * gap
    height = legend + max(len(rows), 1) * (per_row + row_gap) + 4
    room = WIDTH - label_width - 56
    peak = _peak([c for _, cells in rows for c in cells])
    parts = _open(chart_id, title, desc, height)
    if legend:
        parts += _legend(kinds, 14)
    y = legend + row_gap / 2
    chars = label_width // 7
    for label, cells in rows:
        middle = y + per_row / 2 + 4.5
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" text-anchor="end">{escape(_short(label, chars))}</text>'
        )
        for index, (cell, kind) in enumerate(zip(cells, kinds, strict=True)):
            top = y + index * (bar + gap)
            base = top + bar / 2 + 4.5
            if cell.value is None:
                parts.append(_missing(f"{label_width + 4}", f"{base:.1f}", cell.text))
                continue
            length = _length(room, cell.value, peak)
            if length:
                parts.append(_rect(f"{label_width}", f"{top:.1f}", f"{length:.1f}", f"{bar}", kind.colour))
            parts.append(f'<text x="{label_width + length + 5:.1f}" y="{base:.1f}">{escape(cell.text)}</text>')
        y += per_row + row_gap
    parts.append(f'<line x1="{label_width}" y1="{legend}" x2="{label_width}" y2="{height - 2:.0f}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _rect(x: str, y: str, width: str, height: str, colour: str) -> str:
    """A bar (or a legend's swatch) with rounded corners, its coordinates already formatted."""
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="2" fill="{colour}"/>'


def _missing(x: str, y: str, text: str, anchor: str = "", size: str = "") -> str:
    """Grey italic text where a figure is not there (too few to show, or not yet)."""
    return f'<text x="{x}" y="{y}"{anchor} fill="{MUTED}" font-style="italic"{size}>{escape(text)}</text>'


def _length(room: float, value: float, peak: float) -> float:
    """A bar's length to scale, but at least 2 so that a small figure still shows; nothing for 0."""
    return max(room * value / peak, 2) if value > 0 else 0.0


def _ticks(peak: float) -> list[int]:
    """Whole-number gridlines: 0 and up to four steps of 1, 2 or 5 times a power of ten."""
    raw = max(peak / 4, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    return [int(step * i) for i in range(math.ceil(peak / step) + 1)]


def columns(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[tuple[str, Sequence[Cell] | None]],
    kinds: Sequence[Series],
    *,
    missing_text: str = "",
    height: int = 280,
) -> Markup:
    """Grouped vertical columns: one group per label (None: no figures yet, `missing_text` is written)."""
    left, right, top, bottom = 44, 8, 40, 46
    plot = height - top - bottom
    peak = _peak([c for _, cells in groups for c in cells or ()])
    ticks = _ticks(peak)
    scale_top = max(ticks[-1], 1)
    parts = _open(chart_id, title, desc, height)
    parts += _legend(kinds, 16, x=left)
    for tick in ticks:
        y = top + plot - plot * tick / scale_top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    slot = (WIDTH - left - right) / max(len(groups), 1)
    width = min(34.0, (slot - 24) / max(len(kinds), 1))
    chars = max(int(slot // 7), 6)
    for index, (label, cells) in enumerate(groups):
        centre = left + slot * (index + 0.5)
        label_y = top + plot + 18
        parts.append(
            f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle">{escape(_short(label, chars))}</text>'
        )
        if cells is None:
            parts.append(_missing(f"{centre:.1f}", f"{top + plot - 8:.1f}", missing_text, ' text-anchor="middle"'))
            continue
        start = centre - width * len(kinds) / 2
        for position, (cell, kind) in enumerate(zip(cells, kinds, strict=True)):
            x = start + position * width
            if cell.value is None:
                parts.append(
                    _missing(
                        f"{x + width / 2:.1f}",
                        f"{top + plot - 6:.1f}",
                        cell.text,
                        ' text-anchor="middle"',
                        ' font-size="11"',
                    )
                )
                continue
            bar = _length(plot, cell.value, scale_top)
            if bar:
                parts.append(
                    _rect(f"{x + 2:.1f}", f"{top + plot - bar:.1f}", f"{width - 4:.1f}", f"{bar:.1f}", kind.colour)
                )
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{top + plot - bar - 5:.1f}" text-anchor="middle" '
                f'font-size="12">{escape(cell.text)}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH - right}" y2="{top + plot}" stroke="{MUTED}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
