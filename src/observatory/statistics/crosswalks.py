"""Crosswalks: national offence categories to ICCS (many to one). A country maps
its categories once; data reported in national categories is converted through
the crosswalk into the questionnaire's ICCS cells (summed), and every original
value is kept beside the cell it went into."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Role
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.models import Area
from observatory.statistics.models import Codelist, Crosswalk, CrosswalkEntry


@dataclass(frozen=True)
class Mapping:
    national_code: str
    national_label: str
    target_code: str
    note: str = ""


def can_edit(user: ActorLike, area_code: str) -> bool:
    """The country's focal point keeps its crosswalks."""
    return area_code in access.own_areas(user, Role.FOCAL_POINT)


def parse_mappings(text: str) -> list[Mapping]:
    """Lines `national code; national category; ICCS code; note` (or tabs or
    commas), e.g. pasted from a spreadsheet. The header line, if any, is skipped."""
    # Full-width separators, as Chinese keyboards type them, count as ASCII ones.
    sample = text.strip().replace("；", ";").replace("，", ",")
    if not sample:
        return []
    dialect = ";" if ";" in sample.splitlines()[0] else ("\t" if "\t" in sample else ",")
    mappings = []
    for number, row in enumerate(csv.reader(io.StringIO(sample), delimiter=dialect), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in {"code", "national code", "código"}:
            continue
        if len(cells) < 3 or not cells[0] or not cells[2]:
            raise ValidationFailed(
                f"line {number}: write the national code, its name and the ICCS code "
                "(and a note), separated by ; or tabs"
            )
        target = cells[2].upper()
        if not target.startswith("ICCS"):
            target = f"ICCS{target}"
        mappings.append(Mapping(cells[0], cells[1], target, cells[3] if len(cells) > 3 else ""))
    return mappings


def crosswalk_save(
    *,
    area: Area,
    name: str,
    mappings: list[Mapping],
    actor: ActorLike,
    crosswalk: Crosswalk | None = None,
) -> Crosswalk:
    """Create or replace a crosswalk's entries (all or nothing), audited."""
    if not can_edit(actor, area.code):
        raise PermissionDenied(f"only the focal point of {area.code} keeps its crosswalks")
    target = Codelist.objects.filter(code="CL_ICCS").order_by("-version").first()
    if target is None:
        raise ValidationFailed("the ICCS codelist is not loaded (observatory load-definitions)")
    known = set(target.codes.values_list("code", flat=True))
    unknown = sorted({m.target_code for m in mappings} - known)
    if unknown:
        raise ValidationFailed(f"not ICCS codes: {', '.join(unknown[:10])}")
    codes = [m.national_code for m in mappings]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValidationFailed(
            f"a national category maps to one ICCS code only: {', '.join(repeated[:10])}"
        )
    with transaction.atomic():
        if crosswalk is None:
            crosswalk, _created = Crosswalk.objects.get_or_create(
                area=area,
                name=name.strip()[:200],
                defaults={"target": target, "created_by": acting_user(actor)},
            )
        before = dict(crosswalk.entries.values_list("national_code", "target_code"))
        crosswalk.entries.all().delete()
        CrosswalkEntry.objects.bulk_create(
            CrosswalkEntry(
                crosswalk=crosswalk,
                national_code=m.national_code[:60],
                national_label=m.national_label[:300],
                target_code=m.target_code,
                note=m.note,
            )
            for m in mappings
        )
        crosswalk.save(update_fields=["updated_at"])
        after = {m.national_code: m.target_code for m in mappings}
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=crosswalk,
            changes={
                "added": sorted(set(after) - set(before))[:100],
                "removed": sorted(set(before) - set(after))[:100],
                "remapped": sorted(k for k in set(before) & set(after) if before[k] != after[k])[
                    :100
                ],
            },
        )
    return crosswalk


def convert(frame: pl.DataFrame, crosswalk: Crosswalk) -> tuple[pl.DataFrame, list[str]]:
    """(rows per ICCS code with the summed value and the national codes they come
    from, national codes the crosswalk does not know). `frame` has
    `national_code` and `value` (Float64 or Decimal; null: not reported)."""
    table = pl.DataFrame(
        list(crosswalk.entries.values_list("national_code", "target_code")),
        schema={"national_code": pl.String, "target_code": pl.String},
        orient="row",
    )
    joined = frame.join(table, on="national_code", how="left")
    unknown = sorted(
        joined.filter(pl.col("target_code").is_null())["national_code"].unique().to_list()
    )
    converted = (
        joined.filter(pl.col("target_code").is_not_null())
        .group_by("target_code", maintain_order=True)
        .agg(
            pl.col("value").sum().alias("value"),
            pl.col("value").is_null().all().alias("all_missing"),
            pl.col("national_code").alias("from"),
        )
    )
    return converted, unknown


def as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
