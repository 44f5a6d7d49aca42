"""SDMX-ML 2.1 structure messages of a dataflow and the data-structure-specific
XML schema its data messages are validated against (layouts: cube.py)."""

from __future__ import annotations

from lxml import etree

from observatory.statistics.formats.sdmx.cube import (
    COMMON,
    MEASURE,
    MESSAGE,
    SS,
    STRUCTURE,
    URN,
    XML_LANG,
    XS,
    Cube,
    _e,
    _ref,
)
from observatory.statistics.models import Component

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
