"""Synthetic individual drug seizure (IDS) records.

`generate_seizures(n)` returns a Polars frame of `n` plausible seizure events for
demos, tests and benchmarks. The data is invented: it follows well-known
trafficking routes (Andean cocaine to Europe and North America, Afghan opiates
along the Balkan, northern and southern routes, Myanmar methamphetamine, captagon
to the Gulf, domestic cannabis ...) with trends by year, but no row describes a
real seizure.

How it works, in short:

* A few dozen route templates (`_ROUTES`) give a drug, weighted origins,
  departure/transit paths and destinations, where along the route seizures are
  reported (source, transit or destination country) and which seizure profiles
  (`_MODES`: container at a seaport, airport courier, body packer, postal parcel,
  land border, street retail ...) apply there. Each template has a trend over
  2015-2024 (`_TRENDS`); years outside that span reuse the nearest year.
* Every row first draws a (template, year) cell, then all other fields are drawn
  column-wise with Polars expressions. Python loops run over templates only.
* Random numbers come from a counter-based hash (SplitMix64 of row number and
  stream key) evaluated as Polars integer expressions (UInt64 arithmetic wraps
  around). A seed gives the same frame run after run, and does not depend on
  Python's or NumPy's generators (NumPy is not needed); only floating-point
  differences between maths libraries could change a rounded value elsewhere.

The module must not import Django: the benchmark scripts and the sample-file
builder use it standalone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

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
# Trends: relative weight of a route template per year, 2015 ... 2024.
# ---------------------------------------------------------------------------

_TREND_FIRST_YEAR = 2015
_TRENDS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 10,
    # Cocaine to Europe grows strongly after 2016 (record production in Colombia).
    "cocaine_europe": (0.45, 0.5, 0.6, 0.75, 0.9, 0.95, 1.15, 1.3, 1.45, 1.55),
    "cocaine_usa": (0.8, 0.85, 0.95, 1.0, 1.0, 0.9, 0.95, 1.0, 1.05, 1.0),
    "cocaine_source": (0.6, 0.7, 0.85, 0.95, 1.0, 0.95, 1.1, 1.2, 1.25, 1.3),
    # Afghan opiates: the 2022 cultivation ban shows from 2023.
    "afghan": (1.0, 1.0, 1.05, 1.0, 0.95, 0.9, 0.95, 0.85, 0.45, 0.3),
    "myanmar_opiates": (1.0, 1.0, 0.95, 0.9, 0.85, 0.85, 0.9, 1.0, 1.15, 1.2),
    # Methamphetamine in East and South-East Asia rises steeply.
    "meth_esea": (0.3, 0.38, 0.48, 0.62, 0.78, 0.9, 1.05, 1.25, 1.4, 1.5),
    "meth_west_africa": (0.4, 0.5, 0.6, 0.7, 0.8, 0.6, 0.8, 1.0, 1.1, 1.15),
    "meth_mexico": (0.6, 0.7, 0.8, 0.95, 1.05, 1.15, 1.2, 1.15, 1.05, 1.0),
    "cannabis": (1.1, 1.08, 1.05, 1.0, 0.98, 0.95, 0.93, 0.92, 0.9, 0.9),
    "cannabis_mexico_usa": (1.3, 1.2, 1.0, 0.8, 0.7, 0.55, 0.45, 0.4, 0.35, 0.3),
    "cannabis_to_europe": (0.05, 0.05, 0.1, 0.15, 0.2, 0.2, 0.4, 0.8, 1.2, 1.5),
    "captagon": (0.3, 0.35, 0.45, 0.6, 0.8, 1.1, 1.35, 1.4, 1.2, 0.95),
    "ketamine": (0.4, 0.45, 0.5, 0.6, 0.65, 0.7, 0.9, 1.1, 1.3, 1.4),
    "fentanyl": (0.08, 0.15, 0.3, 0.45, 0.6, 0.8, 1.1, 1.4, 1.6, 1.3),
    "fentanyl_postal": (0.6, 1.0, 1.2, 1.2, 0.8, 0.4, 0.3, 0.2, 0.15, 0.1),
    "heroin_mexico": (1.2, 1.25, 1.3, 1.2, 1.0, 0.8, 0.6, 0.45, 0.3, 0.25),
    "tramadol": (0.7, 1.0, 1.3, 1.4, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8),
    "ecstasy": (0.8, 0.9, 1.0, 1.05, 1.1, 0.75, 0.85, 1.0, 1.05, 1.05),
}


def _trend(name: str, year: int) -> float:
    values = _TRENDS[name]
    return values[min(max(year - _TREND_FIRST_YEAR, 0), len(values) - 1)]


# ---------------------------------------------------------------------------
# Seizure profiles ("modes"): where and how a consignment is found, and its size.
# Quantities are log-normal: median and sigma (of the log) in `unit`, clipped.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mode:
    place_type: str
    transport: str
    unit: str
    median: float
    sigma: float
    qmin: float
    qmax: float
    concealments: tuple[str, ...]
    agencies: tuple[str, ...]
    p_no_arrest: float  # share of seizures without arrest
    extra_arrests: float  # mean number of further persons when someone is arrested
    female: float = 0.12  # share of women when one person is arrested
    drug: str | None = None  # overrides the route's drug


_CUSTOMS = ("customs", "customs", "customs", "police")
_POLICE = ("police", "police", "police", "military", "other")

_MODES: dict[str, _Mode] = {
    "container_cocaine": _Mode(
        "seaport",
        "sea",
        "kg",
        300,
        1.1,
        10,
        16_000,
        (
            "container (bananas)",
            "container (bananas)",
            "container (fruit juice)",
            "container (coffee)",
            "container (frozen fish)",
            "container (pineapples)",
            "container (scrap metal)",
            "container (ceramic tiles)",
            "container (rip-on/rip-off)",
            "container (rip-on/rip-off)",
            "container (timber)",
            "container (cocoa beans)",
        ),
        _CUSTOMS,
        0.55,
        1.0,
    ),
    "container_general": _Mode(
        "seaport",
        "sea",
        "kg",
        120,
        1.2,
        2,
        8_000,
        (
            "container (textiles)",
            "container (machinery)",
            "container (food products)",
            "container (onions)",
            "container (marble)",
            "container (furniture)",
            "container (spare parts)",
        ),
        _CUSTOMS,
        0.6,
        1.0,
    ),
    "container_meth": _Mode(
        "seaport",
        "sea",
        "kg",
        150,
        1.2,
        1,
        5_000,
        (
            "container (tea packages)",
            "container (machinery)",
            "container (loudspeakers)",
            "container (rice)",
            "container (furniture)",
            "container (stone slabs)",
        ),
        _CUSTOMS,
        0.6,
        1.0,
    ),
    "container_tablets": _Mode(
        "seaport",
        "sea",
        "tablet",
        1_500_000,
        1.1,
        10_000,
        90_000_000,
        (
            "container (pharmaceuticals)",
            "container (spare parts)",
            "container (cosmetics)",
            "container (fruit)",
            "container (paper rolls)",
            "container (machinery)",
            "container (pomegranates)",
            "container (oranges)",
        ),
        _CUSTOMS,
        0.7,
        0.8,
    ),
    "vessel_at_sea": _Mode(
        "at_sea",
        "sea",
        "kg",
        700,
        0.9,
        20,
        10_000,
        (
            "semi-submersible",
            "go-fast boat",
            "go-fast boat",
            "fishing vessel",
            "fishing vessel",
            "sailing yacht",
            "cargo ship hull",
            "sea drop (floating packages)",
        ),
        ("coast_guard", "coast_guard", "military", "customs", "police"),
        0.1,
        2.5,
    ),
    "gofast_resin": _Mode(
        "at_sea",
        "sea",
        "kg",
        900,
        0.8,
        30,
        8_000,
        (
            "go-fast boat",
            "go-fast boat",
            "rigid inflatable boat",
            "fishing vessel",
            "jet ski",
            "narco-launch",
        ),
        ("coast_guard", "customs", "police", "police"),
        0.3,
        1.5,
    ),
    "dhow": _Mode(
        "at_sea",
        "sea",
        "kg",
        250,
        1.0,
        10,
        4_000,
        ("dhow", "dhow", "fishing vessel"),
        ("military", "military", "coast_guard"),
        0.2,
        4.0,
    ),
    "air_courier": _Mode(
        "airport",
        "air",
        "kg",
        2.5,
        0.55,
        0.3,
        30,
        (
            "luggage",
            "luggage",
            "suitcase (false bottom)",
            "hand luggage",
            "luggage (clothing)",
            "on body",
            "shoes",
        ),
        _CUSTOMS,
        0.02,
        0.15,
        female=0.3,
    ),
    "body_packer": _Mode(
        "airport",
        "air",
        "g",
        750,
        0.35,
        80,
        1_490,
        (
            "body packing",
            "body packing",
            "body packing (swallowed capsules)",
            "body packing (inserted)",
        ),
        ("customs", "customs", "police"),
        0.0,
        0.05,
        female=0.35,
    ),
    "air_cargo": _Mode(
        "airport",
        "air",
        "kg",
        12,
        1.1,
        0.5,
        600,
        (
            "air cargo (machinery)",
            "air cargo (flowers)",
            "air cargo (food products)",
            "air cargo (textiles)",
            "air cargo (electronics)",
        ),
        _CUSTOMS,
        0.75,
        0.5,
    ),
    "postal": _Mode(
        "mail_centre",
        "postal",
        "g",
        80,
        1.2,
        1,
        5_000,
        (
            "parcel",
            "parcel",
            "letter",
            "express courier parcel",
            "parcel (cosmetics)",
            "parcel (toys)",
            "parcel (clothing)",
            "parcel (books)",
        ),
        _CUSTOMS,
        0.85,
        0.1,
    ),
    "land_vehicle": _Mode(
        "land_border",
        "road",
        "kg",
        25,
        1.4,
        0.2,
        6_000,
        (
            "vehicle compartment",
            "vehicle compartment",
            "lorry (cargo)",
            "lorry (fruit and vegetables)",
            "car (fuel tank)",
            "bus (luggage)",
            "spare tyre",
            "pickup truck (cargo)",
        ),
        ("customs", "customs", "police", "military"),
        0.1,
        0.9,
    ),
    "tir_truck": _Mode(
        "land_border",
        "road",
        "kg",
        60,
        1.0,
        2,
        2_000,
        (
            "lorry (TIR cargo)",
            "lorry (vegetables)",
            "lorry (textiles)",
            "lorry (cargo)",
            "vehicle compartment",
        ),
        _CUSTOMS,
        0.1,
        0.4,
    ),
    "pedestrian_border": _Mode(
        "land_border",
        "pedestrian",
        "kg",
        12,
        1.1,
        0.2,
        800,
        ("backpacks", "backpacks", "on body", "pack animals", "river crossing (boat)"),
        ("military", "police", "other", "other"),
        0.3,
        1.5,
    ),
    "rail": _Mode(
        "inland",
        "rail",
        "kg",
        4,
        1.3,
        0.1,
        900,
        ("train (passenger luggage)", "train (freight wagon)", "train (compartment)"),
        ("police", "customs"),
        0.2,
        0.4,
    ),
    "inland_vehicle": _Mode(
        "inland",
        "road",
        "kg",
        6,
        1.5,
        0.05,
        3_000,
        (
            "vehicle compartment",
            "car boot",
            "lorry (cargo)",
            "motorcycle",
            "bus (luggage)",
            "pickup truck (cargo)",
        ),
        _POLICE,
        0.12,
        0.9,
    ),
    "storage": _Mode(
        "inland",
        "unknown",
        "kg",
        120,
        1.4,
        1,
        12_000,
        ("storage facility", "warehouse", "residence", "farm building"),
        ("police", "police", "military"),
        0.35,
        2.0,
    ),
    "retail": _Mode(
        "inland",
        "unknown",
        "g",
        6,
        1.3,
        0.1,
        1_000,
        ("on body", "clothing", "residence", "vehicle", "", "", ""),
        ("police",),
        0.08,
        0.3,
        female=0.15,
    ),
    "light_aircraft": _Mode(
        "inland",
        "air",
        "kg",
        450,
        0.6,
        30,
        2_500,
        ("light aircraft", "light aircraft", "clandestine airstrip"),
        ("military", "police"),
        0.4,
        1.2,
    ),
    "ferry": _Mode(
        "seaport",
        "road",
        "kg",
        18,
        1.3,
        0.5,
        1_500,
        ("lorry on ferry", "car on ferry", "vehicle compartment", "lorry (cargo)"),
        ("customs", "customs", "police"),
        0.15,
        0.5,
    ),
    "lab": _Mode(
        "inland",
        "unknown",
        "kg",
        200,
        1.3,
        2,
        12_000,
        ("clandestine laboratory", "clandestine laboratory", "storage facility"),
        ("police", "military"),
        0.5,
        2.5,
    ),
    # Methamphetamine: "yaba" tablets are counted, crystal ("ice") is weighed.
    "yaba_border": _Mode(
        "land_border",
        "road",
        "tablet",
        80_000,
        1.7,
        200,
        50_000_000,
        (
            "vehicle compartment",
            "backpacks",
            "pickup truck (cargo)",
            "motorcycle",
            "river crossing (boat)",
            "rice sacks",
        ),
        ("police", "military", "customs", "other"),
        0.25,
        1.2,
        drug="methamphetamine",
    ),
    "yaba_inland": _Mode(
        "inland",
        "road",
        "tablet",
        2_000,
        1.9,
        10,
        10_000_000,
        (
            "vehicle compartment",
            "residence",
            "on body",
            "pickup truck (cargo)",
            "motorcycle",
            "bus (luggage)",
        ),
        ("police", "police", "military"),
        0.08,
        0.9,
        drug="methamphetamine",
    ),
    "ice_inland": _Mode(
        "inland",
        "road",
        "kg",
        8,
        1.7,
        0.01,
        4_000,
        (
            "tea packages",
            "vehicle compartment",
            "pickup truck (cargo)",
            "residence",
            "storage facility",
        ),
        ("police", "police", "military"),
        0.15,
        1.0,
        drug="methamphetamine",
    ),
    "ice_border": _Mode(
        "land_border",
        "road",
        "kg",
        30,
        1.6,
        0.1,
        3_000,
        ("tea packages", "vehicle compartment", "backpacks", "lorry (cargo)"),
        ("police", "military", "customs"),
        0.25,
        1.0,
        drug="methamphetamine",
    ),
    "ice_retail": _Mode(
        "inland",
        "unknown",
        "g",
        3,
        1.4,
        0.05,
        1_000,
        ("on body", "clothing", "residence", "vehicle", "", ""),
        ("police",),
        0.06,
        0.3,
        female=0.2,
        drug="methamphetamine",
    ),
    "plantation": _Mode(
        "inland",
        "unknown",
        "plant",
        400,
        1.8,
        1,
        800_000,
        (
            "outdoor plantation",
            "outdoor plantation",
            "indoor cultivation",
            "greenhouse",
            "backyard",
        ),
        ("police", "police", "military", "other"),
        0.55,
        0.8,
        drug="cannabis-plants",
    ),
    "tablets_border": _Mode(
        "land_border",
        "road",
        "tablet",
        120_000,
        1.6,
        100,
        15_000_000,
        (
            "vehicle compartment",
            "lorry (cargo)",
            "lorry (fruit and vegetables)",
            "backpacks",
            "fuel tanker",
        ),
        ("customs", "military", "police"),
        0.3,
        1.0,
    ),
    "tablets_inland": _Mode(
        "inland",
        "road",
        "tablet",
        3_000,
        1.7,
        10,
        3_000_000,
        (
            "vehicle compartment",
            "residence",
            "pharmacy (illicit sale)",
            "bus (luggage)",
            "market stall",
        ),
        ("police", "police", "other"),
        0.1,
        0.8,
    ),
    "tablets_postal": _Mode(
        "mail_centre",
        "postal",
        "tablet",
        250,
        1.2,
        5,
        50_000,
        ("parcel", "parcel", "express courier parcel", "letter"),
        _CUSTOMS,
        0.85,
        0.1,
    ),
    "tablets_courier": _Mode(
        "airport",
        "air",
        "tablet",
        6_000,
        0.9,
        100,
        100_000,
        ("luggage", "suitcase (false bottom)", "hand luggage"),
        _CUSTOMS,
        0.03,
        0.2,
        female=0.3,
    ),
    "tablets_retail": _Mode(
        "inland",
        "unknown",
        "tablet",
        8,
        1.1,
        1,
        2_000,
        ("on body", "clothing", "residence", "vehicle", ""),
        ("police",),
        0.05,
        0.3,
        female=0.2,
    ),
    "liquid_courier": _Mode(
        "airport",
        "air",
        "l",
        2.5,
        0.6,
        0.2,
        40,
        ("bottles (liquid cocaine)", "wine bottles", "shampoo bottles", "impregnated clothing"),
        _CUSTOMS,
        0.03,
        0.1,
        female=0.3,
    ),
    "syrup_border": _Mode(
        "land_border",
        "road",
        "l",
        150,
        1.3,
        1,
        30_000,
        ("bottles (cough syrup)", "cartons", "lorry (cargo)"),
        ("customs", "police", "other"),
        0.3,
        0.8,
    ),
    "syrup_inland": _Mode(
        "inland",
        "road",
        "l",
        10,
        1.4,
        0.1,
        5_000,
        ("bottles (cough syrup)", "residence", "pharmacy (illicit sale)", "vehicle compartment"),
        ("police", "other"),
        0.1,
        0.6,
    ),
    "vape_postal": _Mode(
        "mail_centre",
        "postal",
        "ml",
        40,
        1.0,
        1,
        5_000,
        ("parcel (vape cartridges)", "parcel"),
        _CUSTOMS,
        0.85,
        0.1,
        drug="cannabis-oil",
    ),
    "fentanyl_pills": _Mode(
        "land_border",
        "road",
        "tablet",
        15_000,
        1.6,
        10,
        4_000_000,
        (
            "vehicle compartment",
            "vehicle compartment",
            "car (fuel tank)",
            "on body",
            "lorry (cargo)",
        ),
        ("customs",),
        0.1,
        0.3,
        female=0.3,
    ),
    "fentanyl_powder": _Mode(
        "land_border",
        "road",
        "kg",
        3,
        1.1,
        0.01,
        300,
        ("vehicle compartment", "car (fuel tank)", "on body", "lorry (cargo)", "spare tyre"),
        ("customs",),
        0.1,
        0.3,
        female=0.3,
    ),
    "coca_paste": _Mode(
        "inland",
        "road",
        "kg",
        25,
        1.4,
        0.1,
        5_000,
        (
            "vehicle compartment",
            "backpacks",
            "clandestine laboratory",
            "river boat",
            "storage facility",
        ),
        ("police", "military", "police"),
        0.25,
        1.2,
        drug="coca-paste",
    ),
    "paste_retail": _Mode(
        "inland",
        "unknown",
        "g",
        10,
        1.3,
        0.5,
        2_000,
        ("on body", "clothing", "residence", "", ""),
        ("police",),
        0.08,
        0.3,
        drug="coca-paste",
    ),
    "crack_retail": _Mode(
        "inland",
        "unknown",
        "g",
        3,
        1.2,
        0.1,
        800,
        ("on body", "clothing", "residence", "vehicle", "", ""),
        ("police",),
        0.06,
        0.3,
        female=0.2,
        drug="crack",
    ),
    "opium_border": _Mode(
        "land_border",
        "road",
        "kg",
        90,
        1.4,
        1,
        8_000,
        ("vehicle compartment", "lorry (cargo)", "pack animals", "backpacks", "fuel tanker"),
        ("police", "military", "military", "other"),
        0.3,
        1.2,
        drug="opium",
    ),
    "opium_inland": _Mode(
        "inland",
        "road",
        "kg",
        15,
        1.6,
        0.05,
        5_000,
        ("vehicle compartment", "residence", "storage facility", "motorcycle", "pack animals"),
        ("police", "military", "other"),
        0.2,
        1.0,
        drug="opium",
    ),
}


# ---------------------------------------------------------------------------
# Route templates.
# ---------------------------------------------------------------------------

Weighted = tuple[tuple[str, float], ...]
_ModeWeights = tuple[str, float, float, float]  # (mode, weight at source, transit, destination)
Path_ = tuple[str | None, tuple[str, ...], float]  # (departure or None = origin, transits, weight)


@dataclass(frozen=True)
class _Route:
    key: str
    drug: str
    weight: float
    trend: str
    origins: Weighted  # for domestic routes: the markets (reporting countries)
    modes: tuple[_ModeWeights, ...]
    paths: tuple[Path_, ...] = ((None, (), 1.0),)
    destinations: Weighted | None = None  # None: domestic, the destination is the market
    report: tuple[float, float, float] = (0.3, 0.2, 0.5)  # source, transit, destination
    nationals: tuple[str, ...] = ()  # other nationalities often among arrested persons
    origin_unknown: float = 0.1
    true_origins: Weighted | None = None  # domestic retail: where the drug was produced


_EUROPE_COCAINE: Weighted = (
    ("BEL", 0.24),
    ("NLD", 0.22),
    ("ESP", 0.2),
    ("PRT", 0.05),
    ("FRA", 0.08),
    ("ITA", 0.08),
    ("DEU", 0.08),
    ("GBR", 0.05),
)
_ANDEAN: Weighted = (("COL", 0.62), ("PER", 0.24), ("BOL", 0.14))
_WEST_EUROPE_HEROIN: Weighted = (
    ("DEU", 0.2),
    ("NLD", 0.15),
    ("ITA", 0.15),
    ("GBR", 0.15),
    ("FRA", 0.1),
    ("BEL", 0.07),
    ("AUT", 0.08),
    ("CHE", 0.05),
)
_CANNABIS_MARKETS: Weighted = (
    ("USA", 0.16),
    ("MEX", 0.08),
    ("COL", 0.07),
    ("NGA", 0.07),
    ("IND", 0.08),
    ("BRA", 0.07),
    ("PRY", 0.03),
    ("ZAF", 0.04),
    ("GHA", 0.02),
    ("MAR", 0.02),
    ("ESP", 0.03),
    ("FRA", 0.03),
    ("ITA", 0.02),
    ("DEU", 0.02),
    ("GBR", 0.02),
    ("AUS", 0.02),
    ("CAN", 0.02),
    ("KEN", 0.02),
    ("TZA", 0.02),
    ("JAM", 0.01),
    ("PHL", 0.02),
    ("IDN", 0.02),
    ("THA", 0.01),
    ("RUS", 0.02),
    ("KAZ", 0.01),
    ("EGY", 0.02),
    ("ARG", 0.02),
    ("CHL", 0.01),
    ("LBN", 0.01),
    ("AFG", 0.01),
    ("NZL", 0.01),
    ("ALB", 0.01),
    ("NLD", 0.01),
)

_ROUTES: tuple[_Route, ...] = (
    # --- Cocaine --------------------------------------------------------------
    _Route(
        "cocaine-andes-europe-sea",
        "cocaine-hcl",
        5.0,
        "cocaine_europe",
        _ANDEAN,
        paths=(
            (None, (), 0.25),
            ("ECU", (), 0.15),
            (None, ("PAN",), 0.1),
            ("BRA", (), 0.12),
            (None, ("DOM",), 0.05),
            ("BRA", ("CPV",), 0.03),
            (None, ("VEN",), 0.05),
            ("ECU", ("PAN",), 0.05),
        ),
        destinations=_EUROPE_COCAINE,
        report=(0.3, 0.15, 0.55),
        modes=(
            ("container_cocaine", 1.0, 1.0, 1.3),
            ("vessel_at_sea", 0.3, 0.2, 0.15),
            ("inland_vehicle", 0.5, 0.2, 0.1),
            ("storage", 0.2, 0.05, 0.15),
            ("lab", 0.1, 0.0, 0.02),
        ),
        nationals=("ALB", "NLD", "ESP", "COL", "ECU", "SRB", "MAR"),
    ),
    _Route(
        "cocaine-andes-west-africa-europe",
        "cocaine-hcl",
        1.8,
        "cocaine_europe",
        _ANDEAN,
        paths=(
            ("BRA", ("GNB",), 0.15),
            ("BRA", ("SEN",), 0.1),
            (None, ("GHA",), 0.15),
            ("BRA", ("NGA",), 0.1),
            (None, ("TGO",), 0.08),
            ("BRA", ("BEN",), 0.08),
            (None, ("CPV",), 0.1),
            ("VEN", ("GNB", "SEN"), 0.1),
            ("BRA", ("NGA", "GHA"), 0.1),
            ("BRA", ("TGO", "BEN"), 0.04),
        ),
        destinations=_EUROPE_COCAINE,
        report=(0.15, 0.5, 0.35),
        modes=(
            ("container_cocaine", 0.8, 0.5, 1.0),
            ("vessel_at_sea", 0.3, 0.5, 0.2),
            ("air_courier", 0.2, 0.6, 0.5),
            ("body_packer", 0.05, 0.3, 0.3),
            ("inland_vehicle", 0.3, 0.4, 0.1),
        ),
        nationals=("NGA", "GHA", "GNB", "SEN", "BRA", "ESP", "FRA"),
    ),
    _Route(
        "cocaine-air-couriers-europe",
        "cocaine-hcl",
        3.5,
        "cocaine_europe",
        _ANDEAN,
        paths=(
            (None, (), 0.35),
            ("BRA", (), 0.3),
            ("VEN", (), 0.1),
            (None, ("PAN",), 0.1),
            ("BRA", ("ETH",), 0.05),
            ("BRA", ("PRT",), 0.05),
            (None, ("DOM",), 0.05),
        ),
        destinations=(
            ("ESP", 0.25),
            ("NLD", 0.15),
            ("PRT", 0.1),
            ("FRA", 0.15),
            ("ITA", 0.1),
            ("DEU", 0.1),
            ("GBR", 0.1),
            ("BEL", 0.05),
        ),
        report=(0.25, 0.1, 0.65),
        modes=(
            ("air_courier", 1.0, 1.0, 1.0),
            ("body_packer", 0.4, 0.4, 0.5),
            ("postal", 0.3, 0.2, 0.6),
            ("air_cargo", 0.3, 0.2, 0.3),
            ("liquid_courier", 0.05, 0.05, 0.05),
        ),
        nationals=("NLD", "ESP", "VEN", "DOM", "BRA", "NGA", "GBR", "PRT", "FRA"),
        origin_unknown=0.2,
    ),
    _Route(
        "cocaine-andes-north-america",
        "cocaine-hcl",
        4.5,
        "cocaine_usa",
        _ANDEAN,
        paths=(
            (None, ("PAN", "CRI", "HND", "GTM", "MEX"), 0.15),
            (None, ("GTM", "MEX"), 0.15),
            (None, ("MEX",), 0.25),
            ("ECU", ("MEX",), 0.1),
            (None, ("DOM",), 0.08),
            (None, ("HND", "MEX"), 0.1),
            (None, (), 0.1),
            ("VEN", ("HND", "GTM", "MEX"), 0.07),
        ),
        destinations=(("USA", 0.88), ("CAN", 0.12)),
        report=(0.25, 0.35, 0.4),
        modes=(
            ("vessel_at_sea", 0.6, 0.8, 0.5),
            ("land_vehicle", 0.0, 0.6, 1.0),
            ("container_cocaine", 0.4, 0.3, 0.2),
            ("air_courier", 0.2, 0.1, 0.3),
            ("inland_vehicle", 0.5, 0.6, 0.5),
            ("light_aircraft", 0.1, 0.3, 0.0),
            ("postal", 0.0, 0.0, 0.2),
        ),
        nationals=("MEX", "GTM", "HND", "COL", "USA", "ECU"),
    ),
    _Route(
        "cocaine-andes-south-america",
        "cocaine-hcl",
        2.5,
        "cocaine_source",
        (("BOL", 0.5), ("PER", 0.3), ("COL", 0.2)),
        paths=((None, (), 0.7), (None, ("PRY",), 0.2), (None, ("BOL",), 0.1)),
        destinations=(("BRA", 0.45), ("ARG", 0.25), ("CHL", 0.2), ("PRY", 0.05), ("URY", 0.05)),
        report=(0.35, 0.1, 0.55),
        modes=(
            ("land_vehicle", 0.6, 1.0, 1.0),
            ("inland_vehicle", 1.0, 0.5, 1.0),
            ("coca_paste", 0.6, 0.2, 0.4),
            ("light_aircraft", 0.3, 0.3, 0.2),
            ("container_cocaine", 0.0, 0.0, 0.2),
        ),
        nationals=("BOL", "PER", "BRA", "PRY", "ARG"),
    ),
    _Route(
        "coca-domestic-andes",
        "cocaine-hcl",
        3.0,
        "cocaine_source",
        (("COL", 0.6), ("PER", 0.25), ("BOL", 0.15)),
        report=(1.0, 0.0, 0.0),
        modes=(
            ("coca_paste", 1.0, 0.0, 0.0),
            ("lab", 0.5, 0.0, 0.0),
            ("inland_vehicle", 0.6, 0.0, 0.0),
            ("paste_retail", 0.5, 0.0, 0.0),
            ("retail", 0.4, 0.0, 0.0),
        ),
        origin_unknown=0.02,
    ),
    _Route(
        "cocaine-retail",
        "cocaine-hcl",
        5.0,
        "cocaine_europe",
        (
            ("USA", 0.25),
            ("BRA", 0.1),
            ("ESP", 0.1),
            ("GBR", 0.1),
            ("FRA", 0.08),
            ("ITA", 0.08),
            ("DEU", 0.06),
            ("ARG", 0.05),
            ("COL", 0.04),
            ("MEX", 0.03),
            ("AUS", 0.04),
            ("NLD", 0.03),
            ("BEL", 0.03),
            ("PRT", 0.02),
            ("CHL", 0.02),
        ),
        report=(1.0, 0.0, 0.0),
        modes=(("retail", 1.0, 0.0, 0.0),),
        true_origins=_ANDEAN,
        origin_unknown=0.7,
    ),
    _Route(
        "crack-retail",
        "crack",
        2.0,
        "flat",
        (("BRA", 0.4), ("USA", 0.3), ("FRA", 0.15), ("GBR", 0.1), ("URY", 0.05)),
        report=(1.0, 0.0, 0.0),
        modes=(("crack_retail", 1.0, 0.0, 0.0),),
        true_origins=_ANDEAN,
        origin_unknown=0.85,
    ),
    # --- Afghan opiates -------------------------------------------------------
    _Route(
        "heroin-balkan-route",
        "heroin",
        3.0,
        "afghan",
        (("AFG", 1.0),),
        paths=(
            (None, ("IRN", "TUR", "BGR", "SRB"), 0.25),
            (None, ("IRN", "TUR", "BGR", "ROU", "HUN"), 0.15),
            (None, ("IRN", "TUR", "GRC", "ALB"), 0.12),
            (None, ("IRN", "TUR", "BGR", "MKD", "ALB"), 0.1),
            (None, ("PAK", "IRN", "TUR", "GRC"), 0.13),
            ("PAK", ("TUR",), 0.1),
            ("IRN", ("TUR", "BGR"), 0.15),
        ),
        destinations=_WEST_EUROPE_HEROIN,
        report=(0.2, 0.55, 0.25),
        modes=(
            ("tir_truck", 0.3, 1.0, 0.5),
            ("inland_vehicle", 1.0, 0.6, 1.0),
            ("container_general", 0.2, 0.2, 0.3),
            ("air_courier", 0.1, 0.1, 0.3),
            ("storage", 0.2, 0.1, 0.2),
            ("rail", 0.0, 0.05, 0.05),
        ),
        nationals=("TUR", "IRN", "ALB", "BGR", "SRB", "PAK", "GBR", "NLD"),
    ),
    _Route(
        "heroin-northern-route",
        "heroin",
        1.2,
        "afghan",
        (("AFG", 1.0),),
        paths=(
            (None, ("TJK", "KGZ", "KAZ"), 0.3),
            (None, ("TJK", "UZB", "KAZ"), 0.25),
            (None, ("TKM", "KAZ"), 0.15),
            (None, ("UZB", "KAZ"), 0.2),
            (None, ("TJK",), 0.1),
        ),
        destinations=(("RUS", 0.9), ("BLR", 0.1)),
        report=(0.2, 0.5, 0.3),
        modes=(
            ("tir_truck", 0.2, 1.0, 0.6),
            ("pedestrian_border", 1.0, 0.5, 0.0),
            ("inland_vehicle", 0.5, 0.8, 1.0),
            ("rail", 0.0, 0.4, 0.4),
        ),
        nationals=("TJK", "UZB", "KGZ", "RUS", "KAZ"),
    ),
    _Route(
        "heroin-southern-route",
        "heroin",
        1.0,
        "afghan",
        (("AFG", 1.0),),
        paths=(
            ("PAK", (), 0.35),
            ("IRN", (), 0.25),
            ("PAK", ("TZA",), 0.15),
            ("PAK", ("KEN",), 0.1),
            ("IRN", ("MOZ",), 0.15),
        ),
        destinations=(
            ("ZAF", 0.25),
            ("KEN", 0.15),
            ("TZA", 0.15),
            ("MOZ", 0.1),
            ("LKA", 0.15),
            ("IND", 0.1),
            ("GBR", 0.1),
        ),
        report=(0.3, 0.3, 0.4),
        modes=(
            ("dhow", 1.0, 1.0, 0.3),
            ("container_general", 0.5, 0.5, 0.6),
            ("air_courier", 0.3, 0.3, 0.5),
            ("inland_vehicle", 0.4, 0.6, 1.0),
        ),
        nationals=("PAK", "IRN", "TZA", "KEN", "NGA"),
    ),
    _Route(
        "afghan-opiates-neighbours",
        "opium",
        2.5,
        "afghan",
        (("AFG", 1.0),),
        destinations=(("IRN", 0.7), ("PAK", 0.2), ("TJK", 0.05), ("TKM", 0.05)),
        report=(0.3, 0.0, 0.7),
        modes=(
            ("opium_border", 1.0, 0.0, 1.0),
            ("opium_inland", 0.8, 0.0, 1.0),
            ("inland_vehicle", 0.3, 0.0, 0.4),
            ("pedestrian_border", 0.2, 0.0, 0.3),
        ),
        nationals=("AFG", "PAK", "IRN"),
        origin_unknown=0.03,
    ),
    _Route(
        "afghan-domestic",
        "opium",
        1.5,
        "afghan",
        (("AFG", 1.0),),
        report=(1.0, 0.0, 0.0),
        modes=(
            ("opium_inland", 1.0, 0.0, 0.0),
            ("storage", 0.3, 0.0, 0.0),
            ("lab", 0.2, 0.0, 0.0),
            ("retail", 0.4, 0.0, 0.0),
        ),
        origin_unknown=0.02,
    ),
    _Route(
        "heroin-retail",
        "heroin",
        3.0,
        "afghan",
        (
            ("GBR", 0.15),
            ("IRN", 0.15),
            ("PAK", 0.12),
            ("IND", 0.1),
            ("FRA", 0.08),
            ("ITA", 0.08),
            ("DEU", 0.07),
            ("RUS", 0.08),
            ("KEN", 0.05),
            ("ZAF", 0.05),
            ("TUR", 0.05),
            ("NLD", 0.02),
        ),
        report=(1.0, 0.0, 0.0),
        modes=(("retail", 1.0, 0.0, 0.0),),
        true_origins=(("AFG", 1.0),),
        origin_unknown=0.6,
    ),
    # --- Other opiates ----------------------------------------------------------
    _Route(
        "heroin-myanmar",
        "heroin",
        1.5,
        "myanmar_opiates",
        (("MMR", 1.0),),
        paths=(
            (None, (), 0.4),
            (None, ("LAO",), 0.2),
            (None, ("THA",), 0.2),
            (None, ("THA", "MYS"), 0.1),
            (None, ("LAO", "VNM"), 0.1),
        ),
        destinations=(
            ("CHN", 0.35),
            ("MYS", 0.2),
            ("VNM", 0.15),
            ("AUS", 0.1),
            ("IND", 0.1),
            ("KHM", 0.1),
        ),
        report=(0.3, 0.3, 0.4),
        modes=(
            ("land_vehicle", 1.0, 1.0, 0.6),
            ("inland_vehicle", 1.0, 0.6, 1.0),
            ("container_general", 0.1, 0.2, 0.4),
            ("air_courier", 0.05, 0.1, 0.3),
            ("opium_inland", 0.3, 0.1, 0.0),
        ),
        nationals=("MMR", "CHN", "THA", "LAO", "VNM"),
    ),
    _Route(
        "opium-asia-domestic",
        "opium",
        1.0,
        "myanmar_opiates",
        (("MMR", 0.4), ("LAO", 0.15), ("IND", 0.3), ("THA", 0.1), ("PAK", 0.05)),
        report=(1.0, 0.0, 0.0),
        modes=(
            ("opium_inland", 1.0, 0.0, 0.0),
            ("storage", 0.2, 0.0, 0.0),
            ("retail", 0.3, 0.0, 0.0),
        ),
    ),
    _Route(
        "heroin-mexico-usa",
        "heroin",
        1.0,
        "heroin_mexico",
        (("MEX", 1.0),),
        destinations=(("USA", 1.0),),
        report=(0.2, 0.0, 0.8),
        modes=(
            ("land_vehicle", 0.5, 0.0, 1.0),
            ("inland_vehicle", 1.0, 0.0, 0.8),
            ("storage", 0.3, 0.0, 0.2),
            ("postal", 0.0, 0.0, 0.1),
        ),
        nationals=("MEX", "USA"),
    ),
    # --- Methamphetamine --------------------------------------------------------
    _Route(
        "yaba-mekong",
        "methamphetamine",
        5.0,
        "meth_esea",
        (("MMR", 1.0),),
        paths=((None, (), 0.6), (None, ("LAO",), 0.4)),
        destinations=(("THA", 0.6), ("KHM", 0.1), ("VNM", 0.15), ("MYS", 0.15)),
        report=(0.2, 0.2, 0.6),
        modes=(
            ("yaba_border", 1.0, 1.0, 1.0),
            ("yaba_inland", 0.6, 0.6, 1.0),
            ("ice_border", 0.3, 0.4, 0.2),
            ("ice_inland", 0.3, 0.2, 0.4),
        ),
        nationals=("MMR", "THA", "LAO", "CHN"),
    ),
    _Route(
        "yaba-bangladesh",
        "methamphetamine",
        2.5,
        "meth_esea",
        (("MMR", 1.0),),
        destinations=(("BGD", 0.85), ("IND", 0.15)),
        report=(0.1, 0.0, 0.9),
        modes=(
            ("yaba_border", 1.0, 0.0, 1.0),
            ("yaba_inland", 0.3, 0.0, 1.0),
            ("dhow", 0.0, 0.0, 0.05),
        ),
        nationals=("MMR", "BGD"),
    ),
    _Route(
        "yaba-domestic",
        "methamphetamine",
        4.0,
        "meth_esea",
        (("THA", 0.45), ("MMR", 0.2), ("LAO", 0.1), ("BGD", 0.2), ("KHM", 0.05)),
        report=(1.0, 0.0, 0.0),
        modes=(("yaba_inland", 1.0, 0.0, 0.0), ("tablets_retail", 0.6, 0.0, 0.0)),
        true_origins=(("MMR", 1.0),),
        origin_unknown=0.5,
    ),
    _Route(
        "meth-myanmar-oceania-east-asia",
        "methamphetamine",
        3.0,
        "meth_esea",
        (("MMR", 1.0),),
        paths=(
            (None, ("THA", "MYS"), 0.25),
            (None, ("LAO", "VNM"), 0.15),
            (None, ("THA",), 0.2),
            (None, ("MYS",), 0.15),
            (None, ("LAO", "THA", "MYS"), 0.15),
            (None, (), 0.1),
        ),
        destinations=(
            ("AUS", 0.25),
            ("JPN", 0.12),
            ("NZL", 0.06),
            ("KOR", 0.1),
            ("PHL", 0.15),
            ("IDN", 0.18),
            ("TWN", 0.04),
            ("HKG", 0.05),
        ),
        report=(0.2, 0.35, 0.45),
        modes=(
            ("container_meth", 0.3, 0.6, 1.0),
            ("vessel_at_sea", 0.1, 0.4, 0.3),
            ("air_courier", 0.1, 0.2, 0.4),
            ("postal", 0.0, 0.1, 0.4),
            ("air_cargo", 0.1, 0.2, 0.3),
            ("ice_inland", 1.0, 0.6, 0.6),
            ("ice_border", 0.6, 0.5, 0.0),
        ),
        nationals=("MMR", "THA", "MYS", "CHN", "AUS", "IDN", "PHL", "TWN"),
    ),
    _Route(
        "meth-crystal-domestic",
        "methamphetamine",
        4.0,
        "meth_esea",
        (
            ("PHL", 0.2),
            ("IDN", 0.15),
            ("MYS", 0.12),
            ("USA", 0.15),
            ("MEX", 0.05),
            ("AUS", 0.08),
            ("JPN", 0.05),
            ("KOR", 0.04),
            ("NZL", 0.03),
            ("CHN", 0.06),
            ("VNM", 0.04),
            ("IRN", 0.03),
        ),
        report=(1.0, 0.0, 0.0),
        modes=(
            ("ice_retail", 1.0, 0.0, 0.0),
            ("ice_inland", 0.4, 0.0, 0.0),
            ("lab", 0.03, 0.0, 0.0),
        ),
        origin_unknown=0.6,
    ),
    _Route(
        "meth-west-africa-asia",
        "methamphetamine",
        0.8,
        "meth_west_africa",
        (("NGA", 1.0),),
        paths=(
            (None, (), 0.4),
            (None, ("ETH",), 0.2),
            (None, ("QAT",), 0.15),
            (None, ("ARE",), 0.15),
            ("BEN", (), 0.1),
        ),
        destinations=(("JPN", 0.25), ("KOR", 0.2), ("MYS", 0.25), ("ZAF", 0.2), ("AUS", 0.1)),
        report=(0.3, 0.15, 0.55),
        modes=(
            ("air_courier", 1.0, 1.0, 1.0),
            ("body_packer", 0.2, 0.2, 0.3),
            ("postal", 0.2, 0.0, 0.4),
            ("air_cargo", 0.3, 0.2, 0.3),
            ("lab", 0.15, 0.0, 0.0),
        ),
        nationals=("NGA", "GHA", "ZAF", "JPN", "MYS"),
    ),
    _Route(
        "meth-mexico",
        "methamphetamine",
        3.0,
        "meth_mexico",
        (("MEX", 1.0),),
        destinations=(("USA", 0.9), ("CAN", 0.03), ("AUS", 0.05), ("NZL", 0.02)),
        report=(0.2, 0.0, 0.8),
        modes=(
            ("land_vehicle", 0.6, 0.0, 1.0),
            ("inland_vehicle", 1.0, 0.0, 0.8),
            ("lab", 0.4, 0.0, 0.02),
            ("postal", 0.0, 0.0, 0.2),
            ("container_meth", 0.05, 0.0, 0.05),
            ("air_cargo", 0.05, 0.0, 0.05),
        ),
        nationals=("MEX", "USA"),
    ),
    # --- Fentanyl -----------------------------------------------------------------
    _Route(
        "fentanyl-mexico-usa",
        "fentanyl",
        2.0,
        "fentanyl",
        (("MEX", 1.0),),
        destinations=(("USA", 0.93), ("CAN", 0.07)),
        report=(0.1, 0.0, 0.9),
        modes=(
            ("fentanyl_pills", 1.0, 0.0, 1.0),
            ("fentanyl_powder", 1.0, 0.0, 1.0),
            ("postal", 0.0, 0.0, 0.3),
            ("lab", 0.2, 0.0, 0.0),
            ("tablets_retail", 0.0, 0.0, 0.6),
        ),
        nationals=("MEX", "USA"),
    ),
    _Route(
        "fentanyl-postal-china",
        "fentanyl",
        0.4,
        "fentanyl_postal",
        (("CHN", 1.0),),
        destinations=(("USA", 0.8), ("CAN", 0.2)),
        report=(0.05, 0.0, 0.95),
        modes=(("postal", 1.0, 0.0, 1.0), ("air_cargo", 0.2, 0.0, 0.2)),
    ),
    # --- Cannabis -----------------------------------------------------------------
    _Route(
        "cannabis-herb-domestic",
        "cannabis-herb",
        16.0,
        "cannabis",
        _CANNABIS_MARKETS,
        report=(1.0, 0.0, 0.0),
        modes=(
            ("retail", 1.0, 0.0, 0.0),
            ("inland_vehicle", 0.5, 0.0, 0.0),
            ("plantation", 0.35, 0.0, 0.0),
            ("storage", 0.1, 0.0, 0.0),
        ),
    ),
    _Route(
        "cannabis-herb-south-america",
        "cannabis-herb",
        2.0,
        "cannabis",
        (("PRY", 1.0),),
        paths=((None, (), 0.85), (None, ("BOL",), 0.15)),
        destinations=(("BRA", 0.6), ("ARG", 0.25), ("CHL", 0.15)),
        report=(0.3, 0.1, 0.6),
        modes=(
            ("land_vehicle", 1.0, 1.0, 1.0),
            ("inland_vehicle", 0.6, 0.3, 1.0),
            ("storage", 0.3, 0.0, 0.1),
            ("plantation", 0.3, 0.0, 0.0),
        ),
        nationals=("PRY", "BRA", "ARG"),
    ),
    _Route(
        "cannabis-herb-mexico-usa",
        "cannabis-herb",
        1.5,
        "cannabis_mexico_usa",
        (("MEX", 1.0),),
        destinations=(("USA", 1.0),),
        report=(0.3, 0.0, 0.7),
        modes=(
            ("land_vehicle", 0.5, 0.0, 1.0),
            ("inland_vehicle", 1.0, 0.0, 0.6),
            ("pedestrian_border", 0.0, 0.0, 0.3),
            ("plantation", 0.4, 0.0, 0.0),
        ),
        nationals=("MEX", "USA"),
    ),
    _Route(
        "cannabis-herb-to-europe",
        "cannabis-herb",
        0.8,
        "cannabis_to_europe",
        (("USA", 0.45), ("CAN", 0.3), ("THA", 0.25)),
        destinations=(("GBR", 0.6), ("DEU", 0.1), ("NLD", 0.1), ("IRL", 0.1), ("FRA", 0.1)),
        report=(0.1, 0.0, 0.9),
        modes=(
            ("air_courier", 1.0, 0.0, 1.0),
            ("postal", 0.3, 0.0, 0.5),
            ("vape_postal", 0.0, 0.0, 0.1),
        ),
        nationals=("GBR", "USA", "CAN", "THA", "IRL"),
        origin_unknown=0.05,
    ),
    _Route(
        "cannabis-resin-morocco-spain",
        "cannabis-resin",
        4.0,
        "cannabis",
        (("MAR", 1.0),),
        destinations=(("ESP", 0.85), ("PRT", 0.15)),
        report=(0.3, 0.0, 0.7),
        modes=(
            ("gofast_resin", 1.0, 0.0, 1.0),
            ("ferry", 0.5, 0.0, 0.8),
            ("inland_vehicle", 0.6, 0.0, 0.8),
            ("retail", 0.2, 0.0, 0.6),
            ("storage", 0.2, 0.0, 0.2),
        ),
        nationals=("MAR", "ESP", "FRA", "GBR"),
    ),
    _Route(
        "cannabis-resin-morocco-europe",
        "cannabis-resin",
        2.0,
        "cannabis",
        (("MAR", 1.0),),
        paths=((None, ("ESP",), 1.0),),
        destinations=(("FRA", 0.5), ("ITA", 0.2), ("BEL", 0.1), ("NLD", 0.1), ("DEU", 0.1)),
        report=(0.15, 0.45, 0.4),
        modes=(
            ("gofast_resin", 0.8, 0.6, 0.0),
            ("ferry", 0.5, 0.6, 0.2),
            ("tir_truck", 0.0, 0.4, 0.5),
            ("inland_vehicle", 0.3, 0.6, 1.0),
            ("retail", 0.0, 0.1, 0.6),
        ),
        nationals=("MAR", "ESP", "FRA", "NLD", "ITA"),
    ),
    _Route(
        "cannabis-resin-north-africa",
        "cannabis-resin",
        2.5,
        "cannabis",
        (("MAR", 1.0),),
        paths=((None, (), 0.85), (None, ("DZA",), 0.15)),
        destinations=(("DZA", 0.6), ("TUN", 0.15), ("LBY", 0.15), ("EGY", 0.1)),
        report=(0.2, 0.2, 0.6),
        modes=(
            ("land_vehicle", 1.0, 1.0, 1.0),
            ("inland_vehicle", 0.5, 0.6, 1.0),
            ("retail", 0.0, 0.0, 0.3),
            ("vessel_at_sea", 0.1, 0.0, 0.1),
        ),
        nationals=("MAR", "DZA", "TUN", "LBY"),
    ),
    # --- Captagon, ketamine, tramadol, codeine --------------------------------------
    _Route(
        "captagon-levant-gulf",
        "captagon",
        2.2,
        "captagon",
        (("SYR", 0.8), ("LBN", 0.2)),
        paths=(
            (None, (), 0.4),
            (None, ("JOR",), 0.3),
            (None, ("IRQ",), 0.1),
            (None, ("TUR",), 0.05),
            (None, ("ITA",), 0.04),
            (None, ("GRC",), 0.03),
            (None, ("EGY",), 0.04),
            (None, ("SYR",), 0.04),
        ),
        destinations=(
            ("SAU", 0.55),
            ("ARE", 0.1),
            ("JOR", 0.12),
            ("KWT", 0.07),
            ("IRQ", 0.08),
            ("QAT", 0.03),
            ("EGY", 0.05),
        ),
        report=(0.15, 0.35, 0.5),
        modes=(
            ("container_tablets", 0.6, 0.6, 1.0),
            ("tablets_border", 1.0, 1.0, 1.0),
            ("tablets_inland", 0.5, 0.2, 0.8),
            ("tablets_courier", 0.1, 0.1, 0.3),
            ("pedestrian_border", 0.0, 0.3, 0.0),
        ),
        nationals=("SYR", "LBN", "JOR", "SAU", "IRQ"),
    ),
    _Route(
        "ketamine-east-asia",
        "ketamine",
        1.8,
        "ketamine",
        (("MMR", 0.35), ("KHM", 0.15), ("IND", 0.25), ("CHN", 0.1), ("LAO", 0.15)),
        paths=(
            (None, (), 0.4),
            (None, ("THA",), 0.15),
            (None, ("MYS",), 0.15),
            (None, ("HKG",), 0.15),
            (None, ("VNM",), 0.15),
        ),
        destinations=(
            ("CHN", 0.2),
            ("HKG", 0.15),
            ("TWN", 0.2),
            ("MYS", 0.15),
            ("THA", 0.1),
            ("AUS", 0.1),
            ("KOR", 0.05),
            ("VNM", 0.05),
        ),
        report=(0.2, 0.25, 0.55),
        modes=(
            ("container_general", 0.3, 0.4, 0.6),
            ("air_courier", 0.3, 0.5, 0.6),
            ("postal", 0.0, 0.2, 0.5),
            ("inland_vehicle", 1.0, 0.6, 0.6),
            ("vessel_at_sea", 0.1, 0.1, 0.2),
            ("retail", 0.0, 0.0, 0.6),
        ),
        nationals=("CHN", "TWN", "MYS", "THA", "HKG", "MMR"),
    ),
    _Route(
        "tramadol-west-africa",
        "tramadol",
        2.0,
        "tramadol",
        (("IND", 1.0),),
        paths=(
            (None, (), 0.7),
            (None, ("BEN",), 0.1),
            (None, ("TGO",), 0.1),
            (None, ("NGA",), 0.1),
        ),
        destinations=(
            ("NGA", 0.3),
            ("GHA", 0.15),
            ("BEN", 0.1),
            ("NER", 0.1),
            ("LBY", 0.1),
            ("EGY", 0.1),
            ("CMR", 0.05),
            ("TGO", 0.05),
            ("SEN", 0.05),
        ),
        report=(0.1, 0.2, 0.7),
        modes=(
            ("container_tablets", 1.0, 0.6, 0.8),
            ("tablets_border", 0.0, 1.0, 0.7),
            ("tablets_inland", 0.0, 0.4, 1.0),
            ("tablets_retail", 0.0, 0.0, 0.3),
        ),
        nationals=("NGA", "NER", "GHA", "IND", "LBY"),
    ),
    _Route(
        "codeine-syrup",
        "codeine",
        0.8,
        "flat",
        (("IND", 1.0),),
        destinations=(("BGD", 0.55), ("NGA", 0.35), ("NER", 0.1)),
        report=(0.2, 0.0, 0.8),
        modes=(
            ("syrup_border", 1.0, 0.0, 1.0),
            ("syrup_inland", 0.5, 0.0, 1.0),
            ("container_general", 0.2, 0.0, 0.1),
        ),
        nationals=("IND", "BGD", "NGA"),
    ),
    # --- Ecstasy and amphetamine ------------------------------------------------------
    _Route(
        "mdma-europe-export",
        "mdma",
        2.0,
        "ecstasy",
        (("NLD", 0.65), ("BEL", 0.25), ("DEU", 0.1)),
        paths=(
            (None, (), 0.7),
            (None, ("DEU",), 0.1),
            (None, ("BEL",), 0.1),
            (None, ("FRA",), 0.1),
        ),
        destinations=(
            ("GBR", 0.15),
            ("FRA", 0.08),
            ("DEU", 0.08),
            ("ESP", 0.06),
            ("ITA", 0.05),
            ("AUS", 0.15),
            ("NZL", 0.05),
            ("USA", 0.1),
            ("CAN", 0.05),
            ("TUR", 0.05),
            ("BRA", 0.05),
            ("IDN", 0.05),
            ("RUS", 0.08),
        ),
        report=(0.2, 0.1, 0.7),
        modes=(
            ("tablets_postal", 1.0, 0.5, 1.0),
            ("tablets_courier", 0.5, 0.3, 0.6),
            ("container_tablets", 0.1, 0.1, 0.1),
            ("tablets_border", 0.3, 0.5, 0.2),
            ("postal", 0.4, 0.1, 0.4),
            ("tablets_inland", 0.5, 0.2, 0.4),
        ),
        nationals=("NLD", "BEL", "GBR", "DEU", "AUS"),
    ),
    _Route(
        "mdma-retail",
        "mdma",
        2.0,
        "ecstasy",
        (
            ("GBR", 0.2),
            ("DEU", 0.15),
            ("FRA", 0.12),
            ("AUS", 0.12),
            ("USA", 0.12),
            ("NLD", 0.08),
            ("ESP", 0.08),
            ("THA", 0.05),
            ("NZL", 0.04),
            ("BEL", 0.04),
        ),
        report=(1.0, 0.0, 0.0),
        modes=(("tablets_retail", 1.0, 0.0, 0.0), ("retail", 0.2, 0.0, 0.0)),
        true_origins=(("NLD", 0.7), ("BEL", 0.3)),
        origin_unknown=0.7,
    ),
    _Route(
        "amphetamine-europe",
        "amphetamine",
        1.5,
        "flat",
        (("NLD", 0.5), ("BEL", 0.2), ("POL", 0.2), ("LTU", 0.1)),
        paths=((None, (), 0.7), (None, ("DEU",), 0.2), (None, ("DNK",), 0.1)),
        destinations=(
            ("NOR", 0.2),
            ("SWE", 0.25),
            ("FIN", 0.15),
            ("DEU", 0.15),
            ("GBR", 0.1),
            ("DNK", 0.1),
            ("BLR", 0.05),
        ),
        report=(0.2, 0.2, 0.6),
        modes=(
            ("ferry", 0.3, 0.8, 1.0),
            ("tir_truck", 0.5, 1.0, 0.6),
            ("inland_vehicle", 1.0, 0.5, 1.0),
            ("postal", 0.1, 0.0, 0.4),
            ("lab", 0.3, 0.0, 0.05),
            ("retail", 0.0, 0.0, 0.5),
        ),
        nationals=("POL", "LTU", "NLD", "SWE", "NOR", "FIN"),
    ),
)


# ---------------------------------------------------------------------------
# Places by country: cities (inland), airports, seaports, land border crossings, sea
# areas and mail centres, `;`-separated; indented lines continue a list. Missing
# airports default to "<first city> International Airport", missing mail centres to
# "<first city> international mail centre"; other missing types give "".
# ---------------------------------------------------------------------------

_PLACES_TEXT = """
COL
  inland: Bogotá; Medellín; Cali; Cúcuta; Tumaco; Pasto; Barranquilla
  airport: Bogotá El Dorado International Airport; Medellín José María Córdova International
    Airport; Cali Alfonso Bonilla Aragón International Airport; Cartagena Rafael Núñez
    International Airport
  seaport: Buenaventura; Cartagena; Santa Marta; Turbo; Barranquilla; Tumaco
  land_border: Ipiales (Rumichaca); Cúcuta (Simón Bolívar bridge); Paraguachón
  at_sea: Pacific Ocean off Nariño; Caribbean Sea off La Guajira
