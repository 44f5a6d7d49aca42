"""Seizure list with filters, and one record."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from observatory.core.errors import NotFound
from observatory.reference.models import Drug, DrugGroup
from observatory.seizures import selectors
from observatory.seizures.filtersets import SeizureFilterSet


def seizure_list(request: HttpRequest) -> HttpResponse:
    # One version's rows on request (superseded ones included); else the current data.
    base = (
        selectors.seizure_list(actor=request.user)
        if request.GET.get("version")
        else selectors.current_seizures(actor=request.user)
    )
    filterset = SeizureFilterSet(request.GET, queryset=base)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows.order_by("-seizure_date", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "seizures/seizure_list.html",
        {
            "filter": filterset,
            "page": page,
            "drugs": Drug.objects.order_by("name_en"),
            "groups": DrugGroup.objects.all(),
        },
    )


def seizure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        seizure = selectors.seizure_get(actor=request.user, pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "seizures/seizure_detail.html", {"s": seizure})
