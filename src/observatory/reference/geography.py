"""Country centroids from the vendored Natural Earth TopoJSON (world-atlas), for
placing flow arcs and seizure totals on the offline map."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from observatory.reference.models import Area

ATLAS = (
    Path(__file__).resolve().parent.parent
    / "static"
    / "vendor"
    / "world-atlas"
    / "countries-110m.json"
)
# Small or awkwardly shaped areas the 1:110m atlas lacks or places badly.
EXTRA = {
    "SGP": (103.8, 1.35),
    "HKG": (114.2, 22.3),
    "MAC": (113.55, 22.2),
    "MLT": (14.4, 35.9),
    "BHR": (50.55, 26.05),
    "CPV": (-23.6, 15.1),
    "MUS": (57.55, -20.3),
    "MDV": (73.2, 3.2),
    "BRB": (-59.55, 13.15),
    "KOS": (20.9, 42.6),
    "GBR_EW": (-1.5, 52.5),
    "GBR_S": (-4.2, 56.8),
    "GBR_NI": (-6.7, 54.6),
    "IRQ_C": (44.4, 33.3),
}


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points[1:] if ring else points)
    return ring


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(area, x, y) of a polygon ring by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


@lru_cache(maxsize=1)
def centroids_by_numeric() -> dict[str, tuple[float, float]]:
    topology = json.loads(ATLAS.read_text())
    arcs = _decode_arcs(topology)
    result: dict[str, tuple[float, float]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if "id" not in geometry or not geometry.get("arcs"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        # The largest polygon: France's centroid belongs in Europe, not in the Atlantic.
        best = max(
            (_centroid(_ring(arcs, polygon[0])) for polygon in polygons), key=lambda item: item[0]
        )
        result[str(geometry["id"]).zfill(3)] = (round(best[1], 3), round(best[2], 3))
    return result


@lru_cache(maxsize=1)
def centroids() -> dict[str, tuple[float, float]]:
    """Area code -> (longitude, latitude)."""
    by_numeric = centroids_by_numeric()
    result = dict(EXTRA)
    for code, numeric in Area.objects.exclude(numeric="").values_list("code", "numeric"):
        if numeric in by_numeric and code not in result:
            result[code] = by_numeric[numeric]
    return result
