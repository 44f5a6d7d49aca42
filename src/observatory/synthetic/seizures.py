"""Synthetic individual drug seizure (IDS) records.

`generate_seizures(n)` returns a Polars frame of `n` plausible seizure events for
demos, tests and benchmarks. The data is invented: it follows well-known
trafficking routes (Andean cocaine to Europe and North America, Afghan opiates
along the Balkan, northern and southern routes, Myanmar methamphetamine, captagon
to the Gulf, domestic cannabis ...) with trends by year, but no row describes a
real seizure.

How it works, in short:

* A few dozen route templates (`data/routes.yaml`) give a drug, weighted origins,
  departure/transit paths and destinations, where along the route seizures are
  reported (source, transit or destination country) and which seizure profiles
  (`data/modes.yaml`: container at a seaport, airport courier, body packer, postal parcel,
  land border, street retail ...) apply there. Each template has a trend over
  2015-2024 (`data/trends.yaml`); years outside that span reuse the nearest year.
* Every row first draws a (template, year) cell, then all other fields are drawn
  column-wise with Polars expressions. Python loops run over templates only.
* Random numbers come from a counter-based hash (SplitMix64 of row number and
  stream key) evaluated as Polars integer expressions (UInt64 arithmetic wraps
  around). A seed gives the same frame run after run, and does not depend on
  Python's or NumPy's generators (NumPy is not needed); only floating-point
  differences between maths libraries could change a rounded value elsewhere.

The tables (routes, trends, profiles, places) are data files read by tables.py;
the random numbers are random.py's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from observatory.synthetic.random import Rng, choice, pick, uniform_index
from observatory.synthetic.tables import (
    MILITARY_ON_LAND,
    MODES,
    NOTES,
    PURITY,
    ROUTES,
    YABA_PURITY,
    Route,
    countries_by_place_type,
    places,
    trend,
)

__all__ = ["COLUMNS", "generate_seizures", "write_csv"]

#: Output columns, in order, with their dtypes.
COLUMNS: dict[str, pl.DataType] = {
    "reporting_area": pl.String(),
    "seizure_date": pl.Date(),
    "date_precision": pl.String(),
    "place": pl.String(),
    "place_type": pl.String(),
    "drug": pl.String(),
    "quantity": pl.Float64(),
    "unit": pl.String(),
    "purity_percent": pl.Float64(),
    "origin_area": pl.String(),
    "departure_area": pl.String(),
    "transit_areas": pl.String(),
    "destination_area": pl.String(),
    "transport_mode": pl.String(),
    "concealment": pl.String(),
    "seizing_agency": pl.String(),
    "persons_arrested": pl.Int32(),
    "arrested_nationalities": pl.String(),
    "arrested_sex": pl.String(),
    "case_reference": pl.String(),
    "notes": pl.String(),
}

PLACE_TYPES = ("airport", "seaport", "land_border", "inland", "mail_centre", "at_sea", "unknown")
TRANSPORT_MODES = ("air", "sea", "road", "rail", "postal", "pedestrian", "unknown")
AGENCIES = ("police", "customs", "coast_guard", "military", "other")
SEXES = ("male", "female", "mixed", "unknown", "")
PRECISIONS = ("day", "month", "year")


# ---------------------------------------------------------------------------
# Route tables.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _RouteTable:
    origin: tuple[str, ...]
    departure: tuple[str, ...]
    source: tuple[str, ...]  # who reports a seizure made at the start of the route
    transits: tuple[tuple[str, ...], ...]
    destination: tuple[str, ...]
    weights: tuple[float, ...]


@cache
def _route_table(route: Route) -> _RouteTable:
    """All consistent (origin, departure, transits, destination) combinations of a route."""
    rows: list[tuple[str, str, str, tuple[str, ...], str, float]] = []
    if route.destinations is None:  # domestic
        for market, w in route.origins:
            departure = "" if route.true_origins else market
            rows.append((market, departure, market, (), market, w))
    else:
        for origin, wo in route.origins:
            for departure_or_none, transits, wp in route.paths:
                departure = departure_or_none or origin
                for destination, wd in route.destinations:
                    inner = (departure, *transits, destination)
                    if len(set(inner)) != len(inner) or origin in (*transits, destination):
                        continue
                    rows.append((origin, departure, departure, transits, destination, wo * wp * wd))
    if not rows:
        raise ValueError(f"route {route.key} has no consistent combination")
    return _RouteTable(
        origin=tuple(row[0] for row in rows),
        departure=tuple(row[1] for row in rows),
        source=tuple(row[2] for row in rows),
        transits=tuple(row[3] for row in rows),
        destination=tuple(row[4] for row in rows),
        weights=tuple(row[5] for row in rows),
    )


# ---------------------------------------------------------------------------
# Generation.
# ---------------------------------------------------------------------------


def _route_rows(index: int, route: Route, years: pl.Series, seed: int) -> pl.DataFrame:
    """Rows for one route template; `years` gives the seizure year of each row."""
    rng = Rng(seed, index + 1, 32)
    table = _route_table(route)
    modes = [MODES[key] for key, *_ in route.modes]
    c = pl.col

    df = pl.concat([pl.DataFrame({"year": years}), rng.frame(len(years))], how="horizontal")
    df = df.with_columns(
        _combo=choice(rng.u(), table.weights),
        _u_cat=rng.u(),
        _u_transit=rng.u(),
        _u_date=rng.u(),
    )
    df = df.with_columns(
        origin_area=pick(table.origin, c("_combo"), pl.String()),
        departure_area=pick(table.departure, c("_combo"), pl.String()),
        _source=pick(table.source, c("_combo"), pl.String()),
        _transits=pick(table.transits, c("_combo"), pl.List(pl.String())),
        destination_area=pick(table.destination, c("_combo"), pl.String()),
        _doy=(c("_u_date") * pl.date(c("year"), 12, 31).dt.ordinal_day()).floor().cast(pl.Int64),
    )
    ws, wt, wd = route.report
    n_transit = c("_transits").list.len()
    has_transit = (n_transit > 0).cast(pl.Float64)
    scaled = c("_u_cat") * (ws + wt * has_transit + wd)
    df = df.with_columns(
        _cat=pl.when(scaled < ws)
        .then(0)
        .when(scaled < ws + wt * has_transit)
        .then(1)
        .otherwise(2)
        .cast(pl.Int8),
        seizure_date=pl.date(c("year"), 1, 1) + pl.duration(days=c("_doy")),
        transit_areas=c("_transits").list.join(";"),
    )
    df = df.with_columns(
        reporting_area=pl.when(c("_cat") == 0)
        .then(c("_source"))
        .when(c("_cat") == 1)
        .then(c("_transits").list.get(uniform_index(c("_u_transit"), n_transit), null_on_oob=True))
        .otherwise(c("destination_area")),
    )

    # Seizure profile, by where along the route the seizure happened. A profile
    # needs a place of its type in the reporting country (no seaport in Bolivia, no
    # land border in Australia): up to three draws, then a seizure inland.
    place_types = [m.place_type for m in modes]
    feasible_in = countries_by_place_type()
    candidates = []
    for _ in range(3):
        per_cat = []
        for cat in range(3):
            weights = [(m[1], m[2], m[3])[cat] for m in route.modes]
            if sum(weights) <= 0:
                weights = [m[1] + m[2] + m[3] for m in route.modes]
            per_cat.append(choice(rng.u(), weights))
        candidates.append(
            pl.when(c("_cat") == 0)
            .then(per_cat[0])
            .when(c("_cat") == 1)
            .then(per_cat[1])
            .otherwise(per_cat[2])
        )
    df = df.with_columns([mode.alias(f"_m{k}") for k, mode in enumerate(candidates)]).with_columns(
        [
            pl.when(pick(place_types, c(f"_m{k}"), pl.String()).is_in(list(feasible_in)))
            .then(
                pl.concat_str(
                    pick(place_types, c(f"_m{k}"), pl.String()), pl.lit("|"), c("reporting_area")
                ).is_in([f"{t}|{code}" for t, codes in feasible_in.items() for code in codes])
            )
            .otherwise(True)
            .alias(f"_ok{k}")
            for k in range(len(candidates))
        ]
    )
    fallback = len(modes)
    modes = [*modes, MODES["inland_vehicle"]]
    mode_expr: pl.Expr = pl.lit(fallback, dtype=pl.UInt32)
    for k in reversed(range(len(candidates))):
        mode_expr = pl.when(c(f"_ok{k}")).then(c(f"_m{k}")).otherwise(mode_expr)
    df = df.with_columns(_mode=mode_expr)

    conceal_off, conceal_n, conceal_flat = _flatten([m.concealments for m in modes])
    agency_off, agency_n, agency_flat = _flatten([m.agencies for m in modes])
    nationals = route.nationals or ("",)
    mode = c("_mode")
    z = rng.normal()
    df = df.with_columns(
        drug=pick([m.drug or route.drug for m in modes], mode, pl.String()),
        unit=pick([m.unit for m in modes], mode, pl.String()),
        place_type=pick([m.place_type for m in modes], mode, pl.String()),
        transport_mode=pick([m.transport for m in modes], mode, pl.String()),
        concealment=pl.lit(pl.Series(conceal_flat, dtype=pl.String())).gather(
            pick(conceal_off, mode, pl.Int64())
            + uniform_index(rng.u(), pick(conceal_n, mode, pl.Int64()))
        ),
        seizing_agency=pl.lit(pl.Series(agency_flat, dtype=pl.String())).gather(
            pick(agency_off, mode, pl.Int64())
            + uniform_index(rng.u(), pick(agency_n, mode, pl.Int64()))
        ),
        quantity=(
            pick([math.log(m.median) for m in modes], mode, pl.Float64())
            + pick([m.sigma for m in modes], mode, pl.Float64()) * z
        )
        .exp()
        .clip(
            pick([m.qmin for m in modes], mode, pl.Float64()),
            pick([m.qmax for m in modes], mode, pl.Float64()),
        ),
        _arrested=pl.when(rng.u() < pick([m.p_no_arrest for m in modes], mode, pl.Float64()))
        .then(0)
        .otherwise(
            1
            + (-rng.u().log() * pick([m.extra_arrests for m in modes], mode, pl.Float64()))
            .floor()
            .cast(pl.Int64)
        )
        .clip(0, 60)
        .cast(pl.Int32),
        _female=pick([m.female for m in modes], mode, pl.Float64()),
        _third=pick(nationals, uniform_index(rng.u(), len(nationals)), pl.String()),
    )

    # Domestic retail: the drug was produced elsewhere.
    if route.true_origins is not None:
        codes = [code for code, _ in route.true_origins]
        weights = [w for _, w in route.true_origins]
        df = df.with_columns(origin_area=pick(codes, choice(rng.u(), weights), pl.String()))

    # Unknown route information (never the reporting country's own role).
    rep = c("reporting_area")
    df = df.with_columns(
        origin_area=pl.when((rng.u() < route.origin_unknown) & (c("origin_area") != rep))
        .then(pl.lit(""))
        .otherwise(c("origin_area")),
        departure_area=pl.when((rng.u() < 0.06) & (c("departure_area") != rep))
        .then(pl.lit(""))
        .otherwise(c("departure_area")),
        destination_area=pl.when(
            (rng.u() < pl.when(c("_cat") == 0).then(0.15).otherwise(0.04))
            & (c("destination_area") != rep)
        )
        .then(pl.lit(""))
        .otherwise(c("destination_area")),
        transit_areas=pl.when((c("_cat") != 1) & (rng.u() < 0.25))
        .then(pl.lit(""))
        .otherwise(c("transit_areas")),
    )

    # Nationalities of arrested persons: mostly nationals of the reporting country.
    shares = (0.55, 0.12, 0.08, 0.05, 0.2)
    arrested = c("_arrested")
    df = df.with_columns(
        _n1=choice(rng.u(), shares),
        _n2=pl.when((arrested >= 2) & (rng.u() < 0.35)).then(choice(rng.u(), shares)),
        _n3=pl.when((arrested >= 3) & (rng.u() < 0.2)).then(choice(rng.u(), shares)),
    )

    def nationality(choice: pl.Expr) -> pl.Expr:
        expr: pl.Expr = rep
        for k, column in reversed(
            list(enumerate(("departure_area", "origin_area", "destination_area", "_third"), 1))
        ):
            expr = pl.when((choice == k) & (c(column) != "")).then(c(column)).otherwise(expr)
        return pl.when(choice.is_null()).then(None).otherwise(expr)

    df = df.with_columns(
        _nat1=nationality(c("_n1")), _nat2=nationality(c("_n2")), _nat3=nationality(c("_n3"))
    )
    nat1, nat2, nat3 = c("_nat1"), c("_nat2"), c("_nat3")
    df = df.with_columns(
        arrested_nationalities=pl.when(arrested == 0)
        .then(pl.lit(""))
        .otherwise(
            pl.concat_str(
                nat1,
                pl.when(nat2 != nat1).then(nat2),
                pl.when((nat3 != nat1) & (nat3 != nat2.fill_null(""))).then(nat3),
                separator=";",
                ignore_nulls=True,
            )
        ),
    )
    return df.select(
        "year",
        "reporting_area",
        "seizure_date",
        "place_type",
        "drug",
        "quantity",
        "unit",
        "origin_area",
        "departure_area",
        "transit_areas",
        "destination_area",
        "transport_mode",
        "concealment",
        "seizing_agency",
        pl.col("_arrested").alias("persons_arrested"),
        "arrested_nationalities",
        "_female",
    )


def _flatten(groups: Sequence[Sequence[str]]) -> tuple[list[int], list[int], list[str]]:
    offsets: list[int] = []
    counts: list[int] = []
    flat: list[str] = []
    for group in groups:
        offsets.append(len(flat))
        counts.append(len(group))
        flat.extend(group)
    return offsets, counts, flat


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


def generate_seizures(
    n: int, *, seed: int = 2024, start_year: int = 2015, end_year: int = 2024
) -> pl.DataFrame:
    """`n` synthetic seizure records (columns `COLUMNS`), the same for the same arguments."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if start_year > end_year:
        raise ValueError("start_year must not be after end_year")
    if n == 0:
        return _empty()
    years = list(range(start_year, end_year + 1))
    cells = [route.weight * trend(route.trend, year) for route in ROUTES for year in years]
    rng = Rng(seed, 0, 1)
    drawn = (
        rng.frame(n)
        .with_columns(_cell=choice(rng.u(), cells))
        .with_columns(
            _route=(pl.col("_cell") // len(years)).cast(pl.Int32),
            year=(pl.col("_cell") % len(years)).cast(pl.Int32) + start_year,
        )
    )
    parts = []
    for (route_index,), part in drawn.partition_by(
        "_route", as_dict=True, maintain_order=True
    ).items():
        assert isinstance(route_index, int)
        parts.append(_route_rows(route_index, ROUTES[route_index], part["year"], seed))
    df = pl.concat(parts, how="vertical")
    finish_rng = Rng(seed, 1_000_003, 16)
    df = pl.concat([df, finish_rng.frame(df.height)], how="horizontal")
    return _finish(df, finish_rng)


def _finish(df: pl.DataFrame, rng: Rng) -> pl.DataFrame:
    """Fields that depend only on the columns already drawn, then sorting and references."""
    c = pl.col
    q, unit = c("quantity"), c("unit")

    # Reported unit: small amounts often in grams, very large ones in tonnes.
    df = df.with_columns(_u_unit=rng.u()).with_columns(
        unit=pl.when((unit == "kg") & (q < 1) & (c("_u_unit") < 0.55))
        .then(pl.lit("g"))
        .when((unit == "kg") & (q >= 1000) & (c("_u_unit") < 0.2))
        .then(pl.lit("t"))
        .when((unit == "g") & (q >= 1000) & (c("_u_unit") < 0.5))
        .then(pl.lit("kg"))
        .when((unit == "l") & (q < 1) & (c("_u_unit") < 0.6))
        .then(pl.lit("ml"))
        .otherwise(unit),
        quantity=pl.when((unit == "kg") & (q < 1) & (c("_u_unit") < 0.55))
        .then(q * 1000)
        .when((unit == "kg") & (q >= 1000) & (c("_u_unit") < 0.2))
        .then(q / 1000)
        .when((unit == "g") & (q >= 1000) & (c("_u_unit") < 0.5))
        .then(q / 1000)
        .when((unit == "l") & (q < 1) & (c("_u_unit") < 0.6))
        .then(q * 1000)
        .otherwise(q),
    )
    # Rounding as reported; round figures are common for large seizures.
    df = df.with_columns(
        quantity=pl.when(unit.is_in(["tablet", "plant", "ml"]))
        .then(q.round(0).clip(1, None))
        .when(unit == "g")
        .then(pl.when(q >= 100).then(q.round(0)).otherwise(q.round(1).clip(0.1, None)))
        .when(unit == "t")
        .then(q.round(3))
        .when(unit == "l")
        .then(q.round(2).clip(0.01, None))
        .when((q >= 20) & (rng.u() < 0.3))
        .then(q.round(0))
        .when(q >= 100)
        .then(q.round(1))
        .when(q >= 1)
        .then(q.round(2))
        .otherwise(q.round(3).clip(0.001, None)),
    )

    # Date precision.
    u_prec = rng.u()
    precision = (
        pl.when(u_prec < 0.85)
        .then(pl.lit("day"))
        .when(u_prec < 0.95)
        .then(pl.lit("month"))
        .otherwise(pl.lit("year"))
    )
    df = df.with_columns(date_precision=precision).with_columns(
        seizure_date=pl.when(c("date_precision") == "month")
        .then(c("seizure_date").dt.truncate("1mo"))
        .when(c("date_precision") == "year")
        .then(pl.date(c("year"), 1, 1))
        .otherwise(c("seizure_date")),
    )

    # Place: a name for the reporting country and place type, sometimes left blank.
    index, flat = places()
    keys = list(index)
    key = pl.concat_str(c("reporting_area"), pl.lit("|"), c("place_type"))
    df = df.with_columns(
        place_type=pl.when(rng.u() < 0.02).then(pl.lit("unknown")).otherwise(c("place_type")),
        transport_mode=pl.when(rng.u() < 0.03)
        .then(pl.lit("unknown"))
        .otherwise(c("transport_mode")),
        _p_off=key.replace_strict(
            keys, [index[k][0] for k in keys], default=-1, return_dtype=pl.Int64
        ),
        _p_n=key.replace_strict(
            keys, [index[k][1] for k in keys], default=0, return_dtype=pl.Int64
        ),
        _u_place=rng.u(),
        _u_place_blank=rng.u(),
    )
    df = df.with_columns(
        place=pl.when(
            (c("_p_off") >= 0) & (c("_u_place_blank") >= 0.06) & (c("place_type") != "unknown")
        )
        .then(
            pl.lit(pl.Series(flat, dtype=pl.String())).gather(
                c("_p_off").clip(0, None) + uniform_index(c("_u_place"), c("_p_n"))
            )
        )
        .otherwise(pl.lit("")),
    )

    df = df.with_columns(
        seizing_agency=pl.when(
            (c("seizing_agency") == "military")
            & (c("place_type") != "at_sea")
            & ~c("reporting_area").is_in(sorted(MILITARY_ON_LAND))
        )
        .then(pl.lit("police"))
        .otherwise(c("seizing_agency")),
    )

    # Purity: analysed in about one seizure in five.
    drugs = list(PURITY)
    low = c("drug").replace_strict(
        drugs, [PURITY[d][0] for d in drugs], default=None, return_dtype=pl.Float64
    )
    high = c("drug").replace_strict(
        drugs, [PURITY[d][1] for d in drugs], default=None, return_dtype=pl.Float64
    )
    yaba = (c("drug") == "methamphetamine") & (unit == "tablet")
    low = pl.when(yaba).then(YABA_PURITY[0]).otherwise(low)
    high = pl.when(yaba).then(YABA_PURITY[1]).otherwise(high)
    tri = (rng.u() + rng.u()) / 2
    df = df.with_columns(
        purity_percent=pl.when(rng.u() < 0.2)
        .then((low + (high - low) * tri).round(1).clip(1, 100))
        .otherwise(None)
        .cast(pl.Float64),
    )

    # Sex of arrested persons.
    arrested, u_sex, female = c("persons_arrested"), rng.u(), c("_female")
    df = df.with_columns(
        arrested_sex=pl.when(arrested == 0)
        .then(pl.lit(""))
        .when(arrested == 1)
        .then(
            pl.when(u_sex < female)
            .then(pl.lit("female"))
            .when(u_sex < female + 0.05)
            .then(pl.lit("unknown"))
            .when(u_sex < female + 0.07)
            .then(pl.lit(""))
            .otherwise(pl.lit("male"))
        )
        .otherwise(
            pl.when(u_sex < 0.55)
            .then(pl.lit("male"))
            .when(u_sex < 0.85)
            .then(pl.lit("mixed"))
            .when(u_sex < 0.88)
            .then(pl.lit("female"))
            .when(u_sex < 0.97)
            .then(pl.lit("unknown"))
            .otherwise(pl.lit(""))
        ),
        notes=pl.when(rng.u() < 0.04)
        .then(pick(NOTES, uniform_index(rng.u(), len(NOTES)), pl.String()))
        .otherwise(pl.lit("")),
        _tiebreak=rng.u(),
    )

    # Case references, numbered by date within country and year.
    df = df.sort("seizure_date", "_tiebreak").with_columns(
        case_reference=pl.format(
            "{}-{}-{}",
            c("reporting_area"),
            c("year"),
            (pl.int_range(1, pl.len() + 1).over("reporting_area", "year"))
            .cast(pl.String)
            .str.zfill(6),
        ),
    )
    return df.select([pl.col(name).cast(dtype) for name, dtype in COLUMNS.items()])


def write_csv(df: pl.DataFrame, path: str | Path) -> None:
    """Write `df` as UTF-8 CSV (no BOM) with the canonical header.

    Lists stay `;`-joined; empty texts and missing purities are empty fields.
    """
    empty_as_null = pl.col(pl.String).replace("", None)
    df.select(list(COLUMNS)).with_columns(empty_as_null).write_csv(
        Path(path), date_format="%Y-%m-%d", null_value=""
    )
