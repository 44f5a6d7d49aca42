"""A dataflow's definition drafted from a file in the data-portal long layout.

The office brings in a family of data no release knew (`observatory define
dataflow FILE`, the define page, the API): the file's distinct labels become
codes, reusing what exists, and what is new is shown before anything is saved.

- Each dimension column (Indicator, Dimension, Category, Sex, Age, Unit of
  measurement) gives one codelist. A label is matched, exactly (case and spaces
  aside) and never fuzzily, to a name, code or alias of the list the dataflow
  already uses, else of the shared lists (CL_SEX, CL_AGE, CL_UNIT_MEASURE), else
  to a code another list gives it (an ICCS category, a drug, a category of
  another portal dataflow: the same code, the file's label as its name). A
  label matched nowhere is a new code, its id made from the label.
- A list that takes every label as it is, is used as it is. Otherwise the
  dataflow gets its own list (`CL_<stem>_<DIMENSION>`): a new one, or a new
  version of its own (every old code kept, the new ones after them). A new list
  means a new version of the structure and of the dataflow; a final artefact
  never changes.
- Area codes not in the reference data (the world, a region, IRQ_KRI) become
  areas of the office's compilations, named as the file's Country column names
  them: part of a country where the code starts with one (IRQ_KRI of IRQ), an
  aggregate otherwise.

The draft is a definition document (what a definition file holds): saved by
the loader as any packaged file, written out as YAML with `--out`.
"""

from __future__ import annotations

import copy
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from observatory.core.errors import ValidationFailed
from observatory.intake.mapping import propose_mapping
from observatory.intake.reading import RawTable, read_table
from observatory.reference.matching import fold
from observatory.reference.models import Area
from observatory.reference.normalise import normaliser
from observatory.reference.services import area_code_problem
from observatory.statistics.cube.loader import version_key
from observatory.statistics.formats.portal import PORTAL, PORTAL_DIMENSIONS
from observatory.statistics.models import Code, Codelist, Component, Dataflow, DataStructure

AGENCY = "UNODC"
SDMX_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")
# The shared lists a new dataflow's dimension starts from.
SHARED = {"SEX": "CL_SEX", "AGE": "CL_AGE", "UNIT_MEASURE": "CL_UNIT_MEASURE"}
# Lists whose codes another dimension may take by name (an ICCS category, a drug).
ELSEWHERE = ("CL_ICCS", "CL_DRUG")
LIST_NAMES = {
    "INDICATOR": "Indicators",
    "DIMENSION": "Breakdowns",
    "CATEGORY": "Categories",
    "SEX": "Sex",
    "AGE": "Age groups",
    "UNIT_MEASURE": "Units of measure",
}
CENSORED = re.compile(r"^<\s*(\d+)$")
REQUIRED = ("area", "year", "value", *PORTAL_DIMENSIONS)


@dataclass
class DraftCode:
    id: str
    name: str
    new: bool = False
    found_in: str = ""  # the list that gave an existing code its id
    spellings: list[str] = field(default_factory=list)  # the file's other texts for it
    parent: str = ""
    aliases: list[str] = field(default_factory=list)

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.parent:
            entry["parent"] = self.parent
        if self.aliases:
            entry["aliases"] = list(self.aliases)
        return entry


@dataclass
class DraftList:
    dimension: str
    id: str
    version: str
    name: str
    codes: list[DraftCode]
    kept: bool  # an existing list, used as it is
    replaces: str = ""  # the version this one follows ("" when the list is new)

    @property
    def added(self) -> list[DraftCode]:
        return [code for code in self.codes if code.new]

    @property
    def reference(self) -> str:
        return f"{self.id}({self.version})"


@dataclass
class DraftArea:
    code: str
    name: str
    kind: str
    parent: str = ""


