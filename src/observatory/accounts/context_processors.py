"""Template context: the acting user's roles, for navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from observatory.accounts import access


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    actor = access.actor_for(user)
    return {
        "actor_roles": actor.roles(),
        "can_administer": access.can_administer(actor),
        "can_view_audit_log": access.can_view_audit_log(actor),
        "can_see_office_overview": access.can_see_office_overview(actor),
    }
