"""Column mapping: which header of the file feeds which field of the dataset.

Proposed from the field names, their labels and synonyms in the six UN
languages and real export names; the user confirms or edits the proposal, and
what they confirm is remembered per organisation and layout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from observatory.core.errors import ValidationFailed
from observatory.intake.schema import DatasetSchema
from observatory.reference.matching import fold

MATCH_SCORE = 86.0


@dataclass(frozen=True)
class ProposedColumn:
    header: str
    field: str | None
    confidence: float


def layout_signature(headers: list[str]) -> str:
    """The same columns in the same order give the same signature."""
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()[:32]


def _header_texts(schema: DatasetSchema) -> dict[str, str]:
    texts: dict[str, str] = {}
    for spec in schema.fields:
        for text in (spec.name, spec.name.replace("_", " "), spec.label, *spec.synonyms):
            key = fold(text)
            if key:
                texts.setdefault(key, spec.name)
    return texts


def propose_mapping(
    headers: list[str], schema: DatasetSchema, remembered: dict[str, str] | None = None
) -> list[ProposedColumn]:
    """A field (or None) for each header; each field is used at most once.

    What the organisation confirmed for this layout comes first (including the
    columns it chose to leave out, remembered as ""); the rest is proposed from
    names and synonyms, exactly first, then fuzzily."""
    remembered = remembered or {}
    texts = _header_texts(schema)
    choices = list(texts)
    decided: dict[str, tuple[str | None, float]] = {}
    taken: set[str] = set()
    for header in headers:
        if header in remembered and (
            remembered[header] in schema.names or remembered[header] == ""
        ):
            target = remembered[header] or None
            if target and target in taken:
                target = None
            decided[header] = (target, 1.0)
            if target:
                taken.add(target)
    for header in headers:
        if header in decided:
            continue
        key = fold(header)
        target, score = texts.get(key), 100.0
        if target is None and key:
            best = process.extractOne(key, choices, scorer=fuzz.WRatio)
            if best and best[1] >= MATCH_SCORE:
                target, score = texts[best[0]], float(best[1])
        if target in taken:
            target = None
        if target:
            taken.add(target)
        decided[header] = (target, round(score / 100, 3) if target else 0.0)
    return [ProposedColumn(header, *decided[header]) for header in headers]


def parse_mapping_options(pairs: list[str], schema: DatasetSchema) -> dict[str, str]:
    """`SOURCE=field` pairs from the command line."""
    mapping = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValueError(f"--map expects SOURCE=field, got {pair!r}")
        if target.strip() not in schema.names:
            raise ValueError(
                f"--map {pair!r}: unknown field {target.strip()!r}; "
                f"fields are {', '.join(schema.names)}"
            )
        mapping[source.strip()] = target.strip()
    return mapping


def parse_fixed(pairs: list[str] | str) -> dict[str, str]:
    """Values for the whole file of dimensions it does not state: "DIM=CODE"
    pairs (a list, or a text of them on lines or separated by ;)."""
    if isinstance(pairs, str):
        pairs = [p for line in pairs.splitlines() for p in line.split(";")]
    fixed: dict[str, str] = {}
    for pair in pairs:
        if not pair.strip():
            continue
        dimension, sep, code = pair.partition("=")
        if not sep or not dimension.strip() or not code.strip():
            raise ValidationFailed(f"“{pair.strip()}” is not DIMENSION=CODE (e.g. CURRENCY=USD)")
        fixed[dimension.strip().upper()] = code.strip()
    return fixed
