"""Tables of any layout read against a dataflow's structure: the office's annex
workbooks (wide by year, one sheet per drug, typical/minimum/maximum columns)
and long tables alike (`observatory import observations FILE --format annex
--dataflow DF_DRUG_SEIZURES`).

Reading (`read_upload`): every sheet of a workbook (or the one table of a CSV),
its header row found below title lines, stacked with the sheet's name; a
sheet with no table is skipped, and said.

The layout of each sheet is decided from its headers and the structure, never
guessed:
- a header naming a component (its id, name or `headers` in the definition)
  is that component's column, its cells labels read as codes (exactly: a
  name, code or alias; areas and drugs also by their known names);
- a header that is a year (2019) is a value column of that period;
- a header that is a code, name or alias of one dimension (Best, Typical,
  Retail) is a value column with that code;
- VALUE, OBS_VALUE or Value is the value column of a long table;
- Source, Comment or Notes feed the attributes; Region, Subregion, Drug group
  restate what the codes say and are not read; any other header is not read
  either, and the note names every column not read.
A dimension with no column takes the sheet's name where that is one of its
codes, else the value given for the import (--set DIM=CODE, the upload form),
else the structure's default, and the note says which; with none of these the
import stops and names it. Every non-empty value cell is one observation;
`..`, `-` and `n.a.` are "not available", kept as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from rapidfuzz import process

from observatory.accounts.access import ActorLike
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import (
    EXCEL_SUFFIXES,
    NUMERIC_PREFIX,
    ROW_NUMBER,
    SHEET_ROWS,
    RawTable,
    UnreadableFile,
    read_excel_path,
    read_table,
    sheet_names,
)
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.services import read_upload
from observatory.intake.validation import (
    ERROR,
    ValidationResult,
    empty_issues,
    issues_where,
)
from observatory.reference.matching import fold
from observatory.reference.normalise import normaliser
from observatory.statistics import selectors
from observatory.statistics.cube.values import GROUP
from observatory.statistics.formats.importing import (
    ValueFormat,
    combined_issues,
    confirmed_readings,
    observations_commit,
    other_country_issues,
    plan_update,
    update_issues,
)
from observatory.statistics.formats.portal import PortalHandler, dataflow_of
from observatory.statistics.models import Component, Dataflow
from observatory.submissions.models import Version

SHEET = "__sheet__"
ANNEX = DatasetSchema(
    code="observations-annex",
    label="Statistics in tables of any layout (annex workbooks, wide or long)",
    fields=(Field("sheet", "Sheet", synonyms=(SHEET,)),),
)
YEAR = re.compile(r"^(1[89]|20|21)\d{2}(\.0)?$")
LONG_VALUE = {fold(t) for t in ("VALUE", "OBS_VALUE", "txtVALUE", "Observation value", "Values")}
ATTRIBUTES = {
    **{fold(t): "source" for t in ("Source", "Sources", "Source of data", "Data source")},
    **{
        fold(t): "comment"
        for t in ("Comment", "Comments", "Note", "Notes", "Footnote", "Footnotes", "Remarks")
    },
}
# Columns that restate what the codes say (an area's region, a drug's group).
RESTATING = {
    fold(t)
    for t in (
        "Region",
        "Subregion",
        "Sub-region",
        "Sub region",
        "Drug group",
        "Drug Group",
        "DrugGroup",
        "Drug sub-group",
        "Drug subgroup",
        "DrugSubGroup",
        "Drug sub group",
        "Continent",
    )
}
MISSING = ("", "..", "...", "-", "–", "—", "n.a.", "N/A", "NA", "n/a")
VALUES = ValueFormat(
    expected="a number (1234.5), a censored value such as <0.1, or .. / - for not available",
    censored="as written",
    missing=MISSING,
)
# Where a value cell is: its sheet and its column (the row is the issue's row).
LOCATION = pl.format("{}: {}", pl.col(SHEET), pl.col("_header"))


# --------------------------------------------------------------------------
# Reading


def read_annex(path: Path, filename: str) -> RawTable:
    """Every sheet with a table, stacked (columns by header; a header a sheet
    lacks is null there), rows numbered sheet by sheet (SHEET_ROWS apart)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        table = read_table(path, filename=filename)
        frame = table.frame.with_columns(pl.lit(table.sheet or Path(filename).stem).alias(SHEET))
        return RawTable(
            frame=frame,
            headers=[SHEET, *table.headers],
            encoding=table.encoding,
            notes=table.notes,
        )
    frames, headers, notes = [], [SHEET], []
    for index, name in enumerate(sheet_names(path)):
        try:
            table = read_excel_path(path, sheet=name)
        except UnreadableFile as error:
            notes.append(f"sheet “{name}” not read: {error}")
            continue
        table = _grouped(path, name, table)
        frames.append(
            table.frame.with_columns(
                pl.lit(name).alias(SHEET),
                (pl.col(ROW_NUMBER) + index * SHEET_ROWS).alias(ROW_NUMBER),
            )
        )
        headers += [h for h in table.headers if h not in headers]
    if not frames:
        raise UnreadableFile("no sheet of the workbook holds a table")
    return RawTable(frame=pl.concat(frames, how="diagonal"), headers=headers, notes=notes)


