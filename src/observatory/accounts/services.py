"""Writes for users, organisations, memberships, networks and API tokens.

Every function runs in one transaction and appends an audit row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import (
    ApiToken,
    Membership,
    Network,
    NetworkAgency,
    NetworkContribution,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import NotFound, PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.models import Area

TOKEN_PREFIX = "obs"


def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    actor: ActorLike = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(f"a user with the email {email} already exists")
    if password and check_password:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as error:
            raise ValidationFailed(" ".join(error.messages)) from error
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=user,
            changes={"email": email, "is_staff": is_staff, "is_superuser": is_superuser},
        )
    return user


def organisation_create(
    *, code: str, name: str, kind: str, area: Area | None, actor: ActorLike = None
) -> Organisation:
    code = code.strip().upper()
    if kind not in Organisation.Kind.values:
        raise ValidationFailed(
            f"unknown organisation kind {kind!r}; one of {Organisation.Kind.values}"
        )
    if (kind == Organisation.Kind.OFFICE) != (area is None):
        raise ValidationFailed("the office has no area; every national organisation has one")
    with transaction.atomic():
        organisation = Organisation.objects.create(code=code, name=name, kind=kind, area=area)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=organisation,
            organisation=code,
            changes={"name": name, "kind": kind, "area": area.code if area else None},
        )
    return organisation


def membership_grant(
    *, user: User, organisation: Organisation, role: str, actor: ActorLike
) -> Membership:
    """Give `user` `role` in `organisation` (replacing a previous role there).

    `actor=None` means the system itself (the demo loader, a migration)."""
    if role not in Role.values:
        raise ValidationFailed(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    if (role in access.OFFICE_ROLE_VALUES) != organisation.is_office:
        raise ValidationFailed(
            "analyst and administrator roles belong to the office; contributor and focal "
            "point roles to national organisations"
        )
    if actor is not None and not access.can_grant(actor, organisation=organisation, role=role):
        raise PermissionDenied("you may not give this role in this organisation")
    with transaction.atomic():
        existing = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation)
            .first()
        )
        before = existing.role if existing else None
        if existing and existing.role == role:
            return existing
        if existing:
            existing.role = role
            existing.save(update_fields=["role"])
            membership = existing
        else:
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.PERMISSION,
            obj=membership,
            organisation=organisation.code,
            changes={"user": user.email, "role": [before, role]},
        )
    return membership


def membership_revoke(*, membership: Membership, actor: ActorLike) -> None:
    if actor is not None and not access.can_grant(
        actor, organisation=membership.organisation, role=membership.role
    ):
        raise PermissionDenied("you may not take away this role")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.PERMISSION,
            obj=membership,
            organisation=membership.organisation.code,
            changes={"user": membership.user.email, "role": [membership.role, None]},
        )
        membership.delete()


# --------------------------------------------------------------------------
# API tokens


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *,
    user: User,
    organisation: Organisation,
    name: str = "",
    expires_at: datetime | None = None,
    actor: ActorLike = None,
) -> tuple[ApiToken, str]:
    """Issue a token; returns it and the plain text, which is never stored."""
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationFailed(f"{user.email} has no role in {organisation.code}")
    if not user.is_active:
        raise ValidationFailed(f"{user.email} is not active")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organisation=organisation,
            name=name[:100],
            prefix=prefix,
            key_hash=_hash(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor if actor is not None else user,
            action=AuditEvent.Action.TOKEN,
            obj=token,
            organisation=organisation.code,
            changes={"issued": token.prefix},
        )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_revoke(*, token: ApiToken, actor: ActorLike) -> ApiToken:
    if (
        actor is not None
        and getattr(actor, "pk", None) != token.user_id
        and not access.can_administer(actor)
    ):
        raise PermissionDenied("you may revoke only your own tokens")
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.TOKEN,
            obj=token,
            organisation=token.organisation.code,
            changes={"revoked": token.prefix},
        )
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token matching `raw`, with its last-used time updated; or None."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(parts[2])):
        return None
    if not token.is_usable or not token.user.is_active or not token.organisation.is_active:
        return None
    # A token acts within its organisation: without a role there it is dead.
    if not Membership.objects.filter(
        user_id=token.user_id, organisation_id=token.organisation_id
    ).exists():
        return None
    now = timezone.now()
    # Written at most once a minute: a busy client should not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --------------------------------------------------------------------------
# Networks


def network_create(
    *,
    code: str,
    name: str,
    period_kind: str = Network.PeriodKind.YEAR,
    suppression_threshold: int = 5,
    actor: ActorLike = None,
) -> Network:
    if actor is not None and not access.can_manage_network(actor):
        raise PermissionDenied("only the office creates networks")
    with transaction.atomic():
        network = Network.objects.create(
            code=code.strip().upper(),
            name=name,
            period_kind=period_kind,
            suppression_threshold=suppression_threshold,
        )
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=network)
    return network


def network_member_set(
    *, network: Network, area: Area, status: str, actor: ActorLike = None
) -> NetworkMember:
    """Invite an area, record that it accepted, or that it left."""
    if status not in NetworkMember.Status.values:
        raise ValidationFailed(f"unknown status {status!r}")
    with transaction.atomic():
        member, _created = NetworkMember.objects.get_or_create(network=network, area=area)
        before = member.status if not _created else None
        member.status = status
        now = timezone.now()
        if status == NetworkMember.Status.ACTIVE and member.joined_at is None:
            member.joined_at = now
        if status == NetworkMember.Status.LEFT:
            member.left_at = now
        member.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.PERMISSION,
            obj=member,
            changes={"network": network.code, "area": area.code, "status": [before, status]},
        )
    return member


def network_contribution_record(
    *, network: Network, area: Area, period: str, actor: ActorLike = None
) -> NetworkContribution:
    member = NetworkMember.objects.filter(network=network, area=area).first()
    if member is None or member.status != NetworkMember.Status.ACTIVE:
        raise ValidationFailed(f"{area.code} is not an active member of {network.code}")
    with transaction.atomic():
        contribution, created = NetworkContribution.objects.get_or_create(
            network=network, area=area, period=period
        )
        if created:
            audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=contribution)
    return contribution


def organisation_get(code: str) -> Organisation:
    try:
        return Organisation.objects.get(code__iexact=code.strip())
    except Organisation.DoesNotExist as error:
        raise NotFound(f"no organisation with the code {code!r}") from error


def network_invite(*, network: Network, area: Area, actor: ActorLike) -> NetworkMember:
    """The office invites a state; its focal point answers."""
    if not access.can_manage_network(actor):
        raise PermissionDenied("only the office invites states to a network")
    member = NetworkMember.objects.filter(network=network, area=area).first()
    if member is not None and member.status == NetworkMember.Status.ACTIVE:
        raise ValidationFailed(f"{area.code} is already a member of {network.code}")
    return network_member_set(
        network=network, area=area, status=NetworkMember.Status.INVITED, actor=actor
    )


def network_join(*, member: NetworkMember, actor: ActorLike) -> NetworkMember:
    """The focal point accepts the invitation."""
    if not access.can_answer_invitation(actor, member):
        raise PermissionDenied("only the focal point of the invited state answers")
    if member.status != NetworkMember.Status.INVITED:
        raise ValidationFailed("only an open invitation can be accepted")
    return network_member_set(
        network=member.network, area=member.area, status=NetworkMember.Status.ACTIVE, actor=actor
    )


def network_leave(*, member: NetworkMember, actor: ActorLike) -> NetworkMember:
    """The state (its focal point) or the office ends the membership: from now on
    it neither sees nor shares data; what it reported stays with it."""
    if not (access.can_answer_invitation(actor, member) or access.can_manage_network(actor)):
        raise PermissionDenied("only the state's focal point or the office ends a membership")
    if member.status == NetworkMember.Status.LEFT:
        raise ValidationFailed("this state has already left")
    return network_member_set(
        network=member.network, area=member.area, status=NetworkMember.Status.LEFT, actor=actor
    )


def network_agency_name(
    *, member: NetworkMember, organisation: Organisation, actor: ActorLike
) -> NetworkAgency:
    if not access.can_answer_invitation(actor, member):
        raise PermissionDenied("only the state's focal point names its contributing agencies")
    if organisation.area_id != member.area_id:
        raise ValidationFailed(f"{organisation.code} is not an organisation of {member.area_id}")
    with transaction.atomic():
        agency, created = NetworkAgency.objects.get_or_create(
            member=member, organisation=organisation, defaults={"named_by": acting_user(actor)}
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.PERMISSION,
                obj=agency,
                organisation=organisation.code,
                changes={"network": member.network.code, "agency": [None, organisation.code]},
            )
    return agency


def network_agency_remove(*, agency: NetworkAgency, actor: ActorLike) -> None:
    if not access.can_answer_invitation(actor, agency.member):
        raise PermissionDenied("only the state's focal point changes its contributing agencies")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.PERMISSION,
            obj=agency,
            organisation=agency.organisation.code,
            changes={
                "network": agency.member.network.code,
                "agency": [agency.organisation.code, None],
            },
        )
        agency.delete()