PER
  inland: Lima; Callao; Ayacucho; Pichari; Tumbes; Puno; Pucallpa
  airport: Lima Jorge Chávez International Airport; Cusco Alejandro Velasco Astete Airport
  seaport: Callao; Paita; Chimbote; Matarani
  land_border: Desaguadero; Aguas Verdes; Santa Rosa (Tacna)
  at_sea: Pacific Ocean off Callao
BOL
  inland: Santa Cruz de la Sierra; La Paz; Cochabamba; El Alto; Chapare; Yacuiba
  airport: Santa Cruz Viru Viru International Airport; La Paz El Alto International Airport
  land_border: Desaguadero; Yacuiba; Puerto Quijarro; Villazón; Pisiga
ECU
  inland: Guayaquil; Quito; Machala; Esmeraldas; Manta
  airport: Quito Mariscal Sucre International Airport; Guayaquil José Joaquín de Olmedo
    International Airport
  seaport: Guayaquil; Puerto Bolívar; Manta; Esmeraldas; Posorja
  land_border: Rumichaca (Tulcán); Huaquillas; San Miguel (Sucumbíos)
  at_sea: Pacific Ocean off Galápagos; Gulf of Guayaquil
PAN
  inland: Panama City; Colón; David; Darién
  airport: Panama Tocumen International Airport
  seaport: Manzanillo (Colón); Balboa; Cristóbal; Rodman
  land_border: Paso Canoas; Guabito
  at_sea: Caribbean Sea off Colón; Gulf of Panama
