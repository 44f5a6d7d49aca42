"""How seizure files are checked beyond field types, and committed."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection

from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import (
    ERROR,
    WARNING,
    ValidationResult,
    duplicate_issues,
    empty_issues,
    issues_where,
)
from observatory.reference.conversions import CONVERTIBLE_COUNTS
from observatory.reference.models import Area, Drug, Unit
from observatory.seizures.models import Seizure
from observatory.seizures.schema import SEIZURES
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

# Above these kilogram-equivalents one seizure is unusual enough to be confirmed.
LARGE_SEIZURE_KG = {
    "opioids": 1000.0,
    "cocaine": 5000.0,
    "ats": 2000.0,
    "ecstasy": 1000.0,
    "cannabis": 50000.0,
}
DEFAULT_LARGE_KG = 500.0
BATCH = 2000


def conversion_table() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Units and drugs as frames, for vectorised kilogram-equivalents."""
    units = pl.DataFrame(
        [(u.code, u.dimension, float(u.factor)) for u in Unit.objects.all()],
        orient="row",
        schema={"unit": pl.String, "_dimension": pl.String, "_factor": pl.Float64},
    )
    overrides = settings.OBSERVATORY_TABLET_MG_OVERRIDES

    def weight(drug: Drug) -> float | None:
        value = overrides.get(drug.code, drug.tablet_mg)
        return float(value) if value is not None else None

    drugs = pl.DataFrame(
        [(d.code, d.group.code, weight(d)) for d in Drug.objects.select_related("group")],
        orient="row",
        schema={"drug": pl.String, "_group": pl.String, "_tablet_mg": pl.Float64},
    )
    return units, drugs


def with_kilograms(rows: pl.DataFrame) -> pl.DataFrame:
    units, drugs = conversion_table()
    frame = rows.join(units, on="unit", how="left").join(drugs, on="drug", how="left")
    countable = (
        pl.col("unit").is_in(sorted(CONVERTIBLE_COUNTS)) & pl.col("_tablet_mg").is_not_null()
    )
    kilograms = (
        pl.when(pl.col("_dimension").is_in(["mass", "volume"]))
        .then(pl.col("quantity") * pl.col("_factor"))
        .when((pl.col("_dimension") == "count") & countable)
        .then(pl.col("quantity") * pl.col("_factor") * pl.col("_tablet_mg") / 1_000_000)
    )
    rule = (
        pl.when(pl.col("_dimension") == "mass")
        .then(pl.format("mass: 1 {} = {} kg", pl.col("unit"), pl.col("_factor")))
        .when(pl.col("_dimension") == "volume")
        .then(pl.format("volume: 1 {} = {} l; 1 l = 1 kg", pl.col("unit"), pl.col("_factor")))
        .when(countable)
        .then(
            pl.format(
                "count: 1 {} of {} = {} mg", pl.col("unit"), pl.col("drug"), pl.col("_tablet_mg")
            )
        )
        .otherwise(pl.format("count: {} is not converted to mass", pl.col("unit")))
    )
    return frame.with_columns(kilograms.alias("kilograms"), rule.alias("conversion_rule"))


def _text(name: str, width: int | None = None) -> pl.Expr:
    column = pl.col(name) if width is None else pl.col(name).str.slice(0, width)
    return column.fill_null("")


def _json_list(name: str) -> pl.Expr:
    # Area codes never contain quotes: a list of them is safe to spell out as JSON.
    return (
        pl.when(pl.col(name).list.len() > 0)
        .then(pl.lit('["') + pl.col(name).list.join('","') + pl.lit('"]'))
        .otherwise(pl.lit("[]"))
    )


def seizure_rows(rows: pl.DataFrame, job: ImportJob) -> pl.DataFrame:
    """The valid rows as the seizures table's columns, in its order (version added
    at write time)."""
    frame = with_kilograms(rows)
    present = set(frame.columns)

    def column(name: str, default: Any = "") -> pl.Expr:
        return pl.col(name) if name in present else pl.lit(default)

    frame = frame.with_columns(
        [
            pl.lit(None, dtype=pl.String).alias(name)
            for name in (
                "case_reference",
                "place",
                "place_type",
                "origin_area",
                "departure_area",
                "destination_area",
                "transport_mode",
                "concealment",
                "seizing_agency",
                "arrested_sex",
                "notes",
                "drug_text",
            )
            if name not in present
        ]
        + [
            pl.lit([], dtype=pl.List(pl.String)).alias(name)
            for name in ("transit_areas", "arrested_nationalities")
            if name not in present
        ]
        + [pl.lit(None, dtype=pl.Float64).alias("purity_percent")]
        * ("purity_percent" not in present)
        + [pl.lit(None, dtype=pl.Int64).alias("persons_arrested")]
        * ("persons_arrested" not in present)
    )
    return frame.select(
        pl.lit(job.organisation_id).alias("organisation_id"),
        column("area", job.organisation.area_id)
        .fill_null(job.organisation.area_id)
        .alias("area_id"),
        pl.col(ROW_NUMBER).alias("source_row"),
        _text("case_reference", 100).alias("case_reference"),
        pl.col("seizure_date"),
        column("seizure_date_precision", "day").fill_null("day").alias("date_precision"),
        _text("place", 200).alias("place"),
        _text("place_type").alias("place_type"),
        pl.col("drug").alias("drug_code"),
        _text("drug_text", 200).alias("drug_text"),
        pl.col("quantity").round(6),
        pl.col("unit").alias("unit_code"),
        pl.col("kilograms").round(6),
        pl.col("conversion_rule").str.slice(0, 120),
        pl.col("purity_percent").round(2),
        _text("origin_area").alias("origin_area"),
        _text("departure_area").alias("departure_area"),
        _json_list("transit_areas").alias("transit_areas"),
        _text("destination_area").alias("destination_area"),
        _text("transport_mode").alias("transport_mode"),
        _text("concealment", 200).alias("concealment"),
        _text("seizing_agency").alias("seizing_agency"),
        pl.col("persons_arrested"),
        _json_list("arrested_nationalities").alias("arrested_nationalities"),
        _text("arrested_sex").alias("arrested_sex"),
        _text("notes").alias("notes"),
    )


