"""SDMX 2.1 for the cube: the structure message of a dataflow (its codelists,
concepts, data structure and the dataflow itself), the data-structure-specific
XML schema its data messages are validated against, and streaming writers for
structure-specific SDMX-ML 2.1 data messages and SDMX-CSV 2.0.

Layouts (see also exports/observations.py):

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
  without a number, the values named in COMMENT (exports/observations.py).
* SDMX-CSV 2.0: `STRUCTURE,STRUCTURE_ID,ACTION,<dimensions>,TIME_PERIOD,
  OBS_VALUE,<attributes>`, one row per observation, STRUCTURE=dataflow,
  STRUCTURE_ID=AGENCY:ID(VERSION), ACTION=I (information); no number is an
  empty OBS_VALUE, statuses and the "<5" marker as in SDMX-ML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

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
