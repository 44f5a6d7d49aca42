"""Writes to the reference data outside the packaged loader: the areas an office
compilation brings in (the portal's aggregates such as the world or a region,
parts of countries such as IRQ_KRI), added by a definition file's `areas`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from observatory.core.audit import audit_record
from observatory.core.errors import ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.loader import REFERENCE_VERSION_KEY
from observatory.reference.models import Area

AREA_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,9}$")
KINDS = {Area.Kind.AGGREGATE.value, Area.Kind.PSEUDO.value}


def area_code_problem(code: str) -> str:
    """Why `code` cannot be an area code ("" when it can)."""
    if not AREA_CODE.match(code):
        return (
            f"“{code}” cannot be an area code: at most 10 capital letters, digits "
            "and underscores, starting with a letter or digit"
        )
    return ""


def areas_add(entries: Iterable[dict[str, Any]], *, source: str, actor: Any) -> list[str]:
    """Create the areas of `entries` ({code, name, kind, parent}) that do not
    exist; an existing area is never changed. Returns the codes created."""
    created = []
    entries = list(entries)
    with transaction.atomic():
        for entry in entries:
            code = str(entry.get("code", "")).strip()
            problem = area_code_problem(code)
            if problem:
                raise ValidationFailed(f"{source}: {problem}")
            kind = str(entry.get("kind", Area.Kind.AGGREGATE))
            if kind not in KINDS:
                raise ValidationFailed(
                    f"{source}: area {code}: kind {kind!r} is not one of {sorted(KINDS)}"
                )
            if Area.objects.filter(code=code).exists():
                continue
            parent_code = str(entry.get("parent") or "")
            parent = Area.objects.filter(code=parent_code).first() if parent_code else None
            if parent_code and parent is None:
                raise ValidationFailed(f"{source}: area {code}: unknown parent {parent_code}")
            name = str(entry.get("name") or code)[:200]
            area = Area.objects.create(
                code=code,
                name_en=name,
                kind=kind,
                parent=parent,
                region=parent.region if parent else None,
                subregion=parent.subregion if parent else None,
                unodc_region=parent.unodc_region if parent else None,
            )
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=area,
                changes={"source": source, "kind": kind, "name": name},
            )
            created.append(code)
    if created:
        # The normalisers (area names and codes in imports) are rebuilt.
        cache.set(REFERENCE_VERSION_KEY, timezone.now().isoformat(), None)
    return created
