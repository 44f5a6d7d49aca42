"""Reference pages and API endpoints, in English and Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("heroine", "/reference/drugs/heroin/"),
        ("冰毒", "/reference/drugs/methamphetamine/"),
        ("Holland", "/reference/areas/NLD/"),
    ],
)
def test_search_page_finds_the_right_entry(client: Client, query: str, expected: str) -> None:
    response = client.get("/reference/search/", {"q": query})
    assert response.status_code == 200
    assert f'href="{expected}"' in response.content.decode()


def test_search_page_in_chinese_shows_chinese_names(client: Client) -> None:
    response = client.get("/reference/search/", {"q": "Holland"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "荷兰" in page
    assert "搜索参考数据" in page


def test_search_partial_for_htmx(client: Client) -> None:
    response = client.get("/reference/search/", {"q": "heroine"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "/reference/drugs/heroin/" in response.content.decode()


def test_search_reports_nothing_found(client: Client) -> None:
    response = client.get("/reference/search/", {"q": "qqqqqqqqqq"})
    assert "Nothing found" in response.content.decode()


def test_area_list_filters_by_name_in_any_language(client: Client) -> None:
    page = client.get("/reference/areas/", {"q": "哥伦比亚"}).content.decode()
    assert "/reference/areas/COL/" in page
    assert "/reference/areas/ECU/" not in page


def test_area_list_filters_by_drug_report_region(client: Client) -> None:
    page = client.get("/reference/areas/", {"region": "005"}).content.decode()  # South America
    assert "/reference/areas/COL/" in page
    assert "/reference/areas/ESP/" not in page


def test_area_detail_shows_names_and_population(client: Client) -> None:
    page = client.get("/reference/areas/NLD/").content.decode()
    assert "荷兰" in page
    assert "Holland" in page
    assert "2020" in page


def test_unknown_area_is_404(client: Client) -> None:
    assert client.get("/reference/areas/QQQ/").status_code == 404


def test_drug_detail_lists_synonyms(client: Client) -> None:
    page = client.get("/reference/drugs/heroin/").content.decode()
    assert "海洛因" in page
    assert "heroine" in page


def test_iccs_page_marks_unverified_categories(client: Client) -> None:
    page = client.get("/reference/iccs/").content.decode()
    assert "0101" in page
    assert "not verified" in page


def test_api_normalise(client: Client) -> None:
    body = client.get("/api/v1/reference/normalise", {"kind": "drug", "q": "heroine"}).json()
    assert (body["code"], body["confidence"]) == ("heroin", 1.0)
    body = client.get("/api/v1/reference/normalise", {"kind": "area", "q": "Holland"}).json()
    assert body["code"] == "NLD"


def test_api_normalise_unresolved_gives_suggestions(client: Client) -> None:
    body = client.get("/api/v1/reference/normalise", {"kind": "drug", "q": "Herion"}).json()
    assert body["code"] is None
    assert body["suggestions"][0]["code"] == "heroin"


def test_api_normalise_rejects_unknown_kind(client: Client) -> None:
    response = client.get("/api/v1/reference/normalise", {"kind": "weapon", "q": "x"})
    assert response.status_code == 422


def test_api_areas_paginates_and_filters(client: Client) -> None:
    body = client.get("/api/v1/reference/areas", {"q": "Colombia", "limit": 5}).json()
    assert body["count"] == 1
    assert body["items"][0]["code"] == "COL"
    assert body["items"][0]["names"]["zh"] == "哥伦比亚"


def test_api_area_detail_has_aliases(client: Client) -> None:
    body = client.get("/api/v1/reference/areas/NLD").json()
    assert "Holland" in body["aliases"]


def test_api_unknown_area_is_404_with_a_message(client: Client) -> None:
    response = client.get("/api/v1/reference/areas/QQQ")
    assert response.status_code == 404
    assert "QQQ" in response.json()["detail"]


def test_api_population(client: Client) -> None:
    body = client.get(
        "/api/v1/reference/areas/COL/population", {"year_from": 2019, "year_to": 2020}
    ).json()
    assert [row["year"] for row in body] == [2019, 2020]


def test_api_drug_detail_and_iccs(client: Client) -> None:
    drug = client.get("/api/v1/reference/drugs/heroin").json()
    assert drug["group"] == "opioids"
    assert any(s["text"] == "海洛因" for s in drug["synonyms"])
    iccs = client.get("/api/v1/reference/iccs/0101").json()
    assert (iccs["level"], iccs["parent"]) == ("division", "01")


def test_openapi_document_lists_reference_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/reference/areas" in paths
    assert "/api/v1/me" in paths
