"""SDMX 2.1 for the cube: the structure message of a dataflow (its codelists,
concepts, data structure and the dataflow itself), the data-structure-specific
XML schema its data messages are validated against, and streaming writers for
structure-specific SDMX-ML 2.1 data messages and SDMX-CSV 2.0.

Layouts (see also exports.py):

* Structure message (SDMX-ML 2.1 `message:Structure`): every codelist the data
  structure uses (code names in every language the definitions hold, parents),
  one concept scheme `CS_<structure id>` with a concept per component, the data
  structure (dimensions in order, TIME_PERIOD as the time dimension, attributes
  attached to the observation, OBS_VALUE as the primary measure, typed Double)
  and the dataflow.
* Data-structure-specific schema: the XSD the SDMX 2.1 standard (section 3B)
  derives from a data structure for structure-specific messages with
  TIME_PERIOD at the observation level: the abstract DataSet, Series and Obs
  types of SDMXDataStructureSpecific.xsd restricted to the structure's
  dimensions and attributes, coded ones to their codelists. Its target
  namespace is the one data messages declare.
* Data message (SDMX-ML 2.1 `message:StructureSpecificData`): one data set
  for the dataflow, series by area and series key, observations by period.
  A value that is not published (no number, a censored count, a value withheld
  by disclosure control) has OBS_VALUE="NaN" (SDMX-ML 2.1's missing double)
  and keeps its status: OBS_STATUS L/M for a reasoned absence; CONF_STATUS C for
  a value reported censored or confidential, A for a small count the structure's
  rule suppressed, D for a value withheld because its cell's count is (see
  disclosure.py); the published marker ("<5") first in COMMENT. A cell the
  source published several times with different values is one observation
  without a number, the values named in COMMENT (exports.py).
* SDMX-CSV 2.0: `STRUCTURE,STRUCTURE_ID,ACTION,<dimensions>,TIME_PERIOD,
  OBS_VALUE,<attributes>`, one row per observation, STRUCTURE=dataflow,
  STRUCTURE_ID=AGENCY:ID(VERSION), ACTION=I (information); no number is an
  empty OBS_VALUE, statuses and the "<5" marker as in SDMX-ML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import IO

import polars as pl
from lxml import etree

from observatory.statistics import selectors
from observatory.statistics.models import Code, Component, Dataflow

MESSAGE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
COMMON = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
STRUCTURE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
URN = "urn:sdmx:org.sdmx.infomodel"
TIME = "TIME_PERIOD"
MEASURE = "OBS_VALUE"
AREA = "REF_AREA"
MISSING = "NaN"  # SDMX-ML 2.1: a numeric observation without a value
SDMX_CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"

# Names of the SDMX cross-domain concepts the structures use; other components
# are named after their codelist.
CONCEPT_NAMES = {
    AREA: "Reference area",
    TIME: "Time period or range",
    MEASURE: "Observation value",
    "OBS_STATUS": "Observation status",
    "CONF_STATUS": "Confidentiality status",
    "SEX": "Sex",
    "AGE": "Age",
    "UNIT_MEASURE": "Unit of measure",
    "COMMENT": "Comment",
    "SOURCE": "Source",
}


def _e(parent: etree._Element, ns: str, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}", attributes)


def _ref(parent: etree._Element, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, "Ref", attributes)


@dataclass
class Cube:
    """The SDMX view of one dataflow: its structure's components and codelists."""

    dataflow: Dataflow
    prepared: datetime = field(default_factory=lambda: datetime.now(UTC))

    @cached_property
    def structure(self) -> selectors.Structure:
        return selectors.Structure(self.dataflow.structure)

    @cached_property
    def components(self) -> list[Component]:
        return self.structure.components

    @cached_property
    def dimensions(self) -> list[str]:
        """Every dimension but time, in order (the area first)."""
        return [c.code for c in self.components if c.role == Component.Role.DIMENSION]

    @cached_property
    def series_dimensions(self) -> list[str]:
        """The dimensions joined in an observation's stored series key."""
        return self.structure.dimensions

    @cached_property
    def time(self) -> str:
        return next((c.code for c in self.components if c.role == Component.Role.TIME), TIME)

    @cached_property
    def attributes(self) -> list[str]:
        return [c.code for c in self.components if c.role == Component.Role.ATTRIBUTE]

    @cached_property
    def codelists(self) -> dict[str, list[Code]]:
        """component id -> its codes, for coded components."""
        lists: dict[int, list[Code]] = {}
        out: dict[str, list[Code]] = {}
        for component in self.components:
            if component.codelist_id is None:
                continue
            if component.codelist_id not in lists:
                lists[component.codelist_id] = list(
                    component.codelist.codes.order_by("position", "code")  # type: ignore[union-attr]
                )
            out[component.code] = lists[component.codelist_id]
        return out

    def load(self) -> None:
        """Read the structure and its codes now (a streaming export must not
        query while the connection streams rows)."""
        for name in ("components", "dimensions", "series_dimensions", "time", "attributes"):
            getattr(self, name)
        self.codelists  # noqa: B018
        self.dataflow.structure  # noqa: B018

    def labels(self, component: str) -> dict[str, str]:
        return {code.code: code.name for code in self.codelists.get(component, [])}

    @property
    def concept_scheme(self) -> str:
        return f"CS_{self.dataflow.structure.code}"

    def concept_name(self, component: Component) -> str:
        if component.name:
            return component.name
        if component.code in CONCEPT_NAMES:
            return CONCEPT_NAMES[component.code]
        if component.codelist is not None:
            return component.codelist.name
        return component.code.replace("_", " ").capitalize()

    @property
    def structure_id(self) -> str:
        """The XML ID that ties the data set to the header's structure."""
        flow = self.dataflow
        return f"{flow.agency}_{flow.code}_{flow.version}".replace(".", "_")

    @property
    def namespace(self) -> str:
        """The namespace of the structure-specific types (SDMX 2.1, section 3B)."""
        flow = self.dataflow
        return (
            f"{URN}.datastructure.Dataflow={flow.agency}:{flow.code}({flow.version})"
            f":ObsLevelDim:{self.time}"
        )

    def header(self, root: etree._Element, *, data: bool) -> None:
        header = _e(root, MESSAGE, "Header")
        kind = "DATA" if data else "STRUCTURE"
        stamp = self.prepared.strftime("%Y%m%dT%H%M%S")
        _e(header, MESSAGE, "ID").text = f"{self.dataflow.code}_{kind}_{stamp}"
        _e(header, MESSAGE, "Test").text = "false"
        _e(header, MESSAGE, "Prepared").text = self.prepared.strftime("%Y-%m-%dT%H:%M:%SZ")
        _e(header, MESSAGE, "Sender", id=self.dataflow.agency)
        if data:
            flow = self.dataflow
            payload = _e(
                header,
                MESSAGE,
                "Structure",
                structureID=self.structure_id,
                namespace=self.namespace,
                dimensionAtObservation=self.time,
            )
            usage = _e(payload, COMMON, "StructureUsage")
            _ref(usage, agencyID=flow.agency, id=flow.code, version=flow.version)
            _e(header, MESSAGE, "DataSetAction").text = "Information"


