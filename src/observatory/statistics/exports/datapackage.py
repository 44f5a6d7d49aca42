"""Observations as a Frictionless Tabular Data Package: datapackage.json, the CSV
research layout and the SDMX structure message (layouts: observations.py)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import IO, Any

from observatory.statistics.exports.excel import _about
from observatory.statistics.exports.stream import (
    Observations,
)
from observatory.statistics.exports.tables import (
    _write_csv,
)
from observatory.statistics.formats.sdmx.cube import MEASURE, URN, Cube
from observatory.statistics.formats.sdmx.structure import structure_message


def table_schema(cube: Cube) -> dict[str, Any]:
    """The Frictionless Table Schema of the research layout, from the structure."""
    components = {c.code: c for c in cube.components}
    fields: list[dict[str, Any]] = []
    for dimension in cube.dimensions:
        component = components[dimension]
        field: dict[str, Any] = {
            "name": dimension,
            "type": "string",
            "title": cube.concept_name(component),
            "constraints": {"required": True},
        }
        if dimension in cube.codelists:
            field["constraints"]["enum"] = [c.code for c in cube.codelists[dimension]]
            codelist = component.codelist
            field["description"] = f"code of {codelist.urn_id}"  # type: ignore[union-attr]
        fields.append(field)
        fields.append(
            {"name": f"{dimension}_LABEL", "type": "string", "title": f"{field['title']} (name)"}
        )
    fields.append(
        {
            "name": cube.time,
            "type": "string",
            "title": "Time period",
            "description": "SDMX observational time period (2015, 2015-Q1, 2015-06)",
            "constraints": {"required": True},
        }
    )
    fields.append(
        {
            "name": MEASURE,
            "type": "number",
            "title": "Observation value",
            "description": "empty when there is no number: see CENSORED and OBS_STATUS",
        }
    )
    fields.append(
        {
            "name": "CENSORED",
            "type": "string",
            "title": "Censored value as published",
            "description": "a count published as <n (disclosure control); OBS_VALUE is then empty",
            "constraints": {"pattern": r"<\d+(\.\d+)?"},
        }
    )
    for attribute in cube.attributes:
        component = components[attribute]
        field = {"name": attribute, "type": "string", "title": cube.concept_name(component)}
        if attribute in cube.codelists:
            field["constraints"] = {"enum": [c.code for c in cube.codelists[attribute]]}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def datapackage_descriptor(
    observations: Observations, *, csv_bytes: int, csv_hash: str
) -> dict[str, Any]:
    flow = observations.dataflow
    cube = observations.cube
    return {
        "profile": "tabular-data-package",
        "name": flow.code.lower().replace("_", "-"),
        "id": f"{URN}.datastructure.Dataflow={flow.urn_id}",
        "title": flow.name,
        "description": flow.description
        or f"Observations of the dataflow {flow.urn_id} ({flow.structure.name}).",
        "version": flow.version,
        "created": cube.prepared.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sources": [{"title": f"{flow.agency} statistics, dataflow {flow.urn_id}"}],
        "resources": [
            {
                "name": "observations",
                "path": "observations.csv",
                "profile": "tabular-data-resource",
                "title": flow.name,
                "description": " ".join(
                    f"{name}: {text}." for name, text in _about(observations, "datapackage")
                ),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_bytes,
                "hash": f"sha256:{csv_hash}",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": table_schema(cube),
            },
            {
                "name": "sdmx-structure",
                "path": "structure.xml",
                "profile": "data-resource",
                "title": "SDMX-ML 2.1 structure message (dataflow, data structure, codelists)",
                "format": "xml",
                "mediatype": "application/vnd.sdmx.structure+xml; version=2.1",
            },
        ],
    }


class _Counting:
    """A binary stream wrapper that counts and hashes what is written."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.bytes = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        self.sha256.update(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def _write_datapackage(observations: Observations, path: Path) -> None:
    structure = structure_message(observations.cube)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("observations.csv", "w", force_zip64=True) as handle:
                counted = _Counting(handle)
                _write_csv(observations, counted)  # type: ignore[arg-type]
            archive.writestr("structure.xml", structure)
            descriptor = datapackage_descriptor(
                observations, csv_bytes=counted.bytes, csv_hash=counted.sha256.hexdigest()
            )
            archive.writestr(
                "datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False)
            )
        return
    path.mkdir(parents=True, exist_ok=True)
    with (path / "observations.csv").open("wb") as raw:
        counted = _Counting(raw)
        _write_csv(observations, counted)  # type: ignore[arg-type]
    (path / "structure.xml").write_bytes(structure)
    descriptor = datapackage_descriptor(
        observations, csv_bytes=counted.bytes, csv_hash=counted.sha256.hexdigest()
    )
    (path / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8"
    )
