"""How a stored number is written as text, the same way everywhere (the API,
the exports, the portal file): no exponent, no trailing zeros, "0" for zero."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def number_expr(column: str | pl.Expr) -> pl.Expr:
    """Stored numbers as text (numeric(30,12) on PostgreSQL; on SQLite see
    raw_chunks) written as number_text writes them: no trailing zeros."""
    text = pl.col(column) if isinstance(column, str) else column
    trimmed = (
        pl.when(text.str.contains(".", literal=True) & ~text.str.contains("[eE]"))
        .then(text.str.strip_chars_end("0").str.strip_chars_end("."))
        .otherwise(text)
    )
    return pl.when(trimmed.is_in(["-0", ""])).then(pl.lit("0")).otherwise(trimmed)


STORED_PLACES = Decimal("1e-12")  # Observation.value: numeric(30, 12)


# What Observation.value keeps exactly: STORED_PLACES decimals (numeric(30, 12));
# on SQLite a REAL, 15 significant digits.
KEPT_DIGITS = 15


def exact_text(value: str | None) -> str | None:
    """The number as the file wrote it (no exponent) where the database would
    not keep all its digits (1.2345678901234567, 3.5e-15), else None."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    _sign, digits, exponent = number.normalize().as_tuple()
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    kept = -STORED_PLACES.as_tuple().exponent  # type: ignore[operator]
    if places <= kept and len(digits) <= KEPT_DIGITS:
        return None
    return number_text(number)


def number_texts(texts: pl.Series, *, stored: bool = False) -> pl.Series:
    """number_text of each text (a number as a file or the database writes it),
    in exact decimal arithmetic; texts that are no number stay as they are.
    With `stored`, the number as the database gives it back (12 decimals)."""
    plain: dict[str, str] = {}
    for text in texts.cast(pl.String).drop_nulls().unique().to_list():
        try:
            number = Decimal(text)
            if stored and number.is_finite():
                number = number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)
            plain[text] = number_text(number)
        except InvalidOperation:
            plain[text] = text
    return texts.cast(pl.String).replace_strict(plain, default=None, return_dtype=pl.String)


# A column under a group label of a second header row ("Males" over Best, Low,
# High): its header is "Males › Best" (formats/annex.py reads, exports/layout.py
# writes the two rows back).
GROUP = " › "


def header_rows(headers: list[str]) -> list[list[str]]:
    """The header row of a layout, or the two rows its grouped headers came from
    (a group label over the first column of its span, as merged cells hold it)."""
    if not any(GROUP in h for h in headers):
        return [headers]
    over, under, previous = [], [], None
    for header in headers:
        group, sep, base = header.partition(GROUP)
        if not sep:
            group, base = "", header
        over.append(group if group and group != previous else "")
        under.append(base)
        previous = group or None
    return [over, under]
