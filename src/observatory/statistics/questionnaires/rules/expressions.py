"""What every family of checks shares: RESULT_SCHEMA and `_finish`, which
shapes a family's violations into it (the scope, the cells, the two numbers
and the message); numbers and cell states as text; readable cell keys; the
tolerance and the rounding margin of a comparison."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from observatory.statistics.questionnaires.rules.language import NOT_AVAILABLE

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "importance": pl.String(),
    "area": pl.String(),
    "period": pl.String(),
    "scope": pl.String(),
    "cells": pl.List(pl.String()),
    "left": pl.Float64(),
    "right": pl.Float64(),
    "message": pl.String(),
}


def _number_text(value: pl.Expr) -> pl.Expr:
    """12, 12.5, 0.3 (not 0.30000000000000004)."""
    rounded = value.round_sig_figs(10)
    whole = (rounded == rounded.round(0)) & (rounded.abs() < 1e15)
    return (
        pl.when(whole)
        .then(rounded.cast(pl.Int64).cast(pl.String))
        .otherwise(rounded.cast(pl.String))
    )


def _state_text() -> pl.Expr:
    """How a cell reads in a message: its number, or why there is none."""
    return (
        pl.when(pl.col("_conf"))
        .then(pl.lit("confidential value"))
        .when(pl.col("_rep"))
        .then(_number_text(pl.col("value")))
        .when(pl.col("_na"))
        .then(pl.lit("not applicable"))
        .when(pl.col("status") == NOT_AVAILABLE)
        .then(pl.lit("not available"))
        .otherwise(pl.lit("missing"))
    )


def _key(dims: Sequence[str]) -> pl.Expr:
    """A cell's readable key, e.g. CATEGORY=0101, SEX=M: the codes its term
    names, and the codes of the group it serves."""
    return _coded(dims, [pl.coalesce(pl.col(f"_k_{d}"), pl.col(d)) for d in dims])


def _scope(dims: Sequence[str]) -> pl.Expr:
    return _coded(dims, [pl.col(d) for d in dims])


def _coded(dims: Sequence[str], codes: Sequence[pl.Expr]) -> pl.Expr:
    """The codes as D=code, D=code; an empty code (a dimension a cell does not
    have) is left out like a missing one."""
    parts = [
        pl.when(code != "").then(pl.lit(f"{d}=") + code)
        for d, code in zip(dims, codes, strict=True)
    ]
    return pl.concat_str(parts, separator=", ", ignore_nulls=True).fill_null("")


def _keyed(rows: pl.LazyFrame, terms: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    """Rows of one-cell rules with their readable cell key."""
    shown = terms.select("_rule", "_term", *[f"_k_{d}" for d in dims])
    return rows.join(shown, on=["_rule", "_term"]).with_columns(_key=_key(dims))


def _finish(
    frame: pl.LazyFrame,
    dims: Sequence[str],
    *,
    cells: pl.Expr,
    left: pl.Expr,
    right: pl.Expr,
    message: pl.Expr,
) -> pl.LazyFrame:
    return frame.select(
        "_rule",
        "rule",
        "importance",
        "area",
        "period",
        scope=_scope(dims),
        cells=cells.cast(pl.List(pl.String)),
        left=left.cast(pl.Float64),
        right=right.cast(pl.Float64),
        message=message.str.slice(0, 1).str.to_uppercase() + message.str.slice(1),
    )


def _rounding_margin(*values: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(pl.lit(1.0), *[v.abs() for v in values]) * 1e-9


def _allowed_gap(reference: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(pl.col("_tolerance"), reference.abs() * pl.col("_tolerance_pct") / 100)
