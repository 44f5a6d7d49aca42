"""The Excel round trip of a questionnaire: a workbook to fill in offline, and the
intake handler that reads it back.

The workbook (xlsxwriter) has, in this order:

- ``_cells`` (very hidden, first): the cell map, one line per cell of the
  questionnaire: its series key, where its value, status, confidentiality and
  note are typed (``Offences!C7`` ...), the row and column labels and a row
  marker the section sheets must still show, and a fingerprint of the value the
  template was pre-filled with. The intake engine reads ONE table per file: it
  reads this one (the first sheet with content), so every import row is a
  questionnaire cell and the engine's report, quarantine and all-or-nothing
  commit work as for any file;
- ``Cover`` (opens first): the questionnaire, version, area, year, the
  instructions in plain words and the status codes;
- one sheet per section, laid out like the browser grid: row labels, column
  headers, and under each column header three columns: the value (decimal >= 0),
  its status (drop-down list; empty = reported) and last year's value (grey,
  read-only). The rows keep a hidden marker in column A. A section with open
  rows (the ARQ's routes) has a row per country already answered (this year or
  last), then empty rows whose country the respondent chooses in column B from
  a drop-down list (the hidden sheet ``_lists``); their cell-map lines carry the
  key with ``*`` for the country, and the country cell in ``row code cell``;
- ``Notes``: one line per cell (filterable by section) for what is rare:
  confidential (yes/no) and a note;
- ``_lists`` (very hidden): the codes to choose from in open rows, as
  "New Zealand (NZL)", one column per dimension;
- ``_template`` (very hidden): what the file is (questionnaire id and version,
  organisation, area, year) and a signature (HMAC with the site's secret key) of
  that and the cell map.

Every sheet is protected without a password: only the yellow input cells are
unlocked; the workbook's structure (sheets) is locked too. Protection keeps
honest hands off the layout; the upload does not rely on it: a changed cell
map, a wrong signature, a moved, inserted or deleted row or column is refused
with a message saying what changed. The country chosen in an open row is read
like a typed cell: a name or code not in the list, numbers without a country and
a country on two rows of a sheet are errors of that row.

Reading (`TemplateHandler`): the engine maps the cell map's columns; the
handler's ``check`` then reads the workbook itself (python-calamine, after the
engine's zip-bomb and truncation guard), parses every input cell and reports
problems on the cell-map line of that cell, with the sheet and cell as the
column ("Offences!C7: not a number"); the questionnaire's rules run on what the
file would save (as warnings: the browser saves drafts that break rules too).
``commit`` writes through ``services.questionnaire_save``, as the browser does.

Templates of format 1 (before open rows: no ``row code cell``) are still read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from django.core import signing
from django.utils import timezone
from xlsxwriter.utility import quote_sheetname, xl_cell_to_rowcol, xl_rowcol_to_cell

from observatory.accounts import access
from observatory.accounts.models import Organisation
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.intake.models import ImportJob, Upload
from observatory.intake.reading import EXCEL_SUFFIXES, ROW_NUMBER, check_zip_container
from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.validation import ERROR, ISSUE_SCHEMA, WARNING, ValidationResult
from observatory.statistics import checks, rules, selectors
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires import (
    CHOOSE,
    Cell,
    Cells,
    Section,
    answered,
    sections_of,
)
from observatory.statistics.services import (
    SUBMISSION_DATASET,
    Entry,
    questionnaire_label,
    questionnaire_save,
)
from observatory.submissions import registry as submission_registry
from observatory.submissions.models import Version

TEMPLATE_DATASET = "observations-template"
FORMAT = "observatory-questionnaire-template/2"
KEY_SHEET = "_cells"
ABOUT_SHEET = "_template"
LISTS_SHEET = "_lists"
COVER_SHEET = "Cover"
NOTES_SHEET = "Notes"
RESERVED = {KEY_SHEET, ABOUT_SHEET, LISTS_SHEET, COVER_SHEET, NOTES_SHEET}
KEY_COLUMNS_1 = [
    "key",
    "value cell",
    "status cell",
    "confidential cell",
    "comment cell",
    "section",
    "row label",
    "column label",
    "row marker",
    "was",
]
# Format 2 adds where the country of an open row is chosen (empty for other cells).
KEY_COLUMNS = [*KEY_COLUMNS_1, "row code cell"]
FORMATS = {"observatory-questionnaire-template/1": KEY_COLUMNS_1, FORMAT: KEY_COLUMNS}
_SIGNER_SALT = "observatory.statistics.workbook"

# Section sheets (0-based rows and columns): title, context, help, the column
# headers, the sub-headers, then the grid; column A holds the hidden row markers.
HEADER_ROW = 3
SUB_ROW = 4
FIRST_ROW = 5
MARKER_COL = 0
LABEL_COL = 1
FIRST_COL = 2
PER_COLUMN = 3  # value, status, last year
VALUE_HEADER = "value"
STATUS_HEADER = "status"
CHOOSE_HEADER = "new rows: choose the country in the list"
# The Notes sheet: key (hidden), section, row, column, confidential, note.
NOTES_HEADER_ROW = 3
NOTES_FIRST_ROW = 4
NOTES_COLUMNS = ["key", "section", "row", "column", "confidential", "note"]

STATUS_WORDS = {
    "": "reported",
    "E": "estimated",
    "P": "provisional",
    "B": "break in series",
    "L": "not available",
    "M": "not applicable",
}
STATUS_MEANINGS = {
    "": "the number as recorded (leave the status empty)",
    "E": "the number is an estimate",
    "P": "the number may still change",
    "B": "the number is not comparable with earlier years (a change of definition or method)",
    "L": "there is no number: it exists, but you do not have it (leave the value empty)",
    "M": "there is no number: it cannot exist in your country (leave the value empty)",
}
_STATUS_LOOKUP = {
    **{word: code for code, word in STATUS_WORDS.items()},
    **{code.lower(): code for code in STATUS_WORDS if code},
    "a": "",
    "": "",
}
YES = "yes"
NO = "no"
_YES_WORDS = {"yes", "y", "x", "true", "1", "confidential", "c", "sí", "si", "oui", "是"}
_NO_WORDS = {"", "no", "n", "false", "0", "non", "否"}
MAX_COMMENT = 2000
_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']")


class TemplateRefused(ValidationFailed):
    """The file is not a questionnaire template of this site, or its layout changed."""


TEMPLATE = DatasetSchema(
    code=TEMPLATE_DATASET,
    label="Questionnaire filled in offline (Excel template)",
    fields=(
        Field("key", "key", required=True, help="the series key of the cell"),
        Field("value_cell", "value cell", required=True),
        Field("status_cell", "status cell", required=True),
        Field("confidential_cell", "confidential cell", required=True),
        Field("comment_cell", "comment cell", required=True),
    ),
)


# --------------------------------------------------------------------------
# Small shared pieces


def ref(sheet: str, row: int, col: int) -> str:
    """An A1 reference as Excel writes it: Offences!C7, 'Homicide age'!C7."""
    return f"{quote_sheetname(sheet)}!{xl_rowcol_to_cell(row, col)}"


def parse_ref(text: str) -> tuple[str, int, int]:
    sheet, _sep, cell = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    row, col = xl_cell_to_rowcol(cell)
    return sheet, row, col


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def entry_of(observation: Observation | None) -> Entry:
    if observation is None:
        return Entry()
    return Entry(
        value=observation.value,
        status="" if observation.obs_status == "A" else observation.obs_status,
        confidential=observation.conf_status == "C",
        comment=observation.comment,
    )


def fingerprint(entry: Entry | None) -> str:
    """Short and stable: whether a cell changed, not what it holds."""
    if entry is None or entry.empty:
        return ""
    text = "|".join(
        [number_text(entry.value), entry.status, "C" if entry.confidential else "", entry.comment]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shown(entry: Entry | None) -> str:
    if entry is None or entry.empty:
        return "empty"
    if entry.value is not None:
        text = number_text(entry.value)
        return f"{text} ({STATUS_WORDS.get(entry.status, entry.status)})" if entry.status else text
    return STATUS_WORDS.get(entry.status, entry.status) or "a note only"


def _digest(meta: list[tuple[str, str]], cells: list[list[str]]) -> str:
    payload = json.dumps(
        {"meta": [[k, v] for k, v in meta if k != "signature"], "cells": cells},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SIGNER_SALT)


def sheet_names(sections: list[Section]) -> dict[str, str]:
    """Section id -> a sheet name Excel accepts (31 characters, no : / ? * [ ] '),
    unique, never one of the template's own sheets."""
    taken = {name.casefold() for name in RESERVED}
    names: dict[str, str] = {}
    for section in sections:
        base = _FORBIDDEN_IN_SHEET_NAMES.sub(" ", section.id.replace("-", " ").replace("_", " "))
        base = (" ".join(base.split()) or "Section").capitalize()[:31]
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]} {n}"
        taken.add(name.casefold())
        names[section.id] = name
    return names


