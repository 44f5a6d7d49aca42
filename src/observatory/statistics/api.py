"""/api/v1/statistics: structures, observations (through the access policy:
the public sees published data; disclosure control as in disclosure.py) and
questionnaire answers (the same service and rules as the grid).
Files go through /api/v1/imports with the datasets observations-unodc-portal,
observations-sdmx-csv or observations-national."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from observatory.accounts import access
from observatory.accounts.api_auth import API_AUTH, OPTIONAL_AUTH, request_actor
from observatory.core.errors import NotFound, ValidationFailed
from observatory.statistics import selectors, services
from observatory.statistics.models import Dataflow, Observation, Questionnaire
from observatory.statistics.questionnaires import checks

router = Router(tags=["statistics"])


class ComponentOut(Schema):
    id: str
    role: str
    codelist: str | None


class DataflowOut(Schema):
    id: str
    agency: str
    version: str
    name: str
    structure: str
    components: list[ComponentOut]


class ObservationOut(Schema):
    """As published, disclosure control applied (disclosure.py): outside the
    user's own country (and for the public), no confidential value, counts below
    the structure's rule as “<n”, no rate or share of those cells."""

    area: str
    time_period: str
    key: str
    dims: dict[str, str]
    value: str | None
    obs_status: str
    conf_status: str
    comment: str


class CellIn(Schema):
    key: str
    value: Decimal | None = None
    status: str = ""
    confidential: bool = False
    comment: str = ""


class AnswersIn(Schema):
    cells: list[CellIn]


def _flow_out(flow: Dataflow) -> dict[str, Any]:
    return {
        "id": flow.code,
        "agency": flow.agency,
        "version": flow.version,
        "name": flow.name,
        "structure": flow.structure.urn_id,
        "components": [
            {"id": c.code, "role": c.role, "codelist": c.codelist.urn_id if c.codelist else None}
            for c in flow.structure.components.select_related("codelist")
        ],
    }


@router.get("/dataflows", response=list[DataflowOut], auth=OPTIONAL_AUTH)
def dataflow_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_flow_out(f) for f in Dataflow.objects.select_related("structure")]


@router.get(
    "/dataflows/{dataflow}/observations",
    response=list[ObservationOut],
    auth=OPTIONAL_AUTH,
    summary="Observations you may see (published ones without authentication); "
    "filter by area, period and any dimension (e.g. ?SEX=F)",
)
@paginate(LimitOffsetPagination)
def observation_list(request: HttpRequest, dataflow: str, area: str = "", period: str = "") -> Any:
    flow = selectors.dataflow_get(dataflow)
    return selectors.observations_shown(
        actor=request_actor(request), dataflow=flow, filters=request.GET
    )


@router.put(
    "/questionnaires/{code}/{organisation}/{year}",
    auth=API_AUTH,
    summary="Save answers into the draft (the cells' series keys as in the grid); "
    "returns the rule results",
)
def answers_save(
    request: HttpRequest, code: str, organisation: str, year: int, payload: AnswersIn
) -> dict[str, Any]:
    actor = request_actor(request)
    questionnaire: Questionnaire = selectors.questionnaire_get(code)
    org = access.organisations_reporting_for(actor).filter(code__iexact=organisation).first()
    if org is None:
        raise NotFound(f"you do not report for {organisation!r}")
    if len({c.key for c in payload.cells}) != len(payload.cells):
        raise ValidationFailed("a cell appears twice")
    version = services.questionnaire_save(
        questionnaire=questionnaire,
        organisation=org,
        year=year,
        actor=actor,
        entries={
            c.key: services.Entry(
                value=c.value, status=c.status, confidential=c.confidential, comment=c.comment
            )
            for c in payload.cells
        },
    )
    found = checks.check_version(version, questionnaire, actor=actor)
    return {
        "version": version.pk,
        "status": version.status,
        "cells": Observation.objects.filter(version=version).count(),
        "violations": found.select("rule", "importance", "scope", "message").to_dicts(),
    }
