"""Trafficking routes in the ARQ: sections with open rows. The respondent
chooses any country (CL_ARQ_PARTNER 2.0 holds every reference area) for a row
and ranks it as origin, transit or destination; in the browser grid (new rows
rendered by the server, a country twice refused) and through the service."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.core.errors import ValidationFailed
from observatory.intake import services as intake
from observatory.intake.models import ImportIssue, ImportJob
from observatory.intake.report import report_text
from observatory.reference.models import Area
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.formats.workbook.handler import TemplateHandler
from observatory.statistics.formats.workbook.layout import (
    KEY_COLUMNS,
    TEMPLATE_DATASET,
    TemplateRefused,
    _digest,
    _signer,
    parse_ref,
)
from observatory.statistics.formats.workbook.reader import open_template
from observatory.statistics.formats.workbook.template import build_template
from observatory.statistics.models import Codelist, Observation, Questionnaire
from observatory.statistics.questionnaires import checks
from observatory.statistics.questionnaires.sections import Cells, Section, sections_of
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import ReviewComment, Version
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/statistics/questionnaires/ARQ-SUPPLY/{org}/{year}/"
ORIGIN, TRANSIT, DESTINATION = 0, 1, 2


def route(partner: str, role: str, drug: str = "HEROIN") -> str:
    return f"ROUTE_RANK.{drug}._Z._Z._Z.{role}.{partner}.RANK"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    esp = factories.agency("ESP", Organisation.Kind.STATISTICS)
    return {
        "arq": selectors.questionnaire_get("ARQ-SUPPLY"),
        "esp": esp,
        "focal": factories.member(Role.FOCAL_POINT, esp, email="fp@esp.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }


def section_html(page: str, section: str, following: str) -> str:
    return page[page.index(f'id="section-{section}"') : page.index(f'id="section-{following}"')]


def sections(questionnaire: Questionnaire) -> dict[str, Section]:
    return {s.id: s for s in sections_of(questionnaire.definition, questionnaire.dataflow)}


def save(world: dict[str, Any], entries: dict[str, Entry], year: int = 2025) -> Version:
    return services.questionnaire_save(
        questionnaire=world["arq"],
        organisation=world["esp"],
        year=year,
        entries=entries,
        actor=world["focal"],
    )


def stored(year: int = 2025) -> dict[str, Decimal | None]:
    return {o.key: o.value for o in Observation.objects.filter(time_period=str(year))}


def client(user: Any) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


# --------------------------------------------------------------------------
# The definition


def test_route_sections_offer_every_country_and_no_special_code(world: dict[str, Any]) -> None:
    heroin = sections(world["arq"])["routes-heroin"]
    assert heroin.open is not None
    assert heroin.open.dimension == "REF_PARTNER"
    assert (heroin.open.blank, heroin.open.blank_in_template) == (5, 9)
    assert heroin.cells == {}
    assert [c.label for c in heroin.columns] == [
        "Country of origin",
        "Transit country",
        "Country of destination",
    ]
    areas = set(codes_of("CL_AREA"))
    assert set(heroin.open.choices) == areas  # every area, nothing else
    assert "NZL" in heroin.open.choices
    assert "_Z" not in heroin.open.choices
    assert "_O" not in heroin.open.choices
    assert heroin.open.label("NZL") == "New Zealand"
    assert heroin.open.label("NZL", "zh") == "新西兰"
    assert heroin.open_cell("NZL", TRANSIT).key == route("NZL", "TRANSIT")
    # Which cells belong to the questionnaire: any country, any role; _O (kept
    # for answers given with the fixed grids) too, never "no partner".
    every = Cells(list(sections(world["arq"]).values()))
    assert every.get(route("NZL", "ORIGIN")) is not None
    assert every.get(route("_O", "TRANSIT")) is not None
    assert every.get(route("_Z", "ORIGIN")) is None
    assert every.get(route("QQQ", "ORIGIN")) is None
    assert every.get(route("NZL", "_Z")) is None
    assert every.get("SEIZED_QTY.HEROIN._Z._Z._Z._Z._Z.KG") is not None


def codes_of(code: str) -> list[str]:
    found = Codelist.objects.filter(code=code).order_by("-version").first()
    assert found is not None
    return list(found.codes.values_list("code", flat=True))


def _definitions_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "defs"
    folder.mkdir()
    for name in ("common.yaml", "arq.yaml"):
        text = (loader.DEFINITIONS / name).read_text(encoding="utf-8")
        if name == "arq.yaml":
            assert old in text
            text = text.replace('version: "2026.1"', 'version: "2026.9"', 1).replace(old, new, 1)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "open_rows: &partners {dimension: REF_PARTNER,",
            "open_rows: &partners {dimension: PARTNER,",
            r"section 'routes-heroin' open_rows: unknown dimension 'PARTNER'",
        ),
        (
            "key: {INDICATOR: ROUTE_RANK, DRUG: HEROIN, UNIT_MEASURE: RANK}",
            "key: {INDICATOR: ROUTE_RANK, DRUG: HEROIN, UNIT_MEASURE: RANK, REF_PARTNER: AFG}",
            r"section 'routes-heroin': the key sets REF_PARTNER, which the rows choose",
        ),
        (
            "blank: 5, blank_in_template: 9}",
            "blank: many, blank_in_template: 9}",
            r"blank is a number of rows",
        ),
        (
            "key: {INDICATOR: ROUTE_RANK, DRUG: COCAINE_HCL, UNIT_MEASURE: RANK}",
            "key: {INDICATOR: ROUTE_RANK, DRUG: HEROIN, UNIT_MEASURE: RANK}",
            r"sections 'routes-heroin' and 'routes-cocaine' ask for the same cells",
        ),
    ],
)
def test_a_bad_open_rows_definition_is_refused(
    world: dict[str, Any], tmp_path: Path, old: str, new: str, match: str
) -> None:
    with pytest.raises(loader.DefinitionError, match=match):
        loader.load_definitions(folder=_definitions_with(tmp_path, old, new))
    assert not Questionnaire.objects.filter(version="2026.9").exists()


# --------------------------------------------------------------------------
# Saving through the service


def test_any_country_is_saved_and_old_answers_stay_valid(world: dict[str, Any]) -> None:
    version = save(
        world,
        {
            route("NZL", "ORIGIN"): Entry(value=Decimal("1")),
            route("FJI", "TRANSIT"): Entry(value=Decimal("1")),
            # "another country" of the fixed grids: still a code of the list
            route("_O", "TRANSIT"): Entry(value=Decimal("2"), comment="Tonga"),
        },
    )
    assert stored() == {
        route("NZL", "ORIGIN"): Decimal("1"),
        route("FJI", "TRANSIT"): Decimal("1"),
        route("_O", "TRANSIT"): Decimal("2"),
    }
    new_zealand = Observation.objects.get(key=route("NZL", "ORIGIN"))
    assert new_zealand.dims["REF_PARTNER"] == "NZL"
    assert new_zealand.dims["ROUTE_ROLE"] == "ORIGIN"
    assert new_zealand.version == version
    with pytest.raises(ValidationFailed, match="not cells of ARQ-SUPPLY"):
        save(world, {route("_Z", "ORIGIN"): Entry(value=Decimal("1"))})
    with pytest.raises(ValidationFailed, match="not cells of ARQ-SUPPLY"):
        save(world, {route("ATLANTIS", "ORIGIN"): Entry(value=Decimal("1"))})


def test_the_api_takes_any_country_as_a_key_of_the_grid(world: dict[str, Any]) -> None:
    browser = client(world["focal"])
    url = f"/api/v1/statistics/questionnaires/ARQ-SUPPLY/{world['esp'].code}/2025"
    body = {"cells": [{"key": route("NZL", "ORIGIN"), "value": 1}]}
    response = browser.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert stored() == {route("NZL", "ORIGIN"): Decimal("1")}
    body = {"cells": [{"key": route("_Z", "ORIGIN"), "value": 1}]}
    refused = browser.put(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert "not cells of ARQ-SUPPLY" in refused.json()["detail"]


# --------------------------------------------------------------------------
# The ranking rule


def test_two_countries_ranked_first_for_one_drug_and_role_are_reported(
    world: dict[str, Any],
) -> None:
    # Given Afghanistan and Pakistan both ranked 1 as heroin's country of origin,
    # heroin's transit ranked 1 and 3, and the same ranks for cocaine's origin
    version = save(
        world,
        {
            route("AFG", "ORIGIN"): Entry(value=Decimal("1")),
            route("PAK", "ORIGIN"): Entry(value=Decimal("1")),
            route("MMR", "ORIGIN"): Entry(value=Decimal("2")),
            route("IRN", "TRANSIT"): Entry(value=Decimal("1")),
            route("TUR", "TRANSIT"): Entry(value=Decimal("3")),
            route("COL", "ORIGIN", "COCAINE_HCL"): Entry(value=Decimal("1")),
            route("PER", "ORIGIN", "COCAINE_HCL"): Entry(value=Decimal("2")),
        },
    )
    # When the questionnaire's rules run on the draft
    found = checks.check_version(version, world["arq"], actor=world["focal"])
    ranking = found.filter(found["rule"] == "ARQ-ROUTE-RANKING")
    # Then an error names both countries and the rank, in the drug and role's scope,
    # with the two cells; the transit ranks that skip 2 are a warning
    assert ranking.select("importance", "scope", "message").rows() == [
        (
            "error",
            "Heroin, Country of origin",
            "Afghanistan and Pakistan both have rank 1; a rank can be given only once",
        ),
        ("warning", "Heroin, Transit country", "Ranks 1 and 3 are given, but not rank 2"),
    ]
    assert ranking["cells"][0].to_list() == [
        "INDICATOR=ROUTE_RANK, DRUG=HEROIN, ROUTE_ROLE=ORIGIN, REF_PARTNER=AFG, UNIT_MEASURE=RANK",
        "INDICATOR=ROUTE_RANK, DRUG=HEROIN, ROUTE_ROLE=ORIGIN, REF_PARTNER=PAK, UNIT_MEASURE=RANK",
    ]
    assert set(found["rule"]) == {"ARQ-ROUTE-RANKING"}
    # A rank that is not a whole number is an error naming its country; 4 is above
    # the form's three ranks (the bounds rule), not a ranking error.
    version = save(
        world,
        {
            route("AFG", "ORIGIN"): Entry(value=Decimal("1")),
            route("PAK", "ORIGIN"): Entry(value=Decimal("1.5")),
            route("IRN", "TRANSIT"): Entry(value=Decimal("1")),
            route("TUR", "TRANSIT"): Entry(value=Decimal("2")),
            route("GRC", "TRANSIT"): Entry(value=Decimal("3")),
            route("ITA", "TRANSIT"): Entry(value=Decimal("4")),
        },
    )
    found = checks.check_version(version, world["arq"], actor=world["focal"])
    assert found.select("rule", "importance", "message").rows() == [
        ("ARQ-ROUTE-RANK", "error", "The value 4 is above the maximum 3"),
        (
            "ARQ-ROUTE-RANKING",
            "error",
            "The rank of Pakistan is 1.5, which is not a whole number of at least 1",
        ),
    ]


# --------------------------------------------------------------------------
# The browser grid


def test_the_grid_adds_any_country_in_a_new_row(world: dict[str, Any]) -> None:
    browser = client(world["focal"])
    url = URL.format(org=world["esp"].code, year=2025)
    page = browser.get(url).content.decode()
    assert 'id="section-routes-heroin"' in page
    # Five new rows per route section, each with every country to choose from.
    assert page.count('name="n.routes-heroin.') == 5
    assert '<option value="NZL">New Zealand</option>' in page
    assert '<option value="_O">' not in page
    assert 'data-add-row="section-routes-heroin"' in page
    response = browser.post(
        url,
        {
            "action": "save",
            "n.routes-heroin.0": "NZL",
            "nv.routes-heroin.0.0": "1",
            "n.routes-heroin.2": "MMR",  # rows need not be filled in order
            "nv.routes-heroin.2.0": "2",
            "nv.routes-heroin.2.1": "3",
            "nc.routes-heroin.2.1": "by sea",
            "n.routes-heroin.3": "FJI",  # chosen, nothing typed: no cell
            "n.routes-cocaine.0": "BOL",
            "ns.routes-cocaine.0.2": "L",
        },
    )
    assert response.status_code == 302
    assert stored() == {
        route("NZL", "ORIGIN"): Decimal("1"),
        route("MMR", "ORIGIN"): Decimal("2"),
        route("MMR", "TRANSIT"): Decimal("3"),
        route("BOL", "DESTINATION", "COCAINE_HCL"): None,
    }
    assert Observation.objects.get(key=route("MMR", "TRANSIT")).comment == "by sea"
    assert Observation.objects.get(key=route("BOL", "DESTINATION", "COCAINE_HCL")).obs_status == (
        "L"
    )
    # The countries are now rows of their own (by name), with new rows after them.
    page = browser.get(url).content.decode()
    heroin = section_html(page, "routes-heroin", "routes-cocaine")
    assert heroin.index("Myanmar") < heroin.index("New Zealand") < heroin.index('name="n.routes')
    assert "Fiji" not in heroin.split('name="n.routes')[0]
    assert '<input type="hidden" name="o.routes-heroin" value="NZL">' in heroin
    assert f'name="v.{route("NZL", "ORIGIN")}"' in heroin
    assert heroin.count('name="n.routes-heroin.') == 5

    # Emptying a row removes its country; a value changes in place.
    response = browser.post(
        url,
        {
            "action": "save",
            "o.routes-heroin": ["MMR", "NZL"],
            f"v.{route('MMR', 'ORIGIN')}": "1",
            f"v.{route('MMR', 'TRANSIT')}": "3",
            f"c.{route('MMR', 'TRANSIT')}": "by sea",
            "o.routes-cocaine": ["BOL"],
            f"s.{route('BOL', 'DESTINATION', 'COCAINE_HCL')}": "L",
        },
    )
    assert response.status_code == 302
    assert stored() == {
        route("MMR", "ORIGIN"): Decimal("1"),
        route("MMR", "TRANSIT"): Decimal("3"),
        route("BOL", "DESTINATION", "COCAINE_HCL"): None,
    }
    assert Version.objects.filter(submission__label="ARQ-SUPPLY 2025").count() == 1


def test_a_country_chosen_twice_is_refused_and_nothing_is_saved(world: dict[str, Any]) -> None:
    save(world, {route("AFG", "ORIGIN"): Entry(value=Decimal("1"))})
    before = stored()
    browser = client(world["focal"])
    url = URL.format(org=world["esp"].code, year=2025)
    for posted in (
        # twice among the new rows
        {
            "o.routes-heroin": ["AFG"],
            f"v.{route('AFG', 'ORIGIN')}": "1",
            "n.routes-heroin.0": "NZL",
            "nv.routes-heroin.0.1": "1",
            "n.routes-heroin.1": "NZL",
            "nv.routes-heroin.1.2": "1",
        },
        # a new row naming a country the section already has
        {
            "o.routes-heroin": ["AFG"],
            f"v.{route('AFG', 'ORIGIN')}": "2",
            "n.routes-heroin.0": "AFG",
            "nv.routes-heroin.0.1": "1",
        },
    ):
        page = browser.post(url, {"action": "save", **posted})
        assert page.status_code == 200
        text = page.content.decode()
        country = "New Zealand" if posted.get("n.routes-heroin.1") else "Afghanistan"
        assert (
            f"{country} is chosen twice in “Trafficking routes: heroin”: choose each "
            "country once." in text
        )
        assert "Nothing was saved" in text
        assert stored() == before
        # What was typed stays on the page, to be corrected.
        assert 'class="new-row row-error"' in text
        assert f'<option value="{posted["n.routes-heroin.0"]}" selected>' in text
    assert Version.objects.count() == 1


def test_a_new_row_with_numbers_needs_its_country(world: dict[str, Any]) -> None:
    browser = client(world["focal"])
    url = URL.format(org=world["esp"].code, year=2025)
    page = browser.post(
        url,
        {
            "action": "save",
            "nv.routes-heroin.1.0": "1",
            "n.routes-cocaine.0": "COL",
            "nv.routes-cocaine.0.0": "one",
        },
    ).content.decode()
    assert "Choose the country of this row." in page
    assert "not a number" in page
    assert 'value="one"' in page
    assert not Observation.objects.exists()
    assert not Version.objects.exists()


def test_last_years_partners_are_rows_with_their_values_beside(world: dict[str, Any]) -> None:
    last = save(
        world,
        {
            route("NZL", "DESTINATION"): Entry(value=Decimal("2")),
            route("_O", "TRANSIT"): Entry(value=Decimal("1"), comment="Tonga"),
        },
        year=2024,
    )
    workflow.version_submit(version=last, actor=world["focal"])
    workflow.version_accept(version=last, actor=world["analyst"])
    workflow.version_publish(version=last, actor=world["analyst"])
    page = client(world["focal"]).get(URL.format(org=world["esp"].code, year=2025))
    text = page.content.decode()
    heroin = section_html(text, "routes-heroin", "routes-cocaine")
    assert '<input type="hidden" name="o.routes-heroin" value="NZL">' in heroin
    assert "last year: 2" in heroin
    # The "another country" of the fixed grids shows as the row it was.
    assert "Another country (named in the footnote)" in heroin
    assert "last year: 1" in heroin


def test_the_office_comments_on_a_route_cell(world: dict[str, Any]) -> None:
    version = save(world, {route("NZL", "ORIGIN"): Entry(value=Decimal("1"))})
    workflow.version_submit(version=version, actor=world["focal"])
    url = URL.format(org=world["esp"].code, year=2025)
    office = client(world["analyst"])
    page = office.get(url).content.decode()
    assert f'name="r.{route("NZL", "ORIGIN")}"' in page
    assert 'name="n.routes-heroin.0"' not in page  # no new rows when reviewing
    office.post(
        url,
        {"action": "return", f"r.{route('NZL', 'ORIGIN')}": "New Zealand as origin?"},
    )
    comment = ReviewComment.objects.get(version=version, field=route("NZL", "ORIGIN"))
    assert comment.text == "New Zealand as origin?"
    assert "New Zealand as origin?" in client(world["focal"]).get(url).content.decode()


# --------------------------------------------------------------------------
# The Excel template


@pytest.fixture
def _template_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from observatory.intake import registry

    monkeypatch.setitem(registry._registry.handlers, TEMPLATE_DATASET, TemplateHandler())


def template(world: dict[str, Any], year: int = 2025) -> openpyxl.Workbook:
    data = build_template(world["arq"], organisation=world["esp"], year=year, actor=world["focal"])
    return openpyxl.load_workbook(io.BytesIO(data))


def cell_map(book: openpyxl.Workbook) -> list[dict[str, str]]:
    rows = list(book["_cells"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def at(book: openpyxl.Workbook, reference: str) -> Any:
    sheet, row, col = parse_ref(reference)
    return book[sheet].cell(row=row + 1, column=col + 1)


def new_rows(book: openpyxl.Workbook, section: str) -> list[list[dict[str, str]]]:
    """The new rows of a section: per row, its cell-map lines (one per role)."""
    rows: dict[str, list[dict[str, str]]] = {}
    for line in cell_map(book):
        if line["section"] == section and line["row code cell"]:
            rows.setdefault(line["row code cell"], []).append(line)
    return list(rows.values())


def choose(book: openpyxl.Workbook, row: list[dict[str, str]], country: str, *ranks: Any) -> None:
    """As a respondent: the country from the drop-down list, then the ranks."""
    at(book, row[0]["row code cell"]).value = country
    for line, rank in zip(row, ranks, strict=False):
        at(book, line["value cell"]).value = rank


def upload(world: dict[str, Any], book: openpyxl.Workbook, path: Path) -> ImportJob:
    book.save(path)
    with path.open("rb") as stream:
        stored, _created = intake.upload_store(
            stream=stream,
            filename=path.name,
            organisation=world["esp"],
            dataset=TEMPLATE_DATASET,
            actor=world["focal"],
        )
    job = intake.job_create(upload=stored, actor=world["focal"])
    return intake.job_validate(job=job)


def published_last_year(world: dict[str, Any], entries: dict[str, Entry]) -> None:
    last = save(world, entries, year=2024)
    workflow.version_submit(version=last, actor=world["focal"])
    workflow.version_accept(version=last, actor=world["analyst"])
    workflow.version_publish(version=last, actor=world["analyst"])


def test_the_template_has_a_row_per_country_and_new_rows_with_a_list(
    world: dict[str, Any],
) -> None:
    published_last_year(world, {route("NZL", "DESTINATION"): Entry(value=Decimal("2"))})
    save(world, {route("AFG", "ORIGIN"): Entry(value=Decimal("1"))})
    book = template(world)
    assert book.sheetnames[-3:] == ["_lists", "Notes", "_template"]
    assert book["_lists"].sheet_state == "veryHidden"
    assert book["_lists"].protection.sheet
    choices = [row[0] for row in book["_lists"].iter_rows(values_only=True)]
    assert len(choices) == Area.objects.count()
    assert "New Zealand (NZL)" in choices
    assert choices == sorted(choices, key=str.casefold)

    sheet = book["Routes heroin"]
    assert (sheet["B6"].value, sheet["B7"].value) == ("Afghanistan", "New Zealand")
    assert sheet["B6"].protection.locked is True
    lines = {line["key"]: line for line in cell_map(book) if line["section"] == "routes-heroin"}
    assert at(book, lines[route("AFG", "ORIGIN")]["value cell"]).value == 1
    new_zealand = lines[route("NZL", "DESTINATION")]
    assert at(book, new_zealand["value cell"]).value is None
    assert sheet.cell(row=7, column=parse_ref(new_zealand["value cell"])[2] + 3).value == 2
    # Nine new rows, their country chosen in column B from the hidden list.
    rows = new_rows(book, "routes-heroin")
    assert len(rows) == 9
    first = rows[0]
    assert [line["key"] for line in first] == [
        route("*", "ORIGIN"),
        route("*", "TRANSIT"),
        route("*", "DESTINATION"),
    ]
    assert first[0]["row code cell"] == "'Routes heroin'!B8"
    assert sheet["B8"].value is None
    assert sheet["B8"].protection.locked is False
    assert sheet["A8"].value == "routes-heroin|REF_PARTNER=*#1"
    listed = {
        str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"
    }
    assert listed["B8:B16"] == f"_lists!$A$1:$A${len(choices)}"
    assert {"C6:C16", "F6:F16", "I6:I16"} <= {
        str(v.sqref) for v in sheet.data_validations.dataValidation if v.type == "decimal"
    }
    assert "routes-cocaine" not in {line["section"] for line in rows[0]}
    cover = "\n".join(str(v) for row in book["Cover"].iter_rows(values_only=True) for v in row if v)
    assert "2 countries given, 9 new rows" in cover
    assert "no country yet, 9 new rows" in cover


@pytest.mark.usefixtures("_template_handler")
def test_a_country_chosen_in_the_template_goes_into_the_draft(
    world: dict[str, Any], tmp_path: Path
) -> None:
    draft = save(world, {route("AFG", "ORIGIN"): Entry(value=Decimal("1"))})
    book = template(world)
    heroin = new_rows(book, "routes-heroin")
    choose(book, heroin[0], "Fiji (FJI)", None, 1)  # as the drop-down list writes it
    choose(book, heroin[3], "New Zealand", None, None, 2)  # a name typed, the list ignored
    choose(book, heroin[4], "Tonga (TON)")  # chosen, nothing typed: nothing changes
    choose(book, new_rows(book, "routes-cocaine")[0], "bol", 1)  # a code
    lines = {line["key"]: line for line in cell_map(book)}
    at(book, lines[route("AFG", "ORIGIN")]["value cell"]).value = 2
    job = upload(world, book, tmp_path / "arq.xlsx")
    assert job.status == ImportJob.Status.VALIDATED, report_text(job)
    assert job.errors == 0
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version_id == draft.pk
    assert stored() == {
        route("AFG", "ORIGIN"): Decimal("2"),
        route("FJI", "TRANSIT"): Decimal("1"),
        route("NZL", "DESTINATION"): Decimal("2"),
        route("BOL", "ORIGIN", "COCAINE_HCL"): Decimal("1"),
    }
    # The next template has them as rows of their own.
    again = template(world)
    assert [again["Routes heroin"][f"B{r}"].value for r in (6, 7, 8)] == [
        "Afghanistan",
        "Fiji",
        "New Zealand",
    ]


@pytest.mark.usefixtures("_template_handler")
def test_a_country_twice_in_the_template_is_an_error_of_its_row(
    world: dict[str, Any], tmp_path: Path
) -> None:
    save(world, {route("AFG", "ORIGIN"): Entry(value=Decimal("1"))})
    before = stored()
    book = template(world)
    heroin = new_rows(book, "routes-heroin")
    choose(book, heroin[0], "Afghanistan (AFG)", None, 1)  # already row 6
    choose(book, heroin[1], "Fiji (FJI)", 1)
    choose(book, heroin[2], "Fiji (FJI)", None, None, 3)  # a second Fiji
    choose(book, heroin[3], "", 2)  # numbers without a country
    choose(book, heroin[4], "Atlantis", 3)
    job = upload(world, book, tmp_path / "arq.xlsx")
    assert job.status == ImportJob.Status.BLOCKED
    issues = {i.column: i.message for i in ImportIssue.objects.filter(job=job, severity="error")}
    assert issues == {
        "'Routes heroin'!B7": "Afghanistan is chosen twice in this sheet (rows 6 and 7): "
        "choose each country once",
        "'Routes heroin'!B9": "Fiji is chosen twice in this sheet (rows 8 and 9): choose each "
        "country once",
        "'Routes heroin'!B10": "numbers without a country: choose the row's country",
        "'Routes heroin'!B11": "not a country of the list",
    }
    assert "'Routes heroin'!B9: Fiji is chosen twice" in report_text(job)
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.BLOCKED
    assert stored() == before


def test_a_moved_new_row_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    book = template(world)
    sheet = book["Routes heroin"]
    sheet["A6"].value, sheet["A7"].value = sheet["A7"].value, sheet["A6"].value
    book.save(tmp_path / "moved.xlsx")
    with pytest.raises(
        TemplateRefused, match=r"'Routes heroin' row 6 should be an empty row for a new country"
    ):
        open_template(tmp_path / "moved.xlsx")


def test_a_template_of_the_first_format_is_still_read(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Made before open rows: its cell map has no “row code cell”."""
    data = build_template(
        selectors.questionnaire_get("UN-CTS"),
        organisation=world["esp"],
        year=2025,
        actor=world["focal"],
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    keys = book["_cells"]
    keys.delete_cols(len(KEY_COLUMNS))
    about = book["_template"]
    meta = [(row[0].value, row[1].value) for row in about.iter_rows()]
    meta = [(k, "observatory-questionnaire-template/1" if k == "format" else v) for k, v in meta]
    table = [[str(v or "") for v in row] for row in keys.iter_rows(values_only=True)]
    about["B1"].value = "observatory-questionnaire-template/1"
    signature = _signer().sign(_digest(meta, table))
    about.cell(row=[k for k, _v in meta].index("signature") + 1, column=2).value = signature
    book.save(tmp_path / "old.xlsx")
    opened = open_template(tmp_path / "old.xlsx")
    assert opened.meta["format"] == "observatory-questionnaire-template/1"
    assert len(opened.places) == 325
    assert {place.row_code for place in opened.places} == {""}
