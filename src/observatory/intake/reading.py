"""Reading uploaded tables into string frames: CSV (delimiter and encoding
detected), Excel and OpenDocument (python-calamine), JSON arrays.

Everything is read as text: types are the validator's job, and a cell's
original text must survive to appear in the error report. Row numbers are those
a user sees in a spreadsheet (header = row 1 unless metadata lines precede it).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from charset_normalizer import from_bytes

from observatory.core.errors import ValidationFailed

ROW_NUMBER = "__row__"
# Excel cells typed as numbers: a flag column per header, so the validator reads
# them as numbers whatever decimal mark the column's text cells use.
NUMERIC_PREFIX = "__numeric__"
MAX_COLUMNS = 500
# Rows of a workbook read sheet by sheet are numbered sheet index x SHEET_ROWS +
# the row a spreadsheet shows (the first sheet's as they are).
SHEET_ROWS = 1_000_000
MAX_CELL_CHARS = 10_000
# No row of a table is this long (500 columns of 2,000 characters): a file with
# such a line is no table, and parsing it whole took gigabytes.
MAX_LINE_BYTES = 1024 * 1024
# An .xlsx is a zip: refuse archives that expand absurdly (decompression bombs).
MAX_UNCOMPRESSED_BYTES = 1_500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}


class UnreadableFile(ValidationFailed):
    """The file cannot be read as a table; the message says why."""


@dataclass
class RawTable:
    """A table as read: every cell text, plus where it came from."""

    frame: pl.DataFrame  # string columns + ROW_NUMBER (int)
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    header_row: int = 1
    notes: list[str] = field(default_factory=list)
    # Rows in the file when `frame` holds only the first ones (a preview).
    rows: int | None = None

    @property
    def row_count(self) -> int:
        return self.frame.height if self.rows is None else self.rows

    @property
    def cells(self) -> pl.DataFrame:
        """The cells as read, with row numbers (without the reader's flag columns)."""
        return self.frame.select([*self.headers, ROW_NUMBER])


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    sample = data[: 2 * 1024 * 1024]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sample's end is still UTF-8.
        if error.start < len(sample) - 4:
            best = from_bytes(sample, cp_isolation=["gb18030", "cp1252", "latin_1", "utf_16"])
            match = best.best()
            if match is None:
                raise UnreadableFile(
                    "the file's text encoding could not be recognised; save it as UTF-8 CSV"
                ) from error
            encoding = match.encoding
            if encoding in {"cp1252", "latin_1", "iso8859_1"}:
                # Windows-1252 (what Excel writes in western Europe) has ’ “ ” € where
                # Latin-1 has control characters; Latin-1 only for bytes cp1252 lacks.
                if not any(0x80 <= byte <= 0x9F for byte in sample):
                    return "latin-1"  # the two agree on every byte present
                try:
                    data.decode("cp1252")
                except UnicodeDecodeError:
                    return "latin-1"
                return "cp1252"
            return encoding
    return "utf-8"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _header_index(rows: list[list[str]]) -> int:
    """Real exports put metadata lines before the header: the header is the first
    row, among the first ten, about as wide as the table's usual row (a ragged
    data row with an extra cell does not count)."""
    widths = [sum(1 for c in row if str(c).strip()) for row in rows[:50]]
    widths = [w for w in widths if w]
    width = Counter(widths).most_common(1)[0][0] if widths else 0
    for index, row in enumerate(rows[:10]):
        if sum(1 for c in row if c.strip()) >= max(2, width * 0.8):
            return index
    return 0


def _frame_from_rows(
    rows: list[list[str]], *, first_row_number: int, numeric: list[list[bool]] | None = None
) -> tuple[pl.DataFrame, list[str]]:
    if not rows:
        raise UnreadableFile("the file is empty")
    header_at = _header_index(rows)
    headers = [str(h).strip() for h in rows[header_at]]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise UnreadableFile("no header row was found: the first line must name the columns")
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(
            f"the file has {len(headers)} columns; at most {MAX_COLUMNS} are accepted"
        )
    names = _unique_names(headers)
    body = rows[header_at + 1 :]
    columns: dict[str, list[str]] = {name: [] for name in names}
    flags: dict[str, list[bool]] = {name: [] for name in names}
    numbers: list[int] = []
    for offset, row in enumerate(body):
        if not any(str(cell).strip() for cell in row):
            continue  # blank lines are not records
        numbers.append(first_row_number + header_at + 1 + offset)
        kinds = numeric[header_at + 1 + offset] if numeric else []
        for index, name in enumerate(names):
            value = row[index] if index < len(row) else ""
            columns[name].append(str(value)[:MAX_CELL_CHARS])
            flags[name].append(bool(kinds[index]) if index < len(kinds) else False)
    if not numbers:
        raise UnreadableFile("the file has a header row but no data rows")
    data: dict[str, Any] = {**columns, ROW_NUMBER: numbers}
    schema: dict[str, type[pl.DataType]] = {**dict.fromkeys(names, pl.String), ROW_NUMBER: pl.Int64}
    if numeric:
        data.update({f"{NUMERIC_PREFIX}{name}": flags[name] for name in names})
        schema.update({f"{NUMERIC_PREFIX}{name}": pl.Boolean for name in names})
    frame = pl.DataFrame(data, schema=schema)
    return frame, names


def _unique_names(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for index, header in enumerate(headers):
        name = header or f"column {index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


ENCODING_SAMPLE = 2 * 1024 * 1024


def read_csv_bytes(data: bytes) -> RawTable:
    """CSV through Polars' native reader: every column as text, flat memory."""
    if not data or data.isspace():
        raise UnreadableFile("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("this is not a text file: upload CSV, Excel, OpenDocument or JSON")
    encoding = detect_encoding(data)
    if encoding == "utf-8-sig":
        data = data[3:]
    elif encoding != "utf-8":
        data = data.decode(encoding).encode("utf-8")
    return _read_csv(data, data[: 64 * 1024], encoding)


def check_line_lengths(path: Path) -> None:
    """Refuse, reading a block at a time, a text with a line longer than
    MAX_LINE_BYTES."""
    run = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            cut = block.rfind(b"\n")
            if cut < 0:
                run += len(block)
            else:
                longest = max((len(line) for line in block[:cut].split(b"\n")), default=0)
                if run + block.find(b"\n") > MAX_LINE_BYTES or longest > MAX_LINE_BYTES:
                    run = MAX_LINE_BYTES + 1
                else:
                    run = len(block) - cut - 1
            if run > MAX_LINE_BYTES:
                raise UnreadableFile(
                    f"a line of the file is longer than {MAX_LINE_BYTES // 1024**2} MB: "
                    "no table has such rows; it was refused"
                )


def read_csv_path(path: Path, *, preview: int | None = None) -> RawTable:
    """A CSV file: UTF-8 ones are parsed from the file itself (Polars maps it; no
    copy of the whole file in memory), others decoded first. With `preview`, a
    UTF-8 file is parsed up to that many rows only, and its records counted."""
    check_line_lengths(path)
    with path.open("rb") as handle:
        head = handle.read(ENCODING_SAMPLE)
    # The encoding is decided on the same sample as for the whole file's bytes.
    if (
        head.strip()
        and b"\x00" not in head[:4096]
        and not head.startswith(b"\xef\xbb\xbf")
        and detect_encoding(head) == "utf-8"
    ):
        return _read_csv(path, head[: 64 * 1024], "utf-8", preview=preview)
    return read_csv_bytes(path.read_bytes())


def _contiguous(owner: list[pl.DataFrame]) -> pl.DataFrame:
    """The frame in `owner` (taken out of it, so that this holds its only
    reference) with one chunk per column, made a column at a time: never the
    whole frame twice in memory. Adding a column to a frame of many chunks would
    copy every column (the validator adds a dozen)."""
    frame = owner.pop()
    if all(count == 1 for count in frame.n_chunks("all")):
        return frame
    columns = []
    for name in frame.columns:
        columns.append(frame.get_column(name).rechunk())
        frame = frame.drop(name)  # the column's chunks are freed here
    return pl.DataFrame(columns)


def _read_csv(
    source: bytes | Path, start: bytes, encoding: str, *, preview: int | None = None
) -> RawTable:
    head = start.decode("utf-8", errors="ignore")
    delimiter = _sniff_delimiter(head)
    head_rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))[:-1] or [[]]
    header_at = _header_index(head_rows)
    options: dict[str, Any] = {
        "separator": delimiter,
        "skip_rows": header_at,
        "infer_schema": False,
        "has_header": True,
        "truncate_ragged_lines": True,
    }
    records = None
    try:
        if preview is not None and isinstance(source, Path):
            # Records counted without parsing their cells (blank ones included: the
            # check, which reads every cell, leaves those out).
            records = pl.scan_csv(source, **options).select(pl.len()).collect().item()
        frame = _contiguous(
            [
                pl.read_csv(
                    io.BytesIO(source) if isinstance(source, bytes) else source,
                    raise_if_empty=True,
                    n_rows=preview if records is not None else None,
                    **options,
                )
            ]
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        raise UnreadableFile(f"the CSV could not be read: {error}") from error
    headers = [str(h).strip() for h in frame.columns]
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(
            f"the file has {len(headers)} columns; at most {MAX_COLUMNS} are accepted"
        )
    # Polars names repeated headers "a_duplicated_0"; use the file's own texts.
    texts = [str(h).strip() for h in head_rows[header_at]] if header_at < len(head_rows) else []
    if len(texts) == len(headers):
        headers = texts
    names = _unique_names([h if not h.startswith("_duplicated_") else "" for h in headers])
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    # Row numbers as a spreadsheet shows them: the header is on line header_at + 1.
    # Missing cells as "", over-long cells cut: only the columns that need it.
    missing = [name for name in names if frame[name].null_count()]
    lengths = frame.select(pl.col(names).str.len_bytes().max()).row(0) if names else ()
    long = [
        name for name, length in zip(names, lengths, strict=True) if (length or 0) > MAX_CELL_CHARS
    ]
    frame = frame.with_row_index(ROW_NUMBER, offset=header_at + 2).with_columns(
        pl.col(ROW_NUMBER).cast(pl.Int64),
        pl.col(missing).fill_null(""),
    )
    if long:
        frame = frame.with_columns(pl.col(long).str.slice(0, MAX_CELL_CHARS))
    # Blank lines are not records (the filter copies nothing when there is none);
    # a cell with text has a character other than a space (no stripped copies).
    frame = frame.filter(pl.any_horizontal(pl.col(names).str.contains(r"\S")))
    if frame.is_empty() and records is not None and records > (preview or 0):
        # Only blank rows among the first ones: look at them all.
        return _read_csv(source, start, encoding)
    if frame.is_empty():
        raise UnreadableFile("the file has a header row but no data rows")
    frame = _contiguous([frame.select([*names, ROW_NUMBER])])
    notes = [] if encoding.startswith("utf-8") else [f"read as {encoding}"]
    return RawTable(
        frame=frame,
        headers=names,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_at + 1,
        notes=notes,
        rows=records,
    )


def check_zip_container(path: Path) -> None:
    """Refuse truncated archives and decompression bombs before a parser sees them."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableFile(
            "the workbook is damaged or truncated (it is not a complete .xlsx/.ods file)"
        ) from error
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(
            "the workbook expands to an implausible size "
            f"({total // (1024 * 1024)} MB from {packed // 1024} KB); it was refused"
        )


def _check_if_zipped(path: Path) -> None:
    """Zip containers (xlsx, xlsm, xlsb, ods) are told by their content, not
    their name: a stored upload has none (uploads/ab/<sha256>)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"PK" or path.suffix.lower() in {".xlsx", ".xlsm", ".ods", ".xlsb"}:
        check_zip_container(path)


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order."""
    from python_calamine import CalamineWorkbook

    _check_if_zipped(path)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as error:  # calamine raises its own error types for damaged files
        raise UnreadableFile(f"the workbook could not be read: {error}") from error


def read_excel_path(path: Path, *, sheet: str | None = None) -> RawTable:
    from python_calamine import CalamineWorkbook

    _check_if_zipped(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        name = sheet or next(
            (n for n in names if workbook.get_sheet_by_name(n).total_height > 0), names[0]
        )
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except UnreadableFile:
        raise
    except Exception as error:  # calamine raises its own error types for damaged files
        raise UnreadableFile(f"the workbook could not be read: {error}") from error
    text_rows = [[_cell_text(cell) for cell in row] for row in rows]
    numeric = [
        [isinstance(cell, int | float) and not isinstance(cell, bool) for cell in row]
        for row in rows
    ]
    frame, headers = _frame_from_rows(text_rows, first_row_number=1, numeric=numeric)
    return RawTable(
        frame=frame, headers=headers, sheet=name, header_row=_header_index(text_rows) + 1
    )


def _cell_text(cell: object) -> str:
    # Dates arrive as date/datetime; numbers as float: keep integers integral.
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, float):
        # Excel holds 15 significant digits: what was typed (0.3), not the
        # binary double's tail (0.30000000000000004) a formula may leave.
        return format(cell, ".15g")
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell)


def read_json_bytes(data: bytes) -> RawTable:
    try:
        records = json.loads(data.decode(detect_encoding(data)))
    except (ValueError, UnicodeDecodeError) as error:
        raise UnreadableFile(f"the JSON is malformed: {error}") from error
    if isinstance(records, dict):
        records = records.get("items") or records.get("data") or records.get("records")
    if not isinstance(records, list) or not records:
        raise UnreadableFile("the JSON must be a non-empty array of objects")
    if not all(isinstance(r, dict) for r in records):
        raise UnreadableFile("every element of the JSON array must be an object")
    headers = list(dict.fromkeys(key for record in records for key in record))
    rows = [headers] + [[_json_text(r.get(h)) for h in headers] for r in records]
    frame, names = _frame_from_rows(rows, first_row_number=0)
    return RawTable(frame=frame, headers=names)


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def read_table(
    path: Path,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    preview: int | None = None,
) -> RawTable:
    """Read any supported file; the suffix of `filename` (or `path`) decides how.

    With `preview`, a UTF-8 CSV's frame has its first `preview` rows only and
    `row_count` counts its records (a quick look at a large file: its header,
    some values, its size); other files are read whole."""
    suffix = Path(filename or path.name).suffix.lower()
    if path.stat().st_size == 0:
        raise UnreadableFile("the file is empty")
    if suffix in EXCEL_SUFFIXES:
        return read_excel_path(path, sheet=sheet)
    if suffix == ".json":
        return read_json_bytes(path.read_bytes())
    if suffix in TEXT_SUFFIXES or not suffix:
        return read_csv_path(path, preview=preview)
    raise UnreadableFile(
        f"files ending in {suffix} are not accepted: upload CSV, XLSX, XLS, ODS or JSON"
    )
