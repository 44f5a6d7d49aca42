"""Building the workbook of a questionnaire (xlsxwriter), pre-filled with the
version's values, last year's beside them (layout: the package docstring)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.statistics import selectors
from observatory.statistics.formats.workbook.layout import (
    ABOUT_SHEET,
    CHOOSE_HEADER,
    COVER_SHEET,
    FIRST_COL,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    KEY_COLUMNS,
    KEY_SHEET,
    LABEL_COL,
    LISTS_SHEET,
    MARKER_COL,
    MAX_COMMENT,
    NO,
    NOTES_COLUMNS,
    NOTES_FIRST_ROW,
    NOTES_HEADER_ROW,
    NOTES_SHEET,
    PER_COLUMN,
    STATUS_HEADER,
    STATUS_MEANINGS,
    STATUS_WORDS,
    SUB_ROW,
    VALUE_HEADER,
    YES,
    _digest,
    _signer,
    choice_text,
    entry_of,
    fingerprint,
    new_row_marker,
    ref,
    row_marker,
    sheet_names,
)
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires.sections import (
    CHOOSE,
    Cell,
    Section,
    answered,
    sections_of,
)
from observatory.statistics.services import (
    questionnaire_label,
)
from observatory.submissions.models import Version

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
    questionnaire: Questionnaire, *, organisation: Organisation, year: int, actor: ActorLike
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
