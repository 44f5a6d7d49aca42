"""SDMX-CSV data files in (SDMX-CSV 2.0: STRUCTURE, STRUCTURE_ID, ACTION; 1.0:
DATAFLOW): self-describing, so no column mapping to confirm — every column named
by a component of the dataflow's structure is read as that component, and codes
must be codes of its codelists (exactly, as SDMX requires).

The dataflow comes from STRUCTURE_ID/DATAFLOW (`UNODC:DF_UN_CTS(1.0)`) or the
submission label."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from observatory.accounts.access import ActorLike
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER, RawTable, UnreadableFile
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.schema import FieldType as T
from observatory.intake.services import read_upload
from observatory.intake.validation import ERROR, ValidationResult, empty_issues, issues_where
from observatory.statistics import selectors
from observatory.statistics.formats.importing import (
    ValueFormat,
    combined_issues,
    dataflow_named,
    observations_commit,
    other_country_issues,
    plan_update,
    update_issues,
)
from observatory.statistics.models import Dataflow
from observatory.submissions.models import Version

SDMX_CSV = DatasetSchema(
    code="observations-sdmx-csv",
    label="Statistics in SDMX-CSV",
    fields=(
        Field("structure", "STRUCTURE (dataflow, datastructure...)", synonyms=("STRUCTURE",)),
        Field("structure_id", "STRUCTURE_ID", synonyms=("STRUCTURE_ID", "DATAFLOW")),
        Field("action", "ACTION", synonyms=("ACTION",)),
        Field("area", "REF_AREA", T.AREA, required=True, synonyms=("REF_AREA",)),
        Field("time_period", "TIME_PERIOD", required=True, synonyms=("TIME_PERIOD",)),
        Field("value", "OBS_VALUE", synonyms=("OBS_VALUE",)),
        Field("obs_status", "OBS_STATUS", synonyms=("OBS_STATUS",)),
        Field("conf_status", "CONF_STATUS", synonyms=("CONF_STATUS",)),
        Field("comment", "COMMENT", synonyms=("COMMENT", "OBS_COMMENT")),
        Field("source", "SOURCE", synonyms=("SOURCE",)),
    ),
)
URN = re.compile(r"^(?:(?P<agency>[\w.\-]+):)?(?P<id>[\w\-]+)(?:\((?P<version>[\w.]+)\))?$")
PERIOD = r"^\d{4}(-(Q[1-4]|S[12]|M?\d{2}))?$"
# SDMX writes numbers with a decimal point and a missing value as NaN or nothing.
VALUES = ValueFormat(
    expected="a number with a decimal point, or NaN / empty for a missing value",
    name="OBS_VALUE",
    decimal_comma=False,
    censored="as written",
    missing=("", "NaN"),
)


def dataflow_of(job: ImportJob, frame: pl.DataFrame) -> Dataflow:
    ids = []
    if "structure_id" in frame.columns:
        ids = [t for t in frame["structure_id"].drop_nulls().unique().to_list() if t]
    if len(ids) > 1:
        raise ValidationFailed(f"the file holds several dataflows: {', '.join(sorted(ids))}")
    text = ids[0] if ids else (job.label or "").split(" ")[0]
    match = URN.match(text or "")
    if not match:
        raise ValidationFailed(
            "name the dataflow: a STRUCTURE_ID column (UNODC:DF_UN_CTS(1.0)) or the label"
        )
    return dataflow_named(match["id"], match["version"])


def coded(frame: pl.DataFrame, job: ImportJob) -> tuple[pl.DataFrame, pl.DataFrame, Dataflow]:
    flow = dataflow_of(job, frame)
    structure = selectors.Structure(flow.structure)
    raw = read_upload(job.upload).cells
    missing = [d for d in structure.dimensions if d not in raw.columns]
    if missing:
        raise ValidationFailed(
            f"the file has no column for {', '.join(missing)} (dimensions of {flow.code})"
        )
    frame = frame.join(raw.select(ROW_NUMBER, *structure.dimensions), on=ROW_NUMBER, how="left")
    issues = [empty_issues()]
    for dimension in structure.dimensions:
        codes = sorted(structure.codes(dimension))
        issues.append(
            issues_where(
                frame,
                ~pl.col(dimension).fill_null("").is_in(codes),
                column=dimension,
                field_name=dimension,
                value=pl.col(dimension),
                severity=ERROR,
                code="unknown_code",
                message=pl.format(
                    "“{}” is not a code of {} in {}",
                    pl.col(dimension),
                    pl.lit(dimension),
                    pl.lit(flow.code),
                ),
                expected=", ".join(codes[:12]) + (" …" if len(codes) > 12 else ""),
            )
        )
    frame = VALUES.read(frame)
    issues.append(VALUES.issues(frame, column="OBS_VALUE"))
    issues.append(
        issues_where(
            frame,
            ~pl.col("time_period").fill_null("").str.contains(PERIOD),
            column="TIME_PERIOD",
            field_name="time_period",
            value=pl.col("time_period"),
            severity=ERROR,
            code="period",
            message="TIME_PERIOD is not an SDMX period",
            expected="2024, 2024-Q1, 2024-S1 or 2024-03",
        )
    )
    # SDMX-CSV says per row what to do: D deletes the cell; I, A, R and M (or
    # nothing) add or change it.
    action = pl.col("action").fill_null("I").str.strip_chars().str.to_uppercase()
    frame = frame.with_columns(
        (action == "D" if "action" in frame.columns else pl.lit(value=False)).alias("_delete")
    )
    if "action" in frame.columns:
        issues.append(
            issues_where(
                frame,
                ~action.is_in(["", "I", "A", "R", "M", "D"]),
                column="ACTION",
                field_name="action",
                value=pl.col("action"),
                severity=ERROR,
                code="action",
                message="ACTION is not an SDMX action",
                expected="I (information), A (append), R (replace), M (merge) or D (delete)",
            )
        )
    issues.append(other_country_issues(frame, job.organisation, column="REF_AREA"))
    return frame, combined_issues(issues), flow


class SdmxCsvHandler:
    schema = SDMX_CSV
    # The office uploads its own compilations of many countries in this format.
    office_compiles = True
    # An import into an existing dataset merges, replaces or deletes (formats/importing.py).
    takes_actions = True
    fixed_layout = True  # columns are named by the structure: nothing to map

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        frame, issues, flow = coded(result.clean, job)
        structure = selectors.Structure(flow.structure)
        rows = _rows(frame, structure.dimensions)
        update = plan_update(rows, job=job, dataflow=flow, dimensions=structure.dimensions)
        result.notes.append(f"What this import does: {update.summary}.")
        return combined_issues([issues, update_issues(update, frame, column="OBS_VALUE")])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        frame, _issues, flow = coded(rows, job)
        structure = selectors.Structure(flow.structure)
        return observations_commit(
            _rows(frame, structure.dimensions),
            job=job,
            actor=actor,
            dataflow=flow,
            dimensions=structure.dimensions,
        )


def _rows(frame: pl.DataFrame, dimensions: list[str]) -> pl.DataFrame:
    """The coded rows in the columns observations_write takes, with `_delete`."""
    present = set(frame.columns)

    def column(name: str) -> pl.Expr:
        return (pl.col(name) if name in present else pl.lit(None, dtype=pl.String)).alias(name)

    return frame.select(
        "area",
        "time_period",
        *[pl.col(d) for d in dimensions],
        pl.col("_number").alias("value"),
        "censored",
        column("obs_status"),
        column("conf_status"),
        column("comment"),
        column("source"),
        pl.col(ROW_NUMBER).alias("source_row"),
        "_delete",
    )


# --------------------------------------------------------------------------
# SDMX-ML 2.1 data messages (generic or structure-specific), read with pysdmx.

SDMX_ML = DatasetSchema(
    code="observations-sdmx-ml", label="Statistics in SDMX-ML 2.1", fields=SDMX_CSV.fields
)


# An SDMX-ML data message nests a handful of levels (message, data set, series,
# observation); a document nested deeper is no data message, and parsing one
# whole (2 million levels) took a gigabyte.
MAX_XML_DEPTH = 32


def check_xml(path: Path, filename: str) -> None:
    """Refuse, streaming and in constant memory, a document that is not
    well-formed or nests deeper than MAX_XML_DEPTH (no DTD, no entities)."""
    from lxml import etree

    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnreadableFile(
            f"{filename} declares a document type or entities: SDMX-ML messages have "
            "none; it was refused"
        )
    depth = 0
    try:
        for event, element in etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        ):
            if event == "start":
                depth += 1
                if depth > MAX_XML_DEPTH:
                    raise UnreadableFile(
                        f"{filename} nests elements more than {MAX_XML_DEPTH} levels deep: "
                        "not an SDMX-ML data message; it was refused"
                    )
            else:
                depth -= 1
                element.clear()
    except etree.XMLSyntaxError as error:
        reason = getattr(error, "msg", "") or str(error)
        raise UnreadableFile(
            f"{filename} is not an SDMX-ML data message: not well-formed XML "
            f"({reason.split(' (')[0]}; line {error.lineno})"
        ) from error


def read_sdmx_ml(path: Path, filename: str) -> RawTable:
    """One data set of an SDMX-ML message as a table of texts with the component
    ids as columns and STRUCTURE_ID from the message (`UNODC:DF_X(1.0)`)."""
    from pysdmx.io import read_sdmx

    check_xml(path, filename)
    try:
        message = read_sdmx(path, validate=False)
    except Exception as error:  # pysdmx raises several kinds for a bad document
        raise UnreadableFile(f"{filename} is not an SDMX-ML data message: {error}") from error
    datasets = message.data or []
    if len(datasets) != 1:
        raise UnreadableFile(
            f"{filename} holds {len(datasets)} data sets: send one data set per file"
        )
    dataset = datasets[0]
    data = dataset.data  # type: ignore[attr-defined]  # a PandasDataset
    frame = pl.from_pandas(data.astype("string")).with_columns(pl.all().cast(pl.String))
    urn = str(dataset.short_urn).split("=", 1)[-1]
    # The data set's action (SDMX-ML DataSetAction): Delete removes its cells;
    # Append, Replace and Information add or change them, as SDMX-CSV's ACTION.
    action = getattr(getattr(dataset, "action", None), "value", "") or ""
    frame = (
        frame.with_columns(
            pl.lit(urn).alias("STRUCTURE_ID"),
            pl.lit("D" if str(action).lower() == "delete" else "I").alias("ACTION"),
        )
        .with_row_index(ROW_NUMBER, offset=1)
        .with_columns(pl.col(ROW_NUMBER).cast(pl.Int64))
    )
    headers = [c for c in frame.columns if c != ROW_NUMBER]
    return RawTable(
        frame=frame.select(*headers, ROW_NUMBER),
        headers=headers,
        notes=[f"SDMX-ML data set of {urn}, {frame.height} observations"],
    )


class SdmxMlHandler(SdmxCsvHandler):
    schema = SDMX_ML
    fixed_layout = True

    def read_upload(self, path: Path, filename: str) -> RawTable:
        return read_sdmx_ml(path, filename)