# --------------------------------------------------------------------------
# Structure message


def _names(element: etree._Element, name: str, names: dict[str, str] | None = None) -> None:
    _e(element, COMMON, "Name", **{XML_LANG: "en"}).text = name
    for language, text in sorted((names or {}).items()):
        if language != "en" and text:
            _e(element, COMMON, "Name", **{XML_LANG: language}).text = text


def _maintainable(
    parent: etree._Element, tag: str, package: str, kind: str, artefact: object, **extra: str
) -> etree._Element:
    agency, code, version = (getattr(artefact, k) for k in ("agency", "code", "version"))
    element = _e(
        parent,
        STRUCTURE,
        tag,
        id=code,
        urn=f"{URN}.{package}.{kind}={agency}:{code}({version})",
        agencyID=agency,
        version=version,
        isFinal="true" if getattr(artefact, "is_final", False) else "false",
        **extra,
    )
    _names(element, str(getattr(artefact, "name", "")) or code)
    description = str(getattr(artefact, "description", "") or "")
    if description:
        _e(element, COMMON, "Description", **{XML_LANG: "en"}).text = description
    return element


def _representation(parent: etree._Element, cube: Cube, component: Component) -> None:
    local = _e(parent, STRUCTURE, "LocalRepresentation")
    if component.codelist is not None:
        codelist = component.codelist
        enumeration = _e(local, STRUCTURE, "Enumeration")
        _ref(
            enumeration,
            id=codelist.code,
            version=codelist.version,
            agencyID=codelist.agency,
            package="codelist",
            **{"class": "Codelist"},
        )
    elif component.role == Component.Role.TIME:
        _e(local, STRUCTURE, "TextFormat", textType="ObservationalTimePeriod")
    elif component.role == Component.Role.MEASURE:
        _e(local, STRUCTURE, "TextFormat", textType="Double")
    else:
        _e(local, STRUCTURE, "TextFormat", textType="String")


