"""The submission workflow: draft -> submitted (focal point) -> returned with
comments or accepted (office analyst) -> published (office analyst).

Every transition is checked against the access policy, recorded in the
version's history and the audit log, and the people concerned are told by
email after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Membership, Organisation, Role, User
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.core.workflow import MOVES_FROM
from observatory.submissions import registry
from observatory.submissions.models import ReviewComment, StatusChange, Submission, Version

logger = logging.getLogger(__name__)
S = Version.Status

# Listeners called (after commit) when a version is published: the analytics
# store registers one to rewrite the country's partition.
on_publish: list[Callable[[Version], None]] = []
# Listeners called inside the transaction after every status change (network
# sharing keeps its record of contributions in step with the versions).
on_status_change: list[Callable[[Version], None]] = []


def version_create(
    *, organisation: Organisation, dataset: str, label: str, actor: ActorLike, note: str = ""
) -> Version:
    """A new draft version (the next number) of the organisation's submission.

    The office's own compilations (organisation without an area; only datasets
    that declare `office_compiles`) have no area: their rows carry it."""
    if organisation.area_id is None and not registry.office_compiles(dataset):
        raise ValidationFailed("the office does not submit country data")
    submission, _created = Submission.objects.get_or_create(
        organisation=organisation,
        dataset=dataset,
        label=label,
        defaults={
            "area_id": organisation.area_id,
            "created_by": acting_user(actor),
        },
    )
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    busy = [S.SUBMITTED, S.ACCEPTED] if registry.publishes(dataset) else [S.SUBMITTED]
    open_versions = submission.versions.filter(status__in=busy)
    if open_versions.exists():
        waiting = "returned or published" if registry.publishes(dataset) else "returned or accepted"
        raise ValidationFailed(
            f"version {open_versions.first().number} of “{label}” is with the office "  # type: ignore[union-attr]
            f"({open_versions.first().get_status_display()}); wait for it to be {waiting}"  # type: ignore[union-attr]
        )
    number = (submission.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = Version.objects.create(
        submission=submission,
        number=number,
        organisation=organisation,
        area_id=organisation.area_id,
        note=note,
        created_by=acting_user(actor),
    )
    StatusChange.objects.create(
        version=version, from_status="", to_status=S.DRAFT, actor=version.created_by
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=version, organisation=organisation.code
    )
    return version


def version_draft(
    *,
    organisation: Organisation,
    dataset: str,
    label: str,
    rows: Any,
    actor: ActorLike,
    note: str = "entered in the browser",
) -> Version:
    """The submission's draft to edit: the latest version if it is a draft; else
    (with the office, returned, accepted or published: all immutable) a new draft
    carrying every row of the latest. `rows` is the dataset's row model (with a
    `version` foreign key). Call inside a transaction."""
    latest = (
        Version.objects.select_for_update()
        .filter(
            submission__organisation=organisation,
            submission__dataset=dataset,
            submission__label=label,
        )
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.status == S.DRAFT:
        return latest
    version = version_create(
        organisation=organisation, dataset=dataset, label=label, actor=actor, note=note
    )
    if latest is not None:
        carried = list(rows.objects.filter(version=latest))
        for row in carried:
            row.pk = None
            row.version = version
        rows.objects.bulk_create(carried, batch_size=5000)
    return version


def _move(
    version: Version, *, to: str, actor: ActorLike, comment: str = "", allowed_from: frozenset[str]
) -> Version:
    if version.status not in allowed_from:
        raise ValidationFailed(
            f"a version that is {version.get_status_display()} cannot become {S(to).label}"
        )
    before = version.status
    now = timezone.now()
    version.status = to
    fields = ["status"]
    if to == S.SUBMITTED:
        version.submitted_at, fields = now, [*fields, "submitted_at"]
    if to in {S.RETURNED, S.ACCEPTED}:
        version.reviewed_at, fields = now, [*fields, "reviewed_at"]
    if to == S.PUBLISHED:
        version.published_at, fields = now, [*fields, "published_at"]
    version.save(update_fields=fields)
    StatusChange.objects.create(
        version=version,
        from_status=before,
        to_status=to,
        actor=acting_user(actor),
        comment=comment,
    )
    for listener in on_status_change:
        listener(version)
    if comment:
        ReviewComment.objects.create(version=version, text=comment, author=acting_user(actor))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=version,
        organisation=version.organisation.code,
        changes={"status": [before, to], "comment": comment},
    )
    return version


def version_submit(*, version: Version, actor: ActorLike) -> Version:
    if not access.can_submit(
        actor, area_code=version.area_id, organisation_code=version.organisation.code
    ):
        raise PermissionDenied("only a focal point of this country submits its data")
    with transaction.atomic():
        version = _move(
            _locked(version), to=S.SUBMITTED, actor=actor, allowed_from=MOVES_FROM["submit"]
        )
        transaction.on_commit(lambda: _notify_office(version, "submitted"))
    return version


def version_return(*, version: Version, actor: ActorLike, comment: str) -> Version:
    if not access.can_review(actor):
        raise PermissionDenied("only an office analyst returns submissions")
    if not comment.strip():
        raise ValidationFailed("say what must change: a comment is required to return data")
    with transaction.atomic():
        version = _move(
            _locked(version),
            to=S.RETURNED,
            actor=actor,
            comment=comment.strip(),
            allowed_from=MOVES_FROM["return"],
        )
        transaction.on_commit(lambda: _notify_country(version, "returned", comment))
    return version


def version_accept(*, version: Version, actor: ActorLike, comment: str = "") -> Version:
    if not access.can_review(actor):
        raise PermissionDenied("only an office analyst accepts submissions")
    with transaction.atomic():
        version = _move(
            _locked(version),
            to=S.ACCEPTED,
            actor=actor,
            comment=comment,
            allowed_from=MOVES_FROM["accept"],
        )
        if not registry.publishes(version.submission.dataset):
            # Accepted is final for shared-only data: older accepted versions of
            # the submission are replaced by this one.
            for old in Version.objects.select_for_update().filter(
                submission=version.submission, status=S.ACCEPTED, number__lt=version.number
            ):
                _move(old, to=S.SUPERSEDED, actor=actor, allowed_from=frozenset({S.ACCEPTED}))
        transaction.on_commit(lambda: _notify_country(version, "accepted", comment))
    return version


def version_publish(*, version: Version, actor: ActorLike) -> Version:
    """Publish an accepted version; the submission's previous published version
    becomes superseded."""
    if not access.can_publish(actor):
        raise PermissionDenied("only an office analyst publishes")
    with transaction.atomic():
        version = _locked(version)
        if not registry.publishes(version.submission.dataset):
            raise ValidationFailed(
                f"{version.submission.dataset} data is shared with a network, never published"
            )
        for old in (
            Version.objects.select_for_update()
            .filter(submission=version.submission, status=S.PUBLISHED)
            .exclude(pk=version.pk)
        ):
            _move(old, to=S.SUPERSEDED, actor=actor, allowed_from=frozenset({S.PUBLISHED}))
        version = _move(version, to=S.PUBLISHED, actor=actor, allowed_from=MOVES_FROM["publish"])
        transaction.on_commit(lambda: _published(version))
    return version


def version_schedule(*, version: Version, actor: ActorLike, at: datetime | None) -> Version:
    """Set (or, with None, lift) the embargo of an accepted version: it publishes
    by itself at `at` (the worker checks every minute; `observatory publish-due`)."""
    if not access.can_publish(actor):
        raise PermissionDenied("only an office analyst schedules publication")
    if at is not None and at <= timezone.now():
        raise ValidationFailed("the embargo must end in the future; publish now instead")
    with transaction.atomic():
        version = _locked(version)
        if not registry.publishes(version.submission.dataset):
            raise ValidationFailed(
                f"{version.submission.dataset} data is shared with a network, never published"
            )
        if version.status not in MOVES_FROM["schedule"]:
            raise ValidationFailed("only an accepted version can be scheduled for publication")
        before = version.publish_at
        version.publish_at = at
        version.save(update_fields=["publish_at"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=version,
            organisation=version.organisation.code,
            changes={"publish_at": [str(before or ""), str(at or "")]},
        )
    return version


def publish_due(*, now: datetime | None = None) -> list[Version]:
    """Publish every accepted version whose embargo has ended (by the system)."""
    now = now or timezone.now()
    published = []
    for version in Version.objects.filter(status=S.ACCEPTED, publish_at__lte=now):
        with transaction.atomic():
            locked = _locked(version)
            if locked.status != S.ACCEPTED or locked.publish_at is None:
                continue
            for old in (
                Version.objects.select_for_update()
                .filter(submission=locked.submission, status=S.PUBLISHED)
                .exclude(pk=locked.pk)
            ):
                _move(old, to=S.SUPERSEDED, actor=None, allowed_from=frozenset({S.PUBLISHED}))
            locked = _move(
                locked,
                to=S.PUBLISHED,
                actor=None,
                comment=f"embargo ended {locked.publish_at:%Y-%m-%d %H:%M} UTC",
                allowed_from=MOVES_FROM["publish"],
            )
            transaction.on_commit(partial(_published, locked))
        published.append(locked)
    return published


def _locked(version: Version) -> Version:
    return (
        Version.objects.select_for_update()
        .select_related("submission", "organisation")
        .get(pk=version.pk)
    )


def _published(version: Version) -> None:
    for listener in on_publish:
        listener(version)
    _notify_country(version, "published", "")


def _recipients(users: Any) -> list[str]:
    return sorted({u.email for u in users if u.email})


def _notify_office(version: Version, what: str) -> None:
    analysts = User.objects.filter(memberships__role=Role.ANALYST, is_active=True)
    _send(
        _recipients(analysts),
        f"[Observatory] {version.submission} v{version.number} {what}",
        f"{version.organisation.code} {what} {version.submission.dataset} "
        f"“{version.submission.label}”, version {version.number} ({version.row_count} rows).",
    )


def _notify_country(version: Version, what: str, comment: str) -> None:
    people = User.objects.filter(
        memberships__in=Membership.objects.filter(
            organisation__area_id=version.area_id, role=Role.FOCAL_POINT
        )
        | Membership.objects.filter(organisation=version.organisation),
        is_active=True,
    ).distinct()
    body = (
        f"Version {version.number} of {version.submission.dataset} “{version.submission.label}” "
        f"({version.organisation.code}) was {what} by the office."
    )
    if comment:
        body += f"\n\nComment:\n{comment}"
    _send(_recipients(people), f"[Observatory] {version.submission} v{version.number} {what}", body)


def _send(to: list[str], subject: str, body: str) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except OSError:
        # A mail server outage must not undo a committed workflow step; it is logged.
        logger.exception("could not send notification %r", subject)
