"""/api/v1/statistics: structures, observations (through the access policy:
the public sees published data; disclosure control as in disclosure.py) and
questionnaire answers (the same service and rules as the grid).
Files go through /api/v1/imports with the datasets observations-unodc-portal,
observations-sdmx-csv or observations-national."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from observatory.accounts import access
from observatory.accounts.api_auth import API_AUTH, OPTIONAL_AUTH, request_actor
from observatory.core.errors import NotFound, PermissionDenied, ValidationFailed
from observatory.core.pagination import Pages
from observatory.statistics import selectors, services
from observatory.statistics.formats.drafting import draft_from_upload
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


class DraftIn(Schema):
    id: str
    name: str = ""


class DefinitionIn(Schema):
    """A definition document, as `POST /dataflows/draft` returns it and definition
    files hold (areas, codelists, structures, dataflows)."""

    document: dict[str, Any]
    source: str = "api"


@router.post(
    "/dataflows/draft",
    auth=API_AUTH,
    summary="Draft a dataflow's definition from a file in the data-portal long layout; "
    "nothing is saved (the office's analysts and administrators)",
    description="Returns what saving would define (`summary`, `changes`) and the definition "
    "`document`: rename codes in it if needed and send it to `POST /definitions`.",
)
def dataflow_draft(
    request: HttpRequest, payload: Form[DraftIn], file: File[UploadedFile]
) -> dict[str, Any]:
    if not access.can_define_dataflows(request_actor(request)):
        raise PermissionDenied("only the office's analysts and administrators define dataflows")
    if (file.size or 0) > settings.OBSERVATORY_MAX_UPLOAD_BYTES:
        limit = settings.OBSERVATORY_MAX_UPLOAD_BYTES // 2**20
        raise ValidationFailed(f"the file is larger than the limit of {limit} MB")
    draft = draft_from_upload(file, dataflow=payload.id.strip(), name=payload.name.strip())
    return {
        "dataflow": draft.dataflow,
        "version": draft.version,
        "changes": draft.changes,
        "summary": draft.summary(),
        "new_codes": [
            {"dimension": item.dimension, "codelist": item.reference, "id": c.id, "name": c.name}
            for item in draft.lists
            for c in item.added
        ],
        "document": draft.document(),
    }


@router.post(
    "/definitions",
    auth=API_AUTH,
    summary="Save a definition document (all of it or nothing; a final artefact never "
    "changes: a changed one needs a new version)",
)
def definitions_save(request: HttpRequest, payload: DefinitionIn) -> dict[str, Any]:
    report = services.definitions_save(
        payload.document, source=f"api: {payload.source}", actor=request_actor(request)
    )
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


@router.get(
    "/dataflows/{dataflow}/observations",
    response=list[ObservationOut],
    auth=OPTIONAL_AUTH,
    summary="Observations you may see (published ones without authentication); "
    "filter by area, period and any dimension (e.g. ?SEX=F)",
)
@paginate(Pages)
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