def _concept(parent: etree._Element, cube: Cube, component: Component) -> None:
    identity = _e(parent, STRUCTURE, "ConceptIdentity")
    structure = cube.dataflow.structure
    _ref(
        identity,
        id=component.code,
        maintainableParentID=cube.concept_scheme,
        maintainableParentVersion=structure.version,
        agencyID=structure.agency,
        package="conceptscheme",
        **{"class": "Concept"},
    )


def structure_message(cube: Cube) -> bytes:
    """The SDMX-ML 2.1 structure message of the dataflow, its structure and codelists
    (in the order SDMXStructure.xsd requires: dataflows, codelists, concepts,
    data structures)."""
    nsmap = {"message": MESSAGE, "common": COMMON, "structure": STRUCTURE}
    root = etree.Element(f"{{{MESSAGE}}}Structure", nsmap=nsmap)
    cube.header(root, data=False)
    structures = _e(root, MESSAGE, "Structures")
    flow = cube.dataflow
    dsd = flow.structure

    flows = _e(structures, STRUCTURE, "Dataflows")
    dataflow = _maintainable(flows, "Dataflow", "datastructure", "Dataflow", flow)
    reference = _e(dataflow, STRUCTURE, "Structure")
    _ref(
        reference,
        id=dsd.code,
        version=dsd.version,
        agencyID=dsd.agency,
        package="datastructure",
        **{"class": "DataStructure"},
    )

    codelists = _e(structures, STRUCTURE, "Codelists")
    written: set[int] = set()
    for component in cube.components:
        codelist = component.codelist
        if codelist is None or codelist.pk in written:
            continue
        written.add(codelist.pk)
        element = _maintainable(codelists, "Codelist", "codelist", "Codelist", codelist)
        known = {code.code for code in cube.codelists[component.code]}
        for code in cube.codelists[component.code]:
            item = _e(
                element,
                STRUCTURE,
                "Code",
                id=code.code,
                urn=f"{_code_urn(codelist)}.{code.code}",
            )
            _names(item, code.name or code.code, code.names)
            if code.parent and code.parent in known:
                parent = _e(item, STRUCTURE, "Parent")
                _ref(parent, id=code.parent)
    if not written:
        structures.remove(codelists)

    concepts = _e(structures, STRUCTURE, "Concepts")
    scheme = _e(
        concepts,
        STRUCTURE,
        "ConceptScheme",
        id=cube.concept_scheme,
        urn=f"{URN}.conceptscheme.ConceptScheme={dsd.agency}:{cube.concept_scheme}({dsd.version})",
        agencyID=dsd.agency,
        version=dsd.version,
        isFinal="true" if dsd.is_final else "false",
    )
    _names(scheme, f"Concepts of {dsd.name}")
    for component in cube.components:
        concept = _e(
            scheme,
            STRUCTURE,
            "Concept",
            id=component.code,
            urn=f"{URN}.conceptscheme.Concept={dsd.agency}:{cube.concept_scheme}"
            f"({dsd.version}).{component.code}",
        )
        _names(concept, cube.concept_name(component))

    structures_element = _e(structures, STRUCTURE, "DataStructures")
    element = _maintainable(
        structures_element, "DataStructure", "datastructure", "DataStructure", dsd
    )
    parts = _e(element, STRUCTURE, "DataStructureComponents")
    dimensions = _e(parts, STRUCTURE, "DimensionList", id="DimensionDescriptor")
    attributes = _e(parts, STRUCTURE, "AttributeList", id="AttributeDescriptor")
    measures = _e(parts, STRUCTURE, "MeasureList", id="MeasureDescriptor")
    position = 0
    for component in cube.components:
        if component.role in (Component.Role.DIMENSION, Component.Role.TIME):
            position += 1
            tag = "TimeDimension" if component.role == Component.Role.TIME else "Dimension"
            item = _e(dimensions, STRUCTURE, tag, id=component.code, position=str(position))
        elif component.role == Component.Role.ATTRIBUTE:
            item = _e(
                attributes,
                STRUCTURE,
                "Attribute",
                id=component.code,
                assignmentStatus="Mandatory" if component.required else "Conditional",
            )
        else:
            item = _e(measures, STRUCTURE, "PrimaryMeasure", id=component.code)
        _concept(item, cube, component)
        _representation(item, cube, component)
        if component.role == Component.Role.ATTRIBUTE:
            relationship = _e(item, STRUCTURE, "AttributeRelationship")
            _ref(_e(relationship, STRUCTURE, "PrimaryMeasure"), id=MEASURE)
    if not len(attributes):
        parts.remove(attributes)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _code_urn(codelist: object) -> str:
    """The URN of the codelist's codes, less the code id."""
    agency, code, version = (getattr(codelist, k) for k in ("agency", "code", "version"))
    return f"{URN}.codelist.Code={agency}:{code}({version})"


