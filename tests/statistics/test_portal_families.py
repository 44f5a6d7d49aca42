"""Issue 11, tests: the round trip over every family the data portal publishes
in its long layout. Each file of files/families/ is in its family's layout
(cp1252 CSV, or an Excel download with title lines; Latin letters beyond ASCII,
XKX and GBR_E_W, Oct-17 for 10-17, a part of a country, txtVALUE with "<5"
and "1,757"): it goes in with the shipped definitions and no other step, is
published, and comes back with every code, label and value as it was."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

import observatory.statistics
from observatory.accounts.models import Role
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.intake.reading import read_excel_path
from observatory.statistics import selectors
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db
FAMILIES = Path(observatory.statistics.__file__).parent / "samples" / "families"

FILES = {
    "DF_CTS_HOMICIDE": "data_cts_intentional_homicide.csv",
    "DF_CTS_CORRUPTION": "data_cts_corruption_and_economic_crime.csv",
    "DF_CTS_JUSTICE": "data_cts_access_and_functioning_of_justice.csv",
    "DF_CTS_PRISONS": "data_cts_prisons_and_prisoners.xlsx",
    "DF_FIREARMS": "data_iafq_firearms_trafficking.csv",
    "DF_TIP_PORTAL": "data_glotip.xlsx",
}


@pytest.fixture
def analyst(db: Any) -> Any:
    loader.load_definitions()
    return factories.member(Role.ANALYST, factories.office(), email="a@o.test")


def _import(path: Path, flow: str, out: io.StringIO | None = None, **options: Any) -> str:
    out = out or io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        format="unodc-portal",
        dataflow=flow,
        org="OFFICE",
        user="a@o.test",
        decimal_mark=".",
        stdout=out,
        stderr=io.StringIO(),
        **options,
    )
    return out.getvalue()


def _publish(analyst: Any) -> None:
    version = Version.objects.order_by("-pk").first()
    assert version is not None
    workflow.version_submit(version=version, actor=analyst)
    workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)


def _export(tmp_path: Path, flow: str, encoding: str) -> str:
    out = tmp_path / f"{flow}.csv"
    call_command(
        "export",
        "observations",
        dataflow=flow,
        format="unodc-portal",
        encoding=encoding,
        out=out,
        stdout=io.StringIO(),
    )
    return out.read_bytes().decode(encoding)


def _cells(path: Path) -> list[list[str]]:
    """The rows of a workbook from its header row on, as its cells read (an
    integer as digits, a decimal as Excel shows it)."""
    table = read_excel_path(path)
    width = len(table.headers)
    return [table.headers, *(list(row[:width]) for row in table.frame.fill_null("").rows())]


@pytest.mark.parametrize("flow", sorted(FILES))
def test_each_family_goes_in_and_comes_back_exactly(
    analyst: Any, tmp_path: Path, flow: str
) -> None:
    path = FAMILIES / FILES[flow]
    rows = (
        _cells(path)
        if path.suffix == ".xlsx"
        else list(csv.reader(io.StringIO(path.read_text("cp1252"))))
    )

    printed = _import(path, flow)

    assert f"{len(rows) - 1} valid, 0 with errors" in printed
    _publish(analyst)
    stored = selectors.flow_observations(selectors.dataflow_get(flow))
    assert stored.count() == len(rows) - 1
    if path.suffix == ".csv":
        # byte for byte, in the file's own encoding
        assert _export(tmp_path, flow, "cp1252") == path.read_bytes().decode("cp1252")
    else:
        back = list(csv.reader(io.StringIO(_export(tmp_path, flow, "utf-8"))))
        assert back == rows


def test_the_areas_a_file_writes_are_the_areas_it_gets_back(analyst: Any, tmp_path: Path) -> None:
    # XKX and GBR_E_W are other codes of areas the reference data hold (KOS,
    # GBR_EW): stored as one area, written back as the file wrote them.
    path = FAMILIES / FILES["DF_CTS_HOMICIDE"]
    _import(path, "DF_CTS_HOMICIDE")
    codes = {row[0] for row in csv.reader(io.StringIO(path.read_text("cp1252")))}
    stored = set(Observation.objects.values_list("area_id", flat=True))
    assert {"XKX", "GBR_E_W"} <= codes
    assert {"KOS", "GBR_EW"} <= stored
    assert not {"XKX", "GBR_E_W"} & stored


def test_a_trafficking_file_keeps_its_small_counts_hidden(analyst: Any, tmp_path: Path) -> None:
    path = FAMILIES / FILES["DF_TIP_PORTAL"]
    _import(path, "DF_TIP_PORTAL")
    _publish(analyst)
    censored = Observation.objects.filter(censored="<5")
    assert censored.exists()
    assert all(value is None for value in censored.values_list("value", flat=True))
    grouped = Observation.objects.filter(value__gte=1000).first()
    assert grouped is not None
    back = _export(tmp_path, "DF_TIP_PORTAL", "utf-8")
    assert f'"{int(grouped.value):,}"' in back


def test_a_label_the_lists_lack_is_refused_and_named(analyst: Any, tmp_path: Path) -> None:
    # A real download holds more labels than the shipped lists: the import
    # stops and names them (define dataflow then makes the next version).
    header, first, *_ = csv.reader(
        io.StringIO((FAMILIES / FILES["DF_FIREARMS"]).read_text("cp1252"))
    )
    first[5:7] = ["by type of firearm", "Machine gun"]
    path = tmp_path / "firearms.csv"
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first])

    printed = io.StringIO()
    with pytest.raises((CommandError, SystemExit)):
        _import(path, "DF_FIREARMS", printed)

    assert "Machine gun" in printed.getvalue()
    assert not Observation.objects.exists()


def test_the_workbook_file_is_as_the_portal_writes_it() -> None:
    # the Excel downloads start with title lines above the header row
    sheet = openpyxl.load_workbook(FAMILIES / FILES["DF_TIP_PORTAL"], read_only=True).active
    first = [row[0] for row in sheet.iter_rows(max_row=3, values_only=True)]
    assert first[0] == "Global Report on Trafficking in Persons"
    assert str(first[1]).startswith("Release date:")
    assert first[2] == "Iso3_code"


def test_an_excel_decimal_is_read_as_excel_shows_it(tmp_path: Path) -> None:
    # A formula's result is a binary double: 0.1 + 0.2 is stored as
    # 0.30000000000000004, shown (and typed) as 0.3; Excel keeps 15 digits.
    book = openpyxl.Workbook()
    book.active.append(["VALUE", "small", "digits"])
    book.active.append([0.1 + 0.2, 3.5e-06, 1.857412345678901])
    path = tmp_path / "values.xlsx"
    book.save(path)

    assert _cells(path)[1] == ["0.3", "3.5e-06", "1.8574123456789"]


def _country_reports(area: str, dims: dict[str, str], period: str, value: str) -> Version:
    """A country's own published observation of the homicide dataflow."""
    flow = selectors.dataflow_get("DF_CTS_HOMICIDE")
    organisation = factories.agency(area)
    focal = factories.member(Role.FOCAL_POINT, organisation, email=f"f@{area.lower()}.test")
    version = workflow.version_create(
        organisation=organisation, dataset="observations", label=flow.code, actor=focal
    )
    key = ".".join(dims[d] for d in selectors.Structure(flow.structure).dimensions)
    Observation.objects.create(
        version=version,
        dataflow=flow,
        organisation=organisation,
        area_id=area,
        time_period=period,
        key=key,
        dims=dims,
        value=value,
        source="NSO",
    )
    workflow.version_submit(version=version, actor=focal)
    return version