BRA
  inland: São Paulo; Rio de Janeiro; Manaus; Campo Grande; Foz do Iguaçu; Fortaleza; Belém;
    Porto Alegre
  airport: São Paulo Guarulhos International Airport; Rio de Janeiro Galeão International
    Airport; Fortaleza Pinto Martins International Airport; Recife Guararapes International
    Airport
  seaport: Santos; Paranaguá; Salvador; Natal; Pecém; Rio Grande; Itajaí
  land_border: Ponta Porã; Foz do Iguaçu (Friendship Bridge); Corumbá; Tabatinga; Guajará-Mirim
  at_sea: Atlantic Ocean off Pernambuco
VEN
  inland: Caracas; Maracaibo; San Cristóbal; Valencia
  airport: Caracas Simón Bolívar International Airport
  seaport: Puerto Cabello; La Guaira; Maracaibo
  land_border: San Antonio del Táchira; Paraguachón
  at_sea: Caribbean Sea off Falcón
DOM
  inland: Santo Domingo; Santiago de los Caballeros; Punta Cana
  airport: Santo Domingo Las Américas International Airport; Punta Cana International Airport
  seaport: Caucedo; Haina; Puerto Plata
  land_border: Dajabón; Jimaní
  at_sea: Caribbean Sea off Pedernales
