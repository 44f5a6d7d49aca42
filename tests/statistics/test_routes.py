"""Trafficking routes in the ARQ: sections with open rows. The respondent
chooses any country (CL_ARQ_PARTNER 2.0 holds every reference area) for a row
and ranks it as origin, transit or destination; in the browser grid (new rows
rendered by the server, a country twice refused) and through the service."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.core.errors import ValidationFailed
from observatory.statistics import definitions, selectors, services
from observatory.statistics.models import Codelist, Observation, Questionnaire
from observatory.statistics.questionnaires import Cells, Section, sections_of
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
    definitions.load_definitions()
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
    assert every.get(route("XXX", "ORIGIN")) is None
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
        text = (definitions.DEFINITIONS / name).read_text(encoding="utf-8")
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
    with pytest.raises(definitions.DefinitionError, match=match):
        definitions.load_definitions(folder=_definitions_with(tmp_path, old, new))
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
