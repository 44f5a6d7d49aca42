"""Load the versioned definition files (statistics/artefacts/*.yaml) into the cube's
structures: codelists, data structures and dataflows (questionnaires later).

Loading is idempotent. A non-final artefact is updated in place; a final one
must not change: a file that changes a final artefact without a new version is
refused with a clear error and nothing of that file is written."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from observatory.accounts.access import ActorLike
from observatory.core.audit import audit_record
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.models import Area, Drug, DrugGroup, IccsCategory
from observatory.reference.services import areas_add
from observatory.statistics.models import (
    Code,
    Codelist,
    Component,
    Dataflow,
    DataStructure,
    Questionnaire,
)

DEFINITIONS = Path(__file__).resolve().parent.parent / "artefacts"
# The C parser when PyYAML was built with libyaml (twice as fast), else Python's.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ORDER = ("common.yaml",)  # loaded first; the rest alphabetically


class DefinitionError(ValidationFailed):
    pass


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def definition_files(folder: Path = DEFINITIONS) -> list[Path]:
    files = sorted(folder.glob("*.yaml"))
    first = [f for name in ORDER for f in files if f.name == name]
    return first + [f for f in files if f not in first]


def _digest(content: Any) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise DefinitionError(f"{where}: “{key}” is missing")
    return entry[key]


def _codes(entry: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The codelist's codes: its own list, or a reference list with the codes the
    entry adds in front of it (e.g. _T “all drugs”, _Z “not applicable”)."""
    if entry.get("from_reference"):
        codes = [*(entry.get("codes") or []), *_from_reference(entry, where)]
    else:
        codes = list(_need(entry, "codes", where))
    seen: set[str] = set()
    for code in codes:
        identifier = str(_need(code, "id", where))
        if identifier in seen:
            raise DefinitionError(f"{where}: code {identifier!r} appears twice")
        seen.add(identifier)
    return codes


def _from_reference(entry: dict[str, Any], where: str) -> list[dict[str, Any]]:
    if entry.get("from_reference") == "areas":
        names = entry.get("names") or {}
        languages = ("en", "fr", "es", "ru", "zh", "ar")
        return [
            {
                "id": row["code"],
                "name": names.get(row["code"], row["name_en"]),
                "names": {lang: row[f"name_{lang}"] for lang in languages if row[f"name_{lang}"]},
            }
            for row in Area.objects.order_by("code").values(
                "code", *(f"name_{lang}" for lang in languages)
            )
        ]
    if entry.get("from_reference") == "iccs":
        return [
            {
                "id": f"ICCS{code}",
                "name": name,
                "names": {"en": name, **({"zh": name_zh} if name_zh else {})},
                "parent": f"ICCS{parent}" if parent else "",
            }
            for code, name, name_zh, parent in IccsCategory.objects.order_by("code").values_list(
                "code", "name_en", "name_zh", "parent__code"
            )
        ]
    if entry.get("from_reference") == "drugs":
        # Drug groups first (codes G_<group>), then drugs with their group as parent.
        languages = ("en", "fr", "es", "ru", "zh", "ar")
        groups = [
            {
                "id": f"G_{row['code'].upper()}",
                "name": row["name_en"],
                "names": {lang: row[f"name_{lang}"] for lang in languages if row[f"name_{lang}"]},
            }
            for row in DrugGroup.objects.order_by("sort", "code").values(
                "code", *(f"name_{lang}" for lang in languages)
            )
        ]
        drugs = [
            {
                "id": row["code"].upper().replace("-", "_"),
                "name": row["name_en"],
                "names": {lang: row[f"name_{lang}"] for lang in languages if row[f"name_{lang}"]},
                "parent": f"G_{row['group__code'].upper()}",
            }
            for row in Drug.objects.order_by("group__sort", "code").values(
                "code", "group__code", *(f"name_{lang}" for lang in languages)
            )
        ]
        return groups + drugs
    raise DefinitionError(f"{where}: unknown from_reference {entry['from_reference']!r}")


# A reference to another artefact: "CL_SEX" (the one this document defines, else
# the latest loaded) or pinned to a version, "CL_SEX(1.0)".
REFERENCE = re.compile(r"^(?P<code>[A-Za-z0-9_@$-]+)(?:\((?P<version>[0-9][0-9.]*)\))?$")


