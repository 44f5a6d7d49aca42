"""Run a questionnaire's declarative rules over a version's observations (with
the area's earlier years as history), for the entry page, submission and on
demand."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from django.db.models import QuerySet

from observatory.accounts.access import ActorLike
from observatory.reference.models import Population
from observatory.statistics import selectors
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires import rules
from observatory.submissions.models import Version


def frame_of(rows: QuerySet[Observation], dimensions: list[str]) -> pl.DataFrame:
    records = [
        {
            "area": area,
            "period": period,
            **{d: dims.get(d, "") for d in dimensions},
            "value": float(value) if value is not None else None,
            "status": "C" if conf == "C" else status,
        }
        for area, period, dims, value, status, conf in rows.values_list(
            "area_id", "time_period", "dims", "value", "obs_status", "conf_status"
        )
    ]
    schema: dict[str, Any] = {
        "area": pl.String,
        "period": pl.String,
        **dict.fromkeys(dimensions, pl.String),
        "value": pl.Float64,
        "status": pl.String,
    }
    return pl.DataFrame(records, schema=schema)


_CODED = re.compile(r"\b([A-Z][A-Z_]*)=([A-Za-z0-9_]+)")


def readable(message: str, names: dict[str, dict[str, str]]) -> str:
    """“SEX=M” -> “Male” in a rule message, with the structure's code names."""

    def name(match: re.Match[str]) -> str:
        return names.get(match[1], {}).get(match[2], match[0])

    return _CODED.sub(name, message)


def in_structure_order(value: Any, dimensions: list[str]) -> Any:
    """Selectors with their dimensions in the structure's order. A definition read
    back from PostgreSQL (jsonb) has its keys reordered, and the rule messages
    name the codes in the order of the selector."""
    if isinstance(value, list):
        return [in_structure_order(item, dimensions) for item in value]
    if isinstance(value, dict):
        rank = {d: i for i, d in enumerate(dimensions)}
        keys = sorted(value, key=lambda k: (0, rank[k]) if k in rank else (1, 0))
        return {k: in_structure_order(value[k], dimensions) for k in keys}
    return value


def evaluate(
    current: pl.DataFrame,
    questionnaire: Questionnaire,
    *,
    actor: ActorLike,
    exclude_version: Version | None = None,
) -> pl.DataFrame | None:
    """The questionnaire's rules over `current` (an observations frame, see
    frame_of): raw results, codes not yet names. History is the areas' other
    periods the actor may see (never `exclude_version`), with their population;
    None when there is nothing to check."""
    flow = questionnaire.dataflow
    dimensions = selectors.Structure(flow.structure).dimensions
    definitions = in_structure_order(questionnaire.definition.get("rules", []), dimensions)
    parsed = rules.parse_rules(definitions, dimensions=dimensions)
    if current.is_empty() or not parsed:
        return None
    areas = current["area"].unique().to_list()
    periods = current["period"].unique().to_list()
    earlier = (
        selectors.current_observations(actor=actor, dataflow=flow)
        .filter(area_id__in=areas)
        .exclude(time_period__in=periods)
    )
    if exclude_version is not None:
        earlier = earlier.exclude(version=exclude_version)
    history = frame_of(earlier, dimensions)
    population = pl.DataFrame(
        [
            {"area": area, "period": str(year), "population": float(value)}
            for area, year, value in Population.objects.filter(area_id__in=areas).values_list(
                "area_id", "year", "value"
            )
        ],
        schema={"area": pl.String, "period": pl.String, "population": pl.Float64},
    )
    defaults = {str(k): str(v) for k, v in (questionnaire.definition.get("defaults") or {}).items()}
    return rules.evaluate(
        current,
        parsed,
        dimensions=dimensions,
        defaults=defaults,
        population=population,
        history=history if history.height else None,
    )


def check_version(
    version: Version, questionnaire: Questionnaire, *, actor: ActorLike
) -> pl.DataFrame:
    """Violations of the questionnaire's rules in `version` (empty frame: none)."""
    structure = selectors.Structure(questionnaire.dataflow.structure)
    current = frame_of(
        Observation.objects.filter(version=version, dataflow=questionnaire.dataflow),
        structure.dimensions,
    )
    found = evaluate(current, questionnaire, actor=actor, exclude_version=version)
    if found is None:
        return current.clear().select()
    names = structure.names
    return found.with_columns(
        pl.col("message").map_elements(lambda m: readable(m, names), return_dtype=pl.String),
        pl.col("scope").map_elements(lambda m: readable(m, names), return_dtype=pl.String),
    )
