"""The analytics store: partitions written and removed, routes and legs computed
from reported seizures, the trend and flow queries on a tiny hand-made store
(exact numbers), and publication through the workflow keeping the store fresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts.models import Organisation, User
from observatory.analytics import engine, lake, queries
from observatory.reference.models import Area
from observatory.submissions import services
from observatory.submissions.models import Version
from tests.analytics import tiny_frame, write_tiny_store
from tests.submissions import import_csv, seizure_csv

CSV_V1 = seizure_csv(
    "C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena",
    "C-2,2024-02-10,cocaine,50,kg,COL,,USA,Buenaventura",
    "C-3,2024-05-05,heroin,2,kg,,,,Bogotá",
)
CSV_V2 = seizure_csv(
    "C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena",
    "C-2,2024-02-10,cocaine,55,kg,COL,,USA,Buenaventura",
    "C-4,2024-06-01,cannabis-herb,300,kg,COL,,,Cali",
)


@pytest.fixture(autouse=True)
def lake_root(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """Each test gets an analytics store (and media directory) of its own."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "var" / "lake"


@pytest.fixture
def store(lake_root: Path) -> Any:
    write_tiny_store()
    con = engine.connect()
    return {"seizures": engine.table(con, lake.SEIZURES), "legs": engine.table(con, lake.LEGS)}


def rows(expression: Any) -> list[tuple[Any, ...]]:
    return engine.run(expression).rows()


# --------------------------------------------------------------------------
# Partitions.


def test_write_partition_replaces_the_file_and_an_empty_frame_removes_it(lake_root: Path) -> None:
    frame = tiny_frame().filter(pl.col("area") == "COL")
    path = engine.write_partition(lake.SEIZURES, "COL", frame)
    assert path == lake_root / "seizures" / "area=COL" / "data.parquet"
    assert engine.has_data(lake.SEIZURES)
    assert "area" not in pl.read_parquet(path).columns  # the partition key is in the path

    engine.write_partition(lake.SEIZURES, "COL", frame.head(1))
    assert pl.read_parquet(path)["seizure_id"].to_list() == [1]
    assert [p.name for p in path.parent.iterdir()] == ["data.parquet"]  # no temporary left

    assert engine.write_partition(lake.SEIZURES, "COL", frame.clear()) is None
    assert not (lake_root / "seizures" / "area=COL").exists()
    assert not engine.has_data(lake.SEIZURES)


def test_the_area_comes_back_from_the_partition_path(store: Any) -> None:
    areas = rows(
        store["seizures"].group_by("area").aggregate(n=store["seizures"].count()).order_by("area")
    )
    assert areas == [("COL", 3), ("ESP", 3)]


# --------------------------------------------------------------------------
# Routes and legs.

REPORTED = [
    # seizure_id, seizing area, origin, departure, transits, destination
    (1, "ESP", "COL", "COL", ["PAN"], "ESP"),
    (2, "ESP", "COL", "VEN", [], "NLD"),
    (3, "USA", "unknown", "", ["other", "PAN"], "unknown"),
    (4, "TUR", "AFG", "IRN", ["TUR", "TUR"], "DEU"),
    (5, "FRA", None, None, None, None),
    (6, "NLD", "COL", "", [], ""),
    (7, "ESP", "COL", "COL", ["PAN"], "ESP"),
    (8, "BEL", "PER", "ECU", ["PAN", "PAN", "ESP"], "BEL"),
]
ROUTES = {
    1: ["COL", "PAN", "ESP"],  # the departure repeats the origin
    2: ["COL", "VEN", "ESP", "NLD"],  # the seizing country goes before the destination
    3: ["PAN", "USA"],  # unknown and other are left out
    4: ["AFG", "IRN", "TUR", "DEU"],  # the seizing country is a transit: not added again
    5: ["FRA"],  # nothing reported: the seizing country alone
    6: ["COL", "NLD"],
    7: ["COL", "PAN", "ESP"],  # the same reported route, the same result
    8: ["PER", "ECU", "PAN", "ESP", "BEL"],
}


