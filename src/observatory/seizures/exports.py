"""Seizures as files (CSV, XLSX, Parquet), through the access policy; exporting
rows that are not public is audited."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.db.models import QuerySet

from observatory.accounts.access import ActorLike
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent
from observatory.seizures.models import Seizure
from observatory.submissions.models import Version

FORMATS = ("csv", "xlsx", "parquet")
COLUMNS = [
    "id",
    "area_id",
    "organisation__code",
    "seizure_date",
    "date_precision",
    "drug_id",
    "drug_text",
    "quantity",
    "unit_id",
    "kilograms",
    "conversion_rule",
    "purity_percent",
    "origin_area",
    "departure_area",
    "transit_areas",
    "destination_area",
    "transport_mode",
    "place",
    "place_type",
    "concealment",
    "seizing_agency",
    "persons_arrested",
    "arrested_nationalities",
    "arrested_sex",
    "case_reference",
    "version_id",
    "version__status",
]
NAMES = {
    "area_id": "area",
    "organisation__code": "organisation",
    "drug_id": "drug",
    "unit_id": "unit",
    "version_id": "version",
    "version__status": "status",
}


def seizures_frame(rows: QuerySet[Seizure]) -> pl.DataFrame:
    records = list(rows.values_list(*COLUMNS).iterator(chunk_size=5000))
    frame = pl.DataFrame(
        records,
        schema=[NAMES.get(c, c) for c in COLUMNS],
        orient="row",
        infer_schema_length=None,
        schema_overrides={
            "transit_areas": pl.List(pl.String),
            "arrested_nationalities": pl.List(pl.String),
        },
    )
    return frame.with_columns(
        pl.col("quantity", "kilograms", "purity_percent").cast(pl.Float64),
        pl.col("transit_areas").list.join(";"),
        pl.col("arrested_nationalities").list.join(";"),
    )


def export_seizures(rows: QuerySet[Seizure], *, fmt: str, path: Path, actor: ActorLike) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    frame = seizures_frame(rows)
    if fmt in {"csv", "xlsx"} and not frame.is_empty():
        # Text typed by reporters must not become a spreadsheet formula.
        text = ["drug_text", "place", "concealment", "case_reference"]
        frame = frame.with_columns(
            pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c in text
        )
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "xlsx":
        frame.write_excel(path, worksheet="seizures")
    else:
        frame.write_parquet(path, compression="zstd")
    restricted = rows.exclude(version__status=Version.Status.PUBLISHED).count()
    if restricted:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            object_type="seizures.seizure",
            object_repr=f"{frame.height} seizures to {fmt}",
            changes={"rows": frame.height, "restricted_rows": restricted, "file": path.name},
        )
    return frame.height
