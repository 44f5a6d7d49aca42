"""How smuggling files are checked beyond field types, and committed.

The submission label names the network and the year (“MED-VRS 2025”): one
submission per organisation, network and year; a new upload is its next
version."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Network, NetworkMember
from observatory.core.errors import ValidationFailed
from observatory.intake.models import ImportJob
from observatory.intake.reading import ROW_NUMBER, read_table
from observatory.intake.validation import (
    ERROR,
    WARNING,
    ValidationResult,
    duplicate_issues,
    empty_issues,
    issues_where,
)
from observatory.reference.matching import fold
from observatory.reference.normalise import normaliser
from observatory.smuggling import choices, privacy
from observatory.smuggling.models import Aggregate, Incident
from observatory.smuggling.schema import AGGREGATES, INCIDENTS
from observatory.submissions.models import Version
from observatory.submissions.services import version_create

RATES_FILE = Path(__file__).parent / "data" / "usd_rates.csv"
LABEL = re.compile(r"^\s*(?P<network>[A-Za-z0-9][\w\-]*)\s+(?P<year>\d{4})\s*$")
_COUNT_ITEM = re.compile(r"^\s*(?P<name>.*?)[\s:=(]+(?P<count>\d+)\)?\s*$")


@cache
def usd_rates() -> dict[tuple[str, int], Decimal]:
    """(currency, year) -> units per US dollar (see data/README.md)."""
    with RATES_FILE.open(encoding="utf-8") as handle:
        return {
            (row["currency"], int(row["year"])): Decimal(row["units_per_usd"])
            for row in csv.DictReader(handle)
        }


def period_of(day: date, kind: str) -> str:
    if kind == Network.PeriodKind.MONTH:
        return f"{day:%Y-%m}"
    if kind == Network.PeriodKind.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def period_expr(column: str, kind: str) -> pl.Expr:
    day = pl.col(column)
    if kind == Network.PeriodKind.MONTH:
        return day.dt.strftime("%Y-%m")
    if kind == Network.PeriodKind.QUARTER:
        return pl.format("{}-Q{}", day.dt.year(), day.dt.quarter())
    return day.dt.year().cast(pl.String)


@dataclass(frozen=True)
class Target:
    network: Network
    year: int


def target_of(job: ImportJob) -> Target:
    """The network and year named by the job's label, checked against membership."""
    match = LABEL.match(job.label or "")
    if not match:
        raise ValidationFailed(
            "the submission label must name the network and the year, e.g. “MED-VRS 2025”"
        )
    network = Network.objects.filter(code__iexact=match["network"]).first()
    if network is None:
        raise ValidationFailed(f"there is no network {match['network']!r}")
    area = job.organisation.area_id
    member = NetworkMember.objects.filter(network=network, area_id=area).first()
    if member is None or member.status != NetworkMember.Status.ACTIVE:
        raise ValidationFailed(f"{area} is not an active member of {network.code}")
    if job.created_by is not None and not access.can_report_to_network(
        job.created_by, network, job.organisation
    ):
        raise ValidationFailed(
            f"{job.organisation.code} is not a contributing agency of {network.code}: "
            f"the focal point of {area} names the agencies that report"
        )
    return Target(network=network, year=int(match["year"]))


def screen_upload(path: Path, filename: str) -> None:
    """Refuse a file holding personal identifiers before it is stored."""
    table = read_table(path, filename=filename)
    findings = privacy.header_findings(table.headers) or privacy.cell_findings(
        table.frame, table.headers, ROW_NUMBER
    )
    if findings:
        raise ValidationFailed(privacy.explain(findings))


def _by_field(job: ImportJob) -> dict[str, str]:
    return {field: header for header, field in job.mapping.items() if field}