def row_marker(section: Section, row: int) -> str:
    part = section.rows[row].part
    codes = ",".join(f"{d}={c}" for d, c in part.items()) or f"#{row + 1}"
    return f"{section.id}|{codes}"


def new_row_marker(section: Section, n: int) -> str:
    """The marker of the n-th empty row of an open-rows section (0-based)."""
    dimension = section.open.dimension if section.open else ""
    return f"{section.id}|{dimension}={CHOOSE}#{n + 1}"


def choice_text(section: Section, code: str) -> str:
    """How a code reads in the drop-down list of an open row: “New Zealand (NZL)”."""
    assert section.open is not None
    return f"{section.open.label(code)} ({code})"


def template_filename(questionnaire: Questionnaire, organisation: Organisation, year: int) -> str:
    return f"{questionnaire.code}-{organisation.code}-{year}.xlsx".replace(" ", "_")


def organisation_for(actor: Any, *, area: str, code: str | None = None) -> Organisation:
    """The organisation a template is for: `code`, or the one through which the
    actor reports for `area` (refused when there are several: name one)."""
    area = area.strip().upper()
    if code:
        found = Organisation.objects.filter(code__iexact=code.strip()).first()
        if found is None:
            raise ValidationFailed(f"no organisation {code!r}")
        if area and found.area_id != area:
            raise ValidationFailed(f"{found.code} does not report for {area}")
        return found
    reporting = list(access.organisations_reporting_for(actor).filter(area_id=area))
    if not reporting:
        raise ValidationFailed(
            f"you report for no organisation of {area}: name the organisation (--org CODE)"
        )
    if len(reporting) > 1:
        codes = ", ".join(sorted(o.code for o in reporting))
        raise ValidationFailed(
            f"you report for {area} through several organisations ({codes}): choose one "
            "(--org CODE)"
        )
    return reporting[0]


# --------------------------------------------------------------------------
# Building the template


@dataclass
class _Formats:
    title: Any
    subtitle: Any
    help: Any
    header: Any
    sub: Any
    label: Any
    value: Any
    status: Any
    previous: Any
    text: Any
    wrap: Any
    bold: Any
    link: Any
    note: Any
    choice: Any


def _formats(book: xlsxwriter.Workbook) -> _Formats:
    grey = "#EDEDED"
    yellow = "#FFF8D6"
    edge = {"border": 1, "border_color": "#BFBFBF"}
    return _Formats(
        title=book.add_format({"bold": True, "font_size": 14}),
        subtitle=book.add_format({"font_color": "#404040"}),
        help=book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True}),
        header=book.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, **edge}
        ),
        sub=book.add_format(
            {"font_size": 9, "align": "center", "font_color": "#595959", "bg_color": grey, **edge}
        ),
        label=book.add_format({"text_wrap": True, "valign": "vcenter", **edge}),
        value=book.add_format({"locked": False, "bg_color": yellow, **edge}),
        status=book.add_format({"locked": False, "bg_color": yellow, "font_size": 9, **edge}),
        previous=book.add_format(
            {"italic": True, "font_color": "#595959", "bg_color": grey, "align": "right", **edge}
        ),
        text=book.add_format({"valign": "top"}),
        wrap=book.add_format({"text_wrap": True, "valign": "top"}),
        bold=book.add_format({"bold": True, "valign": "top"}),
        link=book.add_format({"font_color": "#1F4E79", "underline": 1}),
        note=book.add_format(
            {"locked": False, "bg_color": yellow, "text_wrap": True, "valign": "top", **edge}
        ),
        choice=book.add_format(
            {"locked": False, "bg_color": yellow, "text_wrap": True, "valign": "vcenter", **edge}
        ),
    )


def _protect(sheet: Any, *, autofilter: bool = False) -> None:
    # No password: protection guards the layout against slips; the upload checks it.
    # Widening columns and rows is allowed (a hidden marker column shown does no harm).
    options = {
        "select_locked_cells": True,
        "select_unlocked_cells": True,
        "format_columns": True,
        "format_rows": True,
        "autofilter": autofilter,
    }
    sheet.protect("", options)


