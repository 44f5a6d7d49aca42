"""The validation-rule engine on tiny hand-made frames (every operator and kind,
missing-value strategies, statuses, confidentiality, for_each, parse errors,
several areas and periods), then on a questionnaire-size frame with known
injected inconsistencies. Pure Polars: no database."""

from __future__ import annotations

import itertools
import random
from typing import Any

import polars as pl
import pytest
import yaml

from observatory.statistics.questionnaires.rules import (
    RESULT_SCHEMA,
    Rule,
    RuleDefinitionError,
    evaluate,
    parse_rules,
)

DIMS = ["CATEGORY", "SEX"]


def observations(*rows: tuple[Any, ...], area: str = "AAA", period: str = "2024") -> pl.DataFrame:
    """Rows of (CATEGORY, SEX, value, status) for one area and period."""
    return pl.DataFrame(
        [(area, period, *row) for row in rows],
        schema={
            "area": pl.String,
            "period": pl.String,
            "CATEGORY": pl.String,
            "SEX": pl.String,
            "value": pl.Float64,
            "status": pl.String,
        },
        orient="row",
    )


def check(frame: pl.DataFrame, *definitions: dict[str, Any], **options: Any) -> pl.DataFrame:
    rules = parse_rules(list(definitions), dimensions=options.pop("dimensions", DIMS))
    return evaluate(frame, rules, dimensions=options.pop("dims", DIMS), **options)


def messages(result: pl.DataFrame) -> list[str]:
    return result["message"].to_list()


SEX_TOTAL = {"id": "R5", "kind": "sex_total", "parts": ["M", "F", "_U"], "for_each": ["CATEGORY"]}


def sexes(m: Any, f: Any, u: Any, t: Any, category: str = "0101") -> list[tuple[Any, ...]]:
    """Four cells of one category; a value is a number or (number, status)."""
    cells = []
    for sex, cell in zip(["M", "F", "_U", "_T"], [m, f, u, t], strict=True):
        value, status = cell if isinstance(cell, tuple) else (cell, "A")
        cells.append((category, sex, value, status))
    return cells


# --------------------------------------------------------------------------
# Sums and comparisons


def test_sex_total_explains_the_difference_in_plain_words() -> None:
    # Given male 12, female 30, unknown 0 and a total of 45
    frame = observations(*sexes(12, 30, 0, 45))
    # When the sex-total rule runs
    result = check(frame, SEX_TOTAL)
    # Then one error explains the sum and the difference, with its cells
    assert result.schema == pl.Schema(RESULT_SCHEMA)
    assert result.row(0, named=True) == {
        "rule": "R5",
        "importance": "error",
        "area": "AAA",
        "period": "2024",
        "scope": "CATEGORY=0101",
        "cells": [
            "CATEGORY=0101, SEX=M",
            "CATEGORY=0101, SEX=F",
            "CATEGORY=0101, SEX=_U",
            "CATEGORY=0101, SEX=_T",
        ],
        "left": 42.0,
        "right": 45.0,
        "message": "Male (12) + female (30) + unknown (0) = 42, but the total is 45 (difference 3)",
    }


def test_consistent_cells_give_no_rows() -> None:
    frame = observations(*sexes(12, 30, 3, 45))
    result = check(frame, SEX_TOTAL)
    assert result.is_empty()
    assert result.schema == pl.Schema(RESULT_SCHEMA)


@pytest.mark.parametrize(
    ("op", "a", "b", "violated", "words"),
    [
        ("=", 5, 7, True, "CATEGORY=A (5) is not equal to CATEGORY=B (7) (difference 2)"),
        ("=", 7, 7, False, ""),
        ("!=", 7, 7, True, "CATEGORY=A (7) is not different from CATEGORY=B (7)"),
        ("!=", 5, 7, False, ""),
        ("<", 7, 7, True, "CATEGORY=A (7) is not less than CATEGORY=B (7) (difference 0)"),
        ("<", 5, 7, False, ""),
        ("<=", 8, 7, True, "CATEGORY=A (8) is not at most CATEGORY=B (7) (difference 1)"),
        ("<=", 7, 7, False, ""),
        (">", 7, 7, True, "CATEGORY=A (7) is not more than CATEGORY=B (7) (difference 0)"),
        (">", 8, 7, False, ""),
        (">=", 5, 7, True, "CATEGORY=A (5) is not at least CATEGORY=B (7) (difference 2)"),
        (">=", 7, 7, False, ""),
    ],
)
def test_each_operator(op: str, a: float, b: float, violated: bool, words: str) -> None:
    frame = observations(("A", "_T", a, "A"), ("B", "_T", b, "A"))
    rule = {
        "id": "C1",
        "kind": "compare",
        "left": [{"CATEGORY": "A"}],
        "op": op,
        "right": [{"CATEGORY": "B"}],
    }
    result = check(frame, rule)
    assert messages(result) == ([words] if violated else [])


def test_signs_and_factors_weight_the_sum() -> None:
    # Given A = 100, B = 30, C = 35: A - B = 2 × C holds, A - B = C does not
    frame = observations(("A", "_T", 100, "A"), ("B", "_T", 30, "A"), ("C", "_T", 35, "A"))
    left = [{"CATEGORY": "A"}, {"CATEGORY": "B", "sign": -1}]
    holds = {
        "id": "W1",
        "kind": "compare",
        "left": left,
        "op": "=",
        "right": [{"CATEGORY": "C", "factor": 2}],
    }
    fails = {"id": "W2", "kind": "compare", "left": left, "op": "=", "right": [{"CATEGORY": "C"}]}
    result = check(frame, holds, fails)
    assert result["rule"].to_list() == ["W2"]
    assert messages(result) == [
        "CATEGORY=A (100) - CATEGORY=B (30) = 70 is not equal to CATEGORY=C (35) (difference 35)"
    ]


def test_labels_replace_codes_in_messages() -> None:
    frame = observations(("0101", "_T", 50, "A"), ("01", "_T", 40, "A"))
    rule = {
        "id": "P1",
        "kind": "parts_le_total",
        "parts": [{"CATEGORY": "0101", "label": "homicide"}],
        "total": {"CATEGORY": "01", "label": "acts leading to death"},
    }
    assert messages(check(frame, rule)) == [
        "Homicide (50) is more than the total acts leading to death (40) by 10"
    ]


def test_parts_le_total_flags_parts_above_their_total_only() -> None:
    frame = observations(
        ("03011", "_T", 12, "A"),
        ("03012", "_T", 30, "A"),
        ("0301", "_T", 40, "A"),
        ("03021", "_T", 5, "A"),
        ("0302", "_T", 9, "A"),
    )
    over = {
        "id": "R4",
        "kind": "parts_le_total",
        "parts": [{"CATEGORY": "03011"}, {"CATEGORY": "03012"}],
        "total": {"CATEGORY": "0301"},
    }
    under = {
        "id": "R4b",
        "kind": "parts_le_total",
        "parts": [{"CATEGORY": "03021"}],
        "total": {"CATEGORY": "0302"},
    }
    result = check(frame, over, under)
    assert messages(result) == [
        "CATEGORY=03011 (12) + CATEGORY=03012 (30) add up to 42, "
        "more than the total CATEGORY=0301 (40) by 2"
    ]
    assert result.select("left", "right").row(0) == (42.0, 40.0)


def test_absolute_tolerance_and_percentage_tolerance() -> None:
    # Given parts adding up to 103 for a total of 100
    frame = observations(*sexes(50, 50, 3, 100))
    base = {"kind": "sex_total", "parts": ["M", "F", "_U"], "for_each": ["CATEGORY"]}
    rules = [
        {**base, "id": "exact"},
        {**base, "id": "abs2", "tolerance": 2},
        {**base, "id": "abs3", "tolerance": 3},
        {**base, "id": "pct2", "tolerance_pct": 2},
        {**base, "id": "pct3", "tolerance_pct": 3},
        {**base, "id": "either", "tolerance": 1, "tolerance_pct": 3},
    ]
    # Then a gap of 3 passes a tolerance of 3 (absolute, or 3 % of the total), not of 2
    assert check(frame, *rules)["rule"].to_list() == ["exact", "abs2", "pct2"]


def test_strict_operator_fails_once_the_gap_reaches_the_tolerance() -> None:
    frame = observations(("A", "_T", 10, "A"), ("B", "_T", 8, "A"))
    rule = {"kind": "compare", "left": [{"CATEGORY": "A"}], "op": "<", "right": [{"CATEGORY": "B"}]}
    result = check(
        frame, {**rule, "id": "t2", "tolerance": 2}, {**rule, "id": "t3", "tolerance": 3}
    )
    assert result["rule"].to_list() == ["t2"]


def test_floating_point_sums_are_not_violations() -> None:
    frame = observations(*sexes(0.1, 0.2, 0, 0.3))
    assert check(frame, SEX_TOTAL).is_empty()


