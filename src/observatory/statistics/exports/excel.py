"""Observations to an Excel workbook: an about sheet, then the research layout on
sheets of at most a million rows (layouts: observations.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from observatory.statistics.disclosure import Disclosure
from observatory.statistics.exports.stream import (
    Observations,
)
from observatory.statistics.exports.tables import (
    research_columns,
    research_frame,
)
from observatory.statistics.formats.sdmx.cube import MEASURE

XLSX_ROWS = 1_048_575  # a worksheet's rows, less the header


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
    numeric = columns.index(MEASURE)
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
