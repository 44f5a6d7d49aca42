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

Rankings. A `ranking` rule checks ranks (1 = first) given to the codes of
one dimension, e.g. the partner countries of a trafficking route:

    - id: ARQ-ROUTE-RANKING
      kind: ranking
      cell: {INDICATOR: ROUTE_RANK, UNIT_MEASURE: RANK}  # the ranked cells
      for_each: [DRUG, ROUTE_ROLE]                       # one ranking per group
      across: REF_PARTNER                                # the codes ranked
      gaps: warning                                      # or error, or allowed

`across` names the dimension ranked: the cell does not pin it and it is not
in for_each; every code found is ranked. In each group (area, period and the
codes of for_each and free dimensions) the reported numbers are the ranks;
not available, not applicable and missing cells rank nothing. The rule's
importance (error unless it says otherwise) applies to a rank that is not a
whole number of at least 1 (one row per cell: "The rank of REF_PARTNER=IND is
1.5, which is not a whole number of at least 1") and to a rank given to two
or more codes of a group (one row per rank, naming them all: "REF_PARTNER=AFG
and REF_PARTNER=PAK both have rank 1; a rank can be given only once"). `gaps`
is the importance of ranks that skip a number below the highest ("Ranks 1 and
3 are given, but not rank 2"; one row per group, warning by default; allowed
checks nothing). The scope is the group; the cells are the ones involved
(for a gap, every ranked cell of the group); left and right are the bad rank
and nothing, the rank twice, or the highest rank and the number of ranks
given. A confidential rank is never printed, nor a rank it shares, nor the
ranks of a group that has one. `missing` does not apply.

The package, by responsibility: `definitions` (the language and its parser),
`plan` (rules resolved against the data and turned into tables), `evaluation`
(`evaluate` and the frames it prepares), `grid` (comparisons, pairs and
rates over groups of cells), `cells` (bounds, shares, changes and outliers of
one cell), `ranking` (ranks across a dimension) and `expressions` (the result
schema and the wording they share).
"""

from observatory.statistics.questionnaires.rules.evaluation import evaluate
from observatory.statistics.questionnaires.rules.expressions import RESULT_SCHEMA
from observatory.statistics.questionnaires.rules.language import (
    TOTAL,
    Rule,
    RuleDefinitionError,
    parse_rules,
)

__all__ = [
    "RESULT_SCHEMA",
    "TOTAL",
    "Rule",
    "RuleDefinitionError",
    "evaluate",
    "parse_rules",
]