CRI
  inland: San José; Limón; Puntarenas; Liberia
  airport: San José Juan Santamaría International Airport
  seaport: Moín (Limón); Caldera
  land_border: Peñas Blancas; Paso Canoas
  at_sea: Pacific Ocean off Guanacaste
HND
  inland: Tegucigalpa; San Pedro Sula; La Ceiba
  airport: San Pedro Sula Ramón Villeda Morales International Airport
  seaport: Puerto Cortés
  land_border: Agua Caliente; Corinto
  at_sea: Caribbean Sea off Gracias a Dios
GTM
  inland: Guatemala City; Escuintla; Petén; Huehuetenango
  airport: Guatemala City La Aurora International Airport
  seaport: Puerto Quetzal; Santo Tomás de Castilla
  land_border: Tecún Umán; La Mesilla
  at_sea: Pacific Ocean off Escuintla
MEX
  inland: Mexico City; Culiacán; Tijuana; Guadalajara; Ciudad Juárez; Reynosa; Sonoyta;
    Manzanillo
  airport: Mexico City International Airport; Cancún International Airport; Guadalajara
    International Airport; Tijuana International Airport
  seaport: Manzanillo; Lázaro Cárdenas; Veracruz; Ensenada
  land_border: Tijuana; Nogales; Ciudad Juárez; Nuevo Laredo; Ciudad Hidalgo
  at_sea: Pacific Ocean off Oaxaca; Gulf of California
