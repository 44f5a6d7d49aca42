"""Declarative validation rules for statistical questionnaires (UN-CTS, ARQ,
trafficking in persons), checked with Polars on whole frames. Rules are turned
into tables and all rules of a family are checked together by a few joins and
group-bys, never by a Python loop over rows: a questionnaire of 200 rules over
5,000 cells with ten years of history takes about a tenth of a second. No
Django, no database, no other observatory module: rules and observations in,
violations out.

A questionnaire's rules arrive as plain dicts (parsed from YAML).
`parse_rules` turns them into `Rule` objects or raises `RuleDefinitionError`
naming the rule and what to fix; `evaluate` checks observations against them
and returns one row per violation, explained in plain words with its cells.

Cells. A selector such as {CATEGORY: "0101", SEX: M} pins the dimensions it
names; a dimension it does not name takes its default code ("_T", the total,
unless the caller's `defaults` say otherwise). A dimension in `for_each` is not
pinned: the rule runs once per code found and every cell takes that code (a
cell may still name its own code, e.g. the grand total in "each category is at
most the total"). A dimension with no default that no cell names is treated
as if it were in `for_each`, so a rule never adds up counts and rates.

Statuses (SDMX OBS_STATUS):
- A number is reported when the value is not null and the status is neither
  "L" (not available) nor "M" (not applicable); "E", "P", "B" and "C" numbers
  are reported numbers.
- "M" says the quantity cannot exist, so in sums and comparisons it counts as
  zero and is never "missing": male + female + unknown (not applicable) =
  total holds when no sex is unknown. A total that is not applicable while
  its parts are reported is flagged: the parts cannot exist either. Checks of
  one value (share, rate, bounds, change, outlier) have no number and skip it.
- "L", a null value and a cell absent from the frame are missing. The rule's
  `missing` strategy decides: skip_if_any (the default) skips the check when
  any cell of the rule is missing, skip_if_all only when every cell is, never
  checks anyway. A missing cell that is checked counts as zero, and the
  message says "missing" or "not available".
- A compulsory pair is satisfied by a reported number or by "M" (an explicit
  answer that the quantity cannot exist); "L" or nothing does not satisfy it.
  `missing` does not apply to pairs, nor to checks of single values.
- "C" confidential values are checked like any number but never printed:
  messages say "confidential value" and leave out sums, differences, changes,
  medians and scores computed from them; `left` and `right` are null where
  they would carry or reveal one.
- Year-on-year changes and outliers use reported numbers only. A "B" (break
  in series) value is not compared with the period before it, and starts a
  new series for outliers.

Tolerance. The allowed gap between the two sides of a comparison is the
larger of `tolerance` (absolute) and `tolerance_pct` per cent of the right-hand
side (for rates, of the rate expected from count and population), plus a tiny
margin for floating-point sums. Strict operators (<, >) fail once the gap
reaches the tolerance. A rate rule with neither defaults to 0.05 absolute or
1 %, as published rates are rounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

ERROR = "error"
WARNING = "warning"
IMPORTANCES = (ERROR, WARNING)

SKIP_IF_ANY = "skip_if_any"
SKIP_IF_ALL = "skip_if_all"
NEVER = "never"
MISSING_STRATEGIES = (SKIP_IF_ANY, SKIP_IF_ALL, NEVER)

COMPARE = "compare"
COMPULSORY_PAIR = "compulsory_pair"
EXCLUSIVE_PAIR = "exclusive_pair"
PARTS_LE_TOTAL = "parts_le_total"
SEX_TOTAL = "sex_total"
RATE_CONSISTENT = "rate_consistent"
SHARE_LE_100 = "share_le_100"
YOY_CHANGE = "yoy_change"
OUTLIER = "outlier"
BOUNDS = "bounds"

# Operator -> the words after "is not" in a message.
OPERATORS = {
    "=": "equal to",
    "!=": "different from",
    "<": "less than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
}
_OPERATOR_ALIASES = {"==": "=", "<>": "!=", "≠": "!=", "≤": "<=", "≥": ">="}
_PAIR_OPERATORS = {
    "compulsory pair": COMPULSORY_PAIR,
    COMPULSORY_PAIR: COMPULSORY_PAIR,
    "exclusive pair": EXCLUSIVE_PAIR,
    EXCLUSIVE_PAIR: EXCLUSIVE_PAIR,
}

TOTAL = "_T"
NOT_AVAILABLE = "L"
NOT_APPLICABLE = "M"
CONFIDENTIAL = "C"
BREAK_IN_SERIES = "B"
SEX_WORDS = {
    "M": "male",
    "F": "female",
    "_U": "unknown",
    "_O": "other",
    "_Z": "not applicable",
    "_T": "total",
}

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

_COMMON_KEYS = frozenset({"id", "kind", "description", "importance", "missing", "for_each"})
_KIND_KEYS = {
    COMPARE: frozenset({"left", "op", "right", "tolerance", "tolerance_pct"}),
    COMPULSORY_PAIR: frozenset({"left", "op", "right"}),
    EXCLUSIVE_PAIR: frozenset({"left", "op", "right"}),
    PARTS_LE_TOTAL: frozenset({"parts", "total", "tolerance", "tolerance_pct"}),
    SEX_TOTAL: frozenset({"total", "parts", "dimension", "tolerance", "tolerance_pct"}),
    RATE_CONSISTENT: frozenset({"count", "rate", "per", "tolerance", "tolerance_pct"}),
    SHARE_LE_100: frozenset({"share", "tolerance"}),
    YOY_CHANGE: frozenset({"cell", "threshold_pct", "min_value"}),
    OUTLIER: frozenset({"cell", "threshold", "min_points"}),
    BOUNDS: frozenset({"cell", "min", "max"}),
}
_REQUIRED_KEYS = {
    COMPARE: ("left", "op", "right"),
    COMPULSORY_PAIR: ("left", "right"),
    EXCLUSIVE_PAIR: ("left", "right"),
    PARTS_LE_TOTAL: ("parts", "total"),
    SEX_TOTAL: ("parts",),
    RATE_CONSISTENT: ("count", "rate"),
    SHARE_LE_100: ("share",),
    YOY_CHANGE: ("cell", "threshold_pct"),
    OUTLIER: ("cell",),
    BOUNDS: ("cell",),
}
_SELECTOR_OPTIONS = ("sign", "factor", "label")
_VALUE_COLUMNS = ("value", "status", "_rep", "_na", "_conf")


class RuleDefinitionError(ValueError):
    """A rule definition is wrong; the message names the rule and what to fix."""


@dataclass(frozen=True)
class Term:
    """One cell of an expression: the codes the rule names for it, its
    coefficient (sign × factor) and the words messages use for it."""

    codes: tuple[tuple[str, str], ...]
    label: str
    coefficient: float = 1.0


@dataclass(frozen=True)
class Rule:
    """A parsed rule. Kinds use the fields they need: comparisons `left`, `op`,
    `right` and the tolerances; checks of one cell keep it as `left[0]` (the
    rate in a rate rule, whose count is `right[0]`)."""

    id: str
    kind: str
    description: str
    importance: str = ERROR
    missing: str = SKIP_IF_ANY
    for_each: tuple[str, ...] = ()
    left: tuple[Term, ...] = ()
    op: str = "="
    right: tuple[Term, ...] = ()
    tolerance: float = 0.0
    tolerance_pct: float = 0.0
    per: float = 100_000.0
    threshold: float = 0.0
    min_value: float = 0.0
    min_points: int = 0
    minimum: float | None = None
    maximum: float | None = None

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.left + self.right


# --------------------------------------------------------------------------
# Parsing


def parse_rules(
    definitions: Sequence[Mapping[str, Any]], *, dimensions: Sequence[str] | None = None
) -> list[Rule]:
    """Rules from plain dicts, checked key by key; with `dimensions`, every
    dimension a rule names must be one of them."""
    known = None if dimensions is None else frozenset(dimensions)
    rules: list[Rule] = []
    seen: set[str] = set()
    for position, raw in enumerate(definitions, start=1):
        rule = _Definition(raw, position, known).rule()
        if rule.id in seen:
            raise RuleDefinitionError(f"rule {rule.id}: the id is used by an earlier rule")
        seen.add(rule.id)
        rules.append(rule)
    return rules


class _Definition:
    """One raw definition being read, so every error can name its rule."""

    def __init__(self, raw: object, position: int, known: frozenset[str] | None) -> None:
        if not isinstance(raw, Mapping):
            raise RuleDefinitionError(
                f"rule #{position}: expected keys such as id, kind, left, right; "
                f"got {type(raw).__name__}"
            )
        identifier = raw.get("id")
        if identifier is None or not str(identifier).strip():
            raise RuleDefinitionError(f"rule #{position}: id is missing")
        self.raw: Mapping[str, Any] = raw
        self.id = str(identifier).strip()
        self.known = known

    def fail(self, problem: str) -> RuleDefinitionError:
        return RuleDefinitionError(f"rule {self.id}: {problem}")

    def rule(self) -> Rule:
        raw = self.raw
        if raw.get("kind") is None:
            raise self.fail(f"kind is missing (one of {', '.join(_KIND_KEYS)})")
        kind = str(raw["kind"]).strip()
        if kind not in _KIND_KEYS:
            raise self.fail(f"unknown kind {kind!r} (known kinds: {', '.join(_KIND_KEYS)})")
        if kind == COMPARE and str(raw.get("op", "")).strip() in _PAIR_OPERATORS:
            kind = _PAIR_OPERATORS[str(raw["op"]).strip()]
        allowed = _COMMON_KEYS | _KIND_KEYS[kind]
        for key in raw:
            if key not in allowed:
                raise self.fail(
                    f"unknown key {key!r} for a {kind} rule (allowed: {', '.join(sorted(allowed))})"
                )
        for key in _REQUIRED_KEYS[kind]:
            if raw.get(key) is None:
                raise self.fail(
                    f"{key} is missing (a {kind} rule needs {', '.join(_REQUIRED_KEYS[kind])})"
                )
        for_each = self.for_each()
        common: dict[str, Any] = {
            "id": self.id,
            "kind": kind,
            "importance": self.choice(
                "importance", IMPORTANCES, WARNING if kind in (YOY_CHANGE, OUTLIER) else ERROR
            ),
            "missing": self.choice("missing", MISSING_STRATEGIES, SKIP_IF_ANY),
            "for_each": for_each,
        }
        fields = self.fields(kind)
        rule = Rule(description=self.description(kind, for_each, fields), **common, **fields)
        self.check_for_each(rule)
        return rule

    def fields(self, kind: str) -> dict[str, Any]:
        if kind == COMPARE:
            return {
                "left": self.expression("left"),
                "op": self.operator(),
                "right": self.expression("right"),
                **self.tolerances(),
            }
        if kind in (COMPULSORY_PAIR, EXCLUSIVE_PAIR):
            op = self.raw.get("op")
            if op is not None and _PAIR_OPERATORS.get(str(op).strip()) != kind:
                raise self.fail(f"op {op!r} does not fit a {kind} rule; leave op out")
            return {"left": self.expression("left"), "right": self.expression("right")}
        if kind == PARTS_LE_TOTAL:
            return {
                "left": self.expression("parts"),
                "op": "<=",
                "right": (self.selector("total", self.raw["total"]),),
                **self.tolerances(),
            }
        if kind == SEX_TOTAL:
            return {**self.sex_terms(), "op": "=", **self.tolerances()}
        if kind == RATE_CONSISTENT:
            given = "tolerance" in self.raw or "tolerance_pct" in self.raw
            return {
                "left": (self.selector("rate", self.raw["rate"]),),
                "right": (self.selector("count", self.raw["count"]),),
                "per": self.number("per", 100_000.0, positive=True),
                **(self.tolerances() if given else {"tolerance": 0.05, "tolerance_pct": 1.0}),
            }
        if kind == SHARE_LE_100:
            return {
                "left": (self.selector("share", self.raw["share"]),),
                "tolerance": self.number("tolerance", 0.0),
            }
        cell = (self.selector("cell", self.raw["cell"]),)
        if kind == YOY_CHANGE:
            return {
                "left": cell,
                "threshold": self.number("threshold_pct", 0.0, positive=True),
                "min_value": self.number("min_value", 0.0),
            }
        if kind == OUTLIER:
            points = self.number("min_points", 5.0)
            if points != int(points) or points < 3:
                raise self.fail(f"min_points must be a whole number of at least 3, not {points:g}")
            return {
                "left": cell,
                "threshold": self.number("threshold", 3.5, positive=True),
                "min_points": int(points),
            }
        minimum = self.optional_number("min")
        maximum = self.optional_number("max")
        if minimum is None and maximum is None:
            raise self.fail("a bounds rule needs min, max or both")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise self.fail(f"min ({minimum:g}) is more than max ({maximum:g})")
        return {"left": cell, "minimum": minimum, "maximum": maximum}

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.raw.get(key)
        if value is None:
            return default
        if value not in choices:
            raise self.fail(f"{key} must be one of {', '.join(choices)}, not {value!r}")
        return str(value)

    def operator(self) -> str:
        op = str(self.raw["op"]).strip()
        op = _OPERATOR_ALIASES.get(op, op)
        if op not in OPERATORS:
            known = ", ".join([*OPERATORS, "compulsory_pair", "exclusive_pair"])
            raise self.fail(f"unknown operator {self.raw['op']!r} (known: {known})")
        return op

    def optional_number(self, key: str) -> float | None:
        raw = self.raw.get(key)
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise self.fail(f"{key} must be a number, not {raw!r}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise self.fail(f"{key} must be a number, not {raw!r}") from None
        if not math.isfinite(value):
            raise self.fail(f"{key} must be a finite number, not {raw!r}")
        return value

    def number(self, key: str, default: float, *, positive: bool = False) -> float:
        value = self.optional_number(key)
        if value is None:
            return default
        if positive and value <= 0:
            raise self.fail(f"{key} must be more than 0, not {value:g}")
        if value < 0:
            raise self.fail(f"{key} cannot be negative ({value:g})")
        return value

    def tolerances(self) -> dict[str, float]:
        return {
            "tolerance": self.number("tolerance", 0.0),
            "tolerance_pct": self.number("tolerance_pct", 0.0),
        }

    def dimension(self, name: object, where: str) -> str:
        if not isinstance(name, str) or not name:
            raise self.fail(f"{where}: dimension names are text, not {name!r}")
        if self.known is not None and name not in self.known:
            have = ", ".join(sorted(self.known))
            raise self.fail(f"{where}: unknown dimension {name!r} (the data have {have})")
        return name

    def for_each(self) -> tuple[str, ...]:
        raw = self.raw.get("for_each")
        if raw is None:
            return ()
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list | tuple):
            raise self.fail(f"for_each must be a list of dimensions, not {raw!r}")
        checked = tuple(self.dimension(name, "for_each") for name in names)
        if len(set(checked)) != len(checked):
            raise self.fail("for_each names a dimension twice")
        return checked

    def selector(self, where: str, raw: object) -> Term:
        if not isinstance(raw, Mapping):
            raise self.fail(
                f'{where} must be a cell such as {{CATEGORY: "0101", SEX: M}}, not {raw!r}'
            )
        codes: list[tuple[str, str]] = []
        coefficient = 1.0
        label = ""
        for key, code in raw.items():
            if key == "sign":
                if isinstance(code, bool) or code not in (1, -1):
                    raise self.fail(f"{where}: sign must be 1 or -1, not {code!r}")
                coefficient *= float(code)
            elif key == "factor":
                if isinstance(code, bool) or not isinstance(code, int | float):
                    raise self.fail(f"{where}: factor must be a number, not {code!r}")
                coefficient *= float(code)
            elif key == "label":
                if not isinstance(code, str) or not code.strip():
                    raise self.fail(f"{where}: label must be text")
                label = code.strip()
            else:
                dimension = self.dimension(key, where)
                if not isinstance(code, str) or not code:
                    raise self.fail(
                        f"{where}: the code of {dimension} must be text, not {code!r} "
                        '(quote codes such as "0101" in YAML, which reads 0101 as a number)'
                    )
                codes.append((dimension, code))
        return Term(codes=tuple(codes), label=label or _codes_words(codes), coefficient=coefficient)

    def expression(self, key: str) -> tuple[Term, ...]:
        raw = self.raw[key]
        items = [raw] if isinstance(raw, Mapping) else raw
        if not isinstance(items, list | tuple) or not items:
            raise self.fail(f"{key} must be a cell or a non-empty list of cells, not {raw!r}")
        if len(items) == 1:
            return (self.selector(key, items[0]),)
        return tuple(self.selector(f"{key} cell {n}", item) for n, item in enumerate(items, 1))

    def sex_terms(self) -> dict[str, tuple[Term, ...]]:
        dimension = self.dimension(self.raw.get("dimension", "SEX"), "dimension")
        raw_total = self.raw.get("total", {dimension: TOTAL})
        total = self.selector("total", raw_total)
        total = Term(total.codes, raw_total.get("label", "total"), total.coefficient)
        codes = self.raw["parts"]
        if not isinstance(codes, list | tuple) or not codes:
            raise self.fail(f"parts must be a list of {dimension} codes such as [M, F, _U]")
        kept = tuple((d, c) for d, c in total.codes if d != dimension)
        parts = []
        for code in codes:
            if not isinstance(code, str) or not code:
                raise self.fail(f"parts: {dimension} codes are text, not {code!r}")
            words = SEX_WORDS.get(code, f"{dimension}={code}")
            parts.append(Term(codes=(*kept, (dimension, code)), label=words))
        if dimension in self.for_each():
            raise self.fail(f"{dimension} is split into parts, so it cannot be in for_each too")
        return {"left": tuple(parts), "right": (total,)}

    def check_for_each(self, rule: Rule) -> None:
        for dimension in rule.for_each:
            if all(dimension in dict(term.codes) for term in rule.terms):
                raise self.fail(
                    f"{dimension} is in for_each, but every cell names its own {dimension}; "
                    "leave it out of the cells or out of for_each"
                )

    def description(self, kind: str, for_each: tuple[str, ...], fields: Mapping[str, Any]) -> str:
        given = self.raw.get("description")
        if given is not None:
            if not isinstance(given, str) or not given.strip():
                raise self.fail("description must be text")
            return given.strip()
        left: tuple[Term, ...] = fields.get("left", ())
        right: tuple[Term, ...] = fields.get("right", ())
        lhs, rhs = _expression_words(left), _expression_words(right)
        if kind in (COMPARE, SEX_TOTAL):
            text = f"{lhs} {fields['op']} {rhs}"
        elif kind == PARTS_LE_TOTAL:
            text = f"{lhs} add up to at most the total {rhs}"
        elif kind == COMPULSORY_PAIR:
            text = f"if {lhs} is reported, {rhs} must be reported too"
        elif kind == EXCLUSIVE_PAIR:
            text = f"{lhs} and {rhs} are not both reported"
        elif kind == RATE_CONSISTENT:
            text = f"rate {lhs} = count {rhs} / population × {fields['per']:g}"
        elif kind == SHARE_LE_100:
            text = f"share {lhs} is between 0 and 100 %"
        elif kind == YOY_CHANGE:
            text = f"{lhs} changes by at most {fields['threshold']:g} % from one period to the next"
        elif kind == OUTLIER:
            limit = fields["threshold"]
            text = f"{lhs} is no outlier in its series (modified z-score at most {limit:g})"
        else:
            low, high = fields["minimum"], fields["maximum"]
            if low is not None and high is not None:
                text = f"{lhs} is between {low:g} and {high:g}"
            else:
                text = (
                    f"{lhs} is at least {low:g}"
                    if low is not None
                    else f"{lhs} is at most {high:g}"
                )
        if for_each:
            text += f" (for each {', '.join(for_each)})"
        return text[:1].upper() + text[1:]


def _codes_words(codes: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{d}={c}" for d, c in codes) or "the cell"


def _expression_words(terms: Sequence[Term]) -> str:
    words = []
    for n, term in enumerate(terms):
        magnitude = abs(term.coefficient)
        factor = "" if magnitude == 1 else f"{magnitude:g} × "
        sign = (
            ("-" if term.coefficient < 0 else "")
            if n == 0
            else (" - " if term.coefficient < 0 else " + ")
        )
        words.append(f"{sign}{factor}{term.label}")
    return "".join(words)


# --------------------------------------------------------------------------
# Evaluation
#
# Rules become tables: one row per rule with its parameters, one row per term
# with the codes it pins. Each family of kinds is then a few joins and one
# group_by over all of its rules at once, so 200 rules cost hardly more than
# 20. In every intermediate frame a dimension column holds the code the rule
# runs per (for_each and free dimensions) and is null for the dimensions the
# rule pins: together with the rule, area and period it is the group key, and
# it reads as the scope.

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
_RULE_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "_rule": pl.Int64(),
    "rule": pl.String(),
    "importance": pl.String(),
    "_kind": pl.String(),
    "_op": pl.String(),
    "_op_words": pl.String(),
    "_tolerance": pl.Float64(),
    "_tolerance_pct": pl.Float64(),
    "_missing": pl.String(),
    "_per": pl.Float64(),
    "_threshold": pl.Float64(),
    "_min_value": pl.Float64(),
    "_min_points": pl.Int64(),
    "_minimum": pl.Float64(),
    "_maximum": pl.Float64(),
    "_n_left": pl.Int64(),
    "_left_plain": pl.Boolean(),
    "_right_plain": pl.Boolean(),
    "_required": pl.String(),
}


@dataclass(frozen=True)
class _Plan:
    """A rule resolved against the data's dimensions and defaults."""

    rule: Rule
    groups: tuple[str, ...]  # run once per code of these (for_each and free dimensions)
    fixed: tuple[dict[str, str], ...]  # per term: every dimension it pins, and the code
    shown: tuple[frozenset[str], ...]  # per term: pinned dimensions that cell keys show


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
    combined = pl.concat(results).sort("_rule", "area", "period", "scope").drop("_rule")
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


