"""The synthetic seizure generator: shape, validity, determinism and route patterns.

Plain pytest, no database: the reference codes are read from the packaged CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from observatory.synthetic import seizures as generator
from observatory.synthetic import tables
from observatory.synthetic.seizures import COLUMNS, generate_seizures, write_csv

DATA = Path(__file__).resolve().parents[2] / "src" / "observatory" / "reference" / "data"

EUROPE = {"ESP", "NLD", "BEL", "PRT", "FRA", "ITA", "DEU", "GBR", "IRL", "CHE", "AUT"}
ESEA = {
    "MMR",
    "THA",
    "LAO",
    "KHM",
    "VNM",
    "MYS",
    "IDN",
    "PHL",
    "CHN",
    "HKG",
    "TWN",
    "JPN",
    "KOR",
    "AUS",
    "NZL",
    "BGD",
}
YABA_COUNTRIES = {"MMR", "THA", "LAO", "BGD", "KHM", "IND", "MYS", "VNM"}


def _column(filename: str, column: str) -> set[str]:
    with (DATA / filename).open(encoding="utf-8-sig", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle) if row[column]}


@pytest.fixture(scope="module")
def iso3() -> set[str]:
    return _column("country-codes.csv", "ISO3166-1-Alpha-3")


@pytest.fixture(scope="module")
def drug_codes() -> set[str]:
    return _column("drugs.csv", "code")


@pytest.fixture(scope="module")
def unit_factors() -> dict[str, tuple[str, float]]:
    with (DATA / "units.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: (row["dimension"], float(row["factor"])) for row in csv.DictReader(handle)
        }


@pytest.fixture(scope="module")
def df() -> pl.DataFrame:
    return generate_seizures(60_000, seed=11)


def _codes(frame: pl.DataFrame, column: str) -> set[str]:
    return set(frame[column].str.split(";").explode().drop_nulls().unique().to_list()) - {""}


def _kg(frame: pl.DataFrame, unit_factors: dict[str, tuple[str, float]]) -> pl.Expr:
    mass = {
        code: factor for code, (dimension, factor) in unit_factors.items() if dimension == "mass"
    }
    factor = pl.col("unit").replace_strict(
        list(mass), list(mass.values()), default=None, return_dtype=pl.Float64
    )
    return pl.col("quantity") * factor


# --- Shape ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 7, 999, 5_000])
def test_exact_row_count(n: int) -> None:
    assert generate_seizures(n, seed=3).height == n


def test_columns_in_order_with_dtypes(df: pl.DataFrame) -> None:
    assert df.columns == list(COLUMNS)
    assert dict(df.schema) == COLUMNS
    assert generate_seizures(0).schema == df.schema


def test_no_nulls_except_purity(df: pl.DataFrame) -> None:
    nulls = {
        name: count for name, count in zip(df.columns, df.null_count().row(0), strict=True) if count
    }
    assert set(nulls) <= {"purity_percent"}


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_seizures(-1)
    with pytest.raises(ValueError, match="start_year"):
        generate_seizures(10, start_year=2024, end_year=2015)


# --- Determinism ------------------------------------------------------------------


def test_same_seed_same_frame() -> None:
    assert generate_seizures(3_000, seed=42).equals(generate_seizures(3_000, seed=42))


def test_other_seed_other_frame() -> None:
    a, b = generate_seizures(3_000, seed=42), generate_seizures(3_000, seed=43)
    assert not a.equals(b)
    assert a["quantity"].to_list() != b["quantity"].to_list()


def test_default_seed_is_stable() -> None:
    assert generate_seizures(500).equals(generate_seizures(500, seed=2024))


# --- Valid codes ------------------------------------------------------------------


def test_area_codes_are_iso3(df: pl.DataFrame, iso3: set[str]) -> None:
    assert (df["reporting_area"] != "").all()
    for column in (
        "reporting_area",
        "origin_area",
        "departure_area",
        "transit_areas",
        "destination_area",
        "arrested_nationalities",
    ):
        unknown = _codes(df, column) - iso3
        assert not unknown, f"{column}: {sorted(unknown)}"


def test_route_templates_use_valid_codes(
    iso3: set[str], drug_codes: set[str], unit_factors: dict[str, tuple[str, float]]
) -> None:
    index, _ = tables.places()
    assert {key.split("|")[0] for key in index} <= iso3
    for route in tables.ROUTES:
        assert route.drug in drug_codes, route.key
        table = generator._route_table(route)
        areas = {*table.origin, *table.source, *table.destination}
        areas |= {code for stops in table.transits for code in stops}
        assert areas <= iso3, route.key
        assert all(code in index for code in (f"{a}|inland" for a in areas)), route.key
        for key, *_weights in route.modes:
            assert key in tables.MODES, route.key
        for cat, share in enumerate(route.report):
            if share > 0 and cat != 1:
                assert sum(m[1 + cat] for m in route.modes) > 0, (route.key, cat)
    for mode in tables.MODES.values():
        assert mode.unit in unit_factors
        assert mode.drug is None or mode.drug in drug_codes


def test_drug_and_unit_codes_exist(
    df: pl.DataFrame, drug_codes: set[str], unit_factors: dict[str, tuple[str, float]]
) -> None:
    assert set(df["drug"].unique()) <= drug_codes
    assert set(df["unit"].unique()) <= set(unit_factors)


def test_vocabularies(df: pl.DataFrame) -> None:
    assert set(df["place_type"].unique()) <= set(generator.PLACE_TYPES)
    assert set(df["transport_mode"].unique()) <= set(generator.TRANSPORT_MODES)
    assert set(df["seizing_agency"].unique()) <= set(generator.AGENCIES)
    assert set(df["arrested_sex"].unique()) <= set(generator.SEXES)
    assert set(df["date_precision"].unique()) == set(generator.PRECISIONS)


def test_places_exist_in_the_reporting_country(df: pl.DataFrame) -> None:
    """No seaport seizures in Bolivia, no land borders in Australia."""
    feasible = tables.countries_by_place_type()
    for place_type, countries in feasible.items():
        reporters = set(df.filter(pl.col("place_type") == place_type)["reporting_area"])
        assert reporters <= countries, (place_type, sorted(reporters - countries))
    assert (df.filter(pl.col("place_type") == "unknown")["place"] == "").all()


def test_units_fit_the_drug(df: pl.DataFrame) -> None:
    plants = df.filter(pl.col("unit") == "plant")
    assert set(plants["drug"].unique()) == {"cannabis-plants"}
    assert set(df.filter(pl.col("drug") == "cannabis-plants")["unit"].unique()) == {"plant"}
    assert set(df.filter(pl.col("drug") == "captagon")["unit"].unique()) <= {"tablet", "kg", "g"}
    assert set(df.filter(pl.col("unit").is_in(["l", "ml"]))["drug"].unique()) <= {
        "cocaine-hcl",
        "codeine",
        "cannabis-oil",
    }


# --- Values -----------------------------------------------------------------------


def test_quantity_positive(df: pl.DataFrame) -> None:
    assert (df["quantity"] > 0).all()
    counted = df.filter(pl.col("unit").is_in(["tablet", "plant"]))["quantity"]
    assert (counted == counted.round(0)).all()


def test_purity(df: pl.DataFrame) -> None:
    purity = df["purity_percent"].drop_nulls()
    assert purity.min() >= 1
    assert purity.max() <= 100
    assert 0.17 < purity.len() / df.height < 0.23


def test_dates_within_range() -> None:
    frame = generate_seizures(20_000, seed=5, start_year=2018, end_year=2020)
    assert frame["seizure_date"].min() >= dt.date(2018, 1, 1)
    assert frame["seizure_date"].max() <= dt.date(2020, 12, 31)
    assert frame["seizure_date"].dt.year().unique().sort().to_list() == [2018, 2019, 2020]


def test_dates_spread_over_months_and_weekdays(df: pl.DataFrame) -> None:
    days = df.filter(pl.col("date_precision") == "day")["seizure_date"]
    assert days.dt.year().n_unique() == 10
    assert days.dt.month().n_unique() == 12
    weekdays = days.dt.weekday().value_counts()["count"]
    assert weekdays.len() == 7
    assert weekdays.min() > 0.8 * weekdays.max()


def test_date_precision(df: pl.DataFrame) -> None:
    shares = df["date_precision"].value_counts(normalize=True)
    share = dict(zip(shares["date_precision"], shares["proportion"], strict=True))
    assert share["day"] == pytest.approx(0.85, abs=0.02)
    assert share["month"] == pytest.approx(0.10, abs=0.02)
    assert share["year"] == pytest.approx(0.05, abs=0.02)
    dates = df["seizure_date"]
    month = df["date_precision"] == "month"
    year = df["date_precision"] == "year"
    assert (dates.filter(month).dt.day() == 1).all()
    assert (dates.filter(year).dt.day() == 1).all()
    assert (dates.filter(year).dt.month() == 1).all()


def test_case_reference_unique_per_area(df: pl.DataFrame) -> None:
    assert df.select(pl.struct("reporting_area", "case_reference").is_unique().all()).item()
    assert df["case_reference"].is_unique().all()
    pattern = re.compile(r"^[A-Z]{3}-\d{4}-\d{6}$")
    assert all(pattern.match(ref) for ref in df["case_reference"].sample(2_000, seed=1))
    prefix = df["case_reference"].str.slice(0, 3)
    year = df["case_reference"].str.slice(4, 4).cast(pl.Int32)
    assert (prefix == df["reporting_area"]).all()
    assert (year == df["seizure_date"].dt.year()).all()


def test_arrests_and_nationalities(df: pl.DataFrame) -> None:
    assert (df["persons_arrested"] >= 0).all()
    none = df.filter(pl.col("persons_arrested") == 0)
    some = df.filter(pl.col("persons_arrested") > 0)
    assert (none["arrested_nationalities"] == "").all()
    assert (none["arrested_sex"] == "").all()
    assert (some["arrested_nationalities"] != "").all()
    counts = some["arrested_nationalities"].str.split(";").list.len()
    assert (counts <= some["persons_arrested"]).all()
    single = some.filter(pl.col("persons_arrested") == 1)
    assert "mixed" not in set(single["arrested_sex"].unique())
    lists = some["arrested_nationalities"].str.split(";")
    assert (lists.list.len() == lists.list.unique().list.len()).all()


def test_mostly_filled_and_mostly_empty_fields(df: pl.DataFrame) -> None:
    blank = {name: (df[name] == "").mean() for name in ("place", "origin_area", "notes")}
    assert blank["place"] < 0.15
    assert blank["origin_area"] < 0.3
    assert blank["notes"] > 0.9


def test_transit_lists(df: pl.DataFrame) -> None:
    routed = df.filter(pl.col("transit_areas") != "")
    assert routed.height > 0.1 * df.height
    stops = routed["transit_areas"].str.split(";")
    assert (stops.list.len() == stops.list.unique().list.len()).all()
    # The destination is never one of the transit countries.
    assert (
        not routed.select(
            pl.col("transit_areas").str.contains(pl.col("destination_area"))
            & (pl.col("destination_area") != "")
        )
        .to_series()
        .any()
    )


# --- Route patterns ---------------------------------------------------------------


def test_cocaine_goes_to_europe_and_north_america(df: pl.DataFrame) -> None:
    cocaine = df.filter((pl.col("drug") == "cocaine-hcl") & (pl.col("destination_area") != ""))
    to_north = cocaine["destination_area"].is_in([*EUROPE, "USA", "CAN"]).mean()
    assert to_north > 0.6
    andean = df.filter(pl.col("drug") == "cocaine-hcl", pl.col("origin_area") != "")
    assert andean["origin_area"].is_in(["COL", "PER", "BOL"]).all()


def test_cocaine_seized_along_the_route(df: pl.DataFrame) -> None:
    route = df.filter(
        pl.col("drug") == "cocaine-hcl",
        pl.col("origin_area") == "COL",
        pl.col("destination_area").is_in(list(EUROPE)),
    )
    at_origin = (route["reporting_area"] == "COL").mean()
    at_destination = (route["reporting_area"] == route["destination_area"]).mean()
    in_transit = (
        route.select(pl.col("transit_areas").str.contains(pl.col("reporting_area")))
        .to_series()
        .mean()
    )
    west_africa = (
        route["reporting_area"].is_in(["GHA", "TGO", "BEN", "NGA", "GNB", "SEN", "CPV"]).mean()
    )
    assert at_origin > 0.05
    assert at_destination > 0.3
    assert in_transit > 0.03
    assert west_africa > 0.01


def test_quantities_depend_on_the_seizure(
    df: pl.DataFrame, unit_factors: dict[str, tuple[str, float]]
) -> None:
    frame = df.with_columns(kg=_kg(df, unit_factors))
    cocaine = frame.filter(pl.col("drug") == "cocaine-hcl")
    containers = cocaine.filter(pl.col("concealment").str.starts_with("container"))
    couriers = cocaine.filter(
        pl.col("place_type") == "airport", pl.col("concealment").str.contains("luggage")
    )
    packers = cocaine.filter(pl.col("concealment").str.starts_with("body packing"))
    postal = cocaine.filter(pl.col("place_type") == "mail_centre")
    assert containers["kg"].median() > 100
    assert containers["kg"].max() >= 1_000
    assert 0.5 <= couriers["kg"].median() <= 5
    assert packers["kg"].max() < 1.5
    assert postal["kg"].median() < 0.5
    assert (containers["place_type"].is_in(["seaport", "unknown"])).all()


def test_afghan_opiates(df: pl.DataFrame) -> None:
    heroin = df.filter(pl.col("drug") == "heroin", pl.col("origin_area") != "")
    assert (heroin["origin_area"] == "AFG").mean() > 0.6
    balkan = heroin.filter(pl.col("transit_areas").str.contains("TUR"))
    assert balkan["reporting_area"].is_in(["TUR", "BGR", "SRB", "MKD", "ALB", "GRC", "IRN"]).any()
    northern = heroin.filter(pl.col("destination_area") == "RUS")
    assert northern.height > 0
    assert set(_codes(northern, "transit_areas")) <= {"TJK", "UZB", "TKM", "KAZ", "KGZ"}


def test_methamphetamine_tablets_in_the_mekong(df: pl.DataFrame) -> None:
    yaba = df.filter(pl.col("drug") == "methamphetamine", pl.col("unit") == "tablet")
    assert yaba["reporting_area"].is_in(list(YABA_COUNTRIES)).mean() > 0.95
    west_africa = df.filter(pl.col("drug") == "methamphetamine", pl.col("origin_area") == "NGA")
    assert set(west_africa["destination_area"].unique()) - {""} <= {
        "JPN",
        "KOR",
        "MYS",
        "ZAF",
        "AUS",
    }


def test_other_flows(df: pl.DataFrame) -> None:
    resin = df.filter(pl.col("drug") == "cannabis-resin", pl.col("origin_area") != "")
    assert (resin["origin_area"] == "MAR").all()
    captagon = df.filter(pl.col("drug") == "captagon", pl.col("origin_area") != "")
    assert captagon["origin_area"].is_in(["SYR", "LBN"]).all()
    assert (captagon["destination_area"] == "SAU").mean() > 0.3
    ketamine = df.filter(pl.col("drug") == "ketamine")
    assert ketamine["reporting_area"].is_in(list(ESEA | {"IND"})).mean() > 0.95
    herb = df.filter(pl.col("drug") == "cannabis-herb")
    assert herb["reporting_area"].n_unique() > 25


def _by_year(frame: pl.DataFrame) -> dict[int, int]:
    counts = frame.group_by(pl.col("seizure_date").dt.year().alias("y")).len()
    return dict(zip(counts["y"], counts["len"], strict=True))


def test_trends(df: pl.DataFrame) -> None:
    cocaine_europe = _by_year(
        df.filter(pl.col("drug") == "cocaine-hcl", pl.col("destination_area").is_in(list(EUROPE)))
    )
    assert cocaine_europe[2024] > 1.8 * cocaine_europe[2016]
    meth_esea = _by_year(
        df.filter(pl.col("drug") == "methamphetamine", pl.col("reporting_area").is_in(list(ESEA)))
    )
    assert meth_esea[2024] > 2.5 * meth_esea[2015]
    afghan = _by_year(
        df.filter(pl.col("drug").is_in(["heroin", "opium"]), pl.col("origin_area") == "AFG")
    )
    assert afghan[2024] < 0.5 * afghan[2021]
    assert afghan[2023] < 0.7 * afghan[2022]


# --- Output -------------------------------------------------------------------------


def test_write_csv(tmp_path: Path) -> None:
    frame = generate_seizures(300, seed=9)
    path = tmp_path / "seizures.csv"
    write_csv(frame, path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 301
    back = pl.read_csv(path, schema=COLUMNS).with_columns(pl.col(pl.String).fill_null(""))
    assert back.equals(frame)


def test_one_million_rows() -> None:
    frame = generate_seizures(1_000_000, seed=1)
    assert frame.height == 1_000_000
    assert frame["case_reference"].is_unique().all()


def test_module_does_not_import_django() -> None:
    code = (
        "import sys; import observatory.synthetic.seizures as g; "
        "g.generate_seizures(10); assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
