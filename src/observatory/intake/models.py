"""Uploads (originals kept with their hash), import jobs with their progress,
the problems found, rows held in quarantine, and remembered column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Organisation


def upload_path(instance: Upload, filename: str) -> str:
    # Content-addressed: the same file is stored once, under its hash.
    return f"uploads/{instance.sha256[:2]}/{instance.sha256}"


class Upload(models.Model):
    """An original file exactly as received; never changed or deleted by the app."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="uploads")
    dataset = models.CharField(max_length=40)
    file = models.FileField(upload_to=upload_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dataset", "sha256"], name="upload_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class ImportJob(models.Model):
    """One attempt to bring an upload into a dataset: dry run, then commit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        VALIDATING = "validating", _("checking")
        VALIDATED = "validated", _("checked, ready to commit")
        BLOCKED = "blocked", _("errors must be fixed")
        COMMITTING = "committing", _("committing")
        COMMITTED = "committed", _("committed")
        FAILED = "failed", _("failed")
        DUPLICATE = "duplicate", _("already imported")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("all rows or nothing")
        ACCEPT_VALID = "valid", _("accept valid rows, quarantine the rest")

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="jobs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    dataset = models.CharField(max_length=40)
    label = models.CharField(_("submission label"), max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    mapping = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_with_errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    version = models.ForeignKey(
        "submissions.Version",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process checking or committing it (core/lease.py), and since when.
    worker = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.upload.filename} ({self.status})"


class ImportIssue(models.Model):
    """One problem in one cell (or row) of an uploaded file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    field = models.CharField(max_length=60, blank=True)
    value = models.TextField(blank=True)
    severity = models.CharField(max_length=8)
    code = models.CharField(max_length=40)
    message = models.TextField()
    expected = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)

    class Meta:
        ordering = ["row", "column"]
        indexes = [models.Index(fields=["job", "severity"])]

    def __str__(self) -> str:
        return f"row {self.row} {self.column}: {self.message}"


class QuarantinedRow(models.Model):
    """A row left out by "accept valid rows", kept with its original cells."""

    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="quarantine")
    row = models.PositiveIntegerField()
    cells = models.JSONField()

    class Meta:
        ordering = ["job", "row"]

    def __str__(self) -> str:
        return f"row {self.row} of import #{self.job_id}"


class SavedMapping(models.Model):
    """A column mapping an organisation confirmed for a file layout."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    dataset = models.CharField(max_length=40)
    signature = models.CharField(max_length=32)
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dataset", "signature"], name="mapping_once_per_layout"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.dataset} {self.signature}"


class SavedValue(models.Model):
    """A reading of a text as a reference code that an organisation confirmed
    ("DMT" is dmt, not the methamphetamine a fuzzy match proposed): its later
    imports read the text the same way, and say so."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # area | drug | unit | code (a dimension's)
    text = models.CharField(max_length=255)  # folded (reference.matching.fold)
    code = models.CharField(max_length=60)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "text"], name="value_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.text} = {self.code}"
