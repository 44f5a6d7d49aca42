"""The series explorer's analysis: pure functions on Polars frames (no Django).

Frames
------
observations
    One row per observation as published: ``area`` (str), ``period`` (str, the
    SDMX time period: "2015"), one str column per dimension of the structure
    other than the area (``INDICATOR`` … ``UNIT_MEASURE``), ``value`` (f64, null
    when there is no number), ``censored`` (str: the marker that stands for a
    withheld number, as published — "<5" — or "confidential"; "" when none) and
    ``status`` (str, OBS_STATUS: A, E, P, B, L not available, M not applicable).
population
    ``area`` (str), ``year`` (int), ``population`` (f64): total population in
    the year (the reference data's World Bank figures).
areas_regions
    ``area`` (str) and one column per regional level (``region``,
    ``subregion``, ``unodc`` …) holding the code of the area's region at that
    level (null when it has none).

Rules
-----
* A cell (area, series, period) published more than once is kept once when
  the copies agree; when they disagree it has no value (``conflict`` lists
  the values, "38 | 5") and counts as missing: nothing picks one of them.
* Rate per 100,000 = count / population × 100,000, computed for counts only
  (UNIT_MEASURE = COUNT) with the population of the period's year. A rate the
  publisher gave (UNIT_MEASURE = RATE_100K) is shown as published and never
  recomputed; percentages and other units get no rate.
* Where both a count and a published rate exist, ``difference`` = computed /
  published − 1 and ``implied_population`` = count / published rate ×
  100,000 show how far the publisher's population differs from ours.
* Regional aggregates sum the counts of the reporting areas of a region.
  Censored values (“<5”, confidential) and missing values (no number: not
  available, not applicable, conflicting copies) are excluded from the sums
  and counted in ``censored`` and ``missing``; an area that sent nothing for
  the series and year is neither: it simply does not report, which
  ``coverage`` measures. ``coverage`` = population of the reporting areas /
  population of the region (0.62: 62 % of the region's people live in areas
  that reported). ``rate`` = counts of the reporting areas with a population
  figure / their population × 100,000, so rate and coverage cover the same
  areas; a reporting area without a population figure (the Holy See, parts of
  countries such as Central Iraq, IRQ_C) adds to ``count`` and to
  ``no_population``, not to the rate or the coverage. A country reported in
  parts that make the whole (the United Kingdom as England and Wales,
  Northern Ireland and Scotland: pass ``wholes``) counts in the aggregates as
  the country, with the country's population, for the years every part
  reported a number and the country itself did not; where the country
  reported itself its parts are left out; otherwise the parts stay as they
  are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

COUNT = "COUNT"
RATE = "RATE_100K"
UNIT = "UNIT_MEASURE"
PER = 100_000
CELL_FIELDS = ("value", "censored", "status", "conflict")
DERIVED = ("population", "rate", "basis", "year")


def dimensions_of(frame: pl.DataFrame) -> list[str]:
    """The dimension columns of an observations frame (all but area, period and
    the cell's fields), in the frame's order."""
    fixed = {"area", "period", *CELL_FIELDS, *DERIVED}
    return [c for c in frame.columns if c not in fixed and not c.startswith("_")]


def _year() -> pl.Expr:
    return pl.col("period").str.slice(0, 4).cast(pl.Int32, strict=False).alias("year")


def _number_text(column: str) -> pl.Expr:
    text = pl.col(column).round(9).cast(pl.String)
    return text.str.replace(r"\.0$", "")


def cells(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per cell (area, dimensions, period): exact repeats kept once, copies
    that disagree turned into a cell without a value whose ``conflict`` lists
    the published values. Idempotent."""
    keys = ["area", *dimensions_of(frame), "period"]
    if "conflict" not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias("conflict"))
    shown = (
        pl.when(pl.col("conflict") != "")
        .then(pl.col("conflict"))
        .when(pl.col("censored") != "")
        .then(pl.col("censored"))
        .when(pl.col("value").is_not_null())
        .then(_number_text("value"))
        .otherwise(pl.lit("(") + pl.col("status") + pl.lit(")"))
    )
    distinct = frame.unique(subset=[*keys, "value", "censored", "conflict"], maintain_order=True)
    grouped = distinct.group_by(keys, maintain_order=True).agg(
        pl.col("value").first(),
        pl.col("censored").first(),
        pl.col("status").first(),
        pl.col("conflict").first(),
        shown.str.join(" | ").alias("_shown"),
        pl.len().alias("_copies"),
    )
    twice = pl.col("_copies") > 1
    return grouped.with_columns(
        pl.when(twice).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(twice).then(pl.lit("")).otherwise(pl.col("censored")).alias("censored"),
        pl.when(twice).then(pl.col("_shown")).otherwise(pl.col("conflict")).alias("conflict"),
    ).drop("_shown", "_copies")


