"""Pages to browse and search reference data (public)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from observatory.core.errors import NotFound
from observatory.reference import selectors
from observatory.reference.models import Area

PAGE_SIZE = 50


def reference_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reference/index.html",
        {
            "counts": {
                "areas": Area.objects.count(),
                "drugs": selectors.drug_list().count(),
                "units": selectors.unit_list().count(),
                "iccs": selectors.iccs_list().count(),
            },
        },
    )


def reference_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = selectors.reference_search(query) if query.strip() else None
    template = (
        "reference/_search_results.html"
        if request.headers.get("HX-Request")
        else "reference/search.html"
    )
    return render(request, template, {"query": query, "results": results})


def area_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    region = request.GET.get("region", "").strip()[:20]
    areas = selectors.area_list(query=query, region=region)
    page = Paginator(areas, PAGE_SIZE).get_page(request.GET.get("page"))
    regions = selectors.region_tree()
    return render(
        request,
        "reference/area_list.html",
        {"page": page, "query": query, "region": region, "regions": regions},
    )


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        area = selectors.area_get(code)
    except NotFound as error:
        raise Http404(str(error)) from error
    population = list(selectors.population_series(area=area))
    return render(
        request, "reference/area_detail.html", {"area": area, "population": population[-15:]}
    )


def drug_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    if query:
        return render(
            request,
            "reference/drug_list.html",
            {"query": query, "drugs": selectors.drug_list(query=query)},
        )
    return render(
        request, "reference/drug_list.html", {"query": "", "groups": selectors.drug_group_list()}
    )


def drug_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        drug = selectors.drug_get(code)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "reference/drug_detail.html", {"drug": drug})


def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reference/unit_list.html", {"units": selectors.unit_list()})


def iccs_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    categories = list(selectors.iccs_list(query=query))
    return render(
        request,
        "reference/iccs_list.html",
        {
            "categories": categories,
            "query": query,
            "unverified": sum(1 for c in categories if not c.verified),
        },
    )
