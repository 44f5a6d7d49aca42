"""Issue 11: the office's real data kept exactly. Each silent change found with
real files is reproduced here first."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

import observatory.statistics
from observatory.accounts.models import Role
from observatory.intake.models import ImportJob
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLE = (
    Path(observatory.statistics.__file__).parent
    / "samples"
    / "data_cts_violent_and_sexual_crime.csv"
)
FLOW = "DF_CTS_VIOLENT_SEXUAL"


@pytest.fixture
def office(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    org = factories.office()
    return {"office": org, "analyst": factories.member(Role.ANALYST, org, email="a@o.test")}


def two_rows(tmp_path: Path, value: str) -> Path:
    """The sample portal file's header and first two rows, the first one's VALUE
    replaced by `value` (quoted: it may hold a comma)."""
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    first = lines[1].split(",")
    first[11] = f'"{value}"'
    path = tmp_path / "two.csv"
    path.write_text("\n".join([lines[0], ",".join(first), lines[2]]) + "\n", encoding="cp1252")
    return path


def portal(path: Path, **options: Any) -> str:
    out = io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        format="unodc-portal",
        dataflow=FLOW,
        org="OFFICE",
        user="a@o.test",
        stdout=out,
        stderr=io.StringIO(),
        **options,
    )
    return out.getvalue()


def test_a_count_with_a_thousands_separator_is_a_question_not_1_757(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Given two rows of the real portal file, one count written "1,757"
    path = two_rows(tmp_path, "1,757")

    # When imported as it is, nothing is written and the file is asked about
    with pytest.raises((SystemExit, CommandError)):
        portal(path)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.BLOCKED
    problem = job.issues.get(code="decimal_mark")
    assert problem.value == "1,757"
    assert "“1,757” could be 1757 or 1.757" in problem.message
    assert not Observation.objects.exists()

    # When the decimal mark is named, the count is 1757, exactly
    portal(path, decimal_mark=".")
    version = Version.objects.get()
    assert Observation.objects.get(version=version, source_row=2).value == Decimal("1757")

    # And exported in the portal layout it comes back as the file wrote it
    out = tmp_path / "out.csv"
    call_command(
        "export",
        "observations",
        dataflow=FLOW,
        format="unodc-portal",
        out=out,
        user="a@o.test",
        stdout=io.StringIO(),
    )
    assert '"1,757"' in out.read_text().splitlines()[1]


def test_read_the_other_way_the_count_1_757_is_said_to_have_decimals(
    office: dict[str, Any], tmp_path: Path
) -> None:
    portal(two_rows(tmp_path, "1,757"), decimal_mark=",", dry_run=True)
    job = ImportJob.objects.get()
    problem = job.issues.get(code="count_not_whole")
    assert problem.severity == "warning"
    assert "“1,757” is kept as 1.757" in problem.message


def _two_cells(tmp_path: Path) -> Path:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    path = tmp_path / "portal.csv"
    path.write_text("\n".join(lines[:3]) + "\n", encoding="cp1252")
    return path


def test_the_office_uploads_a_portal_file_in_the_web(
    office: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(office["analyst"])
    # The imports page offers the office's formats
    page = client.get("/imports/").content.decode()
    assert "/imports/new/observations-unodc-portal/" in page
    assert "/imports/new/observations-sdmx-csv/" in page
    # Upload, confirm the columns, check, commit: a draft of the office's own
    with _two_cells(tmp_path).open("rb") as handle:
        response = client.post(
            "/imports/new/observations-unodc-portal/",
            {"organisation": office["office"].pk, "label": FLOW, "file": handle},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.organisation == office["office"]
    # The proposed mapping, column by column (jsonb keeps no key order)
    mapping = {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/mapping/", {**mapping, "decimal_mark": "."})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.options["decimal_mark"] == "."
    assert job.status == ImportJob.Status.VALIDATED, list(job.issues.values_list("message"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/commit/")
    version = Version.objects.get()
    assert version.organisation == office["office"]
    assert version.row_count == 2


def test_the_office_uploads_a_portal_file_through_the_api(
    office: dict[str, Any], tmp_path: Path
) -> None:
    from django.test import Client

    from observatory.accounts import services as account_services

    raw = account_services.token_create(user=office["analyst"], organisation=office["office"])[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with _two_cells(tmp_path).open("rb") as handle:
        response = client.post(
            "/api/v1/imports?wait=true",
            {
                "dataset": "observations-unodc-portal",
                "organisation": "OFFICE",
                "label": FLOW,
                "file": handle,
            },
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "validated"
    # A country's agency still may not upload for the office
    alb = factories.agency("ALB")
    user = factories.member(Role.CONTRIBUTOR, alb)
    raw = account_services.token_create(user=user, organisation=alb)[1]
    with _two_cells(tmp_path).open("rb") as handle:
        refused = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
            "/api/v1/imports?wait=true",
            {"dataset": "observations-unodc-portal", "organisation": "OFFICE", "file": handle},
        )
    assert refused.status_code == 403


def _publish(version: Version, analyst: Any) -> None:
    from observatory.submissions import services as workflow

    workflow.version_submit(version=version, actor=analyst)
    workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)


def _update_file(tmp_path: Path, values: dict[int, str]) -> Path:
    """The sample's header and the data lines `values` names (1 = the first),
    each with its VALUE replaced."""
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    out = [lines[0]]
    for number, value in values.items():
        cells = lines[number].split(",")
        cells[11] = value
        out.append(",".join(cells))
    path = tmp_path / "update.csv"
    path.write_text("\n".join(out) + "\n", encoding="cp1252")
    return path


@pytest.fixture
def published(office: dict[str, Any]) -> Version:
    portal(SAMPLE)
    version = Version.objects.get()
    _publish(version, office["analyst"])
    return version


def _public() -> int:
    from observatory.accounts import access
    from observatory.statistics import selectors

    flow = selectors.dataflow_get(FLOW)
    return selectors.current_observations(actor=access.ANONYMOUS, dataflow=flow).count()


def test_a_two_cell_update_merges_and_leaves_the_published_data_in_place(
    office: dict[str, Any], published: Version, tmp_path: Path
) -> None:
    assert _public() == 27527
    # Given a file of two updated cells (165 -> 170, 89 -> 89)
    path = _update_file(tmp_path, {1: "170", 2: "89"})

    # The dry run says what it will do
    report = portal(path, dry_run=True)
    assert "merge: adds 0, changes 1 (ALB 2005" in report
    assert "165 -> 170" in report
    assert "leaves 1 as they are" in report
    assert "removes 0 cells of version 1 (published)" in report

    # When committed and published, every other observation is still there
    portal(path)
    update = Version.objects.order_by("-number").first()
    assert update.number == 2
    assert update.row_count == 27527
    _publish(update, office["analyst"])
    assert _public() == 27527
    changed = Observation.objects.filter(version=update, area_id="ALB", time_period="2005")
    assert sorted(format(o.value.normalize(), "f") for o in changed if o.source_row in (2, 3)) == [
        "170",
        "89",
    ]


def test_replace_removes_what_the_file_lacks_only_when_confirmed(
    office: dict[str, Any], published: Version, tmp_path: Path
) -> None:
    path = _update_file(tmp_path, {1: "170", 2: "89"})
    report = portal(path, dry_run=True, action="replace")
    # 27,527 observations are 27,251 cells (the portal repeats 276): all but two go
    assert "removes 27249 cells of version 1 (published)" in report
    job = ImportJob.objects.order_by("-pk").first()
    assert job.issues.filter(code="removes_observations", severity="warning").exists()

    with pytest.raises(CommandError, match=r"removes 27249 cells.*confirm"):
        portal(path, action="replace")
    assert Version.objects.count() == 1  # nothing written

    portal(path, action="replace", confirm=True)
    assert Version.objects.order_by("-number").first().row_count == 2


def test_delete_removes_the_file_cells(
    office: dict[str, Any], published: Version, tmp_path: Path
) -> None:
    path = _update_file(tmp_path, {1: "165", 2: "89"})
    with pytest.raises(CommandError, match="confirm"):
        portal(path, action="delete")
    portal(path, action="delete", confirm=True)
    latest = Version.objects.order_by("-number").first()
    assert latest.row_count == 27525
    kept = set(Observation.objects.filter(version=latest).values_list("source_row", flat=True))
    assert {2, 3}.isdisjoint(kept)


def test_sdmx_csv_action_d_deletes_its_cells(office: dict[str, Any], tmp_path: Path) -> None:
    from observatory.statistics.formats.sdmx import reader  # noqa: F401  (registers nothing)

    portal(_two_cells(tmp_path))
    version = Version.objects.get()
    first = Observation.objects.filter(version=version).order_by("source_row").first()
    flow = "UNODC:DF_CTS_VIOLENT_SEXUAL(1.0)"
    dims = first.dims
    header = "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA," + ",".join(dims) + ",TIME_PERIOD,OBS_VALUE"
    row = f"dataflow,{flow},D,{first.area_id}," + ",".join(dims.values()) + f",{first.time_period},"
    path = tmp_path / "delete.csv"
    path.write_text(header + "\n" + row + "\n")
    out = io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        format="sdmx-csv",
        label=FLOW,
        org="OFFICE",
        user="a@o.test",
        confirm=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "removes 1 cells" in out.getvalue()
    assert Version.objects.order_by("-number").first().row_count == 1


def test_drug_names_that_only_resemble_a_drug_are_asked_about_not_read(db: Any) -> None:
    import polars as pl

    from observatory.intake.services import reference_normalisers
    from observatory.intake.validation import validate
    from observatory.seizures.schema import SEIZURES

    # Given names that only resemble a drug of the list (new psychoactive
    # substances the list lacks, a misreading), and names a real file used,
    # each once
    names = [
        "Methiopropamine",
        "Methylone",
        "Poppy seeds",
        "Methoxetamine",
        "Metamfepramone",
        "DMT",
        "methylphenidate",
        "methaqualone",
        "methylamine",
        "Poppy plants",
        "3,4-methylenedioxymethamphetamine (MDMA)",
        "Gamma-Hydroxybutyric acid (GHB)",
        "Cannabis seed",
    ]
    raw = pl.DataFrame(
        {
            "__row__": list(range(2, len(names) + 2)),
            "Fecha": ["2024-01-31"] * len(names),
            "Droga": names,
            "Pais": ["COL"] * len(names),
            "Cantidad": ["1"] * len(names),
            "Unidad": ["kg"] * len(names),
        },
        schema_overrides={"__row__": pl.Int64},
    )
    mapping = {
        "Fecha": "seizure_date",
        "Droga": "drug",
        "Pais": "area",
        "Cantidad": "quantity",
        "Unidad": "unit",
    }
    result = validate(raw, mapping, SEIZURES, reference_normalisers())

    drugs = dict(zip(names, result.clean["drug"].to_list(), strict=True))
    # Then no resemblance became a drug: methamphetamine and poppy plants are
    # only suggested; the drugs the real file named (once read as
    # methamphetamine and cannabis plants) are themselves, and the office's own
    # names are read
    assert [drugs[n] for n in names[:5]] == [None] * 5
    assert [drugs[n] for n in names[5:10]] == [
        "dmt",
        "methylphenidate",
        "methaqualone",
        "methylamine",
        "poppy-plants",
    ]
    assert drugs["3,4-methylenedioxymethamphetamine (MDMA)"] == "mdma"
    assert drugs["Gamma-Hydroxybutyric acid (GHB)"] == "ghb"
    assert drugs["Cannabis seed"] == "cannabis-seeds"
    asked = result.issues.filter(pl.col("field") == "drug")
    assert set(asked["severity"]) == {"error"}
    assert set(asked["value"]) == set(names[:5])


def _seizure_file(tmp_path: Path, drug: str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_text(
        f"fecha,droga,cantidad,unidad\n2024-03-01,{drug},12,kg\n2024-03-02,cocaína,3,kg\n",
        encoding="utf-8",
    )
    return path


def test_a_drug_name_that_only_resembles_one_waits_for_the_user(db: Any, tmp_path: Path) -> None:
    from observatory.intake.models import SavedValue
    from observatory.seizures.models import Seizure

    col = factories.agency("COL")
    user = factories.member(Role.CONTRIBUTOR, col, email="c@col.test")
    args = ("import", "seizures")
    common = {"org": col.code, "user": user.email, "stdout": io.StringIO(), "stderr": io.StringIO()}

    # Refused and asked about: nothing written
    with pytest.raises(SystemExit):
        call_command(*args, str(_seizure_file(tmp_path, "Methiopropamine")), **common)
    with pytest.raises(SystemExit):
        call_command(*args, str(_seizure_file(tmp_path, "Metamfepramone", name="d.csv")), **common)
    first, second = ImportJob.objects.order_by("pk")
    issue = first.issues.get(code="unconfirmed_drug")
    assert issue.value == "Methiopropamine"
    assert "closest is" in issue.message
    assert second.issues.get(code="unknown_drug").value == "Metamfepramone"
    assert not Seizure.objects.exists()

    # Read as the user says, and remembered for the organisation
    call_command(
        *args,
        str(_seizure_file(tmp_path, "Metamfepramone")),
        map_value=["Metamfepramone=other-drug"],
        **common,
    )
    assert set(Seizure.objects.values_list("drug_id", flat=True)) == {"other-drug", "cocaine"}
    assert (
        SavedValue.objects.get(organisation=col, kind="drug", text="metamfepramone").code
        == "other-drug"
    )

    # The organisation's next file reads it the same way, and says so
    out = io.StringIO()
    call_command(
        *args,
        str(_seizure_file(tmp_path, "metamfepramone", name="t.csv")),
        label="next",
        **{**common, "stdout": out},
    )
    assert "“metamfepramone” read as other-drug, as confirmed" in out.getvalue()


def test_the_value_step_in_the_web(
    db: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    col = factories.agency("COL")
    user = factories.member(Role.CONTRIBUTOR, col, email="c@col.test")
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "seizures",
            str(_seizure_file(tmp_path, "Herion")),
            org=col.code,
            user=user.email,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    job = ImportJob.objects.get()
    client = Client()
    client.force_login(user)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'id="values-to-confirm"' in page
    assert 'name="value:drug:Herion"' in page
    assert '<option value="heroin">' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/values/", {"value:drug:Herion": "heroin"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert job.options["values"] == {"drug": {"Herion": "heroin"}}


def test_an_encoding_that_cannot_hold_a_value_is_a_clear_error_and_leaves_no_file(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Given a published value whose source holds a character cp1252 lacks
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    cells = lines[1].split(",")
    cells[12] = "CTS – 统计"
    path = tmp_path / "utf8.csv"
    path.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    portal(path)

    out = tmp_path / "out.csv"
    out.write_text("an earlier export\n")
    with pytest.raises(
        CommandError, match=r"row 2 \(ALB, 2005\): “统计” cannot be written in cp1252"
    ):
        call_command(
            "export",
            "observations",
            dataflow=FLOW,
            format="unodc-portal",
            encoding="cp1252",
            out=out,
            user="a@o.test",
            stdout=io.StringIO(),
        )
    # The earlier file is as it was, and no partial one is left beside it
    assert out.read_text() == "an earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "utf8.csv"]


def test_the_report_holds_every_problem_beyond_what_the_pages_keep(
    office: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from observatory.intake import services as intake_services

    monkeypatch.setattr(intake_services, "MAX_STORED_ISSUES", 3)
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    bad = []
    for line in lines[1:8]:
        cells = line.split(",")
        cells[11] = "x"
        bad.append(",".join(cells))
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([lines[0], *bad]) + "\n", encoding="cp1252")
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit):
        portal(path, report=report)
    job = ImportJob.objects.get()
    assert job.issues.count() == 3
    written = report.read_text().splitlines()
    assert len(written) == 1 + 7  # header and every problem


def test_two_spellings_of_one_label_are_reported_as_merged(
    office: dict[str, Any], tmp_path: Path
) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    cells = lines[2].split(",")
    cells[6] = cells[6].upper()  # "SEXUAL VIOLENCE" beside "Sexual violence"
    cells[9] = "2006"
    path = tmp_path / "spelt.csv"
    path.write_text("\n".join([lines[0], lines[2], ",".join(cells)]) + "\n", "cp1252")
    portal(path, dry_run=True)
    job = ImportJob.objects.get()
    merged = job.issues.get(code="merged_spelling")
    assert merged.severity == "warning"
    assert merged.value == "SEXUAL VIOLENCE"
    assert "“SEXUAL VIOLENCE” and “Sexual violence” are spelt differently" in merged.message


def test_an_import_for_an_unknown_dataflow_stores_nothing(
    office: dict[str, Any], tmp_path: Path
) -> None:
    from observatory.intake.models import Upload

    with pytest.raises(CommandError, match="no dataflow 'DF_NO_SUCH'"):
        call_command(
            "import",
            "observations",
            str(_two_cells(tmp_path)),
            format="unodc-portal",
            dataflow="DF_NO_SUCH",
            org="OFFICE",
            user="a@o.test",
            stdout=io.StringIO(),
        )
    assert not Upload.objects.exists()
    assert not ImportJob.objects.exists()


def test_labels_codes_and_values_come_back_as_the_file_wrote_them(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Given a file whose texts differ from the codelists' names and the
    # reference data: a lower-case label, an area code alias, a value "165.0",
    # another country name, a rate with more than 12 decimals
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    first = lines[1].split(",")
    first[6] = first[6].lower()  # "serious assault"
    first[11] = "165.0"
    second = lines[2].split(",")
    second[0], second[1] = "XKX", "Kosovo under UNSCR 1244"
    second[10], second[11] = "Rate per 100,000 population", "0.1234567890123456"
    path = tmp_path / "texts.csv"
    second_line = ",".join(second[:10]) + ',"Rate per 100,000 population",' + ",".join(second[11:])
    path.write_text("\n".join([lines[0], ",".join(first), second_line]) + "\n", "cp1252")
    portal(path)

    out = tmp_path / "out.csv"
    call_command(
        "export",
        "observations",
        dataflow=FLOW,
        format="unodc-portal",
        out=out,
        user="a@o.test",
        stdout=io.StringIO(),
    )
    import polars as pl

    original = pl.read_csv(path, encoding="cp1252", infer_schema=False)
    exported = pl.read_csv(out, infer_schema=False)
    assert exported.equals(original)
    # while the codes are the codes
    stored = Observation.objects.order_by("source_row")
    assert [o.area_id for o in stored] == ["ALB", "KOS"]