def _plan(rule: Rule, dims: tuple[str, ...], defaults: Mapping[str, str]) -> _Plan:
    def fail(problem: str) -> RuleDefinitionError:
        return RuleDefinitionError(f"rule {rule.id}: {problem}")

    known = ", ".join(dims)
    for dimension in rule.for_each:
        if dimension not in dims:
            raise fail(f"for_each names {dimension}, which the data do not have ({known})")
    named: set[str] = set()
    for term in rule.terms:
        for dimension, _ in term.codes:
            if dimension not in dims:
                raise fail(f"{term.label} names {dimension}, which the data do not have ({known})")
            named.add(dimension)
    groups = tuple(d for d in dims if d in rule.for_each or (d not in named and d not in defaults))
    fixed: list[dict[str, str]] = []
    shown: list[frozenset[str]] = []
    for term in rule.terms:
        codes = dict(term.codes)
        pinned: dict[str, str] = {}
        for dimension in dims:
            if dimension in codes:
                pinned[dimension] = codes[dimension]
            elif dimension in groups:
                continue
            elif dimension in defaults:
                pinned[dimension] = defaults[dimension]
            else:
                raise fail(
                    f"{term.label} does not say which {dimension}: name {dimension} in every "
                    f"cell of the rule, add it to for_each, or give {dimension} a default"
                )
        fixed.append(pinned)
        shown.append(frozenset(codes))
    if groups and not any(all(g not in pinned for g in groups) for pinned in fixed):
        raise fail("every cell names its own code for the for_each dimensions")
    return _Plan(rule, groups, tuple(fixed), tuple(shown))


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


