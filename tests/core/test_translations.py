"""The Chinese translation is complete and its compiled catalogue is current."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import observatory

LOCALE = Path(observatory.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?:msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE
)


def po_entries() -> dict[str, str]:
    """msgid (or "context\x04msgid", as gettext keys them) -> msgstr."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    text = re.sub(r"^#~.*\n", "", text, flags=re.MULTILINE)  # obsolete entries

    def join(block: str) -> str:
        return "".join(ast.literal_eval(line) for line in block.strip().splitlines())

    return {
        (f"{join(context)}\x04" if context else "") + join(msgid): join(msgstr)
        for context, msgid, msgstr in ENTRY.findall(text)
        if join(msgid)
    }


def test_every_string_is_translated() -> None:
    entries = po_entries()
    assert len(entries) > 200
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_no_entry_is_fuzzy() -> None:
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)

    def translated(key: str) -> str:
        if "\x04" in key:
            context, msgid = key.split("\x04", 1)
            return catalogue.pgettext(context, msgid)
        return catalogue.gettext(key)

    stale = {key for key, msgstr in po_entries().items() if translated(key) != msgstr}
    assert stale == set(), "run `make messages` to recompile django.mo"


def test_placeholders_survive_translation() -> None:
    placeholder = re.compile(r"%\(\w+\)s")
    for msgid, msgstr in po_entries().items():
        assert sorted(placeholder.findall(msgid)) == sorted(placeholder.findall(msgstr)), msgid
