"""Issue 11 §2: the drug data the office compiles (national seizures, prices,
prevalence, cultivation), in the annex's wide, multi-sheet workbooks, go in
with no code change and come back in their own layout with zero differences."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from observatory.accounts.models import Role
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


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


SEIZURES = {
    "Seizures": [
        ["Annex 6.1 Quantities of drugs seized, 2017-2021 (kilograms)"],
        ["Source: UNODC, responses to the annual report questionnaire"],
        [],
        ["Region", "Subregion", "Country/Territory", "Drug group", "Drug", "Msr unit",
         2017, 2018, 2019, 2020, 2021],
        ["Americas", "South America", "Colombia", "Cocaine-type", "Cocaine hydrochloride",
         "Kilograms", 435431.4, 414514.91, 433769.9, 505650.7, 669864.5],
        ["Americas", "South America", "Colombia", "Cannabis-type",
         "Cannabis herb (marijuana)", "Kilograms", None, "..", 461251.2, "1,205.5", None],
        ["Europe", "Western Europe", "Netherlands", "MDMA",
         "3,4-methylenedioxymethamphetamine (MDMA)", "Units", None, None, "1,757", None, None],
        ["Asia", "South-Eastern Asia", "Myanmar", "Opioids", "Poppy plants", "Units",
         None, None, None, 12000, None],
        ["Asia", "South-Eastern Asia", "Myanmar", "Precursors", "Methylamine", "Kilograms",
         None, None, None, None, 3.5e-06],
        ["Asia", "South-Eastern Asia", "Myanmar", "Hallucinogens", "DMT", "Kilograms",
         None, None, 0.25, None, None],
    ],
    "Notes": [["Notes: quantities are bulk weight."]],
}  # fmt: skip
PRICES = {
    "Prices": [
        ["Region", "Subregion", "Country/Territory", "Drug", "Level", "Typical", "Minimum",
         "Maximum", "Unit", "Year"],
        ["Europe", "Western Europe", "France", "Cocaine hydrochloride", "Retail", 73.5, 55,
         110, "g", 2021],
        ["Europe", "Western Europe", "France", "Cocaine hydrochloride", "Wholesale", 37000,
         32000, 41000, "kg", 2021],
        ["Europe", "Western Europe", "France", "Cannabis resin (hashish)", "Retail", 9.2, None,
         None, "10 g", 2021],
        ["Asia", "South-Eastern Asia", "Thailand", "Methamphetamine", "Retail", 3.1, 1.5, 6,
         "1 tablet", 2021],
    ]
}  # fmt: skip
PREVALENCE = {
    name: [
        ["Region", "Subregion", "Country/Territory", "Year", "Age", "Prevalence", "Best",
         "Low", "High"],
        *rows,
    ]
    for name, rows in {
        "Cannabis": [
            ["Americas", "North America", "Canada", 2019, "15-64", "Past year", 25.4, None, None],
            ["Europe", "Western Europe", "Germany", 2018, "18-64", "Past year", 7.1, 6.5, 7.8],
            ["Oceania", "Australia and New Zealand", "Australia", 2019, "14+", "Past year",
             11.6, None, None],
        ],
        "Cocaine": [
            ["Europe", "Southern Europe", "Spain", 2020, "15-64", "Past year", 2.5, 2.2, 2.8],
            ["Americas", "South America", "Uruguay", 2018, "15-65", "Past year", 0.9, None, None],
        ],
    }.items()
}  # fmt: skip
CULTIVATION = {
    "Coca bush": [
        ["Country", "Measure", "Unit", 2018, 2019, 2020, 2021],
        ["Colombia", "Cultivation", "ha", 169000, 154000, 143000, 204000],
        ["Peru", "Cultivation", "ha", 54134, 54655, 61777, 80681],
        ["Bolivia (Plurinational State of)", "Cultivation", "ha", 23100, 25500, 29400, 30500],
        ["Colombia", "Eradication", "ha", 60000, 94606, 130147, 103302],
    ]
}  # fmt: skip


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
    assert problem.suggestion == "15-64"
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
