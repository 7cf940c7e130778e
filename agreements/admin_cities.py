from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cities.models import City, Membership, Network

from .admin_base import AdministratorOnly


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["network"]


class MissingPersianNameFilter(admin.SimpleListFilter):
    title = _("Persian name")
    parameter_name = "persian_name"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("present", _("Present"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.missing_persian_name()
        if self.value() == "present":
            return queryset.exclude(name_fa="")
        return queryset


@admin.register(City)
class CityAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["name", "name_fa", "country", "region", "is_home", "population"]
    list_filter = ["is_home", MissingPersianNameFilter, "country"]
    search_fields = ["name", "name_fa", "region", "region_fa"]
    inlines = [MembershipInline]
    # The public address (/public/<slug>/) is given once and kept: links are published.
    readonly_fields = ["slug", "version", "created_at", "updated_at"]


@admin.register(Network)
class NetworkAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_fa", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_fa"]


@admin.register(Membership)
class MembershipAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["city", "network", "since"]
    list_filter = ["network"]
    list_select_related = ["city", "network"]
    search_fields = ["city__name", "city__name_fa", "network__name"]
    autocomplete_fields = ["city", "network"]
