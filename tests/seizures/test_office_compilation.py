"""Issue 11 §5: a multi-country seizure export the office loads goes to each
reporting country as the office's compilation: visible to that country's focal
point, never mixed into what the country submitted, and replaced by the
country's own published seizures where both exist (by country and year)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts.models import Role
from observatory.analytics import lake
from observatory.intake import services as intake_services
from observatory.intake.models import ImportIssue, ImportJob
from observatory.seizures import selectors
from observatory.seizures.models import Seizure
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories
from tests.submissions import import_csv, seizure_csv

pytestmark = pytest.mark.django_db

# The office's historical export: several countries, the country on each row.
HISTORY = (
    "COUNTRY_OF_SEIZURE,DATE,DRUG_NAME,AMOUNT_OF_DRUG,DRUG_UNIT,PRODUCING_COUNTRY\n"
    "Colombia,2019-03-02,Cocaine,120,Kilogram,Colombia\n"
    "Colombia,2024-07-01,Cocaine,80,Kilogram,Colombia\n"
    "Peru,2019-05-09,Cocaine,40,Kilogram,Peru\n"
    "Spain,2019-11-20,Cannabis resin,900,Kilogram,Morocco\n"
)


@pytest.fixture(autouse=True)
def places(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    office = factories.office()
    col = factories.agency("COL")
    return {
        "office": office,
        "analyst": factories.member(Role.ANALYST, office, email="a@o.test"),
        "col": col,
        "col_contributor": factories.member(Role.CONTRIBUTOR, col, email="c@col.test"),
        "col_focal": factories.member(Role.FOCAL_POINT, col, email="f@col.test"),
        "per_focal": factories.member(Role.FOCAL_POINT, factories.agency("PER"), email="f@p.test"),
    }


def _publish(version: Version, analyst: Any, submitter: Any) -> None:
    workflow.version_submit(version=version, actor=submitter)
    workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)


def _office_import(world: dict[str, Any], text: str) -> ImportJob:
    upload, _created = intake_services.upload_store(
        stream=io.BytesIO(text.encode()),
        filename="ids_history.csv",
        organisation=world["office"],
        dataset="seizures",
        actor=world["analyst"],
    )
    job = intake_services.job_create(upload=upload, label="history", actor=world["analyst"])
    return intake_services.job_validate(job=job)


def test_the_office_loads_a_multi_country_export_each_row_to_its_country(
    world: dict[str, Any],
) -> None:
    job = intake_services.job_commit(job=_office_import(world, HISTORY), actor=world["analyst"])

    assert job.status == ImportJob.Status.COMMITTED, job.message
    assert job.version is not None
    assert job.version.submission.area_id is None
    assert sorted(Seizure.objects.values_list("area_id", flat=True)) == [
        "COL",
        "COL",
        "ESP",
        "PER",
    ]
    # Each country's focal point sees its own rows of the office's draft, not others'
    assert set(
        selectors.seizure_list(actor=world["col_focal"]).values_list("area_id", flat=True)
    ) == {"COL"}
    assert set(
        selectors.seizure_list(actor=world["per_focal"]).values_list("area_id", flat=True)
    ) == {"PER"}


def test_a_row_without_its_country_is_an_error(world: dict[str, Any]) -> None:
    text = HISTORY + ",2019-01-01,Heroin,2,Kilogram,\n"
    job = _office_import(world, text)

    missing = ImportIssue.objects.get(job=job, code="required", field="area")
    assert missing.row == 6
    assert "country of seizure" in missing.message


def test_the_countrys_own_seizures_replace_the_offices_for_their_years(
    world: dict[str, Any],
) -> None:
    job = intake_services.job_commit(job=_office_import(world, HISTORY), actor=world["analyst"])
    assert job.version is not None
    _publish(job.version, world["analyst"], world["analyst"])
    office_col = lake.published_seizures("COL")
    assert sorted(office_col["seizure_date"].dt.year().to_list()) == [2019, 2024]

    # When Colombia publishes its own seizures of 2024
    own = import_csv(
        world["col"],
        world["col_contributor"],
        seizure_csv("C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena"),
    )
    _publish(own, world["analyst"], world["col_focal"])

    # Then 2024 is Colombia's own (its one seizure), 2019 still the office's
    frame = lake.published_seizures("COL")
    by_year = {(row["seizure_date"].year, row["version_id"]) for row in frame.iter_rows(named=True)}
    assert by_year == {(2019, job.version.pk), (2024, own.pk)}
    # and the two submissions stay apart
    assert own.submission_id != job.version.submission_id
    assert Seizure.objects.filter(version=own).count() == 1