def _counts(frame: pl.DataFrame, name: str, column: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse `AFG 12; Syria 5` cells into {code: count}; issues for what is not."""
    items = (
        frame.select(ROW_NUMBER, pl.col(name).fill_null("").str.split(";").alias("_item"))
        .explode("_item")
        .with_columns(pl.col("_item").str.strip_chars())
        .filter(pl.col("_item") != "")
        .with_columns(
            pl.col("_item").str.extract(_COUNT_ITEM.pattern, 1).str.strip_chars().alias("_name"),
            pl.col("_item").str.extract(_COUNT_ITEM.pattern, 2).cast(pl.Int64).alias("_count"),
        )
    )
    matches = normaliser("area").match_many(items["_name"].drop_nulls().unique().to_list())
    codes = {text: m.code for text, m in matches.items() if m.code}
    items = items.with_columns(
        pl.col("_name").replace_strict(codes, default=None, return_dtype=pl.String).alias("_code")
    )
    issues = pl.concat(
        [
            issues_where(
                items,
                pl.col("_count").is_null(),
                column=column,
                field_name=name,
                value=pl.col("_item"),
                severity=ERROR,
                code="count_format",
                message="a country and a count were expected",
                expected="e.g. “AFG 12; SYR 5”",
            ),
            issues_where(
                items,
                pl.col("_count").is_not_null() & pl.col("_code").is_null(),
                column=column,
                field_name=name,
                value=pl.col("_name"),
                severity=ERROR,
                code="unknown_area",
                message=pl.format("“{}” is not a known country or area", pl.col("_name")),
                expected="an ISO 3166 code or a country name",
            ),
        ]
    )
    parsed = (
        items.filter(pl.col("_code").is_not_null() & pl.col("_count").is_not_null())
        .group_by(ROW_NUMBER, "_code")
        .agg(pl.col("_count").sum())
        .group_by(ROW_NUMBER)
        .agg(
            pl.struct(pl.col("_code"), pl.col("_count")).alias(name),
            pl.col("_count").sum().alias(f"{name}_sum"),
        )
    )
    return parsed, issues


def _tags(frame: pl.DataFrame, name: str, column: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    vocabulary = choices.TAGS[name]
    lookup = {fold(code): code for code in vocabulary} | {
        fold(str(label)): code for code, label in vocabulary.items()
    }
    items = (
        frame.select(ROW_NUMBER, pl.col(name).fill_null("").str.split(";").alias("_tag"))
        .explode("_tag")
        .with_columns(pl.col("_tag").str.split(","))
        .explode("_tag")
        .with_columns(pl.col("_tag").str.strip_chars())
        .filter(pl.col("_tag") != "")
    )
    found = {text: lookup.get(fold(text)) for text in items["_tag"].unique().to_list()}
    items = items.with_columns(
        pl.col("_tag").replace_strict(found, default=None, return_dtype=pl.String).alias("_code")
    )
    issues = issues_where(
        items,
        pl.col("_code").is_null(),
        column=column,
        field_name=name,
        value=pl.col("_tag"),
        severity=ERROR,
        code="unknown_tag",
        message=pl.format("“{}” is not a known value", pl.col("_tag")),
        expected=", ".join(vocabulary),
    )
    parsed = (
        items.filter(pl.col("_code").is_not_null())
        .group_by(ROW_NUMBER, maintain_order=True)
        .agg(pl.col("_code").unique(maintain_order=True).alias(name))
    )
    return parsed, issues


PARTS = ("migrants_men", "migrants_women", "migrants_boys", "migrants_girls", "migrants_unknown")


def incident_frame(result: ValidationResult, job: ImportJob) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The typed rows with counts and tags parsed, and the issues found doing so."""
    frame = result.clean
    by_field = _by_field(job)
    issues = [empty_issues()]
    for name in ("migrant_citizenships", "smuggler_citizenships"):
        if name in frame.columns:
            parsed, found = _counts(frame, name, by_field[name])
            frame = frame.drop(name).join(parsed, on=ROW_NUMBER, how="left")
            issues.append(found)
    for name in choices.TAGS:
        if name in frame.columns:
            parsed, found = _tags(frame, name, by_field[name])
            frame = frame.drop(name).join(parsed, on=ROW_NUMBER, how="left")
            issues.append(found)
    return frame, pl.concat(issues)


class IncidentHandler:
    schema = INCIDENTS

    def screen_upload(self, path: Path, filename: str) -> None:
        screen_upload(path, filename)

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        target = target_of(job)
        frame, parse_issues = incident_frame(result, job)
        by_field = _by_field(job)
        issues = [parse_issues]
        if "incident_date" in frame.columns:
            issues.append(
                issues_where(
                    frame,
                    pl.col("incident_date").dt.year() != target.year,
                    column=by_field["incident_date"],
                    field_name="incident_date",
                    value=pl.col("incident_date"),
                    severity=ERROR,
                    code="other_year",
                    message=f"this submission holds incidents of {target.year}",
                    expected=f"a date in {target.year}, or upload it as “{target.network.code} "
                    "<year>”",
                )
            )
        parts = [p for p in PARTS if p in frame.columns]
        if parts and "migrants_total" in frame.columns:
            total = pl.sum_horizontal([pl.col(p).fill_null(0) for p in parts])
            issues.append(
                issues_where(
                    frame,
                    pl.col("migrants_total").is_not_null() & (total != pl.col("migrants_total")),
                    column=by_field["migrants_total"],
                    field_name="migrants_total",
                    value=pl.col("migrants_total"),
                    severity=ERROR,
                    code="parts_total",
                    message=pl.format(
                        "men, women, boys, girls and unknown add up to {}, not {}",
                        total,
                        pl.col("migrants_total"),
                    ),
                    expected="the total equal to the sum of its parts (or leave it empty)",
                    suggestion=total.cast(pl.String),
                )
            )
        if "migrant_citizenships_sum" in frame.columns:
            migrants = (
                pl.col("migrants_total")
                if "migrants_total" in frame.columns
                else pl.sum_horizontal([pl.col(p).fill_null(0) for p in parts] or [pl.lit(0)])
            )
            issues.append(
                issues_where(
                    frame,
                    pl.col("migrant_citizenships_sum").is_not_null()
                    & migrants.is_not_null()
                    & (migrants > 0)
                    & (pl.col("migrant_citizenships_sum") != migrants),
                    column=by_field["migrant_citizenships"],
                    field_name="migrant_citizenships",
                    value=pl.col("migrant_citizenships_sum"),
                    severity=WARNING,
                    code="citizenships_total",
                    message=pl.format(
                        "migrants by citizenship add up to {}, the incident counts {}",
                        pl.col("migrant_citizenships_sum"),
                        migrants,
                    ),
                )
            )
        if "fee_amount" in frame.columns:
            currency = by_field.get("fee_currency", by_field["fee_amount"])
            known = sorted({code for code, _year in usd_rates()})
            has_currency = "fee_currency" in frame.columns
            code = (
                pl.col("fee_currency").str.strip_chars().str.to_uppercase()
                if has_currency
                else pl.lit(None, dtype=pl.String)
            )
            issues.append(
                issues_where(
                    frame,
                    pl.col("fee_amount").is_not_null()
                    & (code.is_null() | (code == "") | ~code.is_in(known)),
                    column=currency,
                    field_name="fee_currency",
                    value=code.fill_null(""),
                    severity=ERROR,
                    code="currency",
                    message="a fee needs its currency, as an ISO 4217 code the rate table knows",
                    expected=", ".join(known),
                )
            )
        if "reference" in frame.columns:
            issues.append(
                duplicate_issues(
                    frame, "reference", column=by_field["reference"], label="Incident reference"
                )
            )
            stored = set(
                Incident.objects.filter(organisation=job.organisation, network=target.network)
                .exclude(reference="")
                .exclude(version__submission__label=job.label)
                .filter(reference__in=frame["reference"].drop_nulls().unique().to_list())
                .values_list("reference", flat=True)
            )
            if stored:
                issues.append(
                    issues_where(
                        frame,
                        pl.col("reference").is_in(sorted(stored)),
                        column=by_field["reference"],
                        field_name="reference",
                        value=pl.col("reference"),
                        severity=ERROR,
                        code="duplicate_stored",
                        message="this reference was already reported in another submission",
                        expected="a new reference, or correct the earlier submission",
                    )
                )
        if "document_fraud" in frame.columns and "document_type" not in frame.columns:
            issues.append(
                issues_where(
                    frame,
                    pl.col("document_fraud").is_not_null(),
                    column=by_field["document_fraud"],
                    field_name="document_fraud",
                    value=pl.col("document_fraud"),
                    severity=WARNING,
                    code="document_type_missing",
                    message="the kind of fraud is given without the type of document",
                )
            )
        return pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        target = target_of(job)
        # `rows` are the clean typed rows; parse counts and tags as the check did.
        parsed, _issues = incident_frame(
            ValidationResult(clean=rows, issues=empty_issues(), notes=[]), job
        )
        with transaction.atomic():
            version = version_create(
                organisation=job.organisation,
                dataset=INCIDENTS.code,
                label=job.label,
                actor=actor,
                note=f"import #{job.pk} of {job.upload.filename}",
            )
            incidents = [
                build_incident(row, version=version, network=target.network)
                for row in parsed.iter_rows(named=True)
            ]
            Incident.objects.bulk_create(incidents, batch_size=2000)
            version.row_count = len(incidents)
            version.save(update_fields=["row_count"])
        return version


def _text(value: Any, width: int | None = None) -> str:
    text = "" if value is None else str(value)
    return text[:width] if width else text


def fee_in_usd(
    amount: Decimal | float | None, currency: str, basis: str, migrants: int, year: int
) -> tuple[Decimal | None, str]:
    if amount is None or not currency:
        return None, ""
    rate = usd_rates().get((currency.upper(), year))
    if rate is None:
        return None, f"no {currency} rate for {year}: not converted"
    usd = Decimal(str(amount)) / rate
    note = f"{currency.upper()} {year}: {rate} per USD"
    if basis == choices.FeeBasis.PER_GROUP:
        if migrants <= 0:
            return None, "fee for a group of unknown size: not converted per person"
        usd, note = usd / migrants, f"{note}; ÷ {migrants} migrants"
    return usd.quantize(Decimal("0.01")), note


def build_incident(row: dict[str, Any], *, version: Version, network: Network) -> Incident:
    """One Incident from a parsed row (intake or form)."""
    parts = [int(row.get(p) or 0) for p in PARTS]
    total = row.get("migrants_total")
    total = int(total) if total is not None else sum(parts)
    day: date = row["incident_date"]
    currency = _text(row.get("fee_currency")).strip().upper()
    basis = _text(row.get("fee_basis")) or (choices.FeeBasis.PER_PERSON if currency else "")
    amount = row.get("fee_amount")
    usd, note = fee_in_usd(amount, currency, basis, total, day.year)

    def counted(name: str) -> dict[str, int]:
        value = row.get(name)
        if isinstance(value, dict):
            return {str(k): int(v) for k, v in value.items()}
        return {item["_code"]: int(item["_count"]) for item in value or []}

    return Incident(
        version=version,
        network=network,
        organisation_id=version.organisation_id,
        area_id=str(version.area_id),
        source_row=int(row.get(ROW_NUMBER) or 0),
        reference=_text(row.get("reference"), 100),
        incident_date=day,
        period=period_of(day, network.period_kind),
        national_only=row.get("national_only") in {"yes", True},
        place=_text(row.get("place"), 200),
        place_type=_text(row.get("place_type")),
        detection=_text(row.get("detection")) or choices.Detection.UNKNOWN,
        departure_area=_text(row.get("departure_area")),
        transit_areas=list(row.get("transit_areas") or []),
        destination_area=_text(row.get("destination_area")),
        transport_mode=_text(row.get("transport_mode")),
        vessel=_text(row.get("vessel")),
        migrants_men=parts[0],
        migrants_women=parts[1],
        migrants_boys=parts[2],
        migrants_girls=parts[3],
        migrants_unknown=parts[4],
        migrants_total=total,
        migrant_citizenships=counted("migrant_citizenships"),
        deaths=int(row.get("deaths") or 0),
        injuries=int(row.get("injuries") or 0),
        smugglers_apprehended=int(row.get("smugglers_apprehended") or 0),
        smuggler_citizenships=counted("smuggler_citizenships"),
        smuggler_roles=list(row.get("smuggler_roles") or []),
        fee_amount=None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01")),
        fee_currency=currency,
        fee_basis=basis,
        fee_usd_per_person=usd,
        fee_rate_note=note[:120],
        fee_covers=list(row.get("fee_covers") or []),
        modus_operandi=list(row.get("modus_operandi") or []),
        document_type=_text(row.get("document_type")),
        document_issuer=_text(row.get("document_issuer")),
        document_fraud=_text(row.get("document_fraud")),
        related_conduct=list(row.get("related_conduct") or []),
        notes=_text(row.get("notes")),
    )


class AggregateHandler:
    schema = AGGREGATES

    def screen_upload(self, path: Path, filename: str) -> None:
        screen_upload(path, filename)

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        target = target_of(job)
        frame = result.clean
        by_field = _by_field(job)
        issues = [empty_issues()]
        if "month" in frame.columns:
            issues.append(
                issues_where(
                    frame,
                    pl.col("month").dt.year() != target.year,
                    column=by_field["month"],
                    field_name="month",
                    value=pl.col("month"),
                    severity=ERROR,
                    code="other_year",
                    message=f"this submission holds months of {target.year}",
                    expected=f"a month in {target.year}",
                )
            )
        keys = [k for k in ("month", "measure", "citizenship") if k in frame.columns]
        if len(keys) == 3:
            keyed = frame.with_columns(
                pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator="|").alias(
                    "_key"
                )
            )
            issues.append(
                duplicate_issues(
                    keyed, "_key", column=by_field["value"], label="Month, measure and citizenship"
                )
            )
        return pl.concat([i for i in issues if not i.is_empty()] or [empty_issues()])

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        target = target_of(job)
        with transaction.atomic():
            version = version_create(
                organisation=job.organisation,
                dataset=AGGREGATES.code,
                label=job.label,
                actor=actor,
                note=f"import #{job.pk} of {job.upload.filename}",
            )
            objects = [
                Aggregate(
                    version=version,
                    network=target.network,
                    organisation_id=version.organisation_id,
                    area_id=str(version.area_id),
                    source_row=int(row[ROW_NUMBER]),
                    month=row["month"].replace(day=1),
                    period=period_of(row["month"], target.network.period_kind),
                    measure=row["measure"],
                    citizenship=row["citizenship"],
                    value=int(row["value"]),
                    national_only=row.get("national_only") == "yes",
                )
                for row in rows.iter_rows(named=True)
            ]
            Aggregate.objects.bulk_create(objects, batch_size=2000)
            version.row_count = len(objects)
            version.save(update_fields=["row_count"])
        return version
