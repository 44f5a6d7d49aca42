"""ARQ seizures beside individual seizures: discrepancies per drug and year, and
the ARQ seizure table pre-filled from published individual seizures (derived)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.analytics import reconciliation
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from tests import factories
from tests.submissions import import_csv, seizure_csv

pytestmark = pytest.mark.django_db

COCAINE_KG = "SEIZED_QTY.COCAINE._Z._Z._Z._Z._Z.KG"
COCAINE_CASES = "SEIZURE_CASES.COCAINE._Z._Z._Z._Z._Z.COUNT"
HEROIN_KG = "SEIZED_QTY.HEROIN._Z._Z._Z._Z._Z.KG"


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    loader.load_definitions()
    office = factories.office()
    police = factories.agency("COL", Organisation.Kind.POLICE)
    people = {
        "focal": factories.member(Role.FOCAL_POINT, police, email="focal@col.test"),
        "contributor": factories.member(Role.CONTRIBUTOR, police, email="c@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }
    version = import_csv(
        police,
        people["contributor"],
        seizure_csv(
            "C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena",
            "C-2,2024-02-10,cocaine,50,kg,COL,,USA,Buenaventura",
            "C-3,2024-05-05,heroin,2,kg,,,,Bogotá",
        ),
    )
    version = workflow.version_submit(version=version, actor=people["focal"])
    version = workflow.version_accept(version=version, actor=people["analyst"])
    workflow.version_publish(version=version, actor=people["analyst"])
    return {"police": police, **people}


def test_the_discrepancy_per_drug(world: dict[str, Any]) -> None:
    arq = selectors.questionnaire_get("ARQ-SUPPLY")
    services.questionnaire_save(
        questionnaire=arq,
        organisation=world["police"],
        year=2024,
        actor=world["focal"],
        entries={COCAINE_KG: Entry(value=Decimal(140)), COCAINE_CASES: Entry(value=Decimal(2))},
    )
    lines = {
        (line.drug, line.column): line
        for line in reconciliation.compare(
            actor=world["focal"], organisation=world["police"], year=2024
        )
    }
    cocaine = lines[("COCAINE", "KG")]
    assert (cocaine.arq, cocaine.ids, cocaine.difference) == (
        Decimal(140),
        Decimal(150),
        Decimal(-10),
    )
    assert lines[("COCAINE", "COUNT")].difference == 0
    assert lines[("HEROIN", "KG")].arq is None
    assert lines[("HEROIN", "KG")].ids == Decimal(2)


def test_prefill_marks_derived_cells_and_keeps_reported_ones(world: dict[str, Any]) -> None:
    arq = selectors.questionnaire_get("ARQ-SUPPLY")
    services.questionnaire_save(
        questionnaire=arq,
        organisation=world["police"],
        year=2024,
        actor=world["focal"],
        entries={COCAINE_KG: Entry(value=Decimal(140))},
    )
    browser = Client()
    browser.force_login(world["focal"])
    url = f"/statistics/reconciliation/{world['police'].code}/2024/"
    assert "Heroin" in browser.get(url).content.decode()
    assert browser.post(url).status_code == 302
    cells = {
        o.key: o for o in Observation.objects.filter(time_period="2024", dataflow=arq.dataflow)
    }
    assert (cells[COCAINE_KG].value, cells[COCAINE_KG].derived) == (Decimal(140), False)
    assert (cells[HEROIN_KG].value, cells[HEROIN_KG].derived) == (Decimal(2), True)
    assert cells[HEROIN_KG].comment == "derived from 1 individual seizure records"
    assert cells[COCAINE_CASES].value == 2
    stranger = Client()
    stranger.force_login(
        factories.member(Role.FOCAL_POINT, factories.agency("ESP"), email="fp@esp.test")
    )
    assert stranger.get(url).status_code == 404


def test_the_offices_compiled_total_is_shown_and_its_records_are_not_added(
    world: dict[str, Any],
) -> None:
    office = Organisation.objects.get(code="OFFICE")
    analyst = world["analyst"]
    # The office's compiled national total (the annex's seizure table) ...
    flow = selectors.dataflow_get("DF_DRUG_SEIZURES")
    version = workflow.version_create(
        organisation=office, dataset="observations", label=flow.code, actor=analyst
    )
    dims = {"DRUG": "COCAINE", "UNIT_MEASURE": "KG"}
    Observation.objects.create(
        version=version,
        dataflow=flow,
        organisation=office,
        area_id="COL",
        time_period="2024",
        key="COCAINE.KG",
        dims=dims,
        value=Decimal("155.5"),
    )
    for step in (workflow.version_submit, workflow.version_accept, workflow.version_publish):
        version = step(version=version, actor=analyst)
    # ... and its historical records of Colombia's 2024 seizures
    history = import_csv(
        office,
        analyst,
        "COUNTRY_OF_SEIZURE,case_reference,seizure_date,drug,quantity,unit\n"
        "COL,H-1,2024-03-01,cocaine,500,kg\n",
        label="history",
    )
    for step in (workflow.version_submit, workflow.version_accept, workflow.version_publish):
        history = step(version=history, actor=analyst)

    lines = {
        (line.drug, line.column): line
        for line in reconciliation.compare(
            actor=world["focal"], organisation=world["police"], year=2024
        )
    }

    cocaine = lines[("COCAINE", "KG")]
    # Colombia's own 150 kg, not 650: the office's records of the year give way
    assert (cocaine.ids, cocaine.compiled) == (Decimal(150), Decimal("155.5"))
    page = Client()
    page.force_login(world["focal"])
    text = page.get(f"/statistics/reconciliation/{world['police'].code}/2024/").text
    assert "Compiled by the office" in text
    assert "155.5" in text
