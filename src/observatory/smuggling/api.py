"""/api/v1/smuggling: the same reads as the pages, through the network access
policy, audited the same way. Files go through /api/v1/imports (datasets
`smuggling-incidents` and `smuggling-aggregates`, label “NETWORK YEAR”)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from observatory.accounts import access
from observatory.accounts.api_auth import API_AUTH, request_actor
from observatory.accounts.models import Organisation
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.pagination import Pages
from observatory.smuggling import selectors, services
from observatory.smuggling.forms import IncidentForm
from observatory.smuggling.models import Incident
from observatory.smuggling.summary import network_summary

router = Router(tags=["migrant smuggling"], auth=API_AUTH)


class NetworkOut(Schema):
    code: str
    name: str
    period_kind: str
    access: str


class IncidentOut(Schema):
    id: int
    area: str
    reference: str
    incident_date: date
    period: str
    national_only: bool
    status: str
    place: str
    place_type: str
    detection: str
    departure_area: str
    transit_areas: list[str]
    destination_area: str
    transport_mode: str
    vessel: str
    migrants_men: int
    migrants_women: int
    migrants_boys: int
    migrants_girls: int
    migrants_unknown: int
    migrants_total: int
    migrant_citizenships: dict[str, int]
    deaths: int
    injuries: int
    smugglers_apprehended: int
    smuggler_citizenships: dict[str, int]
    smuggler_roles: list[str]
    fee_amount: Decimal | None
    fee_currency: str
    fee_basis: str
    fee_usd_per_person: Decimal | None
    fee_covers: list[str]
    modus_operandi: list[str]
    document_type: str
    document_issuer: str
    document_fraud: str
    related_conduct: list[str]

    @staticmethod
    def resolve_area(obj: Incident) -> str:
        return obj.area_id

    @staticmethod
    def resolve_status(obj: Incident) -> str:
        return obj.version.status


class IncidentIn(Schema):
    organisation: str
    incident_date: date
    detection: str
    reference: str = ""
    national_only: bool = False
    place: str = ""
    place_type: str = ""
    departure_area: str = ""
    transit: list[str] = []
    destination_area: str = ""
    transport_mode: str = ""
    vessel: str = ""
    migrants_men: int = 0
    migrants_women: int = 0
    migrants_boys: int = 0
    migrants_girls: int = 0
    migrants_unknown: int = 0
    migrant_citizenships: dict[str, int] = {}
    deaths: int = 0
    injuries: int = 0
    smugglers_apprehended: int = 0
    smuggler_citizenships: dict[str, int] = {}
    smuggler_roles: list[str] = []
    fee_amount: Decimal | None = None
    fee_currency: str = ""
    fee_basis: str = ""
    fee_covers: list[str] = []
    modus_operandi: list[str] = []
    document_type: str = ""
    document_issuer: str = ""
    document_fraud: str = ""
    related_conduct: list[str] = []
    notes: str = ""


def _network(request: HttpRequest, code: str) -> Any:
    return selectors.network_get(actor=request_actor(request), code=code)


@router.get("/networks", response=list[NetworkOut], summary="Networks you take part in")
def network_list(request: HttpRequest) -> list[dict[str, str]]:
    actor = request_actor(request)
    return [
        {
            "code": n.code,
            "name": n.name,
            "period_kind": n.period_kind,
            "access": access.network_visibility_reason(actor, n),
        }
        for n in selectors.networks_for(actor=actor)
    ]


@router.get(
    "/networks/{code}/incidents",
    response=list[IncidentOut],
    summary="Incidents you may see: your state's, and other members' for periods you shared",
)
@paginate(Pages)
def incident_list(request: HttpRequest, code: str, period: str = "", area: str = "") -> Any:
    actor = request_actor(request)
    network = _network(request, code)
    rows = selectors.incident_list(actor=actor, network=network, period=period, area=area)
    services.view_record(
        actor=actor,
        network=network,
        areas=set(rows.values_list("area_id", flat=True).distinct()),
        what="api incidents",
        query=request.GET.urlencode(),
    )
    return rows.order_by("-incident_date", "id")


@router.get("/networks/{code}/incidents/{incident_id}", response=IncidentOut)
def incident_detail(request: HttpRequest, code: str, incident_id: int) -> Incident:
    actor = request_actor(request)
    network = _network(request, code)
    incident = selectors.incident_get(actor=actor, network=network, pk=incident_id)
    services.view_record(
        actor=actor, network=network, areas={incident.area_id}, what=f"api incident {incident.pk}"
    )
    return incident


@router.post("/networks/{code}/incidents", response={201: IncidentOut})
def incident_create(request: HttpRequest, code: str, payload: IncidentIn) -> tuple[int, Incident]:
    actor = request_actor(request)
    network = _network(request, code)
    organisation = Organisation.objects.filter(code__iexact=payload.organisation).first()
    organisations = access.organisations_reporting_for(actor)
    if organisation is None or not organisations.filter(pk=organisation.pk).exists():
        raise PermissionDenied(f"you do not report for {payload.organisation!r}")
    data = payload.dict()
    form = IncidentForm(
        {
            **{k: v for k, v in data.items() if v is not None and not isinstance(v, list | dict)},
            "organisation": organisation.pk,
            "national_only": "on" if payload.national_only else "",
            "transit": "; ".join(payload.transit),
            "migrant_citizenships": "; ".join(
                f"{k} {v}" for k, v in payload.migrant_citizenships.items()
            ),
            "smuggler_citizenships": "; ".join(
                f"{k} {v}" for k, v in payload.smuggler_citizenships.items()
            ),
        }
        | {k: v for k, v in data.items() if isinstance(v, list) and k != "transit"},
        organisations=organisations,
    )
    row = form.incident_data() if form.is_valid() else None
    if row is None or not form.is_valid():
        raise ValidationFailed(
            "; ".join(
                f"{field or 'incident'}: {' '.join(str(e) for e in errors)}"
                for field, errors in form.errors.items()
            )
        )
    incident = services.incident_create(
        network=network, organisation=organisation, data=row, actor=actor
    )
    return 201, incident


@router.get("/networks/{code}/summary", summary="Totals, routes, fees and aggregates you may see")
def summary(request: HttpRequest, code: str, period: str = "") -> dict[str, Any]:
    actor = request_actor(request)
    network = _network(request, code)
    result = network_summary(actor=actor, network=network, period=period)
    services.view_record(
        actor=actor,
        network=network,
        areas=result.areas_shown,
        what="api summary",
        query=request.GET.urlencode(),
    )
    return {
        "network": network.code,
        "period": period,
        "access": result.reason,
        "totals": result.totals,
        "top_routes": result.top_routes().to_dicts(),
        "fees": result.fees().to_dicts(),
        "citizenships": result.citizenships.to_dicts(),
        "modus_operandi": result.modus_operandi().to_dicts(),
        "documents": result.documents().to_dicts(),
        "aggregates": result.aggregates.to_dicts(),
    }
