"""The series explorer: /statistics/explorer/ (public).

One series of a dataflow (a code for each dimension) for chosen areas and
years, as counts or rates per 100,000, with regional aggregates and their
coverage; Vega-Lite charts and CSV downloads (same URL with format=csv, and
table=regional for the aggregates). The analysis is in explorer.py.

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

import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl
from django import forms
from django.db.models import Count, Q
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent
from observatory.reference.models import Area, Population, Region
from observatory.statistics import disclosure, explorer, selectors
from observatory.statistics.models import Code, Dataflow

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
CHART_AREAS = 12  # lines in the series chart; the table and the CSV hold every area
TABLE_ROWS = 300
TOLERANCE = 0.02  # computed and published rates further apart are flagged
CONFIDENTIAL = "confidential"
WITHHELD = "withheld"
SUPPRESSED = {disclosure.SMALL_COUNT, disclosure.SECONDARY}  # by the rule, not the country
TOTAL = "_T"
LEVELS = {  # the columns of _areas_regions()
    "region": gettext_lazy("M49 regions"),
    "subregion": gettext_lazy("M49 sub-regions"),
    "unodc": gettext_lazy("UNODC regions"),
}
MEASURES = [
    ("count", gettext_lazy("counts")),
    ("rate", gettext_lazy("rate per 100,000 population")),
]
AREA_SPLIT = re.compile(r"[\s,;]+")
# Countries published in parts that make the whole: the aggregates count them as
# the country (with its population) when every part reported. The reference
# data have no population for the parts. Central Iraq (IRQ_C) is not all of Iraq.
WHOLES = {"GBR": ("GBR_EW", "GBR_NI", "GBR_S")}


def _is_public(request: HttpRequest) -> bool:
    """Whether the visitor sees published data only (not logged in)."""
    return not access.actor_for(request.user).is_authenticated


def _latest_flows() -> list[Dataflow]:
    latest: dict[str, Dataflow] = {}
    for flow in Dataflow.objects.select_related("structure").order_by("code", "-version"):
        latest.setdefault(flow.code, flow)
    return list(latest.values())


def _region_choices() -> list[tuple[str, str]]:
    choices = [("", _("no region"))]
    for region in Region.objects.filter(
        level__in=[Region.Level.REGION, Region.Level.SUBREGION]
    ).order_by("scheme", "code"):
        prefix = "— " if region.level == Region.Level.SUBREGION else ""
        if region.scheme == Region.Scheme.UNODC:
            prefix = "UNODC: "
        choices.append((f"{region.scheme}:{region.code}", f"{prefix}{region.name}"))
    return choices


def _render_select(
    widget: forms.Select, name: str, value: Any, attrs: dict[str, Any] | None
) -> SafeString:
    values = value if isinstance(value, list | tuple) else [value]
    chosen = {str(v) for v in values if v is not None}
    options = format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<option value="{}" selected>{}</option>'
                    if str(code) in chosen
                    else '<option value="{}">{}</option>',
                    code,
                    label,
                ),
            )
            for code, label in widget.choices
        ),
    )
    template = (
        '<select name="{}" multiple{}>{}</select>'
        if widget.allow_multiple_selected
        else '<select name="{}"{}>{}</select>'
    )
    return format_html(template, name, flatatt(widget.build_attrs(widget.attrs, attrs)), options)


class QuickSelect(forms.Select):
    """A select whose options are joined in Python: Django's widget renders a
    template per option, which made the 250 areas a third of the page's time.
    Same markup."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return _render_select(self, name, value, attrs)


class QuickSelectMultiple(forms.SelectMultiple):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return _render_select(self, name, value, attrs)