USA
  inland: Los Angeles; Houston; Phoenix; San Diego; Miami; Chicago; New York; Atlanta; El Paso
  airport: John F. Kennedy International Airport; Miami International Airport; Los Angeles
    International Airport; Chicago O'Hare International Airport; Houston George Bush
    Intercontinental Airport; Atlanta Hartsfield-Jackson International Airport
  seaport: Port of Miami; Port of Philadelphia; Port Everglades; Port of Los Angeles; Port of
    Long Beach
  land_border: San Ysidro; Otay Mesa; Nogales; Calexico; Laredo; El Paso (Bridge of the
    Americas); Lukeville
  at_sea: Eastern Pacific Ocean; Caribbean Sea off Puerto Rico
  mail_centre: JFK International Mail Facility; Chicago O'Hare International Mail Facility;
    Miami International Mail Facility; Los Angeles International Mail Facility
CAN
  inland: Toronto; Vancouver; Montreal; Calgary; Winnipeg
  airport: Toronto Pearson International Airport; Vancouver International Airport;
    Montréal-Trudeau International Airport
  seaport: Port of Vancouver; Port of Montreal; Halifax; Prince Rupert
  land_border: Windsor (Ambassador Bridge); Lacolle; Pacific Highway (Surrey); Coutts
  mail_centre: Vancouver International Mail Processing Centre; Toronto International Mail
    Processing Centre
PRY
  inland: Asunción; Ciudad del Este; Pedro Juan Caballero; Concepción; Salto del Guairá
  airport: Asunción Silvio Pettirossi International Airport
  seaport: Villeta (river port); Asunción (river port)
  land_border: Pedro Juan Caballero; Ciudad del Este (Friendship Bridge); Salto del Guairá
ARG
  inland: Buenos Aires; Rosario; Córdoba; Salta; San Salvador de Jujuy; Posadas
  airport: Buenos Aires Ezeiza International Airport; Córdoba International Airport
  seaport: Buenos Aires; Rosario; Zárate; San Antonio Este
  land_border: La Quiaca; Salvador Mazza; Posadas; Clorinda
  at_sea: Atlantic Ocean off Buenos Aires
CHL
  inland: Santiago; Iquique; Arica; Antofagasta; Calama
  airport: Santiago Arturo Merino Benítez International Airport
  seaport: San Antonio; Valparaíso; Iquique; Arica
  land_border: Colchane; Chacalluta; Ollagüe
  at_sea: Pacific Ocean off Arica
