"""The ARQ (drug supply, drug demand) and trafficking-in-persons (GLOTIP)
definitions: they load, build their grids on their structures, their rules
parse, a realistic filled questionnaire passes every rule and deliberate
inconsistencies are reported in plain words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from observatory.accounts.models import Organisation, Role
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.models import (
    Codelist,
    Dataflow,
    DataStructure,
    Observation,
    Questionnaire,
)
from observatory.statistics.questionnaires import checks, rules
from observatory.statistics.questionnaires.sections import Section, sections_of
from observatory.statistics.services import Entry
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

FILES = ("arq.yaml", "tip.yaml")
CELLS = {
    "ARQ-SUPPLY": {
        "seizures": 37 * 4,
        "prices": 20 * 6,
        "purity": 13 * 3,
        # Open rows: no fixed cell, the respondent chooses the countries.
        "routes-heroin": 0,
        "routes-cocaine": 0,
        "routes-cannabis-resin": 0,
        "routes-methamphetamine": 0,
    },
    "ARQ-DEMAND": {"prevalence-sex": 30, "prevalence-age": 50, "treatment": 33, "deaths": 15},
    "TIP": {"victims": 16, "victims-exploitation": 50, "victims-citizenship": 52, "persons": 10},
}
TOTALS = {"ARQ-SUPPLY": 307, "ARQ-DEMAND": 128, "TIP": 128}
RULES = {"ARQ-SUPPLY": 18, "ARQ-DEMAND": 14, "TIP": 10}


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    esp = factories.agency("ESP", Organisation.Kind.STATISTICS)
    return {
        "esp": esp,
        "focal": factories.member(Role.FOCAL_POINT, esp, email="fp@esp.test"),
        **{code: selectors.questionnaire_get(code) for code in CELLS},
    }


def grid(questionnaire: Questionnaire) -> dict[str, Section]:
    """The questionnaire's sections by id, built once per questionnaire object."""
    built: dict[str, Section] | None = getattr(questionnaire, "_sections", None)
    if built is None:
        sections = sections_of(questionnaire.definition, questionnaire.dataflow)
        built = {s.id: s for s in sections}
        setattr(questionnaire, "_sections", built)  # noqa: B010
    return built


def lines(questionnaire: Questionnaire, section: Section) -> dict[str, int]:
    """Row name -> row index. A row is named by the codes of its line in the
    structure's dimension order, joined by dots ("COCAINE_HCL.RETAIL.G"): the
    order of the keys in the definition is not kept by PostgreSQL's jsonb."""
    dimensions = selectors.Structure(questionnaire.dataflow.structure).dimensions
    return {
        ".".join(line.part[d] for d in dimensions if d in line.part): r
        for r, line in enumerate(section.rows)
    }


def fill(
    questionnaire: Questionnaire, values: dict[str, dict[str, list[float | None]]]
) -> dict[str, Entry]:
    """Entries from {section: {row name: [value per column]}}; None skips a cell.
    The row of an open-rows section is named by the code chosen for it."""
    entries: dict[str, Entry] = {}
    for section_id, rows in values.items():
        section = grid(questionnaire)[section_id]
        for row, numbers in rows.items():
            assert len(numbers) == len(section.columns), (section_id, row)
            for c, number in enumerate(numbers):
                if number is not None:
                    entries[key(questionnaire, section_id, row, c)] = Entry(
                        value=Decimal(str(number))
                    )
    return entries


def key(questionnaire: Questionnaire, section_id: str, row: str, column: int) -> str:
    section = grid(questionnaire)[section_id]
    if section.open is not None:
        assert section.accepts(row), row
        return section.open_cell(row, column).key
    return section.cells[(lines(questionnaire, section)[row], column)].key


def save(world: dict[str, Any], code: str, entries: dict[str, Entry], year: int = 2025) -> Version:
    return services.questionnaire_save(
        questionnaire=world[code],
        organisation=world["esp"],
        year=year,
        entries=entries,
        actor=world["focal"],
    )


def found(world: dict[str, Any], code: str, version: Version) -> pl.DataFrame:
    return checks.check_version(version, world[code], actor=world["focal"])


def messages(result: pl.DataFrame, rule: str) -> list[str]:
    return result.filter(pl.col("rule") == rule)["message"].to_list()


# --------------------------------------------------------------------------
# Spain, 2025: a consistent answer to each questionnaire (orders of magnitude
# of the published national figures; the numbers themselves are made up).

