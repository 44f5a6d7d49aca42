"""Reading uploaded files into text frames: encodings, delimiters, spreadsheets,
JSON, and the hostile or broken files that must be refused with a clear message.

No database: `read_table` only sees a path and the name the user gave the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from observatory.intake.reading import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    ROW_NUMBER,
    RawTable,
    UnreadableFile,
    read_excel_path,
    read_table,
)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rows(table: RawTable) -> list[dict[str, object]]:
    return table.cells.to_dicts()


# --------------------------------------------------------------------------
# CSV: encodings


def test_utf8_csv_is_read_as_text_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "Droga,Cantidad\nheroína,12\ncocaína,0012\n".encode())

    table = read_table(path)

    assert (table.encoding, table.delimiter, table.header_row) == ("utf-8", ",", 1)
    assert table.headers == ["Droga", "Cantidad"]
    # Every cell stays text: "0012" is not turned into 12.
    assert rows(table) == [
        {"Droga": "heroína", "Cantidad": "12", ROW_NUMBER: 2},
        {"Droga": "cocaína", "Cantidad": "0012", ROW_NUMBER: 3},
    ]
    assert table.notes == []


def test_utf8_with_bom_loses_the_bom_from_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b"\xef\xbb\xbf" + "日期,毒品\n2023-05-14,海洛因\n".encode())

    table = read_table(path)

    assert table.encoding == "utf-8-sig"
    assert table.headers == ["日期", "毒品"]
    assert rows(table) == [{"日期": "2023-05-14", "毒品": "海洛因", ROW_NUMBER: 2}]


def test_latin1_is_detected_and_noted(tmp_path: Path) -> None:
    # Given an old export in Latin-1 (ô is byte 0xF4, í 0xED, ñ 0xF1)
    text = "COUNTRY;DRUG;AMOUNT\nCôte d'Ivoire;heroína;1\nEspaña;cocaïne;2\n"
    path = write(tmp_path, "ids.csv", text.encode("latin-1"))

    # When it is read
    table = read_table(path)

    # Then the accented names survive and the user is told how it was read
    assert table.encoding == "latin-1"
    assert table.notes == ["read as latin-1"]
    assert table.frame["COUNTRY"].to_list() == ["Côte d'Ivoire", "España"]
    assert table.frame["DRUG"].to_list() == ["heroína", "cocaïne"]


def test_windows_1252_keeps_its_curly_quotes_and_euro_sign(tmp_path: Path) -> None:
    # Given a CSV as Excel for Windows saves it in Spanish or French (code page 1252),
    # where ’ “ ” € are bytes 0x92 0x93 0x94 0x80
    text = "País;Nota\nCôte d’Ivoire;“caleta” de 5 000 €\nEspaña;otra\n"
    path = write(tmp_path, "s.csv", text.encode("cp1252"))

    # When it is read
    table = read_table(path)

    # Then those characters are themselves, not C1 control characters
    assert table.frame["País"].to_list() == ["Côte d’Ivoire", "España"]
    assert table.frame["Nota"].to_list() == ["“caleta” de 5 000 €", "otra"]


def test_gb18030_chinese_text_is_detected(tmp_path: Path) -> None:
    lines = ["日期,毒品,数量,地点"] + [
        f"2023-05-{day:02d},海洛因,{day},曼谷素万那普机场" for day in range(1, 21)
    ]
    path = write(tmp_path, "泰国.csv", ("\n".join(lines) + "\n").encode("gb18030"))

    table = read_table(path)

    assert table.encoding == "gb18030"
    assert table.notes == ["read as gb18030"]
    assert table.headers == ["日期", "毒品", "数量", "地点"]
    assert table.frame["地点"].unique().to_list() == ["曼谷素万那普机场"]
    assert table.frame[ROW_NUMBER].to_list() == list(range(2, 22))


# --------------------------------------------------------------------------
# CSV: layout


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [
            ["Fecha", "Droga", "Cantidad"],
            ["2024-01-31", "cocaína", "12,5"],
            ["2024-02-01", "heroína", "3,25"],
        ]
    )
    path = write(tmp_path, "s.txt", buffer.getvalue().encode())

    table = read_table(path)

    assert table.delimiter == delimiter
    assert table.headers == ["Fecha", "Droga", "Cantidad"]
    assert table.frame["Cantidad"].to_list() == ["12,5", "3,25"]


def test_a_tsv_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "s.tsv", b"a\tb\n1\t2\n")

    assert rows(read_table(path)) == [{"a": "1", "b": "2", ROW_NUMBER: 2}]


def test_metadata_lines_before_the_header_are_skipped_as_in_unodc_portal_files(
    tmp_path: Path,
) -> None:
    # Given a portal export: a title, a source line and a blank line above the header
    text = (
        "UNODC Data Portal - Drug seizures\n"
        "Downloaded on 2024-05-01 from dataunodc.un.org\n"
        "\n"
        "Region,Subregion,Country,Drug,Year,Unit,Value\n"
        "Americas,South America,Colombia,Cocaine,2022,kg,670000\n"
        "Americas,South America,Peru,Cocaine,2022,kg,22000\n"
    )
    path = write(tmp_path, "portal.csv", text.encode())

    # When it is read
    table = read_table(path)

    # Then the header is line 4 and the data rows keep their line numbers
    assert table.header_row == 4
    assert table.headers == ["Region", "Subregion", "Country", "Drug", "Year", "Unit", "Value"]
    assert table.frame.select("Country", ROW_NUMBER).rows() == [("Colombia", 5), ("Peru", 6)]


def test_a_row_with_an_extra_cell_does_not_become_the_header(tmp_path: Path) -> None:
    # Given a hand-made CSV where one amount was typed with an unquoted decimal comma
    text = (
        "Fecha,Droga,Cantidad\n30/01/2024,heroína,3\n31/01/2024,cocaína,12,5\n01/02/2024,hachís,7\n"
    )
    path = write(tmp_path, "s.csv", text.encode())

    # When it is read
    table = read_table(path)

    # Then the first line is still the header and no data row is lost
    assert (table.header_row, table.headers) == (1, ["Fecha", "Droga", "Cantidad"])
    assert table.frame.select("Fecha", ROW_NUMBER).rows() == [
        ("30/01/2024", 2),
        ("31/01/2024", 3),
        ("01/02/2024", 4),
    ]


def test_blank_lines_are_skipped_but_rows_keep_their_file_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b"a,b\n1,2\n\n3,4\n,\n  ,  \n5,6\n")

    table = read_table(path)

    assert table.frame.select("a", ROW_NUMBER).rows() == [("1", 2), ("3", 4), ("5", 7)]


def test_quoted_fields_keep_their_newlines_and_delimiters(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b'a,b\n1,"line one\nline two, still b"\n3,4\n')

    table = read_table(path)

    # A spreadsheet shows the quoted cell in one row: the next record is row 3.
    assert rows(table) == [
        {"a": "1", "b": "line one\nline two, still b", ROW_NUMBER: 2},
        {"a": "3", "b": "4", ROW_NUMBER: 3},
    ]


def test_duplicate_and_empty_headers_are_made_unique_in_a_csv(tmp_path: Path) -> None:
    # The workbook reader names repeats "a (2)": a CSV with the same header row must
    # give the same column names (shown to the user and remembered in mappings).
    path = write(tmp_path, "s.csv", b"a,a,b,,a\n1,2,3,4,5\n")

    table = read_table(path)

    assert table.headers == ["a", "a (2)", "b", "column 4", "a (3)"]
    assert table.cells.row(0) == ("1", "2", "3", "4", "5", 2)


def test_duplicate_and_empty_headers_are_made_unique_in_a_workbook(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["a", "a", "b", None, "a"])
    sheet.append([1, 2, 3, 4, 5])
    workbook.save(tmp_path / "s.xlsx")

    table = read_table(tmp_path / "s.xlsx")

    assert table.headers == ["a", "a (2)", "b", "column 4", "a (3)"]
    assert table.cells.row(0) == ("1", "2", "3", "4", "5", 2)


def test_overlong_cells_are_cut(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b"a,b\n" + b"x" * (MAX_CELL_CHARS + 500) + b",1\n")

    table = read_table(path)

    assert table.frame["a"].str.len_chars().to_list() == [MAX_CELL_CHARS]


def test_a_file_without_suffix_is_read_as_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "export", b"a;b\n1;2\n")

    assert rows(read_table(path)) == [{"a": "1", "b": "2", ROW_NUMBER: 2}]


def test_the_uploaded_name_decides_the_format_not_the_stored_path(tmp_path: Path) -> None:
    # Uploads are stored under their hash, without suffix.
    path = write(tmp_path, "0f3a9c", json.dumps([{"a": 1}]).encode())

    table = read_table(path, filename="seizures.json")

    assert rows(table) == [{"a": "1", ROW_NUMBER: 1}]


# --------------------------------------------------------------------------
# Spreadsheets


def test_xlsx_dates_become_iso_text_and_integers_stay_integral(tmp_path: Path) -> None:
    # Given a workbook with real Excel dates, whole and fractional numbers, a blank row
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Incautaciones"
    sheet.append(["Fecha", "Cantidad", "Detenidos", "Droga"])
    sheet.append([dt.date(2024, 3, 1), 12.5, 3, "cocaína"])
    sheet.append([dt.datetime(2024, 3, 2, 14, 30), 1000, 0.0, "heroína"])
    sheet.append([None, None, None, None])
    sheet.append(["05/03/2024", "12,5", 2, "marihuana"])
    sheet["A2"].number_format = "DD/MM/YYYY"
    workbook.save(tmp_path / "s.xlsx")

    # When it is read
    table = read_table(tmp_path / "s.xlsx")

    # Then dates are ISO text, integers have no ".0", text stays as typed, and the
    # blank row is skipped without renumbering the rows after it
    assert table.sheet == "Incautaciones"
    assert rows(table) == [
        {
            "Fecha": "2024-03-01",
            "Cantidad": "12.5",
            "Detenidos": "3",
            "Droga": "cocaína",
            ROW_NUMBER: 2,
        },
        {
            "Fecha": "2024-03-02T14:30:00",
            "Cantidad": "1000",
            "Detenidos": "0",
            "Droga": "heroína",
            ROW_NUMBER: 3,
        },
        {
            "Fecha": "05/03/2024",
            "Cantidad": "12,5",
            "Detenidos": "2",
            "Droga": "marihuana",
            ROW_NUMBER: 5,
        },
    ]


def test_xlsx_title_rows_before_the_header_are_skipped(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Drug seizures 2024"])
    sheet.append(["Source: national police"])
    sheet.append(["Fecha", "Droga", "Cantidad"])
    sheet.append([dt.date(2024, 1, 5), "cocaína", 7])
    workbook.save(tmp_path / "s.xlsx")

    table = read_table(tmp_path / "s.xlsx")

    assert (table.header_row, table.headers) == (3, ["Fecha", "Droga", "Cantidad"])
    assert rows(table) == [
        {"Fecha": "2024-01-05", "Droga": "cocaína", "Cantidad": "7", ROW_NUMBER: 4}
    ]


def test_xlsx_first_non_empty_sheet_is_read_unless_one_is_named(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Notes"
    data = workbook.create_sheet("Data")
    data.append(["a", "b"])
    data.append([1, 2])
    other = workbook.create_sheet("Other")
    other.append(["c", "d"])
    other.append([3, 4])
    workbook.save(tmp_path / "s.xlsx")

    assert read_table(tmp_path / "s.xlsx").sheet == "Data"
    assert read_table(tmp_path / "s.xlsx", sheet="Other").headers == ["c", "d"]


def test_a_sheet_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["a", "b"])
    sheet.append([1, 2])
    workbook.save(tmp_path / "s.xlsx")

    with pytest.raises(UnreadableFile, match="the workbook could not be read"):
        read_table(tmp_path / "s.xlsx", sheet="Nope")


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
  xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Datos">
<table:table-row>
 <table:table-cell office:value-type="string"><text:p>Fecha</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Cantidad</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Droga</text:p></table:table-cell>
</table:table-row>
<table:table-row>
 <table:table-cell office:value-type="date" office:date-value="2024-03-01">
  <text:p>01/03/2024</text:p></table:table-cell>
 <table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p>
  </table:table-cell>
 <table:table-cell office:value-type="string"><text:p>cocaína</text:p></table:table-cell>
</table:table-row>
<table:table-row>
 <table:table-cell office:value-type="string"><text:p>02/03/2024</text:p></table:table-cell>
 <table:table-cell office:value-type="float" office:value="2.5"><text:p>2,5</text:p>
  </table:table-cell>
 <table:table-cell office:value-type="string"><text:p>heroína</text:p></table:table-cell>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
  manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/"
  manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def test_ods_is_read(tmp_path: Path) -> None:
    # Given an OpenDocument spreadsheet, written by hand (mimetype first, stored; no
    # whitespace between elements, as office suites write it)
    path = tmp_path / "datos.ods"
    content = re.sub(r">\s+<", "><", ODS_CONTENT)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)

    # When it is read
    table = read_table(path)

    # Then it reads like a workbook: dates ISO, numbers as numbers
    assert table.sheet == "Datos"
    assert rows(table) == [
        {"Fecha": "2024-03-01", "Cantidad": "7", "Droga": "cocaína", ROW_NUMBER: 2},
        {"Fecha": "02/03/2024", "Cantidad": "2.5", "Droga": "heroína", ROW_NUMBER: 3},
    ]


# --------------------------------------------------------------------------
# JSON


def test_a_json_array_of_objects_is_read_with_lists_joined(tmp_path: Path) -> None:
    records = [
        {"date": "2024-01-31", "drug": "cocaine", "quantity": 12.5, "transit": ["ECU", "PAN"]},
        {"date": "2024-02-01", "drug": "heroin", "quantity": 3, "transit": None, "notes": "x"},
    ]
    path = write(tmp_path, "s.json", json.dumps(records).encode())

    table = read_table(path)

    # Keys of every record become columns, in order of first appearance.
    assert table.headers == ["date", "drug", "quantity", "transit", "notes"]
    assert rows(table) == [
        {
            "date": "2024-01-31",
            "drug": "cocaine",
            "quantity": "12.5",
            "transit": "ECU;PAN",
            "notes": "",
            ROW_NUMBER: 1,
        },
        {
            "date": "2024-02-01",
            "drug": "heroin",
            "quantity": "3",
            "transit": "",
            "notes": "x",
            ROW_NUMBER: 2,
        },
    ]


@pytest.mark.parametrize("key", ["items", "data", "records"])
def test_a_json_object_wrapping_the_array_is_read(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, "s.json", json.dumps({key: [{"a": "x"}, {"a": "y"}]}).encode())

    assert read_table(path).frame["a"].to_list() == ["x", "y"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"items": [', "the JSON is malformed"),
        (b"[]", "the JSON must be a non-empty array of objects"),
        (b'{"rows": [{"a": 1}]}', "the JSON must be a non-empty array of objects"),
        (b'[{"a": 1}, 2]', "every element of the JSON array must be an object"),
    ],
)
def test_bad_json_is_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path, "s.json", data)

    with pytest.raises(UnreadableFile, match=message):
        read_table(path)


# --------------------------------------------------------------------------
# Hostile and broken files


@pytest.mark.parametrize("name", ["s.csv", "s.xlsx", "s.json", "s.ods"])
def test_an_empty_file_is_refused(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, b"")

    with pytest.raises(UnreadableFile, match=r"^the file is empty$"):
        read_table(path)


def test_a_csv_of_whitespace_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b" \r\n\n\t\n")

    with pytest.raises(UnreadableFile, match=r"^the file is empty$"):
        read_table(path)


@pytest.mark.parametrize("data", [b"a,b,c\n", b"a,b,c\n\n,,\n"])
def test_a_header_without_rows_is_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "s.csv", data)

    with pytest.raises(UnreadableFile, match="the file has a header row but no data rows"):
        read_table(path)


def test_a_workbook_with_a_header_only_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Fecha", "Droga", "Cantidad"])
    workbook.save(tmp_path / "s.xlsx")

    with pytest.raises(UnreadableFile, match="the file has a header row but no data rows"):
        read_table(tmp_path / "s.xlsx")


def test_binary_junk_named_csv_is_refused(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 8
    path = write(tmp_path, "seizures.csv", png)

    with pytest.raises(UnreadableFile, match="this is not a text file"):
        read_table(path)


def test_ten_thousand_columns_are_refused(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    path = write(tmp_path, "wide.csv", f"{header}\n{','.join(['1'] * 10_000)}\n".encode())

    with pytest.raises(
        UnreadableFile, match=f"the file has 10000 columns; at most {MAX_COLUMNS} are accepted"
    ):
        read_table(path)


def test_too_many_columns_in_a_workbook_are_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([f"c{i}" for i in range(MAX_COLUMNS + 1)])
    sheet.append([1] * (MAX_COLUMNS + 1))
    workbook.save(tmp_path / "wide.xlsx")

    with pytest.raises(UnreadableFile, match=f"at most {MAX_COLUMNS} are accepted"):
        read_table(tmp_path / "wide.xlsx")


def zip_bomb(path: Path, mebibytes: int) -> None:
    """A valid zip whose one entry inflates to `mebibytes` MiB of zeros.

    One MiB of zeros is deflated once with a full flush (the block is then
    independent of what precedes it), repeated, and closed with an empty final
    block, so building 2 GiB takes a second and about 2 MB of disk."""
    name = b"xl/worksheets/sheet1.xml"
    zeros = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    body = block * mebibytes + b"\x03\x00"
    size = mebibytes * 1024 * 1024
    local = (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), size, len(name), 0
        )
        + name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(body),
            size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    path.write_bytes(local + body + central + end)


def test_a_two_gigabyte_zip_bomb_named_xlsx_is_refused(tmp_path: Path) -> None:
    # Given a 2 MB file that claims (truthfully) to expand to 2 GiB
    path = tmp_path / "seizures.xlsx"
    zip_bomb(path, 2048)
    with zipfile.ZipFile(path) as archive:
        assert archive.infolist()[0].file_size == 2 * 1024**3
    assert path.stat().st_size < 3 * 1024**2

    # When it is read, then it is refused before anything inflates it
    with pytest.raises(UnreadableFile, match=r"implausible size \(2048 MB from \d+ KB\)"):
        read_table(path)


def test_a_workbook_with_an_absurd_compression_ratio_is_refused(tmp_path: Path) -> None:
    # 100 MiB is under the size limit, but 1000:1 is no spreadsheet.
    path = tmp_path / "seizures.xlsx"
    zip_bomb(path, 100)

    with pytest.raises(UnreadableFile, match=r"implausible size \(100 MB from \d+ KB\); it was"):
        read_table(path)


def test_a_truncated_xlsx_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number in range(200):
        sheet.append([dt.date(2024, 1, 1), "cocaína", number])
    workbook.save(tmp_path / "whole.xlsx")
    data = (tmp_path / "whole.xlsx").read_bytes()
    path = write(tmp_path, "half.xlsx", data[: len(data) // 2])

    with pytest.raises(UnreadableFile, match="the workbook is damaged or truncated"):
        read_table(path)


def test_a_png_named_xlsx_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "seizures.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(500))

    with pytest.raises(UnreadableFile, match="the workbook is damaged or truncated"):
        read_table(path)


def test_an_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "seizures.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")

    with pytest.raises(
        UnreadableFile,
        match=r"files ending in \.pdf are not accepted: upload CSV, XLSX, XLS, ODS or JSON",
    ):
        read_table(path)


# --------------------------------------------------------------------------
# A preview: the header and the first rows of a large file


def test_a_preview_reads_the_first_rows_and_counts_the_records(tmp_path: Path) -> None:
    data = "Aviso: datos provisionales\nDroga,Cantidad\n" + "".join(
        f'cocaína,"{n}\n"\n' if n == 3 else f"cocaína,{n}\n" for n in range(10)
    )
    path = write(tmp_path, "s.csv", data.encode())

    table = read_table(path, preview=4)

    # The header below the note, four rows, a record with a line break counted once
    assert (table.headers, table.header_row, table.row_count) == (["Droga", "Cantidad"], 2, 10)
    assert [row["Cantidad"] for row in rows(table)] == ["0", "1", "2", "3\n"]
    assert [row[ROW_NUMBER] for row in rows(table)] == [3, 4, 5, 6]
    # Without a preview, every row
    assert read_table(path).row_count == 10


def test_a_preview_of_blank_first_rows_looks_further(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", ("Droga,Cantidad\n" + ",\n" * 5 + "heroína,1\n").encode())
    table = read_table(path, preview=3)
    assert rows(table) == [{"Droga": "heroína", "Cantidad": "1", ROW_NUMBER: 7}]

    empty = write(tmp_path, "e.csv", ("Droga,Cantidad\n" + ",\n" * 2).encode())
    with pytest.raises(UnreadableFile, match="a header row but no data rows"):
        read_table(empty, preview=3)


def test_a_zip_bomb_stored_without_its_name_is_refused(tmp_path: Path) -> None:
    # Issue 12 §2: stored uploads have no extension (uploads/ab/<sha256>): the
    # check goes by the content, not the name.
    stored = tmp_path / "3f9a0c"
    zip_bomb(stored, 2048)

    with pytest.raises(UnreadableFile, match=r"implausible size \(2048 MB"):
        read_table(stored, filename="seizures.xlsx")
    with pytest.raises(UnreadableFile, match=r"implausible size"):
        read_excel_path(stored)


def test_a_fifty_megabyte_single_line_is_refused_while_read(tmp_path: Path) -> None:
    # Issue 12 §2: parsed whole, such a line took 1.3 GB
    path = tmp_path / "one-line.csv"
    with path.open("wb") as handle:
        handle.write(b"date,drug,quantity\n")
        for _ in range(50):
            handle.write(b"x" * (1024 * 1024))
    with pytest.raises(UnreadableFile, match="longer than 1 MB"):
        read_table(path)


def test_long_but_legitimate_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    cells = ",".join(["a" * 1000] * 200)
    path.write_text("h" + ",h".join(str(i) for i in range(200)) + "\n" + cells + "\n")
    assert read_table(path).frame.height == 1
