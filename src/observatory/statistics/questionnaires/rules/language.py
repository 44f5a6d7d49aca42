"""The rule language: kinds, operators, importances, missing strategies and
status codes; `Term`, `Rule` and `RuleDefinitionError`; `parse_rules`, which
reads plain dicts (from YAML) key by key through `_Definition`, and the words
a rule's default description is made of. No Polars here: nothing is checked
against data yet."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
IMPORTANCES = (ERROR, WARNING)
# What a ranking rule makes of ranks that skip a number: an importance, or allowed.
ALLOWED = "allowed"
GAP_CHOICES = (WARNING, ERROR, ALLOWED)

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
RANKING = "ranking"

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
    RANKING: frozenset({"cell", "across", "gaps"}),
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
    RANKING: ("cell", "across"),
}
_SELECTOR_OPTIONS = ("sign", "factor", "label")


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
    rate in a rate rule, whose count is `right[0]`; the ranked cells in a
    ranking rule, with the dimension ranked `across` and the importance of
    `gaps`, None when they are allowed)."""

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
    across: str | None = None
    gaps: str | None = None

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
        if kind == RANKING:
            return self.ranking(cell)
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

    def ranking(self, cell: tuple[Term, ...]) -> dict[str, Any]:
        across = self.dimension(self.raw["across"], "across")
        if across in self.for_each():
            raise self.fail(f"the ranks run across {across}, so it cannot be in for_each too")
        if across in dict(cell[0].codes):
            raise self.fail(
                f"cell names its own {across}, but the ranks run across {across}; "
                f"leave {across} out of the cell"
            )
        gaps = self.choice("gaps", GAP_CHOICES, WARNING)
        return {"left": cell, "across": across, "gaps": None if gaps == ALLOWED else gaps}

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
        elif kind == RANKING:
            text = (
                f"the ranks of {lhs} across {fields['across']} are whole numbers from 1, "
                "each given once"
            )
            if fields["gaps"] is not None:
                text += ", with no number skipped"
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
