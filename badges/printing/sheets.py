"""What goes on paper, as plain values: sheet layouts, and each badge, table card, table sheet and handout
with its texts already translated and sized to fit its box.

Everything here is pure (no database, no WeasyPrint), so the pages can be built in the web process or the
CLI and laid out in worker processes. Positions are millimetres from the top left of a card or page; the
templates write them as inline styles, so the box a text is sized for and the box it is drawn in are the
same numbers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from badges.models import HolderKind
from badges.printing.fit import MM, SAFETY, fit, width_em
from badges.printing.qr import src as qr_src
from events.platform.i18n import N_
from events.platform.i18n import gettext as _t

WHAT = ("badges", "table-cards", "table-sheets", "handouts", "attendance")
LAYOUT_NAMES = ("a4-8", "a4-10", "a6")

ROLE_LABELS = {
    HolderKind.CANDIDATE: N_("Candidate"),
    HolderKind.EMPLOYER: N_("Employer"),
    HolderKind.STAFF: N_("Staff"),
    HolderKind.GUEST: N_("Guest"),
}


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def style(self) -> str:
        return f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;width:{self.w:.2f}mm;height:{self.h:.2f}mm"


@dataclass(frozen=True, slots=True)
class Layout:
    """A sheet of badge cards. A4 sheets are printed on both sides (fronts, then the backs mirrored, for
    flipping on the long edge); an A6 badge folds over, its round card upside down below the fold."""

    name: str
    page_w: float
    page_h: float
    card_w: float
    card_h: float
    cols: int
    rows: int
    fold: bool = False

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def page_size(self) -> str:
        return f"{self.page_w}mm {self.page_h}mm"

    def _origin(self) -> tuple[float, float]:
        return (self.page_w - self.cols * self.card_w) / 2, (self.page_h - self.rows * self.card_h) / 2

    def card(self, index: int) -> Box:
        """Where the front of the `index`-th card of a sheet lies on the page."""
        left, top = (0.0, 0.0) if self.fold else self._origin()
        row, col = divmod(index, self.cols)
        return Box(left + col * self.card_w, top + row * self.card_h, self.card_w, self.card_h)

    def back(self, index: int) -> Box:
        """Where the back of that card lies: mirrored on the backs page, or below the fold."""
        front = self.card(index)
        if self.fold:
            return Box(front.x, front.y + self.card_h, self.card_w, self.card_h)
        return Box(self.page_w - front.x - self.card_w, front.y, self.card_w, self.card_h)


LAYOUTS = {
    "a4-8": Layout("a4-8", 210, 297, 90, 55, 2, 4),
    "a4-10": Layout("a4-10", 210, 297, 85, 54, 2, 5),
    "a6": Layout("a6", 105, 148, 105, 74, 1, 1, fold=True),
}


@dataclass(frozen=True, slots=True)
class Text:
    """A text in its box at the size that fits it."""

    text: str
    box: Box
    size: float

    @property
    def style(self) -> str:
        # No height: the size was chosen so that the lines fit it, and every property costs layout time.
        box = self.box
        return f"left:{box.x:.2f}mm;top:{box.y:.2f}mm;width:{box.w:.2f}mm;font-size:{self.size:.2f}pt"

    @property
    def rtl(self) -> bool:
        """Written right to left (Arabic, Hebrew): set in an Arabic font first, aligned to the right."""
        return any(unicodedata.bidirectional(c) in ("R", "AL") for c in self.text)


def fitted(text: str, box: Box, *, max_pt: float, max_lines: int = 1, bold: bool = False) -> Text:
    """`text` in `box`, broken into lines where it will break, at the largest size that fits."""
    found = fit(text, box.w, box.h, max_pt=max_pt, max_lines=max_lines, bold=bold)
    return Text(found.text, box, found.size)


def lines_text(lines: Sequence[str], box: Box, *, max_pt: float, line_height: float = 1.25) -> Text:
    """Several lines in one box, one size for all, each line on a line of its own."""
    count = max(len(lines), 1)
    by_height = box.h * MM / (count * line_height)
    by_width = min((box.w * MM * SAFETY / width_em(line) for line in lines if line.strip()), default=max_pt)
    size = min(max_pt, by_height, by_width)
    return Text("\n".join(lines), box, int(size * 4) / 4 if size >= 1 else size)


# -- what a person's card and handout show ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Round:
    """One line of a round card: a round, its time, and the tables and people in it."""

    round: int
    starts: str
    ends: str
    seats: tuple[tuple[int, str], ...]  # (table, the other side's name)


@dataclass(frozen=True, slots=True)
class Person:
    """A badge holder as print needs them: no e-mail, no coach, nothing a badge does not show."""

    kind: HolderKind
    id: int
    number: int
    first_name: str
    full_name: str
    organisation: str | None
    url: str  # what the QR holds: <base_url>/b/<token>
    rounds: tuple[Round, ...] = ()
    # What the badge calls their role when it is more than their kind (a guest: "Official"), translated.
    role: str = ""


@dataclass(frozen=True, slots=True)
class EventInfo:
    name: str
    date: str  # formatted in the print language
    venue: str
    address: str
    first_round: str
    last_round_end: str


@dataclass(frozen=True, slots=True)
class TableInfo:
    """One employer table: its rounds with the candidates at it, and the address its card's QR opens."""

    employer_id: int
    employer: str
    table: int
    tables: int
    rounds: tuple[tuple[int, str, str, tuple[str, ...] | None], ...]  # (round, starts, ends, names or None: away)
    url: str | None