SUPPLY: dict[str, dict[str, list[float | None]]] = {
    "seizures": {  # kg, litres, units, cases
        "CANNABIS_HERB": [38_000, None, None, 14_500],
        "CANNABIS_RESIN": [395_000, None, None, 21_000],
        "CANNABIS_PLANTS": [None, None, 1_250_000, 1_900],
        "COCAINE_HCL": [61_000, None, None, 9_800],
        "HEROIN": [410, None, None, 1_150],
        "METHAMPHETAMINE": [95, None, None, 130],
        "MDMA": [12, None, 210_000, 1_400],
        "GHB": [None, 85, None, 320],
        "LSD": [None, None, 4_600, 95],
    },
    "prices": {  # typical, min, max in USD; typical, min, max in EUR
        "CANNABIS_HERB.RETAIL.G": [6.5, 4.5, 11, 6, 4, 10],
        "CANNABIS_HERB.WHOLESALE.KG": [2_100, 1_600, 2_900, 1_950, 1_500, 2_700],
        "CANNABIS_RESIN.RETAIL.G": [6.5, 5, 10, 6, 4.6, 9.2],
        "CANNABIS_RESIN.WHOLESALE.KG": [1_900, 1_400, 2_600, 1_750, 1_300, 2_400],
        "COCAINE_HCL.RETAIL.G": [64, 54, 86, 59, 50, 79],
        "COCAINE_HCL.WHOLESALE.KG": [34_000, 30_000, 37_500, 31_300, 27_600, 34_500],
        "HEROIN.RETAIL.G": [45, 38, 65, 41, 35, 60],
        "HEROIN.WHOLESALE.KG": [24_000, 21_000, 29_000, 22_000, 19_300, 26_700],
        "MDMA.RETAIL.TABLET": [11, 6.5, 16, 10, 6, 15],
        "MDMA.WHOLESALE.TABLETS_1000": [2_700, 2_200, 3_800, 2_500, 2_000, 3_500],
        "LSD.RETAIL.DOSE": [13, 9, 22, 12, 8, 20],
    },
    "purity": {  # typical, min, max
        "CANNABIS_RESIN.RETAIL": [24, 8, 38],
        "CANNABIS_RESIN.WHOLESALE": [26, 12, 40],
        "COCAINE_HCL.RETAIL": [54, 18, 88],
        "COCAINE_HCL.WHOLESALE": [78, 55, 94],
        "HEROIN.RETAIL": [22, 6, 52],
        "HEROIN.WHOLESALE": [44, 24, 70],
        "MDMA.RETAIL.MG": [145, 60, 260],
    },
    "routes-cocaine": {  # origin, transit, destination
        "COL": [1, None, None],
        "PER": [2, None, None],
        "BOL": [3, None, None],
        "ECU": [None, 1, None],
        "BRA": [None, 2, None],
        "DOM": [None, 3, None],
        "ESP": [None, None, 1],
        "NLD": [None, None, 2],
        "PRT": [None, None, 3],
    },
    "routes-cannabis-resin": {
        "MAR": [1, None, None],
        "GIB": [None, 1, None],  # any country can be chosen (Gibraltar)
        "ESP": [None, None, 1],
        "FRA": [None, None, 2],
        "ITA": [None, None, 3],
    },
}

DEMAND: dict[str, dict[str, list[float | None]]] = {
    "prevalence-sex": {  # both sexes, men, women (15-64)
        "_T": [11.5, 15.4, 7.5],
        "G_CANNABIS": [10.6, 14.4, 6.7],
        "G_COCAINE": [2.4, 3.7, 1.1],
        "G_OPIOIDS": [0.3, 0.4, 0.2],
        "HEROIN": [0.1, 0.1, 0.0],
        "G_ATS": [0.7, 1.0, 0.4],
        "G_ECSTASY": [0.6, 0.9, 0.3],
        "G_SEDATIVES": [1.3, 1.1, 1.5],
        "G_HALLUCINOGENS": [0.5, 0.7, 0.2],
        "G_NPS": [0.1, 0.2, 0.1],
    },
    "prevalence-age": {  # 15-24, 25-34, 35-44, 45-54, 55-64
        "_T": [22.0, 17.1, 11.2, 6.9, 3.1],
        "G_CANNABIS": [20.5, 15.6, 9.5, 6.0, 2.5],
        "G_COCAINE": [3.0, 4.1, 2.9, 1.4, 0.4],
    },
    "treatment": {  # total, men, women
        "_T": [50_100, 41_300, 8_800],
        "G_CANNABIS": [13_000, 10_900, 2_100],
        "G_COCAINE": [22_400, 19_000, 3_400],
        "G_OPIOIDS": [11_200, 9_100, 2_100],
        "HEROIN": [9_600, 7_900, 1_700],
        "G_ATS": [1_050, 800, 250],
        "G_SEDATIVES": [1_200, 600, 600],
        "G_OTHER": [640, 500, 140],
    },
    "deaths": {
        "_T": [890, 715, 175],
        "G_OPIOIDS": [470, 385, 85],
        "G_COCAINE": [510, 425, 85],
        "G_SEDATIVES": [340, 250, 90],
    },
}

