"""Issue 12 §2: hostile SDMX-ML is refused while it is streamed, in constant
memory: nesting millions of levels deep, entity declarations, broken XML."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from observatory.intake.reading import UnreadableFile
from observatory.statistics.formats.sdmx.reader import MAX_XML_DEPTH, read_sdmx_ml


def test_a_document_nested_two_million_levels_deep_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    levels = 2_000_000
    with path.open("wb") as handle:
        handle.write(b'<?xml version="1.0"?>')
        handle.write(b"<a>" * levels)
        handle.write(b"</a>" * levels)
    started = time.monotonic()

    with pytest.raises(UnreadableFile, match=f"more than {MAX_XML_DEPTH} levels deep"):
        read_sdmx_ml(path, "deep.xml")

    assert time.monotonic() - started < 5


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    lol = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY l0 "lol">{lol}]><m>&l9;</m>',
        encoding="utf-8",
    )
    with pytest.raises(UnreadableFile, match="declares a document type or entities"):
        read_sdmx_ml(path, "laughs.xml")


def test_broken_xml_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_text('<?xml version="1.0"?><message:GenericData><a>', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="not well-formed XML"):
        read_sdmx_ml(path, "cut.xml")
