"""SDMX-CSV in: self-describing files read by their component ids, codes checked
exactly against the dataflow's codelists, into the same submission as the
questionnaire when labelled so."""

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

DIMS = "INDICATOR,CATEGORY,SEX,AGE,CITIZENSHIP,MECHANISM,RELATIONSHIP,UNIT_MEASURE"
HEADER = f"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,{DIMS},TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
ROW = "dataflow,UNODC:DF_UN_CTS(1.0),I,COL,OFFENCES,{cat},_T,_T,_T,_T,_T,COUNT,2025,{v},{s}\n"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {"col": col, "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test")}


def sdmx_import(world: dict[str, Any], text: str) -> ImportJob:
    stored, _ = intake.upload_store(
        stream=io.BytesIO(text.encode()),
        filename="cts.csv",
        organisation=world["col"],
        dataset="observations-sdmx-csv",
        actor=world["focal"],
    )
    job = intake.job_create(upload=stored, label="UN-CTS 2025", actor=world["focal"])
    return intake.job_validate(job=job)


def test_an_sdmx_csv_file_imports_with_statuses(world: dict[str, Any]) -> None:
    text = (
        HEADER
        + ROW.format(cat="ICCS0101", v="1250", s="A")
        + ROW.format(cat="ICCS0502", v="", s="L")
        + ROW.format(cat="ICCS0401", v="310.5", s="E")
    )
    job = sdmx_import(world, text)
    assert job.status == ImportJob.Status.VALIDATED, (
        job.message,
        list(job.issues.values_list("message")),
    )
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version is not None
    assert job.version.submission.label == "UN-CTS 2025"
    rows = {o.dims["CATEGORY"]: o for o in Observation.objects.filter(version=job.version)}
    assert (rows["ICCS0101"].value, rows["ICCS0101"].obs_status) == (Decimal(1250), "A")
    assert (rows["ICCS0502"].value, rows["ICCS0502"].obs_status) == (None, "L")
    assert (rows["ICCS0401"].value, rows["ICCS0401"].obs_status) == (Decimal("310.5"), "E")
    assert rows["ICCS0101"].key == "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"


def test_codes_must_be_exact_and_every_dimension_present(world: dict[str, Any]) -> None:
    job = sdmx_import(
        world,
        HEADER
        + ROW.format(cat="Homicide", v="1", s="A")
        + ROW.format(cat="ICCS0101", v='"1,5"', s="A"),
    )
    assert job.status == ImportJob.Status.BLOCKED
    assert sorted(job.issues.values_list("row", "code")) == [
        (2, "unknown_code"),
        (3, "not_a_number"),
    ]
    short = HEADER.replace(",MECHANISM", "") + ROW.format(cat="ICCS0101", v="1", s="A").replace(
        "_T,_T,_T,_T,_T,COUNT", "_T,_T,_T,_T,COUNT"
    )
    failed = sdmx_import(world, short)
    assert failed.status == ImportJob.Status.FAILED
    assert "no column for MECHANISM" in failed.message
    assert not Observation.objects.exists()


def test_an_sdmx_ml_message_from_our_own_export_imports_identically(
    world: dict[str, Any], tmp_path: Any
) -> None:
    from observatory.statistics import selectors
    from observatory.statistics.exports.observations import export_observations
    from observatory.submissions import services as workflow

    analyst = factories.member(Role.ANALYST, factories.office(), email="analyst@o.test")
    text = (
        HEADER
        + ROW.format(cat="ICCS0101", v="1250", s="A")
        + ROW.format(cat="ICCS0502", v="", s="L")
        + ROW.format(cat="ICCS0401", v="310.5", s="E")
    )
    job = intake.job_commit(job=sdmx_import(world, text), actor=world["focal"])
    assert job.version is not None
    version = workflow.version_submit(version=job.version, actor=world["focal"])
    version = workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)
    message = tmp_path / "cts.xml"
    export_observations(
        message, actor=None, dataflow=selectors.dataflow_get("DF_UN_CTS"), fmt="sdmx-ml"
    )
    stored, _ = intake.upload_store(
        stream=message.open("rb"),
        filename="cts.xml",
        organisation=world["col"],
        dataset="observations-sdmx-ml",
        actor=world["focal"],
    )
    again = intake.job_validate(
        job=intake.job_create(upload=stored, label="UN-CTS 2025", actor=world["focal"])
    )
    assert again.status == ImportJob.Status.VALIDATED, (
        again.message,
        list(again.issues.values_list("message")),
    )
    again = intake.job_commit(job=again, actor=world["focal"])
    assert again.version is not None
    assert again.version.number == 2

    def cells(v: Any) -> set[tuple[str, Any, str]]:
        return {(o.key, o.value, o.obs_status) for o in Observation.objects.filter(version=v)}

    assert cells(again.version) == cells(job.version)


def test_a_broken_sdmx_ml_file_is_refused_clearly(world: dict[str, Any]) -> None:
    from observatory.core.errors import ObservatoryError

    stored, _ = intake.upload_store(
        stream=io.BytesIO(b"<nope>"),
        filename="x.xml",
        organisation=world["col"],
        dataset="observations-sdmx-ml",
        actor=world["focal"],
    )
    with pytest.raises(ObservatoryError, match="not an SDMX-ML data message"):
        intake.job_create(upload=stored, label="UN-CTS 2025", actor=world["focal"])


def test_an_sdmx_ml_data_set_with_the_action_delete_deletes_its_cells(
    world: dict[str, Any], tmp_path: Any
) -> None:
    from observatory.core.errors import ValidationFailed
    from observatory.statistics import selectors
    from observatory.statistics.exports.observations import export_observations

    text = (
        HEADER
        + ROW.format(cat="ICCS0101", v="1250", s="A")
        + ROW.format(cat="ICCS0401", v="310.5", s="E")
    )
    first = intake.job_commit(job=sdmx_import(world, text), actor=world["focal"])
    assert first.version is not None
    message = tmp_path / "cts.xml"
    export_observations(
        message, actor=world["focal"], dataflow=selectors.dataflow_get("DF_UN_CTS"), fmt="sdmx-ml"
    )
    xml = message.read_text()
    assert "<message:DataSetAction>Information</message:DataSetAction>" in xml
    xml = xml.replace(">Information</message:DataSetAction>", ">Delete</message:DataSetAction>")
    message.write_text(xml.replace('action="Information"', 'action="Delete"'))
    stored, _ = intake.upload_store(
        stream=message.open("rb"),
        filename="delete.xml",
        organisation=world["col"],
        dataset="observations-sdmx-ml",
        actor=world["focal"],
    )
    job = intake.job_validate(
        job=intake.job_create(upload=stored, label=first.label, actor=world["focal"])
    )
    assert any("removes 2 cells" in note for note in job.notes), job.notes
    with pytest.raises(ValidationFailed, match="confirm"):
        intake.job_commit(job=job, actor=world["focal"])
    job.refresh_from_db()
    job = intake.job_commit(job=job, actor=world["focal"], confirmed=True)
    assert job.version is not None
    assert job.version.row_count == 0
