"""A video for Chromium's fake camera (`--use-file-for-fake-video-capture`): a QR code held still in front
of the lens, as Y4M (raw 4:2:0 frames), written without any imaging library."""

from __future__ import annotations

from pathlib import Path

from badges.printing.qr import matrix

WIDTH, HEIGHT = 640, 480


def qr_video(data: str, path: Path, *, frames: int = 10, module_px: int = 8) -> Path:
    """A Y4M file of `frames` identical frames showing the QR code of `data`, centred on white."""
    rows = matrix(data)
    size = len(rows) * module_px
    if size > min(WIDTH, HEIGHT) - 40:
        module_px = (min(WIDTH, HEIGHT) - 40) // len(rows)
        size = len(rows) * module_px
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for y, row in enumerate(rows):
        line = b"".join((b"\x00" if dark else b"\xff") * module_px for dark in row)
        for dy in range(module_px):
            start = (top + y * module_px + dy) * WIDTH + left
            luma[start : start + size] = line
    chroma = b"\x80" * ((WIDTH // 2) * (HEIGHT // 2))
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(frame)
    return path
