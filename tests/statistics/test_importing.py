"""The pieces the statistics importers share (statistics/importing.py): reading a
reported value as each format writes it, rows for another country, repeated
cells, and the questionnaire named by the label."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from observatory.accounts.models import Organisation
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import ISSUE_SCHEMA, empty_issues
from observatory.statistics.formats import dhis2, national, portal
from observatory.statistics.formats.importing import (
    ValueFormat,
    cell_entry,
    combined_issues,
    headers_by_field,
    other_country_issues,
    questionnaire_of,
    repeated_cells,
)
from observatory.statistics.formats.sdmx import reader


def rows(**columns: list[Any]) -> pl.DataFrame:
    """A checked frame: the columns given, numbered from row 2 as in a file."""
    height = len(next(iter(columns.values())))
    return pl.DataFrame(
        {ROW_NUMBER: list(range(2, height + 2)), **columns},
        schema_overrides={ROW_NUMBER: pl.Int64},
    )


def read(values: ValueFormat, texts: list[str], **options: Any) -> list[tuple[str | None, str]]:
    """(number, censored marker) for each text."""
    frame = values.read(rows(value=texts), **options)
    return list(zip(frame["_number"].to_list(), frame["censored"].to_list(), strict=True))


def refused(values: ValueFormat, texts: list[str]) -> list[str]:
    """The texts reported as not_a_number."""
    issues = values.issues(values.read(rows(value=texts)), column="VALUE")
    assert set(issues["code"].to_list()) <= {"not_a_number"}
    return issues["value"].to_list()


# --------------------------------------------------------------------------
# Values


def test_the_portal_reads_decimal_points_and_commas_and_censored_counts() -> None:
    assert read(portal.VALUES, ["1234", " -3 ", "12.5", "<5", "< 5", "<0.5", "", "3.5e-06"]) == [
        ("1234", ""),
        ("-3", ""),
        ("12.5", ""),
        (None, "<5"),
        (None, "<5"),  # the marker is kept without its spaces
        (None, "<0.5"),
        (None, ""),  # empty: not available
        ("3.5e-06", ""),  # scientific notation, as written
    ]
    # The whole column decides its decimal mark, and its thousands separator.
    assert read(portal.VALUES, ["12,5", "7", "1.234,5"]) == [
        ("12.5", ""),
        ("7", ""),
        ("1234.5", ""),
    ]
    assert read(portal.VALUES, ["1,234.5", "1 234", "12.25"]) == [
        ("1234.5", ""),
        ("1234", ""),
        ("12.25", ""),
    ]
    assert refused(portal.VALUES, ["n/a", "<", "5<", "", "7", "12.5"]) == ["n/a", "<", "5<"]


def _codes(values: ValueFormat, texts: list[str], **options: Any) -> list[tuple[str, str]]:
    issues = values.issues(values.read(rows(value=texts), **options), column="VALUE")
    return issues.select("value", "code").rows()


def test_a_value_that_could_be_two_numbers_is_not_guessed() -> None:
    # "1,757" alone is 1757 or 1.757: nothing is read, the user is asked.
    frame = portal.VALUES.read(rows(value=["1,757", "12"]))
    assert frame["_number"].to_list() == [None, "12"]
    issues = portal.VALUES.issues(frame, column="VALUE")
    assert issues.select("value", "code").rows() == [("1,757", "decimal_mark")]
    assert "“1,757” could be 1757 or 1.757" in issues["message"][0]
    assert "--decimal-mark" in issues["message"][0]
    # Named, it is read that way.
    assert read(portal.VALUES, ["1,757", "12"], decimal_mark=".") == [("1757", ""), ("12", "")]
    assert read(portal.VALUES, ["1,757", "12"], decimal_mark=",") == [("1.757", ""), ("12", "")]
    # Another value of the column can settle it.
    assert read(portal.VALUES, ["1,757", "2.5"]) == [("1757", ""), ("2.5", "")]


def test_a_column_writing_both_decimal_marks_is_not_read_cell_by_cell() -> None:
    assert _codes(portal.VALUES, ["12.5", "12,5", "7"]) == [
        ("12.5", "decimal_mark"),
        ("12,5", "decimal_mark"),
    ]
    # With the mark named, the other way of writing is not a number.
    assert _codes(portal.VALUES, ["12.5", "12,5", "7"], decimal_mark=".") == [
        ("12,5", "not_a_number")
    ]


def test_the_portal_issue_says_what_a_value_may_be() -> None:
    issue = portal.VALUES.issues(portal.VALUES.read(rows(value=["", "x "])), column="VALUE")
    assert issue.row(0, named=True) == {
        "row": 3,
        "column": "VALUE",
        "field": "value",
        "value": "x",
        "severity": "error",
        "code": "not_a_number",
        "message": "the value is not a number",
        "expected": "a number (1234.5), or a censored count such as <5",
        "suggestion": "",
    }
    assert issue.height == 1


def test_sdmx_takes_a_decimal_point_only_and_nan_for_a_missing_value() -> None:
    assert read(reader.VALUES, ["310.5", "12,5", "NaN", "", "<5", "< 5"]) == [
        ("310.5", ""),
        (None, ""),
        (None, ""),
        (None, ""),
        (None, "<5"),
        (None, "< 5"),  # kept as written
    ]
    issues = reader.VALUES.issues(
        reader.VALUES.read(rows(value=["12,5", "NaN", "", "nan"])), column="OBS_VALUE"
    )
    assert issues.select("row", "value", "message").rows() == [
        (2, "12,5", "OBS_VALUE is not a number"),
        (5, "nan", "OBS_VALUE is not a number"),
    ]
    assert set(issues["expected"]) == {
        "a number with a decimal point, or NaN / empty for a missing value"
    }


def test_dhis2_takes_numbers_but_no_censored_count() -> None:
    assert read(dhis2.VALUES, ["1250", "12,5", "<5", ""]) == [
        ("1250", ""),
        ("12.5", ""),
        (None, ""),
        (None, ""),
    ]
    assert refused(dhis2.VALUES, ["1250", "<5", "x", ""]) == ["<5", "x"]


def test_national_counts_may_have_spaces_between_thousands() -> None:
    assert read(national.VALUES, ["1 234", "1\u00a0234", "12 000.0", "1234", "1,234"]) == [
        ("1234", ""),
        ("1234", ""),
        ("12000.0", ""),
        ("1234", ""),
        ("1234", ""),  # a count: 1.234 is no reading
    ]
    # A count is whole: "1 234,5" is refused, not rounded.
    assert refused(national.VALUES, ["1 234,5", "7"]) == ["1 234,5"]
    # The refused value is shown as the file writes it, spaces and all.
    issues = national.VALUES.issues(
        national.VALUES.read(rows(value=["1 2x", "<5", "1.234,5"])), column="Cantidad"
    )
    assert issues.select("value", "column", "expected").rows() == [
        ("1 2x", "Cantidad", "a count such as 1234"),
        ("<5", "Cantidad", "a count such as 1234"),
        ("1.234,5", "Cantidad", "a count such as 1234"),
    ]


def test_a_file_without_a_value_column_reports_no_number_and_no_issue() -> None:
    frame = dhis2.VALUES.read(rows(dataelement=["A", "B"]))
    assert frame["_number"].to_list() == [None, None]
    assert dhis2.VALUES.issues(frame, column="value").is_empty()


# --------------------------------------------------------------------------
# Rows


def test_a_country_reports_for_itself_alone() -> None:
    colombia = Organisation(code="COL-DANE", area_id="COL")
    frame = rows(area=["COL", "ESP", None, "COL"])
    issues = other_country_issues(frame, colombia, column="Iso3_code")
    assert issues.select(
        "row", "column", "field", "value", "severity", "code", "message"
    ).rows() == [
        (
            3,
            "Iso3_code",
            "area",
            "ESP",
            "error",
            "other_country",
            "COL-DANE reports for COL, not for ESP",
        )
    ]
    # The office, with no area of its own, reports for any.
    assert other_country_issues(frame, Organisation(code="UNODC"), column="Iso3_code").is_empty()


def test_the_area_column_may_have_another_name() -> None:
    issues = other_country_issues(
        rows(orgunit=["ESP"]),
        Organisation(code="COL-DANE", area_id="COL"),
        area="orgunit",
        column="ou",
    )
    assert issues.select("column", "field", "value").rows() == [("ou", "orgunit", "ESP")]


def test_repeated_cells_are_every_row_of_a_cell_with_the_first_one_named() -> None:
    frame = rows(
        area=["COL", "COL", "PER", "COL", "COL"],
        key=["A.B", "A.B", "A.B", "A.B", "A.C"],
        year=[2024, 2025, 2024, 2024, 2024],
        value=["1", "2", "3", "4", "5"],
    )
    repeated = repeated_cells(frame, ["area", "key", "year"])
    assert repeated.select(ROW_NUMBER, "_cell", "_first").rows() == [
        (2, "COL|A.B|2024", 2),
        (5, "COL|A.B|2024", 2),
    ]
    assert repeated_cells(frame, ["area", "key", "year", "value"]).is_empty()
    assert repeated_cells(frame, ["key"])["_first"].to_list() == [2, 2, 2, 2]


# --------------------------------------------------------------------------
# The job and the commit


def test_the_issues_of_several_checks_are_one_frame() -> None:
    assert combined_issues([]).schema == pl.Schema(ISSUE_SCHEMA)
    one = other_country_issues(
        rows(area=["ESP"]), Organisation(code="COL-DANE", area_id="COL"), column="Iso3_code"
    )
    assert combined_issues([empty_issues(), one, one])["row"].to_list() == [2, 2]


def test_headers_are_found_by_field_and_unmapped_columns_left_out() -> None:
    job = ImportJob(mapping={"Código": "national_code", "Cantidad": "value", "Notas": ""})
    assert headers_by_field(job) == {"national_code": "Código", "value": "Cantidad"}


@pytest.mark.parametrize("label", ["", "UN-CTS", "UN-CTS twenty", "UN-CTS 2025 draft"])
def test_the_label_must_name_a_questionnaire_and_a_year(label: str) -> None:
    with pytest.raises(ValidationFailed, match="names the questionnaire and the year"):
        questionnaire_of(ImportJob(label=label))


@pytest.mark.django_db
def test_an_unknown_questionnaire_refuses_the_import() -> None:
    with pytest.raises(ValidationFailed, match="no questionnaire 'NOPE'"):
        questionnaire_of(ImportJob(label="NOPE 2025"))


def test_a_cell_without_a_number_is_not_available() -> None:
    missing = cell_entry(None, comment="not collected")
    assert (missing.value, missing.status, missing.comment) == (None, "L", "not collected")
    assert (cell_entry("12.5").value, cell_entry("12.5").status) == (Decimal("12.5"), "")
    assert cell_entry(11004.0).value == Decimal("11004.0")  # a crosswalk's sum