# --------------------------------------------------------------------------
# Missing values, not applicable, not available, zero


def test_skip_if_any_skips_when_one_cell_is_missing() -> None:
    frame = observations(*sexes(12, 30, (None, "L"), 45))
    assert check(frame, SEX_TOTAL).is_empty()


def test_skip_if_all_checks_with_missing_cells_counted_as_zero() -> None:
    # Given unknown not available and female absent from the frame
    frame = observations(("0101", "M", 12, "A"), ("0101", "_U", None, "L"), ("0101", "_T", 45, "A"))
    result = check(frame, {**SEX_TOTAL, "missing": "skip_if_all"})
    assert messages(result) == [
        "Male (12) + female (missing) + unknown (not available) = 12, "
        "but the total is 45 (difference 33)"
    ]


def test_skip_if_all_skips_when_every_cell_is_missing() -> None:
    frame = observations(*sexes((None, "L"), (None, "L"), (None, "L"), (None, "L")))
    assert check(frame, {**SEX_TOTAL, "missing": "skip_if_all"}).is_empty()


def test_never_checks_even_when_every_cell_on_one_side_is_missing() -> None:
    frame = observations(*sexes((None, "L"), None, (None, "L"), 45))
    result = check(frame, {**SEX_TOTAL, "missing": "never"})
    assert messages(result) == [
        "Male (not available) + female (missing) + unknown (not available) = 0, "
        "but the total is 45 (difference 45)"
    ]


def test_not_applicable_part_counts_as_zero_and_is_not_missing() -> None:
    # Given unknown sex cannot exist (M) and male + female = total
    consistent = observations(*sexes(15, 30, (None, "M"), 45))
    inconsistent = observations(*sexes(12, 30, (None, "M"), 45), area="BBB")
    result = check(pl.concat([consistent, inconsistent]), SEX_TOTAL)
    # Then the rule runs (skip_if_any does not skip) and "not applicable" is zero
    assert result["area"].to_list() == ["BBB"]
    assert messages(result) == [
        "Male (12) + female (30) + unknown (not applicable) = 42, "
        "but the total is 45 (difference 3)"
    ]


def test_not_available_part_is_missing_so_the_rule_is_skipped() -> None:
    frame = observations(*sexes(12, 30, (None, "L"), 45))
    assert check(frame, SEX_TOTAL).is_empty()


def test_reported_zero_is_a_number() -> None:
    frame = observations(*sexes(12, 30, 0, 45))
    assert messages(check(frame, SEX_TOTAL)) == [
        "Male (12) + female (30) + unknown (0) = 42, but the total is 45 (difference 3)"
    ]


def test_a_value_with_status_not_available_is_still_missing() -> None:
    # A number flagged L or M is not a reported number
    frame = observations(*sexes(12, 30, (3, "L"), 45))
    assert check(frame, SEX_TOTAL).is_empty()


@pytest.mark.parametrize("status", ["E", "P", "B", "C"])
def test_estimated_provisional_break_and_confidential_numbers_are_reported(status: str) -> None:
    frame = observations(*sexes((12, status), 30, 0, 45))
    result = check(frame, SEX_TOTAL)
    assert result["rule"].to_list() == ["R5"]


def test_total_not_applicable_with_parts_reported_is_flagged() -> None:
    frame = observations(*sexes(12, 30, 0, (None, "M")))
    assert messages(check(frame, SEX_TOTAL)) == [
        "Male (12) + female (30) + unknown (0) = 42, "
        "but the total is not applicable (difference 42)"
    ]


COMPULSORY = {
    "id": "R2",
    "kind": "compulsory_pair",
    "left": [{"CATEGORY": "0101"}],
    "right": [{"CATEGORY": "0101", "SEX": "M"}],
}


@pytest.mark.parametrize(
    ("male", "words"),
    [
        ((0, "A"), None),
        ((None, "M"), None),
        ((4, "E"), None),
        ((None, "L"), "it is not available"),
        ((None, "A"), "it is missing"),
    ],
)
def test_compulsory_pair_is_met_by_a_number_or_not_applicable(
    male: tuple[float | None, str], words: str | None
) -> None:
    frame = observations(("0101", "_T", 45, "A"), ("0101", "M", *male))
    expected = [
        f"CATEGORY=0101 (45) is reported, so CATEGORY=0101, SEX=M must be reported too, but {words}"
    ]
    assert messages(check(frame, COMPULSORY)) == (expected if words else [])


def test_compulsory_pair_with_absent_cell() -> None:
    result = check(observations(("0101", "_T", 45, "A")), COMPULSORY)
    assert messages(result) == [
        "CATEGORY=0101 (45) is reported, so CATEGORY=0101, SEX=M must be reported too, "
        "but it is missing"
    ]
    assert result.select("left", "right").row(0) == (45.0, None)
    assert result["cells"].to_list() == [["CATEGORY=0101", "CATEGORY=0101, SEX=M"]]


def test_compulsory_pair_asks_nothing_when_left_is_not_reported() -> None:
    frame = observations(("0101", "_T", None, "L"), ("0102", "_T", None, "M"))
    rules = [COMPULSORY, {**COMPULSORY, "id": "R2b", "left": [{"CATEGORY": "0102"}]}]
    assert check(frame, *rules).is_empty()


def test_compulsory_pair_names_each_lacking_cell() -> None:
    frame = observations(("0101", "_T", 45, "A"), ("0101", "F", None, "L"))
    rule = {
        **COMPULSORY,
        "right": [{"SEX": "M"}, {"SEX": "F"}],
        "for_each": ["CATEGORY"],
        "left": [{}],
    }
    assert messages(check(frame, rule)) == [
        "The cell (45) is reported, so SEX=M and SEX=F must be reported too, "
        "but SEX=M is missing and SEX=F is not available"
    ]


def test_exclusive_pair() -> None:
    both = observations(("A", "_T", 3, "A"), ("B", "_T", 0, "A"))
    one = observations(("A", "_T", 3, "A"), ("B", "_T", None, "M"), area="BBB")
    rule = {
        "id": "R3",
        "kind": "exclusive_pair",
        "left": [{"CATEGORY": "A"}],
        "right": [{"CATEGORY": "B"}],
    }
    result = check(pl.concat([both, one]), rule)
    assert result["area"].to_list() == ["AAA"]
    assert messages(result) == [
        "CATEGORY=A (3) and CATEGORY=B (0) are both reported, but only one of them may be"
    ]


def test_pair_written_as_a_compare_operator() -> None:
    rules = parse_rules([{**COMPULSORY, "kind": "compare", "op": "compulsory pair"}])
    assert rules[0].kind == "compulsory_pair"


# --------------------------------------------------------------------------
# Confidential values


def test_confidential_part_is_never_printed_nor_its_sum() -> None:
    # Given male 777 confidential: printing the sum would reveal it
    frame = observations(*sexes((777, "C"), 30, 0, 800))
    result = check(frame, SEX_TOTAL)
    assert messages(result) == [
        "Male (confidential value) + female (30) + unknown (0) do not add up to the total (800)"
    ]
    assert result.select("left", "right").row(0) == (None, 800.0)


def test_confidential_values_are_checked_like_numbers() -> None:
    frame = observations(*sexes((770, "C"), 30, 0, 800))
    assert check(frame, SEX_TOTAL).is_empty()


def test_confidential_total_is_never_printed() -> None:
    frame = observations(*sexes(12, 30, 0, (777, "C")))
    result = check(frame, SEX_TOTAL)
    assert messages(result) == [
        "Male (12) + female (30) + unknown (0) do not add up to the total (confidential value)"
    ]
    assert result.select("left", "right").row(0) == (42.0, None)


def test_confidential_values_never_appear_in_any_kind_of_message() -> None:
    # Given a confidential 777 in every kind of check, each of them violated
    history = pl.concat(
        [
            observations(("0101", "_T", 100 + year % 3, "A"), period=str(year))
            for year in range(2015, 2024)
        ]
    )
    frame = observations(
        ("0101", "_T", 777, "C"),
        ("0101", "M", 30, "A"),
        ("PCT", "_T", 777, "C"),
        ("RATE", "_T", 777, "C"),
        ("COUNT", "_T", 7, "A"),
    )
    population = pl.DataFrame({"area": ["AAA"], "period": ["2024"], "population": [1_000_000.0]})
    rules = [
        {
            "id": "cmp",
            "kind": "compare",
            "left": [{"CATEGORY": "0101"}],
            "op": "<",
            "right": [{"CATEGORY": "0101", "SEX": "M"}],
        },
        {
            "id": "pair",
            "kind": "exclusive_pair",
            "left": [{"CATEGORY": "0101"}],
            "right": [{"CATEGORY": "0101", "SEX": "M"}],
        },
        {"id": "yoy", "kind": "yoy_change", "cell": {"CATEGORY": "0101"}, "threshold_pct": 50},
        {"id": "out", "kind": "outlier", "cell": {"CATEGORY": "0101"}},
        {"id": "bnd", "kind": "bounds", "cell": {"CATEGORY": "0101"}, "max": 500},
        {"id": "shr", "kind": "share_le_100", "share": {"CATEGORY": "PCT"}},
        {
            "id": "rate",
            "kind": "rate_consistent",
            "rate": {"CATEGORY": "RATE"},
            "count": {"CATEGORY": "COUNT"},
        },
    ]
    result = check(frame, *rules, history=history, population=population)
    assert result["rule"].to_list() == ["cmp", "pair", "yoy", "out", "bnd", "shr", "rate"]
    assert not any("777" in text or "747" in text for text in messages(result))
    assert all("confidential value" in text for text in messages(result))
    assert result.filter(pl.col("rule") != "rate")["left"].to_list() == [None] * 6