def reported_frame() -> pl.DataFrame:
    frame = pl.DataFrame(
        REPORTED,
        orient="row",
        schema={
            "seizure_id": pl.Int64,
            "area": pl.String,
            "origin_area": pl.String,
            "departure_area": pl.String,
            "transit_areas": pl.List(pl.String),
            "destination_area": pl.String,
        },
    )
    return frame.with_columns(
        pl.lit(dt.date(2024, 5, 17)).alias("seizure_date"),
        pl.lit("cocaine").alias("drug"),
        pl.lit("cocaine").alias("drug_group"),
        (pl.col("seizure_id") * 10.0).alias("kilograms"),
    )


@pytest.mark.django_db
def test_routes_from_what_was_reported() -> None:
    routed = lake.add_routes(reported_frame()).sort("seizure_id")
    assert dict(zip(routed["seizure_id"], routed["route"].to_list(), strict=True)) == ROUTES
    assert routed["route_key"].to_list() == [">".join(ROUTES[i]) for i in range(1, 9)]
    assert set(routed.select("year", "quarter", "month").rows()) == {(2024, 2, 5)}
    regions = dict(Area.objects.values_list("code", "region__code"))
    subregions = dict(Area.objects.values_list("code", "subregion__code"))
    assert routed["region"].to_list() == [regions[a] for a in routed["area"]]
    assert routed["subregion"].to_list() == [subregions[a] for a in routed["area"]]
    assert routed.filter(pl.col("area") == "ESP")["region"].unique().to_list() == ["150"]


@pytest.mark.django_db
def test_legs_follow_the_routes_with_the_seizure_weight() -> None:
    legs = lake.legs(lake.add_routes(reported_frame()))
    got = sorted(legs.select("seizure_id", "source", "target", "kilograms").rows())
    assert got == [
        (1, "COL", "PAN", 10.0),
        (1, "PAN", "ESP", 10.0),
        (2, "COL", "VEN", 20.0),
        (2, "ESP", "NLD", 20.0),
        (2, "VEN", "ESP", 20.0),
        (3, "PAN", "USA", 30.0),
        (4, "AFG", "IRN", 40.0),
        (4, "IRN", "TUR", 40.0),
        (4, "TUR", "DEU", 40.0),
        (6, "COL", "NLD", 60.0),
        (7, "COL", "PAN", 70.0),
        (7, "PAN", "ESP", 70.0),
        (8, "ECU", "PAN", 80.0),
        (8, "ESP", "BEL", 80.0),
        (8, "PAN", "ESP", 80.0),
        (8, "PER", "ECU", 80.0),
    ]  # seizure 5 has a route of one point: no leg


# --------------------------------------------------------------------------
# Trends.


@pytest.mark.parametrize(
    ("by", "period", "expected"),
    [
        (
            "group",
            "year",
            [
                ("2023", "cocaine", 2, 120.0),
                ("2024", "cannabis", 1, 300.0),
                ("2024", "cocaine", 2, 40.0),
                ("2024", "opioids", 1, 2.5),
            ],
        ),
        (
            "drug",
            "year",
            [
                ("2023", "cocaine", 1, 100.0),
                ("2023", "cocaine-hcl", 1, 20.0),
                ("2024", "cannabis-resin", 1, 300.0),
                ("2024", "cocaine", 2, 40.0),
                ("2024", "heroin", 1, 2.5),
            ],
        ),
        (
            "area",
            "year",
            [("2023", "COL", 2, 120.0), ("2024", "COL", 1, 2.5), ("2024", "ESP", 3, 340.0)],
        ),
        (
            "region",
            "year",
            [("2023", "019", 2, 120.0), ("2024", "019", 1, 2.5), ("2024", "150", 3, 340.0)],
        ),
        (
            "subregion",
            "year",
            [("2023", "419", 2, 120.0), ("2024", "039", 3, 340.0), ("2024", "419", 1, 2.5)],
        ),
        (
            "area",
            "quarter",
            [
                ("2023-Q1", "COL", 1, 100.0),
                ("2023-Q4", "COL", 1, 20.0),
                ("2024-Q1", "COL", 1, 2.5),
                ("2024-Q2", "ESP", 2, 340.0),
                ("2024-Q3", "ESP", 1, None),  # no kg-equivalent reported
            ],
        ),
        (
            "group",
            "month",
            [
                ("2023-02", "cocaine", 1, 100.0),
                ("2023-11", "cocaine", 1, 20.0),
                ("2024-03", "opioids", 1, 2.5),
                ("2024-05", "cocaine", 1, 40.0),
                ("2024-06", "cannabis", 1, 300.0),
                ("2024-08", "cocaine", 1, None),
            ],
        ),
    ],
)
def test_trends(store: Any, by: str, period: str, expected: list[tuple[Any, ...]]) -> None:
    assert rows(queries.trends(store["seizures"], by=by, period=period)) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (queries.Filters(group="cocaine", year_from=2024), [("2024", "ESP", 2, 40.0)]),
        (queries.Filters(drug="heroin"), [("2024", "COL", 1, 2.5)]),
        (queries.Filters(area="ESP", year_to=2023), []),
        (queries.Filters(region="150"), [("2024", "ESP", 3, 340.0)]),
        (queries.Filters(region="419"), [("2023", "COL", 2, 120.0), ("2024", "COL", 1, 2.5)]),
        (queries.Filters(year_from=2023, year_to=2023), [("2023", "COL", 2, 120.0)]),
    ],
)
def test_trend_filters(
    store: Any, filters: queries.Filters, expected: list[tuple[Any, ...]]
) -> None:
    assert rows(queries.trends(store["seizures"], by="area", filters=filters)) == expected


