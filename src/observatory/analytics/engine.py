"""The analytics store: Hive-partitioned Parquet under var/lake/<dataset>/, and
the one place that opens analytics connections (Ibis on DuckDB).

Feature code builds Ibis expressions on the tables this module hands out and
runs them here; no SQL is assembled from strings with values."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import ibis
import polars as pl
from django.conf import settings

PARTITION_KEY = "area"


def lake_dir() -> Path:
    path = Path(settings.VAR_DIR) / "lake"
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_dir(dataset: str) -> Path:
    return lake_dir() / dataset


def write_partition(dataset: str, area: str, frame: pl.DataFrame) -> Path | None:
    """Replace one area's partition atomically (readers see the old or the new
    file, never half of one). An empty frame removes the partition."""
    target = dataset_dir(dataset) / f"{PARTITION_KEY}={area}"
    if frame.is_empty():
        shutil.rmtree(target, ignore_errors=True)
        return None
    target.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target, suffix=".tmp")
    os.close(handle)
    frame.drop(PARTITION_KEY, strict=False).write_parquet(temporary, compression="zstd")
    final = target / "data.parquet"
    os.replace(temporary, final)
    return final


def has_data(dataset: str) -> bool:
    return any(dataset_dir(dataset).glob(f"{PARTITION_KEY}=*/data.parquet"))


def connect() -> Any:
    """A fresh in-memory DuckDB connection (cheap; one per request or task)."""
    return ibis.duckdb.connect(threads=2)


def table(con: Any, dataset: str) -> Any:
    """The dataset as an Ibis table over its Parquet partitions."""
    pattern = str(dataset_dir(dataset) / f"{PARTITION_KEY}=*" / "data.parquet")
    return con.read_parquet(pattern, hive_partitioning=True, table_name=dataset)


def run(expression: Any) -> pl.DataFrame:
    """Execute an Ibis expression to a Polars frame."""
    return expression.to_polars()
