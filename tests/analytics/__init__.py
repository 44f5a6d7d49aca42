"""A tiny hand-made analytics store shared by the analytics tests: six seizures
in two partitions (COL and ESP), with their routes and legs."""

from __future__ import annotations

import polars as pl

from observatory.analytics import engine, lake

TINY = [
    # seizure_id, area, date, drug, drug group, kg-equivalent, route, region, subregion
    (1, "COL", "2023-02-10", "cocaine", "cocaine", 100.0, "COL>PAN>ESP", "019", "419"),
    (2, "COL", "2023-11-05", "cocaine-hcl", "cocaine", 20.0, "COL>PAN>ESP", "019", "419"),
    (3, "COL", "2024-03-01", "heroin", "opioids", 2.5, "COL", "019", "419"),
    (4, "ESP", "2024-05-20", "cocaine", "cocaine", 40.0, "COL>ESP", "150", "039"),
    (5, "ESP", "2024-06-02", "cannabis-resin", "cannabis", 300.0, "MAR>ESP", "150", "039"),
    (6, "ESP", "2024-08-15", "cocaine", "cocaine", None, "COL>PAN>ESP", "150", "039"),
]


def tiny_frame() -> pl.DataFrame:
    """The rows as the store holds them (see observatory.analytics.lake.add_routes)."""
    frame = pl.DataFrame(
        TINY,
        orient="row",
        schema={
            "seizure_id": pl.Int64,
            "area": pl.String,
            "seizure_date": pl.String,
            "drug": pl.String,
            "drug_group": pl.String,
            "kilograms": pl.Float64,
            "route_key": pl.String,
            "region": pl.String,
            "subregion": pl.String,
        },
    ).with_columns(pl.col("seizure_date").str.to_date())
    return frame.with_columns(
        pl.col("route_key").str.split(">").alias("route"),
        pl.col("seizure_date").dt.year().alias("year"),
        pl.col("seizure_date").dt.quarter().alias("quarter"),
        pl.col("seizure_date").dt.month().alias("month"),
    )


def write_tiny_store() -> pl.DataFrame:
    """Write the tiny frame as the seizures and legs datasets, one partition per area."""
    frame = tiny_frame()
    for area in ["COL", "ESP"]:
        part = frame.filter(pl.col("area") == area)
        engine.write_partition(lake.SEIZURES, area, part)
        engine.write_partition(lake.LEGS, area, lake.legs(part))
    return frame