# --------------------------------------------------------------------------
# The data-structure-specific schema


def _xs(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XS}}}{tag}", attributes)


def data_schema(cube: Cube, *, schema_location: str = "") -> bytes:
    """The XSD for the dataflow's structure-specific data messages (TIME_PERIOD at
    the observation level). `schema_location` is where the official SDMX 2.1
    schemas are (a folder path or URL, with a trailing slash); empty: beside it."""
    nsmap = {"xs": XS, "common": COMMON, "dsd": SS, None: cube.namespace}
    root = etree.Element(
        f"{{{XS}}}schema",
        nsmap=nsmap,
        targetNamespace=cube.namespace,
        elementFormDefault="unqualified",
        attributeFormDefault="unqualified",
    )
    _xs(
        root,
        "import",
        namespace=SS,
        schemaLocation=f"{schema_location}SDMXDataStructureSpecific.xsd",
    )
    _xs(root, "import", namespace=COMMON, schemaLocation=f"{schema_location}SDMXCommon.xsd")

    def codes_type(component: str) -> str:
        codelist = next(c.codelist for c in cube.components if c.code == component)
        return f"{codelist.code}.{codelist.version}".replace(".", "_") + "Type"  # type: ignore[union-attr]

    written: set[str] = set()
    for component in cube.components:
        if component.codelist is None:
            continue
        name = codes_type(component.code)
        if name in written:
            continue
        written.add(name)
        simple = _xs(root, "simpleType", name=name)
        restriction = _xs(simple, "restriction", base="common:IDType")
        for code in cube.codelists[component.code]:
            _xs(restriction, "enumeration", value=code.code)

    def attribute(parent: etree._Element, component: str, *, required: bool) -> None:
        kinds = {c.code: c for c in cube.components}
        item = kinds[component]
        if item.codelist is not None:
            kind = codes_type(component)
        elif item.role == Component.Role.TIME:
            kind = "common:ObservationalTimePeriodType"
        elif item.role == Component.Role.MEASURE:
            kind = "xs:double"
        else:
            kind = "xs:string"
        _xs(
            parent,
            "attribute",
            name=component,
            type=kind,
            use="required" if required else "optional",
        )

    def derived(name: str, base: str) -> tuple[etree._Element, etree._Element]:
        complex_type = _xs(root, "complexType", name=name)
        content = _xs(complex_type, "complexContent")
        restriction = _xs(content, "restriction", base=base)
        sequence = _xs(restriction, "sequence")
        _xs(sequence, "element", ref="common:Annotations", minOccurs="0")
        return restriction, sequence

    restriction, sequence = derived("DataSetType", "dsd:DataSetType")
    _xs(
        sequence,
        "element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    _xs(
        _xs(sequence, "choice", minOccurs="0"),
        "element",
        name="Series",
        type="SeriesType",
        form="unqualified",
        maxOccurs="unbounded",
    )

    restriction, sequence = derived("SeriesType", "dsd:SeriesType")
    _xs(
        sequence,
        "element",
        name="Obs",
        type="ObsType",
        form="unqualified",
        minOccurs="0",
        maxOccurs="unbounded",
    )
    for dimension in cube.dimensions:
        attribute(restriction, dimension, required=True)
    _xs(restriction, "attribute", name=cube.time, use="prohibited")

    restriction, sequence = derived("ObsType", "dsd:ObsType")
    _xs(restriction, "attribute", name="type", use="prohibited")
    attribute(restriction, cube.time, required=True)
    attribute(restriction, MEASURE, required=False)
    for name in cube.attributes:
        attribute(restriction, name, required=False)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --------------------------------------------------------------------------
# Data: SDMX-ML 2.1 structure-specific, streamed


_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"


