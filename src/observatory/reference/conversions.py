"""Quantities as reported -> kilogram-equivalents, by the office's published rules.

Bulk weight, no purity adjustment; one litre counts as one kilogram; tablets and
doses are converted with the drug's assumed weight (reference data, overridable
in settings.OBSERVATORY_TABLET_MG_OVERRIDES); plants and seeds are not converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from observatory.reference.models import Drug, Unit

CONVERTIBLE_COUNTS = {"tablet", "capsule", "dose", "blotter", "unit", "ampoule"}


@dataclass(frozen=True)
class Conversion:
    kilograms: Decimal | None
    rule: str


def tablet_mg(drug: Drug) -> Decimal | None:
    override = settings.OBSERVATORY_TABLET_MG_OVERRIDES.get(drug.code)
    if override is not None:
        return Decimal(str(override))
    return drug.tablet_mg


def to_kilogram_equivalent(quantity: Decimal, unit: Unit, drug: Drug) -> Conversion:
    if unit.dimension == Unit.Dimension.MASS:
        return Conversion(
            quantity * unit.factor, f"mass: 1 {unit.code} = {unit.factor.normalize()} kg"
        )
    if unit.dimension == Unit.Dimension.VOLUME:
        litres = quantity * unit.factor
        return Conversion(
            litres, f"volume: 1 {unit.code} = {unit.factor.normalize()} l; 1 l = 1 kg"
        )
    if unit.code in CONVERTIBLE_COUNTS:
        weight = tablet_mg(drug)
        if weight is None:
            return Conversion(None, f"count: no assumed {unit.code} weight for {drug.code}")
        kilograms = quantity * unit.factor * weight / Decimal(1_000_000)
        return Conversion(
            kilograms, f"count: 1 {unit.code} of {drug.code} = {weight.normalize()} mg"
        )
    return Conversion(None, f"count: {unit.code} is not converted to mass")
