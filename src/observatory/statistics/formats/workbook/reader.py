"""Reading a filled workbook back: the layout checked against the signed cell map,
every input cell parsed into an entry or a problem of its cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core import signing
from xlsxwriter.utility import quote_sheetname

from observatory.intake.reading import EXCEL_SUFFIXES, check_zip_container
from observatory.intake.validation import ERROR, WARNING
from observatory.statistics.formats.workbook.layout import (
    _NO_WORDS,
    _STATUS_LOOKUP,
    _YES_WORDS,
    ABOUT_SHEET,
    FORMATS,
    HEADER_ROW,
    KEY_SHEET,
    LABEL_COL,
    MARKER_COL,
    MAX_COMMENT,
    NOTES_SHEET,
    STATUS_HEADER,
    STATUS_WORDS,
    SUB_ROW,
    VALUE_HEADER,
    TemplateRefused,
    _digest,
    _signer,
    parse_ref,
    ref,
)
from observatory.statistics.questionnaires.sections import (
    Section,
)
from observatory.statistics.services import (
    Entry,
)

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
