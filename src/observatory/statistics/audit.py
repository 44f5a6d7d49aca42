"""The disclosure audit: what someone who reads every published number of a
dataflow can still work out about the counts disclosure control withheld.

For each area and period, the published counts and the sums the dataflow's
questionnaires declare exact (disclosure.exact_sums: sexes, ages, exhaustive
breakdowns) make a system of linear constraints; the withheld counts are its
unknowns, each within what its marker says (a `<5` count lies in [1, 4]; a
count withheld with it, in [0, ∞)). Where a sum has parts the table lacks,
the present parts cannot exceed the total. For every small count the audit
computes, by linear programming (scipy's `linprog`, as tau-Argus and sdcTable
audit their tables), the lowest and highest value it can still take. The
protection required: that interval stays at least half as wide as the
marker's own, [1, rule-1] (for `<5`, a width of 2: three values or more, such
as [1, 3] or [2, 4]); a count the published numbers pin down to one or two
values is exposed.

Publication runs it (statistics/services.on_version_status): a version whose
publication would expose a count is refused, with the cells named."""

from __future__ import annotations

from dataclasses import dataclass

from observatory.accounts.access import ActorLike
from observatory.statistics import selectors
from observatory.statistics.disclosure import SEPARATOR, Disclosure, by_table, exact_sums
from observatory.statistics.intervals import narrowed
from observatory.statistics.models import Dataflow

EPSILON = 1e-6


@dataclass(frozen=True)
class Exposed:
    """A withheld small count whose value the published numbers narrow down."""

    cell: str  # area, period and series key (disclosure.cell_id)
    low: float
    high: float
    rule: int

    def __str__(self) -> str:
        area, period, key = self.cell.split(SEPARATOR)
        if abs(self.high - self.low) < EPSILON:
            can = f"is {self.low:g}"
        else:
            can = f"lies in [{self.low:g}, {self.high:g}]"
        return (
            f"{area} {period} {key}: published as <{self.rule}, but {can} from the published sums"
        )


def audit(dataflow: Dataflow, *, actor: ActorLike = None) -> list[Exposed]:
    """The small counts of `dataflow` that what `actor` sees (the public by
    default) narrows down."""
    rule = dataflow.structure.suppress_below
    relations = exact_sums(dataflow.code)
    if not rule or not relations:
        return []
    structure = selectors.Structure(dataflow.structure)
    visible = selectors.current_observations(actor=actor, dataflow=dataflow)
    control = Disclosure.of(actor, dataflow, structure.dimensions).with_small_cells(visible)
    if not control.small_cells:
        return []
    # Each count as published: a number, or withheld (small, or with a small one).
    known: dict[str, float] = {}
    hidden: dict[str, tuple[float, float | None]] = {}
    dims_of: dict[str, dict[str, str]] = {}
    for area, period, dims, value, censored, conf in visible.order_by().values_list(
        "area_id", "time_period", "dims", "value", "censored", "conf_status"
    ):
        if not control.is_count(dims):
            continue
        cell = control.cell_id(area, period, dims)
        dims_of[cell] = {**dims, "_area": area, "_period": period}
        shown = control.shown(
            area=area, period=period, dims=dims, value=value, censored=censored, conf_status=conf
        )
        if shown.value is not None:
            known[cell] = float(shown.value)
        elif shown.censored or (value is not None and 0 < value < rule):
            hidden[cell] = (1.0, float(rule - 1))  # above 0, below the rule
        elif shown.withheld:
            hidden[cell] = (0.0, None)
    # The constraints of each table (area and period): total = parts, or ≥ present parts.
    sums = control.sums(relations, dims_of, known.keys() | hidden.keys())
    tables = by_table(sums, hidden)
    exposed = [
        Exposed(cell, low, high, rule)
        for constraints in tables.values()
        for cell, low, high in narrowed(constraints, known, hidden, rule)
    ]
    return sorted(exposed, key=lambda e: e.cell)
