"""The intervals withheld counts can still take, given the published ones and
the exact sums: linear programming (scipy's `linprog`), per table (an area
and period). Used by disclosure control (to withhold more until every small
count keeps its protection) and by the audit of what is published."""

from __future__ import annotations

from typing import Any

EPSILON = 1e-6
# One constraint: (total cell, part cells present, whether every part is there:
# the parts equal the total; with parts missing, they do not exceed it).
Constraint = tuple[str, list[str], bool]


def protection(rule: int) -> int:
    """The narrowest interval a withheld small count may be left in: half the
    width of what its marker says (<5: [1, 4], width 3; protection 2: three
    values or more, such as [1, 3] or [2, 4])."""
    return max(1, (rule - 1) // 2)


def narrowed(
    constraints: list[Constraint],
    known: dict[str, float],
    hidden: dict[str, tuple[float, float | None]],
    rule: int,
) -> list[tuple[str, float, float]]:
    """(cell, lowest, highest) of each small count (bounds [1, rule-1]) among
    `hidden` that the constraints of one table narrow below its protection."""
    from scipy.optimize import linprog

    unknown = sorted(
        {c for whole, parts, _exact in constraints for c in (whole, *parts) if c in hidden}
    )
    index = {cell: i for i, cell in enumerate(unknown)}
    equal: list[list[float]] = []
    equal_b: list[float] = []
    upper: list[list[float]] = []
    upper_b: list[float] = []
    for whole, parts, exact in constraints:
        row = [0.0] * len(unknown)
        constant = 0.0
        # sum(parts) - whole: = 0 when every part is there, <= 0 otherwise
        for cell, sign in [*[(p, 1.0) for p in parts], (whole, -1.0)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * known.get(cell, 0.0)
        (equal if exact else upper).append(row)
        (equal_b if exact else upper_b).append(-constant)
    bounds = [hidden[cell] for cell in unknown]
    found = []
    for cell in unknown:
        if hidden[cell] != (1.0, float(rule - 1)):
            continue  # a count withheld only to protect another
        interval: list[float] = []
        for sense in (1.0, -1.0):
            objective = [0.0] * len(unknown)
            objective[index[cell]] = sense
            result: Any = linprog(
                objective,
                A_ub=upper or None,
                b_ub=upper_b or None,
                A_eq=equal or None,
                b_eq=equal_b or None,
                bounds=bounds,
                method="highs",
            )
            if result.status != 0:  # infeasible: the published numbers disagree
                interval = []
                break
            interval.append(sense * result.fun)
        if interval and interval[1] - interval[0] < protection(rule) - EPSILON:
            found.append((cell, round(interval[0], 6), round(interval[1], 6)))
    return found
