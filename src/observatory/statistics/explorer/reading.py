"""What the explorer reads: the series keys a dataflow holds, the default codes,
regions and their areas, the observations of a selection (through
selectors.current_observations with the request's user) and population."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import Count, Q
from django.http import HttpRequest

from observatory.accounts import access
from observatory.reference.models import Area, Population, Region
from observatory.statistics import disclosure, selectors
from observatory.statistics.explorer import compute
from observatory.statistics.explorer.forms import (
    CONFIDENTIAL,
    SUPPRESSED,
    TOTAL,
    WITHHELD,
    Selection,
    counts_and_rates,
)
from observatory.statistics.models import Dataflow

# --------------------------------------------------------------------------
# Reading


def _available_keys(request: HttpRequest, flow: Dataflow) -> dict[str, int]:
    """The visible series keys with their number of observations, in key order."""
    rows = (
        selectors.current_observations(actor=request.user, dataflow=flow)
        .order_by()  # the model's ordering would join the areas and split the groups
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    return dict(sorted(rows))


def _dimension_choices(
    structure: selectors.Structure, keys: Iterable[str]
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """dimension -> (label, [(code, name)]): the codes that occur in the visible
    data, in the codelist's order (every code of the codelist when none does)."""
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    labels = {c.code: c.name or c.code.replace("_", " ").capitalize() for c in structure.components}
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    rated = counts_and_rates(structure)
    for dimension in structure.dimensions:
        if dimension == compute.UNIT and rated:
            continue
        codes = structure.codes(dimension)
        seen = {
            parts[positions[dimension]]
            for parts in (k.split(".") for k in keys)
            if len(parts) == len(positions)
        }
        listed = [code for code in codes if code in seen] or list(codes)
        listed += sorted(seen - set(codes))
        out[dimension] = (
            labels.get(dimension, dimension),
            [(c, codes[c].name if c in codes else c) for c in listed],
        )
    return out


def _default_codes(
    structure: selectors.Structure, keys: dict[str, int], given: dict[str, str]
) -> dict[str, str]:
    """Codes for the dimensions not given: of the visible series that agree with
    the given codes, the one with the most observations (then the most totals,
    then the first in key order)."""
    rated = counts_and_rates(structure)
    dims = [d for d in structure.dimensions if d != compute.UNIT or not rated]
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    best: tuple[int, int, str] | None = None
    for key, size in keys.items():
        parts = key.split(".")
        if len(parts) != len(positions):
            continue
        if any(parts[positions[d]] != code for d, code in given.items() if d in positions):
            continue
        score = (-size, -sum(parts[positions[d]] == TOTAL for d in dims), key)
        if best is None or score < best:
            best = score
    if best is None:
        return {}
    parts = best[2].split(".")
    return {d: parts[positions[d]] for d in dims}


def _areas_of(region: Region) -> list[str]:
    lookup = {
        "region": "region",
        "subregion": "subregion",
        "intermediate": "intermediate_region",
    }.get(str(region.level), "region")
    if region.scheme == Region.Scheme.UNODC:
        lookup = "unodc_region"
    return sorted(
        Area.objects.filter(Q(**{lookup: region}) | Q(**{f"parent__{lookup}": region})).values_list(
            "code", flat=True
        )
    )


def _areas_regions() -> pl.DataFrame:
    """area -> region code per level (parts of countries take their parent's
    region where they have none)."""
    rows = Area.objects.values_list(
        "code",
        "region__code",
        "parent__region__code",
        "subregion__code",
        "parent__subregion__code",
        "unodc_region__code",
        "parent__unodc_region__code",
    )
    return pl.DataFrame(
        [(code, r or pr, s or ps, u or pu) for code, r, pr, s, ps, u, pu in rows],
        schema={
            "area": pl.String,
            "region": pl.String,
            "subregion": pl.String,
            "unodc": pl.String,
        },
        orient="row",
    )


def _region_names(level: str) -> dict[str, str]:
    scheme = Region.Scheme.UNODC if level == "unodc" else Region.Scheme.M49
    regions = Region.objects.filter(scheme=scheme)
    if level != "unodc":
        regions = regions.filter(level=level)
    return {r.code: r.name for r in regions}


COUNTRY, OFFICE = "country", "office"


