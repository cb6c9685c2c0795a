"""QR codes and text fitting: the pure parts of printing, checked against independent references."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from PIL import Image

from badges.printing import qr
from badges.printing.fit import MM, SAFETY, fit, width_em
from tests.pdftools import require_tools


def test_codes_of_every_length_in_use_decode_to_their_text(tmp_path: Path) -> None:
    require_tools("zbarimg")
    rng = random.Random(7)
    texts = ["".join(chr(rng.randrange(32, 127)) for _ in range(n)) for n in [*range(1, 80), 120, 200, 300]]
    texts += ["http://127.0.0.1:8000/b/" + "A" * 27, "https://example.org/b/Ölçer-محمد", "0123456789" * 3]
    images = []
    for number, text in enumerate(texts):
        images.append(tmp_path / f"{number}.png")
        images[-1].write_bytes(qr.png(text))
        # The matrix (the SVG's and the fake camera's) is the same code: drawn at four pixels a module.
        rows = qr.matrix(text)
        drawn = bytes(0 if dark else 255 for row in rows for dark in row)
        images.append(tmp_path / f"{number}-matrix.png")
        image = Image.frombytes("L", (len(rows), len(rows)), drawn)
        image.resize((4 * len(rows), 4 * len(rows)), Image.Resampling.NEAREST).save(images[-1])

    out = subprocess.run(
        ["zbarimg", "-q", "--raw", *map(str, images)], capture_output=True, encoding="utf-8", check=False
    )

    assert out.stdout.split("\n")[:-1] == [text for text in texts for _ in range(2)]


def test_badge_address_fits_version_4_and_the_png_is_greyscale_at_two_pixels_a_module() -> None:
    url = "http://127.0.0.1:8000/b/" + "A" * 27

    image = qr.png(url)

    assert qr._version(len(url)) == 4
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = (
        int.from_bytes(image[16:20], "big"),
        int.from_bytes(image[20:24], "big"),
        image[24],
        image[25],
    )
    assert (width, height, depth, colour) == ((33 + 8) * 2, (33 + 8) * 2, 8, 0)


def test_fit_keeps_the_largest_size_and_breaks_only_at_spaces() -> None:
    short = fit("Noor", 50, 15, max_pt=24, max_lines=2, bold=True)
    long = fit("Maria-Magdalena Wilhelmina Ölçer-van den Heuvel to Ouédraogo", 50, 10, max_pt=12, max_lines=2)
    word = fit("A" * 80, 50, 10, max_pt=12, max_lines=2)

    assert short.size == 24
    assert short.lines == ("Noor",)
    assert 1 < len(long.lines) <= 2
    assert " ".join(long.lines) == "Maria-Magdalena Wilhelmina Ölçer-van den Heuvel to Ouédraogo"
    for line in (*long.lines, *word.lines):
        assert width_em(line, bold=False) * (long.size if line in long.lines else word.size) <= 50 * MM * SAFETY
    assert word.size < 4  # a single long word shrinks below the usual floor rather than being cut


def test_fit_measures_arabic_with_the_arabic_font() -> None:
    assert 0.2 < width_em("محمد") / len("محمد") < 0.8