def test_confidential_value_in_a_pair_is_not_printed() -> None:
    frame = observations(("0101", "_T", 777, "C"))
    result = check(frame, COMPULSORY)
    assert messages(result) == [
        "CATEGORY=0101 (confidential value) is reported, so CATEGORY=0101, SEX=M must be "
        "reported too, but it is missing"
    ]
    assert result.select("left", "right").row(0) == (None, None)


def test_confidential_count_hides_the_expected_rate() -> None:
    frame = observations(("RATE", "_T", 5, "A"), ("COUNT", "_T", 777, "C"))
    population = pl.DataFrame({"area": ["AAA"], "period": ["2024"], "population": [1_000_000.0]})
    rule = {
        "id": "R6",
        "kind": "rate_consistent",
        "rate": {"CATEGORY": "RATE"},
        "count": {"CATEGORY": "COUNT"},
    }
    result = check(frame, rule, population=population)
    assert messages(result) == [
        "The rate (5) does not match the count (confidential value) and population (1000000)"
    ]
    assert result.select("left", "right").row(0) == (5.0, None)


# --------------------------------------------------------------------------
# Rates, shares, bounds


RATE_DIMS = ["CATEGORY", "SEX", "UNIT_MEASURE"]
RATE = {
    "id": "R6",
    "kind": "rate_consistent",
    "count": {"UNIT_MEASURE": "COUNT"},
    "rate": {"UNIT_MEASURE": "RATE_100K"},
    "tolerance_pct": 1,
    "for_each": ["CATEGORY", "SEX"],
}


def rate_frame(count: float, rate: float, area: str = "AAA", status: str = "A") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "area": [area, area],
            "period": ["2024", "2024"],
            "CATEGORY": ["0101", "0101"],
            "SEX": ["_T", "_T"],
            "UNIT_MEASURE": ["COUNT", "RATE_100K"],
            "value": [float(count), float(rate)],
            "status": [status, "A"],
        }
    )


def test_rate_consistent_with_count_and_population() -> None:
    # Given 45 victims in 2,000,000 people: 2.25 per 100,000
    frame = pl.concat(
        [rate_frame(45, 2.25), rate_frame(45, 2.26, "BBB"), rate_frame(45, 4.5, "CCC")]
    )
    population = pl.DataFrame(
        {"area": ["AAA", "BBB", "CCC"], "period": ["2024"] * 3, "population": [2e6] * 3}
    )
    result = check(frame, RATE, population=population, dimensions=RATE_DIMS, dims=RATE_DIMS)
    # Then 2.26 is within 1 %, 4.5 is not
    assert result["area"].to_list() == ["CCC"]
    assert messages(result) == [
        "The rate (4.5) does not match the count (45) and population (2000000), "
        "which give 2.25 per 100000 (difference 2.25)"
    ]
    assert result.select("left", "right").row(0) == (4.5, 2.25)
    assert result["scope"].to_list() == ["CATEGORY=0101, SEX=_T"]


def test_rate_default_tolerance_allows_rounding_to_one_decimal() -> None:
    # Given 7 in 3,000,000 people: 0.2333 per 100,000
    frame = pl.concat([rate_frame(7, 0.2), rate_frame(7, 0.3, "BBB")])
    population = pl.DataFrame(
        {"area": ["AAA", "BBB"], "period": ["2024"] * 2, "population": [3e6] * 2}
    )
    rule = {key: value for key, value in RATE.items() if key != "tolerance_pct"}
    result = check(frame, rule, population=population, dimensions=RATE_DIMS, dims=RATE_DIMS)
    # Then 0.2 is the rounded rate, 0.3 is not
    assert result["area"].to_list() == ["BBB"]


def test_rate_is_skipped_without_count_or_population() -> None:
    frame = pl.concat([rate_frame(45, 99, status="L"), rate_frame(45, 99, "BBB")])
    population = pl.DataFrame({"area": ["AAA"], "period": ["2024"], "population": [2e6]})
    result = check(frame, RATE, population=population, dimensions=RATE_DIMS, dims=RATE_DIMS)
    assert result.is_empty()


def test_rate_rules_need_a_population_frame() -> None:
    with pytest.raises(ValueError, match="R6 checks rates and needs the population frame"):
        check(rate_frame(45, 2.25), RATE, dimensions=RATE_DIMS, dims=RATE_DIMS)


def test_share_between_0_and_100() -> None:
    frame = observations(
        ("A", "_T", 104.5, "A"), ("B", "_T", 100, "A"), ("C", "_T", -3, "A"), ("D", "_T", None, "M")
    )
    rule = {"id": "R7", "kind": "share_le_100", "share": {}, "for_each": ["CATEGORY"]}
    result = check(frame, rule)
    assert messages(result) == [
        "The share is 104.5 %, more than 100 %",
        "The share is -3 %, less than 0 %",
    ]
    assert result["cells"].to_list() == [["CATEGORY=A"], ["CATEGORY=C"]]


def test_bounds() -> None:
    frame = observations(
        ("A", "_T", -5, "A"),
        ("B", "_T", 0, "A"),
        ("C", "_T", 1_000_001, "A"),
        ("D", "_T", None, "L"),
    )
    rule = {
        "id": "R10",
        "kind": "bounds",
        "cell": {},
        "min": 0,
        "max": 1_000_000,
        "for_each": ["CATEGORY"],
    }
    result = check(frame, rule)
    assert messages(result) == [
        "The value -5 is below the minimum 0",
        "The value 1000001 is above the maximum 1000000",
    ]
    assert result.select("left", "right").rows() == [(-5.0, 0.0), (1_000_001.0, 1_000_000.0)]


# --------------------------------------------------------------------------
# Rankings


ROUTE_DIMS = ["DRUG", "ROLE", "PARTNER"]
ROUTE_DEFAULTS = {"ROLE": "_Z", "PARTNER": "_Z"}  # as in the ARQ: no partner by default
RANKING = {
    "id": "RK",
    "kind": "ranking",
    "cell": {},
    "for_each": ["DRUG", "ROLE"],
    "across": "PARTNER",
}


def ranks(*rows: tuple[Any, ...], area: str = "AAA", period: str = "2024") -> pl.DataFrame:
    """Rows of (DRUG, ROLE, PARTNER, value) or (DRUG, ROLE, PARTNER, value, status)."""
    return pl.DataFrame(
        [(area, period, *row, *(() if len(row) == 5 else ("A",))) for row in rows],
        schema={
            "area": pl.String,
            "period": pl.String,
            **dict.fromkeys(ROUTE_DIMS, pl.String),
            "value": pl.Float64,
            "status": pl.String,
        },
        orient="row",
    )


def ranked(frame: pl.DataFrame, *definitions: dict[str, Any]) -> pl.DataFrame:
    return check(
        frame, *definitions, dimensions=ROUTE_DIMS, dims=ROUTE_DIMS, defaults=ROUTE_DEFAULTS
    )


def test_ranking_names_both_codes_given_the_same_rank() -> None:
    # Given heroin's origins AFG and MMR both ranked 1, and consistent transit ranks
    frame = ranks(
        ("HEROIN", "ORIGIN", "AFG", 1),
        ("HEROIN", "ORIGIN", "MMR", 1),
        ("HEROIN", "ORIGIN", "LAO", 2),
        ("HEROIN", "TRANSIT", "IRN", 1),
        ("HEROIN", "TRANSIT", "TUR", 2),
    )
    # When the ranking rule runs
    result = ranked(frame, RANKING)
    # Then one error names both partners and the rank, with their two cells
    assert result.schema == pl.Schema(RESULT_SCHEMA)
    assert result.rows(named=True) == [
        {
            "rule": "RK",
            "importance": "error",
            "area": "AAA",
            "period": "2024",
            "scope": "DRUG=HEROIN, ROLE=ORIGIN",
            "cells": [
                "DRUG=HEROIN, ROLE=ORIGIN, PARTNER=AFG",
                "DRUG=HEROIN, ROLE=ORIGIN, PARTNER=MMR",
            ],
            "left": 1.0,
            "right": 1.0,
            "message": "PARTNER=AFG and PARTNER=MMR both have rank 1; "
            "a rank can be given only once",
        }
    ]


