"""Individual drug seizures (record level), each row belonging to one immutable
submission version."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Organisation
from observatory.reference.models import Area, Drug, Unit
from observatory.seizures.choices import ArrestedSex, PlaceType, SeizingAgency, TransportMode
from observatory.submissions.models import Version


class Seizure(models.Model):
    """One seizure event as reported, with its kilogram-equivalent.

    Area fields outside `area` hold an ISO3 code, "unknown" or "other" (values,
    not errors), or are empty when the file did not say."""

    # Foreign keys without single-column indexes (the composite indexes below lead
    # with them). Only the version link is a database constraint: codes for the
    # organisation, area, drug and unit come from the version and from reference
    # data the intake checked, and a per-row trigger check on each of them made a
    # million-row import several times slower. PROTECT still guards deletions.
    version = models.ForeignKey(
        Version, on_delete=models.PROTECT, related_name="seizures", db_index=False
    )
    # Denormalised from the version: the access policy and the analytics filter on them.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("country of seizure"),
        db_index=False,
        db_constraint=False,
    )
    source_row = models.PositiveIntegerField(_("row in the original file"), null=True)
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    seizure_date = models.DateField(_("date"))
    date_precision = models.CharField(max_length=5, default="day")
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_type = models.CharField(
        _("type of place"), max_length=20, choices=PlaceType.choices, blank=True
    )
    drug = models.ForeignKey(
        Drug,
        to_field="code",
        db_column="drug_code",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    drug_text = models.CharField(_("drug as reported"), max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit = models.ForeignKey(
        Unit,
        to_field="code",
        db_column="unit_code",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kilograms = models.DecimalField(
        _("kilogram-equivalent"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    conversion_rule = models.CharField(max_length=120, blank=True)
    purity_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    origin_area = models.CharField(_("origin (producing) country"), max_length=10, blank=True)
    departure_area = models.CharField(_("departure country"), max_length=10, blank=True)
    transit_areas = models.JSONField(_("transit countries"), default=list, blank=True)
    destination_area = models.CharField(_("destination country"), max_length=10, blank=True)
    transport_mode = models.CharField(
        _("mode of transport"), max_length=20, choices=TransportMode.choices, blank=True
    )
    concealment = models.CharField(_("concealment"), max_length=200, blank=True)
    seizing_agency = models.CharField(
        _("seizing agency"), max_length=20, choices=SeizingAgency.choices, blank=True
    )
    persons_arrested = models.PositiveIntegerField(_("persons arrested"), null=True, blank=True)
    arrested_nationalities = models.JSONField(default=list, blank=True)
    arrested_sex = models.CharField(max_length=10, choices=ArrestedSex.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-seizure_date", "id"]
        indexes = [
            models.Index(fields=["area", "seizure_date"]),
            models.Index(fields=["version", "case_reference"]),
            models.Index(fields=["drug", "seizure_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.seizure_date} {self.quantity} {self.unit_id} {self.drug_id}"
