"""People's names: how a name is cleaned when it comes in, and how it is shortened where it goes out.

One rule for every page, print and export that shows a person by first name and initial ("Meike H."): the
initial is that of the surname without its tussenvoegsels ("Meike van der Horst" is "Meike H.", never
"Meike V."), and within one event two people who would look the same get the few letters of the surname that
tell them apart ("Meike Ha." and "Meike Ho."), or a number where a few letters cannot. Pure functions: the
events slice reads the names, this module shapes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping

from events.platform.errors import DomainError
from events.platform.i18n import gettext as _

# The words that come before a Dutch (or Flemish, French, German, Italian, Portuguese) surname and are not
# part of it for sorting or initials. Compared in lower case, with the typewriter and the curly apostrophe.
TUSSENVOEGSELS = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "des",
        "del",
        "della",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "het",
        "'t",
        "t",
        "'s",
        "s",
        "in",
        "op",
        "onder",
        "over",
        "aan",
        "bij",
        "uit",
        "voor",
        "tot",
        "te",
        "ten",
        "ter",
        "la",
        "le",
        "les",
        "l'",
        "d'",
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
        "vd",
        "v.d.",
        "v/d",
    }
)

# Format characters that belong in some names: the zero-width non-joiner and joiner (Persian, Indic scripts).
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})


def _is_hidden(char: str) -> bool:
    """A control, bidirectional or other invisible formatting character, a private or unassigned code point,
    or a line break: nothing a person's name is written with, and some turn a name around on screen."""
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _ALLOWED_FORMAT
    return category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp")


def clean_name(value: str | None, field: str, *, max_length: int | None = 200) -> str:
    """A person's name as it is stored: composed (NFC), trimmed, inner spaces single; a DomainError naming
    ``field`` when nothing is left or it holds a control or bidirectional character."""
    text = unicodedata.normalize("NFC", value or "")
    if any(_is_hidden(char) for char in text.strip()):
        raise DomainError(
            "invalid_name",
            _("A name cannot contain control characters or hidden characters that change the text direction."),
            field,
        )
    text = " ".join(text.split())
    if not text:
        raise DomainError("required", _("This field is required."), field)
    if max_length is not None and len(text) > max_length:
        raise DomainError("too_long", _("At most %(max)s characters.", max=max_length), field)
    return text


def _apostrophes(word: str) -> str:
    return word.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def surname(last: str) -> str:
    """The surname without its tussenvoegsels: "van der Horst" is "Horst", "Horst, van der" too, and
    "de Vries-van Dam" is "Vries-van Dam". A surname of tussenvoegsels only stays as it is."""
    text = " ".join((last or "").split())
    if "," in text:
        # "Horst, van der": written surname first, as registers do.
        text = text.split(",", 1)[0].strip()
    words = text.split(" ")
    start = 0
    while start < len(words) - 1 and _apostrophes(words[start]).casefold() in TUSSENVOEGSELS:
        start += 1
    return " ".join(words[start:])


# At most this many letters of a surname tell two people apart, and never all of it: more would all but name
# them to an employer.
MAX_LETTERS = 3


def _part(core: str, letters: int) -> str:
    """The first ``letters`` letters of the surname as shown, its first letter in capitals: "Ho."."""
    return core[:1].upper() + core[1:letters] + "." if core else ""


def short_name(first: str, last: str) -> str:
    """First name and the initial of the surname without tussenvoegsels: "Meike van der Horst" is "Meike H."."""
    first = " ".join((first or "").split())
    part = _part(surname(last), 1)
    return f"{first} {part}".strip() if part else first


def _letters_needed(core: str, others: list[str]) -> int:
    """How many letters of ``core`` tell it apart from every other surname of the same short name, within
    the limit (a surname the limit cannot tell apart is numbered instead)."""
    own = core.casefold()
    needed = 1
    for other in others:
        theirs = other.casefold()
        common = 0
        while common < min(len(own), len(theirs)) and own[common] == theirs[common]:
            common += 1
        needed = max(needed, common + 1)
    return max(1, min(needed, MAX_LETTERS, len(core) - 1))


def short_names(people: Mapping[int, tuple[str, str]]) -> dict[int, str]:
    """Everyone's short name (``people``: an id to (first name, last name), for example every candidate of
    one event by participation), unique among them. Where two would read the same, each gets the letters of
    the surname that tell them apart ("Meike Ha.", "Meike Ho."); where a few letters cannot (the same
    surname, or "Jansen" and "Janssen"), they keep the initial and are numbered in the order of their ids
    ("Piet J. (1)", "Piet J. (2)")."""
    groups: dict[str, list[int]] = defaultdict(list)
    for key, (first, last) in people.items():
        groups[short_name(first, last).casefold()].append(key)
    result: dict[int, str] = {}
    for keys in groups.values():
        if len(keys) == 1:
            result[keys[0]] = short_name(*people[keys[0]])
            continue
        cores = {key: surname(people[key][1]) for key in keys}
        longer: dict[int, str] = {}
        alike: dict[str, list[int]] = defaultdict(list)
        for key in keys:
            first = " ".join(people[key][0].split())
            part = _part(cores[key], _letters_needed(cores[key], [cores[k] for k in keys if k != key]))
            longer[key] = f"{first} {part}".strip()
            alike[longer[key].casefold()].append(key)
        numbered: list[int] = []
        for same in alike.values():
            if len(same) == 1:
                result[same[0]] = longer[same[0]]
            else:
                numbered.extend(same)
        for number, key in enumerate(sorted(numbered), start=1):
            result[key] = f"{short_name(*people[key])} ({number})"
    return result


def slugify(text: str, fallback: str = "event") -> str:
    """An address from a name (an event's, a programme's): lowercase ASCII letters, digits and dashes. A slug of
    digits only would read as an id, so it gets ``fallback`` in front."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:70] or fallback
    return f"{fallback}-{slug}" if slug.isdigit() else slug
