"""The validator on tiny frames, with pure normalisers (no database): numbers in
both decimal conventions, dates in every form files use, codes with suggestions,
special values, lists, choices, duplicates, and the issues frame itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
import pytest

from observatory.intake import numbers, validation
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.schema import DatasetSchema, Field, FieldType
from observatory.intake.validation import (
    ERROR,
    ISSUE_SCHEMA,
    WARNING,
    Normalisers,
    ValidationResult,
    detect_day_first,
    duplicate_issues,
    validate,
)
from observatory.reference.matching import Match, Normaliser

TODAY = date(2025, 6, 30)

AREAS = Normaliser(
    "area",
    [
        ("COL", "Colombia"),
        ("ECU", "Ecuador"),
        ("PAN", "Panama"),
        ("PAN", "Panamá"),
        ("NLD", "Netherlands"),
        ("NLD", "Países Bajos"),
        ("NLD", "Holanda"),
        ("ESP", "Spain"),
        ("ESP", "España"),
        ("THA", "Thailand"),
        ("THA", "泰国"),
    ],
    {
        "COL": "Colombia",
        "ECU": "Ecuador",
        "PAN": "Panama",
        "NLD": "Netherlands",
        "ESP": "Spain",
        "THA": "Thailand",
    },
    exact_only=[
        ("COL", "COL"),
        ("COL", "CO"),
        ("ECU", "ECU"),
        ("PAN", "PAN"),
        ("NLD", "NLD"),
        ("ESP", "ESP"),
        ("THA", "THA"),
    ],
)
DRUGS = Normaliser(
    "drug",
    [
        ("cocaine", "cocaine"),
        ("cocaine", "cocaína"),
        ("heroin", "heroin"),
        ("heroin", "heroína"),
        ("ghb", "GHB"),
        ("ghb", "gamma-hydroxybutyrate"),
        ("methamphetamine", "methamphetamine"),
        ("methamphetamine", "冰毒"),
    ],
    {"cocaine": "Cocaine", "heroin": "Heroin", "ghb": "GHB", "methamphetamine": "Methamphetamine"},
)
UNITS = Normaliser(
    "unit",
    [("kg", "kilogram"), ("kg", "kilos"), ("g", "gram"), ("g", "gramos"), ("tablet", "tablets")],
    {"kg": "kilogram", "g": "gram", "tablet": "tablet"},
    exact_only=[("kg", "kg"), ("g", "g"), ("tablet", "tablet")],
)
NORMALISERS = Normalisers(area=AREAS.match_many, drug=DRUGS.match_many, unit=UNITS.match_many)

SCHEMA = DatasetSchema(
    code="test",
    label="Test records",
    fields=(
        Field("when", "Date", FieldType.DATE, required=True),
        Field("amount", "Amount", FieldType.DECIMAL, minimum=0.0, maximum=100_000.0),
        Field("count", "Count", FieldType.INTEGER, minimum=0.0),
        Field("area", "Country", FieldType.AREA),
        Field("route", "Transit", FieldType.AREA_LIST),
        Field("drug", "Drug", FieldType.DRUG, required=True),
        Field("unit", "Unit", FieldType.UNIT),
        Field(
            "mode",
            "Transport",
            FieldType.CHOICE,
            choices={"air": ("aéreo", "avion", "空运"), "sea": ("marítimo", "maritime")},
        ),
        Field("ref", "Reference"),
    ),
)


def frame(**columns: list[str]) -> pl.DataFrame:
    """A raw frame as the reader makes it: text columns plus spreadsheet row numbers
    (header = row 1, so data starts on row 2)."""
    height = len(next(iter(columns.values())))
    return pl.DataFrame(
        {**columns, ROW_NUMBER: list(range(2, height + 2))},
        schema={**dict.fromkeys(columns, pl.String), ROW_NUMBER: pl.Int64},
    )


def check(raw: pl.DataFrame, mapping: dict[str, str], **options: object) -> ValidationResult:
    return validate(raw, mapping, SCHEMA, NORMALISERS, today=TODAY, **options)  # type: ignore[arg-type]


def codes(result: ValidationResult, severity: str = ERROR) -> list[tuple[int, str, str]]:
    """(row, code, value) of the issues of one severity."""
    issues = result.issues.filter(pl.col("severity") == severity)
    return issues.select("row", "code", "value").rows()


def filled(height: int, **columns: list[str]) -> pl.DataFrame:
    """A frame whose required fields (date D, drug X) are valid unless given, plus `columns`."""
    return frame(**{"D": ["2024-01-31"] * height, "X": ["cocaína"] * height, **columns})


REQUIRED = {"D": "when", "X": "drug"}


# --------------------------------------------------------------------------
# Numbers


def _parsed(texts: pl.Series, mark: numbers.Mark) -> list[str | None]:
    return pl.select(numbers.parse(pl.lit(texts), mark)).to_series().to_list()


def test_a_column_of_european_numbers_uses_the_decimal_comma() -> None:
    texts = pl.Series(["12,5", "1.234,5", "38,515", "1.217", "7"])

    assert numbers.decide(texts).mark == ","
    assert _parsed(texts, ",") == ["12.5", "1234.5", "38.515", "1217", "7"]


def test_a_column_of_english_numbers_uses_the_decimal_dot() -> None:
    texts = pl.Series(["12.5", "1,234.5", "38,515", "1.217", "7"])

    assert numbers.decide(texts).mark == "."
    assert _parsed(texts, ".") == ["12.5", "1234.5", "38515", "1.217", "7"]


def test_ambiguous_values_alone_decide_nothing() -> None:
    # "38,515" and "1.217" could be either: with nothing to settle it, nobody guesses.
    decision = numbers.decide(pl.Series(["38,515", "1.217", "5"]))
    assert decision.mark is None
    assert decision.ambiguous == ["1.217", "38,515"]
    assert decision.question.startswith("“1.217” could be 1.217 or 1217")


def test_spaces_and_apostrophes_are_thousands_separators() -> None:
    texts = pl.Series(["1 234,5", "12\u00a0000,25", "1'000,5"])

    assert _parsed(texts, ",") == ["1234.5", "12000.25", "1000.5"]


def test_an_ambiguous_column_stops_and_asks_then_reads_as_told() -> None:
    # Given a column whose only grouped value reads two ways
    raw = filled(2, A=["1,757", "12"])

    # When validated without and then with the decimal mark named
    asked = check(raw, {**REQUIRED, "A": "amount"})
    told = validate(
        raw, {**REQUIRED, "A": "amount"}, SCHEMA, NORMALISERS, today=TODAY, decimal_mark="."
    )

    # Then nothing is guessed first, and the named mark reads it
    assert asked.clean["amount"].to_list() == [None, 12.0]
    assert asked.issues.select("value", "code", "severity").rows() == [
        ("1,757", "decimal_mark", ERROR)
    ]
    assert any("--decimal-mark" in note for note in asked.notes)
    assert told.clean["amount"].to_list() == [1757.0, 12.0]
    assert told.issues.height == 0


def test_each_column_decides_its_own_decimal_mark() -> None:
    # Given one column written the Spanish way and another the English way
    raw = filled(3, A=["12,5", "1.217", "0,75"], C=["1,200", "3", "40"])

    # When validated
    result = check(raw, {**REQUIRED, "A": "amount", "C": "count"})

    # Then "1.217" is 1217 in the first and "1,200" is 1200 in the second
    assert result.clean["amount"].to_list() == [12.5, 1217.0, 0.75]
    assert result.clean["count"].to_list() == [1200, 3, 40]
    assert result.issues.height == 0


def test_an_integer_field_refuses_fractions_and_text() -> None:
    raw = filled(4, C=["3", "1.5", "two", "0012"])

    result = check(raw, {**REQUIRED, "C": "count"})

    assert result.clean["count"].to_list() == [3, None, None, 12]
    assert codes(result) == [(3, "not_a_number", "1.5"), (4, "not_a_number", "two")]
    assert result.issues.filter(pl.col("row") == 3)["expected"].to_list() == ["a whole number"]


def test_minimum_and_maximum_are_enforced() -> None:
    raw = filled(4, A=["-1", "0", "100000", "100000.5"], C=["-2", "0", "1", "2"])

    result = check(raw, {**REQUIRED, "A": "amount", "C": "count"})

    assert codes(result) == [
        (2, "below_minimum", "-1"),
        (2, "below_minimum", "-2"),
        (5, "above_maximum", "100000.5"),
    ]


def test_the_original_text_of_a_number_is_kept_beside_its_value() -> None:
    result = check(filled(1, A=[" 12,5 "]), {**REQUIRED, "A": "amount"})

    assert result.clean.select("amount", "amount_text").rows() == [(12.5, "12,5")]


# --------------------------------------------------------------------------
# Dates


def test_dates_in_every_form_are_read_with_their_precision() -> None:
    # Given the forms real files use
    texts = [
        "2024-03-31",  # ISO
        "31/03/2024",  # day first (31 settles the order)
        "2024/3/5",  # year first with slashes
        "2024-03-01T00:00:00",  # an Excel cell as the reader writes it
        "45366",  # an Excel serial number (2024-03-15)
        "20240316",  # compact
        "2024-05",  # a month
        "2024",  # a year
        "2023年5月14日",  # Chinese
        "1.4.2024",  # dots
    ]

    # When validated
    result = check(filled(len(texts), D=texts), REQUIRED)

    # Then each is a date, with day, month or year precision
    assert result.clean.select("when", "when_precision").rows() == [
        (date(2024, 3, 31), "day"),
        (date(2024, 3, 31), "day"),
        (date(2024, 3, 5), "day"),
        (date(2024, 3, 1), "day"),
        (date(2024, 3, 15), "day"),
        (date(2024, 3, 16), "day"),
        (date(2024, 5, 1), "month"),
        (date(2024, 1, 1), "year"),
        (date(2023, 5, 14), "day"),
        (date(2024, 4, 1), "day"),
    ]
    assert result.issues.height == 0


def test_a_day_above_twelve_in_second_place_means_month_first() -> None:
    result = check(filled(3, D=["03/04/2024", "05/26/2024", "12/01/2024"]), REQUIRED)

    assert result.clean["when"].to_list() == [
        date(2024, 3, 4),
        date(2024, 5, 26),
        date(2024, 12, 1),
    ]
    assert result.notes == []


def test_a_day_above_twelve_in_first_place_means_day_first() -> None:
    result = check(filled(2, D=["03/04/2024", "26/05/2024"]), REQUIRED)

    assert result.clean["when"].to_list() == [date(2024, 4, 3), date(2024, 5, 26)]
    assert result.notes == []


def test_ambiguous_dates_are_read_day_first_with_a_note() -> None:
    # Given a file whose dates never go above 12 in either place
    raw = filled(2, D=["03/04/2024", "05/06/2024"])

    # When validated without saying the order
    result = check(raw, REQUIRED)

    # Then day/month is assumed and the user is told which column is ambiguous
    assert result.clean["when"].to_list() == [date(2024, 4, 3), date(2024, 6, 5)]
    assert len(result.notes) == 1
    assert result.notes[0].startswith("D: dates such as 03/04/2024 could be day/month or month")
    assert "Choose month/day if that is wrong" in result.notes[0]


def test_the_user_can_say_month_first_for_ambiguous_dates() -> None:
    result = check(filled(2, D=["03/04/2024", "05/06/2024"]), REQUIRED, day_first=False)

    assert result.clean["when"].to_list() == [date(2024, 3, 4), date(2024, 5, 6)]
    assert result.notes == []


def test_date_order_detection() -> None:
    assert detect_day_first(pl.Series(["13/01/2024", "01/02/2024"])) == (True, False)
    assert detect_day_first(pl.Series(["01/13/2024", "01/02/2024"])) == (False, False)
    assert detect_day_first(pl.Series(["01/02/2024", "2024-01-31"])) == (True, True)
    assert detect_day_first(pl.Series(["2024-01-31", "2024"])) == (True, False)


def test_future_impossible_and_unreadable_dates_are_errors_and_old_ones_warnings() -> None:
    raw = filled(
        6, D=["2025-07-01", "31/02/2024", "30/02/2020", "someday", "1985-06-01", "1990-01-01"]
    )

    result = check(raw, REQUIRED)

    assert codes(result) == [
        (2, "future_date", "2025-07-01"),
        (3, "not_a_date", "31/02/2024"),
        (4, "not_a_date", "30/02/2020"),
        (5, "not_a_date", "someday"),
    ]
    assert codes(result, WARNING) == [(6, "old_date", "1985-06-01")]
    assert result.issues.filter(pl.col("code") == "future_date")["expected"].to_list() == [
        "on or before 2025-06-30"
    ]


def test_today_itself_is_not_in_the_future() -> None:
    result = check(filled(1, D=[TODAY.isoformat()]), REQUIRED)

    assert result.issues.height == 0


# --------------------------------------------------------------------------
# Required fields


def test_required_fields_must_be_filled() -> None:
    raw = frame(D=["2024-01-31", "", "  ", "2024-02-01"], X=["cocaína", "heroína", "GHB", " "])

    result = check(raw, REQUIRED)

    assert codes(result) == [(3, "required", ""), (4, "required", ""), (5, "required", "")]
    assert result.issues.filter(pl.col("row") == 3)["message"].to_list() == ["Date is required"]


def test_a_required_field_without_a_column_is_refused_before_any_row() -> None:
    with pytest.raises(
        ValueError, match=r"required fields are not mapped to any column: Drug \(drug\)"
    ):
        check(frame(D=["2024-01-31"]), {"D": "when"})


def test_columns_mapped_to_nothing_are_ignored() -> None:
    raw = filled(1, Z=["whatever"])

    result = check(raw, {**REQUIRED, "Z": ""})

    assert result.clean.columns == [ROW_NUMBER, "when", "when_precision", "drug", "drug_text"]


# --------------------------------------------------------------------------
# Reference codes


def test_codes_are_normalised_and_a_mere_resemblance_is_not_taken() -> None:
    # Given names, codes, variants and a misspelling
    raw = filled(
        4, A=["Colombia", "CO", "Holanda", "Netherland"], U=["kg", "kilos", "gramos", "tablets"]
    )

    # When validated
    result = check(raw, {**REQUIRED, "A": "area", "U": "unit"})

    # Then each known name has its code; the misspelling is not read but asked about
    assert result.clean.select("area", "unit").rows() == [
        ("COL", "kg"),
        ("COL", "kg"),
        ("NLD", "g"),
        (None, "tablet"),
    ]
    assert result.issues.select("row", "severity", "code", "value").rows() == [
        (5, ERROR, "unconfirmed_area", "Netherland"),
    ]
    assert "the closest is Netherlands (NLD)" in result.issues["message"][0]
    assert '--map-value "Netherland=CODE"' in result.issues["message"][0]


def test_a_reading_the_user_confirmed_is_taken_and_said() -> None:
    raw = filled(2, A=["Netherland", "Holanda"])
    mapping = {**REQUIRED, "A": "area"}

    confirmed = check(raw, mapping, confirmed={"area": {"netherland": "NLD"}})
    accepted = check(raw, mapping, accept_suggestions=True)

    assert confirmed.clean["area"].to_list() == ["NLD", "NLD"]
    assert confirmed.issues.height == 0
    assert "A: “Netherland” read as NLD, as confirmed" in confirmed.notes
    assert accepted.clean["area"].to_list() == ["NLD", "NLD"]
    assert accepted.issues.select("severity", "code", "value").rows() == [
        (WARNING, "fuzzy_area", "Netherland")
    ]


def test_a_confirmed_code_must_be_a_code_of_its_kind() -> None:
    result = check(
        filled(1, A=["Netherland"]),
        {**REQUIRED, "A": "area"},
        confirmed={"area": {"netherland": "XXZ"}},
    )
    assert result.clean["area"].to_list() == [None]
    assert result.issues.select("code", "message").rows() == [
        ("unknown_area", "“Netherland” was to be read as XXZ, which is not a area code")
    ]


def test_unknown_codes_are_errors_with_suggestions_when_something_is_close() -> None:
    raw = filled(3, A=["Ecuadr", "Mars", "COL"], U=["kg", "grm", "bultos"])

    result = check(raw, {**REQUIRED, "A": "area", "U": "unit"})

    errors = result.issues.filter(pl.col("severity") == ERROR)
    assert errors.select("row", "code", "value", "suggestion").rows() == [
        (2, "unconfirmed_area", "Ecuadr", "Ecuador (ECU)"),
        (3, "unknown_area", "Mars", ""),
        (3, "unknown_unit", "grm", "gram (g)"),
        (4, "unknown_unit", "bultos", ""),
    ]
    assert errors["message"].to_list()[1:] == [
        "Country “Mars” is not known",
        "Unit “grm” is not known",
        "Unit “bultos” is not known",
    ]
    # "Ecuadr" is close, but only the user may say it is Ecuador.
    assert result.clean["area"].to_list() == [None, None, "COL"]


def test_an_unknown_drug_far_from_every_name_gets_no_suggestion() -> None:
    result = check(frame(D=["2024-01-31", "2024-01-31"], X=["xyz", "Herion"]), REQUIRED)

    # "Herion" is not guessed (too unsure) but heroin is suggested; "xyz" is like nothing.
    assert result.issues.select("row", "code", "value", "suggestion").rows() == [
        (2, "unknown_drug", "xyz", ""),
        (3, "unknown_drug", "Herion", "Heroin (heroin)"),
    ]


@pytest.mark.parametrize(
    ("text", "area", "drug"),
    [
        ("Unknown", "unknown", "unknown"),
        ("desconocido", "unknown", "unknown"),
        ("N/A", "unknown", "unknown"),
        ("未知", "unknown", "unknown"),
        ("Other", "other", "other-drug"),
        ("otros", "other", "other-drug"),
        ("其他", "other", "other-drug"),
    ],
)
def test_unknown_and_other_are_values_not_errors(text: str, area: str, drug: str) -> None:
    raw = frame(D=["2024-01-31"], X=[text], A=[text])

    result = check(raw, {**REQUIRED, "A": "area"})

    assert result.clean.select("area", "drug").rows() == [(area, drug)]
    assert result.issues.height == 0


def test_unknown_and_other_are_values_in_area_lists() -> None:
    raw = filled(2, T=["ECU; Unknown", "Otro > desconocido"])

    result = check(raw, {**REQUIRED, "T": "route"})

    assert result.clean["route"].to_list() == [["ECU", "unknown"], ["other", "unknown"]]
    assert result.issues.height == 0


def test_the_normalisers_see_each_distinct_text_once() -> None:
    seen: list[list[str]] = []

    def recording(texts: Iterable[object]) -> dict[str, Match]:
        values = [str(text) for text in texts]
        seen.append(values)
        return DRUGS.match_many(values)

    normalisers = Normalisers(area=AREAS.match_many, drug=recording, unit=UNITS.match_many)
    raw = frame(D=["2024-01-31"] * 6, X=["cocaína", "heroína", "cocaína", "Unknown", "", "cocaína"])

    validate(raw, REQUIRED, SCHEMA, normalisers, today=TODAY)

    assert len(seen) == 1
    assert sorted(seen[0]) == ["cocaína", "heroína"]  # no repeats, no blanks, no specials


# --------------------------------------------------------------------------
# Area lists and choices


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("ECU; PAN > Países Bajos", ["ECU", "PAN", "NLD"]),
        ("Spain, Colombia", ["ESP", "COL"]),
        ("PAN/ECU", ["PAN", "ECU"]),
        ("NLD - ECU → COL", ["NLD", "ECU", "COL"]),
        ("ECU|PAN", ["ECU", "PAN"]),
        ("COL", ["COL"]),
        ("", []),
    ],
)
def test_area_lists_are_split_and_keep_their_order(text: str, route: list[str]) -> None:
    result = check(filled(1, T=[text]), {**REQUIRED, "T": "route"})

    assert result.clean["route"].to_list() == [route]
    assert result.issues.height == 0


def test_an_unknown_area_in_a_list_is_an_error_naming_that_item() -> None:
    raw = filled(3, T=["ECU; Mars; PAN", "Colombia", "Atlantis > Spain"])

    result = check(raw, {**REQUIRED, "T": "route"})

    assert codes(result) == [(2, "unknown_area", "Mars"), (4, "unknown_area", "Atlantis")]
    assert result.clean["route"].to_list() == [["ECU", "PAN"], ["COL"], ["ESP"]]


def test_choices_match_codes_and_synonyms_in_any_case_and_accent() -> None:
    raw = filled(6, M=["air", "AÉREO", "Avion", "maritime", "空运", ""])

    result = check(raw, {**REQUIRED, "M": "mode"})

    assert result.clean["mode"].to_list() == ["air", "air", "air", "sea", "air", None]
    assert result.issues.height == 0


def test_an_unknown_choice_is_an_error_listing_the_choices() -> None:
    result = check(filled(2, M=["sea", "by camel"]), {**REQUIRED, "M": "mode"})

    assert result.issues.select("row", "code", "value", "expected").rows() == [
        (3, "unknown_choice", "by camel", "air, sea"),
    ]


# --------------------------------------------------------------------------
# Duplicates


def test_repeated_references_are_errors_pointing_at_the_first_row() -> None:
    raw = pl.DataFrame(
        {"ref": ["A-1", "B-2", "A-1", None, "", "A-1", "B-2"], ROW_NUMBER: [2, 3, 4, 5, 6, 7, 8]}
    )

    issues = duplicate_issues(raw, "ref", column="Referencia", label="Case reference")

    assert issues.sort("row").select("row", "column", "value", "code", "message").rows() == [
        (4, "Referencia", "A-1", "duplicate_in_file", "Case reference repeats row 2"),
        (7, "Referencia", "A-1", "duplicate_in_file", "Case reference repeats row 2"),
        (8, "Referencia", "B-2", "duplicate_in_file", "Case reference repeats row 3"),
    ]


# --------------------------------------------------------------------------
# The issues frame and the split into valid and invalid rows


def test_issues_carry_the_original_row_number_column_and_cell_text() -> None:
    # Given rows that start on line 7 of the file (metadata above the header)
    raw = pl.DataFrame(
        {
            "Fecha": ["2024-01-31", "31/02/2024"],
            "Droga": [" Herión ", "cocaína"],
            ROW_NUMBER: [7, 9],
        },
        schema={"Fecha": pl.String, "Droga": pl.String, ROW_NUMBER: pl.Int64},
    )

    # When validated
    result = check(raw, {"Fecha": "when", "Droga": "drug"})

    # Then each issue names the file's row and column and the text as written (trimmed)
    assert result.issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert result.issues.select("row", "column", "field", "value", "code").rows() == [
        (7, "Droga", "drug", "Herión", "unknown_drug"),
        (9, "Fecha", "when", "31/02/2024", "not_a_date"),
    ]


def test_valid_and_invalid_split_the_rows_by_errors_only() -> None:
    # Given an error on row 3, a warning only on row 4, and two errors on row 5
    raw = frame(
        D=["2024-01-31", "2024-13-01", "1980-01-01", "2031-01-01"],
        X=["cocaína", "heroína", "cocaína", "xyz"],
    )

    result = check(raw, REQUIRED)

    assert result.error_rows == {3, 5}
    assert result.valid()[ROW_NUMBER].to_list() == [2, 4]
    assert result.invalid()[ROW_NUMBER].to_list() == [3, 5]
    assert result.valid().height + result.invalid().height == raw.height


def test_a_clean_file_has_an_empty_typed_issues_frame() -> None:
    result = check(filled(2), REQUIRED)

    assert result.issues.is_empty()
    assert result.issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert result.valid().height == 2
    assert result.invalid().is_empty()


# --------------------------------------------------------------------------
# Scale


def big_frame(height: int) -> pl.DataFrame:
    """`height` rows from seven distinct values per column, with one bad drug
    every 1000 rows (at offset 999) and one bad date every 5000 (at offset 2500)."""
    index = pl.int_range(0, height)
    pick = index % 7

    def cycle(*values: str) -> pl.Expr:
        return pick.replace_strict(dict(enumerate(values)), return_dtype=pl.String)

    texts: dict[str, pl.Expr] = {
        "D": pl.when(index % 5000 == 2500)
        .then(pl.lit("31/02/2024"))
        .otherwise(
            pl.format("{}/0{}/2024", (pick + 10).cast(pl.String), (pick + 1).cast(pl.String))
        ),
        "A": pl.format("{},{}", pick, index % 100),
        "C": (index % 50).cast(pl.String),
        "AR": cycle("Colombia", "ECU", "Países Bajos", "Unknown", "Spain", "PAN", "España"),
        "T": cycle("ECU; PAN", "PAN > NLD", "", "Colombia", "ECU, ESP", "NLD", "THA"),
        "X": pl.when(index % 1000 == 999)
        .then(pl.lit("xyz"))
        .otherwise(cycle("cocaína", "heroin", "GHB", "冰毒", "Other", "cocaine", "heroína")),
        "U": cycle("kg", "g", "kilos", "tablets", "gramos", "kg", "g"),
        "M": cycle("air", "sea", "Aéreo", "marítimo", "", "AIR", "avion"),
        "R": pl.format("REF-{}", index),
    }
    return pl.select(
        *[expression.alias(name) for name, expression in texts.items()],
        (index + 2).alias(ROW_NUMBER),
    )


MAPPING_ALL = {
    "D": "when",
    "A": "amount",
    "C": "count",
    "AR": "area",
    "T": "route",
    "X": "drug",
    "U": "unit",
    "M": "mode",
    "R": "ref",
}


def test_two_hundred_thousand_rows_are_validated_in_one_pass() -> None:
    # Given 200,000 rows using every field type
    raw = big_frame(200_000)

    # When validated once
    result = check(raw, MAPPING_ALL)

    # Then every row is typed, and exactly the planted problems are found
    assert result.clean.height == 200_000
    assert result.clean["amount"].null_count() == 0
    assert result.clean["when"].null_count() == 40
    errors = result.issues.filter(pl.col("severity") == ERROR)
    assert errors.group_by("code").len().sort("code").rows() == [
        ("not_a_date", 40),
        ("unknown_drug", 200),
    ]
    assert result.valid().height == 200_000 - 240
    assert result.clean.filter(pl.col(ROW_NUMBER) == 2).select(
        "when", "amount", "area", "route", "drug", "unit", "mode"
    ).rows() == [(date(2024, 1, 10), 0.0, "COL", ["ECU", "PAN"], "cocaine", "kg", "air")]


def test_validation_does_not_call_python_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # Text folding is Python: it may run once per distinct value, never once per row.
    calls = 0
    real_fold = validation.fold

    def counting_fold(text: str) -> str:
        nonlocal calls
        calls += 1
        return real_fold(text)

    monkeypatch.setattr(validation, "fold", counting_fold)
    raw = big_frame(20_000)

    result = check(raw, MAPPING_ALL)

    assert result.clean.height == 20_000
    assert calls < 1_000, f"fold() ran {calls:,} times for 20,000 rows"