@dataclass
class _Builder:
    """Writes the section sheets and the Notes lines, collecting the cell map."""

    fmt: _Formats
    notes: Any
    year: int
    subtitle: str
    current: dict[str, Observation]
    previous: dict[str, Observation]
    lists: dict[str, str] = dataclass_field(default_factory=dict)  # dimension -> list range
    places: list[list[str]] = dataclass_field(default_factory=list)
    notes_row: int = NOTES_FIRST_ROW

    def section(self, sheet: Any, name: str, section: Section) -> None:
        """A section as shown (open rows: a row per country answered), then the
        empty rows of an open-rows section."""
        fmt = self.fmt
        last_year = str(self.year - 1)
        sheet.write_string(0, LABEL_COL, section.title, fmt.title)
        sheet.write_string(1, LABEL_COL, self.subtitle, fmt.subtitle)
        help_text = section.help or (
            "Yellow cells: a number (0 or more), or a status without a number. "
            f"Grey: {last_year}, for comparison."
        )
        # Across the table, as tall as its lines (a wrapped text does not grow its row).
        right = FIRST_COL + PER_COLUMN * len(section.columns) - 1
        sheet.merge_range(2, LABEL_COL, 2, right, help_text, fmt.help)
        width = 46 + 37 * len(section.columns)  # characters, from the columns' widths
        sheet.set_row(2, 15 * max(1, -(-len(help_text) // width)))
        sheet.set_column(MARKER_COL, MARKER_COL, None, None, {"hidden": True})
        sheet.set_column(LABEL_COL, LABEL_COL, 46)
        sheet.set_row(HEADER_ROW, 30)
        sheet.write_blank(HEADER_ROW, LABEL_COL, None, fmt.header)
        if section.open is not None:
            sheet.write_string(SUB_ROW, LABEL_COL, CHOOSE_HEADER, fmt.sub)
        else:
            sheet.write_blank(SUB_ROW, LABEL_COL, None, fmt.sub)
        for c, column in enumerate(section.columns):
            first = FIRST_COL + PER_COLUMN * c
            sheet.set_column(first, first, 12)
            sheet.set_column(first + 1, first + 1, 15)
            sheet.set_column(first + 2, first + 2, 10)
            label = column.label or ""
            sheet.merge_range(HEADER_ROW, first, HEADER_ROW, first + 2, label, fmt.header)
            sheet.write_string(SUB_ROW, first, VALUE_HEADER, fmt.sub)
            sheet.write_string(SUB_ROW, first + 1, STATUS_HEADER, fmt.sub)
            sheet.write_string(SUB_ROW, first + 2, last_year, fmt.sub)
            if column.help:
                sheet.write_comment(HEADER_ROW, first, column.help)
        for r, (line, cells) in enumerate(section.grid()):
            row = FIRST_ROW + r
            marker = row_marker(section, r)
            sheet.write_string(row, MARKER_COL, marker)
            sheet.write_string(row, LABEL_COL, line.label, fmt.label)
            if line.help:
                sheet.write_comment(row, LABEL_COL, line.help)
            for c, cell in enumerate(cells):
                self._cell(sheet, name, section, row, c, cell, marker, line.label)
        last = FIRST_ROW + len(section.rows) - 1
        if section.open is not None:
            for n in range(section.open.blank_in_template):
                last += 1
                self._new_row(sheet, name, section, last, n)
            if section.open.blank_in_template:
                source = self.lists[section.open.dimension]
                sheet.data_validation(
                    last - section.open.blank_in_template + 1,
                    LABEL_COL,
                    last,
                    LABEL_COL,
                    {**CHOICE_VALIDATION, "source": source},
                )
        if last >= FIRST_ROW:
            for c in range(len(section.columns)):
                first = FIRST_COL + PER_COLUMN * c
                sheet.data_validation(FIRST_ROW, first, last, first, VALUE_VALIDATION)
                sheet.data_validation(FIRST_ROW, first + 1, last, first + 1, STATUS_VALIDATION)
        sheet.freeze_panes(FIRST_ROW, FIRST_COL)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(HEADER_ROW, SUB_ROW)
        end = max(last, SUB_ROW)
        sheet.print_area(0, LABEL_COL, end, FIRST_COL + PER_COLUMN * len(section.columns) - 1)
        _protect(sheet)

    def _new_row(self, sheet: Any, name: str, section: Section, row: int, n: int) -> None:
        """An empty row of an open-rows section: its country is chosen in column B."""
        marker = new_row_marker(section, n)
        sheet.write_string(row, MARKER_COL, marker)
        sheet.write_blank(row, LABEL_COL, None, self.fmt.choice)
        label = f"new row {n + 1} (sheet row {row + 1})"
        for c in range(len(section.columns)):
            cell = section.open_cell(CHOOSE, c)
            self._cell(sheet, name, section, row, c, cell, marker, label, choice=LABEL_COL)

    def _cell(
        self,
        sheet: Any,
        name: str,
        section: Section,
        row: int,
        c: int,
        cell: Cell,
        marker: str,
        row_label: str,
        choice: int | None = None,
    ) -> None:
        fmt = self.fmt
        first = FIRST_COL + PER_COLUMN * c
        entry = entry_of(self.current.get(cell.key))
        if entry.value is not None:
            sheet.write_number(row, first, float(entry.value), fmt.value)
        else:
            sheet.write_blank(row, first, None, fmt.value)
        if entry.status:
            word = STATUS_WORDS.get(entry.status, entry.status)
            sheet.write_string(row, first + 1, word, fmt.status)
        else:
            sheet.write_blank(row, first + 1, None, fmt.status)
        before = entry_of(self.previous.get(cell.key))
        if before.value is not None:
            sheet.write_number(row, first + 2, float(before.value), fmt.previous)
        elif not before.empty:
            word = STATUS_WORDS.get(before.status, before.status)
            sheet.write_string(row, first + 2, word, fmt.previous)
        else:
            sheet.write_blank(row, first + 2, None, fmt.previous)
        notes, line = self.notes, self.notes_row
        column_label = section.columns[c].label or ""
        notes.write_string(line, 0, cell.key)
        notes.write_string(line, 1, name, fmt.text)
        notes.write_string(line, 2, row_label, fmt.wrap)
        notes.write_string(line, 3, column_label, fmt.wrap)
        if entry.confidential:
            notes.write_string(line, 4, YES, fmt.note)
        else:
            notes.write_blank(line, 4, None, fmt.note)
        if entry.comment:
            notes.write_string(line, 5, entry.comment[:MAX_COMMENT], fmt.note)
        else:
            notes.write_blank(line, 5, None, fmt.note)
        self.places.append(
            [
                cell.key,
                ref(name, row, first),
                ref(name, row, first + 1),
                ref(NOTES_SHEET, line, 4),
                ref(NOTES_SHEET, line, 5),
                section.id,
                "" if choice is not None else row_label,
                column_label,
                marker,
                fingerprint(entry),
                ref(name, row, choice) if choice is not None else "",
            ]
        )
        self.notes_row += 1

    def finish_notes(self) -> None:
        notes, fmt = self.notes, self.fmt
        notes.write_string(0, 1, "Confidential cells and notes", fmt.title)
        notes.write_string(
            1,
            1,
            "To mark a number confidential or add a note (a source, a definition, why a number "
            "is missing), find its line here (filter by section) and fill the yellow cells.",
            fmt.help,
        )
        for c, title in enumerate(NOTES_COLUMNS):
            notes.write_string(NOTES_HEADER_ROW, c, title, fmt.header)
        notes.set_column(0, 0, None, None, {"hidden": True})
        for c, width in enumerate((20, 40, 18, 13, 60), start=1):
            notes.set_column(c, c, width)
        last = self.notes_row - 1
        notes.autofilter(NOTES_HEADER_ROW, 1, last, 5)
        notes.data_validation(NOTES_FIRST_ROW, 4, last, 4, CONFIDENTIAL_VALIDATION)
        notes.data_validation(NOTES_FIRST_ROW, 5, last, 5, NOTE_VALIDATION)
        notes.freeze_panes(NOTES_FIRST_ROW, 2)
        _protect(notes, autofilter=True)


VALUE_VALIDATION = {
    "validate": "decimal",
    "criteria": ">=",
    "value": 0,
    "error_title": "A number",
    "error_message": "Type a number, 0 or more (no text). Without a number, leave the cell "
    "empty and choose a status: not available or not applicable.",
}
STATUS_VALIDATION = {
    "validate": "list",
    "source": list(STATUS_WORDS.values()),
    "error_title": "A status",
    "error_message": "Choose a status from the list (empty: reported).",
}
CHOICE_VALIDATION = {
    "validate": "list",
    "error_title": "A country",
    "error_message": "Choose from the list (names in alphabetical order; typing the first "
    "letters jumps to them). A country already in a row of this sheet is not chosen again.",
    "input_title": "The country of this row",
    "input_message": "Choose it in the list, then give its numbers in this row.",
}
CONFIDENTIAL_VALIDATION = {
    "validate": "list",
    "source": [YES, NO],
    "error_title": "Confidential",
    "error_message": "yes: the number is confidential; empty or no: it is not.",
}
NOTE_VALIDATION = {
    "validate": "length",
    "criteria": "<=",
    "value": MAX_COMMENT,
    "error_title": "A note",
    "error_message": f"A note of at most {MAX_COMMENT} characters.",
}


def build_template(
    questionnaire: Questionnaire, *, organisation: Organisation, year: int, actor: Any
) -> bytes:
    """The questionnaire for `organisation` and `year` as an .xlsx workbook,
    pre-filled with the latest values the actor may see (and last year's beside
    them). Handing out values not yet published is audited, as exports are."""
    if organisation.area_id is None:
        raise ValidationFailed("the office does not fill in country questionnaires")
    flow = questionnaire.dataflow
    label = questionnaire_label(questionnaire, year)
    version = selectors.questionnaire_version(actor=actor, organisation=organisation, label=label)
    current = selectors.cell_values(version, flow, str(year))
    previous = selectors.previous_values(
        actor=actor, dataflow=flow, area=organisation.area_id, period=str(year - 1)
    )
    # Open-rows sections with a row per country answered this year or last.
    sections = [answered(s, current, previous) for s in sections_of(questionnaire.definition, flow)]
    names = sheet_names(sections)
    area_name = str(getattr(organisation.area, "name", "") or organisation.area_id)
    made_by = getattr(acting_user(actor), "email", "") or ""

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {
            "title": f"{questionnaire.code} {organisation.area_id} {year}",
            "subject": questionnaire.name,
            "author": "Observatory",
            "comments": "Fill in the yellow cells and upload the file as it is.",
        }
    )
    fmt = _formats(book)
    # The cell map first: the intake engine reads the first sheet with content.
    keys_sheet = book.add_worksheet(KEY_SHEET)
    cover = book.add_worksheet(COVER_SHEET)
    section_sheets = {s.id: book.add_worksheet(names[s.id]) for s in sections}
    lists = _write_lists(book, sections)
    builder = _Builder(
        fmt=fmt,
        notes=book.add_worksheet(NOTES_SHEET),
        year=year,
        subtitle=f"{questionnaire.code} · {organisation.area_id} {area_name} · {year} · "
        f"{organisation.code}",
        current=current,
        previous=previous,
        lists=lists,
    )
    about = book.add_worksheet(ABOUT_SHEET)
    for section in sections:
        builder.section(section_sheets[section.id], names[section.id], section)
    builder.finish_notes()

    # What the file is, signed with the cell map.
    meta = [
        ("format", FORMAT),
        ("questionnaire", questionnaire.code),
        ("questionnaire version", questionnaire.version),
        ("dataflow", flow.code),
        ("organisation", organisation.code),
        ("area", organisation.area_id),
        ("year", str(year)),
        ("made at", timezone.now().replace(microsecond=0).isoformat()),
        ("made by", made_by),
        ("pre-filled from", f"{version.number} {version.status}" if version else ""),
    ]
    table = [KEY_COLUMNS, *builder.places]
    meta.append(("signature", _signer().sign(_digest(meta, table))))
    for r, (key, text) in enumerate(meta):
        about.write_string(r, 0, key)
        about.write_string(r, 1, text)
    for r, line in enumerate(table):
        for c, text in enumerate(line):
            keys_sheet.write_string(r, c, text)
    for hidden in (keys_sheet, about):
        _protect(hidden)
        hidden.very_hidden()

    _write_cover(
        cover,
        fmt,
        questionnaire=questionnaire,
        organisation=organisation,
        area_name=area_name,
        year=year,
        version=version,
        sections=sections,
        names=names,
        made_by=made_by,
    )
    cover.activate()
    cover.set_first_sheet()
    book.close()
    data = _lock_structure(buffer.getvalue())

    if version is not None and access.is_restricted(version.status):
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            obj=version,
            organisation=organisation.code,
            changes={"template": questionnaire.code, "year": year, "cells": len(current)},
        )
    return data


def _write_lists(book: xlsxwriter.Workbook, sections: list[Section]) -> dict[str, str]:
    """The codes open rows choose from, on a very hidden, protected sheet (one
    column per dimension, by name): dimension -> the range a drop-down list uses."""
    found: dict[str, list[str]] = {}
    for section in sections:
        if section.open is not None and section.open.dimension not in found:
            found[section.open.dimension] = sorted(
                (choice_text(section, code) for code in section.open.choices), key=str.casefold
            )
    if not found:
        return {}
    sheet = book.add_worksheet(LISTS_SHEET)
    ranges = {}
    for c, (dimension, texts) in enumerate(found.items()):
        for r, text in enumerate(texts):
            sheet.write_string(r, c, text)
        top, bottom = (
            xl_rowcol_to_cell(0, c, True, True),
            xl_rowcol_to_cell(len(texts) - 1, c, True, True),
        )
        ranges[dimension] = f"={quote_sheetname(LISTS_SHEET)}!{top}:{bottom}"
    _protect(sheet)
    sheet.very_hidden()
    return ranges


def _write_cover(
    cover: Any,
    fmt: _Formats,
    *,
    questionnaire: Questionnaire,
    organisation: Organisation,
    area_name: str,
    year: int,
    version: Version | None,
    sections: list[Section],
    names: dict[str, str],
    made_by: str,
) -> None:
    cover.set_column(0, 0, 26)
    cover.set_column(1, 1, 22)
    cover.set_column(2, 2, 90)
    cover.write_string(0, 0, questionnaire.name, fmt.title)
    facts = [
        ("Questionnaire", f"{questionnaire.code}, version {questionnaire.version}"),
        ("Country or area", f"{organisation.area_id} · {area_name}"),
        ("Year", str(year)),
        ("Reporting organisation", f"{organisation.code} · {organisation.name}"),
        (
            "Pre-filled with",
            f"version {version.number} ({version.get_status_display()}) as saved in the Observatory"
            if version
            else "nothing yet: no value was saved for this year",
        ),
        ("Made", f"{timezone.localdate().isoformat()} {('for ' + made_by) if made_by else ''}"),
    ]
    row = 2
    for name, text in facts:
        cover.write_string(row, 0, name, fmt.bold)
        cover.write_string(row, 1, text, fmt.text)
        row += 1
    row += 1
    cover.write_string(row, 0, "How to fill it in", fmt.title)
    row += 1
    steps = [
        "Each section of the questionnaire is a sheet (listed below). Type the numbers in the "
        "yellow cells: one number per cell, 0 when there were none. Leave a cell empty when "
        "you have nothing to report.",
        "Beside each number, the status says what kind of number it is: leave it empty for a "
        "number as recorded, or choose estimated, provisional or break in series.",
        "Without a number, leave the value empty and choose not available (the number exists "
        "but you do not have it) or not applicable (it cannot exist in your country).",
        f"The grey column shows the value for {year - 1}, for comparison; it cannot be changed.",
        "To mark a number confidential, or to add a note to it (a source, a definition, why a "
        "number is missing), use the sheet “Notes”: one line per cell.",
        "In a sheet whose rows are countries you choose (trafficking routes), the countries "
        "already answered have their rows; for another one, choose it in the yellow cell of "
        "column B of an empty row (a list of every country), then type its numbers in that "
        "row. A country is given once per sheet. To remove a country, empty its numbers.",
        "Do not add, delete or move rows, columns or sheets. The sheets are protected (without "
        "a password) so that only the yellow cells change; a file whose layout was changed is "
        "refused when uploaded.",
        "Save the file as an Excel workbook (.xlsx) and upload it in the Observatory (Imports, "
        "dataset “Questionnaire filled in offline”). It is checked like the form in the browser "
        "(numbers, statuses, the questionnaire's rules); the report names each problem's sheet "
        "and cell, e.g. Offences!C7. Nothing is saved while a cell has an error; once it is "
        "imported, the file's values replace the year's draft, and you submit it in the "
        "Observatory as usual.",
    ]
    for n, text in enumerate(steps, start=1):
        cover.write_string(row, 0, f"{n}.", fmt.bold)
        cover.merge_range(row, 1, row, 2, text, fmt.wrap)
        cover.set_row(row, 45)
        row += 1
    row += 1
    cover.write_string(row, 0, "Statuses", fmt.title)
    row += 1
    for name, heading in (("code", 0), ("in the list", 1), ("meaning", 2)):
        cover.write_string(row, heading, name, fmt.bold)
    row += 1
    for code, word in STATUS_WORDS.items():
        cover.write_string(row, 0, code or "(empty) or A", fmt.text)
        cover.write_string(row, 1, word, fmt.text)
        cover.write_string(row, 2, STATUS_MEANINGS[code], fmt.wrap)
        row += 1
    row += 1
    cover.write_string(row, 0, "Sheets", fmt.title)
    row += 1
    for section in sections:
        name = names[section.id]
        cover.write_url(row, 0, f"internal:{quote_sheetname(name)}!A1", fmt.link, name)
        if section.open is not None:
            given = f"{len(section.rows)} countries given" if section.rows else "no country yet"
            text = f"{given}, {section.open.blank_in_template} new rows"
        else:
            text = f"{len(section.cells)} cells"
        cover.write_string(row, 1, text, fmt.text)
        cover.write_string(row, 2, section.title, fmt.wrap)
        row += 1
    cover.write_url(row, 0, f"internal:{NOTES_SHEET}!A1", fmt.link, NOTES_SHEET)
    cover.write_string(row, 2, "Confidential cells and notes", fmt.wrap)
    _protect(cover)


def _lock_structure(data: bytes) -> bytes:
    """Lock the workbook's structure (no sheet added, removed, moved, renamed or
    shown), which xlsxwriter does not write itself: one element in workbook.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<workbookPr\b[^>]*/>)",
                    r'\1<workbookProtection lockStructure="1"/>',
                    text,
                    count=1,
                )
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


# --------------------------------------------------------------------------
# Reading a filled template


@dataclass(frozen=True)
class Place:
    """Where one cell of the questionnaire lives in the workbook."""

    line: int  # its line in the cell map, as the intake engine numbers rows
    key: str
    value: str
    status: str
    confidential: str
    comment: str
    section: str
    row_label: str
    column_label: str
    marker: str
    was: str
    row_code: str = ""  # an open row's country cell (Routes heroin!B12); "" otherwise


@dataclass
class Template:
    meta: dict[str, str]
    places: list[Place]
    sheets: dict[str, list[list[Any]]]

    @property
    def year(self) -> int:
        return int(self.meta["year"])

    def at(self, reference: str) -> Any:
        sheet, row, col = parse_ref(reference)
        rows = self.sheets.get(sheet, [])
        if row < len(rows) and col < len(rows[row]):
            return rows[row][col]
        return ""

    def describe(self) -> str:
        return (
            f"{self.meta.get('questionnaire')} {self.meta.get('year')} for "
            f"{self.meta.get('organisation')} ({self.meta.get('area')})"
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


NOT_A_TEMPLATE = (
    "this is not a questionnaire template of the Observatory (its hidden sheets are missing "
    "or were changed): download the template, fill in the yellow cells, save it as .xlsx and "
    "upload it as it is"
)


def open_template(path: Path, filename: str | None = None) -> Template:
    """Read a filled template and check that it is one of ours, unchanged in its
    layout; refused (TemplateRefused) with what is wrong otherwise."""
    from python_calamine import CalamineWorkbook

    suffix = Path(filename or path.name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        raise TemplateRefused(NOT_A_TEMPLATE)
    if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
        check_zip_container(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        present = list(workbook.sheet_names)
        if KEY_SHEET not in present or ABOUT_SHEET not in present:
            raise TemplateRefused(NOT_A_TEMPLATE)
        sheets = {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in present
        }
    except TemplateRefused:
        raise
    except Exception as error:  # calamine raises its own types for damaged files
        raise TemplateRefused(f"the workbook could not be read: {error}") from error
    pairs = [(_text(row[0]), _text(row[1]) if len(row) > 1 else "") for row in sheets[ABOUT_SHEET]]
    pairs = [(k, v) for k, v in pairs if k]
    meta = dict(pairs)
    columns = FORMATS.get(meta.get("format", ""))
    if columns is None:
        raise TemplateRefused(NOT_A_TEMPLATE)
    table = [[_text(cell) for cell in row] for row in sheets[KEY_SHEET]]
    width = len(columns)
    # Lines as the engine numbers them: a blank line added would break the digest.
    table = [(row + [""] * width)[:width] for row in table]
    if not table or table[0] != columns:
        raise TemplateRefused(
            f"the template's cell map (hidden sheet {KEY_SHEET}) was changed: download a new "
            "template"
        )
    try:
        signed = _signer().unsign(meta.get("signature", ""))
    except signing.BadSignature as error:
        raise TemplateRefused(
            "the template's signature does not match: it was not made by this Observatory, or "
            "its hidden sheets were edited; download a new template"
        ) from error
    if signed != _digest(pairs, table):
        raise TemplateRefused(
            f"the template's cell map or description (hidden sheets {KEY_SHEET} and "
            f"{ABOUT_SHEET}) was changed after it was made, so its cells can no longer be "
            "matched to the questionnaire: download a new template and copy your numbers into it"
        )
    places = [Place(n + 1, *row) for n, row in enumerate(table) if n > 0]
    template = Template(meta=meta, places=places, sheets=sheets)
    _check_layout(template)
    return template


def _check_layout(template: Template) -> None:
    """Each cell must still be where the cell map says: rows, columns and notes
    lines not moved, inserted or deleted, sheets not renamed."""
    problems: list[str] = []
    missing: set[str] = set()
    seen: set[tuple[str, int]] = set()
    for place in template.places:
        sheet, row, col = parse_ref(place.value)
        if sheet not in template.sheets:
            missing.add(sheet)
            continue
        if (sheet, row) not in seen:
            seen.add((sheet, row))
            found = (
                _text(template.at(ref(sheet, row, MARKER_COL))),
                _text(template.at(ref(sheet, row, LABEL_COL))),
            )
            if place.row_code:
                # A new row of an open-rows section: its label cell holds the country
                # the respondent chose, so only its hidden marker can say it moved.
                if found[0] != place.marker or parse_ref(place.row_code) != (sheet, row, LABEL_COL):
                    problems.append(
                        f"{quote_sheetname(sheet)} row {row + 1} should be an empty row for a "
                        f"new country, it is “{found[1]}”"
                    )
            elif found != (place.marker, place.row_label):
                problems.append(
                    f"{quote_sheetname(sheet)} row {row + 1} should be “{place.row_label}”, "
                    f"it is “{found[1]}”"
                )
        header = _text(template.at(ref(sheet, HEADER_ROW, col)))
        subs = (
            _text(template.at(ref(sheet, SUB_ROW, col))),
            _text(template.at(ref(sheet, SUB_ROW, col + 1))),
        )
        if header != place.column_label or subs != (VALUE_HEADER, STATUS_HEADER):
            problems.append(
                f"{ref(sheet, HEADER_ROW, col)} should head the column “{place.column_label}”, "
                f"it is “{header}”"
            )
        note_sheet, note_row, _col = parse_ref(place.comment)
        if note_sheet not in template.sheets:
            missing.add(note_sheet)
        elif _text(template.at(ref(note_sheet, note_row, 0))) != place.key:
            problems.append(f"{NOTES_SHEET} line {note_row + 1} was moved")
    if missing:
        raise TemplateRefused(
            f"the sheet(s) {', '.join(sorted(missing))} of the template are missing (renamed or "
            "deleted): download a new template and copy your numbers into it"
        )
    if problems:
        unique = list(dict.fromkeys(problems))
        more = f" (and {len(unique) - 3} more)" if len(unique) > 3 else ""
        raise TemplateRefused(
            "the template's layout was changed (rows, columns or lines moved, inserted or "
            f"deleted), so its cells can no longer be matched: {'; '.join(unique[:3])}{more}. "
            "Download a new template and copy your numbers into it"
        )


@dataclass(frozen=True)
class Problem:
    place: Place
    ref: str
    field: str
    value: str
    severity: str
    code: str
    message: str
    expected: str = ""


NUMBER_EXPECTED = "a number, 0 or more (e.g. 1250 or 12.5)"


def _number(raw: Any) -> Decimal | None:
    """The number in a cell (None when empty); ValueError when it is no number."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool | date | time | timedelta):  # a datetime is a date
        raise ValueError(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(raw)
        return Decimal(int(raw)) if raw.is_integer() else Decimal(repr(raw))
    text = str(raw).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not value.is_finite():
        raise ValueError(raw)
    return value


STATUS_EXPECTED = ", ".join(STATUS_WORDS.values()) + " (or the codes E, P, B, L, M)"
ABSENCE_EXPECTED = "a number, or an empty value with not available / not applicable"


def _read_place(template: Template, place: Place) -> tuple[Entry | None, list[Problem]]:
    """One cell: its entry (None when it has an error) and its problems."""
    raw = {
        "value": template.at(place.value),
        "status": template.at(place.status),
        "confidential": template.at(place.confidential),
        "comment": template.at(place.comment),
    }
    where = {
        "value": place.value,
        "status": place.status,
        "confidential": place.confidential,
        "comment": place.comment,
    }
    problems: list[Problem] = []

    def report(field: str, code: str, message: str, expected: str = "", level: str = ERROR) -> None:
        seen = _text(raw[field])[:60]
        problems.append(Problem(place, where[field], field, seen, level, code, message, expected))

    try:
        value = _number(raw["value"])
    except ValueError:
        value = None
        report("value", "not_a_number", "not a number", NUMBER_EXPECTED)
    if value is not None and value < 0:
        report("value", "negative", "a negative number", NUMBER_EXPECTED)
    status = _STATUS_LOOKUP.get(_text(raw["status"]).strip().casefold())
    if status is None:
        report("status", "unknown_status", "not a status of the list", STATUS_EXPECTED)
        status = ""
    if value is not None and status in {"L", "M"}:
        word = STATUS_WORDS[status]
        report("value", "number_and_absence", f"a number and “{word}” at once", ABSENCE_EXPECTED)
    if isinstance(raw["confidential"], bool):
        confidential = raw["confidential"]
    else:
        conf_text = _text(raw["confidential"]).strip().casefold()
        confidential = conf_text in _YES_WORDS
        if not confidential and conf_text not in _NO_WORDS:
            report("confidential", "not_yes_no", "confidential is yes or no", "yes, or empty")
    comment = _text(raw["comment"]).strip()
    if len(comment) > MAX_COMMENT:
        message = f"a note of {len(comment)} characters: the first {MAX_COMMENT} are kept"
        report("comment", "too_long", message, level=WARNING)
        comment = comment[:MAX_COMMENT]
    if any(p.severity == ERROR for p in problems):
        return None, problems
    entry = Entry(value=value, status=status, confidential=confidential, comment=comment)
    if entry.empty and (status or confidential):
        message = "a status or a confidential flag without a number is not kept"
        field = "status" if status else "confidential"
        report(field, "flag_without_number", message, ABSENCE_EXPECTED, WARNING)
    return entry, problems


Located = dict[str, tuple[Place, Entry]]


def read_places(template: Template, sections: list[Section]) -> tuple[Located, list[Problem]]:
    """What the respondent wrote, by series key with the place it was read from
    (a new row of an open-rows section gets its key from the country chosen),
    and the problems found: errors (the cell, or the new row, is not read) and
    warnings (read, but worth a look)."""
    located: Located = {}
    problems: list[Problem] = []
    new_rows: dict[str, list[tuple[Place, Entry | None]]] = {}
    for place in template.places:
        entry, found = _read_place(template, place)
        problems += found
        if place.row_code:
            new_rows.setdefault(place.row_code, []).append((place, entry))
        elif entry is not None:
            located[place.key] = (place, entry)
    by_id = {section.id: section for section in sections}
    # Sheet row of each key given: a country is chosen once per section.
    taken = {key: parse_ref(place.value)[1] + 1 for key, (place, _entry) in located.items()}
    for where, row in new_rows.items():
        section = by_id.get(row[0][0].section)
        problems += _read_new_row(template, section, where, row, located, taken)
    return located, problems


def _read_new_row(
    template: Template,
    section: Section | None,
    where: str,
    row: list[tuple[Place, Entry | None]],
    located: Located,
    taken: dict[str, int],
) -> list[Problem]:
    """A new row of an open-rows section: the country chosen in `where`, and the
    entries of its cells (None: the cell has an error, already reported). A row
    with a country and nothing else changes nothing."""
    first = row[0][0]
    raw = _text(template.at(where)).strip()

    def problem(code: str, message: str, expected: str = CHOICE_EXPECTED) -> list[Problem]:
        return [Problem(first, where, "country", raw[:60], ERROR, code, message, expected)]

    if section is None or section.open is None:
        return problem(
            "not_open_rows", "this row no longer chooses a country: download a new template"
        )
    if not raw:
        if any(entry is None or not entry.empty for _place, entry in row):
            return problem("no_country", "numbers without a country: choose the row's country")
        return []
    code = choice_of(section, raw)
    if code is None:
        return problem("unknown_country", "not a country of the list")
    keys = [(place, section.open_cell(code, c).key, entry) for c, (place, entry) in enumerate(row)]
    here = parse_ref(where)[1] + 1
    for _place, key, _entry in keys:
        if key in taken:
            other = taken[key]
            name = section.open.label(code)
            return problem(
                "country_twice",
                f"{name} is chosen twice in this sheet (rows {other} and {here}): choose each "
                "country once",
                "a country not yet in the sheet",
            )
    taken.update((key, here) for _place, key, _entry in keys)
    if all(entry is not None and entry.empty for _place, _key, entry in keys):
        return []
    for place, key, entry in keys:
        if entry is not None:
            located[key] = (place, entry)
    return []


CHOICE_EXPECTED = "a country from the drop-down list"


def choice_of(section: Section, text: str) -> str | None:
    """The code a new row's country cell names: as the list writes it (“New
    Zealand (NZL)”), a code (NZL) or a name (New Zealand); None when unknown."""
    rows = section.open
    assert rows is not None
    text = " ".join(text.split())
    candidates = [text.upper()]
    if text.endswith(")") and "(" in text:
        candidates.insert(0, text[text.rindex("(") + 1 : -1].strip().upper())
    for candidate in candidates:
        if section.accepts(candidate):
            return candidate
    folded = text.casefold()
    for code in rows.choices:
        if rows.label(code).casefold() == folded:
            return code
    return None


def read_entries(
    template: Template, sections: list[Section]
) -> tuple[dict[str, Entry], list[Problem]]:
    """What the respondent wrote in every cell, by series key, and the problems."""
    located, problems = read_places(template, sections)
    return {key: entry for key, (_place, entry) in located.items()}, problems


# --------------------------------------------------------------------------
# The intake handler


@contextmanager
def _upload_path(upload: Upload) -> Iterator[Path]:
    try:
        path = Path(upload.file.path)
    except NotImplementedError:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=Path(upload.filename).suffix) as copy:
            with upload.file.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)
            copy.flush()
            yield Path(copy.name)
        return
    yield path


