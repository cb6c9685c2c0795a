"""Jinja templates and static files, shipped inside the wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_path() -> Path:
    """The static files' folder (CSS, the scanner's script, the vendored QR decoder)."""
    return Path(str(resources.files("templates"))) / "static"