def _rule_table(plans: Sequence[_Plan]) -> pl.DataFrame:
    """One row per rule: its id, importance and the parameters its checks read."""
    rows = []
    for n, plan in enumerate(plans):
        rule = plan.rule
        rows.append(
            {
                "_rule": n,
                "rule": rule.id,
                "importance": rule.importance,
                "_kind": rule.kind,
                "_op": rule.op,
                "_op_words": OPERATORS[rule.op],
                "_tolerance": rule.tolerance,
                "_tolerance_pct": rule.tolerance_pct,
                "_missing": rule.missing,
                "_per": rule.per,
                "_threshold": rule.threshold,
                "_min_value": rule.min_value,
                "_min_points": rule.min_points,
                "_minimum": rule.minimum,
                "_maximum": rule.maximum,
                "_n_left": len(rule.left),
                "_left_plain": _plain(rule.left),
                "_right_plain": _plain(rule.right),
                "_required": " and ".join(term.label for term in rule.right),
            }
        )
    return pl.DataFrame(rows, schema=_RULE_TABLE_SCHEMA)


def _plain(terms: Sequence[Term]) -> bool:
    """A lone cell with no sign or factor: no sum to print."""
    return len(terms) == 1 and terms[0].coefficient == 1


def _term_table(plans: Sequence[_Plan], dims: Sequence[str]) -> pl.DataFrame:
    """One row per term of every rule: side (0 left, 1 right), coefficient, the
    words before its number in a sum, its label, how a lacking cell is named,
    and the codes its cell key shows (_k_<dimension>)."""
    columns: dict[str, list[Any]] = {
        name: [] for name in ("_rule", "_term", "_side", "_coef", "_before", "_label", "_lacking")
    }
    keys: dict[str, list[str | None]] = {f"_k_{d}": [] for d in dims}
    for n, plan in enumerate(plans):
        rule = plan.rule
        n_left = len(rule.left)
        for t, term in enumerate(rule.terms):
            magnitude = abs(term.coefficient)
            factor = "" if magnitude == 1 else f"{magnitude:g} × "
            if t in (0, n_left):
                sign = "-" if term.coefficient < 0 else ""
            else:
                sign = " - " if term.coefficient < 0 else " + "
            columns["_rule"].append(n)
            columns["_term"].append(t)
            columns["_side"].append(0 if t < n_left else 1)
            columns["_coef"].append(term.coefficient)
            columns["_before"].append(f"{sign}{factor}{term.label} (")
            columns["_label"].append(term.label)
            columns["_lacking"].append("it" if len(rule.right) == 1 else term.label)
            for d in dims:
                keys[f"_k_{d}"].append(plan.fixed[t][d] if d in plan.shown[t] else None)
    schema: dict[str, pl.DataType] = {
        "_rule": pl.Int64(),
        "_term": pl.Int64(),
        "_side": pl.Int64(),
        "_coef": pl.Float64(),
        "_before": pl.String(),
        "_label": pl.String(),
        "_lacking": pl.String(),
        **dict.fromkeys(keys, pl.String()),
    }
    return pl.DataFrame({**columns, **keys}, schema=schema)


