"""Turning mapped text columns into typed, normalised columns, and finding every
problem on the way, vectorised with Polars (never row by row in Python).

Each problem is one row of the issues frame: the original row number, the
column as the file names it, the value as written, what was expected, and a
suggestion when there is one. Errors block a row; warnings can be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from observatory.intake import numbers
from observatory.intake.reading import NUMERIC_PREFIX, ROW_NUMBER
from observatory.intake.schema import DatasetSchema, Field, FieldType
from observatory.reference.matching import Match, fold

ERROR = "error"
WARNING = "warning"
ISSUE_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "field": pl.String,
    "value": pl.String,
    "severity": pl.String,
    "code": pl.String,
    "message": pl.String,
    "expected": pl.String,
    "suggestion": pl.String,
}
UNKNOWN_WORDS = {
    "unknown",
    "desconocido",
    "desconocida",
    "inconnu",
    "inconnue",
    "未知",
    "不详",
    "неизвестно",
    "غير معروف",
    "n/a",
    "na",
    "nd",
    "s/d",
    "sin dato",
    "ignorado",
    "no especificado",
    "not known",
    "unk",
    "unspecified",
}
OTHER_WORDS = {"other", "otro", "otra", "otros", "autre", "autres", "其他", "другое", "أخرى"}
# Suggestions below this similarity are noise ("xyz" is nothing like GHB).
SUGGESTION_SCORE = 0.7
LIST_SEPARATORS = r"\s*[;,/>|]\s*|\s+-\s+|\s*→\s*"


@dataclass
class Normalisers:
    """Text -> code functions for the reference kinds, injected so the engine
    stays testable without a database."""

    area: Callable[[Iterable[object]], dict[str, Match]]
    drug: Callable[[Iterable[object]], dict[str, Match]]
    unit: Callable[[Iterable[object]], dict[str, Match]]


@dataclass
class ValidationResult:
    clean: pl.DataFrame
    issues: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> set[int]:
        return set(self.issues.filter(pl.col("severity") == ERROR)["row"].to_list())

    def valid(self) -> pl.DataFrame:
        bad = self.issues.filter(pl.col("severity") == ERROR)["row"].unique()
        if bad.is_empty():
            return self.clean  # no copy
        return self.clean.filter(~pl.col(ROW_NUMBER).is_in(bad.implode()))

    def invalid(self) -> pl.DataFrame:
        bad = self.issues.filter(pl.col("severity") == ERROR)["row"].unique()
        return self.clean.filter(pl.col(ROW_NUMBER).is_in(bad.implode()))


def _stripped(column: pl.Series) -> pl.Expr:
    """The column's texts without surrounding spaces ("" for missing cells); the
    column itself (no copy) when it already is so."""
    if column.null_count() == 0 and not column.str.contains(r"^\s|\s$").any():
        return pl.col(column.name)
    return pl.col(column.name).fill_null("").str.strip_chars()


def _per_value(frame: pl.DataFrame, column: str, exprs: dict[str, pl.Expr]) -> pl.DataFrame:
    """Add `exprs` (of `column` alone), evaluated once per distinct value of the
    column and looked up for each row, when values repeat (dates, counts, codes):
    parsing a few thousand dates beats parsing a million."""
    values = frame.select(pl.col(column).unique())
    if values.height * 2 > frame.height:
        return frame.with_columns(expr.alias(name) for name, expr in exprs.items())
    table = values.with_columns(expr.alias(name) for name, expr in exprs.items())
    return frame.with_columns(
        pl.col(column)
        .replace_strict(table[column], table[name], default=None, return_dtype=table.schema[name])
        .alias(name)
        for name in exprs
    )


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issues_where(
    frame: pl.DataFrame,
    condition: pl.Expr,
    *,
    column: str | pl.Expr,
    field_name: str,
    value: pl.Expr,
    severity: str,
    code: str,
    message: str | pl.Expr,
    expected: str = "",
    suggestion: pl.Expr | str = "",
) -> pl.DataFrame:
    """One issue for every row of `frame` where `condition` holds."""
    hits = frame.filter(condition)
    if hits.is_empty():
        return empty_issues()
    return hits.select(
        pl.col(ROW_NUMBER).alias("row"),
        (column if isinstance(column, pl.Expr) else pl.lit(column)).alias("column"),
        pl.lit(field_name).alias("field"),
        value.cast(pl.String).alias("value"),
        pl.lit(severity).alias("severity"),
        pl.lit(code).alias("code"),
        (message if isinstance(message, pl.Expr) else pl.lit(message)).alias("message"),
        pl.lit(expected).alias("expected"),
        (suggestion if isinstance(suggestion, pl.Expr) else pl.lit(suggestion))
        .cast(pl.String)
        .alias("suggestion"),
    )


# --------------------------------------------------------------------------
# Numbers and dates


_SLASH = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"


def detect_day_first(texts: pl.Series) -> tuple[bool, bool]:
    """(day_first, ambiguous) for a file's a/b/yyyy dates: a value above 12 in the
    first place means day/month, in the second month/day; neither is ambiguous."""
    parts = texts.str.strip_chars().str.extract_groups(_SLASH).struct.unnest()
    if parts.is_empty():
        return True, False
    first = parts["1"].cast(pl.Int32, strict=False)
    second = parts["2"].cast(pl.Int32, strict=False)
    first_big = bool((first > 12).any())
    second_big = bool((second > 12).any())
    if first_big and not second_big:
        return True, False
    if second_big and not first_big:
        return False, False
    has_slash_dates = bool(first.is_not_null().any())
    return True, has_slash_dates and not first_big


def parse_dates(text: pl.Expr, *, day_first: bool) -> tuple[pl.Expr, pl.Expr]:
    """(date, precision) from ISO dates, dd/mm/yyyy or mm/dd/yyyy, Excel serial
    numbers, 'yyyy-mm' (month precision) and 'yyyy' (year precision)."""
    # 2023年5月14日 (Chinese and Japanese) -> 2023-5-14
    t = text.str.strip_chars().str.replace(
        r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$", "$1-$2-$3"
    )
    t10 = t.str.slice(0, 10)  # '2024-03-01T00:00:00' from Excel cells
    slash = t.str.replace_all(r"[.\-]", "/")
    day = pl.coalesce(
        t10.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        t10.str.strptime(pl.Date, "%Y/%m/%d", strict=False),
        slash.str.strptime(pl.Date, "%d/%m/%Y" if day_first else "%m/%d/%Y", strict=False),
        pl.when(t.str.contains(r"^\d{8}$")).then(t.str.strptime(pl.Date, "%Y%m%d", strict=False)),
    )
    serial = t.cast(pl.Float64, strict=False)
    excel = pl.when(serial.is_between(20000, 80000)).then(
        pl.lit(date(1899, 12, 30)) + pl.duration(days=serial.floor().cast(pl.Int64))
    )
    month = pl.when(t.str.contains(r"^\d{4}[-/]\d{1,2}$")).then(
        (t.str.replace("/", "-") + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )
    year = pl.when(t.str.contains(r"^\d{4}$")).then(
        (t + "-01-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )
    value = pl.coalesce(day, excel.cast(pl.Date), month, year)
    precision = (
        pl.when(day.is_not_null() | excel.is_not_null())
        .then(pl.lit("day"))
        .when(month.is_not_null())
        .then(pl.lit("month"))
        .when(year.is_not_null())
        .then(pl.lit("year"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return value, precision


# --------------------------------------------------------------------------
# The engine


def _lookup_frame(matches: dict[str, Match], column: str) -> pl.DataFrame:
    rows = [
        (
            text,
            m.code,
            m.confidence,
            m.suggestions[0].code if m.suggestions else None,
            ", ".join(
                f"{s.label} ({s.code})" for s in m.suggestions[:3] if s.score >= SUGGESTION_SCORE
            ),
        )
        for text, m in matches.items()
    ]
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            column: pl.String,
            "_code": pl.String,
            "_confidence": pl.Float64,
            "_best": pl.String,
            "_suggestions": pl.String,
        },
    )


@dataclass
class _Column:
    """One mapped field while it is checked: the frame so far, the field, the
    file's column feeding it, and where its text sits in the frame."""

    frame: pl.DataFrame
    spec: Field
    source: str
    internal: dict[str, str]
    normalisers: Normalisers
    today: date
    day_first: bool | None
    decimal_mark: numbers.Mark | None = None
    # Readings of texts the user confirmed: kind -> folded text -> code ("*" for
    # any kind), and whether every closest suggestion is accepted as it is.
    confirmed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    accept_suggestions: bool = False
    issues: list[pl.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def original(self) -> str:
        return f"_orig_{self.spec.name}"

    @property
    def typed(self) -> pl.Expr:
        return pl.col(self.spec.name)

    @property
    def unreadable(self) -> pl.Expr:
        """A cell with text that did not become a value."""
        return (pl.col(self.original) != "") & self.typed.is_null()

    def issue(
        self,
        condition: pl.Expr,
        *,
        code: str,
        message: str | pl.Expr,
        severity: str = ERROR,
        expected: str = "",
        suggestion: pl.Expr | str = "",
    ) -> None:
        self.issues.append(
            issues_where(
                self.frame,
                condition,
                column=self.source,
                field_name=self.spec.name,
                value=pl.col(self.original),
                severity=severity,
                code=code,
                message=message,
                expected=expected,
                suggestion=suggestion,
            )
        )


def _text(c: _Column) -> list[pl.Expr]:
    return [pl.col(c.original).alias(c.spec.name)]


def _number(c: _Column) -> list[pl.Expr]:
    spec = c.spec
    whole = spec.type == FieldType.INTEGER
    # Cells a spreadsheet typed as numbers are numbers; only text cells decide
    # (and follow) the column's decimal mark, or the mark the user named.
    flag = f"{NUMERIC_PREFIX}{c.source}"
    typed = pl.col(c.internal[flag]) if flag in c.internal else pl.lit(value=False)
    decision = (
        numbers.Decision(mark=c.decimal_mark)
        if c.decimal_mark
        else numbers.decide(c.frame.filter(~typed)[c.original], whole=whole)
    )
    text = pl.col(c.original)
    if decision.mark is not None:
        parsed = numbers.parse(text, decision.mark)
        undecided: pl.Expr = pl.lit(value=False)
    else:
        # Nothing is guessed: what the two marks read differently waits for the user.
        undecided = ~typed & (
            numbers.ambiguous_texts(text, whole=whole)
            | (numbers.parse(text, ".").is_null() != numbers.parse(text, ",").is_null())
        )
        parsed = pl.when(~undecided).then(numbers.parse(text, "."))
        c.notes.append(
            f"{c.source}: {decision.question} (on the column mapping page, or "
            "--decimal-mark on the command line)."
        )
    number = (
        pl.when(typed)
        .then(text.cast(pl.Float64, strict=False))
        .otherwise(parsed.cast(pl.Float64, strict=False))
    )
    if spec.type == FieldType.INTEGER:
        number = pl.when(number == number.floor()).then(number).cast(pl.Int64)
    if flag in c.internal:  # the number depends on the cell's type, not its text alone
        c.frame = c.frame.with_columns(number.alias(spec.name), undecided.alias("_undecided"))
    else:
        c.frame = _per_value(c.frame, c.original, {spec.name: number, "_undecided": undecided})
    c.issue(
        pl.col("_undecided"),
        code="decimal_mark",
        message=pl.format(
            "{} could be read two ways: choose the file's decimal mark", pl.col(c.original)
        ),
        expected="the file's decimal mark: “.” (12.5, 1,234.5) or “,” (12,5, 1.234,5)",
    )
    c.issue(
        c.unreadable & ~pl.col("_undecided"),
        code="not_a_number",
        message=f"{spec.label} is not a number",
        expected="a whole number"
        if spec.type == FieldType.INTEGER
        else "a number, e.g. 12.5 or 12,5",
    )
    if spec.minimum is not None:
        c.issue(
            c.typed < spec.minimum,
            code="below_minimum",
            message=f"{spec.label} must be at least {spec.minimum:g}",
            expected=f">= {spec.minimum:g}",
        )
    if spec.maximum is not None:
        c.issue(
            c.typed > spec.maximum,
            code="above_maximum",
            message=f"{spec.label} must be at most {spec.maximum:g}",
            expected=f"<= {spec.maximum:g}",
        )
    return [c.typed, pl.col(c.original).alias(f"{spec.name}_text")]


def _date(c: _Column) -> list[pl.Expr]:
    spec, original = c.spec, c.original
    first, ambiguous = (
        (c.day_first, False)
        if c.day_first is not None
        else detect_day_first(c.frame[original].unique())
    )
    if ambiguous:
        c.notes.append(
            f"{c.source}: dates such as 03/04/2024 could be day/month or month/day; they "
            "were read as day/month. Choose month/day if that is wrong."
        )
    value, precision = parse_dates(pl.col(original), day_first=first)
    c.frame = _per_value(c.frame, original, {spec.name: value, f"{spec.name}_precision": precision})
    c.issue(
        c.unreadable,
        code="not_a_date",
        message=f"{spec.label} is not a date we can read",
        expected="a date such as 2024-03-31 or 31/03/2024",
    )
    c.issue(
        c.typed > c.today,
        code="future_date",
        message=f"{spec.label} is in the future",
        expected=f"on or before {c.today}",
    )
    c.issue(
        c.typed < date(1990, 1, 1),
        severity=WARNING,
        code="old_date",
        message=f"{spec.label} is before 1990: is the year right?",
    )
    return [c.typed, pl.col(f"{spec.name}_precision")]


CODED_EXPECTED = {
    "area": "a country or area name or ISO code",
    "drug": "a drug name, synonym or code",
    "unit": "a unit such as kg, g, l or tablet",
}


def _coded(c: _Column) -> list[pl.Expr]:
    """A reference code (area, drug, unit) read from a name, synonym or code.

    Only an exact name, code or known synonym is taken as it is. A text that
    merely resembles one ("DMT" and methamphetamine) is not: it is an error that
    asks the user to confirm a code, unless the user confirmed its reading
    before (this import's or the organisation's values) or accepts every
    suggestion; the notes say which readings were confirmed."""
    spec, original = c.spec, c.original
    kind = spec.type.value
    lookup = getattr(c.normalisers, kind)
    special = _special_values(kind)
    distinct = [v for v in c.frame[original].unique().to_list() if v and fold(v) not in special]
    table = _lookup_frame(lookup(distinct), original) if distinct else None
    confirmed = {**c.confirmed.get("*", {}), **c.confirmed.get(kind, {})}
    chosen = {text: confirmed[fold(text)] for text in distinct if fold(text) in confirmed}
    # A confirmed code must be a code of this kind, read exactly.
    checked = lookup(sorted(set(chosen.values()))) if chosen else {}
    bad = {text: code for text, code in chosen.items() if checked[code].confidence < 1.0}
    chosen = {text: checked[code].code for text, code in chosen.items() if text not in bad}
    c.frame, loose, suggested = _attach_codes(
        c.frame, original, spec.name, table, special, chosen=chosen, accept=c.accept_suggestions
    )
    for text, code in list(chosen.items())[:20]:
        c.notes.append(f"{c.source}: “{text}” read as {code}, as confirmed")
    if len(chosen) > 20:
        c.notes.append(f"{c.source}: {len(chosen) - 20} more readings as confirmed")
    c.issue(
        c.unreadable & ~loose & ~pl.col(original).is_in(list(bad)),
        code=f"unknown_{kind}",
        message=pl.format("{} “{}” is not known", pl.lit(spec.label), pl.col(original)),
        expected=CODED_EXPECTED[kind],
        suggestion=suggested,
    )
    if bad:
        c.issue(
            pl.col(original).is_in(list(bad)),
            code=f"unknown_{kind}",
            message=pl.format(
                "“{}” was to be read as {}, which is not a {} code",
                pl.col(original),
                pl.col(original).replace_strict(bad, default=""),
                pl.lit(kind),
            ),
            expected=CODED_EXPECTED[kind],
        )
    if c.accept_suggestions:
        c.issue(
            c.typed.is_not_null() & loose,
            severity=WARNING,
            code=f"fuzzy_{kind}",
            message=pl.format(
                "“{}” was read as {} (the closest suggestion, accepted)",
                pl.col(original),
                c.typed,
            ),
            suggestion=c.typed,
        )
    else:
        c.issue(
            loose & ~pl.col(original).is_in(list(bad)),
            code=f"unconfirmed_{kind}",
            message=pl.format(
                "{} “{}” is not a known name; the closest is {}: confirm it or name the code "
                "(the values to confirm on the import's page; on the command line "
                '--map-value "{}=CODE" or --accept-suggestions)',
                pl.lit(spec.label),
                pl.col(original),
                suggested,
                pl.col(original),
            ),
            expected=CODED_EXPECTED[kind],
            suggestion=suggested,
        )
    return [c.typed, pl.col(original).alias(f"{spec.name}_text")]


def _areas(c: _Column) -> list[pl.Expr]:
    c.frame, list_issues = _area_list(
        c.frame,
        c.original,
        c.spec.name,
        c.source,
        c.spec.label,
        c.normalisers,
        confirmed={**c.confirmed.get("*", {}), **c.confirmed.get("area", {})},
        accept=c.accept_suggestions,
    )
    c.issues.append(list_issues)
    return [c.typed]


def _choice(c: _Column) -> list[pl.Expr]:
    spec = c.spec
    lookup_map = {
        fold(text): code for code, texts in spec.choices.items() for text in (code, *texts)
    }
    # Fold each distinct text once, not every row.
    codes = {text: lookup_map.get(fold(text)) for text in c.frame[c.original].unique()}
    c.frame = c.frame.with_columns(
        pl.col(c.original)
        .replace_strict(codes, default=None, return_dtype=pl.String)
        .alias(spec.name)
    )
    c.issue(
        c.unreadable,
        code="unknown_choice",
        message=f"{spec.label} is not one of the known values",
        expected=", ".join(spec.choices),
    )
    return [c.typed]


# How each type of field is read and checked: the function adds the typed column
# to the frame, records its issues and returns the columns the clean frame keeps.
CHECKS: dict[FieldType, Callable[[_Column], list[pl.Expr]]] = {
    FieldType.TEXT: _text,
    FieldType.INTEGER: _number,
    FieldType.DECIMAL: _number,
    FieldType.DATE: _date,
    FieldType.AREA: _coded,
    FieldType.DRUG: _coded,
    FieldType.UNIT: _coded,
    FieldType.AREA_LIST: _areas,
    FieldType.CHOICE: _choice,
}


def validate(
    raw: pl.DataFrame,
    mapping: dict[str, str],
    schema: DatasetSchema,
    normalisers: Normalisers,
    *,
    today: date | None = None,
    day_first: bool | None = None,
    decimal_mark: str | None = None,
    confirmed: Mapping[str, Mapping[str, str]] | None = None,
    accept_suggestions: bool = False,
) -> ValidationResult:
    """Map, type, normalise and check every field; returns clean columns and issues."""
    today = today or date.today()
    by_field = {target: source for source, target in mapping.items() if target}
    missing = [f for f in schema.fields if f.required and f.name not in by_field]
    if missing:
        labels = ", ".join(f"{f.label} ({f.name})" for f in missing)
        raise ValueError(f"required fields are not mapped to any column: {labels}")

    # Work on internal column names: a file's header may equal a field's name.
    internal = {
        header: f"__src_{index}" for index, header in enumerate(raw.columns) if header != ROW_NUMBER
    }
    frame = raw.rename(internal)
    issues: list[pl.DataFrame] = []
    notes: list[str] = []
    columns: list[pl.Expr] = [pl.col(ROW_NUMBER)]
    for spec in schema.fields:
        source = by_field.get(spec.name)
        if source is None:
            continue
        original = f"_orig_{spec.name}"
        column = _Column(
            frame=frame.with_columns(_stripped(frame[internal[source]]).alias(original)),
            spec=spec,
            source=source,
            internal=internal,
            normalisers=normalisers,
            today=today,
            day_first=day_first,
            decimal_mark=numbers.mark_option(decimal_mark),
            confirmed=confirmed or {},
            accept_suggestions=accept_suggestions,
            issues=issues,
            notes=notes,
        )
        if spec.required:
            column.issue(
                pl.col(original) == "",
                code="required",
                message=f"{spec.label} is required",
                expected=spec.help or spec.label,
            )
        columns += CHECKS[spec.type](column)
        frame = column.frame

    clean = frame.select(columns)
    all_issues = pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])
    return ValidationResult(clean=clean, issues=all_issues.sort(["row", "column"]), notes=notes)


