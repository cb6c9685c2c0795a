"""Reading printed PDFs back with independent tools: poppler (pdftoppm, pdftotext) and zbar."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from tests.conftest import require

PT_PER_MM = 72 / 25.4


def require_tools(*names: str) -> None:
    for name in names:
        require(shutil.which(name) is not None, f"{name} is not installed (Debian: poppler-utils, zbar-tools)")


def decode_qr_codes(pdf: Path, workdir: Path) -> list[list[str]]:
    """Per page, the texts of the QR codes zbar reads in a 150 dpi rendering."""
    prefix = workdir / "page"
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(prefix)], check=True, timeout=300)
    found = []
    for image in sorted(workdir.glob("page-*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=False)
        found.append(out.stdout.split())
    return found


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def inside(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        return self.x0 >= x0 and self.y0 >= y0 and self.x1 <= x1 and self.y1 <= y1

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def words_per_page(pdf: Path) -> list[list[Word]]:
    """pdftotext's words with their boxes (points from the top left), page by page."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [Word(unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in _WORD.findall(page)]
        )
    return pages


def decode_per_card(pdf: Path, workdir: Path, cards: list[tuple[int, tuple[float, float, float, float]]]) -> list[str]:
    """The QR text zbar reads inside each card: (page index, (x, y, w, h) in mm) at 150 dpi; "" where none."""
    from PIL import Image

    decode_qr_codes(pdf, workdir)  # renders the pages
    images = sorted(workdir.glob("page-*.png"))
    found = []
    scale = 150 / 25.4
    for number, (page, (x, y, w, h)) in enumerate(cards):
        crop = workdir / f"card-{number}.png"
        with Image.open(images[page]) as image:
            image.crop((round(x * scale), round(y * scale), round((x + w) * scale), round((y + h) * scale))).save(crop)
        out = subprocess.run(["zbarimg", "-q", "--raw", str(crop)], capture_output=True, text=True, check=False)
        found.append(out.stdout.strip())
    return found