@pytest.mark.parametrize(("by", "period"), [("xyz", "year"), ("group", "decade")])
def test_trends_refuse_unknown_groupings_and_periods(store: Any, by: str, period: str) -> None:
    with pytest.raises(ValueError, match="by must be one of"):
        queries.trends(store["seizures"], by=by, period=period)


# --------------------------------------------------------------------------
# Flows.


def test_top_routes(store: Any) -> None:
    assert rows(queries.top_routes(store["seizures"])) == [
        ("COL>PAN>ESP", 3, 120.0, 3),
        ("COL>ESP", 1, 40.0, 2),
        ("MAR>ESP", 1, 300.0, 2),
    ]  # seizure 3 (COL alone) is no route
    assert rows(queries.top_routes(store["seizures"], limit=1)) == [("COL>PAN>ESP", 3, 120.0, 3)]
    assert rows(queries.top_routes(store["seizures"], filters=queries.Filters(year_to=2023))) == [
        ("COL>PAN>ESP", 2, 120.0, 3)
    ]


def test_leg_totals(store: Any) -> None:
    assert rows(queries.leg_totals(store["legs"])) == [
        ("COL", "PAN", 3, 120.0),
        ("PAN", "ESP", 3, 120.0),
        ("COL", "ESP", 1, 40.0),
        ("MAR", "ESP", 1, 300.0),
    ]
    assert rows(queries.leg_totals(store["legs"], filters=queries.Filters(area="ESP"))) == [
        ("COL", "ESP", 1, 40.0),
        ("COL", "PAN", 1, None),
        ("MAR", "ESP", 1, 300.0),
        ("PAN", "ESP", 1, None),
    ]


def test_leg_totals_honour_the_region_filter(store: Any) -> None:
    """The flows page filters routes by region: the legs drawn on its map must follow."""
    assert rows(queries.leg_totals(store["legs"], filters=queries.Filters(region="419"))) == [
        ("COL", "PAN", 2, 120.0),
        ("PAN", "ESP", 2, 120.0),
    ]


def test_area_totals(store: Any) -> None:
    assert sorted(rows(queries.area_totals(store["seizures"]))) == [
        ("COL", 3, 122.5),
        ("ESP", 3, 340.0),
    ]


def test_hubs_transit_share_and_betweenness(store: Any) -> None:
    routes = engine.run(queries.top_routes(store["seizures"], limit=100))
    legs = engine.run(queries.leg_totals(store["legs"]))
    hubs = queries.hubs(routes, legs)
    assert hubs.row(0, named=True) == {
        "area": "PAN",
        "transit_share": pytest.approx(3 / 5),  # 3 of the 5 routed seizures pass through
        "betweenness": pytest.approx(1 / 6),  # COL -> ESP is shorter through PAN
    }
    assert dict(hubs.select("area", "transit_share").rows()) == {
        "PAN": pytest.approx(0.6),
        "COL": 0.0,
        "ESP": 0.0,
        "MAR": 0.0,
    }


