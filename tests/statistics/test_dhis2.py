"""DHIS2 data-value CSV in: data element codes are the cells' series keys,
organisation units are ISO3 codes; the values land in the questionnaire's draft."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from observatory.accounts.models import Organisation, Role
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
    "storedby,lastupdated,comment,followup\n"
)
HOMICIDE = "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
THEFT = "OFFENCES.ICCS0502._T._T._T._T._T.COUNT"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {"col": col, "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test")}


def dhis2_import(world: dict[str, Any], text: str) -> ImportJob:
    stored, _ = intake.upload_store(
        stream=io.BytesIO(text.encode()),
        filename="dv.csv",
        organisation=world["col"],
        dataset="observations-dhis2",
        actor=world["focal"],
    )
    return intake.job_validate(
        job=intake.job_create(upload=stored, label="UN-CTS 2025", actor=world["focal"])
    )


def test_dhis2_values_fill_the_questionnaire(world: dict[str, Any]) -> None:
    job = dhis2_import(
        world,
        HEADER
        + f"{HOMICIDE},2025,COL,default,default,1250,admin,2026-02-01,,false\n"
        + f"{THEFT},2025,COL,default,default,,admin,2026-02-01,not collected,\n",
    )
    assert job.status == ImportJob.Status.VALIDATED, list(job.issues.values_list("message"))
    job = intake.job_commit(job=job, actor=world["focal"])
    cells = {o.key: o for o in Observation.objects.filter(version=job.version)}
    assert cells[HOMICIDE].value == Decimal(1250)
    assert (cells[THEFT].value, cells[THEFT].obs_status, cells[THEFT].comment) == (
        None,
        "L",
        "not collected",
    )


def test_dhis2_errors_name_the_row(world: dict[str, Any]) -> None:
    job = dhis2_import(
        world,
        HEADER
        + "NOT.A.CELL,2025,COL,default,default,3,,,,\n"
        + f"{HOMICIDE},2024,COL,default,default,3,,,,\n"
        + f"{THEFT},2025,ESP,default,default,x,,,,\n",
    )
    assert job.status == ImportJob.Status.BLOCKED
    assert sorted(job.issues.values_list("row", "code")) == [
        (2, "unknown_cell"),
        (3, "other_year"),
        (4, "not_a_number"),
        (4, "other_country"),
    ]
    assert not Observation.objects.exists()
