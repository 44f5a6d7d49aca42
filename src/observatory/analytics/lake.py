"""Writing published seizures into the analytics store, one reporting area at a
time, with each seizure's trafficking route and its legs precomputed."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import F

from observatory.accounts import access
from observatory.analytics import engine
from observatory.reference.models import Area
from observatory.seizures.models import Seizure
from observatory.seizures.selectors import own_years_first

SEIZURES = "seizures"
LEGS = "seizure_legs"
NOT_A_PLACE = {"", "unknown", "other"}


def published_seizures(area: str) -> pl.DataFrame:
    """Every row of the area's published versions (superseded ones excluded).

    The office's compilations (its historical records of many countries) count
    for the years the country has not published seizures of its own: where both
    exist, the country's own data replace the office's."""
    # Through the access policy as the public sees it: published rows only.
    public = access.country_data_for(
        access.ANONYMOUS, Seizure.objects.filter(area_id=area), status_field="version__status"
    )
    public = own_years_first(public)
    rows = public.annotate(drug_group=F("drug__group__code")).values_list(
        "id",
        "area_id",
        "seizure_date",
        "date_precision",
        "drug_id",
        "drug_group",
        "quantity",
        "unit_id",
        "kilograms",
        "origin_area",
        "departure_area",
        "transit_areas",
        "destination_area",
        "transport_mode",
        "version_id",
    )
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "seizure_id": pl.Int64,
        "area": pl.String,
        "seizure_date": pl.Date,
        "date_precision": pl.String,
        "drug": pl.String,
        "drug_group": pl.String,
        "quantity": pl.Float64,
        "unit": pl.String,
        "kilograms": pl.Float64,
        "origin_area": pl.String,
        "departure_area": pl.String,
        "transit_areas": pl.List(pl.String),
        "destination_area": pl.String,
        "transport_mode": pl.String,
        "version_id": pl.Int64,
    }
    data = [
        (*r[:6], float(r[6]), r[7], float(r[8]) if r[8] is not None else None, *r[9:])
        for r in rows.iterator(chunk_size=5000)
    ]
    return pl.DataFrame(data, schema=schema, orient="row")


def add_routes(frame: pl.DataFrame) -> pl.DataFrame:
    """route: origin, departure, transits, (the seizing country), destination; the
    unknown left out and repeats collapsed. The seizing country goes before the
    destination when the reported route does not name it."""
    regions = dict(Area.objects.values_list("code", "region__code"))
    subregions = dict(Area.objects.values_list("code", "subregion__code"))

    def route(row: dict[str, Any]) -> list[str]:
        points = [row["origin_area"], row["departure_area"], *(row["transit_areas"] or [])]
        destination = row["destination_area"]
        if row["area"] not in points and row["area"] != destination:
            points.append(row["area"])
        points.append(destination)
        path: list[str] = []
        for point in points:
            if (
                isinstance(point, str)
                and point not in NOT_A_PLACE
                and (not path or path[-1] != point)
            ):
                path.append(point)
        return path

    # Routes repeat a great deal: compute each distinct combination once.
    keys = ["area", "origin_area", "departure_area", "transit_areas", "destination_area"]
    distinct = frame.select(keys).unique()
    distinct = distinct.with_columns(
        pl.Series(
            "route", [route(r) for r in distinct.iter_rows(named=True)], dtype=pl.List(pl.String)
        )
    )
    frame = frame.join(distinct, on=keys, how="left", nulls_equal=True)
    return frame.with_columns(
        pl.col("route").list.join(">").alias("route_key"),
        pl.col("seizure_date").dt.year().alias("year"),
        pl.col("seizure_date").dt.quarter().alias("quarter"),
        pl.col("seizure_date").dt.month().alias("month"),
        pl.col("area").replace_strict(regions, default=None).alias("region"),
        pl.col("area").replace_strict(subregions, default=None).alias("subregion"),
    )


def legs(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per leg (a -> b) of each seizure's route, weighted by its seizure."""
    with_legs = frame.filter(pl.col("route").list.len() >= 2).select(
        "seizure_id",
        "area",
        "region",
        "subregion",
        "year",
        "drug",
        "drug_group",
        "kilograms",
        pl.col("route").list.slice(0, pl.col("route").list.len() - 1).alias("source"),
        pl.col("route").list.slice(1).alias("target"),
    )
    return with_legs.explode("source", "target")


def refresh_area(area: str) -> int:
    """Rewrite the area's partitions from the database; returns the row count."""
    frame = published_seizures(area)
    if frame.is_empty():
        engine.write_partition(SEIZURES, area, frame)
        engine.write_partition(LEGS, area, frame)
        return 0
    frame = add_routes(frame)
    engine.write_partition(SEIZURES, area, frame)
    engine.write_partition(LEGS, area, legs(frame))
    return frame.height
