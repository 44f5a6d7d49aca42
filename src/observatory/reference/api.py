"""Reference data endpoints (public, read-only)."""

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from observatory.core.pagination import Pages
from observatory.reference import selectors
from observatory.reference.models import Area, Drug, IccsCategory, Unit
from observatory.reference.normalise import Match, normalise

router = Router(tags=["reference data"])


class Names(Schema):
    en: str
    zh: str
    es: str
    fr: str
    ru: str
    ar: str


class RegionRef(Schema):
    code: str
    name_en: str


class AreaOut(Schema):
    code: str
    iso2: str
    m49: str
    kind: str
    parent: str | None = Field(None, alias="parent_id")
    names: Names
    region: RegionRef | None
    subregion: RegionRef | None
    intermediate_region: RegionRef | None
    unodc_region: RegionRef | None

    @staticmethod
    def resolve_names(obj: Area) -> dict[str, str]:
        return obj.names()


class AreaDetailOut(AreaOut):
    aliases: list[str]

    @staticmethod
    def resolve_aliases(obj: Area) -> list[str]:
        return [alias.text for alias in obj.aliases.all()]


class PopulationOut(Schema):
    year: int
    value: int
    source: str


class DrugOut(Schema):
    code: str
    group: str
    names: Names
    tablet_mg: Decimal | None

    @staticmethod
    def resolve_group(obj: Drug) -> str:
        return obj.group.code

    @staticmethod
    def resolve_names(obj: Drug) -> dict[str, str]:
        return obj.names()


class SynonymOut(Schema):
    text: str
    language: str
    kind: str


class DrugDetailOut(DrugOut):
    notes: str
    synonyms: list[SynonymOut]

    @staticmethod
    def resolve_synonyms(obj: Drug) -> list[dict[str, str]]:
        return [
            {"text": s.text, "language": s.language, "kind": s.kind} for s in obj.synonyms.all()
        ]


class UnitOut(Schema):
    code: str
    dimension: str
    factor: Decimal
    name_en: str
    name_zh: str
    synonyms: list[str]


class IccsOut(Schema):
    code: str
    level: str
    parent: str | None
    name_en: str
    name_zh: str
    verified: bool
    source: str

    @staticmethod
    def resolve_parent(obj: IccsCategory) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None


class SuggestionOut(Schema):
    code: str
    label: str
    score: float


class MatchOut(Schema):
    text: str
    kind: str
    code: str | None
    label: str
    confidence: float
    suggestions: list[SuggestionOut]


class AreaFilter(Schema):
    q: str = ""
    region: str = ""
    kind: str = ""


@router.get("/areas", response=list[AreaOut], summary="Countries, areas and pseudo-areas")
@paginate(Pages)
def areas(request: HttpRequest, filters: Query[AreaFilter]) -> list[Area]:
    return selectors.area_list(query=filters.q, region=filters.region, kind=filters.kind)  # type: ignore[return-value]


@router.get("/areas/{code}", response=AreaDetailOut)
def area(request: HttpRequest, code: str) -> Area:
    return selectors.area_get(code)


@router.get(
    "/areas/{code}/population",
    response=list[PopulationOut],
    summary="Total population by year (rates per 100,000 use it)",
)
def population(
    request: HttpRequest, code: str, year_from: int | None = None, year_to: int | None = None
) -> list[object]:
    return list(
        selectors.population_series(
            area=selectors.area_get(code), year_from=year_from, year_to=year_to
        )
    )


@router.get("/drugs", response=list[DrugOut])
@paginate(Pages)
def drugs(request: HttpRequest, q: str = "", group: str = "") -> list[Drug]:
    return selectors.drug_list(query=q, group=group)  # type: ignore[return-value]


@router.get("/drugs/{code}", response=DrugDetailOut)
def drug(request: HttpRequest, code: str) -> Drug:
    return selectors.drug_get(code)


@router.get("/units", response=list[UnitOut])
def units(request: HttpRequest) -> list[Unit]:
    return list(selectors.unit_list())


@router.get("/iccs", response=list[IccsOut], summary="ICCS 1.0 categories")
@paginate(Pages)
def iccs(request: HttpRequest, q: str = "", level: str = "") -> list[IccsCategory]:
    return selectors.iccs_list(query=q, level=level).select_related("parent")  # type: ignore[return-value]


@router.get("/iccs/{code}", response=IccsOut)
def iccs_category(request: HttpRequest, code: str) -> IccsCategory:
    return selectors.iccs_get(code)


@router.get(
    "/normalise", response=MatchOut, summary="Text to code, with confidence and ranked suggestions"
)
def normalise_text(
    request: HttpRequest, kind: Literal["area", "drug", "unit"], q: str
) -> dict[str, object]:
    match: Match = normalise(kind, q[:200])
    return {
        "text": match.text,
        "kind": kind,
        "code": match.code,
        "label": match.label,
        "confidence": match.confidence,
        "suggestions": [s.__dict__ for s in match.suggestions],
    }
