"""What a member sees of a network for a period: totals, routes, fees,
citizenships, modus operandi, document fraud and the aggregates (with other
states' small counts suppressed). One function for the page, the API and the
exports, so what one shows the others show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Network
from observatory.smuggling import analysis, selectors

INCIDENT_VALUES = (
    "id",
    "area_id",
    "period",
    "incident_date",
    "departure_area",
    "transit_areas",
    "destination_area",
    "migrants_total",
    "deaths",
    "fee_usd_per_person",
    "modus_operandi",
    "document_type",
    "document_fraud",
)


@dataclass
class NetworkSummary:
    network: Network
    period: str
    reason: str
    own_areas: frozenset[str]
    areas_shown: set[str]
    incidents: pl.DataFrame
    citizenships: pl.DataFrame
    aggregates: pl.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def others_shown(self) -> list[str]:
        return sorted(self.areas_shown - self.own_areas)

    @property
    def totals(self) -> dict[str, int]:
        frame = self.incidents
        return {
            "incidents": frame.height,
            "migrants": int(frame["migrants"].sum() or 0),
            "deaths": int(frame["deaths"].sum() or 0),
            "states": frame["area"].n_unique(),
        }

    def top_routes(self) -> pl.DataFrame:
        return analysis.top_routes(self.incidents)

    def legs(self) -> pl.DataFrame:
        return analysis.legs(self.incidents)

    def fees(self) -> pl.DataFrame:
        return analysis.fees_by_route(self.incidents)

    def modus_operandi(self) -> pl.DataFrame:
        return analysis.tag_trends(self.incidents)

    def documents(self) -> pl.DataFrame:
        return analysis.document_fraud(self.incidents)


def aggregate_table(actor: ActorLike, network: Network, period: str) -> pl.DataFrame:
    """Counts by state, measure and citizenship over the selected period(s).

    For members, another state's count of a single period below the threshold is
    suppressed; a total over several periods adds only the cells that are shown
    in the one-period tables and says so (“≥ n”), so no suppressed count can be
    recovered by subtracting one table from another. The office sees exact
    counts. Own cells are always exact."""
    values = list(
        selectors.aggregate_list(actor=actor, network=network, period=period).values(
            "area_id", "measure", "citizenship", "period", "value"
        )
    )
    schema = {
        "area_id": pl.String,
        "measure": pl.String,
        "citizenship": pl.String,
        "period": pl.String,
        "value": pl.Int64,
    }
    keys = ["area_id", "measure", "citizenship"]
    cells = pl.DataFrame(values, schema=schema).group_by(*keys, "period").agg(pl.col("value").sum())
    if access.actor_for(actor).is_analyst:
        hidden = pl.lit(False)
    else:
        own = sorted(access.network_areas(actor, network))
        threshold = network.suppression_threshold
        hidden = (
            ~pl.col("area_id").is_in(own) & (pl.col("value") > 0) & (pl.col("value") < threshold)
        )
    totals = (
        cells.with_columns(hidden.alias("_hidden"))
        .group_by(*keys)
        .agg(
            pl.col("value").filter(~pl.col("_hidden")).sum().alias("_visible"),
            pl.col("_hidden").sum().alias("_hidden_cells"),
        )
    )
    threshold = network.suppression_threshold
    shown = (
        pl.when(pl.col("_hidden_cells") == 0)
        .then(pl.col("_visible").cast(pl.String))
        .when(pl.col("_visible") > 0)
        .then(pl.format("≥{}", pl.col("_visible")))
        .otherwise(pl.format("<{}", pl.col("_hidden_cells") * threshold))
    )
    return (
        totals.with_columns(
            pl.when(pl.col("_hidden_cells") == 0).then(pl.col("_visible")).alias("value"),
            shown.alias("shown"),
            (pl.col("_hidden_cells") > 0).alias("suppressed"),
        )
        .drop("_visible", "_hidden_cells")
        .sort(["area_id", "measure", "citizenship"])
    )


def network_summary(*, actor: ActorLike, network: Network, period: str = "") -> NetworkSummary:
    incidents = selectors.incident_list(actor=actor, network=network, period=period)
    frame = analysis.incident_frame(incidents.values(*INCIDENT_VALUES))
    aggregates = aggregate_table(actor, network, period)
    return NetworkSummary(
        network=network,
        period=period,
        reason=access.network_visibility_reason(actor, network, period=period or None),
        own_areas=access.network_areas(actor, network),
        areas_shown=set(frame["area"].unique().to_list())
        | set(aggregates["area_id"].unique().to_list()),
        incidents=frame,
        citizenships=analysis.citizenships(
            incidents.values_list("migrant_citizenships", flat=True)
        ),
        aggregates=aggregates,
    )
