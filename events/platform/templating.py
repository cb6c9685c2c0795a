"""The Jinja environment every page and printed document of ours is rendered with: the templates shipped in the
wheel, the translations, and the labels of the codes the domain stores."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from events.platform import i18n, labels


def templates_dir() -> Path:
    """The templates shipped in the wheel (or the checkout), found through importlib.resources."""
    return Path(str(resources.files("templates")))


def environment(**extra_globals: Any) -> Environment:
    """A new environment with the shared globals and filters, plus ``extra_globals``."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.globals["current_language"] = i18n.current_language
    env.globals.update(labels.TEMPLATE_GLOBALS)
    env.globals.update(extra_globals)
    env.filters.update(labels.TEMPLATE_FILTERS)
    return env
