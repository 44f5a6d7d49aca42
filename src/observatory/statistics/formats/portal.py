"""The office's data-portal long format: one observation per row in 13 columns
(Iso3_code, Country, Region, Subregion, Indicator, Dimension, Category, Sex, Age,
Year, Unit of measurement, VALUE or txtVALUE, Source).

Reading (the intake handler): the submission label names the dataflow
("DF_CTS_VIOLENT_SEXUAL", optionally followed by a year). Labels are read into
codes through the dataflow's codelists: by name, by code or by a known alias
("Oct-17" is 10-17, a warning says so); anything else is an error with the
closest known name as suggestion.

Writing: the visible observations of a dataflow in the order they were
reported, names from the codelists and the reference data's M49 regions,
disclosure control applied (VALUE, or txtVALUE where the structure suppresses
small counts)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

import polars as pl
from rapidfuzz import process

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.schema import FieldType as T
from observatory.intake.validation import (
    ERROR,
    WARNING,
    ValidationResult,
    empty_issues,
    issues_where,
)
from observatory.reference.matching import fold
from observatory.statistics import selectors
from observatory.statistics.cube.values import number_text, number_texts
from observatory.statistics.disclosure import COUNT, Disclosure
from observatory.statistics.exports import stream
from observatory.statistics.exports.stream import Tally, _regions
from observatory.statistics.formats.importing import (
    ValueFormat,
    combined_issues,
    confirmed_readings,
    dataflow_named,
    headers_by_field,
    observations_commit,
    other_country_issues,
    plan_update,
    repeated_cells,
    update_issues,
)
from observatory.statistics.models import Dataflow

# apps.py registers the submissions dataset under this name, imported from here.
from observatory.statistics.services import SUBMISSION_DATASET as SUBMISSION_DATASET
from observatory.submissions.models import Version

# --------------------------------------------------------------------------
# The data-portal long format


# The data-portal long format: 13 columns, the value as VALUE (or txtVALUE where
# small counts are published as "<5").
PORTAL = DatasetSchema(
    code="observations-unodc-portal",
    label="Statistics in the data-portal long format",
    fields=(
        Field(
            "area",
            "Iso3_code",
            T.AREA,
            required=True,
            synonyms=("Iso3_code", "iso3", "REF_AREA", "country code"),
        ),
        Field("country", "Country", synonyms=("Country",)),
        Field("region", "Region", synonyms=("Region",)),
        Field("subregion", "Subregion", synonyms=("Subregion", "Sub-region")),
        Field("indicator", "Indicator", required=True, synonyms=("Indicator",)),
        Field("dimension", "Dimension", required=True, synonyms=("Dimension",)),
        Field("category", "Category", required=True, synonyms=("Category",)),
        Field("sex", "Sex", required=True, synonyms=("Sex",)),
        Field("age", "Age", required=True, synonyms=("Age",)),
        Field(
            "year",
            "Year",
            T.INTEGER,
            required=True,
            minimum=1900,
            maximum=2100,
            synonyms=("Year", "TIME_PERIOD"),
        ),
        Field(
            "unit",
            "Unit of measurement",
            required=True,
            synonyms=("Unit of measurement", "Unit", "UNIT_MEASURE"),
        ),
        Field("value", "VALUE", required=True, synonyms=("VALUE", "txtVALUE", "OBS_VALUE")),
        Field("source", "Source", synonyms=("Source",)),
    ),
)

# Which portal column feeds which dimension of the dataflow's structure.
PORTAL_DIMENSIONS = {
    "indicator": "INDICATOR",
    "dimension": "DIMENSION",
    "category": "CATEGORY",
    "sex": "SEX",
    "age": "AGE",
    "unit": "UNIT_MEASURE",
}
PORTAL_COLUMNS = [
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "VALUE",
    "Source",
]


# --------------------------------------------------------------------------
# Reading

VALUES = ValueFormat(
    expected="a number (1234.5), or a censored count such as <5", censored="without spaces"
)


def hit_code(texts: list[str], lookup: dict[str, tuple[str, bool]]) -> str:
    """The code the spellings `texts` all read as."""
    return lookup[fold(texts[0])][0]


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
        # Two spellings of one label (case, spaces) are one code: said, not merged silently.
        spellings: dict[str, list[str]] = {}
        for text, hit in found.items():
            if hit and not hit[1]:
                spellings.setdefault(hit[0], []).append(text)
        merged = {
            text: f"“{text}” and “{'”, “'.join(sorted(set(texts) - {text}))}”"
            for texts in spellings.values()
            if len(texts) > 1
            for text in texts
            if text != codes[hit_code(texts, lookup)].name
        }
        if merged:
            issues.append(
                issues_where(
                    frame,
                    pl.col(field).is_in(list(merged)),
                    column=by_field.get(field, field),
                    field_name=field,
                    value=pl.col(field),
                    severity=WARNING,
                    code="merged_spelling",
                    message=pl.format(
                        "{} are spelt differently but name one {} ({}): read as one",
                        pl.col(field).replace_strict(merged, default=""),
                        pl.lit(dimension),
                        pl.col(dimension),
                    ),
                )
            )
        frame, readings = confirmed_readings(
            frame,
            text=field,
            read=dimension,
            job=job,
            codes=list(codes),
            names=structure.names.get(dimension, {}),
            column=by_field.get(field, field),
            field=dimension,
        )
        issues.append(readings)
        confirmed = set(frame.filter(pl.col(dimension).is_not_null())[field].unique().to_list())
        by_name = {code.name: code.code for code in codes.values()}
        unknown = {t: "" for t, f in found.items() if not f and t not in confirmed}
        for text in unknown:
            best = process.extractOne(text, names) if names and text else None
            # the closest code (its name in the message's list): a suggestion only
            unknown[text] = by_name[best[0]] if best and best[1] >= 70 else ""
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
    frame = VALUES.read(frame, job.options.get("decimal_mark"))
    issues.append(VALUES.issues(frame, column=by_field.get("value", "VALUE")))
    if "UNIT_MEASURE" in frame.columns:
        # A count is a whole number, but the office publishes a few estimated
        # counts with decimals (France's serious assaults 2010-2014: 231909.06):
        # kept as published, and said, so a misread value (1.757 offences) shows.
        number = pl.col("_number").cast(pl.Float64, strict=False)
        fraction = number.is_not_null() & (number != number.floor())
        issues.append(
            issues_where(
                frame,
                (pl.col("UNIT_MEASURE") == COUNT) & fraction,
                column=by_field.get("value", "VALUE"),
                field_name="value",
                value=VALUES.written(frame),
                severity=WARNING,
                code="count_not_whole",
                message=pl.format(
                    "a count with a decimal part: “{}” is kept as {}; check that it is one",
                    VALUES.written(frame),
                    pl.col("_number"),
                ),
                expected="a whole number, written without a decimal part",
            )
        )
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
    # The office uploads its own compilations of many countries in this format.
    office_compiles = True
    # An import into an existing dataset merges, replaces or deletes (formats/importing.py).
    takes_actions = True
    # A file of a family no dataflow holds yet defines one (formats/drafting.py).
    definable = True

    def check_label(self, label: str) -> None:
        """The label names a dataflow that exists (nothing is stored otherwise)."""
        code = label.split()[0] if label.strip() else ""
        if not code:
            raise ValidationFailed(
                "name the dataflow: the submission label (or --dataflow) is its id"
            )
        dataflow_named(code)

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        frame, issues, flow = coded(result.clean, job)
        structure = selectors.Structure(flow.structure)
        rows = _rows(frame, structure)
        update = plan_update(rows, job=job, dataflow=flow, dimensions=structure.dimensions)
        result.notes.append(f"What this import does: {update.summary}.")
        return combined_issues([issues, update_issues(update, frame, column="VALUE")])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        frame, _issues, flow = coded(rows, job)
        structure = selectors.Structure(flow.structure)
        return observations_commit(
            _rows(frame, structure),
            job=job,
            actor=actor,
            dataflow=flow,
            dimensions=structure.dimensions,
        )


def _written(frame: pl.DataFrame, structure: selectors.Structure) -> pl.Expr:
    """For each row, the file's texts that an export would write otherwise
    (column number of PORTAL_COLUMNS -> text; null where they agree)."""
    names = structure.names
    areas = structure.codes("REF_AREA")
    regions = _regions()
    area_names = {code: regions.get(code, (code, "", ""))[0] for code in regions}
    area_names.update({code: c.name for code, c in areas.items()})
    expected: dict[int, tuple[str, pl.Expr]] = {
        0: ("area_text", pl.col("area")),
        1: ("country", pl.col("area").replace_strict(area_names, default=pl.col("area"))),
        2: (
            "region",
            pl.col("area").replace_strict({c: r[1] for c, r in regions.items()}, default=""),
        ),
        3: (
            "subregion",
            pl.col("area").replace_strict({c: r[2] for c, r in regions.items()}, default=""),
        ),
        9: ("year_text", pl.col("year").cast(pl.String)),
    }
    for index, (field, dimension) in enumerate(
        [
            ("indicator", "INDICATOR"),
            ("dimension", "DIMENSION"),
            ("category", "CATEGORY"),
            ("sex", "SEX"),
            ("age", "AGE"),
        ],
        start=4,
    ):
        expected[index] = (
            field,
            pl.col(dimension).replace_strict(names.get(dimension, {}), default=pl.col(dimension)),
        )
    expected[10] = (
        "unit",
        pl.col("UNIT_MEASURE").replace_strict(
            names.get("UNIT_MEASURE", {}), default=pl.col("UNIT_MEASURE")
        ),
    )
    expected[11] = (
        "value",
        pl.when(pl.col("censored") != "").then(pl.col("censored")).otherwise(pl.col("_exported")),
    )
    fields = []
    for index, (column, export) in expected.items():
        if column not in frame.columns or not set(export.meta.root_names()) <= set(frame.columns):
            continue
        text = pl.col(column).cast(pl.String).fill_null("")
        fields.append(
            pl.when(text != export.cast(pl.String).fill_null("")).then(text).alias(str(index))
        )
    return pl.struct(fields).alias("written") if fields else pl.lit(None).alias("written")


def _rows(frame: pl.DataFrame, structure: selectors.Structure) -> pl.DataFrame:
    """The coded rows in the columns observations_write takes."""
    dimensions = structure.dimensions
    # What an export will write: the number as the database gives it back.
    frame = frame.with_columns(number_texts(frame["_number"], stored=True).alias("_exported"))
    return frame.select(
        "area",
        pl.col("year").cast(pl.String).alias("time_period"),
        *[pl.col(d) for d in dimensions],
        pl.col("_number").alias("value"),
        "censored",
        pl.col("source").fill_null("") if "source" in frame.columns else pl.lit("").alias("source"),
        pl.col(ROW_NUMBER).alias("source_row"),
        _written(frame, structure),
    )


# --------------------------------------------------------------------------
# Writing


VALUE_COLUMN = 11  # of PORTAL_COLUMNS


def portal_rows(
    *, actor: ActorLike, dataflow: Dataflow, tally: Tally | None = None
) -> Iterator[list[str]]:
    """The visible observations of `dataflow` as portal rows, in the order they
    were reported, disclosure control applied."""
    structure = selectors.Structure(dataflow.structure)
    names = structure.names
    areas = structure.codes("REF_AREA")
    regions = _regions()
    visible = selectors.current_observations(actor=actor, dataflow=dataflow)
    control = Disclosure.of(actor, dataflow, structure.dimensions).with_small_cells(visible)
    tally = tally if tally is not None else Tally()
    dims = ("INDICATOR", "DIMENSION", "CATEGORY", "SEX", "AGE")
    rows = visible.order_by("version_id", "source_row", "pk").values_list(
        "area_id",
        "dims",
        "time_period",
        "value",
        "censored",
        "source",
        "conf_status",
        "version__status",
        "written",
    )
    for area, dimensions, period, value, censored, source, conf, status, written in rows.iterator(
        chunk_size=stream.CHUNK
    ):
        tally.rows += 1
        tally.restricted += access.is_restricted(status)
        country, region, subregion = regions.get(area, (area, "", ""))
        if area in areas:
            country = areas[area].name
        shown = control.shown(
            area=area,
            period=period,
            dims=dimensions,
            value=value,
            censored=censored,
            conf_status=conf,
        )
        unit = dimensions.get("UNIT_MEASURE", "")
        row = [
            area,
            country,
            region,
            subregion,
            *(names.get(d, {}).get(dimensions.get(d, ""), dimensions.get(d, "")) for d in dims),
            period,
            names.get("UNIT_MEASURE", {}).get(unit, unit),
            shown.censored or number_text(shown.value),
            source,
        ]
        # The file's own texts come back as it wrote them; its value only where
        # disclosure control leaves the value as it was.
        for index, text in (written or {}).items():
            if not index.isdigit():
                continue  # a table of another layout wrote it (formats/annex.py)
            column = int(index)
            if column == VALUE_COLUMN and (
                shown.value != value or (shown.censored or "") != (censored or "")
            ):
                continue
            row[column] = text
        yield row


def write_portal(
    handle: IO[str], *, actor: ActorLike, dataflow: Dataflow, tally: Tally | None = None
) -> int:
    header = list(PORTAL_COLUMNS)
    if dataflow.structure.suppress_below:
        header[header.index("VALUE")] = "txtVALUE"
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in portal_rows(actor=actor, dataflow=dataflow, tally=tally):
        try:
            writer.writerow(row)
        except UnicodeEncodeError as error:
            raise ValidationFailed(
                f"row {count + 2} ({row[0]}, {row[9]}): “{error.object[error.start : error.end]}” "
                f"cannot be written in {getattr(handle, 'encoding', error.encoding)}; export "
                "in UTF-8 (the default) or "
                "another encoding that holds it. Nothing was written."
            ) from error
        count += 1
    return count
