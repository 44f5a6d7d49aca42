"""/api/v1/seizures: the same filters as the list page, through the access policy."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from observatory.accounts.api_auth import OPTIONAL_AUTH, request_actor
from observatory.core.pagination import Pages
from observatory.seizures import selectors
from observatory.seizures.filtersets import SeizureFilterSet
from observatory.seizures.models import Seizure

router = Router(tags=["seizures"])


class SeizureOut(Schema):
    id: int
    area: str
    organisation: str
    seizure_date: date
    date_precision: str
    drug: str
    drug_text: str
    quantity: Decimal
    unit: str
    kilograms: Decimal | None
    conversion_rule: str
    purity_percent: Decimal | None
    origin_area: str
    departure_area: str
    transit_areas: list[str]
    destination_area: str
    transport_mode: str
    place: str
    place_type: str
    concealment: str
    seizing_agency: str
    persons_arrested: int | None
    arrested_nationalities: list[str]
    arrested_sex: str
    case_reference: str
    version: int
    status: str

    @staticmethod
    def resolve_area(obj: Seizure) -> str:
        return obj.area_id

    @staticmethod
    def resolve_organisation(obj: Seizure) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_drug(obj: Seizure) -> str:
        return obj.drug_id

    @staticmethod
    def resolve_unit(obj: Seizure) -> str:
        return obj.unit_id

    @staticmethod
    def resolve_version(obj: Seizure) -> int:
        return obj.version_id

    @staticmethod
    def resolve_status(obj: Seizure) -> str:
        return obj.version.status


@router.get(
    "",
    response=list[SeizureOut],
    auth=OPTIONAL_AUTH,
    summary="Seizures (published ones without authentication; more with a token)",
)
@paginate(Pages)
def seizure_list(request: HttpRequest) -> list[Seizure]:
    actor = request_actor(request)
    base = (
        selectors.seizure_list(actor=actor)
        if request.GET.get("version")
        else selectors.current_seizures(actor=actor)
    )
    filterset = SeizureFilterSet(request.GET, queryset=base.select_related("organisation"))
    if not filterset.is_valid():
        return []
    return filterset.qs.order_by("-seizure_date", "-id")


@router.get("/{seizure_id}", response=SeizureOut, auth=OPTIONAL_AUTH)
def seizure_detail(request: HttpRequest, seizure_id: int) -> Seizure:
    return selectors.seizure_get(actor=request_actor(request), pk=seizure_id)
