"""DHIS2 data-value CSV in (the `dataValueSets` CSV a DHIS2 instance exports,
with `idScheme=CODE`): `dataelement, period, orgunit, categoryoptioncombo,
attributeoptioncombo, value, storedby, lastupdated, comment, followup`.

Convention: a data element's code is the series key of a questionnaire cell
(`OFFENCES.ICCS0101._T._T._T._T._T.COUNT`); with a category option combo other
than `default`, the key is `<dataelement code>.<combo code>`. The organisation
unit's code is the country's ISO 3166 alpha-3 code. The label names the
questionnaire and the year (“UN-CTS 2025”); the values go into the same draft as
the browser grid."""

from __future__ import annotations

import polars as pl

from observatory.accounts.access import ActorLike
from observatory.intake.models import ImportJob
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.schema import FieldType as T
from observatory.intake.validation import ERROR, ValidationResult, issues_where
from observatory.statistics import services
from observatory.statistics.formats.importing import (
    ValueFormat,
    cell_entry,
    combined_issues,
    headers_by_field,
    other_country_issues,
    questionnaire_of,
    repeated_cells,
)
from observatory.statistics.models import Questionnaire
from observatory.statistics.questionnaires.sections import sections_of
from observatory.submissions.models import Version

DHIS2 = DatasetSchema(
    code="observations-dhis2",
    label="DHIS2 data values (CSV, idScheme=CODE)",
    fields=(
        Field(
            "dataelement",
            "dataelement",
            required=True,
            synonyms=("dataelement", "dataElement", "de"),
        ),
        Field("period", "period", required=True, synonyms=("period", "pe")),
        Field("orgunit", "orgunit", T.AREA, required=True, synonyms=("orgunit", "orgUnit", "ou")),
        Field(
            "combo",
            "categoryoptioncombo",
            synonyms=("categoryoptioncombo", "categoryOptionCombo", "co"),
        ),
        Field(
            "attribute",
            "attributeoptioncombo",
            synonyms=("attributeoptioncombo", "attributeOptionCombo"),
        ),
        Field("value", "value", synonyms=("value",)),
        Field("storedby", "storedby", synonyms=("storedby", "storedBy")),
        Field("lastupdated", "lastupdated", synonyms=("lastupdated", "lastUpdated")),
        Field("comment", "comment", synonyms=("comment",)),
        Field("followup", "followup", synonyms=("followup",)),
    ),
)
VALUES = ValueFormat()  # 1234, 12.5 or 12,5; empty: not available


def target_of(job: ImportJob) -> tuple[Questionnaire, int, set[str]]:
    questionnaire, year = questionnaire_of(job)
    keys = {
        cell.key
        for section in sections_of(questionnaire.definition, questionnaire.dataflow)
        for cell in section.cells.values()
    }
    return questionnaire, year, keys


def keyed(frame: pl.DataFrame, job: ImportJob) -> pl.DataFrame:
    """The rows with `_key`, the series key of their cell, and the value read."""
    combo = pl.col("combo").fill_null("default") if "combo" in frame.columns else pl.lit("default")
    return VALUES.read(
        frame.with_columns(
            pl.when(combo.str.to_lowercase().is_in(["default", ""]))
            .then(pl.col("dataelement"))
            .otherwise(pl.format("{}.{}", pl.col("dataelement"), combo))
            .alias("_key"),
        ),
        job.options.get("decimal_mark"),
    )


class Dhis2Handler:
    schema = DHIS2
    fixed_layout = True

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        questionnaire, year, keys = target_of(job)
        frame = keyed(result.clean, job)
        by_field = headers_by_field(job)
        issues = [
            issues_where(
                frame,
                ~pl.col("_key").is_in(sorted(keys)),
                column=by_field.get("dataelement", "dataelement"),
                field_name="dataelement",
                value=pl.col("_key"),
                severity=ERROR,
                code="unknown_cell",
                message=f"not a cell of {questionnaire.code}",
                expected="data element codes that are the cells' series keys",
            ),
            issues_where(
                frame,
                pl.col("period").fill_null("") != str(year),
                column=by_field.get("period", "period"),
                field_name="period",
                value=pl.col("period"),
                severity=ERROR,
                code="other_year",
                message=f"this submission holds {year}",
                expected=str(year),
            ),
            VALUES.issues(frame, column=by_field.get("value", "value")),
            # A questionnaire cell takes one value: every row of a repeated one is refused.
            issues_where(
                repeated_cells(frame, ["_key"]),
                pl.lit(True),
                column=by_field.get("dataelement", "dataelement"),
                field_name="dataelement",
                value=pl.col("_key"),
                severity=ERROR,
                code="duplicate",
                message="the same cell appears twice",
            ),
            other_country_issues(
                frame, job.organisation, area="orgunit", column=by_field.get("orgunit", "orgunit")
            ),
        ]
        return combined_issues(issues)

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        questionnaire, year, _keys = target_of(job)
        frame = keyed(rows, job)
        entries = {
            row["_key"]: cell_entry(row["_number"], comment=row.get("comment") or "")
            for row in frame.iter_rows(named=True)
        }
        return services.questionnaire_save(
            questionnaire=questionnaire,
            organisation=job.organisation,
            year=year,
            entries=entries,
            actor=job.created_by or actor,
        )
