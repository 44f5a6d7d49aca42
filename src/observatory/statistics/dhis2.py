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

from decimal import Decimal
from typing import Any

import polars as pl

from observatory.core.errors import NotFound, ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.schema import FieldType as T
from observatory.intake.validation import ERROR, ValidationResult, empty_issues, issues_where
from observatory.statistics import selectors, services
from observatory.statistics.handler import COMMA_NUMBER, NUMBER
from observatory.statistics.models import Questionnaire
from observatory.statistics.questionnaires import sections_of
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


def target_of(job: ImportJob) -> tuple[Questionnaire, int, set[str]]:
    parts = (job.label or "").split()
    if len(parts) != 2 or not parts[1].isdigit():
        raise ValidationFailed(
            "the submission label names the questionnaire and the year, e.g. “UN-CTS 2025”"
        )
    try:
        questionnaire = selectors.questionnaire_get(parts[0])
    except NotFound as error:
        raise ValidationFailed(str(error)) from error
    keys = {
        cell.key
        for section in sections_of(questionnaire.definition, questionnaire.dataflow)
        for cell in section.cells.values()
    }
    return questionnaire, int(parts[1]), keys


def keyed(frame: pl.DataFrame) -> pl.DataFrame:
    combo = pl.col("combo").fill_null("default") if "combo" in frame.columns else pl.lit("default")
    text = (
        pl.col("value").fill_null("").str.strip_chars() if "value" in frame.columns else pl.lit("")
    )
    return frame.with_columns(
        pl.when(combo.str.to_lowercase().is_in(["default", ""]))
        .then(pl.col("dataelement"))
        .otherwise(pl.format("{}.{}", pl.col("dataelement"), combo))
        .alias("_key"),
        pl.when(text.str.contains(NUMBER))
        .then(text)
        .when(text.str.contains(COMMA_NUMBER))
        .then(text.str.replace(",", "."))
        .alias("_number"),
    )


class Dhis2Handler:
    schema = DHIS2
    fixed_layout = True

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        questionnaire, year, keys = target_of(job)
        frame = keyed(result.clean)
        by_field = {f: h for h, f in job.mapping.items() if f}
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
            issues_where(
                frame,
                pl.col("_number").is_null() & (pl.col("value").fill_null("") != ""),
                column=by_field.get("value", "value"),
                field_name="value",
                value=pl.col("value"),
                severity=ERROR,
                code="not_a_number",
                message="the value is not a number",
            ),
            issues_where(
                frame,
                pl.col("_key").is_duplicated(),
                column=by_field.get("dataelement", "dataelement"),
                field_name="dataelement",
                value=pl.col("_key"),
                severity=ERROR,
                code="duplicate",
                message="the same cell appears twice",
            ),
        ]
        if job.organisation.area_id is not None:
            issues.append(
                issues_where(
                    frame,
                    pl.col("orgunit").is_not_null()
                    & (pl.col("orgunit") != job.organisation.area_id),
                    column=by_field.get("orgunit", "orgunit"),
                    field_name="orgunit",
                    value=pl.col("orgunit"),
                    severity=ERROR,
                    code="other_country",
                    message=f"{job.organisation.code} reports for {job.organisation.area_id}",
                )
            )
        return pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: Any) -> Version:
        questionnaire, year, _keys = target_of(job)
        frame = keyed(rows)
        entries = {
            row["_key"]: services.Entry(
                value=Decimal(row["_number"]) if row["_number"] is not None else None,
                status="" if row["_number"] is not None else "L",
                comment=row.get("comment") or "",
            )
            for row in frame.iter_rows(named=True)
        }
        return services.questionnaire_save(
            questionnaire=questionnaire,
            organisation=job.organisation,
            year=year,
            entries=entries,
            actor=job.created_by or actor,
        )
