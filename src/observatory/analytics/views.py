"""Trends dashboard and flows explorer over published seizures (public); the ARQ
seizure table beside the country's individual seizures (its reporters, its
country and the office)."""

from __future__ import annotations

import io

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from observatory.accounts import access
from observatory.accounts.models import Organisation
from observatory.analytics import engine, queries, reconciliation
from observatory.analytics.lake import LEGS, SEIZURES
from observatory.core.charts import flow_map, trend_chart
from observatory.core.errors import ObservatoryError
from observatory.reference import geography
from observatory.reference.models import Drug, DrugGroup, Region


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> queries.Filters:
    get = request.GET
    return queries.Filters(
        drug=get.get("drug", "")[:40],
        group=get.get("group", "")[:40],
        area=get.get("area", "").upper()[:10],
        region=get.get("region", "")[:20],
        year_from=_int(get.get("year_from")),
        year_to=_int(get.get("year_to")),
    )


def _choices() -> dict[str, object]:
    return {
        "drugs": Drug.objects.order_by("name_en"),
        "groups": DrugGroup.objects.all(),
        "regions": Region.objects.filter(level__in=["region", "subregion"]).order_by(
            "scheme", "name_en"
        ),
    }


def _csv(frame: pl.DataFrame, name: str) -> HttpResponse:
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def trends(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    by = request.GET.get("by", "group") if request.GET.get("by") in queries.GROUPINGS else "group"
    period = request.GET.get("period") or "year"
    period = period if period in queries.PERIODS else "year"
    measure = "seizures" if request.GET.get("measure") == "seizures" else "kilograms"
    frame = pl.DataFrame()
    if engine.has_data(SEIZURES):
        con = engine.connect()
        frame = engine.run(
            queries.trends(engine.table(con, SEIZURES), by=by, period=period, filters=filters)
        )
    if request.GET.get("format") == "csv":
        return _csv(frame, f"seizure-trends-by-{by}-{period}")
    spec = (
        trend_chart(
            frame,
            measure=measure,
            key_title=by,
            title=_("Seizures by %(by)s and %(period)s") % {"by": by, "period": period},
        )
        if not frame.is_empty()
        else None
    )
    return render(
        request,
        "analytics/trends.html",
        {
            "spec": spec,
            "rows": frame.to_dicts() if not frame.is_empty() else [],
            "by": by,
            "period": period,
            "measure": measure,
            "filters": filters,
            "groupings": sorted(queries.GROUPINGS),
            "periods": ["year", "quarter", "month"],
            **_choices(),
        },
    )


def flows(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    routes = legs = totals = pl.DataFrame()
    hubs = pl.DataFrame()
    if engine.has_data(SEIZURES):
        con = engine.connect()
        seizures = engine.table(con, SEIZURES)
        routes = engine.run(queries.top_routes(seizures, filters=filters, limit=25))
        legs = engine.run(queries.leg_totals(engine.table(con, LEGS), filters=filters))
        totals = engine.run(queries.area_totals(seizures, filters=filters))
        all_routes = engine.run(queries.top_routes(seizures, filters=filters, limit=100_000))
        hubs = queries.hubs(all_routes, legs)
    export = request.GET.get("format")
    if export == "csv":
        return _csv(routes, "seizure-routes")
    if export == "legs.csv":
        return _csv(legs, "seizure-route-legs")
    spec = (
        flow_map(
            legs, totals, geography.centroids(), title=_("Trafficking routes (published seizures)")
        )
        if not legs.is_empty()
        else None
    )
    return render(
        request,
        "analytics/flows.html",
        {
            "spec": spec,
            "routes": routes.to_dicts(),
            "legs": legs.head(25).to_dicts(),
            "hubs": hubs.to_dicts(),
            "filters": filters,
            **_choices(),
        },
    )


@login_required
def reconcile(request: HttpRequest, org: str, year: int) -> HttpResponse:
    organisation = Organisation.objects.filter(code__iexact=org).exclude(area=None).first()
    if organisation is None:
        raise Http404("no such organisation")
    reporting = access.reports_for(request.user, organisation)
    own_country = access.is_own_country(request.user, organisation.area_id)
    if not (reporting or own_country or access.can_review(request.user)):
        raise Http404("no such organisation, or it is not visible to you")
    if request.method == "POST":
        if not reporting:
            return render(request, "403.html", status=403)
        try:
            _version, count = reconciliation.prefill(
                actor=request.user, organisation=organisation, year=year
            )
        except ObservatoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(n)s cells of the ARQ seizure table were filled from individual seizures "
                    "(marked as derived); reported values were left as they were."
                )
                % {"n": count},
            )
        return redirect(request.path)
    lines = reconciliation.compare(actor=request.user, organisation=organisation, year=year)
    return render(
        request,
        "analytics/reconciliation.html",
        {
            "organisation": organisation,
            "year": year,
            "lines": lines,
            "reporting": reporting,
            "questionnaire": reconciliation.QUESTIONNAIRE,
        },
    )
