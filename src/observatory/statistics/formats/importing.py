"""What the statistics importers share (the data-portal long format in
portal.py, SDMX-CSV and SDMX-ML in sdmx/reader.py, DHIS2 data values in
dhis2.py, national categories in national.py): reading a reported value, the
rows that report for another country, repeated cells, and the writes that
end an import.

Each rule is stated once here; what differs between the formats (whether
"12,5" or "<5" is a value, the column an issue names) is said by the importer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl
from django.db import transaction

from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.errors import NotFound, ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import ERROR, empty_issues, issues_where
from observatory.statistics import selectors
from observatory.statistics.models import Dataflow, Questionnaire
from observatory.statistics.services import SUBMISSION_DATASET, Entry, observations_write
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

NUMBER = r"^-?\d+(\.\d+)?$"  # 1234, -3, 12.5: a decimal point, no thousands separator
COMMA_NUMBER = r"^-?\d+,\d+$"  # 12,5: a decimal comma
CENSORED = r"^<\s*\d+(\.\d+)?$"  # <5, < 5, <0.5: a count published only as below a bound


# --------------------------------------------------------------------------
# The job


def headers_by_field(job: ImportJob) -> dict[str, str]:
    """The file's header for each field the job's mapping gives a column."""
    return {field: header for header, field in job.mapping.items() if field}


def combined_issues(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """The issues of several checks as one frame (an empty one when none found any)."""
    return pl.concat([part for part in parts if not part.is_empty()] or [empty_issues()])


def dataflow_named(code: str, version: str | None = None) -> Dataflow:
    """The dataflow `code` (its latest version unless `version` is given); an
    unknown one refuses the import with the dataflows that are known."""
    try:
        return selectors.dataflow_get(code, version)
    except NotFound as error:
        raise ValidationFailed(str(error)) from error


def questionnaire_of(job: ImportJob) -> tuple[Questionnaire, int]:
    """The questionnaire and the year the submission label names (“UN-CTS 2025”)."""
    parts = (job.label or "").split()
    if len(parts) != 2 or not parts[1].isdigit():
        raise ValidationFailed(
            "the submission label names the questionnaire and the year, e.g. “UN-CTS 2025”"
        )
    try:
        return selectors.questionnaire_get(parts[0]), int(parts[1])
    except NotFound as error:
        raise ValidationFailed(str(error)) from error


# --------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class ValueFormat:
    """How a file format writes the value of a row (the column `value`).

    A value is read, after the spaces around it are dropped, as:
    - a number with a decimal point, 1234 or 12.5 (never with a thousands
      separator); with `decimal_comma` also 12,5;
    - with `thousands_spaces`, the same with spaces anywhere inside
      ("1 234", "1 234,5" with a no-break space too), which are dropped;
    - with `censored`, a censored count such as <5, which has no number and
      keeps its marker: "without spaces" stores "< 5" as <5, "as written"
      stores it as it is;
    - one of `missing` (empty unless said otherwise): no number, "not
      available" unless the row says otherwise.
    Anything else is the error not_a_number, "`name` is not a number"."""

    expected: str = ""  # what the issue says a value should be ("" says nothing)
    name: str = "the value"
    decimal_comma: bool = True
    thousands_spaces: bool = False
    censored: Literal["no", "without spaces", "as written"] = "no"
    missing: tuple[str, ...] = ("",)

    @staticmethod
    def written(frame: pl.DataFrame) -> pl.Expr:
        """The value as the file writes it, without surrounding spaces ("" when the
        file has no value column)."""
        if "value" not in frame.columns:
            return pl.lit("")
        return pl.col("value").fill_null("").str.strip_chars()

    def read(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with `_number`, the number as text with a decimal point (null
        without one), and `censored`, the marker of a censored count ("" for
        none)."""
        written = self.written(frame)
        text = written.str.replace_all(r"[\s\u00a0]", "") if self.thousands_spaces else written
        if self.decimal_comma:
            number: pl.Expr = (
                pl.when(text.str.contains(NUMBER))
                .then(text)
                .when(text.str.contains(COMMA_NUMBER))
                .then(text.str.replace(",", "."))
            )
        else:
            number = pl.when(text.str.contains(NUMBER)).then(text)
        if self.censored == "no":
            censored: pl.Expr = pl.lit("")
        else:
            marker = (
                written.str.replace_all(" ", "") if self.censored == "without spaces" else written
            )
            censored = pl.when(written.str.contains(CENSORED)).then(marker).otherwise(pl.lit(""))
        return frame.with_columns(number.alias("_number"), censored.alias("censored"))

    def issues(self, frame: pl.DataFrame, *, column: str) -> pl.DataFrame:
        """not_a_number for each row of `frame` (as `read` returns it) whose value
        is neither a number, a censored count nor missing; `column` is the
        file's header of the value."""
        text = self.written(frame)
        return issues_where(
            frame,
            pl.col("_number").is_null()
            & (pl.col("censored") == "")
            & ~text.is_in(list(self.missing)),
            column=column,
            field_name="value",
            value=text,
            severity=ERROR,
            code="not_a_number",
            message=f"{self.name} is not a number",
            expected=self.expected,
        )


