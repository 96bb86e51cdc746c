"""Platform operators' admin for the tenants and their reference data."""

from django.contrib import admin

from vawg.core.models import (
    Organisation,
    Partnership,
    PartnershipBody,
    Region,
    ReportingPeriod,
    Ward,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "valid_from", "valid_to"]
    list_filter = ["partnership"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership"]
    list_filter = ["partnership", "kind"]
    search_fields = ["name"]


@admin.register(PartnershipBody)
class PartnershipBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership", "order"]
    list_filter = ["partnership", "kind"]
    search_fields = ["name"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "partnership", "start", "end", "update_deadline"]
    list_filter = ["partnership"]
