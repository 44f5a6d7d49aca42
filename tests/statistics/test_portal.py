"""The statistical cube: definition files, the data-portal long format in and
out (the real portal export round trip), disclosure control on public exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command

import observatory.statistics
from observatory.accounts.models import Organisation, Role
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.statistics import selectors
from observatory.statistics.cube import loader
from observatory.statistics.exports.observations import export_observations
from observatory.statistics.models import Codelist, DataStructure, Observation
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLE = (
    Path(observatory.statistics.__file__).parent
    / "samples"
    / "data_cts_violent_and_sexual_crime.csv"
)
FLOW = "DF_CTS_VIOLENT_SEXUAL"
HEADER = (
    "Iso3_code,Country,Region,Subregion,Indicator,Dimension,Category,Sex,Age,Year,"
    "Unit of measurement,VALUE,Source\n"
)


@pytest.fixture
def cube(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    return {
        "office": office,
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
        "alb": factories.agency("ALB", Organisation.Kind.STATISTICS),
    }


def portal_import(
    cube: dict[str, Any],
    data: bytes,
    *,
    org: str = "office",
    who: str = "analyst",
    label: str = FLOW,
) -> ImportJob:
    stored, _created = intake.upload_store(
        stream=io.BytesIO(data),
        filename="portal.csv",
        organisation=cube[org],
        dataset="observations-unodc-portal",
        actor=cube[who],
    )
    job = intake.job_create(upload=stored, label=label, actor=cube[who])
    return intake.job_validate(job=job)


def publish(version: Version, actor: Any) -> Version:
    version = workflow.version_submit(version=version, actor=actor)
    version = workflow.version_accept(version=version, actor=actor)
    return workflow.version_publish(version=version, actor=actor)


def test_definitions_load_once_and_final_artefacts_never_change(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    again = loader.load_definitions()
    assert again.created == []
    assert again.updated == []
    structure = DataStructure.objects.get(code="DSD_CTS_PORTAL")
    assert [c.code for c in structure.components.all()][:8] == [
        "REF_AREA",
        "INDICATOR",
        "DIMENSION",
        "CATEGORY",
        "SEX",
        "AGE",
        "UNIT_MEASURE",
        "TIME_PERIOD",
    ]
    assert Codelist.objects.get(code="CL_AREA").codes.get(code="TUR").name == "Republic of Türkiye"
    # A changed final codelist is refused; the same change under a new version loads.
    folder = tmp_path / "defs"
    folder.mkdir()
    common = (loader.DEFINITIONS / "common.yaml").read_text(encoding="utf-8")
    (folder / "common.yaml").write_text(
        common.replace(
            "{id: _U, name: Unknown}\n  - id: CL_AGE",
            "{id: _Z, name: Not applicable}\n  - id: CL_AGE",
        ),
        encoding="utf-8",
    )
    with pytest.raises(loader.DefinitionError, match=r"UNODC:CL_SEX\(1.0\) is final"):
        loader.load_definitions(folder=folder)
    assert not Codelist.objects.get(code="CL_SEX").codes.filter(code="_Z").exists()
    (folder / "common.yaml").write_text(
        common.replace("name: Sex\n    final: true", "name: Sex\n    final: true")
        .replace('- id: CL_SEX\n    version: "1.0"', '- id: CL_SEX\n    version: "1.1"')
        .replace(
            "{id: _U, name: Unknown}\n  - id: CL_AGE",
            "{id: _Z, name: Not applicable}\n  - id: CL_AGE",
        ),
        encoding="utf-8",
    )
    loader.load_definitions(folder=folder)
    assert Codelist.objects.get(code="CL_SEX", version="1.1").codes.filter(code="_Z").exists()
    assert Codelist.objects.get(code="CL_SEX", version="1.0").codes.count() == 4


def test_the_real_portal_export_round_trips_without_a_difference(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    job = portal_import(cube, SAMPLE.read_bytes())
    assert job.status == ImportJob.Status.VALIDATED, job.message
    codes = dict(job.issues.values_list("code", "severity").distinct())
    assert codes == {"alias": "warning", "repeated_cell": "warning", "count_not_whole": "warning"}
    # France's estimated counts of 2010-2014 (231909.06 ...) are kept, and said.
    assert job.issues.filter(code="count_not_whole").count() == 5
    assert job.issues.filter(code="alias").first().message == "“Oct-17” was read as 10-17"
    job = intake.job_commit(job=job, actor=cube["analyst"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version is not None
    assert job.version.area_id is None  # a compilation by the office
    publish(job.version, cube["analyst"])
    out = tmp_path / "out.csv"
    flow = selectors.dataflow_get(FLOW)
    assert (
        export_observations(out, actor=None, dataflow=flow, fmt="unodc-portal", encoding="cp1252")
        == 27527
    )
    original = pl.read_csv(SAMPLE, encoding="cp1252", infer_schema=False)
    exported = pl.read_csv(out, encoding="cp1252", infer_schema=False)
    assert exported.columns == original.columns
    # Exactly as it went in: even the spreadsheet damage "Oct-17" comes back as
    # the file wrote it, while its code is 10-17 (the SDMX files write the code).
    assert exported.equals(original)
    assert Observation.objects.filter(dims__AGE="Y10T17").exists()
    observation = Observation.objects.filter(
        area_id="ALB",
        time_period="2015",
        dims__INDICATOR="VIOLENT_OFFENCES",
        dims__CATEGORY="ICCS020111",
    ).first()
    assert observation is not None
    assert observation.key.startswith("VIOLENT_OFFENCES.BY_OFFENCE")


def test_errors_name_the_cell_and_suggest_the_known_label(cube: dict[str, Any]) -> None:
    rows = (
        HEADER + "ALB,Albania,Europe,Southern Europe,Violent offences,by type of offence,"
        "Serious asault,Total,Total,2015,Counts,165,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Violent offences,by type of offence,"
        "Robbery,Total,Total,2015,Counts,n/a,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Violent offences,by type of offence,"
        'Robbery,Total,Total,2016,Counts,"12,5",CTS\n'
    )
    job = portal_import(cube, rows.encode())
    assert job.status == ImportJob.Status.BLOCKED
    issues = {i.code: i for i in job.issues.all()}
    assert issues["unknown_code"].row == 2
    assert issues["unknown_code"].suggestion == "ICCS020111"  # Serious assault
    assert issues["not_a_number"].value == "n/a"
    assert not Observation.objects.exists()


def test_a_country_reports_only_its_own_area(cube: dict[str, Any]) -> None:
    focal = factories.member(Role.FOCAL_POINT, cube["alb"], email="fp@alb.test")
    cube["focal"] = focal
    rows = (
        HEADER + "ALB,Albania,Europe,Southern Europe,Violent offences,by type of offence,"
        "Robbery,Total,Total,2015,Counts,199,CTS\n"
        + "MKD,North Macedonia,Europe,Southern Europe,Violent offences,by type of offence,"
        "Robbery,Total,Total,2015,Counts,99,CTS\n"
    )
    job = portal_import(cube, rows.encode(), org="alb", who="focal")
    assert [(i.row, i.code) for i in job.issues.filter(severity="error")] == [(3, "other_country")]


def test_the_label_must_name_a_known_dataflow(cube: dict[str, Any]) -> None:
    job = portal_import(cube, SAMPLE.read_bytes()[:2000], label="DF_NOPE")
    assert job.status == ImportJob.Status.FAILED
    assert "no dataflow 'DF_NOPE'" in job.message
    assert FLOW in job.message


def test_public_exports_suppress_small_counts_by_the_structures_rule(
    cube: dict[str, Any], tmp_path: Path
) -> None:
    rows = (
        HEADER + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,"
        "Total,Total,Total,2019,Counts,3,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
        "Total,Total,2020,Counts,<5,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
        "Total,Total,2021,Counts,12,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
        'Total,Total,2019,"Rate per 100,000 population",0.1,CTS\n'
    )
    job = intake.job_commit(job=portal_import(cube, rows.encode()), actor=cube["analyst"])
    assert job.version is not None
    publish(job.version, cube["analyst"])
    censored = Observation.objects.get(time_period="2020")
    assert (censored.value, censored.censored, censored.obs_status) == (None, "<5", "A")
    DataStructure.objects.filter(code="DSD_CTS_PORTAL").update(suppress_below=5)
    flow = selectors.dataflow_get(FLOW)
    public, office = tmp_path / "public.csv", tmp_path / "office.csv"
    export_observations(public, actor=None, dataflow=flow, fmt="unodc-portal")
    export_observations(office, actor=cube["analyst"], dataflow=flow, fmt="unodc-portal")
    shown = pl.read_csv(public, infer_schema=False)
    assert shown.columns[11] == "txtVALUE"
    # The rate of the small count would give it back: withheld with it.
    assert shown["txtVALUE"].to_list() == ["<5", "<5", "12", None]
    assert pl.read_csv(office, infer_schema=False)["txtVALUE"].to_list() == ["3", "<5", "12", "0.1"]


def test_the_cli_imports_and_exports_observations(cube: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "cts.csv"
    call_command(
        "import",
        "observations",
        str(SAMPLE),
        format="unodc-portal",
        dataflow=FLOW,
        org="OFFICE",
        user="analyst@o.test",
        stdout=io.StringIO(),
    )
    version = Version.objects.get()
    assert version.row_count == 27527
    assert version.status == Version.Status.DRAFT
    call_command(
        "export",
        "observations",
        dataflow=FLOW,
        format="unodc-portal",
        out=out,
        user="analyst@o.test",
        stdout=io.StringIO(),
    )
    assert len(out.read_text(encoding="utf-8").splitlines()) == 27528