@dataclass
class Draft:
    dataflow: str
    name: str
    version: str
    structure: str
    structure_version: str
    lists: list[DraftList]
    areas: list[DraftArea]
    rows: int
    filename: str
    suppress_below: int | None = None
    existing: str = ""  # the dataflow version this one follows
    notes: list[str] = field(default_factory=list)
    # The existing structure as a definition entry: a new version keeps its
    # components (headers, defaults, attributes) and takes the new lists.
    template: dict[str, Any] | None = None

    @property
    def changes(self) -> bool:
        """Whether saving would define anything (false: the dataflow already
        holds every code of the file)."""
        return bool(self.areas) or any(not item.kept for item in self.lists) or not self.existing

    def rename(self, names: dict[tuple[str, str], str]) -> None:
        """New names for new codes: (dimension, code id) -> name."""
        for item in self.lists:
            for code in item.added:
                name = names.get((item.dimension, code.id), "").strip()[:300]
                if name and name != code.name:
                    # The file's label stays a name of the code: the file it
                    # was drafted from still goes in (and comes back as written).
                    texts = [code.name, *code.spellings]
                    code.aliases = list(dict.fromkeys([*code.aliases, *texts]))
                    code.name = name

    def summary(self) -> list[str]:
        lines = []
        if not self.changes:
            return [
                f"{self.dataflow}({self.existing}) already holds every code of "
                f"{self.filename}: nothing to define"
            ]
        what = f"new version {self.version} of {self.dataflow}({self.existing})"
        lines.append(
            f"{what if self.existing else f'new dataflow {self.dataflow}({self.version})'}: "
            f"“{self.name}”, from {self.rows} rows of {self.filename}"
        )
        for item in self.lists:
            if item.kept:
                lines.append(
                    f"{item.dimension}: {item.reference} as it is ({len(item.codes)} codes)"
                )
                continue
            added = ", ".join(f"{c.id} “{c.name}”" for c in item.added[:8])
            more = f" and {len(item.added) - 8} more" if len(item.added) > 8 else ""
            follows = f" after {item.id}({item.replaces})" if item.replaces else ""
            lines.append(
                f"{item.dimension}: {item.reference}{follows}, {len(item.codes)} codes, "
                f"{len(item.added)} new" + (f": {added}{more}" if item.added else "")
            )
        for area in self.areas:
            of = f" of {area.parent}" if area.parent else ""
            lines.append(f"new area {area.code} “{area.name}” ({area.kind}{of})")
        return lines + self.notes

    def document(self) -> dict[str, Any]:
        """The definition document: what a definition file holds."""
        document: dict[str, Any] = {"agency": AGENCY}
        if self.areas:
            document["areas"] = [
                {
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                    **({"parent": a.parent} if a.parent else {}),
                }
                for a in self.areas
            ]
        if not self.changes:
            return document
        document["codelists"] = [
            {
                "id": item.id,
                "version": item.version,
                "name": item.name,
                "final": True,
                "codes": [code.entry() for code in item.codes],
            }
            for item in self.lists
            if not item.kept
        ]
        if self.template is not None:
            # A new version of the structure: the same components, the new lists.
            structure = copy.deepcopy(self.template)
            structure["version"] = self.structure_version
            references = {item.dimension: item.reference for item in self.lists}
            for dimension in structure["dimensions"]:
                dimension["codelist"] = references.get(dimension["id"], dimension.get("codelist"))
            if self.suppress_below:
                structure["suppress_below"] = self.suppress_below
            document["structures"] = [structure]
            document["dataflows"] = [self._dataflow_entry()]
            return document
        dimensions = [{"id": "REF_AREA", "codelist": "CL_AREA"}] + [
            {"id": item.dimension, "codelist": item.reference} for item in self.lists
        ]
        structure = {
            "id": self.structure,
            "version": self.structure_version,
            "name": f"{self.name} (data portal long format)",
            "final": True,
            "dimensions": dimensions,
            "time_dimension": "TIME_PERIOD",
            "attributes": [
                {"id": "OBS_STATUS", "codelist": "CL_OBS_STATUS", "required": True},
                {"id": "CONF_STATUS", "codelist": "CL_CONF_STATUS"},
                {"id": "SOURCE"},
                {"id": "COMMENT"},
            ],
        }
        if self.suppress_below:
            structure["suppress_below"] = self.suppress_below
        document["structures"] = [structure]
        document["dataflows"] = [self._dataflow_entry()]
        return document

    def _dataflow_entry(self) -> dict[str, Any]:
        return {
            "id": self.dataflow,
            "version": self.version,
            "name": self.name,
            "final": True,
            "structure": f"{self.structure}({self.structure_version})",
        }

    def yaml(self) -> str:
        heading = (
            f"# {self.dataflow}: drafted from {self.filename} ({self.rows} rows) by "
            "`observatory define dataflow`.\n# Load it with `observatory load-definitions "
            "--file THIS_FILE`.\n"
        )
        return heading + yaml.safe_dump(
            self.document(), allow_unicode=True, sort_keys=False, width=100
        )


