from pathlib import Path

from babel.messages.pofile import read_po

from events.platform import i18n

ROOT = Path(__file__).resolve().parents[2]


def test_i18n_every_message_has_a_dutch_translation() -> None:
    with (ROOT / "events/locale/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    translated = {
        ("\0".join(m.id) if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }

    missing = sorted(i18n.extracted_messages(ROOT) - translated)

    assert missing == [], "run `python -m events.platform.i18n update` and translate these"


def test_i18n_no_message_is_translated_twice() -> None:
    """Several people append to the catalogue at once: a message id twice would keep only one translation."""
    import re
    from collections import Counter

    text = (ROOT / "events/locale/nl/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    ids = Counter(re.findall(r'^msgid ((?:".*"\n)+)msgstr', text, re.MULTILINE))
    assert [i for i, n in ids.items() if n > 1] == []


def test_i18n_gettext_follows_the_current_language() -> None:
    with i18n.language("nl"):
        dutch = i18n.gettext("Log out")
    with i18n.language("en"):
        english = i18n.gettext("Log out")

    assert (dutch, english) == ("Uitloggen", "Log out")


def test_i18n_unknown_language_falls_back_to_dutch() -> None:
    assert i18n.normalise("fr-FR") == "nl"
    assert i18n.normalise("EN") == "en"
