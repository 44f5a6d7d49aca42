"""Text -> code, for areas, drugs and units: the one normaliser every importer uses.

The matching itself (folding, exact then fuzzy scoring, suggestions) lives in
`matching.py` and needs no database; this module builds one matcher per kind
from the reference tables and rebuilds it whenever reference data is reloaded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from django.core.cache import cache

from observatory.reference.matching import Match, Normaliser, Suggestion, fold
from observatory.reference.models import Area, AreaAlias, Drug, DrugSynonym, Unit

Kind = Literal["area", "drug", "unit"]
__all__ = ["Kind", "Match", "Normaliser", "Suggestion", "fold", "normalise", "normaliser"]


def _build_area() -> Normaliser:
    from observatory.reference.loader import area_code_aliases

    entries: list[tuple[str, str]] = []
    codes: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    for area in Area.objects.all():
        labels[area.code] = area.name_en
        entries.extend((area.code, name) for name in area.names().values() if name)
        codes.append((area.code, area.code))
        codes.extend((area.code, value) for value in (area.iso2, area.m49) if value)
    entries.extend(AreaAlias.objects.values_list("area_id", "text"))
    codes.extend((code, alias) for alias, code in area_code_aliases().items())
    return Normaliser("area", entries, labels, exact_only=codes)


def _build_drug() -> Normaliser:
    entries: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    for drug in Drug.objects.all():
        labels[drug.code] = drug.name_en
        entries.extend((drug.code, name) for name in drug.names().values() if name)
        entries.append((drug.code, drug.code))
    entries.extend(DrugSynonym.objects.values_list("drug__code", "text"))
    return Normaliser("drug", entries, labels)


def _build_unit() -> Normaliser:
    entries: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    codes: list[tuple[str, str]] = []
    for unit in Unit.objects.all():
        labels[unit.code] = unit.name_en
        codes.append((unit.code, unit.code))
        entries.extend(
            (unit.code, text) for text in [unit.name_en, unit.name_zh, *unit.synonyms] if text
        )
    return Normaliser("unit", entries, labels, exact_only=codes)


_BUILDERS = {"area": _build_area, "drug": _build_drug, "unit": _build_unit}


@lru_cache(maxsize=8)
def _cached(kind: str, version: str | None) -> Normaliser:
    return _BUILDERS[kind]()


def normaliser(kind: Kind) -> Normaliser:
    """The normaliser for `kind`, rebuilt whenever reference data is reloaded."""
    from observatory.reference.loader import REFERENCE_VERSION_KEY

    if kind not in _BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; one of {sorted(_BUILDERS)}")
    return _cached(kind, cache.get(REFERENCE_VERSION_KEY))


def normalise(kind: Kind, text: object) -> Match:
    return normaliser(kind).match(text)