def round_line(person: Person, line: Round) -> str:
    """ "Ronde 1 · 14:00 · Tafel 3 · Werkse! Groen"; an employer's line names its tables' candidates."""
    round_word, table_word = _t("Round"), _t("Table")
    head = f"{round_word} {line.round} · {line.starts}"
    if person.kind is HolderKind.EMPLOYER and len({t for t, _ in line.seats}) > 1:
        tables: dict[int, list[str]] = {}
        for table, name in line.seats:
            tables.setdefault(table, []).append(name)
        return f"{head} · " + " · ".join(f"{table_word} {t}: {', '.join(n)}" for t, n in tables.items())
    table = line.seats[0][0] if line.seats else 0
    names = ", ".join(name for _, name in line.seats)
    return f"{head} · {table_word} {table} · {names}"


def round_lines(person: Person) -> list[str]:
    return [round_line(person, r) for r in person.rounds]


# -- badges ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BadgeFront:
    band: Text  # on the colour band: the event, the role and the badge number
    first_name: Text
    organisation: Text | None
    qr: Box
    qr_src: str


@dataclass(frozen=True, slots=True)
class BadgeBack:
    lines: Text  # the title line, then a line a talk
    kind: str
    box: Box  # the card; on a folded badge its texts are placed relative to it, and it is turned over


@dataclass(frozen=True, slots=True)
class Page:
    """One printed page: its size and what sits on it (badge fronts and backs, or one sheet). A badge
    sheet's cut lines and colour bands are one background image, so that they cost no layout."""

    size: str
    fronts: tuple[BadgeFront, ...] = ()
    backs: tuple[BadgeBack, ...] = ()
    folded: bool = False
    background: str = ""
    sheet: Sheet | None = None

    @property
    def backdrop(self) -> str:
        """The badge page's background as an inline style: the QR codes, each a layer of its own at its
        place, over the cut lines and colour bands. As layers of one background they cost the layout
        engine no box each, as images in the page would (a fifth of what a code cost)."""
        layers = [(f.qr_src, f"{f.qr.x:.2f}mm {f.qr.y:.2f}mm", f"{f.qr.w:.2f}mm {f.qr.h:.2f}mm") for f in self.fronts]
        if self.background:
            layers.append((self.background, "0 0", "100% 100%"))
        if not layers:
            return ""
        images, positions, sizes = zip(*layers, strict=True)
        return (
            f"background-image:{','.join(f'url({i})' for i in images)};"
            f"background-position:{','.join(positions)};background-size:{','.join(sizes)}"
        )


COLOURS = {"candidate": "#1f5fa8", "employer": "#2e7d32", "staff": "#b45309", "guest": "#6a1b9a"}


def _band(large: bool, front: bool) -> float:
    return (10.0 if large else 7.5) if front else (9.0 if large else 6.5)


def badge_front(person: Person, event: EventInfo, box: Box, layout: Layout) -> BadgeFront:
    """On the colour band the event, role and number; below it the first name large, the organisation
    (employers), and the QR code on the right. The full name is on the back: a badge worn in a room full
    of strangers shows no more than it must. As few text boxes as that takes, each costing the layout
    engine about as much as a line of text."""
    large = layout.name == "a6"
    band = _band(large, front=True)
    pad = 4.0 if large else 3.0
    qr_size = 34.0 if large else 24.0
    qr = Box(box.x + box.w - qr_size - pad + 1.5, box.y + band + 2.0, qr_size, qr_size)
    left, text_w = box.x + pad, box.w - qr_size - 2 * pad
    top = box.y + band + 2.5
    first_h = 30.0 if large else 22.0
    org_h = 10.0 if large else 8.0
    role_word = person.role or _t(ROLE_LABELS[person.kind])
    role = " · ".join((event.name, role_word, _t("No. %(number)s", number=person.number)))
    return BadgeFront(
        band=fitted(role, Box(left, box.y + 0.9, box.w - 2 * pad, band - 1.8), max_pt=13 if large else 10, bold=True),
        first_name=fitted(
            person.first_name, Box(left, top, text_w, first_h), max_pt=36 if large else 26, max_lines=2, bold=True
        ),
        organisation=fitted(
            person.organisation,
            Box(left, top + first_h + 1.0, text_w, org_h),
            max_pt=12 if large else 9.5,
            max_lines=2,
            bold=True,
        )
        if person.organisation
        else None,
        qr=qr,
        qr_src=qr_src(person.url),
    )