def _grouped(path: Path, sheet: str, table: RawTable) -> RawTable:
    """Where a header row repeats its labels (Best, Low, High under Males and
    again under Females), the row above says what tells them apart: those
    columns are named "Males › Best" (each group label spans the columns up to
    the next one, as merged cells show it). Otherwise the table as it is."""
    from python_calamine import CalamineWorkbook

    texts = [h for h in table.headers if h != ROW_NUMBER]
    # Only a header row that repeats a label (the reader named the copy "Best (2)")
    # has groups to find: the sheet is read again for its row above only then.
    if table.header_row < 2 or not any(re.search(r" \(\d+\)$", h) for h in texts):
        return table
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )
    header = [str(c).strip() if c not in (None, "") else "" for c in rows[table.header_row - 1]]
    above = [str(c).strip() if c not in (None, "") else "" for c in rows[table.header_row - 2]]
    labels = [h for h in header if h]
    if len(set(map(fold, labels))) == len(labels) or not any(above[1:]):
        return table
    groups, current = [], ""
    for index in range(len(header)):
        label = above[index] if index < len(above) else ""
        current = label or current
        groups.append(current if header[index] else "")
    renamed: dict[str, str] = {}
    columns = [h for h in texts if not h.startswith(NUMERIC_PREFIX)]
    for index, name in enumerate(columns):
        if index < len(groups) and groups[index]:
            base = re.sub(r" \(\d+\)$", "", name) if header[index] != name else name
            renamed[name] = f"{groups[index]}{GROUP}{base}"
    if not renamed:
        return table
    frame = table.frame.rename(
        {
            **renamed,
            **{
                f"{NUMERIC_PREFIX}{old}": f"{NUMERIC_PREFIX}{new}"
                for old, new in renamed.items()
                if f"{NUMERIC_PREFIX}{old}" in table.frame.columns
            },
        }
    )
    return RawTable(
        frame=frame,
        headers=[renamed.get(h, h) for h in table.headers],
        sheet=table.sheet,
        header_row=table.header_row,
        notes=table.notes,
    )


# --------------------------------------------------------------------------
# Layout


@dataclass
class Lookup:
    """Texts to codes for one component: names, codes and aliases of its list
    (areas and drugs also by every name the reference data know)."""

    component: str
    codes: dict[str, str]  # folded text -> code
    names: list[str]
    kind: str = ""  # "area" or "drug": the reference normaliser is asked too

    def code(self, text: str) -> str | None:
        found = self.codes.get(fold(text))
        if found is None and self.kind and text.strip():
            match = normaliser(self.kind).match(text)  # type: ignore[arg-type]
            if match.code is not None and match.confidence == 1.0:
                found = match.code if self.kind == "area" else _drug_code(match.code)
        return found

    def suggestion(self, text: str) -> str:
        """The code of the closest name (a suggestion, never read as the code)."""
        best = process.extractOne(text, self.names) if self.names and text else None
        return self.codes.get(fold(str(best[0])), "") if best and best[1] >= 70 else ""


def _some(names: list[str]) -> str:
    return ", ".join(names[:12]) + (" …" if len(names) > 12 else "")


def _drug_code(code: str) -> str:
    return code.upper().replace("-", "_")


