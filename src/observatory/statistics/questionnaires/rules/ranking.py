"""Checks of rankings: in each group (area, period and the codes the rule runs
per), the cells of the rule's `cell` across one dimension (e.g. the partner
countries of a drug's route in one role) hold ranks 1, 2, 3… `_ranking_checks`
finds a rank that is not a whole number of at least 1, a rank given to two or
more codes of a group and, unless the rule allows it, a number skipped (ranks
1 and 3 without 2). Only reported numbers are ranks: not available, not
applicable and missing cells are left out."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from observatory.statistics.questionnaires.rules.expressions import (
    _finish,
    _keyed,
    _number_text,
    _rounding_margin,
)

_ONCE = "a rank can be given only once"


def _ranking_checks(
    cells: pl.LazyFrame, terms: pl.LazyFrame, dims: Sequence[str]
) -> list[pl.LazyFrame]:
    """Bad ranks, ranks given twice and skipped numbers, in that order.

    The dimension ranked across is a group dimension of the plan (every code
    found); here it becomes _code and leaves the scope, which is the group."""
    across, value, secret = pl.col("_across"), pl.col("value"), pl.col("_conf")
    code = pl.coalesce(*[pl.when(across == d).then(pl.col(d)) for d in dims])
    rows = _keyed(cells.filter(pl.col("_rep")), terms, dims).with_columns(
        # The ranked dimension leaves the scope (the group); the cell keys keep it.
        [pl.when(across != d).then(pl.col(d)).alias(d) for d in dims],
        _code=code,
        _who=pl.format("{}={}", across, code),
        _valid=((value - value.round(0)).abs() <= _rounding_margin(value)) & (value.round(0) >= 1),
    )
    order = ["_rule", "area", "period", *dims]

    bad = rows.filter(~pl.col("_valid")).sort(*order, "_code", nulls_last=True)
    invalid = _finish(
        bad,
        dims,
        cells=pl.concat_list(pl.col("_key")),
        left=pl.when(~secret).then(value),
        right=pl.lit(None),
        message=pl.when(secret)
        .then(
            pl.format(
                "the rank of {} (confidential value) is not a whole number of at least 1",
                pl.col("_who"),
            )
        )
        .otherwise(
            pl.format(
                "the rank of {} is {}, which is not a whole number of at least 1",
                pl.col("_who"),
                _number_text(value),
            )
        ),
    )

    group = ["_rule", "rule", "importance", "_gaps", "area", "period", *dims]
    ranked = rows.filter(pl.col("_valid")).with_columns(_rank=value.round(0))
    tied = (
        ranked.group_by([*group, "_rank"])
        .agg(
            _names=pl.col("_who").sort_by("_code"),
            _cells=pl.col("_key").sort_by("_code"),
            _conf=pl.col("_conf").any(),
            _n=pl.len(),
        )
        .filter(pl.col("_n") > 1)
        .sort(*order, "_rank", nulls_last=True)
    )
    rank, tied_secret = pl.col("_rank"), pl.col("_conf")
    both = pl.when(pl.col("_n") == 2).then(pl.lit("both")).otherwise(pl.lit("all"))
    duplicates = _finish(
        tied,
        dims,
        cells=pl.col("_cells"),
        left=pl.when(~tied_secret).then(rank),
        right=pl.when(~tied_secret).then(rank),
        message=pl.when(tied_secret)
        .then(
            pl.format(
                "{} have the same rank (confidential value); " + _ONCE,
                _and_list(pl.col("_names")),
            )
        )
        .otherwise(
            pl.format(
                "{} {} have rank {}; " + _ONCE,
                _and_list(pl.col("_names")),
                both,
                _number_text(rank),
            )
        ),
    )
    return [invalid, duplicates, _gaps(ranked, group, order, dims)]


def _gaps(
    ranked: pl.LazyFrame, group: list[str], order: list[str], dims: Sequence[str]
) -> pl.LazyFrame:
    """Numbers skipped below a group's highest rank, as runs between one rank
    given and the next (0 before the first): never a list as long as the
    highest rank, however high."""
    rank = pl.col("_rank")
    # Sorted by group then rank, the row before is the rank below if it
    # belongs to the same group: no window per group needed for it.
    same_group = pl.col("_group") == pl.col("_group").shift(1)
    low, high = pl.col("_from"), pl.col("_to")
    runs = (
        ranked.filter(pl.col("_gaps").is_not_null())
        .sort(*order, rank, "_code", nulls_last=True)
        .group_by([*group, "_rank"], maintain_order=True)
        .agg(_conf=pl.col("_conf").any(), _keys=pl.col("_key"))
        .with_columns(_group=pl.struct(order).rle_id())
        .with_columns(_from=pl.when(same_group).then(rank.shift(1)).otherwise(0.0) + 1)
        .with_columns(_to=rank - 1)
        .with_columns(
            _skipped=pl.when(high >= low).then(high - low + 1).otherwise(0.0),
            _items=pl.when(high == low)
            .then(pl.concat_list(_number_text(low)))
            .when(high == low + 1)
            .then(pl.concat_list(_number_text(low), _number_text(high)))
            .otherwise(
                pl.concat_list(pl.format("{} to {}", _number_text(low), _number_text(high)))
            ),
        )
    )
    found = (
        runs.group_by(group, maintain_order=True)
        .agg(
            _given=_number_text(rank),
            _missing=pl.col("_items").filter(pl.col("_skipped") > 0).explode(),
            _n_missing=pl.col("_skipped").sum(),
            _n_given=pl.len(),
            _highest=rank.max(),
            _conf=pl.col("_conf").any(),
            _cells=pl.col("_keys").explode(),
        )
        .filter(pl.col("_n_missing") > 0)
        .with_columns(importance=pl.col("_gaps"))
    )
    secret = pl.col("_conf")
    given = pl.when(pl.col("_n_given") == 1).then(pl.lit("rank")).otherwise(pl.lit("ranks"))
    verb = pl.when(pl.col("_n_given") == 1).then(pl.lit("is")).otherwise(pl.lit("are"))
    skipped = pl.when(pl.col("_n_missing") == 1).then(pl.lit("rank")).otherwise(pl.lit("ranks"))
    return _finish(
        found,
        dims,
        cells=pl.col("_cells"),
        left=pl.when(~secret).then(pl.col("_highest")),
        right=pl.when(~secret).then(pl.col("_n_given")),
        message=pl.when(secret)
        .then(
            pl.lit("the ranks given (confidential values) skip a number between 1 and the highest")
        )
        .otherwise(
            pl.format(
                "{} {} {} given, but not {} {}",
                given,
                _and_list(pl.col("_given")),
                verb,
                skipped,
                _and_list(pl.col("_missing")),
            )
        ),
    )


def _and_list(items: pl.Expr) -> pl.Expr:
    """A list of words as "a", "a and b" or "a, b and c"."""
    count = items.list.len()
    return (
        pl.when(count <= 1)
        .then(items.list.first())
        .otherwise(
            pl.format("{} and {}", items.list.head(count - 1).list.join(", "), items.list.last())
        )
    )
