"""Ingest benchmark: the full seizure import (read, map, normalise, validate,
commit) against a raw PostgreSQL COPY of the same file, measured in one run.

Prints `BENCH <name> ratio=<x> target=<y>` lines and the absolute figures.
Run through `make bench` (ROWS=1000000 by default)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "observatory_bench"
# 15 columns; no country-of-seizure column: the reporting organisation's country is used.
COLUMNS = ["seizure_date", "date_precision", "place", "place_type", "drug", "quantity", "unit",
           "origin_area", "departure_area", "transit_areas", "destination_area",
           "transport_mode", "seizing_agency", "persons_arrested", "case_reference"]


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def make_file(rows: int, folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from observatory.seizures.generator import generate_seizures

    frame = generate_seizures(rows).select(COLUMNS)
    path = folder / f"seizures-{rows}.csv"
    frame.write_csv(path)
    return path


def copy_seconds(path: Path) -> float:
    """Baseline: COPY the file as text into an equivalent table."""
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_copy")
        connection.execute(
            "CREATE UNLOGGED TABLE bench_copy (" + ", ".join(f"{c} text" for c in COLUMNS) + ")")
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(
                "COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_copy")
    return seconds


IMPORT = """
import time, resource, sys
from pathlib import Path
import django
django.setup()
from observatory.accounts.models import Organisation
from observatory.intake import services
from observatory.intake.models import ImportJob
path = Path(sys.argv[1])
organisation = Organisation.objects.get(code=sys.argv[2])
started = time.perf_counter()
with path.open("rb") as stream:
    upload, _ = services.upload_store(stream=stream, filename=path.name,
                                      organisation=organisation, dataset="seizures", actor=None)
job = services.job_create(upload=upload, label=path.stem, actor=None)
job = services.job_validate(job=job)
job = services.job_commit(job=job, accept_valid=True, actor=None)
seconds = time.perf_counter() - started
assert job.status == ImportJob.Status.COMMITTED, (job.status, job.message)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.3f} {peak:.0f} {job.rows_valid}")
"""


def import_seconds(path: Path, env: dict[str, str]) -> tuple[float, float, int]:
    out = subprocess.run([sys.executable, "-c", IMPORT, str(path), "BENCH-POLICE"], check=True,
                         env=env, cwd=ROOT, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def prepare(env: dict[str, str]) -> None:
    observatory = [sys.executable, "-m", "observatory"]
    run([*observatory, "migrate", "-v0"], env)
    run([*observatory, "load_reference"], env)
    setup = ("import django; django.setup()\n"
             "from observatory.accounts.models import Organisation\n"
             "Organisation.objects.get_or_create(code='BENCH-POLICE', defaults={'name': 'bench',"
             " 'kind': 'police', 'area_id': 'USA'})\n")
    run([sys.executable, "-c", setup], env)


def main() -> None:
    rows = int(os.environ.get("ROWS", "1000000"))
    folder = Path(tempfile.mkdtemp(prefix="observatory-bench-"))
    path = make_file(rows, folder)
    size = path.stat().st_size / 2**20
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "observatory.config.settings",
            "OBSERVATORY_VAR_DIR": str(folder / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    pg_env = {**base, "DATABASE_URL": f"{PG_SERVER}/{DATABASE}"}
    prepare(pg_env)
    copy = copy_seconds(path)
    seconds, peak, imported = import_seconds(path, pg_env)
    print(f"ingest: {rows} rows, {size:.0f} MB CSV; COPY {copy:.2f} s; full import into "
          f"PostgreSQL {seconds:.2f} s ({imported} rows), peak RSS {peak:.0f} MB")
    print(f"BENCH ingest_postgres ratio={seconds / copy:.2f} target=2.0")
    print(f"BENCH ingest_peak_rss_mb ratio={peak / 1024:.2f} target=1.0")
    sqlite_env = {**base, "OBSERVATORY_VAR_DIR": str(folder / "var-sqlite")}
    prepare(sqlite_env)
    seconds_sqlite, peak_sqlite, _ = import_seconds(path, sqlite_env)
    print(f"ingest: full import into SQLite {seconds_sqlite:.2f} s, peak RSS "
          f"{peak_sqlite:.0f} MB (COPY baseline is PostgreSQL's; for information)")
    print(f"BENCH ingest_sqlite ratio={seconds_sqlite / copy:.2f} target=info")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    _ = resource


if __name__ == "__main__":
    main()
