"""The series explorer: counts and rates per 100,000, regional aggregates with
coverage (exact numbers on tiny frames), and the page on the real data-portal
sample (published data only for the public, CSV downloads, clear 400s)."""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl
import pytest
from django.test import Client

from observatory.accounts.models import Role
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.statistics.explorer import compute
from observatory.statistics.models import DataStructure
from tests import factories
from tests.statistics.test_portal import FLOW, HEADER, SAMPLE, cube, portal_import, publish

__all__ = ["cube"]  # the fixture, imported from the portal tests

DIMS = ["INDICATOR", "SEX", "UNIT_MEASURE"]


def observations(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """(area, period, indicator, sex, unit, value, censored, status) rows."""
    return pl.DataFrame(
        rows,
        schema={
            "area": pl.String,
            "period": pl.String,
            "INDICATOR": pl.String,
            "SEX": pl.String,
            "UNIT_MEASURE": pl.String,
            "value": pl.Float64,
            "censored": pl.String,
            "status": pl.String,
        },
        orient="row",
    )


def population(rows: list[tuple[str, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"area": pl.String, "year": pl.Int32, "population": pl.Float64}, orient="row"
    )


TINY = observations(
    [
        ("AAA", "2020", "ASSAULT", "_T", "COUNT", 100.0, "", "A"),
        ("AAA", "2020", "ASSAULT", "_T", "RATE_100K", 9.5, "", "A"),
        ("AAA", "2020", "ASSAULT", "_T", "PCT", 12.5, "", "A"),
        ("AAA", "2020", "ASSAULT", "M", "COUNT", 70.0, "", "A"),
        ("BBB", "2020", "ASSAULT", "_T", "COUNT", 50.0, "", "A"),
        ("BBB", "2021", "ASSAULT", "_T", "COUNT", 60.0, "", "A"),
        ("BBB", "2021", "ASSAULT", "_T", "COUNT", 60.0, "", "A"),  # an exact repeat
        ("CCC", "2020", "ASSAULT", "_T", "COUNT", None, "<5", "A"),
        ("DDD", "2020", "ASSAULT", "_T", "COUNT", None, "", "L"),
        ("EEE", "2020", "ASSAULT", "_T", "COUNT", 7.0, "", "A"),  # no population figure
        ("GGG", "2021", "ASSAULT", "_T", "COUNT", 3.0, "", "A"),
        ("GGG", "2021", "ASSAULT", "_T", "COUNT", 4.0, "", "A"),  # published twice, differently
        ("HHH", "2020", "ASSAULT", "_T", "RATE_100K", 2.0, "", "A"),  # a published rate only
    ]
)
PEOPLE = population(
    [
        ("AAA", 2020, 1_000_000),
        ("BBB", 2020, 500_000),
        ("BBB", 2021, 600_000),
        ("CCC", 2020, 250_000),
        ("DDD", 2020, 250_000),
        ("FFF", 2020, 1_000_000),  # in the region, reported nothing
        ("GGG", 2021, 400_000),
        ("HHH", 2020, 100_000),
        ("ZZZ", 2020, 2_000_000),  # another region
    ]
)
REGIONS = pl.DataFrame(
    {
        "area": ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "ZZZ"],
        "region": ["R1", "R1", "R1", "R1", "R1", "R1", "R1", "R2", "R2"],
        "subregion": ["S1", "S1", "S2", "S2", "S2", "S2", "S2", None, "S3"],
    }
)


def by(frame: pl.DataFrame, **where: str) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


# --------------------------------------------------------------------------
# Pure functions


def test_series_filters_by_codes_and_keeps_each_cell_once() -> None:
    total = compute.series(TINY, selection={"SEX": "_T", "UNIT_MEASURE": "COUNT"})
    assert sorted(total["area"].unique().to_list()) == ["AAA", "BBB", "CCC", "DDD", "EEE", "GGG"]
    assert by(total, area="BBB", period="2021")["value"] == 60.0  # the repeat kept once
    twice = by(total, area="GGG", period="2021")
    assert (twice["value"], twice["conflict"]) == (None, "3 | 4")  # nothing picks one
    both = compute.series(TINY, selection={"SEX": ["_T", "M"], "UNIT_MEASURE": "COUNT"})
    assert both.filter(pl.col("area") == "AAA")["value"].to_list() == [100.0, 70.0]
    with pytest.raises(ValueError, match="not a dimension of the frame: AGE"):
        compute.series(TINY, selection={"AGE": "_T"})
    assert compute.cells(total).equals(total)  # idempotent


def test_rates_are_computed_for_counts_only_and_published_rates_kept() -> None:
    rated = compute.rates(compute.series(TINY, selection={"SEX": "_T"}), PEOPLE)
    count = by(rated, area="AAA", period="2020", UNIT_MEASURE="COUNT")
    assert count["population"] == 1_000_000
    assert count["rate"] == pytest.approx(10.0)  # 100 / 1,000,000 × 100,000
    assert count["basis"] == "computed"
    published = by(rated, area="AAA", period="2020", UNIT_MEASURE="RATE_100K")
    assert (published["rate"], published["basis"]) == (9.5, "published")  # never recomputed
    percentage = by(rated, area="AAA", period="2020", UNIT_MEASURE="PCT")
    assert (percentage["rate"], percentage["basis"]) == (None, None)
    assert by(rated, area="BBB", period="2021", UNIT_MEASURE="COUNT")["rate"] == pytest.approx(10.0)
    censored = by(rated, area="CCC", period="2020", UNIT_MEASURE="COUNT")
    assert censored["rate"] is None  # a censored count gives no rate
    unknown = by(rated, area="EEE", period="2020", UNIT_MEASURE="COUNT")
    assert (unknown["population"], unknown["rate"]) == (None, None)
    with pytest.raises(ValueError, match="no UNIT_MEASURE column"):
        compute.rates(TINY.drop("UNIT_MEASURE"), PEOPLE)


def test_computed_and_published_rates_side_by_side() -> None:
    rated = compute.rates(compute.series(TINY, selection={"SEX": "_T"}), PEOPLE)
    table = compute.compare(rated)
    assert table.columns[:4] == ["area", "INDICATOR", "SEX", "period"]
    aaa = by(table, area="AAA", period="2020")
    assert aaa["count"] == 100.0
    assert aaa["rate_computed"] == pytest.approx(10.0)
    assert aaa["rate_published"] == 9.5
    assert aaa["rate"] == 9.5  # the published rate is the one shown
    assert aaa["rate_basis"] == "published"
    assert aaa["difference"] == pytest.approx(10.0 / 9.5 - 1)  # +5.26 %
    assert aaa["implied_population"] == pytest.approx(100 / 9.5 * 100_000)
    assert aaa["consistent"] is False  # beyond the 2 % tolerance
    assert by(compute.compare(rated, tolerance=0.06), area="AAA")["consistent"] is True
    bbb = by(table, area="BBB", period="2020")
    assert (bbb["rate"], bbb["rate_basis"], bbb["difference"]) == (
        pytest.approx(10.0),
        "computed",
        None,
    )
    hhh = by(table, area="HHH", period="2020")  # a rate without a count
    assert (hhh["count"], hhh["rate"], hhh["population"]) == (None, 2.0, 100_000)
    assert by(table, area="CCC")["censored"] == "<5"


def test_regional_sums_reporting_areas_with_their_coverage() -> None:
    one = compute.series(TINY, selection={"SEX": "_T"})
    regions = compute.regional(one, PEOPLE, REGIONS, level="region")
    r1 = by(regions, region="R1", period="2020")
    assert r1["count"] == 157.0  # AAA 100 + BBB 50 + EEE 7
    assert r1["areas_reporting"] == 3
    assert r1["censored"] == 1  # CCC <5
    assert r1["missing"] == 1  # DDD not available
    assert r1["no_population"] == 1  # EEE: counted, not in rate or coverage
    assert r1["population_reporting"] == 1_500_000  # AAA + BBB
    assert r1["population_region"] == 3_000_000  # AAA BBB CCC DDD FFF
    assert r1["coverage"] == pytest.approx(0.5)
    assert r1["rate"] == pytest.approx(150 / 1_500_000 * 100_000)  # 10.0
    assert r1["areas_in_region"] == 7
    r1_2021 = by(regions, region="R1", period="2021")
    assert r1_2021["count"] == 60.0  # BBB once; GGG published twice differently: missing
    assert (r1_2021["missing"], r1_2021["areas_reporting"]) == (1, 1)
    assert r1_2021["coverage"] == pytest.approx(600_000 / 1_000_000)
    # R2 has only a published rate: rates are never summed, so nothing reported a count.
    assert regions.filter(pl.col("region") == "R2").is_empty()
    sub = compute.regional(one, PEOPLE, REGIONS, level="subregion")
    s2 = by(sub, region="S2", period="2020")
    assert (s2["count"], s2["areas_reporting"], s2["censored"], s2["missing"]) == (7.0, 1, 1, 1)
    assert s2["population_reporting"] is None  # EEE has no population figure
    assert (s2["coverage"], s2["rate"]) == (None, None)
    assert s2["population_region"] == 1_500_000
    with pytest.raises(ValueError, match="no regional level 'continent'"):
        compute.regional(one, PEOPLE, REGIONS, level="continent")


def test_a_country_reported_in_parts_counts_as_the_country_when_every_part_reported() -> None:
    parts = observations(
        [
            ("UK_A", "2020", "ASSAULT", "_T", "COUNT", 30.0, "", "A"),
            ("UK_B", "2020", "ASSAULT", "_T", "COUNT", 10.0, "", "A"),
            ("UK_A", "2021", "ASSAULT", "_T", "COUNT", 35.0, "", "A"),
            ("UK_B", "2021", "ASSAULT", "_T", "COUNT", None, "<5", "A"),
        ]
    )
    people = population([("UK", 2020, 400_000), ("UK", 2021, 400_000)])
    regions = pl.DataFrame({"area": ["UK", "UK_A", "UK_B"], "region": ["R", "R", "R"]})
    wholes = {"UK": ("UK_A", "UK_B")}
    combined = compute.combine_parts(compute.cells(parts), wholes)
    assert combined.select("area", "period", "value").rows() == [
        ("UK_A", "2021", 35.0),
        ("UK_B", "2021", None),
        ("UK", "2020", 40.0),
    ]
    # Where the country reported itself, it stands for its parts.
    both = pl.concat(
        [parts, observations([("UK", "2021", "ASSAULT", "_T", "COUNT", 50.0, "", "A")])]
    )
    assert compute.combine_parts(compute.cells(both), wholes).filter(
        pl.col("period") == "2021"
    ).select("area", "value").rows() == [("UK", 50.0)]
    out = compute.regional(parts, people, regions, level="region", wholes=wholes)
    whole = by(out, period="2020")
    assert (whole["count"], whole["areas_reporting"], whole["coverage"]) == (40.0, 1, 1.0)
    assert whole["rate"] == pytest.approx(10.0)
    part = by(out, period="2021")  # one part withheld: the parts stay parts
    assert (part["count"], part["censored"], part["no_population"], part["coverage"]) == (
        35.0,
        1,
        1,
        None,
    )


def test_a_region_where_every_value_is_withheld_has_no_count() -> None:
    withheld = observations(
        [
            ("CCC", "2020", "ASSAULT", "_T", "COUNT", None, "<5", "A"),
            ("DDD", "2020", "ASSAULT", "_T", "COUNT", None, "", "M"),
        ]
    )
    row = by(compute.regional(withheld, PEOPLE, REGIONS, level="region"), region="R1")
    assert (row["count"], row["rate"], row["coverage"]) == (None, None, None)
    assert (row["areas_reporting"], row["censored"], row["missing"]) == (0, 1, 1)


# --------------------------------------------------------------------------
# The page, on the real sample

URL = "/statistics/explorer/"
SERIOUS_ASSAULT = {
    "dataflow": FLOW,
    "dim_INDICATOR": "VIOLENT_OFFENCES",
    "dim_DIMENSION": "BY_OFFENCE",
    "dim_CATEGORY": "ICCS020111",
    "dim_SEX": "_T",
    "dim_AGE": "_T",
}


def rows_of(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_the_page_on_the_real_sample(cube: dict[str, Any], client: Client) -> None:
    job = intake.job_commit(job=portal_import(cube, SAMPLE.read_bytes()), actor=cube["analyst"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version is not None
    query = {**SERIOUS_ASSAULT, "areas": "ALB, mkd", "year_from": "2014", "year_to": "2016"}

    # Not published yet: the public sees nothing of it; the office's analyst does.
    draft = client.get(URL, {**query, "format": "csv"})
    assert draft.status_code == 200
    assert rows_of(draft) == []
    assert client.get(URL, query).context["row_count"] == 0
    client.force_login(cube["analyst"])
    seen = rows_of(client.get(URL, {**query, "format": "csv"}))
    assert {r["area"] for r in seen} == {"ALB", "MKD"}
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert audit.changes["restricted_rows"] > 0  # a download of unpublished data
    client.logout()

    publish(job.version, cube["analyst"])
    page = client.get(URL, {**query, "measure": "rate"})
    assert page.status_code == 200
    rows = {(r["area"], r["period"]): r for r in page.context["rows"]}
    alb = rows[("ALB", "2015")]
    assert alb["count"] == 169
    assert alb["rate_published"] == pytest.approx(5.846690773)
    assert alb["population"] == 2_731_293  # World Bank, in the reference data
    assert alb["rate_computed"] == pytest.approx(169 / 2_731_293 * 100_000)  # 6.19
    assert alb["rate"] == pytest.approx(5.846690773)  # shown as published
    assert alb["implied_population"] == pytest.approx(2_890_524, abs=1)
    assert alb["consistent"] is False  # 5.8 % apart: the publisher used other figures
    html = page.content.decode()
    assert 'id="series-spec"' in html
    assert 'id="regional-spec"' in html
    assert "<script>" not in html  # specs are JSON data, drawn by charts.js (CSP)
    spec = page.context["spec"]
    assert {p["area_name"] for p in spec["data"]["values"]} == {"Albania", "North Macedonia"}
    assert page.context["selection"].keys == {
        "VIOLENT_OFFENCES.BY_OFFENCE.ICCS020111._T._T.COUNT": "COUNT",
        "VIOLENT_OFFENCES.BY_OFFENCE.ICCS020111._T._T.RATE_100K": "RATE_100K",
    }
    # The aggregates cover the chosen areas' region, every area of it.
    aggregates = {(r["region"], r["period"]): r for r in page.context["aggregates"]}
    assert {region for region, _period in aggregates} == {"150"}  # Europe
    europe = aggregates[("150", "2015")]
    assert europe["areas_reporting"] > 2
    assert 0 < europe["coverage"] < 1
    # 44 areas reported; England and Wales, Northern Ireland and Scotland count as
    # the United Kingdom, with its population; the Holy See has no population figure.
    assert europe["areas_reporting"] == 42
    assert europe["no_population"] == 1  # the Holy See, which reported 0
    assert europe["rate"] == pytest.approx(
        europe["count"] / europe["population_reporting"] * 100_000
    )

    series = client.get(URL, {**query, "format": "csv"})
    assert series["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in series["Content-Disposition"]
    line = next(r for r in rows_of(series) if r["area"] == "ALB" and r["period"] == "2015")
    assert (line["count"], line["population"]) == ("169", "2731293")
    assert float(line["rate_computed"]) == pytest.approx(6.1875, abs=1e-4)
    assert line["area_name"] == "Albania"
    regional = rows_of(client.get(URL, {**query, "format": "csv", "table": "regional"}))
    assert {r["region_name"] for r in regional} == {"Europe"}
    assert float(next(r for r in regional if r["period"] == "2015")["coverage"]) == pytest.approx(
        europe["coverage"]
    )

    # Without a choice of areas: every area in the table, the chart at most 12 lines.
    everything = client.get(URL, SERIOUS_ASSAULT)
    assert everything.status_code == 200
    assert everything.context["areas_count"] > 12
    assert len({p["area_name"] for p in everything.context["spec"]["data"]["values"]}) == 12
    assert everything.context["row_count"] == everything.context["row_count"]
    # A region in place of areas.
    southern = client.get(URL, {**SERIOUS_ASSAULT, "region": "m49:039", "level": "subregion"})
    assert "ALB" in {r["area"] for r in southern.context["rows"]}
    assert {r["region"] for r in southern.context["aggregates"]} == {"039"}
    # UNODC regions.
    unodc = client.get(URL, {**query, "level": "unodc"})
    assert {r["region_name"] for r in unodc.context["aggregates"]} == {"South-East Europe"}
    # The default page shows the series with the most observations.
    default = client.get(URL)
    assert (
        default.context["title"] == "Violent offences · by type of offence · Sexual violence: Rape"
    )
    assert default.context["row_count"] > 1000


def test_public_pages_suppress_small_counts_by_the_structures_rule(
    cube: dict[str, Any], client: Client
) -> None:
    rows = (
        HEADER + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,"
        "Total,Total,Total,2019,Counts,3,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
        "Total,Total,2020,Counts,12,CTS\n"
        + "ALB,Albania,Europe,Southern Europe,Victims of sexual exploitation,Total,Total,"
        'Total,Total,2019,"Rate per 100,000 population",0.1,CTS\n'
    )
    job = intake.job_commit(job=portal_import(cube, rows.encode()), actor=cube["analyst"])
    assert job.version is not None
    publish(job.version, cube["analyst"])
    DataStructure.objects.filter(code="DSD_CTS_PORTAL").update(suppress_below=5)
    query = {"dataflow": FLOW, "areas": "ALB"}
    shown = {r["period"]: r for r in client.get(URL, query).context["rows"]}
    assert (shown["2019"]["count"], shown["2019"]["censored"]) == (None, "<5")
    # A rate, computed or published, would give the count away (rate × population).
    assert shown["2019"]["rate_computed"] is None
    assert (shown["2019"]["rate_published"], shown["2019"]["rate_censored"]) == (None, "withheld")
    assert shown["2020"]["count"] == 12
    aggregates = client.get(URL, query).context["aggregates"]
    assert by(pl.DataFrame(aggregates), period="2019")["censored"] == 1
    download = rows_of(client.get(URL, {**query, "format": "csv"}))
    assert [(r["count"], r["censored"], r["rate_published"]) for r in download] == [
        ("", "<5", ""),
        ("12", "", ""),
    ]
    # A user of another country is the public for Albania; Albania's own users
    # and the office see the count as reported.
    for user, controlled in (
        (factories.member(Role.FOCAL_POINT, factories.agency("FRA"), email="fp@fra.test"), True),
        (factories.member(Role.CONTRIBUTOR, factories.agency("ALB"), email="c@alb.test"), False),
        (cube["analyst"], False),
    ):
        client.force_login(user)
        first = client.get(URL, query).context["rows"][0]
        assert (first["count"], first["rate_published"]) == (
            (None, None) if controlled else (3, 0.1)
        ), user.email


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"dataflow": "DF_NOPE"}, "dataflow", "Select a valid choice"),
        ({"dim_SEX": "X"}, "dim_SEX", "Select a valid choice"),
        ({"areas": "ALB, XYZ"}, "areas", "Unknown area code: XYZ."),
        ({"year_from": "twenty"}, "year_from", "Enter a whole number."),
        ({"year_from": "2016", "year_to": "2010"}, "year_to", "The last year comes before"),
        ({"measure": "kilos"}, "measure", "Select a valid choice"),
        ({"level": "planet"}, "level", "Select a valid choice"),
        ({"region": "m49:999"}, "region", "Select a valid choice"),
    ],
)
def test_a_bad_parameter_is_a_clear_400(
    cube: dict[str, Any], client: Client, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get(URL, {"dataflow": FLOW, **params})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Some parameters are not right" in response.content.decode()
    download = client.get(URL, {"dataflow": FLOW, **params, "format": "csv"})
    assert download.status_code == 400
    assert message in download.content.decode()


def test_without_definitions_the_page_says_so(db: Any, client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "No dataflow is defined yet" in response.content.decode()


def test_changing_the_dataflow_drops_the_codes_of_the_other_one(
    cube: dict[str, Any], client: Client
) -> None:
    response = client.get(
        URL, {"dims_of": FLOW, "dataflow": "DF_UN_CTS", "dim_SEX": "X", "dim_DIMENSION": "_T"}
    )
    assert response.status_code == 200
    assert response.context["selection"].flow.code == "DF_UN_CTS"
    assert response.context["selection"].codes["SEX"] == "_T"
    assert "No visible data" in response.content.decode()


def test_formula_like_text_in_a_download_is_made_safe() -> None:
    from observatory.statistics.explorer.display import _safe

    frame = pl.DataFrame({"area_name": ["=HYPERLINK(1)", "Albania"], "count": [-3.0, 1.0]})
    assert _safe(frame).to_dicts() == [
        {"area_name": "'=HYPERLINK(1)", "count": -3.0},
        {"area_name": "Albania", "count": 1.0},
    ]


def test_rates_are_rounded_and_small_rates_keep_three_significant_digits() -> None:
    from observatory.statistics.explorer.display import _number, _rate

    assert _number(2.678, 2) == "2.68"  # rounded, not cut off
    assert _number(123456.789, 2) == "123,456.79"
    assert _rate(2.6778) == "2.68"
    assert _rate(0.0020473) == "0.00205"  # one victim in 48 million is not 0.00
    assert _rate(0.0) == "0.00"
    assert _rate(None) == ""