URY
  inland: Montevideo; Rivera; Salto
  airport: Montevideo Carrasco International Airport
  seaport: Montevideo; Nueva Palmira
  land_border: Rivera; Chuy
JAM
  inland: Kingston; Montego Bay; Spanish Town
  airport: Kingston Norman Manley International Airport; Montego Bay Sangster International
    Airport
  seaport: Kingston
  at_sea: Caribbean Sea off Portland
ESP
  inland: Madrid; Barcelona; Sevilla; Málaga; Algeciras; Cádiz; Huelva; Valencia; La Línea de la
    Concepción
  airport: Madrid-Barajas Adolfo Suárez Airport; Barcelona-El Prat Airport; Málaga-Costa del Sol
    Airport
  seaport: Algeciras; Valencia; Barcelona; Vigo; Marín; Las Palmas; Huelva
  land_border: La Línea (Gibraltar border); Ceuta (Tarajal); Melilla (Beni Enzar); La Jonquera
  at_sea: Strait of Gibraltar; Alboran Sea; Gulf of Cádiz; Atlantic Ocean off Galicia; Atlantic
    Ocean off the Canary Islands
NLD
  inland: Rotterdam; Amsterdam; Utrecht; The Hague; Eindhoven; Breda
  airport: Amsterdam Schiphol Airport; Eindhoven Airport; Rotterdam The Hague Airport
  seaport: Rotterdam; Vlissingen; Amsterdam; Moerdijk
  land_border: Venlo; Hazeldonk
  at_sea: North Sea
BEL
  inland: Antwerp; Brussels; Liège; Ghent
  airport: Brussels Airport; Liège Airport
  seaport: Antwerp; Zeebrugge; Ghent
  land_border: Meer (Hazeldonk); Lanaken
  at_sea: North Sea
PRT
  inland: Lisbon; Porto; Setúbal; Faro
  airport: Lisbon Humberto Delgado Airport; Porto Francisco Sá Carneiro Airport
  seaport: Sines; Lisbon; Leixões; Setúbal
  land_border: Vilar Formoso; Valença
  at_sea: Atlantic Ocean off the Azores; Atlantic Ocean off Madeira
FRA
  inland: Paris; Marseille; Lyon; Lille; Toulouse; Bordeaux; Perpignan
  airport: Paris Charles de Gaulle Airport; Paris Orly Airport; Marseille Provence Airport;
    Lyon-Saint Exupéry Airport
  seaport: Le Havre; Marseille-Fos; Dunkirk
  land_border: Le Perthus; Menton; Hendaye
  at_sea: Atlantic Ocean off Brittany; Mediterranean Sea off Corsica
  mail_centre: Roissy international mail centre
ITA
  inland: Rome; Milan; Naples; Turin; Palermo; Reggio Calabria; Bari
  airport: Rome Fiumicino Airport; Milan Malpensa Airport; Venice Marco Polo Airport
  seaport: Gioia Tauro; Genoa; Livorno; La Spezia; Salerno; Trieste; Bari
  land_border: Ventimiglia; Como-Brogeda; Brenner
  at_sea: Tyrrhenian Sea; Strait of Sicily; Ionian Sea
DEU
  inland: Berlin; Hamburg; Frankfurt am Main; Cologne; Munich; Düsseldorf
  airport: Frankfurt Airport; Munich Airport; Berlin Brandenburg Airport; Düsseldorf Airport;
    Leipzig/Halle Airport
  seaport: Hamburg; Bremerhaven
  land_border: Aachen; Kehl; Frankfurt (Oder); Kiefersfelden
  mail_centre: Frankfurt international mail centre; Leipzig international mail centre
GBR
  inland: London; Liverpool; Manchester; Birmingham; Glasgow; Bristol
  airport: London Heathrow Airport; London Gatwick Airport; Manchester Airport; London Stansted
    Airport; Birmingham Airport
  seaport: Felixstowe; Southampton; London Gateway; Dover; Tilbury; Hull; Holyhead
  at_sea: English Channel; North Sea; Atlantic Ocean off Cornwall
  mail_centre: Heathrow Worldwide Distribution Centre; Coventry international mail centre
IRL
  inland: Dublin; Cork; Limerick
  airport: Dublin Airport; Shannon Airport
  seaport: Dublin Port; Rosslare Europort; Cork (Ringaskiddy)
  at_sea: Atlantic Ocean off Cork
CHE
  inland: Zurich; Geneva; Basel; Lugano
  airport: Zurich Airport; Geneva Airport
  land_border: Chiasso; Basel (Weil am Rhein); Geneva (Bardonnex)
AUT
  inland: Vienna; Graz; Linz; Salzburg
  airport: Vienna International Airport
  land_border: Nickelsdorf; Spielfeld; Kufstein
BGR
  inland: Sofia; Plovdiv; Burgas; Varna
  airport: Sofia Airport
  seaport: Burgas; Varna
  land_border: Kapitan Andreevo; Kalotina; Vidin (Danube Bridge)
  at_sea: Black Sea off Burgas
SRB
  inland: Belgrade; Novi Sad; Niš
  airport: Belgrade Nikola Tesla Airport
  land_border: Gradina; Batrovci; Horgoš; Preševo
MKD
  inland: Skopje; Kumanovo; Bitola
  airport: Skopje International Airport
  land_border: Tabanovce; Bogorodica; Deve Bair
ALB
  inland: Tirana; Durrës; Vlorë; Shkodër
  airport: Tirana International Airport
  seaport: Durrës; Vlorë
  land_border: Kakavija; Morinë; Qafë Thanë
  at_sea: Adriatic Sea off Vlorë
GRC
  inland: Athens; Thessaloniki; Patras; Alexandroupoli
  airport: Athens International Airport
  seaport: Piraeus; Thessaloniki; Patras; Igoumenitsa
  land_border: Kipoi; Evzonoi; Kakavia
  at_sea: Aegean Sea; Ionian Sea
ROU
  inland: Bucharest; Constanța; Timișoara; Iași
  airport: Bucharest Henri Coandă International Airport
  seaport: Constanța
  land_border: Giurgiu; Nădlac; Albița
  at_sea: Black Sea off Constanța
HUN
  inland: Budapest; Szeged; Győr
  airport: Budapest Ferenc Liszt International Airport
  land_border: Röszke; Nagylak; Hegyeshalom
TUR
  inland: Istanbul; Ankara; Van; İzmir; Mersin; Hakkari; Edirne
  airport: Istanbul Airport; Istanbul Sabiha Gökçen Airport; Antalya Airport
  seaport: Mersin; Ambarlı (Istanbul); İskenderun
  land_border: Kapıkule; Gürbulak; Kapıköy (Van); Esendere; Cilvegözü
  at_sea: Aegean Sea; Eastern Mediterranean
RUS
  inland: Moscow; Saint Petersburg; Yekaterinburg; Novosibirsk; Orenburg; Samara
  airport: Moscow Sheremetyevo International Airport; Moscow Domodedovo Airport
  seaport: Saint Petersburg; Novorossiysk; Vladivostok
  land_border: Orenburg (Sagarchin); Troitsk; Petukhovo; Kulunda
BLR
  inland: Minsk; Brest; Gomel
  airport: Minsk National Airport
  land_border: Brest; Kamenny Log
POL
  inland: Warsaw; Kraków; Gdańsk; Wrocław
  airport: Warsaw Chopin Airport
  seaport: Gdańsk; Gdynia
  land_border: Terespol; Kukuryki; Medyka
LTU
  inland: Vilnius; Kaunas; Klaipėda
  airport: Vilnius Airport
  seaport: Klaipėda
  land_border: Medininkai; Kalvarija
NOR
  inland: Oslo; Bergen; Stavanger
  airport: Oslo Gardermoen Airport
  seaport: Oslo; Kristiansand; Larvik
  land_border: Svinesund; Ørje
SWE
  inland: Stockholm; Gothenburg; Malmö
  airport: Stockholm Arlanda Airport
  seaport: Gothenburg; Trelleborg; Ystad; Helsingborg
  land_border: Öresund Bridge (Lernacken); Haparanda
FIN
  inland: Helsinki; Turku; Tampere
  airport: Helsinki-Vantaa Airport
  seaport: Helsinki (Vuosaari); Turku; Naantali
  land_border: Vaalimaa; Tornio
DNK
  inland: Copenhagen; Aarhus; Odense; Padborg
  airport: Copenhagen Airport
  seaport: Aarhus; Frederikshavn; Rødby
  land_border: Padborg; Frøslev
GHA
  inland: Accra; Kumasi; Tema; Takoradi
  airport: Accra Kotoka International Airport
  seaport: Tema; Takoradi
  land_border: Aflao; Elubo; Paga
  at_sea: Gulf of Guinea off Tema
TGO
  inland: Lomé; Kara
  airport: Lomé-Tokoin International Airport
  seaport: Lomé
  land_border: Kodjoviakopé; Hilla-Condji
BEN
  inland: Cotonou; Porto-Novo; Parakou
  airport: Cotonou Cadjehoun Airport
  seaport: Cotonou
  land_border: Sèmè-Kraké; Malanville; Hilla-Condji
NGA
  inland: Lagos; Abuja; Kano; Onitsha; Port Harcourt; Ibadan
  airport: Lagos Murtala Muhammed International Airport; Abuja Nnamdi Azikiwe International
    Airport; Kano Mallam Aminu Kano International Airport
  seaport: Lagos Apapa; Tin Can Island; Onne; Port Harcourt
  land_border: Seme; Idiroko; Jibiya; Illela
  at_sea: Gulf of Guinea off Lagos
GNB
  inland: Bissau; Bafatá; Gabú
  airport: Bissau Osvaldo Vieira International Airport
  seaport: Bissau
  land_border: São Domingos; Pirada
  at_sea: Atlantic Ocean off the Bijagós Islands
SEN
  inland: Dakar; Thiès; Ziguinchor; Kaolack
  airport: Dakar Blaise Diagne International Airport
  seaport: Dakar
  land_border: Rosso; Kidira; Karang
  at_sea: Atlantic Ocean off Dakar
CPV
  inland: Praia; Mindelo; Espargos
  airport: Praia Nelson Mandela International Airport; Sal Amílcar Cabral International Airport
  seaport: Praia; Mindelo
  at_sea: Atlantic Ocean off Cabo Verde
MAR
  inland: Tangier; Casablanca; Rabat; Nador; Tétouan; Ketama; Chefchaouen
  airport: Casablanca Mohammed V International Airport; Marrakech Menara Airport
  seaport: Tanger Med; Casablanca; Nador; Agadir
  land_border: Bab Sebta; Beni Enzar; Guerguerat
  at_sea: Mediterranean Sea off Al Hoceima; Strait of Gibraltar
DZA
  inland: Algiers; Oran; Tlemcen; Béchar; Tamanrasset
  airport: Algiers Houari Boumediene Airport
  seaport: Algiers; Oran
  land_border: Maghnia; Tébessa; Béchar; Djanet
  at_sea: Mediterranean Sea off Oran
TUN
  inland: Tunis; Sfax; Sousse
  airport: Tunis-Carthage International Airport
  seaport: Radès; Sfax
  land_border: Ras Jedir; Dehiba
LBY
  inland: Tripoli; Benghazi; Misrata; Sabha
  airport: Tripoli Mitiga International Airport
  seaport: Tripoli; Misrata; Benghazi
  land_border: Ras Jedir; Emsaed
EGY
  inland: Cairo; Alexandria; Port Said; Suez
  airport: Cairo International Airport
  seaport: Alexandria; Port Said; Damietta; Sokhna
  land_border: Salloum; Rafah
  at_sea: Red Sea; Mediterranean Sea off Port Said
ZAF
  inland: Johannesburg; Cape Town; Durban; Pretoria; Gqeberha
  airport: Johannesburg O. R. Tambo International Airport; Cape Town International Airport; King
    Shaka International Airport
  seaport: Durban; Cape Town; Ngqura; Gqeberha
  land_border: Beitbridge; Lebombo; Maseru Bridge
  at_sea: Indian Ocean off KwaZulu-Natal
KEN
  inland: Nairobi; Mombasa; Malindi; Kisumu
  airport: Nairobi Jomo Kenyatta International Airport; Mombasa Moi International Airport
  seaport: Mombasa; Lamu
  land_border: Namanga; Malaba; Busia
  at_sea: Indian Ocean off Mombasa
TZA
  inland: Dar es Salaam; Zanzibar; Arusha; Mwanza; Tanga
  airport: Dar es Salaam Julius Nyerere International Airport; Kilimanjaro International Airport
  seaport: Dar es Salaam; Tanga; Zanzibar
  land_border: Namanga; Tunduma; Holili
  at_sea: Indian Ocean off Tanga
MOZ
  inland: Maputo; Nacala; Pemba; Beira
  airport: Maputo International Airport
  seaport: Maputo; Nacala; Beira; Pemba
  land_border: Ressano Garcia
  at_sea: Mozambique Channel
