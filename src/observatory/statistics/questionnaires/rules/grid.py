"""Checks over a grid of cells per group: compare, parts_le_total and
sex_total (additive), compulsory_pair and exclusive_pair (pairs) and
rate_consistent (rates). `_grid_checks` sums every group's numbers at once;
each family then has a function picking the groups that break their rules
and one putting its violations into words."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from observatory.statistics.questionnaires.rules.expressions import (
    _allowed_gap,
    _finish,
    _key,
    _number_text,
    _rounding_margin,
    _state_text,
)
from observatory.statistics.questionnaires.rules.language import (
    COMPARE,
    COMPULSORY_PAIR,
    EXCLUSIVE_PAIR,
    PARTS_LE_TOTAL,
    RATE_CONSISTENT,
    SEX_TOTAL,
    SKIP_IF_ALL,
    SKIP_IF_ANY,
)
from observatory.statistics.questionnaires.rules.plan import _VALUE_COLUMNS, _matched, _Plan


def _grid_checks(
    frame: pl.LazyFrame,
    plans: Sequence[tuple[int, _Plan]],
    dims: Sequence[str],
    terms: pl.LazyFrame,
    parameters: pl.LazyFrame,
    population: pl.LazyFrame | None,
) -> list[pl.LazyFrame]:
    """compare, parts_le_total, sex_total, the pairs and rates.

    Every rule's groups times its terms make a grid, filled with the cells
    found (or nulls). The numbers are summed per group for every group; the
    words are only put together for the groups that break their rule."""
    cells, found_groups = _matched(frame, plans, dims)
    groups = found_groups.with_row_index("_group").collect()
    cells = cells.join(
        groups.lazy(), on=["_rule", "area", "period", *dims], nulls_equal=True
    ).select("_group", "_term", *_VALUE_COLUMNS)
    grid = (
        groups.lazy()
        .select("_group", "_rule")
        .join(terms.select("_rule", "_term", "_side", "_coef"), on="_rule")
        .join(cells, on=["_group", "_term"], how="left")
        .with_columns(pl.col("_rep", "_na", "_conf").fill_null(value=False))
        .collect()
    )
    is_left = pl.col("_side") == 0
    lacking = ~(pl.col("_rep") | pl.col("_na"))
    # Not applicable is zero; missing is zero too once the strategy checks anyway.
    number = pl.when(pl.col("_rep")).then(pl.col("value")).otherwise(0.0) * pl.col("_coef")
    numbers = (
        grid.lazy()
        .group_by("_group")
        .agg(
            _left=number.filter(is_left).sum(),
            _right=number.filter(~is_left).sum(),
            _n_missing=lacking.sum(),
            _count=pl.len(),
            _left_reported=(pl.col("_rep") & is_left).sum(),
            _right_reported=(pl.col("_rep") & ~is_left).sum(),
            _right_lacking=(lacking & ~is_left).sum(),
            _left_conf=(pl.col("_conf") & is_left).any(),
            _right_conf=(pl.col("_conf") & ~is_left).any(),
        )
        .join(groups.lazy(), on="_group")
        .join(parameters, on="_rule")
        .collect()
        .lazy()
    )
    families = [(_additive_violations(numbers), _additive), (_pair_violations(numbers), _pairs)]
    if population is not None:
        families.append((_rate_violations(numbers, population), _rates))
    broken = pl.collect_all(found for found, _ in families)
    ids = pl.concat([rows.select("_group") for rows in broken])["_group"]
    words = _words(grid.lazy().filter(pl.col("_group").is_in(ids.implode())), groups, terms, dims)
    words = words.collect().lazy()
    return [
        explain(rows.lazy().join(words, on="_group"), dims)
        for rows, (_, explain) in zip(broken, families, strict=True)
    ]


def _words(
    grid: pl.LazyFrame, groups: pl.DataFrame, terms: pl.LazyFrame, dims: Sequence[str]
) -> pl.LazyFrame:
    """Per group: each side as a sum of "label (number)", the reported cells,
    the lacking ones, the total's state and the cell keys."""
    is_left = pl.col("_side") == 0
    lacking = ~(pl.col("_rep") | pl.col("_na"))
    rows = (
        grid.join(terms.drop("_side", "_coef"), on=["_rule", "_term"])
        .join(groups.lazy().select("_group", *dims), on="_group")
        .with_columns(_state=_state_text(), _key=_key(dims))
        .with_columns(
            _sum_text=pl.concat_str(pl.col("_before"), pl.col("_state"), pl.lit(")")),
            _text=pl.format("{} ({})", pl.col("_label"), pl.col("_state")),
            _lack=pl.format("{} is {}", pl.col("_lacking"), pl.col("_state")),
        )
        .sort("_group", "_term")
    )
    return rows.group_by("_group").agg(
        _left_text=pl.col("_sum_text").filter(is_left).str.join(""),
        _right_text=pl.col("_sum_text").filter(~is_left).str.join(""),
        _right_state=pl.col("_state").filter(~is_left).first(),
        _left_reported_text=pl.col("_text").filter(is_left & pl.col("_rep")).str.join(", "),
        _right_reported_text=pl.col("_text").filter(~is_left & pl.col("_rep")).str.join(", "),
        _lack_text=pl.col("_lack").filter(~is_left & lacking).str.join(" and "),
        _cells=pl.col("_key"),
    )


