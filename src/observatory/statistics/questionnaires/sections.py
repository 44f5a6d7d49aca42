"""Questionnaires as grids on the cube.

A section is rows x columns of partial keys; a cell's full key is the
questionnaire's defaults, then the section's fixed key, then its row, then its
column. Every dimension of the structure (but the area and the period) must end
up with a code of its codelist; the loader refuses a definition where one does
not, naming the section and the cell.

A section with open rows (``open_rows: {dimension: REF_PARTNER, blank: 5}``)
has no fixed rows: the respondent chooses each row's code of that dimension
(any code of its codelist but the special ones, ``_Z`` ...), and the columns
stay fixed. It has no fixed cells either: its cells are those of the rows a
version holds (`Section.with_rows`), and `Cells` says whether a key belongs to
the questionnaire, fixed or open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from observatory.statistics.models import Dataflow
from observatory.statistics.selectors import Structure

META_KEYS = {"label", "help"}
# In the key of a cell of an open-rows section whose row is not chosen yet.
CHOOSE = "*"


class DefinitionProblem(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    label: str
    part: dict[str, str]
    help: str = ""


@dataclass
class Cell:
    row: int
    column: int
    dims: dict[str, str]
    key: str  # series key: the codes of the structure's dimensions, dotted


@dataclass(frozen=True)
class OpenRows:
    """Rows the respondent chooses: one code of `dimension` per row."""

    dimension: str
    blank: int  # empty rows offered in the browser, for new codes
    blank_in_template: int  # and in the Excel template (no row can be added there)
    names: dict[str, str]  # every code of the dimension -> its name
    local: dict[str, dict[str, str]]  # code -> language -> name
    choices: tuple[str, ...]  # the codes a new row may choose, in the codelist's order

    def label(self, code: str, language: str = "en") -> str:
        return self.local.get(code, {}).get(language) or self.names.get(code, code)


@dataclass
class Section:
    id: str
    title: str
    help: str
    rows: list[Line]
    columns: list[Line]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    open: OpenRows | None = None
    base: dict[str, str] = field(default_factory=dict)  # defaults and the section's key
    dimensions: list[str] = field(default_factory=list)  # the structure's, in order
    _keys: dict[str, int] | None = field(default=None, repr=False, compare=False)

    def grid(self) -> list[tuple[Line, list[Cell]]]:
        return [
            (row, [self.cells[(r, c)] for c in range(len(self.columns))])
            for r, row in enumerate(self.rows)
        ]

    def open_cell(self, code: str, column: int, row: int = -1) -> Cell:
        """The cell of an open-rows section for the row `code` (CHOOSE: not chosen)."""
        assert self.open is not None
        dims = {**self.base, self.open.dimension: code, **self.columns[column].part}
        ordered = {d: dims[d] for d in self.dimensions}
        return Cell(row, column, ordered, ".".join(ordered.values()))

    def accepts(self, code: str) -> bool:
        """A row code an open-rows section may hold: a code of the dimension but
        the one a cell takes when it is no row (the default, e.g. _Z)."""
        assert self.open is not None
        return code in self.open.names and code != self.base.get(self.open.dimension)

    def locate(self, key: str) -> tuple[str, int] | None:
        """(row code, column) when `key` is a cell of this open-rows section."""
        if self.open is None:
            return None
        codes = key.split(".")
        if len(codes) != len(self.dimensions):
            return None
        position = self.dimensions.index(self.open.dimension)
        code = codes[position]
        codes[position] = CHOOSE
        column = self._patterns().get(".".join(codes))
        if column is None or not self.accepts(code):
            return None
        return code, column

    def _patterns(self) -> dict[str, int]:
        if self._keys is None:
            self._keys = {self.open_cell(CHOOSE, c).key: c for c in range(len(self.columns))}
        return self._keys

    def with_rows(self, codes: Iterable[str], language: str = "en") -> Section:
        """An open-rows section as a fixed one: a row per code, with its cells."""
        assert self.open is not None
        rows = [
            Line(self.open.label(code, language), {self.open.dimension: code}) for code in codes
        ]
        cells = {
            (r, c): self.open_cell(row.part[self.open.dimension], c, r)
            for r, row in enumerate(rows)
            for c in range(len(self.columns))
        }
        return replace(self, rows=rows, cells=cells)


def answered(section: Section, *found: Iterable[str], language: str = "en") -> Section:
    """The section as shown: an open-rows section gets a row per code found in
    these keys (a version's cells, last year's), by name; a fixed one is as it is."""
    rows = section.open
    if rows is None:
        return section
    codes = {
        place[0] for keys in found for key in keys if (place := section.locate(key)) is not None
    }
    ordered = sorted(codes, key=lambda code: rows.label(code, language).casefold())
    return section.with_rows(ordered, language)


class Cells:
    """Every cell a questionnaire may hold: the fixed cells of its sections, and
    the cells of its open-rows sections for any row code they accept."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = sections
        self.fixed = {cell.key: (s, cell) for s in sections for cell in s.cells.values()}
        self.open = [s for s in sections if s.open is not None]

    def find(self, key: str) -> tuple[Section, Cell] | None:
        found = self.fixed.get(key)
        if found is not None:
            return found
        for section in self.open:
            place = section.locate(key)
            if place is not None:
                return section, section.open_cell(*place)
        return None

    def get(self, key: str) -> Cell | None:
        found = self.find(key)
        return found[1] if found else None


