"""Export benchmark: observations of a dataflow to SDMX-CSV 2.0, against pysdmx
writing the same data, measured in one run.

ROWS observations (default 1,000,000) of the data-portal dataflow
DF_CTS_VIOLENT_SEXUAL are generated (areas from the reference data, series keys
from the structure's codelists, periods 1990-2023; about 3 % counts below 5,
1 % censored "<5", 1 % not available) and stored, published, in a fresh
PostgreSQL database (as benchmarks/ingest.py does), then:

* ours: `export_observations(fmt="sdmx-csv")` as the public sees it (published
  data, the structure's disclosure rule of 5 applied), timed from the call to
  the closed file, in its own process; its resident memory is sampled every
  10 ms and the peak increase over the RSS before the call is reported (flat
  memory: one chunk at a time, whatever the row count);
* baseline: pysdmx's SDMX-CSV 2.0 writer (pysdmx.io.csv.sdmx20.writer.write)
  writing the same observations to a file, in its own process. Its input, a
  pysdmx PandasDataset typed by the same structure (our SDMX-ML structure
  message), is built from our output before the clock starts: only the write
  is timed. pysdmx holds the whole data set in memory, as its API requires.

The same export from SQLite is timed for information. Prints
`BENCH <name> ratio=<x> target=<y>` lines and the absolute figures. Run through
`make bench` (STATISTICS_ROWS=1000000 by default)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "observatory_bench_statistics"
TARGET_SECONDS = 5.0
TARGET_RSS_MB = 300.0

# Generates ROWS observations, published, with COPY (PostgreSQL) or executemany (SQLite).
SETUP = """
import sys, io, json
import django
django.setup()
import numpy as np
import polars as pl
from django.db import connection, transaction
from observatory.accounts.models import Organisation
from observatory.statistics import selectors
from observatory.statistics.cube.loader import load_definitions
from observatory.statistics.models import DataStructure
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

rows = int(sys.argv[1])
load_definitions()
DataStructure.objects.filter(code="DSD_CTS_PORTAL").update(suppress_below=5)
flow = selectors.dataflow_get("DF_CTS_VIOLENT_SEXUAL")
structure = selectors.Structure(flow.structure)
office, _ = Organisation.objects.get_or_create(
    code="BENCH-OFFICE", defaults={"name": "bench office", "kind": Organisation.Kind.OFFICE}
)
with transaction.atomic():
    version = version_create(
        organisation=office, dataset="observations", label="DF_CTS_VIOLENT_SEXUAL bench", actor=None
    )
