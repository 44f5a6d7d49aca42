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
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Literal

import polars as pl
from django.db import transaction

from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.errors import NotFound, ValidationFailed
from observatory.intake import numbers
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import ERROR, WARNING, empty_issues, issues_where
from observatory.reference.matching import fold
from observatory.statistics import selectors
from observatory.statistics.cube.values import number_texts
from observatory.statistics.models import Dataflow, Questionnaire
from observatory.statistics.services import (
    SUBMISSION_DATASET,
    Entry,
    observations_carry,
    observations_write,
)
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

# 1234, -3, 12.5, 3.5e-06: a decimal point, no thousands separator (SDMX)
STRICT_NUMBER = r"^[-+]?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"
CENSORED = r"^<\s*\d+(\.\d+)?$"  # <5, < 5, <0.5: a count published only as below a bound


# --------------------------------------------------------------------------
# The job


def headers_by_field(job: ImportJob) -> dict[str, str]:
    """The file's header for each field the job's mapping gives a column."""
    return {field: header for header, field in job.mapping.items() if field}


def confirmed_codes(job: ImportJob) -> dict[str, str]:
    """Folded text -> dimension code the user said a label reads as (this
    import's value step or --map-value "TEXT=CODE", then the organisation's
    readings remembered from its earlier imports)."""
    from observatory.intake.services import confirmed_values

    values = confirmed_values(job)
    return {**values.get("code", {}), **values.get("*", {})}


