"""The one way to write to the audit log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from observatory.core.context import current_origin
from observatory.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except TypeError:
        return str(value)
    return value


def acting_user(actor: Any) -> Any:
    """The user behind an actor: a user itself, or an access-policy Actor (which
    carries the user's id), or None for the system and anonymous visitors."""
    if actor is None:
        return None
    if hasattr(actor, "_meta"):
        return actor if getattr(actor, "is_authenticated", False) else None
    user_id = getattr(actor, "user_id", None)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    organisation: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. `actor` is a user (or None/anonymous for the system)."""
    where = current_origin()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    user = acting_user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_email=getattr(user, "email", "") if user else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        organisation=organisation,
        changes={key: _jsonable(value) for key, value in (changes or {}).items()},
        ip_address=where.ip_address,
        user_agent=where.user_agent,
        via=where.via,
    )


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]}."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(value)]
        for key, value in after.items()
        if before.get(key) != value
    }
