"""The Korean interface is complete: every UI string has a Korean translation, none is a guess."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "translations" / "ko" / "LC_MESSAGES" / "messages.po"


def test_every_ui_string_is_translated_to_korean():
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and "%(" in str(message.id):
            for name in ("%(count)s", "%(office)s", "%(channel)s", "%(total)s"):
                assert (name in str(message.id)) == (name in str(message.string)), message.id