def lookups(structure: selectors.Structure) -> dict[str, Lookup]:
    found = {}
    for dimension in ["REF_AREA", *structure.dimensions]:
        codes = structure.codes(dimension)
        table: dict[str, str] = {}
        for code in codes.values():
            for text in (code.code, *code.aliases):
                table.setdefault(fold(text), code.code)
        for code in codes.values():
            table[fold(code.name)] = code.code
        listed = structure.by_code[dimension].codelist
        kind = "area" if dimension == "REF_AREA" else ""
        if listed is not None and listed.code == "CL_DRUG":
            kind = "drug"
        found[dimension] = Lookup(dimension, table, [c.name for c in codes.values()], kind=kind)
    return found


@dataclass
class SheetLayout:
    sheet: str
    labels: dict[str, str] = field(default_factory=dict)  # component -> header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # header -> fixed codes
    attributes: dict[str, str] = field(default_factory=dict)  # source/comment -> header
    fixed: dict[str, tuple[str, str]] = field(default_factory=dict)  # dim -> (code, why)
    unread: list[str] = field(default_factory=list)
    restating: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def note(self) -> str:
        parts = [f"{c} from “{h}”" for c, h in self.labels.items()]
        years = [h for h, fixed in self.values.items() if set(fixed) == {"TIME_PERIOD"}]
        if years:
            parts.append(f"TIME_PERIOD from {len(years)} year columns ({years[0]}–{years[-1]})")
        others = [h for h in self.values if h not in years]
        if others:
            parts.append("values in " + ", ".join(f"“{h}”" for h in others))
        parts += [f"{d} {code} ({why})" for d, (code, why) in self.fixed.items()]
        text = f"sheet “{self.sheet}”: " + "; ".join(parts)
        if self.restating:
            text += "; not read (they restate the codes): " + ", ".join(self.restating)
        if self.unread:
            text += "; not read: " + ", ".join(f"“{h}”" for h in self.unread)
        return text


def _component_headers(structure: selectors.Structure) -> dict[str, str]:
    """Folded header -> component id (the id, the name, the definition's headers;
    the first component that claims a header has it)."""
    found: dict[str, str] = {}
    for component in structure.components:
        if component.role not in {Component.Role.DIMENSION, Component.Role.TIME}:
            continue
        for text in (component.code, component.name, *component.reading.get("headers", [])):
            if text:
                found.setdefault(fold(text), component.code)
    return found


def sheet_layout(
    sheet: str,
    headers: list[str],
    *,
    structure: selectors.Structure,
    found: dict[str, Lookup],
    fixed: dict[str, str],
) -> SheetLayout:
    layout = SheetLayout(sheet)
    named = _component_headers(structure)
    time = structure.time_dimension
    for header in headers:
        key = fold(header)
        component = named.get(key)
        if component is not None and component not in layout.labels:
            layout.labels[component] = header
        elif key in ATTRIBUTES and ATTRIBUTES[key] not in layout.attributes:
            layout.attributes[ATTRIBUTES[key]] = header
        elif YEAR.match(header.strip()):
            layout.values[header] = {time: header.strip()[:4]}
        elif key in LONG_VALUE:
            layout.values[header] = {}
        elif key in RESTATING or component is not None:
            layout.restating.append(header)
        elif GROUP in header:
            group, _sep, base = header.partition(GROUP)
            over = _hits(group, found, plural=True)
            under = {time: base.strip()[:4]} if YEAR.match(base.strip()) else _hits(base, found)
            if len(over) == 1 and len(under) == 1 and set(over) != set(under):
                layout.values[header] = {**over, **under}
            else:
                layout.unread.append(header)
        else:
            hits = _hits(header, found)
            if len(hits) == 1:
                layout.values[header] = hits
            else:
                layout.unread.append(header)
    given = set(layout.labels)
    for fixes in layout.values.values():
        given |= set(fixes)
    for dimension in ["REF_AREA", *structure.dimensions, time]:
        if dimension in given:
            continue
        lookup = found.get(dimension)
        sheet_code = lookup.code(sheet) if lookup else None
        if sheet_code is not None:
            layout.fixed[dimension] = (sheet_code, "the sheet's name")
        elif dimension in fixed:
            text = fixed[dimension]
            code = lookup.code(text) if lookup else text
            if code is None:
                raise ValidationFailed(
                    f"the value given for {dimension}, “{text}”, is not one of its codes"
                )
            layout.fixed[dimension] = (code, "given for the import")
        elif structure.by_code[dimension].reading.get("default"):
            default = structure.by_code[dimension].reading["default"]
            layout.fixed[dimension] = (default, "the dataflow's default")
        else:
            layout.missing.append(dimension)
    return layout