# --------------------------------------------------------------------------
# Drafting


def next_version(version: str) -> str:
    """1.0 -> 1.1, 1.9 -> 1.10 (a list that grows is a minor change)."""
    parts = [int(p) if p.isdigit() else 0 for p in str(version).split(".")] + [0]
    return f"{parts[0]}.{parts[1] + 1}"


def code_id(label: str, taken: set[str]) -> str:
    """An SDMX id for a new label: its letters and digits in capitals, words
    joined by _, unique in its list."""
    ages = re.match(r"^\s*(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})(?:\s*years)?\s*$", label)
    older = re.match(r"^\s*(\d{1,3})\s*(?:\+|and older|and over|or older)\s*$", label)
    if ages:  # age groups as SDMX writes them: 15-65 is Y15T65, 14+ is Y_GE14
        base = f"Y{ages[1]}T{ages[2]}"
    elif older:
        base = f"Y_GE{older[1]}"
    else:
        base = re.sub(r"[^A-Za-z0-9]+", "_", label.upper()).strip("_")[:50] or "CODE"
    if base[0].isdigit():
        base = f"C{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATED = re.compile(r"^\s*([A-Za-z]{3})-(\d{1,2})\s*$")


def undated(label: str) -> str | None:
    """The range a spreadsheet turned into a date ("Oct-17" was 10-17), or None."""
    found = _DATED.match(label)
    if found is None or found[1].lower() not in MONTHS:
        return None
    low, high = MONTHS.index(found[1].lower()) + 1, int(found[2])
    return f"{low}-{high}" if low < high else None


def _narrower(label: str, others: list[tuple[str, dict[str, Code]]]) -> tuple[str, Code] | None:
    """ "Corruption: Bribery": a category named under its broader one, taken as
    the ICCS code whose name is the part after the colon when that code lies
    under the code of the part before it (07031 under 0703); exact names only."""
    head, colon, tail = label.partition(":")
    if not colon or not tail.strip():
        return None
    for urn, lookup in others:
        if not urn.split(":")[-1].startswith("CL_ICCS"):
            continue
        broad, narrow = lookup.get(fold(head)), lookup.get(fold(tail))
        if broad and narrow and narrow.code != broad.code and narrow.code.startswith(broad.code):
            return urn, narrow
    return None


def _latest(model: type[Any], code: str) -> Any:
    rows = list(model.objects.filter(agency=AGENCY, code=code))
    return max(rows, key=lambda row: version_key(row.version), default=None)


def _codes_of(codelist: Codelist | None) -> list[Code]:
    return list(codelist.codes.order_by("position", "code")) if codelist else []


def _lookup(codes: list[Code]) -> dict[str, Code]:
    found: dict[str, Code] = {}
    for code in codes:
        for text in (code.code, *code.aliases):
            found.setdefault(fold(text), code)
    for code in codes:  # a name wins over another code's id or alias
        found[fold(code.name)] = code
    return found