def template_questionnaire(template: Template) -> Questionnaire:
    found = (
        Questionnaire.objects.filter(
            code=template.meta.get("questionnaire", ""),
            version=template.meta.get("questionnaire version", ""),
        )
        .select_related("dataflow__structure")
        .first()
    )
    if found is None:
        raise TemplateRefused(
            f"the questionnaire of this template ({template.meta.get('questionnaire')} version "
            f"{template.meta.get('questionnaire version')}) is not known here: download a new "
            "template"
        )
    return found


def _check_destination(template: Template, organisation: Organisation) -> None:
    if organisation.area_id != template.meta.get("area") or organisation.code != template.meta.get(
        "organisation"
    ):
        raise TemplateRefused(
            f"this template is {template.describe()}; it was uploaded for {organisation.code} "
            f"({organisation.area_id or 'no country'}): upload it for "
            f"{template.meta.get('organisation')}, or download the template of {organisation.code}"
        )


def _check_open(organisation: Organisation, label: str) -> None:
    """The import would make a new draft; refused while a version is with the
    office, as the browser and submissions.services.version_create refuse it."""
    busy = [Version.Status.SUBMITTED]
    if submission_registry.publishes(SUBMISSION_DATASET):
        busy.append(Version.Status.ACCEPTED)
    waiting = (
        Version.objects.filter(
            submission__organisation=organisation,
            submission__dataset=SUBMISSION_DATASET,
            submission__label=label,
            status__in=busy,
        )
        .order_by("-number")
        .first()
    )
    if waiting is not None:
        raise TemplateRefused(
            f"version {waiting.number} of “{label}” is with the office "
            f"({waiting.get_status_display()}): nothing can be imported into it until it is "
            "returned"
        )


