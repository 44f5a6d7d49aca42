"""Shared models: the append-only audit log."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.core.errors import AuditLogIsAppendOnly


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    """Audit rows can be added and read, never changed or removed."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be updated")


class AuditEvent(models.Model):
    """One thing that happened: who did what to which object, when and from where.

    Append-only: the model, its queryset and (on PostgreSQL and SQLite) database
    triggers refuse updates; deletes are refused by the model and, on PostgreSQL,
    by a trigger. The actor is kept as id and email so the row stays readable
    after the account is gone.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        PERMISSION = "permission", _("permission change")
        EXPORT = "export", _("export")
        VIEW = "view", _("view of restricted data")
        TOKEN = "token", _("API token")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    organisation = models.CharField(max_length=40, blank=True, help_text=_("organisation code"))
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=10, blank=True, help_text=_("web, api, cli or task"))

    objects: ClassVar[AuditQuerySet] = AuditQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        who = self.actor_email or "-"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit rows cannot be deleted")
