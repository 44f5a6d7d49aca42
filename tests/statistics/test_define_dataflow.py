"""Issue 11 §1: the office defines a dataflow from a file of a family no release
knew, in the CLI, the web and the API; the file then goes in and comes back
exactly as it went in."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import Client

from observatory.accounts import access
from observatory.accounts.models import Role
from observatory.reference.models import Area
from observatory.statistics import selectors
from observatory.statistics.cube import loader
from observatory.statistics.formats.drafting import code_id, next_version, undated
from observatory.statistics.models import Codelist, Dataflow, DataStructure
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"

HEADER = next(
    csv.reader(io.StringIO((FILES / "data_cts_intentional_homicide.csv").read_text("cp1252")))
)
# A file in the layout of the portal's intentional homicide file (files/):
# labels no packaged dataflow holds, a rate with six decimals, a count with a
# thousands separator, scientific notation, an area code alias (XKX), a part of
# a country the reference data lack (BIH_RS), a label with two spaces as
# published.
HOMICIDE = list(
    csv.reader(
        io.StringIO((FILES / "data_cts_intentional_homicide.csv").read_text(encoding="cp1252"))
    )
)[1:]
FLOW = "DF_X_HOMICIDE"


@pytest.fixture
def office(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    org = factories.office()
    return {
        "office": org,
        "analyst": factories.member(Role.ANALYST, org, email="a@o.test"),
        "admin": factories.member(Role.ADMIN, org, email="admin@o.test"),
    }


def write_csv(path: Path, rows: list[list[str]], *, header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def define(path: Path, *args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command("define", "dataflow", str(path), *args, stdout=out, **options)
    return out.getvalue()


def _import(path: Path, flow: str = FLOW, **options: Any) -> str:
    out = io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        format="unodc-portal",
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


def _export(tmp_path: Path, flow: str = FLOW) -> str:
    out = tmp_path / "back.csv"
    call_command(
        "export",
        "observations",
        dataflow=flow,
        format="unodc-portal",
        encoding="cp1252",
        out=out,
        stdout=io.StringIO(),
    )
    return out.read_bytes().decode("cp1252")


def test_a_dry_run_says_what_is_new_and_saves_nothing(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    before = Codelist.objects.count()

    printed = define(path, "--id", FLOW, "--name", "Intentional homicide", "--dry-run")

    assert "new dataflow DF_X_HOMICIDE(1.0): “Intentional homicide”, from 9 rows" in printed
    assert "SEX: CL_SEX(1.0) as it is" in printed
    assert "AGE: CL_AGE(1.0) as it is" in printed
    assert "CATEGORY: CL_X_HOMICIDE_CATEGORY(1.0)" in printed
    assert "new area BIH_RS “Bosnia and Herzegovina (Republika Srpska)” (pseudo of BIH)" in printed
    # XKX is Kosovo's other code: not a new area
    assert "XKX" not in printed
    assert "RATE_100K “Rate per 100,000 population” as “Rate per  100,000 population”" in printed
    assert "dry run: nothing saved" in printed
    assert Codelist.objects.count() == before
    assert not Dataflow.objects.filter(code=FLOW).exists()
    assert not Area.objects.filter(code="BIH_RS").exists()


def test_defined_from_the_file_it_goes_in_and_comes_back_exactly(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Given a file of a family no dataflow holds, the import refuses it
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    with pytest.raises((CommandError, SystemExit)):
        _import(path)

    # When the office defines the dataflow from the file
    printed = define(path, "--id", FLOW, "--name", "Intentional homicide")
    assert "Definitions: 6 created" in printed

    # Then codes are reused where they exist: ICCS, other dataflows' categories
    flow = selectors.dataflow_get(FLOW)
    structure = selectors.Structure(flow.structure)
    categories = structure.codes("CATEGORY")
    assert categories["ICCS020111"].name == "Serious assault"
    assert categories["_T"].name == "Total"
    assert structure.codes("SEX")["M"].name == "Male"
    assert flow.is_final
    assert flow.structure.is_final
    area = Area.objects.get(code="BIH_RS")
    assert (area.kind, area.parent_id, area.name_en) == (
        "pseudo",
        "BIH",
        "Bosnia and Herzegovina (Republika Srpska)",
    )

    # And defining it again from the same file defines nothing
    assert "already holds every code" in define(path, "--id", FLOW)
    assert Dataflow.objects.filter(code=FLOW).count() == 1

    # When imported, published and exported in the portal layout, every code,
    # label and value comes back as the file had it
    printed = _import(path)
    assert "9 valid, 0 with errors" in printed
    _publish(office["analyst"])
    assert _export(tmp_path) == path.read_bytes().decode("cp1252")


def test_a_file_with_new_labels_makes_new_versions_and_keeps_what_is_published(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # Given a defined, published dataflow
    first = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    define(first, "--id", FLOW, "--name", "Intentional homicide")
    _import(first)
    _publish(office["analyst"])

    # When a later file has a category the dataflow lacks
    row = [
        "ESP",
        "Spain",
        "Europe",
        "Southern Europe",
        "Victims of intentional homicide",
        "by mechanisms",
        "Another weapon - sharp object",
        "Total",
        "Total",
        "2020",
        "Counts",
        "91",
        "CTS",
    ]
    later = write_csv(tmp_path / "later.csv", [row])
    with pytest.raises((CommandError, SystemExit)):
        _import(later)  # not a known category: refused
    printed = define(later, "--id", FLOW)

    # Then the category list, the structure and the dataflow get version 1.1,
    # with every earlier code; version 1.0 is unchanged
    assert "new version 1.1 of DF_X_HOMICIDE(1.0)" in printed
    assert "CATEGORY: CL_X_HOMICIDE_CATEGORY(1.1) after CL_X_HOMICIDE_CATEGORY(1.0)" in printed
    assert "INDICATOR: CL_X_HOMICIDE_INDICATOR(1.0) as it is" in printed
    old = Codelist.objects.get(code="CL_X_HOMICIDE_CATEGORY", version="1.0")
    new = Codelist.objects.get(code="CL_X_HOMICIDE_CATEGORY", version="1.1")
    assert set(old.codes.values_list("code", flat=True)) < set(
        new.codes.values_list("code", flat=True)
    )
    assert "MECH_SHARP_OBJECT" in new.codes.values_list("code", flat=True)
    flow = selectors.dataflow_get(FLOW)
    assert flow.version == "1.1"
    assert DataStructure.objects.get(code="DSD_X_HOMICIDE", version="1.1").is_final

    # When the later file is imported into the dataset (merge) and published
    assert "9 as they are" not in _import(later)  # nothing of the earlier file changes
    _publish(office["analyst"])

    # Then the public sees the nine earlier cells and the new one, under 1.1
    public = selectors.current_observations(actor=access.ANONYMOUS, dataflow=flow)
    assert public.count() == 10
    assert set(public.values_list("dataflow__version", flat=True)) == {"1.1"}
    exported = _export(tmp_path).splitlines()
    assert len(exported) == 11
    assert ",".join(row) in exported


def test_an_excel_file_with_title_lines_and_censored_counts(
    office: dict[str, Any], tmp_path: Path
) -> None:
    # The trafficking file's shape: title lines with the release date, txtVALUE, "<5"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UNODC Data Portal: Trafficking in persons"])
    sheet.append(["Release date: 16/06/2025"])
    sheet.append([])
    sheet.append([*HEADER[:11], "txtVALUE", "Source"])
    sheet.append(
        [
            "ARG",
            "Argentina",
            "Americas",
            "Latin America and the Caribbean",
            "Detected trafficking victims",
            "by form of exploitation",
            "Sexual exploitation",
            "Female",
            "Adult",
            2021,
            "Counts",
            "<5",
            "GLOTIP",
        ]
    )
    sheet.append(
        [
            "ARG",
            "Argentina",
            "Americas",
            "Latin America and the Caribbean",
            "Detected trafficking victims",
            "Total",
            "Total",
            "Total",
            "Total",
            2021,
            "Counts",
            "1,757",
            "GLOTIP",
        ]
    )
    path = tmp_path / "tip.xlsx"
    book.save(path)

    printed = define(path, "--id", "DF_X_TIP", "--name", "Trafficking in persons")

    assert "from 2 rows of tip.xlsx" in printed
    assert "counts under 5" in printed
    structure = DataStructure.objects.get(code="DSD_X_TIP")
    assert structure.suppress_below == 5
    assert "2 valid" in _import(path, flow="DF_X_TIP", decimal_mark=".")


def test_what_cannot_be_defined_is_refused_with_the_reason(
    office: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    with pytest.raises(CommandError, match="cannot be a dataflow id"):
        define(path, "--id", "DF HOMICIDE")
    other = tmp_path / "other.csv"
    other.write_text("country,year,count\nCOL,2020,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not the data-portal long layout: no column for"):
        define(other, "--id", FLOW)
    long_code = [["WORLD_TOTAL_ALL", "World", "", "", *HOMICIDE[0][4:]]]
    with pytest.raises(CommandError, match="cannot be an area code"):
        define(write_csv(tmp_path / "bad.csv", long_code), "--id", FLOW)
    assert not Dataflow.objects.filter(code=FLOW).exists()


def test_an_aggregate_area_is_added_for_the_offices_compilations(
    office: dict[str, Any], tmp_path: Path
) -> None:
    world = [["WLD", "World", "", "", *HOMICIDE[0][4:]]]
    path = write_csv(tmp_path / "world.csv", world)

    define(path, "--id", FLOW)

    assert Area.objects.get(code="WLD").kind == "aggregate"
    assert "1 valid" in _import(path)


def test_the_definition_file_written_out_loads_back(office: dict[str, Any], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    out = tmp_path / "homicide.yaml"
    define(path, "--id", FLOW, "--dry-run", "--out", str(out))
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert document["dataflows"][0]["structure"] == "DSD_X_HOMICIDE(1.0)"
    assert not Dataflow.objects.filter(code=FLOW).exists()

    call_command("load_definitions", file=[out], stdout=io.StringIO())
    assert selectors.dataflow_get(FLOW).version == "1.0"

    # A final artefact never changes: the same file with a code renamed is refused
    text = out.read_text(encoding="utf-8").replace("name: by mechanisms", "name: By mechanism")
    out.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="is final"):
        call_command("load_definitions", file=[out], stdout=io.StringIO())


def test_versions_compare_as_numbers() -> None:
    assert next_version("1.0") == "1.1"
    assert next_version("1.9") == "1.10"
    assert loader.version_key("1.10") > loader.version_key("1.9")
    taken: set[str] = set()
    assert code_id("Rate per 100,000 population", taken) == "RATE_PER_100_000_POPULATION"
    assert code_id("Rate per 100 000 population", taken) == "RATE_PER_100_000_POPULATION_2"
    assert code_id("15-29", taken) == "Y15T29"
    assert code_id("14+", taken) == "Y_GE14"
    assert code_id("2nd survey", taken) == "C2ND_SURVEY"


# --------------------------------------------------------------------------
# The web and the API


def test_the_office_defines_a_dataflow_in_the_web(office: dict[str, Any], tmp_path: Path) -> None:
    client = Client()
    client.force_login(office["analyst"])
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    assert client.get("/statistics/dataflows/define/").status_code == 200

    with path.open("rb") as handle:
        page = client.post(
            "/statistics/dataflows/define/",
            {"dataflow": FLOW, "name": "Intentional homicide", "file": handle, "step": "draft"},
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert "What saving defines" in html
    assert 'name="name:CATEGORY:MECH_FIREARMS"' in html
    assert not Dataflow.objects.filter(code=FLOW).exists()
    signed = html.split('name="draft" value="')[1].split('"')[0]

    # A tampered draft is refused
    refused = client.post(
        "/statistics/dataflows/define/", {"step": "save", "draft": signed[:-3] + "abc"}
    )
    assert refused.status_code == 302
    assert not Dataflow.objects.filter(code=FLOW).exists()

    # The definition file, with a renamed code, can be taken away
    download = client.post(
        "/statistics/dataflows/define/",
        {
            "step": "yaml",
            "draft": signed,
            "name:CATEGORY:MECH_FIREARMS": "Firearms",
        },
    )
    assert download["Content-Disposition"] == 'attachment; filename="DF_X_HOMICIDE.yaml"'
    assert "name: Firearms\n" in download.content.decode()

    saved = client.post(
        "/statistics/dataflows/define/",
        {
            "step": "save",
            "draft": signed,
            "name:CATEGORY:MECH_FIREARMS": "Firearms",
            # Only new codes are renamed: an existing code's name stays
            "name:SEX:M": "Men",
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/imports/new/observations-unodc-portal/?label=DF_X_HOMICIDE"
    structure = selectors.Structure(selectors.dataflow_get(FLOW).structure)
    assert structure.codes("CATEGORY")["MECH_FIREARMS"].name == "Firearms"
    assert structure.codes("SEX")["M"].name == "Male"
    # The upload page takes the label from the link
    upload = client.get(saved["Location"]).content.decode()
    assert 'value="DF_X_HOMICIDE"' in upload


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.CONTRIBUTOR])
def test_national_users_do_not_define_dataflows(
    office: dict[str, Any], tmp_path: Path, role: str
) -> None:
    user = factories.member(role, factories.agency("COL"), email="fp@col.test")
    client = Client()
    client.force_login(user)
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    assert client.get("/statistics/dataflows/define/").status_code == 403
    with path.open("rb") as handle:
        page = client.post("/statistics/dataflows/define/", {"dataflow": FLOW, "file": handle})
    assert page.status_code == 403
    with pytest.raises(CommandError, match="only the office"):
        define(path, "--id", FLOW, "--user", "fp@col.test")
    assert not Dataflow.objects.filter(code=FLOW).exists()


def test_the_api_drafts_and_saves_a_definition(office: dict[str, Any], tmp_path: Path) -> None:
    from observatory.accounts.services import token_create

    _token, raw = token_create(user=office["admin"], organisation=office["office"], name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    with path.open("rb") as handle:
        drafted = api.post("/api/v1/statistics/dataflows/draft", {"id": FLOW, "file": handle})
    assert drafted.status_code == 200, drafted.content
    body = drafted.json()
    assert body["changes"] is True
    assert {
        "dimension": "CATEGORY",
        "codelist": "CL_X_HOMICIDE_CATEGORY(1.0)",
        "id": "MECH_FIREARMS",
        "name": "Firearms or explosives - firearms",
    } in body["new_codes"]
    assert not Dataflow.objects.filter(code=FLOW).exists()

    saved = api.post(
        "/api/v1/statistics/definitions",
        {"document": body["document"], "source": "homicide.csv"},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    assert "UNODC:DF_X_HOMICIDE(1.0)" in saved.json()["created"]
    again = api.post(
        "/api/v1/statistics/definitions",
        {"document": body["document"]},
        content_type="application/json",
    )
    assert again.json()["created"] == []


def test_the_api_refuses_national_users(office: dict[str, Any], tmp_path: Path) -> None:
    from observatory.accounts.services import token_create

    col = factories.agency("COL")
    user = factories.member(Role.FOCAL_POINT, col, email="fp@col.test")
    _token, raw = token_create(user=user, organisation=col, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    with path.open("rb") as handle:
        drafted = api.post("/api/v1/statistics/dataflows/draft", {"id": FLOW, "file": handle})
    assert drafted.status_code == 403
    saved = api.post(
        "/api/v1/statistics/definitions",
        {"document": {"dataflows": []}},
        content_type="application/json",
    )
    assert saved.status_code == 403


def test_a_range_a_spreadsheet_made_a_date_and_a_narrower_iccs_category() -> None:
    assert undated("Oct-14") == "10-14"
    assert undated("oct-17") == "10-17"
    assert undated("Dec-5") is None  # not a range: 12-5
    assert undated("Total") is None


def test_broader_narrower_labels_take_the_iccs_code(office: dict[str, Any], tmp_path: Path) -> None:
    row = [*HOMICIDE[0]]
    row[4:7] = ["Offences", "by type of offence", "Corruption: Bribery"]
    other = [*HOMICIDE[0]]
    other[4:7] = ["Offences", "by type of offence", "Theft: Bribery"]  # not under theft
    printed = define(write_csv(tmp_path / "c.csv", [row, other]), "--id", "DF_X_C", "--dry-run")
    assert "ICCS07031 “Corruption: Bribery”" in printed
    assert "THEFT_BRIBERY “Theft: Bribery”" in printed


def test_the_define_page_reads_only_small_files(
    office: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    # Issue 12 §2: drafting reads a whole file; in a web request only a small one.
    settings.OBSERVATORY_API_SYNC_BYTES = 200
    path = write_csv(tmp_path / "homicide.csv", HOMICIDE)
    client = Client()
    client.force_login(office["analyst"])
    with path.open("rb") as handle:
        page = client.post(
            "/statistics/dataflows/define/",
            {"dataflow": FLOW, "name": "Homicide", "file": handle, "step": "draft"},
        )
    assert "reads files up to 200\xa0bytes" in page.content.decode()
    assert "observatory define dataflow FILE --id DF_X_HOMICIDE" in page.content.decode()
    assert not Dataflow.objects.filter(code=FLOW).exists()