def confirmed_readings(
    frame: pl.DataFrame,
    *,
    text: str,
    read: str,
    job: ImportJob,
    codes: Sequence[str],
    names: dict[str, str],
    column: str | pl.Expr,
    field: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Labels no code of the list names, read as the code the user confirmed
    (said as a warning on every row it reads); a confirmed code the list lacks
    is an error. `text` holds the file's label, `read` the code (null where
    none was found)."""
    confirmed = confirmed_codes(job)
    if not confirmed:
        return frame, empty_issues()
    unread = frame.filter(pl.col(read).is_null())[text].unique().to_list()
    chosen = {t: confirmed[fold(t)] for t in unread if t and fold(t) in confirmed}
    if not chosen:
        return frame, empty_issues()
    listed = set(codes)
    good = {t: c for t, c in chosen.items() if c in listed}
    bad = {t: c for t, c in chosen.items() if c not in listed}
    frame = frame.with_columns(
        pl.when(pl.col(read).is_null())
        .then(pl.col(text).replace_strict(good, default=None, return_dtype=pl.String))
        .otherwise(pl.col(read))
        .alias(read)
    )
    issues = [
        issues_where(
            frame,
            pl.col(text).is_in(list(good)),
            column=column,
            field_name=field,
            value=pl.col(text),
            severity=WARNING,
            code="confirmed_code",
            message=pl.format(
                "“{}” read as {} ({}), as confirmed",
                pl.col(text),
                pl.col(text).replace_strict(good, default=""),
                pl.col(text).replace_strict(
                    {t: names.get(c, c) for t, c in good.items()}, default=""
                ),
            ),
        ),
        issues_where(
            frame,
            pl.col(text).is_in(list(bad)),
            column=column,
            field_name=field,
            value=pl.col(text),
            severity=ERROR,
            code="unknown_code",
            message=pl.format(
                "“{}” was to be read as {}, which is not a code of {}",
                pl.col(text),
                pl.col(text).replace_strict(bad, default=""),
                pl.lit(field),
            ),
            expected=", ".join(sorted(listed)[:12]),
        ),
    ]
    return frame, combined_issues(issues)


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
    - with `decimal_comma` (files people write), a number whose decimal mark
      the whole column decides (intake/numbers.py: "12.5" or "12,5", thousands
      grouped with the other mark, spaces or apostrophes, scientific notation);
      a column that could be read either way ("1,757" alone) is not guessed:
      its ambiguous values are errors that ask for the mark, which the user
      names (`decimal_mark`: the job's option, --decimal-mark on the CLI);
    - without it (SDMX), a number with a decimal point and nothing else, 1234,
      12.5 or 3.5e-06;
    - with `censored`, a censored count such as <5, which has no number and
      keeps its marker: "without spaces" stores "< 5" as <5, "as written"
      stores it as it is;
    - one of `missing` (empty unless said otherwise): no number, "not
      available" unless the row says otherwise.
    Anything else is the error not_a_number, "`name` is not a number". With
    `whole`, a number that is not whole is no reading (counts)."""

    expected: str = ""  # what the issue says a value should be ("" says nothing)
    name: str = "the value"
    decimal_comma: bool = True
    censored: Literal["no", "without spaces", "as written"] = "no"
    missing: tuple[str, ...] = ("",)
    whole: bool = False

    @staticmethod
    def written(frame: pl.DataFrame) -> pl.Expr:
        """The value as the file writes it, without surrounding spaces ("" when the
        file has no value column)."""
        if "value" not in frame.columns:
            return pl.lit("")
        return pl.col("value").fill_null("").str.strip_chars()

    def decision(self, frame: pl.DataFrame, decimal_mark: str | None = None) -> numbers.Decision:
        """The decimal mark of the value column: the one the user named, the one
        the format fixes, or the one the column's values say."""
        if not self.decimal_comma:
            return numbers.Decision(mark=".")
        named = numbers.mark_option(decimal_mark)
        if named is not None:
            return numbers.Decision(mark=named)
        texts = frame.select(self.written(frame).alias("t"))["t"]
        return numbers.decide(texts.filter(~texts.str.contains(CENSORED)), whole=self.whole)

    def read(self, frame: pl.DataFrame, decimal_mark: str | None = None) -> pl.DataFrame:
        """`frame` with `_number`, the number as text with a decimal point (null
        without one), `censored`, the marker of a censored count ("" for none),
        and `_undecided`, whether the number cannot be known until the user
        names the decimal mark (see `issues`)."""
        written = self.written(frame)
        decision = self.decision(frame, decimal_mark)
        undecided: pl.Expr = pl.lit(value=False)
        if not self.decimal_comma:
            number: pl.Expr = pl.when(written.str.contains(STRICT_NUMBER)).then(written)
        elif decision.mark is not None:
            number = numbers.parse(written, decision.mark)
        else:
            undecided = numbers.ambiguous_texts(written, whole=self.whole) | (
                numbers.parse(written, ".").is_null() != numbers.parse(written, ",").is_null()
            )
            number = pl.when(~undecided).then(numbers.parse(written, "."))
        if self.whole:
            value = number.cast(pl.Float64, strict=False)
            number = pl.when(value == value.floor()).then(number)
        if self.censored == "no":
            censored: pl.Expr = pl.lit("")
        else:
            marker = (
                written.str.replace_all(" ", "") if self.censored == "without spaces" else written
            )
            censored = pl.when(written.str.contains(CENSORED)).then(marker).otherwise(pl.lit(""))
        return frame.with_columns(
            number.alias("_number"),
            censored.alias("censored"),
            (undecided & ~written.str.contains(CENSORED)).alias("_undecided"),
            pl.lit(decision.question if decision.mark is None else "").alias("_question"),
        )

    def issues(self, frame: pl.DataFrame, *, column: str | pl.Expr) -> pl.DataFrame:
        """For each row of `frame` (as `read` returns it): decimal_mark where the
        number waits for the user to name the decimal mark, not_a_number where
        the value is neither a number, a censored count nor missing; `column` is
        the file's header of the value."""
        text = self.written(frame)
        undecided = pl.col("_undecided")
        return combined_issues(
            [
                issues_where(
                    frame,
                    undecided,
                    column=column,
                    field_name="value",
                    value=text,
                    severity=ERROR,
                    code="decimal_mark",
                    message=pl.format(
                        "{}: nothing was read; choose the decimal mark (on the mapping "
                        "page, or --decimal-mark . or , on the command line)",
                        pl.col("_question"),
                    ),
                    expected="the file's decimal mark: “.” (12.5, 1,234.5) or “,” (12,5, 1.234,5)",
                ),
                issues_where(
                    frame,
                    ~undecided
                    & pl.col("_number").is_null()
                    & (pl.col("censored") == "")
                    & ~text.is_in(list(self.missing)),
                    column=column,
                    field_name="value",
                    value=text,
                    severity=ERROR,
                    code="not_a_number",
                    message=f"{self.name} is not a number"
                    + (" (a whole number is expected)" if self.whole else ""),
                    expected=self.expected,
                ),
            ]
        )


