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


# Renderings a printed page is read in. zbar reads a sound code from most renderings, but a code that falls on
# the pixel grid in an unlucky phase can escape it at one resolution: on 2026-12-07 one badge code of 58 was
# missed at 150 dpi and read at 100, 120, 200, 300 and 600 dpi. A code counts as read when either rendering
# gives it, as a phone that misses a frame reads the next one.
_DPI = (150, 200)


def _render(pdf: Path, workdir: Path, dpi: int) -> list[Path]:
    """The PDF's pages as PNGs at ``dpi``, in page order."""
    prefix = workdir / f"page{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=300)
    return sorted(workdir.glob(f"page{dpi}-*.png"))


def _zbar(image: Path) -> list[str]:
    out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=False)
    return out.stdout.split()


def decode_qr_codes(pdf: Path, workdir: Path) -> list[list[str]]:
    """Per page, the texts of the QR codes zbar reads in a 150 dpi rendering, with any it reads only at 200 dpi
    (see _DPI)."""
    first, second = ([_zbar(image) for image in _render(pdf, workdir, dpi)] for dpi in _DPI)
    return [page + [code for code in again if code not in page] for page, again in zip(first, second, strict=True)]


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
    """The QR text zbar reads inside each card: (page index, (x, y, w, h) in mm) at 150 dpi, or where it reads
    none there, at 200 dpi (see _DPI); "" where neither gives one."""
    from PIL import Image

    renderings = [(dpi, _render(pdf, workdir, dpi)) for dpi in _DPI]
    found = []
    for number, (page, (x, y, w, h)) in enumerate(cards):
        text = ""
        for dpi, images in renderings:
            scale = dpi / 25.4
            crop = workdir / f"card-{number}-{dpi}.png"
            with Image.open(images[page]) as image:
                box = (round(x * scale), round(y * scale), round((x + w) * scale), round((y + h) * scale))
                image.crop(box).save(crop)
            text = " ".join(_zbar(crop))
            if text:
                break
        found.append(text)
    return found
