"""How seizure files are checked beyond field types, and committed."""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import polars as pl
from django.conf import settings
from django.db import connection

from observatory.accounts.access import ActorLike
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import (
    ERROR,
    WARNING,
    ValidationResult,
    duplicate_issues,
    empty_issues,
    issues_where,
)
from observatory.reference.conversions import CONVERTIBLE_COUNTS
from observatory.reference.models import Area, Drug, Unit
from observatory.seizures.models import Seizure
from observatory.seizures.schema import SEIZURES
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

T = TypeVar("T")

# Above these kilogram-equivalents one seizure is unusual enough to be confirmed.
LARGE_SEIZURE_KG = {
    "opioids": 1000.0,
    "cocaine": 5000.0,
    "ats": 2000.0,
    "ecstasy": 1000.0,
    "cannabis": 50000.0,
}
DEFAULT_LARGE_KG = 500.0
BATCH = 2000
# Rows converted and written at a time.
CHUNK_ROWS = 100_000
# On PostgreSQL a version of at least this many rows is written as a partition of
# its own (smaller ones share the default partition): its indexes are built once
# instead of maintained row by row. Few versions are that large, so the number of
# partitions stays small.
PARTITION_MIN_ROWS = 100_000


def conversion_table() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Units and drugs as frames, for vectorised kilogram-equivalents."""
    units = pl.DataFrame(
        [(u.code, u.dimension, float(u.factor)) for u in Unit.objects.all()],
        orient="row",
        schema={"unit": pl.String, "_dimension": pl.String, "_factor": pl.Float64},
    )
    overrides = settings.OBSERVATORY_TABLET_MG_OVERRIDES

    def weight(drug: Drug) -> float | None:
        value = overrides.get(drug.code, drug.tablet_mg)
        return float(value) if value is not None else None

    drugs = pl.DataFrame(
        [(d.code, d.group.code, weight(d)) for d in Drug.objects.select_related("group")],
        orient="row",
        schema={"drug": pl.String, "_group": pl.String, "_tablet_mg": pl.Float64},
    )
    return units, drugs


def _lookup(frame: pl.DataFrame, key: str, value: str) -> dict[Any, Any]:
    return dict(zip(frame[key].to_list(), frame[value].to_list(), strict=True))


def _rules(units: pl.DataFrame, drugs: pl.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """The conversion rule texts: by unit, and by "unit drug" for countable units
    with a tablet weight (formatted once per unit and drug, not once per row)."""
    by_unit = units.select(
        "unit",
        pl.when(pl.col("_dimension") == "mass")
        .then(pl.format("mass: 1 {} = {} kg", pl.col("unit"), pl.col("_factor")))
        .when(pl.col("_dimension") == "volume")
        .then(pl.format("volume: 1 {} = {} l; 1 l = 1 kg", pl.col("unit"), pl.col("_factor")))
        .otherwise(pl.format("count: {} is not converted to mass", pl.col("unit")))
        .alias("rule"),
    )
    counted = (
        units.filter(
            ~pl.col("_dimension").is_in(["mass", "volume"])
            & pl.col("unit").is_in(sorted(CONVERTIBLE_COUNTS))
        )
        .join(drugs.filter(pl.col("_tablet_mg").is_not_null()), how="cross")
        .select(
            pl.concat_str("unit", "drug", separator=" ").alias("key"),
            pl.format(
                "count: 1 {} of {} = {} mg", pl.col("unit"), pl.col("drug"), pl.col("_tablet_mg")
            ).alias("rule"),
        )
    )
    return _lookup(by_unit, "unit", "rule"), _lookup(counted, "key", "rule")


def _kilograms(units: pl.DataFrame, drugs: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """(kilograms, countable) as expressions of quantity, unit and drug: reference
    values looked up by code in small mappings (numbers only, no text columns)."""
    unit, drug = pl.col("unit"), pl.col("drug")
    dimension = _lookup(units, "unit", "_dimension")
    weighed = sorted(code for code, kind in dimension.items() if kind in {"mass", "volume"})
    counted = sorted(code for code, kind in dimension.items() if kind == "count")
    factor = unit.replace_strict(
        _lookup(units, "unit", "_factor"), default=None, return_dtype=pl.Float64
    )
    tablet_mg = drug.replace_strict(
        _lookup(drugs, "drug", "_tablet_mg"), default=None, return_dtype=pl.Float64
    )
    countable = unit.is_in(sorted(CONVERTIBLE_COUNTS)) & tablet_mg.is_not_null()
    kilograms = (
        pl.when(unit.is_in(weighed))
        .then(pl.col("quantity") * factor)
        .when(unit.is_in(counted) & countable)
        .then(pl.col("quantity") * factor * tablet_mg / 1_000_000)
    )
    return kilograms, countable


def with_kilograms(
    rows: pl.DataFrame,
    tables: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    *,
    rule: bool = True,
) -> pl.DataFrame:
    """`rows` with kilograms (and, with `rule`, the rule that gave them) added.

    Reference values are looked up by code (`replace_strict` on small mappings):
    no join, so the row order is kept and no copy of the whole frame is made."""
    units, drugs = tables or conversion_table()
    unit, drug = pl.col("unit"), pl.col("drug")
    kilograms, countable = _kilograms(units, drugs)
    if not rule:
        return rows.with_columns(kilograms.alias("kilograms"))
    by_unit, counted = _rules(units, drugs)
    return rows.with_columns(
        kilograms.alias("kilograms"),
        pl.coalesce(
            pl.when(countable).then(
                pl.concat_str(unit, drug, separator=" ").replace_strict(
                    counted, default=None, return_dtype=pl.String
                )
            ),
            unit.replace_strict(
                by_unit,
                default=pl.format("count: {} is not converted to mass", unit),
                return_dtype=pl.String,
            ),
        ).alias("conversion_rule"),
    )


def _text(name: str, width: int | None = None) -> pl.Expr:
    column = pl.col(name) if width is None else pl.col(name).str.slice(0, width)
    return column.fill_null("")


def _json_list(name: str) -> pl.Expr:
    # Area codes never contain quotes: a list of them is safe to spell out as JSON.
    return (
        pl.when(pl.col(name).list.len() > 0)
        .then(pl.lit('["') + pl.col(name).list.join('","') + pl.lit('"]'))
        .otherwise(pl.lit("[]"))
    )


def seizure_rows(
    rows: pl.DataFrame, job: ImportJob, tables: tuple[pl.DataFrame, pl.DataFrame] | None = None
) -> pl.DataFrame:
    """The valid rows as the seizures table's columns, in its order (version added
    at write time)."""
    frame = with_kilograms(rows, tables)
    present = set(frame.columns)

    def column(name: str, default: Any = "") -> pl.Expr:
        return pl.col(name) if name in present else pl.lit(default)

    frame = frame.with_columns(
        [
            pl.lit(None, dtype=pl.String).alias(name)
            for name in (
                "case_reference",
                "place",
                "place_type",
                "origin_area",
                "departure_area",
                "destination_area",
                "transport_mode",
                "concealment",
                "seizing_agency",
                "arrested_sex",
                "notes",
                "drug_text",
            )
            if name not in present
        ]
        + [
            pl.lit([], dtype=pl.List(pl.String)).alias(name)
            for name in ("transit_areas", "arrested_nationalities")
            if name not in present
        ]
        + [pl.lit(None, dtype=pl.Float64).alias("purity_percent")]
        * ("purity_percent" not in present)
        + [pl.lit(None, dtype=pl.Int64).alias("persons_arrested")]
        * ("persons_arrested" not in present)
    )
    return frame.select(
        pl.lit(job.organisation_id).alias("organisation_id"),
        # The office's compilations carry the country on every row (checked).
        column("area", job.organisation.area_id)
        .fill_null(pl.lit(job.organisation.area_id, dtype=pl.String))
        .alias("area_id"),
        pl.col(ROW_NUMBER).alias("source_row"),
        _text("case_reference", 100).alias("case_reference"),
        pl.col("seizure_date"),
        column("seizure_date_precision", "day").fill_null("day").alias("date_precision"),
        _text("place", 200).alias("place"),
        _text("place_type").alias("place_type"),
        pl.col("drug").alias("drug_code"),
        _text("drug_text", 200).alias("drug_text"),
        pl.col("quantity").round(6),
        pl.col("unit").alias("unit_code"),
        pl.col("kilograms").round(6),
        pl.col("conversion_rule").str.slice(0, 120),
        pl.col("purity_percent").round(2),
        _text("origin_area").alias("origin_area"),
        _text("departure_area").alias("departure_area"),
        _json_list("transit_areas").alias("transit_areas"),
        _text("destination_area").alias("destination_area"),
        _text("transport_mode").alias("transport_mode"),
        _text("concealment", 200).alias("concealment"),
        _text("seizing_agency").alias("seizing_agency"),
        pl.col("persons_arrested"),
        _json_list("arrested_nationalities").alias("arrested_nationalities"),
        _text("arrested_sex").alias("arrested_sex"),
        _text("notes").alias("notes"),
    )


def _csv(frame: pl.DataFrame) -> bytes:
    """Rows as CSV without header: the bytes of the version's content hash. Empty
    texts are quoted and nulls are not, so PostgreSQL's COPY (CSV, NULL '') reads
    them back as written."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    return buffer.getvalue()


