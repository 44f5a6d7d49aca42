"""The statistical cube on the SDMX information model.

Codelists, data structures (dimensions, attributes) and dataflows are loaded
from versioned definition files (statistics/artefacts/*.yaml). A structure or
codelist marked final never changes: a change needs a new version. Observations
belong to a submission version (as seizures do), so the workflow, the access
policy and immutability are the same for every dataset.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Organisation
from observatory.reference.models import Area
from observatory.submissions.models import Version


class Maintainable(models.Model):
    """An SDMX maintainable artefact: agency, id and version identify it."""

    agency = models.CharField(max_length=40, default="UNODC")
    code = models.CharField(_("id"), max_length=60)
    version = models.CharField(max_length=20, default="1.0")
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(blank=True)
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("A final artefact changes only by a new version")
    )
    source_file = models.CharField(max_length=200, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.agency}:{self.code}({self.version})"

    @property
    def urn_id(self) -> str:
        return f"{self.agency}:{self.code}({self.version})"


class Codelist(Maintainable):
    class Meta:
        ordering = ["agency", "code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code", "version"], name="codelist_version")
        ]


class Code(models.Model):
    codelist = models.ForeignKey(Codelist, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=300)
    names = models.JSONField(default=dict, blank=True)  # language -> name
    parent = models.CharField(max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Other spellings files use for this code ("Oct-17" for 10-17).
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["codelist", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["codelist", "code"], name="code_once_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DataStructure(Maintainable):
    """Dimensions and attributes of a cube. `suppress_below`: counts under it are
    published as `<n` (disclosure control) in public views and exports."""

    suppress_below = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code", "version"], name="structure_version")
        ]


class Component(models.Model):
    class Role(models.TextChoices):
        DIMENSION = "dimension", _("dimension")
        TIME = "time", _("time dimension")
        ATTRIBUTE = "attribute", _("attribute")
        MEASURE = "measure", _("measure")

    structure = models.ForeignKey(
        DataStructure, on_delete=models.CASCADE, related_name="components"
    )
    code = models.CharField(_("id"), max_length=60)
    role = models.CharField(max_length=10, choices=Role.choices)
    name = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    codelist = models.ForeignKey(
        Codelist, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(default=False)
    # How files write it: {"headers": [column headers besides the id], "default":
    # the code it takes when a file says nothing} (formats/annex.py reads them).
    reading = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["structure", "position"]
        constraints = [models.UniqueConstraint(fields=["structure", "code"], name="component_once")]

    def __str__(self) -> str:
        return f"{self.structure.code}.{self.code}"


class Dataflow(Maintainable):
    structure = models.ForeignKey(DataStructure, on_delete=models.PROTECT, related_name="flows")

    class Meta:
        ordering = ["agency", "code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code", "version"], name="dataflow_version")
        ]


class Observation(models.Model):
    """One number (or a censored `<5`, or a reasoned absence) for one cell.

    `key` is the series key: the codes of the non-area, non-time dimensions in
    the structure's order, joined by dots; `dims` holds the same as a mapping.
    Absences stay distinct: not available (status L), not applicable (M), and a
    reported zero (value 0, status A)."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    dataflow = models.ForeignKey(Dataflow, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    time_period = models.CharField(max_length=10)
    key = models.CharField(max_length=250)
    dims = models.JSONField()
    value = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    censored = models.CharField(max_length=10, blank=True)  # as published, e.g. "<5"
    obs_status = models.CharField(max_length=2, default="A")
    conf_status = models.CharField(max_length=2, default="F")
    source = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    derived = models.BooleanField(default=False)
    source_row = models.PositiveIntegerField(default=0)
    # The file's own texts where they differ from what an export would write
    # (a label's spelling, an area code alias such as XKX, "165.0"): column
    # number of the file's layout -> text, so the file comes back as it went in.
    written = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["area", "key", "time_period"]
        indexes = [
            models.Index(fields=["version", "key", "time_period"], name="obs_version_cell"),
            models.Index(fields=["dataflow", "area", "time_period"], name="obs_flow_area_period"),
            # Series in order (SDMX-ML, csv-wide), the explorer's series, repeated cells.
            models.Index(fields=["dataflow", "area", "key", "time_period"], name="obs_flow_series"),
        ]

    def __str__(self) -> str:
        shown = self.censored or (self.value if self.value is not None else self.obs_status)
        return f"{self.area_id} {self.key} {self.time_period} = {shown}"


class Questionnaire(Maintainable):
    """A questionnaire on a dataflow: sections of cells (rows x columns of key
    parts) and validation rules, as declared in its definition file."""

    dataflow = models.ForeignKey(Dataflow, on_delete=models.PROTECT, related_name="questionnaires")
    definition = models.JSONField()

    class Meta:
        ordering = ["agency", "code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code", "version"], name="questionnaire_version"
            )
        ]


class ReportingCycle(models.Model):
    """A round of a questionnaire: which year is reported, when it opens and the
    deadline for countries to submit."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "questionnaire__code"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "year"], name="cycle_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.code} {self.year} (deadline {self.deadline})"


class Crosswalk(models.Model):
    """A country's national offence categories mapped to ICCS, once (many to one,
    with notes)."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    target = models.ForeignKey(Codelist, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="crosswalk_name_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.name}"


class CrosswalkEntry(models.Model):
    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="entries")
    national_code = models.CharField(_("national code"), max_length=60)
    national_label = models.CharField(_("national category"), max_length=300, blank=True)
    target_code = models.CharField(_("ICCS code"), max_length=60)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["crosswalk", "national_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "national_code"], name="crosswalk_national_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.national_code} -> {self.target_code}"


class NationalOriginal(models.Model):
    """A value as reported in a national category, kept beside the ICCS cell it
    was converted into."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.PROTECT, related_name="+")
    time_period = models.CharField(max_length=10)
    national_code = models.CharField(max_length=60)
    national_label = models.CharField(max_length=300, blank=True)
    target_key = models.CharField(max_length=250)
    value = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    source_row = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "source_row"]

    def __str__(self) -> str:
        return f"{self.national_code}={self.value} -> {self.target_key}"