def test_ranking_names_every_code_sharing_a_rank_once() -> None:
    frame = ranks(
        ("COCAINE", "TRANSIT", "ECU", 1),
        ("COCAINE", "TRANSIT", "PAN", 2),
        ("COCAINE", "TRANSIT", "BRA", 2),
        ("COCAINE", "TRANSIT", "DOM", 2),
        ("COCAINE", "TRANSIT", "VEN", 3),
        ("COCAINE", "TRANSIT", "GUY", 3),
    )
    result = ranked(frame, RANKING)
    assert messages(result) == [
        "PARTNER=BRA, PARTNER=DOM and PARTNER=PAN all have rank 2; a rank can be given only once",
        "PARTNER=GUY and PARTNER=VEN both have rank 3; a rank can be given only once",
    ]
    assert result["cells"].to_list()[0] == [
        "DRUG=COCAINE, ROLE=TRANSIT, PARTNER=BRA",
        "DRUG=COCAINE, ROLE=TRANSIT, PARTNER=DOM",
        "DRUG=COCAINE, ROLE=TRANSIT, PARTNER=PAN",
    ]


def test_ranking_refuses_ranks_that_are_not_whole_numbers_of_at_least_1() -> None:
    frame = ranks(
        ("HEROIN", "ORIGIN", "AFG", 1),
        ("HEROIN", "ORIGIN", "MMR", 2.5),
        ("HEROIN", "ORIGIN", "LAO", 0),
        ("HEROIN", "ORIGIN", "PAK", -2),
        ("HEROIN", "ORIGIN", "IRN", 2.0000000000001),  # a whole number, read from text
    )
    result = ranked(frame, RANKING)
    assert messages(result) == [
        "The rank of PARTNER=LAO is 0, which is not a whole number of at least 1",
        "The rank of PARTNER=MMR is 2.5, which is not a whole number of at least 1",
        "The rank of PARTNER=PAK is -2, which is not a whole number of at least 1",
    ]
    assert result.select("importance", "cells", "left", "right").row(1) == (
        "error",
        ["DRUG=HEROIN, ROLE=ORIGIN, PARTNER=MMR"],
        2.5,
        None,
    )


@pytest.mark.parametrize(
    ("given", "words", "highest", "count"),
    [
        ([1, 3], "Ranks 1 and 3 are given, but not rank 2", 3, 2),
        ([2, 3], "Ranks 2 and 3 are given, but not rank 1", 3, 2),
        ([4], "Rank 4 is given, but not ranks 1 to 3", 4, 1),
        ([1, 4, 5, 7], "Ranks 1, 4, 5 and 7 are given, but not ranks 2, 3 and 6", 7, 4),
        ([1, 2, 9], "Ranks 1, 2 and 9 are given, but not ranks 3 to 8", 9, 3),
        # However high the rank, the skipped numbers are runs, never listed one by one.
        ([1, 1e9], "Ranks 1 and 1000000000 are given, but not ranks 2 to 999999999", 1e9, 2),
        ([1, 2, 3], "", 0, 0),
    ],
)
def test_ranking_warns_of_a_skipped_rank(
    given: list[float], words: str, highest: float, count: int
) -> None:
    partners = ["AFG", "IRN", "MMR", "PAK"]
    frame = ranks(*[("HEROIN", "ORIGIN", p, r) for p, r in zip(partners, given, strict=False)])
    result = ranked(frame, RANKING)
    if not words:
        assert result.is_empty()
        return
    assert result.select("importance", "scope", "left", "right", "message").rows() == [
        ("warning", "DRUG=HEROIN, ROLE=ORIGIN", highest, count, words)
    ]
    # Every ranked cell of the group is involved.
    assert result["cells"].to_list() == [
        [f"DRUG=HEROIN, ROLE=ORIGIN, PARTNER={p}" for p in partners[: len(given)]]
    ]


def test_ranking_gaps_can_be_errors_or_allowed() -> None:
    frame = ranks(("HEROIN", "ORIGIN", "AFG", 1), ("HEROIN", "ORIGIN", "MMR", 3))
    strict = ranked(frame, {**RANKING, "gaps": "error"})
    assert strict.select("importance", "message").rows() == [
        ("error", "Ranks 1 and 3 are given, but not rank 2")
    ]
    assert ranked(frame, {**RANKING, "gaps": "allowed"}).is_empty()
    # The rule's importance is for bad ranks and ranks given twice; gaps keep theirs.
    twice = ranks(("HEROIN", "ORIGIN", "AFG", 2), ("HEROIN", "ORIGIN", "MMR", 2))
    result = ranked(twice, {**RANKING, "importance": "warning", "gaps": "error"})
    assert result.select("importance", "message").rows() == [
        ("warning", "PARTNER=AFG and PARTNER=MMR both have rank 2; a rank can be given only once"),
        ("error", "Rank 2 is given, but not rank 1"),
    ]


def test_ranking_reports_a_group_in_order_bad_ranks_twice_then_gaps() -> None:
    frame = ranks(
        ("HEROIN", "ORIGIN", "MMR", 1),
        ("HEROIN", "ORIGIN", "AFG", 1),
        ("HEROIN", "ORIGIN", "PAK", 0.5),
        ("HEROIN", "ORIGIN", "LAO", 4),
    )
    assert messages(ranked(frame, RANKING)) == [
        "The rank of PARTNER=PAK is 0.5, which is not a whole number of at least 1",
        "PARTNER=AFG and PARTNER=MMR both have rank 1; a rank can be given only once",
        "Ranks 1 and 4 are given, but not ranks 2 and 3",
    ]


def test_ranking_counts_reported_numbers_only() -> None:
    # Not available, not applicable, estimated and confidential statuses; a null value
    frame = ranks(
        ("HEROIN", "ORIGIN", "AFG", 1, "E"),
        ("HEROIN", "ORIGIN", "MMR", 1, "L"),
        ("HEROIN", "ORIGIN", "LAO", 1, "M"),
        ("HEROIN", "ORIGIN", "IRN", None, "A"),
        ("HEROIN", "ORIGIN", "PAK", 2, "P"),
        ("HEROIN", "TRANSIT", "IRN", None, "L"),  # a group with no rank: nothing to say
    )
    assert ranked(frame, RANKING).is_empty()


def test_ranking_runs_per_group_area_and_period() -> None:
    # Given the same ranks in different drugs, roles, areas and periods: no duplicates
    frame = pl.concat(
        [
            ranks(
                ("HEROIN", "ORIGIN", "AFG", 1),
                ("HEROIN", "TRANSIT", "AFG", 1),
                ("COCAINE", "ORIGIN", "COL", 1),
                ("COCAINE", "ORIGIN", "AFG", 2),
                area=area,
                period=period,
            )
            for area, period in (("AAA", "2023"), ("AAA", "2024"), ("BBB", "2024"))
        ]
    )
    assert ranked(frame, RANKING).is_empty()
    # Cells outside the rule's cell are no ranks of it.
    other = {**RANKING, "cell": {"DRUG": "HEROIN"}, "for_each": ["ROLE"]}
    doubled = pl.concat(
        [frame, ranks(("COCAINE", "TRANSIT", "AFG", 1), ("COCAINE", "TRANSIT", "BRA", 1))]
    )
    assert ranked(doubled, other).is_empty()
    assert ranked(doubled, RANKING).select("area", "scope").rows() == [
        ("AAA", "DRUG=COCAINE, ROLE=TRANSIT")
    ]


def test_ranking_across_a_dimension_with_a_default_takes_every_code() -> None:
    # PARTNER defaults to _Z (no partner), yet a ranking ranks every partner found;
    # without for_each ROLE the rule ranks the role's default _Z only.
    frame = ranks(
        ("HEROIN", "ORIGIN", "AFG", 1), ("HEROIN", "ORIGIN", "MMR", 1), ("HEROIN", "_Z", "_Z", 1)
    )
    assert ranked(frame, {**RANKING, "for_each": ["DRUG"]}).is_empty()
    assert ranked(frame, {**RANKING, "cell": {"ROLE": "ORIGIN"}, "for_each": []})[
        "scope"
    ].to_list() == ["DRUG=HEROIN"]


def test_ranking_never_prints_a_confidential_rank() -> None:
    frame = pl.concat(
        [
            ranks(("HEROIN", "ORIGIN", "AFG", 7, "C"), ("HEROIN", "ORIGIN", "MMR", 7)),
            ranks(("HEROIN", "TRANSIT", "IRN", 1.5, "C")),
            ranks(("COCAINE", "ORIGIN", "COL", 1), ("COCAINE", "ORIGIN", "PER", 3, "C")),
        ]
    )
    result = ranked(frame, RANKING)
    assert messages(result) == [
        "The ranks given (confidential values) skip a number between 1 and the highest",
        "PARTNER=AFG and PARTNER=MMR have the same rank (confidential value); "
        "a rank can be given only once",
        "The ranks given (confidential values) skip a number between 1 and the highest",
        "The rank of PARTNER=IRN (confidential value) is not a whole number of at least 1",
    ]
    assert not any(n in text for text in messages(result) for n in ("7", "1.5", "3"))
    assert result.select("left", "right").rows() == [(None, None)] * 4


