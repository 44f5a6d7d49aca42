"""Analysis for network members: plain functions over data frames of the rows
the access policy already let through (no database here)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from observatory.core.charts import SCHEMA

UNKNOWN = "?"

FRAME_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "area": pl.String,
    "period": pl.String,
    "incident_date": pl.Date,
    "departure": pl.String,
    "transit": pl.List(pl.String),
    "destination": pl.String,
    "migrants": pl.Int64,
    "deaths": pl.Int64,
    "fee_usd": pl.Float64,
    "modus_operandi": pl.List(pl.String),
    "document_type": pl.String,
    "document_fraud": pl.String,
}


def incident_frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """From `Incident` value dicts (see views.INCIDENT_VALUES)."""
    records = [
        {
            "id": r["id"],
            "area": r["area_id"],
            "period": r["period"],
            "incident_date": r["incident_date"],
            "departure": r["departure_area"] or UNKNOWN,
            "transit": list(r["transit_areas"] or []),
            "destination": r["destination_area"] or UNKNOWN,
            "migrants": r["migrants_total"],
            "deaths": r["deaths"],
            "fee_usd": float(r["fee_usd_per_person"])
            if r["fee_usd_per_person"] is not None
            else None,
            "modus_operandi": list(r["modus_operandi"] or []),
            "document_type": r["document_type"] or None,
            "document_fraud": r["document_fraud"] or None,
        }
        for r in rows
    ]
    return pl.DataFrame(records, schema=FRAME_SCHEMA)


def _route() -> pl.Expr:
    return pl.concat_list(pl.col("departure"), pl.col("transit"), pl.col("destination")).list.join(
        " → "
    )


def top_routes(frame: pl.DataFrame, limit: int = 10) -> pl.DataFrame:
    return (
        frame.with_columns(_route().alias("route"))
        .group_by("route")
        .agg(
            pl.len().alias("incidents"),
            pl.col("migrants").sum(),
            pl.col("deaths").sum(),
            pl.col("area").n_unique().alias("reporting_states"),
        )
        .sort(["incidents", "migrants", "route"], descending=[True, True, False])
        .head(limit)
    )


def legs(frame: pl.DataFrame) -> pl.DataFrame:
    """Consecutive pairs of each route with known ends, weighted by incidents and migrants."""
    stops = frame.select(
        "id",
        "migrants",
        pl.concat_list(pl.col("departure"), pl.col("transit"), pl.col("destination")).alias(
            "stops"
        ),
    )
    pairs = stops.with_columns(
        pl.col("stops").list.slice(0, pl.col("stops").list.len() - 1).alias("source"),
        pl.col("stops").list.slice(1).alias("target"),
    ).explode(["source", "target"])
    return (
        pairs.filter(
            pl.col("source").is_not_null()
            & (pl.col("source") != UNKNOWN)
            & (pl.col("target") != UNKNOWN)
            & (pl.col("source") != pl.col("target"))
        )
        .group_by("source", "target")
        .agg(pl.len().alias("incidents"), pl.col("migrants").sum())
        .sort(["migrants", "source", "target"], descending=[True, False, False])
    )


def area_totals(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.group_by("area")
        .agg(pl.len().alias("incidents"), pl.col("migrants").sum())
        .sort("area")
    )


def quarter() -> pl.Expr:
    return pl.format(
        "{}-Q{}", pl.col("incident_date").dt.year(), pl.col("incident_date").dt.quarter()
    )


def fees_by_route(frame: pl.DataFrame, routes: int = 5) -> pl.DataFrame:
    """Per quarter and route (the most frequent routes with fees): median, lowest
    and highest fee per person in USD, and how many incidents reported one."""
    with_fees = frame.filter(pl.col("fee_usd").is_not_null()).with_columns(
        _route().alias("route"), quarter().alias("quarter")
    )
    busiest = (
        with_fees.group_by("route")
        .len()
        .sort(["len", "route"], descending=[True, False])
        .head(routes)["route"]
    )
    return (
        with_fees.filter(pl.col("route").is_in(busiest.implode()))
        .group_by("quarter", "route")
        .agg(
            pl.col("fee_usd").median().round(0).alias("median_usd"),
            pl.col("fee_usd").min().round(0).alias("min_usd"),
            pl.col("fee_usd").max().round(0).alias("max_usd"),
            pl.len().alias("incidents"),
        )
        .sort(["route", "quarter"])
    )


def tag_trends(frame: pl.DataFrame, column: str = "modus_operandi") -> pl.DataFrame:
    return (
        frame.select(quarter().alias("quarter"), pl.col(column).alias("tag"))
        .explode("tag")
        .drop_nulls("tag")
        .group_by("quarter", "tag")
        .agg(pl.len().alias("incidents"))
        .sort(["quarter", "incidents", "tag"], descending=[False, True, False])
    )


def document_fraud(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.filter(pl.col("document_type").is_not_null())
        .with_columns(quarter().alias("quarter"), pl.col("document_fraud").fill_null(UNKNOWN))
        .group_by("quarter", "document_type", "document_fraud")
        .agg(pl.len().alias("incidents"))
        .sort(["quarter", "document_type", "document_fraud"])
    )


def citizenships(counts: Iterable[dict[str, int]]) -> pl.DataFrame:
    """Migrants by citizenship, from each incident's {code: count}."""
    pairs = [(code, int(n)) for row in counts for code, n in (row or {}).items()]
    frame = pl.DataFrame(
        pairs, schema={"citizenship": pl.String, "migrants": pl.Int64}, orient="row"
    )
    return (
        frame.group_by("citizenship")
        .agg(pl.col("migrants").sum())
        .sort(["migrants", "citizenship"], descending=[True, False])
    )


# --------------------------------------------------------------------------
# Charts (Vega-Lite)


def fee_chart(fees: pl.DataFrame) -> dict[str, Any]:
    values = fees.to_dicts()
    encoding_x = {"field": "quarter", "type": "ordinal", "title": None}
    colour = {
        "field": "route",
        "type": "nominal",
        "title": "route",
        "legend": {"orient": "bottom", "columns": 1},
    }
    return {
        "$schema": SCHEMA,
        "title": "Fee per person (USD): median and range",
        "width": "container",
        "height": 300,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "rule", "opacity": 0.5},
                "encoding": {
                    "x": encoding_x,
                    "y": {"field": "min_usd", "type": "quantitative", "title": "USD"},
                    "y2": {"field": "max_usd"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "line", "point": True, "tooltip": True},
                "encoding": {
                    "x": encoding_x,
                    "y": {"field": "median_usd", "type": "quantitative"},
                    "color": colour,
                    "tooltip": [
                        {"field": "route"},
                        {"field": "quarter"},
                        {"field": "median_usd", "type": "quantitative"},
                        {"field": "min_usd", "type": "quantitative"},
                        {"field": "max_usd", "type": "quantitative"},
                        {"field": "incidents", "type": "quantitative"},
                    ],
                },
            },
        ],
    }


def bar_chart(frame: pl.DataFrame, *, category: str, measure: str, title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": {"step": 18},
        "data": {"values": frame.to_dicts()},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": category, "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": measure, "type": "quantitative", "title": measure},
        },
    }


def stacked_chart(frame: pl.DataFrame, *, stack: str, title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260,
        "data": {"values": frame.to_dicts()},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "quarter", "type": "ordinal", "title": None},
            "y": {"field": "incidents", "type": "quantitative", "title": "incidents"},
            "color": {"field": stack, "type": "nominal", "title": None},
        },
    }