Version.objects.filter(pk=version.pk).update(status=Version.Status.PUBLISHED, row_count=rows)
rng = np.random.default_rng(20240501)
areas = sorted(structure.codes("REF_AREA"))
dims = structure.dimensions
codes = {d: sorted(structure.codes(d)) for d in dims}
periods = [str(y) for y in range(1990, 2024)]
series_count = -(-rows // len(periods))
picked = {d: rng.choice(codes[d], size=series_count) for d in dims}
series = pl.DataFrame(
    {"area_id": rng.choice(areas, size=series_count), **picked}
).with_columns(pl.concat_str([pl.col(d) for d in dims], separator=".").alias("key"))
frame = (
    series.join(pl.DataFrame({"time_period": periods}), how="cross")
    .head(rows)
    .with_row_index("source_row", offset=1)
)
n = frame.height
draw = rng.random(n)
amount = np.where(draw < 0.03, rng.integers(1, 5, n), rng.integers(5, 100000, n)).astype(float)
amount = np.where(frame["UNIT_MEASURE"].to_numpy() == "COUNT", amount, amount / 1000)
frame = frame.with_columns(
    pl.Series("value", amount).round(3).cast(pl.String),
    pl.lit("").alias("censored"),
    pl.lit("A").alias("obs_status"),
    pl.Series("source", rng.choice(["CTS", "CTS/NSO", "CTS/MoI"], size=n)),
)
flag = rng.random(n)
frame = frame.with_columns(
    pl.when(pl.Series(flag < 0.01)).then(None).otherwise(pl.col("value")).alias("value"),
    pl.when(pl.Series(flag < 0.01)).then(pl.lit("<5")).otherwise(pl.lit("")).alias("censored"),
).with_columns(
    pl.when(pl.Series((flag >= 0.01) & (flag < 0.02)))
    .then(None)
    .otherwise(pl.col("value"))
    .alias("value"),
    pl.when(pl.Series((flag >= 0.01) & (flag < 0.02)))
    .then(pl.lit("L"))
    .otherwise(pl.lit("A"))
    .alias("obs_status"),
)
frame = frame.with_columns(
    pl.struct(dims).struct.json_encode().alias("dims"),
    pl.lit(version.pk).alias("version_id"),
    pl.lit(flow.pk).alias("dataflow_id"),
    pl.lit(office.pk).alias("organisation_id"),
    pl.lit("F").alias("conf_status"),
    pl.lit("").alias("comment"),
    pl.lit(False).alias("derived"),
)
columns = [
    "version_id", "dataflow_id", "organisation_id", "area_id", "time_period", "key", "dims",
    "value", "censored", "obs_status", "conf_status", "source", "comment", "derived",
    "source_row",
]
frame = frame.select(columns)
with transaction.atomic(), connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        buffer.seek(0)
        with cursor.connection.cursor() as raw, raw.copy(
            f"COPY statistics_observation ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
        ) as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
    else:
        statement = (
            f"INSERT INTO statistics_observation ({', '.join(columns)}) VALUES "
            f"({', '.join(['%s'] * len(columns))})"
        )
        for part in frame.iter_slices(50_000):
            cursor.executemany(statement, part.rows())
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE statistics_observation")
print(json.dumps({"rows": n}))
"""

# Peak RSS increase sampled every 10 ms while `work` runs.
SAMPLER = """
import threading, time

def rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20

import os
PAGE = os.sysconf("SC_PAGE_SIZE")

def measured(work):
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    peak[0] = max(peak[0], rss_mb())
    return result, seconds, before, peak[0]
"""

EXPORT = (
    SAMPLER
    + """
import json, sys
from pathlib import Path
import django
django.setup()
from observatory.statistics import selectors
from observatory.statistics.exports.observations import export_observations, export_structure
flow = selectors.dataflow_get("DF_CTS_VIOLENT_SEXUAL")
out = Path(sys.argv[1])
structure = Path(sys.argv[2])
export_structure(structure, dataflow=flow)
count, seconds, before, peak = measured(
    lambda: export_observations(out, actor=None, dataflow=flow, fmt="sdmx-csv")
)
print(json.dumps({"rows": count, "seconds": seconds, "before": before, "peak": peak}))
"""
)

PYSDMX = (
    SAMPLER
    + """
import json, sys
from pysdmx.io import get_datasets
from pysdmx.io.csv.sdmx20.writer import write
data, structure, out = sys.argv[1:4]
datasets = get_datasets(data, structure)  # the input: not timed
rows = len(datasets[0].data)
_, seconds, before, peak = measured(lambda: write(datasets, output_path=out))
print(json.dumps({"rows": rows, "seconds": seconds, "before": before, "peak": peak}))
"""
)


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(args[:3])}")
    return done.stdout


def prepare(env: dict[str, str], rows: int) -> None:
    observatory = [sys.executable, "-m", "observatory"]
    run([*observatory, "migrate", "-v0"], env)
    run([*observatory, "load_reference"], env)
    run([sys.executable, "-c", SETUP, str(rows)], env)


def measure(script: str, args: list[str], env: dict[str, str]) -> dict[str, float]:
    out = run([sys.executable, "-c", script, *args], env).strip().splitlines()[-1]
    found: dict[str, float] = json.loads(out)
    return found


def main() -> None:
    rows = int(os.environ.get("ROWS", "1000000"))
    folder = Path(tempfile.mkdtemp(prefix="observatory-bench-statistics-"))
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "observatory.config.settings",
        "OBSERVATORY_VAR_DIR": str(folder / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    base.pop("DATABASE_URL", None)
    pg_env = {**base, "DATABASE_URL": f"{PG_SERVER}/{DATABASE}"}
    started = time.perf_counter()
    prepare(pg_env, rows)
    print(
        f"export: {rows} observations generated and stored in {time.perf_counter() - started:.0f} s"
    )

    ours_csv, structure = folder / "ours.csv", folder / "structure.xml"
    ours = measure(EXPORT, [str(ours_csv), str(structure)], pg_env)
    theirs_csv = folder / "pysdmx.csv"
    theirs = measure(PYSDMX, [str(ours_csv), str(structure), str(theirs_csv)], pg_env)
    ours_rss = ours["peak"] - ours["before"]
    theirs_rss = theirs["peak"] - theirs["before"]
    size = ours_csv.stat().st_size / 2**20
    print(
        f"export: ours (PostgreSQL -> SDMX-CSV, public, disclosure control) "
        f"{int(ours['rows'])} rows, {size:.0f} MB, {ours['seconds']:.2f} s, "
        f"RSS {ours['before']:.0f} MB before, peak +{ours_rss:.0f} MB"
    )
    print(
        f"export: pysdmx SDMX-CSV 2.0 writer (same rows "
        f"from memory) {int(theirs['rows'])} rows, "
        f"{theirs_csv.stat().st_size / 2**20:.0f} MB, {theirs['seconds']:.2f} s, "
        f"RSS {theirs['before']:.0f} MB with its input in memory, peak +{theirs_rss:.0f} MB"
    )
    print(
        f"BENCH export_sdmx_csv ratio={ours['seconds'] / theirs['seconds']:.2f} target=1.0"
        "  (ours from the database / pysdmx from memory)"
    )
    print(
        f"BENCH export_sdmx_csv_seconds ratio={ours['seconds'] / TARGET_SECONDS:.2f} target=1.0"
        f"  ({ours['seconds']:.2f} s / {TARGET_SECONDS:.0f} s for {int(ours['rows'])} rows)"
    )
    print(
        f"BENCH export_sdmx_csv_peak_rss ratio={ours_rss / TARGET_RSS_MB:.2f} target=1.0"
        f"  (peak RSS increase {ours_rss:.0f} MB / {TARGET_RSS_MB:.0f} MB)"
    )

    sqlite_env = {**base, "OBSERVATORY_VAR_DIR": str(folder / "var-sqlite")}
    prepare(sqlite_env, rows)
    lite = measure(EXPORT, [str(folder / "sqlite.csv"), str(structure)], sqlite_env)
    print(
        f"export: ours from SQLite {lite['seconds']:.2f} s, peak RSS "
        f"+{lite['peak'] - lite['before']:.0f} MB (for information)"
    )
    print(
        f"BENCH export_sdmx_csv_sqlite ratio={lite['seconds'] / theirs['seconds']:.2f} "
        "target=info  (ours from SQLite / pysdmx from memory)"
    )
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