def _additive_violations(numbers: pl.LazyFrame) -> pl.LazyFrame:
    """compare, parts_le_total and sex_total rules broken, after the missing strategy."""
    op, missing = pl.col("_op"), pl.col("_missing")
    left, right = pl.col("_left"), pl.col("_right")
    checked = (
        pl.when(missing == SKIP_IF_ANY)
        .then(pl.col("_n_missing") == 0)
        .when(missing == SKIP_IF_ALL)
        .then(pl.col("_n_missing") < pl.col("_count"))
        .otherwise(pl.lit(value=True))
    )
    gap = left - right
    allowed = _allowed_gap(right)
    margin = _rounding_margin(left, right)
    violated = (
        pl.when(op == "=")
        .then(gap.abs() > allowed + margin)
        .when(op == "!=")
        .then(gap.abs() <= allowed + margin)
        .when(op == "<=")
        .then(gap > allowed + margin)
        .when(op == "<")
        .then(gap > allowed - margin)
        .when(op == ">=")
        .then(-gap > allowed + margin)
        .otherwise(-gap > allowed - margin)
    )
    kinds = pl.col("_kind").is_in([COMPARE, PARTS_LE_TOTAL, SEX_TOTAL])
    return numbers.filter(kinds & checked & violated)


def _additive(rows: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    """The words for compare, parts_le_total and sex_total violations."""
    kind, op = pl.col("_kind"), pl.col("_op")
    left, right = pl.col("_left"), pl.col("_right")
    gap = left - right
    secret = pl.col("_left_conf") | pl.col("_right_conf")
    lhs = _side_phrase("_left")
    rhs = _side_phrase("_right")
    difference = _number_text(gap.abs())
    compared = pl.format("{} is not {} {}", lhs, pl.col("_op_words"), rhs)
    sex_total = (
        pl.when(secret)
        .then(
            pl.format(
                "{} do not add up to the total ({})", pl.col("_left_text"), pl.col("_right_state")
            )
        )
        .otherwise(
            pl.format(
                "{}, but the total is {} (difference {})", lhs, pl.col("_right_state"), difference
            )
        )
    )
    parts = (
        pl.when((pl.col("_n_left") == 1) & secret)
        .then(pl.format("{} is more than the total {}", lhs, rhs))
        .when(pl.col("_n_left") == 1)
        .then(pl.format("{} is more than the total {} by {}", lhs, rhs, difference))
        .when(secret)
        .then(pl.format("{} add up to more than the total {}", pl.col("_left_text"), rhs))
        .otherwise(
            pl.format(
                "{} add up to {}, more than the total {} by {}",
                pl.col("_left_text"),
                _number_text(left),
                rhs,
                difference,
            )
        )
    )
    message = (
        pl.when(kind == SEX_TOTAL)
        .then(sex_total)
        .when(kind == PARTS_LE_TOTAL)
        .then(parts)
        .when(secret | (op == "!="))
        .then(compared)
        .otherwise(pl.format("{} (difference {})", compared, difference))
    )
    return _finish(
        rows,
        dims,
        cells=pl.col("_cells"),
        left=pl.when(~pl.col("_left_conf")).then(left),
        right=pl.when(~pl.col("_right_conf")).then(right),
        message=message,
    )


def _side_phrase(side: str) -> pl.Expr:
    """A side of a comparison in words: a lone cell as X (12), a sum as
    X (12) + Y (30) = 42, without the sum when a confidential value is in it."""
    text = pl.col(f"{side}_text")
    return (
        pl.when(pl.col(f"{side}_plain") | pl.col(f"{side}_conf"))
        .then(text)
        .otherwise(pl.format("{} = {}", text, _number_text(pl.col(side))))
    )


def _pair_violations(numbers: pl.LazyFrame) -> pl.LazyFrame:
    """compulsory_pair and exclusive_pair rules broken: which cells are reported."""
    violated = (pl.col("_left_reported") > 0) & (
        pl.when(pl.col("_kind") == COMPULSORY_PAIR)
        .then(pl.col("_right_lacking") > 0)
        .otherwise(pl.col("_right_reported") > 0)
    )
    return numbers.filter(pl.col("_kind").is_in([COMPULSORY_PAIR, EXCLUSIVE_PAIR]) & violated)


def _pairs(rows: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    compulsory = pl.col("_kind") == COMPULSORY_PAIR
    left_reported = pl.col("_left_reported") > 0
    verb = pl.when(pl.col("_left_reported") > 1).then(pl.lit("are")).otherwise(pl.lit("is"))
    message = (
        pl.when(compulsory)
        .then(
            pl.format(
                "{} {} reported, so {} must be reported too, but {}",
                pl.col("_left_reported_text"),
                verb,
                pl.col("_required"),
                pl.col("_lack_text"),
            )
        )
        .otherwise(
            pl.format(
                "{} and {} are both reported, but only one of them may be",
                pl.col("_left_reported_text"),
                pl.col("_right_reported_text"),
            )
        )
    )
    return _finish(
        rows,
        dims,
        cells=pl.col("_cells"),
        left=pl.when(left_reported & ~pl.col("_left_conf")).then(pl.col("_left")),
        right=pl.when((pl.col("_right_reported") > 0) & ~pl.col("_right_conf")).then(
            pl.col("_right")
        ),
        message=message,
    )


def _rate_violations(numbers: pl.LazyFrame, population: pl.LazyFrame) -> pl.LazyFrame:
    """rate ≈ count / population × per; the rate is the left cell, the count the right."""
    rate, count = pl.col("_left"), pl.col("_right")
    rows = (
        numbers.filter(
            (pl.col("_kind") == RATE_CONSISTENT)
            & (pl.col("_left_reported") == 1)
            & (pl.col("_right_reported") == 1)
        )
        .join(population, on=["area", "period"])
        .filter(pl.col("population") > 0)
        .with_columns(_expected=count / pl.col("population") * pl.col("_per"))
    )
    expected = pl.col("_expected")
    gap = (rate - expected).abs()
    return rows.filter(gap > _allowed_gap(expected) + _rounding_margin(rate, expected))


def _rates(rows: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    rate, count, expected = pl.col("_left"), pl.col("_right"), pl.col("_expected")
    rate_secret, count_secret = pl.col("_left_conf"), pl.col("_right_conf")
    gap = (rate - expected).abs()

    def shown(value: pl.Expr, secret: pl.Expr) -> pl.Expr:
        return pl.when(secret).then(pl.lit("confidential value")).otherwise(_number_text(value))

    message = pl.concat_str(
        pl.format(
            "the rate ({}) does not match the count ({}) and population ({})",
            shown(rate, rate_secret),
            shown(count, count_secret),
            _number_text(pl.col("population")),
        ),
        pl.when(~count_secret).then(
            pl.format(
                ", which give {} per {}", _number_text(expected), _number_text(pl.col("_per"))
            )
        ),
        pl.when(~count_secret & ~rate_secret).then(
            pl.format(" (difference {})", _number_text(gap))
        ),
        ignore_nulls=True,
    )
    return _finish(
        rows,
        dims,
        cells=pl.col("_cells"),
        left=pl.when(~rate_secret).then(rate),
        right=pl.when(~count_secret).then(expected),
        message=message,
    )
