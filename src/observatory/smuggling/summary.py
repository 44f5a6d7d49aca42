"""What a member sees of a network for a period: totals, routes, fees,
citizenships, modus operandi, document fraud and the aggregates (with other
states' small counts suppressed). One function for the page, the API and the
exports, so what one shows the others show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from observatory.accounts import access
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


def aggregate_table(actor: Any, network: Network, period: str) -> pl.DataFrame:
    """Counts by state, measure and citizenship; other states' small cells
    suppressed for members (the office sees them exact)."""
    values = list(
        selectors.aggregate_list(actor=actor, network=network, period=period).values(
            "area_id", "measure", "citizenship", "value"
        )
    )
    schema = {
        "area_id": pl.String,
        "measure": pl.String,
        "citizenship": pl.String,
        "value": pl.Int64,
    }
    frame = (
        pl.DataFrame(values, schema=schema)
        .group_by("area_id", "measure", "citizenship")
        .agg(pl.col("value").sum())
        .sort(
            ["area_id", "measure", "value", "citizenship"], descending=[False, False, True, False]
        )
    )
    if access.actor_for(actor).is_analyst:
        return frame.with_columns(
            pl.col("value").cast(pl.String).alias("shown"), pl.lit(False).alias("suppressed")
        )
    return analysis.suppress(
        frame,
        value="value",
        area="area_id",
        own_areas=access.network_areas(actor, network),
        threshold=network.suppression_threshold,
    )


def network_summary(*, actor: Any, network: Network, period: str = "") -> NetworkSummary:
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