def badge_back(person: Person, box: Box, layout: Layout) -> BadgeBack:
    """The round card: the person's full name, then their talks, one line each. On a folded badge its text
    is placed relative to the card, which the template turns upside down; on a sheet, on the page. One
    text box, as every box costs the layout engine about as much as a line of text."""
    large = layout.name == "a6"
    band = _band(large, front=False)
    pad = 4.0 if large else 3.0
    x, y = (0.0, 0.0) if layout.fold else (box.x, box.y)
    area = Box(x + pad, y + band + 1.5, box.w - 2 * pad, box.h - band - 3.0)
    most = 12 if large else 10
    title = fit(person.full_name, area.w, area.h / 3, max_pt=most, max_lines=2).lines
    lines = round_lines(person) or [_t("Scan the QR code on the front with your phone to see your programme.")]
    return BadgeBack(lines_text([*title, *lines], area, max_pt=most), person.kind.value, box)


FURNITURE = "sheet:"  # the address scheme of a sheet's background, made by the renderer's URL fetcher


def furniture(layout: Layout, kinds: Sequence[str], *, front: bool) -> str:
    """The address of a sheet side's background: its cut lines and colour bands. Short, so that it costs
    the HTML parser nothing; pages with the same roles in the same places share one image."""
    return f"{FURNITURE}{layout.name}/{'front' if front else 'back'}/{','.join(kinds)}"


def furniture_svg(url: str) -> bytes:
    """The SVG image a `furniture` address stands for."""
    name, which, kinds_text = url.removeprefix(FURNITURE).split("/")
    layout, front, kinds = LAYOUTS[name], which == "front", [k for k in kinds_text.split(",") if k in COLOURS]
    large = layout.name == "a6"
    bands: dict[str, list[str]] = {}
    outlines = []
    for side in (True, False) if layout.fold else (front,):
        for index, kind in enumerate(kinds):
            box = layout.card(index) if side else layout.back(index)
            band = _band(large, side)
            # Below the fold the round card stands upside down: its band is at the bottom of the page.
            y = box.y + box.h - band if (layout.fold and not side) else box.y
            bands.setdefault(kind, []).append(f"M{box.x} {y}h{box.w}v{band}h{-box.w}z")
            outlines.append(f"M{box.x} {box.y}h{box.w}v{box.h}h{-box.w}z")
    # One path per colour and one for the cut lines: the SVG renderer's cost is per element.
    shapes = [f'<path d="{"".join(d)}" fill="{COLOURS[kind]}"/>' for kind, d in bands.items()]
    shapes.append(
        f'<path d="{"".join(outlines)}" fill="none" stroke="#b8b8b8" stroke-width="0.15" stroke-dasharray="1.2 0.8"/>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.page_w}mm" height="{layout.page_h}mm" '
        f'viewBox="0 0 {layout.page_w} {layout.page_h}">{"".join(shapes)}</svg>'
    )
    return svg.encode()


def badge_pages(people: Sequence[Person], event: EventInfo, layout: Layout) -> Iterator[Page]:
    """Sheets of badges: fronts and backs on facing pages (A4), or one folded badge a page (A6)."""
    for start in range(0, len(people), layout.per_page):
        batch = people[start : start + layout.per_page]
        kinds = [p.kind.value for p in batch]
        fronts = tuple(badge_front(p, event, layout.card(i), layout) for i, p in enumerate(batch))
        backs = tuple(badge_back(p, layout.back(i), layout) for i, p in enumerate(batch))
        if layout.fold:
            background = furniture(layout, kinds, front=True)  # both sides of the fold
            yield Page(layout.page_size, fronts=fronts, backs=backs, folded=True, background=background)
        else:
            yield Page(layout.page_size, fronts=fronts, background=furniture(layout, kinds, front=True))
            yield Page(layout.page_size, backs=backs, background=furniture(layout, kinds, front=False))


# -- table cards, table sheets, handouts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sheet:
    """A page that is one thing: a table card (`tent`), a table's sheet or a person's handout."""

    kind: str  # "tent", "table" or "handout"
    title: Text
    subtitle: str = ""
    big: str = ""
    lines: tuple[tuple[str, ...], ...] = ()  # table rows
    headers: tuple[str, ...] = ()
    qr_src: str | None = None
    link: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    note: str = ""
    # Headers of empty tick-box columns after each row's cells (paper lists filled in by hand); rows whose
    # last cell is None get no boxes (a free seat, an employer away).
    ticks: tuple[str, ...] = ()