def _special_values(kind: str) -> dict[str, str]:
    """Folded texts that mean "unknown" or "other" (values, not errors)."""
    return {fold(text): code for text, code in _special_texts(kind).items()}


def _special_texts(kind: str) -> dict[str, str]:
    if kind == "area":
        return {**dict.fromkeys(UNKNOWN_WORDS, "unknown"), **dict.fromkeys(OTHER_WORDS, "other")}
    if kind == "drug":
        return {
            **dict.fromkeys(UNKNOWN_WORDS, "unknown"),
            **dict.fromkeys(OTHER_WORDS, "other-drug"),
        }
    return {}


def _attach_codes(
    frame: pl.DataFrame,
    original: str,
    name: str,
    table: pl.DataFrame | None,
    special: dict[str, str],
    *,
    chosen: Mapping[str, str] | None = None,
    accept: bool = False,
) -> tuple[pl.DataFrame, pl.Expr, pl.Expr]:
    """`frame` with each text's code as column `name` (None when unknown), and
    two expressions of the text for the few rows with an issue: "matched with
    less than full confidence" (their code stays None unless `accept`) and the
    suggestions ("" when none). `chosen` texts take the code the user confirmed.

    Each distinct text is looked at once (folded, matched); every row then takes
    its text's code by one lookup: no join (which copies the frame) and no
    per-row columns for confidences and suggestions."""
    matched = {row[0]: row for row in table.iter_rows()} if table is not None else {}
    chosen = chosen or {}
    codes: dict[str, str | None] = {}
    fuzzy: list[str] = []
    hints: dict[str, str] = {}
    for text in frame[original].unique().to_list():
        code = special.get(fold(text)) if special else None
        if text in chosen:
            code = chosen[text]
        elif text in matched:
            _text, found, confidence, best, suggestions = matched[text]
            if suggestions:
                hints[text] = suggestions
            if code is None:
                if found is not None and confidence is not None and confidence < 1.0:
                    fuzzy.append(text)
                    hints.setdefault(text, str(best or found))
                    code = found if accept else None
                else:
                    code = found
        codes[text] = code
    column = pl.col(original)
    frame = frame.with_columns(
        (
            column.replace_strict(codes, default=None, return_dtype=pl.String)
            if codes
            else pl.lit(None, dtype=pl.String)
        ).alias(name)
    )
    loose = column.is_in(fuzzy) if fuzzy else pl.lit(value=False)
    suggested = (
        column.replace_strict(hints, default="", return_dtype=pl.String) if hints else pl.lit("")
    )
    return frame, loose, suggested