def write_rows(chunks: Iterable[pl.DataFrame], version: Version, *, rows: int) -> str:
    """Insert the rows, chunk by chunk, in the caller's transaction; returns the
    SHA-256 of their CSV (the same rows give the same hash on any engine).

    On PostgreSQL, COPY: a version of PARTITION_MIN_ROWS rows or more gets its own
    partition (COPY into a new table, indexes built once, then attached); smaller
    ones go to the default partition. Elsewhere, batched executemany."""
    digest = hashlib.sha256()
    if connection.vendor == "postgresql":
        if rows >= PARTITION_MIN_ROWS and _partition_free(version):
            _copy_partition(chunks, version, digest)
        else:
            _copy_rows(chunks, version, digest)
        return digest.hexdigest()
    target = connection.ops.quote_name(Seizure._meta.db_table)

    def prepare(chunk: pl.DataFrame) -> tuple[bytes, pl.DataFrame]:
        return _csv(chunk), chunk.select(pl.lit(version.pk).alias("version_id"), pl.all())

    with connection.cursor() as cursor:
        for body, table in _ahead(chunks, prepare):
            digest.update(body)
            names = ", ".join(connection.ops.quote_name(c) for c in table.columns)
            placeholders = ", ".join(["%s"] * len(table.columns))
            insert = f"INSERT INTO {target} ({names}) VALUES ({placeholders})"  # noqa: S608
            for start in range(0, table.height, BATCH * 5):
                cursor.executemany(insert, table.slice(start, BATCH * 5).rows())
    return digest.hexdigest()


