"""Reference data: areas and regions, population, drugs, units, ICCS.

Loaded from the packaged files in reference/data/ by `observatory load-reference`.
Names are kept in the six UN languages as columns: they are read together and a
join per name would cost more than it clarifies.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGE_COLUMNS = {
    "en": "name_en",
    "zh": "name_zh",
    "es": "name_es",
    "fr": "name_fr",
    "ru": "name_ru",
    "ar": "name_ar",
}


class MultilingualName(models.Model):
    """Names in the six UN languages; `name` picks the active UI language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        column = LANGUAGE_COLUMNS.get(language, "name_en")
        return str(getattr(self, column) or self.name_en)

    def names(self) -> dict[str, str]:
        return {lang: str(getattr(self, column)) for lang, column in LANGUAGE_COLUMNS.items()}

    def __str__(self) -> str:
        return self.name


class Region(MultilingualName):
    """A grouping of areas: a UN M49 region, sub-region or intermediate region, or
    one of the office's drug-report regions (which cut the world differently)."""

    class Scheme(models.TextChoices):
        M49 = "m49", _("UN M49")
        UNODC = "unodc", _("UNODC drug-report regions")

    class Level(models.TextChoices):
        REGION = "region", _("region")
        SUBREGION = "subregion", _("sub-region")
        INTERMEDIATE = "intermediate", _("intermediate region")

    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    code = models.CharField(max_length=20)
    level = models.CharField(max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="region_scheme_code")
        ]


class Area(MultilingualName):
    """A country or area (ISO 3166 alpha-3), or a pseudo-area used in real exports
    below or beside country level (GBR_EW, GBR_NI, GBR_S, KOS, IRQ_C), or an
    aggregate the office publishes (world, regions) that an office compilation
    brought in (definition files' `areas`)."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("country or area")
        PSEUDO = "pseudo", _("part of a country or special area")
        AGGREGATE = "aggregate", _("region or group of countries")

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    iso2 = models.CharField(max_length=2, blank=True)
    numeric = models.CharField(max_length=3, blank=True)
    m49 = models.CharField(max_length=3, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COUNTRY)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subregion = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intermediate_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unodc_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_ldc = models.BooleanField(default=False)
    is_lldc = models.BooleanField(default=False)
    is_sids = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AreaAlias(models.Model):
    """Another name by which an area is written (Holland, USA, Ivory Coast, 荷兰)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=200)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["area", "text"]
        constraints = [models.UniqueConstraint(fields=["area", "text"], name="area_alias_text")]

    def __str__(self) -> str:
        return self.text


class Population(models.Model):
    """Total population of an area in a year (denominator of rates per 100,000)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="population")
    year = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()
    source = models.CharField(max_length=100, default="World Bank SP.POP.TOTL")

    class Meta:
        ordering = ["area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="population_area_year")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}: {self.value}"


class DrugGroup(MultilingualName):
    """A group of the office's drug taxonomy (cannabis, cocaine, opioids, ...)."""

    code = models.CharField(max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]


class Drug(MultilingualName):
    """A drug as reported (heroin, cannabis resin, methamphetamine ...).

    `tablet_mg` is the assumed weight of one tablet or dose used to turn counts
    into kilogram-equivalents; empty where counts are not converted.
    """

    code = models.CharField(max_length=40, unique=True)
    group = models.ForeignKey(DrugGroup, on_delete=models.PROTECT, related_name="drugs")
    tablet_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["group__sort", "code"]


class DrugSynonym(models.Model):
    """A name, street name or common misspelling of a drug in one language."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official name")
        SYNONYM = "synonym", _("synonym")
        STREET = "street", _("street name")
        MISSPELLING = "misspelling", _("misspelling")
        ABBREVIATION = "abbreviation", _("abbreviation")

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="synonyms")
    text = models.CharField(max_length=200)
    language = models.CharField(max_length=8, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SYNONYM)

    class Meta:
        ordering = ["drug", "text"]
        constraints = [models.UniqueConstraint(fields=["drug", "text"], name="drug_synonym_text")]

    def __str__(self) -> str:
        return self.text


class Unit(models.Model):
    """A unit of quantity. `factor` converts to the base of its dimension:
    kilograms for mass, litres for volume, items for counts."""

    class Dimension(models.TextChoices):
        MASS = "mass", _("mass")
        VOLUME = "volume", _("volume")
        COUNT = "count", _("count")

    code = models.CharField(max_length=20, unique=True)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    factor = models.DecimalField(max_digits=20, decimal_places=10)
    name_en = models.CharField(max_length=100)
    name_zh = models.CharField(max_length=100, blank=True)
    synonyms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["dimension", "factor", "code"]

    @property
    def name(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return self.name_zh if language == "zh" and self.name_zh else self.name_en

    def __str__(self) -> str:
        return self.code


class IccsCategory(models.Model):
    """A category of the International Classification of Crime for Statistical
    Purposes: section (2 digits), division (4), group (5) or class (6).

    `verified` is False where the code and name were not checked against the
    official manual."""

    class Level(models.TextChoices):
        SECTION = "section", _("section")
        DIVISION = "division", _("division")
        GROUP = "group", _("group")
        CLASS = "class", _("class")

    version = models.CharField(max_length=10, default="1.0")
    code = models.CharField(max_length=6)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(max_length=300)
    name_zh = models.CharField(max_length=300, blank=True)
    verified = models.BooleanField(default=False)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("ICCS category")
        verbose_name_plural = _("ICCS categories")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="iccs_version_code")
        ]

    @property
    def name(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return self.name_zh if language == "zh" and self.name_zh else self.name_en

    @property
    def depth(self) -> int:
        return {"section": 0, "division": 1, "group": 2, "class": 3}[self.level]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
