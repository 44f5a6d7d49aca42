"""Demo seizures: generated along real route patterns, imported through the same
intake engine as any file, then submitted, accepted and published through the
workflow, so every demo row has an original, a version and an audit trail."""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
from django.db import transaction

from observatory.accounts import services as account_services
from observatory.accounts.models import Organisation, Role, User
from observatory.analytics import lake
from observatory.demo.world import DEMO_PASSWORD, DOMAIN
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.reference.models import Area
from observatory.submissions import services as workflow
from observatory.submissions.models import Submission
from observatory.synthetic.seizures import generate_seizures

LABEL = "IDS 2015-2024 (demo)"


def _as_file(frame: pl.DataFrame) -> bytes:
    """The rows as a CSV a country could send: dates keep their precision."""
    date_text = (
        pl.when(pl.col("date_precision") == "year")
        .then(pl.col("seizure_date").dt.strftime("%Y"))
        .when(pl.col("date_precision") == "month")
        .then(pl.col("seizure_date").dt.strftime("%Y-%m"))
        .otherwise(pl.col("seizure_date").dt.strftime("%Y-%m-%d"))
    )
    out = (
        frame.with_columns(date_text.alias("seizure_date"))
        .drop("date_precision")
        .rename({"reporting_area": "area"})
    )
    buffer = io.BytesIO()
    out.write_csv(buffer)
    return buffer.getvalue()


DEMO_REPORTER = f"reporter@{DOMAIN}"


def _reporter(area: str) -> tuple[Organisation, User]:
    """The country's organisation and focal point. Countries outside the demo world
    get a police organisation whose focal point is one shared demo reporter."""
    organisation = Organisation.objects.filter(area_id=area).order_by(
        "code"
    ).first() or account_services.organisation_create(
        code=f"{area}-POLICE",
        name=f"National police ({area}, demo)",
        kind=Organisation.Kind.POLICE,
        area=Area.objects.get(code=area),
    )
    focal = User.objects.filter(
        memberships__organisation__area_id=area, memberships__role=Role.FOCAL_POINT
    ).first()
    if focal is None:
        focal = User.objects.filter(email=DEMO_REPORTER).first() or account_services.user_create(
            email=DEMO_REPORTER,
            password=DEMO_PASSWORD,
            full_name="Demo reporter (focal point of the other countries)",
            check_password=False,
        )
        account_services.membership_grant(
            user=focal, organisation=organisation, role=Role.FOCAL_POINT, actor=None
        )
    return organisation, focal


def load_demo_seizures(*, rows: int = 50_000, say: Callable[[str], None] = print) -> int:
    """Import, submit, accept and publish one submission per reporting country.
    Countries that already have the demo submission are left as they are."""
    analyst = User.objects.filter(memberships__role=Role.ANALYST).order_by("pk").first()
    if analyst is None:
        raise RuntimeError("the demo world has no analyst: run build_demo_world first")
    frame = generate_seizures(rows)
    published = 0
    for (area,), part in frame.group_by("reporting_area", maintain_order=True):
        area = str(area)
        if Submission.objects.filter(area_id=area, dataset="seizures", label=LABEL).exists():
            continue
        organisation, focal = _reporter(area)
        with transaction.atomic():
            upload, _created = intake.upload_store(
                stream=io.BytesIO(_as_file(part)),
                filename=f"demo-seizures-{area}.csv",
                organisation=organisation,
                dataset="seizures",
                actor=focal,
            )
            # The demo writes its numbers with a decimal point; a small country's
            # column of values such as 1.234 alone could not say so itself.
            job = intake.job_create(
                upload=upload, label=LABEL, actor=focal, options={"decimal_mark": "."}
            )
            job = intake.job_validate(job=job)
            job = intake.job_commit(job=job, accept_valid=True, actor=focal)
            if job.status != ImportJob.Status.COMMITTED or job.version is None:
                raise RuntimeError(f"demo import for {area} ended as {job.status}: {job.message}")
            version = workflow.version_submit(version=job.version, actor=focal)
            version = workflow.version_accept(version=version, actor=analyst)
            workflow.version_publish(version=version, actor=analyst)
        lake.refresh_area(area)
        published += part.height
        say(f"  {area}: {part.height} seizures published")
    return published