def _partition_name(version: Version) -> str:
    return f"{Seizure._meta.db_table}_v{int(version.pk)}"


def _partition_free(version: Version) -> bool:
    """No table of that name yet (one left attached by an earlier database, say
    after a test flush, takes the version's rows through the parent instead)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL", [_partition_name(version)])
        return bool(cursor.fetchone()[0])


def _ahead(chunks: Iterable[pl.DataFrame], prepare: Callable[[pl.DataFrame], T]) -> Iterator[T]:
    """`prepare` applied to each chunk one chunk ahead, in a worker thread: the
    next chunk is converted while the database takes the current one (Polars
    releases the GIL). The chunks must not need the database (the worker thread
    would have a connection of its own, outside the transaction)."""
    iterator = iter(chunks)

    def step() -> T | None:
        chunk = next(iterator, None)
        return None if chunk is None else prepare(chunk)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(step)
        while (item := pending.result()) is not None:
            pending = pool.submit(step)
            yield item


def _peek(chunks: Iterable[pl.DataFrame]) -> tuple[list[str], Iterator[pl.DataFrame]] | None:
    """The columns of the first chunk, and every chunk (None when there is none)."""
    iterator = iter(chunks)
    first = next(iterator, None)
    if first is None:
        return None
    return first.columns, itertools.chain([first], iterator)


def _copy_rows(chunks: Iterable[pl.DataFrame], version: Version, digest: Any) -> None:
    """COPY through the partitioned table (rows land in the default partition)."""
    peeked = _peek(chunks)
    if peeked is None:
        return
    columns, rest = peeked
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in ["version_id", *columns])
    statement = f"COPY {quote(Seizure._meta.db_table)} ({names}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:

        def prepare(chunk: pl.DataFrame) -> tuple[bytes, bytes]:
            return _csv(chunk), _csv(chunk.select(pl.lit(version.pk).alias("version_id"), pl.all()))

        for body, with_version in _ahead(rest, prepare):
            digest.update(body)
            copy.write(with_version)


def _copy_partition(chunks: Iterable[pl.DataFrame], version: Version, digest: Any) -> None:
    """COPY into a new, unindexed table, build its indexes once, then attach it
    as the version's partition: far cheaper than maintaining the indexes and
    checking the version link row by row. All of it in the caller's transaction
    (PostgreSQL DDL is transactional: a failure leaves no table behind)."""
    peeked = _peek(chunks)
    if peeked is None:
        return
    columns, rest = peeked
    quote = connection.ops.quote_name
    parent, name, pk = Seizure._meta.db_table, _partition_name(version), int(version.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [parent])
        sequence = int(cursor.fetchone()[0])
        cursor.execute(
            f"CREATE TABLE {quote(name)} "
            f"(LIKE {quote(parent)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        # Ids from the parent's sequence; the version written once, as a default; the
        # check lets ATTACH skip scanning the rows for the partition bound.
        cursor.execute(
            f"ALTER TABLE {quote(name)} ALTER id SET DEFAULT nextval({sequence}::regclass), "
            f"ALTER version_id SET DEFAULT {pk}, "
            f"ADD CONSTRAINT {quote(name + '_bound')} CHECK (version_id = {pk})"
        )
        with cursor.cursor.copy(
            f"COPY {quote(name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT csv)"
        ) as copy:
            for body in _ahead(rest, _csv):
                digest.update(body)
                copy.write(body)
        # The parent's indexes and the constraints they back (primary key included),
        # built once on the full table; ATTACH adopts them (and builds any it could
        # not match, e.g. an index on an expression).
        cursor.execute(
            "SELECT c.contype, x.indisunique, array_agg(a.attname ORDER BY k.ord) FROM pg_index x "
            "CROSS JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) "
            "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "WHERE x.indrelid = %s::regclass AND x.indpred IS NULL AND x.indexprs IS NULL "
            "GROUP BY x.indexrelid, c.contype, x.indisunique ORDER BY x.indexrelid",
            [parent],
        )
        for kind, unique, names in cursor.fetchall():
            keys = ", ".join(quote(c) for c in names)
            if kind in {"p", "u"}:
                constraint = "PRIMARY KEY" if kind == "p" else "UNIQUE"
                cursor.execute(f"ALTER TABLE {quote(name)} ADD {constraint} ({keys})")
            else:
                cursor.execute(f"CREATE {'UNIQUE ' * unique}INDEX ON {quote(name)} ({keys})")
        cursor.execute(
            f"ALTER TABLE {quote(name)} ALTER id DROP DEFAULT, ALTER version_id DROP DEFAULT"
        )
        cursor.execute(
            f"ALTER TABLE {quote(parent)} ATTACH PARTITION {quote(name)} FOR VALUES IN ({pk})"
        )
        cursor.execute(f"ALTER TABLE {quote(name)} DROP CONSTRAINT {quote(name + '_bound')}")


class SeizureHandler:
    schema = SEIZURES
    # The office loads multi-country exports (its historical seizure records):
    # each row names its country, and goes to that country as the office's
    # compilation, beside (never mixed into) what the country submits itself.
    office_compiles = True

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        frame = result.clean
        by_field = {field: header for header, field in job.mapping.items()}
        issues = [empty_issues()]
        own_area = job.organisation.area_id
        if own_area is None:  # the office's compilation: every row names its country
            if "area" not in frame.columns:
                raise ValidationFailed(
                    "a compilation of the office names the country of each seizure: "
                    "map a column to “Country of seizure”"
                )
            issues.append(
                issues_where(
                    frame,
                    pl.col("area").is_null(),
                    column=by_field["area"],
                    field_name="area",
                    value=pl.lit(""),
                    severity=ERROR,
                    code="required",
                    message="the country of seizure is missing: the office's compilation "
                    "needs it on every row",
                    expected="an area code",
                )
            )
        elif "area" in frame.columns:
            allowed = [
                own_area,
                *Area.objects.filter(parent_id=own_area).values_list("code", flat=True),
            ]
            issues.append(
                issues_where(
                    frame,
                    pl.col("area").is_not_null() & ~pl.col("area").is_in(allowed),
                    column=by_field["area"],
                    field_name="area",
                    value=pl.col("area"),
                    severity=ERROR,
                    code="other_country",
                    message=pl.format(
                        "{} reports seizures in {}, not in {}",
                        pl.lit(job.organisation.code),
                        pl.lit(own_area),
                        pl.col("area"),
                    ),
                    expected=own_area or "",
                )
            )
        if {"quantity", "unit", "drug"} <= set(frame.columns):
            # Numbers only over the whole file; the message's texts for the few hits.
            units, drugs = conversion_table()
            kilograms, _countable = _kilograms(units, drugs)
            groups = _lookup(drugs, "drug", "_group")
            threshold = pl.col("drug").replace_strict(
                {
                    drug: LARGE_SEIZURE_KG.get(group, DEFAULT_LARGE_KG)
                    for drug, group in groups.items()
                },
                default=DEFAULT_LARGE_KG,
                return_dtype=pl.Float64,
            )
            issues.append(
                issues_where(
                    frame,
                    pl.col("quantity").is_not_null()
                    & pl.col("drug").is_not_null()
                    & pl.col("unit").is_not_null()
                    & (kilograms > threshold),
                    column=by_field["quantity"],
                    field_name="quantity",
                    value=pl.col("quantity_text"),
                    severity=WARNING,
                    code="unusually_large",
                    message=pl.format(
                        "{} kg of {} in one seizure is unusually large: please confirm",
                        kilograms.round(1),
                        pl.col("drug"),
                    ),
                )
            )
            issues.append(
                issues_where(
                    frame,
                    pl.col("quantity") <= 0,
                    column=by_field["quantity"],
                    field_name="quantity",
                    value=pl.col("quantity_text"),
                    severity=ERROR,
                    code="not_positive",
                    message="Quantity must be above zero",
                    expected="a quantity > 0",
                )
            )
        if "case_reference" in frame.columns:
            issues.append(
                duplicate_issues(
                    frame,
                    "case_reference",
                    column=by_field["case_reference"],
                    label="Case reference",
                )
            )
            # One pass over the organisation's other references, compared in Polars:
            # cheaper than an IN list of every reference in a large file.
            others = (
                Seizure.objects.filter(organisation=job.organisation)
                .exclude(case_reference="")
                .exclude(version__submission__label=job.label)
                .values_list("case_reference", flat=True)
            )
            stored: set[str] = set()
            if others.exists():
                # Gathered in Polars a batch at a time (compact), not as one Python list.
                rows = others.distinct().iterator(chunk_size=20000)
                known = pl.concat(
                    [
                        pl.Series(batch, dtype=pl.String)
                        for batch in iter(lambda: list(itertools.islice(rows, 20000)), [])
                    ]
                    or [pl.Series(dtype=pl.String)]
                )
                stored = set(
                    frame["case_reference"]
                    .filter(frame["case_reference"].is_in(known.implode()))
                    .to_list()
                )
            if stored:
                issues.append(
                    issues_where(
                        frame,
                        pl.col("case_reference").is_in(sorted(stored)),
                        column=by_field["case_reference"],
                        field_name="case_reference",
                        value=pl.col("case_reference"),
                        severity=ERROR,
                        code="duplicate_stored",
                        message="this case reference was already reported in another submission",
                        expected="a new case reference, or correct the earlier submission",
                    )
                )
        return pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        # Loaded here (and kept on the job): the chunks are converted in a worker
        # thread, which must not query the database.
        organisation = job.organisation
        version = version_create(
            organisation=organisation,
            dataset="seizures",
            label=job.label,
            actor=actor,
            note=f"import #{job.pk} of {job.upload.filename}",
        )
        # Converted and written a chunk at a time: the table's text is never in
        # memory whole. The content hash is that of the rows' CSV, chunk after chunk.
        tables = conversion_table()
        chunks = (
            seizure_rows(rows.slice(start, CHUNK_ROWS), job, tables)
            for start in range(0, rows.height, CHUNK_ROWS)
        )
        version.content_sha256 = write_rows(chunks, version, rows=rows.height)
        version.row_count = rows.height
        version.save(update_fields=["row_count", "content_sha256"])
        return version