# --------------------------------------------------------------------------
# Rows


def other_country_issues(
    frame: pl.DataFrame, organisation: Organisation, *, area: str = "area", column: str | pl.Expr
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


# What an import into an existing dataset does to its current version.
ACTIONS = {
    "merge": "the current version with the file's cells added or changed",
    "replace": "the file's cells only: every other observation is removed",
    "delete": "the current version without the file's cells",
}
CELL = ["area", "time_period", "key"]


def action_of(job: ImportJob) -> str:
    """The action the user chose for the import (merge unless said otherwise)."""
    action = str(job.options.get("action") or "merge")
    if action not in ACTIONS:
        raise ValidationFailed(f"the action is one of {', '.join(ACTIONS)}, not {action!r}")
    return action


def base_version(job: ImportJob) -> Version | None:
    """The current version of the submission the import adds a version to: the
    latest, whatever its status."""
    return (
        Version.objects.filter(
            submission__organisation=job.organisation,
            submission__dataset=SUBMISSION_DATASET,
            submission__label=job.label,
        )
        .order_by("-number")
        .first()
    )


@dataclass
class Update:
    """What an import does to the current version (`base`), cell by cell (a cell:
    area, period and series key; a cell published twice counts once)."""

    action: str
    base: Version | None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    kept: int = 0
    removed: int = 0
    not_found: int = 0  # cells to delete that the current version does not hold
    examples: list[str] = dataclass_field(default_factory=list)  # "ALB 2005 x.y: 1 -> 2"
    keep: list[int] = dataclass_field(default_factory=list)  # base observations carried over

    @property
    def summary(self) -> str:
        if self.base is None:
            text = f"a new dataset: adds {self.added} cells"
            if self.not_found:
                text += f"; {self.not_found} cells to delete are not in it (nothing to delete)"
            return text
        of = f"version {self.base.number} ({self.base.get_status_display()})"
        parts = [f"{self.action}: adds {self.added}, changes {self.changed}"]
        if self.examples:
            parts[0] += f" ({'; '.join(self.examples)})"
        parts += [
            f"leaves {self.unchanged} as they are",
            f"keeps {self.kept}",
            f"removes {self.removed} cells of {of}",
        ]
        text = ", ".join(parts)
        if self.not_found:
            text += f"; {self.not_found} cells to delete are not in it"
        return text


def _value_text(frame: pl.DataFrame) -> pl.Series:
    """Each row's value as one comparable text: the number as number_text
    writes it (exact decimal arithmetic: 1.50, 1.5 and 1.5E+0 are one), the
    censored marker, or "" for none."""
    number = number_texts(frame["value"], stored=True)
    censored = frame["censored"].cast(pl.String).fill_null("")
    return pl.select(
        pl.when(censored != "").then(censored).otherwise(number).fill_null("")
    ).to_series()


def plan_update(
    rows: pl.DataFrame, *, job: ImportJob, dataflow: Dataflow, dimensions: list[str]
) -> Update:
    """What committing `rows` (the columns observations_write takes, and `_delete`
    for rows whose cell the file deletes, as SDMX-CSV's ACTION D) does to the
    current version, with the user's action (merge, replace or delete)."""
    action = action_of(job)
    base = base_version(job)
    keyed = rows.with_columns(
        pl.concat_str([pl.col(d).fill_null("") for d in dimensions], separator=".").alias("key"),
        pl.col("time_period").cast(pl.String),
        (pl.col("_delete") if "_delete" in rows.columns else pl.lit(value=False)).alias("_delete"),
    )
    if action == "delete":
        keyed = keyed.with_columns(pl.lit(value=True).alias("_delete"))
    update = Update(action=action, base=base)
    if base is None:
        update.added = keyed.filter(~pl.col("_delete")).select(CELL).unique().height
        update.not_found = keyed.filter(pl.col("_delete")).select(CELL).unique().height
        return update
    stored = pl.DataFrame(
        [
            (pk, area, period, key, None if value is None else str(value), censored)
            for pk, area, period, key, value, censored in selectors.flow_observations(dataflow)
            .filter(version=base)
            .values_list("pk", "area_id", "time_period", "key", "value", "censored")
        ],
        schema={
            "pk": pl.Int64,
            "area": pl.String,
            "time_period": pl.String,
            "key": pl.String,
            "value": pl.String,
            "censored": pl.String,
        },
        orient="row",
    )
    stored = stored.with_columns(_value_text(stored).alias("_old"))
    new = keyed.with_columns(_value_text(keyed).alias("_new"))
    written = new.filter(~pl.col("_delete"))
    deleted = new.filter(pl.col("_delete")).select(CELL).unique()
    old_cells = stored.group_by(CELL, maintain_order=True).agg(pl.col("_old").sort().str.join("; "))
    new_cells = written.group_by(CELL, maintain_order=True).agg(
        pl.col("_new").sort().str.join("; ")
    )
    both = new_cells.join(old_cells, on=CELL, how="inner")
    differ = both.filter(pl.col("_new") != pl.col("_old"))
    update.added = new_cells.join(old_cells, on=CELL, how="anti").height
    update.changed = differ.height
    update.unchanged = both.height - differ.height
    update.examples = [
        f"{r['area']} {r['time_period']} {r['key']}: {r['_old'] or 'nothing'} -> {r['_new']}"
        for r in differ.head(3).iter_rows(named=True)
    ]
    untouched = old_cells.join(new_cells, on=CELL, how="anti")
    if action == "replace":
        update.removed = untouched.height
        return update
    update.removed = untouched.join(deleted, on=CELL, how="semi").height
    update.not_found = deleted.join(old_cells, on=CELL, how="anti").height
    carried = untouched.join(deleted, on=CELL, how="anti")
    update.kept = carried.height
    update.keep = stored.join(carried, on=CELL, how="semi")["pk"].sort().to_list()
    return update


def update_issues(update: Update, rows: pl.DataFrame, *, column: str | pl.Expr) -> pl.DataFrame:
    """A warning on the first row saying what a replace or delete removes: the
    commit asks for it to be confirmed."""
    if not update.removed or rows.is_empty():
        return empty_issues()
    return issues_where(
        rows.head(1),
        pl.lit(value=True),
        column=column,
        field_name="action",
        value=pl.lit(update.action),
        severity=WARNING,
        code="removes_observations",
        message=f"this import removes {update.removed} cells of the current version "
        f"({update.summary}); committing it must be confirmed",
    )


def observations_commit(
    rows: pl.DataFrame,
    *,
    job: ImportJob,
    actor: ActorLike,
    dataflow: Dataflow,
    dimensions: list[str],
) -> Version:
    """A new version of the organisation's observations submission, in one
    transaction; its note names the import, the file and what it did. By the
    job's action: merge (the current version's other cells carried over, the
    file's added or changed), replace (the file's cells only) or delete (the
    current version less the file's cells). A replace or delete that removes
    cells needs the user's confirmation (the job's `confirmed` option)."""
    with transaction.atomic():
        update = plan_update(rows, job=job, dataflow=dataflow, dimensions=dimensions)
        if update.removed and not job.options.get("confirmed"):
            raise ValidationFailed(
                f"this import removes {update.removed} cells of the current version "
                f"({update.summary}): confirm it (the confirmation on the import's "
                "page, --confirm on the command line, confirm=true in the API)"
            )
        version = version_create(
            organisation=job.organisation,
            dataset=SUBMISSION_DATASET,
            label=job.label,
            actor=actor,
            note=f"import #{job.pk} of {job.upload.filename}: {update.summary}",
        )
        carried = 0
        if update.keep and update.base is not None:
            carried = observations_carry(
                update.base, version=version, pks=update.keep, dataflow=dataflow
            )
        written = rows
        if "_delete" in rows.columns:
            written = rows.filter(~pl.col("_delete")).drop("_delete")
        if update.action == "delete":
            written = written.head(0)
        version.row_count = carried + observations_write(
            written, version=version, dataflow=dataflow, dimensions=dimensions
        )
        version.save(update_fields=["row_count"])
    return version


def cell_entry(number: str | float | None, *, comment: str = "") -> Entry:
    """A questionnaire cell from an imported number: the number, or "not
    available" (status L) when the file gives none."""
    if number is None:
        return Entry(status="L", comment=comment)
    return Entry(value=Decimal(str(number)), comment=comment)