TIP: dict[str, dict[str, list[float | None]]] = {
    "victims": {  # total, female, male, sex unknown
        "_T": [550, 410, 135, 5],
        "Y_GE18": [480, 370, 105, 5],
        "Y0T17": [62, 38, 24, 0],
        "_U": [8, 2, 6, 0],
    },
    "victims-exploitation": {  # total, women, men, girls, boys
        "SEXUAL": [300, 265, 5, 28, 2],
        "FORCED_LABOUR": [160, 70, 80, 2, 8],
        "CRIMINAL_ACTIVITY": [30, 10, 8, 4, 8],
        "BEGGING": [10, 2, 2, 2, 4],
        "FORCED_MARRIAGE": [12, 8, 0, 2, 0],
        "ORGAN_REMOVAL": [0, 0, 0, 0, 0],
        "MIXED": [20, 10, 6, 0, 2],
        "OTHER": [8, 3, 2, 0, 0],
        "_U": [10, 2, 2, 0, 0],
    },
    "victims-citizenship": {  # total, female, male, children
        "NAT": [60, 40, 20, 20],
        "FOR": [480, 365, 110, 40],
        "FOR_CAC": [40, 35, 5, 2],
        "FOR_SAM": [180, 150, 30, 5],
        "FOR_WSE": [10, 8, 2, 0],
        "FOR_CSE": [50, 40, 10, 3],
        "FOR_EECA": [20, 15, 5, 0],
        "FOR_NAME": [60, 30, 30, 10],
        "FOR_SSA": [90, 70, 20, 15],
        "FOR_SAS": [10, 5, 5, 0],
        "FOR_EAP": [20, 12, 3, 5],
        "_U": [10, 5, 5, 2],
    },
    "persons": {  # total, male, female, nationals, foreigners
        "PERSONS_PROSECUTED": [320, 250, 70, 140, 180],
        "PERSONS_CONVICTED": [110, 85, 25, 45, 65],
    },
}


# --------------------------------------------------------------------------
# Definitions


def test_the_definitions_load_and_nothing_is_final_yet(world: dict[str, Any]) -> None:
    again = loader.load_definitions()
    assert again.created == []
    assert again.updated == []
    for model in (Codelist, DataStructure, Dataflow, Questionnaire):
        mine = model.objects.filter(source_file__in=FILES)
        assert mine.exists()
        assert not mine.filter(is_final=True).exists()
    assert sorted(
        Dataflow.objects.filter(source_file__in=FILES).values_list("code", flat=True)
    ) == ["DF_ARQ_DEMAND", "DF_ARQ_SUPPLY", "DF_TIP"]
    assert DataStructure.objects.get(code="DSD_TIP").suppress_below == 5
    assert DataStructure.objects.get(code="DSD_ARQ_SUPPLY").suppress_below is None
    supply = selectors.Structure(DataStructure.objects.get(code="DSD_ARQ_SUPPLY"))
    assert supply.dimensions == [
        "INDICATOR",
        "DRUG",
        "MARKET_LEVEL",
        "STATISTIC",
        "PRICE_BASIS",
        "ROUTE_ROLE",
        "REF_PARTNER",
        "UNIT_MEASURE",
    ]
    # Partner countries: every area, with the codes and names of CL_AREA, after
    # "not applicable" and the "another country" of version 1.0.
    areas = dict(Codelist.objects.get(code="CL_AREA").codes.values_list("code", "name"))
    partner_list = Codelist.objects.get(code="CL_ARQ_PARTNER", version="2.0")
    partners = dict(partner_list.codes.values_list("code", "name"))
    assert list(partners)[:2] == ["_Z", "_O"]
    assert {c: n for c, n in partners.items() if not c.startswith("_")} == areas
    assert partners["NZL"] == "New Zealand"
    component = DataStructure.objects.get(code="DSD_ARQ_SUPPLY").components.get(code="REF_PARTNER")
    assert component.codelist == partner_list
    # Version 1.0 (the fixed route grids) is kept, unchanged.
    assert Codelist.objects.get(code="CL_ARQ_PARTNER", version="1.0").codes.count() == 54


