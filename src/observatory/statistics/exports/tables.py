"""The research layout (CSV, Parquet) and the spreadsheet layout (csv-wide) of
observations (layouts: observations.py)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import polars as pl

from observatory.statistics.exports.stream import (
    CONFIDENTIAL_FREE,
    FREE_TEXT,
    Observations,
)
from observatory.statistics.formats.sdmx.cube import MEASURE, Cube

# --------------------------------------------------------------------------
# The research layout: csv, xlsx, parquet, data package


def research_columns(cube: Cube) -> list[str]:
    columns: list[str] = []
    for dimension in cube.dimensions:
        columns += [dimension, f"{dimension}_LABEL"]
    return [*columns, cube.time, MEASURE, "CENSORED", *cube.attributes]


def research_frame(cube: Cube, frame: pl.DataFrame, *, safe_text: bool) -> pl.DataFrame:
    labels = []
    for dimension in cube.dimensions:
        names = cube.labels(dimension)
        labels.append(
            pl.col(dimension)
            .replace_strict(names, default=None, return_dtype=pl.String)
            .alias(f"{dimension}_LABEL")
        )
    out = frame.with_columns(labels)
    if safe_text:
        out = out.with_columns(_safe(pl.col(c)).alias(c) for c in FREE_TEXT if c in out.columns)
    return _no_empty_strings(out.select(research_columns(cube)))


def _no_empty_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty text as null, so CSV writes an empty field rather than `""`."""
    return frame.with_columns(pl.col(pl.String).replace("", None))


def _write_csv(observations: Observations, handle: IO[bytes]) -> None:
    cube = observations.cube
    header = True
    for frame in observations.frames():
        research_frame(cube, frame, safe_text=True).write_csv(handle, include_header=header)
        header = False
    if header:
        handle.write((",".join(research_columns(cube)) + "\n").encode())


def _safe(expression: pl.Expr) -> pl.Expr:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    return (
        pl.when(expression.str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + expression)
        .otherwise(expression)
    )


def wide_columns(cube: Cube, periods: list[str]) -> list[str]:
    columns: list[str] = []
    for dimension in cube.dimensions:
        columns += [dimension, f"{dimension}_LABEL"]
    return [*columns, *periods, "FLAGS", "SOURCE", "COMMENT"]


def wide_frame(cube: Cube, frame: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """Complete series (every observation of each series in `frame`) pivoted:
    one row per area and series key, one column per period. A cell published
    twice (the portal's repeated cells) gives a second row for the same key."""
    keys = cube.dimensions
    time = cube.time
    status = "OBS_STATUS" in frame.columns
    confidential = "CONF_STATUS" in frame.columns
    flags = []
    if status:
        flags.append(
            pl.when(pl.col("OBS_STATUS").fill_null("A") != "A").then(
                pl.lit("OBS_STATUS=") + pl.col("OBS_STATUS")
            )
        )
    if confidential:
        flags.append(
            pl.when(pl.col("CONF_STATUS").fill_null("F") != CONFIDENTIAL_FREE).then(
                pl.lit("CONF_STATUS=") + pl.col("CONF_STATUS")
            )
        )
    text = {c: pl.col(c) if c in frame.columns else pl.lit(None, pl.String) for c in FREE_TEXT}
    cells = frame.with_columns(
        pl.int_range(pl.len()).over([*keys, time]).alias("_row"),
        pl.coalesce(MEASURE, "CENSORED").alias("_shown"),
        (pl.concat_str(flags, separator=" ", ignore_nulls=True) if flags else pl.lit("")).alias(
            "_flags"
        ),
        text["SOURCE"].alias("_source"),
        text["COMMENT"].alias("_comment"),
    )
    index = [*keys, "_row"]
    values = cells.pivot(on=time, index=index, values="_shown", aggregate_function=None)
    notes = cells.group_by(index, maintain_order=True).agg(
        pl.format("{}: {}", pl.col(time), pl.col("_flags"))
        .filter(pl.col("_flags") != "")
        .str.join("; ")
        .alias("FLAGS"),
        pl.col("_source")
        .drop_nulls()
        .filter(pl.col("_source") != "")
        .unique(maintain_order=True)
        .str.join("; ")
        .alias("SOURCE"),
        pl.format("{}: {}", pl.col(time), pl.col("_comment"))
        .filter(pl.col("_comment").fill_null("") != "")
        .str.join(" | ")
        .alias("COMMENT"),
    )
    out = notes.join(values, on=index, how="left", nulls_equal=True, maintain_order="left")
    out = out.with_columns(
        [pl.lit(None, pl.String).alias(p) for p in periods if p not in out.columns]
        + [
            pl.col(d)
            .replace_strict(cube.labels(d), default=None, return_dtype=pl.String)
            .alias(f"{d}_LABEL")
            for d in keys
        ]
        + [_safe(pl.col(c)).alias(c) for c in FREE_TEXT]
    )
    return _no_empty_strings(out.select(wide_columns(cube, periods)))


def _write_csv_wide(observations: Observations, handle: IO[bytes]) -> None:
    """Series by series (sorted by area and key): each chunk's last series may go
    on in the next chunk, so it waits for it."""
    cube = observations.cube
    periods = observations.periods()
    series = pl.concat_str([pl.col(d).fill_null("") for d in cube.dimensions], separator="\x1f")
    header = True
    waiting: pl.DataFrame | None = None

    def write(frame: pl.DataFrame) -> None:
        nonlocal header
        wide_frame(cube, frame, periods).write_csv(handle, include_header=header)
        header = False

    for frame in observations.frames(by_series=True):
        if waiting is not None:
            frame = pl.concat([waiting, frame])
        last = frame.select(series.alias("_series"))["_series"]
        complete = last != last[-1]
        if complete.any():
            write(frame.filter(complete))
        waiting = frame.filter(~complete)
    if waiting is not None and waiting.height:
        write(waiting)
    if header:
        handle.write((",".join(wide_columns(cube, periods)) + "\n").encode())


def _write_parquet(observations: Observations, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cube = observations.cube
    schema = dict.fromkeys(research_columns(cube), pl.String) | {MEASURE: pl.Float64}
    writer: pq.ParquetWriter | None = None
    try:
        for frame in observations.frames():
            table = (
                research_frame(cube, frame, safe_text=False)
                .with_columns(pl.col(MEASURE).cast(pl.Float64))
                .to_arrow()
            )
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:
            table = pl.DataFrame(schema=schema).to_arrow()
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(pa.Table.from_batches([], schema=table.schema))
    finally:
        if writer is not None:
            writer.close()