# Each kind of sheet's page size, and the box and largest size of its heading (two lines at most, bold).
_SHEET_LOOKS = {
    "tent": ("210mm 148mm", Box(12, 8, 126, 30), 40),
    "table": ("210mm 297mm", Box(0, 0, 180, 24), 28),
    "handout": ("148mm 210mm", Box(0, 0, 128, 18), 22),
}


def _sheet_page(kind: str, heading: str, **parts: Any) -> Page:
    """A page that is one sheet of ``kind`` under ``heading``; ``parts`` are the rest of the Sheet's fields."""
    size, box, max_pt = _SHEET_LOOKS[kind]
    return Page(size, sheet=Sheet(kind, fitted(heading, box, max_pt=max_pt, max_lines=2, bold=True), **parts))


def table_card(table: TableInfo, event: EventInfo) -> Page:
    """An A5 tent card, folded along the middle: the same face on both halves, the top one upside down."""
    return _sheet_page(
        "tent",
        table.employer,
        subtitle=event.name,
        big=_t("Table %(number)s", number=table.table),
        qr_src=qr_src(table.url) if table.url else None,
        note=_t("Scan for this table's programme"),
    )


def table_sheet(table: TableInfo, event: EventInfo) -> Page:
    """A table's rounds, a row per candidate, with boxes to tick by hand if scanning fails: talk held, and
    the employer's follow-up answer. The organiser enters the ticks afterwards (the paper page)."""
    rows: list[tuple[str, ...]] = []
    for n, starts, ends, names in table.rounds:
        when = f"{starts}–{ends}"
        if names is None:
            rows.append((str(n), when, _t("not there")))
        elif not names:
            rows.append((str(n), when, _t("free")))
        else:
            rows += [(str(n), when, name, "") for name in names]
    return _sheet_page(
        "table",
        table.employer,
        subtitle=f"{event.name} · {event.date} · {event.venue}",
        big=_t("Table %(number)s", number=table.table),
        headers=(_t("Round"), _t("Time"), _t("Candidate")),
        lines=tuple(rows),
        ticks=(_t("Held"), _t("Follow-up: yes"), _t("maybe"), _t("no")),
    )


ATTENDANCE_ROWS = 32


def attendance_pages(rows: Sequence[tuple[str, str, str, str]], event: EventInfo) -> list[Page]:
    """The attendance list (presentielijst) for the door if scanning fails: badge number, name, role and first
    talk, with a box to tick; a page per 32 people, so that a large fair renders on every core."""
    pages = []
    chunks = [rows[i : i + ATTENDANCE_ROWS] for i in range(0, len(rows), ATTENDANCE_ROWS)] or [[]]
    for index, chunk in enumerate(chunks, start=1):
        pages.append(
            Page(
                "210mm 297mm",
                sheet=Sheet(
                    "table attendance",
                    fitted(_t("Attendance list"), Box(0, 0, 180, 14), max_pt=22, bold=True),
                    subtitle=f"{event.name} · {event.date} · {event.venue}",
                    big=_t("Page %(page)s of %(pages)s", page=index, pages=len(chunks)),
                    headers=(_t("No."), _t("Name"), _t("Role"), _t("First talk")),
                    lines=tuple((*row, "") for row in chunk),
                    ticks=(_t("Present"),),
                ),
            )
        )
    return pages


def handout(person: Person, event: EventInfo) -> Page:
    """A person's programme on A5, for whoever has no e-mail: where, when, which tables, and the badge link."""
    other = _t("Candidate") if person.kind is HolderKind.EMPLOYER else _t("Employer")
    rows = tuple(
        (
            str(r.round),
            f"{r.starts}–{r.ends}",
            ", ".join(sorted({str(t) for t, _ in r.seats})),
            ", ".join(name for _, name in r.seats),
        )
        for r in person.rounds
    )
    facts = (
        (_t("Date"), event.date),
        (_t("Place"), event.venue),
        (_t("Address"), event.address),
        (_t("Time"), f"{event.first_round}–{event.last_round_end}"),
        (_t("Badge number"), str(person.number)),
    )
    return _sheet_page(
        "handout",
        person.full_name,
        subtitle=event.name,
        headers=(_t("Round"), _t("Time"), _t("Table"), other),
        lines=rows,
        qr_src=qr_src(person.url),
        link=person.url,
        facts=tuple((k, v) for k, v in facts if v),
        note=_t("Scan this code with your phone's camera to see your programme on the day.")
        if rows
        else _t("Your talks are not planned yet. Scan this code later to see them."),
    )
