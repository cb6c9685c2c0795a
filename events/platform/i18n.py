"""Translations: Dutch by default, English available.

Message ids are English; ``events/locale/nl/LC_MESSAGES/messages.po`` holds the Dutch. The catalogue is
compiled in memory at start-up (no .mo files to build or ship). The current language lives in a
context variable that the request middleware sets, so ``gettext`` works the same in templates,
services and error handlers.

``python -m events.platform.i18n update`` extracts every message from the code and templates and merges them
into the catalogue; ``tests/platform/test_i18n.py`` fails when a message has no Dutch translation.
"""

from __future__ import annotations

import contextvars
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("meetmatch_language", default=DEFAULT_LANGUAGE)


def _catalogue_path(language: str) -> Any:
    return resources.files("events").joinpath("locale", language, "LC_MESSAGES", "messages.po")


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for ``language`` (English is the message ids themselves)."""
    if language == "en":
        return NullTranslations()
    with _catalogue_path(language).open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(buffer)


def normalise(language: str | None) -> str:
    """A supported language code, or the default."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> contextvars.Token[str]:
    return _current.set(normalise(language))


def reset_language(token: contextvars.Token[str]) -> None:
    _current.reset(token)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Run a block in another language (e-mails to a person in their own language, tests)."""
    token = set_language(code)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: Any) -> str:
    """Translate ``message`` into the current language, then fill ``%(name)s`` placeholders."""
    text = translations(_current.get()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_current.get()).ungettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def _jinja_gettext(message: str, **params: Any) -> str:
    return gettext(message, **params)


def _jinja_ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    return ngettext(singular, plural, n, **params)


def install(env: Any) -> None:
    """Give a Jinja environment the gettext callables (newstyle: autoescaped, with placeholders)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_jinja_gettext, _jinja_ngettext, newstyle=True)


_ = gettext


# --- catalogue maintenance (developer tool) -------------------------------------------------------


def _extract(root: Path) -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalogue = Catalog(locale="en")
    method_map = [
        ("migrations/**", "ignore"),
        ("static/**", "ignore"),
        ("**.py", "python"),
        ("**.html", "jinja2"),
        ("**.txt", "jinja2"),
    ]
    jinja = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    options_map = {"**.html": jinja, "**.txt": jinja}
    keywords = {"_": None, "_t": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for folder in ("events", "schedule", "badges", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
            root / folder, method_map=method_map, options_map=options_map, keywords=keywords
        ):
            catalogue.add(
                message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return catalogue


def extracted_messages(root: Path) -> set[str]:
    """Every message id used in the code and templates under ``root`` (plural forms joined by a NUL)."""
    ids: set[str] = set()
    for message in _extract(root):
        if not message.id:
            continue
        ids.add("\0".join(message.id) if isinstance(message.id, tuple | list) else message.id)
    return ids


def update_catalogue(root: Path) -> list[str]:
    """Merge newly extracted messages into the Dutch catalogue; return the ids that lack a translation."""
    from babel.messages.pofile import write_po

    path = root / "events" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    template = _extract(root)
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=120, omit_header=False, sort_output=True)
    return [str(m.id) for m in catalogue if m.id and not m.string]


N_ = str  # marks a message for extraction where it is translated later


if __name__ == "__main__":  # pragma: no cover - developer tool
    if sys.argv[1:] == ["update"]:
        missing = update_catalogue(Path(__file__).resolve().parents[2])
        for item in missing:
            sys.stdout.write(f"untranslated: {item!r}\n")
    else:
        sys.stdout.write("usage: python -m events.platform.i18n update\n")
