"""Exports of observations, streamed in chunks so memory stays flat.

The data-portal long format writes the same 13 columns the portal publishes,
with names from the dataflow's codelists and the reference data's M49 regions.
Public exports (no user) hold published data only and, where the structure
has a disclosure rule, publish counts below it as “<n” (column txtVALUE)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from observatory.accounts import access
from observatory.reference.models import Area
from observatory.statistics import selectors
from observatory.statistics.models import Dataflow
from observatory.statistics.schema import PORTAL_COLUMNS

CHUNK = 20_000
FORMATS = ("unodc-portal",)


def number_text(value: Decimal | None) -> str:
    """A number as the portal writes it: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _regions() -> dict[str, tuple[str, str, str]]:
    """area -> (M49 region, sub-region) names; pseudo-areas use their parent's."""
    out: dict[str, tuple[str, str, str]] = {}
    for area in Area.objects.select_related(
        "region", "subregion", "parent__region", "parent__subregion"
    ):
        region = area.region or (area.parent.region if area.parent else None)
        subregion = area.subregion or (area.parent.subregion if area.parent else None)
        out[area.code] = (
            area.name_en,
            region.name_en if region else "",
            subregion.name_en if subregion else "",
        )
    return out


def portal_rows(*, actor: Any, dataflow: Dataflow) -> Iterator[list[str]]:
    """The visible observations of `dataflow` as portal rows, in the order they
    were reported."""
    structure = selectors.Structure(dataflow.structure)
    names = structure.names
    areas = structure.codes("REF_AREA")
    regions = _regions()
    rule = dataflow.structure.suppress_below
    public = not access.actor_for(actor).is_authenticated
    dims = ("INDICATOR", "DIMENSION", "CATEGORY", "SEX", "AGE")
    rows = (
        selectors.current_observations(actor=actor, dataflow=dataflow)
        .order_by("version_id", "source_row", "pk")
        .values_list("area_id", "dims", "time_period", "value", "censored", "source")
    )
    for area, dimensions, period, value, censored, source in rows.iterator(chunk_size=CHUNK):
        country, region, subregion = regions.get(area, (area, "", ""))
        if area in areas:
            country = areas[area].name
        shown = censored or number_text(value)
        unit = dimensions.get("UNIT_MEASURE", "")
        if public and rule and unit == "COUNT" and value is not None and 0 < value < rule:
            shown = f"<{rule}"
        yield [
            area,
            country,
            region,
            subregion,
            *(names.get(d, {}).get(dimensions.get(d, ""), dimensions.get(d, "")) for d in dims),
            period,
            names.get("UNIT_MEASURE", {}).get(unit, unit),
            shown,
            source,
        ]


def write_portal(handle: IO[str], *, actor: Any, dataflow: Dataflow) -> int:
    header = list(PORTAL_COLUMNS)
    if dataflow.structure.suppress_below:
        header[header.index("VALUE")] = "txtVALUE"
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in portal_rows(actor=actor, dataflow=dataflow):
        writer.writerow(row)
        count += 1
    return count


def export_observations(
    path: Path, *, actor: Any, dataflow: Dataflow, fmt: str, encoding: str = "utf-8"
) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    with path.open("w", encoding=encoding, newline="") as handle:
        return write_portal(handle, actor=actor, dataflow=dataflow)