def _lines(spec: Any, structure: Structure, where: str) -> list[Line]:
    if isinstance(spec, dict) and "dimension" in spec:
        dimension = spec["dimension"]
        names = structure.names.get(dimension)
        if names is None:
            raise DefinitionProblem(f"{where}: unknown dimension {dimension!r}")
        codes = spec.get("codes") or list(names)
        return [Line(names.get(code, code), {dimension: str(code)}) for code in codes]
    if not isinstance(spec, list) or not spec:
        raise DefinitionProblem(f"{where}: a list of key parts, or {{dimension, codes}}")
    lines = []
    for item in spec:
        part = {str(k): str(v) for k, v in item.items() if k not in META_KEYS}
        label = item.get("label")
        if label is None:
            # In the structure's order: JSON storage (jsonb) does not keep key order.
            ordered = [d for d in structure.dimensions if d in part]
            label = " · ".join(structure.names.get(d, {}).get(part[d], part[d]) for d in ordered)
        lines.append(Line(str(label), part, str(item.get("help", ""))))
    return lines


def _open_rows(spec: Any, structure: Structure, where: str) -> OpenRows:
    if not isinstance(spec, dict) or "dimension" not in spec:
        raise DefinitionProblem(f"{where}: open_rows is {{dimension, blank}}")
    dimension = str(spec["dimension"])
    if dimension not in structure.names:
        raise DefinitionProblem(f"{where}: unknown dimension {dimension!r}")
    blank = _rows_number(spec.get("blank", 5), f"{where}: blank")
    in_template = _rows_number(spec.get("blank_in_template", blank), f"{where}: blank_in_template")
    codes = structure.codes(dimension)
    # Codes beginning with "_" are SDMX's special ones (not applicable, other,
    # total, unknown): rows name real members.
    choices = tuple(code for code in codes if not code.startswith("_"))
    if not choices:
        raise DefinitionProblem(f"{where}: {dimension} has no code to choose")
    return OpenRows(
        dimension=dimension,
        blank=blank,
        blank_in_template=in_template,
        names={c: code.name for c, code in codes.items()},
        local={c: dict(code.names or {}) for c, code in codes.items()},
        choices=choices,
    )


def _rows_number(number: Any, where: str) -> int:
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 100:
        raise DefinitionProblem(f"{where} is a number of rows (0 to 100)")
    return number


def _check_cell(
    dims: dict[str, str], structure: Structure, dataflow: Dataflow, where: str, what: str
) -> None:
    dimensions = structure.dimensions
    missing = [d for d in dimensions if d not in dims]
    if missing:
        raise DefinitionProblem(f"{where}: cell {what} has no code for {', '.join(missing)}")
    for dimension in dimensions:
        if dims[dimension] not in structure.names[dimension]:
            raise DefinitionProblem(f"{where}: {dims[dimension]!r} is not a code of {dimension}")
    unknown = set(dims) - set(dimensions)
    if unknown:
        raise DefinitionProblem(
            f"{where}: {', '.join(sorted(unknown))} is not a dimension of {dataflow.structure.code}"
        )


