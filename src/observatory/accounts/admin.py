from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from observatory.accounts.models import (
    ApiToken,
    Membership,
    Network,
    NetworkContribution,
    NetworkMember,
    Organisation,
    User,
)
from observatory.core.admin import AuditedAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        from observatory.core.audit import audit_record
        from observatory.core.models import AuditEvent

        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.PERMISSION,
                obj=obj,
                changes={"role": [obj.role, None]},
            )
            obj.delete()
        for obj in instances:
            obj.save()
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.PERMISSION,
                obj=obj,
                changes={"role": obj.role},
            )
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["area"]


class NetworkMemberInline(admin.TabularInline):
    model = NetworkMember
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ["code", "name", "sharing_rule", "period_kind", "suppression_threshold"]
    inlines = [NetworkMemberInline]


@admin.register(NetworkContribution)
class NetworkContributionAdmin(AuditedAdmin):
    list_display = ["network", "area", "period", "recorded_at"]
    list_filter = ["network", "period"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = [
        "prefix",
        "user",
        "organisation",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["prefix", "user__email"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # tokens are issued on the API tokens page or by `observatory create-token`


# django-allauth registers its own admins; replace them with audited ones, and
# never show an authenticator's secret (whoever reads it owns the second factor).
admin.site.unregister(Authenticator)
admin.site.unregister(EmailAddress)


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdmin):
    """Administrators may remove a lost second factor (audited); nothing else."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(EmailAddress)
class EmailAddressAdmin(AuditedAdmin, AllauthEmailAddressAdmin):
    pass