ETH
  inland: Addis Ababa; Dire Dawa; Moyale
  airport: Addis Ababa Bole International Airport
  land_border: Moyale; Galafi
NER
  inland: Niamey; Agadez; Maradi; Zinder
  airport: Niamey Diori Hamani International Airport
  land_border: Gaya; Birni N'Konni; Assamaka
CMR
  inland: Douala; Yaoundé; Garoua
  airport: Douala International Airport
  seaport: Douala; Kribi
  land_border: Ekok; Kousséri
AFG
  inland: Kabul; Kandahar; Herat; Jalalabad; Lashkar Gah; Mazar-i-Sharif; Kunduz
  airport: Kabul International Airport; Kandahar International Airport
  land_border: Torkham; Spin Boldak; Islam Qala; Hairatan; Sher Khan Bandar
IRN
  inland: Tehran; Mashhad; Zahedan; Kerman; Bandar Abbas; Tabriz; Zabol
  airport: Tehran Imam Khomeini International Airport; Mashhad International Airport
  seaport: Bandar Abbas; Chabahar; Bushehr
  land_border: Dogharoun; Mirjaveh; Milak; Bazargan; Taftan
  at_sea: Gulf of Oman; Persian Gulf
PAK
  inland: Karachi; Quetta; Peshawar; Lahore; Islamabad; Gwadar
  airport: Karachi Jinnah International Airport; Lahore Allama Iqbal International Airport;
    Islamabad International Airport; Peshawar Bacha Khan International Airport
  seaport: Karachi; Port Qasim; Gwadar
  land_border: Torkham; Chaman; Taftan; Wagah
  at_sea: Arabian Sea off Makran
TJK
  inland: Dushanbe; Khujand; Khorog; Kulob
  airport: Dushanbe International Airport
  land_border: Panji Poyon; Ishkoshim; Khorog; Fotehobod
UZB
  inland: Tashkent; Samarkand; Termez; Bukhara
  airport: Tashkent International Airport
  land_border: Termez (Friendship Bridge); Oybek; Yallama
TKM
  inland: Ashgabat; Turkmenabat; Mary; Turkmenbashi
  airport: Ashgabat International Airport
  seaport: Turkmenbashi
  land_border: Serhetabat; Imamnazar; Farap
KAZ
  inland: Almaty; Astana; Shymkent; Aktobe
  airport: Almaty International Airport; Astana International Airport
  seaport: Aktau
  land_border: Zhibek Zholy; Korday; Kazygurt; Zhaisan
KGZ
  inland: Bishkek; Osh; Batken
  airport: Bishkek Manas International Airport; Osh International Airport
  land_border: Kyzyl-Kiya; Dostuk; Ak-Jol
IND
  inland: Mumbai; Delhi; Chennai; Kolkata; Amritsar; Imphal; Hyderabad
  airport: Delhi Indira Gandhi International Airport; Mumbai Chhatrapati Shivaji Maharaj
    International Airport; Chennai International Airport; Kolkata Netaji Subhas Chandra Bose
    International Airport
  seaport: Mundra; Nhava Sheva (JNPT); Chennai; Tuticorin; Kolkata
  land_border: Attari; Moreh; Petrapole; Zokhawthar
  at_sea: Arabian Sea off Gujarat; Bay of Bengal
LKA
  inland: Colombo; Negombo; Galle; Jaffna
  airport: Colombo Bandaranaike International Airport
  seaport: Colombo; Hambantota
  at_sea: Indian Ocean off Galle
BGD
  inland: Dhaka; Chattogram; Cox's Bazar; Teknaf; Sylhet
  airport: Dhaka Hazrat Shahjalal International Airport; Chattogram Shah Amanat International
    Airport
  seaport: Chattogram; Mongla
  land_border: Benapole; Teknaf; Ghumdhum
  at_sea: Bay of Bengal off Teknaf
MMR
  inland: Yangon; Mandalay; Tachileik; Lashio; Muse; Myawaddy; Kengtung
  airport: Yangon International Airport; Mandalay International Airport
  seaport: Yangon
  land_border: Tachileik; Myawaddy; Muse; Maungdaw
  at_sea: Andaman Sea
THA
  inland: Bangkok; Chiang Rai; Chiang Mai; Mae Sai; Chiang Saen; Udon Thani; Nakhon Phanom;
    Songkhla
  airport: Bangkok Suvarnabhumi Airport; Bangkok Don Mueang International Airport; Chiang Mai
    International Airport; Phuket International Airport
  seaport: Laem Chabang; Bangkok Port; Songkhla; Ranong
  land_border: Mae Sai; Mae Sot; Chiang Saen; Nong Khai; Sadao
  at_sea: Andaman Sea off Ranong; Gulf of Thailand
LAO
  inland: Vientiane; Luang Namtha; Bokeo; Savannakhet; Pakse
  airport: Vientiane Wattay International Airport
  land_border: Houayxay; Boten; Friendship Bridge (Vientiane); Savannakhet Friendship Bridge;
    Ton Pheung
KHM
  inland: Phnom Penh; Siem Reap; Sihanoukville; Poipet
  airport: Phnom Penh International Airport; Siem Reap Angkor International Airport
  seaport: Sihanoukville; Phnom Penh (river port)
  land_border: Poipet; Bavet; Koh Kong
  at_sea: Gulf of Thailand off Koh Kong
VNM
  inland: Hanoi; Ho Chi Minh City; Hai Phong; Son La; Nghe An; Da Nang
  airport: Hanoi Noi Bai International Airport; Ho Chi Minh City Tan Son Nhat International
    Airport
  seaport: Hai Phong; Cat Lai (Ho Chi Minh City); Da Nang
  land_border: Na Meo; Lao Bao; Moc Bai; Mong Cai; Cau Treo
  at_sea: Gulf of Tonkin
MYS
  inland: Kuala Lumpur; Johor Bahru; Penang; Kota Kinabalu; Alor Setar
  airport: Kuala Lumpur International Airport; Penang International Airport
  seaport: Port Klang; Penang; Tanjung Pelepas
  land_border: Bukit Kayu Hitam; Rantau Panjang; Padang Besar
  at_sea: Strait of Malacca; South China Sea off Sabah
IDN
  inland: Jakarta; Medan; Surabaya; Denpasar; Pekanbaru; Batam
  airport: Jakarta Soekarno-Hatta International Airport; Bali Ngurah Rai International Airport;
    Kualanamu International Airport
  seaport: Tanjung Priok (Jakarta); Belawan (Medan); Batam; Dumai
  land_border: Entikong
  at_sea: Strait of Malacca off Aceh; Java Sea
PHL
  inland: Manila; Quezon City; Cebu; Davao; Subic
  airport: Manila Ninoy Aquino International Airport; Clark International Airport; Mactan-Cebu
    International Airport
  seaport: Manila; Subic Bay; Cebu; Davao
  at_sea: South China Sea off Zambales; Sulu Sea
CHN
  inland: Guangzhou; Shenzhen; Kunming; Shanghai; Beijing; Ruili; Jinghong
  airport: Guangzhou Baiyun International Airport; Shanghai Pudong International Airport;
    Beijing Capital International Airport; Kunming Changshui International Airport
  seaport: Shanghai; Shenzhen Yantian; Guangzhou Nansha; Ningbo-Zhoushan
  land_border: Ruili; Mohan; Hekou; Lancang
  at_sea: South China Sea
  mail_centre: Guangzhou international mail centre
HKG
  inland: Kowloon; Hong Kong Island; New Territories; Tsuen Wan
  airport: Hong Kong International Airport
  seaport: Kwai Tsing Container Terminals
  land_border: Lok Ma Chau; Shenzhen Bay
  at_sea: Hong Kong waters
  mail_centre: Air Mail Centre
TWN
  inland: Taipei; Kaohsiung; Taichung; Tainan
  airport: Taoyuan International Airport; Kaohsiung International Airport
  seaport: Kaohsiung; Keelung; Taichung
  at_sea: Taiwan Strait
JPN
  inland: Tokyo; Osaka; Naha; Fukuoka; Yokohama; Nagoya
  airport: Tokyo Narita International Airport; Tokyo Haneda Airport; Osaka Kansai International
    Airport; Nagoya Chubu Centrair International Airport
  seaport: Yokohama; Tokyo; Kobe; Osaka; Nagoya
  at_sea: East China Sea off Okinawa
KOR
  inland: Seoul; Busan; Incheon; Gimhae; Daegu
  airport: Incheon International Airport; Gimhae International Airport; Jeju International
    Airport
  seaport: Busan; Incheon; Pyeongtaek
  at_sea: Korea Strait
SYR
  inland: Damascus; Latakia; Homs; Aleppo; Daraa; Tartus
  airport: Damascus International Airport
  seaport: Latakia; Tartus
  land_border: Nasib; Jdaidet Yabous; Al-Bukamal
LBN
  inland: Beirut; Tripoli; Baalbek; Zahle
  airport: Beirut Rafic Hariri International Airport
  seaport: Beirut; Tripoli
  land_border: Masnaa; Arida
  at_sea: Mediterranean Sea off Beirut
JOR
  inland: Amman; Irbid; Zarqa; Mafraq; Aqaba
  airport: Amman Queen Alia International Airport
  seaport: Aqaba
  land_border: Jaber; Ramtha; Al-Omari; Karameh
IRQ
  inland: Baghdad; Basra; Erbil; Al-Qa'im; Mosul
  airport: Baghdad International Airport; Erbil International Airport
  seaport: Umm Qasr
  land_border: Trebil; Al-Qa'im; Safwan; Ibrahim Khalil
SAU
  inland: Riyadh; Jeddah; Dammam; Al-Haditha; Jazan; Tabuk
  airport: Riyadh King Khalid International Airport; Jeddah King Abdulaziz International
    Airport; Dammam King Fahd International Airport
  seaport: Jeddah Islamic Port; Dammam King Abdulaziz Port
  land_border: Al-Haditha; King Fahd Causeway; Al-Batha; Al-Wadiah
  at_sea: Red Sea off Jazan
ARE
  inland: Dubai; Abu Dhabi; Sharjah; Ajman
  airport: Dubai International Airport; Abu Dhabi International Airport; Sharjah International
    Airport
  seaport: Jebel Ali; Khalifa Port; Khalid Port (Sharjah)
  land_border: Ghuwaifat; Hatta
  at_sea: Arabian Gulf off Ras Al Khaimah
KWT
  inland: Kuwait City; Jahra; Ahmadi
  airport: Kuwait International Airport
  seaport: Shuwaikh; Shuaiba
  land_border: Abdali; Nuwaiseeb; Salmi
QAT
  inland: Doha; Al Wakrah
  airport: Doha Hamad International Airport
  seaport: Hamad Port
  land_border: Abu Samra
AUS
  inland: Sydney; Melbourne; Perth; Brisbane; Adelaide; Darwin
  airport: Sydney Kingsford Smith Airport; Melbourne Tullamarine Airport; Perth Airport;
    Brisbane Airport
  seaport: Port Botany (Sydney); Port of Melbourne; Fremantle; Port of Brisbane; Geraldton
  at_sea: Coral Sea; Indian Ocean off Western Australia
  mail_centre: Sydney Gateway Facility; Melbourne Gateway Facility
NZL
  inland: Auckland; Wellington; Christchurch; Hamilton
  airport: Auckland International Airport; Christchurch International Airport
  seaport: Port of Auckland; Port of Tauranga; Lyttelton
  at_sea: Pacific Ocean off Northland
  mail_centre: Auckland International Mail Centre
