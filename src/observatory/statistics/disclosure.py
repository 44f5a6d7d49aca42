"""Statistical disclosure control: one rule for every way observations leave
the system (the API, the series explorer, every export format).

Who is controlled: the access policy says which areas a user gets exactly as
reported (`access.undisclosed_areas`): every area for office analysts, their
own country for its contributors and focal points. Every other area, and every
area for the public, is controlled:

* a value marked confidential (CONF_STATUS other than F) is withheld: no
  number, its status kept;
* where the structure has a disclosure rule (`suppress_below` n), a count
  (UNIT_MEASURE COUNT, or any value of a structure without a unit) above zero
  and below n is published as "<n" without its number (primary suppression,
  SDMX CONF_STATUS A: small counts);
* every other value of a cell whose count is small (the same area, period and
  series key but the unit: the rate per 100,000, the share) is withheld, with
  CONF_STATUS D (secondary suppression by the sender): rate × population gives
  the count back. A count the country itself reported censored ("<5") makes
  its cell small too;
* a count that would give a suppressed one back by subtraction is withheld
  too, with D (complementary suppression): where the dataflow's questionnaires
  declare a sum exact (rules of kind sex_total: female + male + unknown = total,
  adults + children + unknown = all ages), one suppressed term alone would be
  the total minus the others, so the smallest other part is withheld with it
  (the total if no part is left), and again until no sum has a single
  suppressed term. A part not reported, or without a number, is taken as known
  (zero): cautious, since the total minus the other parts still bounds the
  suppressed one. Sums declared only as bounds (parts <= total) are left as
  they are.

Two implementations of the same rule: `Disclosure.shown` for one observation
and `Disclosure.frame` for a Polars frame (the streamed exports); the tests
check that they agree on every case."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Q, QuerySet

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.statistics.models import Dataflow, Observation

UNIT = "UNIT_MEASURE"
COUNT = "COUNT"
FREE = "F"
SMALL_COUNT = "A"  # SDMX CONF_STATUS: primary confidentiality due to small counts
SECONDARY = "D"  # SDMX CONF_STATUS: secondary confidentiality set by the sender
SEPARATOR = "\x1f"  # joins area, period and key into one lookup string


@dataclass(frozen=True)
class Shown:
    """An observation as a user gets it: the number (None when there is none or
    it is withheld), the published marker ("<5", or ""), the confidentiality
    status, and whether disclosure control took the number away."""

    value: Decimal | None
    censored: str
    conf_status: str
    withheld: bool = False


@dataclass(frozen=True)
class Disclosure:
    """Disclosure control of one dataflow for one user.

    `undisclosed`: the areas shown as reported (None: every area).
    `dimensions`: the structure's series dimensions in order (the area apart).
    `small_cells`: the controlled cells with a small count, or whose count is
    withheld by complementary suppression, as `cell_id`s (their other values
    are withheld). `complementary`: the cells whose count is withheld so that a
    small one cannot be computed by subtraction."""

    rule: int | None
    undisclosed: frozenset[str] | None
    dimensions: tuple[str, ...]
    small_cells: frozenset[str] = frozenset()
    complementary: frozenset[str] = frozenset()
    flow: str = ""  # the dataflow's id, for the sums its questionnaires declare

    @classmethod
    def of(cls, actor: ActorLike, dataflow: Dataflow, dimensions: Iterable[str]) -> Disclosure:
        return cls(
            rule=dataflow.structure.suppress_below or None,
            undisclosed=access.undisclosed_areas(actor),
            dimensions=tuple(dimensions),
            flow=dataflow.code,
        )

    def with_small_cells(self, observations: QuerySet[Observation]) -> Disclosure:
        """The same, knowing the small counts among `observations` (the rows the
        user may see; only controlled areas are read)."""
        if not self.rule or self.undisclosed is None:
            return self
        rows = observations.filter(
            Q(value__gt=0, value__lt=self.rule) | (Q(value__isnull=True) & ~Q(censored=""))
        ).exclude(area_id__in=sorted(self.undisclosed))
        if self.has_unit:
            rows = rows.filter(dims__UNIT_MEASURE=COUNT)
        cells = frozenset(
            self.cell_id(area, period, dims)
            for area, period, dims in rows.order_by().values_list("area_id", "time_period", "dims")
        )
        complementary: frozenset[str] = frozenset()
        relations = exact_sums(self.flow)
        if cells and relations:
            counts = observations.exclude(area_id__in=sorted(self.undisclosed))
            if self.has_unit:
                counts = counts.filter(dims__UNIT_MEASURE=COUNT)
            complementary = self._complementary(cells, relations, counts)
        return Disclosure(
            self.rule,
            self.undisclosed,
            self.dimensions,
            cells | complementary,
            complementary,
            self.flow,
        )

    def _complementary(
        self,
        small: frozenset[str],
        relations: list[tuple[str, str, tuple[str, ...]]],
        counts: QuerySet[Observation],
    ) -> frozenset[str]:
        """The counts to withhold so that no exact sum has a single suppressed
        term (see the module's docstring)."""
        value: dict[str, Decimal | None] = {}
        dims_of: dict[str, Mapping[str, str]] = {}
        for area, period, dims, number in counts.order_by().values_list(
            "area_id", "time_period", "dims", "value"
        ):
            cell = self.cell_id(area, period, dims)
            value[cell], dims_of[cell] = number, {**dims, "_area": area, "_period": period}
        # Each instance of each sum: its total cell and its part cells.
        sums = [(whole, terms) for whole, terms, _all in self.sums(relations, dims_of, value)]
        hidden = set(small)
        for _round in range(50):
            changed = False
            for whole, terms in sums:
                if sum(t in hidden for t in (whole, *terms)) != 1:
                    continue
                # The smallest part that protects: a hidden zero would leave the
                # small one within [0, the difference] (100 - 98 = 2 of two).
                shown = sorted(
                    (t for t in terms if t not in hidden and value[t] is not None),
                    key=lambda t: (value[t] == 0, value[t], t),
                )
                if shown:
                    hidden.add(shown[0])
                elif whole not in hidden and value[whole] is not None:
                    hidden.add(whole)
                else:
                    continue
                changed = True
            if not changed:
                break
        # For the intervals a part without a number is not known: a sum with
        # one is no equality.
        numbered = {c for c, v in value.items() if v is not None} | set(small)
        self._protect(hidden, small, self.sums(relations, dims_of, numbered), value)
        return frozenset(hidden - small)

    def sums(
        self,
        relations: list[tuple[str, str, tuple[str, ...]]],
        dims_of: Mapping[str, Mapping[str, str]],
        present: Collection[str],
    ) -> list[tuple[str, list[str], bool]]:
        """Each instance of each exact sum among the cells `dims_of` (cell ->
        its dims, with _area and _period): its total cell, the part cells in
        `present`, and whether every part is there."""
        found = []
        for dimension, total, parts in relations:
            for cell, dims in dims_of.items():
                if dims.get(dimension) != total:
                    continue
                terms = [
                    self.cell_id(dims["_area"], dims["_period"], {**dims, dimension: part})
                    for part in parts
                ]
                there = [term for term in terms if term in present]
                if there:
                    found.append((cell, there, len(there) == len(terms)))
        return found

    def _protect(
        self,
        hidden: set[str],
        small: frozenset[str],
        sums: list[tuple[str, list[str], bool]],
        value: dict[str, Decimal | None],
    ) -> None:
        """More counts withheld while the published ones still pin a small
        count down (statistics/intervals.py: two counts under 5 adding up to 2
        are 1 and 1): each round, for each such count, the smallest part (not
        a zero) of a sum it is in."""
        from observatory.statistics.intervals import narrowed

        rule = self.rule or 0
        for _round in range(20):
            tables = by_table(sums, hidden)
            known = {c: float(v) for c, v in value.items() if c not in hidden and v is not None}
            bounds: dict[str, tuple[float, float | None]] = {
                c: (1.0, float(rule - 1)) if c in small else (0.0, None) for c in hidden
            }
            exposed = [
                cell
                for constraints in tables.values()
                for cell, _low, _high in narrowed(constraints, known, bounds, rule)
            ]
            if not exposed:
                return
            for cell in exposed:
                candidates = sorted(
                    (
                        t
                        for whole, terms, _all in sums
                        if cell in (whole, *terms)
                        for t in (*terms, whole)
                        if t not in hidden and value.get(t) is not None
                    ),
                    key=lambda t: (value[t] == 0, value[t], t),
                )
                if candidates:
                    hidden.add(candidates[0])

    # ------------------------------------------------------------------
    # One observation

    @property
    def has_unit(self) -> bool:
        return UNIT in self.dimensions

    @property
    def controls_any(self) -> bool:
        return self.undisclosed is not None

    def controls(self, area: str) -> bool:
        return self.undisclosed is not None and area not in self.undisclosed

    def is_count(self, dims: Mapping[str, str]) -> bool:
        return not self.has_unit or dims.get(UNIT) == COUNT

    def cell_id(self, area: str, period: str, dims: Mapping[str, str]) -> str:
        """The cell of an observation whatever its unit: area, period and the
        codes of the other dimensions."""
        key = ".".join(dims.get(d, "") for d in self.dimensions if d != UNIT)
        return SEPARATOR.join((area, period, key))

    def shown(
        self,
        *,
        area: str,
        period: str,
        dims: Mapping[str, str],
        value: Decimal | None,
        censored: str = "",
        conf_status: str = FREE,
    ) -> Shown:
        conf_status = conf_status or FREE
        if not self.controls(area):
            return Shown(value, censored or "", conf_status)
        if conf_status != FREE:
            return Shown(None, "", conf_status, withheld=value is not None)
        if censored or value is None or not self.rule:
            return Shown(value, censored or "", conf_status)
        if self.is_count(dims):
            if 0 < value < self.rule:
                return Shown(None, f"<{self.rule}", SMALL_COUNT, withheld=True)
            if self.cell_id(area, period, dims) in self.complementary:
                return Shown(None, "", SECONDARY, withheld=True)
            return Shown(value, "", conf_status)
        if self.cell_id(area, period, dims) in self.small_cells:
            return Shown(None, "", SECONDARY, withheld=True)
        return Shown(value, "", conf_status)

    # ------------------------------------------------------------------
    # A frame

    def frame(
        self,
        frame: pl.DataFrame,
        *,
        area: str,
        period: str,
        value: str,
        censored: str,
        conf_status: str,
    ) -> pl.DataFrame:
        """`frame` with its columns `value` (numbers as text or floats),
        `censored` and `conf_status` replaced as `shown` would, and a Boolean
        column `_withheld`; the dimension columns must be there by name."""
        conf = pl.col(conf_status).fill_null("").replace("", FREE)
        marker = pl.col(censored).fill_null("")
        number = pl.col(value)
        if not self.controls_any:
            return frame.with_columns(
                conf.alias(conf_status), marker.alias(censored), pl.lit(False).alias("_withheld")
            )
        controlled = ~pl.col(area).is_in(sorted(self.undisclosed or ()))
        confidential = controlled & (conf != FREE)
        small = secondary = pl.lit(False)
        if self.rule:
            amount = number.cast(pl.Float64, strict=False)
            plain = controlled & ~confidential & (marker == "") & amount.is_not_null()
            count = (pl.col(UNIT) == COUNT) if self.has_unit else pl.lit(True)
            small = plain & count & (amount > 0) & (amount < self.rule)
            if self.small_cells:
                others = [d for d in self.dimensions if d != UNIT]
                key = (
                    pl.concat_str([pl.col(d).fill_null("") for d in others], separator=".")
                    if others
                    else pl.lit("")
                )
                cell = pl.concat_str([pl.col(area), pl.col(period), key], separator=SEPARATOR)
                secondary = plain & ~count & cell.is_in(sorted(self.small_cells))
                if self.complementary:
                    secondary = secondary | (
                        plain & count & ~small & cell.is_in(sorted(self.complementary))
                    )
        small = small.fill_null(False)
        secondary = secondary.fill_null(False)
        withheld = (confidential & number.is_not_null()) | small | secondary
        return frame.with_columns(
            pl.when(confidential | small | secondary)
            .then(pl.lit(None, frame.schema[value]))
            .otherwise(number)
            .alias(value),
            pl.when(confidential)
            .then(pl.lit(""))
            .when(small)
            .then(pl.lit(f"<{self.rule}"))
            .otherwise(marker)
            .alias(censored),
            pl.when(small)
            .then(pl.lit(SMALL_COUNT))
            .when(secondary)
            .then(pl.lit(SECONDARY))
            .otherwise(conf)
            .alias(conf_status),
            withheld.fill_null(False).alias("_withheld"),
        )


def by_table(
    sums: list[tuple[str, list[str], bool]], hidden: Collection[str]
) -> dict[tuple[str, ...], list[tuple[str, list[str], bool]]]:
    """The sums with a withheld cell, by table (area and period)."""
    tables: dict[tuple[str, ...], list[tuple[str, list[str], bool]]] = {}
    for whole, terms, everything in sums:
        if {whole, *terms} & set(hidden):
            tables.setdefault(tuple(whole.split(SEPARATOR)[:2]), []).append(
                (whole, terms, everything)
            )
    return tables


# Codes that make a breakdown exhaustive: with "other" and "not known" among
# its parts, the parts add up to the total (forms of exploitation, citizenship).
CATCH_ALL = frozenset({"_U", "_O", "_X", "OTHER", "UNKNOWN"})


def exact_sums(flow: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(dimension, total code, part codes) of the sums the questionnaires of
    dataflow `flow` declare exact: rules of kind sex_total, and breakdowns of
    one dimension whose parts include an "other" or "not known" code (a
    parts_le_total rule: the parts cannot but add up to the total)."""
    from observatory.statistics.models import Questionnaire

    found: set[tuple[str, str, tuple[str, ...]]] = set()
    for definition in Questionnaire.objects.filter(dataflow__code=flow).values_list(
        "definition", flat=True
    ):
        for rule in (definition or {}).get("rules") or []:
            if not isinstance(rule, dict):
                continue
            if rule.get("kind") == "sex_total":
                dimension = str(rule.get("dimension", "SEX"))
                total = rule.get("total") or {}
                parts = tuple(str(part) for part in rule.get("parts") or ())
                if parts:
                    found.add((dimension, str(total.get(dimension, "_T")), parts))
            elif rule.get("kind") == "parts_le_total":
                exhaustive = _exhaustive(rule)
                if exhaustive is not None:
                    found.add(exhaustive)
    return sorted(found)


def _exhaustive(rule: dict[str, Any]) -> tuple[str, str, tuple[str, ...]] | None:
    total = {k: v for k, v in (rule.get("total") or {}).items() if k != "label"}
    parts = [
        {k: v for k, v in part.items() if k != "label"}
        for part in rule.get("parts") or []
        if isinstance(part, dict)
    ]
    if len(total) != 1 or not parts or any(part.keys() != total.keys() for part in parts):
        return None
    (dimension,) = total
    codes = tuple(str(part[dimension]) for part in parts)
    if not CATCH_ALL & set(codes):
        return None
    return dimension, str(total[dimension]), codes