def _issues(problems: Iterable[Problem]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "row": p.place.line,
                "column": p.ref,
                "field": p.field,
                "value": p.value,
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
                "expected": p.expected,
                "suggestion": "",
            }
            for p in problems
        ],
        schema=ISSUE_SCHEMA,
    )


def _changed_since(located: Located, stored: dict[str, Observation]) -> list[Problem]:
    """Cells changed in the Observatory since the template was made, that the
    file would overwrite with something else (a new row's country had nothing
    when the template was made)."""
    found = []
    for key, (place, mine) in located.items():
        now = entry_of(stored.get(key))
        was = place.was if place.key == key else ""
        if fingerprint(now) == was or fingerprint(mine) == fingerprint(now):
            continue
        found.append(
            Problem(
                place,
                place.value,
                "value",
                shown(mine),
                WARNING,
                "changed_since",
                f"changed in the Observatory since this template was made (now {shown(now)}); "
                f"the file's {shown(mine)} replaces it",
            )
        )
    return found


def _matching_keys(
    text: str, dims: dict[str, dict[str, str]], defaults: dict[str, str]
) -> list[str]:
    named = dict(part.split("=", 1) for part in text.split(", ") if "=" in part)
    exact = [
        key
        for key, cell in dims.items()
        if all(cell.get(d) == named.get(d, defaults.get(d, rules.TOTAL)) for d in cell)
    ]
    if exact:
        return exact
    loose = [key for key, cell in dims.items() if all(cell.get(d) == c for d, c in named.items())]
    return loose if len(loose) == 1 else []


