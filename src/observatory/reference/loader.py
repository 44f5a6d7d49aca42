"""Load the packaged reference data (reference/data/) into the database.

Idempotent: rows are matched by their natural keys and updated in place, so a
second run changes nothing and a newer data release updates what changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from observatory.core.audit import audit_record
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.models import (
    Area,
    AreaAlias,
    Drug,
    DrugGroup,
    DrugSynonym,
    IccsCategory,
    Population,
    Region,
    Unit,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
M49_LANGUAGES = {"en": "en", "zh": "cn", "es": "es", "fr": "fr", "ru": "ru", "ar": "ar"}
REFERENCE_VERSION_KEY = "observatory:reference-version"


def read_csv(name: str) -> Iterator[dict[str, str]]:
    path = DATA_DIR / name
    if not path.exists():
        raise ValidationFailed(f"reference data file {name} is missing from {DATA_DIR}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count

    def __str__(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.counts.items())


def _upsert(model: Any, rows: list[Any], unique: list[str], update: list[str]) -> int:
    if rows:
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=unique, update_fields=update, batch_size=1000
        )
    return len(rows)


NAME_FIELDS = ["name_en", "name_zh", "name_es", "name_fr", "name_ru", "name_ar"]


def load_regions_and_areas(report: LoadReport) -> None:
    by_language = {
        lang: {r["ISO-alpha3 Code"] or r["M49 Code"]: r for r in read_csv(f"unsd-m49-{suffix}.csv")}
        for lang, suffix in M49_LANGUAGES.items()
    }
    english = by_language["en"]

    regions: dict[tuple[str, str], dict[str, Any]] = {}
    for key, row in english.items():
        chain = [
            ("region", row["Region Code"], None),
            ("subregion", row["Sub-region Code"], row["Region Code"]),
            ("intermediate", row["Intermediate Region Code"], row["Sub-region Code"]),
        ]
        column = {
            "region": "Region Name",
            "subregion": "Sub-region Name",
            "intermediate": "Intermediate Region Name",
        }
        for level, code, parent in chain:
            if not code:
                continue
            names = {
                f"name_{lang}": by_language[lang].get(key, {}).get(column[level], "")
                for lang in M49_LANGUAGES
            }
            regions[("m49", code)] = {"level": level, "parent": parent, **names}
    for row in read_csv("unodc-regions.csv"):
        regions[("unodc", row["region_code"])] = {
            "level": "region",
            "parent": None,
            "name_en": row["region_name_en"],
            "name_zh": row.get("region_name_zh", ""),
        }

    region_rows = [
        Region(
            scheme=scheme,
            code=code,
            level=values["level"],
            **{name: values.get(name, "") for name in NAME_FIELDS},
        )
        for (scheme, code), values in regions.items()
    ]
    report.add("regions", _upsert(Region, region_rows, ["scheme", "code"], ["level", *NAME_FIELDS]))
    region_ids = {(r.scheme, r.code): r.pk for r in Region.objects.all()}
    for (scheme, code), values in regions.items():
        if values["parent"]:
            Region.objects.filter(scheme=scheme, code=code).update(
                parent_id=region_ids[(scheme, values["parent"])]
            )

    flags = {
        r["ISO3166-1-Alpha-3"]: r for r in read_csv("country-codes.csv") if r["ISO3166-1-Alpha-3"]
    }
    unodc = {r["area"]: r["region_code"] for r in read_csv("unodc-regions.csv")}
    area_rows = []
    codes = sorted({k for k in english if len(k) == 3 and k.isalpha()} | set(flags))
    for code in codes:
        m49 = english.get(code) or {}
        extra = flags.get(code, {})
        names = {
            f"name_{lang}": (by_language[lang].get(code) or {}).get("Country or Area", "")
            for lang in M49_LANGUAGES
        }
        if not names["name_en"]:
            names.update(
                name_en=extra.get("CLDR display name") or extra.get("official_name_en", code),
                name_zh=extra.get("UNTERM Chinese Short") or extra.get("official_name_cn", ""),
                name_es=extra.get("UNTERM Spanish Short") or extra.get("official_name_es", ""),
                name_fr=extra.get("UNTERM French Short") or extra.get("official_name_fr", ""),
                name_ru=extra.get("UNTERM Russian Short") or extra.get("official_name_ru", ""),
                name_ar=extra.get("UNTERM Arabic Short") or extra.get("official_name_ar", ""),
            )
        region = m49.get("Region Code") or extra.get("Region Code", "")
        subregion = m49.get("Sub-region Code") or extra.get("Sub-region Code", "")
        intermediate = m49.get("Intermediate Region Code") or extra.get(
            "Intermediate Region Code", ""
        )
        area_rows.append(
            Area(
                code=code,
                kind=Area.Kind.COUNTRY,
                iso2=m49.get("ISO-alpha2 Code") or extra.get("ISO3166-1-Alpha-2", ""),
                numeric=str(extra.get("ISO3166-1-numeric", "")).zfill(3)
                if extra.get("ISO3166-1-numeric")
                else "",
                m49=m49.get("M49 Code", "") or str(extra.get("M49", "")).zfill(3),
                region_id=region_ids.get(("m49", region.zfill(3))) if region else None,
                subregion_id=region_ids.get(("m49", subregion.zfill(3))) if subregion else None,
                intermediate_region_id=(
                    region_ids.get(("m49", intermediate.zfill(3))) if intermediate else None
                ),
                unodc_region_id=region_ids.get(("unodc", unodc.get(code, ""))),
                is_ldc=bool((m49.get("Least Developed Countries (LDC)") or "").strip()),
                is_lldc=bool((m49.get("Land Locked Developing Countries (LLDC)") or "").strip()),
                is_sids=bool((m49.get("Small Island Developing States (SIDS)") or "").strip()),
                **names,
            )
        )
    for row in read_csv("pseudo-areas.csv"):
        area_rows.append(
            Area(
                code=row["code"],
                kind=Area.Kind.PSEUDO,
                m49="",
                region_id=region_ids.get(("m49", row["region"])) if row["region"] else None,
                subregion_id=region_ids.get(("m49", row["subregion"]))
                if row["subregion"]
                else None,
                unodc_region_id=region_ids.get(
                    ("unodc", unodc.get(row["parent"] or row["code"], ""))
                ),
                **{name: row[name] for name in NAME_FIELDS},
            )
        )
    update = [
        "iso2",
        "numeric",
        "m49",
        "kind",
        "region",
        "subregion",
        "intermediate_region",
        "unodc_region",
        "is_ldc",
        "is_lldc",
        "is_sids",
        *NAME_FIELDS,
    ]
    report.add("areas", _upsert(Area, area_rows, ["code"], update))
    for row in read_csv("pseudo-areas.csv"):
        if row["parent"]:
            Area.objects.filter(code=row["code"]).update(parent_id=row["parent"])


def area_code_aliases() -> dict[str, str]:
    """Other codes for an area (GBR_E_W -> GBR_EW, XKX -> KOS)."""
    return {row["alias"]: row["code"] for row in read_csv("area-code-aliases.csv")}


def load_area_aliases(report: LoadReport) -> None:
    known = set(Area.objects.values_list("code", flat=True))
    renames = area_code_aliases()
    rows = []
    seen: set[tuple[str, str]] = set()
    for row in read_csv("area-aliases.csv"):
        code = renames.get(row["area"], row["area"])
        if code not in known:
            raise ValidationFailed(f"area-aliases.csv: unknown area code {row['area']!r}")
        key = (code, row["text"].strip())
        if key in seen or not key[1]:
            continue
        seen.add(key)
        rows.append(AreaAlias(area_id=code, text=key[1], language=row.get("language", "")))
    report.add("area aliases", _upsert(AreaAlias, rows, ["area", "text"], ["language"]))


def load_population(report: LoadReport) -> None:
    known = set(Area.objects.values_list("code", flat=True))
    renames = area_code_aliases()
    rows = []
    for row in read_csv("population-worldbank.csv"):
        code = renames.get(row["Country Code"], row["Country Code"])
        if code not in known or not row["Value"]:
            continue  # World Bank aggregates (WLD, ARB, ...) are not areas
        rows.append(
            Population(
                area_id=code,
                year=int(row["Year"]),
                value=int(float(row["Value"])),
                source="World Bank SP.POP.TOTL",
            )
        )
    report.add(
        "population figures", _upsert(Population, rows, ["area", "year"], ["value", "source"])
    )


def load_drugs(report: LoadReport) -> None:
    groups = [
        DrugGroup(
            code=r["code"],
            sort=int(r.get("sort") or 0),
            **{name: r.get(name, "") for name in NAME_FIELDS},
        )
        for r in read_csv("drug-groups.csv")
    ]
    report.add("drug groups", _upsert(DrugGroup, groups, ["code"], ["sort", *NAME_FIELDS]))
    group_ids = dict(DrugGroup.objects.values_list("code", "pk"))
    drugs = []
    for r in read_csv("drugs.csv"):
        if r["group"] not in group_ids:
            raise ValidationFailed(f"drugs.csv: {r['code']} has unknown group {r['group']!r}")
        drugs.append(
            Drug(
                code=r["code"],
                group_id=group_ids[r["group"]],
                tablet_mg=Decimal(r["tablet_mg"]) if r.get("tablet_mg") else None,
                notes=r.get("notes", ""),
                **{name: r.get(name, "") for name in NAME_FIELDS},
            )
        )
    report.add(
        "drugs", _upsert(Drug, drugs, ["code"], ["group", "tablet_mg", "notes", *NAME_FIELDS])
    )
    drug_ids = dict(Drug.objects.values_list("code", "pk"))
    synonyms = []
    seen: set[tuple[str, str]] = set()
    for r in read_csv("drug-synonyms.csv"):
        if r["drug"] not in drug_ids:
            raise ValidationFailed(f"drug-synonyms.csv: unknown drug {r['drug']!r}")
        key = (r["drug"], r["text"].strip())
        if key in seen or not key[1]:
            continue
        seen.add(key)
        synonyms.append(
            DrugSynonym(
                drug_id=drug_ids[r["drug"]],
                text=key[1],
                language=r.get("language", ""),
                kind=r.get("kind") or "synonym",
            )
        )
    report.add(
        "drug synonyms", _upsert(DrugSynonym, synonyms, ["drug", "text"], ["language", "kind"])
    )


def load_units(report: LoadReport) -> None:
    units = [
        Unit(
            code=r["code"],
            dimension=r["dimension"],
            factor=Decimal(r["factor"]),
            name_en=r["name_en"],
            name_zh=r.get("name_zh", ""),
            synonyms=[s.strip() for s in r.get("synonyms", "").split("|") if s.strip()],
        )
        for r in read_csv("units.csv")
    ]
    report.add(
        "units",
        _upsert(Unit, units, ["code"], ["dimension", "factor", "name_en", "name_zh", "synonyms"]),
    )


def load_iccs(report: LoadReport) -> None:
    rows = list(read_csv("iccs-1.0.csv"))
    categories = [
        IccsCategory(
            version="1.0",
            code=r["code"],
            level=r["level"],
            name_en=r["name_en"],
            name_zh=r.get("name_zh", ""),
            verified=r.get("verified", "").strip().lower() == "yes",
            source=r.get("source", ""),
        )
        for r in rows
    ]
    report.add(
        "ICCS categories",
        _upsert(
            IccsCategory,
            categories,
            ["version", "code"],
            ["level", "name_en", "name_zh", "verified", "source"],
        ),
    )
    ids = dict(IccsCategory.objects.filter(version="1.0").values_list("code", "pk"))
    for r in rows:
        if r.get("parent"):
            if r["parent"] not in ids:
                raise ValidationFailed(
                    f"iccs-1.0.csv: {r['code']} has unknown parent {r['parent']}"
                )
            IccsCategory.objects.filter(pk=ids[r["code"]]).exclude(
                parent_id=ids[r["parent"]]
            ).update(parent_id=ids[r["parent"]])


def load_reference(*, actor: Any = None) -> LoadReport:
    """Load every reference file in one transaction; all or nothing."""
    report = LoadReport()
    with transaction.atomic():
        load_regions_and_areas(report)
        load_area_aliases(report)
        load_population(report)
        load_drugs(report)
        load_units(report)
        load_iccs(report)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="reference.data",
            object_repr="reference data loaded",
            changes=dict(report.counts),
        )
    cache.set(REFERENCE_VERSION_KEY, timezone.now().isoformat(), None)
    return report