def test_hubs_of_nothing() -> None:
    empty = queries.hubs(pl.DataFrame(), pl.DataFrame())
    assert empty.is_empty()
    assert empty.columns == ["area", "transit_share", "betweenness"]


# --------------------------------------------------------------------------
# From the database into the store.


def publish(version: Version, users: dict[str, User]) -> Version:
    services.version_submit(version=version, actor=users["focal_point"])
    services.version_accept(version=version, actor=users["analyst"])
    return services.version_publish(version=version, actor=users["analyst"])


@pytest.mark.django_db
def test_refresh_area_writes_the_published_seizures_and_their_legs(
    users: dict[str, User], col_police: Organisation, lake_root: Path
) -> None:
    version = publish(import_csv(col_police, users["contributor"], CSV_V1), users)

    assert lake.refresh_area("COL") == 3

    seizures = pl.read_parquet(lake_root / "seizures" / "area=COL" / "data.parquet")
    by_route = dict(
        zip(seizures["seizure_date"].cast(pl.String), seizures["route_key"], strict=True)
    )
    assert by_route == {"2024-01-15": "COL>PAN>ESP", "2024-02-10": "COL>USA", "2024-05-05": "COL"}
    assert set(seizures["version_id"]) == {version.pk}
    assert sorted(seizures["kilograms"]) == [2.0, 50.0, 100.0]
    assert set(seizures["drug_group"]) == {"cocaine", "opioids"}
    legs = pl.read_parquet(lake_root / "seizure_legs" / "area=COL" / "data.parquet")
    assert sorted(legs.select("source", "target", "kilograms").rows()) == [
        ("COL", "PAN", 100.0),
        ("COL", "USA", 50.0),
        ("PAN", "ESP", 100.0),
    ]


@pytest.mark.django_db
def test_refresh_area_writes_nothing_for_unpublished_data(
    users: dict[str, User], col_police: Organisation, lake_root: Path
) -> None:
    import_csv(col_police, users["contributor"], CSV_V1)
    engine.write_partition(lake.SEIZURES, "COL", tiny_frame().filter(pl.col("area") == "COL"))

    assert lake.refresh_area("COL") == 0
    assert not (lake_root / "seizures" / "area=COL").exists()
    assert not (lake_root / "seizure_legs" / "area=COL").exists()


def trend_by_area() -> list[tuple[Any, ...]]:
    con = engine.connect()
    return rows(queries.trends(engine.table(con, lake.SEIZURES), by="area"))


@pytest.mark.django_db
def test_publication_reaches_the_trends_and_a_correction_replaces_it(
    users: dict[str, User],
    col_police: Organisation,
    lake_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    v1 = import_csv(col_police, users["contributor"], CSV_V1)
    services.version_submit(version=v1, actor=users["focal_point"])
    services.version_accept(version=v1, actor=users["analyst"])
    assert not engine.has_data(lake.SEIZURES)

    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=v1, actor=users["analyst"])
    assert trend_by_area() == [("2024", "COL", 3, 152.0)]

    v2 = import_csv(col_police, users["contributor"], CSV_V2)
    services.version_submit(version=v2, actor=users["focal_point"])
    services.version_accept(version=v2, actor=users["analyst"])
    assert trend_by_area() == [("2024", "COL", 3, 152.0)]  # a correction under review

    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=v2, actor=users["analyst"])
    assert trend_by_area() == [("2024", "COL", 3, 455.0)]  # replaced, not added
    stored = pl.read_parquet(lake_root / "seizures" / "area=COL" / "data.parquet")
    assert set(stored["version_id"]) == {v2.pk}
    assert [p.name for p in (lake_root / "seizures" / "area=COL").iterdir()] == ["data.parquet"]


@pytest.mark.django_db
def test_publication_keeps_other_areas_partitions(
    users: dict[str, User],
    col_police: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    write_tiny_store()
    v1 = import_csv(col_police, users["contributor"], CSV_V1)
    services.version_submit(version=v1, actor=users["focal_point"])
    services.version_accept(version=v1, actor=users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=v1, actor=users["analyst"])
    # COL's hand-made 2023 rows are replaced by its published ones; ESP is untouched.
    assert trend_by_area() == [("2024", "COL", 3, 152.0), ("2024", "ESP", 3, 340.0)]