def _rule_problems(
    template: Template,
    questionnaire: Questionnaire,
    located: Located,
    *,
    area: str,
    actor: Any,
) -> list[Problem]:
    """The questionnaire's rules over what the file would save, with the area's
    other years as history, as checks.check_version runs them on a saved draft."""
    flow = questionnaire.dataflow
    structure = selectors.Structure(flow.structure)
    dimensions = structure.dimensions
    every = Cells(sections_of(questionnaire.definition, flow))
    cells: dict[str, Cell] = {key: cell for key in located if (cell := every.get(key)) is not None}
    period = str(template.year)
    schema: dict[str, Any] = {
        "area": pl.String,
        "period": pl.String,
        **dict.fromkeys(dimensions, pl.String),
        "value": pl.Float64,
        "status": pl.String,
    }
    current = pl.DataFrame(
        [
            {
                "area": area,
                "period": period,
                **{d: cells[key].dims.get(d, "") for d in dimensions},
                "value": float(entry.value) if entry.value is not None else None,
                "status": "C" if entry.confidential else (entry.status or "A"),
            }
            for key, (_place, entry) in located.items()
            if not entry.empty and key in cells
        ],
        schema=schema,
    )
    found = checks.evaluate(current, questionnaire, actor=actor)
    if found is None:
        return []
    defaults = {str(k): str(v) for k, v in (questionnaire.definition.get("defaults") or {}).items()}
    names = structure.names
    dims = {key: cell.dims for key, cell in cells.items()}
    problems = []
    for violation in found.to_dicts():
        matched: list[Place] = []
        for text in violation.get("cells") or []:
            matched += [
                place
                for key in _matching_keys(text, dims, defaults)
                if (place := located[key][0]) not in matched
            ]
        anchor = matched[0] if matched else template.places[0]
        problems.append(
            Problem(
                anchor,
                ", ".join(p.value for p in matched[:6]) or "rules",
                "rule",
                "",
                WARNING,
                "rule",
                f"rule {violation['rule']} ({violation['importance']}): "
                f"{checks.readable(violation['message'], names)}",
            )
        )
    return problems


