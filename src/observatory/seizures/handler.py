"""How seizure files are checked beyond field types, and committed."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings

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
            references = [r for r in frame["case_reference"].unique().to_list() if r]
            stored: set[str] = set()
            for start in range(0, len(references), 5000):
                stored.update(
                    Seizure.objects.filter(
                        organisation=job.organisation,
                        case_reference__in=references[start : start + 5000],
                    )
                    .exclude(version__submission__label=job.label)
                    .values_list("case_reference", flat=True)
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
        frame = with_kilograms(rows)
        if "area" not in frame.columns:
            frame = frame.with_columns(pl.lit(job.organisation.area_id).alias("area"))
        frame = frame.with_columns(pl.col("area").fill_null(job.organisation.area_id))
        digest = hashlib.sha256()
        batch: list[Seizure] = []
        for row in frame.iter_rows(named=True):
            digest.update(repr(sorted((k, str(v)) for k, v in row.items())).encode())
            batch.append(
                Seizure(
                    version=version,
                    organisation_id=job.organisation_id,
                    area_id=row["area"],
                    source_row=row[ROW_NUMBER],
                    case_reference=row.get("case_reference") or "",
                    seizure_date=row["seizure_date"],
                    date_precision=row.get("seizure_date_precision") or "day",
                    place=row.get("place") or "",
                    place_type=row.get("place_type") or "",
                    drug_id=row["drug"],
                    drug_text=(row.get("drug_text") or "")[:200],
                    quantity=Decimal(str(row["quantity"])),
                    unit_id=row["unit"],
                    kilograms=(
                        Decimal(str(round(row["kilograms"], 6)))
                        if row.get("kilograms") is not None
                        else None
                    ),
                    conversion_rule=row["conversion_rule"][:120],
                    purity_percent=(
                        Decimal(str(row["purity_percent"]))
                        if row.get("purity_percent") is not None
                        else None
                    ),
                    origin_area=row.get("origin_area") or "",
                    departure_area=row.get("departure_area") or "",
                    transit_areas=row.get("transit_areas") or [],
                    destination_area=row.get("destination_area") or "",
                    transport_mode=row.get("transport_mode") or "",
                    concealment=row.get("concealment") or "",
                    seizing_agency=row.get("seizing_agency") or "",
                    persons_arrested=row.get("persons_arrested"),
                    arrested_nationalities=row.get("arrested_nationalities") or [],
                    arrested_sex=row.get("arrested_sex") or "",
                    notes=row.get("notes") or "",
                )
            )
            if len(batch) >= BATCH:
                Seizure.objects.bulk_create(batch)
                batch = []
        Seizure.objects.bulk_create(batch)
        version.row_count = frame.height
        version.content_sha256 = digest.hexdigest()
        version.save(update_fields=["row_count", "content_sha256"])
        return version
