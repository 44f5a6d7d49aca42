"""Reads of reference data. Reference data is public: no access policy applies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from observatory.core.errors import NotFound
from observatory.reference.models import (
    Area,
    Drug,
    DrugGroup,
    DrugSynonym,
    IccsCategory,
    Population,
    Region,
    Unit,
)
from observatory.reference.normalise import Match, fold, normalise

NAME_LOOKUPS = ["name_en", "name_zh", "name_es", "name_fr", "name_ru", "name_ar"]


def _name_q(query: str, prefix: str = "") -> Q:
    q = Q()
    for field in NAME_LOOKUPS:
        q |= Q(**{f"{prefix}{field}__icontains": query})
    return q


def area_list(*, query: str = "", region: str = "", kind: str = "") -> QuerySet[Area]:
    areas = Area.objects.select_related(
        "region", "subregion", "intermediate_region", "unodc_region"
    )
    if query:
        areas = areas.filter(
            _name_q(query)
            | Q(code__iexact=query)
            | Q(iso2__iexact=query)
            | Q(aliases__text__icontains=query)
        ).distinct()
    if region:
        areas = areas.filter(
            Q(region__code=region)
            | Q(subregion__code=region)
            | Q(intermediate_region__code=region)
            | Q(unodc_region__code=region)
        )
    if kind:
        areas = areas.filter(kind=kind)
    return areas


def area_get(code: str) -> Area:
    try:
        return (
            Area.objects.select_related(
                "region", "subregion", "intermediate_region", "unodc_region", "parent"
            )
            .prefetch_related("aliases", "parts")
            .get(code=code.upper())
        )
    except Area.DoesNotExist as error:
        raise NotFound(f"no area with the code {code!r}") from error


def region_list(*, scheme: str = "") -> QuerySet[Region]:
    regions = Region.objects.select_related("parent")
    return regions.filter(scheme=scheme) if scheme else regions


def region_tree() -> list[Region]:
    """M49 regions, each followed by its sub-regions and their intermediate
    regions (alphabetical at each level), then the drug-report regions."""
    regions = list(Region.objects.all())
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    ordered: list[Region] = []

    def visit(parent: int | None, scheme: str) -> None:
        for region in sorted(children.get(parent, []), key=lambda r: r.name_en):
            if region.scheme == scheme:
                ordered.append(region)
                visit(region.pk, scheme)

    visit(None, Region.Scheme.M49)
    visit(None, Region.Scheme.UNODC)
    return ordered


def population_series(
    *, area: Area, year_from: int | None = None, year_to: int | None = None
) -> QuerySet[Population]:
    rows = Population.objects.filter(area=area)
    if year_from:
        rows = rows.filter(year__gte=year_from)
    if year_to:
        rows = rows.filter(year__lte=year_to)
    return rows.order_by("year")


def drug_group_list() -> QuerySet[DrugGroup]:
    return DrugGroup.objects.prefetch_related(
        Prefetch("drugs", queryset=Drug.objects.order_by("code"))
    )


def drug_list(*, query: str = "", group: str = "") -> QuerySet[Drug]:
    drugs = Drug.objects.select_related("group")
    if query:
        drugs = drugs.filter(
            _name_q(query) | Q(code__icontains=query) | Q(synonyms__text__icontains=query)
        ).distinct()
    if group:
        drugs = drugs.filter(group__code=group)
    return drugs


def drug_get(code: str) -> Drug:
    try:
        return (
            Drug.objects.select_related("group")
            .prefetch_related(
                Prefetch("synonyms", queryset=DrugSynonym.objects.order_by("language", "text"))
            )
            .get(code=code)
        )
    except Drug.DoesNotExist as error:
        raise NotFound(f"no drug with the code {code!r}") from error


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.all()


def iccs_list(*, version: str = "1.0", query: str = "", level: str = "") -> QuerySet[IccsCategory]:
    rows = IccsCategory.objects.filter(version=version)
    if query:
        rows = rows.filter(
            Q(code__startswith=query) | Q(name_en__icontains=query) | Q(name_zh__icontains=query)
        )
    if level:
        rows = rows.filter(level=level)
    return rows.order_by("code")


def iccs_get(code: str, version: str = "1.0") -> IccsCategory:
    try:
        return IccsCategory.objects.select_related("parent").get(version=version, code=code)
    except IccsCategory.DoesNotExist as error:
        raise NotFound(f"no ICCS {version} category with the code {code!r}") from error


@dataclass(frozen=True)
class SearchResults:
    """What a reference search found: normaliser matches and text hits."""

    query: str
    area: Match
    drug: Match
    unit: Match
    areas: list[Area]
    drugs: list[Drug]
    iccs: list[IccsCategory]
    area_match: Area | None = None
    drug_match: Drug | None = None
    unit_match: Unit | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.area.resolved
            or self.drug.resolved
            or self.unit.resolved
            or self.areas
            or self.drugs
            or self.iccs
        )


def reference_search(query: str, *, limit: int = 20) -> SearchResults:
    query = query.strip()[:200]
    if not fold(query):
        empty = Match(text=query, code=None, confidence=0.0)
        return SearchResults(query, empty, empty, empty, [], [], [])
    area, drug, unit = normalise("area", query), normalise("drug", query), normalise("unit", query)
    return SearchResults(
        query=query,
        area=area,
        drug=drug,
        unit=unit,
        area_match=Area.objects.filter(code=area.code).first() if area.code else None,
        drug_match=Drug.objects.select_related("group").filter(code=drug.code).first()
        if drug.code
        else None,
        unit_match=Unit.objects.filter(code=unit.code).first() if unit.code else None,
        areas=list(area_list(query=query)[:limit]),
        drugs=list(drug_list(query=query)[:limit]),
        iccs=list(iccs_list(query=query)[:limit]),
    )