def _hits(text: str, found: dict[str, Lookup], *, plural: bool = False) -> dict[str, str]:
    """The dimensions (not the area) one of whose codes the text names exactly;
    a group label may name it in the plural (Males, Females)."""
    keys = [fold(text)]
    if plural and keys[0].endswith("s"):
        keys.append(keys[0][:-1])
    for key in keys:
        hits = {
            d: lookup.codes[key]
            for d, lookup in found.items()
            if d != "REF_AREA" and key in lookup.codes
        }
        if hits:
            return hits
    return {}


# --------------------------------------------------------------------------
# Cells


def _sheet_headers(raw: pl.DataFrame, sheet: str, headers: list[str]) -> list[str]:
    part = raw.filter(pl.col(SHEET) == sheet)
    return [
        h
        for h in headers
        if h != SHEET and h in part.columns and part[h].null_count() < part.height
    ]


def cells(raw: RawTable, job: ImportJob) -> tuple[pl.DataFrame, pl.DataFrame, Dataflow, list[str]]:
    """One row per value cell with its codes, the issues, the dataflow and the
    notes saying how each sheet was read."""
    flow = dataflow_of(job)
    structure = selectors.Structure(flow.structure)
    found = lookups(structure)
    fixed = {str(k): str(v) for k, v in (job.options.get("fixed") or {}).items()}
    unknown = sorted(set(fixed) - {"REF_AREA", *structure.dimensions, structure.time_dimension})
    if unknown:
        raise ValidationFailed(
            f"{', '.join(unknown)} is not a dimension of {flow.code}: "
            f"{', '.join(structure.dimensions)}"
        )
    frame = raw.frame
    time = structure.time_dimension
    parts, notes, problems = [], [], []
    for sheet in frame[SHEET].unique(maintain_order=True).to_list():
        headers = _sheet_headers(frame, sheet, raw.headers)
        layout = sheet_layout(sheet, headers, structure=structure, found=found, fixed=fixed)
        if not layout.values:
            notes.append(f"sheet “{sheet}” not read: it has no value column")
            continue
        if layout.missing:
            problems.append(
                f"sheet “{sheet}”: nothing says {', '.join(layout.missing)} (no column, the "
                "sheet's name is not one of its codes, and no value was given: --set "
                f"{layout.missing[0]}=CODE on the command line, “Values for the whole file” "
                "on the upload page)"
            )
            continue
        notes.append(layout.note())
        rows = frame.filter(pl.col(SHEET) == sheet)
        # The row's other cells as the file has them (value cells left out: an
        # export shows each value through disclosure control), for the export
        # in the file's own layout.
        others = pl.concat_list(
            [
                pl.lit(None, dtype=pl.String) if h in layout.values else pl.col(h).fill_null("")
                for h in headers
            ]
        ).alias("_cells")
        numbers = pl.concat_list(
            [
                pl.col(f"{NUMERIC_PREFIX}{h}").fill_null(value=False)
                if f"{NUMERIC_PREFIX}{h}" in rows.columns and h not in layout.values
                else pl.lit(value=False)
                for h in headers
            ]
        ).alias("_numbers")
        for header, codes in layout.values.items():
            numeric = f"{NUMERIC_PREFIX}{header}"
            part = rows.select(
                ROW_NUMBER,
                pl.col(SHEET),
                pl.lit(header).alias("_header"),
                pl.lit(headers.index(header)).alias("_position"),
                pl.concat_list([pl.lit(h) for h in headers]).alias("_headers"),
                others,
                numbers,
                pl.col(header).fill_null("").alias("value"),
                (pl.col(numeric) if numeric in rows.columns else pl.lit(value=False)).alias(
                    "_typed"
                ),
                *[pl.col(h).fill_null("").alias(f"_text_{c}") for c, h in layout.labels.items()],
                *[pl.col(h).fill_null("").alias(a) for a, h in layout.attributes.items()],
                *[pl.lit(code).alias(d) for d, code in codes.items()],
                *[pl.lit(code).alias(d) for d, (code, _why) in layout.fixed.items()],
            )
            parts.append(part.filter(pl.col("value").str.strip_chars() != ""))
    if problems:
        raise ValidationFailed("; ".join(problems))
    if not parts:
        raise ValidationFailed(
            f"no sheet has a value column for {flow.code}: a year (2019), a code of a "
            "dimension (Best, Typical) or VALUE"
        )
    long = pl.concat(parts, how="diagonal")
    long = long.with_columns(
        pl.lit(None, dtype=pl.String).alias(c)
        for c in ["REF_AREA", *structure.dimensions, time]
        if c not in long.columns
    )
    issues = [empty_issues()]
    location = LOCATION
    for component in ["REF_AREA", *structure.dimensions, time]:
        text = f"_text_{component}"
        if text not in long.columns:
            continue
        if component == time:
            long = long.with_columns(
                pl.when(pl.col(component).is_null())
                .then(pl.col(text).str.strip_chars().str.replace(r"\.0$", ""))
                .otherwise(pl.col(component))
                .alias(component)
            )
            continue
        lookup = found[component]
        texts = long[text].unique().to_list()
        read: dict[str, str | None] = {t: lookup.code(t) for t in texts}
        long = long.with_columns(
            pl.when(pl.col(component).is_null())
            .then(pl.col(text).replace_strict(read, default=None, return_dtype=pl.String))
            .otherwise(pl.col(component))
            .alias(component)
        )
        long, readings = confirmed_readings(
            long,
            text=text,
            read=component,
            job=job,
            codes=list(structure.codes(component)),
            names=structure.names.get(component, {}),
            column=location,
            field=component,
        )
        issues.append(readings)
        confirmed = set(long.filter(pl.col(component).is_not_null())[text].unique().to_list())
        unknown_texts = {
            t: lookup.suggestion(t) for t, c in read.items() if c is None and t not in confirmed
        }
        issues.append(
            issues_where(
                long,
                pl.col(text).is_in(list(unknown_texts)) & pl.col(component).is_null(),
                column=location,
                field_name=component,
                value=pl.col(text),
                severity=ERROR,
                code="unknown_code",
                message=pl.format(
                    "“{}” is not a known {} of {}",
                    pl.col(text),
                    pl.lit(component),
                    pl.lit(flow.code),
                ),
                expected=", ".join(lookup.names[:12]) + (" …" if len(lookup.names) > 12 else ""),
                suggestion=pl.col(text).replace_strict(
                    unknown_texts, default="", return_dtype=pl.String
                ),
            )
        )
    long = long.with_columns(pl.col(time).cast(pl.String))
    issues.append(
        issues_where(
            long,
            ~pl.col(time).fill_null("").str.contains(r"^\d{4}(-(Q[1-4]|S[12]|M?\d{2}))?$"),
            column=location,
            field_name=time,
            value=pl.col(time),
            severity=ERROR,
            code="period",
            message="not a year or period",
            expected="2024, 2024-Q1 or 2024-03",
        )
    )
    long = _values(long, job)
    issues.append(VALUES.issues(long.filter(~pl.col("_typed")), column=location))
    long = long.rename({"REF_AREA": "area"})
    issues.append(other_country_issues(long, job.organisation, column=location))
    repeated = long.filter(
        pl.struct(
            ["area", *[d for d in structure.dimensions if d != "REF_AREA"], time]
        ).is_duplicated()
    )
    if not repeated.is_empty():
        issues.append(
            issues_where(
                repeated,
                pl.lit(value=True),
                column=location,
                field_name="value",
                value=pl.col("value"),
                severity=ERROR,
                code="repeated_cell",
                message="another cell of the file gives the same observation",
            )
        )
    return long, combined_issues(issues), flow, notes


