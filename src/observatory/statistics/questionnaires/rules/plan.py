"""Rules resolved against the data and turned into tables.

`_plan` resolves a rule against the data's dimensions and defaults: which
dimensions it runs per and which code each of its cells pins. Rules then
become tables: one row per rule with its parameters (`_rule_table`), one row
per term with the codes it pins (`_term_table`). Each family of kinds is then
a few joins and one group_by over all of its rules at once, so 200 rules cost
hardly more than 20. In every intermediate frame a dimension column holds the
code the rule runs per (for_each and free dimensions) and is null for the
dimensions the rule pins: together with the rule, area and period it is the
group key, and it reads as the scope. `_matched` finds the cells each term
addresses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from observatory.statistics.questionnaires.rules.language import (
    OPERATORS,
    Rule,
    RuleDefinitionError,
    Term,
)

# The columns of a prepared frame (evaluation._prepare) each matched cell carries.
_VALUE_COLUMNS = ("value", "status", "_rep", "_na", "_conf")


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
    "_across": pl.String(),
    "_gaps": pl.String(),
}


@dataclass(frozen=True)
class _Plan:
    """A rule resolved against the data's dimensions and defaults."""

    rule: Rule
    groups: tuple[str, ...]  # run once per code of these (for_each, free, ranked across)
    fixed: tuple[dict[str, str], ...]  # per term: every dimension it pins, and the code
    shown: tuple[frozenset[str], ...]  # per term: pinned dimensions that cell keys show


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
    if rule.across is not None and rule.across not in dims:
        raise fail(f"across names {rule.across}, which the data do not have ({known})")
    # A ranking's cells take every code of the dimension ranked across: none is pinned.
    groups = tuple(
        d
        for d in dims
        if d in rule.for_each or d == rule.across or (d not in named and d not in defaults)
    )
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
                "_across": rule.across,
                "_gaps": rule.gaps,
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