# --------------------------------------------------------------------------
# Rows


def other_country_issues(
    frame: pl.DataFrame, organisation: Organisation, *, area: str = "area", column: str
) -> pl.DataFrame:
    """other_country for each row whose area (the column `area`, an ISO code) is
    not the organisation's own: a country reports for itself alone. An
    organisation without an area (the office) may report for any."""
    own = organisation.area_id
    if own is None:
        return empty_issues()
    return issues_where(
        frame,
        pl.col(area).is_not_null() & (pl.col(area) != own),
        column=column,
        field_name=area,
        value=pl.col(area),
        severity=ERROR,
        code="other_country",
        message=pl.format(
            "{} reports for {}, not for {}",
            pl.lit(organisation.code),
            pl.lit(own),
            pl.col(area),
        ),
    )


def repeated_cells(frame: pl.DataFrame, cell: Sequence[str]) -> pl.DataFrame:
    """The rows of `frame` whose cell (the values of the columns `cell` together:
    area, series key, period) is also the cell of another row, each with
    `_cell`, the cell as one text, and `_first`, the number of the cell's first
    row. The rows of one cell are all there, the first one too: whether that is
    an error or a warning, and on which of them, is the importer's rule."""
    keyed = frame.with_columns(
        pl.concat_str(
            [pl.col(c).cast(pl.String) for c in cell], separator="|", ignore_nulls=True
        ).alias("_cell")
    )
    return keyed.filter(pl.col("_cell").is_duplicated()).with_columns(
        pl.col(ROW_NUMBER).min().over("_cell").alias("_first")
    )


# --------------------------------------------------------------------------
# Commits


def observations_commit(
    rows: pl.DataFrame,
    *,
    job: ImportJob,
    actor: ActorLike,
    dataflow: Dataflow,
    dimensions: list[str],
) -> Version:
    """A new version of the organisation's observations submission holding `rows`
    (the columns observations_write takes), with its row count, in one
    transaction; its note names the import and the file."""
    with transaction.atomic():
        version = version_create(
            organisation=job.organisation,
            dataset=SUBMISSION_DATASET,
            label=job.label,
            actor=actor,
            note=f"import #{job.pk} of {job.upload.filename}",
        )
        version.row_count = observations_write(
            rows, version=version, dataflow=dataflow, dimensions=dimensions
        )
        version.save(update_fields=["row_count"])
    return version


def cell_entry(number: str | float | None, *, comment: str = "") -> Entry:
    """A questionnaire cell from an imported number: the number, or "not
    available" (status L) when the file gives none."""
    if number is None:
        return Entry(status="L", comment=comment)
    return Entry(value=Decimal(str(number)), comment=comment)
