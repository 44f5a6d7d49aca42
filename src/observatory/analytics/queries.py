"""Trends and flows as Ibis expressions over the analytics store. Plain
functions from tables and filters to expressions: the engine runs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import networkx as nx
import polars as pl

PERIODS = {"year", "quarter", "month"}
GROUPINGS = {
    "drug": "drug",
    "group": "drug_group",
    "area": "area",
    "region": "region",
    "subregion": "subregion",
}


@dataclass(frozen=True)
class Filters:
    drug: str = ""
    group: str = ""
    area: str = ""
    region: str = ""
    year_from: int | None = None
    year_to: int | None = None

    def apply(self, table: Any) -> Any:
        if self.drug:
            table = table.filter(table.drug == self.drug)
        if self.group:
            table = table.filter(table.drug_group == self.group)
        if self.area:
            table = table.filter(table.area == self.area)
        if self.region and "region" in table.columns:
            table = table.filter((table.region == self.region) | (table.subregion == self.region))
        if self.year_from:
            table = table.filter(table.year >= self.year_from)
        if self.year_to:
            table = table.filter(table.year <= self.year_to)
        return table


def trends(
    seizures: Any, *, by: str = "group", period: str = "year", filters: Filters = Filters()
) -> Any:
    """Number of seizures and kilogram-equivalents by period and `by`."""
    if by not in GROUPINGS or period not in PERIODS:
        raise ValueError(f"by must be one of {sorted(GROUPINGS)}, period one of {sorted(PERIODS)}")
    table = filters.apply(seizures)
    if period == "year":
        label = table.year.cast("string")
    elif period == "quarter":
        label = table.year.cast("string") + "-Q" + table.quarter.cast("string")
    else:
        label = table.year.cast("string") + "-" + table.month.cast("string").lpad(2, "0")
    grouped = table.mutate(period=label, key=table[GROUPINGS[by]])
    return (
        grouped.group_by(["period", "key"])
        .aggregate(seizures=grouped.count(), kilograms=grouped.kilograms.sum())
        .order_by(["period", "key"])
    )


def top_routes(seizures: Any, *, filters: Filters = Filters(), limit: int = 20) -> Any:
    table = filters.apply(seizures)
    table = table.filter(table.route.length() >= 2)
    return (
        table.group_by("route_key")
        .aggregate(
            seizures=table.count(),
            kilograms=table.kilograms.sum(),
            points=table.route.length().max(),
        )
        .order_by([ibis.desc("seizures"), "route_key"])
        .limit(limit)
    )


def leg_totals(legs: Any, *, filters: Filters = Filters(), limit: int = 200) -> Any:
    table = filters.apply(legs)
    return (
        table.group_by(["source", "target"])
        .aggregate(seizures=table.seizure_id.nunique(), kilograms=table.kilograms.sum())
        .order_by([ibis.desc("seizures"), "source", "target"])
        .limit(limit)
    )


def area_totals(seizures: Any, *, filters: Filters = Filters()) -> Any:
    table = filters.apply(seizures)
    return (
        table.group_by("area")
        .aggregate(seizures=table.count(), kilograms=table.kilograms.sum())
        .order_by(ibis.desc("seizures"))
    )


def hubs(routes: pl.DataFrame, legs: pl.DataFrame, *, limit: int = 15) -> pl.DataFrame:
    """Transit share (the share of routed seizures passing through an area without
    starting or ending there) and betweenness on the leg graph, weighted by cases."""
    if routes.is_empty():
        return pl.DataFrame(
            schema={"area": pl.String, "transit_share": pl.Float64, "betweenness": pl.Float64}
        )
    total = float(routes["seizures"].sum())
    through: dict[str, float] = {}
    for key, count in routes.select("route_key", "seizures").iter_rows():
        for point in key.split(">")[1:-1]:
            through[point] = through.get(point, 0.0) + count
    graph = nx.DiGraph()
    for source, target, seizures in legs.select("source", "target", "seizures").iter_rows():
        # Betweenness takes distances: frequent legs are "shorter".
        graph.add_edge(source, target, weight=1.0 / max(seizures, 1))
    betweenness = nx.betweenness_centrality(graph, weight="weight", normalized=True)
    areas = sorted(set(through) | set(betweenness))
    frame = pl.DataFrame(
        {
            "area": areas,
            "transit_share": [through.get(a, 0.0) / total for a in areas],
            "betweenness": [float(betweenness.get(a, 0.0)) for a in areas],
        }
    )
    return frame.sort(["transit_share", "betweenness"], descending=True).head(limit)
