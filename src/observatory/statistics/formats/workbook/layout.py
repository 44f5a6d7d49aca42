"""What the questionnaire workbook holds and where (the layout is described in
the package docstring): sheet names, rows and columns, status words, the cell
map, and the small pieces the builder and the reader share."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal

from django.core import signing
from xlsxwriter.utility import quote_sheetname, xl_cell_to_rowcol, xl_rowcol_to_cell

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.errors import ValidationFailed
from observatory.intake.schema import DatasetSchema, Field
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires.sections import (
    CHOOSE,
    Section,
)
from observatory.statistics.services import (
    Entry,
)

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


def organisation_for(actor: ActorLike, *, area: str, code: str | None = None) -> Organisation:
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
