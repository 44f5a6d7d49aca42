"""Exports of observations and of structures, streamed so memory stays flat:
one chunk at a time (PostgreSQL: COPY output parsed by Polars about 4 MB at a
time; SQLite: CHUNK rows from a chunked cursor), never the whole file.

Formats (`export_observations(..., fmt=...)`):

* `unodc-portal`: the data-portal long format, the 13 columns the portal
  publishes, with names from the dataflow's codelists and the reference data's
  M49 regions (VALUE, or txtVALUE where the structure suppresses small counts).
* `csv`, `xlsx`, `parquet`, `datapackage`: the research layout, one row per
  observation: for each dimension its code and its name (`REF_AREA`,
  `REF_AREA_LABEL`, `INDICATOR`, `INDICATOR_LABEL`, …), `TIME_PERIOD`,
  `OBS_VALUE` (the number; empty when there is none), `CENSORED` (the published
  marker such as `<5` where the count is censored or suppressed; OBS_VALUE is
  then empty), then the structure's attributes (`OBS_STATUS`, `CONF_STATUS`,
  `SOURCE`, `COMMENT`). Long is what analysis tools (R, Stata, pandas) expect:
  every observation keeps its own statuses, source and censoring, and repeated
  cells stay distinct. CSV is UTF-8 with a header; XLSX writes numbers as
  numbers and text as text (never a formula; free text that starts like one
  gets a leading apostrophe, as in the seizure exports) on sheets of at most
  1,048,575 rows, after an “about” sheet; Parquet has OBS_VALUE as Float64 and
  the rest as strings; the data package (a folder, or a .zip when PATH ends in
  .zip) holds datapackage.json (Frictionless Tabular Data Package, Table Schema
  typed from the structure: codes constrained to their codelists, OBS_VALUE a
  number), observations.csv (the csv layout) and the SDMX structure message.
* `csv-wide`: the spreadsheet layout, one row per area and series key, the
  dimensions' codes and names, one column per period (the number, `<5` where
  censored or suppressed, empty without a number), then `FLAGS` (statuses
  other than normal and free, by period: `2016: OBS_STATUS=L; 2019:
  CONF_STATUS=C`), `SOURCE` (the row's sources) and `COMMENT` (by period). A
  cell the source published twice (the portal's repeated cells) puts its
  second value on a second row with the same key.
* `sdmx-csv`, `sdmx-ml`: SDMX-CSV 2.0 and structure-specific SDMX-ML 2.1, see
  sdmx.py. SDMX allows one observation per key: a repeated cell is written
  once, and when its copies differ, without a number and with "published with
  different values: 38; 5" in COMMENT (the values as disclosure control shows
  them). `export_structure` writes the SDMX-ML 2.1 structure message of the
  dataflow (`sdmx-ml`) or the data-structure-specific XSD (`xsd`).

Rows come in storage order (the order they were reported) except in sdmx-ml
and csv-wide, sorted by area, series key and period (series need it).

Disclosure control (disclosure.py), in every format: a public export (no user)
holds published data only; for the public, and for a user the areas they are
not of (the office: none), counts under the structure's rule are published as
`<n` with their cells' rates withheld, and values marked confidential are
withheld. An export by a user that holds rows not published is audited, as
seizure exports are."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import queue
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from observatory.accounts import access
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent
from observatory.reference.models import Area
from observatory.statistics import sdmx, selectors
from observatory.statistics.disclosure import Disclosure
from observatory.statistics.models import Dataflow, Observation
from observatory.statistics.schema import PORTAL_COLUMNS
from observatory.submissions.models import Version

CHUNK = 20_000
FORMATS = (
    "unodc-portal",
    "csv",
    "csv-wide",
    "xlsx",
    "parquet",
    "sdmx-csv",
    "sdmx-ml",
    "datapackage",
)
STRUCTURE_FORMATS = ("sdmx-ml", "xsd")
XLSX_ROWS = 1_048_575  # a worksheet's rows, less the header
CONFIDENTIAL_FREE = "F"
# Where the observation stores the value of an attribute of the structure.
ATTRIBUTE_FIELDS = {
    "OBS_STATUS": "obs_status",
    "CONF_STATUS": "conf_status",
    "SOURCE": "source",
    "COMMENT": "comment",
}
FREE_TEXT = ("SOURCE", "COMMENT")


def number_text(value: Decimal | None) -> str:
    """A number as the portal writes it: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _plain_number(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return number_text(Decimal(text))
    except InvalidOperation:
        return text


def number_expr(column: str) -> pl.Expr:
    """Stored numbers as text (numeric(30,12) on PostgreSQL; on SQLite see
    raw_chunks) written as number_text writes them: no trailing zeros."""
    text = pl.col(column)
    trimmed = (
        pl.when(text.str.contains(".", literal=True))
        .then(text.str.strip_chars_end("0").str.strip_chars_end("."))
        .otherwise(text)
    )
    return pl.when(trimmed.is_in(["-0", ""])).then(pl.lit("0")).otherwise(trimmed)


def _regions() -> dict[str, tuple[str, str, str]]:
    """area -> (M49 region, sub-region) names; pseudo-areas use their parent's."""
    out: dict[str, tuple[str, str, str]] = {}
    for area in Area.objects.select_related(
        "region", "subregion", "parent__region", "parent__subregion"
    ):
        region = area.region or (area.parent.region if area.parent else None)
        subregion = area.subregion or (area.parent.subregion if area.parent else None)
        out[area.code] = (
            area.name_en,
            region.name_en if region else "",
            subregion.name_en if subregion else "",
        )
    return out


def _is_public(actor: Any) -> bool:
    return not access.actor_for(actor).is_authenticated


@dataclass
class Tally:
    """What an export read: observations, how many of them are not public, and
    how many were folded into another copy of their cell (SDMX: one
    observation per key)."""

    rows: int = 0
    restricted: int = 0
    merged: int = 0

    @property
    def written(self) -> int:
        return self.rows - self.merged


# --------------------------------------------------------------------------
# The data-portal long format


def portal_rows(
    *, actor: Any, dataflow: Dataflow, tally: Tally | None = None
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
    )
    for area, dimensions, period, value, censored, source, conf, status in rows.iterator(
        chunk_size=CHUNK
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
        yield [
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


def write_portal(
    handle: IO[str], *, actor: Any, dataflow: Dataflow, tally: Tally | None = None
) -> int:
    header = list(PORTAL_COLUMNS)
    if dataflow.structure.suppress_below:
        header[header.index("VALUE")] = "txtVALUE"
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in portal_rows(actor=actor, dataflow=dataflow, tally=tally):
        writer.writerow(row)
        count += 1
    return count


# --------------------------------------------------------------------------
# Observations in chunks, disclosure control applied

RAW = (
    "area_id",
    "key",
    "time_period",
    "value_text",
    "censored",
    "obs_status",
    "conf_status",
    "source",
    "comment",
    "version_id",
)
COPY_BLOCK = 4 << 20  # bytes of COPY output parsed at a time (about 40,000 rows)


def observation_query(
    *, actor: Any, dataflow: Dataflow, by_series: bool = False
) -> QuerySet[Observation]:
    """The visible current observations. `by_series`: sorted by area, series key
    and period (series-based SDMX-ML needs it); otherwise in storage order (the
    order they were reported: observations are never updated), which spares the
    database a sort of the whole dataflow."""
    rows = selectors.current_observations(actor=actor, dataflow=dataflow).annotate(
        value_text=Cast("value", output_field=TextField())
    )
    rows = rows.order_by("area_id", "key", "time_period", "pk") if by_series else rows.order_by()
    return rows.values_list(*RAW)


def _column_names(queryset: QuerySet[Any]) -> list[str]:
    query = queryset.query
    # Django 5.2 selects values_list columns in the order given (query.selected).
    if query.selected:
        return list(query.selected)
    return [*query.extra_select, *query.values_select, *query.annotation_select]


def _record_end(buffer: bytearray | bytes) -> int:
    """The end (after its newline) of the last complete CSV record in `buffer`:
    a newline preceded by an even number of quotes (quotes inside a quoted
    field are doubled); 0 if there is none."""
    end = len(buffer)
    while (end := buffer.rfind(b"\n", 0, end)) >= 0:
        if buffer.count(b'"', 0, end) % 2 == 0:
            return end + 1
    return 0


class _Stopped(Exception):
    """The reader of a COPY was told to stop (leaving the block cancels it)."""


def _copy_chunks(queryset: QuerySet[Any], block: int) -> Iterator[pl.DataFrame]:
    """PostgreSQL: the query's rows through COPY … TO STDOUT as CSV, parsed by
    Polars a block at a time (no Python object per value). A reader thread keeps
    the COPY flowing while the caller works on the previous block (one parsed
    block waits at most); the caller must not use the connection meanwhile."""
    names = _column_names(queryset)
    schema = dict.fromkeys(names, pl.String)
    sql, params = queryset.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def parse(data: bytes | bytearray) -> pl.DataFrame:
        return pl.read_csv(io.BytesIO(data), has_header=False, schema=schema)

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(cursor: Any) -> None:
        try:
            buffer = bytearray()
            with cursor.copy(statement, params) as copy:
                for data in copy:
                    if stop.is_set():  # the caller gave up: psycopg cancels the COPY
                        raise _Stopped
                    buffer += data
                    if len(buffer) >= block and (end := _record_end(buffer)):
                        put(parse(buffer[:end]))
                        del buffer[:end]
            if buffer:
                put(parse(buffer))
            put(done)
        except _Stopped:
            pass
        except BaseException as error:  # handed to the caller
            put(error)

    with connections[queryset.db].cursor() as cursor:
        reader = threading.Thread(target=read, args=(cursor.cursor,), name="observations-copy")
        reader.start()
        try:
            while (item := ready.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            reader.join()


def raw_chunks(
    queryset: QuerySet[Any], chunk: int | None = None, block: int | None = None
) -> Iterator[pl.DataFrame]:
    """The rows of a values_list query as frames of text columns, never all at
    once: on PostgreSQL through COPY (blocks of `block` bytes), elsewhere with a
    chunked cursor (`chunk` rows), without model instances."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        yield from _copy_chunks(queryset, block or COPY_BLOCK)
        return
    names = _column_names(queryset)
    compiler = queryset.query.get_compiler(using=queryset.db)
    results = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk or CHUNK)
    for rows in results or ():
        if rows:
            frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
            frame = frame.cast(pl.String)
            if "value_text" in frame.columns:
                # SQLite stores decimals as REAL or INTEGER; large and small REALs
                # come as text with an exponent (1.0e-05): written out in full.
                values = frame["value_text"]
                where = values.str.contains("e", literal=True).fill_null(False).arg_true()
                if len(where):
                    plain = [_plain_number(v) for v in values.gather(where).to_list()]
                    frame = frame.with_columns(values.scatter(where, plain))
            yield frame


class Observations:
    """A dataflow's observations as the actor may see them, chunk by chunk, with
    disclosure control applied. Columns of each frame: the dimensions (the area
    first), TIME_PERIOD, OBS_VALUE (text, null without a number), CENSORED (the
    published marker, null if none) and the structure's attributes.

    In SDMX terms (`sdmx_terms`), a censored or withheld value has no OBS_VALUE
    and CONF_STATUS C (confidential), the published marker ("<5") goes first in
    COMMENT, and there is no CENSORED column."""

    def __init__(self, *, actor: Any, dataflow: Dataflow) -> None:
        self.actor = actor
        self.dataflow = dataflow
        self.cube = sdmx.Cube(dataflow)
        self.public = _is_public(actor)
        self.disclosure = Disclosure.of(actor, dataflow, ())
        self.tally = Tally()
        self._statuses: dict[str, str] = {}

    def columns(self, *, sdmx_terms: bool = False) -> list[str]:
        cube = self.cube
        censored = [] if sdmx_terms else ["CENSORED"]
        return [*cube.dimensions, cube.time, sdmx.MEASURE, *censored, *cube.attributes]

    def frames(
        self, *, by_series: bool = False, sdmx_terms: bool = False
    ) -> Iterator[pl.DataFrame]:
        """The chunks. On PostgreSQL the connection streams a COPY meanwhile: what
        the chunks need from the database (structure, codes, version statuses) is
        read before, and a caller must not query while iterating."""
        self.cube.load()
        self.disclosure = Disclosure.of(
            self.actor, self.dataflow, self.cube.series_dimensions
        ).with_small_cells(selectors.current_observations(actor=self.actor, dataflow=self.dataflow))
        if not self.public:
            visible = access.country_data_for(self.actor, Version.objects.all())
            self._statuses = {str(pk): status for pk, status in visible.values_list("pk", "status")}
        query = observation_query(actor=self.actor, dataflow=self.dataflow, by_series=by_series)
        for raw in raw_chunks(query):
            self.tally.rows += raw.height
            self.tally.restricted += self._restricted(raw)
            yield self.disclose(raw, sdmx_terms=sdmx_terms)

    # SDMX has one observation per key. The portal published some cells twice
    # with different values (its columns cannot tell them apart): in SDMX such a
    # cell is one observation without a number, the values (as disclosure
    # control shows them) named in COMMENT; a cell repeated with one value is
    # that observation once. Finding them takes no second pass over the
    # database: the chunks are spooled to temporary Arrow IPC files (one per
    # chunk, by Polars) while a 64-bit hash of each cell is kept (8 bytes a
    # row), then read back one at a time.

    def sdmx_frames(self, *, by_series: bool = False) -> Iterator[pl.DataFrame]:
        """The chunks in SDMX terms, one observation per cell."""
        with tempfile.TemporaryDirectory(prefix="observatory-sdmx-") as folder:
            spool = Path(folder)
            hashes: list[pl.Series] = []
            for index, frame in enumerate(self.frames(by_series=by_series, sdmx_terms=True)):
                hashes.append(frame.select(self._cell().hash()).to_series())
                frame.write_ipc(spool / f"{index:06}.arrow", compression="uncompressed")
            if not hashes:
                return
            counts = pl.concat(hashes).value_counts()
            repeated = counts.filter(pl.col("count") > 1).to_series(0)
            del hashes, counts
            parts = sorted(spool.glob("*.arrow"))

            def chunks() -> Iterator[pl.DataFrame]:
                for part in parts:
                    yield pl.read_ipc(part)

            if repeated.is_empty():
                yield from chunks()
                return
            wanted = self._cell().hash().is_in(repeated.implode())
            copies = pl.concat([chunk.filter(wanted) for chunk in chunks()])
            merged = self._merged(copies)
            emitted: set[str] = set()
            for chunk in chunks():
                yield self._one_per_cell(chunk, merged, emitted)

    def _cell(self) -> pl.Expr:
        parts = [*self.cube.dimensions, self.cube.time]
        return pl.concat_str([pl.col(c).fill_null("") for c in parts], separator="\x1f")

    def _merged(self, copies: pl.DataFrame) -> pl.DataFrame:
        """Each repeated cell among `copies` (in sdmx terms, in the order
        written) as its one SDMX observation, with a `_cell` column."""
        copies = copies.with_columns(self._cell().alias("_cell"))
        copies = copies.filter(pl.len().over("_cell") > 1)  # a shared hash is not enough
        comment = pl.col("COMMENT") if "COMMENT" in copies.columns else pl.lit(None, pl.String)
        conf = pl.col("CONF_STATUS") if "CONF_STATUS" in copies.columns else pl.lit(None, pl.String)
        word = pl.coalesce(
            pl.col(sdmx.MEASURE),
            comment.str.extract(r"^(<[^;]*)"),  # the published marker, "<5"
            pl.when(conf.fill_null(CONFIDENTIAL_FREE) != CONFIDENTIAL_FREE).then(
                pl.lit("withheld")
            ),
            pl.lit("no value"),
        )
        words = copies.group_by("_cell", maintain_order=True).agg(
            word.unique(maintain_order=True).alias("_values")
        )
        first = copies.unique("_cell", keep="first", maintain_order=True).join(words, on="_cell")
        conflict = pl.col("_values").list.len() > 1
        note = pl.lit("published with different values: ") + pl.col("_values").list.join("; ")
        columns = [pl.when(conflict).then(pl.lit(None, pl.String)).otherwise(pl.col(sdmx.MEASURE))]
        if "COMMENT" in copies.columns:
            columns.append(pl.when(conflict).then(note).otherwise(pl.col("COMMENT")))
        names = [sdmx.MEASURE, "COMMENT"][: len(columns)]
        return first.with_columns(c.alias(n) for c, n in zip(columns, names, strict=True)).drop(
            "_values"
        )

    def _one_per_cell(
        self, frame: pl.DataFrame, merged: pl.DataFrame, emitted: set[str]
    ) -> pl.DataFrame:
        """`frame` with each repeated cell once, as `merged` has it, where its
        first copy was; later copies (in this chunk or a later one) left out."""
        marked = frame.with_row_index("_at").with_columns(self._cell().alias("_cell"))
        hit = marked["_cell"].is_in(merged["_cell"].implode())
        if not hit.any():
            return frame
        first = (
            marked.filter(hit)
            .unique("_cell", keep="first", maintain_order=True)
            .filter(~pl.col("_cell").is_in(sorted(emitted)))
        )
        emitted.update(first["_cell"].to_list())
        self.tally.merged += int(hit.sum()) - first.height
        columns = frame.columns
        swapped = first.select("_at", "_cell").join(merged, on="_cell").select("_at", *columns)
        kept = marked.filter(~hit).select("_at", *columns)
        return pl.concat([kept, swapped]).sort("_at").drop("_at")

    def periods(self) -> list[str]:
        """The periods of the observations the actor may see, in order."""
        rows = selectors.current_observations(actor=self.actor, dataflow=self.dataflow)
        return sorted(set(rows.order_by().values_list("time_period", flat=True).distinct()))

    def _restricted(self, raw: pl.DataFrame) -> int:
        """Rows of versions that are not published (never in a public export)."""
        if self.public:
            return 0
        versions = raw["version_id"].unique().to_list()
        hidden = [v for v in versions if access.is_restricted(self._statuses.get(v, ""))]
        return raw.filter(pl.col("version_id").is_in(hidden)).height if hidden else 0

    def disclose(self, raw: pl.DataFrame, *, sdmx_terms: bool = False) -> pl.DataFrame:
        cube = self.cube
        parts = cube.series_dimensions
        # 1. The series key split into its dimensions, then disclosure control.
        keys = pl.col("key").fill_null("").str.split_exact(".", max(len(parts) - 1, 0))
        frame = raw.with_columns(
            keys.struct.rename_fields(parts).alias("_key") if parts else pl.lit(None)
        )
        if parts:
            frame = frame.unnest("_key")
        frame = self.disclosure.frame(
            frame,
            area="area_id",
            period="time_period",
            value="value_text",
            censored="censored",
            conf_status="conf_status",
        )
        # 2. The columns of the export.
        marked = pl.col("censored") != ""
        stored = {
            a: pl.col(ATTRIBUTE_FIELDS[a]) if a in ATTRIBUTE_FIELDS else pl.lit(None, pl.String)
            for a in cube.attributes
        }
        if sdmx_terms:
            # A value reported censored is confidential in SDMX terms (a count
            # suppressed by the rule already has A: small counts).
            conf = pl.col("conf_status")
            comment = pl.col("comment").fill_null("")
            stored["CONF_STATUS"] = (
                pl.when(marked & (conf == CONFIDENTIAL_FREE)).then(pl.lit("C")).otherwise(conf)
            )
            stored["COMMENT"] = (
                pl.when(marked & (comment != ""))
                .then(pl.col("censored") + pl.lit("; ") + comment)
                .when(marked)
                .then(pl.col("censored"))
                .otherwise(comment)
            )
        frame = frame.select(
            pl.col("area_id").alias(sdmx.AREA),
            *parts,
            pl.col("time_period").alias(cube.time),
            number_expr("value_text").alias(sdmx.MEASURE),
            pl.when(marked).then(pl.col("censored")).alias("CENSORED"),
            *[stored[a].alias(a) for a in cube.attributes],
        )
        return frame.select(self.columns(sdmx_terms=sdmx_terms))


# --------------------------------------------------------------------------
# The research layout: csv, xlsx, parquet, data package


def research_columns(cube: sdmx.Cube) -> list[str]:
    columns: list[str] = []
    for dimension in cube.dimensions:
        columns += [dimension, f"{dimension}_LABEL"]
    return [*columns, cube.time, sdmx.MEASURE, "CENSORED", *cube.attributes]


def research_frame(cube: sdmx.Cube, frame: pl.DataFrame, *, safe_text: bool) -> pl.DataFrame:
    labels = []
    for dimension in cube.dimensions:
        names = cube.labels(dimension)
        labels.append(
            pl.col(dimension)
            .replace_strict(names, default=None, return_dtype=pl.String)
            .alias(f"{dimension}_LABEL")
        )
    out = frame.with_columns(labels)
    if safe_text:
        out = out.with_columns(_safe(pl.col(c)).alias(c) for c in FREE_TEXT if c in out.columns)
    return _no_empty_strings(out.select(research_columns(cube)))


def _no_empty_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty text as null, so CSV writes an empty field rather than `""`."""
    return frame.with_columns(pl.col(pl.String).replace("", None))


def _write_csv(observations: Observations, handle: IO[bytes]) -> None:
    cube = observations.cube
    header = True
    for frame in observations.frames():
        research_frame(cube, frame, safe_text=True).write_csv(handle, include_header=header)
        header = False
    if header:
        handle.write((",".join(research_columns(cube)) + "\n").encode())


def _safe(expression: pl.Expr) -> pl.Expr:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    return (
        pl.when(expression.str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + expression)
        .otherwise(expression)
    )


def wide_columns(cube: sdmx.Cube, periods: list[str]) -> list[str]:
    columns: list[str] = []
    for dimension in cube.dimensions:
        columns += [dimension, f"{dimension}_LABEL"]
    return [*columns, *periods, "FLAGS", "SOURCE", "COMMENT"]


def wide_frame(cube: sdmx.Cube, frame: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """Complete series (every observation of each series in `frame`) pivoted:
    one row per area and series key, one column per period. A cell published
    twice (the portal's repeated cells) gives a second row for the same key."""
    keys = cube.dimensions
    time = cube.time
    status = "OBS_STATUS" in frame.columns
    confidential = "CONF_STATUS" in frame.columns
    flags = []
    if status:
        flags.append(
            pl.when(pl.col("OBS_STATUS").fill_null("A") != "A").then(
                pl.lit("OBS_STATUS=") + pl.col("OBS_STATUS")
            )
        )
    if confidential:
        flags.append(
            pl.when(pl.col("CONF_STATUS").fill_null("F") != CONFIDENTIAL_FREE).then(
                pl.lit("CONF_STATUS=") + pl.col("CONF_STATUS")
            )
        )
    text = {c: pl.col(c) if c in frame.columns else pl.lit(None, pl.String) for c in FREE_TEXT}
    cells = frame.with_columns(
        pl.int_range(pl.len()).over([*keys, time]).alias("_row"),
        pl.coalesce(sdmx.MEASURE, "CENSORED").alias("_shown"),
        (pl.concat_str(flags, separator=" ", ignore_nulls=True) if flags else pl.lit("")).alias(
            "_flags"
        ),
        text["SOURCE"].alias("_source"),
        text["COMMENT"].alias("_comment"),
    )
    index = [*keys, "_row"]
    values = cells.pivot(on=time, index=index, values="_shown", aggregate_function=None)
    notes = cells.group_by(index, maintain_order=True).agg(
        pl.format("{}: {}", pl.col(time), pl.col("_flags"))
        .filter(pl.col("_flags") != "")
        .str.join("; ")
        .alias("FLAGS"),
        pl.col("_source")
        .drop_nulls()
        .filter(pl.col("_source") != "")
        .unique(maintain_order=True)
        .str.join("; ")
        .alias("SOURCE"),
        pl.format("{}: {}", pl.col(time), pl.col("_comment"))
        .filter(pl.col("_comment").fill_null("") != "")
        .str.join(" | ")
        .alias("COMMENT"),
    )
    out = notes.join(values, on=index, how="left", nulls_equal=True, maintain_order="left")
    out = out.with_columns(
        [pl.lit(None, pl.String).alias(p) for p in periods if p not in out.columns]
        + [
            pl.col(d)
            .replace_strict(cube.labels(d), default=None, return_dtype=pl.String)
            .alias(f"{d}_LABEL")
            for d in keys
        ]
        + [_safe(pl.col(c)).alias(c) for c in FREE_TEXT]
    )
    return _no_empty_strings(out.select(wide_columns(cube, periods)))


def _write_csv_wide(observations: Observations, handle: IO[bytes]) -> None:
    """Series by series (sorted by area and key): each chunk's last series may go
    on in the next chunk, so it waits for it."""
    cube = observations.cube
    periods = observations.periods()
    series = pl.concat_str([pl.col(d).fill_null("") for d in cube.dimensions], separator="\x1f")
    header = True
    waiting: pl.DataFrame | None = None

    def write(frame: pl.DataFrame) -> None:
        nonlocal header
        wide_frame(cube, frame, periods).write_csv(handle, include_header=header)
        header = False

    for frame in observations.frames(by_series=True):
        if waiting is not None:
            frame = pl.concat([waiting, frame])
        last = frame.select(series.alias("_series"))["_series"]
        complete = last != last[-1]
        if complete.any():
            write(frame.filter(complete))
        waiting = frame.filter(~complete)
    if waiting is not None and waiting.height:
        write(waiting)
    if header:
        handle.write((",".join(wide_columns(cube, periods)) + "\n").encode())


def _write_parquet(observations: Observations, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cube = observations.cube
    schema = dict.fromkeys(research_columns(cube), pl.String) | {sdmx.MEASURE: pl.Float64}
    writer: pq.ParquetWriter | None = None
    try:
        for frame in observations.frames():
            table = (
                research_frame(cube, frame, safe_text=False)
                .with_columns(pl.col(sdmx.MEASURE).cast(pl.Float64))
                .to_arrow()
            )
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:
            table = pl.DataFrame(schema=schema).to_arrow()
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(pa.Table.from_batches([], schema=table.schema))
    finally:
        if writer is not None:
            writer.close()


def disclosure_words(control: Disclosure) -> str:
    """What disclosure control an export applied, in words."""
    if control.undisclosed is None:
        return "none: every value as reported (the office's view)"
    words = "values marked confidential withheld"
    if control.rule:
        words += (
            f"; counts above 0 and below {control.rule} published as <{control.rule}, "
            "and the other values of their cells (rates, shares) and the counts that "
            "would give them back by subtraction withheld"
        )
    if control.undisclosed:
        words += f"; except for {', '.join(sorted(control.undisclosed))} (your country)"
    return words


def _about(observations: Observations, fmt: str) -> list[tuple[str, str]]:
    flow = observations.dataflow
    return [
        ("dataflow", f"{flow.urn_id} {flow.name}"),
        ("structure", f"{flow.structure.urn_id} {flow.structure.name}"),
        ("exported", observations.cube.prepared.strftime("%Y-%m-%d %H:%M UTC")),
        ("format", fmt),
        (
            "audience",
            "public: published data only"
            if observations.public
            else "restricted: data the exporting user may see, published or not",
        ),
        ("disclosure control", disclosure_words(observations.disclosure)),
        ("OBS_VALUE", "the number; empty when there is none (see CENSORED, OBS_STATUS)"),
        ("CENSORED", "the published marker of a censored or suppressed count, e.g. <5"),
        (
            "OBS_STATUS",
            "A normal, B break, E estimated, P provisional, L not available, M not applicable",
        ),
        (
            "CONF_STATUS",
            "F free, C confidential, A small count suppressed, D withheld because its "
            "cell's count is suppressed (a rate would give it back)",
        ),
    ]


def _write_xlsx(observations: Observations, path: Path) -> None:
    import xlsxwriter

    cube = observations.cube
    columns = research_columns(cube)
    numeric = columns.index(sdmx.MEASURE)
    workbook = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        bold = workbook.add_format({"bold": True})
        about = workbook.add_worksheet("about")
        sheets: list[Any] = []

        def new_sheet() -> Any:
            name = "observations" if not sheets else f"observations {len(sheets) + 1}"
            sheet = workbook.add_worksheet(name)
            sheet.freeze_panes(1, 0)
            for col, name in enumerate(columns):
                sheet.write_string(0, col, name, bold)
            sheets.append(sheet)
            return sheet

        sheet = new_sheet()
        row = 0
        for frame in observations.frames():
            for values in research_frame(cube, frame, safe_text=True).iter_rows():
                if row == XLSX_ROWS:
                    sheet, row = new_sheet(), 0
                row += 1
                for col, value in enumerate(values):
                    if value is None or value == "":
                        continue
                    if col == numeric:
                        sheet.write_number(row, col, float(value))
                    else:
                        sheet.write_string(row, col, value)
        about.set_column(0, 0, 20)
        about.set_column(1, 1, 90)
        for line, (name, text) in enumerate(_about(observations, "xlsx")):
            about.write_string(line, 0, name, bold)
            about.write_string(line, 1, text)
        about.write_string(len(_about(observations, "xlsx")), 0, "observations", bold)
        about.write_number(len(_about(observations, "xlsx")), 1, observations.tally.rows)
        sheets[0].activate()
    finally:
        workbook.close()


def table_schema(cube: sdmx.Cube) -> dict[str, Any]:
    """The Frictionless Table Schema of the research layout, from the structure."""
    components = {c.code: c for c in cube.components}
    fields: list[dict[str, Any]] = []
    for dimension in cube.dimensions:
        component = components[dimension]
        field: dict[str, Any] = {
            "name": dimension,
            "type": "string",
            "title": cube.concept_name(component),
            "constraints": {"required": True},
        }
        if dimension in cube.codelists:
            field["constraints"]["enum"] = [c.code for c in cube.codelists[dimension]]
            codelist = component.codelist
            field["description"] = f"code of {codelist.urn_id}"  # type: ignore[union-attr]
        fields.append(field)
        fields.append(
            {"name": f"{dimension}_LABEL", "type": "string", "title": f"{field['title']} (name)"}
        )
    fields.append(
        {
            "name": cube.time,
            "type": "string",
            "title": "Time period",
            "description": "SDMX observational time period (2015, 2015-Q1, 2015-06)",
            "constraints": {"required": True},
        }
    )
    fields.append(
        {
            "name": sdmx.MEASURE,
            "type": "number",
            "title": "Observation value",
            "description": "empty when there is no number: see CENSORED and OBS_STATUS",
        }
    )
    fields.append(
        {
            "name": "CENSORED",
            "type": "string",
            "title": "Censored value as published",
            "description": "a count published as <n (disclosure control); OBS_VALUE is then empty",
            "constraints": {"pattern": r"<\d+(\.\d+)?"},
        }
    )
    for attribute in cube.attributes:
        component = components[attribute]
        field = {"name": attribute, "type": "string", "title": cube.concept_name(component)}
        if attribute in cube.codelists:
            field["constraints"] = {"enum": [c.code for c in cube.codelists[attribute]]}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def datapackage_descriptor(
    observations: Observations, *, csv_bytes: int, csv_hash: str
) -> dict[str, Any]:
    flow = observations.dataflow
    cube = observations.cube
    return {
        "profile": "tabular-data-package",
        "name": flow.code.lower().replace("_", "-"),
        "id": f"{sdmx.URN}.datastructure.Dataflow={flow.urn_id}",
        "title": flow.name,
        "description": flow.description
        or f"Observations of the dataflow {flow.urn_id} ({flow.structure.name}).",
        "version": flow.version,
        "created": cube.prepared.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sources": [{"title": f"{flow.agency} statistics, dataflow {flow.urn_id}"}],
        "resources": [
            {
                "name": "observations",
                "path": "observations.csv",
                "profile": "tabular-data-resource",
                "title": flow.name,
                "description": " ".join(
                    f"{name}: {text}." for name, text in _about(observations, "datapackage")
                ),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_bytes,
                "hash": f"sha256:{csv_hash}",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": table_schema(cube),
            },
            {
                "name": "sdmx-structure",
                "path": "structure.xml",
                "profile": "data-resource",
                "title": "SDMX-ML 2.1 structure message (dataflow, data structure, codelists)",
                "format": "xml",
                "mediatype": "application/vnd.sdmx.structure+xml; version=2.1",
            },
        ],
    }


class _Counting:
    """A binary stream wrapper that counts and hashes what is written."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.bytes = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        self.sha256.update(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def _write_datapackage(observations: Observations, path: Path) -> None:
    structure = sdmx.structure_message(observations.cube)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("observations.csv", "w", force_zip64=True) as handle:
                counted = _Counting(handle)
                _write_csv(observations, counted)  # type: ignore[arg-type]
            archive.writestr("structure.xml", structure)
            descriptor = datapackage_descriptor(
                observations, csv_bytes=counted.bytes, csv_hash=counted.sha256.hexdigest()
            )
            archive.writestr(
                "datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False)
            )
        return
    path.mkdir(parents=True, exist_ok=True)
    with (path / "observations.csv").open("wb") as raw:
        counted = _Counting(raw)
        _write_csv(observations, counted)  # type: ignore[arg-type]
    (path / "structure.xml").write_bytes(structure)
    descriptor = datapackage_descriptor(
        observations, csv_bytes=counted.bytes, csv_hash=counted.sha256.hexdigest()
    )
    (path / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8"
    )


# --------------------------------------------------------------------------
# SDMX


def _write_sdmx_csv(observations: Observations, handle: IO[bytes]) -> None:
    cube = observations.cube
    header = True
    for frame in observations.sdmx_frames():
        _no_empty_strings(sdmx.sdmx_csv_frame(cube, frame)).write_csv(handle, include_header=header)
        header = False
    if header:
        handle.write((",".join(sdmx.sdmx_csv_columns(cube)) + "\n").encode())


def _write_sdmx_ml(observations: Observations, handle: IO[bytes]) -> None:
    writer = sdmx.DataMessageWriter(handle, observations.cube)
    writer.start()
    for frame in observations.sdmx_frames(by_series=True):
        writer.write(frame)
    writer.finish()


# --------------------------------------------------------------------------


def _audit(observations: Observations, *, actor: Any, fmt: str, path: Path) -> None:
    tally = observations.tally
    if not tally.restricted:
        return
    flow = observations.dataflow
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="statistics.observation",
        object_id=flow.urn_id,
        object_repr=f"{tally.rows} observations of {flow.urn_id} to {fmt}",
        changes={
            "dataflow": flow.urn_id,
            "format": fmt,
            "rows": tally.rows,
            "restricted_rows": tally.restricted,
            "file": path.name,
        },
    )


BINARY_WRITERS: dict[str, Callable[[Observations, IO[bytes]], None]] = {
    "csv": _write_csv,
    "csv-wide": _write_csv_wide,
    "sdmx-csv": _write_sdmx_csv,
    "sdmx-ml": _write_sdmx_ml,
}
PATH_WRITERS: dict[str, Callable[[Observations, Path], None]] = {
    "xlsx": _write_xlsx,
    "parquet": _write_parquet,
    "datapackage": _write_datapackage,
}


def export_observations(
    path: Path,
    *,
    actor: Any,
    dataflow: Dataflow,
    fmt: str,
    encoding: str = "utf-8",
    tally: Tally | None = None,
) -> int:
    """Write the observations of `dataflow` the actor may see to `path` in `fmt`;
    the number of observations written (in SDMX, a cell published several times
    is one). `tally`, if given, gets the details. `encoding` applies to
    unodc-portal only (every other text format is UTF-8, as SDMX-CSV and
    Frictionless require)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    observations = Observations(actor=actor, dataflow=dataflow)
    if tally is not None:
        observations.tally = tally
    if fmt == "unodc-portal":
        with path.open("w", encoding=encoding, newline="") as handle:
            write_portal(handle, actor=actor, dataflow=dataflow, tally=observations.tally)
    elif fmt in BINARY_WRITERS:
        with path.open("wb") as handle:
            BINARY_WRITERS[fmt](observations, handle)
    else:
        PATH_WRITERS[fmt](observations, path)
    _audit(observations, actor=actor, fmt=fmt, path=path)
    return observations.tally.written


def export_structure(path: Path, *, dataflow: Dataflow, fmt: str = "sdmx-ml") -> int:
    """The dataflow's SDMX-ML 2.1 structure message (sdmx-ml) or the XSD its
    structure-specific data messages follow (xsd); the number of codelists."""
    if fmt not in STRUCTURE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(STRUCTURE_FORMATS)}")
    cube = sdmx.Cube(dataflow)
    path.write_bytes(sdmx.structure_message(cube) if fmt == "sdmx-ml" else sdmx.data_schema(cube))
    return len({c.codelist_id for c in cube.components if c.codelist_id is not None})
