"""Observations read for export in chunks, disclosure control applied: COPY output
parsed by Polars on PostgreSQL, a chunked cursor elsewhere (layouts: observations.py)."""

from __future__ import annotations

import io
import queue
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.db.models.sql.constants import MULTI

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.reference.models import Area
from observatory.statistics import selectors
from observatory.statistics.cube.values import _plain_number, number_expr
from observatory.statistics.disclosure import Disclosure
from observatory.statistics.formats.sdmx.cube import AREA, MEASURE, Cube
from observatory.statistics.models import Dataflow, Observation
from observatory.submissions.models import Version

CHUNK = 20_000
CONFIDENTIAL_FREE = "F"
# Where the observation stores the value of an attribute of the structure.
ATTRIBUTE_FIELDS = {
    "OBS_STATUS": "obs_status",
    "CONF_STATUS": "conf_status",
    "SOURCE": "source",
    "COMMENT": "comment",
}
FREE_TEXT = ("SOURCE", "COMMENT")


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


def _is_public(actor: ActorLike) -> bool:
    return not access.actor_for(actor).is_authenticated


@dataclass
class Tally:
    """What an export read: observations, how many of them are not public, and
    how many were folded into another copy of their cell (SDMX: one
    observation per key)."""

    rows: int = 0
    restricted: int = 0
    merged: int = 0
    # Observations a format cannot hold (the table layout: those imported otherwise).
    left_out: int = 0

    @property
    def written(self) -> int:
        return self.rows - self.merged - self.left_out


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
    *, actor: ActorLike, dataflow: Dataflow, by_series: bool = False
) -> QuerySet[Observation]:
    """The visible current observations. `by_series`: sorted by area, series key
    and period (series-based SDMX-ML needs it); otherwise in the order they
    were reported."""
    rows = selectors.current_observations(actor=actor, dataflow=dataflow).annotate(
        # The file's own digits where the column could not keep them all.
        value_text=Coalesce(
            KeyTextTransform("exact", "written"), Cast("value", output_field=TextField())
        )
    )
    # In the order reported (the primary key): a cell published twice lists
    # its values in that order, on every database and run (the storage order
    # of PostgreSQL is not the order of insertion once space is reused).
    rows = (
        rows.order_by("area_id", "key", "time_period", "pk") if by_series else rows.order_by("pk")
    )
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

    def __init__(self, *, actor: ActorLike, dataflow: Dataflow) -> None:
        self.actor = actor
        self.dataflow = dataflow
        self.cube = Cube(dataflow)
        self.public = _is_public(actor)
        self.disclosure = Disclosure.of(actor, dataflow, ())
        self.tally = Tally()
        self._statuses: dict[str, str] = {}

    def columns(self, *, sdmx_terms: bool = False) -> list[str]:
        cube = self.cube
        censored = [] if sdmx_terms else ["CENSORED"]
        return [*cube.dimensions, cube.time, MEASURE, *censored, *cube.attributes]

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
            pl.col(MEASURE),
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
        columns = [pl.when(conflict).then(pl.lit(None, pl.String)).otherwise(pl.col(MEASURE))]
        if "COMMENT" in copies.columns:
            columns.append(pl.when(conflict).then(note).otherwise(pl.col("COMMENT")))
        names = [MEASURE, "COMMENT"][: len(columns)]
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
            pl.col("area_id").alias(AREA),
            *parts,
            pl.col("time_period").alias(cube.time),
            number_expr("value_text").alias(MEASURE),
            pl.when(marked).then(pl.col("censored")).alias("CENSORED"),
            *[stored[a].alias(a) for a in cube.attributes],
        )
        return frame.select(self.columns(sdmx_terms=sdmx_terms))
