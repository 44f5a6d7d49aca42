"""Issue 11 §2: the drug data the office compiles (national seizures, prices,
prevalence, cultivation), in the annex's wide, multi-sheet workbooks, go in
with no code change and come back in their own layout with zero differences."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from observatory.accounts.models import Role
from observatory.demo.annex import CULTIVATION, PREVALENCE, PRICES, SEIZURES, workbook
from observatory.intake.models import ImportJob
from observatory.statistics import selectors
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    org = factories.office()
    return {"office": org, "analyst": factories.member(Role.ANALYST, org, email="a@o.test")}


def annex(path: Path, flow: str, *args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        *args,
        format="annex",
        dataflow=flow,
        org="OFFICE",
        user="a@o.test",
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


def tables(path: Path) -> dict[str, list[list[Any]]]:
    """Each sheet's table as a spreadsheet shows it, from its header row down."""
    book = CalamineWorkbook.from_path(str(path))
    found = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        start = next(
            (i for i, r in enumerate(rows) if sum(c not in ("", None) for c in r) >= 3), None
        )
        if start is not None:
            found[name] = [
                [*row, *[""] * (max(map(len, rows)) - len(row))]
                for row in rows[start:]
                if any(c not in ("", None) for c in row)
            ]
    return found


def round_trip(tmp_path: Path, source: Path, flow: str) -> None:
    """Exported as the public sees it in the file's own layout: every cell equal."""
    out = tmp_path / f"back-{source.name}"
    call_command(
        "export", "observations", dataflow=flow, format="annex", out=out, stdout=io.StringIO()
    )
    assert tables(out) == tables(source)


