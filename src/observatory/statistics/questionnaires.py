"""Questionnaires as grids on the cube.

A section is rows x columns of partial keys; a cell's full key is the
questionnaire's defaults, then the section's fixed key, then its row, then its
column. Every dimension of the structure (but the area and the period) must end
up with a code of its codelist; the loader refuses a definition where one does
not, naming the section and the cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from observatory.statistics.models import Dataflow
from observatory.statistics.selectors import Structure

META_KEYS = {"label", "help"}


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


@dataclass
class Section:
    id: str
    title: str
    help: str
    rows: list[Line]
    columns: list[Line]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def grid(self) -> list[tuple[Line, list[Cell]]]:
        return [
            (row, [self.cells[(r, c)] for c in range(len(self.columns))])
            for r, row in enumerate(self.rows)
        ]


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


def sections_of(definition: dict[str, Any], dataflow: Dataflow) -> list[Section]:
    structure = Structure(dataflow.structure)
    dimensions = structure.dimensions
    defaults = {str(k): str(v) for k, v in (definition.get("defaults") or {}).items()}
    sections = []
    for spec in definition.get("sections", []):
        where = f"section {spec.get('id')!r}"
        section = Section(
            id=str(spec.get("id", "")),
            title=str(spec.get("title", spec.get("id", ""))),
            help=str(spec.get("help", "")),
            rows=_lines(spec.get("rows"), structure, f"{where} rows"),
            columns=_lines(spec.get("columns", [{"label": ""}]), structure, f"{where} columns"),
        )
        fixed = {str(k): str(v) for k, v in (spec.get("key") or {}).items()}
        for r, row in enumerate(section.rows):
            for c, column in enumerate(section.columns):
                clash = set(row.part) & set(column.part)
                if clash:
                    raise DefinitionProblem(
                        f"{where}: row “{row.label}” and column “{column.label}” both set "
                        f"{', '.join(sorted(clash))}"
                    )
                dims = {**defaults, **fixed, **row.part, **column.part}
                missing = [d for d in dimensions if d not in dims]
                if missing:
                    raise DefinitionProblem(
                        f"{where}: cell “{row.label}” × “{column.label}” has no code for "
                        f"{', '.join(missing)}"
                    )
                for dimension in dimensions:
                    if dims[dimension] not in structure.names[dimension]:
                        raise DefinitionProblem(
                            f"{where}: {dims[dimension]!r} is not a code of {dimension}"
                        )
                unknown = set(dims) - set(dimensions)
                if unknown:
                    raise DefinitionProblem(
                        f"{where}: {', '.join(sorted(unknown))} is not a dimension of "
                        f"{dataflow.structure.code}"
                    )
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
    return sections
