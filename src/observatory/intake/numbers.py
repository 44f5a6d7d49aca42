"""Reading numbers written as text, without ever changing one.

A column writes its numbers one way: its decimal mark is "." (12.5, 1,234.5)
or "," (12,5, 1.234,5). The mark is decided from the whole column, never cell
by cell:

* a text that only one mark reads settles it ("12.5", "1,234.5", "3.5e-06"
  need "."; "12,5", "1.234,5" need ",");
* a text both marks read as the same number says nothing (7, 1 234);
* a text both marks read, as different numbers, is ambiguous: "1,757" is
  1757 or 1.757, "1.217" is 1.217 or 1217. With nothing else in the column to
  settle it, nobody can know: the column is undecided and the reader must ask
  (the user names the mark). For whole numbers (counts), a reading that is not
  whole is no reading: "1,200" in a count column can only be 1200;
* a column with texts that need "." and others that need "," is mixed: it is
  undecided too.

Thousands may be grouped with the other mark, with spaces (also no-break and
narrow no-break spaces) or apostrophes, in groups of three digits. Scientific
notation is read. A number comes out as text with a decimal point and no
grouping, exactly the digits written ("1.50" stays "1.50"): turning it into a
binary float is the caller's choice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

Mark = Literal[".", ","]
MARKS: tuple[Mark, ...] = (".", ",")
OTHER: dict[Mark, str] = {".": ",", ",": "."}
SPACES = "[ \u00a0\u202f']"
_SPACE_GROUPED = rf"^[-+]?\d{{1,3}}({SPACES}\d{{3}})+([.,]\d+)?$"
_EXPONENT = r"[eE][-+]?\d+"


def _pattern(mark: Mark) -> str:
    """A number as this mark writes it, after space grouping is taken out."""
    d = "\\" + mark if mark == "." else mark
    g = "\\" + OTHER[mark] if OTHER[mark] == "." else OTHER[mark]
    whole = rf"(\d+|\d{{1,3}}({g}\d{{3}})+)"
    plain = rf"{whole}({d}\d+)?"
    fraction = rf"{d}\d+"
    scientific = rf"(\d+({d}\d*)?|{d}\d+){_EXPONENT}"
    return rf"^[-+]?({plain}|{fraction}|{scientific})$"


PATTERNS: dict[Mark, str] = {mark: _pattern(mark) for mark in MARKS}


def _ungrouped(text: pl.Expr) -> pl.Expr:
    """Spaces and apostrophes between groups of three digits dropped; other
    texts as they are."""
    return (
        pl.when(text.str.contains(_SPACE_GROUPED))
        .then(text.str.replace_all(SPACES, ""))
        .otherwise(text)
    )


def parse(text: pl.Expr, mark: Mark) -> pl.Expr:
    """The number `text` writes with decimal mark `mark`, as text with a decimal
    point ("1,234.5" -> "1234.5" for "."; "1.234,5" -> "1234.5" for ","); null
    when it is not a number written that way."""
    stripped = _ungrouped(text.str.strip_chars())
    plain = stripped.str.replace(r"^\+", "").str.replace_all(
        r"\." if OTHER[mark] == "." else ",", ""
    )
    if mark == ",":
        plain = plain.str.replace(",", ".", literal=True)
    return pl.when(stripped.str.contains(PATTERNS[mark])).then(plain)


def _is_whole(number: pl.Expr) -> pl.Expr:
    value = number.cast(pl.Float64, strict=False)
    return value.is_not_null() & (value == value.floor())


@dataclass(frozen=True)
class Decision:
    """The decimal mark of a column, or why there is none.

    `mark` is None when the column is undecided: `ambiguous` holds texts both
    marks read as different numbers, `mixed` texts of each mark (both only when
    the column mixes them)."""

    mark: Mark | None
    ambiguous: list[str] = field(default_factory=list)
    mixed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def question(self) -> str:
        """What to ask the user when the column is undecided."""
        if self.mixed:
            examples = "; ".join(f"{', '.join(t)} need “{m}”" for m, t in self.mixed.items())
            return (
                f"the column writes numbers both ways ({examples}): say which decimal "
                "mark the file uses"
            )
        first = self.ambiguous[0] if self.ambiguous else ""
        readings = " or ".join(str(pl.select(parse(pl.lit(first), m)).item()) for m in MARKS)
        return (
            f"“{first}” could be {readings}, and nothing else in the column says which: "
            "say which decimal mark the file uses"
        )


def decide(texts: pl.Series, *, whole: bool = False, examples: int = 3) -> Decision:
    """The decimal mark of the column `texts` (see the module's docstring);
    with `whole`, only whole numbers are readings."""
    distinct = texts.drop_nulls().str.strip_chars().unique()
    frame = pl.DataFrame({"text": distinct}).with_columns(
        parse(pl.col("text"), m).alias(m) for m in MARKS
    )
    if whole:
        frame = frame.with_columns(
            pl.when(_is_whole(pl.col(m))).then(pl.col(m)).alias(m) for m in MARKS
        )
    point, comma = pl.col("."), pl.col(",")
    values = pl.col(".").cast(pl.Float64, strict=False), pl.col(",").cast(pl.Float64, strict=False)
    only_point = frame.filter(point.is_not_null() & comma.is_null())["text"].sort()
    only_comma = frame.filter(comma.is_not_null() & point.is_null())["text"].sort()
    ambiguous = frame.filter(point.is_not_null() & comma.is_not_null() & (values[0] != values[1]))[
        "text"
    ].sort()
    if len(only_point) and len(only_comma):
        return Decision(
            mark=None,
            mixed={
                ".": only_point.head(examples).to_list(),
                ",": only_comma.head(examples).to_list(),
            },
        )
    if len(only_point):
        return Decision(mark=".")
    if len(only_comma):
        return Decision(mark=",")
    if len(ambiguous):
        return Decision(mark=None, ambiguous=ambiguous.head(examples).to_list())
    return Decision(mark=".")  # only numbers that read the same either way


def ambiguous_texts(texts: pl.Expr, *, whole: bool = False) -> pl.Expr:
    """Whether each text is read as different numbers by the two marks."""
    point, comma = parse(texts, "."), parse(texts, ",")
    if whole:
        point = pl.when(_is_whole(point)).then(point)
        comma = pl.when(_is_whole(comma)).then(comma)
    return (
        point.is_not_null()
        & comma.is_not_null()
        & (point.cast(pl.Float64, strict=False) != comma.cast(pl.Float64, strict=False))
    )


def mark_option(value: object) -> Mark | None:
    """A decimal mark the user named (".", ","; also "point", "comma"), or None
    for "decide from the file"; anything else is a ValueError."""
    if value in (None, "", "auto"):
        return None
    named = {".": ".", "point": ".", "dot": ".", ",": ",", "comma": ","}
    if str(value).strip().lower() not in named:
        raise ValueError(f"the decimal mark is “.” or “,”, not {value!r}")
    return named[str(value).strip().lower()]  # type: ignore[return-value]
