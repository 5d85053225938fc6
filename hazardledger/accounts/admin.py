from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "department_kind", "all_sectors"]
    list_filter = ["kind", "department_kind", "all_sectors"]
    search_fields = ["name", "credit_code", "region__code"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["sectors"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),  # Optional in django-stubs; always set by UserAdmin
        (
            _("Hazard Ledger"),
            {"fields": ("organisation", "role", "full_name", "phone", "enforcement_id")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Hazard Ledger"), {"fields": ("organisation", "role", "full_name")}),
    )