def _elsewhere(dimension: str, own: set[int]) -> list[tuple[str, dict[str, Code]]]:
    """Lists whose codes a label may take by name: ICCS, drugs, and the lists
    other structures bind to the same dimension."""
    lists: list[tuple[str, dict[str, Code]]] = []
    for code in ELSEWHERE:
        codelist = _latest(Codelist, code)
        if codelist is not None and codelist.pk not in own:
            lists.append((codelist.urn_id, _lookup(_codes_of(codelist))))
    seen = set(own)
    for component in Component.objects.filter(
        code=dimension, codelist__isnull=False
    ).select_related("codelist"):
        codelist = component.codelist
        if codelist is not None and codelist.pk not in seen:
            seen.add(codelist.pk)
            lists.append((codelist.urn_id, _lookup(_codes_of(codelist))))
    return lists


def _texts(frame: pl.DataFrame, column: str) -> dict[str, list[str]]:
    """The column's distinct texts in file order, by folded spelling."""
    spellings: dict[str, list[str]] = {}
    for text in frame[column].fill_null("").unique(maintain_order=True).to_list():
        if text.strip():
            spellings.setdefault(fold(text), []).append(text)
    return spellings


def _draft_list(
    dimension: str,
    frame: pl.DataFrame,
    column: str,
    *,
    stem: str,
    current: Codelist | None,
) -> DraftList:
    base = current or _latest(Codelist, SHARED.get(dimension, ""))
    base_codes = _codes_of(base)
    own = _lookup(base_codes)
    others = _elsewhere(dimension, {base.pk} if base else set())
    taken = {code.code for code in base_codes}
    codes: dict[str, DraftCode] = {
        code.code: DraftCode(id=code.code, name=code.name, parent=code.parent, aliases=code.aliases)
        for code in base_codes
    }
    used: list[str] = []
    for key, spellings in _texts(frame, column).items():
        hit = own.get(key)
        if hit is not None:
            codes[hit.code].spellings += [s for s in spellings if s != hit.name]
            used.append(hit.code)
            continue
        label = spellings[0]
        readable = undated(label)
        if readable is not None:  # "Oct-14": a spreadsheet made a date of 10-14
            hit = own.get(fold(readable))
            if hit is not None and key in {fold(a) for a in hit.aliases}:
                used.append(hit.code)
                continue
            if hit is not None:  # the list's code, which now takes this text too
                known = codes[hit.code]
                known.aliases, known.new = [*known.aliases, *spellings], True
                used.append(hit.code)
                continue
            code = DraftCode(id=code_id(readable, taken), name=readable, new=True)
            code.spellings, code.aliases = spellings, list(spellings)
            codes[code.id] = code
            used.append(code.id)
            continue
        found = next(((urn, lookup[key]) for urn, lookup in others if key in lookup), None)
        found = found or _narrower(label, others)
        if found is not None and found[1].code not in taken:
            taken.add(found[1].code)
            code = DraftCode(id=found[1].code, name=label, new=True, found_in=found[0])
        else:
            code = DraftCode(id=code_id(label, taken), name=label, new=True)
        code.spellings = spellings[1:]
        codes[code.id] = code
        used.append(code.id)
    if not any(code.new for code in codes.values()) and base is not None:
        return DraftList(
            dimension,
            base.code,
            base.version,
            base.name,
            list(codes.values()),
            kept=True,
        )
    own_id = f"CL_{stem}_{dimension}"
    mine = base if base is not None and base.code == own_id else _latest(Codelist, own_id)
    return DraftList(
        dimension,
        own_id,
        next_version(mine.version) if mine else "1.0",
        mine.name if mine else f"{LIST_NAMES[dimension]} ({stem})",
        list(codes.values()),
        kept=False,
        replaces=mine.version if mine else "",
    )


