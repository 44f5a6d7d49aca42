"""Disclosure control (statistics/disclosure.py): the rule for one observation,
its twin for a frame, and who is controlled."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.test import Client

from observatory.accounts import access
from observatory.accounts.models import Role
from observatory.demo.statistics import _tip_answers
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.disclosure import (
    SECONDARY,
    SMALL_COUNT,
    Disclosure,
    Shown,
    exact_sums,
)
from observatory.submissions import services as workflow
from tests import factories

DIMS = ("INDICATOR", "SEX", "UNIT_MEASURE")
SMALL_CELL = "ALB\x1f2019\x1fVICTIMS.F"


COMPLEMENTARY_CELL = "FRA\x1f2020\x1fVICTIMS.F"  # withheld so that a small one stays hidden


def control(undisclosed: frozenset[str] | None, rule: int | None = 5) -> Disclosure:
    return Disclosure(
        rule=rule,
        undisclosed=undisclosed,
        dimensions=DIMS,
        small_cells=frozenset({SMALL_CELL, COMPLEMENTARY_CELL}),
        complementary=frozenset({COMPLEMENTARY_CELL}),
    )


def shown(c: Disclosure, **kw: object) -> Shown:
    row = {"area": "ALB", "period": "2019", "unit": "COUNT", "value": None, "censored": ""}
    row.update(kw)
    return c.shown(
        area=str(row["area"]),
        period=str(row["period"]),
        dims={"INDICATOR": "VICTIMS", "SEX": "F", "UNIT_MEASURE": str(row["unit"])},
        value=row["value"],  # type: ignore[arg-type]
        censored=str(row["censored"]),
        conf_status=str(row.get("conf", "F")),
    )


def test_small_counts_are_published_as_a_marker_and_their_rates_withheld() -> None:
    public = control(frozenset())
    assert shown(public, value=Decimal(3)) == Shown(None, "<5", SMALL_COUNT, withheld=True)
    assert shown(public, value=Decimal(5)) == Shown(Decimal(5), "", "F")
    assert shown(public, value=Decimal(0)) == Shown(Decimal(0), "", "F")
    rate = shown(public, unit="RATE_100K", value=Decimal("0.1"))
    assert rate == Shown(None, "", SECONDARY, withheld=True)
    # The rate of another cell (another sex, year or area) is not touched.
    assert shown(public, unit="RATE_100K", period="2020", value=Decimal("0.1")).value is not None
    assert shown(public, unit="RATE_100K", area="FRA", value=Decimal("0.1")).value is not None


def test_a_count_withheld_so_a_small_one_cannot_be_subtracted_is_withheld_with_its_rate() -> None:
    public = control(frozenset())
    fra = {"area": "FRA", "period": "2020"}
    assert shown(public, **fra, value=Decimal(35)) == Shown(None, "", SECONDARY, withheld=True)
    assert shown(public, **fra, unit="RATE_100K", value=Decimal("0.2")).value is None
    assert shown(control(None), **fra, value=Decimal(35)).value == Decimal(35)  # the office


def test_confidential_values_are_withheld_whatever_the_rule() -> None:
    for rule in (None, 5):
        got = shown(control(frozenset(), rule), value=Decimal(400), conf="C")
        assert got == Shown(None, "", "C", withheld=True)


def test_own_country_and_office_see_values_as_reported() -> None:
    for undisclosed in (frozenset({"ALB"}), None):
        c = control(undisclosed)
        assert shown(c, value=Decimal(3)) == Shown(Decimal(3), "", "F")
        assert shown(c, value=Decimal(400), conf="C") == Shown(Decimal(400), "", "C")
        assert shown(c, unit="RATE_100K", value=Decimal("0.1")).value == Decimal("0.1")
    # A user of Albania is controlled for France.
    assert shown(control(frozenset({"ALB"})), area="FRA", value=Decimal(2)).censored == "<5"


def test_without_a_unit_dimension_every_value_is_a_count() -> None:
    c = Disclosure(rule=5, undisclosed=frozenset(), dimensions=("INDICATOR",))
    got = c.shown(area="ALB", period="2019", dims={"INDICATOR": "X"}, value=Decimal(2))
    assert got.censored == "<5"


def test_the_frame_twin_agrees_with_the_rule_for_one_observation() -> None:
    areas = ("ALB", "FRA")
    periods = ("2019", "2020")
    units = ("COUNT", "RATE_100K")
    values = (None, Decimal(0), Decimal(3), Decimal("4.5"), Decimal(5), Decimal("0.1"))
    censored = ("", "<5")
    confs = ("F", "C", "")
    cases = list(itertools.product(areas, periods, units, values, censored, confs))
    frame = pl.DataFrame(
        {
            "area": [c[0] for c in cases],
            "period": [c[1] for c in cases],
            "INDICATOR": ["VICTIMS"] * len(cases),
            "SEX": ["F"] * len(cases),
            "UNIT_MEASURE": [c[2] for c in cases],
            "value": [None if c[3] is None else str(c[3]) for c in cases],
            "censored": [c[4] for c in cases],
            "conf": [c[5] for c in cases],
        }
    )
    for undisclosed, rule in itertools.product((None, frozenset(), frozenset({"ALB"})), (None, 5)):
        c = control(undisclosed, rule)
        out = c.frame(
            frame,
            area="area",
            period="period",
            value="value",
            censored="censored",
            conf_status="conf",
        )
        for case, row in zip(cases, out.iter_rows(named=True), strict=True):
            area, period, unit, value, marker, conf = case
            want = shown(
                c, area=area, period=period, unit=unit, value=value, censored=marker, conf=conf
            )
            got_value = None if row["value"] is None else Decimal(row["value"])
            assert (got_value, row["censored"], row["conf"], row["_withheld"]) == (
                want.value,
                want.censored,
                want.conf_status,
                want.withheld,
            ), (undisclosed, rule, case)


@pytest.mark.django_db
def test_who_gets_values_as_reported() -> None:
    assert access.undisclosed_areas(None) == frozenset()
    office = factories.office()
    assert access.undisclosed_areas(factories.member(Role.ANALYST, office)) is None
    admin = factories.member(Role.ADMIN, office, email="admin@o.test")
    assert access.undisclosed_areas(admin) == frozenset()
    focal = factories.member(Role.FOCAL_POINT, factories.agency("ALB"), email="fp@alb.test")
    assert access.undisclosed_areas(focal) == frozenset({"ALB"})
    police = factories.agency("FRA")
    contributor = factories.member(Role.CONTRIBUTOR, police, email="c@fra.test")
    assert access.undisclosed_areas(contributor) == frozenset({"FRA"})


@pytest.mark.django_db
def test_complementary_suppression_leaves_no_sum_with_a_single_hidden_term() -> None:
    """Trafficking in persons as the demo publishes it for Spain: women convicted
    4 (<5), men 35, total 39; men are withheld too, or 39 - 35 gives the 4 back.
    Every exact sum of the questionnaire ends with none or several hidden terms."""
    loader.load_definitions()
    analyst = factories.member(Role.ANALYST, factories.office(), email="a@o.test")
    spain = factories.agency("ESP")
    focal = factories.member(Role.FOCAL_POINT, spain, email="f@esp.test")
    tip = selectors.questionnaire_get("TIP")
    version = services.questionnaire_save(
        questionnaire=tip, organisation=spain, year=2024, entries=_tip_answers(1.0), actor=focal
    )
    version = workflow.version_submit(version=version, actor=focal)
    version = workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)
    flow = tip.dataflow
    dimensions = selectors.Structure(flow.structure).dimensions
    visible = selectors.current_observations(actor=None, dataflow=flow)
    public = Disclosure.of(None, flow, dimensions).with_small_cells(visible)
    cell = "ESP\x1f2024\x1f{}"
    assert cell.format("PERSONS_CONVICTED.F._T._T._T") in public.small_cells - public.complementary
    assert cell.format("PERSONS_CONVICTED.M._T._T._T") in public.complementary
    assert cell.format("PERSONS_CONVICTED._T._T._T._T") not in public.small_cells
    # No exact sum (sex_total rules) has exactly one hidden term.
    values = {public.cell_id(o.area_id, o.time_period, o.dims): o for o in visible}
    hidden = public.small_cells
    for dimension, total, parts in exact_sums(flow.code):
        for key, o in values.items():
            if o.dims[dimension] != total:
                continue
            terms = [public.cell_id("ESP", "2024", {**o.dims, dimension: p}) for p in parts]
            present = [t for t in terms if t in values]
            if present:
                assert sum(t in hidden for t in (key, *present)) != 1, (dimension, key)
    # Spain's own focal point and the office see it all.
    for actor in (focal, analyst):
        full = Disclosure.of(actor, flow, dimensions).with_small_cells(visible)
        assert not full.small_cells
    # Nor do the API and the explorer give the 35, asked for the men alone.
    client = Client()
    api = client.get(
        "/api/v1/statistics/dataflows/DF_TIP/observations",
        {"INDICATOR": "PERSONS_CONVICTED", "SEX": "M", "AGE": "_T"},
    ).json()
    assert [(o["value"], o["conf_status"]) for o in api["items"]] == [(None, "D")]
    page = client.get(
        "/statistics/explorer/",
        {
            "dataflow": "DF_TIP",
            "dim_INDICATOR": "PERSONS_CONVICTED",
            "dim_SEX": "M",
            "areas": "ESP",
        },
    )
    assert [(r["count"], r["censored"]) for r in page.context["rows"]] == [(None, "withheld")]
    # A public export writes neither the 4 nor the 35 of the convicted.
    out = exports_csv(flow)
    convicted = out.filter(pl.col("INDICATOR") == "PERSONS_CONVICTED")
    assert sorted(convicted["OBS_VALUE"].to_list(), key=str) == sorted(["39", None, None], key=str)


def exports_csv(flow: Any) -> pl.DataFrame:
    import io
    import tempfile
    from pathlib import Path

    from observatory.statistics.exports.observations import export_observations

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tip.csv"
        export_observations(path, actor=None, dataflow=flow, fmt="csv")
        return pl.read_csv(io.BytesIO(path.read_bytes()), infer_schema=False)


@pytest.mark.django_db
def test_an_exhaustive_breakdown_is_an_exact_sum_too() -> None:
    """Issue 12 §4: every form of exploitation reported (total 100; 50, 30, 10,
    2, 8 and the other forms 0): begging's 2 is <5, and 100 - 98 would give it
    back unless another form is withheld too."""
    loader.load_definitions()
    analyst = factories.member(Role.ANALYST, factories.office(), email="a@o.test")
    spain = factories.agency("ESP")
    focal = factories.member(Role.FOCAL_POINT, spain, email="f@esp.test")
    tip = selectors.questionnaire_get("TIP")
    forms = {
        "_T": 100,
        "SEXUAL": 50,
        "FORCED_LABOUR": 30,
        "CRIMINAL_ACTIVITY": 10,
        "BEGGING": 2,
        "OTHER": 8,
        "FORCED_MARRIAGE": 0,
        "ORGAN_REMOVAL": 0,
        "ILLEGAL_ADOPTION": 0,
        "MIXED": 0,
        "_U": 0,
    }
    entries = {
        f"VICTIMS._T._T.{form}._T.COUNT": services.Entry(value=Decimal(n))
        for form, n in forms.items()
    }
    version = services.questionnaire_save(
        questionnaire=tip, organisation=spain, year=2024, entries=entries, actor=focal
    )
    version = workflow.version_submit(version=version, actor=focal)
    version = workflow.version_accept(version=version, actor=analyst)
    workflow.version_publish(version=version, actor=analyst)
    forms_in_order = (
        "SEXUAL",
        "FORCED_LABOUR",
        "CRIMINAL_ACTIVITY",
        "BEGGING",
        "FORCED_MARRIAGE",
        "ORGAN_REMOVAL",
        "ILLEGAL_ADOPTION",
        "MIXED",
        "OTHER",
        "_U",
    )
    assert ("EXPLOITATION", "_T", forms_in_order) in exact_sums("DF_TIP")

    api = (
        Client()
        .get(
            "/api/v1/statistics/dataflows/DF_TIP/observations",
            {"INDICATOR": "VICTIMS", "SEX": "_T", "AGE": "_T", "CITIZENSHIP": "_T", "limit": 100},
        )
        .json()
    )
    shown = {o["key"].split(".")[3]: o["value"] for o in api["items"]}
    assert shown["BEGGING"] == "<5"
    published = [v for f, v in shown.items() if f != "_T" and v not in (None, "<5")]
    # what is shown of the parts no longer gives the total minus begging
    assert 100 - sum(Decimal(v) for v in published) != 2
    # the part withheld with it is one that protects it: not a zero
    assert [f for f, v in shown.items() if v is None] == ["OTHER"]
