"""Crosswalks: a country maps its national offence categories to ICCS once (many
to one, with notes); data in national categories is converted through it into
the questionnaire's ICCS cells, and the original values are kept."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.reference.models import Area
from observatory.statistics import crosswalks
from observatory.statistics.cube import loader
from observatory.statistics.models import NationalOriginal, Observation
from tests import factories

pytestmark = pytest.mark.django_db

MAPPINGS = """code; name; ICCS; note
103; Homicidio; 0101;
104; Homicidio agravado; 0101; aggravated homicide is still intentional homicide
205; Hurto; 0502;
206; Hurto calificado; 0502;
239; Hurto de vehículos; 050211; theft of motor vehicles reported apart
"""


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {
        "col": col,
        "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test"),
        "contributor": factories.member(Role.CONTRIBUTOR, col, email="c@col.test"),
    }


def walk(world: dict[str, Any]) -> Any:
    return crosswalks.crosswalk_save(
        area=Area.objects.get(code="COL"),
        name="Código Penal",
        mappings=crosswalks.parse_mappings(MAPPINGS),
        actor=world["focal"],
    )


def national_import(world: dict[str, Any], text: str) -> ImportJob:
    stored, _ = intake.upload_store(
        stream=io.BytesIO(text.encode()),
        filename="delitos.csv",
        organisation=world["col"],
        dataset="observations-national",
        actor=world["focal"],
    )
    return intake.job_validate(
        job=intake.job_create(upload=stored, label="UN-CTS 2025", actor=world["focal"])
    )


def test_a_crosswalk_is_kept_by_the_focal_point_and_audited(world: dict[str, Any]) -> None:
    crosswalk = walk(world)
    assert crosswalk.entries.count() == 5
    assert crosswalk.entries.get(national_code="104").note.startswith("aggravated")
    with pytest.raises(PermissionDenied):
        crosswalks.crosswalk_save(
            area=crosswalk.area, name="x", mappings=[], actor=world["contributor"]
        )
    with pytest.raises(ValidationFailed, match="not ICCS codes: ICCS9999"):
        crosswalks.crosswalk_save(
            area=crosswalk.area,
            name="Código Penal",
            mappings=crosswalks.parse_mappings("1; x; 9999"),
            actor=world["focal"],
            crosswalk=crosswalk,
        )
    with pytest.raises(ValidationFailed, match="one ICCS code only: 7"):
        crosswalks.crosswalk_save(
            area=crosswalk.area,
            name="Código Penal",
            crosswalk=crosswalk,
            mappings=crosswalks.parse_mappings("7; a; 0101\n7; a; 0502"),
            actor=world["focal"],
        )
    assert crosswalk.entries.count() == 5  # the refused saves changed nothing
    assert AuditEvent.objects.filter(object_type="statistics.crosswalk").count() == 1


def test_national_data_is_converted_and_the_originals_kept(world: dict[str, Any]) -> None:
    walk(world)
    job = national_import(
        world,
        "Código,Delito,Cantidad\n103,Homicidio,11000\n"
        "104,Homicidio agravado,1500\n205,Hurto,200 000\n"
        "206,Hurto calificado,50000\n239,Hurto de vehículos,30000\n",
    )
    assert job.status == ImportJob.Status.VALIDATED, list(job.issues.values_list("message"))
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED
    values = {o.key.split(".")[1]: o for o in Observation.objects.filter(version=job.version)}
    assert values["ICCS0101"].value == Decimal(12500)
    assert values["ICCS0502"].value == Decimal(250000)
    assert values["ICCS050211"].value == Decimal(30000)
    assert values["ICCS0101"].comment == "from national categories: 103, 104"
    originals = list(
        NationalOriginal.objects.filter(version=job.version).values_list("national_code", "value")
    )
    assert originals == [
        ("103", Decimal(11000)),
        ("104", Decimal(1500)),
        ("205", Decimal(200000)),
        ("206", Decimal(50000)),
        ("239", Decimal(30000)),
    ]


def test_unmapped_categories_are_errors_and_nothing_is_written(world: dict[str, Any]) -> None:
    walk(world)
    job = national_import(world, "Código,Cantidad\n103,11000\n999,4\n")
    assert job.status == ImportJob.Status.BLOCKED
    issue = job.issues.get(code="not_in_crosswalk")
    assert (issue.row, issue.value) == (3, "999")
    assert not Observation.objects.exists()


def test_without_a_crosswalk_the_import_says_what_to_do(world: dict[str, Any]) -> None:
    job = national_import(world, "Código,Cantidad\n103,11000\n")
    assert job.status == ImportJob.Status.FAILED
    assert "has no crosswalk yet" in job.message


def test_the_crosswalk_pages(world: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(world["focal"])
    response = browser.post(
        "/statistics/crosswalks/", {"name": "Código Penal", "area": "COL", "mappings": MAPPINGS}
    )
    assert response.status_code == 302
    page = browser.get(response["Location"]).content.decode()
    assert "Homicidio agravado" in page
    reader = Client()
    reader.force_login(world["contributor"])
    assert reader.get(response["Location"]).status_code == 200
    assert reader.post(response["Location"], {"mappings": "1; a; 0101"}).status_code == 403
