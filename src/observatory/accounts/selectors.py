"""Reads for accounts: memberships, tokens, organisations, the audit log."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import MFA_ROLES, ApiToken, Membership, Organisation, User
from observatory.core.models import AuditEvent


def user_needs_mfa_setup(user: User) -> bool:
    """True when the user holds a role that requires TOTP and has none yet."""
    roles = access.actor_for(user).roles()
    if not (roles & MFA_ROLES) and not user.is_superuser:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def membership_list(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation", "organisation__area")


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("organisation")


def organisation_list(*, actor: ActorLike) -> QuerySet[Organisation]:
    return access.organisations_visible_to(actor).select_related("area")


def organisation_members(*, actor: ActorLike, organisation: Organisation) -> QuerySet[Membership]:
    """Members of an organisation, if the actor may see that organisation."""
    if not access.organisations_visible_to(actor).filter(pk=organisation.pk).exists():
        return Membership.objects.none()
    return Membership.objects.filter(organisation=organisation).select_related("user")


def audit_events(
    *, actor: ActorLike, action: str = "", email: str = "", object_type: str = ""
) -> QuerySet[AuditEvent]:
    if not access.can_view_audit_log(actor):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if email:
        events = events.filter(actor_email__icontains=email)
    if object_type:
        events = events.filter(object_type=object_type)
    return events
