"""QR codes for badges, table cards and handouts: small greyscale PNGs at print resolution.

The codes are made by the qrcode package at error correction level M. Left to itself it spends most of its
time trying all eight mask patterns and searching for the smallest version; any mask gives a valid code
that every reader decodes, so the mask is fixed, and the version is found once per data length (every
badge address of an event has the same length). The PNG is written by Pillow from the package's module
matrix.
"""

from __future__ import annotations

import io
from functools import cache
from urllib.parse import quote, unquote

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
MASK_PATTERN = 2
SCALE = 2  # pixels a module
# The URL scheme by which a print template asks the renderer's URL fetcher for a QR code.
SCHEME = "qr:"
_GREY = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # a module (False, True) to its pixel: light, dark


@cache
def _version(length: int) -> int:
    """The smallest version that holds `length` bytes (every badge URL of an event has the same length, so
    the search runs once)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=MASK_PATTERN)
    code.add_data(b"x" * length, optimize=0)
    return int(code.best_fit())


def _modules(data: str) -> list[list[bool]]:
    """The qrcode package's module matrix, quiet zone included (its rows are lists of bools)."""
    encoded = data.encode("utf-8")
    code = qrcode.QRCode(
        version=_version(len(encoded)),
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        mask_pattern=MASK_PATTERN,
    )
    # One segment, as the version was found for: bytes, or the denser digits or upper-case mode where the
    # whole text fits one (decoded the same).
    code.add_data(encoded, optimize=0)
    code.make(fit=False)
    rows: list[list[bool]] = code.get_matrix()
    return rows


def matrix(data: str) -> list[list[bool]]:
    """The code's modules (True is dark), quiet zone included; error correction M survives a crease."""
    return [[bool(module) for module in row] for row in _modules(data)]


def png(data: str) -> bytes:
    """An 8-bit greyscale PNG of the code, two pixels a module (a few hundred bytes), written by Pillow.

    The print templates draw it without smoothing (image-rendering: pixelated). Poppler still smooths an
    image it enlarges a lot: a code at one pixel a module blurs and stops decoding from a 150 dpi rendering.
    At two pixels a module a 24 mm badge code reads from renderings at 72 to 600 dpi (four pixels a module
    did not at 72 dpi), and the renderer, which decodes and re-encodes every PNG, has a quarter of the
    pixels to go through. Greyscale, because the renderer takes such a PNG as it is, where it would turn a
    1-bit one into RGB and encode it twice. Compressed at zlib's fastest level, as it is re-encoded anyway."""
    rows = _modules(data)
    side = len(rows)
    pixels = b"".join(bytes(row) for row in rows).translate(_GREY)
    image = Image.frombytes("L", (side, side), pixels).resize((side * SCALE, side * SCALE), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def svg(data: str, attributes: str = "") -> str:
    """The code as inline SVG markup (one path), as a flowing HTML page would embed it (no script, no external
    image: a strict CSP allows it); ``attributes`` are added to the svg element as they are."""
    rows = matrix(data)
    size = len(rows)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows) for x, dark in enumerate(row) if dark)
    extra = f" {attributes}" if attributes else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"{extra}>'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def src(data: str) -> str:
    """The image address a print template uses; the renderer makes the PNG when it lays out the page."""
    return SCHEME + quote(data, safe="")


def data_of(url: str) -> str:
    """What a `qr:` address encodes."""
    return unquote(url.removeprefix(SCHEME))
