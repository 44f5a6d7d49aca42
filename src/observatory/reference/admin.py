from django.contrib import admin

from observatory.core.admin import AuditedAdmin
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


class AreaAliasInline(admin.TabularInline):
    model = AreaAlias
    extra = 0


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "name_zh", "kind", "region", "subregion", "unodc_region"]
    list_filter = ["kind", "region", "unodc_region"]
    search_fields = ["code", "name_en", "name_zh", "name_es", "name_fr", "aliases__text"]
    inlines = [AreaAliasInline]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["scheme", "code", "name_en", "level", "parent"]
    list_filter = ["scheme", "level"]


class DrugSynonymInline(admin.TabularInline):
    model = DrugSynonym
    extra = 0


@admin.register(Drug)
class DrugAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "name_zh", "group", "tablet_mg"]
    list_filter = ["group"]
    search_fields = ["code", "name_en", "synonyms__text"]
    inlines = [DrugSynonymInline]


@admin.register(DrugGroup)
class DrugGroupAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "sort"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "dimension", "factor"]


@admin.register(IccsCategory)
class IccsCategoryAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "level", "version", "verified"]
    list_filter = ["version", "level", "verified"]
    search_fields = ["code", "name_en", "name_zh"]


@admin.register(Population)
class PopulationAdmin(AuditedAdmin):
    list_display = ["area", "year", "value", "source"]
    list_filter = ["year"]
    search_fields = ["area__code"]