def _reading(spec: dict[str, Any], where: str, codelist: Codelist | None) -> dict[str, Any]:
    """How files write a component: its other headers, and its default code."""
    reading: dict[str, Any] = {}
    if spec.get("headers"):
        reading["headers"] = [str(h) for h in spec["headers"]]
    if spec.get("default") is not None:
        default = str(spec["default"])
        if codelist is None or not codelist.codes.filter(code=default).exists():
            raise DefinitionError(
                f"{where}: default {default!r} of {spec['id']} is not one of its codes"
            )
        reading["default"] = default
    return reading


class _Loader:
    def __init__(self, source: str, report: LoadReport, actor: ActorLike) -> None:
        self.source = source
        self.report = report
        self.actor = actor
        # What this document defines: its structures use its own codelists, its
        # dataflows its own structures (a new version of a list is not taken up
        # by another file's structure that names the list without a version).
        self.defined: dict[tuple[type[Any], str], Any] = {}

    def _find(self, model: type[Any], reference: str, agency: str, where: str) -> Any:
        match = REFERENCE.match(str(reference))
        if match is None:
            raise DefinitionError(f"{where}: {reference!r} is not an artefact id")
        code, version = match["code"], match["version"]
        if version is None and (model, code) in self.defined:
            return self.defined[model, code]
        rows = model.objects.filter(agency=agency, code=code)
        if version is not None:
            rows = rows.filter(version=version)
        found = max(rows, key=lambda row: version_key(row.version), default=None)
        if found is None and version is None:
            return None
        if found is None:
            raise DefinitionError(f"{where}: {code} has no version {version}")
        return found

    def _upsert(
        self,
        model: type[Any],
        entry: dict[str, Any],
        agency: str,
        content: Any,
        extra: dict[str, Any],
    ) -> tuple[Any, bool]:
        """(object, changed): refuses to change a final artefact."""
        code = str(_need(entry, "id", self.source))
        version = str(entry.get("version", "1.0"))
        digest = _digest(content)
        label = f"{agency}:{code}({version})"
        existing = model.objects.filter(agency=agency, code=code, version=version).first()
        if existing is not None and existing.content_sha256 == digest:
            self.report.unchanged.append(label)
            self.defined[model, code] = existing
            return existing, False
        if existing is not None and existing.is_final:
            raise DefinitionError(
                f"{label} is final and {self.source} changes it: give the changed "
                "artefact a new version (final artefacts never change)"
            )
        values = {
            "name": str(_need(entry, "name", f"{self.source} {label}")),
            "description": str(entry.get("description", "")),
            "is_final": bool(entry.get("final", False)),
            "source_file": self.source,
            "content_sha256": digest,
            **extra,
        }
        obj, created = model.objects.update_or_create(
            agency=agency, code=code, version=version, defaults=values
        )
        self.defined[model, code] = obj
        (self.report.created if created else self.report.updated).append(label)
        audit_record(
            actor=self.actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=obj,
            changes={"source": self.source, "sha256": digest},
        )
        return obj, True

    def codelist(self, entry: dict[str, Any], agency: str) -> None:
        where = f"{self.source} codelist {entry.get('id')}"
        codes = _codes(entry, where)
        codelist, changed = self._upsert(Codelist, entry, agency, {**entry, "codes": codes}, {})
        if not changed:
            return
        codelist.codes.all().delete()
        Code.objects.bulk_create(
            Code(
                codelist=codelist,
                code=str(code["id"]),
                name=str(code.get("name", code["id"])),
                names=code.get("names", {}),
                parent=str(code.get("parent", "")),
                position=position,
                aliases=[str(a) for a in code.get("aliases", [])],
            )
            for position, code in enumerate(codes)
        )

    def structure(self, entry: dict[str, Any], agency: str) -> None:
        where = f"{self.source} structure {entry.get('id')}"
        components: list[tuple[str, str, dict[str, Any]]] = [
            (Component.Role.DIMENSION, str(_need(d, "id", where)), d)
            for d in _need(entry, "dimensions", where)
        ]
        components.append(
            (
                Component.Role.TIME,
                str(entry.get("time_dimension", "TIME_PERIOD")),
                {"headers": entry.get("time_headers") or []},
            )
        )
        components += [
            (Component.Role.ATTRIBUTE, str(_need(a, "id", where)), a)
            for a in entry.get("attributes", [])
        ]
        components.append((Component.Role.MEASURE, "OBS_VALUE", {}))
        lists: dict[str, Codelist] = {}
        for _role, identifier, spec in components:
            if spec.get("codelist"):
                found = self._find(Codelist, spec["codelist"], agency, where)
                if found is None:
                    raise DefinitionError(
                        f"{where}: {identifier} uses the unknown codelist {spec['codelist']!r}"
                    )
                lists[identifier] = found
        content = {**entry, "codelists": {k: v.urn_id for k, v in lists.items()}}
        structure, changed = self._upsert(
            DataStructure,
            entry,
            agency,
            content,
            {"suppress_below": entry.get("suppress_below")},
        )
        if not changed:
            return
        structure.components.all().delete()
        Component.objects.bulk_create(
            Component(
                structure=structure,
                code=identifier,
                role=role,
                name=str(spec.get("name", "")),
                position=position,
                codelist=lists.get(identifier),
                required=bool(spec.get("required", role != Component.Role.ATTRIBUTE)),
                reading=_reading(spec, where, lists.get(identifier)),
            )
            for position, (role, identifier, spec) in enumerate(components)
        )

    def dataflow(self, entry: dict[str, Any], agency: str) -> None:
        where = f"{self.source} dataflow {entry.get('id')}"
        code = _need(entry, "structure", where)
        structure = self._find(DataStructure, code, agency, where)
        if structure is None:
            raise DefinitionError(f"{where}: unknown structure {code!r}")
        self._upsert(
            Dataflow,
            entry,
            agency,
            {**entry, "structure": structure.urn_id},
            {"structure": structure},
        )

    def questionnaire(self, entry: dict[str, Any], agency: str) -> None:
        where = f"{self.source} questionnaire {entry.get('id')}"
        code = _need(entry, "dataflow", where)
        flow = self._find(Dataflow, code, agency, where)
        if flow is None:
            raise DefinitionError(f"{where}: unknown dataflow {code!r}")
        from observatory.statistics.questionnaires.sections import DefinitionProblem, sections_of

        try:
            sections_of(entry, flow)  # every cell must be a valid key of the structure
        except DefinitionProblem as error:
            raise DefinitionError(f"{where}: {error}") from error
        self._upsert(
            Questionnaire,
            entry,
            agency,
            {**entry, "dataflow": flow.urn_id},
            {"dataflow": flow, "definition": entry},
        )