def write_rows(table: pl.DataFrame, version: Version) -> None:
    """Insert in the caller's transaction: COPY on PostgreSQL, batched executemany
    elsewhere."""
    table = table.select(pl.lit(version.pk).alias("version_id"), pl.all())
    names = ", ".join(connection.ops.quote_name(c) for c in table.columns)
    target = connection.ops.quote_name(Seizure._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            table.write_csv(buffer, include_header=False, null_value="\\N")
            body = buffer.getbuffer()
            statement = f"COPY {target} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(statement) as copy:
                for start in range(0, len(body), 1 << 20):
                    copy.write(body[start : start + (1 << 20)])
            body.release()
            return
        placeholders = ", ".join(["%s"] * len(table.columns))
        insert = f"INSERT INTO {target} ({names}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, table.height, BATCH * 5):
            cursor.executemany(insert, list(table.slice(start, BATCH * 5).iter_rows()))


class SeizureHandler:
    schema = SEIZURES

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        frame = result.clean
        by_field = {field: header for header, field in job.mapping.items()}
        issues = [empty_issues()]
        own_area = job.organisation.area_id
        if "area" in frame.columns:
            allowed = [
                own_area,
                *Area.objects.filter(parent_id=own_area).values_list("code", flat=True),
            ]
            issues.append(
                issues_where(
                    frame,
                    pl.col("area").is_not_null() & ~pl.col("area").is_in(allowed),
                    column=by_field["area"],
                    field_name="area",
                    value=pl.col("area"),
                    severity=ERROR,
                    code="other_country",
                    message=pl.format(
                        "{} reports seizures in {}, not in {}",
                        pl.lit(job.organisation.code),
                        pl.lit(own_area),
                        pl.col("area"),
                    ),
                    expected=own_area or "",
                )
            )
        if {"quantity", "unit", "drug"} <= set(frame.columns):
            converted = with_kilograms(
                frame.filter(
                    pl.col("quantity").is_not_null()
                    & pl.col("drug").is_not_null()
                    & pl.col("unit").is_not_null()
                )
            )
            threshold = pl.col("_group").replace_strict(
                LARGE_SEIZURE_KG, default=DEFAULT_LARGE_KG, return_dtype=pl.Float64
            )
            issues.append(
                issues_where(
                    converted,
                    pl.col("kilograms") > threshold,
                    column=by_field["quantity"],
                    field_name="quantity",
                    value=pl.col("quantity_text"),
                    severity=WARNING,
                    code="unusually_large",
                    message=pl.format(
                        "{} kg of {} in one seizure is unusually large: please confirm",
                        pl.col("kilograms").round(1),
                        pl.col("drug"),
                    ),
                )
            )
            issues.append(
                issues_where(
                    frame,
                    pl.col("quantity") <= 0,
                    column=by_field["quantity"],
                    field_name="quantity",
                    value=pl.col("quantity_text"),
                    severity=ERROR,
                    code="not_positive",
                    message="Quantity must be above zero",
                    expected="a quantity > 0",
                )
            )
        if "case_reference" in frame.columns:
            issues.append(
                duplicate_issues(
                    frame,
                    "case_reference",
                    column=by_field["case_reference"],
                    label="Case reference",
                )
            )
            # One pass over the organisation's other references, compared in Polars:
            # cheaper than an IN list of every reference in a large file.
            others = (
                Seizure.objects.filter(organisation=job.organisation)
                .exclude(case_reference="")
                .exclude(version__submission__label=job.label)
                .values_list("case_reference", flat=True)
            )
            stored: set[str] = set()
            if others.exists():
                known = pl.Series(
                    list(others.distinct().iterator(chunk_size=20000)), dtype=pl.String
                )
                stored = set(
                    frame["case_reference"]
                    .filter(frame["case_reference"].is_in(known.implode()))
                    .to_list()
                )
            if stored:
                issues.append(
                    issues_where(
                        frame,
                        pl.col("case_reference").is_in(sorted(stored)),
                        column=by_field["case_reference"],
                        field_name="case_reference",
                        value=pl.col("case_reference"),
                        severity=ERROR,
                        code="duplicate_stored",
                        message="this case reference was already reported in another submission",
                        expected="a new case reference, or correct the earlier submission",
                    )
                )
        return pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: Any) -> Version:
        version = version_create(
            organisation=job.organisation,
            dataset="seizures",
            label=job.label,
            actor=actor,
            note=f"import #{job.pk} of {job.upload.filename}",
        )
        table = seizure_rows(rows, job)
        # The version's content hash: the same rows give the same hash on any engine.
        # Written straight to bytes (no intermediate str of the whole table).
        body = io.BytesIO()
        table.write_csv(body, include_header=False)
        digest = hashlib.sha256(body.getbuffer())
        del body
        write_rows(table, version)
        version.row_count = table.height
        version.content_sha256 = digest.hexdigest()
        version.save(update_fields=["row_count", "content_sha256"])
        return version
