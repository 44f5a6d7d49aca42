"""Submissions: a country's data for one dataset, as a series of immutable versions.

Each version carries its own workflow status, so a published version stays
public while its correction (the next version) is drafted and reviewed. When a
newer version is published the older one becomes superseded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Organisation
from observatory.core import workflow
from observatory.reference.models import Area


class Submission(models.Model):
    """One organisation's data for one dataset and label (e.g. seizures 2024)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions"
    )
    # None: a compilation by the office itself (e.g. published statistics of many
    # countries loaded from the data portal); each row then carries its area.
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    dataset = models.CharField(_("dataset"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dataset", "label"], name="submission_unique_label"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} {self.dataset} {self.label}"


class Version(models.Model):
    """An immutable set of rows of a submission, with its workflow status."""

    class Status(models.TextChoices):
        DRAFT = workflow.Status.DRAFT, _("draft")
        SUBMITTED = workflow.Status.SUBMITTED, _("submitted")
        RETURNED = workflow.Status.RETURNED, _("returned with comments")
        ACCEPTED = workflow.Status.ACCEPTED, _("accepted")
        PUBLISHED = workflow.Status.PUBLISHED, _("published")
        SUPERSEDED = workflow.Status.SUPERSEDED, _("superseded")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Denormalised from the submission so the access policy filters rows in one join.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    row_count = models.PositiveIntegerField(default=0)
    content_sha256 = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Embargo: an accepted version publishes by itself at this time.
    publish_at = models.DateTimeField(_("publish on"), null=True, blank=True)

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number} ({self.status})"


class ReviewComment(models.Model):
    """A comment on a version (optionally on one row and field), from review."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    row_reference = models.CharField(max_length=100, blank=True)
    field = models.CharField(max_length=250, blank=True)  # a column, or a cell's series key
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class StatusChange(models.Model):
    """The history of a version's workflow: who moved it from what to what, when."""

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