def xml_attribute(expression: pl.Expr) -> pl.Expr:
    """Text as an XML attribute value: escaped, characters XML 1.0 forbids removed,
    line breaks and tabs kept as character references."""
    return (
        expression.str.replace_all(_CONTROL, "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all('"', "&quot;", literal=True)
        .str.replace_all("\n", "&#10;", literal=True)
        .str.replace_all("\r", "&#13;", literal=True)
        .str.replace_all("\t", "&#9;", literal=True)
    )


def _pairs(names: Iterable[str]) -> list[pl.Expr]:
    """` NAME="value"` for each non-empty column."""
    return [
        pl.when(pl.col(name).fill_null("") != "")
        .then(pl.lit(f' {name}="') + xml_attribute(pl.col(name)) + pl.lit('"'))
        .otherwise(pl.lit(""))
        for name in names
    ]


class DataMessageWriter:
    """Writes a structure-specific data message from frames sorted by series
    (area and series key) then period; the frames have one column per dimension,
    TIME_PERIOD, OBS_VALUE (text, null when there is no number) and one per
    attribute. Memory holds one frame at a time."""

    def __init__(self, handle: IO[bytes], cube: Cube) -> None:
        self.handle = handle
        self.cube = cube
        self.previous: str | None = None
        self.open = False

    def start(self) -> None:
        nsmap = {
            "message": MESSAGE,
            "common": COMMON,
            "ss": SS,
            "xsi": XSI,
            "ns1": self.cube.namespace,
        }
        root = etree.Element(f"{{{MESSAGE}}}StructureSpecificData", nsmap=nsmap)
        self.cube.header(root, data=True)
        head = etree.tostring(root, encoding="unicode", pretty_print=True)
        head = head.replace("</message:StructureSpecificData>", "").rstrip()
        self.handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        self.handle.write(head.encode())
        self.handle.write(
            (
                f'\n<message:DataSet ss:structureRef="{self.cube.structure_id}" '
                'ss:dataScope="DataStructure" ss:action="Information" xsi:type="ns1:DataSetType">'
            ).encode()
        )

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        cube = self.cube
        series = pl.concat_str([pl.col(d).fill_null("") for d in cube.dimensions], separator="\x1f")
        observation = pl.concat_str(
            [
                pl.lit(f'\n<Obs {cube.time}="'),
                xml_attribute(pl.col(cube.time)),
                pl.lit(f'" {MEASURE}="'),
                pl.col(MEASURE).fill_null(MISSING),
                pl.lit('"'),
                *_pairs(cube.attributes),
                pl.lit("/>"),
            ]
        )
        opening = pl.concat_str([pl.lit("\n<Series"), *_pairs(cube.dimensions), pl.lit(">")])
        lines = frame.select(
            series.alias("_series"), opening.alias("_open"), observation.alias("_obs")
        )
        before = lines["_series"].shift(1)
        if self.previous is not None:
            before = before.scatter(0, self.previous)
        lines = lines.with_columns((pl.col("_series") != before).fill_null(True).alias("_starts"))
        parts = (
            lines.select(
                pl.when(pl.col("_starts"))
                .then(pl.lit("\n</Series>") + pl.col("_open") + pl.col("_obs"))
                .otherwise(pl.col("_obs"))
            )
            .to_series()
            .to_list()
        )
        if not self.open:  # the first series of the message: nothing to close
            parts[0] = parts[0].removeprefix("\n</Series>")
        self.handle.write("".join(parts).encode())
        self.previous = lines["_series"][-1]
        self.open = True

    def finish(self) -> None:
        closing = "\n</Series>" if self.open else ""
        self.handle.write(
            f"{closing}\n</message:DataSet>\n</message:StructureSpecificData>\n".encode()
        )


# --------------------------------------------------------------------------
# Data: SDMX-CSV 2.0


def sdmx_csv_columns(cube: Cube) -> list[str]:
    return [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        *cube.dimensions,
        cube.time,
        MEASURE,
        *cube.attributes,
    ]


def sdmx_csv_frame(cube: Cube, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of an SDMX-CSV 2.0 message (one per observation)."""
    return frame.select(
        pl.lit("dataflow").alias("STRUCTURE"),
        pl.lit(cube.dataflow.urn_id).alias("STRUCTURE_ID"),
        pl.lit("I").alias("ACTION"),
        *[pl.col(d) for d in cube.dimensions],
        pl.col(cube.time),
        pl.col(MEASURE),
        *[pl.col(a) for a in cube.attributes],
    )
