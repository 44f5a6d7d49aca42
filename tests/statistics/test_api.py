"""/api/v1/statistics: structures and observations through the access policy,
disclosure control for the public, questionnaire answers with their rule results."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.models import DataStructure, Observation
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from tests import factories

pytestmark = pytest.mark.django_db

HOMICIDE = "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
ROBBERY = "OFFENCES.ICCS0401._T._T._T._T._T.COUNT"
# Rates of the same cells: a rate would give a suppressed count back.
ROBBERY_RATE = "OFFENCES.ICCS0401._T._T._T._T._T.RATE_100K"
HOMICIDE_RATE = "OFFENCES.ICCS0101._T._T._T._T._T.RATE_100K"
SEXUAL = "OFFENCES.ICCS0301._T._T._T._T._T.COUNT"
RAPE = "OFFENCES.ICCS03011._T._T._T._T._T.COUNT"


DIMENSIONS = [
    "INDICATOR",
    "CATEGORY",
    "SEX",
    "AGE",
    "CITIZENSHIP",
    "MECHANISM",
    "RELATIONSHIP",
    "UNIT_MEASURE",
]


def version_flow() -> Any:
    return selectors.dataflow_get("DF_UN_CTS")


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {
        "cts": selectors.questionnaire_get("UN-CTS"),
        "col": col,
        "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }


def test_dataflows_and_public_observations_with_disclosure_control(world: dict[str, Any]) -> None:
    version = services.questionnaire_save(
        questionnaire=world["cts"],
        organisation=world["col"],
        year=2024,
        actor=world["focal"],
        entries={HOMICIDE: Entry(value=Decimal(1250)), ROBBERY: Entry(value=Decimal(3))},
    )
    # The questionnaire asks for counts; rates come with SDMX files, as here.
    Observation.objects.bulk_create(
        Observation(
            version=version,
            dataflow=version_flow(),
            organisation=world["col"],
            area_id="COL",
            time_period="2024",
            key=key,
            dims=dict(zip(DIMENSIONS, key.split("."), strict=True)),
            value=value,
        )
        for key, value in ((ROBBERY_RATE, Decimal("0.006")), (HOMICIDE_RATE, Decimal("2.4")))
    )
    public = Client()
    url = "/api/v1/statistics/dataflows/DF_UN_CTS/observations"
    assert public.get(url).json()["count"] == 0  # a draft is not public
    workflow.version_submit(version=version, actor=world["focal"])
    workflow.version_accept(version=version, actor=world["analyst"])
    workflow.version_publish(version=version, actor=world["analyst"])
    flows = {f["id"]: f for f in public.get("/api/v1/statistics/dataflows").json()}
    assert "REF_AREA" in [c["id"] for c in flows["DF_UN_CTS"]["components"]]
    DataStructure.objects.filter(code="DSD_CTS").update(suppress_below=5)
    items = {i["key"]: i["value"] for i in public.get(url).json()["items"]}
    assert items == {HOMICIDE: "1250", ROBBERY: "<5", ROBBERY_RATE: None, HOMICIDE_RATE: "2.4"}
    office = Client()
    office.force_login(world["analyst"])
    assert {i["key"]: i["value"] for i in office.get(url).json()["items"]}[ROBBERY] == "3"
    filtered = public.get(
        url, {"CATEGORY": "ICCS0101", "UNIT_MEASURE": "COUNT", "area": "col"}
    ).json()
    assert [i["key"] for i in filtered["items"]] == [HOMICIDE]


def test_answers_are_saved_and_checked_through_the_api(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["focal"])
    url = f"/api/v1/statistics/questionnaires/UN-CTS/{world['col'].code}/2025"
    body = {
        "cells": [
            {"key": SEXUAL, "value": 10},
            {"key": RAPE, "value": 12},
            {"key": HOMICIDE, "status": "L"},
        ]
    }
    response = client.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["cells"]) == ("draft", 3)
    assert [v["rule"] for v in data["violations"]] == ["CTS-RAPE"]
    bad = client.put(
        url, json.dumps({"cells": [{"key": "NOPE", "value": 1}]}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert "not cells of UN-CTS" in bad.json()["detail"]
    other = Client()
    other.force_login(
        factories.member(Role.FOCAL_POINT, factories.agency("ESP"), email="fp@esp.test")
    )
    assert other.put(url, json.dumps(body), content_type="application/json").status_code == 404
    assert Client().put(url, json.dumps(body), content_type="application/json").status_code == 401