def _values(long: pl.DataFrame, job: ImportJob) -> pl.DataFrame:
    """Numbers: Excel's typed cells as they are, text cells read with the decimal
    mark all the file's text values decide (or the user names)."""
    typed = long.filter(pl.col("_typed"))
    text = long.filter(~pl.col("_typed"))
    text = VALUES.read(text, job.options.get("decimal_mark"))
    typed = typed.with_columns(
        pl.col("value").str.strip_chars().alias("_number"),
        pl.lit("").alias("censored"),
        pl.lit(value=False).alias("_undecided"),
        pl.lit("").alias("_question"),
    )
    return pl.concat([text, typed], how="diagonal").sort(ROW_NUMBER, "_header")


# --------------------------------------------------------------------------
# The intake handler


def _rows(long: pl.DataFrame, structure: selectors.Structure) -> pl.DataFrame:
    """The cells in the columns observations_write takes; `written` keeps where
    each came from (sheet, value column) and the file's texts, so that what went
    in can be shown as it was."""
    time = structure.time_dimension
    present = set(long.columns)
    texts = [c for c in long.columns if c.startswith("_text_")]
    missing = pl.col("_number").is_null() & (pl.col("censored") == "")
    return long.select(
        "area",
        pl.col(time).alias("time_period"),
        *[pl.col(d) for d in structure.dimensions],
        pl.col("_number").alias("value"),
        "censored",
        pl.when(missing).then(pl.lit("L")).otherwise(pl.lit("A")).alias("obs_status"),
        (pl.col("source") if "source" in present else pl.lit("")).fill_null("").alias("source"),
        (pl.col("comment") if "comment" in present else pl.lit("")).fill_null("").alias("comment"),
        pl.col(ROW_NUMBER).alias("source_row"),
        pl.struct(
            pl.col(SHEET).alias("sheet"),
            pl.col("_header").alias("column"),
            pl.col("_position").alias("position"),
            pl.col("_typed").alias("typed"),
            pl.col("value").alias("value"),
            pl.col("_headers").alias("headers"),
            pl.col("_cells").alias("cells"),
            pl.col("_numbers").alias("numbers"),
            pl.struct([pl.col(t).alias(t.removeprefix("_text_")) for t in texts]).alias("labels"),
        ).alias("written"),
    )