"""

_PLACE_FIELDS = ("inland", "airport", "seaport", "land_border", "at_sea", "mail_centre")


@cache
def _places() -> tuple[dict[str, tuple[int, int]], tuple[str, ...]]:
    """(key "AREA|place_type" -> (offset, count) into the flat name list, flat names)."""
    parsed: dict[str, dict[str, str]] = {}
    code = field = ""
    for line in _PLACES_TEXT.strip("\n").splitlines():
        if not line.startswith(" "):
            code = line.strip()
            parsed[code] = {}
        elif not line.startswith("    "):
            field, _, names = line.strip().partition(": ")
            parsed[code][field] = names
        else:
            parsed[code][field] += " " + line.strip()
    index: dict[str, tuple[int, int]] = {}
    flat: list[str] = []
    for code, fields in parsed.items():
        by_type = {
            t: [x.strip() for x in fields.get(t, "").split(";") if x.strip()] for t in _PLACE_FIELDS
        }
        city = by_type["inland"][0]
        by_type["airport"] = by_type["airport"] or [f"{city} International Airport"]
        by_type["mail_centre"] = by_type["mail_centre"] or [f"{city} international mail centre"]
        for place_type, found in by_type.items():
            if found:
                index[f"{code}|{place_type}"] = (len(flat), len(found))
                flat.extend(found)
    return index, tuple(flat)


@cache
def _countries_by_place_type() -> dict[str, frozenset[str]]:
    """Countries with a seaport, a sea area or a land border crossing."""
    index, _ = _places()
    out: dict[str, set[str]] = {"seaport": set(), "at_sea": set(), "land_border": set()}
    for key in index:
        code, place_type = key.split("|")
        if place_type in out:
            out[place_type].add(code)
    return {place_type: frozenset(codes) for place_type, codes in out.items()}


# ---------------------------------------------------------------------------
# Other per-row vocabularies.
# ---------------------------------------------------------------------------

# Purity ranges (percent) for analysed samples; a triangular draw inside the range.
_PURITY: dict[str, tuple[float, float]] = {
    "cocaine-hcl": (25, 95),
    "crack": (30, 90),
    "coca-paste": (20, 70),
    "heroin": (15, 80),
    "methamphetamine": (60, 99),
    "mdma": (20, 60),
    "amphetamine": (5, 40),
    "ketamine": (50, 95),
    "fentanyl": (2, 30),
    "cannabis-herb": (3, 25),
    "cannabis-resin": (10, 35),
    "cannabis-oil": (20, 85),
    "opium": (5, 16),
    "captagon": (1, 20),
    "tramadol": (50, 100),
    "codeine": (1, 5),
}
_YABA_PURITY = (8.0, 30.0)  # methamphetamine content of tablets

# Countries whose armed forces (army, navy, border troops) commonly seize drugs on
# land; elsewhere a "military" seizure on land is attributed to the police.
_MILITARY_ON_LAND = frozenset(
    {
        "AFG",
        "BGD",
        "BOL",
        "BRA",
        "COL",
        "DOM",
        "DZA",
        "ECU",
        "EGY",
        "GNB",
        "GTM",
        "HND",
        "IDN",
        "IND",
        "IRN",
        "IRQ",
        "JOR",
        "KAZ",
        "KGZ",
        "KHM",
        "LAO",
        "LBN",
        "LBY",
        "MEX",
        "MMR",
        "NER",
        "NGA",
        "PAK",
        "PER",
        "PHL",
        "PRY",
        "SAU",
        "SEN",
        "SYR",
        "THA",
        "TJK",
        "TKM",
        "UZB",
        "VEN",
        "VNM",
    }
)

_NOTES = (
    "controlled delivery",
    "joint operation",
    "intelligence-led operation",
    "random inspection",
    "sniffer dog alert",
    "X-ray scan",
    "risk profiling",
    "laboratory analysis pending",
    "seized together with firearms",
    "seized together with cash",
    "follow-up investigation ongoing",
    "quantity estimated",
    "part of a larger consignment",
)


# ---------------------------------------------------------------------------
# Random numbers: a counter-based hash as Polars expressions.
# ---------------------------------------------------------------------------

_M64 = 0xFFFFFFFFFFFFFFFF
_GAMMA = 0x9E3779B97F4A7C15


def _splitmix64(x: int) -> int:
    """SplitMix64 finaliser, in Python (for stream keys)."""
    x = (x + _GAMMA) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def _splitmix64_expr(z: pl.Expr) -> pl.Expr:
    """SplitMix64 finaliser on UInt64 (Polars integer arithmetic wraps around)."""
    z = z.xor(z // _u64(1 << 30)) * _u64(0xBF58476D1CE4E5B9)
    z = z.xor(z // _u64(1 << 27)) * _u64(0x94D049BB133111EB)
    return z.xor(z // _u64(1 << 31))


class _Rng:
    """A pool of independent uniform streams for one seed and one salt (route).

    Stream k of row i is a SplitMix64 hash of (i, key); each 64-bit hash gives two
    uniforms (high and low 32 bits). `frame(n)` materialises the pool as columns
    `_u0`, `_u1`, ...; `u()` hands out the next column. The hashes are computed in
    separate steps so that no expression repeats a deep sub-tree.
    """

    def __init__(self, seed: int, salt: int, size: int) -> None:
        base = _splitmix64(_splitmix64(seed & _M64) ^ _splitmix64(salt + 0x632BE59BD9B4E019))
        self._keys = [_splitmix64(base ^ _splitmix64(k)) for k in range((size + 1) // 2)]
        self._size = size
        self._next = 0

    def frame(self, n: int) -> pl.DataFrame:
        hashes = [f"_h{j}" for j in range(len(self._keys))]
        i = pl.int_range(n, dtype=pl.UInt64)
        df = pl.select(
            [
                (i * _u64(_GAMMA) + _u64(key)).alias(name)
                for name, key in zip(hashes, self._keys, strict=True)
            ]
        )
        df = df.with_columns([_splitmix64_expr(pl.col(name)) for name in hashes])
        scale = 1.0 / float(1 << 32)
        columns = []
        for j in range(self._size):
            h = pl.col(hashes[j // 2])
            bits = h // _u64(1 << 32) if j % 2 == 0 else h.and_(_u64(0xFFFFFFFF))
            columns.append(((bits.cast(pl.Float64) + 0.5) * scale).alias(f"_u{j}"))
        return df.select(columns)

    def u(self) -> pl.Expr:
        """The next uniform (0, 1) column of the pool."""
        if self._next >= self._size:
            raise RuntimeError("random pool exhausted; raise its size")
        self._next += 1
        return pl.col(f"_u{self._next - 1}")

    def normal(self) -> pl.Expr:
        """Standard normal deviates (Box-Muller)."""
        u1, u2 = self.u(), self.u()
        return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()


def _cumulative(weights: Sequence[float]) -> pl.Series:
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights must have a positive sum")
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return pl.Series(out, dtype=pl.Float64)


def _choice(u: pl.Expr, weights: Sequence[float]) -> pl.Expr:
    """Index (UInt32) drawn with the given weights from a uniform expression."""
    cum = _cumulative(weights)
    return pl.lit(cum).search_sorted(u, side="right").clip(0, len(cum) - 1).cast(pl.UInt32)


def _pick(values: Sequence[object], index: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return pl.lit(pl.Series(list(values), dtype=dtype)).gather(index)


def _uniform_index(u: pl.Expr, count: pl.Expr | int) -> pl.Expr:
    return (u * count).floor().cast(pl.Int64)


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
def _route_table(route: _Route) -> _RouteTable:
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


def _route_rows(index: int, route: _Route, years: pl.Series, seed: int) -> pl.DataFrame:
    """Rows for one route template; `years` gives the seizure year of each row."""
    rng = _Rng(seed, index + 1, 32)
    table = _route_table(route)
    modes = [_MODES[key] for key, *_ in route.modes]
    c = pl.col

    df = pl.concat([pl.DataFrame({"year": years}), rng.frame(len(years))], how="horizontal")
    df = df.with_columns(
        _combo=_choice(rng.u(), table.weights),
        _u_cat=rng.u(),
        _u_transit=rng.u(),
        _u_date=rng.u(),
    )
    df = df.with_columns(
        origin_area=_pick(table.origin, c("_combo"), pl.String()),
        departure_area=_pick(table.departure, c("_combo"), pl.String()),
        _source=_pick(table.source, c("_combo"), pl.String()),
        _transits=_pick(table.transits, c("_combo"), pl.List(pl.String())),
        destination_area=_pick(table.destination, c("_combo"), pl.String()),
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
        .then(c("_transits").list.get(_uniform_index(c("_u_transit"), n_transit), null_on_oob=True))
        .otherwise(c("destination_area")),
    )

    # Seizure profile, by where along the route the seizure happened. A profile
    # needs a place of its type in the reporting country (no seaport in Bolivia, no
    # land border in Australia): up to three draws, then a seizure inland.
    place_types = [m.place_type for m in modes]
    feasible_in = _countries_by_place_type()
    candidates = []
    for _ in range(3):
        per_cat = []
        for cat in range(3):
            weights = [(m[1], m[2], m[3])[cat] for m in route.modes]
            if sum(weights) <= 0:
                weights = [m[1] + m[2] + m[3] for m in route.modes]
            per_cat.append(_choice(rng.u(), weights))
        candidates.append(
            pl.when(c("_cat") == 0)
            .then(per_cat[0])
            .when(c("_cat") == 1)
            .then(per_cat[1])
            .otherwise(per_cat[2])
        )
    df = df.with_columns([mode.alias(f"_m{k}") for k, mode in enumerate(candidates)]).with_columns(
        [
            pl.when(_pick(place_types, c(f"_m{k}"), pl.String()).is_in(list(feasible_in)))
            .then(
                pl.concat_str(
                    _pick(place_types, c(f"_m{k}"), pl.String()), pl.lit("|"), c("reporting_area")
                ).is_in([f"{t}|{code}" for t, codes in feasible_in.items() for code in codes])
            )
            .otherwise(True)
            .alias(f"_ok{k}")
            for k in range(len(candidates))
        ]
    )
    fallback = len(modes)
    modes = [*modes, _MODES["inland_vehicle"]]
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
        drug=_pick([m.drug or route.drug for m in modes], mode, pl.String()),
        unit=_pick([m.unit for m in modes], mode, pl.String()),
        place_type=_pick([m.place_type for m in modes], mode, pl.String()),
        transport_mode=_pick([m.transport for m in modes], mode, pl.String()),
        concealment=pl.lit(pl.Series(conceal_flat, dtype=pl.String())).gather(
            _pick(conceal_off, mode, pl.Int64())
            + _uniform_index(rng.u(), _pick(conceal_n, mode, pl.Int64()))
        ),
        seizing_agency=pl.lit(pl.Series(agency_flat, dtype=pl.String())).gather(
            _pick(agency_off, mode, pl.Int64())
            + _uniform_index(rng.u(), _pick(agency_n, mode, pl.Int64()))
        ),
        quantity=(
            _pick([math.log(m.median) for m in modes], mode, pl.Float64())
            + _pick([m.sigma for m in modes], mode, pl.Float64()) * z
        )
        .exp()
        .clip(
            _pick([m.qmin for m in modes], mode, pl.Float64()),
            _pick([m.qmax for m in modes], mode, pl.Float64()),
        ),
        _arrested=pl.when(rng.u() < _pick([m.p_no_arrest for m in modes], mode, pl.Float64()))
        .then(0)
        .otherwise(
            1
            + (-rng.u().log() * _pick([m.extra_arrests for m in modes], mode, pl.Float64()))
            .floor()
            .cast(pl.Int64)
        )
        .clip(0, 60)
        .cast(pl.Int32),
        _female=_pick([m.female for m in modes], mode, pl.Float64()),
        _third=_pick(nationals, _uniform_index(rng.u(), len(nationals)), pl.String()),
    )

    # Domestic retail: the drug was produced elsewhere.
    if route.true_origins is not None:
        codes = [code for code, _ in route.true_origins]
        weights = [w for _, w in route.true_origins]
        df = df.with_columns(origin_area=_pick(codes, _choice(rng.u(), weights), pl.String()))

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
        _n1=_choice(rng.u(), shares),
        _n2=pl.when((arrested >= 2) & (rng.u() < 0.35)).then(_choice(rng.u(), shares)),
        _n3=pl.when((arrested >= 3) & (rng.u() < 0.2)).then(_choice(rng.u(), shares)),
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
    cells = [route.weight * _trend(route.trend, year) for route in _ROUTES for year in years]
    rng = _Rng(seed, 0, 1)
    drawn = (
        rng.frame(n)
        .with_columns(_cell=_choice(rng.u(), cells))
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
        parts.append(_route_rows(route_index, _ROUTES[route_index], part["year"], seed))
    df = pl.concat(parts, how="vertical")
    finish_rng = _Rng(seed, 1_000_003, 16)
    df = pl.concat([df, finish_rng.frame(df.height)], how="horizontal")
    return _finish(df, finish_rng)


def _finish(df: pl.DataFrame, rng: _Rng) -> pl.DataFrame:
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
    index, flat = _places()
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
                c("_p_off").clip(0, None) + _uniform_index(c("_u_place"), c("_p_n"))
            )
        )
        .otherwise(pl.lit("")),
    )

    df = df.with_columns(
        seizing_agency=pl.when(
            (c("seizing_agency") == "military")
            & (c("place_type") != "at_sea")
            & ~c("reporting_area").is_in(sorted(_MILITARY_ON_LAND))
        )
        .then(pl.lit("police"))
        .otherwise(c("seizing_agency")),
    )

    # Purity: analysed in about one seizure in five.
    drugs = list(_PURITY)
    low = c("drug").replace_strict(
        drugs, [_PURITY[d][0] for d in drugs], default=None, return_dtype=pl.Float64
    )
    high = c("drug").replace_strict(
        drugs, [_PURITY[d][1] for d in drugs], default=None, return_dtype=pl.Float64
    )
    yaba = (c("drug") == "methamphetamine") & (unit == "tablet")
    low = pl.when(yaba).then(_YABA_PURITY[0]).otherwise(low)
    high = pl.when(yaba).then(_YABA_PURITY[1]).otherwise(high)
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
        .then(_pick(_NOTES, _uniform_index(rng.u(), len(_NOTES)), pl.String()))
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