def test_ranking_finds_injected_problems_among_many_groups() -> None:
    # Given 4 drugs × 3 roles × 9 partners ranked 1..9 in 200 areas, and three slips
    drugs, roles = ["HEROIN", "COCAINE", "RESIN", "METH"], ["ORIGIN", "TRANSIT", "DESTINATION"]
    partners = [f"P{n}" for n in range(9)]
    rows = [
        (f"A{a:03}", "2024", d, r, p, float(n + 1), "A")
        for a in range(200)
        for d in drugs
        for r in roles
        for n, p in enumerate(partners)
    ]
    frame = pl.DataFrame(
        rows, schema=["area", "period", *ROUTE_DIMS, "value", "status"], orient="row"
    ).with_columns(
        value=pl.when(
            (pl.col("area") == "A007")
            & (pl.col("PARTNER") == "P1")
            & (pl.col("DRUG") == "RESIN")
            & (pl.col("ROLE") == "TRANSIT")
        )
        .then(1.0)
        .when(
            (pl.col("area") == "A150")
            & (pl.col("PARTNER") == "P8")
            & (pl.col("DRUG") == "METH")
            & (pl.col("ROLE") == "ORIGIN")
        )
        .then(8.5)
        .otherwise(pl.col("value"))
    )
    result = ranked(frame, RANKING)
    assert result.select("area", "importance", "scope", "message").rows() == [
        (
            "A007",
            "error",
            "DRUG=RESIN, ROLE=TRANSIT",
            "PARTNER=P0 and PARTNER=P1 both have rank 1; a rank can be given only once",
        ),
        (
            "A007",
            "warning",
            "DRUG=RESIN, ROLE=TRANSIT",
            "Ranks 1, 3, 4, 5, 6, 7, 8 and 9 are given, but not rank 2",
        ),
        (
            "A150",
            "error",
            "DRUG=METH, ROLE=ORIGIN",
            "The rank of PARTNER=P8 is 8.5, which is not a whole number of at least 1",
        ),
    ]


# --------------------------------------------------------------------------
# Year-on-year change and outliers


def series(values: dict[str, tuple[float | None, str]], category: str = "0101") -> pl.DataFrame:
    return pl.concat(
        [observations((category, "_T", v, s), period=p) for p, (v, s) in values.items()]
    )


YOY = {
    "id": "R8",
    "kind": "yoy_change",
    "cell": {},
    "threshold_pct": 50,
    "min_value": 10,
    "for_each": ["CATEGORY"],
}


def test_yoy_change_beyond_the_threshold_is_a_warning() -> None:
    history = pl.concat(
        [
            series({"2023": (100, "A")}, "RISE"),
            series({"2023": (100, "A")}, "FALL"),
            series({"2023": (100, "A")}, "CALM"),
            series({"2023": (4, "A")}, "SMALL"),
            series({"2023": (0, "A")}, "ZERO"),
        ]
    )
    frame = pl.concat(
        [
            series({"2024": (180, "A")}, "RISE"),
            series({"2024": (40, "A")}, "FALL"),
            series({"2024": (150, "A")}, "CALM"),
            series({"2024": (9, "A")}, "SMALL"),
            series({"2024": (25, "A")}, "ZERO"),
        ]
    )
    result = check(frame, YOY, history=history)
    assert result.select("importance", "scope", "message").rows() == [
        (
            "warning",
            "CATEGORY=FALL",
            "The value fell from 100 in 2023 to 40 in 2024 (-60 %), a change of more than 50 %",
        ),
        (
            "warning",
            "CATEGORY=RISE",
            "The value rose from 100 in 2023 to 180 in 2024 (+80 %), a change of more than 50 %",
        ),
        (
            "warning",
            "CATEGORY=ZERO",
            "The value rose from 0 in 2023 to 25 in 2024, a change of more than 50 %",
        ),
    ]
    assert result.select("left", "right").rows() == [(40.0, 100.0), (180.0, 100.0), (25.0, 0.0)]


def test_yoy_compares_with_the_latest_earlier_reported_number() -> None:
    history = series({"2021": (100, "A"), "2022": (100, "A"), "2023": (None, "L")})
    frame = series({"2024": (300, "A")})
    assert messages(check(frame, YOY, history=history)) == [
        "The value rose from 100 in 2022 to 300 in 2024 (+200 %), a change of more than 50 %"
    ]


def test_yoy_ignores_a_break_in_series() -> None:
    history = series({"2023": (100, "A")})
    frame = series({"2024": (300, "B")})
    assert check(frame, YOY, history=history).is_empty()


def test_yoy_within_the_observations_without_history() -> None:
    frame = pl.concat([series({"2022": (100, "A"), "2023": (200, "A"), "2024": (210, "A")})])
    result = check(frame, YOY)
    assert result["period"].to_list() == ["2023"]


def test_observations_win_over_history_for_the_same_cell() -> None:
    history = series({"2023": (10, "A"), "2024": (10, "A")})
    frame = series({"2024": (100, "A")})
    assert messages(check(frame, YOY, history=history)) == [
        "The value rose from 10 in 2023 to 100 in 2024 (+900 %), a change of more than 50 %"
    ]


OUTLIER = {
    "id": "R9",
    "kind": "outlier",
    "cell": {},
    "threshold": 3.5,
    "min_points": 5,
    "for_each": ["CATEGORY"],
}
STEADY = {str(2015 + i): (v, "A") for i, v in enumerate([100, 104, 98, 101, 99, 103, 97, 102, 100])}


def test_outlier_by_modified_z_score() -> None:
    # Given a steady series around 100 and 150 in 2024
    history = pl.concat([series(STEADY, "JUMP"), series(STEADY, "CALM")])
    frame = pl.concat([series({"2024": (150, "A")}, "JUMP"), series({"2024": (103, "A")}, "CALM")])
    result = check(frame, OUTLIER, history=history)
    # Then with 150 the median is 100.5 and MAD 2: 0.6745 × 49.5 / 2 = 16.7 > 3.5
    assert messages(result) == [
        "The value 150 in 2024 is far from the median 100.5 of its series "
        "(10 values from 2015 to 2024; modified z-score 16.7, above 3.5)"
    ]
    assert result.select("importance", "scope", "left", "right").row(0) == (
        "warning",
        "CATEGORY=JUMP",
        150.0,
        100.5,
    )


def test_outlier_needs_min_points() -> None:
    history = series({"2021": (100, "A"), "2022": (101, "A"), "2023": (99, "A")})
    frame = series({"2024": (500, "A")})
    assert check(frame, OUTLIER, history=history).is_empty()


def test_outlier_series_starts_again_at_a_break() -> None:
    # Given a level of 100 until 2019, a break, then a level of 200
    values = {str(2015 + i): (100 + i % 2, "A") for i in range(5)}
    values |= {"2020": (200, "B")} | {str(2021 + i): (200 + i % 2, "A") for i in range(3)}
    frame = series({"2024": (201, "A")})
    assert check(frame, OUTLIER, history=series(values)).is_empty()


def test_outlier_when_most_values_are_equal() -> None:
    # Given MAD 0 (six equal values), the mean absolute deviation decides
    history = series({str(2018 + i): (50, "A") for i in range(6)})
    frame = series({"2024": (80, "A")})
    assert messages(check(frame, OUTLIER, history=history)) == [
        "The value 80 in 2024 is far from the median 50 of its series "
        "(7 values from 2018 to 2024; modified z-score 5.6, above 3.5)"
    ]


def test_outlier_ignores_not_available_and_not_applicable() -> None:
    history = series({str(2015 + i): (None, "L") for i in range(9)})
    frame = series({"2024": (100, "A")})
    assert check(frame, OUTLIER, history=history).is_empty()


# --------------------------------------------------------------------------
# Cells, for_each, defaults


def test_for_each_runs_the_rule_per_code_and_names_the_scope() -> None:
    frame = observations(
        *sexes(1, 2, 0, 3, "0101"), *sexes(1, 2, 0, 4, "0102"), *sexes(5, 5, 1, 10, "0103")
    )
    result = check(frame, SEX_TOTAL)
    assert result.select("scope", "left", "right").rows() == [
        ("CATEGORY=0102", 3.0, 4.0),
        ("CATEGORY=0103", 11.0, 10.0),
    ]


def test_without_for_each_unnamed_dimensions_take_the_total() -> None:
    # Given category totals and a category breakdown: only _T cells are checked
    frame = observations(*sexes(1, 2, 0, 4, "_T"), *sexes(1, 2, 0, 9, "0101"))
    rule = {"id": "R1", "kind": "sex_total", "parts": ["M", "F", "_U"]}
    result = check(frame, rule)
    assert result.select("scope", "cells").row(0) == ("", ["SEX=M", "SEX=F", "SEX=_U", "SEX=_T"])


