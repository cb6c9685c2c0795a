"""Rendering 1,000 badges with their round cards: the print path against a straightforward one-pass render.

1,000 people (900 candidates with two to four talks, 100 employer contacts with their tables' rounds) with
seeded Dutch names, some long, some Arabic, are made up in memory (no database: what is measured is the
rendering). Both paths get the same content: per badge the event, first and full name, organisation,
role, number, the QR code of `<base_url>/b/<token>` and the round card.

- **ours**: `badges.printing.pdf.render` on the a4-8 sheets of `badges.printing.sheets` (absolutely placed
  boxes sized by
  badges/printing/fit.py, greyscale PNG QR codes made by the renderer's URL fetcher as layers of the page
  background, fronts and mirrored backs), in chunks on a process pool with a worker per core, joined by
  badges/printing/pdf_merge.py. Timed from the page list to the merged PDF's bytes, pool start-up included.
- **baseline**: the same content as one flowing HTML document (each badge a block of flowing text with
  its QR code as inline SVG, followed by its round card), rendered by WeasyPrint in one pass.

Each path runs --runs times in turn; the figures are medians. The QR codes of the result are decoded
with zbar from a 150 dpi rendering of the first sheet as a check. Then two parts of the print path are
timed on their own, in CPU seconds of this process (robust to other work on the machine), medians of
--runs: the 1,000 QR PNGs (`badges.printing.qr.png`, which the renderer's URL fetcher calls once a code)
and the join of the workers' chunks (`badges.printing.pdf.merge`, through badges/printing/pdf_merge.py)
on the chunks of the same pages, rendered once in this process beforehand.

    python bench/bench_badges.py [--runs 3] [--count 1000] [--workers N]

Target (issue 6): ours under 10 s for 1,000 badges on the 2-core machine, and at least 3x faster than
the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from faker import Faker

from badges.models import HolderKind
from badges.printing import qr
from badges.printing.pdf import chunks, merge, render, workers_available
from badges.printing.sheets import LAYOUTS, EventInfo, Person, Round, badge_pages, round_lines
from badges.tokens import derive_token
from events.platform import i18n

BASE_URL = "http://127.0.0.1:8000"
EMPLOYERS = [
    "Werkse! Groen",
    "Schoonmaakbedrijf Delfts Blauw",
    "Bouwbedrijf Van der Linden",
    "Zorggroep Hof van Delft",
    "Brasserie De Waag",
    "Logistiek Centrum Haaglanden",
    "Techniek & Installatie Westland B.V.",
    "Supermarkt Buurtwinkel",
]
ARABIC = ["محمد", "فاطمة", "يوسف", "مريم", "عبد الرحمن", "خديجة"]
ARABIC_LAST = ["الحسيني", "بن علي", "العمري", "الزهراء"]
EVENT = EventInfo(
    "Samen Werkt! Delft", "zaterdag 5 december 2026", "Werkse! Delft", "Van Miereveltlaan 9, Delft", "14:00", "16:00"
)


def people(count: int, seed: int = 6) -> list[Person]:
    """`count` badge holders: nine in ten candidates, one in ten employer contacts."""
    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    times = [
        (f"{14 + (r * 15) // 60}:{(r * 15) % 60:02d}", f"{14 + (r * 15 + 10) // 60}:{(r * 15 + 10) % 60:02d}")
        for r in range(6)
    ]
    found = []
    for i in range(count):
        if i % 10 == 9:
            kind, employer = HolderKind.EMPLOYER, rng.choice(EMPLOYERS)
            first, last = fake.first_name(), fake.last_name()
            tables = rng.randint(1, 3)
            rounds = tuple(
                Round(
                    r + 1,
                    *times[r],
                    tuple((t, f"{fake.first_name()} {fake.last_name()[:1]}.") for t in range(1, tables + 1)),
                )
                for r in range(6)
            )
        else:
            kind, employer = HolderKind.CANDIDATE, None
            if i % 25 == 0:
                first, last = rng.choice(ARABIC), rng.choice(ARABIC_LAST)
            elif i % 40 == 1:
                first, last = "Maria-Magdalena Wilhelmina", "van Oldenbarnevelt-Ouédraogo Çelik"
            else:
                first, last = fake.first_name(), fake.last_name()
            talks = sorted(rng.sample(range(6), rng.randint(2, 4)))
            rounds = tuple(Round(r + 1, *times[r], ((rng.randint(1, 3), rng.choice(EMPLOYERS)),)) for r in talks)
        token = derive_token(b"bench-key", "badge", f"{kind.value}:{i}", 1)
        found.append(Person(kind, i, i + 1, first, f"{first} {last}", employer, f"{BASE_URL}/b/{token}", rounds))
    return found


def baseline_html(persons: list[Person]) -> str:
    """The straightforward page: every badge a flowing block with an inline SVG QR code, then its round card."""
    cards = []
    for p in persons:
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in round_lines(p))
        organisation = f"<p class='org'>{html.escape(p.organisation)}</p>" if p.organisation else ""
        cards.append(
            f"<div class='badge {p.kind.value}'><p class='event'>{html.escape(EVENT.name)}</p>"
            f"<div class='qr'>{qr.svg(p.url)}</div><h1>{html.escape(p.first_name)}</h1>"
            f"<p class='name'>{html.escape(p.full_name)}</p>{organisation}"
            f"<p class='role'>{p.kind.value} · nr. {p.number}</p></div>"
            f"<div class='back'><p class='title'>{html.escape(p.first_name)} · {EVENT.date}</p><ul>{lines}</ul></div>"
        )
    css = """
    @page { size: A4; margin: 10mm }
    body { font-family: "Noto Sans", sans-serif; }
    .badge, .back { display: inline-block; width: 85mm; height: 54mm; box-sizing: border-box; vertical-align: top;
      border: 0.2mm dashed #999; margin: 0 2mm 2mm 0; padding: 0 3mm; overflow-wrap: anywhere; }
    .badge .event { margin: 0 -3mm; padding: 1mm 3mm; background: #1f5fa8; color: #fff; font-weight: 600; }
    .badge.employer .event { background: #2e7d32; }
    .qr { float: right; width: 24mm; height: 24mm; margin-top: 2mm; }
    .qr svg { width: 24mm; height: 24mm; }
    h1 { font-size: 22pt; margin: 2mm 0 1mm; }
    .name, .org, .role { margin: 0 0 1mm; font-size: 9pt; }
    .back ul { margin: 1mm 0; padding-left: 4mm; font-size: 8pt; }
    .back .title { margin: 0 -3mm; padding: 1mm 3mm; background: #1f5fa8; color: #fff; font-size: 8pt; }
    """
    head = f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head>"
    return f"{head}<body>{''.join(cards)}</body></html>"


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_ours(persons: list[Person], workers: int | None) -> tuple[float, float, bytes]:
    started, cpu = time.perf_counter(), cpu_seconds()
    with i18n.language("nl"):
        pages = list(badge_pages(persons, EVENT, LAYOUTS["a4-8"]))
    data = render(pages, title="Badges", language="nl", workers=workers)
    return time.perf_counter() - started, cpu_seconds() - cpu, data


def run_baseline(persons: list[Person]) -> tuple[float, float, bytes]:
    from weasyprint import HTML

    started, cpu = time.perf_counter(), cpu_seconds()
    with i18n.language("nl"):
        document = baseline_html(persons)
    data: bytes = HTML(string=document).write_pdf()
    return time.perf_counter() - started, cpu_seconds() - cpu, data


def decoded_on_first_sheet(data: bytes) -> int | None:
    """How many QR codes zbar reads on page 1 at 150 dpi (None without poppler or zbar)."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        return None
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "badges.printing.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf), f"{folder}/p"], check=True)  # noqa: S603, S607
        image = next(Path(folder).glob("p*.png"))
        out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=False)  # noqa: S603, S607
        return len(out.stdout.split())


def parts_seconds(persons: list[Person], runs: int) -> tuple[list[float], list[float], int, int]:
    """CPU seconds of this process (robust to other work on the machine), per run: for the QR PNGs of all
    badges, and to join the print path's chunks; the chunk and page counts."""
    from badges.printing.pdf_worker import render_chunk

    codes = []
    for _ in range(runs):
        started = time.process_time()
        for p in persons:
            qr.png(p.url)
        codes.append(time.process_time() - started)
    with i18n.language("nl"):
        pages = list(badge_pages(persons, EVENT, LAYOUTS["a4-8"]))
    parts = [render_chunk(part, "Badges", "nl") for part in chunks(pages)]
    joins = []
    for _ in range(runs):
        started = time.process_time()
        merge(parts, "Badges")
        joins.append(time.process_time() - started)
    return codes, joins, len(parts), len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    args = parser.parse_args()
    persons = people(args.count)
    print(f"{args.count} badges with round cards, {workers_available()} cores, load {os.getloadavg()[0]:.1f}")
    ours, baseline, ours_cpu, base_cpu = [], [], [], []
    data = b""
    for run in range(args.runs):
        seconds, cpu, data = run_ours(persons, args.workers)
        ours.append(seconds)
        ours_cpu.append(cpu)
        base_seconds, base_cpu_seconds, base_data = run_baseline(persons)
        baseline.append(base_seconds)
        base_cpu.append(base_cpu_seconds)
        print(
            f"run {run + 1}: ours {seconds:.2f} s (cpu {cpu:.1f} s, {len(data) // 1024} KB), baseline "
            f"{base_seconds:.2f} s (cpu {base_cpu_seconds:.1f} s, {len(base_data) // 1024} KB), "
            f"load {os.getloadavg()[0]:.1f}"
        )
    ours_median, base_median = statistics.median(ours), statistics.median(baseline)
    print(
        f"ours:     median {ours_median:.2f} s ({1000 * ours_median / args.count:.1f} ms a badge), "
        f"cpu {statistics.median(ours_cpu):.1f} s"
    )
    print(
        f"baseline: median {base_median:.2f} s ({1000 * base_median / args.count:.1f} ms a badge), "
        f"cpu {statistics.median(base_cpu):.1f} s"
    )
    print(f"ratio:    {base_median / ours_median:.1f}x faster")
    print(f"QR codes decoded by zbar on the first sheet: {decoded_on_first_sheet(data)}")
    codes, joins, parts, pages = parts_seconds(persons, args.runs)
    code, join = statistics.median(codes), statistics.median(joins)
    each = ", ".join(f"{t:.3f}" for t in codes)
    print(f"QR PNGs:  median {code:.3f} s CPU for {len(persons)}, {1000 * code / len(persons):.3f} ms a code ({each})")
    each = ", ".join(f"{t:.3f}" for t in joins)
    per_page = 1000 * join / pages
    print(f"join:     median {join:.3f} s CPU for {parts} chunks of {pages} pages, {per_page:.2f} ms a page ({each})")
    print(f"reproduce: python bench/bench_badges.py --runs {args.runs} --count {args.count}")


if __name__ == "__main__":
    main()
