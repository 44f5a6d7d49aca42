"""Declarative validation rules for statistical questionnaires; the engine
lives in `definitions` until it is split by responsibility."""

from observatory.statistics.rules.definitions import (
    RESULT_SCHEMA,
    TOTAL,
    Rule,
    RuleDefinitionError,
    evaluate,
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
