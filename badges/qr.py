"""QR codes for badges, table cards and handouts: small 1-bit PNGs at print resolution.

The qrcode package spends most of its time trying all eight mask patterns (about 12 ms a code); any mask
gives a valid code that every reader decodes, so one fixed mask (and the version computed once per data
length) brings a code down to about a millisecond.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache
from urllib.parse import quote, unquote

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
MASK_PATTERN = 2
SCALE = 4  # pixels a module
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
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    encoded = data.encode("utf-8")
    code = qrcode.QRCode(
        version=_version(len(encoded)), error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, mask_pattern=MASK_PATTERN
    )
    # The package places the modules; the codewords (data and Reed-Solomon blocks) are made here, about
    # ten times faster than its general polynomial arithmetic. A test holds both equal.
    code.data_cache = codewords(encoded, code.version)
    code.makeImpl(False, MASK_PATTERN)
    rows: list[list[bool]] = code.get_matrix()
    return rows


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
    """An 8-bit greyscale PNG of the code, four pixels a module (written directly: a few hundred bytes).

    At four pixels a module a 24 mm code has about 170 dpi, so a 150 dpi rendering scales it down (sharp
    module edges) where an upscaled one-pixel code would blur and stop decoding. Greyscale, because the
    renderer takes such a PNG as it is, where it would turn a 1-bit one into RGB and encode it twice."""
    rows = matrix(data)
    size = len(rows) * SCALE
    dark, light = b"\x00" * SCALE, b"\xff" * SCALE
    raw = b"".join((b"\x00" + b"".join(dark if d else light for d in row)) * SCALE for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def svg(data: str) -> str:
    """The code as inline SVG markup (one path), as a flowing HTML page would embed it."""
    rows = matrix(data)
    size = len(rows)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows) for x, dark in enumerate(row) if dark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def src(data: str) -> str:
    """The image address a print template uses; the renderer makes the PNG when it lays out the page."""
    return SCHEME + quote(data, safe="")


def data_of(url: str) -> str:
    """What a `qr:` address encodes."""
    return unquote(url.removeprefix(SCHEME))
