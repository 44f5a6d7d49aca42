"""The trends dashboard and the flows explorer: empty and with data, the Vega-Lite
specs they embed, their CSV exports, bad parameters, and the country centroids
placing the flows on the map."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.analytics import engine, lake, queries
from observatory.reference import geography
from tests.analytics import write_tiny_store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_store(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def _tiny_store() -> None:
    write_tiny_store()


def embedded_spec(response: Any, element_id: str) -> dict[str, Any]:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    assert found is not None, f"no {element_id} in the page"
    return json.loads(found.group(1))


DATASET_OF = {"trends": lake.SEIZURES, "leg_totals": lake.LEGS}


def query(name: str, **arguments: Any) -> list[dict[str, Any]]:
    """What the query `name` returns on the store, run directly."""
    table = engine.table(engine.connect(), DATASET_OF[name])
    return engine.run(getattr(queries, name)(table, **arguments)).to_dicts()


@pytest.mark.parametrize("path", ["/analytics/trends/", "/analytics/flows/"])
def test_pages_without_data(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "trend-spec" not in page
    assert "flow-spec" not in page
    assert response.context["spec"] is None


def test_trends_without_data_say_so(client: Client) -> None:
    assert "No published seizures match." in client.get("/analytics/trends/").content.decode()


@pytest.mark.usefixtures("_tiny_store")
@pytest.mark.parametrize(
    ("parameters", "by", "period"),
    [
        ({}, "group", "year"),
        ({"by": "area", "period": "quarter"}, "area", "quarter"),
        ({"by": "drug", "period": "month", "group": "cocaine"}, "drug", "month"),
    ],
)
def test_the_trend_chart_shows_the_query(
    client: Client, parameters: dict[str, str], by: str, period: str
) -> None:
    response = client.get("/analytics/trends/", parameters)
    assert response.status_code == 200
    spec = embedded_spec(response, "trend-spec")
    filters = queries.Filters(group=parameters.get("group", ""))
    assert spec["data"]["values"] == query("trends", by=by, period=period, filters=filters)
    assert spec["encoding"]["y"]["field"] == "kilograms"
    assert spec["encoding"]["color"]["title"] == by
    assert spec["title"] == f"Seizures by {by} and {period}"


@pytest.mark.usefixtures("_tiny_store")
def test_the_trend_chart_by_group_and_year_has_the_exact_numbers(client: Client) -> None:
    spec = embedded_spec(client.get("/analytics/trends/", {"measure": "seizures"}), "trend-spec")
    assert spec["encoding"]["y"]["field"] == "seizures"
    assert spec["data"]["values"] == [
        {"period": "2023", "key": "cocaine", "seizures": 2, "kilograms": 120.0},
        {"period": "2024", "key": "cannabis", "seizures": 1, "kilograms": 300.0},
        {"period": "2024", "key": "cocaine", "seizures": 2, "kilograms": 40.0},
        {"period": "2024", "key": "opioids", "seizures": 1, "kilograms": 2.5},
    ]


@pytest.mark.usefixtures("_tiny_store")
def test_the_trend_area_filter_takes_lower_case(client: Client) -> None:
    spec = embedded_spec(client.get("/analytics/trends/", {"area": "esp"}), "trend-spec")
    assert [(v["key"], v["seizures"]) for v in spec["data"]["values"]] == [
        ("cannabis", 1),
        ("cocaine", 2),
    ]


@pytest.mark.usefixtures("_tiny_store")
def test_trends_matching_nothing_show_no_chart(client: Client) -> None:
    response = client.get("/analytics/trends/", {"drug": "lsd"})
    assert response.status_code == 200
    assert response.context["spec"] is None
    assert "No published seizures match." in response.content.decode()


@pytest.mark.usefixtures("_tiny_store")
@pytest.mark.parametrize(
    "parameters",
    [
        {"by": "xyz"},
        {"period": "decade"},
        {"year_from": "abc", "year_to": "2x"},
        {"by": "xyz", "period": "decade", "year_from": "abc", "measure": "tonnes"},
    ],
)
def test_bad_trend_parameters_fall_back_to_the_defaults(
    client: Client, parameters: dict[str, str]
) -> None:
    response = client.get("/analytics/trends/", parameters)
    assert response.status_code == 200
    assert (response.context["by"], response.context["period"]) == ("group", "year")
    assert response.context["filters"] == queries.Filters()
    assert response.context["measure"] == "kilograms"
    assert embedded_spec(response, "trend-spec")["data"]["values"] == query("trends")


@pytest.mark.usefixtures("_tiny_store")
def test_trends_as_csv(client: Client) -> None:
    response = client.get("/analytics/trends/", {"format": "csv", "by": "area"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="seizure-trends-by-area-year.csv"'
    )
    assert response.content.decode().splitlines() == [
        "period,key,seizures,kilograms",
        "2023,COL,2,120.0",
        "2024,COL,1,2.5",
        "2024,ESP,3,340.0",
    ]


@pytest.mark.usefixtures("_tiny_store")
def test_trends_as_csv_matching_nothing_keeps_the_header(client: Client) -> None:
    response = client.get("/analytics/trends/", {"format": "csv", "drug": "lsd"})
    assert response.content.decode().splitlines() == ["period,key,seizures,kilograms"]


@pytest.mark.usefixtures("_tiny_store")
def test_the_flow_map_shows_the_legs_and_the_seizing_countries(client: Client) -> None:
    response = client.get("/analytics/flows/")
    assert response.status_code == 200
    spec = embedded_spec(response, "flow-spec")
    _countries, legs, points = spec["layer"]
    assert [
        (v["source"], v["target"], v["seizures"], v["kilograms"]) for v in legs["data"]["values"]
    ] == [(r["source"], r["target"], r["seizures"], r["kilograms"]) for r in query("leg_totals")]
    assert sorted((v["area"], v["seizures"], v["kilograms"]) for v in points["data"]["values"]) == [
        ("COL", 3, 122.5),
        ("ESP", 3, 340.0),
    ]
    centroids = geography.centroids()
    first = legs["data"]["values"][0]
    assert (first["lon"], first["lat"], first["lon2"], first["lat2"]) == (
        *centroids["COL"],
        *centroids["PAN"],
    )
    assert [r["route_key"] for r in response.context["routes"]] == [
        "COL>PAN>ESP",
        "COL>ESP",
        "MAR>ESP",
    ]
    assert response.context["hubs"][0]["area"] == "PAN"


@pytest.mark.usefixtures("_tiny_store")
def test_the_flow_map_follows_the_region_filter(client: Client) -> None:
    """Routes of South American seizures only: the map must not draw Spain's legs."""
    response = client.get("/analytics/flows/", {"region": "419"})
    assert [r["route_key"] for r in response.context["routes"]] == ["COL>PAN>ESP"]
    legs = embedded_spec(response, "flow-spec")["layer"][1]["data"]["values"]
    assert [(v["source"], v["target"], v["seizures"]) for v in legs] == [
        ("COL", "PAN", 2),
        ("PAN", "ESP", 2),
    ]