def test_defaults_are_configurable() -> None:
    frame = observations(*sexes(1, 2, 0, 4, "ALL"), *sexes(1, 2, 0, 3, "_T"))
    rule = {"id": "R1", "kind": "sex_total", "parts": ["M", "F", "_U"]}
    result = check(frame, rule, defaults={"CATEGORY": "ALL", "SEX": "_T"})
    assert result["right"].to_list() == [4.0]


def test_dimension_without_default_runs_per_code_like_for_each() -> None:
    # Given counts and rates, with defaults for SEX only: UNIT_MEASURE is never summed across
    frame = pl.DataFrame(
        {
            "area": ["AAA"] * 4,
            "period": ["2024"] * 4,
            "SEX": ["M", "_T", "M", "_T"],
            "UNIT_MEASURE": ["COUNT", "COUNT", "RATE", "RATE"],
            "value": [5.0, 4.0, 1.0, 2.0],
            "status": ["A"] * 4,
        }
    )
    rule = {"id": "P", "kind": "parts_le_total", "parts": [{"SEX": "M"}], "total": {"SEX": "_T"}}
    dims = ["SEX", "UNIT_MEASURE"]
    result = check(frame, rule, dimensions=dims, dims=dims, defaults={"SEX": "_T"})
    assert result.select("scope", "cells").rows() == [
        ("UNIT_MEASURE=COUNT", ["SEX=M, UNIT_MEASURE=COUNT", "SEX=_T, UNIT_MEASURE=COUNT"])
    ]


def test_empty_codes_stay_out_of_keys_and_scopes() -> None:
    # Given cells without a sex breakdown, written with an empty SEX code
    frame = observations(("A", "", 5, "A"), ("T", "", 4, "A"))
    rule = {
        "id": "P",
        "kind": "parts_le_total",
        "parts": [{"CATEGORY": "A"}],
        "total": {"CATEGORY": "T"},
        "for_each": ["SEX"],
    }
    result = check(frame, rule)
    assert result.select("scope", "cells").row(0) == ("", ["CATEGORY=A", "CATEGORY=T"])


def test_cell_may_name_its_own_code_of_a_for_each_dimension() -> None:
    # Given each category's count must stay within the grand total
    frame = observations(("_T", "_T", 50, "A"), ("01", "_T", 30, "A"), ("02", "_T", 60, "A"))
    rule = {
        "id": "G",
        "kind": "compare",
        "left": [{}],
        "op": "<=",
        "right": [{"CATEGORY": "_T"}],
        "for_each": ["CATEGORY"],
    }
    result = check(frame, rule)
    assert result.select("scope", "cells", "message").rows() == [
        (
            "CATEGORY=02",
            ["CATEGORY=02", "CATEGORY=_T"],
            "The cell (60) is not at most CATEGORY=_T (50) (difference 10)",
        )
    ]


def test_every_cell_must_say_which_code_of_a_dimension_without_default() -> None:
    frame = observations(("A", "_T", 1, "A"))
    rule = {
        "id": "X",
        "kind": "compare",
        "left": [{"CATEGORY": "A"}],
        "op": "=",
        "right": [{"SEX": "M"}],
    }
    with pytest.raises(RuleDefinitionError, match="rule X: SEX=M does not say which CATEGORY"):
        check(frame, rule, defaults={"SEX": "_T"})


def test_unknown_for_each_dimension_is_found_at_evaluation() -> None:
    rules = parse_rules([{**SEX_TOTAL, "for_each": ["OFFENCE"]}])
    with pytest.raises(RuleDefinitionError, match="rule R5: for_each names OFFENCE"):
        evaluate(observations(*sexes(1, 2, 0, 3)), rules, dimensions=DIMS)


def test_defaults_for_unknown_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match="defaults name dimensions the data do not have: AGE"):
        check(observations(*sexes(1, 2, 0, 3)), SEX_TOTAL, defaults={"AGE": "_T"})


def test_several_areas_and_periods_at_once() -> None:
    frame = pl.concat(
        [
            observations(*sexes(1, 2, 0, 3), area="AAA", period="2023"),
            observations(*sexes(1, 2, 0, 5), area="AAA", period="2024"),
            observations(*sexes(1, 2, 0, 4), area="BBB", period="2023"),
            observations(*sexes(1, 2, 0, 3), area="BBB", period="2024"),
        ]
    )
    result = check(frame, SEX_TOTAL)
    assert result.select("area", "period", "right").rows() == [
        ("AAA", "2024", 5.0),
        ("BBB", "2023", 4.0),
    ]


def test_results_follow_rule_order() -> None:
    frame = observations(*sexes(1, 2, 0, 4))
    result = check(
        frame, {**SEX_TOTAL, "id": "Z"}, {**SEX_TOTAL, "id": "A", "importance": "warning"}
    )
    assert result.select("rule", "importance").rows() == [("Z", "error"), ("A", "warning")]


def test_no_rules_no_rows() -> None:
    result = evaluate(observations(*sexes(1, 2, 0, 4)), [], dimensions=DIMS)
    assert result.is_empty()
    assert result.schema == pl.Schema(RESULT_SCHEMA)


def test_duplicate_cells_are_refused() -> None:
    frame = observations(("A", "_T", 1, "A"), ("A", "_T", 2, "A"))
    with pytest.raises(
        ValueError,
        match="observations hold the cell area=AAA, period=2024, CATEGORY=A, SEX=_T more than once",
    ):
        check(frame, SEX_TOTAL)


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="observations lack the columns AGE"):
        check(observations(("A", "_T", 1, "A")), SEX_TOTAL, dims=[*DIMS, "AGE"])


# --------------------------------------------------------------------------
# Definitions


def test_rules_from_yaml() -> None:
    text = """
- id: R1
  description: "Male + female + unknown = total"
  kind: compare
  left: [{SEX: M}, {SEX: F}, {SEX: _U}]
  op: "="
  right: [{SEX: _T}]
  for_each: [CATEGORY]
  missing: skip_if_any
  importance: error
  tolerance: 0
- {id: R2, kind: compulsory_pair, left: [{CATEGORY: "0101"}], right: [{CATEGORY: "0101", SEX: M}]}
- {id: R8, kind: yoy_change, cell: {}, threshold_pct: 50, min_value: 10, for_each: [CATEGORY]}
"""
    rules = parse_rules(yaml.safe_load(text), dimensions=DIMS)
    assert [(r.id, r.kind, r.importance, r.description) for r in rules] == [
        ("R1", "compare", "error", "Male + female + unknown = total"),
        (
            "R2",
            "compulsory_pair",
            "error",
            "If CATEGORY=0101 is reported, CATEGORY=0101, SEX=M must be reported too",
        ),
        (
            "R8",
            "yoy_change",
            "warning",
            "The cell changes by at most 50 % from one period to the next (for each CATEGORY)",
        ),
    ]
    assert isinstance(rules[0], Rule)


def test_descriptions_are_generated() -> None:
    rules = parse_rules(
        [
            SEX_TOTAL,
            {
                "id": "P",
                "kind": "parts_le_total",
                "parts": [{"CATEGORY": "A"}, {"CATEGORY": "B"}],
                "total": {"CATEGORY": "T"},
            },
            {
                "id": "X",
                "kind": "exclusive_pair",
                "left": {"CATEGORY": "A"},
                "right": {"CATEGORY": "B"},
            },
            {"id": "S", "kind": "share_le_100", "share": {"CATEGORY": "PCT"}},
            {"id": "O", "kind": "outlier", "cell": {"CATEGORY": "A"}},
            {"id": "B", "kind": "bounds", "cell": {"CATEGORY": "A"}, "min": 0},
            {"id": "K", "kind": "ranking", "cell": {"CATEGORY": "A"}, "across": "SEX"},
            {
                "id": "K2",
                "kind": "ranking",
                "cell": {},
                "across": "SEX",
                "for_each": ["CATEGORY"],
                "gaps": "allowed",
            },
            {
                "id": "W",
                "kind": "compare",
                "left": [{"CATEGORY": "A"}, {"CATEGORY": "B", "sign": -1}],
                "op": "≥",
                "right": [{"CATEGORY": "C", "factor": 2}],
            },
        ]
    )
    assert [rule.description for rule in rules] == [
        "Male + female + unknown = total (for each CATEGORY)",
        "CATEGORY=A + CATEGORY=B add up to at most the total CATEGORY=T",
        "CATEGORY=A and CATEGORY=B are not both reported",
        "Share CATEGORY=PCT is between 0 and 100 %",
        "CATEGORY=A is no outlier in its series (modified z-score at most 3.5)",
        "CATEGORY=A is at least 0",
        "The ranks of CATEGORY=A across SEX are whole numbers from 1, each given once, "
        "with no number skipped",
        "The ranks of the cell across SEX are whole numbers from 1, each given once "
        "(for each CATEGORY)",
        "CATEGORY=A - CATEGORY=B >= 2 × CATEGORY=C",
    ]


