"""Writes of the cube: observations into a submission version."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from observatory.statistics.models import Dataflow, Observation
from observatory.submissions.models import Version

BATCH = 5000


def observations_write(
    rows: pl.DataFrame, *, version: Version, dataflow: Dataflow, dimensions: list[str]
) -> int:
    """Insert rows (columns: area, time_period, the dimensions, value as text or
    null, censored, source, source_row; optional obs_status, conf_status, comment)
    into `version`, in the caller's transaction. A row without a number and not
    censored is "not available" (status L) unless it says otherwise."""
    present = set(rows.columns)
    frame = rows.with_columns(
        pl.concat_str([pl.col(d).fill_null("") for d in dimensions], separator=".").alias("_key"),
        (pl.col("obs_status") if "obs_status" in present else pl.lit(None, dtype=pl.String)).alias(
            "_status"
        ),
    )
    objects = []
    for row in frame.iter_rows(named=True):
        value = row["value"]
        status = row["_status"] or ("A" if value is not None or row["censored"] else "L")
        objects.append(
            Observation(
                version=version,
                dataflow=dataflow,
                organisation_id=version.organisation_id,
                area_id=row["area"],
                time_period=row["time_period"],
                key=row["_key"],
                dims={d: row[d] for d in dimensions},
                value=Decimal(value) if value is not None else None,
                censored=row["censored"] or "",
                obs_status=status,
                conf_status=row.get("conf_status") or "F",
                source=(row.get("source") or "")[:200],
                comment=row.get("comment") or "",
                source_row=row["source_row"] or 0,
            )
        )
    Observation.objects.bulk_create(objects, batch_size=BATCH)
    return len(objects)
