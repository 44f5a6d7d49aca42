"""Open data pages: /statistics/data/ lists every dataflow with what it holds
and its files in every format; /statistics/data/<dataflow>/<format>/ and
/statistics/data/<dataflow>/structure/<format>/ send them (open_data.py)."""

from __future__ import annotations

import os
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from observatory.core.errors import NotFound
from observatory.statistics import selectors
from observatory.statistics.exports import open_data
from observatory.statistics.models import Dataflow


def _latest_flows() -> list[Dataflow]:
    return sorted(selectors.latest_dataflows(), key=lambda f: f.name)


def _summary(flow: Dataflow) -> dict[str, Any]:
    """What the public sees of the dataflow; kept until a publication changes it."""

    def compute() -> dict[str, Any]:
        found = (
            selectors.current_observations(actor=None, dataflow=flow)
            .order_by()
            .aggregate(
                observations=Count("pk"),
                areas=Count("area", distinct=True),
                first=Min("time_period"),
                last=Max("time_period"),
            )
        )
        return dict(found)

    key = f"opendata:{flow.pk}:{open_data.fingerprint(flow)}"
    found: dict[str, Any] = cache.get_or_set(key, compute, timeout=None) or compute()
    return found


def data_index(request: HttpRequest) -> HttpResponse:
    flows = [
        {"flow": flow, "formats": open_data.formats_for(flow), **_summary(flow)}
        for flow in _latest_flows()
    ]
    return render(
        request,
        "statistics/data.html",
        {"flows": flows, "structure_formats": list(open_data.STRUCTURE_FORMATS.values())},
    )


def _flow(code: str) -> Dataflow:
    try:
        return selectors.dataflow_get(code)
    except NotFound as error:
        raise Http404(str(error)) from error


def _send(found: open_data.Download) -> FileResponse:
    stream = found.path.open("rb")
    if found.temporary:
        os.unlink(found.path)  # gone from the disk once the response is closed
    response = FileResponse(
        stream, as_attachment=True, filename=found.filename, content_type=found.media_type
    )
    shared = not found.temporary
    response["Cache-Control"] = "public, max-age=300" if shared else "private, no-store"
    return response


def data_file(request: HttpRequest, dataflow: str, fmt: str) -> FileResponse:
    flow = _flow(dataflow)
    try:
        found = open_data.observations_file(actor=request.user, dataflow=flow, code=fmt)
    except NotFound as error:
        raise Http404(str(error)) from error
    return _send(found)


def structure_file(request: HttpRequest, dataflow: str, fmt: str) -> FileResponse:
    flow = _flow(dataflow)
    try:
        found = open_data.structure_file(dataflow=flow, code=fmt)
    except NotFound as error:
        raise Http404(str(error)) from error
    return _send(found)
