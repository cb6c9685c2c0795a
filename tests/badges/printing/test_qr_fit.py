"""QR codewords and text fitting: the pure parts of printing, checked against independent references."""

from __future__ import annotations

import random

from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from badges.printing import qr
from badges.printing.fit import MM, SAFETY, fit, width_em


def test_codewords_equal_the_qrcode_packages_own_for_every_length() -> None:
    rng = random.Random(6)
    for length in [*range(1, 80), 120, 200, 300]:
        data = bytes(rng.randrange(256) for _ in range(length))
        version = qr._version(length)

        ours = qr.codewords(data, version)

        assert ours == util.create_data(version, ERROR_CORRECT_M, [util.QRData(data, mode=util.MODE_8BIT_BYTE)])


def test_modules_equal_the_qrcode_packages_own_placement_for_every_version_in_use() -> None:
    from qrcode.main import QRCode

    rng = random.Random(7)
    for length in [*range(1, 80), 120, 200, 300]:
        text = "".join(chr(rng.randrange(32, 127)) for _ in range(length))
        code = QRCode(
            version=qr._version(length),
            error_correction=ERROR_CORRECT_M,
            border=qr.QUIET_ZONE,
            mask_pattern=qr.MASK_PATTERN,
        )
        code.data_cache = qr.codewords(text.encode(), code.version)
        code.makeImpl(False, qr.MASK_PATTERN)

        assert qr.matrix(text) == code.get_matrix(), length


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
