"""Observations written back in the layout of the table they came from
(`observatory export observations --format annex`): the sheets, headers, row
order and cell texts of the office's annex workbook, each value through
disclosure control (formats/annex.py keeps the layout with each observation).

Observations imported in another format have no such layout: the export
counts them (`Tally.left_out`) and leaves them out, and the command says how
many."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from observatory.accounts import access
from observatory.core.errors import ValidationFailed
from observatory.statistics import selectors
from observatory.statistics.cube.values import header_rows, number_text
from observatory.statistics.disclosure import Disclosure
from observatory.statistics.exports import stream


@dataclass
class Sheet:
    headers: list[str]
    rows: dict[int, list[Any]]  # source row -> cells


def _number(text: str | None) -> Any:
    """A cell the workbook held as a number, as that number."""
    if text is None or text == "":
        return text
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    return int(number) if number == number.to_integral_value() and "." not in text else float(text)


def _value(written: dict[str, Any], shown: Any, value: Decimal | None, censored: str) -> Any:
    """The cell as the file had it where disclosure control leaves it as it
    was; what the public may see otherwise."""
    if shown.value == value and (shown.censored or "") == (censored or ""):
        text = written.get("value", "")
        if written.get("typed") and value is not None:
            return float(text) if "." in text or "e" in text.lower() else int(Decimal(text))
        return text
    return shown.censored or number_text(shown.value) or ""


def layout_sheets(observations: stream.Observations) -> tuple[dict[str, Sheet], int]:
    """The sheets rebuilt from the visible observations, and how many visible
    observations have no table layout."""
    actor, dataflow = observations.actor, observations.dataflow
    structure = selectors.Structure(dataflow.structure)
    visible = selectors.current_observations(actor=actor, dataflow=dataflow)
    control = Disclosure.of(actor, dataflow, structure.dimensions).with_small_cells(visible)
    tally = observations.tally
    sheets: dict[str, Sheet] = {}
    elsewhere = 0
    rows = visible.order_by("version_id", "source_row", "pk").values_list(
        "area_id",
        "dims",
        "time_period",
        "value",
        "censored",
        "conf_status",
        "version__status",
        "source_row",
        "written",
    )
    for area, dims, period, value, censored, conf, status, row, written in rows.iterator(
        chunk_size=stream.CHUNK
    ):
        tally.rows += 1
        tally.restricted += access.is_restricted(status)
        if not written or "sheet" not in written or "headers" not in written:
            elsewhere += 1
            continue
        sheet = sheets.setdefault(written["sheet"], Sheet(list(written["headers"]), {}))
        cells = sheet.rows.get(row)
        if cells is None:
            cells = sheet.rows[row] = [
                _number(text) if typed else text
                for text, typed in zip(
                    written.get("cells") or [""] * len(sheet.headers),
                    written.get("numbers") or [False] * len(sheet.headers),
                    strict=False,
                )
            ]
        shown = control.shown(
            area=area, period=period, dims=dims, value=value, censored=censored, conf_status=conf
        )
        position = int(written.get("position", 0))
        if position < len(cells):
            cells[position] = _value(written, shown, value, censored)
    tally.left_out = elsewhere
    return sheets, elsewhere


def write_layout(observations: stream.Observations, path: Path) -> None:
    """An .xlsx with the file's sheets, or a .csv when the data hold one sheet."""
    sheets, _elsewhere = layout_sheets(observations)
    if path.suffix.lower() == ".csv":
        if len(sheets) > 1:
            raise ValidationFailed(
                f"the data come from {len(sheets)} sheets ({', '.join(sheets)}): "
                "export them to .xlsx"
            )
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for sheet in sheets.values():
                writer.writerows(header_rows(sheet.headers))
                for number in sorted(sheet.rows):
                    writer.writerow(["" if c is None else c for c in sheet.rows[number]])
        return
    import xlsxwriter

    # Text stays text (never a formula, never a link): the cells as the file had them.
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    for name, sheet in sheets.items() or {"No data": Sheet([], {})}.items():
        page = book.add_worksheet(name[:31])
        heads = header_rows(sheet.headers)
        for line, texts in enumerate(heads):
            for column, header in enumerate(texts):
                if header.isdigit() and len(header) == 4:
                    page.write_number(line, column, int(header))
                elif header:
                    page.write_string(line, column, header)
        for line, number in enumerate(sorted(sheet.rows), start=len(heads)):
            for column, cell in enumerate(sheet.rows[number]):
                if isinstance(cell, int | float):
                    page.write_number(line, column, cell)
                elif cell:
                    page.write_string(line, column, str(cell))
    book.close()
