"""Loading reference data: complete, consistent, idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from observatory.core.models import AuditEvent
from observatory.reference.conversions import to_kilogram_equivalent
from observatory.reference.loader import load_reference
from observatory.reference.models import (
    Area,
    AreaAlias,
    Drug,
    DrugSynonym,
    IccsCategory,
    Population,
    Region,
    Unit,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [Area, AreaAlias, Region, Population, Drug, DrugSynonym, Unit, IccsCategory]
    return {model.__name__: model.objects.count() for model in models}


def test_loading_twice_changes_nothing() -> None:
    before = counts()
    nld = Area.objects.get(code="NLD")
    load_reference()
    assert counts() == before
    assert Area.objects.get(code="NLD").name_zh == nld.name_zh


def test_a_load_is_audited() -> None:
    load_reference()
    event = AuditEvent.objects.filter(object_type="reference.data").latest("at")
    assert event.changes["areas"] == Area.objects.count()


def test_command_reports_what_it_loaded(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_reference")
    assert "areas" in capsys.readouterr().out


def test_areas_carry_m49_hierarchy_and_six_names() -> None:
    col = Area.objects.select_related(
        "region", "subregion", "intermediate_region", "unodc_region"
    ).get(code="COL")
    assert (col.iso2, col.m49) == ("CO", "170")
    assert (col.region.name_en, col.subregion.name_en, col.intermediate_region.name_en) == (
        "Americas",
        "Latin America and the Caribbean",
        "South America",
    )
    assert col.unodc_region is not None
    assert all(col.names().values())
    assert col.name_zh == "哥伦比亚"


def test_every_country_has_a_drug_report_region() -> None:
    missing = Area.objects.filter(kind=Area.Kind.COUNTRY, unodc_region__isnull=True)
    assert list(missing.values_list("code", flat=True)) == []


def test_pseudo_areas_of_real_exports_exist() -> None:
    pseudo = dict(Area.objects.filter(kind=Area.Kind.PSEUDO).values_list("code", "parent_id"))
    assert pseudo == {
        "GBR_EW": "GBR",
        "GBR_NI": "GBR",
        "GBR_S": "GBR",
        "KOS": None,
        "IRQ_C": "IRQ",
        "IRQ_KRI": "IRQ",
    }


def test_population_is_loaded_for_countries_not_aggregates() -> None:
    assert Population.objects.get(area_id="COL", year=2020).value > 45_000_000
    assert not Area.objects.filter(code__in=["WLD", "ARB"]).exists()


def test_iccs_has_all_sections_and_a_consistent_tree() -> None:
    sections = IccsCategory.objects.filter(level="section").values_list("code", flat=True)
    assert list(sections) == [f"{n:02d}" for n in range(1, 12)]
    for category in IccsCategory.objects.exclude(level="section").select_related("parent"):
        assert category.parent is not None
        assert category.code.startswith(category.parent.code)
    assert IccsCategory.objects.get(code="0101").name_zh


def test_units_convert_to_their_base() -> None:
    assert Unit.objects.get(code="g").factor == Decimal("0.001")
    assert Unit.objects.get(code="ml").dimension == Unit.Dimension.VOLUME


@pytest.mark.parametrize(
    ("quantity", "unit", "drug", "kilograms"),
    [
        ("2500", "g", "heroin", Decimal("2.5")),
        ("3", "l", "cocaine", Decimal("3")),
        ("1000", "tablet", "mdma", Decimal("0.3")),
    ],
)
def test_kilogram_equivalents(quantity: str, unit: str, drug: str, kilograms: Decimal) -> None:
    result = to_kilogram_equivalent(
        Decimal(quantity), Unit.objects.get(code=unit), Drug.objects.get(code=drug)
    )
    assert result.kilograms == kilograms
    assert result.rule


def test_plants_are_not_converted() -> None:
    result = to_kilogram_equivalent(
        Decimal(10), Unit.objects.get(code="plant"), Drug.objects.get(code="cannabis-plants")
    )
    assert result.kilograms is None
    assert "not converted" in result.rule


def test_tablet_weight_can_be_overridden_in_settings(settings: object) -> None:
    settings.OBSERVATORY_TABLET_MG_OVERRIDES = {"mdma": 200}  # type: ignore[attr-defined]
    result = to_kilogram_equivalent(
        Decimal(1000), Unit.objects.get(code="tablet"), Drug.objects.get(code="mdma")
    )
    assert result.kilograms == Decimal("0.2")
