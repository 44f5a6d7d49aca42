"""`evaluate`: observations (with history and population) and rules in,
violations out. It checks and prepares the frames (typed columns, the
reported / not applicable / confidential flags, no cell twice), plans the
rules, sends each family of kinds to its checks and puts the violations
together in RESULT_SCHEMA."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from observatory.statistics.questionnaires.rules.cells import _cell_checks, _series_checks
from observatory.statistics.questionnaires.rules.expressions import RESULT_SCHEMA
from observatory.statistics.questionnaires.rules.grid import _grid_checks
from observatory.statistics.questionnaires.rules.language import (
    BOUNDS,
    COMPARE,
    COMPULSORY_PAIR,
    CONFIDENTIAL,
    EXCLUSIVE_PAIR,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    OUTLIER,
    PARTS_LE_TOTAL,
    RANKING,
    RATE_CONSISTENT,
    SEX_TOTAL,
    SHARE_LE_100,
    TOTAL,
    YOY_CHANGE,
    Rule,
)
from observatory.statistics.questionnaires.rules.plan import (
    _matched,
    _Plan,
    _plan,
    _rule_table,
    _term_table,
)
from observatory.statistics.questionnaires.rules.ranking import _ranking_checks

_GRID_KINDS = (
    COMPARE,
    PARTS_LE_TOTAL,
    SEX_TOTAL,
    COMPULSORY_PAIR,
    EXCLUSIVE_PAIR,
    RATE_CONSISTENT,
)
_CELL_KINDS = (SHARE_LE_100, BOUNDS)
_SERIES_KINDS = (YOY_CHANGE, OUTLIER)
_RANKING_KINDS = (RANKING,)


def evaluate(
    observations: pl.DataFrame,
    rules: Sequence[Rule],
    *,
    dimensions: Sequence[str],
    defaults: Mapping[str, str] | None = None,
    population: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per violation (nothing for passes), in RESULT_SCHEMA, ordered by
    rule, area, period and scope: the rule's id and importance, where, the
    codes it ran for (scope), the cells involved, the two numbers compared
    (left, right) and a message in plain words. `observations` may hold several areas and
    periods; `history` adds earlier periods for year-on-year and outlier rules;
    `population` (area, period, population) is needed by rate rules."""
    dims = tuple(dimensions)
    resolved = dict.fromkeys(dims, TOTAL) if defaults is None else dict(defaults)
    strangers = sorted(set(resolved) - set(dims))
    if strangers:
        raise ValueError(f"defaults name dimensions the data do not have: {', '.join(strangers)}")
    frame = _prepare(observations, dims, "observations")
    plans = [_plan(rule, dims, resolved) for rule in rules]
    for rule in rules:
        if rule.kind == RATE_CONSISTENT and population is None:
            raise ValueError(f"rule {rule.id} checks rates and needs the population frame")
    if not plans:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    parameters = _rule_table(plans).lazy()
    terms = _term_table(plans, dims).lazy()

    def family(kinds: tuple[str, ...]) -> list[tuple[int, _Plan]]:
        return [(n, plan) for n, plan in enumerate(plans) if plan.rule.kind in kinds]

    results: list[pl.LazyFrame] = []
    if grid := family(_GRID_KINDS):
        people = None if population is None else _prepare_population(population).lazy()
        results += _grid_checks(frame.lazy(), grid, dims, terms, parameters, people)
    if cells := family(_CELL_KINDS):
        found, _ = _matched(frame.lazy(), cells, dims)
        results.append(_cell_checks(found.join(parameters, on="_rule"), terms, dims))
    if series := family(_SERIES_KINDS):
        found, _ = _matched(_series(frame, history, dims).lazy(), series, dims, ("_current",))
        results.append(_series_checks(found.join(parameters, on="_rule"), terms, dims))
    if ranked := family(_RANKING_KINDS):
        found, _ = _matched(frame.lazy(), ranked, dims)
        results += _ranking_checks(found.join(parameters, on="_rule"), terms, dims)
    # Stable: a ranking's violations of one group keep their order (bad ranks,
    # ranks given twice, skipped numbers).
    combined = pl.concat(results).sort("_rule", "area", "period", "scope", maintain_order=True)
    combined = combined.drop("_rule")
    return combined.collect()


def _prepare(frame: pl.DataFrame, dims: Sequence[str], what: str) -> pl.DataFrame:
    """Typed columns plus flags: _rep (a reported number), _na (not
    applicable), _conf (a reported confidential number)."""
    absent = [c for c in ("area", "period", *dims, "value", "status") if c not in frame.columns]
    if absent:
        raise ValueError(f"{what} lack the columns {', '.join(absent)}")
    status = pl.col("status").cast(pl.String).fill_null("A")
    value = pl.col("value").cast(pl.Float64).fill_nan(None)
    prepared = frame.select(
        pl.col("area").cast(pl.String),
        pl.col("period").cast(pl.String),
        *[pl.col(d).cast(pl.String) for d in dims],
        value.alias("value"),
        status.alias("status"),
    ).with_columns(
        _rep=pl.col("value").is_not_null()
        & ~pl.col("status").is_in([NOT_AVAILABLE, NOT_APPLICABLE]),
        _na=pl.col("status") == NOT_APPLICABLE,
    )
    prepared = prepared.with_columns(_conf=pl.col("_rep") & (pl.col("status") == CONFIDENTIAL))
    _refuse_duplicates(prepared, ["area", "period", *dims], what)
    return prepared


def _refuse_duplicates(frame: pl.DataFrame, keys: list[str], what: str) -> None:
    repeated = frame.select(keys).is_duplicated()
    if repeated.any():
        first = frame.filter(repeated).row(0, named=True)
        cell = ", ".join(f"{k}={first[k]}" for k in keys)
        raise ValueError(f"{what} hold the cell {cell} more than once; each cell must appear once")


def _prepare_population(population: pl.DataFrame) -> pl.DataFrame:
    absent = [c for c in ("area", "period", "population") if c not in population.columns]
    if absent:
        raise ValueError(f"population lacks the columns {', '.join(absent)}")
    prepared = population.select(
        pl.col("area").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("population").cast(pl.Float64),
    )
    _refuse_duplicates(prepared, ["area", "period"], "population")
    return prepared


def _series(frame: pl.DataFrame, history: pl.DataFrame | None, dims: Sequence[str]) -> pl.DataFrame:
    """Observations (flagged _current) and earlier periods; where history holds
    a cell the observations hold too, the observations win."""
    current = frame.with_columns(_current=pl.lit(value=True))
    if history is None:
        return current
    keys = ["area", "period", *dims]
    earlier = (
        _prepare(history, dims, "history")
        .join(current.select(keys), on=keys, how="anti")
        .with_columns(_current=pl.lit(value=False))
    )
    return pl.concat([current, earlier])
