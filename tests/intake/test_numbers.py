"""Property tests of the number reader (intake/numbers.py): a number written in
any common way comes back equal, or is refused or asked about; never changed."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.intake import numbers

GROUPINGS = {
    ".": [",", " ", "\u00a0", "\u202f", "'", ""],
    ",": [".", " ", "\u00a0", "\u202f", "'", ""],
}


def grouped(digits: str, separator: str) -> str:
    """`digits` with `separator` between groups of three from the right."""
    if not separator:
        return digits
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


@st.composite
def written(draw: st.DrawFn) -> tuple[Decimal, str, str]:
    """(the number, its text, the decimal mark it was written with)."""
    whole = draw(st.integers(min_value=0, max_value=10**15))
    decimals = draw(st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6)))
    mark = draw(st.sampled_from(numbers.MARKS))
    separator = draw(st.sampled_from(GROUPINGS[mark]))
    negative = draw(st.booleans())
    text = grouped(str(whole), separator) + (mark + decimals if decimals else "")
    value = Decimal(f"{whole}.{decimals}" if decimals else str(whole))
    if negative:
        text, value = "-" + text, -value
    return value, text, mark


def read(texts: list[str], mark: numbers.Mark) -> list[str | None]:
    return (
        pl.select(numbers.parse(pl.lit(pl.Series(texts, dtype=pl.String)), mark))
        .to_series()
        .to_list()
    )


@settings(max_examples=400, deadline=None)
@given(written())
def test_a_number_read_with_the_mark_it_was_written_with_is_equal(
    case: tuple[Decimal, str, str],
) -> None:
    value, text, mark = case
    (number,) = read([text], mark)  # type: ignore[arg-type]
    assert number is not None, text
    assert Decimal(number) == value, (text, number)


@settings(max_examples=400, deadline=None)
@given(written())
def test_read_with_the_other_mark_a_number_is_equal_refused_or_ambiguous(
    case: tuple[Decimal, str, str],
) -> None:
    value, text, mark = case
    other: numbers.Mark = "," if mark == "." else "."
    (number,) = read([text], other)
    if number is not None and Decimal(number) != value:
        # Read differently the other way: then the column cannot decide by
        # this value alone, and the reader asks instead of choosing.
        decision = numbers.decide(pl.Series([text]))
        assert decision.mark is None, (text, number, decision)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(numbers.MARKS), st.lists(written(), min_size=1, max_size=8))
def test_a_column_written_one_way_is_read_that_way_or_asked_about(
    mark: numbers.Mark, drawn: list[tuple[Decimal, str, str]]
) -> None:
    # Given a column whose numbers are all written with one decimal mark
    cases = [case for case in drawn if case[2] == mark] or [(Decimal(7), "7", mark)]
    texts = [text for _value, text, _mark in cases]

    # Then the column never decides the other mark, and what it reads is as written
    decision = numbers.decide(pl.Series(texts))
    if decision.mark is None:
        assert decision.ambiguous, texts  # asked, with the values that read two ways
        return
    got = read(texts, decision.mark)
    for (value, text, _mark), number in zip(cases, got, strict=True):
        assert number is not None, (texts, text)
        assert Decimal(number) == value, (texts, text, number)


def test_scientific_notation_is_read_as_written() -> None:
    assert read(["3.5e-06", "1E3", "-2.5E+2"], ".") == ["3.5e-06", "1E3", "-2.5E+2"]
    assert [Decimal(x) for x in read(["3,5e-06"], ",")] == [Decimal("3.5e-06")]