@pytest.mark.parametrize(
    ("definition", "error"),
    [
        ({"id": "E1", "kind": "comapre"}, "rule E1: unknown kind 'comapre'"),
        ({"id": "E2"}, "rule E2: kind is missing"),
        ({"kind": "bounds"}, "rule #1: id is missing"),
        (
            {"id": "E3", "kind": "compare", "left": {}, "op": "=<", "right": {}},
            "rule E3: unknown operator '=<'",
        ),
        ({"id": "E4", "kind": "compare", "left": {}, "right": {}}, "rule E4: op is missing"),
        ({"id": "E5", "kind": "parts_le_total", "parts": [{}]}, "rule E5: total is missing"),
        (
            {"id": "E6", "kind": "bounds", "cell": {"GENDER": "M"}, "min": 0},
            "rule E6: cell: unknown dimension 'GENDER'",
        ),
        (
            {"id": "E7", "kind": "bounds", "cell": {}, "min": 0, "for_each": ["AGE"]},
            "rule E7: for_each: unknown dimension 'AGE'",
        ),
        (
            {"id": "E8", "kind": "bounds", "cell": {}, "minimum": 0},
            "rule E8: unknown key 'minimum' for a bounds rule",
        ),
        (
            {"id": "E9", "kind": "bounds", "cell": {}},
            "rule E9: a bounds rule needs min, max or both",
        ),
        (
            {"id": "E10", "kind": "bounds", "cell": {}, "min": 5, "max": 1},
            r"rule E10: min \(5\) is more than max \(1\)",
        ),
        (
            {"id": "E11", "kind": "bounds", "cell": {"CATEGORY": 65}, "min": 0},
            'rule E11: cell: the code of CATEGORY must be text, not 65 .quote codes such as "0101"',
        ),
        (
            {"id": "E12", "kind": "sex_total", "parts": ["M"], "missing": "skip"},
            "rule E12: missing must be one of skip_if_any, skip_if_all, never",
        ),
        (
            {"id": "E13", "kind": "sex_total", "parts": ["M"], "importance": "fatal"},
            "rule E13: importance must be one of error, warning",
        ),
        (
            {"id": "E14", "kind": "yoy_change", "cell": {}, "threshold_pct": -5},
            "rule E14: threshold_pct must be more than 0",
        ),
        (
            {"id": "E15", "kind": "outlier", "cell": {}, "min_points": 2},
            "rule E15: min_points must be a whole number of at least 3",
        ),
        (
            {"id": "E16", "kind": "compare", "left": [], "op": "=", "right": {}},
            "rule E16: left must be a cell or a non-empty list of cells",
        ),
        (
            {"id": "E17", "kind": "compare", "left": "SEX=M", "op": "=", "right": {}},
            "rule E17: left must be a cell or a non-empty list of cells",
        ),
        (
            {
                "id": "E18",
                "kind": "compare",
                "left": [{"SEX": "M", "sign": 2}],
                "op": "=",
                "right": {},
            },
            "rule E18: left: sign must be 1 or -1",
        ),
        (
            {
                "id": "E19",
                "kind": "bounds",
                "cell": {"CATEGORY": "A"},
                "max": 1,
                "for_each": ["CATEGORY"],
            },
            "rule E19: CATEGORY is in for_each, but every cell names its own CATEGORY",
        ),
        (
            {"id": "E20", "kind": "sex_total", "parts": ["M"], "for_each": ["SEX"]},
            "rule E20: SEX is split into parts, so it cannot be in for_each too",
        ),
        (
            {"id": "E21", "kind": "exclusive_pair", "left": {}, "right": {}, "op": "<"},
            "rule E21: op '<' does not fit a exclusive_pair rule",
        ),
        (
            {"id": "E22", "kind": "rate_consistent", "count": {}, "rate": {}, "per": "lots"},
            "rule E22: per must be a number, not 'lots'",
        ),
        (
            {"id": "E23", "kind": "ranking", "cell": {}},
            r"rule E23: across is missing \(a ranking rule needs cell, across\)",
        ),
        (
            {"id": "E24", "kind": "ranking", "cell": {}, "across": "SEX", "for_each": ["SEX"]},
            "rule E24: the ranks run across SEX, so it cannot be in for_each too",
        ),
        (
            {"id": "E25", "kind": "ranking", "cell": {"SEX": "M"}, "across": "SEX"},
            "rule E25: cell names its own SEX, but the ranks run across SEX; leave SEX out",
        ),
        (
            {"id": "E26", "kind": "ranking", "cell": {}, "across": "SEX", "gaps": "ignore"},
            "rule E26: gaps must be one of warning, error, allowed, not 'ignore'",
        ),
        (
            {"id": "E27", "kind": "ranking", "cell": {}, "across": "AGE"},
            "rule E27: across: unknown dimension 'AGE'",
        ),
        (
            {"id": "E28", "kind": "ranking", "cell": {}, "across": ["SEX"]},
            r"rule E28: across: dimension names are text, not \['SEX'\]",
        ),
        (
            {"id": "E29", "kind": "ranking", "cell": {}, "across": "SEX", "min": 1},
            "rule E29: unknown key 'min' for a ranking rule",
        ),
        ("R1: compare", "rule #1: expected keys such as id, kind, left, right; got str"),
    ],
)
def test_parse_errors_name_the_rule_and_the_problem(definition: Any, error: str) -> None:
    with pytest.raises(RuleDefinitionError, match=error):
        parse_rules([definition], dimensions=DIMS)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(RuleDefinitionError, match="rule R5: the id is used by an earlier rule"):
        parse_rules([SEX_TOTAL, SEX_TOTAL])


def test_dimensions_are_checked_at_evaluation_when_parsing_did_not_know_them() -> None:
    rules = parse_rules([{"id": "R", "kind": "bounds", "cell": {"GENDER": "M"}, "min": 0}])
    with pytest.raises(
        RuleDefinitionError, match="rule R: GENDER=M names GENDER, which the data do not have"
    ):
        evaluate(observations(("A", "_T", 1, "A")), rules, dimensions=DIMS)


def test_ranking_across_a_dimension_the_data_lack_is_found_at_evaluation() -> None:
    rules = parse_rules([{"id": "K", "kind": "ranking", "cell": {}, "across": "PARTNER"}])
    with pytest.raises(RuleDefinitionError, match="rule K: across names PARTNER, which the data"):
        evaluate(observations(("A", "_T", 1, "A")), rules, dimensions=DIMS)


def test_numbers_written_as_text_in_yaml_are_read() -> None:
    # PyYAML reads 1e6 (no dot) as text
    rules = parse_rules(yaml.safe_load("[{id: B, kind: bounds, cell: {}, max: 1e6}]"))
    assert rules[0].maximum == 1_000_000.0


# --------------------------------------------------------------------------
# A full questionnaire


INDICATORS = ["VICTIMS", "OFFENCES", "CONTACT", "PROSECUTED", "CONVICTED"]
PARENTS = ["01", "02", "03", "04", "05"]
CHILDREN = {p: [f"{p}0{n}" for n in range(1, 5)] for p in PARENTS}
CATEGORIES = [*PARENTS, *itertools.chain.from_iterable(CHILDREN.values())]
SEXES = ["_T", "M", "F", "_U"]
AGES = ["_T", "Y0T17", "Y18T29", "Y30T59", "Y_GE60"]
Q_DIMS = ["INDICATOR", "CATEGORY", "SEX", "AGE", "UNIT_MEASURE"]
POPULATION = 5_000_000.0
YEARS = [str(y) for y in range(2014, 2025)]