class AnnexHandler:
    schema = ANNEX
    # The office uploads its compilations (the drug report's annex tables).
    office_compiles = True
    takes_actions = True
    fixed_layout = True  # the headers and the structure decide: nothing to map
    # Dimensions a file does not state can be given for the whole file (--set).
    takes_fixed = True

    # The label names the dataflow, as for the data-portal format.
    check_label = PortalHandler.check_label

    def read_upload(self, path: Path, filename: str) -> RawTable:
        return read_annex(path, filename)

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        long, issues, flow, notes = cells(read_upload(job.upload), job)
        structure = selectors.Structure(flow.structure)
        rows = _rows(long, structure)
        update = plan_update(rows, job=job, dataflow=flow, dimensions=structure.dimensions)
        result.notes += notes
        result.notes.append(f"What this import does: {update.summary}.")
        return combined_issues([issues, update_issues(update, long, column=LOCATION)])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        long, _issues, flow, _notes = cells(read_upload(job.upload), job)
        long = long.filter(pl.col(ROW_NUMBER).is_in(rows[ROW_NUMBER].implode()))
        structure = selectors.Structure(flow.structure)
        return observations_commit(
            _rows(long, structure),
            job=job,
            actor=actor,
            dataflow=flow,
            dimensions=structure.dimensions,
        )


def unknown_labels(
    raw: RawTable, flow: Dataflow, fixed: dict[str, str]
) -> tuple[dict[str, list[str]], list[str]]:
    """The texts of each dimension's label columns that are none of its codes
    (what a new version of its list must add; `define dataflow --format annex`),
    and the notes saying how each sheet is read."""
    structure = selectors.Structure(flow.structure)
    found = lookups(structure)
    frame = raw.frame
    unknown: dict[str, list[str]] = {}
    notes = []
    for sheet in frame[SHEET].unique(maintain_order=True).to_list():
        layout = sheet_layout(
            sheet,
            _sheet_headers(frame, sheet, raw.headers),
            structure=structure,
            found=found,
            fixed=fixed,
        )
        if not layout.values:
            continue
        notes.append(layout.note())
        rows = frame.filter(pl.col(SHEET) == sheet)
        for component, header in layout.labels.items():
            lookup = found.get(component)
            if lookup is None:
                continue
            for text in rows[header].fill_null("").unique(maintain_order=True).to_list():
                if text.strip() and lookup.code(text) is None:
                    unknown.setdefault(component, [])
                    if text not in unknown[component]:
                        unknown[component].append(text)
    return unknown, notes
