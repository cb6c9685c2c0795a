"""QR codes for badges, table cards and handouts: small greyscale PNGs at print resolution.

The qrcode package spends most of its time trying all eight mask patterns (about 12 ms a code); any mask
gives a valid code that every reader decodes, so one fixed mask (and the version computed once per data
length), our own Reed-Solomon codewords and a module layout computed once per version bring a code with
its PNG down to about 0.3 ms.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache
from urllib.parse import quote, unquote

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
MASK_PATTERN = 2
SCALE = 2  # pixels a module
# The URL scheme by which a print template asks the renderer's URL fetcher for a QR code.
SCHEME = "qr:"


@cache
def _version(length: int) -> int:
    """The smallest version that holds `length` bytes (every badge URL of an event has the same length, so
    the search runs once)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=MASK_PATTERN)
    code.add_data("x" * length)
    return int(code.best_fit())


def matrix(data: str) -> list[list[bool]]:
    """The code's modules (True is dark), quiet zone included; error correction M survives a crease."""
    size, cells = _modules(data.encode("utf-8"))
    border = [False] * QUIET_ZONE
    blank = [[False] * (size + 2 * QUIET_ZONE) for _ in range(QUIET_ZONE)]
    body = [border + [bool(c) for c in cells[r * size : (r + 1) * size]] + border for r in range(size)]
    return [*blank, *body, *[list(row) for row in blank]]


def _modules(encoded: bytes) -> tuple[int, bytearray]:
    """The code without its quiet zone: its width in modules, and the modules row by row (1 is dark).

    The codewords (data and Reed-Solomon blocks) are made here, about ten times faster than the qrcode
    package's general polynomial arithmetic; the function patterns and the order in which the data fills
    the rest come from the package once per version (`_placement`). A test holds both equal to its own."""
    version = _version(len(encoded))
    size, template, positions, flips = _placement(version)
    cells = bytearray(template)
    words = codewords(encoded, version)
    bits = bin(int.from_bytes(bytes(words), "big"))[2:].zfill(8 * len(words)).encode()
    # Data bits, then the remainder bits (light before masking), each flipped where the mask says so.
    for index, bit, flip in zip(positions, bits.ljust(len(positions), b"0"), flips, strict=True):
        cells[index] = (bit == 49) ^ flip  # 49: b"1"
    return size, cells


@cache
def _placement(version: int) -> tuple[int, bytes, tuple[int, ...], tuple[bool, ...]]:
    """For a version at error correction M with the fixed mask: the width, the function patterns and
    format information (data modules left light), the data modules in the order the bits fill them
    (ISO/IEC 18004 7.7.3), and whether the mask flips each of them."""
    from qrcode import util
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.main import QRCode

    class _Patterns(QRCode):  # type: ignore[misc]
        def map_data(self, data: list[int], mask_pattern: int) -> None:
            pass  # leave the data modules unset (None): what is set is a function pattern

    code = _Patterns(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.makeImpl(False, MASK_PATTERN)
    modules: list[list[bool | None]] = code.modules
    size = len(modules)
    mask = util.mask_func(MASK_PATTERN)
    positions: list[int] = []
    flips: list[bool] = []
    row, step = size - 1, -1
    for right in range(size - 1, 0, -2):
        col = right - 1 if right <= 6 else right  # the vertical timing pattern takes column 6
        while True:
            for c in (col, col - 1):
                if modules[row][c] is None:
                    positions.append(row * size + c)
                    flips.append(bool(mask(row, c)))
            row += step
            if not 0 <= row < size:
                row -= step
                step = -step
                break
    template = bytes(1 if m else 0 for line in modules for m in line)
    return size, template, tuple(positions), tuple(flips)


def codewords(data: bytes, version: int) -> list[int]:
    """Byte-mode data at error correction level M for `version`, padded, split into blocks, each with its
    Reed-Solomon codewords, interleaved (ISO/IEC 18004 7.4 to 7.6)."""
    from qrcode.base import rs_blocks
    from qrcode.constants import ERROR_CORRECT_M

    blocks = rs_blocks(version, ERROR_CORRECT_M)
    capacity = sum(b.data_count for b in blocks)
    length_bits = 8 if version < 10 else 16
    bits = (0b0100 << length_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")
    count = 4 + length_bits + 8 * len(data)
    terminator = min(4, 8 * capacity - count)
    bits, count = bits << terminator, count + terminator
    bits, count = bits << (-count % 8), count + (-count % 8)
    stream = list(bits.to_bytes(count // 8, "big"))
    stream += [0xEC, 0x11] * ((capacity - len(stream)) // 2 + 1)
    stream = stream[:capacity]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        part = stream[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(part)
        ec_blocks.append(_remainder(part, block.total_count - block.data_count))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out += [b[i] for b in group if i < len(b)]
    return out


_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _EXP[_power + 255] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed-Solomon generator polynomial's coefficients as logarithms, highest power first (leading 1
    left out)."""
    poly = [1]
    for i in range(degree):
        poly = [
            (poly[j] if j < len(poly) else 0) ^ (_EXP[_LOG[poly[j - 1]] + i] if j > 0 and poly[j - 1] else 0)
            for j in range(len(poly) + 1)
        ]
    return tuple(_LOG[c] for c in poly[1:])


def _remainder(data: list[int], degree: int) -> list[int]:
    generator = _generator(degree)
    rest = [0] * degree
    for byte in data:
        factor = byte ^ rest[0]
        rest = rest[1:]
        rest.append(0)
        if factor:
            shift = _LOG[factor]
            for i, g in enumerate(generator):
                rest[i] ^= _EXP[g + shift]
    return rest


def png(data: str) -> bytes:
    """An 8-bit greyscale PNG of the code, two pixels a module (written directly: a few hundred bytes).

    The print templates draw it without smoothing (image-rendering: pixelated). Poppler still smooths an
    image it enlarges a lot: a code at one pixel a module blurs and stops decoding from a 150 dpi rendering.
    At two pixels a module a 24 mm badge code reads from renderings at 72 to 600 dpi (four pixels a module
    did not at 72 dpi), and the renderer, which decodes and re-encodes every PNG, has a quarter of the
    pixels to go through. Greyscale, because the renderer takes such a PNG as it is, where it would turn a
    1-bit one into RGB and encode it twice. Compressed at zlib's fastest level, as it is re-encoded anyway."""
    size, cells = _modules(data.encode("utf-8"))
    side = (size + 2 * QUIET_ZONE) * SCALE
    light = b"\xff" * (QUIET_ZONE * SCALE)
    module = (b"\xff" * SCALE, b"\x00" * SCALE)  # light, dark
    margin = (b"\x00" + b"\xff" * side) * (QUIET_ZONE * SCALE)
    lines = [
        (b"\x00" + light + b"".join([module[c] for c in cells[r * size : (r + 1) * size]]) + light) * SCALE
        for r in range(size)
    ]
    raw = margin + b"".join(lines) + margin
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 1)) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


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