def questionnaire() -> tuple[pl.DataFrame, pl.DataFrame]:
    """5,000 consistent cells for 2024 (5 indicators × 25 categories × 4 sexes ×
    5 ages × count and rate) and the same cells for 2014-2023, growing 2 % a
    year. Leaf counts are random; every total is the sum of its parts."""
    rng = random.Random(4)
    leaves = {
        (ind, child, sex, age): float(rng.randint(20, 200))
        for ind in INDICATORS
        for children in CHILDREN.values()
        for child in children
        for sex in SEXES[1:]
        for age in AGES[1:]
    }
    # Unknown sex of juveniles who are prosecuted for 0102 cannot exist: zero here, "M" later.
    leaves["PROSECUTED", "0102", "_U", "Y0T17"] = 0.0
    rows = []
    for ind, cat, sex, age in itertools.product(INDICATORS, CATEGORIES, SEXES, AGES):
        cats = CHILDREN.get(cat, [cat])
        sex_codes = SEXES[1:] if sex == "_T" else [sex]
        age_codes = AGES[1:] if age == "_T" else [age]
        count = sum(leaves[ind, c, s, a] for c in cats for s in sex_codes for a in age_codes)
        rows.append((ind, cat, sex, age, count))
    current = pl.DataFrame(
        rows, schema=["INDICATOR", "CATEGORY", "SEX", "AGE", "count"], orient="row"
    )
    frames = []
    for year in YEARS:
        growth = 1 + 0.02 * (int(year) - 2024)
        counts = current.with_columns(
            value=(pl.col("count") * growth).round(0) if year != "2024" else pl.col("count")
        )
        per_unit = [
            counts.with_columns(UNIT_MEASURE=pl.lit("COUNT")),
            counts.with_columns(
                UNIT_MEASURE=pl.lit("RATE_100K"),
                value=(pl.col("value") / POPULATION * 100_000).round(2),
            ),
        ]
        frames.append(
            pl.concat(per_unit).with_columns(
                area=pl.lit("AAA"), period=pl.lit(year), status=pl.lit("A")
            )
        )
    everything = pl.concat(frames).select("area", "period", *Q_DIMS, "value", "status")
    return everything.filter(pl.col("period") == "2024"), everything.filter(
        pl.col("period") != "2024"
    )


def questionnaire_rules() -> list[dict[str, Any]]:
    """200 rules as a questionnaire would declare them."""
    rules: list[dict[str, Any]] = []
    for ind in INDICATORS:
        count = {"INDICATOR": ind, "UNIT_MEASURE": "COUNT"}
        rate = {"INDICATOR": ind, "UNIT_MEASURE": "RATE_100K"}
        every_cell = ["CATEGORY", "SEX", "AGE"]
        rules += [
            {
                "id": f"S-{ind}",
                "kind": "sex_total",
                "total": count,
                "parts": ["M", "F", "_U"],
                "for_each": ["CATEGORY", "AGE"],
            },
            {
                "id": f"A-{ind}",
                "kind": "compare",
                "left": [{**count, "AGE": age} for age in AGES[1:]],
                "op": "=",
                "right": [count],
                "for_each": ["CATEGORY", "SEX"],
            },
            {
                "id": f"R-{ind}",
                "kind": "rate_consistent",
                "count": count,
                "rate": rate,
                "tolerance_pct": 1,
                "for_each": every_cell,
            },
            {
                "id": f"B-{ind}",
                "kind": "bounds",
                "cell": count,
                "min": 0,
                "max": 1_000_000,
                "for_each": every_cell,
            },
            {
                "id": f"BR-{ind}",
                "kind": "bounds",
                "cell": rate,
                "min": 0,
                "max": 100_000,
                "for_each": every_cell,
            },
            {
                "id": f"Y-{ind}",
                "kind": "yoy_change",
                "cell": count,
                "threshold_pct": 50,
                "min_value": 10,
                "for_each": every_cell,
            },
            {
                "id": f"O-{ind}",
                "kind": "outlier",
                "cell": count,
                "threshold": 3.5,
                "min_points": 5,
                "for_each": every_cell,
            },
            {
                "id": f"C-{ind}",
                "kind": "compulsory_pair",
                "left": [count],
                "right": [rate],
                "for_each": every_cell,
            },
            *[
                {
                    "id": f"RS-{ind}-{sex}",
                    "kind": "parts_le_total",
                    "parts": [{**rate, "SEX": sex}],
                    "total": rate,
                    "for_each": ["CATEGORY", "AGE"],
                }
                for sex in ("M", "F")
            ],
        ]
        for parent in PARENTS:
            children = [{**count, "CATEGORY": child} for child in CHILDREN[parent]]
            rules += [
                {
                    "id": f"H-{ind}-{parent}",
                    "kind": "parts_le_total",
                    "parts": children,
                    "total": {**count, "CATEGORY": parent},
                    "for_each": ["SEX", "AGE"],
                },
                {
                    "id": f"P-{ind}-{parent}",
                    "kind": "compulsory_pair",
                    "left": [{**count, "CATEGORY": parent}],
                    "right": [{**count, "CATEGORY": parent, "SEX": sex} for sex in ("M", "F")],
                    "for_each": ["AGE"],
                },
            ]
            for sex in SEXES:
                rules.append(
                    {
                        "id": f"E-{ind}-{parent}-{sex}",
                        "kind": "compare",
                        "left": [{**child, "SEX": sex} for child in children],
                        "op": "=",
                        "right": [{**count, "CATEGORY": parent, "SEX": sex}],
                        "for_each": ["AGE"],
                    }
                )
    return rules


def cell(ind: str, cat: str, sex: str, age: str, unit: str = "COUNT") -> pl.Expr:
    return (
        (pl.col("INDICATOR") == ind)
        & (pl.col("CATEGORY") == cat)
        & (pl.col("SEX") == sex)
        & (pl.col("AGE") == age)
        & (pl.col("UNIT_MEASURE") == unit)
    )


def test_a_full_questionnaire_finds_exactly_the_injected_inconsistencies() -> None:
    # Given a consistent questionnaire of 5,000 cells with 10 years of history
    current, history = questionnaire()
    definitions = questionnaire_rules()
    assert current.height == 5_000
    assert len(definitions) == 200
    population = pl.DataFrame(
        {"area": ["AAA"] * len(YEARS), "period": YEARS, "population": [POPULATION] * len(YEARS)}
    )
    rules = parse_rules(definitions, dimensions=Q_DIMS)
    defaults = {"SEX": "_T", "AGE": "_T"}

    def run(observations: pl.DataFrame, earlier: pl.DataFrame) -> pl.DataFrame:
        return evaluate(
            observations,
            rules,
            dimensions=Q_DIMS,
            defaults=defaults,
            population=population,
            history=earlier,
        )

    assert run(current, history).is_empty()

    # When k known inconsistencies are injected
    value, status = pl.col("value"), pl.col("status")
    flat = current.filter(cell("CONVICTED", "0501", "M", "Y30T59"))["value"][0] * 3
    injected = current.with_columns(
        # 1. a rate 10 % off its count
        value=pl.when(cell("VICTIMS", "0101", "M", "Y18T29", "RATE_100K"))
        .then(value * 1.1)
        # 2. a total count 7 too high, its rate following: its sex sum, age sum and parent break
        .when(cell("OFFENCES", "0202", "_T", "_T"))
        .then(value + 7)
        .when(cell("OFFENCES", "0202", "_T", "_T", "RATE_100K"))
        .then(value + 7 / POPULATION * 100_000)
        # 3. "not applicable" where the count is zero: nothing breaks
        .when(cell("PROSECUTED", "0102", "_U", "Y0T17"))
        .then(None)
        .otherwise(value),
        status=pl.when(cell("PROSECUTED", "0102", "_U", "Y0T17"))
        .then(pl.lit("M"))
        # 4. a confidential count: checked as a number, nothing breaks
        .when(cell("CONVICTED", "0505", "F", "_T"))
        .then(pl.lit("C"))
        .otherwise(status),
    ).filter(
        # 5. a rate not reported although its count is
        ~cell("CONTACT", "0303", "F", "Y0T17", "RATE_100K")
    )
    injected_history = history.with_columns(
        # 6. last year's count half of this year's: a change of about +100 %
        value=pl.when(cell("PROSECUTED", "0404", "_U", "Y_GE60") & (pl.col("period") == "2023"))
        .then(value / 2)
        # 7. a flat history at three times this year's count: a fall and an outlier
        .when(cell("CONVICTED", "0501", "M", "Y30T59"))
        .then(flat + pl.col("period").cast(pl.Int64) % 2)
        .otherwise(value)
    )
    result = run(injected, injected_history)

    # Then exactly the expected violations are found
    assert sorted(result.select("rule", "scope").rows()) == sorted(
        [
            ("R-VICTIMS", "CATEGORY=0101, SEX=M, AGE=Y18T29"),
            ("S-OFFENCES", "CATEGORY=0202, AGE=_T"),
            ("A-OFFENCES", "CATEGORY=0202, SEX=_T"),
            ("H-OFFENCES-02", "SEX=_T, AGE=_T"),
            ("E-OFFENCES-02-_T", "AGE=_T"),
            ("C-CONTACT", "CATEGORY=0303, SEX=F, AGE=Y0T17"),
            ("Y-PROSECUTED", "CATEGORY=0404, SEX=_U, AGE=Y_GE60"),
            ("Y-CONVICTED", "CATEGORY=0501, SEX=M, AGE=Y30T59"),
            ("O-CONVICTED", "CATEGORY=0501, SEX=M, AGE=Y30T59"),
        ]
    )
    assert result.filter(pl.col("importance") == "warning")["rule"].to_list() == [
        "Y-PROSECUTED",
        "Y-CONVICTED",
        "O-CONVICTED",
    ]
    assert (
        result.filter(pl.col("rule") == "S-OFFENCES")["message"]
        .str.ends_with("(difference 7)")
        .all()
    )
