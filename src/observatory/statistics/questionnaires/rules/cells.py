"""Checks of one cell at a time: share_le_100 and bounds against fixed
limits (`_cell_checks`), yoy_change and outlier against the cell's own series
in time (`_series_checks`), with the messages for changes and outliers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from observatory.statistics.questionnaires.rules.expressions import (
    _finish,
    _keyed,
    _number_text,
    _rounding_margin,
)
from observatory.statistics.questionnaires.rules.language import (
    BREAK_IN_SERIES,
    SHARE_LE_100,
    YOY_CHANGE,
)


def _cell_checks(cells: pl.LazyFrame, terms: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    """share_le_100 and bounds: one reported number against fixed limits."""
    value, secret = pl.col("value"), pl.col("_conf")
    share = pl.col("_kind") == SHARE_LE_100
    margin = _rounding_margin(value)
    too_high = (
        pl.when(share)
        .then(value > 100 + pl.col("_tolerance") + margin)
        .otherwise(pl.col("_maximum").is_not_null() & (value > pl.col("_maximum")))
    )
    too_low = (
        pl.when(share)
        .then(value < -pl.col("_tolerance") - margin)
        .otherwise(pl.col("_minimum").is_not_null() & (value < pl.col("_minimum")))
    )
    rows = _keyed(cells.filter(pl.col("_rep") & (too_high | too_low)), terms, dims)
    share_limit = (
        pl.when(too_high).then(pl.lit("more than 100 %")).otherwise(pl.lit("less than 0 %"))
    )
    bound = (
        pl.when(too_high)
        .then(pl.format("above the maximum {}", _number_text(pl.col("_maximum"))))
        .otherwise(pl.format("below the minimum {}", _number_text(pl.col("_minimum"))))
    )
    message = (
        pl.when(share & secret)
        .then(pl.format("the share (confidential value) is {}", share_limit))
        .when(share)
        .then(pl.format("the share is {} %, {}", _number_text(value), share_limit))
        .when(secret)
        .then(pl.format("the confidential value is {}", bound))
        .otherwise(pl.format("the value {} is {}", _number_text(value), bound))
    )
    limit = (
        pl.when(share)
        .then(pl.when(too_high).then(pl.lit(100.0)).otherwise(pl.lit(0.0)))
        .otherwise(pl.when(too_high).then(pl.col("_maximum")).otherwise(pl.col("_minimum")))
    )
    return _finish(
        rows,
        dims,
        cells=pl.concat_list(pl.col("_key")),
        left=pl.when(~secret).then(value),
        right=limit,
        message=message,
    )


def _series_checks(cells: pl.LazyFrame, terms: pl.LazyFrame, dims: Sequence[str]) -> pl.LazyFrame:
    """yoy_change and outlier over each cell's reported numbers in time.

    Change: against the latest earlier reported number, unless this one is a
    break in series. Outlier: modified z-score 0.6745 (x - median) / MAD within
    the series since its last break; where MAD is 0, (x - median) / (1.253314 ×
    mean absolute deviation); no outlier when both are 0."""
    value, previous = pl.col("value"), pl.col("_prev")
    # Sorted by series then period, the row before is the previous period if it
    # belongs to the same series: no window per series needed for it.
    same_series = pl.col("_series") == pl.col("_series").shift(1)
    rows = (
        cells.filter(pl.col("_rep"))
        .sort("_rule", "area", *dims, "period", nulls_last=True)
        .with_columns(
            _series=pl.struct("_rule", "area", *dims).rle_id(),
            _breaks=(pl.col("status") == BREAK_IN_SERIES).cast(pl.Int32).cum_sum(),
        )
        .with_columns(
            _prev=pl.when(same_series).then(value.shift(1)),
            _prev_period=pl.when(same_series).then(pl.col("period").shift(1)),
            _prev_conf=pl.when(same_series).then(pl.col("_conf").shift(1)),
            # A break starts a new segment of its series.
            _segment=pl.struct("_series", "_breaks").rle_id(),
        )
        .with_columns(_median=value.median().over("_segment"))
        .with_columns(
            _mad=(value - pl.col("_median")).abs().median().over("_segment"),
            _meanad=(value - pl.col("_median")).abs().mean().over("_segment"),
            _points=value.count().over("_segment"),
            _first=pl.col("period").min().over("_segment"),
            _last=pl.col("period").max().over("_segment"),
            _series_conf=pl.col("_conf").any().over("_segment"),
        )
    )
    deviation = value - pl.col("_median")
    score = (
        pl.when(pl.col("_mad") > 0)
        .then(0.6745 * deviation / pl.col("_mad"))
        .when(pl.col("_meanad") > 0)
        .then(deviation / (1.253314 * pl.col("_meanad")))
        .otherwise(0.0)
    )
    change = pl.when(previous != 0).then((value - previous) / previous.abs() * 100)
    yoy = pl.col("_kind") == YOY_CHANGE
    threshold = pl.col("_threshold")
    changed = (
        previous.is_not_null()
        & (pl.col("status") != BREAK_IN_SERIES)
        & (pl.max_horizontal(value.abs(), previous.abs()) >= pl.col("_min_value"))
        & (((previous == 0) & (value != 0)) | (change.abs() > threshold + 1e-9))
    )
    outlying = (pl.col("_points") >= pl.col("_min_points")) & (score.abs() > threshold)
    rows = rows.with_columns(_score=score, _change=change).filter(
        pl.col("_current") & pl.when(yoy).then(changed).otherwise(outlying)
    )
    rows = _keyed(rows, terms, dims)
    return _finish(
        rows,
        dims,
        cells=pl.concat_list(pl.col("_key")),
        left=pl.when(~pl.col("_conf")).then(value),
        right=pl.when(yoy & ~pl.col("_prev_conf"))
        .then(previous)
        .when(~yoy & ~pl.col("_series_conf"))
        .then(pl.col("_median")),
        message=pl.when(yoy).then(_change_message()).otherwise(_outlier_message()),
    )


def _change_message() -> pl.Expr:
    value, previous, change = pl.col("value"), pl.col("_prev"), pl.col("_change")
    threshold = _number_text(pl.col("_threshold"))
    direction = pl.when(value > previous).then(pl.lit("rose")).otherwise(pl.lit("fell"))
    signed = pl.when(change > 0).then(pl.lit("+")).otherwise(pl.lit(""))
    plain = pl.concat_str(
        pl.format(
            "the value {} from {} in {} to {} in {}",
            direction,
            _number_text(previous),
            pl.col("_prev_period"),
            _number_text(value),
            pl.col("period"),
        ),
        pl.when(previous != 0).then(pl.format(" ({}{} %)", signed, _number_text(change.round(1)))),
        pl.format(", a change of more than {} %", threshold),
        ignore_nulls=True,
    )
    hidden = pl.format(
        "the value changed by more than {} % from {} to {} (confidential value)",
        threshold,
        pl.col("_prev_period"),
        pl.col("period"),
    )
    return pl.when(pl.col("_conf") | pl.col("_prev_conf")).then(hidden).otherwise(plain)


def _outlier_message() -> pl.Expr:
    secret = pl.col("_conf") | pl.col("_series_conf")
    point = (
        pl.when(pl.col("_conf"))
        .then(pl.format("the confidential value in {}", pl.col("period")))
        .otherwise(pl.format("the value {} in {}", _number_text(pl.col("value")), pl.col("period")))
    )
    centre = (
        pl.when(pl.col("_series_conf"))
        .then(pl.lit("the rest of its series"))
        .otherwise(pl.format("the median {} of its series", _number_text(pl.col("_median"))))
    )
    threshold = _number_text(pl.col("_threshold"))
    score = (
        pl.when(secret)
        .then(pl.format("modified z-score above {}", threshold))
        .otherwise(
            pl.format(
                "modified z-score {}, above {}",
                _number_text(pl.col("_score").round(1)),
                threshold,
            )
        )
    )
    return pl.format(
        "{} is far from {} ({} values from {} to {}; {})",
        point,
        centre,
        pl.col("_points"),
        pl.col("_first"),
        pl.col("_last"),
        score,
    )
