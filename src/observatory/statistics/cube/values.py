"""How a stored number is written as text, the same way everywhere (the API,
the exports, the portal file): no exponent, no trailing zeros, "0" for zero."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import polars as pl


def number_text(value: Decimal | None) -> str:
    """A number as the portal writes it: no exponent, no trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _plain_number(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return number_text(Decimal(text))
    except InvalidOperation:
        return text


def number_expr(column: str) -> pl.Expr:
    """Stored numbers as text (numeric(30,12) on PostgreSQL; on SQLite see
    raw_chunks) written as number_text writes them: no trailing zeros."""
    text = pl.col(column)
    trimmed = (
        pl.when(text.str.contains(".", literal=True))
        .then(text.str.strip_chars_end("0").str.strip_chars_end("."))
        .otherwise(text)
    )
    return pl.when(trimmed.is_in(["-0", ""])).then(pl.lit("0")).otherwise(trimmed)