def reported_by(records: Iterable[tuple[str, str, bool]]) -> pl.DataFrame:
    """(area, period, compiled by the office?) -> area, period, reported_by:
    "country" (the country's own submission), "office" (the office's
    compilation: a portal file, an annex table) or both, where a year's count
    and rate came from different sources."""
    seen: dict[tuple[str, str], set[str]] = {}
    for area, period, compiled in records:
        seen.setdefault((area, period), set()).add(OFFICE if compiled else COUNTRY)
    return pl.DataFrame(
        [(a, p, " and ".join(sorted(kinds))) for (a, p), kinds in seen.items()],
        schema={"area": pl.String, "period": pl.String, "reported_by": pl.String},
        orient="row",
    )


def _read(
    request: HttpRequest, selection: Selection, *, areas: list[str] | None
) -> tuple[pl.DataFrame, int, pl.DataFrame]:
    """The series' visible observations (counts and published rates) as an
    observations frame, disclosure control applied; how many of them are not
    published; and who reported each area's year (reported_by)."""
    structure = selection.structure
    keys = selection.keys
    scope = selectors.current_observations(actor=request.user, dataflow=selection.flow).order_by()
    if areas is not None:
        scope = scope.filter(area_id__in=areas)
    if selection.year_from is not None:
        scope = scope.filter(time_period__gte=str(selection.year_from))
    if selection.year_to is not None:
        scope = scope.filter(time_period__lt=str(selection.year_to + 1))
    # Sorted in the frame; the model's ordering would join the areas.
    rows = scope.filter(key__in=list(keys))
    records = list(
        rows.values_list(
            "area_id",
            "key",
            "time_period",
            "value",
            "censored",
            "obs_status",
            "conf_status",
            "version__status",
            "version__submission__area_id",
        )
    )
    # Every series of the areas and years, not only this one: a count withheld so
    # that another cannot be subtracted may belong to the series shown.
    control = disclosure.Disclosure.of(
        request.user, selection.flow, structure.dimensions
    ).with_small_cells(scope)
    restricted = 0
    # A dataflow of other values than counts and rates is read as one series
    # whose values stand where counts do (UNIT_MEASURE "COUNT" in the frame);
    # disclosure control sees the series' own codes.
    columns = [*structure.dimensions, *[compute.UNIT] * (compute.UNIT not in structure.dimensions)]
    data: dict[str, list[Any]] = {
        "area": [],
        "period": [],
        **{d: [] for d in columns},
        "value": [],
        "censored": [],
        "status": [],
    }
    codes = {**selection.codes}
    sources = reported_by((r[0], r[2], r[8] is None) for r in records)
    for area, key, period, value, censored, status, conf, version_status, _own in records:
        restricted += access.is_restricted(version_status)
        unit = keys[key]
        shown = control.shown(
            area=area,
            period=period,
            dims={**codes, compute.UNIT: unit} if selection.rated else codes,
            value=value,
            censored=censored,
            conf_status=conf,
        )
        number = float(shown.value) if shown.value is not None else None
        marker = shown.censored
        if shown.withheld and not marker:
            marker = WITHHELD if shown.conf_status in SUPPRESSED else CONFIDENTIAL
        data["area"].append(area)
        data["period"].append(period)
        for dimension in columns:
            data[dimension].append(unit if dimension == compute.UNIT else codes.get(dimension, ""))
        data["value"].append(number)
        data["censored"].append(marker)
        data["status"].append(status or "")
    schema = {
        "area": pl.String,
        "period": pl.String,
        **dict.fromkeys(columns, pl.String),
        "value": pl.Float64,
        "censored": pl.String,
        "status": pl.String,
    }
    return pl.DataFrame(data, schema=schema), restricted, sources


def _population(areas: list[str] | None, selection: Selection) -> pl.DataFrame:
    rows = Population.objects.order_by()
    if areas is not None:
        rows = rows.filter(area_id__in=areas)
    if selection.year_from is not None:
        rows = rows.filter(year__gte=selection.year_from)
    if selection.year_to is not None:
        rows = rows.filter(year__lte=selection.year_to)
    return pl.DataFrame(
        list(rows.values_list("area_id", "year", "value")),
        schema={"area": pl.String, "year": pl.Int32, "population": pl.Float64},
        orient="row",
    )