def test_a_countrys_own_data_replace_the_offices_compilation_cell_by_cell(
    analyst: Any, tmp_path: Path
) -> None:
    path = FAMILIES / FILES["DF_CTS_HOMICIDE"]
    _import(path, "DF_CTS_HOMICIDE")
    _publish(analyst)
    flow = selectors.dataflow_get("DF_CTS_HOMICIDE")
    compiled = selectors.current_observations(actor=None, dataflow=flow)
    total = compiled.count()
    cell = compiled.filter(area_id__in=["BRA", "MEX", "JPN", "ZAF", "TUR", "NZL", "CUW"]).first()
    assert cell is not None
    area = cell.area_id

    # When the country publishes its own number for one cell the office compiled
    own = _country_reports(area, cell.dims, cell.time_period, "999")
    workflow.version_accept(version=own, actor=analyst)
    workflow.version_publish(version=own, actor=analyst)

    # Then that cell is the country's, every other cell is still the office's
    current = selectors.current_observations(actor=None, dataflow=flow)
    assert current.count() == total
    mine = current.get(area_id=area, key=cell.key, time_period=cell.time_period)
    assert (mine.value, mine.source, mine.version_id) == (999, "NSO", own.pk)
    assert current.exclude(version=own).filter(version__submission__area__isnull=True).count() == (
        total - 1
    )
    # And the explorer says who reported each year of the area
    dims = {f"dim_{d}": code for d, code in cell.dims.items() if d != "UNIT_MEASURE"}
    query = {"dataflow": "DF_CTS_HOMICIDE", **dims, "areas": area, "format": "csv"}
    rows = list(csv.DictReader(io.StringIO(Client().get("/statistics/explorer/", query).text)))
    by_year = {row["period"]: row["reported_by"] for row in rows}
    assert by_year[cell.time_period] in {"country", "country and office"}
    assert set(by_year.values()) - {"country", "country and office"} <= {"office"}
    page = Client().get("/statistics/explorer/", {k: v for k, v in query.items() if k != "format"})
    assert "<td>the country" in page.text


