"""Analytics benchmark: flows and trends queries (Ibis on DuckDB) against the same
questions asked in hand-written DuckDB SQL over the same Parquet files; and the
freshness of publication (publish -> visible in analytics).

Prints `BENCH <name> ratio=<x> target=<y>` lines with the absolute figures.
ROWS (default 10,000,000) sets the size of the store; FRESH_ROWS (default
100,000) the size of the published submission."""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(tempfile.mkdtemp(prefix="observatory-bench-analytics-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.config.settings")
os.environ["OBSERVATORY_VAR_DIR"] = str(FOLDER / "var")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(ROOT / "src"))

import django

django.setup()

import duckdb
import polars as pl
from django.core.management import call_command
from django.test.utils import override_settings

from observatory.analytics import engine, lake, queries
from observatory.synthetic.seizures import generate_seizures


def best_of(function: object, repeat: int = 3) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def build_store(rows: int) -> None:
    """The store as publication writes it, at `rows` rows: one generated million
    written under ten pseudo-partitions when more are asked for."""
    base = min(rows, 1_000_000)
    frame = generate_seizures(base).rename({"reporting_area": "area"})
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("version_id"),
        pl.arange(0, base, eager=True).alias("seizure_id"),
        pl.col("transit_areas").str.split(";").list.eval(pl.element().filter(pl.element() != "")),
        pl.col("drug").alias("drug_group"),
        pl.col("quantity").alias("kilograms"),
    )
    frame = lake.add_routes(frame)
    legs = lake.legs(frame)
    copies = max(1, rows // base)
    for copy in range(copies):
        for (area,), part in frame.group_by("area"):
            engine.write_partition(lake.SEIZURES, f"{area}{copy}", part)
        for (area,), part in legs.group_by("area"):
            engine.write_partition(lake.LEGS, f"{area}{copy}", part)


def compare() -> None:
    seizures_glob = str(engine.dataset_dir(lake.SEIZURES) / "area=*" / "data.parquet")
    legs_glob = str(engine.dataset_dir(lake.LEGS) / "area=*" / "data.parquet")
    con = engine.connect()
    seizures = engine.table(con, lake.SEIZURES)
    legs = engine.table(con, lake.LEGS)
    raw = duckdb.connect()
    raw.execute("SET threads TO 2")

    def sql(statement: str, parameters: list[str]) -> pl.DataFrame:
        return pl.from_arrow(raw.sql(statement, params=parameters).to_arrow_table())  # type: ignore[return-value]

    cases = {
        "trends": (
            lambda: engine.run(queries.trends(seizures, by="group", period="year")),
            lambda: sql(
                "SELECT CAST(year AS VARCHAR) AS period, drug_group AS key, count(*) AS seizures,"
                " sum(kilograms) AS kilograms FROM read_parquet(?, hive_partitioning = true)"
                " GROUP BY 1, 2 ORDER BY 1, 2",
                [seizures_glob],
            ),
        ),
        "top_routes": (
            lambda: engine.run(queries.top_routes(seizures, limit=20)),
            lambda: sql(
                "SELECT route_key, count(*) AS seizures, sum(kilograms) AS kilograms,"
                " max(len(route)) AS points FROM read_parquet(?, hive_partitioning = true)"
                " WHERE len(route) >= 2 GROUP BY 1 ORDER BY seizures DESC, route_key LIMIT 20",
                [seizures_glob],
            ),
        ),
        "flows_legs": (
            lambda: engine.run(queries.leg_totals(legs)),
            lambda: sql(
                "SELECT source, target, count(DISTINCT seizure_id) AS seizures,"
                " sum(kilograms) AS kilograms FROM read_parquet(?, hive_partitioning = true)"
                " GROUP BY 1, 2 ORDER BY seizures DESC, source, target LIMIT 200",
                [legs_glob],
            ),
        ),
    }
    for name, (ibis_query, sql_query) in cases.items():
        ibis_seconds = best_of(ibis_query)
        sql_seconds = best_of(sql_query)
        print(
            f"analytics {name}: Ibis {ibis_seconds:.3f} s, hand-written DuckDB SQL "
            f"{sql_seconds:.3f} s"
        )
        print(f"BENCH analytics_{name} ratio={ibis_seconds / sql_seconds:.2f} target=1.2")


def freshness(rows: int) -> None:
    """Publish `rows` seizures through the workflow; time until they are counted."""
    from observatory.accounts.models import Organisation, Role
    from observatory.accounts.services import membership_grant, user_create
    from observatory.intake import services as intake
    from observatory.submissions import services as workflow

    organisation = Organisation.objects.create(
        code="FRESH-POLICE", name="fresh", kind="police", area_id="PER"
    )
    focal = user_create(email="focal@fresh.test", password="x", check_password=False)
    membership_grant(user=focal, organisation=organisation, role=Role.FOCAL_POINT, actor=None)
    office = Organisation.objects.create(code="FRESH-OFFICE", name="office", kind="office")
    analyst = user_create(email="analyst@fresh.test", password="x", check_password=False)
    membership_grant(user=analyst, organisation=office, role=Role.ANALYST, actor=None)
    frame = generate_seizures(rows, seed=11).drop("reporting_area")
    body = io.BytesIO()
    frame.with_columns(pl.col("seizure_date").dt.strftime("%Y-%m-%d")).write_csv(body)
    body.seek(0)
    upload, _ = intake.upload_store(
        stream=body,
        filename="fresh.csv",
        organisation=organisation,
        dataset="seizures",
        actor=focal,
    )
    job = intake.job_commit(
        job=intake.job_validate(job=intake.job_create(upload=upload, actor=focal)),
        accept_valid=True,
        actor=focal,
    )
    assert job.version is not None, job.message
    version = workflow.version_accept(
        version=workflow.version_submit(version=job.version, actor=focal), actor=analyst
    )
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        started = time.perf_counter()
        workflow.version_publish(version=version, actor=analyst)
        counted = engine.run(
            queries.area_totals(
                engine.table(engine.connect(), lake.SEIZURES), filters=queries.Filters(area="PER")
            )
        )
        seconds = time.perf_counter() - started
    visible = int(counted["seizures"].sum())
    print(
        f"freshness: {job.rows_valid} rows published and {visible} visible in analytics "
        f"after {seconds:.2f} s"
    )
    print(f"BENCH freshness_seconds ratio={seconds / 10:.2f} target=1.0")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    rows = int(os.environ.get("ROWS", "10000000"))
    started = time.perf_counter()
    build_store(rows)
    print(f"analytics: store of {rows} rows built in {time.perf_counter() - started:.1f} s")
    compare()
    freshness(int(os.environ.get("FRESH_ROWS", "100000")))


if __name__ == "__main__":
    main()
