"""The tables the seizure generator draws from, read from `data/*.yaml` once:
trends by year, seizure profiles (modes), shared market lists, route templates,
places by country and per-row vocabularies. Lists become tuples, so the
templates stay hashable (the generator caches per route)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
Weighted = tuple[tuple[str, float], ...]
ModeWeights = tuple[str, float, float, float]  # (mode, weight at source, transit, destination)
RoutePath = tuple[
    str | None, tuple[str, ...], float
]  # (departure or None = origin, transits, weight)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def _read(name: str) -> Any:
    with (DATA / name).open(encoding="utf-8") as handle:
        return _frozen(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # noqa: S506


@dataclass(frozen=True)
class Mode:
    """A seizure profile: where and how a consignment is found, and its size."""

    place_type: str
    transport: str
    unit: str
    median: float
    sigma: float
    qmin: float
    qmax: float
    concealments: tuple[str, ...]
    agencies: tuple[str, ...]
    p_no_arrest: float  # share of seizures without arrest
    extra_arrests: float  # mean number of further persons when someone is arrested
    female: float = 0.12  # share of women when one person is arrested
    drug: str | None = None  # overrides the route's drug


@dataclass(frozen=True)
class Route:
    key: str
    drug: str
    weight: float
    trend: str
    origins: Weighted  # for domestic routes: the markets (reporting countries)
    modes: tuple[ModeWeights, ...]
    paths: tuple[RoutePath, ...] = ((None, (), 1.0),)
    destinations: Weighted | None = None  # None: domestic, the destination is the market
    report: tuple[float, float, float] = (0.3, 0.2, 0.5)  # source, transit, destination
    nationals: tuple[str, ...] = ()  # other nationalities often among arrested persons
    origin_unknown: float = 0.1
    true_origins: Weighted | None = None  # domestic retail: where the drug was produced


_trends = _read("trends.yaml")
TREND_FIRST_YEAR: int = _trends["first_year"]
TRENDS: dict[str, tuple[float, ...]] = _trends["trends"]


def trend(name: str, year: int) -> float:
    values = TRENDS[name]
    return values[min(max(year - TREND_FIRST_YEAR, 0), len(values) - 1)]


def _modes() -> dict[str, Mode]:
    data = _read("modes.yaml")
    lists = data["agencies"]
    out = {}
    for key, fields in data["modes"].items():
        agencies = fields["agencies"]
        out[key] = Mode(
            **{**fields, "agencies": lists[agencies] if isinstance(agencies, str) else agencies}
        )
    return out


def _routes() -> tuple[Route, ...]:
    markets = _read("markets.yaml")
    out = []
    for fields in _read("routes.yaml")["routes"]:
        for name in ("origins", "destinations", "true_origins"):
            if isinstance(fields.get(name), str):
                fields = {**fields, name: markets[fields[name]]}
        out.append(Route(**fields))
    return tuple(out)


MODES: dict[str, Mode] = _modes()
ROUTES: tuple[Route, ...] = _routes()
_vocabularies = _read("vocabularies.yaml")
PURITY: dict[str, tuple[float, float]] = _vocabularies["purity"]
YABA_PURITY: tuple[float, float] = _vocabularies["yaba_purity"]  # methamphetamine in tablets
MILITARY_ON_LAND: frozenset[str] = frozenset(_vocabularies["military_on_land"])
NOTES: tuple[str, ...] = _vocabularies["notes"]
PLACE_FIELDS = ("inland", "airport", "seaport", "land_border", "at_sea", "mail_centre")


@cache
def places() -> tuple[dict[str, tuple[int, int]], tuple[str, ...]]:
    """(key "AREA|place_type" -> (offset, count) into the flat name list, flat names)."""
    index: dict[str, tuple[int, int]] = {}
    flat: list[str] = []
    for code, fields in _read("places.yaml").items():
        by_type = {t: list(fields.get(t, ())) for t in PLACE_FIELDS}
        city = by_type["inland"][0]
        by_type["airport"] = by_type["airport"] or [f"{city} International Airport"]
        by_type["mail_centre"] = by_type["mail_centre"] or [f"{city} international mail centre"]
        for place_type, found in by_type.items():
            if found:
                index[f"{code}|{place_type}"] = (len(flat), len(found))
                flat.extend(found)
    return index, tuple(flat)


@cache
def countries_by_place_type() -> dict[str, frozenset[str]]:
    """Countries with a seaport, a sea area or a land border crossing."""
    index, _ = places()
    out: dict[str, set[str]] = {"seaport": set(), "at_sea": set(), "land_border": set()}
    for key in index:
        code, place_type = key.split("|")
        if place_type in out:
            out[place_type].add(code)
    return {place_type: frozenset(codes) for place_type, codes in out.items()}