def _matched(
    frame: pl.LazyFrame,
    plans: Sequence[tuple[int, _Plan]],
    dims: Sequence[str],
    extra: Sequence[str] = (),
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(cells, groups). Cells: the rows of `frame` each term of the rules
    addresses, with _rule and _term, one join per set of pinned dimensions.
    Groups: the distinct (rule, area, period, codes run per) found by terms that
    pin none of their rule's group dimensions. A term that does pin one (the
    grand total in "each category at most the total") serves every group."""
    shapes: dict[tuple[tuple[str, ...], bool], list[dict[str, Any]]] = {}
    for n, plan in plans:
        for t, pinned in enumerate(plan.fixed):
            open_dims = tuple(d for d in dims if d not in pinned)
            spread = len(open_dims) < len(plan.groups)
            row = {"_rule": n, "_term": t, **{f"_c_{d}": code for d, code in pinned.items()}}
            shapes.setdefault((open_dims, spread), []).append(row)
    keep = ["_rule", "_term", "area", "period", *dims, *_VALUE_COLUMNS, *extra]
    direct: list[pl.LazyFrame] = []
    spreading: list[tuple[tuple[str, ...], pl.LazyFrame]] = []
    for (open_dims, spread), rows in shapes.items():
        pinned_dims = [d for d in dims if d not in open_dims]
        table = pl.LazyFrame(
            rows,
            schema={
                "_rule": pl.Int64,
                "_term": pl.Int64,
                **{f"_c_{d}": pl.String for d in pinned_dims},
            },
        )
        if pinned_dims:
            found = frame.join(
                table, left_on=pinned_dims, right_on=[f"_c_{d}" for d in pinned_dims]
            )
        else:
            found = frame.join(table, how="cross")
        found = found.with_columns(pl.lit(None, pl.String).alias(d) for d in pinned_dims)
        if spread:
            spreading.append((open_dims, found.select(keep)))
        else:
            direct.append(found.select(keep))
    # _plan made sure every rule has a term pinning none of its group dimensions.
    cells = pl.concat(direct)
    groups = cells.select("_rule", "area", "period", *dims).unique()
    for open_dims, found in spreading:
        on = ["_rule", "area", "period", *open_dims]
        spread_out = found.drop(d for d in dims if d not in open_dims).join(groups, on=on)
        cells = pl.concat([cells, spread_out.select(keep)])
    return cells, groups


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