def _area_list(
    frame: pl.DataFrame,
    original: str,
    name: str,
    source: str,
    label: str,
    normalisers: Normalisers,
    *,
    confirmed: Mapping[str, str] | None = None,
    accept: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split 'ECU; PAN > Países Bajos' into codes, keeping the order. An item that
    only resembles an area is not taken unless confirmed (or `accept`)."""
    items = pl.col(original).str.replace_all(LIST_SEPARATORS, ";").str.split(";")
    parts = (
        frame.select(pl.col(ROW_NUMBER), items)
        .explode(original)
        .with_columns(pl.col(original).str.strip_chars())
        .filter(pl.col(original) != "")
    )
    special = _special_values("area")
    distinct = [v for v in parts[original].unique().to_list() if fold(v) not in special]
    table = _lookup_frame(normalisers.area(distinct), original) if distinct else None
    confirmed = confirmed or {}
    chosen = {text: confirmed[fold(text)] for text in distinct if fold(text) in confirmed}
    if chosen:
        checked = normalisers.area(sorted(set(chosen.values())))
        chosen = {t: checked[c].code for t, c in chosen.items() if checked[c].code}  # type: ignore[misc]
    parts, _loose, suggested = _attach_codes(
        parts, original, "_code_item", table, special, chosen=chosen, accept=accept
    )
    issues = issues_where(
        parts,
        pl.col("_code_item").is_null(),
        column=source,
        field_name=name,
        value=pl.col(original),
        severity=ERROR,
        code="unknown_area",
        message=pl.format("{} “{}” is not known", pl.lit(label), pl.col(original)),
        expected="area names or codes separated by ;",
        suggestion=suggested,
    )
    # Each item's code, in the list's order, unknown items left out: looked up in
    # place (no join of the whole frame on the row number).
    codes = parts.select(original, "_code_item").unique(original)
    frame = frame.with_columns(
        items.list.eval(
            pl.element()
            .str.strip_chars()
            .replace_strict(
                codes[original], codes["_code_item"], default=None, return_dtype=pl.String
            )
            .drop_nulls()
        ).alias(name)
    )
    return frame, issues


def duplicate_issues(frame: pl.DataFrame, key: str, *, column: str, label: str) -> pl.DataFrame:
    """Rows whose `key` repeats an earlier row of the same file."""
    # Two columns only, and the first row of a value looked for among the repeated
    # values alone: no join of the whole frame on a key that is nearly always unique.
    present = frame.select(ROW_NUMBER, key).filter(pl.col(key).is_not_null() & (pl.col(key) != ""))
    repeated = (
        present.filter(pl.col(key).is_duplicated())
        .with_columns(pl.col(ROW_NUMBER).min().over(key).alias("_first"))
        .filter(pl.col(ROW_NUMBER) != pl.col("_first"))
    )
    return issues_where(
        repeated,
        pl.lit(True),
        column=column,
        field_name=key,
        value=pl.col(key),
        severity=ERROR,
        code="duplicate_in_file",
        message=pl.format("{} repeats row {}", pl.lit(label), pl.col("_first")),
        expected="a value used once per file",
    )