def test_each_questionnaire_builds_its_cells_and_parses_its_rules(world: dict[str, Any]) -> None:
    for code, expected in CELLS.items():
        questionnaire: Questionnaire = world[code]
        sections = grid(questionnaire)
        assert {s: len(section.cells) for s, section in sections.items()} == expected
        keys = [cell.key for section in sections.values() for cell in section.cells.values()]
        assert len(keys) == TOTALS[code]
        # Review comments are stored per cell under the key's first 60 characters.
        assert max(len(k) for k in keys) <= 60
        dimensions = selectors.Structure(questionnaire.dataflow.structure).dimensions
        parsed = rules.parse_rules(questionnaire.definition["rules"], dimensions=dimensions)
        assert len(parsed) == RULES[code]
    supply, demand, tip = world["ARQ-SUPPLY"], world["ARQ-DEMAND"], world["TIP"]
    assert key(supply, "seizures", "COCAINE_HCL", 0) == "SEIZED_QTY.COCAINE_HCL._Z._Z._Z._Z._Z.KG"
    assert key(supply, "prices", "HEROIN.WHOLESALE.KG", 5) == (
        "PRICE.HEROIN.WHOLESALE.MAX.KG._Z._Z.XDC"
    )
    assert key(supply, "routes-cocaine", "COL", 0) == (
        "ROUTE_RANK.COCAINE_HCL._Z._Z._Z.ORIGIN.COL.RANK"
    )
    assert key(demand, "prevalence-age", "G_CANNABIS", 0) == "PREV_PY.G_CANNABIS._T.Y15T24.PCT"
    assert key(tip, "victims-exploitation", "BEGGING", 4) == "VICTIMS.M.Y0T17.BEGGING._T.COUNT"


# --------------------------------------------------------------------------
# Rules on a filled questionnaire


def test_consistent_questionnaires_pass_every_rule(world: dict[str, Any]) -> None:
    for code, answers in (("ARQ-SUPPLY", SUPPLY), ("ARQ-DEMAND", DEMAND), ("TIP", TIP)):
        entries = fill(world[code], answers)
        version = save(world, code, entries)
        assert Observation.objects.filter(version=version).count() == len(entries)
        assert found(world, code, version).is_empty(), code


def test_inconsistent_supply_answers_are_explained(world: dict[str, Any]) -> None:
    supply = world["ARQ-SUPPLY"]
    entries = fill(supply, SUPPLY)
    wrong = {
        # minimum price above the maximum (typed in the wrong cells)
        key(supply, "prices", "COCAINE_HCL.RETAIL.G", 1): Entry(value=Decimal("90")),
        # purity above 100 %
        key(supply, "purity", "HEROIN.WHOLESALE", 2): Entry(value=Decimal("120")),
        # a quantity without its number of cases
        key(supply, "seizures", "COCAINE_HCL", 3): Entry(),
        # a rank that is not 1, 2 or 3
        key(supply, "routes-cocaine", "BRA", 1): Entry(value=Decimal("4")),
    }
    result = found(world, "ARQ-SUPPLY", save(world, "ARQ-SUPPLY", {**entries, **wrong}))
    assert set(result.filter(pl.col("importance") == "error")["rule"]) == {
        "ARQ-PRICE-MIN-TYPICAL",
        "ARQ-PRICE-MIN-MAX",
        "ARQ-PURITY-SHARE",
        "ARQ-SEIZURE-CASES",
        "ARQ-ROUTE-RANK",
    }
    [price] = messages(result, "ARQ-PRICE-MIN-MAX")
    assert price == "The minimum price (90) is not at most the maximum price (86) (difference 4)"
    scope = result.filter(pl.col("rule") == "ARQ-PRICE-MIN-MAX")["scope"][0]
    assert scope == "Cocaine hydrochloride, Retail, per gram, US dollars"
    assert messages(result, "ARQ-PURITY-SHARE") == ["The share is 120 %, more than 100 %"]
    [cases] = messages(result, "ARQ-SEIZURE-CASES")
    assert cases == (
        "The quantity seized in kg (61000) is reported, so the number of seizure cases "
        "must be reported too, but it is missing"
    )
    assert messages(result, "ARQ-ROUTE-RANK") == ["The value 4 is above the maximum 3"]
    assert "Brazil" in result.filter(pl.col("rule") == "ARQ-ROUTE-RANK")["scope"][0]


