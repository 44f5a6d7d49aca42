"""How the explorer shows a series: Vega-Lite charts, numbers and rates as text,
the table rows, and CSV downloads."""

from __future__ import annotations

import io
import math
from decimal import Decimal
from typing import Any

import polars as pl
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.core.charts import SCHEMA

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
    title_y = {"rate": _("rate per 100,000"), "value": _("value")}.get(measure, _("count"))
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
    """A value as reported: whole numbers without decimals, others with the
    decimals they have (435,431.4; 0.0000035), never rounded for the page."""
    if count is None:
        return ""
    plain = format(Decimal(format(float(count), ".15g")), "f")
    decimals = len(plain.partition(".")[2].rstrip("0"))
    return _number(count, decimals)


STATUS_NOTES = {"L": gettext_lazy("not available"), "M": gettext_lazy("not applicable")}


REPORTED_BY = {
    "country": gettext_lazy("the country"),
    "office": gettext_lazy("the office's compilation"),
    "country and office": gettext_lazy("the country and the office's compilation"),
}


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
                "reported_by": str(REPORTED_BY.get(r.get("reported_by") or "", "")),
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
