"""Imports of data reported in national offence categories: converted through
the country's crosswalk into the questionnaire's ICCS cells (summed), the
original values kept (NationalOriginal). The questionnaire names the section and
dimension that take national categories (`national_categories` in its file).

The submission label names the questionnaire and the year: “UN-CTS 2025”."""

from __future__ import annotations

import polars as pl
from django.db import transaction

from observatory.accounts.access import ActorLike
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.validation import ERROR, ValidationResult, issues_where
from observatory.statistics import services
from observatory.statistics.crosswalks import as_decimal, convert
from observatory.statistics.formats.importing import (
    ValueFormat,
    cell_entry,
    combined_issues,
    headers_by_field,
    questionnaire_of,
)
from observatory.statistics.models import Crosswalk, NationalOriginal, Questionnaire
from observatory.statistics.questionnaires.sections import Cell, sections_of
from observatory.submissions.models import Version

NATIONAL = DatasetSchema(
    code="observations-national",
    label="Offences in national categories (converted to ICCS through your crosswalk)",
    fields=(
        Field(
            "national_code",
            "National category code",
            required=True,
            synonyms=(
                "code",
                "national code",
                "national category",
                "offence code",
                "article",
                "código",
                "codigo",
                "code national",
                "编号",
                "код",
            ),
        ),
        Field(
            "national_label",
            "National category name",
            synonyms=(
                "name",
                "category",
                "offence",
                "delito",
                "infraction",
                "罪名",
                "преступление",
            ),
        ),
        Field(
            "value",
            "Offences recorded",
            required=True,
            synonyms=(
                "value",
                "count",
                "offences",
                "number",
                "total",
                "cantidad",
                "nombre",
                "数量",
                "число",
            ),
        ),
    ),
)
# Counts as national statistics write them: 1234, 1 234 (spaces between thousands), 1234,0.
VALUES = ValueFormat(expected="a count such as 1234", whole=True)


def target_of(job: ImportJob) -> tuple[Questionnaire, int, Crosswalk, dict[str, Cell]]:
    questionnaire, year = questionnaire_of(job)
    spec = questionnaire.definition.get("national_categories")
    if not spec:
        raise ValidationFailed(f"{questionnaire.code} takes no national categories")
    area = job.organisation.area_id
    crosswalk = Crosswalk.objects.filter(area_id=area).order_by("-updated_at").first()
    if crosswalk is None:
        raise ValidationFailed(
            f"{area} has no crosswalk yet: its focal point maps the national categories to "
            "ICCS once, on the crosswalks page (Questionnaires → Crosswalks)"
        )
    section = next(
        (
            s
            for s in sections_of(questionnaire.definition, questionnaire.dataflow)
            if s.id == spec["section"]
        ),
        None,
    )
    if section is None:
        raise ValidationFailed(f"{questionnaire.code} has no section {spec['section']!r}")
    cells = {
        cell.dims[spec["dimension"]]: cell for cell in section.cells.values() if cell.column == 0
    }
    return questionnaire, year, crosswalk, cells


def _frame(rows: pl.DataFrame, job: ImportJob) -> pl.DataFrame:
    """The rows with the count read (`_number`, Float64: the crosswalk sums them)."""
    return VALUES.read(rows, job.options.get("decimal_mark")).with_columns(
        pl.col("_number").cast(pl.Float64, strict=False),
        pl.col("national_code").str.strip_chars().alias("national_code"),
    )


class NationalHandler:
    schema = NATIONAL

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        questionnaire, _year, crosswalk, cells = target_of(job)
        by_field = headers_by_field(job)
        frame = _frame(result.clean, job)
        issues = [
            VALUES.issues(frame, column=by_field.get("value", "value")),
            issues_where(
                frame,
                pl.col("_number") < 0,
                column=by_field.get("value", "value"),
                field_name="value",
                value=pl.col("value"),
                severity=ERROR,
                code="negative",
                message="a count cannot be negative",
            ),
        ]
        converted, unknown = convert(
            frame.select("national_code", pl.col("_number").alias("value")), crosswalk
        )
        if unknown:
            issues.append(
                issues_where(
                    frame,
                    pl.col("national_code").is_in(unknown),
                    column=by_field.get("national_code", "code"),
                    field_name="national_code",
                    value=pl.col("national_code"),
                    severity=ERROR,
                    code="not_in_crosswalk",
                    message=f"this national category is not in the crosswalk “{crosswalk.name}”",
                    expected="map it to an ICCS code on the crosswalks page first",
                )
            )
        outside = sorted(set(converted["target_code"].to_list()) - set(cells))
        if outside:
            table = dict(crosswalk.entries.values_list("national_code", "target_code"))
            codes = [n for n, t in table.items() if t in outside]
            issues.append(
                issues_where(
                    frame,
                    pl.col("national_code").is_in(codes),
                    column=by_field.get("national_code", "code"),
                    field_name="national_code",
                    value=pl.col("national_code"),
                    severity=ERROR,
                    code="not_asked",
                    message=pl.format(
                        "maps to {}, which {} does not ask for",
                        pl.col("national_code").replace_strict(table, default=""),
                        pl.lit(questionnaire.code),
                    ),
                )
            )
        return combined_issues(issues)

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        questionnaire, year, crosswalk, cells = target_of(job)
        frame = _frame(rows, job)
        converted, _unknown = convert(
            frame.select("national_code", pl.col("_number").alias("value")), crosswalk
        )
        entries = {
            cells[row["target_code"]].key: cell_entry(
                None if row["all_missing"] else row["value"],
                comment="from national categories: " + ", ".join(row["from"]),
            )
            for row in converted.iter_rows(named=True)
        }
        table = dict(crosswalk.entries.values_list("national_code", "target_code"))
        with transaction.atomic():
            version = services.questionnaire_save(
                questionnaire=questionnaire,
                organisation=job.organisation,
                year=year,
                entries=entries,
                actor=job.created_by or actor,
            )
            NationalOriginal.objects.filter(version=version, time_period=str(year)).delete()
            NationalOriginal.objects.bulk_create(
                NationalOriginal(
                    version=version,
                    crosswalk=crosswalk,
                    time_period=str(year),
                    national_code=row["national_code"],
                    national_label=(row.get("national_label") or "")[:300],
                    target_key=cells[table[row["national_code"]]].key,
                    value=as_decimal(row["_number"]),
                    source_row=row[ROW_NUMBER],
                )
                for row in frame.iter_rows(named=True)
            )
        return version