def version_key(version: str) -> tuple[int, ...]:
    """ "1.10" after "1.9": versions compare part by part, as numbers."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(version).split("."))


def load_definitions(*, folder: Path = DEFINITIONS, actor: ActorLike = None) -> LoadReport:
    """Every definition file, each in its own transaction (all of a file or none)."""
    report = LoadReport()
    for path in definition_files(folder):
        load_file(path, actor=actor, report=report)
    return report


def load_file(
    path: Path, *, actor: ActorLike = None, report: LoadReport | None = None
) -> LoadReport:
    """One definition file (a packaged one, or one written by `define dataflow`)."""
    try:
        document = (
            # A safe loader (CSafeLoader or SafeLoader): no arbitrary objects.
            yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
            or {}
        )
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path.name} is not valid YAML: {error}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{path.name} cannot be read: {error}") from error
    return load_document(document, source=path.name, actor=actor, report=report)


def load_document(
    document: Any, *, source: str, actor: ActorLike = None, report: LoadReport | None = None
) -> LoadReport:
    """A definition document (what a file holds), all of it or nothing: areas it
    adds (aggregates, parts of countries), codelists, structures, dataflows and
    questionnaires, in that order."""
    report = report if report is not None else LoadReport()
    if not isinstance(document, dict):
        raise DefinitionError(f"{source}: a definition file is a mapping (agency, codelists, …)")
    agency = str(document.get("agency", "UNODC"))
    loader = _Loader(source, report, actor)
    with transaction.atomic():
        added = areas_add(document.get("areas") or [], source=source, actor=actor)
        report.created += [f"area {code}" for code in added]
        for entry in document.get("codelists") or []:
            loader.codelist(entry, agency)
        for entry in document.get("structures") or []:
            loader.structure(entry, agency)
        for entry in document.get("dataflows") or []:
            loader.dataflow(entry, agency)
        for entry in document.get("questionnaires") or []:
            loader.questionnaire(entry, agency)
    return report
