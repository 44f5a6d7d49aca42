"""Migrant smuggling: incident reports and periodic aggregates, non-nominal only.

Rows belong to a submission version of the reporting organisation (as for
seizures) and to the network they are shared with. `period` is derived from the
date by the network's period kind; the access policy shares a row with another
member only for periods that member contributed to (reciprocity), never when it
is national-only, and only while its version is submitted or accepted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Network, Organisation
from observatory.reference.models import Area
from observatory.smuggling import choices
from observatory.submissions.models import Version


class Incident(models.Model):
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    source_row = models.PositiveIntegerField(default=0)
    reference = models.CharField(_("incident reference"), max_length=100, blank=True)
    incident_date = models.DateField(_("date"))
    period = models.CharField(max_length=10)
    national_only = models.BooleanField(_("national only (never shared)"), default=False)
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_type = models.CharField(
        _("type of place"), max_length=20, blank=True, choices=choices.PlaceType.choices
    )
    detection = models.CharField(_("detection"), max_length=20, choices=choices.Detection.choices)
    departure_area = models.CharField(_("departure"), max_length=10, blank=True)
    transit_areas = models.JSONField(_("transit countries"), default=list, blank=True)
    destination_area = models.CharField(_("intended destination"), max_length=10, blank=True)
    transport_mode = models.CharField(
        _("transport mode"), max_length=10, blank=True, choices=choices.TransportMode.choices
    )
    vessel = models.CharField(
        _("vessel or vehicle"), max_length=20, blank=True, choices=choices.Vessel.choices
    )
    migrants_men = models.PositiveIntegerField(_("men"), default=0)
    migrants_women = models.PositiveIntegerField(_("women"), default=0)
    migrants_boys = models.PositiveIntegerField(_("boys"), default=0)
    migrants_girls = models.PositiveIntegerField(_("girls"), default=0)
    migrants_unknown = models.PositiveIntegerField(_("sex or age unknown"), default=0)
    migrants_total = models.PositiveIntegerField(_("smuggled migrants"), default=0)
    migrant_citizenships = models.JSONField(_("migrants by citizenship"), default=dict)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    smugglers_apprehended = models.PositiveIntegerField(_("smugglers apprehended"), default=0)
    smuggler_citizenships = models.JSONField(_("smugglers by citizenship"), default=dict)
    smuggler_roles = models.JSONField(_("smugglers' roles"), default=list, blank=True)
    fee_amount = models.DecimalField(
        _("fee paid"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_currency = models.CharField(_("currency"), max_length=3, blank=True)
    fee_basis = models.CharField(
        _("fee basis"), max_length=12, blank=True, choices=choices.FeeBasis.choices
    )
    fee_usd_per_person = models.DecimalField(
        _("fee per person in USD"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_rate_note = models.CharField(max_length=120, blank=True)
    fee_covers = models.JSONField(_("what the fee covered"), default=list, blank=True)
    modus_operandi = models.JSONField(_("modus operandi"), default=list, blank=True)
    document_type = models.CharField(
        _("fraudulent document"), max_length=20, blank=True, choices=choices.DocumentType.choices
    )
    document_issuer = models.CharField(_("document issued by"), max_length=10, blank=True)
    document_fraud = models.CharField(
        _("kind of document fraud"),
        max_length=24,
        blank=True,
        choices=choices.DocumentFraud.choices,
    )
    related_conduct = models.JSONField(_("related conduct"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-incident_date", "id"]
        indexes = [
            models.Index(fields=["network", "period", "area"], name="incident_network_period"),
            models.Index(fields=["version", "reference"], name="incident_version_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.incident_date} {self.reference or self.pk}"

    @property
    def route(self) -> list[str]:
        return [
            code
            for code in (self.departure_area, *self.transit_areas, self.destination_area)
            if code
        ]


class Aggregate(models.Model):
    """Irregular entries or detections of migrants, by citizenship and month."""

    class Measure(models.TextChoices):
        IRREGULAR_ENTRIES = "irregular_entries", _("irregular entries")
        DETECTIONS = "detections", _("detections of smuggled migrants")

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    source_row = models.PositiveIntegerField(default=0)
    month = models.DateField(_("month"))
    period = models.CharField(max_length=10)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    citizenship = models.CharField(_("citizenship"), max_length=10)
    value = models.PositiveIntegerField(_("count"))
    national_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["month", "area", "measure", "citizenship"]
        indexes = [models.Index(fields=["network", "period", "area"], name="aggregate_period")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m} {self.measure} {self.citizenship}={self.value}"