class TemplateHandler:
    """Imports a questionnaire filled in offline (the workbook of `build_template`)."""

    schema = TEMPLATE
    # The file says what it is: its columns (the cell map) need no mapping by hand.
    fixed_layout = True

    def screen_upload(self, path: Path, filename: str) -> None:
        """A file that is not an unchanged template is refused before it is kept."""
        open_template(path, filename)

    def _read(self, job: ImportJob) -> tuple[Template, Questionnaire]:
        with _upload_path(job.upload) as path:
            template = open_template(path, job.upload.filename)
        questionnaire = template_questionnaire(template)
        _check_destination(template, job.organisation)
        _check_open(job.organisation, questionnaire_label(questionnaire, template.year))
        return template, questionnaire

    def _located(
        self, template: Template, questionnaire: Questionnaire
    ) -> tuple[Located, list[Problem]]:
        return read_places(template, sections_of(questionnaire.definition, questionnaire.dataflow))

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        template, questionnaire = self._read(job)
        located, problems = self._located(template, questionnaire)
        actor = job.created_by
        label = questionnaire_label(questionnaire, template.year)
        version = selectors.questionnaire_version(
            actor=actor, organisation=job.organisation, label=label
        )
        stored = selectors.cell_values(version, questionnaire.dataflow, str(template.year))
        problems += _changed_since(located, stored)
        problems += _rule_problems(
            template, questionnaire, located, area=job.organisation.area_id or "", actor=actor
        )
        return _issues(problems)

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: Any) -> Version:
        """The cells of the cell-map lines that passed (all of them, or the valid
        ones when the respondent accepts those only)."""
        template, questionnaire = self._read(job)
        located, _problems = self._located(template, questionnaire)
        lines = set(rows[ROW_NUMBER].to_list())
        return questionnaire_save(
            questionnaire=questionnaire,
            organisation=job.organisation,
            year=template.year,
            entries={key: entry for key, (place, entry) in located.items() if place.line in lines},
            actor=actor,
        )
