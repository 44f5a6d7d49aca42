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
  formats/sdmx/cube.py. SDMX allows one observation per key: a repeated cell is written
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

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

from observatory.accounts.access import ActorLike
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent
from observatory.statistics.exports.datapackage import (
    _write_datapackage,
)
from observatory.statistics.exports.excel import _write_xlsx
from observatory.statistics.exports.layout import write_layout
from observatory.statistics.exports.stream import (
    Observations,
    Tally,
)
from observatory.statistics.exports.tables import (
    _no_empty_strings,
    _write_csv,
    _write_csv_wide,
    _write_parquet,
)
from observatory.statistics.formats.portal import write_portal
from observatory.statistics.formats.sdmx import writer as sdmx_writer
from observatory.statistics.formats.sdmx.cube import Cube
from observatory.statistics.formats.sdmx.structure import data_schema, structure_message
from observatory.statistics.formats.sdmx.writer import (
    DataMessageWriter,
    sdmx_csv_columns,
)
from observatory.statistics.models import Dataflow

FORMATS = (
    "unodc-portal",
    "csv",
    "csv-wide",
    "xlsx",
    "parquet",
    "sdmx-csv",
    "sdmx-ml",
    "datapackage",
    "annex",
)
STRUCTURE_FORMATS = ("sdmx-ml", "xsd")
# --------------------------------------------------------------------------
# SDMX


def _write_sdmx_csv(observations: Observations, handle: IO[bytes]) -> None:
    cube = observations.cube
    header = True
    for frame in observations.sdmx_frames():
        frame = sdmx_writer.sdmx_csv_frame(cube, frame)
        _no_empty_strings(frame).write_csv(handle, include_header=header)
        header = False
    if header:
        handle.write((",".join(sdmx_csv_columns(cube)) + "\n").encode())


def _write_sdmx_ml(observations: Observations, handle: IO[bytes]) -> None:
    writer = DataMessageWriter(handle, observations.cube)
    writer.start()
    for frame in observations.sdmx_frames(by_series=True):
        writer.write(frame)
    writer.finish()


# --------------------------------------------------------------------------


def _audit(observations: Observations, *, actor: ActorLike, fmt: str, path: Path) -> None:
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
    # The layout of the table the observations came from (formats/annex.py).
    "annex": write_layout,
    "xlsx": _write_xlsx,
    "parquet": _write_parquet,
    "datapackage": _write_datapackage,
}


def export_observations(
    path: Path,
    *,
    actor: ActorLike,
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
    # Written under another name and renamed when complete: a failed export
    # leaves no partial file where the export was expected.
    part = path.with_name(f".{path.stem}.part{path.suffix}")
    try:
        if fmt == "unodc-portal":
            with part.open("w", encoding=encoding, newline="") as handle:
                write_portal(handle, actor=actor, dataflow=dataflow, tally=observations.tally)
        elif fmt in BINARY_WRITERS:
            with part.open("wb") as handle:
                BINARY_WRITERS[fmt](observations, handle)
        else:
            PATH_WRITERS[fmt](observations, part)
        _into_place(part, path)
    finally:
        _remove(part)
    _audit(observations, actor=actor, fmt=fmt, path=path)
    return observations.tally.written


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _into_place(part: Path, path: Path) -> None:
    """`part` renamed to `path`; a folder already there (a data package) goes."""
    if path.is_dir():
        old = path.with_name(f".{path.name}.old")
        _remove(old)
        path.replace(old)
        part.replace(path)
        _remove(old)
    else:
        part.replace(path)


def export_structure(path: Path, *, dataflow: Dataflow, fmt: str = "sdmx-ml") -> int:
    """The dataflow's SDMX-ML 2.1 structure message (sdmx-ml) or the XSD its
    structure-specific data messages follow (xsd); the number of codelists."""
    if fmt not in STRUCTURE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(STRUCTURE_FORMATS)}")
    cube = Cube(dataflow)
    path.write_bytes(structure_message(cube) if fmt == "sdmx-ml" else data_schema(cube))
    return len({c.codelist_id for c in cube.components if c.codelist_id is not None})