def series(frame: pl.DataFrame, *, selection: Mapping[str, str | Sequence[str]]) -> pl.DataFrame:
    """The observations whose dimensions hold the selected codes (a code or a list
    of codes per dimension; a dimension left out is not filtered), one row per
    cell (see `cells`)."""
    unknown = sorted(set(selection) - set(dimensions_of(frame)))
    if unknown:
        raise ValueError(f"not a dimension of the frame: {', '.join(unknown)}")
    condition = pl.lit(True)
    for dimension, codes in selection.items():
        wanted = [codes] if isinstance(codes, str) else list(codes)
        condition = condition & pl.col(dimension).is_in(wanted)
    return cells(frame.filter(condition))


def _unit(frame: pl.DataFrame) -> pl.Expr:
    if UNIT not in frame.columns:
        raise ValueError(f"the frame has no {UNIT} column: counts and rates cannot be told apart")
    return pl.col(UNIT)


def _population(population: pl.DataFrame) -> pl.DataFrame:
    return population.select(
        pl.col("area").cast(pl.String),
        pl.col("year").cast(pl.Int32),
        pl.col("population").cast(pl.Float64),
    ).unique(subset=["area", "year"], keep="first", maintain_order=True)


def rates(frame: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """Each observation with ``population`` (of the area in the period's year),
    ``rate`` (per 100,000) and ``basis``: for a count, rate = value /
    population × 100,000 ("computed"; null without a number or a population);
    for a published rate (RATE_100K) the value as published ("published");
    other units get no rate."""
    unit = _unit(frame)
    joined = frame.with_columns(_year()).join(
        _population(population), on=["area", "year"], how="left"
    )
    counted = (unit == COUNT) & pl.col("value").is_not_null() & (pl.col("population") > 0)
    published = (unit == RATE) & pl.col("value").is_not_null()
    return joined.with_columns(
        pl.when(counted)
        .then(pl.col("value") / pl.col("population") * PER)
        .when(published)
        .then(pl.col("value"))
        .otherwise(None)
        .alias("rate"),
        pl.when(counted)
        .then(pl.lit("computed"))
        .when(published)
        .then(pl.lit("published"))
        .otherwise(pl.lit(None, pl.String))
        .alias("basis"),
    ).drop("year")


def compare(rated: pl.DataFrame, *, tolerance: float = 0.02) -> pl.DataFrame:
    """Counts and rates side by side, one row per area × period (× the other
    dimensions): ``count`` (with its ``censored``, ``status``, ``conflict``),
    ``population``, ``rate_computed`` (from the count), ``rate_published`` (with
    ``rate_censored`` and ``rate_conflict``), ``rate`` (the published rate where there is one, else
    the computed one) and ``rate_basis``; where both exist, ``difference`` =
    computed / published − 1, ``implied_population`` = count / published ×
    100,000 and ``consistent`` = |difference| ≤ `tolerance`."""
    unit = _unit(rated)
    keys = ["area", *[d for d in dimensions_of(rated) if d != UNIT], "period"]
    counts = rated.filter(unit == COUNT).select(
        *keys,
        pl.col("value").alias("count"),
        "censored",
        "status",
        pl.col("conflict") if "conflict" in rated.columns else pl.lit("").alias("conflict"),
        "population",
        pl.col("rate").alias("rate_computed"),
    )
    published = rated.filter(unit == RATE).select(
        *keys,
        pl.col("value").alias("rate_published"),
        pl.col("censored").alias("rate_censored"),
        (pl.col("conflict") if "conflict" in rated.columns else pl.lit("")).alias("rate_conflict"),
        pl.col("population").alias("_population"),
    )
    both = counts.join(published, on=keys, how="full", coalesce=True, nulls_equal=True)
    ratio = pl.col("rate_computed") / pl.col("rate_published")
    comparable = (
        pl.col("rate_computed").is_not_null()
        & pl.col("rate_published").is_not_null()
        & (pl.col("rate_published") > 0)
    )
    difference = pl.when(comparable).then(ratio - 1).otherwise(None)
    return (
        both.with_columns(
            pl.coalesce("population", "_population").alias("population"),
            pl.col("censored").fill_null(""),
            pl.col("status").fill_null(""),
            pl.col("conflict").fill_null(""),
            pl.col("rate_censored").fill_null(""),
            pl.col("rate_conflict").fill_null(""),
        )
        .drop("_population")
        .with_columns(
            pl.coalesce("rate_published", "rate_computed").alias("rate"),
            pl.when(pl.col("rate_published").is_not_null())
            .then(pl.lit("published"))
            .when(pl.col("rate_computed").is_not_null())
            .then(pl.lit("computed"))
            .otherwise(pl.lit(None, pl.String))
            .alias("rate_basis"),
            difference.alias("difference"),
            pl.when(comparable & pl.col("count").is_not_null())
            .then(pl.col("count") / pl.col("rate_published") * PER)
            .otherwise(None)
            .alias("implied_population"),
            pl.when(comparable)
            .then(difference.abs() <= tolerance)
            .otherwise(None)
            .alias("consistent"),
        )
        .sort(keys)
    )


def _usable() -> pl.Expr:
    return pl.col("value").is_not_null() & (pl.col("censored") == "") & (pl.col("conflict") == "")


def combine_parts(frame: pl.DataFrame, wholes: Mapping[str, Sequence[str]]) -> pl.DataFrame:
    """The parts of a country (`wholes`: country -> the parts that make it whole)
    in a cells frame (see `cells`): where the country has a number of its own,
    its parts are left out (the country stands for them, nothing is counted
    twice); where it has none and every part has a number, the parts become one
    cell of the country holding their sum; otherwise the parts stay as they are."""
    part_of = {part: whole for whole, parts in wholes.items() for part in parts}
    if not part_of or frame.is_empty():
        return frame
    keys = [*dimensions_of(frame), "period"]
    sizes = pl.DataFrame(
        {"_whole": list(wholes), "_parts": [len(set(p)) for p in wholes.values()]},
        schema={"_whole": pl.String, "_parts": pl.Int64},
    )
    parts = frame.filter(pl.col("area").is_in(list(part_of))).with_columns(
        pl.col("area").replace_strict(part_of).alias("_whole")
    )
    reported = frame.filter(_usable() & pl.col("area").is_in(list(wholes))).select(
        pl.col("area").alias("_whole"), *keys
    )
    covered = parts.join(reported, on=["_whole", *keys], how="semi")
    rest = parts.join(reported, on=["_whole", *keys], how="anti")
    complete = (
        rest.group_by(["_whole", *keys])
        .agg(
            _usable().sum().cast(pl.Int64).alias("_usable"),
            pl.col("value").sum(),
            pl.col("status").first(),
        )
        .join(sizes, on="_whole")
        .filter(pl.col("_usable") == pl.col("_parts"))
    )
    replaced = rest.join(complete.select("_whole", *keys), on=["_whole", *keys], how="semi")
    dropped = pl.concat([covered, replaced]).select("area", *keys)
    if dropped.is_empty():
        return frame
    combined = complete.select(
        pl.col("_whole").alias("area"),
        *[k for k in keys if k != "period"],
        "period",
        "value",
        pl.lit("").alias("censored"),
        "status",
        pl.lit("").alias("conflict"),
    )
    kept = frame.join(dropped, on=["area", *keys], how="anti")
    return pl.concat([kept, combined.select(frame.columns)], how="vertical_relaxed")


def regional(
    frame: pl.DataFrame,
    population: pl.DataFrame,
    areas_regions: pl.DataFrame,
    *,
    level: str,
    wholes: Mapping[str, Sequence[str]] | None = None,
) -> pl.DataFrame:
    """Regional aggregates of the counts in `frame` (other units are ignored: rates
    are recomputed, never summed), per region of `level` and period (and the
    other dimensions): ``count``, ``areas_reporting``, ``censored``,
    ``missing``, ``no_population``, ``population_reporting``,
    ``population_region``, ``areas_in_region``, ``coverage`` and ``rate`` (see
    the module's rules). ``count`` is null where no area reported a number."""
    if level not in areas_regions.columns or level == "area":
        raise ValueError(f"no regional level {level!r}")
    unit = _unit(frame)
    counts = combine_parts(cells(frame.filter(unit == COUNT)), wholes or {})
    dims = [d for d in dimensions_of(counts) if d != UNIT]
    members = areas_regions.select(
        pl.col("area").cast(pl.String), pl.col(level).cast(pl.String).alias("region")
    ).filter(pl.col("region").is_not_null())
    people = _population(population)
    usable = _usable()
    withheld = pl.col("censored") != ""
    known = usable & pl.col("population").is_not_null() & (pl.col("population") > 0)
    reported = (
        counts.with_columns(_year())
        .join(members, on="area", how="inner")
        .join(people, on=["area", "year"], how="left")
        .group_by(["region", *dims, "period", "year"], maintain_order=True)
        .agg(
            pl.col("value").filter(usable).sum().alias("count"),
            usable.sum().cast(pl.Int64).alias("areas_reporting"),
            withheld.sum().cast(pl.Int64).alias("censored"),
            (~usable & ~withheld).sum().cast(pl.Int64).alias("missing"),
            (usable & ~known).sum().cast(pl.Int64).alias("no_population"),
            pl.col("population").filter(known).sum().alias("population_reporting"),
            pl.col("value").filter(known).sum().alias("_count_known"),
        )
    )
    region_people = (
        members.join(people, on="area", how="inner")
        .group_by(["region", "year"])
        .agg(pl.col("population").sum().alias("population_region"))
    )
    region_size = members.group_by("region").agg(pl.len().cast(pl.Int64).alias("areas_in_region"))
    some = pl.col("population_reporting") > 0
    return (
        reported.join(region_people, on=["region", "year"], how="left")
        .join(region_size, on="region", how="left")
        .with_columns(
            pl.when(pl.col("areas_reporting") > 0).then(pl.col("count")).alias("count"),
            pl.when(some).then(pl.col("population_reporting")).alias("population_reporting"),
            pl.when(some & (pl.col("population_region") > 0))
            .then(pl.col("population_reporting") / pl.col("population_region"))
            .alias("coverage"),
            pl.when(some)
            .then(pl.col("_count_known") / pl.col("population_reporting") * PER)
            .alias("rate"),
        )
        .select(
            "region",
            *dims,
            "period",
            "count",
            "rate",
            "coverage",
            "areas_reporting",
            "areas_in_region",
            "censored",
            "missing",
            "no_population",
            "population_reporting",
            "population_region",
        )
        .sort(["region", *dims, "period"])
    )