def test_national_seizures_wide_by_year_go_in_and_come_back(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = workbook(tmp_path / "seizures.xlsx", SEIZURES)

    printed = annex(path, "DF_DRUG_SEIZURES")

    assert "6 rows, 6 valid, 0 with errors" in printed
    assert (
        "sheet “Seizures”: REF_AREA from “Country/Territory”; DRUG from “Drug”; "
        "UNIT_MEASURE from “Msr unit”; TIME_PERIOD from 5 year columns (2017–2021); "
        "not read (they restate the codes): Region, Subregion, Drug group"
    ) in printed
    assert "sheet “Notes” not read" in printed
    cells = {(o.area_id, o.dims["DRUG"], o.time_period): o for o in Observation.objects.all()}
    assert len(cells) == 12
    # "1,757" with "1,205.5" in the file: a thousands separator, 1757 exactly
    assert cells["NLD", "MDMA", "2019"].value == Decimal("1757")
    assert cells["COL", "CANNABIS_HERB", "2020"].value == Decimal("1205.5")
    assert cells["COL", "CANNABIS_HERB", "2018"].obs_status == "L"  # ".." not available
    assert cells["MMR", "METHYLAMINE", "2021"].value == Decimal("0.0000035")
    # The names that used to become other drugs are the drugs they name
    assert cells["MMR", "POPPY_PLANTS", "2020"].dims["UNIT_MEASURE"] == "UNITS"
    assert cells["MMR", "DMT", "2019"].value == Decimal("0.25")

    _publish(office["analyst"])
    round_trip(tmp_path, path, "DF_DRUG_SEIZURES")


def test_prices_with_typical_minimum_and_maximum_columns(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = workbook(tmp_path / "prices.xlsx", PRICES)

    printed = annex(path, "DF_DRUG_PRICES")

    assert "values in “Typical”, “Minimum”, “Maximum”; CURRENCY USD (the dataflow's default)" in (
        printed
    )
    retail = Observation.objects.get(
        area_id="FRA", dims__DRUG="COCAINE_HCL", dims__PRICE_LEVEL="RETAIL", dims__PRICE_STAT="MAX"
    )
    assert retail.value == Decimal("110")
    assert retail.dims["QUANTITY_BASIS"] == "G1"
    assert Observation.objects.filter(dims__QUANTITY_BASIS="TAB1").count() == 3
    _publish(office["analyst"])
    round_trip(tmp_path, path, "DF_DRUG_PRICES")


def test_prevalence_one_sheet_per_drug_and_a_new_age_group(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = workbook(tmp_path / "prevalence.xlsx", PREVALENCE)

    # An age group the list lacks is an error with the closest one, never 15-64
    with pytest.raises((CommandError, SystemExit)):
        annex(path, "DF_DRUG_PREVALENCE")
    problem = ImportJob.objects.get().issues.get(code="unknown_code")
    assert problem.value == "15-65"
    assert problem.suggestion == "Y15T64"  # the closest code (15-64), a suggestion only
    assert problem.column == "Cocaine: Best"
    assert not Observation.objects.exists()

    # The office adds it: a new version of the age list, the structure, the dataflow
    out = io.StringIO()
    call_command(
        "define", "dataflow", str(path), "--format", "annex", "--id", "DF_DRUG_PREVALENCE",
        stdout=out,
    )  # fmt: skip
    assert "AGE: CL_DRUG_PREVALENCE_AGE(1.0), 13 codes, 1 new: Y15T65 “15-65”" in out.getvalue()
    flow = selectors.dataflow_get("DF_DRUG_PREVALENCE")
    assert flow.version == "1.1"
    # The new structure keeps the components' headers and defaults
    sex = selectors.Structure(flow.structure).by_code["SEX"]
    assert sex.reading["default"] == "_T"

    printed = annex(path, "DF_DRUG_PREVALENCE")
    assert "DRUG_USE CANNABIS (the sheet's name); SEX _T (the dataflow's default)" in printed
    germany = Observation.objects.filter(area_id="DEU").order_by("dims__ESTIMATE")
    assert [(o.dims["ESTIMATE"], o.value) for o in germany] == [
        ("BEST", Decimal("7.1")),
        ("HIGH", Decimal("7.8")),
        ("LOW", Decimal("6.5")),
    ]
    assert Observation.objects.get(area_id="AUS").dims["AGE"] == "Y_GE14"
    _publish(office["analyst"])
    round_trip(tmp_path, path, "DF_DRUG_PREVALENCE")


def test_cultivation_one_column_per_year(office: dict[str, Any], tmp_path: Path) -> None:
    path = workbook(tmp_path / "cultivation.xlsx", CULTIVATION)

    printed = annex(path, "DF_DRUG_CULTIVATION")

    assert "CROP COCA_BUSH (the sheet's name)" in printed
    bolivia = Observation.objects.get(area_id="BOL", time_period="2021")
    assert (bolivia.value, bolivia.dims["MEASURE"], bolivia.dims["UNIT_MEASURE"]) == (
        Decimal("30500"),
        "CULTIVATION",
        "HA",
    )
    _publish(office["analyst"])
    round_trip(tmp_path, path, "DF_DRUG_CULTIVATION")


def test_a_dimension_nothing_states_stops_the_import_and_set_gives_it(
    office: dict[str, Any], tmp_path: Path
) -> None:
    sheet = [row[:2] + row[3:] for row in CULTIVATION["Coca bush"]]  # no Unit column
    path = workbook(tmp_path / "cultivation.xlsx", {"Coca bush": sheet})

    stops = "nothing says UNIT_MEASURE .*--set UNIT_MEASURE=CODE"
    with pytest.raises(CommandError, match=stops):
        annex(path, "DF_DRUG_CULTIVATION")
    assert not Observation.objects.exists()
    with pytest.raises(CommandError, match="“acres”, is not one of its codes"):
        annex(path, "DF_DRUG_CULTIVATION", "--set", "UNIT_MEASURE=acres")

    printed = annex(path, "DF_DRUG_CULTIVATION", "--set", "UNIT_MEASURE=Hectares")
    assert "UNIT_MEASURE HA (given for the import)" in printed
    assert Observation.objects.filter(dims__UNIT_MEASURE="HA").count() == 16


def test_an_import_of_another_layout_is_not_in_the_annex_export(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = workbook(tmp_path / "cultivation.xlsx", CULTIVATION)
    annex(path, "DF_DRUG_CULTIVATION")
    Observation.objects.filter(area_id="PER").update(written=None)  # as if from SDMX-CSV
    out = io.StringIO()
    call_command(
        "export",
        "observations",
        dataflow="DF_DRUG_CULTIVATION",
        format="annex",
        out=tmp_path / "back.xlsx",
        user="a@o.test",
        stdout=out,
    )
    assert "12 observations written" in out.getvalue()
    assert "4 more were imported in another format" in out.getvalue()


def test_the_office_uploads_an_annex_in_the_web(office: dict[str, Any], tmp_path: Path) -> None:
    path = workbook(tmp_path / "cultivation.xlsx", CULTIVATION)
    client = Client()
    client.force_login(office["analyst"])
    page = client.get("/imports/new/observations-annex/")
    assert "Values for the whole file" in page.content.decode()
    with path.open("rb") as handle:
        response = client.post(
            "/imports/new/observations-annex/",
            {
                "organisation": office["office"].pk,
                "label": "DF_DRUG_CULTIVATION",
                "file": handle,
                "fixed": "SOMETHING",
            },
        )
    assert "is not DIMENSION=CODE" in response.content.decode()
    with path.open("rb") as handle:
        response = client.post(
            "/imports/new/observations-annex/",
            {
                "organisation": office["office"].pk,
                "label": "DF_DRUG_CULTIVATION",
                "file": handle,
                "fixed": "CROP=Coca bush",
            },
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.options["fixed"] == {"CROP": "Coca bush"}


def test_the_annex_export_shows_values_through_disclosure_control(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = workbook(tmp_path / "cultivation.xlsx", CULTIVATION)
    annex(path, "DF_DRUG_CULTIVATION")
    _publish(office["analyst"])
    # A value the office marks confidential is not in what the public gets
    Observation.objects.filter(area_id="PER", time_period="2021").update(conf_status="C")
    public = tmp_path / "public.xlsx"
    call_command(
        "export", "observations", dataflow="DF_DRUG_CULTIVATION", format="annex", out=public,
        stdout=io.StringIO(),
    )  # fmt: skip
    rows = tables(public)["Coca bush"]
    peru = next(row for row in rows if row[0] == "Peru")
    assert peru[3:] == [54134, 54655, 61777, ""]
    assert 80681 not in [cell for row in rows for cell in row]
    # The office sees it as reported
    office_copy = tmp_path / "office.xlsx"
    call_command(
        "export", "observations", dataflow="DF_DRUG_CULTIVATION", format="annex",
        out=office_copy, user="a@o.test", stdout=io.StringIO(),
    )  # fmt: skip
    assert tables(office_copy) == tables(path)


def test_the_explorer_shows_the_drug_data_as_published(
    office: dict[str, Any], tmp_path: Path
) -> None:
    annex(workbook(tmp_path / "seizures.xlsx", SEIZURES), "DF_DRUG_SEIZURES")
    _publish(office["analyst"])
    annex(workbook(tmp_path / "prices.xlsx", PRICES), "DF_DRUG_PRICES")
    _publish(office["analyst"])
    client = Client()
    url = "/statistics/explorer/"

    # Kilograms: the values as the table had them, no rate per 100,000; the
    # region's total of the areas reporting
    query = {"dataflow": "DF_DRUG_SEIZURES", "dim_DRUG": "METHYLAMINE", "dim_UNIT_MEASURE": "KG"}
    page = client.get(url, query)
    assert page.status_code == 200
    assert page.context["rated"] is False
    assert "0.0000035" in page.text
    assert "Rate per 100,000 (computed)" not in page.text
    rows = list(csv.DictReader(io.StringIO(client.get(url, {**query, "format": "csv"}).text)))
    assert [(r["area"], r["period"], float(r["count"]), r["UNIT_MEASURE"]) for r in rows] == [
        ("MMR", "2021", 3.5e-06, "KG")
    ]
    assert rows[0]["rate"] == ""
    regional = client.get(url, {**query, "format": "csv", "table": "regional"}).text
    assert [float(r["count"]) for r in csv.DictReader(io.StringIO(regional))] == [3.5e-06]

    # Prices do not add up across areas: no regional aggregate
    query = {
        "dataflow": "DF_DRUG_PRICES",
        "dim_DRUG": "COCAINE_HCL",
        "dim_PRICE_LEVEL": "RETAIL",
        "dim_PRICE_STAT": "TYPICAL",
    }
    page = client.get(url, query)
    assert page.status_code == 200, page.content[:500]
    assert "do not add up across areas" in page.text
    assert "73.5" in page.text


BY_SEX = {
    "Cannabis": [
        ["Annex: prevalence of cannabis use, past year, by sex"],
        ["", "", "", "", "", "", "Males", "", "", "Females", "", ""],
        ["Region", "Subregion", "Country/Territory", "Year", "Age", "Prevalence",
         "Best", "Low", "High", "Best", "Low", "High"],
        ["Europe", "Western Europe", "Germany", 2018, "18-64", "Past year",
         9.1, 8.2, 10.0, 5.0, 4.4, 5.6],
        ["Europe", "Southern Europe", "Spain", 2020, "15-64", "Past year",
         14.2, None, None, 7.3, None, None],
    ]
}  # fmt: skip


def test_two_header_rows_males_and_females_over_best_low_and_high(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Read as one row of headers, the males' columns would be taken for both
    # sexes and the females' left out: the row above tells them apart.
    path = workbook(tmp_path / "by-sex.xlsx", BY_SEX)

    printed = annex(path, "DF_DRUG_PREVALENCE")

    assert "values in “Males › Best”, “Males › Low”, “Males › High”, “Females › Best”" in printed
    cells = {
        (o.area_id, o.dims["SEX"], o.dims["ESTIMATE"]): o.value for o in Observation.objects.all()
    }
    assert cells == {
        ("DEU", "M", "BEST"): Decimal("9.1"),
        ("DEU", "M", "LOW"): Decimal("8.2"),
        ("DEU", "M", "HIGH"): Decimal("10"),
        ("DEU", "F", "BEST"): Decimal("5"),
        ("DEU", "F", "LOW"): Decimal("4.4"),
        ("DEU", "F", "HIGH"): Decimal("5.6"),
        ("ESP", "M", "BEST"): Decimal("14.2"),
        ("ESP", "F", "BEST"): Decimal("7.3"),
    }
    _publish(office["analyst"])
    round_trip(tmp_path, path, "DF_DRUG_PREVALENCE")
    back = CalamineWorkbook.from_path(str(tmp_path / "back-by-sex.xlsx"))
    rows = back.get_sheet_by_name("Cannabis").to_python(skip_empty_area=False)
    assert [c for c in rows[0] if c] == ["Males", "Females"]
    assert rows[0].index("Males") == 6
    assert rows[0].index("Females") == 9