@pytest.mark.usefixtures("_tiny_store")
@pytest.mark.parametrize(
    ("export", "filename", "lines"),
    [
        (
            "csv",
            "seizure-routes",
            [
                "route_key,seizures,kilograms,points",
                "COL>PAN>ESP,3,120.0,3",
                "COL>ESP,1,40.0,2",
                "MAR>ESP,1,300.0,2",
            ],
        ),
        (
            "legs.csv",
            "seizure-route-legs",
            [
                "source,target,seizures,kilograms",
                "COL,PAN,3,120.0",
                "PAN,ESP,3,120.0",
                "COL,ESP,1,40.0",
                "MAR,ESP,1,300.0",
            ],
        ),
    ],
)
def test_flows_as_csv(client: Client, export: str, filename: str, lines: list[str]) -> None:
    response = client.get("/analytics/flows/", {"format": export})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}.csv"'
    assert response.content.decode().splitlines() == lines


@pytest.mark.usefixtures("_tiny_store")
@pytest.mark.parametrize(
    "parameters",
    [{"year_from": "abc"}, {"year_to": "-"}, {"region": "nowhere"}, {"area": "x" * 50}],
)
def test_bad_flow_parameters_do_not_break_the_page(
    client: Client, parameters: dict[str, str]
) -> None:
    assert client.get("/analytics/flows/", parameters).status_code == 200


@pytest.mark.usefixtures("_tiny_store")
def test_flows_matching_nothing_draw_no_map(client: Client) -> None:
    response = client.get("/analytics/flows/", {"drug": "lsd"})
    assert response.status_code == 200
    assert response.context["spec"] is None
    assert response.context["routes"] == []


@pytest.mark.parametrize(("code", "longitude", "latitude"), [("FRA", 2, 46), ("USA", -99, 39)])
def test_centroids_sit_in_the_countries(code: str, longitude: float, latitude: float) -> None:
    lon, lat = geography.centroids()[code]
    assert abs(lon - longitude) < 2.5
    assert abs(lat - latitude) < 2.5


def test_centroids_include_the_small_areas_the_atlas_lacks() -> None:
    centroids = geography.centroids()
    assert centroids["SGP"] == (103.8, 1.35)
    assert {"COL", "PAN", "ESP", "MAR"} <= set(centroids)