def _areas(frame: pl.DataFrame) -> list[DraftArea]:
    """Area codes the reference data do not know (by code, alternative code
    such as XKX, or name), as new areas."""
    known = set(Area.objects.values_list("code", flat=True))
    areas_matched = normaliser("area").match_many(frame["area"].fill_null("").unique().to_list())
    names = {}
    if "country" in frame.columns:
        names = dict(
            frame.select("area", "country")
            .unique(subset="area", keep="first", maintain_order=True)
            .iter_rows()
        )
    areas = []
    problems = []
    for text in frame["area"].fill_null("").unique(maintain_order=True).to_list():
        code = text.strip()
        match = areas_matched.get(text)
        if not code or code.upper() in known or (match and match.confidence == 1.0):
            continue
        problem = area_code_problem(code)
        if problem:
            problems.append(problem)
            continue
        prefix = code.split("_")[0]
        parent = prefix if "_" in code and prefix in known else ""
        areas.append(
            DraftArea(
                code=code,
                name=str(names.get(text) or code),
                kind=str(Area.Kind.PSEUDO if parent else Area.Kind.AGGREGATE),
                parent=parent,
            )
        )
    if problems:
        raise ValidationFailed("; ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))
    return areas


def structure_entry(structure: DataStructure) -> dict[str, Any]:
    """A structure as its definition file would write it (codelists pinned)."""
    dimensions: list[dict[str, Any]] = []
    attributes: list[dict[str, Any]] = []
    entry: dict[str, Any] = {
        "id": structure.code,
        "version": structure.version,
        "name": structure.name,
        "final": True,
        "dimensions": dimensions,
        "time_dimension": "TIME_PERIOD",
        "attributes": attributes,
    }
    for component in structure.components.select_related("codelist").order_by("position"):
        spec: dict[str, Any] = {"id": component.code}
        if component.codelist is not None:
            spec["codelist"] = f"{component.codelist.code}({component.codelist.version})"
        if component.reading.get("headers"):
            spec["headers"] = list(component.reading["headers"])
        if component.reading.get("default"):
            spec["default"] = component.reading["default"]
        if component.role == Component.Role.DIMENSION:
            dimensions.append(spec)
        elif component.role == Component.Role.TIME:
            entry["time_dimension"] = component.code
            if component.reading.get("headers"):
                entry["time_headers"] = list(component.reading["headers"])
        elif component.role == Component.Role.ATTRIBUTE:
            if component.required:
                spec["required"] = True
            attributes.append(spec)
    if structure.suppress_below:
        entry["suppress_below"] = structure.suppress_below
    return entry


def portal_frame(table: RawTable) -> pl.DataFrame:
    """The file's columns under the portal layout's field names; a column the
    layout needs and the file lacks is an error naming it."""
    mapping = {p.header: p.field for p in propose_mapping(table.headers, PORTAL) if p.field}
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        labels = {f.name: f.label for f in PORTAL.fields}
        raise ValidationFailed(
            "this is not the data-portal long layout: no column for "
            + ", ".join(labels[f] for f in missing)
            + f" (the file's columns: {', '.join(table.headers)})"
        )
    return table.frame.select([pl.col(h).alias(f) for h, f in mapping.items()])


def draft_dataflow(
    path: Path, *, dataflow: str, name: str = "", filename: str | None = None
) -> Draft:
    """The definition a portal-layout file needs, drafted from its labels."""
    if not SDMX_ID.match(dataflow):
        raise ValidationFailed(
            f"“{dataflow}” cannot be a dataflow id: letters, digits, _ and -, "
            "starting with a letter, at most 60 (e.g. DF_HOMICIDE)"
        )
    filename = filename or path.name
    frame = portal_frame(read_table(path, filename=filename))
    existing = _latest(Dataflow, dataflow)
    stem = re.sub(r"^DF_", "", dataflow).upper().replace("-", "_")
    lists = []
    for column, dimension in PORTAL_DIMENSIONS.items():
        current = None
        if existing is not None:
            component = existing.structure.components.filter(code=dimension).first()
            if component is None:
                raise ValidationFailed(
                    f"{existing.urn_id} has no dimension {dimension}: it is not in the "
                    "data-portal layout, so this file cannot extend it"
                )
            current = component.codelist
        lists.append(_draft_list(dimension, frame, column, stem=stem, current=current))
    censored = [
        int(m.group(1))
        for text in frame["value"].fill_null("").unique().to_list()
        if (m := CENSORED.match(text.strip()))
    ]
    changed = any(not item.kept for item in lists)
    structure = existing.structure if existing else None
    draft = Draft(
        dataflow=dataflow,
        name=(name or (existing.name if existing else dataflow))[:300],
        version=next_version(existing.version) if existing else "1.0",
        structure=structure.code if structure else f"DSD_{stem}",
        structure_version=next_version(structure.version) if structure else "1.0",
        lists=lists,
        areas=_areas(frame),
        rows=frame.height,
        filename=filename,
        suppress_below=max(censored)
        if censored
        else (structure.suppress_below if structure else None),
        existing=existing.version if existing else "",
        template=structure_entry(structure) if structure else None,
    )
    if existing is not None and not changed:
        draft.version, draft.structure_version = existing.version, structure.version  # type: ignore[union-attr]
    if censored:
        draft.notes.append(
            f"values such as “<{max(censored)}” are counts under {max(censored)} as published: "
            f"the structure suppresses counts under {max(censored)} in what the public sees"
        )
    written = [
        f"{code.id} “{code.name}” as “{'”, “'.join(code.spellings)}”"
        for item in lists
        for code in item.codes
        if code.spellings
    ]
    if written:
        # Case and spaces aside the same label: one code, the file's texts kept
        # with each observation (an export writes them back).
        draft.notes.append(
            "read as one code, written otherwise in the file: " + "; ".join(written[:6])
        )
    return draft


def draft_from_annex(
    path: Path,
    *,
    dataflow: str,
    filename: str | None = None,
    fixed: dict[str, str] | None = None,
) -> Draft:
    """A new version of an existing dataflow with the labels a table of any
    layout (formats/annex.py) uses and its lists lack: an age group such as
    15-65, a quantity basis, a drug the list does not have."""
    from observatory.statistics.formats.annex import read_annex, unknown_labels

    filename = filename or path.name
    existing = _latest(Dataflow, dataflow)
    if existing is None:
        raise ValidationFailed(
            f"{dataflow} does not exist: a table of any layout is read against a dataflow's "
            "structure, so it extends one (a new family comes from a data-portal file or "
            "a definition file)"
        )
    raw = read_annex(path, filename)
    unknown, notes = unknown_labels(raw, existing, fixed or {})
    areas = unknown.pop("REF_AREA", [])
    stem = re.sub(r"^DF_", "", dataflow).upper().replace("-", "_")
    structure = existing.structure
    lists = []
    for component in structure.components.filter(code__in=list(unknown)).order_by("position"):
        texts = pl.DataFrame({"text": unknown[component.code]})
        lists.append(
            _draft_list(component.code, texts, "text", stem=stem, current=component.codelist)
        )
    changed = bool(lists)
    draft = Draft(
        dataflow=dataflow,
        name=existing.name,
        version=next_version(existing.version) if changed else existing.version,
        structure=structure.code,
        structure_version=next_version(structure.version) if changed else structure.version,
        lists=lists,
        areas=[],
        rows=raw.row_count,
        filename=filename,
        suppress_below=structure.suppress_below,
        existing=existing.version,
        template=structure_entry(structure),
        notes=notes,
    )
    if areas:
        draft.notes.append(
            "areas no code or known name says, not defined here (write their ISO code, "
            "or add the name as an alias of the area): " + ", ".join(f"“{a}”" for a in areas)
        )
    return draft


def draft_from_upload(
    upload: Any, *, dataflow: str, name: str, file_format: str = "unodc-portal"
) -> Draft:
    """The draft for an uploaded file (the web and the API), read from a private
    temporary copy that is gone afterwards."""
    suffix = Path(upload.name or "").suffix.lower()[:10]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        if file_format == "annex":
            return draft_from_annex(path, dataflow=dataflow, filename=upload.name)
        return draft_dataflow(path, dataflow=dataflow, name=name, filename=upload.name)
