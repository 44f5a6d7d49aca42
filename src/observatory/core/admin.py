"""Admin: every save and delete through the admin is audited; the audit log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes land in the audit log, in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
                obj=obj,
                changes={
                    name: form.cleaned_data.get(name)
                    for name in form.changed_data
                    if "password" not in name
                },
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj)
            super().delete_queryset(request, queryset)


# Roles are memberships in organisations, decided by accounts/access.py; Django
# groups would be a second, unused permission system.
admin.site.unregister(Group)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor_email",
        "action",
        "object_type",
        "object_repr",
        "organisation",
        "via",
        "ip_address",
    ]
    list_filter = ["action", "via", "object_type"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