def test_a_label_the_user_maps_to_a_code_goes_in_and_comes_back_as_written(
    analyst: Any, tmp_path: Path
) -> None:
    # "Sub-machine gun" is the office's Submachine gun, spelt otherwise: the
    # import stops; the analyst says which code it is; the file goes in, the
    # reading is remembered for the office's next files, and the export
    # writes the label the file had.
    header, first, *_ = csv.reader(
        io.StringIO((FAMILIES / FILES["DF_FIREARMS"]).read_text("cp1252"))
    )
    first[5:7] = ["by type of firearm", "Sub-machine gun"]
    path = tmp_path / "firearms.csv"
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first])
    printed = io.StringIO()
    with pytest.raises((CommandError, SystemExit)):
        _import(path, "DF_FIREARMS", printed)
    assert "SUBMACHINE_GUN" in printed.getvalue()  # the closest code, as a suggestion only

    wrong = io.StringIO()
    with pytest.raises((CommandError, SystemExit)):
        _import(path, "DF_FIREARMS", wrong, map_value=["Sub-machine gun=NO_SUCH_CODE"])
    assert "which is not a code of CATEGORY" in wrong.getvalue()

    done = _import(path, "DF_FIREARMS", map_value=["Sub-machine gun=SUBMACHINE_GUN"])
    assert "1 valid, 0 with errors" in done
    assert "read as SUBMACHINE_GUN (Submachine gun), as confirmed" in done
    assert Observation.objects.get().dims["CATEGORY"] == "SUBMACHINE_GUN"
    _publish(analyst)
    assert _export(tmp_path, "DF_FIREARMS", "cp1252") == path.read_bytes().decode("cp1252")

    # The office's next file reads it the same way, and says so
    again = tmp_path / "again.csv"
    first[9] = str(int(first[9]) + 1)
    with again.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first])
    assert "as confirmed" in _import(again, "DF_FIREARMS")


def test_the_value_step_in_the_web_reads_a_label_as_the_code_the_user_gives(
    analyst: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    header, first, *_ = csv.reader(
        io.StringIO((FAMILIES / FILES["DF_FIREARMS"]).read_text("cp1252"))
    )
    first[5:7] = ["by type of firearm", "Sub-machine gun"]
    data = io.StringIO()
    csv.writer(data, lineterminator="\n").writerows([header, first])
    upload, _created = intake.upload_store(
        stream=io.BytesIO(data.getvalue().encode("cp1252")),
        filename="firearms.csv",
        organisation=analyst.memberships.get().organisation,
        dataset="observations-unodc-portal",
        actor=analyst,
    )
    job = intake.job_create(
        upload=upload, label="DF_FIREARMS", options={"decimal_mark": "."}, actor=analyst
    )
    job = intake.job_validate(job=job)
    assert job.status == ImportJob.Status.BLOCKED
    client = Client()
    client.force_login(analyst)

    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Values to confirm" in page
    assert 'name="value:code:Sub-machine gun"' in page
    assert '<option value="SUBMACHINE_GUN">' in page  # the closest code, offered

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/imports/{job.pk}/values/", {"value:code:Sub-machine gun": "SUBMACHINE_GUN"}
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert job.issues.filter(code="confirmed_code", severity="warning").count() == 1


def test_digits_the_database_cannot_keep_come_back_in_every_export(
    analyst: Any, tmp_path: Path
) -> None:
    # numeric(30, 12) keeps 12 decimals (SQLite a double): a rate published
    # with more digits is written back with all of them, in every format.
    header, first, *_ = csv.reader(
        io.StringIO((FAMILIES / FILES["DF_CTS_HOMICIDE"]).read_text("cp1252"))
    )
    first[10:12] = ["Rate per 100,000 population", "1.23456789012345678"]
    path = tmp_path / "rate.csv"
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first])
    _import(path, "DF_CTS_HOMICIDE")
    _publish(analyst)
    assert Observation.objects.get().written["exact"] == "1.23456789012345678"

    out = tmp_path / "long.csv"
    call_command(
        "export",
        "observations",
        dataflow="DF_CTS_HOMICIDE",
        format="csv",
        out=out,
        stdout=io.StringIO(),
    )
    assert "1.23456789012345678" in out.read_text("utf-8")
    assert _export(tmp_path, "DF_CTS_HOMICIDE", "cp1252") == path.read_bytes().decode("cp1252")
