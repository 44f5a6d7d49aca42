"""Vega-Lite specifications, kept apart from the queries that feed them. The
same spec renders in the page (vega-embed) and exports to PNG/SVG."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.templatetags.static import static

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched


def trend_chart(frame: pl.DataFrame, *, measure: str, title: str, key_title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 320,
        "data": {"values": frame.to_dicts()},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "title": None},
            "y": {
                "field": measure,
                "type": "quantitative",
                "title": "kg-equivalent" if measure == "kilograms" else "seizures",
            },
            "color": {"field": "key", "type": "nominal", "title": key_title},
        },
    }


def flow_map(
    legs: pl.DataFrame,
    totals: pl.DataFrame,
    centroids: dict[str, tuple[float, float]],
    *,
    title: str,
    count: str = "seizures",
    weight: str = "kilograms",
    weight_title: str = "kg-equivalent",
) -> dict[str, Any]:
    """Country shapes, one line per route leg (width by `weight`, kg-equivalent for
    seizures), one circle per reporting country (size by `count`)."""
    leg_rows = [
        {
            "source": r["source"],
            "target": r["target"],
            count: r[count],
            weight: round(r[weight] or 0, 1),
            "lon": centroids[r["source"]][0],
            "lat": centroids[r["source"]][1],
            "lon2": centroids[r["target"]][0],
            "lat2": centroids[r["target"]][1],
        }
        for r in legs.iter_rows(named=True)
        if r["source"] in centroids and r["target"] in centroids
    ]
    point_rows = [
        {
            "area": r["area"],
            count: r[count],
            weight: round(r[weight] or 0, 1),
            "lon": centroids[r["area"]][0],
            "lat": centroids[r["area"]][1],
        }
        for r in totals.iter_rows(named=True)
        if r["area"] in centroids
    ]
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 460,
        "projection": {"type": "equalEarth"},
        "layer": [
            {
                "data": {
                    "url": static("vendor/world-atlas/countries-110m.json"),
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "mark": {
                    "type": "geoshape",
                    "fill": "#e8ecef",
                    "stroke": "#ffffff",
                    "strokeWidth": 0.5,
                },
            },
            {
                "data": {"values": leg_rows},
                "mark": {"type": "rule", "opacity": 0.55, "color": "#c0392b", "tooltip": True},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "longitude2": {"field": "lon2"},
                    "latitude2": {"field": "lat2"},
                    "strokeWidth": {
                        "field": weight,
                        "type": "quantitative",
                        "scale": {"range": [0.5, 8]},
                        "title": weight_title,
                    },
                    "tooltip": [
                        {"field": "source"},
                        {"field": "target"},
                        {"field": count, "type": "quantitative"},
                        {"field": weight, "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": point_rows},
                "mark": {"type": "circle", "color": "#1d4e89", "opacity": 0.7, "tooltip": True},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "size": {
                        "field": count,
                        "type": "quantitative",
                        "scale": {"range": [10, 600]},
                        "title": count,
                    },
                    "tooltip": [
                        {"field": "area"},
                        {"field": count, "type": "quantitative"},
                        {"field": weight, "type": "quantitative"},
                    ],
                },
            },
        ],
    }