def test_seizure_series_warn_of_outliers_and_jumps(world: dict[str, Any]) -> None:
    supply = world["ARQ-SUPPLY"]
    quantity = key(supply, "seizures", "COCAINE_HCL", 0)
    cases = key(supply, "seizures", "COCAINE_HCL", 3)
    for year, kg in zip(
        range(2019, 2025), [48_000, 52_000, 50_500, 55_000, 49_000, 53_000], strict=True
    ):
        save(
            world,
            "ARQ-SUPPLY",
            {quantity: Entry(value=Decimal(kg)), cases: Entry(value=Decimal(9_000))},
            year,
        )
    version = save(
        world,
        "ARQ-SUPPLY",
        {quantity: Entry(value=Decimal(480_000)), cases: Entry(value=Decimal(3_000))},
    )
    result = found(world, "ARQ-SUPPLY", version)
    assert set(result["rule"]) == {"ARQ-SEIZURE-OUTLIER", "ARQ-SEIZURE-CASES-YOY"}
    assert set(result["importance"]) == {"warning"}
    [outlier] = messages(result, "ARQ-SEIZURE-OUTLIER")
    assert outlier.startswith("The value 480000 in 2025 is far from the median 52000 of its series")
    [jump] = messages(result, "ARQ-SEIZURE-CASES-YOY")
    assert jump.startswith("The value fell from 9000 in 2024 to 3000 in 2025")


def test_inconsistent_demand_answers_are_explained(world: dict[str, Any]) -> None:
    demand = world["ARQ-DEMAND"]
    wrong = {
        key(demand, "prevalence-sex", "G_COCAINE", 1): Entry(value=Decimal("120")),
        key(demand, "treatment", "G_COCAINE", 1): Entry(value=Decimal("21000")),
    }
    result = found(
        world, "ARQ-DEMAND", save(world, "ARQ-DEMAND", {**fill(demand, DEMAND), **wrong})
    )
    assert messages(result, "ARQ-PREV-SHARE") == ["The share is 120 %, more than 100 %"]
    assert (
        "Cocaine and derivatives" in result.filter(pl.col("rule") == "ARQ-PREV-SHARE")["scope"][0]
    )
    assert "ARQ-PREV-ANY-DRUG" in set(result["rule"])  # 120 % of men use cocaine, 15.4 % any drug
    assert set(result.filter(pl.col("importance") == "warning")["rule"]) == {"ARQ-PREV-BOUNDS"}
    [treated] = messages(result, "ARQ-TREATED-SEX")
    assert treated == (
        "Men (21000) + women (3400) add up to 24400, more than the total of both sexes (22400) "
        "by 2000"
    )


def test_inconsistent_trafficking_answers_are_explained(world: dict[str, Any]) -> None:
    tip = world["TIP"]
    wrong = {
        key(tip, "victims", "Y0T17", 1): Entry(value=Decimal("50")),  # girls 38 -> 50
        key(tip, "victims-citizenship", "FOR_SSA", 0): Entry(value=Decimal("190")),
    }
    result = found(world, "TIP", save(world, "TIP", {**fill(tip, TIP), **wrong}))
    assert set(result["rule"]) == {
        "TIP-SEX",
        "TIP-SEX-TOTAL",
        "TIP-AGE",
        "TIP-AGE-TOTAL",
        "TIP-FOREIGN-REGIONS",
    }
    [sex] = messages(result, "TIP-SEX")
    assert (
        sex == "Male (24) + female (50) add up to 74, more than the total of both sexes (62) by 12"
    )
    assert "0-17" in result.filter(pl.col("rule") == "TIP-SEX")["scope"][0]
    [regions] = messages(result, "TIP-FOREIGN-REGIONS")
    assert "add up to 580, more than the total of all foreigners (480) by 100" in regions