class ExplorerForm(forms.Form):
    """The explorer's parameters; the structure's dimensions are added as selects."""

    dataflow = forms.ChoiceField(label=gettext_lazy("Dataflow"), widget=QuickSelect)
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"), choices=MEASURES, required=False, widget=QuickSelect
    )
    area = forms.MultipleChoiceField(
        label=gettext_lazy("Areas"),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 7}),
    )
    areas = forms.CharField(
        label=gettext_lazy("or area codes"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("ISO 3166 alpha-3, separated by commas: ALB, MKD"),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("or a region"), required=False, widget=QuickSelect
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("Years from"), required=False, min_value=1900, max_value=2100
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("to"), required=False, min_value=1900, max_value=2100
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Regional aggregates by"),
        choices=list(LEVELS.items()),
        required=False,
        widget=QuickSelect,
    )
    format = forms.ChoiceField(
        choices=[("", "page"), ("csv", "CSV")], required=False, widget=forms.HiddenInput
    )
    table = forms.ChoiceField(
        choices=[("", "series"), ("series", "series"), ("regional", "regional")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self,
        data: Any,
        *,
        flows: list[Dataflow],
        dimensions: dict[str, tuple[str, list[tuple[str, str]]]],
        areas: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        self.dimension_names = list(dimensions)
        cast(forms.ChoiceField, self.fields["dataflow"]).choices = [
            (f.code, f"{f.name} ({f.code})") for f in flows
        ]
        cast(forms.ChoiceField, self.fields["area"]).choices = areas
        cast(forms.ChoiceField, self.fields["region"]).choices = _region_choices()
        self.known_areas = {code for code, _name in areas}
        for name, (label, choices) in dimensions.items():
            self.fields[f"dim_{name}"] = forms.ChoiceField(
                label=label, choices=choices, widget=QuickSelect
            )

    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[f"dim_{name}"] for name in self.dimension_names]

    def clean_areas(self) -> list[str]:
        text = self.cleaned_data.get("areas") or ""
        codes = [c.upper() for c in AREA_SPLIT.split(text) if c]
        unknown = [c for c in codes if c not in self.known_areas]
        if unknown:
            raise forms.ValidationError(
                _("Unknown area code: %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The last year comes before the first."))
        return data


@dataclass
class StructureCodes(selectors.Structure):
    """The structure with each dimension's codes read once per request."""

    read: dict[str, dict[str, Code]] = field(default_factory=dict)

    def codes(self, dimension: str) -> dict[str, Code]:
        if dimension not in self.read:
            self.read[dimension] = super().codes(dimension)
        return self.read[dimension]


@dataclass
class Selection:
    flow: Dataflow
    structure: selectors.Structure
    codes: dict[str, str]  # dimension -> code (the unit aside)
    measure: str = "count"
    areas: list[str] = field(default_factory=list)
    region: Region | None = None
    year_from: int | None = None
    year_to: int | None = None
    level: str = "region"

    @property
    def keys(self) -> dict[str, str]:
        """Series key -> unit: the counts and the published rates of the series."""
        out = {}
        for unit in (explorer.COUNT, explorer.RATE):
            parts = {**self.codes, explorer.UNIT: unit}
            out[".".join(parts.get(d, "") for d in self.structure.dimensions)] = unit
        return out


# --------------------------------------------------------------------------
# Reading


def _available_keys(request: HttpRequest, flow: Dataflow) -> dict[str, int]:
    """The visible series keys with their number of observations, in key order."""
    rows = (
        selectors.current_observations(actor=request.user, dataflow=flow)
        .order_by()  # the model's ordering would join the areas and split the groups
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    return dict(sorted(rows))


def _dimension_choices(
    structure: selectors.Structure, keys: Iterable[str]
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """dimension -> (label, [(code, name)]): the codes that occur in the visible
    data, in the codelist's order (every code of the codelist when none does)."""
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    labels = {c.code: c.name or c.code.replace("_", " ").capitalize() for c in structure.components}
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for dimension in structure.dimensions:
        if dimension == explorer.UNIT:
            continue
        codes = structure.codes(dimension)
        seen = {
            parts[positions[dimension]]
            for parts in (k.split(".") for k in keys)
            if len(parts) == len(positions)
        }
        listed = [code for code in codes if code in seen] or list(codes)
        listed += sorted(seen - set(codes))
        out[dimension] = (
            labels.get(dimension, dimension),
            [(c, codes[c].name if c in codes else c) for c in listed],
        )
    return out


def _default_codes(
    structure: selectors.Structure, keys: dict[str, int], given: dict[str, str]
) -> dict[str, str]:
    """Codes for the dimensions not given: of the visible series that agree with
    the given codes, the one with the most observations (then the most totals,
    then the first in key order)."""
    dims = [d for d in structure.dimensions if d != explorer.UNIT]
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    best: tuple[int, int, str] | None = None
    for key, size in keys.items():
        parts = key.split(".")
        if len(parts) != len(positions):
            continue
        if any(parts[positions[d]] != code for d, code in given.items() if d in positions):
            continue
        score = (-size, -sum(parts[positions[d]] == TOTAL for d in dims), key)
        if best is None or score < best:
            best = score
    if best is None:
        return {}
    parts = best[2].split(".")
    return {d: parts[positions[d]] for d in dims}


def _areas_of(region: Region) -> list[str]:
    lookup = {
        "region": "region",
        "subregion": "subregion",
        "intermediate": "intermediate_region",
    }.get(str(region.level), "region")
    if region.scheme == Region.Scheme.UNODC:
        lookup = "unodc_region"
    return sorted(
        Area.objects.filter(Q(**{lookup: region}) | Q(**{f"parent__{lookup}": region})).values_list(
            "code", flat=True
        )
    )


def _areas_regions() -> pl.DataFrame:
    """area -> region code per level (parts of countries take their parent's
    region where they have none)."""
    rows = Area.objects.values_list(
        "code",
        "region__code",
        "parent__region__code",
        "subregion__code",
        "parent__subregion__code",
        "unodc_region__code",
        "parent__unodc_region__code",
    )
    return pl.DataFrame(
        [(code, r or pr, s or ps, u or pu) for code, r, pr, s, ps, u, pu in rows],
        schema={
            "area": pl.String,
            "region": pl.String,
            "subregion": pl.String,
            "unodc": pl.String,
        },
        orient="row",
    )


def _region_names(level: str) -> dict[str, str]:
    scheme = Region.Scheme.UNODC if level == "unodc" else Region.Scheme.M49
    regions = Region.objects.filter(scheme=scheme)
    if level != "unodc":
        regions = regions.filter(level=level)
    return {r.code: r.name for r in regions}


def _read(
    request: HttpRequest, selection: Selection, *, areas: list[str] | None
) -> tuple[pl.DataFrame, int]:
    """The series' visible observations (counts and published rates) as an
    observations frame, disclosure control applied; and how many of them are
    not published."""
    structure = selection.structure
    keys = selection.keys
    scope = selectors.current_observations(actor=request.user, dataflow=selection.flow).order_by()
    if areas is not None:
        scope = scope.filter(area_id__in=areas)
    if selection.year_from is not None:
        scope = scope.filter(time_period__gte=str(selection.year_from))
    if selection.year_to is not None:
        scope = scope.filter(time_period__lt=str(selection.year_to + 1))
    # Sorted in the frame; the model's ordering would join the areas.
    rows = scope.filter(key__in=list(keys))
    records = list(
        rows.values_list(
            "area_id",
            "key",
            "time_period",
            "value",
            "censored",
            "obs_status",
            "conf_status",
            "version__status",
        )
    )
    # Every series of the areas and years, not only this one: a count withheld so
    # that another cannot be subtracted may belong to the series shown.
    control = disclosure.Disclosure.of(
        request.user, selection.flow, structure.dimensions
    ).with_small_cells(scope)
    restricted = 0
    data: dict[str, list[Any]] = {
        "area": [],
        "period": [],
        **{d: [] for d in structure.dimensions},
        "value": [],
        "censored": [],
        "status": [],
    }
    codes = {**selection.codes}
    for area, key, period, value, censored, status, conf, version_status in records:
        restricted += access.is_restricted(version_status)
        unit = keys[key]
        shown = control.shown(
            area=area,
            period=period,
            dims={**codes, explorer.UNIT: unit},
            value=value,
            censored=censored,
            conf_status=conf,
        )
        number = float(shown.value) if shown.value is not None else None
        marker = shown.censored
        if shown.withheld and not marker:
            marker = WITHHELD if shown.conf_status in SUPPRESSED else CONFIDENTIAL
        data["area"].append(area)
        data["period"].append(period)
        for dimension in structure.dimensions:
            data[dimension].append(unit if dimension == explorer.UNIT else codes.get(dimension, ""))
        data["value"].append(number)
        data["censored"].append(marker)
        data["status"].append(status or "")
    schema = {
        "area": pl.String,
        "period": pl.String,
        **dict.fromkeys(structure.dimensions, pl.String),
        "value": pl.Float64,
        "censored": pl.String,
        "status": pl.String,
    }
    return pl.DataFrame(data, schema=schema), restricted


def _population(areas: list[str] | None, selection: Selection) -> pl.DataFrame:
    rows = Population.objects.order_by()
    if areas is not None:
        rows = rows.filter(area_id__in=areas)
    if selection.year_from is not None:
        rows = rows.filter(year__gte=selection.year_from)
    if selection.year_to is not None:
        rows = rows.filter(year__lte=selection.year_to)
    return pl.DataFrame(
        list(rows.values_list("area_id", "year", "value")),
        schema={"area": pl.String, "year": pl.Int32, "population": pl.Float64},
        orient="row",
    )


# --------------------------------------------------------------------------
# Charts


def series_chart(frame: pl.DataFrame, *, measure: str, title: str) -> dict[str, Any]:
    """Years × value, one line per area; for rates, the point shows whether the
    rate is the published one or computed from the count."""
    value = "rate" if measure == "rate" else "count"
    rows = frame.filter(pl.col(value).is_not_null()).select(
        "area_name",
        "period",
        pl.col(value).round(3).alias("value"),
        pl.col("rate_basis").fill_null(""),
    )
    title_y = _("rate per 100,000") if measure == "rate" else _("count")
    tooltip = [
        {"field": "area_name", "title": _("Area")},
        {"field": "period", "title": _("Year")},
        {"field": "value", "type": "quantitative", "title": title_y},
    ]
    if measure == "rate":
        tooltip.append({"field": "rate_basis", "title": _("rate")})
    encoding = {
        "x": {"field": "period", "type": "ordinal", "title": None},
        "y": {"field": "value", "type": "quantitative", "title": title_y},
        "color": {"field": "area_name", "type": "nominal", "title": _("Area")},
        "tooltip": tooltip,
    }
    points: dict[str, Any] = {"mark": {"type": "point", "filled": True, "tooltip": True}}
    if measure == "rate":
        points["encoding"] = {
            "shape": {
                "field": "rate_basis",
                "type": "nominal",
                "title": _("rate"),
                "scale": {"domain": ["published", "computed"], "range": ["circle", "triangle"]},
            }
        }
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 320,
        "data": {"values": rows.to_dicts()},
        "encoding": encoding,
        "layer": [{"mark": {"type": "line", "tooltip": True}}, points],
    }


def regional_chart(frame: pl.DataFrame, *, measure: str, title: str) -> dict[str, Any]:
    value = "rate" if measure == "rate" else "count"
    rows = frame.filter(pl.col(value).is_not_null()).select(
        "region_name",
        "period",
        pl.col(value).round(3).alias("value"),
        (pl.col("coverage") * 100).round(1).alias("coverage_percent"),
        "areas_reporting",
    )
    title_y = _("rate per 100,000") if measure == "rate" else _("count (reporting areas)")
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 280,
        "data": {"values": rows.to_dicts()},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": title_y},
            "color": {"field": "region_name", "type": "nominal", "title": _("Region")},
            "tooltip": [
                {"field": "region_name", "title": _("Region")},
                {"field": "period", "title": _("Year")},
                {"field": "value", "type": "quantitative", "title": title_y},
                {"field": "coverage_percent", "type": "quantitative", "title": _("coverage %")},
                {"field": "areas_reporting", "type": "quantitative", "title": _("areas")},
            ],
        },
    }


# --------------------------------------------------------------------------
# CSV


def _safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would take for a formula get a leading
    apostrophe, as in the other exports; numbers stay numbers."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def _is_whole(series: pl.Series) -> bool:
    values = series.drop_nulls()
    if values.is_empty():
        return True
    return bool((values == values.round(0)).all()) and float(values.abs().max()) < 2**53  # type: ignore[arg-type]


def _whole_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts and populations written without “.0” where every one is whole."""
    columns = [
        c
        for c in ("count", "population", "population_reporting", "population_region")
        if c in frame.columns and frame.schema[c] == pl.Float64 and _is_whole(frame[c])
    ]
    return frame.with_columns(pl.col(c).cast(pl.Int64) for c in columns)


def _csv(frame: pl.DataFrame, name: str) -> HttpResponse:
    buffer = io.BytesIO()
    _safe(_whole_numbers(frame)).write_csv(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


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
        measure=data.get("measure") or "count",
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


def _number(value: float | None, decimals: int = 0) -> str:
    """Rounded to `decimals` (Django's number_format cuts the digits off:
    2.678 would show as 2.67), grouped as the language groups them."""
    if value is None:
        return ""
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def _rate(value: float | None) -> str:
    """A rate with two decimals, or three significant digits below 0.1 (a rate of
    0.002 is not zero)."""
    if value is None:
        return ""
    if 0 < abs(value) < 0.1:
        decimals = min(12, 2 - math.floor(math.log10(abs(value))))
        return _number(value, decimals)
    return _number(value, 2)


def _count_cell(count: float | None) -> str:
    """A count as reported: whole numbers without decimals."""
    if count is None:
        return ""
    return _number(count, 0 if float(count).is_integer() else 2)


STATUS_NOTES = {"L": gettext_lazy("not available"), "M": gettext_lazy("not applicable")}


def series_display(table: pl.DataFrame) -> list[dict[str, str]]:
    """Table rows with their cells formatted here (a template filter per cell
    made the page of every area four times slower)."""
    implied = _("population implied by the published rate: %(n)s")
    out = []
    for r in table.iter_rows(named=True):
        count, note = _count_cell(r["count"]), ""
        if r["conflict"]:
            count, note = r["conflict"], "badge warn"
        elif r["censored"]:
            count = r["censored"]
        elif r["count"] is None:
            count, note = str(STATUS_NOTES.get(r["status"], "—")), "muted"
        difference = r["difference"]
        out.append(
            {
                "area": r["area"],
                "area_name": r["area_name"],
                "period": r["period"],
                "count": count,
                "count_class": note,
                "population": _number(r["population"]),
                "rate_computed": _rate(r["rate_computed"]) or "—",
                "rate_published": r["rate_conflict"]
                or r["rate_censored"]
                or _rate(r["rate_published"])
                or "—",
                "rate_class": "badge warn" if r["rate_conflict"] else "",
                "difference": f"{_number(difference * 100, 1)} %" if difference is not None else "",
                "difference_class": "badge ok" if r["consistent"] else "badge warn",
                "implied": implied % {"n": _number(r["implied_population"])}
                if r["implied_population"] is not None
                else "",
            }
        )
    return out


def regional_display(aggregates: pl.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "region_name": r["region_name"],
            "period": r["period"],
            "count": _count_cell(r["count"]) or "—",
            "rate": _rate(r["rate"]) or "—",
            "coverage": f"{_number(r['coverage'] * 100, 1)} %"
            if r["coverage"] is not None
            else "—",
            "areas": f"{r['areas_reporting']} / {r['areas_in_region'] or '—'}",
            "censored": str(r["censored"]),
            "missing": str(r["missing"]),
            "no_population": str(r["no_population"]),
        }
        for r in aggregates.iter_rows(named=True)
    ]


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
    dims = [d for d in selection.structure.dimensions if d != explorer.UNIT]
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
    ]
    return _csv(table.select(columns), f"{name}-series")


def _suggestions(
    request: HttpRequest, selection: Selection, keys: Iterable[str]
) -> list[tuple[str, str]]:
    """Links to the series of the chosen first dimension (the indicator) that
    have counts, for a combination without data."""
    structure = selection.structure
    positions = {d: i for i, d in enumerate(structure.dimensions)}
    dims = [d for d in structure.dimensions if d != explorer.UNIT]
    if not dims or explorer.UNIT not in positions:
        return []
    first = dims[0]
    out = []
    for key in keys:
        parts = key.split(".")
        if len(parts) != len(positions) or parts[positions[first]] != selection.codes[first]:
            continue
        if parts[positions[explorer.UNIT]] != explorer.COUNT:
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
    frame, restricted = _read(request, selection, areas=scope)
    population = _population(scope, selection)
    area_names = {c: code.name for c, code in selection.structure.codes("REF_AREA").items()}
    one = explorer.series(frame, selection={})
    table = explorer.compare(explorer.rates(one, population), tolerance=TOLERANCE)
    aggregates = explorer.regional(
        one, population, areas_regions, level=selection.level, wholes=WHOLES
    )
    if chosen:
        table = table.filter(pl.col("area").is_in(chosen))
        aggregates = aggregates.filter(pl.col("region").is_in(regions))
    table = table.with_columns(
        pl.col("area").replace_strict(area_names, default=pl.col("area")).alias("area_name")
    )
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
    measure_name = dict(MEASURES)[selection.measure]
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
            "title": title,
            "measure_name": measure_name,
            "spec": series_chart(
                charted, measure=selection.measure, title=f"{title} — {measure_name}"
            )
            if table.height
            else None,
            "regional_spec": regional_chart(
                aggregates,
                measure=selection.measure,
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