def sections_of(definition: dict[str, Any], dataflow: Dataflow) -> list[Section]:
    structure = Structure(dataflow.structure)
    dimensions = structure.dimensions
    defaults = {str(k): str(v) for k, v in (definition.get("defaults") or {}).items()}
    sections = []
    for spec in definition.get("sections", []):
        where = f"section {spec.get('id')!r}"
        fixed = {str(k): str(v) for k, v in (spec.get("key") or {}).items()}
        columns = _lines(spec.get("columns", [{"label": ""}]), structure, f"{where} columns")
        if "open_rows" in spec:
            if "rows" in spec:
                raise DefinitionProblem(f"{where}: rows or open_rows, not both")
            section = Section(
                id=str(spec.get("id", "")),
                title=str(spec.get("title", spec.get("id", ""))),
                help=str(spec.get("help", "")),
                rows=[],
                columns=columns,
                open=_open_rows(spec["open_rows"], structure, f"{where} open_rows"),
                base={**defaults, **fixed},
                dimensions=dimensions,
            )
            _check_open(section, fixed, structure, dataflow, where)
            sections.append(section)
            continue
        section = Section(
            id=str(spec.get("id", "")),
            title=str(spec.get("title", spec.get("id", ""))),
            help=str(spec.get("help", "")),
            rows=_lines(spec.get("rows"), structure, f"{where} rows"),
            columns=columns,
            base={**defaults, **fixed},
            dimensions=dimensions,
        )
        for r, row in enumerate(section.rows):
            for c, column in enumerate(section.columns):
                clash = set(row.part) & set(column.part)
                if clash:
                    raise DefinitionProblem(
                        f"{where}: row “{row.label}” and column “{column.label}” both set "
                        f"{', '.join(sorted(clash))}"
                    )
                dims = {**defaults, **fixed, **row.part, **column.part}
                _check_cell(dims, structure, dataflow, where, f"“{row.label}” × “{column.label}”")
                section.cells[(r, c)] = Cell(
                    r, c, {d: dims[d] for d in dimensions}, ".".join(dims[d] for d in dimensions)
                )
        keys = [cell.key for cell in section.cells.values()]
        if len(keys) != len(set(keys)):
            raise DefinitionProblem(f"{where}: two cells have the same key")
        sections.append(section)
    if not sections:
        raise DefinitionProblem("no sections")
    every = [cell.key for s in sections for cell in s.cells.values()]
    if len(every) != len(set(every)):
        raise DefinitionProblem("two sections ask for the same cell")
    _check_overlap(sections)
    return sections


def _check_open(
    section: Section,
    fixed: dict[str, str],
    structure: Structure,
    dataflow: Dataflow,
    where: str,
) -> None:
    """Every cell of an open-rows section is a key of the structure whatever
    the row chosen: checked with the row not chosen (each column once)."""
    assert section.open is not None
    dimension = section.open.dimension
    if dimension in fixed:
        raise DefinitionProblem(f"{where}: the key sets {dimension}, which the rows choose")
    for column in section.columns:
        if dimension in column.part:
            raise DefinitionProblem(
                f"{where}: column “{column.label}” sets {dimension}, which the rows choose"
            )
        dims = {**section.base, **column.part, dimension: section.open.choices[0]}
        _check_cell(dims, structure, dataflow, where, f"× “{column.label}”")
    keys = [section.open_cell(CHOOSE, c).key for c in range(len(section.columns))]
    if len(keys) != len(set(keys)):
        raise DefinitionProblem(f"{where}: two columns have the same key")


def _check_overlap(sections: list[Section]) -> None:
    """No two sections may ask for the same cell, an open-rows one included."""
    patterns: dict[str, str] = {}
    for section in sections:
        if section.open is None:
            continue
        for c in range(len(section.columns)):
            key = section.open_cell(CHOOSE, c).key
            if key in patterns:
                raise DefinitionProblem(
                    f"sections {patterns[key]!r} and {section.id!r} ask for the same cells"
                )
            patterns[key] = section.id
    for section in sections:
        if section.open is None:
            continue
        for other in sections:
            for cell in other.cells.values():
                if section.locate(cell.key) is not None:
                    raise DefinitionProblem(
                        f"sections {other.id!r} and {section.id!r} ask for the same cell {cell.key}"
                    )
