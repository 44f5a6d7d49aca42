"""Streaming writers of SDMX data: structure-specific SDMX-ML 2.1 data messages
and SDMX-CSV 2.0 (layouts: cube.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import polars as pl
from lxml import etree

from observatory.statistics.formats.sdmx.cube import (
    COMMON,
    MEASURE,
    MESSAGE,
    MISSING,
    SS,
    XSI,
    Cube,
)

# --------------------------------------------------------------------------
# Data: SDMX-ML 2.1 structure-specific, streamed


_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"


def xml_attribute(expression: pl.Expr) -> pl.Expr:
    """Text as an XML attribute value: escaped, characters XML 1.0 forbids removed,
    line breaks and tabs kept as character references."""
    return (
        expression.str.replace_all(_CONTROL, "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all('"', "&quot;", literal=True)
        .str.replace_all("\n", "&#10;", literal=True)
        .str.replace_all("\r", "&#13;", literal=True)
        .str.replace_all("\t", "&#9;", literal=True)
    )


def _pairs(names: Iterable[str]) -> list[pl.Expr]:
    """` NAME="value"` for each non-empty column."""
    return [
        pl.when(pl.col(name).fill_null("") != "")
        .then(pl.lit(f' {name}="') + xml_attribute(pl.col(name)) + pl.lit('"'))
        .otherwise(pl.lit(""))
        for name in names
    ]


class DataMessageWriter:
    """Writes a structure-specific data message from frames sorted by series
    (area and series key) then period; the frames have one column per dimension,
    TIME_PERIOD, OBS_VALUE (text, null when there is no number) and one per
    attribute. Memory holds one frame at a time."""

    def __init__(self, handle: IO[bytes], cube: Cube) -> None:
        self.handle = handle
        self.cube = cube
        self.previous: str | None = None
        self.open = False

    def start(self) -> None:
        nsmap = {
            "message": MESSAGE,
            "common": COMMON,
            "ss": SS,
            "xsi": XSI,
            "ns1": self.cube.namespace,
        }
        root = etree.Element(f"{{{MESSAGE}}}StructureSpecificData", nsmap=nsmap)
        self.cube.header(root, data=True)
        head = etree.tostring(root, encoding="unicode", pretty_print=True)
        head = head.replace("</message:StructureSpecificData>", "").rstrip()
        self.handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        self.handle.write(head.encode())
        self.handle.write(
            (
                f'\n<message:DataSet ss:structureRef="{self.cube.structure_id}" '
                'ss:dataScope="DataStructure" ss:action="Information" xsi:type="ns1:DataSetType">'
            ).encode()
        )

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        cube = self.cube
        series = pl.concat_str([pl.col(d).fill_null("") for d in cube.dimensions], separator="\x1f")
        observation = pl.concat_str(
            [
                pl.lit(f'\n<Obs {cube.time}="'),
                xml_attribute(pl.col(cube.time)),
                pl.lit(f'" {MEASURE}="'),
                pl.col(MEASURE).fill_null(MISSING),
                pl.lit('"'),
                *_pairs(cube.attributes),
                pl.lit("/>"),
            ]
        )
        opening = pl.concat_str([pl.lit("\n<Series"), *_pairs(cube.dimensions), pl.lit(">")])
        lines = frame.select(
            series.alias("_series"), opening.alias("_open"), observation.alias("_obs")
        )
        before = lines["_series"].shift(1)
        if self.previous is not None:
            before = before.scatter(0, self.previous)
        lines = lines.with_columns((pl.col("_series") != before).fill_null(True).alias("_starts"))
        parts = (
            lines.select(
                pl.when(pl.col("_starts"))
                .then(pl.lit("\n</Series>") + pl.col("_open") + pl.col("_obs"))
                .otherwise(pl.col("_obs"))
            )
            .to_series()
            .to_list()
        )
        if not self.open:  # the first series of the message: nothing to close
            parts[0] = parts[0].removeprefix("\n</Series>")
        self.handle.write("".join(parts).encode())
        self.previous = lines["_series"][-1]
        self.open = True

    def finish(self) -> None:
        closing = "\n</Series>" if self.open else ""
        self.handle.write(
            f"{closing}\n</message:DataSet>\n</message:StructureSpecificData>\n".encode()
        )


# --------------------------------------------------------------------------
# Data: SDMX-CSV 2.0


def sdmx_csv_columns(cube: Cube) -> list[str]:
    return [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        *cube.dimensions,
        cube.time,
        MEASURE,
        *cube.attributes,
    ]


def sdmx_csv_frame(cube: Cube, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of an SDMX-CSV 2.0 message (one per observation)."""
    return frame.select(
        pl.lit("dataflow").alias("STRUCTURE"),
        pl.lit(cube.dataflow.urn_id).alias("STRUCTURE_ID"),
        pl.lit("I").alias("ACTION"),
        *[pl.col(d) for d in cube.dimensions],
        pl.col(cube.time),
        pl.col(MEASURE),
        *[pl.col(a) for a in cube.attributes],
    )
