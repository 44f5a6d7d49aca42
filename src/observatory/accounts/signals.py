"""Audit security events that django-allauth performs: MFA set up or removed,
a wrong second factor, password changes and resets, email changes."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from observatory.accounts.models import User
from observatory.core.audit import audit_record
from observatory.core.models import AuditEvent


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=authenticator,
        changes={"mfa": authenticator.type},
    )


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        obj=authenticator,
        changes={"mfa": authenticator.type},
    )


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=authenticator,
        changes={"mfa": f"{authenticator.type} regenerated"},
    )


@receiver(mfa_signals.authentication_failed)
def _mfa_failed(
    sender: Any, request: Any, user: User, authenticator: Any = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        obj=user,
        changes={
            "second_factor": getattr(authenticator, "type", "unknown"),
            "reauthentication": bool(kwargs.get("reauthentication")),
        },
    )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def _password(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(
        actor=user, action=AuditEvent.Action.UPDATE, obj=user, changes={"password": "changed"}
    )


@receiver(account_signals.email_changed)
def _email_changed(
    sender: Any,
    request: Any,
    user: User,
    from_email_address: Any,
    to_email_address: Any,
    **kwargs: Any,
) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        changes={
            "email": [
                str(getattr(from_email_address, "email", "")),
                str(getattr(to_email_address, "email", "")),
            ]
        },
    )
