"""How observation files are checked beyond field types, and committed.

The submission label names the dataflow (“DF_CTS_VIOLENT_SEXUAL”, optionally
followed by a year). Labels are read into codes through the dataflow's
codelists: by name, by code or by a known alias ("Oct-17" is 10-17, a warning
says so); anything else is an error with the closest known name as suggestion."""

from __future__ import annotations

from typing import Any

import polars as pl
from rapidfuzz import process

from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import (
    ERROR,
    WARNING,
    ValidationResult,
    empty_issues,
    issues_where,
)
from observatory.reference.matching import fold
from observatory.statistics import selectors
from observatory.statistics.importing import (
    ValueFormat,
    combined_issues,
    dataflow_named,
    headers_by_field,
    observations_commit,
    other_country_issues,
    repeated_cells,
)
from observatory.statistics.models import Dataflow
from observatory.statistics.schema import PORTAL, PORTAL_DIMENSIONS

# apps.py registers the submissions dataset under this name, imported from here.
from observatory.statistics.services import SUBMISSION_DATASET as SUBMISSION_DATASET
from observatory.submissions.models import Version

VALUES = ValueFormat(
    expected="a number (1234.5), or a censored count such as <5", censored="without spaces"
)


def dataflow_of(job: ImportJob) -> Dataflow:
    code = (job.label or "").split()[0] if job.label else ""
    if not code:
        raise ValidationFailed("name the dataflow: the submission label (or --dataflow) is its id")
    return dataflow_named(code)


def coded(frame: pl.DataFrame, job: ImportJob) -> tuple[pl.DataFrame, pl.DataFrame, Dataflow]:
    """The rows with dimension codes, parsed values and statuses, and the issues."""
    flow = dataflow_of(job)
    structure = selectors.Structure(flow.structure)
    by_field = headers_by_field(job)
    issues = [empty_issues()]
    for field, dimension in PORTAL_DIMENSIONS.items():
        if field not in frame.columns:
            continue
        if dimension not in structure.dimensions:
            raise ValidationFailed(
                f"the dataflow {flow.code} has no dimension {dimension} (column {field})"
            )
        codes = structure.codes(dimension)
        lookup: dict[str, tuple[str, bool]] = {}
        for code in codes.values():
            lookup.setdefault(fold(code.code), (code.code, False))
            lookup[fold(code.name)] = (code.code, False)
            for alias in code.aliases:
                lookup.setdefault(fold(alias), (code.code, True))
        texts = frame[field].fill_null("").unique().to_list()
        found = {text: lookup.get(fold(text)) for text in texts}
        names = [code.name for code in codes.values()]
        frame = frame.with_columns(
            pl.col(field)
            .replace_strict(
                {t: f[0] for t, f in found.items() if f}, default=None, return_dtype=pl.String
            )
            .alias(dimension),
        )
        aliased = sorted(t for t, f in found.items() if f and f[1])
        unknown = {t: "" for t, f in found.items() if not f}
        for text in unknown:
            best = process.extractOne(text, names) if names and text else None
            unknown[text] = best[0] if best and best[1] >= 70 else ""
        issues.append(
            issues_where(
                frame,
                pl.col(dimension).is_null(),
                column=by_field.get(field, field),
                field_name=field,
                value=pl.col(field),
                severity=ERROR,
                code="unknown_code",
                message=pl.format(
                    "“{}” is not a known {} of {}",
                    pl.col(field),
                    pl.lit(dimension),
                    pl.lit(flow.code),
                ),
                expected=", ".join(names[:12]) + (" …" if len(names) > 12 else ""),
                suggestion=pl.col(field).replace_strict(
                    unknown, default="", return_dtype=pl.String
                ),
            )
        )
        if aliased:
            issues.append(
                issues_where(
                    frame,
                    pl.col(field).is_in(aliased),
                    column=by_field.get(field, field),
                    field_name=field,
                    value=pl.col(field),
                    severity=WARNING,
                    code="alias",
                    message=pl.format(
                        "“{}” was read as {}",
                        pl.col(field),
                        pl.col(dimension).replace_strict(structure.names[dimension], default=None),
                    ),
                )
            )
    frame = VALUES.read(frame)
    issues.append(VALUES.issues(frame, column=by_field.get("value", "VALUE")))
    issues.append(
        other_country_issues(frame, job.organisation, column=by_field.get("area", "Iso3_code"))
    )
    cell = ["area", *[d for d in structure.dimensions if d in frame.columns], "year"]
    repeats = repeated_cells(frame, cell).with_columns(
        pl.col("value").n_unique().over("_cell").alias("_values")
    )
    issues.append(
        issues_where(
            repeats,
            pl.col(ROW_NUMBER) != pl.col("_first"),
            column=by_field.get("value", "VALUE"),
            field_name="value",
            value=pl.col("value"),
            severity=WARNING,
            code="repeated_cell",
            message=pl.when(pl.col("_values") > 1)
            .then(
                pl.format(
                    "the same cell as row {} with another value: both are kept, as published",
                    pl.col("_first"),
                )
            )
            .otherwise(pl.format("repeats row {}: kept, as published", pl.col("_first"))),
        )
    )
    return frame, combined_issues(issues), flow


class PortalHandler:
    schema = PORTAL

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        return coded(result.clean, job)[1]

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: Any) -> Version:
        frame, _issues, flow = coded(rows, job)
        structure = selectors.Structure(flow.structure)
        return observations_commit(
            frame.select(
                "area",
                pl.col("year").cast(pl.String).alias("time_period"),
                *[pl.col(d) for d in structure.dimensions],
                pl.col("_number").alias("value"),
                "censored",
                pl.col("source").fill_null("")
                if "source" in frame.columns
                else pl.lit("").alias("source"),
                pl.col(ROW_NUMBER).alias("source_row"),
            ),
            job=job,
            actor=actor,
            dataflow=flow,
            dimensions=structure.dimensions,
        )
