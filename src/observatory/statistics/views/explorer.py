"""The series explorer: /statistics/explorer/ (public).

One series of a dataflow (a code for each dimension) for chosen areas and
years, as counts or rates per 100,000, with regional aggregates and their
coverage; Vega-Lite charts and CSV downloads (same URL with format=csv, and
table=regional for the aggregates). The analysis is in explorer/compute.py.

Data are read through selectors.current_observations with the request's user:
anonymous visitors and users without a role see published data only.
Disclosure control (disclosure.py, the same rule as the API and the exports)
applies to every area but the user's own country, and to none for the office:
counts above zero and below the structure's rule are shown as “<n”, values
marked confidential and the published rates of suppressed counts withheld
(rate × population would give the count away); a suppressed count gets no
computed rate and adds nothing to a regional sum. A download by a user that
holds rows not published is audited, as exports are.

Queries: the database filters by dataflow, series key (the dimension codes in
the structure's order, one key for the counts and one for the published
rates: an exact match on a column of the row instead of a JSON lookup per
dimension), areas (the regions of the chosen areas, for the
aggregates) and years before any frame is built."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from observatory.accounts import access
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent
from observatory.reference.models import Region
from observatory.statistics import selectors
from observatory.statistics.explorer import compute
from observatory.statistics.explorer.display import (
    _csv,
    regional_chart,
    regional_display,
    series_chart,
    series_display,
)
from observatory.statistics.explorer.forms import (
    CHART_AREAS,
    LEVELS,
    MEASURES,
    TABLE_ROWS,
    TOLERANCE,
    TOTAL,
    WHOLES,
    ExplorerForm,
    Selection,
    StructureCodes,
    _is_public,
    _latest_flows,
    counts_and_rates,
)
from observatory.statistics.explorer.reading import (
    _areas_of,
    _areas_regions,
    _available_keys,
    _default_codes,
    _dimension_choices,
    _population,
    _read,
    _region_names,
)
from observatory.statistics.models import Dataflow

# --------------------------------------------------------------------------
# The page


def _default_flow(request: HttpRequest, flows: list[Dataflow]) -> Dataflow | None:
    """The first dataflow with data the user may see (the first one if none has)."""
    for flow in flows:
        if selectors.current_observations(actor=request.user, dataflow=flow).exists():
            return flow
    return flows[0] if flows else None


def _form(request: HttpRequest) -> tuple[ExplorerForm, list[Dataflow], dict[str, Any]]:
    flows = _latest_flows()
    by_code = {f.code: f for f in flows}
    data = request.GET.copy()
    requested = data.get("dataflow", "")
    flow = by_code.get(requested) or _default_flow(request, flows)
    if flow is not None and data.get("dims_of") and data["dims_of"] != flow.code:
        # The dataflow was changed in the form: its codes belonged to the other one.
        for name in [k for k in data if k.startswith("dim_")]:
            del data[name]
    context: dict[str, Any] = {"flow": flow}
    dimensions: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    areas: list[tuple[str, str]] = []
    if flow is not None:
        structure = StructureCodes(flow.structure)
        keys = _available_keys(request, flow)
        dimensions = _dimension_choices(structure, keys)
        given = {d: str(data.get(f"dim_{d}")) for d in dimensions if data.get(f"dim_{d}")}
        defaults = _default_codes(structure, keys, given)
        for dimension, (_label, choices) in dimensions.items():
            codes = [c for c, _name in choices]
            fallback = TOTAL if TOTAL in codes else (codes[0] if codes else "")
            data.setdefault(f"dim_{dimension}", defaults.get(dimension, fallback))
        if not requested:
            data["dataflow"] = flow.code
        areas = sorted(
            ((c, code.name) for c, code in structure.codes("REF_AREA").items()),
            key=lambda pair: pair[1],
        )
        context.update(structure=structure, keys=keys)
    form = ExplorerForm(data, flows=flows, dimensions=dimensions, areas=areas)
    return form, flows, context


def _selection(form: ExplorerForm, context: dict[str, Any]) -> Selection:
    data = form.cleaned_data
    region = None
    if data.get("region"):
        scheme, _sep, code = data["region"].partition(":")
        region = Region.objects.filter(scheme=scheme, code=code).first()
    areas = list(dict.fromkeys([*data.get("area", []), *data.get("areas", [])]))
    return Selection(
        flow=context["flow"],
        structure=context["structure"],
        codes={d: data[f"dim_{d}"] for d in form.dimension_names},
        # Rates only for counts: another dataflow's values are shown as they are.
        measure=(data.get("measure") or "count")
        if counts_and_rates(context["structure"])
        else "count",
        areas=areas,
        region=region,
        year_from=data.get("year_from"),
        year_to=data.get("year_to"),
        level=data.get("level") or "region",
    )


def _series_name(selection: Selection, form: ExplorerForm) -> str:
    names = selection.structure.names
    return " · ".join(
        names.get(d, {}).get(code, code)
        for d, code in selection.codes.items()
        if code != TOTAL or d == form.dimension_names[0]
    )


def _bad_request(
    request: HttpRequest, form: ExplorerForm, context: dict[str, Any], *, wants_csv: bool
) -> HttpResponse:
    if wants_csv:
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
        return HttpResponse(
            _("Bad parameters: %(problems)s") % {"problems": problems},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return render(
        request,
        "statistics/explorer.html",
        {"form": form, "flow": context.get("flow"), "public": _is_public(request)},
        status=400,
    )


def _scope(
    selection: Selection, areas_regions: pl.DataFrame
) -> tuple[list[str], list[str], list[str] | None]:
    """(chosen areas, their regions at the level, the areas to read): the
    aggregates need every area of the regions concerned, so the database is asked
    for those; None (every area) when no area is chosen."""
    chosen = list(selection.areas)
    if selection.region is not None:
        chosen = list(dict.fromkeys([*chosen, *_areas_of(selection.region)]))
    if not chosen:
        return [], [], None
    level = areas_regions.filter(pl.col("area").is_in(chosen))[selection.level]
    regions = sorted(r for r in level.unique().to_list() if r is not None)
    members = areas_regions.filter(pl.col(selection.level).is_in(regions))["area"].to_list()
    return chosen, regions, sorted(set(chosen) | set(members))


def _download(
    request: HttpRequest,
    selection: Selection,
    *,
    table: pl.DataFrame,
    aggregates: pl.DataFrame,
    restricted: int,
    regional: bool,
) -> HttpResponse:
    if restricted:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type="statistics.observation",
            object_id=selection.flow.urn_id,
            object_repr=f"series explorer download of {selection.flow.urn_id}",
            changes={
                "dataflow": selection.flow.urn_id,
                "query": request.GET.urlencode()[:500],
                "restricted_rows": restricted,
            },
        )
    name = selection.flow.code.lower()
    if regional:
        first = ["region", "region_name"]
        out = aggregates.select(*first, *[c for c in aggregates.columns if c not in first])
        return _csv(out, f"{name}-regional-{selection.level}")
    dims = [d for d in selection.structure.dimensions if d != compute.UNIT]
    if not selection.rated:  # the series' unit, where it has one, is one of its codes
        table = table.with_columns(
            pl.lit(selection.codes.get(compute.UNIT, "")).alias(compute.UNIT)
        )
        if compute.UNIT in selection.codes:
            dims = [*dims, compute.UNIT]
    columns = [
        "area",
        "area_name",
        *dims,
        "period",
        "count",
        "censored",
        "status",
        "conflict",
        "population",
        "rate_computed",
        "rate_published",
        "rate_censored",
        "rate_conflict",
        "rate",
        "rate_basis",
        "difference",
        "implied_population",
        "consistent",
        "reported_by",
    ]
    return _csv(table.select(columns), f"{name}-series")


def _suggestions(
    request: HttpRequest, selection: Selection, keys: Iterable[str]
) -> list[tuple[str, str]]:
    """Links to the series of the chosen first dimension (the indicator) that
    have counts, for a combination without data."""
    structure = selection.structure
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    if not selection.rated:  # a dataflow of other values: its unit is one of its codes
        dims = list(structure.dimensions)
    elif compute.UNIT in positions:
        dims = [d for d in structure.dimensions if d != compute.UNIT]
    else:
        return []
    if not dims:
        return []
    first = dims[0]
    out = []
    for key in keys:
        parts = key.split(".")
        if len(parts) != len(positions) or parts[positions[first]] != selection.codes[first]:
            continue
        if selection.rated and parts[positions[compute.UNIT]] != compute.COUNT:
            continue
        link = request.GET.copy()
        for d in dims:
            link[f"dim_{d}"] = parts[positions[d]]
        name = " · ".join(
            structure.names.get(d, {}).get(parts[positions[d]], parts[positions[d]])
            for d in dims[1:]
        )
        out.append((link.urlencode(), name))
    return out[:40]


def _most_populous(table: pl.DataFrame, population: pl.DataFrame, limit: int) -> pl.DataFrame:
    areas = table["area"].unique().to_list()
    if len(areas) <= limit:
        return table
    latest = (
        population.filter(pl.col("area").is_in(areas))
        .sort("year")
        .group_by("area")
        .agg(pl.col("population").last())
        .sort(["population", "area"], descending=[True, False])
    )
    return table.filter(pl.col("area").is_in(latest["area"].head(limit).to_list()))


def explorer_page(request: HttpRequest) -> HttpResponse:
    form, flows, context = _form(request)
    wants_csv = request.GET.get("format") == "csv"
    if not flows:
        return render(request, "statistics/explorer.html", {"form": form, "empty": True})
    if not form.is_valid():
        return _bad_request(request, form, context, wants_csv=wants_csv)
    selection = _selection(form, context)
    areas_regions = _areas_regions()
    chosen, regions, scope = _scope(selection, areas_regions)
    frame, restricted, sources = _read(request, selection, areas=scope)
    # Rates per 100,000 are for counts; other values (kilograms, prices,
    # prevalence) are shown as published, and summed by region only where they
    # add up (kilograms, hectares; not prices, not percentages).
    population = _population(scope, selection) if selection.rated else _population([], selection)
    area_names = {c: code.name for c, code in selection.structure.codes("REF_AREA").items()}
    one = compute.series(frame, selection={})
    table = compute.compare(compute.rates(one, population), tolerance=TOLERANCE)
    aggregates = compute.regional(
        one if selection.additive else one.clear(),
        population,
        areas_regions,
        level=selection.level,
        wholes=WHOLES,
    )
    if chosen:
        table = table.filter(pl.col("area").is_in(chosen))
        aggregates = aggregates.filter(pl.col("region").is_in(regions))
    table = table.with_columns(
        pl.col("area").replace_strict(area_names, default=pl.col("area")).alias("area_name")
    ).join(sources, on=["area", "period"], how="left")
    aggregates = aggregates.with_columns(
        pl.col("region")
        .replace_strict(_region_names(selection.level), default=pl.col("region"))
        .alias("region_name")
    )
    if wants_csv:
        return _download(
            request,
            selection,
            table=table,
            aggregates=aggregates,
            restricted=restricted,
            regional=form.cleaned_data.get("table") == "regional",
        )
    title = _series_name(selection, form)
    measure_name = (
        dict(MEASURES)[selection.measure] if selection.rated else _("values as published")
    )
    level_name = LEVELS[selection.level]
    charted = _most_populous(table, population, CHART_AREAS)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    base = query.urlencode()
    return render(
        request,
        "statistics/explorer.html",
        {
            "form": form,
            "flow": selection.flow,
            "selection": selection,
            "rated": selection.rated,
            "additive": selection.additive,
            "title": title,
            "measure_name": measure_name,
            "spec": series_chart(
                charted,
                measure=selection.measure if selection.rated else "value",
                title=f"{title} — {measure_name}",
            )
            if table.height
            else None,
            "regional_spec": regional_chart(
                aggregates,
                measure=selection.measure if selection.rated else "count",
                title=_("%(series)s by %(level)s") % {"series": title, "level": level_name},
            )
            if aggregates.height
            else None,
            "rows": table.head(TABLE_ROWS).to_dicts(),
            "display": series_display(table.head(TABLE_ROWS)),
            "row_count": table.height,
            "areas_count": table["area"].n_unique(),
            "charted_count": charted["area"].n_unique(),
            "table_rows": TABLE_ROWS,
            "aggregates": aggregates.head(TABLE_ROWS).to_dicts(),
            "regional_display": regional_display(aggregates.head(TABLE_ROWS)),
            "aggregate_count": aggregates.height,
            "level_name": level_name,
            "csv_series": f"?{base}&format=csv",
            "csv_regional": f"?{base}&format=csv&table=regional",
            "public": _is_public(request),
            # Disclosure control applies to some areas (not the office's view).
            "controlled": access.undisclosed_areas(request.user) is not None,
            "rule": selection.flow.structure.suppress_below,
            "tolerance_percent": round(TOLERANCE * 100),
            "suggestions": []
            if table.height
            else _suggestions(request, selection, context["keys"]),
        },
    )
